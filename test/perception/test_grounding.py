"""Candidate grounding: keyframe detections matched to streaming tracks keep stable ids (fake models)."""

from dataclasses import dataclass

import numpy as np
import pytest
from perception.fake_models import FakeDetector, FakeTracker, frame, rect_mask

from rvos_ros.config import GroundingConfig
from rvos_ros.errors import InputError, ModelError
from rvos_ros.perception.grounding import CandidateGrounder, box_iou, iou_matrix, match_detections
from rvos_ros.types import Detection

DOG = (10.0, 10.0, 30.0, 30.0)
BALL = (50.0, 20.0, 60.0, 30.0)


def shifted(box, dx=0.0, dy=0.0):
    return (box[0] + dx, box[1] + dy, box[2] + dx, box[3] + dy)


def make(boxes=None, every=5, phrases=("dog", "ball"), **grounding):
    det, trk = FakeDetector(boxes), FakeTracker()
    g = CandidateGrounder(det, trk, GroundingConfig(**grounding), every_n_frames=every)
    if phrases:
        g.set_phrases(phrases)
    return g, det, trk


def run(g, frames, before=None):
    out = []
    for i in frames:
        if before is not None:
            before(i)
        out.append(g.step(frame(i)))
    return out


# -- ids --------------------------------------------------------------------------------------------


def test_ids_survive_re_detection_of_slightly_moved_objects():
    g, det, trk = make({"dog": [DOG], "ball": [BALL]})

    def move(i):  # both the tracker and the detector see the objects drift right, 1 px per frame
        det.boxes = {"dog": [shifted(DOG, i + 1)], "ball": [shifted(BALL, -i - 1)]}
        for tid in list(trk.boxes):
            trk.boxes[tid] = shifted(DOG if tid == 1 else BALL, i if tid == 1 else -i)

    results = run(g, range(30), before=move)
    assert det.frames == [0, 5, 10, 15, 20, 25]
    assert all([t.id for t in r] == [1, 2] for r in results)
    assert [t.label for t in results[-1]] == ["dog", "ball"]
    assert len(trk.adds()) == 2  # the first keyframe only: later detections matched without re-prompting


def test_a_new_object_mid_stream_gets_a_new_id_and_old_ids_stay():
    g, det, trk = make({"dog": [DOG]})

    def appear(i):
        if i == 10:
            det.boxes["ball"] = [BALL]

    results = run(g, range(16), before=appear)
    assert [t.id for t in results[9]] == [1]
    assert [(t.id, t.label) for t in results[10]] == [(1, "dog"), (2, "ball")]
    assert results[10][1].box == BALL and results[10][1].visible
    assert trk.adds() == [(1, DOG), (2, BALL)]


def test_a_drifted_track_is_re_prompted_from_its_detection_with_the_same_id():
    g, det, trk = make({"dog": [DOG]}, every=5, match_iou=0.3, reprompt_iou=0.6)
    run(g, range(3))
    trk.boxes[1] = shifted(DOG, 6)  # the mask slid off: IoU with the detection 14/26 = 0.54, between the thresholds
    assert 0.3 < box_iou(trk.boxes[1], DOG) < 0.6
    results = run(g, range(3, 6))
    assert trk.adds() == [(1, DOG), (1, DOG)]
    assert [t.id for t in results[-1]] == [1] and results[-1][0].box == DOG


def test_a_matched_track_that_stays_close_is_not_re_prompted():
    g, det, trk = make({"dog": [DOG]}, every=5, reprompt_iou=0.6)
    run(g, range(3))
    trk.boxes[1] = shifted(DOG, 2)  # IoU 18/22 = 0.82
    run(g, range(3, 6))
    assert trk.adds() == [(1, DOG)]


def test_a_detection_far_from_a_drifted_track_starts_a_new_track_instead():
    g, det, trk = make({"dog": [DOG]}, every=5, match_iou=0.3)
    run(g, range(3))
    trk.boxes[1] = shifted(DOG, 15)  # IoU 5/35 = 0.14 < match_iou: not the same object any more
    results = run(g, range(3, 6))
    assert [t.id for t in results[-1]] == [1, 2]


def test_ids_are_never_reused_but_restart_after_reset():
    g, det, trk = make({"dog": [DOG]}, every=1, retire_after_s=0.5)
    run(g, range(2))
    det.boxes = {}
    trk.boxes[1] = None
    run(g, range(2, 10))
    assert g.track_ids == ()
    det.boxes = {"dog": [DOG]}
    assert [t.id for t in run(g, range(10, 11))[0]] == [2]
    g.reset()
    assert ("reset",) in trk.calls
    assert [t.id for t in g.step(frame(0))] == [1]


# -- occlusion and retirement ------------------------------------------------------------------------


def test_an_occluded_track_keeps_its_last_box_then_retires_after_retire_after_s():
    g, det, trk = make({"dog": [DOG], "ball": [BALL]}, every=100, retire_after_s=1.0)
    run(g, range(3))
    det.boxes = {"ball": [BALL]}  # the dog is hidden: no detection re-acquires it
    trk.boxes[1] = None
    hidden = run(g, range(3, 20))  # 10 fps: last seen at frame 2 (0.2 s); gone once unseen for > 1.0 s
    for i, tracks in zip(range(3, 20), hidden, strict=True):
        ids = [t.id for t in tracks]
        if i <= 12:
            dog = tracks[0]
            assert dog.id == 1 and not dog.visible and dog.box == DOG and dog.mask is None
        else:
            assert ids == [2], i
    assert ("remove", 1) in trk.calls and 1 not in trk.boxes


def test_an_occluded_track_that_is_detected_again_is_re_prompted_under_its_id():
    g, det, trk = make({"dog": [DOG]}, every=5)
    run(g, range(2))
    trk.boxes[1], det.boxes = None, {}
    run(g, range(2, 4))  # lost on frame 2: the detector runs at once, but finds nothing
    det.boxes = {"dog": [DOG]}
    results = run(g, range(4, 8))  # next keyframe: frame 7, where the detector sees the dog again
    assert [(t.id, t.visible) for t in results[-2]] == [(1, False)]
    assert trk.adds() == [(1, DOG), (1, DOG)]
    assert [(t.id, t.visible) for t in results[-1]] == [(1, True)]


# -- matching ----------------------------------------------------------------------------------------


def test_hungarian_assignment_beats_greedy():
    # greedy would take the best pair (0, 0) first and leave detection 1 with nothing above the threshold
    iou = np.array([[0.8, 0.7], [0.6, 0.0]])
    assert sorted(match_detections(iou, 0.3)) == [(0, 1), (1, 0)]
    assert match_detections(np.array([[0.2]]), 0.3) == []
    assert match_detections(np.zeros((0, 2)), 0.3) == []


def test_grounding_uses_the_globally_best_assignment_instead_of_starting_a_duplicate():
    a, b = (10.0, 0.0, 20.0, 10.0), (16.0, 0.0, 26.0, 10.0)
    d1, d2 = (12.0, 0.0, 22.0, 10.0), (6.0, 0.0, 16.0, 10.0)
    # greedy: d1-a (0.67) first, then d2 overlaps nothing left -> a third track; optimal: d1-b + d2-a (0.43 each)
    assert box_iou(d1, a) == pytest.approx(8 / 12) and box_iou(d2, b) == 0
    assert box_iou(d1, b) == box_iou(d2, a) == pytest.approx(6 / 14)
    g, det, trk = make({"dog": [a, b]}, every=3, match_iou=0.3, reprompt_iou=0.6)
    g.step(frame(0))
    det.boxes = {"dog": [d1, d2]}
    run(g, range(1, 4))
    assert g.track_ids == (1, 2)
    assert trk.adds()[2:] == [(2, d1), (1, d2)]  # both below reprompt_iou: re-prompted on their assignment


def test_mask_iou_is_used_when_the_detection_has_a_mask():
    @dataclass(frozen=True)
    class MaskedDetection(Detection):
        mask: np.ndarray | None = None

    track_mask = rect_mask(DOG)
    same_box_other_pixels = np.zeros_like(track_mask)
    same_box_other_pixels[10, 10] = same_box_other_pixels[29, 29] = True
    dets = [MaskedDetection(DOG, 0.9, "dog", same_box_other_pixels), Detection(DOG, 0.9, "dog")]
    iou = iou_matrix(dets, [DOG], [track_mask])
    assert iou[0, 0] == pytest.approx(2 / 400) and iou[1, 0] == 1.0


def test_a_second_detection_on_a_tracked_object_does_not_start_a_duplicate():
    g, det, trk = make({"dog": [DOG, shifted(DOG, 5)]}, match_iou=0.3)
    g.step(frame(0))
    assert g.track_ids == (1,)


def test_max_tracks_keeps_the_best_detections():
    boxes = [(x, 5.0, x + 8.0, 15.0) for x in (0.0, 15.0, 30.0, 45.0, 60.0)]
    g, det, trk = make({"dog": boxes}, max_tracks=3)
    tracks = g.step(frame(0))
    assert [t.box for t in tracks] == boxes[:3]
    run(g, range(1, 11))
    assert g.track_ids == (1, 2, 3)


def test_score_is_a_moving_average_and_label_follows_the_strongest_votes():
    g, det, trk = make({"dog": [DOG]}, every=2)
    first = g.step(frame(0))[0]
    assert first.score == pytest.approx(0.9) and first.label == "dog"
    det.boxes = {"dog": [(70.0, 50.0, 78.0, 58.0)], "ball": [DOG]}
    g.step(frame(1))
    t = g.step(frame(2))[0]  # matched to a "ball" detection scoring 0.85
    assert t.score == pytest.approx(0.7 * 0.9 + 0.3 * 0.85) and t.label == "dog"  # 0.85 for ball < 0.9 for dog
    g.step(frame(3))
    t = g.step(frame(4))[0]
    assert t.label == "ball"


# -- keyframe schedule --------------------------------------------------------------------------------


def test_detector_runs_every_n_frames_on_new_phrases_and_when_a_track_is_lost():
    g, det, trk = make({"dog": [DOG], "cat": [BALL]}, every=4, phrases=("dog",))
    run(g, range(7))
    assert det.frames == [0, 4]
    g.set_phrases(("dog", "cat"))  # a new command: detect on the next frame, then every 4 from there
    run(g, range(7, 12))
    assert det.frames == [0, 4, 7, 11]
    trk.boxes[1] = None  # the dog is lost on frame 12
    run(g, range(12, 15))
    assert det.frames == [0, 4, 7, 11, 12]


def test_without_phrases_nothing_runs():
    g, det, trk = make({"dog": [DOG]}, phrases=())
    assert run(g, range(5)) == [()] * 5
    assert det.frames == [] and trk.steps == 0


def test_clear_removes_every_track_and_stops_detection():
    g, det, trk = make({"dog": [DOG], "ball": [BALL]})
    g.step(frame(0))
    g.clear()
    assert ("remove", 1) in trk.calls and ("remove", 2) in trk.calls
    assert run(g, range(1, 12)) == [()] * 11 and det.frames == [0]


def test_retain_labels_removes_the_others():
    g, det, trk = make({"dog": [DOG], "ball": [BALL]})
    g.step(frame(0))
    assert g.retain_labels(["ball"]) == [1]
    assert g.track_ids == (2,) and 1 not in trk.boxes


# -- errors --------------------------------------------------------------------------------------------


def test_foreign_model_errors_become_model_errors_and_ours_pass_through():
    g, det, trk = make({"dog": [DOG]})

    def boom(image):
        raise RuntimeError("CUDA out of memory")

    det.detect = boom
    with pytest.raises(ModelError, match="the detector failed: RuntimeError: CUDA out of memory"):
        g.step(frame(0))

    def bad(image):
        raise InputError("image of a different size")

    trk.step = bad
    with pytest.raises(InputError, match="different size"):
        g.step(frame(1))


def test_bad_settings_are_refused():
    with pytest.raises(InputError, match="every_n_frames must be >= 1"):
        CandidateGrounder(FakeDetector(), FakeTracker(), every_n_frames=0)
    with pytest.raises(InputError, match="score_alpha"):
        CandidateGrounder(FakeDetector(), FakeTracker(), score_alpha=0.0)


def test_state_stays_bounded_over_a_long_stream():
    g, det, trk = make({"dog": [DOG], "ball": [BALL]}, every=3)
    run(g, range(600))
    assert g.track_ids == (1, 2) and len(det.frames) == 200
    assert all(len(live.votes) <= 2 for live in g._tracks.values())
