"""Choosing engine parts by config: where ``engines build`` puts the SAM2 parts, and loading them back.

The SAM2 export is a folder (four ONNX files and ``sam2_parts.json``) named
after the checkpoint's hash, the input size and the prompt-frame slots; the
metadata file carries a sidecar, so a folder built from other weights or for
another size is refused with the command that rebuilds it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rvos_ros.config import Config
from rvos_ros.engines.cache import EngineCache, EngineKey, file_hash

__all__ = ["load_sam2_parts", "sam2_parts_key", "sam2_parts_location"]


def sam2_parts_key(config: Config, image_size: int | None = None) -> EngineKey:
    """The key of the configured tracker's SAM2 export (checkpoint file hash, input size)."""
    from rvos_ros.perception.model_files import resolve_checkpoint

    tc = config.perception.tracker
    size = image_size or tc.image_size
    ckpt = resolve_checkpoint(tc.checkpoint, config.perception.models_dir)
    return EngineKey("sam2.parts", file_hash(ckpt), (1, 3, size, size))


def sam2_parts_location(config: Config, key: EngineKey) -> tuple[Path, Path]:
    """``(folder, metadata file)`` of the SAM2 export for ``key`` in ``engines.dir``."""
    from rvos_ros.engines.sam2_runtime import SAM2_META

    slots = config.perception.tracker.max_prompt_frames
    folder = Path(config.engines.dir) / f"sam2_parts_{key.model_hash[:8]}_{key.input_shape[-1]}_p{slots}"
    return folder, folder / SAM2_META


def load_sam2_parts(config: Config) -> Any:
    """``OrtSam2Parts`` for the configured tracker on ``engines.provider``; EngineError if not built for it."""
    from rvos_ros.engines.sam2_runtime import OrtSam2Parts

    key = sam2_parts_key(config)
    folder, meta = sam2_parts_location(config, key)
    EngineCache(folder).lookup(meta, key)
    return OrtSam2Parts(folder, providers=config.engines.provider)
