"""An in-process transformers model whose answers are always schema-valid JSON.

Schema-guided decoding: the decoder writes the JSON structure itself (braces,
keys, commas, quotes) and lets the model choose only the values, each under
a constraint that keeps it valid: booleans and small numbers are picked among
allowed spellings by their log-probability, lists end when the model prefers
``]`` over ``,`` (or at their length cap), strings are sampled greedily from
tokens that contain no quote, backslash or control character and end when the
model prefers a closing quote. Integer fields may be limited to given choices
(``choices={"targets": [3, 7]}``): target ids can only be candidate ids.

Written for small local models (the tests use a tiny random one). It runs a
full forward pass per decoded token without a KV cache, which is fine for a
few hundred tokens of a small model; a large model belongs on a server.
"""

from __future__ import annotations

import json
import types
import typing
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from rvos_ros.config import LLMConfig
from rvos_ros.errors import ModelError
from rvos_ros.llm.schemas import Answer, parse_answer

__all__ = ["LocalJsonModel"]

_MAX_LIST = 4
_MAX_STRING_TOKENS = 12
_CONFIDENCES = tuple(f"{v / 10:.1f}" for v in range(11))
_SMALL_INTS = tuple(str(v) for v in range(17))


class LocalJsonModel:
    """A causal LM + tokenizer loaded once; ``complete`` answers any of our pydantic schemas."""

    constrains_ids = True
    """``complete`` accepts ``choices`` limiting integer fields (target ids) while decoding."""

    def __init__(self, model: Any, tokenizer: Any, *, max_tokens: int = 256) -> None:
        import torch

        self.model = model.eval()
        self.tokenizer = tokenizer
        self.max_tokens = max_tokens
        self._torch = torch
        vocab = tokenizer.convert_ids_to_tokens(list(range(len(tokenizer))))
        texts = [tokenizer.convert_tokens_to_string([t]) if t is not None else "" for t in vocab]
        special = set(tokenizer.all_special_ids)
        self._safe = torch.tensor([i not in special and bool(s) and _safe_text(s) for i, s in enumerate(texts)])
        self._quote = torch.tensor([i not in special and s.lstrip().startswith('"') for i, s in enumerate(texts)])
        n = int(getattr(model.config, "vocab_size", len(texts)))
        self._safe, self._quote = _fit(self._safe, n, torch), _fit(self._quote, n, torch)

    @classmethod
    def from_config(cls, config: LLMConfig, *, models_dir: str = "models") -> LocalJsonModel:
        from rvos_ros.models.files import resolve_model

        name = resolve_model(config.local_model, models_dir)
        try:
            from transformers import AutoModelForCausalLM, AutoTokenizer

            tok = AutoTokenizer.from_pretrained(name)
            model = AutoModelForCausalLM.from_pretrained(name)
        except (OSError, ValueError) as err:
            raise ModelError(f"cannot load the local LLM {config.local_model!r} ({err}); "
                             "run `rvos-ros models pull` or set llm.local_model to a folder") from err
        return cls(model, tok, max_tokens=config.max_tokens)

    # -- the one call ---------------------------------------------------------------------------
    def complete(self, messages: Sequence[Mapping[str, str]], schema: type[Answer], *,
                 choices: Mapping[str, Sequence[int]] | None = None) -> Answer:
        """Answer ``messages`` with JSON valid for ``schema`` (validated like a server's answer)."""
        self._ids: list[int] = list(self.tokenizer(self._prompt(messages))["input_ids"])
        self._budget = self.max_tokens
        self._choices = dict(choices or {})
        with self._torch.inference_mode():
            value = self._object(schema)
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

    def _logits(self) -> Any:
        ids = self._torch.tensor([self._ids])
        return self.model(input_ids=ids).logits[0, -1].float()

    def _choose(self, options: Sequence[str]) -> str:
        """The option with the highest total log-probability after the current context; appended."""
        best, best_lp = options[0], -float("inf")
        for opt in options:
            toks = self.tokenizer(opt, add_special_tokens=False)["input_ids"]
            ids = self._torch.tensor([self._ids + toks])
            logp = self.model(input_ids=ids).logits[0].float().log_softmax(-1)
            start = len(self._ids) - 1
            lp = float(sum(logp[start + k, t] for k, t in enumerate(toks)))
            if lp > best_lp:
                best, best_lp = opt, lp
        self._extend(best)
        self._budget -= 1
        return best

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
        while len(out) < _MAX_LIST and self._budget > 0:
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


def _fit(mask: Any, n: int, torch: Any) -> Any:
    """Pad or cut a vocabulary mask to the model's logit size."""
    if mask.shape[0] >= n:
        return mask[:n]
    return torch.cat([mask, torch.zeros(n - mask.shape[0], dtype=torch.bool)])
