"""The overlay tells a locked target from a provisional one: green when locked, amber with the state otherwise."""

import cv2
import numpy as np
import pytest

from rvos_ros.interface.overlay import (
    LOCKED_COLOUR,
    OTHER_COLOUR,
    PROVISIONAL_COLOUR,
    VideoSink,
    draw_overlay,
    target_colour,
)
from rvos_ros.types import Decision, FrameResult, Track

H, W = 120, 200
BALL_BOX = (120.0, 50.0, 170.0, 100.0)  # x1, y1, x2, y2
DOG_BOX = (20.0, 60.0, 70.0, 110.0)


def _result(state, targets=(2,)):
    ball_mask = np.zeros((H, W), bool)
    ball_mask[60:90, 130:160] = True
    tracks = (Track(1, "dog", 0.9, DOG_BOX), Track(2, "ball", 0.8, BALL_BOX, mask=ball_mask))
    decision = Decision(targets=tuple(targets), confidence=0.6, state=state, candidates=(1, 2),
                        rationale="2 rolls left")
    mask = ball_mask if 2 in targets else np.zeros((H, W), bool)
    return FrameResult(frame_index=7, stamp_ns=0, frame_id="camera", seq=7, mask=mask, decision=decision,
                       tracks=tracks)


def _captions(monkeypatch):
    """Every text drawn, with its colour."""
    drawn = []
    put_text = cv2.putText

    def recording(img, text, org, font, scale, colour, *args, **kw):
        drawn.append((text, tuple(int(c) for c in colour)))
        return put_text(img, text, org, font, scale, colour, *args, **kw)

    monkeypatch.setattr(cv2, "putText", recording)
    return drawn


def _box_edge(img, box):
    """The colour of the middle of a box's left edge."""
    x1, y1, _, y2 = (int(v) for v in box)
    return tuple(int(c) for c in img[(y1 + y2) // 2, x1])


GREY = np.full((H, W, 3), 100, np.uint8)


def test_a_locked_target_is_green_and_keeps_todays_colour():
    assert LOCKED_COLOUR == (40, 220, 60)
    out = draw_overlay(GREY, _result("locked"))
    assert _box_edge(out, BALL_BOX) == LOCKED_COLOUR
    tint = out[75, 145].astype(int)
    assert tint[1] > tint[0] + 60 and tint[1] > tint[2] + 60  # the mask is tinted green


@pytest.mark.parametrize("state", ["reasoning", "ambiguous", "searching", "lost"])
def test_a_target_that_is_not_locked_is_amber(state):
    out = draw_overlay(GREY, _result(state))
    assert _box_edge(out, BALL_BOX) == PROVISIONAL_COLOUR != LOCKED_COLOUR
    r, g, b = out[75, 145].astype(int)
    assert r > g > b and r - b > 80  # the mask is tinted amber, not green


@pytest.mark.parametrize("state", ["reasoning", "ambiguous", "searching", "lost"])
def test_a_provisional_targets_caption_names_the_decision_state(monkeypatch, state):
    drawn = _captions(monkeypatch)
    draw_overlay(GREY, _result(state))
    assert (f"2 ball ({state})", PROVISIONAL_COLOUR) in drawn
    assert ("1 dog", OTHER_COLOUR) in drawn  # a candidate that is not a target carries no state


def test_a_locked_targets_caption_is_its_id_and_label(monkeypatch):
    drawn = _captions(monkeypatch)
    draw_overlay(GREY, _result("locked"))
    assert ("2 ball", LOCKED_COLOUR) in drawn
    assert any(text.startswith("#7 locked 0.60") for text, _ in drawn)  # the banner still says the state


def test_other_candidates_keep_their_colour_whatever_the_state():
    for state in ("locked", "reasoning"):
        assert _box_edge(draw_overlay(GREY, _result(state)), DOG_BOX) == OTHER_COLOUR


def test_target_colour_is_green_only_when_locked():
    assert target_colour("locked") == LOCKED_COLOUR
    assert {target_colour(s) for s in ("reasoning", "ambiguous", "searching", "lost", "no_command")} == {
        PROVISIONAL_COLOUR}


def test_the_input_image_is_not_changed():
    img = GREY.copy()
    draw_overlay(img, _result("reasoning"), command="the ball")
    assert np.array_equal(img, GREY)


def test_video_sink_writes_every_frame(tmp_path):
    path = tmp_path / "sub" / "o.mp4"
    with VideoSink(path, fps=10.0) as sink:
        for state in ("reasoning", "locked", "locked"):
            sink.write(draw_overlay(GREY, _result(state)))
    cap = cv2.VideoCapture(str(path))
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == 3 == sink.frames
    cap.release()


def test_the_video_is_h264_a_browser_plays_and_odd_sizes_are_padded(tmp_path):
    av = pytest.importorskip("av", reason="PyAV is the video extra (make test installs it)")
    path = tmp_path / "o.mp4"
    odd = np.full((31, 45, 3), 90, np.uint8)
    with VideoSink(path, fps=15.0) as sink:
        for i in range(5):
            frame = odd.copy()
            frame[:, i * 5:i * 5 + 5] = (255, 0, 0)
            sink.write(frame)
    assert sink.codec == "h264"
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264" and stream.codec_context.pix_fmt == "yuv420p"
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(stream)]
    assert len(frames) == 5 and frames[0].shape == (32, 46, 3)
    assert frames[4][15, 22, 0] > 200 > frames[0][15, 22, 0]  # the red band moved: frames in order, not one repeated


def test_without_pyav_the_video_falls_back_to_mp4v(tmp_path, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_av(name, *args, **kwargs):
        if name == "av":
            raise ImportError("no av")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_av)
    with VideoSink(tmp_path / "o.mp4", fps=10.0) as sink:
        sink.write(GREY)
    assert sink.codec == "mp4v" and (tmp_path / "o.mp4").stat().st_size > 0
