"""Robust object size over a window: not fooled by a box cut by the frame, a partial occlusion or a zoom."""

from __future__ import annotations

import numpy as np
import pytest

from rvos_ros.reasoning.size import robust_area
from rvos_ros.types import TrackTrajectory

W, H, N = 480, 360, 60


def traj(boxes, visible=None) -> TrackTrajectory:
    b = np.asarray(boxes, float).reshape(-1, 4)
    v = np.ones(len(b)) if visible is None else np.asarray(visible, float)
    return TrackTrajectory(1, "cat", 0.9, np.column_stack([np.arange(len(b)), b, v]))


def identity(n=N):
    return np.repeat(np.eye(3)[None], n, axis=0)


def test_steady_box_area_as_share_of_the_image():
    assert robust_area(traj(np.tile([100, 100, 150, 144], (N, 1))), W, H, identity()) == pytest.approx(
        50 * 44 / (W * H))


def test_object_sliding_out_of_the_frame_keeps_its_full_size():
    xs = np.linspace(346, 478, N)
    b = np.stack([xs, np.full(N, 117), np.minimum(xs + 50, W), np.full(N, 161)], axis=1)
    # its latest box is a thin sliver at the right edge, but it was a 50 x 44 cat in full view
    assert robust_area(traj(b), W, H, identity()) == pytest.approx(50 * 44 / (W * H), rel=0.01)


def test_shrinking_behind_something_and_hidden_rows_do_not_count():
    b = np.tile([100.0, 100, 160, 160], (N, 1))
    b[30:45, 2] = 110  # partly hidden: a 10 px sliver
    vis = np.ones(N)
    vis[45:] = 0
    assert robust_area(traj(b, vis), W, H, identity()) == pytest.approx(3600 / (W * H))


def test_box_always_at_the_border_uses_what_is_seen():
    b = np.tile([0.0, 100, 40, 140], (N, 1))
    assert robust_area(traj(b), W, H, identity()) == pytest.approx(1600 / (W * H))


def test_never_visible_has_no_size():
    assert robust_area(traj(np.tile([0.0, 0, 10, 10], (N, 1)), np.zeros(N)), W, H, identity()) is None


def test_zoom_in_is_undone_to_the_last_frame_scale():
    s = np.linspace(1.0, 2.0, N)  # the camera zooms in 2x: a static object's box doubles in width
    to_first = identity()
    to_first[:, 0, 0] = to_first[:, 1, 1] = 1.0 / s  # frame t → frame 0 shrinks by the zoom
    b = np.stack([200 - 20 * s, 150 - 20 * s, 200 + 20 * s, 150 + 20 * s], axis=1)
    final_area = (40 * 2.0) ** 2
    assert robust_area(traj(b), W, H, to_first) == pytest.approx(final_area / (W * H), rel=0.01)
