"""Long run: memory and per-frame time stay flat over tens of thousands of frames.

    python bench/soak.py --frames 20000 --json out/bench_soak.json

Simulated perception (the ground-truth oracle), 640x480 frames with five
objects moving on their own paths, the runtime in deterministic mode (every
frame processed), and a command that changes every few hundred frames (a
rotation of varied commands, one of them an empty string that clears the
target). Frames are synthesized on the fly and never kept.

Figures: RSS growth (MB) from frame 1000 (after warm-up) to the end; the
per-frame time ratio late/early: mean thread CPU time per frame over the second
whole command cycle versus the last whole cycle (the same commands, so the same
reasoning work; thread CPU time because the machine is shared and wall time
drifts with the neighbours); decisions made (reasoning passes that changed
the state or targets); dropped frames (frames in minus results out: 0 is the
contract of deterministic mode).
"""

from __future__ import annotations

import json
import resource
import time
from pathlib import Path
from typing import Annotated

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
    cfg = Config()
    perception = SimulatedPerception(cfg.perception, CATEGORIES)
    rt = Runtime(cfg, perception)
    scene = Scene()
    cpu_ms = np.zeros(frames)
    results = decisions = 0
    last = None
    rss_start = 0.0
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
        key = (r.decision.state, r.decision.targets, r.decision.generation)
        if key != last:
            decisions, last = decisions + 1, key
        if i == 1000:
            rss_start = rss_mb()
    rt.close()
    # same work in both blocks: one whole command cycle after warm-up vs the last whole cycle
    cycle = command_every * len(COMMANDS)
    last_start = (frames // cycle - 1) * cycle
    if last_start < 2 * cycle:
        raise typer.BadParameter(f"--frames must cover at least 3 command cycles ({3 * cycle})")
    early = float(np.mean(cpu_ms[cycle:2 * cycle]))
    late = float(np.mean(cpu_ms[last_start:last_start + cycle]))
    out = {"frames": frames, "rss_growth_mb": rss_mb() - rss_start, "per_frame_ratio_late_early": late / early,
           "dropped": frames - results, "decisions": decisions, "per_frame_cpu_ms_early": early,
           "per_frame_cpu_ms_late": late, "rss_mb_end": rss_mb()}
    table = Table(title=f"soak: {frames} frames, 640x480, simulated perception, deterministic mode")
    table.add_column("what")
    table.add_column("value")
    for k, v in out.items():
        table.add_row(k, f"{v:.3f}" if isinstance(v, float) else str(v))
    Console().print(table)
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    typer.run(main)
