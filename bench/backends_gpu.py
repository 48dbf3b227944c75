"""GPU half of ``bench/backends.py --device cuda``: absolute times of every model part at real sizes.

Random weights in the real architectures (SAM2.1 hiera t/s/b+/l from the
sam2 package's configs, OWLv2-base at 960 px, GroundingDINO-tiny, CLIP
ViT-B/32): the cost of a network does not depend on its weights, so these
times are what the released checkpoints cost on the same GPU.

Per SAM2 part (image encoder; per track: prompt encoder + mask decoder,
fixed-size memory attention, memory encoder; 1 and 6 tracks batched):
torch fp32, torch fp16 autocast, and fp16 replayed as one CUDA graph (what the
fixed-size memory inputs make possible without TensorRT), each the median of
CUDA-event timings; fp16's max abs difference from fp32 (and the decoder's
mask IoU). Then the streaming tracker's whole frame (``StreamingTracker.step``
in steady state, fp32, 1/3/6 tracks) and one detector / verifier call.

TensorRT and ONNX Runtime's CUDA providers are timed only where they are
installed; otherwise the JSON says so (``tensorrt``: null with the reason).
``--device cpu --smoke`` runs the same code small on a CPU (a check of the
script, not a measurement).
"""

from __future__ import annotations

import statistics
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

SAM2_CONFIGS = {"hiera_t": "configs/sam2.1/sam2.1_hiera_t.yaml", "hiera_s": "configs/sam2.1/sam2.1_hiera_s.yaml",
                "hiera_b+": "configs/sam2.1/sam2.1_hiera_b+.yaml", "hiera_l": "configs/sam2.1/sam2.1_hiera_l.yaml"}


def device_ms(fn: Callable[[], Any], device: str, repeats: int, warmup: int = 3) -> float:
    """Median milliseconds of ``fn()``: CUDA events on a GPU, the wall clock after each call on a CPU."""
    import torch

    for _ in range(warmup):
        fn()
    times = []
    if device.startswith("cuda"):
        torch.cuda.synchronize()
        for _ in range(repeats):
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            fn()
            end.record()
            end.synchronize()
            times.append(start.elapsed_time(end))
    else:
        for _ in range(repeats):
            t = time.perf_counter()
            fn()
            times.append((time.perf_counter() - t) * 1e3)
    return statistics.median(times)


def _outputs(out: Any) -> list[Any]:
    return list(out) if isinstance(out, (tuple, list)) else [out]


def _graph(mod: Any, inputs: list[Any], dtype: Any) -> Callable[[], Any]:
    """``mod(*inputs)`` under fp16 autocast captured as one CUDA graph; returns its replay."""
    import torch

    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    # autocast's weight-cast cache must be off around a graph capture (torch's CUDA graph notes)
    with torch.cuda.stream(side), torch.no_grad(), torch.autocast("cuda", dtype=dtype, cache_enabled=False):
        for _ in range(3):  # warm-up on a side stream before capture, as torch.cuda.graph asks
            mod(*inputs)
    torch.cuda.current_stream().wait_stream(side)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph), torch.no_grad(), torch.autocast("cuda", dtype=dtype, cache_enabled=False):
        mod(*inputs)
    return graph.replay


def _mask_iou(ref: Any, got: Any) -> float:
    """Smallest per-track IoU of two batches of mask logits (an empty pair counts as 1)."""
    import torch

    a, b = (ref > 0).flatten(1), (got > 0).flatten(1)
    inter, union = (a & b).sum(1).float(), (a | b).sum(1).float()
    return float(torch.where(union > 0, inter / union.clamp(min=1), torch.ones_like(inter)).min())


def part_row(model_name: str, part: str, tracks: int | None, mod: Any, inputs: list[Any], device: str,
             repeats: int, mask_output: int | None = None) -> dict[str, Any]:
    """fp32, fp16-autocast and fp16 CUDA-graph times of ``mod(*inputs)``, and fp16's error against fp32."""
    import torch

    cuda = device.startswith("cuda")
    half = torch.float16 if cuda else torch.bfloat16  # CPU autocast has no fp16 matmuls worth timing
    row: dict[str, Any] = {"model": model_name, "part": part, "tracks": tracks}
    with torch.no_grad():
        ref = _outputs(mod(*inputs))
        row["fp32_ms"] = device_ms(lambda: mod(*inputs), device, repeats)
        with torch.autocast(device.split(":")[0], dtype=half):
            low = _outputs(mod(*inputs))
            row["fp16_ms"] = device_ms(lambda: mod(*inputs), device, repeats)
    row["fp16_max_abs_diff"] = max(float((a.float() - b.float()).abs().max()) for a, b in zip(ref, low, strict=True)
                                   if a.is_floating_point())
    row["fp16_mask_iou_min"] = None if mask_output is None else _mask_iou(ref[mask_output], low[mask_output])
    row["fp16_cuda_graph_ms"] = None
    if cuda:
        try:
            replay = _graph(mod, inputs, half)
            row["fp16_cuda_graph_ms"] = device_ms(replay, device, repeats)
        except Exception as err:  # a graph that does not capture is a finding, not a crash of the bench
            row["fp16_cuda_graph_error"] = f"{type(err).__name__}: {str(err)[:200]}"
    return row


def sam2_rows(name: str, model: Any, size: int, device: str, repeats: int, track_counts: tuple[int, ...]
              ) -> list[dict[str, Any]]:
    import torch

    from rvos_ros.engines.export import sam2_image_encoder_module
    from rvos_ros.engines.sam2_export import example_inputs, sam2_part_modules

    label = f"sam2.1 {name} {size}px"
    rows = []
    image = torch.randn(1, 3, size, size, device=device)
    rows.append(part_row(label, "image_encoder", None, sam2_image_encoder_module(model).to(device), [image],
                         device, repeats))
    _say(f"  image_encoder: fp32 {rows[-1]['fp32_ms']:.2f} ms")
    modules = sam2_part_modules(model, image_size=size)
    for n in track_counts:
        feeds = example_inputs(model, image_size=size, n=n)
        for part, mod in modules.items():
            inputs = [torch.from_numpy(v).to(device) for v in feeds[part].values()]
            rows.append(part_row(label, part, n, mod.to(device), inputs, device, repeats,
                                 mask_output=1 if part == "prompt_mask_decoder" else None))
            _say(f"  {part} x{n}: fp32 {rows[-1]['fp32_ms']:.2f} ms")
    return rows


def tracker_rows(name: str, model: Any, size: int, device: str, frames: int, track_counts: tuple[int, ...],
                 precisions: tuple[str, ...] = ("fp32", "bf16", "fp16")) -> list[dict[str, Any]]:
    """Whole-frame ms of ``StreamingTracker.step`` in steady state (every track reads a full memory window), per
    tracker precision (``perception.tracker.precision``)."""
    if not device.startswith("cuda"):
        precisions = tuple(p for p in precisions if p != "fp16")  # CPU autocast has no fp16 for SAM2's ops
    return [row for precision in precisions
            for row in _tracker_rows(name, model, size, device, frames, track_counts, precision)]


def _tracker_rows(name: str, model: Any, size: int, device: str, frames: int, track_counts: tuple[int, ...],
                  precision: str) -> list[dict[str, Any]]:
    import torch
    from pipeline import fill_memory, label_boxes, scene

    from rvos_ros.perception.tracker import StreamingTracker

    rows = []
    for k in track_counts:
        tracker = StreamingTracker(model, max_prompt_frames=2, fill_hole_area=8, device=device, precision=precision)
        images, labels = scene(frames + 2, k)
        tracker.step(images[0])
        for track_id, box in enumerate(label_boxes(labels[0], k)):
            tracker.add(track_id, box=box)
        fill_memory(tracker)
        times = []
        for i, img in enumerate(images[1:]):
            if device.startswith("cuda"):
                torch.cuda.synchronize()
            t = time.perf_counter()
            tracker.step(img)
            if device.startswith("cuda"):
                torch.cuda.synchronize()
            if i:  # the first steady frame warms up
                times.append((time.perf_counter() - t) * 1e3)
        rows.append({"model": f"sam2.1 {name} {size}px", "tracks": k, "frame_ms_median": statistics.median(times),
                     "frame_ms_p90": float(np.percentile(times, 90)), "frames": len(times),
                     "camera": "640x480", "precision": precision})
        _say(f"  tracker {precision} {k} tracks: {rows[-1]['frame_ms_median']:.1f} ms")
    return rows


def random_sam2(config: str, folder: Path, size: int, device: str) -> Any:
    from pipeline import random_sam2 as random_checkpoint

    from rvos_ros.models.sam2 import build_sam2

    ckpt = random_checkpoint(folder, config=config)
    return build_sam2(config, ckpt, image_size=size, models_dir=folder, device=device)


def detector_rows(folder: Path, device: str, repeats: int, smoke: bool) -> list[dict[str, Any]]:
    """OWLv2-base's image side at 960 px (3 queries), CLIP ViT-B/32's image tower (6 crops), one GroundingDINO-tiny
    ``detect`` on a 640x480 frame (its processor resizes to 800 px)."""
    import torch
    from transformers import CLIPConfig, CLIPModel, Owlv2Config, Owlv2ForObjectDetection

    rows = []
    with torch.random.fork_rng():
        torch.manual_seed(0)
        if smoke:
            from rvos_ros.testing.tiny_clip import build_tiny_clip
            from rvos_ros.testing.tiny_detectors import build_tiny_owlv2

            owl = Owlv2ForObjectDetection.from_pretrained(build_tiny_owlv2(folder / "owl"), local_files_only=True)
            clip = CLIPModel.from_pretrained(build_tiny_clip(folder / "clip"), local_files_only=True)
        else:
            owl, clip = Owlv2ForObjectDetection(Owlv2Config()), CLIPModel(CLIPConfig())
    owl, clip = owl.eval().to(device), clip.eval().to(device)
    size = int(owl.config.vision_config.image_size)
    pixels = torch.randn(1, 3, size, size, device=device)
    queries = torch.randn(1, 3, owl.class_head.dense0.out_features, device=device)

    class OwlImage(torch.nn.Module):
        def forward(self, pixel_values: Any, query_embeds: Any) -> Any:
            fmap, _ = owl.image_embedder(pixel_values=pixel_values)
            patches = fmap.reshape(fmap.shape[0], -1, fmap.shape[-1])
            return owl.class_predictor(patches, query_embeds, None)[0], owl.box_predictor(patches, fmap)

    rows.append(part_row(f"owlv2 {size}px", "image_side", None, OwlImage(), [pixels, queries], device, repeats))
    csize = int(clip.config.vision_config.image_size)
    crops = torch.randn(6, 3, csize, csize, device=device)

    class ClipImage(torch.nn.Module):
        def forward(self, pixel_values: Any) -> Any:
            return clip.get_image_features(pixel_values=pixel_values).pooler_output

    rows.append(part_row(f"clip {csize}px", "image_tower", 6, ClipImage(), [crops], device, repeats))
    return rows


def gdino_row(folder: Path, device: str, repeats: int, smoke: bool) -> dict[str, Any]:
    from pipeline import full_grounding_dino, scene

    from rvos_ros.config import Config
    from rvos_ros.models.detectors import build_detector
    from rvos_ros.testing.tiny_detectors import build_tiny_grounding_dino

    cfg = Config()
    tiny = build_tiny_grounding_dino(folder / "gdino")
    if smoke:
        import dataclasses

        det = build_detector(dataclasses.replace(cfg.perception.detector, grounding_dino_model=str(tiny)),
                             models_dir=folder, device=device)
    else:
        det = full_grounding_dino(tiny, cfg, device=device)
    det.set_phrases(["dog", "cup"])
    image = scene(1, 3)[0][0]
    ms = device_ms(lambda: det.detect(image), device, repeats)
    return {"model": "grounding_dino tiny" + (" (tiny smoke)" if smoke else ""), "part": "detect (640x480 frame)",
            "tracks": None, "fp32_ms": ms, "includes": "preprocessing, model, box decoding"}


def other_runtimes() -> dict[str, Any]:
    """What else could be timed here: TensorRT, ONNX Runtime's GPU providers."""
    out: dict[str, Any] = {}
    try:
        import tensorrt

        out["tensorrt"] = str(tensorrt.__version__)
    except ImportError as err:
        out["tensorrt"] = None
        out["tensorrt_reason"] = f"TensorRT's Python package is not installed on this machine ({err})"
    try:
        import onnxruntime

        out["onnxruntime_providers"] = list(onnxruntime.get_available_providers())
    except ImportError:
        out["onnxruntime_providers"] = []
    return out


def _say(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def run_gpu(device: str, repeats: int, smoke: bool, frames: int, models: tuple[str, ...] = (),
            save: Callable[[dict[str, Any]], None] | None = None, tracker_only: bool = False) -> dict[str, Any]:
    """Every GPU measurement; a failing section is recorded with its error and the rest still runs.

    ``models``: SAM2 sizes to time (keys of :data:`SAM2_CONFIGS`, each at 1024 px; hiera_t also at 512 px);
    ``save`` is called with the result after each section (a partial result survives a time limit).
    """
    import faulthandler
    import sys
    import tempfile

    import torch

    torch.backends.cuda.matmul.allow_tf32 = False  # fp32 means fp32 (TF32 would blur the fp16 comparison)
    torch.backends.cudnn.allow_tf32 = False
    result: dict[str, Any] = {"device": device, "torch": torch.__version__, "repeats": repeats,
                              "gpu": torch.cuda.get_device_name(0) if device.startswith("cuda") else "cpu (smoke)",
                              "parts": [], "tracker": [], "errors": [], **other_runtimes()}
    faulthandler.dump_traceback_later(90, repeat=True, file=sys.stderr)  # a stuck section shows where it is
    plans = [("hiera_t", 256, (1, 2))] if smoke else [
        (name, size, (1, 6)) for name in models or SAM2_CONFIGS for size in ((1024, 512) if name == "hiera_t"
                                                                           else (1024,))]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            sections: list[tuple[str, Callable[[], None]]] = []
            for name, size, counts in plans:
                def sam2_section(name: str = name, size: int = size, counts: tuple[int, ...] = counts) -> None:
                    model = random_sam2(SAM2_CONFIGS[name], folder, size, device)
                    _say(f"sam2 {name} {size}px built")
                    if not tracker_only:
                        result["parts"] += sam2_rows(name, model, size, device, repeats, counts)
                        _say("parts timed")
                    if size == 1024 or smoke:
                        result["tracker"] += tracker_rows(name, model, size, device, frames,
                                                          (1, 2) if smoke else (1, 3, 6))

                sections.append((f"sam2 {name} {size}", sam2_section))
            sections.append(("detectors", lambda: result["parts"].extend(detector_rows(folder, device, repeats,
                                                                                        smoke))))
            sections.append(("grounding_dino", lambda: result["parts"].append(
                gdino_row(folder, device, max(3, repeats // 5), smoke))))
            if tracker_only:
                sections = [(n, f) for n, f in sections if n.startswith("sam2")]
            for section, fn in sections:
                _say(f"{section} ...")
                try:
                    fn()
                except Exception:
                    result["errors"].append({"section": section, "error": traceback.format_exc()[-1500:]})
                if device.startswith("cuda"):
                    torch.cuda.empty_cache()
                if save is not None:
                    save(result)
    finally:
        faulthandler.cancel_dump_traceback_later()
    return result


def print_gpu(result: dict[str, Any], echo: Callable[[str], Any]) -> None:
    def f(v: Any) -> str:
        return "-" if v is None else f"{v:8.3f}"

    echo(f"\n{result['gpu']}, torch {result['torch']}; median ms (CUDA events)")
    echo(f"{'model':<24} {'part':<22} {'n':>2} {'fp32':>8} {'fp16':>8} {'graph':>8} {'fp16 |d|':>9} {'IoU':>6}")
    for r in result["parts"]:
        iou = r.get("fp16_mask_iou_min")
        echo(f"{r['model']:<24} {r['part']:<22} {r['tracks'] or '':>2} {f(r.get('fp32_ms'))} {f(r.get('fp16_ms'))} "
             f"{f(r.get('fp16_cuda_graph_ms'))} {r.get('fp16_max_abs_diff', float('nan')):9.1e} "
             f"{'' if iou is None else f'{iou:.3f}':>6}")
    for r in result["tracker"]:
        echo(f"tracker {r['model']:<24} {r.get('precision', 'fp32'):<5} {r['tracks']} tracks: frame "
             f"{r['frame_ms_median']:.2f} ms median, p90 {r['frame_ms_p90']:.2f}")
    echo(f"tensorrt: {result.get('tensorrt') or result.get('tensorrt_reason')}; "
         f"onnxruntime providers: {result.get('onnxruntime_providers')}")
    for e in result["errors"]:
        echo(f"ERROR in {e['section']}: {e['error'].strip().splitlines()[-1]}")
