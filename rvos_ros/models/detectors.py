"""The detector factory: the configured open-vocabulary detector backend, loaded (apart from the helpers
its backends import, so that no backend imports the module that imports it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rvos_ros.config import DetectorConfig
from rvos_ros.errors import ConfigError
from rvos_ros.models.detection import Detector
from rvos_ros.models.files import torch_device

__all__ = ["build_detector"]


def build_detector(cfg: DetectorConfig, *, models_dir: str | Path, device: Any = "auto") -> Detector:
    """Load the configured detector backend onto ``device`` (a torch device or a spec: auto, cpu, cuda:0).

    Raises :class:`ModelError` when the weights cannot be loaded (with the
    ``rvos-ros models pull`` hint) and :class:`ConfigError` for an empty model
    name, an unknown backend or an unusable device.
    """
    dev = torch_device(device) if isinstance(device, str) else device
    if cfg.backend == "grounding_dino":
        from rvos_ros.models.grounding_dino import GroundingDinoDetector

        return GroundingDinoDetector.load(cfg, models_dir=models_dir, device=dev)
    if cfg.backend == "owlv2":
        from rvos_ros.models.owlv2 import Owlv2Detector

        return Owlv2Detector.load(cfg, models_dir=models_dir, device=dev)
    raise ConfigError(f"config key 'perception.detector.backend': unknown backend {cfg.backend!r}; "
                      "use grounding_dino or owlv2")
