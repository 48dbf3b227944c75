"""Occlusion relations from boxes, visibility and keyframe masks."""

from __future__ import annotations

import numpy as np
import pytest

from rvos_ros.reasoning.occlusion import box_ioa, hidden_runs, occlusion_events
from rvos_ros.types import Keyframe, TrackTrajectory, TrajectoryWindow

N = 40


def rows(boxes, visible=None, frames=None):
    b = np.asarray(boxes, float).reshape(-1, 4)
    f = np.arange(len(b)) if frames is None else np.asarray(frames)
    v = np.ones(len(b)) if visible is None else np.asarray(visible, float)
    return np.column_stack([f, b, v])


def window(*tracks, keyframes=()):
    return TrajectoryWindow("q", 15.0, 640, 480, N, tuple(tracks), keyframes=tuple(keyframes))


def walker_behind_box():
    """A dog walks right and disappears behind a static car for frames 15-24."""
    xs = 100 + 10 * np.arange(N)
    dog_boxes = np.stack([xs, np.full(N, 200), xs + 40, np.full(N, 240)], axis=1)
    vis = np.ones(N)
    vis[15:25] = 0
    dog_boxes[15:25] = dog_boxes[14]  # last known box while hidden
    dog = TrackTrajectory(1, "dog", 0.9, rows(dog_boxes, vis))
    car = TrackTrajectory(2, "car", 0.9, rows(np.tile([230, 150, 370, 300], (N, 1))))
    bystander = TrackTrajectory(3, "person", 0.9, rows(np.tile([500, 20, 540, 100], (N, 1))))
    return dog, car, bystander


def test_box_ioa_is_intersection_over_first_box():
    assert box_ioa(np.array([0, 0, 10, 10.0]), np.array([5, 0, 100, 100.0])) == 0.5
    assert box_ioa(np.array([0, 0, 10, 10.0]), np.array([20, 20, 30, 30.0])) == 0.0


def test_hidden_runs_from_explicit_invisibility_and_interior_gaps():
    vis = np.array([1, 1, 0, 0, 1, 0, 1, 1, 1, 0], bool)
    seen = np.array([1, 1, 1, 1, 1, 0, 1, 1, 1, 1], bool)
    # frame 5 is a 1-frame unobserved gap (a missed detection), frame 9 an explicit invisible row.
    assert hidden_runs(vis, seen) == [(2, 3), (9, 9)]
    assert hidden_runs(vis, seen, min_hidden_frames=1) == [(2, 3), (5, 5), (9, 9)]


def test_track_that_vanishes_behind_another_is_occluded_by_it():
    events = occlusion_events(window(*walker_behind_box()))
    assert len(events) == 1
    e = events[0]
    assert (e.occluded, e.occluder, e.start, e.end, e.full) == (1, 2, 15, 24, True)
    assert e.overlap > 0.3


def test_vanishing_far_from_everything_is_not_an_occlusion():
    dog, _car, bystander = walker_behind_box()
    assert occlusion_events(window(dog, bystander)) == ()


def test_occluder_must_be_visible_while_the_other_is_hidden():
    dog, car, _ = walker_behind_box()
    car_vis = np.ones(N)
    car_vis[10:30] = 0
    hidden_car = TrackTrajectory(2, "car", 0.9, rows(car.boxes[:, 1:5], car_vis))
    assert all(e.occluder != 2 or e.occluded != 1 for e in occlusion_events(window(dog, hidden_car)))


def test_partial_occlusion_from_keyframe_masks():
    h, w = 480, 640
    person = np.zeros((h, w), bool)
    person[100:200, 150:260] = True
    dog = np.zeros((h, w), bool)
    dog[120:180, 100:150] = True  # only the dog's rear shows, left of the person
    tracks = (TrackTrajectory(1, "dog", 0.9, rows([[100, 120, 150, 180]] * N)),
              TrackTrajectory(2, "person", 0.9, rows([[150, 100, 260, 200]] * N)))

    def events_with(dog_mask):
        kf = Keyframe(frame_index=5, image=np.zeros((h, w, 3), np.uint8), masks={1: dog_mask, 2: person})
        return occlusion_events(window(*tracks, keyframes=[kf]))

    assert events_with(dog) == ()  # side by side: nothing hidden
    dog[176:180, 150:200] = True  # its paws show below the person: the dog's extent runs behind the person
    events = events_with(dog)
    assert [(e.occluded, e.occluder, e.full, e.start) for e in events] == [(1, 2, False, 5)]
    assert 0.3 < events[0].fraction < 0.7


# ---- hidden rows with a sliver box, shrinking, interpolation, passing in front -------------------------------------


def slider_behind(occluder_box=(230, 150, 370, 300), hidden_rows="sliver", n=N):
    """A ball moves right, shrinks against the left edge of an occluder, is hidden (rows reported with its last
    sliver box, or missing), and re-emerges at the right edge; the sliver never overlaps the occluder."""
    x1, _, x2, _ = occluder_box
    out, vis = [], []
    for f in range(n):
        left = 150 + 12 * f
        box = [left, 200, left + 40, 240]
        v = 1.0
        if box[2] > x1 and box[0] < x2:  # the part inside the occluder's columns is hidden
            vis_l, vis_r = (box[0], min(box[2], x1)) if box[0] < x1 else (max(box[0], x2), box[2])
            if vis_r - vis_l < 3:
                v = 0.0
                box = out[-1] if out else box
            else:
                box = [vis_l, 200, vis_r, 240]
        out.append(list(box))
        vis.append(v)
    r = rows(out, vis)
    if hidden_rows == "missing":
        r = r[r[:, 5] > 0.5]
    return r


@pytest.mark.parametrize("hidden_rows", ["sliver", "missing"])
def test_sliver_box_next_to_the_occluder_is_still_hidden_by_it(hidden_rows):
    ball = TrackTrajectory(1, "ball", 0.9, slider_behind(hidden_rows=hidden_rows))
    bus = TrackTrajectory(2, "bus", 0.9, rows(np.tile([230, 150, 370, 300], (N, 1))))
    far = TrackTrajectory(3, "bus", 0.9, rows(np.tile([500, 350, 620, 460], (N, 1))))
    events = [e for e in occlusion_events(window(ball, bus, far)) if e.occluded == 1]
    assert events and {e.occluder for e in events} == {2}
    assert any(e.full for e in events)


def test_shrinking_against_another_track_without_vanishing_is_a_partial_occlusion():
    # the dog's box loses two thirds (its right side) for 10 frames where a car stands, then comes back
    b = np.tile([100.0, 200, 160, 260], (N, 1))
    b[10:20, 2] = 120
    dog = TrackTrajectory(1, "dog", 0.9, rows(b))
    car = TrackTrajectory(2, "car", 0.9, rows(np.tile([130, 180, 260, 300], (N, 1))))
    events = occlusion_events(window(dog, car))
    part = [e for e in events if e.occluded == 1]
    assert [(e.occluder, e.start, e.end, e.full) for e in part] == [(2, 10, 19, False)]
    assert part[0].fraction == pytest.approx(2 / 3, abs=0.05)


def test_shrinking_at_the_image_border_is_leaving_the_frame_not_occlusion():
    b = np.tile([560.0, 200, 620, 260], (N, 1))
    b[20:, 2] = 640
    b[20:, 0] = np.linspace(600, 638, N - 20)  # sliding out of the right edge
    dog = TrackTrajectory(1, "dog", 0.9, rows(b))
    sign = TrackTrajectory(2, "sign", 0.9, rows(np.tile([590, 150, 640, 300], (N, 1))))
    assert [e for e in occlusion_events(window(dog, sign)) if e.occluded == 1] == []


def test_hidden_track_that_never_comes_back_is_extrapolated_into_the_occluder():
    xs = 100 + 10 * np.arange(N, dtype=float)
    b = np.stack([xs, np.full(N, 200), xs + 40, np.full(N, 240)], axis=1)
    vis = np.ones(N)
    vis[14:] = 0
    b[14:] = [226, 200, 230, 240]  # its last sliver, left of the wall and not overlapping it
    dog = TrackTrajectory(1, "dog", 0.9, rows(b, vis))
    wall = TrackTrajectory(2, "wall", 0.9, rows(np.tile([232, 100, 600, 400], (N, 1))))
    events = occlusion_events(window(dog, wall))
    assert [(e.occluded, e.occluder, e.full) for e in events] == [(1, 2, True)]


def test_walking_across_a_sofa_at_full_size_is_passing_in_front_of_it():
    xs = 20 + 8 * np.arange(N, dtype=float)
    cat = TrackTrajectory(1, "cat", 0.9, rows(np.stack([xs, np.full(N, 234), xs + 65, np.full(N, 283)], axis=1)))
    sofa = TrackTrajectory(2, "couch", 0.9, rows(np.tile([127, 151, 354, 259], (N, 1))))
    events = occlusion_events(window(cat, sofa))
    assert [(e.occluded, e.occluder, e.full) for e in events] == [(2, 1, False)]
    assert 0.0 < events[0].fraction < 0.2  # the cat covers a small part of the sofa


def test_going_behind_is_not_also_passing_in_front():
    events = occlusion_events(window(*walker_behind_box()))
    assert [(e.occluded, e.occluder) for e in events] == [(1, 2)]
