"""Decision time of the rules stage (identify) for 5, 20 and 50 tracks over 150 frames.

    python bench/reasoning.py --json FILE [--repeats 7]

Prints a table and writes ``{"decision_ms": {"5": ..}, "frame_budget_share": {"5": ..}, "windows": ..}``:
the median wall time of one :func:`rvos_ros.reasoning.identify.identify` call (ms) and its share of a
30 FPS frame budget (33.3 ms). The windows are seeded random scenes with camera pan, mixed motions
(static, straight, stop-and-go, turn-back), short occlusions, and a query with motion, speed,
approach and position descriptors, so every rule runs.

Beside the time, what the decisions are worth: on the trajectory windows of
``test/data/heldout_windows`` (each with a known answer), the share answered
right, the share locked, and the **silent wrong locks** (locked on a wrong
target: the error a robot cannot see). Those windows were used to extend the
parser after they were written: they are a tuned set, not a held-out one.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np

from rvos_ros.config import ReasoningConfig
from rvos_ros.reasoning.identify import identify
from rvos_ros.types import Descriptor, ParsedQuery, TrackTrajectory, TrajectoryWindow

FRAME_BUDGET_MS = 1000.0 / 30.0
LABELS = ("dog", "person", "car", "ball")


def _matcher():
    try:
        from rvos_ros.reasoning.query_parser import category_matches
    except ImportError:  # the parser is optional for timing the rules
        return lambda query, label: query == label
    return category_matches


def scene(num_tracks: int, num_frames: int = 150, seed: int = 0) -> TrajectoryWindow:
    """A seeded random window of ``num_tracks`` tracks with camera pan."""
    rng = np.random.default_rng(seed)
    t = np.arange(num_frames)
    tracks = []
    for tid in range(num_tracks):
        size = rng.uniform(20, 90)
        start = rng.uniform([50, 50], [590, 430])
        vel = rng.normal(0, 3, 2) * rng.integers(0, 2)
        pattern = rng.integers(0, 3)
        if pattern == 1:  # stop-and-go
            steps = np.where((t // 30) % 2 == 0, 1.0, 0.0)
        elif pattern == 2:  # turn back halfway
            steps = np.where(t < num_frames // 2, 1.0, -1.0)
        else:
            steps = np.ones(num_frames)
        centers = start + np.cumsum(steps)[:, None] * vel + rng.normal(0, 1.0, (num_frames, 2))
        centers[:, 0] -= 0.5 * t  # camera pans right at 0.5 px/frame
        vis = np.ones(num_frames)
        if rng.random() < 0.3 and num_frames > 40:
            a = int(rng.integers(10, num_frames - 20))
            vis[a:a + 10] = 0
        boxes = np.column_stack([t, centers - size / 2, centers + size / 2, vis])
        boxes[:, 1:5] = np.clip(boxes[:, 1:5], 0, None)
        tracks.append(TrackTrajectory(tid, LABELS[tid % len(LABELS)], 0.9, boxes))
    cam = np.repeat(np.eye(3)[None], num_frames, axis=0)
    cam[1:, 0, 2] = -0.5
    return TrajectoryWindow("bench", 30.0, 640, 480, num_frames, tuple(tracks), camera=cam)


QUERY = ParsedQuery(
    "the fastest dog running left towards the person, on the left",
    categories=("dog",), context=("person",),
    motions=(Descriptor("direction", "left"), Descriptor("speed", "fastest"), Descriptor("approaches", ref="person")),
    relations=(Descriptor("position", "leftmost"),),
)


def measure(num_tracks: int, repeats: int) -> float:
    """Median milliseconds of one identify() call on a fresh window of ``num_tracks`` tracks."""
    cfg, match = ReasoningConfig(), _matcher()
    times = []
    for r in range(repeats):
        window = scene(num_tracks, seed=r)
        t0 = time.perf_counter()
        identify(window, QUERY, cfg, match=match)
        times.append((time.perf_counter() - t0) * 1000.0)
    return statistics.median(times)


WINDOWS = Path(__file__).resolve().parents[1] / "test" / "data" / "heldout_windows"


def judge_windows(folder: Path = WINDOWS) -> dict[str, float | int]:
    """Rules-only decisions on the windows of ``folder``: accuracy, lock rate and silent wrong lock rate."""
    from rvos_ros.reasoning.query_parser import QueryParser
    from rvos_ros.reasoning.window_io import load_window

    cases = json.loads((folder / "cases.json").read_text())
    cfg, parser = ReasoningConfig(), QueryParser()
    right = locked = silent = 0
    for case in cases:
        window = load_window(folder / case["file"])
        d = identify(window, parser.parse(window.query), cfg, match=_matcher())
        ok = set(d.targets) == set(case["expected"])
        right += ok
        locked += d.state == "locked"
        silent += d.state == "locked" and not ok
    n = max(len(cases), 1)
    return {"windows": len(cases), "accuracy": round(right / n, 4), "locked": round(locked / n, 4),
            "silent_wrong_lock_rate": round(silent / n, 4)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="write the results to this JSON file")
    parser.add_argument("--repeats", type=int, default=7, help="timed calls per size (median reported)")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats must be >= 1")
    decision_ms, share = {}, {}
    print(f"{'tracks':>6} {'decision ms':>12} {'30 FPS budget':>14}")
    for n in (5, 20, 50):
        ms = measure(n, args.repeats)
        decision_ms[str(n)] = round(ms, 3)
        share[str(n)] = round(ms / FRAME_BUDGET_MS, 4)
        print(f"{n:>6} {ms:>12.2f} {ms / FRAME_BUDGET_MS:>13.1%}")
    result: dict[str, object] = {"frames": 150, "repeats": args.repeats,
                                 "frame_budget_ms": round(FRAME_BUDGET_MS, 3), "decision_ms": decision_ms,
                                 "frame_budget_share": share}
    if WINDOWS.is_dir():
        judged = judge_windows()
        result["windows"] = judged
        print(f"\n{judged['windows']} windows with known answers (a tuned set, rules only): accuracy "
              f"{judged['accuracy']:.1%}, locked {judged['locked']:.1%}, "
              f"silent wrong locks {judged['silent_wrong_lock_rate']:.1%}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
