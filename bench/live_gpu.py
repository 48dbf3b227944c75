"""The live loop on a GPU at real sizes: does any frame wait for the keyframe detector?

    python bench/live_gpu.py --json out/live_gpu.json [--rate 15 --rate 30] [--seconds 20]
    python bench/live_gpu.py --smoke            # CPU, small sizes: a check of the script, not a measurement

On a lent GPU machine whose image lacks them, carry pydantic, pydantic-core, annotated-types,
typing-extensions, typing-inspection, hydra-core, omegaconf, antlr4-python3-runtime, iopath and sam2 as
wheels, install them with ``pip install --no-index --no-deps --target /tmp/site``, and run with
``PYTHONPATH=/tmp/site:$PWD:$PWD/bench HF_HUB_OFFLINE=1`` (about 4 minutes for both rates).

``bench/live_models.py`` on a GPU with real-size networks, where SAM2 (on the
frame thread) and the keyframe detector (on the detection worker thread)
share one GPU. The same loop (:func:`live_models.drive`: ``LiveLoop`` around a
``Runtime`` in live mode on the models backend, a producer thread putting
frames at a fixed rate, frames the loop is not ready for dropped and counted),
the same scene (3 coloured boxes on a textured background, command "the dog"),
here upscaled to 640x480 and put at each ``--rate`` (15 and 30 Hz), and the
same settings:

- ``detector``: live mode, keyframe detection every
  ``perception.detector.every_n_frames`` (15) frames, on the worker thread,
  its kernels on their own CUDA stream (as ``ModelPerception.from_config``
  sets up in live mode);
- ``none``: live mode, the detector runs on the first frame only
  (``every_n_frames`` 10000);
- ``inline`` (contrast, not a goal): deterministic mode, the keyframe
  detection runs on the frame itself;
- ``detector_nosync`` (diagnostic, not in the CPU bench): ``detector`` with the
  tracker's stage clock not synchronizing at all (it synchronizes the frame
  thread's own CUDA stream at each SAM2 stage boundary; it synchronized the
  whole device, the detector's stream too, until this bench found that by
  reading the code); what the per-stage timing costs the frame. The tracker's
  stage times in that block are host times only.

``none`` and ``detector`` run side by side in two blocks each (none, detector,
detector, none) so a drift hits both alike; each rate starts with an untimed
warm-up block (both models, both threads). ``--seconds`` of stream per setting
(so 2x as many frames at 30 Hz as at 15 Hz); the first 5 frames of a block are
not timed.

Models, random weights, real sizes (the cost of a network does not depend on
its weights): SAM2.1 hiera-t from the sam2 package's config at 1024 px, loaded
through the robot's ``build_sam2`` and wrapped as ``StreamingTracker`` with the
default ``perception.tracker`` settings (``precision: auto``, bf16 autocast on
CUDA); GroundingDINO-tiny's architecture (Swin-T + BERT-base, the real
800/1333 px processor, fp32, the robot's ``GroundingDinoDetector``) running for
real on every detection. Its random-weight detections are meaningless, so, as
in the CPU bench, the call returns the scene's true boxes found by their
colour after the network has run on the frame (no sleep padding here: the
call lasts what the network and the colour search take).

Figures per rate and setting: frame latency p50/p90/p99/max (producer ``put``
to the loop's ``publish``), frames dropped, ``frames_waited_for_detector``
(``PerceptionReport.waited_for_detector``: an inline detection, or the frame
thread finding the worker's lock held; it does not see GPU-level waits, which
only the latency shows), the detector's call time on the worker, per-stage
times; ``p99_ratio_detector_vs_none`` (goal <= 1.15).
"""

from __future__ import annotations

import contextlib
import faulthandler
import json
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from live_models import COLOURS, STAGES, StandInDetector, drive, pooled, scene
from pipeline import HIERA_T, full_grounding_dino, random_sam2
from rich.console import Console
from rich.table import Table

SCALE = 2
"""The CPU bench's 320x240 scene upscaled to 640x480 (boxes 100x120 px)."""
EVERY_N = 15
SETTINGS = ("none", "detector", "inline", "detector_nosync")
CAVEAT = ("random weights at real sizes: detections are meaningless, so each detector call runs the real "
          "GroundingDINO-tiny network on the frame, then returns the scene's true boxes found by their colour "
          "(tracks, prompts and re-detections follow SAM2's random-weight masks, alike in every setting); "
          "frames_waited_for_detector counts only lock and inline waits, not GPU-level waits (see "
          "detector_nosync and the latencies)")


def _say(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def frames_for(n: int, bg: np.ndarray) -> list[np.ndarray]:
    """``n`` frames of the CPU bench's scene, upscaled by :data:`SCALE` (exact colours kept)."""
    return [scene(i, bg).repeat(SCALE, 0).repeat(SCALE, 1) for i in range(n)]


def config_for(setting: str, sam2_ckpt: Path, image_size: int, device: str) -> Any:
    from rvos_ros.config import Config

    return Config().replace(**{
        "runtime.mode": "deterministic" if setting == "inline" else "live",
        "perception.device": device,
        "perception.tracker.model_config": HIERA_T,
        "perception.tracker.checkpoint": str(sam2_ckpt),
        "perception.tracker.image_size": image_size,
        "perception.detector.every_n_frames": 10000 if setting == "none" else EVERY_N,
        "perception.grounding.max_tracks": len(COLOURS),
    })


@contextlib.contextmanager
def stage_clock_sync(model: Any, on: bool) -> Iterator[None]:
    """The tracker's stage clock with (default) or without its per-stage stream synchronize (``detector_nosync``)."""
    from rvos_ros.perception.tracker import install_stage_clock

    clock = install_stage_clock(model, next(model.parameters()).device)
    saved = clock._sync
    if not on:
        clock._sync = None
    try:
        yield
    finally:
        clock._sync = saved


def block(setting: str, images: list[np.ndarray], fps: float, models: dict[str, Any]) -> dict[str, Any]:
    """One block of ``setting``: fresh tracker, detector wrapper and perception around the shared models."""
    from rvos_ros.perception.models import _side_stream  # what ModelPerception.from_config gives live mode
    from rvos_ros.perception.tracker import StreamingTracker

    cfg = config_for(setting, models["sam2_ckpt"], models["image_size"], models["device"])
    tc = cfg.perception.tracker
    tracker = StreamingTracker(models["sam2"], max_prompt_frames=tc.max_prompt_frames,
                               occluded_score=tc.occluded_score, device=models["device"],
                               fill_hole_area=tc.fill_hole_area, batch_tracks=tc.batch_tracks, precision=tc.precision)
    detector = StandInDetector(models["detector"], 0.0)  # no padding: the real network's time
    live = cfg.runtime.mode == "live"
    context = _side_stream(tracker.device) if live else None
    with stage_clock_sync(models["sam2"], on=setting != "detector_nosync"):
        out = drive(cfg, detector, tracker, images, fps, detect_context=context)
    out["tracker_precision"] = tracker.precision
    return out


def build_models(folder: Path, device: str, smoke: bool) -> dict[str, Any]:
    """SAM2.1 hiera-t (random, real config) and GroundingDINO-tiny (random, real architecture; tiny in a smoke)."""
    from rvos_ros.models.detectors import build_detector
    from rvos_ros.models.sam2 import build_sam2
    from rvos_ros.testing.tiny_detectors import build_tiny_grounding_dino

    image_size = 256 if smoke else 1024
    ckpt = random_sam2(folder, config=HIERA_T)
    sam2 = build_sam2(HIERA_T, str(ckpt), image_size=image_size, models_dir=folder, device=device)
    _say(f"sam2.1 hiera_t {image_size}px built on {device}")
    cfg = config_for("detector", ckpt, image_size, device)
    tiny = build_tiny_grounding_dino(folder / "gdino")
    if smoke:
        import dataclasses

        detector = build_detector(dataclasses.replace(cfg.perception.detector, grounding_dino_model=str(tiny)),
                                  models_dir=folder, device=device)
        what = "tests' tiny GroundingDINO (smoke)"
    else:
        detector = full_grounding_dino(tiny, cfg, device=device)
        what = "GroundingDINO-tiny architecture (Swin-T + BERT-base), random weights, fp32, 800/1333 px processor"
    n_params = sum(p.numel() for p in detector._model.parameters())
    _say(f"detector built: {what}, {n_params / 1e6:.1f} M parameters")
    sam2_params = sum(p.numel() for p in sam2.parameters())
    return {"sam2": sam2, "sam2_ckpt": ckpt, "image_size": image_size, "device": device, "detector": detector,
            "detector_what": what, "detector_params_m": n_params / 1e6, "sam2_params_m": sam2_params / 1e6}


def run_rate(fps: float, seconds: float, models: dict[str, Any], bg: np.ndarray, console: Console) -> dict[str, Any]:
    frames = max(12, round(seconds * fps))
    half = frames // 2
    _say(f"{fps:g} Hz: warm-up block")
    block("detector", frames_for(max(12, round(3 * fps)), bg), fps, models)  # untimed: first kernels, both threads
    blocks: dict[str, list[dict[str, Any]]] = {s: [] for s in SETTINGS}
    for setting, n in (("none", half), ("detector", half), ("detector", frames - half), ("none", frames - half),
                       ("inline", frames), ("detector_nosync", frames)):
        faulthandler.dump_traceback_later(max(120.0, 4 * n / fps), exit=False)  # a stuck block shows where
        t0 = time.perf_counter()
        blocks[setting].append(block(setting, frames_for(n, bg), fps, models))
        faulthandler.cancel_dump_traceback_later()
        b = blocks[setting][-1]
        _say(f"{fps:g} Hz {setting}, {n} frames: {time.perf_counter() - t0:.0f} s wall, "
             f"{b['frames_processed']} processed, {b['frames_dropped']} dropped, {b['detector_calls']} detector calls")
    results = {s: pooled(b) for s, b in blocks.items()}
    none_p99 = results["none"]["latency_ms_p99"]
    out = {"fps": fps, "frames_per_setting": frames,
           "p99_ratio_detector_vs_none": results["detector"]["latency_ms_p99"] / none_p99,
           "frames_waited_for_detector": results["detector"]["frames_waited_for_detector"],
           "p99_ratio_inline_vs_none": results["inline"]["latency_ms_p99"] / none_p99,
           "p99_ratio_detector_nosync_vs_none": results["detector_nosync"]["latency_ms_p99"] / none_p99,
           "tracker_precision": blocks["detector"][0]["tracker_precision"], "settings": results}
    print_rate(out, console)
    return out


def print_rate(r: dict[str, Any], console: Console) -> None:
    table = Table(title=f"live loop on {r['fps']:g} Hz, {r['frames_per_setting']} frames per setting, "
                        f"tracker {r['tracker_precision']}")
    for col in ("setting", "p50", "p90", "p99", "max ms", "processed", "dropped", "detections", "waited",
                "det call p50/p90/max ms"):
        table.add_column(col, justify="right")
    for name, s in r["settings"].items():
        call = s.get("detector_call_ms")
        table.add_row(name, *(f"{s[f'latency_ms_{q}']:.1f}" for q in ("p50", "p90", "p99", "max")),
                      str(s["frames_processed"]), str(s["frames_dropped"]), str(s["detections_applied"]),
                      str(s["frames_waited_for_detector"]),
                      f"{call['p50']:.1f} / {call['p90']:.1f} / {call['max']:.1f}" if call else "-")
    console.print(table)
    stages = Table(title="per-stage ms (p50 / p99 over the frames that have the stage)")
    stages.add_column("stage")
    for name in r["settings"]:
        stages.add_column(name, justify="right")
    for stage in STAGES:
        cells = []
        for s in r["settings"].values():
            st = s["stages_ms"].get(stage)
            cells.append(f"{st['p50']:.2f} / {st['p99']:.2f} ({st['frames']})" if st else "-")
        stages.add_row(stage, *cells)
    console.print(stages)
    console.print(f"{r['fps']:g} Hz: p99 ratio detector / none {r['p99_ratio_detector_vs_none']:.3f} (goal <= 1.15); "
                  f"frames waited for the detector {r['frames_waited_for_detector']} (goal 0); inline / none "
                  f"{r['p99_ratio_inline_vs_none']:.3f}; detector_nosync / none "
                  f"{r['p99_ratio_detector_nosync_vs_none']:.3f}")


def main(json_out: Annotated[Path | None, typer.Option("--json", help="Write the results here (after each rate).")
                             ] = None,
         rate: Annotated[list[float] | None, typer.Option(help="Stream rate(s) in Hz. Default: 15 and 30.")] = None,
         seconds: Annotated[float, typer.Option(min=1.0, help="Seconds of stream per setting.")] = 20.0,
         device: Annotated[str, typer.Option(help="Torch device (cuda; cpu only with --smoke).")] = "cuda",
         smoke: Annotated[bool, typer.Option(help="CPU, SAM2 at 256 px, the tests' tiny GroundingDINO, 2 s per "
                                                  "setting: checks the script, measures nothing.")] = False) -> None:
    """Frame latency of the live loop on a GPU with real-size SAM2 + GroundingDINO, detection on the worker or off."""
    import torch
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    if smoke:
        device, seconds = "cpu", min(seconds, 2.0)
    elif not device.startswith("cuda") or not torch.cuda.is_available():
        raise typer.BadParameter(f"device {device!r}: this bench measures a GPU (CUDA not available or not asked); "
                                 "use --smoke for a CPU check, bench/live_models.py for the CPU bench")
    rates = rate or [15.0, 30.0]
    console = Console(width=140)
    result: dict[str, Any] = {
        "what": "bench/live_gpu.py " + " ".join(sys.argv[1:]), "date": time.strftime("%Y-%m-%d"),
        "device": device, "gpu": torch.cuda.get_device_name(0) if device.startswith("cuda") else "cpu (smoke)",
        "torch": torch.__version__, "cuda": torch.version.cuda, "smoke": smoke,
        "frame_size": [320 * SCALE, 240 * SCALE], "seconds_per_setting": seconds, "every_n_frames": EVERY_N,
        "caveat": CAVEAT, "rates": {}, "errors": []}

    def save() -> None:
        if json_out is not None:
            json_out.parent.mkdir(parents=True, exist_ok=True)
            json_out.write_text(json.dumps(result, indent=2) + "\n")

    bg = np.random.default_rng(0).integers(40, 200, (240, 320, 3), dtype=np.uint8)
    with tempfile.TemporaryDirectory() as d:
        models = build_models(Path(d), device, smoke)
        result.update({"sam2": f"sam2.1 hiera_t {models['image_size']} px ({models['sam2_params_m']:.1f} M params), "
                               "random weights, default perception.tracker (precision auto)",
                       "detector": f"{models['detector_what']} ({models['detector_params_m']:.1f} M params)"})
        for fps in rates:
            try:
                result["rates"][f"{fps:g}"] = run_rate(fps, seconds, models, bg, console)
            except Exception:
                result["errors"].append({"rate": fps, "error": traceback.format_exc()[-2000:]})
                console.print(result["errors"][-1]["error"])
            save()
    if device.startswith("cuda"):
        result["max_memory_allocated_gib"] = torch.cuda.max_memory_allocated() / 2**30
    save()
    if result["errors"]:
        raise typer.Exit(1)


if __name__ == "__main__":
    typer.run(main)
