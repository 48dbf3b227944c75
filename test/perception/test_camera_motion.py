"""Camera motion: per-step homographies from pixels and trajectory compensation.

Frames are rendered from a large synthetic textured "world" image through a
known world→frame homography, so the true per-step homography is known exactly.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from rvos_ros.config import CameraMotionConfig
from rvos_ros.errors import InputError
from rvos_ros.geometry import compensate_boxes, compensate_points, cumulative_homographies
from rvos_ros.perception.camera_motion import CameraMotionEstimator

WORLD_H, WORLD_W = 1000, 1400


def textured(h: int, w: int, seed: int) -> np.ndarray:
    """RGB image of random filled rectangles and discs (many corners) on grey."""
    rng = np.random.default_rng(seed)
    img = np.full((h, w, 3), 128, np.uint8)
    for _ in range(h * w // 1500):
        x, y = int(rng.integers(0, w)), int(rng.integers(0, h))
        colour = tuple(int(v) for v in rng.integers(0, 256, 3))
        if rng.random() < 0.6:
            cv2.rectangle(img, (x, y), (x + int(rng.integers(4, 40)), y + int(rng.integers(4, 40))), colour, -1)
        else:
            cv2.circle(img, (x, y), int(rng.integers(3, 20)), colour, -1)
    return cv2.GaussianBlur(img, (3, 3), 0)


WORLD = textured(WORLD_H, WORLD_W, seed=0)


def similarity(
    w: int, h: int, dx: float = 0.0, dy: float = 0.0, scale: float = 1.0, rot_deg: float = 0.0
) -> np.ndarray:
    """Zoom/rotation about the image centre followed by a translation (pixels)."""
    centre = np.array([[1, 0, w / 2], [0, 1, h / 2], [0, 0, 1.0]])
    a = np.deg2rad(rot_deg)
    rs = np.array([[scale * np.cos(a), -scale * np.sin(a), 0], [scale * np.sin(a), scale * np.cos(a), 0], [0, 0, 1]])
    shift = np.array([[1, 0, dx], [0, 1, dy], [0, 0, 1.0]])
    return shift @ centre @ rs @ np.linalg.inv(centre)


def render_sequence(step: np.ndarray, n: int, size: tuple[int, int], scale: float = 1.0) -> list[np.ndarray]:
    """Frames ``size=(w, h)`` of WORLD, each moved from the previous by ``step`` (frame t-1 → t pixels)."""
    w, h = size
    # Frame 0 looks at the world's centre; ``scale`` < 1 shows more world in a smaller frame.
    world_to_frame = np.array([[scale, 0, w / 2 - scale * WORLD_W / 2], [0, scale, h / 2 - scale * WORLD_H / 2],
                               [0, 0, 1.0]])
    frames = []
    for t in range(n):
        if t:
            world_to_frame = step @ world_to_frame
        frames.append(cv2.warpPerspective(WORLD, world_to_frame, (w, h), flags=cv2.INTER_LINEAR))
    return frames


def apply(hmat: np.ndarray, pts: np.ndarray) -> np.ndarray:
    homog = np.concatenate([pts, np.ones((len(pts), 1))], axis=1) @ hmat.T
    return homog[:, :2] / homog[:, 2:3]


def centre_error(est: np.ndarray, true: np.ndarray, size: tuple[int, int]) -> float:
    """Error (pixels) of the estimated per-frame motion of the image centre: the translation error."""
    c = np.array([[size[0] / 2, size[1] / 2]])
    return float(np.linalg.norm(apply(est, c) - apply(true, c)))


@pytest.mark.parametrize(
    ("size", "motion"),
    [
        ((640, 480), {"dx": 0.37, "dy": -0.21}),  # sub-pixel pan
        ((640, 480), {"dx": -6.5, "dy": 3.2}),  # multi-pixel pan
        ((640, 480), {"scale": 1.01}),
        ((640, 480), {"scale": 1.03}),
        ((640, 480), {"rot_deg": 0.6}),
        ((640, 480), {"dx": 2.0, "scale": 1.015, "rot_deg": -0.3}),
        ((320, 240), {"dx": 1.7, "dy": 0.4}),  # smaller than max_side_px: no downscaling
        ((1280, 720), {"dx": -9.3, "dy": 2.6}),  # downscaled 0.375x: estimate scaled back to full resolution
    ],
)
def test_estimates_known_motion_to_subpixel_median_error(size: tuple[int, int], motion: dict[str, float]) -> None:
    step = similarity(*size, **motion)
    frames = render_sequence(step, 30, size, scale=min(1.0, size[0] / 900))
    est = CameraMotionEstimator(CameraMotionConfig())
    errors = []
    for t, frame in enumerate(frames):
        h = est.update(frame)
        assert h.shape == (3, 3) and h[2, 2] == pytest.approx(1.0)
        if t:
            assert not est.failed
            assert est.method == "homography"
            errors.append(centre_error(h, step, size))
    assert np.median(errors) < 1.0
    # The zoom is recovered too: the area scale of the estimate matches the truth.
    assert np.linalg.det(h[:2, :2]) == pytest.approx(np.linalg.det(step[:2, :2]), abs=5e-3)


def test_few_features_fall_back_to_a_similarity_estimate() -> None:
    """Three squares give 12 corners: too few for a homography, enough for a similarity."""
    size = (640, 480)
    step = similarity(*size, dx=3.0, dy=-1.0)
    frames = []
    for t in range(4):
        img = np.full((480, 640, 3), 60, np.uint8)
        for x, y in ((100, 100), (400, 150), (250, 330)):
            x0, y0 = x + 3 * t, y - t
            cv2.rectangle(img, (x0, y0), (x0 + 40, y0 + 40), (230, 230, 230), -1)
        frames.append(img)
    est = CameraMotionEstimator(CameraMotionConfig())
    est.update(frames[0])
    for f in frames[1:]:
        h = est.update(f)
        assert est.method == "similarity" and not est.failed
        assert centre_error(h, step, size) < 1.0


def test_first_frame_and_reset_give_identity() -> None:
    frames = render_sequence(similarity(640, 480, dx=4.0), 3, (640, 480))
    est = CameraMotionEstimator(CameraMotionConfig())
    assert np.array_equal(est.update(frames[0]), np.eye(3))
    assert est.method == "first" and not est.failed
    assert not np.allclose(est.update(frames[1]), np.eye(3), atol=0.5)
    est.reset()
    assert np.array_equal(est.update(frames[2]), np.eye(3))
    assert est.method == "first"


def test_image_size_change_restarts_estimation() -> None:
    big = render_sequence(similarity(640, 480, dx=3.0), 2, (640, 480))
    small = render_sequence(similarity(320, 240, dx=3.0), 2, (320, 240))
    est = CameraMotionEstimator(CameraMotionConfig())
    est.update(big[0])
    est.update(big[1])
    assert np.array_equal(est.update(small[0]), np.eye(3))
    assert est.method == "first" and not est.failed
    h = est.update(small[1])
    assert centre_error(h, similarity(320, 240, dx=3.0), (320, 240)) < 1.0


def test_flat_image_gives_identity_and_failure_flag() -> None:
    flat = np.full((480, 640, 3), 90, np.uint8)
    est = CameraMotionEstimator(CameraMotionConfig())
    assert np.array_equal(est.update(flat), np.eye(3))
    assert not est.failed  # the first frame is not a failure
    assert np.array_equal(est.update(flat.copy()), np.eye(3))
    assert est.failed and est.method == "failed" and est.failures == 1
    est.reset()
    assert est.failures == 0 and not est.failed


def test_textured_then_flat_frame_does_not_raise() -> None:
    textured_frame = render_sequence(np.eye(3), 1, (640, 480))[0]
    est = CameraMotionEstimator(CameraMotionConfig())
    est.update(textured_frame)
    h = est.update(np.zeros((480, 640, 3), np.uint8))
    assert h.shape == (3, 3) and np.all(np.isfinite(h))
    if est.failed:
        assert np.array_equal(h, np.eye(3))


def test_grey_input_is_accepted() -> None:
    frames = render_sequence(similarity(640, 480, dx=2.5), 2, (640, 480))
    est = CameraMotionEstimator(CameraMotionConfig())
    est.update(cv2.cvtColor(frames[0], cv2.COLOR_RGB2GRAY))
    h = est.update(cv2.cvtColor(frames[1], cv2.COLOR_RGB2GRAY))
    assert centre_error(h, similarity(640, 480, dx=2.5), (640, 480)) < 1.0


def test_disabled_config_returns_identity_without_failure() -> None:
    frames = render_sequence(similarity(640, 480, dx=5.0), 2, (640, 480))
    est = CameraMotionEstimator(CameraMotionConfig(enabled=False))
    est.update(frames[0])
    assert np.array_equal(est.update(frames[1]), np.eye(3))
    assert est.method == "disabled" and not est.failed


def _with_moving_patch(frames: list[np.ndarray], box: tuple[int, int, int, int], velocity: tuple[int, int]):
    """Paste a textured patch moving by ``velocity`` px/frame; yield (frame, patch mask)."""
    x, y, pw, ph = box
    patch = textured(ph, pw, seed=7)
    for t, frame in enumerate(frames):
        out = frame.copy()
        px, py = x + velocity[0] * t, y + velocity[1] * t
        out[py:py + ph, px:px + pw] = patch
        mask = np.zeros(frame.shape[:2], bool)
        mask[py:py + ph, px:px + pw] = True
        yield out, mask


def test_excluded_moving_object_does_not_bias_the_estimate() -> None:
    size = (640, 480)
    step = similarity(*size, dx=2.0, dy=-1.0)
    frames = render_sequence(step, 18, size)
    # The patch covers ~60% of the image and moves against the camera: a majority of the corners.
    box, velocity = (60, 60, 500, 360), (-3, 2)
    with_mask, without_mask = CameraMotionEstimator(CameraMotionConfig()), CameraMotionEstimator(CameraMotionConfig())
    err_with, err_without = [], []
    for t, (frame, mask) in enumerate(_with_moving_patch(frames, box, velocity)):
        h_with = with_mask.update(frame, exclude=mask)
        h_without = without_mask.update(frame)
        if t:
            err_with.append(centre_error(h_with, step, size))
            err_without.append(centre_error(h_without, step, size))
    assert np.median(err_with) < 1.0
    # Without the mask the patch outvotes the background (it moves 5.8 px/frame relative to it).
    assert np.median(err_without) > 2.0


def test_invalid_inputs_raise_input_error() -> None:
    est = CameraMotionEstimator(CameraMotionConfig())
    with pytest.raises(InputError, match="HxWx3 uint8"):
        est.update(np.zeros((480, 640, 3), np.float32))
    with pytest.raises(InputError, match="HxWx3 uint8"):
        est.update(np.zeros((480, 640, 4), np.uint8))
    with pytest.raises(InputError, match="exclude mask"):
        est.update(np.zeros((480, 640, 3), np.uint8), exclude=np.zeros((10, 10), bool))


# --- compensation of trajectories (cumulative_homographies / compensate_*) ---


def test_static_point_compensates_to_constant_coordinates_under_pan() -> None:
    steps = np.stack([np.eye(3)] + [similarity(640, 480, dx=3.0 + t * 0.1, dy=-1.5) for t in range(1, 20)])
    to_first = cumulative_homographies(steps)
    assert np.allclose(to_first[0], np.eye(3))
    # The same world point as seen in every frame (mapped forward through the true steps).
    seen = [np.array([[200.0, 150.0]])]
    for t in range(1, len(steps)):
        seen.append(apply(steps[t], seen[-1]))
    seen_arr = np.concatenate(seen)
    comp = compensate_points(seen_arr, np.arange(len(steps)), to_first)
    assert np.allclose(comp, [[200.0, 150.0]], atol=1e-6)
    assert np.ptp(seen_arr[:, 0]) > 50  # it did move in the image


def test_zoom_keeps_compensated_box_size() -> None:
    zoom = similarity(640, 480, scale=1.03)
    steps = np.stack([np.eye(3)] + [zoom] * 10)
    to_first = cumulative_homographies(steps)
    rows, corners = [], np.array([[300.0, 200.0], [340.0, 260.0]])
    for t in range(len(steps)):
        if t:
            corners = apply(zoom, corners)
        rows.append([t, *corners[0], *corners[1], 1])
    rows_arr = np.array(rows)
    assert rows_arr[-1, 3] - rows_arr[-1, 1] > 1.3 * 40  # it looks bigger in the image
    comp = compensate_boxes(rows_arr, to_first)
    assert np.allclose(comp[:, 3] - comp[:, 1], 40.0, atol=1e-6)
    assert np.allclose(comp[:, 4] - comp[:, 2], 60.0, atol=1e-6)
    assert np.array_equal(comp[:, [0, 5]], rows_arr[:, [0, 5]])
    assert compensate_boxes(np.zeros((0, 6)), to_first).shape == (0, 6)


def test_estimated_homographies_keep_a_static_point_still() -> None:
    """End to end: pixels → estimator → cumulative compensation; drift stays small over 30 frames."""
    size = (640, 480)
    step = similarity(*size, dx=-4.0, dy=1.0, scale=1.01)
    frames = render_sequence(step, 30, size)
    est = CameraMotionEstimator(CameraMotionConfig())
    steps = np.stack([est.update(f) for f in frames])
    to_first = cumulative_homographies(steps)
    seen = [np.array([[320.0, 240.0]])]
    for _ in range(1, len(frames)):
        seen.append(apply(step, seen[-1]))
    comp = compensate_points(np.concatenate(seen), np.arange(len(frames)), to_first)
    assert np.abs(comp - [[320.0, 240.0]]).max() < 3.0
