"""Running the rules reasoner on the language set and summing up the figures (used by bench/language.py)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

DATA = Path(__file__).resolve().parents[3] / "test" / "data" / "language_set"
SPLITS = ("dev", "test")


def load_cases(folder: Path = DATA) -> list[dict]:
    """The case index with ``path`` made absolute."""
    cases = json.loads((folder / "cases.json").read_text(encoding="utf-8"))
    for case in cases:
        case["path"] = folder / case["file"]
    return cases


def run_case(case: dict, parser=None, config=None, llm=None) -> dict:
    """What `rvos-ros reason` does with no verifier (and with ``llm`` as the LLM stage, if given): parse the
    query, identify, compare. ``stage`` and ``seconds`` say who answered and how long it took."""
    import time

    from rvos_ros.config import ReasoningConfig
    from rvos_ros.reasoning.identify import identify
    from rvos_ros.reasoning.query_parser import QueryParser
    from rvos_ros.reasoning.window_io import load_window

    parser = parser or QueryParser()
    window = load_window(case["path"])
    parsed = parser.parse(window.query)
    t0 = time.perf_counter()
    decision = identify(window, parsed, config or ReasoningConfig(), llm=llm)
    seconds = time.perf_counter() - t0
    got = sorted(int(t) for t in decision.targets)
    return {"id": case["id"], "structure": case["structure"], "split": case["split"], "query": case["query"],
            "expected": sorted(case["expected"]), "got": got, "state": decision.state,
            "understood": bool(parsed.understood), "unknown_words": list(parsed.unknown_words),
            "rationale": decision.rationale, "stage": decision.stage, "seconds": round(seconds, 3)}


def run_all(cases: Iterable[dict], llm=None) -> list[dict]:
    from rvos_ros.config import ReasoningConfig
    from rvos_ros.reasoning.query_parser import QueryParser

    parser, config = QueryParser(), ReasoningConfig()
    return [run_case(c, parser, config, llm) for c in cases]


def figures(rows: list[dict]) -> dict[str, float | int]:
    """n, accuracy (targets == expected as sets), locked rate, silent wrong locks (locked and wrong), understood."""
    n = len(rows)
    if not n:
        return {"n": 0, "accuracy": 0.0, "locked": 0.0, "silent_wrong_locks": 0.0, "understood": 0.0}
    right = [set(r["got"]) == set(r["expected"]) for r in rows]
    locked = [r["state"] == "locked" for r in rows]
    return {"n": n, "accuracy": sum(right) / n, "locked": sum(locked) / n,
            "silent_wrong_locks": sum(lk and not ok for lk, ok in zip(locked, right, strict=True)) / n,
            "understood": sum(bool(r["understood"]) for r in rows) / n}


def summarize(rows: list[dict], splits: Iterable[str] = SPLITS) -> dict:
    """{"structures": {structure: {split: figures}}, "overall": {split: figures}} for the splits asked."""
    splits = tuple(splits)
    by: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for r in rows:
        if r["split"] in splits:
            by[r["structure"]][r["split"]].append(r)
    structures = {s: {sp: figures(by[s][sp]) for sp in splits} for s in by}
    overall = {sp: figures([r for r in rows if r["split"] == sp]) for sp in splits}
    return {"structures": structures, "overall": overall}
