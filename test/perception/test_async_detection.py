"""Live mode: the detector runs on its own thread, no frame waits for it, and its answers are carried to the present.

The detector here is gated: ``detect`` blocks until the test opens the gate,
so each test decides exactly on which frame a detection comes back (no test
depends on how fast anything runs). ``finish`` opens the gate, waits until
the worker is idle and closes it again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np
import pytest
from perception.fake_models import FakeTracker, frame

from rvos_ros.config import Config, GroundingConfig
from rvos_ros.perception.detection_worker import carry_box, grey_small
from rvos_ros.perception.grounding import CandidateGrounder
from rvos_ros.perception.models import ModelPerception
from rvos_ros.runtime import Runtime
from rvos_ros.types import Detection, Frame

H, W = 120, 160


def box_at(i: int, speed: float = 10.0, y: float = 10.0, size: float = 20.0) -> tuple[float, float, float, float]:
    return (10.0 + speed * i, y, 10.0 + speed * i + size, y + size)


class GatedDetector:
    """Returns ``boxes_at(frame index)`` (phrase -> boxes) once the gate is open; logs frames and the thread."""

    def __init__(self, boxes_at: Callable[[int], dict[str, list]] | None = None) -> None:
        self.boxes_at: Callable[[int], dict[str, list]] = boxes_at or (lambda i: {})
        self.gate = threading.Event()
        self.started = threading.Event()
        self.phrases: tuple[str, ...] = ()
        self.phrase_calls: list[tuple[str, ...]] = []
        self.frames: list[int] = []
        self.threads: set[str] = set()
        self.fail = False

    def set_phrases(self, phrases) -> None:
        self.threads.add(threading.current_thread().name)
        self.phrases = tuple(phrases)
        self.phrase_calls.append(self.phrases)

    def detect(self, image: np.ndarray) -> list[Detection]:
        self.threads.add(threading.current_thread().name)
        i = int(image[0, 0, 0])
        self.frames.append(i)
        self.started.set()
        assert self.gate.wait(10), "the test never opened the gate"
        if self.fail:
            raise RuntimeError("CUDA error: an illegal memory access")
        boxes = self.boxes_at(i)
        return [Detection((float(b[0]), float(b[1]), float(b[2]), float(b[3])), round(0.9 - 0.05 * k, 4), p)
                for k, (p, b) in enumerate((p, b) for p in self.phrases for b in boxes.get(p, []))]


def make(boxes_at=None, every=1000, **kwargs):
    det, trk = GatedDetector(boxes_at), FakeTracker()
    grounding = {k: kwargs.pop(k) for k in list(kwargs) if k in GroundingConfig.__dataclass_fields__}
    g = CandidateGrounder(det, trk, GroundingConfig(**grounding), every_n_frames=every, asynchronous=True, **kwargs)
    return g, det, trk


def finish(g, det) -> None:
    """Let the detection in flight finish and wait for it (the next step picks its result up)."""
    det.gate.set()
    assert g.worker.wait_idle(10)
    det.gate.clear()


def textured(i: int, x: int, seed: int = 0) -> Frame:
    """A 160x120 frame of a textured background with a textured 30x30 object at (x, 40); index i in pixel (0, 0)."""
    rng = np.random.default_rng(seed)
    image = rng.integers(0, 120, (H, W, 3), dtype=np.uint8)
    patch = np.random.default_rng(seed + 1).integers(120, 255, (30, 30, 3), dtype=np.uint8)
    image[40:70, x:x + 30] = patch
    image[0, 0, 0] = i
    return Frame(image, round(i * 1e8), "camera", i)


# -- nothing waits ---------------------------------------------------------------------------------------


def test_frames_go_on_while_the_detector_runs_and_one_detection_is_in_flight_at_most():
    g, det, trk = make(lambda i: {"dog": [box_at(0)]}, every=1, carry_still_frames=10)  # a static dog
    g.set_phrases(["dog"])
    assert g.searching
    assert g.step(frame(0)) == ()
    assert det.started.wait(10)
    for i in range(1, 6):  # the detector is still busy: every frame returns, none starts a second detection
        assert g.step(frame(i)) == ()
        assert g.searching and not g.waited_for_detector
    assert det.frames == [0]
    det.started.clear()
    finish(g, det)
    tracks = g.step(frame(6))  # the result comes back on frame 6; frame 6 is sent off at once (every=1)
    assert [t.id for t in tracks] == [1] and not g.searching
    assert det.started.wait(10) and det.frames == [0, 6]
    assert g.frames_waited_for_detector == 0 and g.detections_run == 1
    assert det.threads == {"rvos_detector"}  # phrases and detections: only ever on the worker thread
    g.close()


def test_inline_mode_counts_every_keyframe_as_a_frame_that_waited():
    det, trk = GatedDetector(lambda i: {"dog": [box_at(0)]}), FakeTracker()
    det.gate.set()
    g = CandidateGrounder(det, trk, every_n_frames=3)
    g.set_phrases(["dog"])
    for i in range(7):
        g.step(frame(i))
    assert det.frames == [0, 3, 6] and g.frames_waited_for_detector == 3 and g.worker is None


# -- matched on the detected frame, carried to the present --------------------------------------------------


def test_detections_are_matched_to_the_tracks_as_they_were_on_the_detected_frame():
    # the dog moves 10 px a frame, its box is 20 px wide: three frames later it no longer overlaps where it was
    g, det, trk = make(lambda i: {"dog": [box_at(i)]}, every=3)
    g.set_phrases(["dog"])
    g.step(frame(0))
    finish(g, det)
    det.started.clear()
    for i in range(1, 7):
        if 1 in trk.boxes:
            trk.boxes[1] = box_at(i)  # SAM2 follows the dog
        g.step(frame(i))
        if i == 3:
            assert det.started.wait(10) and det.frames == [0, 3]  # the keyframe: a snapshot of frame 3
    finish(g, det)
    trk.boxes[1] = box_at(7)
    tracks = g.step(frame(7))  # frame 3's detection is matched to frame 3's mask, not to frame 7's
    assert [t.id for t in tracks] == [1]
    assert trk.adds() == [(1, box_at(0))]  # no duplicate track, no re-prompt: it matched on its own frame
    g.close()


def test_a_new_object_is_prompted_where_it_is_now_not_where_it_was_detected():
    g, det, trk = make(lambda i: {"dog": [(20.0 + 3 * i, 40.0, 50.0 + 3 * i, 70.0)]})
    g.set_phrases(["dog"])
    g.step(textured(0, 20))
    assert det.started.wait(10)
    for i in range(1, 5):
        g.step(textured(i, 20 + 3 * i))
    finish(g, det)
    g.step(textured(5, 35))  # detected on frame 0 at x=20; now at x=35
    (tid, box), = trk.adds()
    assert tid == 1 and np.allclose(box, (35.0, 40.0, 65.0, 70.0), atol=1.5), box
    g.close()


def test_without_a_measurable_motion_an_old_detection_prompts_nothing():
    g, det, trk = make(lambda i: {"dog": [box_at(0)]}, carry_still_frames=2)
    g.set_phrases(["dog"])
    g.step(frame(0))  # black frames: no corner to follow, no track yet to borrow a motion from
    for i in range(1, 4):
        g.step(frame(i))
    finish(g, det)
    assert g.step(frame(4)) == () and trk.adds() == []  # 4 frames old: its position now is unknown
    assert not g.searching  # the detection did come back (it found nothing it could place)


def test_a_recent_detection_without_a_measurable_motion_prompts_its_box():
    g, det, trk = make(lambda i: {"dog": [box_at(0)]}, carry_still_frames=2)
    g.set_phrases(["dog"])
    g.step(frame(0))
    finish(g, det)
    assert [t.id for t in g.step(frame(1))] == [1] and trk.adds() == [(1, box_at(0))]
    g.close()


def test_a_detection_older_than_carry_max_s_prompts_nothing():
    g, det, trk = make(lambda i: {"dog": [box_at(0)]}, carry_max_s=0.05)
    g.set_phrases(["dog"])
    g.step(frame(0))
    finish(g, det)
    assert g.step(frame(1)) == () and trk.adds() == []  # 10 fps: 0.1 s old


def test_a_drifted_track_is_re_prompted_at_its_carried_box_only_if_still_drifted():
    g, det, trk = make(lambda i: {"dog": [box_at(i, speed=2.0)]}, every=3, reprompt_iou=0.6)
    g.set_phrases(["dog"])
    g.step(frame(0))
    finish(g, det)
    g.step(frame(1))  # track 1 at box_at(0)
    trk.boxes[1] = (box_at(3, speed=2.0)[0] + 6, 10.0, box_at(3, speed=2.0)[2] + 6, 30.0)  # drifted 6 px off
    g.step(frame(2))
    g.step(frame(3))  # keyframe snapshot: the track is off its detection (IoU 0.54)
    assert det.started.wait(10)
    for i in (4, 5):  # the drifted mask moves like the dog, 2 px a frame
        trk.boxes[1] = (box_at(i, speed=2.0)[0] + 6, 10.0, box_at(i, speed=2.0)[2] + 6, 30.0)
        if i == 5:
            finish(g, det)
        g.step(frame(i))
    # black frames have no corners to follow: the track's own motion since the snapshot carries the box
    assert trk.adds()[-1] == (1, box_at(5, speed=2.0))
    g.close()


def test_a_track_drifted_on_the_detected_frame_but_recovered_since_is_left_alone():
    g, det, trk = make(lambda i: {"dog": [(20.0 + 3 * i, 40.0, 50.0 + 3 * i, 70.0)]}, every=3, reprompt_iou=0.6)
    g.set_phrases(["dog"])
    g.step(textured(0, 20))
    finish(g, det)
    det.started.clear()
    for i in range(1, 6):
        if i > 1:
            x = 20.0 + 3 * i + (8.0 if i in (3, 4) else 0.0)  # off by 8 px on the keyframe (3), back on frame 5
            trk.boxes[1] = (x, 40.0, x + 30.0, 70.0)
        if i == 5:
            finish(g, det)
        g.step(textured(i, 20 + 3 * i))
        if i == 3:
            assert det.started.wait(10)
    assert len(trk.adds()) == 1  # the first prompt only: on frame 5 the carried box agrees with the mask
    g.close()


# -- stale answers, faults, reset, close ---------------------------------------------------------------------


def test_an_answer_for_replaced_phrases_is_dropped_and_the_new_phrases_go_to_the_worker():
    g, det, trk = make(lambda i: {"dog": [box_at(0)], "ball": [box_at(0, y=50.0)]})
    g.set_phrases(["dog"])
    g.step(frame(0))
    assert det.started.wait(10)
    g.set_phrases(["ball"])  # a new command while "dog" is being detected
    det.started.clear()
    finish(g, det)
    assert g.step(frame(1)) == ()  # the dog answer is not used; "ball" is sent off on this frame
    assert det.started.wait(10)
    finish(g, det)
    tracks = g.step(frame(2))
    assert [(t.id, t.label) for t in tracks] == [(1, "ball")]
    assert det.phrase_calls == [("dog",), ("ball",)] and det.threads == {"rvos_detector"}
    g.close()


def test_reset_drops_the_detection_in_flight():
    g, det, trk = make(lambda i: {"dog": [box_at(0)]})
    g.set_phrases(["dog"])
    g.step(frame(0))
    assert det.started.wait(10)
    g.reset()
    finish(g, det)
    assert g.searching  # the new stream has not been detected yet
    det.started.clear()
    assert g.step(frame(0)) == ()  # the old stream's answer is gone; the new stream's first frame is sent off
    assert det.started.wait(10)
    finish(g, det)
    assert [t.id for t in g.step(frame(1))] == [1]
    g.close()


def test_a_detector_fault_on_the_worker_is_the_frames_error_and_the_stream_goes_on():
    g, det, trk = make(lambda i: {"dog": [box_at(0)]})
    g.set_phrases(["dog"])
    det.fail = True
    g.step(frame(0))
    finish(g, det)
    assert g.step(frame(1)) == ()
    assert "the detector failed on the worker: RuntimeError: CUDA error" in g.error
    det.fail = False
    g.step(frame(2))
    assert g.error == ""


def test_close_ends_the_worker_thread_and_a_later_frame_starts_it_again():
    g, det, trk = make(lambda i: {"dog": [box_at(0)]}, every=1)
    g.set_phrases(["dog"])
    g.step(frame(0))
    assert det.started.wait(10)
    thread = g.worker._thread
    g.close()
    finish(g, det)  # the running detection ends; its answer is dropped
    thread.join(10)
    assert not thread.is_alive()
    assert g.step(frame(1)) == ()  # nothing applied from before close; a new detection starts
    finish(g, det)
    assert [t.id for t in g.step(frame(2))] == [1]
    g.close()


def test_a_finished_result_is_never_overwritten_by_the_next_submission():
    from rvos_ros.perception.detection_worker import DetectionJob, DetectionWorker

    det = GatedDetector(lambda i: {"dog": [box_at(i)]})
    worker = DetectionWorker(det)
    job = DetectionJob(frame(3).image, 3, 0, 1, ("dog",), {})
    assert worker.submit(job) and not worker.submit(job)  # one in flight
    det.gate.set()
    assert worker.wait_idle(10)  # finished between two frames, not collected yet
    assert not worker.submit(job)
    result = worker.poll()
    assert result is not None and result.job is job and [d.box for d in result.detections] == [box_at(3)]
    assert result.grey is not None and result.error == "" and worker.submit(job)
    worker.close()


# -- through the runtime -----------------------------------------------------------------------------------------


def live_runtime(det, trk, **overrides):
    cfg = Config().replace(**{"runtime.mode": "live", **overrides})
    p = ModelPerception(det, trk, cfg.perception, asynchronous=True)
    return Runtime(cfg, p), p


def test_a_new_command_says_searching_until_its_first_detection_is_back():
    det, trk = GatedDetector(lambda i: {"ball": [box_at(0)]}), FakeTracker()
    rt, p = live_runtime(det, trk)
    rt.set_command("the ball")
    for i in range(2):
        r = rt.step(frame(i))
        assert r.decision.state == "searching" and r.tracks == ()
    assert rt.session.reasoner.poll() is None and not rt.session.reasoner.busy  # nothing to reason about yet
    finish(p.grounder, det)
    r = rt.step(frame(2))
    assert [t.id for t in r.tracks] == [1]
    assert rt.session.reasoner.wait_idle(10)
    r = rt.step(frame(3))
    assert r.decision.targets == (1,) and r.decision.state != "searching"
    rt.close()


def test_a_worker_fault_reaches_the_frame_result_and_the_runtime_goes_on():
    det, trk = GatedDetector(lambda i: {"ball": [box_at(0)]}), FakeTracker()
    rt, p = live_runtime(det, trk)
    rt.set_command("the ball")
    det.fail = True
    rt.step(frame(0))
    assert det.started.wait(10)
    det.started.clear()
    finish(p.grounder, det)
    r = rt.step(frame(1))
    assert "the detector failed on the worker" in r.error
    assert r.decision.state == "searching"
    assert det.started.wait(10) and det.frames == [0, 1]  # retried at once, from the frame that reported it
    det.fail = False
    finish(p.grounder, det)
    r = rt.step(frame(2))
    assert r.error == "" and [t.id for t in r.tracks] == [1]
    rt.close()


def test_the_frame_report_times_the_detector():
    det, trk = GatedDetector(lambda i: {"ball": [box_at(0)]}), FakeTracker()
    det.gate.set()
    p = ModelPerception(det, trk, Config().perception)  # deterministic: inline
    rt = Runtime(Config(), p)
    rt.set_command("the ball")
    r = rt.step(frame(0))
    assert "detector" in r.timings_ms and p.frame_report().waited_for_detector
    top = ("perception", "camera", "track_book", "reasoning", "output")
    assert r.timings_ms["total"] == pytest.approx(sum(r.timings_ms[k] for k in top))


# -- carrying a box ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("shift", [(0, 0), (6, 0), (-4, 3), (15, -8)])
def test_carry_box_measures_the_motion_of_what_is_inside_the_box(shift):
    dx, dy = shift
    before, scale = grey_small(textured(0, 40).image)
    moved = textured(1, 40).image.copy()
    rng = np.random.default_rng(1)  # the object's own texture, moved by (dx, dy) on the same background
    moved[40:70, 40:70] = textured(0, 40).image[40:70, 40:70] * 0 + rng.integers(0, 120, (30, 30, 3))
    moved[40 + dy:70 + dy, 40 + dx:70 + dx] = textured(0, 40).image[40:70, 40:70]
    after, _ = grey_small(moved)
    motion = carry_box((40.0, 40.0, 70.0, 70.0), before, after, scale)
    assert motion is not None and np.allclose(motion, shift, atol=1.0), motion


def test_carry_box_is_unsure_on_a_flat_image():
    flat = np.full((H, W), 90, np.uint8)
    assert carry_box((40.0, 40.0, 70.0, 70.0), flat, flat, 1.0) is None
