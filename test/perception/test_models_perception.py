"""ModelPerception: the command's phrases drive the detector; tracks carry labels, boxes, visibility and masks."""

import os
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from perception.fake_models import FakeDetector, FakeTracker, frame, rect_mask  # noqa: E402

from rvos_ros.config import Config  # noqa: E402
from rvos_ros.errors import ConfigError, ModelError  # noqa: E402
from rvos_ros.perception.base import Perception  # noqa: E402
from rvos_ros.perception.models import ModelPerception  # noqa: E402
from rvos_ros.reasoning.query_parser import QueryParser  # noqa: E402
from rvos_ros.runtime import Runtime  # noqa: E402

DOG = (10.0, 10.0, 30.0, 30.0)
BALL = (50.0, 20.0, 60.0, 30.0)
CAT = (35.0, 40.0, 45.0, 55.0)
parse = QueryParser().parse


def make(boxes=None, **detector):
    det, trk = FakeDetector(boxes or {"dog": [DOG], "ball": [BALL], "cat": [CAT]}), FakeTracker()
    cfg = Config().replace(**{f"perception.detector.{k}": v for k, v in detector.items()}).perception
    return ModelPerception(det, trk, cfg), det, trk


def test_it_is_a_query_dependent_perception():
    p, _, _ = make()
    assert isinstance(p, Perception) and p.query_independent is False


def test_the_commands_categories_and_context_become_detector_phrases():
    p, det, _ = make()
    p.set_query(parse("the dog chasing the ball"))
    assert det.phrase_calls == [("dog", "ball")] and p.phrases == ("dog", "ball")


def test_tracks_carry_label_score_mask_box_and_visibility():
    p, det, trk = make()
    p.set_query(parse("the dog chasing the ball"))
    tracks = p.step(frame(0))
    assert [(t.id, t.label, t.box, t.visible) for t in tracks] == [(1, "dog", DOG, True), (2, "ball", BALL, True)]
    assert np.array_equal(tracks[0].mask, rect_mask(DOG)) and tracks[0].score == pytest.approx(0.9)
    trk.boxes[1] = (12.0, 10.0, 32.0, 30.0)  # the dog moves: the box follows the mask
    trk.boxes[2] = None  # the ball is occluded: last known box, no mask
    det.boxes.pop("ball")  # (and the detector, run because a track was lost, does not see it either)
    tracks = p.step(frame(1))
    assert tracks[0].box == (12.0, 10.0, 32.0, 30.0) and tracks[0].visible
    assert tracks[1].box == BALL and not tracks[1].visible and tracks[1].mask is None


def test_a_new_command_keeps_tracks_it_still_asks_for_and_drops_the_others():
    p, det, trk = make()
    p.set_query(parse("the dog chasing the ball"))
    p.step(frame(0))
    p.set_query(parse("the dog next to the cat"))
    assert ("remove", 2) in trk.calls and ("remove", 1) not in trk.calls
    tracks = p.step(frame(1))  # the new command is detected on the very next frame
    assert det.frames == [0, 1]
    assert [(t.id, t.label) for t in tracks] == [(1, "dog"), (3, "cat")]


def test_clearing_the_command_removes_every_track_and_stops_detection():
    p, det, trk = make()
    p.set_query(parse("the ball"))
    p.step(frame(0))
    p.set_query(None)
    assert ("remove", 1) in trk.calls and p.phrases == ()
    assert [p.step(frame(i)) for i in range(1, 20)] == [()] * 19 and det.frames == [0]


def test_reset_forgets_the_stream_and_keeps_the_command():
    p, det, trk = make(every_n_frames=50)
    p.set_query(parse("the ball"))
    p.step(frame(0))
    p.step(frame(1))
    p.reset()
    assert ("reset",) in trk.calls
    assert [(t.id, t.label) for t in p.step(frame(0))] == [(1, "ball")] and det.frames == [0, 0]


def test_the_keyframe_period_comes_from_the_detector_config():
    p, det, _ = make(every_n_frames=3)
    p.set_query(parse("the dog"))
    for i in range(10):
        p.step(frame(i))
    assert det.frames == [0, 3, 6, 9]


def test_the_runtime_drives_it_and_segments_the_target():
    p, det, trk = make()
    rt = Runtime(Config(), p)
    rt.set_command("the ball")
    results = [rt.step(frame(i)) for i in range(12)]
    assert det.phrase_calls == [("ball",)]
    last = results[-1]
    assert [t.label for t in last.tracks] == ["ball"] and last.decision.targets == (1,)
    assert np.array_equal(last.mask, rect_mask(BALL))


# -- construction ------------------------------------------------------------------------------------------


def test_without_the_models_extra_from_config_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "rvos_ros.perception.tracker", None)  # as if sam2/torch were missing
    with pytest.raises(ModelError, match=r"needs torch, transformers and sam2 .*pip install rvos_ros\[models\]"):
        ModelPerception.from_config(Config())


def test_from_config_without_weights_says_to_pull_them(tmp_path):
    pytest.importorskip("torch")
    pytest.importorskip("sam2")
    pytest.importorskip("rvos_ros.perception.tracker")
    cfg = Config().replace(**{"perception.models_dir": str(tmp_path), "perception.device": "cpu"})
    with pytest.raises((ConfigError, ModelError), match="rvos-ros models pull"):
        ModelPerception.from_config(cfg)
