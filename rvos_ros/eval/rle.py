"""COCO run-length encoded masks, as MeViS stores its ground truth (``mask_dict.json``), through pycocotools.

An RLE is ``{"size": [height, width], "counts": ...}``: ``counts`` is the
compressed string COCO writes (MeViS's form) or an uncompressed list of run
lengths (column-major, starting with a background run). pycocotools is
imported on first use, so datasets without RLE masks never need it.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np

from rvos_ros.errors import InputError

__all__ = ["decode_rle", "encode_rle"]


def _mask_api() -> Any:
    try:
        from pycocotools import mask as mask_api
    except ImportError as err:  # pragma: no cover - pycocotools is in install_requires
        raise InputError("reading COCO RLE masks (MeViS mask_dict.json) needs pycocotools; "
                         "install it with `pip install pycocotools`") from err
    return mask_api


def encode_rle(mask: np.ndarray) -> dict[str, Any]:
    """A boolean (H, W) mask as a JSON-ready compressed RLE (``counts`` a str, as MeViS writes it)."""
    rle = _mask_api().encode(np.asfortranarray(np.asarray(mask, dtype=np.uint8)))
    counts = rle["counts"]
    return {"size": [int(v) for v in rle["size"]],
            "counts": counts.decode("ascii") if isinstance(counts, bytes) else counts}


def decode_rle(rle: Any, where: str) -> np.ndarray:
    """A compressed or uncompressed RLE as a boolean (H, W) mask; ``where`` names it in errors."""
    if not isinstance(rle, Mapping) or "size" not in rle or "counts" not in rle:
        raise InputError(f"{where} must be a COCO RLE {{'size': [h, w], 'counts': ...}} or null, got "
                         f"{str(rle)[:80]!r}; check that mask_dict.json is MeViS's file")
    api = _mask_api()
    try:
        h, w = (int(v) for v in rle["size"])
        obj = api.frPyObjects(dict(rle), h, w) if isinstance(rle["counts"], list) else dict(rle)
        with warnings.catch_warnings():  # pycocotools 2.0.x's __array__ predates NumPy 2's copy keyword
            warnings.simplefilter("ignore", DeprecationWarning)
            return np.asarray(api.decode(obj), dtype=bool)
    except (TypeError, ValueError) as err:
        raise InputError(f"{where} is not a valid COCO RLE ({err}); check that mask_dict.json is MeViS's file") \
            from err
