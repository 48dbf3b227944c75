"""SAM2 (Meta's ``sam2`` package): building the model from a config and a checkpoint, and its input.

The streaming predictor that drives the model frame by frame is
:class:`rvos_ros.perception.tracker.StreamingTracker`; engine export
(:mod:`rvos_ros.engines.sam2_export`) builds the same model here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cv2
import numpy as np
import torch

from rvos_ros.errors import ConfigError, ModelError
from rvos_ros.models.files import resolve_checkpoint

__all__ = ["IMAGE_MEAN", "IMAGE_STD", "build_sam2", "preprocess", "sam2_config_path"]

IMAGE_MEAN = (0.485, 0.456, 0.406)
IMAGE_STD = (0.229, 0.224, 0.225)
# build_sam2_video_predictor's post-processing overrides: what sam2's own video tracking runs with
_VIDEO_OVERRIDES = {
    "sam_mask_decoder_extra_args": {"dynamic_multimask_via_stability": True,
                                    "dynamic_multimask_stability_delta": 0.05,
                                    "dynamic_multimask_stability_thresh": 0.98},
    "binarize_mask_from_pts_for_mem_enc": True,
}


def sam2_config_path(name: str, models_dir: str | Path) -> Path:
    """A SAM2 YAML: ``name`` as a path, under ``models_dir``, or inside the sam2 package."""
    import sam2

    package = Path(sam2.__file__).resolve().parent
    names = [name] if name.endswith((".yaml", ".yml")) else [name, name + ".yaml"]
    for n in names:
        for candidate in (Path(n).expanduser(), Path(models_dir) / n, package / n):
            if candidate.is_file():
                return candidate
    raise ConfigError(f"perception.tracker.model_config {name!r} is neither a YAML file nor a config inside the "
                      "sam2 package; use e.g. 'configs/sam2.1/sam2.1_hiera_t.yaml' or a path to a .yaml")


def build_sam2(model_config: str, checkpoint: str | Path, *, image_size: int, models_dir: str | Path = ".",
               device: Any = "cpu") -> Any:
    """A ``sam2.modeling.sam2_base.SAM2Base`` in eval mode from a config and a ``{"model": state_dict}`` checkpoint.

    ``image_size`` (pixels, multiple of 32) replaces the config's. The
    checkpoint loads with ``weights_only=True`` and must match the config
    exactly (ModelError naming the first differing keys otherwise).
    """
    from hydra.utils import instantiate
    from omegaconf import OmegaConf
    from sam2.modeling.sam2_base import SAM2Base

    path = sam2_config_path(model_config, models_dir)
    ckpt = resolve_checkpoint(str(checkpoint), models_dir)
    try:
        blob = torch.load(ckpt, map_location="cpu", weights_only=True)
    except Exception as err:
        raise ModelError(f"checkpoint {str(ckpt)!r} is not a readable weights file ({_load_failure(err)}); "
                         "only plain-tensor checkpoints load (weights_only); run `rvos-ros models pull` again"
                         ) from err
    if not isinstance(blob, dict) or not isinstance(blob.get("model"), dict):
        raise ModelError(f"checkpoint {str(ckpt)!r} has no 'model' state dict (Meta's SAM2 checkpoints do); "
                         "use a sam2 checkpoint file")
    try:
        cfg = OmegaConf.load(path)
        overrides: dict[str, Any] = {"image_size": image_size, **_VIDEO_OVERRIDES}
        model_cfg = OmegaConf.merge(cfg.model, overrides)
        OmegaConf.resolve(model_cfg)
        model = instantiate(model_cfg, _recursive_=True)
    except Exception as err:
        raise ModelError(f"SAM2 config {str(path)!r} could not build a model ({type(err).__name__}: {err}); "
                         "check perception.tracker.model_config") from err
    if not isinstance(model, SAM2Base):
        raise ModelError(f"SAM2 config {str(path)!r} builds a {type(model).__name__}, not a SAM2Base; "
                         "its model._target_ must be sam2.modeling.sam2_base.SAM2Base")
    _check_state_dict(model, blob["model"], ckpt, path)
    model.load_state_dict(blob["model"], strict=True)
    return model.to(device).eval()


def _load_failure(err: Exception) -> str:
    """The one line of a torch.load failure that says why (its weights_only message is a page long)."""
    lines = [ln.strip() for ln in str(err).splitlines() if ln.strip()]
    reason = next((ln for ln in lines if "WeightsUnpickler error:" in ln), lines[0] if lines else "")
    return f"{type(err).__name__}: {reason.split('. Please')[0][:200]}"


def _check_state_dict(model: Any, state: dict[str, Any], ckpt: Path, config: Path) -> None:
    expected = model.state_dict()
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    shapes = sorted(k for k in set(expected) & set(state)
                    if not isinstance(state[k], torch.Tensor) or state[k].shape != expected[k].shape)
    if missing or unexpected or shapes:
        parts = [f"{what} {len(keys)} (e.g. {keys[:3]})"
                 for what, keys in (("missing", missing), ("unexpected", unexpected), ("wrong shape", shapes))
                 if keys]
        raise ModelError(f"checkpoint {str(ckpt)!r} does not match SAM2 config {str(config)!r}: "
                         f"{', '.join(parts)}; set perception.tracker.model_config to the config of this checkpoint")


def preprocess(image: np.ndarray, image_size: int, device: Any = "cpu") -> torch.Tensor:
    """RGB uint8 (H, W, 3) → (1, 3, S, S) float32 as sam2 feeds its encoder: squashed to S×S, ImageNet-normalised."""
    h, w = image.shape[:2]
    interp = cv2.INTER_AREA if image_size < min(h, w) else cv2.INTER_LINEAR
    small = cv2.resize(image, (image_size, image_size), interpolation=interp)
    x = torch.from_numpy(small).to(device).permute(2, 0, 1).float().div_(255.0)
    mean = torch.tensor(IMAGE_MEAN, device=x.device)[:, None, None]
    std = torch.tensor(IMAGE_STD, device=x.device)[:, None, None]
    return ((x - mean) / std).unsqueeze(0)
