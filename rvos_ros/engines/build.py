"""``rvos-ros engines build``: export the configured models' parts into the engine cache.

Today this exports the SAM2 image encoder to ONNX (verified in ONNX Runtime
before it is recorded). TensorRT builds and the other parts are issue 8's
remaining work; asking for them is a clear error, never a silent no-op.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rvos_ros.config import Config
from rvos_ros.errors import EngineError

__all__ = ["BuiltPart", "build_engines"]

_TOLERANCE = 1e-3
"""Largest absolute difference from torch accepted for an fp32 ONNX export."""


@dataclass(frozen=True)
class BuiltPart:
    part: str
    path: Path
    max_abs_diff: float


def build_engines(config: Config, out_dir: str | Path, *, backend: str = "onnx", precision: str = "fp32",
                  image_size: int | None = None) -> list[BuiltPart]:
    """Export every supported part for ``config``'s models into ``out_dir``; returns what was written."""
    if backend == "tensorrt":
        try:
            import tensorrt  # noqa: F401
        except ImportError:
            raise EngineError("--backend tensorrt needs NVIDIA TensorRT's Python package (on a Jetson: JetPack; "
                              "elsewhere: pip install tensorrt); use --backend onnx here") from None
        raise EngineError("TensorRT engine builds are not implemented yet; use --backend onnx (ONNX Runtime "
                          "can run the ONNX files with its TensorRT provider)")
    if backend != "onnx":
        raise EngineError(f"unknown engine backend {backend!r}; use onnx or tensorrt")
    if precision != "fp32":
        raise EngineError("ONNX exports are fp32 (reduced precision is chosen when a TensorRT engine is built); "
                          "use --precision fp32")
    import numpy as np

    from rvos_ros.engines.cache import EngineCache, EngineKey, state_dict_hash
    from rvos_ros.engines.export import (
        export_sam2_image_encoder,
        max_abs_diff,
        ort_session,
        sam2_image_encoder_module,
    )
    from rvos_ros.perception.tracker import build_sam2

    tc = config.perception.tracker
    size = image_size or tc.image_size
    if size < 64 or size % 32:
        raise EngineError(f"--image-size must be a multiple of 32 and >= 64, got {size}")
    model: Any = build_sam2(tc.model_config, tc.checkpoint, image_size=size, models_dir=config.perception.models_dir)
    cache = EngineCache(out_dir)
    key = EngineKey("sam2.image_encoder", state_dict_hash(model.state_dict()), (1, 3, size, size))
    path = export_sam2_image_encoder(model, cache.path_for(key, ".onnx"), image_size=size)
    x = np.random.default_rng(0).standard_normal((1, 3, size, size)).astype(np.float32)
    diff = max(max_abs_diff(ort_session(path, ["CPUExecutionProvider"]), sam2_image_encoder_module(model),
                            {"image": x}))
    if diff > _TOLERANCE:
        path.unlink()
        raise EngineError(f"the exported SAM2 image encoder differs from torch by {diff:.2e} (> {_TOLERANCE}); "
                          "not recorded")
    cache.store(path, key)
    return [BuiltPart(key.part, path, diff)]
