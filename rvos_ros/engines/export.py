"""ONNX export of model parts, checked against torch in ONNX Runtime.

Done so far: the SAM2 image encoder (the per-frame cost that dominates on
every target, see ``bench/pipeline.py``) and CLIP's image and text encoders
(dynamic batch: all candidate crops, all prompts at once). Still to do
(issue 8): prompt encoder + mask decoder, memory attention with fixed-size
padded memory inputs, memory encoder and the detectors.

Exports use torch's TorchScript-based exporter (``dynamo=False``), which
traces SAM2's Hiera trunk reliably; every export is verified by running the
ONNX file in ONNX Runtime on the same input and comparing each output.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from rvos_ros.errors import EngineError

__all__ = ["SAM2_ENCODER_OUTPUTS", "clip_modules", "export_clip", "export_sam2_image_encoder", "max_abs_diff",
           "ort_session"]

SAM2_ENCODER_OUTPUTS = ("fpn0", "fpn1", "fpn2", "pos0", "pos1", "pos2")
"""The encoder's three FPN levels (high to low resolution) and their position encodings, as SAM2 returns them."""


def ort_session(path: str | Path, providers: list[str] | None = None) -> Any:
    """An ONNX Runtime session on ``path``; providers default to CUDA when available, else CPU."""
    try:
        import onnxruntime as ort
    except ImportError as err:
        raise EngineError("ONNX Runtime is not installed: pip install 'rvos_ros[onnx]'") from err
    available = ort.get_available_providers()
    wanted = providers or [p for p in ("CUDAExecutionProvider", "CPUExecutionProvider") if p in available]
    missing = [p for p in wanted if p not in available]
    if missing:
        raise EngineError(f"ONNX Runtime here has no {', '.join(missing)} (available: {', '.join(available)}); "
                          "install onnxruntime-gpu for CUDA/TensorRT providers or choose CPUExecutionProvider")
    try:
        return ort.InferenceSession(str(path), providers=wanted)
    except Exception as err:  # onnxruntime raises its own exception types for bad files
        raise EngineError(f"ONNX Runtime cannot load {str(path)!r} ({err}); re-export it with "
                          "`rvos-ros engines build --backend onnx`") from err


class _ImageEncoder:
    """Wraps ``SAM2Base.forward_image`` so its dict output becomes a flat tuple of tensors."""

    def __new__(cls, model: Any) -> Any:
        import torch

        class Encoder(torch.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.model = model

            def forward(self, image: torch.Tensor) -> tuple[torch.Tensor, ...]:
                out = self.model.forward_image(image)
                return tuple(out["backbone_fpn"]) + tuple(out["vision_pos_enc"])

        return Encoder().eval()


def export_sam2_image_encoder(model: Any, out: str | Path, *, image_size: int, opset: int = 17) -> Path:
    """Export SAM2's image encoder for a (1, 3, image_size, image_size) normalized image; returns the path."""
    import torch

    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    encoder = _ImageEncoder(model)
    example = torch.zeros(1, 3, image_size, image_size)
    try:
        with torch.inference_mode(False), torch.no_grad():
            torch.onnx.export(encoder, (example,), str(path), dynamo=False, opset_version=opset,
                              input_names=["image"], output_names=list(SAM2_ENCODER_OUTPUTS))
    except Exception as err:  # the exporter raises many types; the message is what helps
        raise EngineError(f"exporting the SAM2 image encoder failed ({type(err).__name__}: {err})") from err
    return path


def max_abs_diff(session: Any, torch_module: Any, inputs: dict[str, np.ndarray]) -> list[float]:
    """Largest absolute difference per output between an ONNX Runtime session and the torch module."""
    import torch

    got = session.run(None, inputs)
    with torch.no_grad():
        ref = torch_module(*(torch.from_numpy(v) for v in inputs.values()))
    ref = ref if isinstance(ref, (tuple, list)) else (ref,)
    if len(got) != len(ref):
        raise EngineError(f"the ONNX file has {len(got)} outputs, torch gives {len(ref)}")
    return [float(np.abs(np.asarray(a, dtype=np.float64) - b.detach().numpy().astype(np.float64)).max())
            for a, b in zip(got, ref, strict=True)]


def sam2_image_encoder_module(model: Any) -> Any:
    """The torch module :func:`export_sam2_image_encoder` exports (for comparisons)."""
    return _ImageEncoder(model)


def clip_modules(model: Any) -> tuple[Any, Any]:
    """``(image_encoder, text_encoder)`` torch modules returning CLIP's projected features (what is exported)."""
    import torch

    class Image(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, pixel_values: torch.Tensor) -> torch.Tensor:
            out = self.model.get_image_features(pixel_values=pixel_values)
            return out if isinstance(out, torch.Tensor) else out.pooler_output

    class Text(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            out = self.model.get_text_features(input_ids=input_ids, attention_mask=attention_mask)
            return out if isinstance(out, torch.Tensor) else out.pooler_output

    return Image().eval(), Text().eval()


def export_clip(model: Any, out_dir: str | Path, *, image_size: int, max_tokens: int, opset: int = 17
                ) -> dict[str, Path]:
    """Export CLIP's image encoder (N, 3, S, S) and text encoder (N, max_tokens), both with a dynamic batch."""
    import torch

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    image, text = clip_modules(model)
    paths = {"clip.image": out / "clip_image.onnx", "clip.text": out / "clip_text.onnx"}
    ids = torch.zeros(2, max_tokens, dtype=torch.long)
    try:
        with torch.no_grad():
            torch.onnx.export(image, (torch.zeros(2, 3, image_size, image_size),), str(paths["clip.image"]),
                              dynamo=False, opset_version=opset, input_names=["pixel_values"],
                              output_names=["image_embeds"],
                              dynamic_axes={"pixel_values": {0: "n"}, "image_embeds": {0: "n"}})
            torch.onnx.export(text, (ids, torch.ones_like(ids)), str(paths["clip.text"]), dynamo=False,
                              opset_version=opset, input_names=["input_ids", "attention_mask"],
                              output_names=["text_embeds"],
                              dynamic_axes={"input_ids": {0: "n"}, "attention_mask": {0: "n"}, "text_embeds": {0: "n"}})
    except Exception as err:  # the exporter raises many types; the message is what helps
        raise EngineError(f"exporting CLIP failed ({type(err).__name__}: {err})") from err
    return paths
