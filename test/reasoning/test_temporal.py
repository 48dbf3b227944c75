"""Temporal features of compensated trajectories and the soft ranking they are scored with (hand-built tracks)."""

from __future__ import annotations

import numpy as np
import pytest

from rvos_ros.reasoning import motion as mo
from rvos_ros.reasoning.ranking import rank_scores, soft
from rvos_ros.reasoning.temporal import extent_px, heading_vector, onset_s, phase_fraction
from rvos_ros.types import TrackTrajectory

FPS = 15.0
N = 60  # 4 s


def motion(centers, size=40.0, start=0) -> mo.TrackMotion:
    c = np.asarray(centers, dtype=float).reshape(-1, 2)
    f = np.arange(start, start + len(c), dtype=float)
    rows = np.stack([f, c[:, 0] - size / 2, c[:, 1] - size / 2, c[:, 0] + size / 2, c[:, 1] + size / 2,
                     np.ones(len(c))], axis=1)
    to_first = np.repeat(np.eye(3)[None], start + len(c), axis=0)
    return mo.track_motion(TrackTrajectory(1, "dog", 0.9, rows), FPS, to_first, 0.5)


def line(n, start, step):
    return np.asarray(start, float) + np.arange(n)[:, None] * np.asarray(step, float)


def still(n, x=200.0, y=200.0):
    return np.tile([x, y], (n, 1))


def test_phase_fraction_tells_the_beginning_from_the_end():
    moves_then_rests = motion(np.concatenate([line(25, (50, 100), (6, 0)), still(35, 194, 100)]))
    assert phase_fraction(moves_then_rests, "early") > 0.9
    assert phase_fraction(moves_then_rests, "late") < 0.1
    assert 0.3 < phase_fraction(moves_then_rests, "throughout") < 0.6
    always = motion(line(N, (50, 100), (6, 0)))
    assert phase_fraction(always, "throughout") > 0.9


def test_phase_is_a_third_of_the_track_bounded_to_half_a_second_and_two_seconds():
    long = motion(np.concatenate([line(40, (50, 100), (6, 0)), still(110, 290, 100)]))  # 10 s: the phase is 2 s
    assert phase_fraction(long, "early") == pytest.approx(1.0)
    assert phase_fraction(long, "late") == pytest.approx(0.0)


def test_onset_is_the_window_time_of_the_first_moving_sample():
    late = motion(np.concatenate([still(30, 50, 100), line(30, (50, 100), (6, 0))]))
    assert onset_s(late) == pytest.approx(2.0, abs=0.3)
    entering = motion(line(30, (50, 100), (6, 0)), start=15)
    assert onset_s(entering) == pytest.approx(1.0, abs=0.1)
    assert onset_s(motion(still(N))) is None


def test_extent_counts_travel_not_jitter():
    rng = np.random.default_rng(1)
    jitter = motion(still(N) + rng.normal(0, 1.0, (N, 2)))
    travel = motion(line(N, (50, 100), (5, 0)))
    there_and_back = motion(np.concatenate([line(30, (50, 100), (6, 0)), line(30, (230, 100), (-6, 0))]))
    assert extent_px(jitter) < 10.0
    assert extent_px(travel) == pytest.approx(295, rel=0.1)
    assert extent_px(there_and_back) > 300  # the path, not the net displacement
    assert extent_px(motion(still(1))) == 0.0


def test_heading_vector_is_the_net_motion_while_moving():
    v = heading_vector(motion(line(N, (50, 100), (4, -2))))
    assert v[0] > 200 and v[1] < -100
    assert np.allclose(heading_vector(motion(still(N))), 0.0)


def test_soft_and_rank_scores():
    assert soft(0.0, 1.0) == pytest.approx(0.5) and soft(10.0, 1.0) > 0.99 and soft(-10.0, 1.0) < 0.01
    ranks = rank_scores({1: 10.0, 2: 5.0, 3: 1.0}, 1, 1, 1.0)
    assert ranks[1] > 0.99 and ranks[2] < 0.01 and ranks[3] < 0.01
    two = rank_scores({1: 10.0, 2: 5.0, 3: 1.0}, 1, 2, 1.0)
    assert two[1] > 0.9 and two[2] > 0.9 and two[3] < 0.1
