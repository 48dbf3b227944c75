"""The evaluation report: every number checked by hand on tiny datasets written into tmp_path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from rich.console import Console

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
              video: str = "v0") -> PredictionFolder:
    w = PredictionWriter(root)
    for eid, ms in masks.items():
        for i, m in enumerate(ms):
            if m is not None:  # None: leave the PNG out
                w.write_mask(video, eid, f"{i:05d}", m)
    for eid, rec in decisions.items():
        w.set_decision(video, eid, rec)
    w.close()
    return PredictionFolder(root)


# ---------------------------------------------------------------- masks: J and F

def test_perfect_prediction_scores_one_everywhere(tmp_path):
    gt = make_gt(tmp_path / "gt", expressions={"0": ([1], None), "1": ([1, 2], None)})
    pred = make_pred(tmp_path / "pred", {"0": [OBJ1] * 4, "1": [OBJ1 | OBJ2] * 4},
                     {"0": record([1], [(0, [1], "locked")]), "1": record([1, 2], [(0, [1, 2], "locked")])})
    rep = evaluate(gt, pred)
    assert rep["version"] == 1
    assert (rep["J"], rep["F"], rep["J&F"], rep["accuracy"]) == (1.0, 1.0, 1.0, 1.0)
    assert rep["time_to_lock_s"] == {"median": 0.0, "p90": 0.0, "unlocked": 0}
    assert rep["wrong_lock_rate"] == 0.0
    assert rep["switches_per_min"] == 0.0
    assert rep["by_category"] == {}  # no expression records a category
    assert rep["per_expression"][1] == {"video": "v0", "exp_id": "1", "J": 1.0, "F": 1.0, "J&F": 1.0,
                                        "correct": True, "time_to_lock_s": 0.0}
    assert list(rep) == ["version", "J", "F", "J&F", "accuracy", "time_to_lock_s", "wrong_lock_rate",
                         "switches_per_min", "by_category", "per_expression"]


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
    e0 = evaluate(gt, pred)["per_expression"][0]
    assert (e0["J"], e0["F"]) == (pytest.approx(2 / 3, abs=1e-6), pytest.approx(2 / 3, abs=1e-6))


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


# ---------------------------------------------------------------- decisions

def test_missing_decision_is_wrong_and_unlocked(tmp_path):
    gt = make_gt(tmp_path / "gt", expressions={"0": ([1], None), "1": ([2], None)})
    pred = make_pred(tmp_path / "pred", {}, {"0": record([1])})
    rep = evaluate(gt, pred)
    assert rep["accuracy"] == 0.5
    assert [e["correct"] for e in rep["per_expression"]] == [True, False]
    assert rep["time_to_lock_s"]["unlocked"] == 1
    assert rep["per_expression"][1]["time_to_lock_s"] is None


def test_a_wrong_lock(tmp_path):
    gt = make_gt(tmp_path / "gt", expressions={"0": ([2], None)})
    rec = record([1], [(0, [], "searching"), (2, [1], "locked")])
    rep = evaluate(gt, make_pred(tmp_path / "pred", {"0": [OBJ1] * 4}, {"0": rec}))
    assert rep["accuracy"] == 0.0
    assert rep["wrong_lock_rate"] == 1.0
    assert rep["time_to_lock_s"] == {"median": None, "p90": None, "unlocked": 1}


def test_a_late_lock_after_a_wrong_one(tmp_path):
    # Command at frame 3; locked on object 2 at frame 6, then on object 1 (right) at frame 9; 15 fps.
    # Time to lock = (9 - 3) / 15 = 0.4 s. Wrong lock (on 2). One switch (2 -> 1) in 30/15 s = 1/30 min -> 30/min.
    gt = make_gt(tmp_path / "gt", expressions={"0": ([1], None)})
    rec = record([1], [(3, [], "searching"), (6, [2], "locked"), (9, [1], "locked")], fps=15.0, num_frames=30,
                 command_frame=3)
    rep = evaluate(gt, make_pred(tmp_path / "pred", {"0": [OBJ1] * 4}, {"0": rec}))
    assert rep["accuracy"] == 1.0
    assert rep["time_to_lock_s"] == {"median": 0.4, "p90": 0.4, "unlocked": 0}
    assert rep["per_expression"][0]["time_to_lock_s"] == 0.4
    assert rep["wrong_lock_rate"] == 1.0
    assert rep["switches_per_min"] == pytest.approx(30.0)


def test_lock_time_is_where_the_decision_stays_right(tmp_path):
    gt = make_gt(tmp_path / "gt", expressions={"0": ([1], None), "1": ([1], None), "2": ([1], None)})
    decisions = {
        # right at frame 2, away at 4, back at 6 for good -> 0.6 s; "reasoning" is no lock, so no wrong lock
        "0": record([1], [(0, [], "searching"), (2, [1], "reasoning"), (4, [2], "reasoning"), (6, [1], "locked")]),
        # right from frame 0, only the state changes -> 0.0 s
        "1": record([1], [(0, [1], "reasoning"), (5, [1], "locked")]),
        # no timeline: the final decision's frame counts -> 3 / 10 = 0.3 s
        "2": record([1], None, frame=3),
    }
    rep = evaluate(gt, make_pred(tmp_path / "pred", {}, decisions))
    assert [e["time_to_lock_s"] for e in rep["per_expression"]] == [0.6, 0.0, 0.3]
    # median of (0, 0.3, 0.6) = 0.3; p90 by linear interpolation = 0.3 + 0.8 * 0.3 = 0.54
    assert rep["time_to_lock_s"] == {"median": 0.3, "p90": pytest.approx(0.54), "unlocked": 0}
    assert rep["wrong_lock_rate"] == 0.0
    # expression 0 switched 1 -> 2 -> 1: 2 switches over 3 x 4 frames at 10 fps = 1.2 s = 0.02 min
    assert rep["switches_per_min"] == pytest.approx(2 / 0.02)


def test_final_decision_counts_when_the_timeline_does_not_end_on_it():
    # The timeline stops at a wrong lock; the final record (frame 7) has the right target.
    out = score_decision(record([1], [(0, [2], "locked")], frame=7), (1,), video_fps=None)
    assert out.correct and out.wrong_lock
    assert out.time_to_lock_s == pytest.approx(0.7)
    assert out.switches == 1


@pytest.mark.parametrize(("targets", "switches"), [
    ([[1], [], [2]], 1),        # lost in between still counts as a switch to another object
    ([[1], [], [1]], 0),        # losing and finding the same object again is no switch
    ([[1], [1, 2], [2]], 2),    # sets compared as wholes
    ([[], [1], [1]], 0),
])
def test_switches_count_changes_between_non_empty_target_sets(targets, switches):
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
    rep = evaluate(gt, make_pred(tmp_path / "pred", {"0": [OBJ1] * 4}, {"0": record([1])}))
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
    assert "1 unlocked" in str(table.caption)


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
def test_malformed_records_are_rejected(bad, match):
    with pytest.raises(InputError, match=match):
        score_decision(bad, (1,), key="v0/0")


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
