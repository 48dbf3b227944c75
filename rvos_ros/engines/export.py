"""ONNX export of model parts, checked against torch in ONNX Runtime.

This module: the SAM2 image encoder (the per-frame cost that dominates on
every target, see ``bench/pipeline.py``). OWLv2 is in
:mod:`rvos_ros.engines.detector_export`, CLIP in
:mod:`rvos_ros.engines.clip_export`; sessions come from
:mod:`rvos_ros.engines.onnx_runtime`. Still to do (issue 8): SAM2's prompt
encoder + mask decoder, memory attention with fixed-size padded memory
inputs, the memory encoder, and a GroundingDINO export that matches torch.

Exports use torch's TorchScript-based exporter (``dynamo=False``), which
traces SAM2's Hiera trunk reliably; every export is verified by running the
ONNX file in ONNX Runtime on the same input and comparing each output.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from rvos_ros.errors import EngineError

__all__ = ["SAM2_ENCODER_OUTPUTS", "export_sam2_image_encoder", "max_abs_diff", "sam2_image_encoder_module"]

SAM2_ENCODER_OUTPUTS = ("fpn0", "fpn1", "fpn2", "pos0", "pos1", "pos2")
"""The encoder's three FPN levels (high to low resolution) and their position encodings, as SAM2 returns them."""


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

