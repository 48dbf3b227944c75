"""The rules reasoner on the language set: an evaluation set nobody tuned on (issue 16, item 4).

    python bench/language.py [--batch v1|v2|v3|v4|v5 | --data DIR] [--split dev|test|both] [--json FILE] [--misses]

Runs every case of ``test/data/language_set`` (``--batch v2``: ``test/data/language_set_v2``, a fresh batch
for interaction, group, ordinal and sequence; ``--batch v3``: ``test/data/language_set_v3``, a fresh batch for
interaction and sequence made after v2's test half was looked at: tune on ``--split dev`` and run its test half
once; ``--batch v4``: ``test/data/language_set_v4``, a fresh batch for the same two structures in a new
author's wording, never looked at, whose baseline measures how a vocabulary change carries over; ``--batch v5``:
``test/data/language_set_v5``, a fresh held-out batch for interaction, sequence, ordinal and group in four new
annotators' wording, never tuned on; ``--data``: any folder) the way ``rvos-ros reason`` does with no LLM and no
verifier (``QueryParser().parse`` + ``identify`` with the default ``ReasoningConfig``) and prints, per structure
and overall, for dev and test side by side: accuracy (targets == expected as sets), locked rate, silent wrong locks
(locked on a wrong answer) and the parser's understood rate. Rules only, CPU,
synthetic windows. The set is regenerated with ``python -m rvos_ros.testing.language_set [--batch v2|v3|v4|v5]``.
"""

from __future__ import annotations

import enum
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from rvos_ros.testing.language_set import BATCHES, EASY, STRUCTURES
from rvos_ros.testing.language_set.report import load_cases, run_all, summarize

LABEL = "rules only, CPU, synthetic windows"


Batch = enum.Enum("Batch", {name: name for name in BATCHES}, type=str)


class Split(str, enum.Enum):
    dev = "dev"
    test = "test"
    both = "both"


def _cell(f: dict) -> list[str]:
    if not f["n"]:
        return ["0", "-", "-", "-", "-"]
    return [str(f["n"]), f"{f['accuracy']:.0%}", f"{f['locked']:.0%}", f"{f['silent_wrong_locks']:.0%}",
            f"{f['understood']:.0%}"]


def main(split: Annotated[Split, typer.Option(help="Which half to run.")] = Split.both,
         json_out: Annotated[Path | None, typer.Option("--json", help="Write the figures and every row here.")] = None,
         data: Annotated[Path | None, typer.Option(help="The language set folder (default: the batch's).")] = None,
         batch: Annotated[Batch, typer.Option(help="Which batch's folder to read.")] = Batch.v1,
         misses: Annotated[bool, typer.Option(help="Also list every wrong case.")] = False,
         llm: Annotated[str, typer.Option(help="An LLM stage behind the rules: none, or smollm2 (SmolLM2-135M-"
                                               "Instruct in-process, llm.max_tokens 16).")] = "none") -> None:
    """Accuracy, locked, silent wrong locks and understood rate per structure, dev and test side by side."""
    splits = ("dev", "test") if split is Split.both else (split.value,)
    folder = BATCHES[batch.value].folder if data is None else data
    cases = [c for c in load_cases(folder) if c["split"] in splits]
    label = LABEL
    stage = None
    if llm == "smollm2":
        from rvos_ros.config import LLMConfig
        from rvos_ros.reasoning.llm_stage import build_llm_hook

        stage = build_llm_hook(LLMConfig(backend="local", local_model="smollm2", max_tokens=16))
        label = "rules + SmolLM2-135M-Instruct in-process, CPU, synthetic windows"
    elif llm != "none":
        raise typer.BadParameter("--llm takes none or smollm2")
    rows = run_all(cases, stage)
    summary = summarize(rows, splits)
    asked = [r for r in rows if r["stage"] in ("llm", "fallback")]
    table = Table(title=f"language set: {label}  (acc / locked / silent wrong locks / understood)")
    table.add_column("structure")
    for sp in splits:
        for col in ("n", "acc", "locked", "silent", "underst."):
            table.add_column(f"{sp} {col}", justify="right")
    order = [s for s in STRUCTURES if s in summary["structures"]]
    order += [s for s in summary["structures"] if s not in order]  # a batch's own structures, if any are new
    for s in order:
        name = s + (" (easy)" if s in EASY else "")
        table.add_row(name, *[v for sp in splits for v in _cell(summary["structures"][s][sp])])
    table.add_section()
    table.add_row("overall", *[v for sp in splits for v in _cell(summary["overall"][sp])])
    console = Console(width=max(Console().width, 140))
    console.print(table)
    console.print(f"{len(rows)} cases, {label}; the split is fixed in cases.json; no accuracy goal is set here.")
    if stage is not None:
        secs = sorted(r["seconds"] for r in asked)
        summary["llm"] = {"asked": len(asked), "answered_llm": sum(r["stage"] == "llm" for r in asked),
                          "fallback": sum(r["stage"] == "fallback" for r in asked),
                          "seconds_p50": secs[len(secs) // 2] if secs else None,
                          "seconds_max": secs[-1] if secs else None}
        console.print(f"LLM stage asked on {len(asked)} cases: {summary['llm']['answered_llm']} answered by it, "
                      f"{summary['llm']['fallback']} fell back; seconds per decision p50 "
                      f"{summary['llm']['seconds_p50']}, max {summary['llm']['seconds_max']}")
    if misses:
        for r in rows:
            if set(r["got"]) != set(r["expected"]):
                console.print(f"[{r['split']}] {r['id']}: {r['query']!r} expected {r['expected']} got {r['got']} "
                              f"({r['state']}) {r['rationale'][:120]}", markup=False, highlight=False)
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps({"version": 1, "label": label, "splits": list(splits), **summary,
                                        "rows": rows}, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    typer.run(main)
