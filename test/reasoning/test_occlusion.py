"""Occlusion relations from boxes, visibility and keyframe masks."""

from __future__ import annotations

import numpy as np

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
