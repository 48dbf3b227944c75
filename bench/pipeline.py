"""Where a frame's time goes in the models pipeline: detector, SAM2 encoder, per-track SAM2, verifier, the rest.

    python bench/pipeline.py --json out/bench_pipeline.json [--frames N] [--quick] [--tiny-detector]

Each configuration runs the real pipeline (``Runtime`` + ``ModelPerception``:
``CandidateGrounder`` + ``StreamingTracker``) on a 640x480 synthetic stream of
``k`` moving boxes, with the command "the sitting dog", and times its parts with
wrappers around the models' own methods (nothing in ``rvos_ros`` is changed):

- ``detector``: one real ``detect()`` on a frame, divided by the keyframe period
  ``perception.detector.every_n_frames``. In the stream itself a scripted
  detector returns the ``k`` true boxes, so the number of tracks is exactly ``k``;
- ``image encoder``: SAM2's ``forward_image``, once per frame for all tracks;
- ``memory attention``, ``mask decoder`` (prompt encoder + mask decoder + object
  pointer), ``memory encoder``: SAM2's per-track work, summed over the tracks
  (the tracker batches tracks with the same memory layout);
- ``verifier``: one CLIP ``score`` of the ``k`` candidates on the full window's
  keyframes, divided by ``runtime.reason_every``: the most it costs, as CLIP runs
  on a reasoning pass only when the rules leave an appearance word open; 0 for
  one track (nothing to contrast);
- ``everything else``: tracker glue (the frame's resize, memory banks gathered
  into a batch, sam2's own code between its modules, hole filling, masks
  upsampled to the frame), grounding, camera motion, track book, output mask,
  and the reasoning rules amortized over their passes (timed on a full
  ``runtime.window_frames`` window from the simulated backend with ``k``
  objects: a few model frames make a short window, which reasons faster).

Steady state in a few frames: right after the prompt frame, each track's
memory bank is filled to what SAM2 reads on any later frame
(``num_maskmem - 1`` spatial memories, ``max_obj_ptrs_in_encoder`` pointers,
copies of the latest memory: values do not change the cost), so even the
1024 px rows time a full memory window. Timed frames: ``--frames`` per
512 px row, half as many (at least 1) per 1024 px row, 10x as many per tiny
row (after one more untimed warm-up frame).

Configurations: the tiny random models the tests use, and SAM2.1 hiera-tiny
(``configs/sam2.1/sam2.1_hiera_t.yaml`` from the sam2 package, random weights
biased to see objects, saved to a temporary checkpoint and loaded through the
robot's ``build_sam2``) at 512 and 1024 px with 1, 3 and 6 tracks. The hiera
rows use a random CLIP ViT-B/32 (``clip-vit-base-patch32``'s architecture) and
GroundingDINO-tiny's architecture (Swin-T + BERT-base, random weights, the real
800/1333 px processor; ~25 s CPU a call here, timed once; ``--tiny-detector``
skips it); the tiny rows, and ``--quick``, use the tests' tiny GroundingDINO
and CLIP. One torch thread, timed by thread CPU time, so other processes on a
shared machine do not count. Absolute CPU times say little about a GPU; the
shares are what this is for.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nothing downloads: every model is built here
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
ROOT = Path(__file__).resolve().parent.parent

H, W = 480, 640
COMMAND = "the sitting dog"
STAGES = ("detector", "image encoder", "memory attention", "mask decoder", "memory encoder", "verifier",
          "everything else")
OTHER = ("tracker glue", "grounding", "camera motion", "track book", "output", "reasoning rules")
"""What "everything else" is made of (its detail in the JSON and the table)."""
HIERA_T = "configs/sam2.1/sam2.1_hiera_t.yaml"
CAVEAT = ("CPU, 1 thread, random weights: absolute times say little about a GPU (and the GPU shares differ); "
          "the shares are what this run is for.")
CLOCK: Callable[[], float] = time.thread_time


def scene(n: int, k: int, seed: int = 0) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """``n`` RGB frames (H, W, 3) with ``k`` coloured 90x120 px boxes (3 px a frame to the right, back every 30
    frames); their label images (ids 1..k)."""
    rng = np.random.default_rng(seed)
    bg = rng.integers(40, 200, (H, W, 3), dtype=np.uint8)
    colours = rng.integers(30, 225, (k, 3))
    images, labels = [], []
    for i in range(n):
        img, lab = bg.copy(), np.zeros((H, W), np.uint8)
        for j in range(k):
            x, y = 20 + (j % 3) * 200 + (3 * i) % 90, 40 + (j // 3) * 220
            img[y:y + 120, x:x + 90] = colours[j]
            lab[y:y + 120, x:x + 90] = j + 1
        images.append(img)
        labels.append(lab)
    return images, labels


def label_boxes(labels: np.ndarray, k: int) -> list[tuple[float, float, float, float]]:
    """Pixel boxes ``(x1, y1, x2, y2)`` (far corner exclusive) of label ids 1..k."""
    out = []
    for j in range(1, k + 1):
        ys, xs = np.nonzero(labels == j)
        out.append((float(xs.min()), float(ys.min()), float(xs.max() + 1), float(ys.max() + 1)))
    return out


class ScriptedDetector:
    """A Detector returning ``boxes`` (set by the bench before each frame) under the first phrase."""

    def __init__(self) -> None:
        self.phrases: tuple[str, ...] = ()
        self.boxes: list[tuple[float, float, float, float]] = []

    def set_phrases(self, phrases: Any) -> None:
        self.phrases = tuple(phrases)

    def detect(self, image: np.ndarray) -> list[Any]:
        from rvos_ros.types import Detection

        return [Detection(box=b, score=0.9, phrase=self.phrases[0]) for b in self.boxes] if self.phrases else []


class StageClock:
    """Milliseconds per stage, summed over calls of wrapped methods since the last :meth:`take`."""

    def __init__(self) -> None:
        self.ms: dict[str, float] = {}

    def wrap(self, obj: Any, method: str, stage: str) -> None:
        """Replace ``obj.method`` (on the instance only) by a timed call; ``nn.Module.forward`` works too."""
        inner = getattr(obj, method)

        def timed(*args: Any, **kwargs: Any) -> Any:
            t0 = CLOCK()
            try:
                return inner(*args, **kwargs)
            finally:
                self.ms[stage] = self.ms.get(stage, 0.0) + (CLOCK() - t0) * 1e3

        setattr(obj, method, timed)

    def take(self) -> dict[str, float]:
        out, self.ms = self.ms, {}
        return out


def random_sam2(folder: Path, config: str = HIERA_T) -> Path:
    """A random-weight SAM2.1 (hiera-tiny unless ``config`` names another sam2 package config), saved as a
    Meta-style checkpoint."""
    import torch
    from hydra.utils import instantiate
    from omegaconf import OmegaConf

    from rvos_ros.models.sam2 import sam2_config_path

    torch.manual_seed(0)
    cfg = OmegaConf.load(sam2_config_path(config, folder))
    model = instantiate(cfg.model, _recursive_=True)
    decoder = model.sam_mask_decoder
    with torch.no_grad():  # as the tests' tiny model: objects present, masks neither empty nor full
        decoder.pred_obj_score_head.layers[-1].bias.fill_(6.0)
        for mlp in decoder.output_hypernetworks_mlps:
            mlp.layers[-1].bias.add_(-0.3)
    ckpt = folder / f"{Path(config).stem}_random.pt"
    torch.save({"model": model.state_dict()}, ckpt)
    return ckpt


def random_clip_b32(folder: Path, tokenizer_folder: Path) -> Path:
    """A random-weight CLIP ViT-B/32 (transformers' default CLIPConfig) with the tiny tokenizer, saved to a folder."""
    import torch
    from transformers import CLIPConfig, CLIPImageProcessor, CLIPModel, CLIPProcessor, CLIPTokenizer

    tokenizer = CLIPTokenizer(str(tokenizer_folder / "vocab.json"), str(tokenizer_folder / "merges.txt"),
                              pad_token="!")
    with torch.random.fork_rng():
        torch.manual_seed(0)
        model = CLIPModel(CLIPConfig()).eval()
    CLIPProcessor(image_processor=CLIPImageProcessor(), tokenizer=tokenizer).save_pretrained(folder)
    model.save_pretrained(folder)
    return folder


def fill_memory(tracker: Any, at: int = 1000) -> None:
    """Give every track the memory bank SAM2 reads in a long stream, from its latest memory; next frame is ``at``.

    Reaches into the tracker's private bank (bench only): each track gets a
    tracked-frame memory for each of the ``max_obj_ptrs`` frames before ``at``,
    then the tracker's own pruning keeps what SAM2 reads.
    """
    from rvos_ros.perception.sam2_memory import FrameMemory

    span = max(tracker.window.max_obj_ptrs, tracker.window.num_maskmem * tracker.window.stride, 1)
    for bank in tracker._tracks.values():
        last = bank.recent[max(bank.recent)] if bank.recent else bank.prompts[max(bank.prompts)]
        bank.recent = {t: FrameMemory(features=last.features, obj_ptr=last.obj_ptr) for t in range(at - span, at)}
        tracker.window.prune(bank, at)
    tracker._next_index = at


def model_rows(tracker: Any, k: int, frames: int, cfg: Any, warmup: int = 1
               ) -> tuple[dict[str, float], dict[str, Any]]:
    """Per-frame ms of SAM2's stages and of the non-model work, over ``frames`` steady-state frames.

    Frame 0 prompts the ``k`` tracks; the first ``warmup`` frames (>= 1) are not timed.
    """
    from rvos_ros.perception.models import ModelPerception
    from rvos_ros.runtime import Runtime
    from rvos_ros.types import Frame

    detector = ScriptedDetector()
    pc = dataclasses.replace(cfg.perception, grounding=dataclasses.replace(cfg.perception.grounding, max_tracks=k))
    perception = ModelPerception(detector, tracker, pc)
    rt = Runtime(dataclasses.replace(cfg, perception=pc), perception, verifier=None)
    clock = StageClock()
    model = tracker.model
    clock.wrap(model, "forward_image", "image encoder")
    clock.wrap(model.memory_attention, "forward", "memory attention")
    clock.wrap(model, "_forward_sam_heads", "mask decoder")
    clock.wrap(model, "_encode_new_memory", "memory encoder")
    clock.wrap(tracker, "step", "tracker")
    clock.wrap(tracker, "add", "tracker")
    clock.wrap(detector, "detect", "scripted detector")
    clock.wrap(perception, "step", "perception")
    clock.wrap(rt.observer.camera, "update", "camera motion")
    clock.wrap(rt.session.book, "update", "track book")
    clock.wrap(rt.session.reasoner, "submit", "reasoning")
    rt.set_command(COMMAND)
    images, labels = scene(warmup + frames, k)
    per_frame: list[dict[str, float]] = []
    keyframes = 0
    for i, (img, lab) in enumerate(zip(images, labels, strict=True)):
        detector.boxes = label_boxes(lab, k)
        runs = perception.grounder.detections_run
        clock.take()
        t0 = CLOCK()
        rt.step(Frame(img, 1_000_000_000 + round(i * 1e9 / 15), seq=i))
        total = (CLOCK() - t0) * 1e3
        ms = clock.take()
        if i == 0:  # the prompt frame: from the next frame on, every track reads a full memory window
            fill_memory(tracker)
        if i >= warmup:
            keyframes += perception.grounder.detections_run - runs
            per_frame.append({**ms, "total": total})
    if len(perception.grounder.track_ids) != k:
        raise RuntimeError(f"expected {k} tracks, the grounder has {perception.grounder.track_ids}")
    mean = {key: float(np.mean([f.get(key, 0.0) for f in per_frame])) for key in {k2 for f in per_frame for k2 in f}}
    sam = ("image encoder", "memory attention", "mask decoder", "memory encoder")
    stages = {s: mean.get(s, 0.0) for s in sam}
    perception_ms, tracker_ms = mean.get("perception", 0.0), mean.get("tracker", 0.0)
    other = {
        "tracker glue": tracker_ms - sum(stages.values()),
        "grounding": perception_ms - tracker_ms - mean.get("scripted detector", 0.0),
        "camera motion": mean.get("camera motion", 0.0),
        "track book": mean.get("track book", 0.0),
        # the frame minus all the above and this frame's reasoning (amortized separately on a full window)
        "output": mean["total"] - perception_ms - mean.get("camera motion", 0.0) - mean.get("track book", 0.0)
        - mean.get("reasoning", 0.0),
    }
    return {**stages, **other}, {"keyframes_in_measured_frames": keyframes}


def window_costs(k: int, cfg: Any, verifier: Any, frames: int) -> tuple[float, float]:
    """(reasoning rules, CLIP verifier) ms per frame, amortized over reasoning passes on a full window of k tracks.

    The window comes from the simulated backend (the same scene's labels) run
    for ``frames`` frames; reasoning is timed over the frames after the window
    filled. CLIP: one ``score`` of all k candidates on the window, divided by
    ``runtime.reason_every``; 0 for one candidate.
    """
    from rvos_ros.perception.simulated import SimulatedPerception
    from rvos_ros.runtime import Runtime
    from rvos_ros.types import Frame

    perception = SimulatedPerception(cfg.perception, {j + 1: "dog" for j in range(k)})
    rt = Runtime(cfg, perception, verifier=None)
    clock = StageClock()
    clock.wrap(rt.session.reasoner, "submit", "reasoning")
    rt.set_command(COMMAND)
    images, labels = scene(frames, k, seed=1)
    filled = min(cfg.runtime.window_frames, frames // 2)
    for i, (img, lab) in enumerate(zip(images, labels, strict=True)):
        stamp = 1_000_000_000 + round(i * 1e9 / 15)
        perception.feed_labels(stamp, lab)
        if i == filled:
            clock.take()
        rt.step(Frame(img, stamp, seq=i))
    reasoning = clock.take().get("reasoning", 0.0) / (frames - filled)
    if k < 2 or verifier is None:
        return reasoning, 0.0
    window = rt.session.book.window(rt.command, rt.session.clock.fps)
    need = verifier.config.keyframes
    if len(window.keyframes) < need:  # a short (quick) window: repeat keyframes so CLIP sees as many as usual
        window = dataclasses.replace(window, keyframes=(window.keyframes * need)[:need])
    ids = [t.id for t in window.tracks]
    verifier.score(window, ids, ["sitting"], category="dog")  # encodes the prompts once per command
    times = []
    for _ in range(2):
        t0 = CLOCK()
        verifier.score(window, ids, ["sitting"], category="dog")
        times.append((CLOCK() - t0) * 1e3)
    return reasoning, min(times) / cfg.runtime.reason_every


def detector_ms(detector: Any, reps: int, warmup: bool = True) -> float:
    """Milliseconds of one ``detect`` on a 640x480 frame (best of ``reps``, after a warm-up call if ``warmup``)."""
    detector.set_phrases(["dog"])
    image = scene(1, 3)[0][0]
    if warmup:
        detector.detect(image)
    times = []
    for _ in range(reps):
        t0 = CLOCK()
        detector.detect(image)
        times.append((CLOCK() - t0) * 1e3)
    return min(times)


def full_grounding_dino(tokenizer_folder: Path, cfg: Any, device: str = "cpu") -> Any:
    """GroundingDINO-tiny's architecture (Swin-T, BERT-base), random weights, the real 800/1333 px processor."""
    import torch
    from transformers import (
        AutoTokenizer,
        GroundingDinoConfig,
        GroundingDinoForObjectDetection,
        GroundingDinoImageProcessor,
        GroundingDinoProcessor,
    )

    from rvos_ros.models.grounding_dino import GroundingDinoDetector

    with torch.random.fork_rng():
        torch.manual_seed(0)
        model = GroundingDinoForObjectDetection(GroundingDinoConfig()).eval()
    processor = GroundingDinoProcessor(image_processor=GroundingDinoImageProcessor(),
                                       tokenizer=AutoTokenizer.from_pretrained(tokenizer_folder))
    return GroundingDinoDetector(model, processor, cfg.perception.detector, torch.device(device))


def print_row(console: Console, row: dict[str, Any]) -> None:
    total = row["frame_ms"]
    table = Table(title=f"{row['config']} SAM2 at {row['image_size']} px, {row['tracks']} track(s): "
                        f"{total:.1f} ms/frame ({row['frames']} timed frames)",
                  caption=f"detector: {row['detector']}; verifier: {row['verifier']}. {CAVEAT}", min_width=100)
    table.add_column("stage")
    table.add_column("ms/frame", justify="right")
    table.add_column("% of frame", justify="right")
    for stage in STAGES:
        ms = row["stages"][stage]
        table.add_row(stage, f"{ms:.2f}", f"{100 * ms / total:.1f}")
        if stage == "everything else":
            for part in OTHER:
                ms = row["everything_else"][part]
                table.add_row(f"  {part}", f"{ms:.2f}", f"{100 * ms / total:.1f}", style="dim")
    console.print(table)


def _round(ms: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 3) for k, v in ms.items()}


def print_summary(console: Console, rows: list[dict[str, Any]]) -> None:
    """All configurations in one table: each stage's share of the frame, and the frame's ms."""
    detectors = "; ".join(dict.fromkeys(f"{r['config']}: {r['detector']}" for r in rows))
    table = Table(title="Share of a frame per configuration (%)", caption=f"detector: {detectors}. {CAVEAT}")
    table.add_column("SAM2", no_wrap=True)
    for col in ("px", "tracks", "detector", "encoder", "mem attn", "decoder", "mem enc", "verifier", "else",
                "ms/frame"):
        table.add_column(col, justify="right", no_wrap=True)
    for r in rows:
        total = r["frame_ms"]
        table.add_row(r["config"], str(r["image_size"]), str(r["tracks"]),
                      *(f"{100 * r['stages'][s] / total:.1f}" for s in STAGES), f"{total:.0f}")
    console.print(table)


def main(
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the results here.")] = None,
    frames: Annotated[int, typer.Option(min=1, help="Steady-state frames timed per 512 px configuration (1024 px: "
                                                    "half as many, at least 1; tiny model: 10x as many).")] = 2,
    quick: Annotated[bool, typer.Option(help="Smoke run (< 1 min): tiny 1 and 3 tracks, hiera-tiny 512 px 1 track, "
                                              "tiny CLIP.")] = False,
    full_detector: Annotated[bool | None, typer.Option(
        "--full-detector/--tiny-detector",
        help="hiera rows: time GroundingDINO-tiny's real architecture (random weights, ~40 s on CPU) or the tiny "
             "one. Default: full, tiny with --quick.")] = None,
) -> None:
    """Print per-stage ms and share of a frame for tiny models and a random full-size SAM2.1 hiera-tiny."""
    import torch
    from transformers.utils import logging as hf_logging

    from rvos_ros.config import Config, VerifierConfig
    from rvos_ros.models.clip import ClipModel
    from rvos_ros.models.detectors import build_detector
    from rvos_ros.models.sam2 import build_sam2
    from rvos_ros.perception.tracker import StreamingTracker
    from rvos_ros.reasoning.clip_verifier import ClipVerifier
    from rvos_ros.testing.tiny_clip import build_tiny_clip
    from rvos_ros.testing.tiny_detectors import build_tiny_grounding_dino
    from rvos_ros.testing.tiny_sam2 import build_tiny_sam2

    hf_logging.disable_progress_bar()
    torch.set_num_threads(1)
    cfg = Config()
    console = Console(width=130)
    every_n = cfg.perception.detector.every_n_frames
    window_frames = 40 if quick else cfg.runtime.window_frames + 30
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        gdino_folder, clip_folder = build_tiny_grounding_dino(tmp / "gdino"), build_tiny_clip(tmp / "clip")
        det_cfg = dataclasses.replace(cfg.perception.detector, grounding_dino_model=str(gdino_folder))
        tiny_det = detector_ms(build_detector(det_cfg, models_dir=tmp, device="cpu"), reps=3)
        dets = {"tiny": ("tiny GroundingDINO (random)", tiny_det), "hiera-tiny": ("tiny GroundingDINO (random)",
                                                                                   tiny_det)}
        if full_detector if full_detector is not None else not quick:
            console.print("timing GroundingDINO-tiny's architecture (random weights): about 40 s ...")
            # one call, no warm-up: first-call overhead is small next to a minute
            dets["hiera-tiny"] = ("GroundingDINO-tiny architecture (random)",
                                  detector_ms(full_grounding_dino(gdino_folder, cfg), reps=1, warmup=False))
        verifiers = {"tiny": ClipVerifier(ClipModel.load(str(clip_folder), models_dir=tmp, device="cpu"),
                                          VerifierConfig(backend="clip", clip_model=str(clip_folder)))}
        clip_names = {"tiny": "tiny CLIP (random)", "hiera-tiny": "tiny CLIP (random)"}
        if not quick:
            b32 = random_clip_b32(tmp / "clip-b32", clip_folder)
            verifiers["hiera-tiny"] = ClipVerifier(ClipModel.load(str(b32), models_dir=tmp, device="cpu"),
                                                   VerifierConfig(backend="clip", clip_model=str(b32)))
            clip_names["hiera-tiny"] = "CLIP ViT-B/32 architecture (random)"
        verifiers.setdefault("hiera-tiny", verifiers["tiny"])
        (tmp / "sam2").mkdir()
        tiny_yaml, tiny_ckpt = build_tiny_sam2(tmp / "sam2", 64, num_maskmem=7, max_obj_ptrs=16)
        hiera_ckpt = random_sam2(tmp)
        plans = [("tiny", str(tiny_yaml), tiny_ckpt, 64, 10 * frames, 2), ("hiera-tiny", HIERA_T, hiera_ckpt, 512,
                                                                            frames, 1)]
        if not quick:
            plans.append(("hiera-tiny", HIERA_T, hiera_ckpt, 1024, max(1, frames // 2), 1))
        window_cache: dict[tuple[str, int], tuple[float, float]] = {}
        for label, model_config, ckpt, size, n, warmup in plans:
            model = build_sam2(model_config, ckpt, image_size=size, models_dir=tmp, device="cpu")
            counts = (1, 3) if quick and label == "tiny" else (1,) if quick else (1, 3, 6)
            for k in counts:
                t0 = time.perf_counter()
                tracker = StreamingTracker(model, max_prompt_frames=cfg.perception.tracker.max_prompt_frames,
                                           fill_hole_area=cfg.perception.tracker.fill_hole_area)
                sam, info = model_rows(tracker, k, n, cfg, warmup)
                if (label, k) not in window_cache:
                    window_cache[(label, k)] = window_costs(k, cfg, verifiers[label], window_frames)
                reasoning, verifier = window_cache[(label, k)]
                other = {**{p: sam[p] for p in OTHER if p in sam}, "reasoning rules": reasoning}
                detector_name, det = dets[label]
                stages = {"detector": det / every_n, **{s: sam[s] for s in STAGES[1:5]}, "verifier": verifier,
                          "everything else": sum(other.values())}
                row = {"config": label, "image_size": size, "tracks": k, "stages": _round(stages),
                       "frame_ms": round(sum(stages.values()), 3), "everything_else": _round(other),
                       "frames": n, "detector": detector_name, "detector_call_ms": round(det, 3),
                       "detector_every_n_frames": every_n, "verifier": clip_names[label],
                       "reason_every": cfg.runtime.reason_every, **info}
                rows.append(row)
                print_row(console, row)
                console.print(f"[dim]({time.perf_counter() - t0:.0f} s wall)[/dim]")
            del model
    print_summary(console, rows)
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps({"device": "cpu", "torch": torch.__version__, "threads": 1,
                                        "clock": "thread CPU time", "results": rows}, indent=2) + "\n")


if __name__ == "__main__":
    typer.run(main)
