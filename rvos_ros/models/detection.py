"""Open-vocabulary detection on keyframes (PARSE-VOS candidate grounding): phrases in, labelled boxes out.

Two transformers backends implement :class:`Detector` on the shared
:class:`PhraseDetector`, chosen by ``DetectorConfig.backend``
(:func:`rvos_ros.models.detectors.build_detector`):

- ``grounding_dino`` (:mod:`rvos_ros.models.grounding_dino`): the phrases
  become one caption ("dog. ball."); each box is labelled with the phrase whose
  tokens scored highest.
- ``owlv2`` (:mod:`rvos_ros.models.owlv2`): one text embedding per
  phrase, computed once per :meth:`set_phrases` (as nanoowl does); each image
  only runs the vision tower and the class/box heads.

Both share what this module holds: phrase and image checks, loading through
:func:`rvos_ros.models.files.resolve_model` (nothing downloads), and
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
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

from rvos_ros.config import DetectorConfig
from rvos_ros.errors import InputError, ModelError
from rvos_ros.models.files import resolve_model
from rvos_ros.types import Detection

if TYPE_CHECKING:
    import torch

__all__ = [
    "Detector",
    "PhraseDetector",
    "check_image",
    "load_pretrained",
    "model_failure",
    "normalize_phrases",
    "select_detections",
]


@runtime_checkable
class Detector(Protocol):
    """Open-vocabulary detector; the text side is encoded once per command."""

    def set_phrases(self, phrases: Sequence[str]) -> None:
        """The phrases to look for (a new command); encodes them once."""

    def detect(self, image: np.ndarray) -> list[Detection]:
        """Boxes in an RGB uint8 (H, W, 3) image, best first, each labelled with one of the phrases."""


class PhraseDetector:
    """What both transformers detectors share: a loaded model and processor, and the phrases looked for.

    Subclasses name their transformers classes and model key
    (:attr:`model_classes`, :attr:`model_key`, :attr:`what`) and implement
    ``set_phrases`` and ``detect``.
    """

    model_classes: tuple[str, str] = ("", "")
    """The transformers model and processor class names."""
    model_key = ""
    """The ``DetectorConfig`` field that names the model."""
    what = "detector"

    def __init__(self, model: Any, processor: Any, cfg: DetectorConfig, device: Any) -> None:
        self._model = model.to(device).eval()
        self._processor = processor
        self._cfg = cfg
        self._device = device
        self._phrases: tuple[str, ...] = ()

    @classmethod
    def load(cls, cfg: DetectorConfig, *, models_dir: str | Path, device: Any) -> Any:
        """Load the configured model (local folder, name under ``models_dir``, or cached hub id) onto ``device``."""
        import transformers

        name = getattr(cfg, cls.model_key)
        model_cls, processor_cls = (getattr(transformers, n) for n in cls.model_classes)
        model = load_pretrained(model_cls, name, models_dir=models_dir, what=f"{cls.what} detector")
        processor = load_pretrained(processor_cls, name, models_dir=models_dir, what=f"{cls.what} processor")
        return cls(model, processor, cfg, device)

    @property
    def model(self) -> Any:
        """The loaded transformers model (for engine export and inspection; do not modify it)."""
        return self._model

    @property
    def phrases(self) -> tuple[str, ...]:
        """The phrases being looked for, as labels carry them."""
        return self._phrases

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
