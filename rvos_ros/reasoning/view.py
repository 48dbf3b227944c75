"""Where a track is in the image now, and whether it came into or left the view (current-frame coordinates).

No camera compensation here: positions and borders are those the user sees.
Units: normalized image coordinates in [0, 1] unless a name says px.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rvos_ros.types import TrackTrajectory

__all__ = ["Position", "ViewChange", "frame_position", "view_change"]


@dataclass(frozen=True)
class Position:
    """Where a track is now in the image (current frame coordinates, not compensated)."""

    x: float
    """Normalized centre x in [0, 1] (0 = left edge)."""
    y: float
    """Normalized centre y in [0, 1] (0 = top edge)."""
    bottom: float
    """Normalized bottom edge y (a ground-plane proxy for nearness)."""
    area: float
    """Box area as a share of the image."""
    box: tuple[float, float, float, float]


def frame_position(traj: TrackTrajectory, width: int, height: int, recent_frames: int = 5,
                   at_start: bool = False) -> Position | None:
    """Median of the last ``recent_frames`` visible boxes (the first ones with ``at_start``), normalized by the
    image size; None if never seen."""
    rows = np.asarray(traj.boxes, dtype=np.float64).reshape(-1, 6)
    vis = rows[rows[:, 5] > 0.5]
    if vis.shape[0] == 0:
        vis = rows
    if vis.shape[0] == 0:
        return None
    box = np.median(vis[:recent_frames, 1:5] if at_start else vis[-recent_frames:, 1:5], axis=0)
    w, h = float(max(width, 1)), float(max(height, 1))
    area = max(box[2] - box[0], 0.0) * max(box[3] - box[1], 0.0) / (w * h)
    return Position((box[0] + box[2]) / 2 / w, (box[1] + box[3]) / 2 / h, box[3] / h, float(area),
                    (float(box[0]), float(box[1]), float(box[2]), float(box[3])))


@dataclass(frozen=True)
class ViewChange:
    """How a track came into and left the view within the window."""

    appeared: bool
    """First seen at least ~0.3 s after the window start."""
    appeared_at_border: bool
    """... with its first box at the image border (it came into the frame, not out from behind something)."""
    exited: bool
    """Last seen at least ~0.3 s before the window end with its box at the image border."""
    entering: bool = False
    """In view from the start, but at the border and moving in: it was coming into the frame as the window began."""
    leaving: bool = False
    """Still in view at the end, but at the border and moving out: it is leaving the frame as the window ends."""


def view_change(traj: TrackTrajectory, width: int, height: int, num_frames: int, fps: float,
                border_frac: float = 0.04) -> ViewChange:
    """Entering/leaving the view; a box is at the border within max(4 % of the image, a quarter box) of an edge."""
    rows = np.asarray(traj.boxes, dtype=np.float64).reshape(-1, 6)
    vis = rows[rows[:, 5] > 0.5]
    if vis.shape[0] == 0:
        return ViewChange(False, False, False)
    margin = max(1, int(round(0.3 * fps)))

    def edges(r: np.ndarray) -> tuple[bool, bool, bool, bool]:
        """Which borders (left, top, right, bottom) the box row ``r`` touches."""
        bx = max(border_frac * width, 0.25 * (r[3] - r[1]))
        by = max(border_frac * height, 0.25 * (r[4] - r[2]))
        return bool(r[1] <= bx), bool(r[2] <= by), bool(r[3] >= width - bx), bool(r[4] >= height - by)

    def at_border(r: np.ndarray) -> bool:
        return any(edges(r))

    def outward(r: np.ndarray, step: np.ndarray) -> bool:
        """Whether ``step`` (centre motion, px) heads out through a border ``r`` touches."""
        left, top, right, bottom = edges(r)
        near = max(float(r[3] - r[1] + r[4] - r[2]) * 0.05, 2.0)
        return bool((left and step[0] < -near) or (right and step[0] > near) or (top and step[1] < -near)
                    or (bottom and step[1] > near))

    def centre(r: np.ndarray) -> np.ndarray:
        return np.array([(r[1] + r[3]) / 2, (r[2] + r[4]) / 2])

    appeared = bool(vis[0, 0] >= margin)
    exited = bool(vis[-1, 0] <= num_frames - 1 - margin and at_border(vis[-1]))
    k = min(vis.shape[0] - 1, max(1, int(round(0.5 * fps))))
    entering = leaving = False
    if k >= 1 and not appeared and at_border(vis[0]):
        entering = outward(vis[0], centre(vis[0]) - centre(vis[k]))  # seen backwards, it heads out
    if k >= 1 and not exited and at_border(vis[-1]) and vis[-1, 0] >= num_frames - 1 - margin:
        leaving = outward(vis[-1], centre(vis[-1]) - centre(vis[-1 - k]))
    return ViewChange(appeared, appeared and at_border(vis[0]), exited, entering, leaving)
