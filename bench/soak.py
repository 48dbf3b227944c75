"""Long run: memory and per-frame time stay flat over tens of thousands of frames.

    python bench/soak.py --frames 20000 --json out/bench_soak.json

Simulated perception (the ground-truth oracle), 640x480 frames with five
objects moving on their own paths, the runtime in deterministic mode (every
frame processed), and a command that changes every few hundred frames (a
rotation of varied commands, one of them an empty string that clears the
target). Frames are synthesized on the fly and never kept.

Figures: RSS growth (MB) from frame 1000 (after warm-up) to the end; the
per-frame time ratio late/early: median thread CPU time per frame over the
second whole command cycle versus the last whole cycle (the same commands, so
the same reasoning work; thread CPU time because the machine is shared and wall
time drifts with the neighbours); decisions made (changes of state, targets or
command generation) and reasoning passes (jobs handed to the reasoner); dropped
frames (frames in minus results out: 0 is the contract of deterministic mode).

Diagnostics in the JSON: the ratio over the literal blocks (last 1000 frames vs
frames 500-1500, which hold different commands), the median CPU ms of every
block of 1000 frames, RSS every 2000 frames, and each stage's median wall ms
(FrameResult.timings) early vs late, to show where a late/early rise comes from.
"""

from __future__ import annotations

import json
import resource
import time
from pathlib import Path
from typing import Annotated

import cv2
import numpy as np
import typer
from rich.console import Console
from rich.progress import track
from rich.table import Table

from rvos_ros.config import Config
from rvos_ros.perception.simulated import SimulatedPerception
from rvos_ros.runtime import Runtime
from rvos_ros.types import Frame

H, W, FPS = 480, 640, 15.0
CATEGORIES = {1: "dog", 2: "dog", 3: "ball", 4: "person", 5: "car"}
COMMANDS = ["the dog running to the right", "the ball", "", "the person on the left", "the car that moves fastest",
            "the dog that is not moving", "the two dogs", "the object that approaches the ball"]


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


class Scene:
    """Five objects on smooth periodic paths over a fixed textured background (no per-frame allocation kept)."""

    def __init__(self) -> None:
        rng = np.random.default_rng(0)
        self.bg = rng.integers(0, 255, (H, W, 3), dtype=np.uint8)
        self.colours = rng.integers(30, 225, (len(CATEGORIES), 3)).astype(np.uint8)
        self.phase = rng.uniform(0, 2 * np.pi, len(CATEGORIES))
        self.speed = np.array([0.02, 0.0, 0.05, 0.01, 0.035])

    def frame(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        img, labels = self.bg.copy(), np.zeros((H, W), np.uint8)
        for j in range(len(CATEGORIES)):
            x = int(W / 2 + 0.38 * W * np.sin(self.phase[j] + self.speed[j] * i)) - 30
            y = 40 + j * 85
            img[y:y + 60, max(x, 0):x + 60] = self.colours[j]
            labels[y:y + 60, max(x, 0):x + 60] = j + 1
        return img, labels


def main(frames: Annotated[int, typer.Option(min=1000, help="Frames to run.")] = 20000,
         json_out: Annotated[Path | None, typer.Option("--json", help="Write the results here.")] = None,
         command_every: Annotated[int, typer.Option(min=50, help="Frames between command changes.")] = 300) -> None:
    """Run the runtime for many frames and report RSS growth, late/early per-frame time and drops."""
    # OpenCV's worker threads would hide part of each frame's work from time.thread_time (and share it out
    # differently as the neighbours' load changes): one thread makes thread CPU time the whole per-frame cost
    cv2.setNumThreads(1)
    # same work in both blocks: one whole command cycle after warm-up vs the last whole cycle
    cycle = command_every * len(COMMANDS)
    last_start = (frames // cycle - 1) * cycle
    if last_start < 2 * cycle:
        raise typer.BadParameter(f"--frames must cover at least 3 command cycles ({3 * cycle})")
    cfg = Config()
    perception = SimulatedPerception(cfg.perception, CATEGORIES)
    rt = Runtime(cfg, perception)
    passes = [0]
    submit = rt.session.reasoner.submit

    def counted_submit(job):  # count reasoning passes without touching the runtime
        ok = submit(job)
        passes[0] += bool(ok)
        return ok

    rt.session.reasoner.submit = counted_submit  # type: ignore[method-assign]
    scene = Scene()
    cpu_ms = np.zeros(frames)
    stage_ms: dict[str, np.ndarray] = {}
    results = decisions = 0
    last = None
    rss_start = 0.0
    rss_samples: dict[int, float] = {}
    for i in track(range(frames), description="soak", transient=True):
        if i % command_every == 0:
            rt.set_command(COMMANDS[(i // command_every) % len(COMMANDS)])
        img, labels = scene.frame(i)
        stamp = 1_000_000_000 + round(i * 1e9 / FPS)
        perception.feed_labels(stamp, labels)
        t0 = time.thread_time()
        r = rt.step(Frame(img, stamp, seq=i))
        cpu_ms[i] = (time.thread_time() - t0) * 1e3
        results += 1
        for k, v in r.timings_ms.items():
            stage_ms.setdefault(k, np.zeros(frames))[i] = v
        key = (r.decision.state, r.decision.targets, r.decision.generation)
        if key != last:
            decisions, last = decisions + 1, key
        if i == 1000:
            rss_start = rss_mb()
        if i % 2000 == 0 or i == frames - 1:
            rss_samples[i] = round(rss_mb(), 2)
    rt.close()
    early_s, late_s = slice(cycle, 2 * cycle), slice(last_start, last_start + cycle)
    early = float(np.median(cpu_ms[early_s]))
    late = float(np.median(cpu_ms[late_s]))
    literal = float(np.median(cpu_ms[-1000:]) / np.median(cpu_ms[500:1500]))
    out = {"frames": frames, "rss_growth_mb": rss_mb() - rss_start, "per_frame_ratio_late_early": late / early,
           "dropped": frames - results, "decisions": decisions, "reasoning_passes": passes[0],
           "per_frame_cpu_ms_early": early, "per_frame_cpu_ms_late": late,
           "per_frame_ratio_mean": float(np.mean(cpu_ms[late_s]) / np.mean(cpu_ms[early_s])),
           "per_frame_ratio_last1000_vs_500_1500": literal, "rss_mb_end": rss_mb(),
           "cpu_ms_median_per_1000": [round(float(np.median(cpu_ms[k:k + 1000])), 3) for k in range(0, frames, 1000)],
           "rss_mb_samples": rss_samples,
           "stage_wall_ms_median_early_late": {k: [round(float(np.median(v[early_s])), 3),
                                                   round(float(np.median(v[late_s])), 3)]
                                               for k, v in stage_ms.items()},
           # the cost of one reasoning pass (frames that ran one), the part that could grow with the stream
           "reasoning_pass_ms_median_early_late": [round(float(np.median(r[r > 0.05])), 3) if (r > 0.05).any() else None
                                                   for r in (stage_ms["reasoning"][early_s],
                                                             stage_ms["reasoning"][late_s])]}
    table = Table(title=f"soak: {frames} frames, 640x480, simulated perception, deterministic mode")
    table.add_column("what")
    table.add_column("value")
    for k, v in out.items():
        if not isinstance(v, list | dict):  # the diagnostic series go to the JSON only
            table.add_row(k, f"{v:.3f}" if isinstance(v, float) else str(v))
    Console().print(table)
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    typer.run(main)
