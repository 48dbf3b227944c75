"""Frame-loop latency with a slow LLM: the reasoning worker must keep the LLM off the frame path.

    python bench/async_latency.py --json out/bench_async.json

One process runs the live runtime (simulated perception, 640x480 frames at
15 Hz, a static dog and a rolling ball) with a command that needs world
knowledge, so the gate sends every reasoning pass to the LLM stage. The LLM is
a real :class:`~rvos_ros.llm.client.OpenAICompatibleClient` talking HTTP to a
scripted OpenAI-compatible server on loopback that answers after 0 s (no
LLM: ``llm.backend none``), 0.5 s or 2 s. Frame latency is the wall time of
``Runtime.step`` per frame (ms). The three settings run side by side in one
process; the ratios p99(LLM) / p99(no LLM) are the figures (keys
``p99_ratio_0_5s`` and ``p99_ratio_2s``); the goal is within 10 % (<= 1.10).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from rvos_ros.config import Config, LLMConfig  # noqa: E402
from rvos_ros.llm.client import OpenAICompatibleClient  # noqa: E402
from rvos_ros.perception.simulated import SimulatedPerception  # noqa: E402
from rvos_ros.reasoning.llm_stage import LLMStage  # noqa: E402
from rvos_ros.runtime import Runtime  # noqa: E402
from rvos_ros.testing.fake_openai_server import FakeOpenAIServer  # noqa: E402 - the scripted server the tests use
from rvos_ros.types import Frame  # noqa: E402

H, W, FPS = 480, 640, 15.0
COMMAND = "the one I could throw for the dog to fetch"
ANSWER = json.dumps({"targets": [2], "confidence": 0.9, "rationale": "a ball is thrown for dogs to fetch"})


def scene(i: int, bg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    img, labels = bg.copy(), np.zeros((H, W), np.uint8)
    img[160:320, 40:160] = (150, 100, 40)
    labels[160:320, 40:160] = 1
    x = 200 + (3 * i) % 360
    img[200:280, x:x + 80] = (220, 30, 30)
    labels[200:280, x:x + 80] = 2
    return img, labels


def run(delay_s: float | None, frames: int, bg: np.ndarray) -> dict[str, float]:
    """Per-frame step latency with an LLM answering after ``delay_s`` (None: no LLM)."""
    cfg = Config().replace(**{"runtime.mode": "live"})
    perception = SimulatedPerception(cfg.perception, {1: "dog", 2: "ball"})
    with FakeOpenAIServer() as server:
        llm = None
        if delay_s is not None:
            server.replies.extend([("sleep", delay_s, ANSWER)] * frames)
            llm_cfg = LLMConfig(backend="openai", base_url=server.base_url, timeout_s=10.0, max_retries=0)
            llm = LLMStage(OpenAICompatibleClient(llm_cfg, env={}))
        rt = Runtime(cfg, perception, llm=llm)
        rt.set_command(COMMAND)
        lat, t0, stages = [], time.monotonic(), []
        for i in range(frames):
            img, labels = scene(i, bg)
            stamp = 1_000_000_000 + round(i * 1e9 / FPS)
            perception.feed_labels(stamp, labels)
            s = time.perf_counter()
            result = rt.step(Frame(img, stamp, seq=i))
            lat.append((time.perf_counter() - s) * 1e3)
            stages.append(result.decision.stage)
            time.sleep(max(0.0, t0 + (i + 1) / FPS - time.monotonic()))  # a 15 Hz camera
        rt.close()
    arr = np.asarray(lat[5:])  # the first frames warm caches
    return {"p50_ms": float(np.percentile(arr, 50)), "p99_ms": float(np.percentile(arr, 99)),
            "max_ms": float(arr.max()), "llm_requests": float(len(server.requests)),
            "llm_decisions": float(sum(s == "llm" for s in stages))}


def main(json_out: Annotated[Path | None, typer.Option("--json", help="Write the results here.")] = None,
         frames: Annotated[int, typer.Option(min=30, help="Frames per setting (15 Hz).")] = 150) -> None:
    """Frame-loop latency p50/p99 with no LLM, and with an LLM answering in 0.5 s and 2 s."""
    bg = np.random.default_rng(0).integers(0, 255, (H, W, 3), dtype=np.uint8)
    results = {"none": run(None, frames, bg), "0.5s": run(0.5, frames, bg), "2s": run(2.0, frames, bg)}
    table = Table(title=f"frame loop, live mode, {frames} frames at 15 Hz, simulated perception (CPU)")
    for col in ("LLM", "p50 ms", "p99 ms", "max ms", "LLM requests", "frames decided by LLM"):
        table.add_column(col)
    for name, r in results.items():
        table.add_row(name, f"{r['p50_ms']:.2f}", f"{r['p99_ms']:.2f}", f"{r['max_ms']:.2f}",
                      f"{r['llm_requests']:.0f}", f"{r['llm_decisions']:.0f}")
    base = results["none"]["p99_ms"]
    out = {"p99_ratio_0_5s": results["0.5s"]["p99_ms"] / base, "p99_ratio_2s": results["2s"]["p99_ms"] / base,
           "frames": frames, "settings": results}
    console = Console()
    console.print(table)
    console.print(f"p99 ratio 0.5 s LLM: {out['p99_ratio_0_5s']:.3f}   2 s LLM: {out['p99_ratio_2s']:.3f}   "
                  "(goal: <= 1.10)")
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    typer.run(main)
