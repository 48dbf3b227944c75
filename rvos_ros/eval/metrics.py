"""Region similarity J and boundary F-measure, as the DAVIS 2017 evaluation defines them.

J is the intersection over union of two boolean masks; F is the F-measure of
their boundaries (``seg2bmap``, one pixel wide, at mask resolution) matched
within a disk of radius ``ceil(bound_th * image diagonal)`` pixels. Both follow
davis2017-evaluation's ``db_eval_iou`` and ``f_measure`` exactly, including
their edge cases, so scores compare with published RVOS tables:

- J: a frame where both masks are empty scores 1.
- F: precision/recall are computed on boundary pixels; with no predicted
  boundary and some ground-truth boundary, P=1 and R=0 (F=0); the reverse gives
  P=0 and R=1 (F=0); no boundary on either side gives F=1. ``seg2bmap`` marks no
  boundary along the image border, so a full-frame mask has no boundary at all
  (a full-frame prediction against an empty ground truth scores F=1, as in DAVIS).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import cv2
import numpy as np

from rvos_ros.errors import InputError

__all__ = [
    "DEFAULT_BOUND_TH",
    "boundary_f_measure",
    "boundary_radius",
    "disk_kernel",
    "jf",
    "mean_jf",
    "region_similarity",
    "seg2bmap",
    "sequence_jf",
]

DEFAULT_BOUND_TH = 0.008


def _check_pair(pred: np.ndarray, gt: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    pred = np.asarray(pred)
    gt = np.asarray(gt)
    if pred.ndim != 2 or gt.ndim != 2:
        raise InputError(f"masks must be 2-D (H, W) arrays, got prediction shape {pred.shape} and ground truth "
                         f"shape {gt.shape}; pass one frame's mask at a time")
    if pred.shape != gt.shape:
        raise InputError(f"prediction mask has shape {pred.shape} but ground truth has {gt.shape}; "
                         "resize the prediction to the frame size")
    return pred.astype(bool), gt.astype(bool)


def region_similarity(pred: np.ndarray, gt: np.ndarray) -> float:
    """J: intersection over union of two (H, W) masks (non-zero = foreground); 1.0 when both are empty."""
    p, g = _check_pair(pred, gt)
    union = int(np.count_nonzero(p | g))
    if union == 0:
        return 1.0
    return int(np.count_nonzero(p & g)) / union


def seg2bmap(mask: np.ndarray) -> np.ndarray:
    """Boundary map of a (H, W) mask at the same resolution (DAVIS ``seg2bmap``).

    A pixel is a boundary pixel when it differs from its east, south or
    south-east neighbour (pixels past the image count as background); on the
    last row only the east neighbour counts, on the last column only the south
    one, and the bottom-right pixel is never a boundary.
    """
    seg = np.asarray(mask).astype(bool)
    east = np.zeros_like(seg)
    south = np.zeros_like(seg)
    south_east = np.zeros_like(seg)
    east[:, :-1] = seg[:, 1:]
    south[:-1, :] = seg[1:, :]
    south_east[:-1, :-1] = seg[1:, 1:]
    bmap = (seg ^ east) | (seg ^ south) | (seg ^ south_east)
    bmap[-1, :] = seg[-1, :] ^ east[-1, :]
    bmap[:, -1] = seg[:, -1] ^ south[:, -1]
    bmap[-1, -1] = False
    return bmap


def boundary_radius(shape: tuple[int, int], bound_th: float = DEFAULT_BOUND_TH) -> float:
    """Matching radius in pixels: ``bound_th`` itself when >= 1, else ``ceil(bound_th * diagonal)``."""
    if not math.isfinite(bound_th) or bound_th <= 0:
        raise InputError(f"bound_th must be a positive number (a fraction of the image diagonal below 1, "
                         f"pixels from 1 up), got {bound_th!r}; DAVIS uses 0.008")
    if bound_th >= 1:
        return float(bound_th)
    return float(math.ceil(bound_th * math.hypot(shape[0], shape[1])))


def disk_kernel(radius: float) -> np.ndarray:
    """uint8 structuring element of the pixels with x^2 + y^2 <= radius^2 (skimage's ``disk``)."""
    half = int(math.floor(radius))
    grid = np.arange(-half, half + 1)
    xs, ys = np.meshgrid(grid, grid)
    return (xs * xs + ys * ys <= radius * radius).astype(np.uint8)


def boundary_f_measure(pred: np.ndarray, gt: np.ndarray, bound_th: float = DEFAULT_BOUND_TH) -> float:
    """F: boundary F-measure of two (H, W) masks, boundaries matched within ``boundary_radius`` pixels."""
    p, g = _check_pair(pred, gt)
    radius = boundary_radius(p.shape, bound_th)
    pred_b = seg2bmap(p)
    gt_b = seg2bmap(g)
    n_pred = int(np.count_nonzero(pred_b))
    n_gt = int(np.count_nonzero(gt_b))
    # The edge cases of davis2017-evaluation's f_measure, kept verbatim for comparability.
    if n_pred == 0 and n_gt == 0:
        return 1.0
    if n_pred == 0 or n_gt == 0:
        return 0.0
    kernel = disk_kernel(radius)
    pred_dil = cv2.dilate(pred_b.astype(np.uint8), kernel) > 0
    gt_dil = cv2.dilate(gt_b.astype(np.uint8), kernel) > 0
    precision = int(np.count_nonzero(pred_b & gt_dil)) / n_pred
    recall = int(np.count_nonzero(gt_b & pred_dil)) / n_gt
    if precision + recall == 0:
        return 0.0
    return 2.0 * precision * recall / (precision + recall)


def jf(pred: np.ndarray, gt: np.ndarray, bound_th: float = DEFAULT_BOUND_TH) -> tuple[float, float]:
    """``(J, F)`` of one frame."""
    return region_similarity(pred, gt), boundary_f_measure(pred, gt, bound_th)


def sequence_jf(pred_masks: Iterable[np.ndarray], gt_masks: Iterable[np.ndarray], *,
                bound_th: float = DEFAULT_BOUND_TH) -> tuple[float, float]:
    """Mean ``(J, F)`` over the frames of one sequence (masks are consumed in step, one pair at a time)."""
    js: list[float] = []
    fs: list[float] = []
    sentinel = object()
    pred_it, gt_it = iter(pred_masks), iter(gt_masks)
    while True:
        p = next(pred_it, sentinel)
        g = next(gt_it, sentinel)
        if p is sentinel and g is sentinel:
            break
        if p is sentinel or g is sentinel:
            raise InputError(f"prediction and ground truth have different numbers of frames (they differ after "
                             f"{len(js)} frames); give one prediction per ground-truth frame")
        j, f = jf(p, g, bound_th)  # type: ignore[arg-type]
        js.append(j)
        fs.append(f)
    if not js:
        raise InputError("sequence has no frames; J and F need at least one frame")
    return float(np.mean(js)), float(np.mean(fs))


def mean_jf(scores: Iterable[tuple[float, float]]) -> tuple[float, float, float]:
    """``(J, F, J&F)`` averaged over sequences (or expressions) given as ``(J, F)`` pairs."""
    arr = np.asarray(list(scores), dtype=float).reshape(-1, 2)
    if arr.shape[0] == 0:
        raise InputError("no sequences to average; evaluate at least one expression")
    j, f = float(arr[:, 0].mean()), float(arr[:, 1].mean())
    return j, f, (j + f) / 2.0
