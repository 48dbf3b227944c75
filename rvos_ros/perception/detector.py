"""Open-vocabulary detection on keyframes (PARSE-VOS candidate grounding): phrases in, labelled boxes out.

Two transformers backends implement :class:`rvos_ros.perception.base.Detector`,
chosen by ``DetectorConfig.backend``:

- ``grounding_dino`` (:mod:`rvos_ros.perception.detector_gdino`): the phrases
  become one caption ("dog. ball."); each box is labelled with the phrase whose
  tokens scored highest.
- ``owlv2`` (:mod:`rvos_ros.perception.detector_owlv2`): one text embedding per
  phrase, computed once per :meth:`set_phrases` (as nanoowl does); each image
  only runs the vision tower and the class/box heads.

Both share what this module holds: the phrases a command asks for
(:func:`query_phrases`), phrase and image checks, loading through
:func:`rvos_ros.perception.model_files.resolve_model` (nothing downloads), and
the common post-processing (:func:`select_detections`: clip to the image,
threshold, class-agnostic NMS, best first, at most ``max_detections``).

Contract of ``detect``: boxes are pixel ``(x1, y1, x2, y2)`` in the input
image, clipped to it, sorted by score (best first); ``phrase`` is always one of
the strings given to ``set_phrases``. Before ``set_phrases`` or with no usable
phrase, ``detect`` returns ``[]`` (nothing asked, nothing found). torch and
transformers are imported only here and in the backends, never by ``import rvos_ros``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from rvos_ros.config import DetectorConfig
from rvos_ros.errors import ConfigError, InputError, ModelError
from rvos_ros.perception.base import Detection, Detector
from rvos_ros.perception.model_files import resolve_model
from rvos_ros.types import ParsedQuery

if TYPE_CHECKING:
    import torch

__all__ = [
    "ANY_OBJECT_PHRASE",
    "build_detector",
    "check_image",
    "load_pretrained",
    "model_failure",
    "normalize_phrases",
    "query_phrases",
    "select_detections",
]

ANY_OBJECT_PHRASE = "object"
"""What the detector looks for when a command names no category ("the thing moving left")."""


def query_phrases(query: ParsedQuery) -> tuple[str, ...]:
    """The detector phrases of a command: its candidate categories, then its context entities, deduplicated.

    A command that names no category ("something moving left") looks for
    ``"object"`` first. Attributes ("red", "big", "sitting") are deliberately
    not baked into the phrases: open-vocabulary detectors score attribute words
    weakly and unevenly, so "red dog" could drop the true target before
    reasoning ever sees it, and many attributes are comparisons between
    candidates ("the bigger dog", "the left one") that need every dog tracked.
    The reasoner and the CLIP/pixel verifier judge attributes on the tracks.
    """
    phrases = list(query.categories) if query.categories else [ANY_OBJECT_PHRASE]
    phrases.extend(query.context)
    return normalize_phrases(phrases)


def normalize_phrases(phrases: Sequence[str]) -> tuple[str, ...]:
    """Phrases stripped, inner whitespace collapsed, blanks dropped, case-insensitive duplicates dropped (first kept).

    The returned strings are what ``Detection.phrase`` carries. Raises
    :class:`InputError` when ``phrases`` is a bare string or holds a non-string.
    """
    if isinstance(phrases, str):
        raise InputError(f"detector phrases must be a sequence of strings, got the string {phrases!r}; "
                         "wrap it in a list")
    out: list[str] = []
    seen: set[str] = set()
    for p in phrases:
        if not isinstance(p, str):
            raise InputError(f"detector phrase {p!r} is a {type(p).__name__}, not a string; pass text phrases")
        clean = " ".join(p.split())
        key = clean.lower()
        if clean and key not in seen:
            seen.add(key)
            out.append(clean)
    return tuple(out)


def check_image(image: Any) -> tuple[int, int]:
    """``(height, width)`` of an RGB uint8 (H, W, 3) image; anything else is an :class:`InputError`."""
    if (not isinstance(image, np.ndarray) or image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3
            or image.shape[0] == 0 or image.shape[1] == 0):
        shape = getattr(image, "shape", None)
        dtype = getattr(image, "dtype", type(image).__name__)
        raise InputError(f"detector image must be a non-empty HxWx3 uint8 RGB array, got shape {shape} dtype {dtype}; "
                         "convert it (e.g. cv2.cvtColor, .astype(np.uint8)) before detecting")
    return int(image.shape[0]), int(image.shape[1])


def writable(image: np.ndarray) -> np.ndarray:
    """``image`` itself, or a copy when it is read-only (frames decoded from bags are): torch refuses those."""
    return image if image.flags.writeable else image.copy()


def select_detections(boxes: torch.Tensor, scores: torch.Tensor, labels: torch.Tensor, phrases: Sequence[str], *,
                      width: int, height: int, cfg: DetectorConfig) -> list[Detection]:
    """The common tail of both backends: clip, threshold, class-agnostic NMS, best first, at most ``max_detections``.

    ``boxes``: (N, 4) pixel ``(x1, y1, x2, y2)`` in the input image;
    ``scores``: (N,) in [0, 1]; ``labels``: (N,) indices into ``phrases``.
    Boxes with a score below ``cfg.box_threshold`` or with no area left inside
    the image are dropped; a box overlapping a better one by more than
    ``cfg.nms_iou`` (IoU) is suppressed whatever its phrase, because two
    phrases naming one object ("dog", "animal") must not give two tracks.
    """
    import torch
    from torchvision.ops import nms

    boxes = boxes.detach().float().reshape(-1, 4)
    scores = scores.detach().float().reshape(-1)
    labels = labels.detach().reshape(-1)
    boxes = torch.stack([boxes[:, 0].clamp(0, width), boxes[:, 1].clamp(0, height),
                         boxes[:, 2].clamp(0, width), boxes[:, 3].clamp(0, height)], dim=1)
    valid = (scores >= cfg.box_threshold) & (boxes[:, 2] > boxes[:, 0]) & (boxes[:, 3] > boxes[:, 1])
    valid &= torch.isfinite(scores) & torch.isfinite(boxes).all(dim=1)
    boxes, scores, labels = boxes[valid], scores[valid], labels[valid]
    keep = nms(boxes, scores, cfg.nms_iou)[: cfg.max_detections]  # indices sorted by decreasing score
    rows = torch.cat([boxes[keep], scores[keep, None], labels[keep, None].float()], dim=1).cpu().tolist()
    return [Detection(box=(x1, y1, x2, y2), score=s, phrase=phrases[int(k)]) for x1, y1, x2, y2, s, k in rows]


def load_pretrained(loader: Any, name: str, *, models_dir: str | Path, what: str) -> Any:
    """``loader.from_pretrained`` on a local folder or a hub id already in the local Hugging Face cache.

    ``local_files_only`` is always set: a hub id reads the cache that
    ``rvos-ros models pull`` filled, and nothing downloads at run time. Any
    failure (missing, incomplete or foreign files) becomes a :class:`ModelError`
    that names the model and says how to get it.
    """
    source = resolve_model(name, models_dir)
    try:
        return loader.from_pretrained(source, local_files_only=True)
    # from_pretrained fails in many ways (OSError, ValueError, KeyError, safetensors errors...): all mean the same here
    except Exception as err:
        where = f"local folder {source!r}" if Path(source).is_dir() else (
            f"hub id {name!r} (not in the local Hugging Face cache, nor under {str(models_dir)!r})")
        cause = " ".join(str(err).split())[:300]  # one line: the CLI and the status topic print it as is
        raise ModelError(f"cannot load the {what} from {where}; run `rvos-ros models pull` on a machine with "
                         f"internet, or point perception.detector at a saved model folder "
                         f"(cause: {type(err).__name__}: {cause})") from err


def model_failure(what: str, image_shape: tuple[int, ...], err: Exception) -> ModelError:
    """The :class:`ModelError` for a model that failed on one image (out of memory, a mismatched processor...)."""
    cause = " ".join(str(err).split())[:300]
    return ModelError(f"the {what} failed on a {image_shape[1]}x{image_shape[0]} image ({type(err).__name__}: "
                      f"{cause}); check perception.device and that the model folder holds a matching processor")


def build_detector(cfg: DetectorConfig, *, models_dir: str | Path, device: Any = "auto") -> Detector:
    """Load the configured detector backend onto ``device`` (a torch device or a spec: auto, cpu, cuda:0).

    Raises :class:`ModelError` when the weights cannot be loaded (with the
    ``rvos-ros models pull`` hint) and :class:`ConfigError` for an empty model
    name, an unknown backend or an unusable device.
    """
    from rvos_ros.perception.model_files import torch_device

    dev = torch_device(device) if isinstance(device, str) else device
    if cfg.backend == "grounding_dino":
        from rvos_ros.perception.detector_gdino import GroundingDinoDetector

        return GroundingDinoDetector.load(cfg, models_dir=models_dir, device=dev)
    if cfg.backend == "owlv2":
        from rvos_ros.perception.detector_owlv2 import Owlv2Detector

        return Owlv2Detector.load(cfg, models_dir=models_dir, device=dev)
    raise ConfigError(f"config key 'perception.detector.backend': unknown backend {cfg.backend!r}; "
                      "use grounding_dino or owlv2")
