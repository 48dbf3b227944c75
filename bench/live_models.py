"""The live loop on the models backend: does any frame wait for the detector?

    python bench/live_models.py --frames 300 --json out/bench_live_models.json

One process runs :class:`~rvos_ros.ros.live.LiveLoop` (fed
:class:`~rvos_ros.types.Frame` objects directly, no transport) around a
``Runtime`` in live mode on the models backend: the tests' tiny random SAM2
(64 px) and a detector that stands in for a real one. A producer thread puts
a 320x240 synthetic stream (3 coloured boxes moving on a textured
background, command "the dog") at a fixed 15 Hz; frames the loop is not ready
for are dropped and counted, as on a robot.

The detector: the tests' tiny GroundingDINO runs on the frame (its real
pre-/post-processing and a small network: host work a real detector has
too), then the call sleeps until 100 ms have passed, standing in for the
accelerator time of GroundingDINO-tiny (77.6 ms for a 640x480 frame on an
H100, README; several frames at 15 Hz on a Jetson Orin, estimated), and it
returns the boxes of the scene's objects on *that* frame (found by their
colour), so the tracks are the same whichever setting runs. SAM2's grounding
cap is the 3 objects, so no setting tracks more than another.

Settings, in the same process, ``--frames`` frames each; ``none`` and
``detector`` side by side in two blocks each, in the order none, detector,
detector, none (so a drift in the load of a shared machine hits both
alike), latencies pooled over the blocks (the first 5 frames of a block,
which load the command and start the tracks, are not timed):

- ``detector``: live mode, keyframe detection every
  ``perception.detector.every_n_frames`` (15) frames, on the worker thread;
- ``none``: live mode, the detector runs on the first frame only
  (``every_n_frames`` 10000);
- ``inline`` (contrast, not a goal): deterministic mode, where the keyframe
  detection runs on the frame itself, as replay and eval do.

Frame latency is the time from the producer's ``put`` to the loop's
``publish`` of that frame (ms). ``p99_ratio_detector_vs_none`` is p99 latency
with detection over p99 without (goal <= 1.15);
``frames_waited_for_detector`` counts frames whose processing waited on the
detector, by instrumentation (``PerceptionReport.waited_for_detector``: an
inline detection on the frame, or the frame thread finding the detection
worker's lock held), summed over the ``detector`` setting (goal 0). Per-stage
p50/p99 come from each frame's ``timings_ms`` (``detector``: the detection
applied on that frame, which in live mode ran on the worker, off the frame).
CPU figures with tiny random models: they say whether the frame path waits,
not how fast a robot is.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
import time
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nothing downloads: every model is built here
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

H, W, FPS, SAM_SIZE = 240, 320, 15.0, 64
COMMAND = "the dog"
DETECT_MS = 100.0
COLOURS = ((220, 40, 30), (30, 200, 60), (40, 60, 220))
WARMUP = 5
"""Frames of each block not timed: they load the command and start the tracks."""
STAGES = ("perception", "detector", "encoder", "memory_attention", "decoder", "memory_encoder", "camera",
          "track_book", "reasoning", "output", "total")
CAVEAT = (f"CPU, tiny random SAM2 ({SAM_SIZE} px), tiny GroundingDINO + sleep to {DETECT_MS:.0f} ms per detect "
          "(standing in for GroundingDINO-tiny's 78 ms on an H100 / several frames on a Jetson Orin, estimated)")


def scene(i: int, bg: np.ndarray) -> np.ndarray:
    """Frame ``i``: three 50x60 px coloured boxes moving on ``bg`` (right, down, diagonally; bouncing)."""
    img = bg.copy()
    for j, colour in enumerate(COLOURS):
        phase = (3 * i + 40 * j) % 360
        p = phase if phase < 180 else 360 - phase
        x, y = (20 + p, 30 + 60 * j) if j < 2 else (60 + p // 2, 20 + p // 3)
        img[y:y + 60, x:x + 50] = colour
    return img


class StandInDetector:
    """The tiny GroundingDINO's ``detect`` (host work), padded by sleep to ``ms``; returns the scene's true boxes."""

    def __init__(self, inner: Any, ms: float) -> None:
        self.inner = inner
        self.ms = ms
        self.phrases: tuple[str, ...] = ()
        self.calls = 0
        self.net_ms: list[float] = []
        """Per call: the inner detector's ``detect`` (pre-processing, network, box decoding), ms."""
        self.call_ms: list[float] = []
        """Per call: the whole call (with the colour search and any padding sleep), ms."""

    def set_phrases(self, phrases: Any) -> None:
        self.inner.set_phrases(phrases)
        self.phrases = tuple(phrases)

    def detect(self, image: np.ndarray) -> list[Any]:
        from rvos_ros.types import Detection

        t0 = time.perf_counter()
        self.calls += 1
        self.inner.detect(image)
        self.net_ms.append((time.perf_counter() - t0) * 1e3)
        out = []
        for colour in COLOURS:
            ys, xs = np.nonzero(np.all(image == colour, axis=-1))
            if len(xs) and self.phrases:
                out.append(Detection((float(xs.min()), float(ys.min()), float(xs.max() + 1), float(ys.max() + 1)),
                                     0.9, self.phrases[0]))
        time.sleep(max(0.0, t0 + self.ms / 1e3 - time.perf_counter()))
        self.call_ms.append((time.perf_counter() - t0) * 1e3)
        return out


def run(setting: str, frames: int, folders: dict[str, Path], bg: np.ndarray) -> dict[str, Any]:
    """One setting: the live loop fed at 15 Hz for ``frames`` frames (tiny models on the CPU); see :func:`drive`."""
    from rvos_ros.config import Config
    from rvos_ros.models.detectors import build_detector
    from rvos_ros.perception.tracker import StreamingTracker

    cfg = Config().replace(**{
        "runtime.mode": "deterministic" if setting == "inline" else "live",
        "perception.device": "cpu",
        "perception.tracker.model_config": str(folders["sam2_yaml"]),
        "perception.tracker.checkpoint": str(folders["sam2_ckpt"]),
        "perception.tracker.image_size": SAM_SIZE,
        "perception.detector.grounding_dino_model": str(folders["gdino"]),
        "perception.detector.every_n_frames": 10000 if setting == "none" else 15,
        "perception.grounding.max_tracks": len(COLOURS),
    })
    pc = cfg.perception
    detector = StandInDetector(build_detector(pc.detector, models_dir=pc.models_dir, device="cpu"), DETECT_MS)
    tracker = StreamingTracker.from_config(pc.tracker, models_dir=pc.models_dir, device="cpu")
    return drive(cfg, detector, tracker, [scene(i, bg) for i in range(frames)], FPS)


def drive(cfg: Any, detector: StandInDetector, tracker: Any, images: list[np.ndarray], fps: float,
          detect_context: Any = None) -> dict[str, Any]:
    """The live loop of ``cfg`` (live or deterministic mode) around ``detector`` and ``tracker``, fed ``images`` at
    ``fps`` by a producer thread; latencies, stages and detector counters. ``detect_context``: what each
    detection on the worker runs in (a side CUDA stream on a GPU, as ``ModelPerception.from_config`` gives)."""
    from rvos_ros.perception.models import ModelPerception
    from rvos_ros.ros.live import LiveLoop
    from rvos_ros.runtime import Runtime
    from rvos_ros.types import Frame

    pc = cfg.perception
    frames = len(images)
    prompts = 0
    add = tracker.add

    def counted_add(*args: Any, **kwargs: Any) -> Any:  # SAM2 prompts on the frame path (new or re-acquired)
        nonlocal prompts
        prompts += 1
        return add(*args, **kwargs)

    tracker.add = counted_add  # type: ignore[method-assign]
    perception = ModelPerception(detector, tracker, pc, asynchronous=cfg.runtime.mode == "live",
                                 detect_context=detect_context)
    runtime = Runtime(cfg, perception, verifier=None)
    put_at: dict[int, float] = {}
    latency: list[float] = []
    stages: dict[str, list[float]] = {s: [] for s in STAGES}
    waited = 0

    def publish(out: Any) -> None:
        nonlocal waited
        if out.result is None:
            return
        latency.append((time.perf_counter() - put_at[out.result.seq]) * 1e3)
        waited += perception.frame_report().waited_for_detector  # the report of the frame just processed
        for stage in STAGES:
            if stage in out.result.timings_ms:
                stages[stage].append(float(out.result.timings_ms[stage]))

    loop = LiveLoop(runtime, publish)
    loop.put_command(COMMAND)

    def produce() -> None:
        t0 = time.perf_counter()
        for i, img in enumerate(images):
            time.sleep(max(0.0, t0 + i / fps - time.perf_counter()))
            put_at[i] = time.perf_counter()
            loop.put_image(Frame(img, 1_000_000_000 + round(i * 1e9 / fps), seq=i))
        time.sleep(0.5)
        loop.close()

    producer = threading.Thread(target=produce, name="camera", daemon=True)
    producer.start()
    summary = loop.run()
    producer.join()
    g = perception.grounder
    return {"latency": latency[WARMUP:], "stages": stages, "frames_put": frames, "frames_processed": summary.frames,
            "frames_dropped": summary.dropped, "frames_waited_for_detector": int(waited),
            "grounder_frames_waited_for_detector": int(g.frames_waited_for_detector),
            "detections_applied": int(g.detections_run), "detector_calls": detector.calls,
            "stale_detections_dropped": int(g.stale_dropped), "tracks_at_end": len(g.track_ids),
            "sam2_prompts": prompts, "detector_call_ms": list(detector.call_ms),
            "detector_net_ms": list(detector.net_ms)}


def pooled(blocks: list[dict[str, Any]]) -> dict[str, Any]:
    """One setting's figures over its blocks: latencies pooled, counters summed."""
    lat = np.asarray([v for b in blocks for v in b["latency"]])
    counters = ("frames_put", "frames_processed", "frames_dropped", "frames_waited_for_detector",
                "grounder_frames_waited_for_detector", "detections_applied", "detector_calls",
                "stale_detections_dropped", "sam2_prompts")
    stages = {s: [v for b in blocks for v in b["stages"][s]] for s in STAGES}
    calls = {k: [v for b in blocks for v in b.get(k, [])] for k in ("detector_call_ms", "detector_net_ms")}
    return {"latency_ms_p50": float(np.percentile(lat, 50)), "latency_ms_p90": float(np.percentile(lat, 90)),
            "latency_ms_p99": float(np.percentile(lat, 99)),
            "latency_ms_max": float(lat.max()), "latency_frames": int(len(lat)), "blocks": len(blocks),
            **{c: int(sum(b[c] for b in blocks)) for c in counters},
            "tracks_at_end": [b["tracks_at_end"] for b in blocks],
            **{k: {"p50": float(np.percentile(v, 50)), "p90": float(np.percentile(v, 90)), "max": float(max(v)),
                   "calls": len(v)} for k, v in calls.items() if v},
            "stages_ms": {s: {"p50": float(np.percentile(v, 50)), "p99": float(np.percentile(v, 99)),
                              "frames": len(v)} for s, v in stages.items() if v}}


def main(json_out: Annotated[Path | None, typer.Option("--json", help="Write the results here.")] = None,
         frames: Annotated[int, typer.Option(min=30, help="Frames per setting (15 Hz).")] = 300) -> None:
    """Frame latency p50/p99 of the live loop with keyframe detection on (worker thread) and off."""
    import torch
    from transformers.utils import logging as hf_logging

    from rvos_ros.testing.tiny_detectors import build_tiny_grounding_dino
    from rvos_ros.testing.tiny_sam2 import build_tiny_sam2

    hf_logging.disable_progress_bar()
    console = Console(width=130)
    bg = np.random.default_rng(0).integers(40, 200, (H, W, 3), dtype=np.uint8)
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        yaml_path, ckpt = build_tiny_sam2(tmp, SAM_SIZE)
        folders = {"sam2_yaml": yaml_path, "sam2_ckpt": ckpt, "gdino": build_tiny_grounding_dino(tmp)}
        blocks: dict[str, list[dict[str, Any]]] = {"none": [], "detector": [], "inline": []}
        half = frames // 2
        # none and detector side by side, ABBA: a drift in the machine's load hits both alike
        for setting, n in (("none", half), ("detector", half), ("detector", frames - half), ("none", frames - half),
                           ("inline", frames)):
            t0 = time.perf_counter()
            blocks[setting].append(run(setting, n, folders, bg))
            console.print(f"[dim]{setting}, {n} frames: {time.perf_counter() - t0:.0f} s wall[/dim]")
        results = {setting: pooled(b) for setting, b in blocks.items()}
    table = Table(title=f"live loop, models backend, {frames} frames put at {FPS:.0f} Hz", caption=CAVEAT)
    for col in ("setting", "p50 ms", "p99 ms", "max ms", "processed", "dropped", "detections", "waited"):
        table.add_column(col, justify="right")
    for name, r in results.items():
        table.add_row(name, f"{r['latency_ms_p50']:.1f}", f"{r['latency_ms_p99']:.1f}", f"{r['latency_ms_max']:.1f}",
                      str(r["frames_processed"]), str(r["frames_dropped"]), str(r["detections_applied"]),
                      str(r["frames_waited_for_detector"]))
    console.print(table)
    stages = Table(title="per-stage ms (p50 / p99 over the frames that have the stage)", caption=CAVEAT)
    stages.add_column("stage")
    for name in results:
        stages.add_column(name, justify="right")
    for stage in STAGES:
        cells = []
        for r in results.values():
            s = r["stages_ms"].get(stage)
            cells.append(f"{s['p50']:.2f} / {s['p99']:.2f} ({s['frames']})" if s else "-")
        stages.add_row(stage, *cells)
    console.print(stages)
    out = {
        "p99_ratio_detector_vs_none": results["detector"]["latency_ms_p99"] / results["none"]["latency_ms_p99"],
        "frames_waited_for_detector": results["detector"]["frames_waited_for_detector"],
        "p99_ratio_inline_vs_none": results["inline"]["latency_ms_p99"] / results["none"]["latency_ms_p99"],
        "frames": frames, "fps": FPS, "detect_ms": DETECT_MS, "frame_size": [W, H], "sam2_image_size": SAM_SIZE,
        "device": "cpu", "torch_threads": torch.get_num_threads(), "caveat": CAVEAT, "settings": results,
    }
    console.print(f"p99 ratio detector / none: {out['p99_ratio_detector_vs_none']:.3f} (goal <= 1.15)   "
                  f"frames waited for the detector: {out['frames_waited_for_detector']} (goal 0)   "
                  f"inline (contrast): p99 ratio {out['p99_ratio_inline_vs_none']:.3f}, "
                  f"{results['inline']['frames_waited_for_detector']} frames waited")
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    typer.run(main)
