"""Motion features of camera-compensated trajectories (hand-built trajectories)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rvos_ros.reasoning import motion as mo
from rvos_ros.types import TrackTrajectory, TrajectoryWindow

FPS = 15.0
N = 60  # 4 s


def track(tid: int, centers, size=40.0, start=0, visible=None, label="dog", sizes=None) -> TrackTrajectory:
    """Boxes of side ``size`` (or per-frame ``sizes``) centred on ``centers`` from window frame ``start``."""
    c = np.asarray(centers, dtype=float).reshape(-1, 2)
    s = np.full(len(c), size) if sizes is None else np.asarray(sizes, dtype=float)
    f = np.arange(start, start + len(c), dtype=float)
    vis = np.ones(len(c)) if visible is None else np.asarray(visible, dtype=float)
    rows = np.stack([f, c[:, 0] - s / 2, c[:, 1] - s / 2, c[:, 0] + s / 2, c[:, 1] + s / 2, vis], axis=1)
    return TrackTrajectory(tid, label, 0.9, rows)


def window(*tracks, n=N, camera=None) -> TrajectoryWindow:
    return TrajectoryWindow("q", FPS, 640, 480, n, tuple(tracks), camera=camera)


def line(n, start, step):
    return np.asarray(start, float) + np.arange(n)[:, None] * np.asarray(step, float)


def pan(n, px_per_frame):
    """Camera panning right: scene content moves left by ``px_per_frame`` each frame."""
    h = np.repeat(np.eye(3)[None], n, axis=0)
    h[1:, 0, 2] = -px_per_frame
    return h


def zoom(n, factor_per_frame, centre=(320.0, 240.0)):
    h = np.repeat(np.eye(3)[None], n, axis=0)
    s, (cx, cy) = factor_per_frame, centre
    h[1:] = np.array([[s, 0, cx - s * cx], [0, s, cy - s * cy], [0, 0, 1]])
    return h


def motion_of(t, w=None, min_obs=0.5):
    w = w or window(t)
    return mo.window_motion(w, min_obs)[t.id]


def test_static_object_is_not_moving_and_has_no_direction():
    m = motion_of(track(1, line(N, (300, 200), (0, 0))))
    assert m.moved is False
    assert m.speed_robust_px_s == 0.0
    assert m.dominant_direction() == (None, 0.0)
    assert m.path_length_px < 1.0


def test_object_moving_left_has_direction_speed_and_displacement():
    m = motion_of(track(1, line(N, (500, 200), (-4, 0))))
    assert m.moved is True
    assert m.dominant_direction()[0] == "left"
    assert m.dominant_direction()[1] > 0.95
    assert m.displacement_px[0] == pytest.approx(-4 * (N - 1), rel=0.1)
    assert m.speed_robust_px_s == pytest.approx(60.0, rel=0.1)  # 4 px/frame at 15 FPS
    assert m.speed_robust_diag_s == pytest.approx(60.0 / (40 * math.sqrt(2)), rel=0.1)
    assert m.travel_px()["left"] > 200 and m.travel_px()["right"] < 5


@pytest.mark.parametrize("step,name", [((3, 0), "right"), ((0, -3), "up"), ((0, 3), "down")])
def test_every_direction(step, name):
    assert motion_of(track(1, line(N, (320, 240), step))).dominant_direction()[0] == name


def test_static_object_under_camera_pan_is_static():
    cam = pan(N, 5.0)
    observed = line(N, (500, 200), (-5, 0))  # the image shows it sliding left only because the camera pans
    m = motion_of(track(1, observed), window(track(1, observed), camera=cam))
    assert m.moved is False


def test_moving_object_under_pan_is_judged_in_world_coordinates():
    cam = pan(N, 5.0)
    observed = line(N, (300, 200), (-5 + 3, 0))  # world: moves right 3 px/frame; image: drifts left
    t = track(1, observed)
    m = motion_of(t, window(t, camera=cam))
    assert m.moved is True
    assert m.dominant_direction()[0] == "right"
    assert m.speed_robust_px_s == pytest.approx(45.0, rel=0.1)


def test_static_object_under_zoom_keeps_its_size_and_position():
    n, s = N, 1.01
    cam = zoom(n, s)
    cum = np.cumprod(np.full(n, s)) / s  # zoom factor at each frame relative to frame 0
    centre = np.array([320.0, 240.0])
    world = np.array([400.0, 300.0])
    centers = centre + (world - centre) * cum[:, None]
    t = track(1, centers, sizes=40.0 * cum)
    m = motion_of(t, window(t, camera=cam))
    assert m.moved is False
    assert mo.size_change(m) == pytest.approx(0.0, abs=0.02)
    raw = motion_of(t)  # without compensation the zoom looks like motion towards the camera
    assert mo.size_change(raw) > 0.4


@pytest.mark.parametrize("size,jitter_px", [(40.0, 3.0), (40.0, 6.0), (100.0, 10.0), (20.0, 3.0)])
def test_jitter_is_not_motion(size, jitter_px):
    for seed in range(10):
        rng = np.random.default_rng(seed)
        m = motion_of(track(1, line(N, (300, 200), (0, 0)) + rng.normal(0, jitter_px, (N, 2)), size=size))
        assert m.moved is False


def test_slow_walk_of_a_fifth_of_its_size_per_second_is_motion():
    size = 60.0
    step = 0.2 * size * math.sqrt(2) / FPS  # 0.2 box diagonals per second
    for seed in range(10):
        rng = np.random.default_rng(100 + seed)
        m = motion_of(track(1, line(N, (300, 200), (step, 0)) + rng.normal(0, 2.0, (N, 2)), size=size))
        assert m.moved is True


def test_slow_motion_with_jitter_is_still_motion():
    rng = np.random.default_rng(1)
    m = motion_of(track(1, line(N, (100, 200), (2, 0)) + rng.normal(0, 2.0, (N, 2))))
    assert m.moved is True
    assert m.dominant_direction()[0] == "right"


def test_short_gaps_are_interpolated():
    c = line(N, (500, 200), (-4, 0))
    keep = np.ones(N, bool)
    keep[10:14] = False
    keep[30:33] = False
    t = track(1, c)
    t = TrackTrajectory(1, "dog", 0.9, t.boxes[keep])
    m = motion_of(t)
    assert m.frames.size == N
    assert m.dominant_direction()[0] == "left"
    assert all(s.moving for s in m.segments)


def test_too_short_observation_is_unknown():
    m = motion_of(track(1, line(5, (300, 200), (5, 0))), min_obs=0.5)
    assert m.enough is False
    assert m.moved is None
    assert mo.stop_after_motion_s(m) is None
    assert mo.start_after_still_s(m) is None
    assert mo.turn_back_px(m) is None
    assert mo.size_change(m) is None
    assert mo.seconds_since_motion(m, N) is None


def test_invisible_rows_do_not_count_as_observations():
    t = track(1, line(N, (300, 200), (0, 0)), visible=[1] * 3 + [0] * (N - 3))
    assert motion_of(t).enough is False


def test_stops_moving_then_stopped():
    c = np.concatenate([line(25, (100, 200), (5, 0)), np.repeat([[225.0, 200.0]], 35, axis=0)])
    m = motion_of(track(1, c))
    dur, at_end = mo.stop_after_motion_s(m)
    assert at_end is True
    assert dur > 1.5
    assert mo.start_after_still_s(m) == 0.0
    assert mo.seconds_since_motion(m, N) == pytest.approx(35 / FPS, abs=0.5)


def test_starts_late_stopped_then_moving():
    c = np.concatenate([np.repeat([[100.0, 200.0]], 30, axis=0), line(30, (100, 200), (5, 0))])
    m = motion_of(track(1, c))
    assert mo.start_after_still_s(m) == pytest.approx(2.0, abs=0.4)
    assert mo.stop_after_motion_s(m) == (0.0, False)
    assert mo.seconds_since_motion(m, N) == pytest.approx(0.0, abs=0.2)


def test_turn_back_reverses_along_the_main_axis():
    c = np.concatenate([line(30, (100, 200), (6, 0)), line(30, (280, 200), (-6, 0))])
    leg, axis = mo.turn_back_px(motion_of(track(1, c)))
    assert axis == "x"
    assert leg > 120
    straight = mo.turn_back_px(motion_of(track(2, line(N, (100, 200), (6, 0)))))
    assert straight == (0.0, "")


def test_small_wobble_is_not_a_turn_back():
    c = line(N, (300, 200), (0, 0))
    c[:, 0] += 6 * np.sin(np.arange(N) / 3)  # +-6 px on a 40 px object
    assert mo.turn_back_px(motion_of(track(1, c)))[0] == 0.0


def test_approach_and_leave_relative_to_another_track():
    person = track(2, line(N, (500, 200), (0, 0)), label="person")
    dog_to = track(1, line(N, (100, 200), (5, 0)))
    dog_from = track(3, line(N, (420, 200), (-5, 0)))
    ms = mo.window_motion(window(dog_to, person, dog_from), 0.5)
    a = mo.approach_stats(ms[1], ms[2])
    assert a.start_px > a.end_px and a.own_px > 200
    b = mo.approach_stats(ms[3], ms[2])
    assert b.end_px > b.start_px and b.own_px < -200
    # The person did not move: it approached nobody although the distance to dog 1 shrank.
    assert abs(mo.approach_stats(ms[2], ms[1]).own_px) < 5


def test_approach_needs_time_together():
    a = track(1, line(N, (100, 200), (5, 0)))
    b = track(2, line(2, (500, 200), (0, 0)), start=N - 2)
    ms = mo.window_motion(window(a, b), 0.5)
    assert mo.approach_stats(ms[1], ms[2]) is None


def test_growth_and_shrink():
    grow = track(1, line(N, (300, 200), (0, 0)), sizes=np.linspace(30, 60, N))
    shrink = track(2, line(N, (300, 200), (0, 0)), sizes=np.linspace(60, 30, N))
    ms = mo.window_motion(window(grow, shrink), 0.5)
    assert mo.size_change(ms[1]) > 0.5
    assert mo.size_change(ms[2]) < -0.5


def test_frame_position_is_normalized_and_uses_the_latest_boxes():
    t = track(1, line(N, (100, 100), (5, 0)))
    p = mo.frame_position(t, 640, 480)
    assert p.x == pytest.approx((100 + 5 * (N - 3)) / 640, abs=0.01)
    assert p.y == pytest.approx(100 / 480)
    assert p.area == pytest.approx(1600 / (640 * 480))


def test_enter_and_exit_the_view():
    enters = track(1, line(40, (620, 200), (-4, 0)), start=20)
    late_mid_image = track(4, line(40, (300, 200), (0, 0)), start=20)
    exits = track(2, line(30, (500, 200), (4, 0)), size=40.0)  # reaches x=616+20 → touches the border
    stays = track(3, line(N, (300, 200), (0, 0)))
    assert mo.view_change(enters, 640, 480, N, FPS) == mo.ViewChange(True, True, False)
    assert mo.view_change(late_mid_image, 640, 480, N, FPS) == mo.ViewChange(True, False, False)
    assert mo.view_change(exits, 640, 480, N, FPS) == mo.ViewChange(False, False, True)
    assert mo.view_change(stays, 640, 480, N, FPS) == mo.ViewChange(False, False, False)


# ---- adaptive motion: each track against its own noise -------------------------------------------------------------


def test_noise_sigma_recovers_white_jitter_and_ignores_steady_motion():
    rng = np.random.default_rng(7)
    moving = line(400, (10, 10), (3, 0.5))
    noisy = moving + rng.normal(0, 2.5, moving.shape)
    assert mo.noise_sigma(moving[:, 0], moving[:, 1]) == pytest.approx(0.0, abs=1e-9)
    assert mo.noise_sigma(noisy[:, 0], noisy[:, 1]) == pytest.approx(2.5, rel=0.2)


def test_significance_grows_with_noise_and_has_absolute_and_relative_floors():
    p = mo.MotionParams()
    assert mo.significance_px(0.0, 10.0, p) == p.min_disp_px  # tiny, clean box: the px floor
    assert mo.significance_px(0.0, 400.0, p) == pytest.approx(p.min_disp_diag * 400.0)  # big box: its share
    assert mo.significance_px(5.0, 50.0, p) == pytest.approx(p.noise_z * 5.0)  # noisy track: z sigmas


@pytest.mark.parametrize("diag_per_s", [0.08, 0.1, 0.15])
def test_slow_walker_of_a_tenth_of_its_diagonal_per_second_moves(diag_per_s):
    size = 130.0  # a horse: 184 px diagonal, crossing ~75 px in 4 s at 0.1 diagonals/s
    step = diag_per_s * size * math.sqrt(2) / FPS
    for seed in range(5):
        rng = np.random.default_rng(seed)
        m = motion_of(track(1, line(N, (200, 200), (step, 0)) + rng.normal(0, 0.7, (N, 2)), size=size))
        assert m.moved is True, seed
        assert m.dominant_direction()[0] == "right"
        assert m.strength > 1.0


@pytest.mark.parametrize("jitter_px", [2.0, 3.0])
def test_parked_car_with_detector_jitter_stays_static(jitter_px):
    for seed in range(10):
        rng = np.random.default_rng(50 + seed)
        m = motion_of(track(1, line(N, (300, 200), (0, 0)) + rng.normal(0, jitter_px, (N, 2)), size=110.0))
        assert m.moved is False, seed
        assert m.strength < 1.0


def test_late_slow_starter_is_still_then_moves():
    # a person still for 2.6 s, then walking 43 px in the last 1.4 s (~0.36 diagonals/s)
    c = np.vstack([line(39, (300, 150), (0, 0)), line(21, (300, 150), (0, 43 / 20))])
    rng = np.random.default_rng(3)
    m = motion_of(track(1, c + rng.normal(0, 0.4, c.shape), size=60.0))
    assert m.moved is True
    late = mo.start_after_still_s(m)
    assert late is not None and 2.0 < late < 3.0


def test_stop_time_is_not_blurred_by_the_displacement_window():
    c = np.vstack([line(30, (100, 200), (8, 0)), line(30, (100 + 8 * 29, 200), (0, 0))])
    m = motion_of(track(1, c))
    dur, at_end = mo.stop_after_motion_s(m)
    assert at_end and dur == pytest.approx(2.0, abs=0.3)


def test_turn_back_with_a_short_slow_return_leg():
    # out 95 px left in 2.6 s, back 52 px right in 1.4 s (a 140 px diagonal: the return is 0.37 diagonals)
    out = line(39, (233, 300), (-95 / 38, 0))
    back = line(21, out[-1], (52 / 20, 0))
    m = motion_of(track(1, np.vstack([out, back]), size=99.0))
    leg, axis = mo.turn_back_px(m)
    assert axis == "x" and leg == pytest.approx(52, abs=8)
    straight = motion_of(track(2, line(N, (233, 300), (-2.5, 0)), size=99.0))
    assert mo.turn_back_px(straight) == (0.0, "")
