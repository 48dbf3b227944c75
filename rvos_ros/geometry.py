"""Pixel geometry shared by perception and reasoning: boxes of masks, camera-motion compensation.

Conventions (docs/contracts.md): boxes are ``(x1, y1, x2, y2)`` in pixels with
an exclusive far corner; ``H[t]`` maps pixel coordinates of frame t-1 to frame
t (``H[0]`` is the identity). Compensation maps points seen in frame t back
into frame 0's coordinates, so that a static object keeps constant compensated
coordinates while the camera pans or zooms.
"""

from __future__ import annotations

import numpy as np

from rvos_ros.types import Box

__all__ = ["compensate_boxes", "compensate_points", "cumulative_homographies", "mask_box"]


def mask_box(mask: np.ndarray) -> Box | None:
    """Box ``(x1, y1, x2 + 1, y2 + 1)`` in pixels of a boolean mask's True pixels, None when empty."""
    cols = np.flatnonzero(mask.any(axis=0))
    if cols.size == 0:
        return None
    rows = np.flatnonzero(mask.any(axis=1))
    return (float(cols[0]), float(rows[0]), float(cols[-1] + 1), float(rows[-1] + 1))


def cumulative_homographies(step_h: np.ndarray) -> np.ndarray:
    """(T, 3, 3) per-step homographies (t-1 → t) → (T, 3, 3) homographies mapping frame t → frame 0."""
    step_h = np.asarray(step_h, dtype=np.float64)
    out = np.empty_like(step_h)
    acc = np.eye(3)  # maps frame 0 -> frame t
    for t in range(step_h.shape[0]):
        if t > 0:
            acc = step_h[t] @ acc
            acc = acc / acc[2, 2]
        inv = np.linalg.inv(acc)
        out[t] = inv / inv[2, 2]
    return out


def compensate_points(points: np.ndarray, frames: np.ndarray, to_first: np.ndarray) -> np.ndarray:
    """Map (N, 2) pixel points observed at window frames ``frames`` (N,) into frame-0 coordinates.

    ``to_first`` is the output of :func:`cumulative_homographies`.
    """
    pts = np.asarray(points, dtype=np.float64)
    h = to_first[np.asarray(frames, dtype=np.int64)]  # (N, 3, 3)
    homog = np.concatenate([pts, np.ones((pts.shape[0], 1))], axis=1)
    mapped = np.einsum("nij,nj->ni", h, homog)
    return mapped[:, :2] / mapped[:, 2:3]


def compensate_boxes(boxes: np.ndarray, to_first: np.ndarray) -> np.ndarray:
    """Compensate trajectory rows ``[frame, x1, y1, x2, y2, visible]`` into frame-0 coordinates.

    The two corners are mapped separately, so a zoom scales the box as it
    should (an object that only looks bigger because the camera zoomed in keeps
    its compensated size).
    """
    rows = np.asarray(boxes, dtype=np.float64).copy()
    if rows.size == 0:
        return rows.reshape(0, 6)
    frames = rows[:, 0]
    rows[:, 1:3] = compensate_points(rows[:, 1:3], frames, to_first)
    rows[:, 3:5] = compensate_points(rows[:, 3:5], frames, to_first)
    return rows
