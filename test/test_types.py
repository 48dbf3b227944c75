"""The plain data between stages validates what it must and serializes to the contracts."""

import numpy as np
import pytest

from rvos_ros.errors import InputError
from rvos_ros.types import Decision, Frame, TrackTrajectory, TrajectoryWindow


def test_frame_accepts_rgb_uint8():
    f = Frame(np.zeros((4, 6, 3), np.uint8), 10)
    assert (f.height, f.width) == (4, 6)


@pytest.mark.parametrize(
    "image",
    [np.zeros((4, 6), np.uint8), np.zeros((4, 6, 3), np.float32), np.zeros((4, 6, 4), np.uint8), [[1, 2]]],
)
def test_frame_refuses_other_images(image):
    with pytest.raises(InputError, match=r"HxWx3 uint8 RGB"):
        Frame(image, 0)


def test_frame_refuses_zero_size():
    with pytest.raises(InputError, match=r"zero size"):
        Frame(np.zeros((0, 5, 3), np.uint8), 0)


def test_decision_contract_fields():
    d = Decision((3,), 0.912345, "locked", "rules", (3, 5), "3 moves left", frame_index=7, generation=2)
    assert d.to_dict() == {"version": 1, "targets": [3], "confidence": 0.9123, "state": "locked",
                           "stage": "rules", "candidates": [3, 5], "rationale": "3 moves left"}


def test_decision_refuses_unknown_state_and_stage():
    with pytest.raises(ValueError, match=r"unknown decision state"):
        Decision(state="happy")
    with pytest.raises(ValueError, match=r"unknown decision stage"):
        Decision(stage="magic")


def test_window_to_dict_matches_contract():
    boxes = np.array([[0, 1, 2, 3, 4, 1], [2, 5, 6, 7, 8, 0]], float)
    w = TrajectoryWindow("the ball", 15.0, 64, 48, 3, (TrackTrajectory(4, "ball", 0.5, boxes, {"color": "red"}),),
                         np.tile(np.eye(3), (3, 1, 1)))
    d = w.to_dict()
    assert d["version"] == 1 and d["num_frames"] == 3 and len(d["camera"]) == 3
    assert d["tracks"][0] == {"id": 4, "label": "ball", "score": 0.5, "attributes": {"color": "red"},
                              "boxes": [[0, 1.0, 2.0, 3.0, 4.0, 1], [2, 5.0, 6.0, 7.0, 8.0, 0]]}
    assert w.track(4).label == "ball"
    with pytest.raises(KeyError):
        w.track(9)
