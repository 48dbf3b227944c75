"""Streaming tracker benchmark: does SAM2 tracking stay flat over a long stream, and is it still SAM2?

    python bench/tracker_stream.py --frames 1000 --json out/bench_tracker.json

Tracks two objects (a box-prompted square and a mask-prompted bar, both on
frame 0) through a synthetic stream (test/perception/tiny_sam2.py's moving
scene, generated frame by frame) with :class:`StreamingTracker`, and reports:

- per-frame time, late over early: median of the last 100 frames over the
  median of frames 10-110, the two windows interleaved (frames 10-110 of a
  fresh tracker on the same model alternate with the long stream's last
  100 frames, so both see the same machine load; the ratio against the long
  stream's own frames 10-110 is reported beside it). On CPU: one torch
  thread, timed by its CPU time;
- RSS growth in MB from frame 10 to the end (psutil if installed, else
  /proc/self/statm);
- ``state_bytes()`` at frame 30 and at the end;
- conformance: min mask IoU against Meta's ``SAM2VideoPredictor`` over the
  first ``--conformance-frames`` frames (same weights, same preprocessed
  frames; hole filling off on both sides, as sam2 without its CUDA extension;
  objects stepped one by one as sam2 does, and batched as the tracker does by
  default), with the smallest official mask's share of the image beside it;
- the official predictor's state growth in bytes per frame on that run.

The model is a tiny random SAM2 with SAM2.1's memory settings (7 memory
frames, 16 object pointers) written to a temp folder, or ``--model-config`` +
``--checkpoint`` (e.g. the real hiera-tiny).
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer

ROOT = Path(__file__).resolve().parents[1]
from rvos_ros.testing.tiny_sam2 import (  # noqa: E402
    build_tiny_sam2,
    moving_frame,
    official_predictor,
    official_state,
    official_state_bytes,
    scene_background,
)


def rss_mb() -> float:
    """Resident set size of this process in MB."""
    try:
        import psutil

        return psutil.Process().memory_info().rss / 1e6
    except ImportError:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def prompts(height: int, width: int) -> tuple[tuple[float, float, float, float], np.ndarray]:
    """Frame 0's prompts: the square's box and the bar's mask (see ``moving_frame``)."""
    u = width / 64
    box = (4 * u, 12 * u, 4 * u + round(16 * u), 12 * u + round(16 * u))
    bar = np.zeros((height, width), bool)
    bar[round(2 * u):round(2 * u) + round(12 * u), width - round(10 * u) - round(4 * u):width - round(4 * u)] = True
    return box, bar


def _step(tracker: Any, i: int, background: np.ndarray, clock: Any) -> float:
    """Frame ``i`` through ``tracker`` (prompting both objects on frame 0); its duration on ``clock``."""
    image = moving_frame(i, background)
    t0 = clock()
    tracker.step(image)
    if i == 0:
        box, bar = prompts(*background.shape[:2])
        tracker.add(1, box=box)
        tracker.add(2, mask=bar)
    return clock() - t0


def stream(model: Any, frames: int, background: np.ndarray, clock: Any, device: Any) -> dict[str, Any]:
    """Run a tracker through ``frames`` frames: per-frame seconds early and late, RSS growth, state bytes.

    The last 100 frames alternate with frames 10-110 of a fresh tracker on the
    same model, so "late" and "early" are timed under the same machine load;
    the plain early window of the long stream is kept too.
    """
    from rvos_ros.perception.tracker import StreamingTracker

    tracker = StreamingTracker(model, device=device)
    seconds, rss_start, state_early = [], 0.0, 0
    for i in range(frames - 100):
        seconds.append(_step(tracker, i, background, clock))
        if i == 10:
            rss_start = rss_mb()
        if i + 1 == 30:
            state_early = tracker.state_bytes()
    fresh = StreamingTracker(model, device=device)
    for i in range(10):
        _step(fresh, i, background, clock)
    early, late = [], []
    for j in range(100):
        # alternate which goes first: the second of a pair finds the weights warm in the CPU caches
        if j % 2 == 0:
            late.append(_step(tracker, frames - 100 + j, background, clock))
        early.append(_step(fresh, 10 + j, background, clock))
        if j % 2 == 1:
            late.append(_step(tracker, frames - 100 + j, background, clock))
    return {"early": early, "late": late, "early_same_stream": seconds[10:110],
            "rss_growth_mb": rss_mb() - rss_start, "state_bytes_early": state_early,
            "state_bytes_late": tracker.state_bytes()}


def conformance(model: Any, yaml_path: Path, ckpt: Path, image_size: int, frames: int,
                background: np.ndarray) -> dict[str, float]:
    """Min IoU ours vs official over ``frames`` frames (objects one by one as sam2, and batched), official
    state growth in bytes per frame, and the smallest official mask as a share of the image (a conformance
    on empty masks would prove nothing)."""
    import torch

    from rvos_ros.models.sam2 import preprocess
    from rvos_ros.perception.tracker import StreamingTracker

    height, width = background.shape[:2]
    box, bar = prompts(height, width)
    images = [moving_frame(i, background) for i in range(frames)]
    predictor = official_predictor(yaml_path, ckpt, image_size=image_size).to(model.device)
    state = official_state(predictor, torch.cat([preprocess(f, image_size, model.device) for f in images]),
                           height, width)
    theirs, sizes = [], []
    with torch.inference_mode():
        predictor.add_new_points_or_box(state, 0, 1, box=list(box))
        predictor.add_new_mask(state, 0, 2, bar)
        for _, _, masks in predictor.propagate_in_video(state):
            theirs.append((masks[:, 0] > 0).cpu().numpy())
            sizes.append(official_state_bytes(state))
    worst, smallest = {}, 1.0
    for batch in (False, True):
        tracker = StreamingTracker(model, fill_hole_area=0, device=model.device, batch_tracks=batch)
        worst[batch] = 1.0
        for i, image in enumerate(images):
            ours = tracker.step(image)
            if i == 0:
                ours = {1: tracker.add(1, box=box), 2: tracker.add(2, mask=bar)}
            for k, track_id in enumerate((1, 2)):
                a, b = ours[track_id].mask, theirs[i][k]
                smallest = min(smallest, float(b.mean()))
                union = (a | b).sum()
                worst[batch] = min(worst[batch], float((a & b).sum() / union) if union else 1.0)
    first = min(10, frames - 2)
    return {"min_iou": worst[False], "min_iou_batched": worst[True], "min_mask_area": smallest,
            "official_growth": (sizes[-1] - sizes[first]) / (frames - 1 - first)}


def main(
    frames: Annotated[int, typer.Option(min=210, help="Stream length (>= 210: early and late windows).")] = 1000,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the results here.")] = None,
    image_size: Annotated[int, typer.Option(help="SAM2 input side in pixels (multiple of 32).")] = 64,
    model_config: Annotated[str | None, typer.Option(help="A SAM2 config (sam2 package name or YAML path); "
                                                          "default: a tiny random model.")] = None,
    checkpoint: Annotated[Path | None, typer.Option(help="Checkpoint for --model-config.")] = None,
    device: Annotated[str, typer.Option(help="auto, cpu or cuda.")] = "cpu",
    width: Annotated[int, typer.Option(min=64, help="Frame width in pixels.")] = 320,
    height: Annotated[int, typer.Option(min=48, help="Frame height in pixels.")] = 240,
    conformance_frames: Annotated[int, typer.Option(min=20, help="Frames compared with sam2's predictor.")] = 60,
) -> None:
    """Measure time, RSS and state flatness over a long stream, and conformance to sam2's video predictor."""
    import torch

    from rvos_ros.models.files import torch_device
    from rvos_ros.models.sam2 import build_sam2, sam2_config_path
    from rvos_ros.terminal import summary_table

    if (model_config is None) != (checkpoint is None):
        raise typer.BadParameter("give --model-config and --checkpoint together (or neither for the tiny model)")
    dev = torch_device(device)
    clock, clock_name = time.perf_counter, "wall"
    if dev.type == "cpu":
        # one thread and its CPU time: other processes on a shared machine do not count, growing work does
        torch.set_num_threads(1)
        clock, clock_name = time.thread_time, "thread CPU"
    background = scene_background(height, width)
    with tempfile.TemporaryDirectory() as tmp:
        if model_config is None:
            yaml_path, ckpt = build_tiny_sam2(Path(tmp), image_size, num_maskmem=7, max_obj_ptrs=16)
            name = f"tiny random SAM2 ({image_size}px)"
        else:
            yaml_path, ckpt = sam2_config_path(model_config, "."), Path(checkpoint)
            name = f"{model_config} ({image_size}px)"
        model = build_sam2(str(yaml_path), ckpt, image_size=image_size, device=dev)
        run = stream(model, frames, background, clock, dev)
        conf = conformance(model, yaml_path, ckpt, image_size, conformance_frames, background)
    early, late = float(np.median(run["early"])), float(np.median(run["late"]))
    early_same = float(np.median(run["early_same_stream"]))
    result = {
        "version": 1,
        "model": name,
        "device": str(dev),
        "frames": frames,
        "frame_size": [width, height],
        "clock": clock_name,
        "per_frame_ms_early": round(early * 1e3, 3),
        "per_frame_ms_late": round(late * 1e3, 3),
        "per_frame_ratio_late_early": round(late / early, 4),
        "per_frame_ratio_late_early_same_stream": round(late / early_same, 4),
        "rss_growth_mb": round(run["rss_growth_mb"], 2),
        "state_bytes_early": run["state_bytes_early"],
        "state_bytes_late": run["state_bytes_late"],
        "conformance_min_iou": round(conf["min_iou"], 6),
        "conformance_min_iou_batched": round(conf["min_iou_batched"], 6),
        "conformance_min_mask_area": round(conf["min_mask_area"], 4),
        "official_state_growth_bytes_per_frame": round(conf["official_growth"], 1),
    }
    summary_table(f"StreamingTracker, {name}, {frames} frames {width}x{height}, 2 objects, {dev}, {clock_name} time",
                  [(k, v) for k, v in result.items() if k not in ("version", "model", "device", "frame_size", "clock")],
                  headers=("what", "value"))
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    typer.run(main)
