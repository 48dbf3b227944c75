"""Reading trajectory windows: the contract of docs/contracts.md and every error path."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest

from rvos_ros.errors import InputError
from rvos_ros.reasoning.window_io import load_window, window_from_dict

GOOD = {
    "version": 1, "query": "the ball that rolls to the left", "fps": 15.0, "width": 640, "height": 480,
    "num_frames": 3,
    "camera": [[1, 0, 0, 0, 1, 0, 0, 0, 1], [1, 0, -2, 0, 1, 0, 0, 0, 1], [1, 0, -2, 0, 1, 0, 0, 0, 1]],
    "tracks": [
        {"id": 3, "label": "ball", "score": 0.82, "attributes": {"color": "red"},
         "boxes": [[0, 100.0, 120.0, 160.0, 180.0, 1], [2, 90.0, 120.0, 150.0, 180.0, 0]]},
        {"id": 5, "label": "ball", "score": 0.5, "boxes": [[1, 10, 10, 20, 20, 1]]},
    ],
}


def bad(**edits):
    data = copy.deepcopy(GOOD)
    for path, value in edits.items():
        node = data
        keys = [int(k) if k.isdigit() else k for k in path.split("__")]
        for k in keys[:-1]:
            node = node[k]
        if value is KeyError:
            del node[keys[-1]]
        else:
            node[keys[-1]] = value
    return data


def test_a_valid_window_round_trips():
    w = window_from_dict(GOOD)
    assert (w.fps, w.width, w.height, w.num_frames, w.query) == (15.0, 640, 480, 3, GOOD["query"])
    assert w.camera.shape == (3, 3, 3) and w.camera[1, 0, 2] == -2
    assert [t.id for t in w.tracks] == [3, 5]
    assert w.track(3).attributes == {"color": "red"}
    np.testing.assert_array_equal(w.track(3).boxes[1], [2, 90, 120, 150, 180, 0])
    assert window_from_dict(w.to_dict()).to_dict() == w.to_dict()


def test_camera_is_optional():
    assert window_from_dict(bad(camera=KeyError)).camera is None


def test_load_window_from_a_file(tmp_path):
    p = tmp_path / "w.json"
    p.write_text(json.dumps(GOOD))
    assert load_window(p).num_frames == 3


def test_missing_file_and_bad_json(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        load_window(tmp_path / "nope.json")
    p = tmp_path / "w.json"
    p.write_text("{not json")
    with pytest.raises(InputError, match="not valid JSON"):
        load_window(p)


@pytest.mark.parametrize("data,match", [
    ([1, 2], "must be a JSON object"),
    (bad(version=KeyError), "'version' is missing"),
    (bad(version=2), "version 2 is not supported"),
    (bad(fps=KeyError), r"fps: Field required"),
    (bad(tracks__1__label=KeyError), r"tracks\[1\]\.label: Field required"),
    (bad(tracks__0__boxes__1="x"), r"tracks\[0\]\.boxes\[1\]"),
    (bad(num_frames=0), "num_frames: the window has 0 frames"),
    (bad(fps=-1), "fps: must be a positive number"),
    (bad(width=0), "image size must be positive"),
    (bad(tracks__0__boxes__1__1=float("nan")), r"tracks\[0\]\.boxes\[1\]: .*NaN"),
    (bad(tracks__0__boxes__0__2=-5), r"tracks\[0\]\.boxes\[0\]: .*negative"),
    (bad(tracks__0__boxes__0__3=50), r"tracks\[0\]\.boxes\[0\]: .*inverted \(x2 < x1"),
    (bad(tracks__0__boxes__1__0=3), r"tracks\[0\]\.boxes\[1\]: frame index 3 is outside \[0, num_frames=3\)"),
    (bad(tracks__0__boxes__1__0=-1), r"tracks\[0\]\.boxes\[1\]: frame index -1 is outside"),
    (bad(tracks__0__boxes__1__0=0), r"tracks\[0\]\.boxes\[1\]: frame index 0 is not after"),
    (bad(tracks__0__boxes__1__5=2), r"tracks\[0\]\.boxes\[1\]: visible flag must be 0 or 1"),
    (bad(tracks__1__boxes__0=[1, 2, 3]), r"tracks\[1\]\.boxes\[0\]: a box row must be"),
    (bad(tracks__1__id=3), r"tracks\[1\]\.id: track id 3 is used twice"),
    (bad(camera=[[1, 0, 0, 0, 1, 0, 0, 0, 1]]), "camera: has 1 homographies for num_frames=3"),
    (bad(camera__1=[1, 0, 0, 0, 1, 0]), r"camera\[1\]: a homography must be 9 numbers"),
    (bad(camera__2=[0] * 9), r"camera\[2\]: homography is singular"),
])
def test_contract_violations_name_the_field(data, match):
    with pytest.raises(InputError, match=match):
        window_from_dict(data)
