"""The evaluation report: every number checked by hand on tiny datasets written into tmp_path."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from rich.console import Console

import rvos_ros
from rvos_ros.errors import InputError
from rvos_ros.eval.dataset import DatasetFolder, DatasetWriter, PredictionFolder, PredictionWriter, write_index_png
from rvos_ros.eval.report import evaluate, report_table, score_decision, write_report

H, W = 20, 20


def labels_of(*objs: int) -> np.ndarray:
    """Index map with object 1 at rows/cols 5..9 and object 2 at rows/cols 12..16 (when listed)."""
    lab = np.zeros((H, W), np.uint8)
    if 1 in objs:
        lab[5:10, 5:10] = 1
    if 2 in objs:
        lab[12:17, 12:17] = 2
    return lab


OBJ1 = labels_of(1) == 1
OBJ2 = labels_of(2) == 2
SHIFTED1 = np.roll(OBJ1, 2, axis=1)  # J = 3/7, F = 0.6 against OBJ1 (see test_metrics)
BACKGROUND = np.zeros((H, W), bool)
BACKGROUND[0:3, 14:19] = True  # no object there


def make_gt(root: Path, *, frames: int = 4, fps: float | None = 10.0,
            expressions: dict[str, tuple[list[int], str | None]] | None = None, video: str = "v0") -> DatasetFolder:
    w = DatasetWriter(root)
    w.add_video(video, {1: "cup", 2: "dog"}, fps=fps)
    for i in range(frames):
        w.write_frame(video, f"{i:05d}", np.full((H, W, 3), 128, np.uint8), labels_of(1, 2))
    for eid, (ids, cat) in ({"0": ([1], None)} if expressions is None else expressions).items():
        w.add_expression(video, eid, f"expression {eid}", ids, category=cat)
    w.close()
    return DatasetFolder(root)


def record(targets: list[int], timeline: list[tuple[int, list[int], str]] | None = None, *, frame: int | None = None,
           fps: float = 10.0, num_frames: int = 4, command_frame: int = 0, state: str = "locked") -> dict[str, Any]:
    tl = [{"frame": f, "targets": t, "state": s, "confidence": 0.5} for f, t, s in (timeline or [])]
    return {"version": 1, "targets": targets, "confidence": 0.9, "state": state, "stage": "rules",
            "candidates": [1, 2], "rationale": "test",
            "frame": frame if frame is not None else (tl[-1]["frame"] if tl else 0),
            "fps": fps, "num_frames": num_frames, "command_frame": command_frame, "timeline": tl}


def make_pred(root: Path, masks: dict[str, list[np.ndarray | None]], decisions: dict[str, dict[str, Any]],
              video: str = "v0", *, provenance: dict[str, Any] | None = None,
              online: dict[str, list[np.ndarray | None]] | None = None) -> PredictionFolder:
    w = PredictionWriter(root, provenance)
    for kind, by_exp in ((False, masks), (True, online or {})):
        for eid, ms in by_exp.items():
            for i, m in enumerate(ms):
                if m is not None:  # None: leave the PNG out
                    w.write_mask(video, eid, f"{i:05d}", m, online=kind)
    for eid, rec in decisions.items():
        w.set_decision(video, eid, rec)
    w.close()
    return PredictionFolder(root)


OBJECTS = {1: OBJ1, 2: OBJ2}


def published(rec: dict[str, Any], frames: int) -> list[np.ndarray | None]:
    """The masks a run publishes for ``rec`` when its track ids are the object ids: on each frame, the union of
    the targets in force (an empty mask before the first timeline entry)."""
    out: list[np.ndarray | None] = []
    for t in range(frames):
        now = [e for e in rec["timeline"] if e["frame"] <= t] or [{"targets": []}]
        mask = np.zeros((H, W), bool)
        for target in now[-1]["targets"]:
            mask |= OBJECTS[target]
        out.append(mask)
    return out


# ---------------------------------------------------------------- masks: J and F

def test_perfect_prediction_scores_one_everywhere(tmp_path):
    gt = make_gt(tmp_path / "gt", expressions={"0": ([1], None), "1": ([1, 2], None)})
    pred = make_pred(tmp_path / "pred", {"0": [OBJ1] * 4, "1": [OBJ1 | OBJ2] * 4},
                     {"0": record([1], [(0, [1], "locked")]), "1": record([1, 2], [(0, [1, 2], "locked")])})
    rep = evaluate(gt, pred)
    assert rep["version"] == 1
    assert (rep["J"], rep["F"], rep["J&F"], rep["accuracy"]) == (1.0, 1.0, 1.0, 1.0)
    assert rep["time_to_lock_s"] == {"median": 0.0, "p90": 0.0, "unlocked": 0}
    assert rep["wrong_lock_rate"] == 0.0 and rep["silent_wrong_lock_rate"] == 0.0
    assert rep["switches_per_min"] == 0.0
    assert rep["missing_masks"] == {"count": 0, "of": 8}
    assert rep["accuracy_by_ids"] is None  # the folder does not say its track ids are object ids
    assert rep["by_category"] == {}  # no expression records a category
    assert rep["per_expression"][1] == {"video": "v0", "exp_id": "1", "J": 1.0, "F": 1.0, "J&F": 1.0,
                                        "correct": True, "time_to_lock_s": 0.0, "final_iou": 1.0,
                                        "wrong_lock": False, "silent_wrong_lock": False, "switches": 0,
                                        "missing_masks": 0}
    assert list(rep) == ["version", "provenance", "J", "F", "J&F", "accuracy", "accuracy_by_ids", "time_to_lock_s",
                         "wrong_lock_rate", "silent_wrong_lock_rate", "switches_per_min", "missing_masks",
                         "by_category", "per_expression"]
    prov = rep["provenance"]
    assert prov["predictions"] == {} and prov["dataset"] == {"root": str(tmp_path / "gt"), "layout": "davis"}
    assert prov["evaluation"]["package_version"] == rvos_ros.__version__ and prov["evaluation"]["date"]


def test_frame_scores_are_averaged_over_all_frames_then_over_expressions(tmp_path):
    gt = make_gt(tmp_path / "gt", expressions={"0": ([1], None), "1": ([2], None)})
    # Expression 0: frames 0-1 exact, frames 2-3 shifted by 2 px -> J = (1+1+3/7+3/7)/4, F = (1+1+.6+.6)/4 = 0.8.
    # Expression 1: the wrong object on every frame -> J = 0, F = 0 (the boundaries are far apart).
    pred = make_pred(tmp_path / "pred", {"0": [OBJ1, OBJ1, SHIFTED1, SHIFTED1], "1": [OBJ1] * 4}, {})
    rep = evaluate(gt, pred)
    e0, e1 = rep["per_expression"]
    assert e0["J"] == pytest.approx((2 + 6 / 7) / 4, abs=1e-6)
    assert e0["F"] == pytest.approx(0.8, abs=1e-6)
    assert e0["J&F"] == pytest.approx(((2 + 6 / 7) / 4 + 0.8) / 2, abs=1e-6)
    assert (e1["J"], e1["F"]) == (0.0, 0.0)
    assert rep["J"] == pytest.approx((2 + 6 / 7) / 8, abs=1e-6)
    assert rep["F"] == pytest.approx(0.4, abs=1e-6)
    assert rep["J&F"] == pytest.approx((rep["J"] + rep["F"]) / 2, abs=1e-6)


def test_missing_prediction_is_empty_and_missing_annotation_is_empty_ground_truth(tmp_path):
    gt = make_gt(tmp_path / "gt", frames=3)
    (tmp_path / "gt" / "Annotations" / "v0" / "00002.png").unlink()
    # Frame 0: exact (1, 1). Frame 1: no PNG, object present -> (0, 0). Frame 2: no PNG, no annotation -> (1, 1).
    pred = make_pred(tmp_path / "pred", {"0": [OBJ1, None, None]}, {})
    rep = evaluate(gt, pred)
    e0 = rep["per_expression"][0]
    assert (e0["J"], e0["F"]) == (pytest.approx(2 / 3, abs=1e-6), pytest.approx(2 / 3, abs=1e-6))
    assert e0["missing_masks"] == 2 and rep["missing_masks"] == {"count": 2, "of": 3}


def test_strict_refuses_missing_masks(tmp_path):
    gt = make_gt(tmp_path / "gt", frames=3)
    pred = make_pred(tmp_path / "pred", {"0": [OBJ1, None, OBJ1]}, {})
    with pytest.raises(InputError, match=r"lack 1 of 3 masks \(e.g. '.*Annotations/v0/0/00001.png'\); write every "
                                         "frame's mask, or evaluate without --strict"):
        evaluate(gt, pred, strict=True)
    assert evaluate(gt, make_pred(tmp_path / "full", {"0": [OBJ1] * 3}, {}), strict=True)["missing_masks"]["count"] == 0


def test_by_category_groups_expressions_that_record_one(tmp_path):
    gt = make_gt(tmp_path / "gt", expressions={"0": ([1], "motion"), "1": ([2], "motion"), "2": ([1], "static"),
                                               "3": ([2], None)})
    pred = make_pred(tmp_path / "pred", {"0": [OBJ1] * 4, "1": [OBJ1] * 4, "2": [OBJ1] * 4, "3": [OBJ2] * 4},
                     {"0": record([1]), "1": record([1]), "2": record([1]), "3": record([2])})
    rep = evaluate(gt, pred)
    assert rep["by_category"] == {
        "motion": {"J": 0.5, "F": 0.5, "J&F": 0.5, "accuracy": 0.5, "n": 2},
        "static": {"J": 1.0, "F": 1.0, "J&F": 1.0, "accuracy": 1.0, "n": 1},
    }
    assert rep["per_expression"][0]["category"] == "motion"
    assert "category" not in rep["per_expression"][3]
    assert rep["accuracy"] == 0.75


# ---------------------------------------------------------------- decisions, from the masks

def test_without_a_decision_the_masks_alone_decide_accuracy(tmp_path):
    gt = make_gt(tmp_path / "gt", expressions={"0": ([1], None), "1": ([2], None)})
    rep = evaluate(gt, make_pred(tmp_path / "pred", {"0": [OBJ1] * 4}, {}))
    e0, e1 = rep["per_expression"]
    assert (e0["correct"], e1["correct"]) == (True, False)  # expression 1: no masks at all
    assert e0["time_to_lock_s"] is None and e0["wrong_lock"] is None and e0["switches"] is None
    assert rep["wrong_lock_rate"] is None and rep["switches_per_min"] is None
    assert rep["time_to_lock_s"]["unlocked"] == 2


def test_a_wrong_lock(tmp_path):
    gt = make_gt(tmp_path / "gt", expressions={"0": ([2], None)})
    rec = record([1], [(0, [], "searching"), (2, [1], "locked")])
    rep = evaluate(gt, make_pred(tmp_path / "pred", {"0": published(rec, 4)}, {"0": rec}))
    assert rep["accuracy"] == 0.0
    assert rep["wrong_lock_rate"] == 1.0 and rep["silent_wrong_lock_rate"] == 1.0  # it ends locked on it
    assert rep["time_to_lock_s"] == {"median": None, "p90": None, "unlocked": 1}
    assert rep["per_expression"][0]["final_iou"] == 0.0


def test_a_late_lock_after_a_wrong_one(tmp_path):
    # Command at frame 3; locked on object 2 at frame 6, then on object 1 (right) at frame 9; 15 fps, 12 frames.
    # Time to lock = (9 - 3) / 15 = 0.4 s. Wrong lock (on 2). One switch (object 2 -> the target) in 12/15 s.
    gt = make_gt(tmp_path / "gt", frames=12, expressions={"0": ([1], None)})
    rec = record([1], [(3, [], "searching"), (6, [2], "locked"), (9, [1], "locked")], fps=15.0, num_frames=12,
                 command_frame=3)
    rep = evaluate(gt, make_pred(tmp_path / "pred", {"0": published(rec, 12)}, {"0": rec}))
    assert rep["accuracy"] == 1.0 and rep["silent_wrong_lock_rate"] == 0.0
    assert rep["time_to_lock_s"] == {"median": 0.4, "p90": 0.4, "unlocked": 0}
    assert rep["per_expression"][0]["time_to_lock_s"] == 0.4
    assert rep["wrong_lock_rate"] == 1.0
    assert rep["switches_per_min"] == pytest.approx(1 / (12 / 15 / 60))


def test_lock_time_is_the_first_locked_segment_from_which_every_mask_is_right(tmp_path):
    gt = make_gt(tmp_path / "gt", frames=8, expressions={"0": ([1], None), "1": ([1], None), "2": ([1], None)})
    decisions = {
        # right at frame 2, away at 4, back at 6 locked for good -> 0.6 s; "reasoning" is no lock: no wrong lock
        "0": record([1], [(0, [], "searching"), (2, [1], "reasoning"), (4, [2], "reasoning"), (6, [1], "locked")],
                    num_frames=8),
        # right from frame 0 but locked only at 5 -> 0.5 s (a lock needs the state, not only the mask)
        "1": record([1], [(0, [1], "reasoning"), (5, [1], "locked")], num_frames=8),
        # no timeline: the final decision's frame counts -> 3 / 10 = 0.3 s
        "2": record([1], None, frame=3, num_frames=8),
    }
    masks = {eid: published(rec, 8) for eid, rec in decisions.items()}
    masks["2"] = [None] * 3 + [OBJ1] * 5
    rep = evaluate(gt, make_pred(tmp_path / "pred", masks, decisions))
    assert [e["time_to_lock_s"] for e in rep["per_expression"]] == [0.6, 0.5, 0.3]
    assert rep["time_to_lock_s"] == {"median": 0.5, "p90": pytest.approx(0.58), "unlocked": 0}
    assert rep["wrong_lock_rate"] == 0.0
    # expression 0 went target -> object 2 -> target: 2 switches over 3 x 8 frames at 10 fps = 2.4 s = 0.04 min
    assert rep["switches_per_min"] == pytest.approx(2 / 0.04)


def test_a_locked_decision_on_a_poor_mask_is_a_wrong_lock_whatever_its_ids(tmp_path):
    # Locked on the right id, but the published mask is 2 px off (IoU 3/7 < 0.5): not right.
    gt = make_gt(tmp_path / "gt", expressions={"0": ([1], None)})
    rec = record([1], [(0, [1], "locked")])
    rep = evaluate(gt, make_pred(tmp_path / "pred", {"0": [SHIFTED1] * 4}, {"0": rec},
                                 provenance={"track_ids": "object_ids"}))
    e0 = rep["per_expression"][0]
    assert e0["final_iou"] == pytest.approx(3 / 7, abs=1e-6)
    assert (e0["correct"], e0["correct_by_ids"]) == (False, True)
    assert e0["wrong_lock"] and e0["silent_wrong_lock"] and e0["time_to_lock_s"] is None
    assert (rep["accuracy"], rep["accuracy_by_ids"]) == (0.0, 1.0)


def test_silent_wrong_lock_needs_the_final_state_locked(tmp_path):
    gt = make_gt(tmp_path / "gt", expressions={"0": ([2], None), "1": ([2], None), "2": ([1], None)})
    decisions = {"0": record([1], [(0, [1], "locked")]),                      # ends locked on the wrong object
                 "1": record([1], [(0, [1], "ambiguous")], state="ambiguous"),  # wrong, but says it is unsure
                 "2": record([1], [(0, [1], "locked")])}                      # right
    masks = {eid: published(rec, 4) for eid, rec in decisions.items()}
    rep = evaluate(gt, make_pred(tmp_path / "pred", masks, decisions))
    assert [e["silent_wrong_lock"] for e in rep["per_expression"]] == [True, False, False]
    assert rep["silent_wrong_lock_rate"] == pytest.approx(1 / 3, abs=1e-6)


@pytest.mark.parametrize(("segments", "switches"), [
    ([OBJ1, None, OBJ2], 1),           # lost in between still counts as a switch to another object
    ([OBJ1, None, OBJ1], 0),           # losing and finding the target again is no switch
    ([OBJ2, BACKGROUND, OBJ1], 2),     # wrong object -> background -> the target
    ([None, OBJ1, OBJ1], 0),
])
def test_switches_are_changes_of_what_the_published_masks_cover(tmp_path, segments, switches):
    gt = make_gt(tmp_path / "gt", frames=6, expressions={"0": ([1], None)})
    # three segments of two frames; the record's ids are all different, which alone would say nothing
    rec = record([9], [(0, [7], "locked"), (2, [8], "locked"), (4, [9], "locked")], num_frames=6)
    masks = [m for m in segments for _ in range(2)]
    rep = evaluate(gt, make_pred(tmp_path / "pred", {"0": masks}, {"0": rec}))
    assert rep["per_expression"][0]["switches"] == switches


def test_relabelled_track_ids_change_no_mask_based_figure(tmp_path):
    gt = make_gt(tmp_path / "gt", frames=12, expressions={"0": ([1], "motion"), "1": ([2], "motion"),
                                                          "2": ([1], None)})
    decisions = {"0": record([1], [(0, [], "searching"), (3, [2], "locked"), (7, [1], "locked")], num_frames=12),
                 "1": record([2], [(0, [2], "reasoning"), (4, [2], "locked")], num_frames=12),
                 "2": record([2], [(0, [1], "locked"), (6, [2], "ambiguous")], state="ambiguous", num_frames=12)}
    masks = {eid: published(rec, 12) for eid, rec in decisions.items()}
    relabel = {1: 40, 2: 17}

    def relabelled(rec: dict[str, Any]) -> dict[str, Any]:
        return dict(rec, targets=[relabel[t] for t in rec["targets"]],
                    timeline=[dict(e, targets=[relabel[t] for t in e["targets"]]) for e in rec["timeline"]])

    ids = {"track_ids": "object_ids"}
    a = evaluate(gt, make_pred(tmp_path / "a", masks, decisions, provenance=ids))
    b = evaluate(gt, make_pred(tmp_path / "b", masks, {k: relabelled(r) for k, r in decisions.items()},
                               provenance=ids))
    mask_based = ("J", "F", "J&F", "accuracy", "time_to_lock_s", "wrong_lock_rate", "silent_wrong_lock_rate",
                  "switches_per_min", "missing_masks", "by_category")
    assert {k: a[k] for k in mask_based} == {k: b[k] for k in mask_based}
    for ra, rb in zip(a["per_expression"], b["per_expression"], strict=True):
        assert {k: v for k, v in ra.items() if k != "correct_by_ids"} == \
               {k: v for k, v in rb.items() if k != "correct_by_ids"}
    assert a["accuracy"] == pytest.approx(2 / 3, abs=1e-6) and a["wrong_lock_rate"] == pytest.approx(1 / 3, abs=1e-6)
    assert (a["accuracy_by_ids"], b["accuracy_by_ids"]) == (pytest.approx(2 / 3, abs=1e-6), 0.0)  # ids: fooled


def test_the_id_cross_check_is_reported_only_when_track_ids_are_object_ids(tmp_path):
    gt = make_gt(tmp_path / "gt")
    rec = record([1], [(0, [1], "locked")])
    for name, prov, expected in (("oracle", {"track_ids": "object_ids"}, 1.0), ("models", {"track_ids": "stream"},
                                                                                None), ("old", None, None)):
        rep = evaluate(gt, make_pred(tmp_path / name, {"0": [OBJ1] * 4}, {"0": rec}, provenance=prov))
        assert rep["accuracy_by_ids"] == expected
        assert ("correct_by_ids" in rep["per_expression"][0]) == (expected is not None)
        assert rep["accuracy"] == 1.0


def test_offline_predictions_take_accuracy_from_the_final_masks_and_the_rest_from_online(tmp_path):
    gt = make_gt(tmp_path / "gt", expressions={"0": ([1], None)})
    # online: locked on object 2 at frame 0, on the target at frame 2; the offline decision is the target
    rec = record([1], [(0, [2], "locked"), (2, [1], "locked")], frame=3)
    offline = {"mode": "offline"}
    rep = evaluate(gt, make_pred(tmp_path / "pred", {"0": [OBJ1] * 4}, {"0": rec}, provenance=offline,
                                 online={"0": published(rec, 4)}))
    e0 = rep["per_expression"][0]
    assert e0["correct"] and e0["J&F"] == 1.0 and e0["time_to_lock_s"] == 0.2
    assert e0["wrong_lock"] and e0["switches"] == 1 and not e0["silent_wrong_lock"]
    assert rep["missing_masks"] == {"count": 0, "of": 8}  # both kinds of mask are read
    # an offline folder that did not keep the published masks: the streaming figures are not measured
    bare = evaluate(gt, make_pred(tmp_path / "bare", {"0": [OBJ1] * 4}, {"0": rec}, provenance=offline))
    b0 = bare["per_expression"][0]
    assert b0["correct"] and b0["silent_wrong_lock"] is False
    assert (b0["time_to_lock_s"], b0["wrong_lock"], b0["switches"]) == (None, None, None)
    assert bare["wrong_lock_rate"] is None and bare["switches_per_min"] is None


# ---------------------------------------------------------------- the id cross-check (score_decision)

def test_ids_final_decision_counts_when_the_timeline_does_not_end_on_it():
    # The timeline stops at a wrong lock; the final record (frame 7) has the right target.
    out = score_decision(record([1], [(0, [2], "locked")], frame=7), (1,), video_fps=None)
    assert out.correct and out.wrong_lock
    assert out.time_to_lock_s == pytest.approx(0.7)
    assert out.switches == 1


def test_ids_missing_decision_is_wrong_and_unlocked():
    out = score_decision(None, (1,))
    assert not out.correct and out.time_to_lock_s is None


@pytest.mark.parametrize(("targets", "switches"), [
    ([[1], [], [2]], 1),        # lost in between still counts as a switch to another object
    ([[1], [], [1]], 0),        # losing and finding the same object again is no switch
    ([[1], [1, 2], [2]], 2),    # sets compared as wholes
    ([[], [1], [1]], 0),
])
def test_ids_switches_count_changes_between_non_empty_target_sets(targets, switches):
    tl = [(i, t, "locked") for i, t in enumerate(targets)]
    assert score_decision(record(targets[-1], tl), (1,)).switches == switches


def test_fps_and_frame_count_fall_back_to_the_dataset():
    rec = record([1], [(0, [], "searching"), (5, [1], "locked")])
    del rec["fps"], rec["num_frames"]
    out = score_decision(rec, (1,), video_fps=25.0, video_frames=50)
    assert out.time_to_lock_s == pytest.approx(0.2)
    assert out.minutes == pytest.approx(50 / 25 / 60)


# ---------------------------------------------------------------- progress, output

def test_progress_is_reported_after_each_expression(tmp_path):
    gt = make_gt(tmp_path / "gt", expressions={"0": ([1], None), "1": ([2], None)})
    calls = []
    evaluate(gt, make_pred(tmp_path / "pred", {}, {}), progress=lambda d, t: calls.append((d, t)))
    assert calls == [(1, 2), (2, 2)]


def test_write_report_round_trips_and_the_table_shows_overall_and_categories(tmp_path):
    gt = make_gt(tmp_path / "gt", expressions={"0": ([1], "motion"), "1": ([2], "static")})
    rep = evaluate(gt, make_pred(tmp_path / "pred", {"0": [OBJ1] * 4}, {"0": record([1])},
                                 provenance={"backend": "simulated", "mode": "online", "config_sha256": "ab" * 32,
                                             "package_version": "0.1.0", "track_ids": "object_ids"}))
    path = tmp_path / "out" / "report.json"
    write_report(rep, path)
    text = path.read_text()
    assert json.loads(text) == rep
    assert text.startswith('{\n "version": 1,')
    table = report_table(rep)
    console = Console(record=True, width=120)
    console.print(table)
    out = console.export_text()
    rows = [line for line in out.splitlines() if "│" in line]
    assert [r.split("│")[1].strip() for r in rows] == ["overall", "motion", "static"]
    assert "50.0%" in rows[0]  # overall accuracy
    caption = str(table.caption)
    assert "1 unlocked" in caption and "silent wrong locks 0.0%" in caption and "missing masks 4 of 8" in caption
    assert "accuracy by ids 50.0% (cross-check)" in caption
    assert "backend simulated · online · config abababababab · rvos_ros 0.1.0" in caption


def test_the_table_says_when_the_predictions_do_not_say_what_made_them(tmp_path):
    gt = make_gt(tmp_path / "gt")
    rep = evaluate(gt, make_pred(tmp_path / "pred", {"0": [OBJ1] * 4}, {}))
    assert "predictions of unknown provenance" in str(report_table(rep).caption)


# ---------------------------------------------------------------- errors

def test_dataset_without_expressions_is_rejected(tmp_path):
    gt = make_gt(tmp_path / "gt", expressions={})
    with pytest.raises(InputError, match="has no expressions"):
        evaluate(gt, make_pred(tmp_path / "pred", {}, {}))


def test_record_without_fps_anywhere_is_rejected(tmp_path):
    gt = make_gt(tmp_path / "gt", fps=None)
    rec = record([1])
    del rec["fps"]
    with pytest.raises(InputError, match="no usable 'fps'"):
        evaluate(gt, make_pred(tmp_path / "pred", {}, {"0": rec}))


@pytest.mark.parametrize(("bad", "match"), [
    ("locked", "must be a decision object"),
    ({"targets": 3, "fps": 10}, "'targets' must be a list of object ids"),
    ({"targets": ["a"], "fps": 10}, "must be a list of integer object ids"),
    ({"targets": [1], "fps": -1}, "no usable 'fps'"),
    ({"targets": [1], "fps": "fast"}, "no usable 'fps'"),
    ({"targets": [1], "fps": 10, "timeline": {"frame": 0}}, "'timeline' must be a list"),
    ({"targets": [1], "fps": 10, "timeline": [{"targets": [1]}]}, r"timeline\[0\] must hold 'frame' and 'targets'"),
    ({"targets": [1], "fps": 10, "timeline": [{"frame": "x", "targets": [1]}]}, "must be an integer frame index"),
    ({"targets": [1], "fps": 10, "command_frame": None}, "'command_frame' must be an integer"),
])
def test_malformed_records_are_rejected(tmp_path, bad, match):
    with pytest.raises(InputError, match=match):
        score_decision(bad, (1,), key="v0/0")
    gt = make_gt(tmp_path / "gt")
    (tmp_path / "pred").mkdir()
    (tmp_path / "pred" / "decisions.json").write_text(json.dumps({"version": 2, "decisions": {"v0/0": bad}}))
    with pytest.raises(InputError, match=match):  # the mask-based figures read the same records
        evaluate(gt, PredictionFolder(tmp_path / "pred"))


def test_a_dataset_without_ground_truth_is_refused_not_scored_as_empty(tmp_path):
    root = tmp_path / "gt"
    make_gt(root)
    shutil.rmtree(root / "Annotations")
    with pytest.raises(InputError, match="names objects .obj_id. but has no Annotations folder"):
        evaluate(DatasetFolder(root), make_pred(tmp_path / "pred", {"0": [OBJ1] * 4}, {}))


# ---------------------------------------------------------------- predictions for another dataset

def test_decisions_for_expressions_the_dataset_lacks_are_refused(tmp_path):
    gt = make_gt(tmp_path / "gt")
    with pytest.raises(InputError, match=r"do not fit dataset .*: decisions.json has 1 expression\(s\) the dataset "
                                         r"lacks \(e.g. 'v0/5'\); evaluate them against the dataset they were made"):
        evaluate(gt, make_pred(tmp_path / "pred", {}, {"0": record([1]), "5": record([1])}))


def test_decisions_for_another_text_are_refused(tmp_path):
    gt = make_gt(tmp_path / "gt")
    rec = dict(record([1]), query="the dog on the left")
    with pytest.raises(InputError, match="expression 'v0/0' is 'expression 0' in the dataset but the predictions "
                                         "answer 'the dog on the left'"):
        evaluate(gt, make_pred(tmp_path / "pred", {}, {"0": rec}))
    assert evaluate(gt, make_pred(tmp_path / "ok", {}, {"0": dict(rec, query="expression 0")}))["accuracy"] == 0.0


@pytest.mark.parametrize(("video", "exp_id", "frame", "match"), [
    ("v9", "0", "00000", "they hold masks for video 'v9', which the dataset lacks"),
    ("v0", "3", "00000", "they hold masks for expression 'v0/3', which the dataset lacks"),
    ("v0", "0", "00010", r"masks of 'v0/0' for 1 frame\(s\) video 'v0' lacks \(e.g. '00010'\)"),
])
def test_masks_for_videos_expressions_or_frames_the_dataset_lacks_are_refused(tmp_path, video, exp_id, frame, match):
    gt = make_gt(tmp_path / "gt")
    pred = make_pred(tmp_path / "pred", {"0": [OBJ1] * 4}, {})
    PredictionWriter(tmp_path / "pred").write_mask(video, exp_id, frame, OBJ1)
    with pytest.raises(InputError, match=match):
        evaluate(gt, pred)


def test_video_without_annotations_or_images_is_rejected(tmp_path):
    gt_root = tmp_path / "gt"
    make_gt(gt_root, frames=1)
    (gt_root / "Annotations" / "v0" / "00000.png").unlink()
    (gt_root / "JPEGImages" / "v0" / "00000.jpg").unlink()
    with pytest.raises(InputError, match="missing or unreadable"):
        evaluate(DatasetFolder(gt_root), make_pred(tmp_path / "pred", {}, {}))


def test_annotations_of_different_sizes_are_rejected(tmp_path):
    gt_root = tmp_path / "gt"
    make_gt(gt_root, frames=2)
    write_index_png(gt_root / "Annotations" / "v0" / "00001.png", np.zeros((10, 10), np.uint8))
    with pytest.raises(InputError, match="must have one size"):
        evaluate(DatasetFolder(gt_root), make_pred(tmp_path / "pred", {}, {}))


def test_unwritable_report_path_is_rejected(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError, match="cannot write report"):
        write_report({"version": 1}, tmp_path / "file" / "report.json")
