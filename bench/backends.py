"""ONNX Runtime versus torch, per exported part, on tiny random models (CPU); every part at real size on a GPU.

    python bench/backends.py --json out/bench_backends.json [--device cuda]

For each part (OWLv2 text/image side, GroundingDINO, CLIP text/image tower, SAM2 image
encoder, prompt encoder + mask decoder, memory attention, memory encoder):
max |ORT - torch| on one random input, and the ORT/torch time ratio (median of
``--repeats`` runs, one thread each; < 1 means ORT is faster).
Key ``parts``: a list of {name, max_abs_diff, mask_iou_min, ort_vs_torch_speed_ratio};
``mask_iou_min`` is set for the mask decoder and null for parts without a mask.

``--device cuda`` adds a ``gpu`` block (bench/backends_gpu.py): absolute times
of every part in its real architecture (random weights) in torch fp32, fp16
and fp16 as one CUDA graph, the streaming tracker's whole frame, and the
detectors. ``tensorrt`` is the installed TensorRT version, or null with the
reason (TensorRT FP16 engines are timed only where TensorRT is installed).
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
ROOT = Path(__file__).resolve().parents[1]


def _median_s(fn: Any, repeats: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _row(name: str, ort_fn: Any, torch_fn: Any, repeats: int) -> dict[str, Any]:
    import torch

    with torch.no_grad():
        want = torch_fn()
    got = ort_fn()
    diff = max(float(np.abs(np.asarray(g, np.float64) - w.detach().numpy()).max()) for g, w in zip(got, want,
                                                                                                   strict=True))
    with torch.no_grad():
        t_torch = _median_s(torch_fn, repeats)
    t_ort = _median_s(ort_fn, repeats)
    return {"name": name, "max_abs_diff": diff, "mask_iou_min": None, "ort_vs_torch_speed_ratio": t_ort / t_torch,
            "torch_ms": 1e3 * t_torch, "ort_ms": 1e3 * t_ort}


def grounding_dino_row(d: Path, repeats: int) -> dict[str, Any]:
    """The tiny GroundingDINO graph (64x96 px, max_text_len tokens) against torch on the same padded inputs."""
    import torch
    from transformers import GroundingDinoForObjectDetection, GroundingDinoProcessor

    from rvos_ros.engines.detector_export import export_grounding_dino
    from rvos_ros.engines.onnx_runtime import OrtPart
    from rvos_ros.testing.tiny_detectors import build_tiny_grounding_dino

    folder = build_tiny_grounding_dino(d / "gdino")
    model = GroundingDinoForObjectDetection.from_pretrained(folder, local_files_only=True).eval()
    tokenizer = GroundingDinoProcessor.from_pretrained(folder, local_files_only=True).tokenizer
    part = OrtPart(export_grounding_dino(model, d / "gdino_onnx", height=64, width=96)["grounding_dino"], threads=1)
    length = int(model.config.max_text_len)
    enc = tokenizer("a dog. a red ball.", return_tensors="np")
    feeds = {"pixel_values": np.random.default_rng(0).standard_normal((1, 3, 64, 96)).astype(np.float32),
             "pixel_mask": np.ones((1, 64, 96), np.int64)}
    for name in ("input_ids", "token_type_ids", "attention_mask"):
        feeds[name] = np.zeros((1, length), np.int64)
        feeds[name][:, : enc["input_ids"].shape[1]] = enc.get(name, 0)
    ids = int(enc["input_ids"].shape[1])  # logits past the caption are -inf in both

    def ort_fn() -> list[Any]:
        out = part(feeds)
        return [out["logits"][..., :ids], out["pred_boxes"]]

    def torch_fn() -> list[Any]:
        out = model(**{k: torch.from_numpy(v) for k, v in feeds.items()})
        return [out.logits[..., :ids], out.pred_boxes]

    return _row("grounding_dino", ort_fn, torch_fn, repeats)


def cpu_rows(repeats: int) -> list[dict[str, Any]]:
    """Every exported part on tiny random models: ONNX Runtime against torch, one CPU thread each."""
    import torch
    from transformers import CLIPModel, Owlv2ForObjectDetection
    from transformers.utils import logging as hf_logging

    from rvos_ros.engines.clip_export import export_clip
    from rvos_ros.engines.detector_export import export_owlv2
    from rvos_ros.engines.export import export_sam2_image_encoder, sam2_image_encoder_module
    from rvos_ros.engines.onnx_runtime import OrtPart
    from rvos_ros.engines.sam2_export import example_inputs, export_sam2, sam2_part_modules
    from rvos_ros.models.sam2 import build_sam2
    from rvos_ros.testing.tiny_clip import build_tiny_clip
    from rvos_ros.testing.tiny_detectors import build_tiny_owlv2
    from rvos_ros.testing.tiny_sam2 import build_tiny_sam2

    hf_logging.disable_progress_bar()
    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        owl = Owlv2ForObjectDetection.from_pretrained(build_tiny_owlv2(d), local_files_only=True).eval()
        f = export_owlv2(owl, d / "owl")
        text, image = OrtPart(f["owlv2_text"], threads=1), OrtPart(f["owlv2_image"], threads=1)
        ids = np.zeros((3, 8), np.int64)
        ids[:, 0], ids[:, 1] = owl.config.text_config.bos_token_id, owl.config.text_config.eos_token_id
        mask = np.ones_like(ids)
        rows.append(_row("owlv2.text", lambda: [text(input_ids=ids, attention_mask=mask)["query_embeds"]],
                         lambda: [owl.owlv2.get_text_features(input_ids=torch.from_numpy(ids),
                                                              attention_mask=torch.from_numpy(mask)).pooler_output],
                         repeats))
        px = rng.standard_normal((1, 3, 32, 32)).astype(np.float32)
        q = rng.standard_normal((1, 3, 16)).astype(np.float32)

        def owl_torch() -> list[Any]:
            fmap, _ = owl.image_embedder(pixel_values=torch.from_numpy(px))
            patches = fmap.reshape(1, -1, fmap.shape[-1])
            return [owl.class_predictor(patches, torch.from_numpy(q), None)[0], owl.box_predictor(patches, fmap)]

        rows.append(_row("owlv2.image", lambda: list(image(pixel_values=px, query_embeds=q).values()), owl_torch,
                         repeats))
        rows.append(grounding_dino_row(d, repeats))
        clip = CLIPModel.from_pretrained(build_tiny_clip(d), local_files_only=True).eval()
        f = export_clip(clip, d / "clip")
        ctext, cimage = OrtPart(f["clip_text"], threads=1), OrtPart(f["clip_image"], threads=1)
        cpx = rng.standard_normal((4, 3, 32, 32)).astype(np.float32)
        ids = ids.copy()
        ids[:, 0], ids[:, 1] = clip.config.text_config.bos_token_id, clip.config.text_config.eos_token_id
        rows.append(_row("clip.text", lambda: [ctext(input_ids=ids, attention_mask=mask)["text_embeds"]],
                         lambda: [clip.get_text_features(input_ids=torch.from_numpy(ids),
                                                         attention_mask=torch.from_numpy(mask)).pooler_output],
                         repeats))
        rows.append(_row("clip.image", lambda: [cimage(pixel_values=cpx)["image_embeds"]],
                         lambda: [clip.get_image_features(pixel_values=torch.from_numpy(cpx)).pooler_output], repeats))
        yaml_path, ckpt = build_tiny_sam2(d, image_size=64)
        sam = build_sam2(str(yaml_path), ckpt, image_size=64, models_dir=d)
        enc = OrtPart(export_sam2_image_encoder(sam, d / "sam2_image_encoder.onnx", image_size=64), threads=1)
        spx = rng.standard_normal((1, 3, 64, 64)).astype(np.float32)
        module = sam2_image_encoder_module(sam)
        rows.append(_row("sam2.image_encoder", lambda: list(enc(image=spx).values()),
                         lambda: list(module(torch.from_numpy(spx))), repeats))
        # SAM2's per-track parts (2 tracks as one batch), as the streaming tracker runs them on ONNX Runtime
        files = export_sam2(sam, d / "sam2_parts", image_size=64)
        modules, inputs = sam2_part_modules(sam, image_size=64), example_inputs(sam, image_size=64)
        for name, mod in modules.items():
            part, feed = OrtPart(files[name], threads=1), inputs[name]

            def ort_fn(part: Any = part, feed: dict[str, Any] = feed) -> list[Any]:
                return list(part(**feed).values())

            def torch_fn(mod: Any = mod, feed: dict[str, Any] = feed) -> list[Any]:
                out = mod(*(torch.from_numpy(v) for v in feed.values()))
                return list(out) if isinstance(out, (tuple, list)) else [out]

            row = _row(f"sam2.{name}", ort_fn, torch_fn, repeats)
            if name == "prompt_mask_decoder":  # its second output is the high-resolution mask logits
                with torch.no_grad():
                    ref = torch_fn()[1].numpy() > 0
                got = ort_fn()[1] > 0
                inter = (ref & got).reshape(ref.shape[0], -1).sum(1)
                union = (ref | got).reshape(ref.shape[0], -1).sum(1)
                row["mask_iou_min"] = float(np.min(np.where(union > 0, inter / np.maximum(union, 1), 1.0)))
            rows.append(row)
    return rows


def main(json_out: Annotated[Path | None, typer.Option("--json", help="Write the results here.")] = None,
         repeats: Annotated[int, typer.Option(min=1)] = 20,
         device: Annotated[str, typer.Option(help="cuda: also time every part at real sizes on the GPU "
                                                  "(bench/backends_gpu.py).")] = "cpu",
         gpu_repeats: Annotated[int, typer.Option(min=1, help="Timed runs per GPU measurement.")] = 50,
         frames: Annotated[int, typer.Option(min=3, help="Steady-state tracker frames per GPU row.")] = 30,
         smoke: Annotated[bool, typer.Option(help="Run the GPU section small on this device (a check of the "
                                                  "script, not a measurement).")] = False,
         gpu_only: Annotated[bool, typer.Option(help="Skip the CPU ONNX Runtime rows.")] = False,
         tracker_only: Annotated[bool, typer.Option(help="GPU section: only the tracker's whole frame (1024 px), "
                                                          "per tracker precision.")] = False,
         sam2: Annotated[list[str] | None, typer.Option(help="SAM2 sizes for the GPU section (hiera_t, hiera_s, "
                                                             "hiera_b+, hiera_l; default all).")] = None) -> None:
    """Time each exported part in ONNX Runtime against torch on CPU; with --device cuda, every part on the GPU."""
    import torch
    from backends_gpu import other_runtimes, print_gpu, run_gpu

    rows = [] if gpu_only else cpu_rows(repeats)
    result: dict[str, Any] = {"device": "cpu", "threads": 1, "parts": rows, **other_runtimes()}
    for r in rows:
        iou = "" if r["mask_iou_min"] is None else f"  mask IoU min={r['mask_iou_min']:.4f}"
        typer.echo(f"{r['name']:<26} max|d|={r['max_abs_diff']:.1e}  ort/torch={r['ort_vs_torch_speed_ratio']:.2f}"
                   f"{iou}")
    if device != "cpu" or smoke:
        torch.set_num_threads(os.cpu_count() or 1)

        def save(gpu: dict[str, Any]) -> None:
            if json_out is not None:
                json_out.parent.mkdir(parents=True, exist_ok=True)
                json_out.write_text(json.dumps({**result, "gpu": gpu}, indent=2))

        result["gpu"] = run_gpu(device, gpu_repeats, smoke, frames, tuple(sam2 or ()), save, tracker_only)
        print_gpu(result["gpu"], typer.echo)
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    typer.run(main)
