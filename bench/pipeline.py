"""Where a frame's time goes in the models pipeline: detector, encoder, per-track memory, verifier, the rest.

    python bench/pipeline.py --json out/bench_pipeline.json [--quick]

Each stage is measured on its own and the frame is their sum:

- ``detector``: one ``detect()`` on a 640x480 frame, divided by the keyframe
  period ``perception.detector.every_n_frames`` (amortized);
- ``encoder``: SAM2's image encoder, once per frame for all tracks;
- ``tracks``: memory attention + mask decoder (``track_step``) and the memory
  encoder, summed over the tracks;
- ``verifier``: one CLIP ``score`` of all candidates on the keyframes,
  divided by ``runtime.reason_every`` (an upper bound: CLIP runs only on
  passes that need it);
- ``everything else``: the runtime with the same number of objects from the
  simulated oracle (track book, camera motion, rules), perception excluded.

Configurations: the tiny random models the tests use, and a random-weight
full-size SAM2.1 hiera-tiny (the sam2 package's own config, saved and loaded
through the real checkpoint path) at 512 and 1024, with 1, 3 and 6 tracks.
The detector and CLIP are the tiny ones in every row (full-size configs need
their hub files, which cannot be fetched here). On CPU the absolute times say
little about a GPU; the shares are what this run is for.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "test"))
sys.path.insert(0, str(ROOT / "test" / "perception"))
sys.path.insert(0, str(ROOT / "test" / "reasoning"))

H, W = 480, 640
STAGES = ("detector", "encoder", "tracks", "verifier", "everything else")


def frames(n: int, k: int, seed: int = 0) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """n frames with k coloured boxes moving right; their label images (ids 1..k)."""
    rng = np.random.default_rng(seed)
    bg = rng.integers(0, 255, (H, W, 3), dtype=np.uint8)
    colours = rng.integers(30, 225, (k, 3))
    imgs, labs = [], []
    for i in range(n):
        img, lab = bg.copy(), np.zeros((H, W), np.uint8)
        for j in range(k):
            x, y = 20 + (j % 3) * 200 + 3 * i, 40 + (j // 3) * 220
            img[y:y + 120, x:x + 90] = colours[j]
            lab[y:y + 120, x:x + 90] = j + 1
        imgs.append(img)
        labs.append(lab)
    return imgs, labs


class Timer:
    """Wraps a bound method and sums its wall time in milliseconds."""

    def __init__(self, obj: Any, name: str) -> None:
        self.ms, self.calls = 0.0, 0
        inner = getattr(obj, name)

        def timed(*a: Any, **kw: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return inner(*a, **kw)
            finally:
                self.ms += (time.perf_counter() - t0) * 1e3
                self.calls += 1

        setattr(obj, name, timed)


def full_size_sam2(tmp: Path, image_size: int) -> tuple[str, Path]:
    """Random-weight SAM2.1 hiera-tiny from the sam2 package config, saved as a Meta-style checkpoint."""
    import torch
    from hydra.utils import instantiate
    from omegaconf import OmegaConf

    from rvos_ros.perception.tracker import sam2_config_path

    name = "configs/sam2.1/sam2.1_hiera_t.yaml"
    ckpt = tmp / "hiera_t_random.pt"
    if not ckpt.exists():
        torch.manual_seed(0)
        cfg = OmegaConf.load(sam2_config_path(name, tmp))
        model = instantiate(OmegaConf.merge(cfg.model, {"image_size": image_size}), _recursive_=True)
        torch.save({"model": model.state_dict()}, ckpt)
    return name, ckpt


def tracker_ms(model_config: str, ckpt: Path, image_size: int, k: int, n: int, tmp: Path) -> dict[str, float]:
    """Per-frame encoder and per-track milliseconds of the streaming tracker (frame 0 prompts, then n frames)."""
    from rvos_ros.config import TrackerConfig
    from rvos_ros.perception.tracker import StreamingTracker

    cfg = TrackerConfig(model_config=model_config, checkpoint=str(ckpt), image_size=image_size)
    tracker = StreamingTracker.from_config(cfg, models_dir=tmp, device="cpu")
    imgs, labs = frames(n + 1, k)
    tracker.step(imgs[0])
    for j in range(k):
        ys, xs = np.nonzero(labs[0] == j + 1)
        tracker.add(j + 1, box=(float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max())))
    enc = Timer(tracker.model, "forward_image")
    step = Timer(tracker.model, "track_step")
    mem = Timer(tracker.model, "_encode_new_memory")
    for img in imgs[1:]:
        tracker.step(img)
    return {"encoder": enc.ms / n, "tracks": (step.ms + mem.ms) / n}


def detector_ms(folder: Path, every_n: int, reps: int) -> float:
    from rvos_ros.config import DetectorConfig
    from rvos_ros.perception.detector import build_detector

    det = build_detector(DetectorConfig(grounding_dino_model=str(folder), box_threshold=0.0), models_dir=folder,
                         device="cpu")
    det.set_phrases(["dog", "ball"])
    img = frames(1, 3)[0][0]
    det.detect(img)
    t0 = time.perf_counter()
    for _ in range(reps):
        det.detect(img)
    return (time.perf_counter() - t0) * 1e3 / reps / every_n


def rest_and_verifier_ms(k: int, n: int, clip_folder: Path, reason_every: int) -> tuple[float, float]:
    """Runtime time without perception (oracle with k objects), and one CLIP pass amortized over reason_every."""
    from rvos_ros.config import Config, VerifierConfig
    from rvos_ros.perception.simulated import SimulatedPerception
    from rvos_ros.reasoning.clip_verifier import ClipVerifier
    from rvos_ros.runtime import Runtime
    from rvos_ros.types import Frame

    cfg = Config()
    p = SimulatedPerception(cfg.perception, {j + 1: "dog" for j in range(k)})
    rt = Runtime(cfg, p)
    rt.set_command("the dog that runs to the right")
    imgs, labs = frames(n, k)
    rest = []
    for i, (img, lab) in enumerate(zip(imgs, labs, strict=True)):
        stamp = 1_000_000_000 + round(i * 1e9 / 15)
        p.feed_labels(stamp, lab)
        r = rt.step(Frame(img, stamp, seq=i))
        rest.append(r.timings_ms["total"] - r.timings_ms["perception"])
    window = rt.book.window(rt.command, 15.0)
    verifier = ClipVerifier(VerifierConfig(backend="clip", clip_model=str(clip_folder)), models_dir=clip_folder,
                            device="cpu")
    ids = [t.id for t in window.tracks]
    verifier.score(window, ids, ["sitting"], category="dog")
    t0 = time.perf_counter()
    verifier.score(window, ids, ["running"], category="dog")
    clip = (time.perf_counter() - t0) * 1e3 / reason_every
    return float(np.median(rest[2:])) if len(rest) > 2 else float(np.median(rest)), clip


def main(json_out: Annotated[Path | None, typer.Option("--json", help="Write the results here.")] = None,
         quick: Annotated[bool, typer.Option("--quick", help="A smoke run (< 1 min): fewer configurations.")]
         = False) -> None:
    """Print the per-stage share of a frame for tiny models and a random full-size hiera-tiny SAM2."""
    import torch
    from tiny_clip import build_tiny_clip
    from tiny_detectors import build_tiny_grounding_dino
    from tiny_sam2 import build_tiny_sam2

    from rvos_ros.config import Config

    torch.manual_seed(0)
    cfg = Config()
    every_n, reason_every = cfg.perception.detector.every_n_frames, cfg.runtime.reason_every
    rows: list[dict[str, Any]] = []
    console = Console(width=150)
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        gdino, clip = build_tiny_grounding_dino(tmp / "gdino"), build_tiny_clip(tmp / "clip")
        det = detector_ms(gdino, every_n, 3)
        (tmp / "sam2").mkdir()
        yaml_path, tiny_ckpt = build_tiny_sam2(tmp / "sam2", image_size=64)
        plans: list[tuple[str, str, Path, int, int]] = [("tiny", str(yaml_path), tiny_ckpt, 64, 10)]
        if quick:
            name, ckpt = full_size_sam2(tmp, 512)
            plans.append(("hiera-tiny (random)", name, ckpt, 512, 1))
        else:
            for size, n in ((512, 4), (1024, 2)):
                (tmp / f"h{size}").mkdir()
                name, ckpt = full_size_sam2(tmp / f"h{size}", size)
                plans.append(("hiera-tiny (random)", name, ckpt, size, n))
        for label, model_config, ckpt, size, n in plans:
            for k in ((1,) if quick else (1, 3, 6)):
                tr = tracker_ms(model_config, ckpt, size, k, n, ckpt.parent)
                rest, ver = rest_and_verifier_ms(k, 20 if quick else 40, clip, reason_every)
                stages = {"detector": det, "encoder": tr["encoder"], "tracks": tr["tracks"], "verifier": ver,
                          "everything else": rest}
                rows.append({"config": label, "image_size": size, "tracks": k, "stages": stages,
                             "frame_ms": sum(stages.values())})
                console.print(f"  {label} {size}px, {k} track(s): {sum(stages.values()):.1f} ms/frame")
    table = Table(title="Share of a frame (CPU, random weights; tiny detector and CLIP in every row)",
                  caption="absolute times are CPU-only and say little about a GPU; the shares are the point")
    for col in ("model", "size", "tracks", *STAGES, "frame ms"):
        table.add_column(col)
    for r in rows:
        total = r["frame_ms"]
        table.add_row(r["config"], str(r["image_size"]), str(r["tracks"]),
                      *(f"{r['stages'][s]:.1f} ({100 * r['stages'][s] / total:.0f}%)" for s in STAGES), f"{total:.1f}")
    console.print(table)
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps({"device": "cpu", "torch": torch.__version__, "rows": rows}, indent=2))


if __name__ == "__main__":
    typer.run(main)
