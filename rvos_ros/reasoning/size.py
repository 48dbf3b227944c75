"""Robust object size over a window, for size words ("the smaller cat", "the biggest truck").

The latest box is a poor size: an object leaving the frame or going behind
something shows only a sliver. The robust size is a high percentile of the
box area over the frames where the track is visible and its box does not touch
the image border, so truncated and partly hidden boxes do not count (when every
box touches the border, all visible boxes are used). Areas are converted to
the zoom of the window's last frame with the camera homographies, so a camera
zoom during the window does not make early boxes look small.

Units: the returned area is a share of the image (0..1) at the last frame's zoom.
"""

from __future__ import annotations

import numpy as np

from rvos_ros.types import TrackTrajectory

__all__ = ["BORDER_PX", "SIZE_PERCENTILE", "robust_area"]

SIZE_PERCENTILE = 90.0
"""Percentile of the per-frame box areas taken as the object's size."""
BORDER_PX = 2.0
"""A box within this many pixels of the image edge is cut by the frame."""


def robust_area(traj: TrackTrajectory, width: int, height: int, to_first: np.ndarray) -> float | None:
    """High-percentile box area of ``traj`` as a share of the image; None if it was never visible.

    ``to_first`` holds the (num_frames, 3, 3) homographies window frame t → frame 0
    (:func:`rvos_ros.reasoning.motion.to_first_homographies`).
    """
    rows = np.asarray(traj.boxes, dtype=np.float64).reshape(-1, 6)
    rows = rows[(rows[:, 5] > 0.5) & (rows[:, 0] >= 0) & (rows[:, 0] < to_first.shape[0])]
    if rows.shape[0] == 0:
        return None
    w, h = float(max(width, 1)), float(max(height, 1))
    b = BORDER_PX
    inner = (rows[:, 1] > b) & (rows[:, 2] > b) & (rows[:, 3] < w - b) & (rows[:, 4] < h - b)
    use = rows[inner] if inner.any() else rows
    area = np.clip(use[:, 3] - use[:, 1], 0, None) * np.clip(use[:, 4] - use[:, 2], 0, None)
    # areas in frame-0 units, then in units of the last frame: |det| of the homography's linear part
    scale = np.abs(np.linalg.det(to_first[:, :2, :2]))
    area = area * scale[use[:, 0].astype(int)] / max(float(scale[-1]), 1e-9)
    return float(np.percentile(area, SIZE_PERCENTILE)) / (w * h)
