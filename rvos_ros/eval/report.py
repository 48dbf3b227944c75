"""The evaluation report (docs/contracts.md, "Evaluation report"): masks scored by J and F and, frame by
frame, whether what was published is the target.

Masks: an expression's J and F are averaged over every frame of its video (a
missing prediction PNG counts as an empty mask and is counted in
``missing_masks``; with ``strict`` it is refused; a frame without an
annotation has an empty ground truth), then over expressions. The ground
truth of an expression is the union of its objects' masks.

Accuracy, time to lock, wrong locks, silent wrong locks and switches come from
the masks and the decision timeline, the same way for every backend
(:mod:`rvos_ros.eval.streaming` defines them). ``accuracy_by_ids`` is a
cross-check that compares the final decision's track ids with the dataset's
object ids (:func:`score_decision`); it is reported only when the predictions'
provenance says their track ids are the object ids (the oracle), and null otherwise.

Predictions made for another dataset are refused: a decision or a mask folder
for a video, expression or frame the dataset lacks, or a decision whose
``query`` is not the expression's text.

Decisions (``decisions.json``'s ``decisions``, keyed ``"video/exp_id"``)::

    {"version": 1, "targets": [3], "confidence": 0.9, "state": "locked", "stage": "rules",
     "candidates": [3, 5], "rationale": "...",
     "frame": 41,            stream frame of the final decision
     "fps": 15.0, "num_frames": 60, "command_frame": 0, "query": "...",
     "timeline": [{"frame": 0, "targets": [], "state": "searching", "confidence": 0.0}, ...]}

``fps`` and ``num_frames`` default to ``meta.json``'s video ``fps`` and the
video's frame count.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from rich.table import Table

from rvos_ros.errors import InputError
from rvos_ros.eval.dataset import MASKS, ONLINE, DatasetFolder, Expression, PredictionFolder, VideoInfo
from rvos_ros.eval.metrics import jf, mean_jf
from rvos_ros.eval.provenance import evaluation_provenance
from rvos_ros.eval.streaming import (
    FrameStat,
    StreamOutcome,
    frame_stat,
    parse_timeline,
    record_fps,
    record_int,
    score_stream,
)

__all__ = [
    "REPORT_VERSION",
    "DecisionOutcome",
    "check_fit",
    "evaluate",
    "format_figure",
    "made_by",
    "report_table",
    "score_decision",
    "write_report",
]

REPORT_VERSION = 1


@dataclass(frozen=True)
class DecisionOutcome:
    """The id cross-check: one decision record's track ids scored against the expression's object ids.

    correct: the final targets equal the ``obj_id`` set (no record: wrong); time to lock: from the command to
    the first timeline frame from which every later entry has those targets; wrong lock: some ``locked`` entry
    had other targets; switches: changes between different non-empty target sets. Meaningful only when track
    ids are object ids (the oracle).
    """

    correct: bool
    time_to_lock_s: float | None
    wrong_lock: bool
    switches: int
    minutes: float


def score_decision(record: Mapping[str, Any] | None, obj_ids: tuple[int, ...] | frozenset[int], *,
                   key: str = "?", video_fps: float | None = None, video_frames: int = 0) -> DecisionOutcome:
    """The id cross-check of one decision record (None when the expression has none); see :class:`DecisionOutcome`.

    ``video_fps``/``video_frames`` stand in for the record's ``fps``/``num_frames`` when it lacks them.
    """
    if record is None:
        return DecisionOutcome(False, None, False, 0, 0.0)
    if not isinstance(record, Mapping):
        raise InputError(f"decisions.json entry {key!r} must be a decision object, got {type(record).__name__}")
    gt = frozenset(int(o) for o in obj_ids)
    fps = record_fps(record, key, video_fps)
    command_frame = record_int(record.get("command_frame", 0), f"decisions.json entry {key!r} 'command_frame'")
    num_frames = record_int(record.get("num_frames", video_frames), f"decisions.json entry {key!r} 'num_frames'")
    entries = parse_timeline(record, key, command_frame)

    correct = entries[-1].targets == gt
    time_to_lock = None
    if correct:
        first = len(entries) - 1
        while first > 0 and entries[first - 1].targets == gt:
            first -= 1
        time_to_lock = max(0, entries[first].frame - command_frame) / fps

    wrong_lock = any(e.state == "locked" and e.targets != gt for e in entries)
    switches = 0
    last: frozenset[int] | None = None
    for e in entries:
        if e.targets:
            if last is not None and e.targets != last:
                switches += 1
            last = e.targets
    return DecisionOutcome(correct, time_to_lock, wrong_lock, switches, max(0, num_frames) / fps / 60.0)


def _misfit(gt: DatasetFolder, pred: PredictionFolder, what: str) -> InputError:
    return InputError(f"predictions {str(pred.root)!r} do not fit dataset {str(gt.root)!r}: {what}; evaluate them "
                      "against the dataset they were made for")


def check_fit(gt: DatasetFolder, pred: PredictionFolder) -> None:
    """Refuse predictions made for another dataset (see the module docstring), with one line naming an example."""
    expressions = {e.key: e for e in gt.expressions}
    foreign = sorted(k for k in pred.decisions if k not in expressions)
    if foreign:
        raise _misfit(gt, pred, f"decisions.json has {len(foreign)} expression(s) the dataset lacks "
                                f"(e.g. {foreign[0]!r})")
    for key, rec in sorted(pred.decisions.items()):
        if isinstance(rec, Mapping) and "query" in rec and str(rec["query"]) != expressions[key].text:
            raise _misfit(gt, pred, f"expression {key!r} is {expressions[key].text!r} in the dataset but the "
                                    f"predictions answer {str(rec['query'])!r}")
    roots = [pred.masks_root] + ([pred.online_root] if pred.online_root is not None else [])
    for root in roots:
        for video_dir in sorted(p for p in root.iterdir() if p.is_dir()):
            if root == pred.root and video_dir.name in (MASKS, ONLINE):
                continue
            if video_dir.name not in gt.videos:
                raise _misfit(gt, pred, f"they hold masks for video {video_dir.name!r}, which the dataset lacks")
            frames = set(gt.videos[video_dir.name].frames)
            for exp_dir in sorted(p for p in video_dir.iterdir() if p.is_dir()):
                key = f"{video_dir.name}/{exp_dir.name}"
                if key not in expressions:
                    raise _misfit(gt, pred, f"they hold masks for expression {key!r}, which the dataset lacks")
                extra = sorted(p.stem for p in exp_dir.glob("*.png") if p.stem not in frames)
                if extra:
                    raise _misfit(gt, pred, f"they hold masks of {key!r} for {len(extra)} frame(s) video "
                                            f"{video_dir.name!r} lacks (e.g. {extra[0]!r})")


def _published_online(pred: PredictionFolder) -> bool | None:
    """Where the masks published frame by frame are: False = the submission masks (online runs), True = ``online/``
    (offline runs), None = nowhere (offline runs that did not keep them)."""
    if pred.mode != "offline":
        return False
    return True if pred.online_root is not None else None


def _missing(gt: DatasetFolder, pred: PredictionFolder) -> tuple[dict[str, int], int, str]:
    """Per expression, the masks the figures read that are missing; the number read; an example path."""
    online = _published_online(pred)
    missing: dict[str, int] = {}
    total, example = 0, ""
    for e in gt.expressions:
        n = 0
        for frame in gt.videos[e.video].frames:
            for kind in ((False, True) if online else (False,)):
                total += 1
                if not pred.has_mask(e.video, e.exp_id, frame, online=kind):
                    n += 1
                    example = example or str(pred.mask_path(e.video, e.exp_id, frame, online=kind))
        missing[e.key] = n
    return missing, total, example


def _video_labels(gt: DatasetFolder, info: VideoInfo) -> list[np.ndarray]:
    """Index maps of every frame of a video; unannotated frames are all background."""
    annotated = [f for f in info.frames if gt.has_annotation(info.name, f)]
    if annotated:
        shape = gt.labels(info.name, annotated[0]).shape[:2]
    else:
        shape = gt.image(info.name, info.frames[0]).shape[:2]
    labels = [gt.labels(info.name, f, shape) for f in info.frames]
    for f, lab in zip(info.frames, labels, strict=True):
        if lab.shape[:2] != shape:
            raise InputError(f"annotation of video {info.name!r} frame {f!r} has size {lab.shape[1::-1]}, "
                             f"other frames have {shape[::-1]}; all frames of a video must have one size")
    return labels


def _r(x: float | None) -> float | None:
    return None if x is None else round(float(x), 6)


def _rate(values: list[bool | None]) -> float | None:
    known = [v for v in values if v is not None]
    return _r(sum(known) / len(known)) if known else None


def _expression_row(exp: Expression, j: float, f: float, outcome: StreamOutcome, by_ids: DecisionOutcome | None,
                    missing: int) -> dict[str, Any]:
    row: dict[str, Any] = {"video": exp.video, "exp_id": exp.exp_id, "J": _r(j), "F": _r(f),
                           "J&F": _r((j + f) / 2), "correct": outcome.correct}
    if by_ids is not None:
        row["correct_by_ids"] = by_ids.correct
    if exp.category is not None:
        row["category"] = str(exp.category)
    row.update({"time_to_lock_s": _r(outcome.time_to_lock_s), "final_iou": _r(outcome.final_iou),
                "wrong_lock": outcome.wrong_lock, "silent_wrong_lock": outcome.silent_wrong_lock,
                "switches": outcome.switches, "missing_masks": missing})
    return row


def _score_expression(gt: DatasetFolder, pred: PredictionFolder, exp: Expression, labels: list[np.ndarray],
                      published_online: bool | None) -> tuple[float, float, StreamOutcome]:
    """J, F and the streaming outcome of one expression; masks are read one frame at a time."""
    info = gt.videos[exp.video]
    shape = labels[0].shape[:2]
    js: list[float] = []
    fs: list[float] = []
    final: list[FrameStat] = []
    published: list[FrameStat] | None = [] if published_online else None
    for frame, lab in zip(info.frames, labels, strict=True):
        truth = gt.truth(exp, frame, lab)
        mask = pred.mask(exp.video, exp.exp_id, frame, shape)
        j, f = jf(mask, truth)
        js.append(j)
        fs.append(f)
        final.append(frame_stat(mask, truth, lab))
        if published is not None:
            published.append(frame_stat(pred.mask(exp.video, exp.exp_id, frame, shape, online=True), truth, lab))
    if published_online is False:
        published = final
    outcome = score_stream(pred.decisions.get(exp.key), final, published, key=exp.key, video_fps=info.fps,
                           mode=pred.mode)
    return float(np.mean(js)), float(np.mean(fs)), outcome


def evaluate(gt: DatasetFolder, pred: PredictionFolder, *, strict: bool = False,
             progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """The evaluation report of ``pred`` against ``gt`` as a JSON-ready dict (docs/contracts.md, "Evaluation report").

    Refuses a dataset without ground truth, predictions made for another dataset (:func:`check_fit`) and, with
    ``strict``, missing masks. ``progress(done, total)`` is called after each expression. Times are seconds of video.
    """
    expressions = gt.expressions
    if not expressions:
        raise InputError(f"dataset {str(gt.root)!r} has no expressions; add some to meta_expressions.json")
    gt.require_truth()
    check_fit(gt, pred)
    missing, read, example = _missing(gt, pred)
    n_missing = sum(missing.values())
    if strict and n_missing:
        raise InputError(f"predictions {str(pred.root)!r} lack {n_missing} of {read} masks (e.g. {example!r}); "
                         "write every frame's mask, or evaluate without --strict (missing masks then count as "
                         "empty and are reported)")
    ids_known = (pred.provenance or {}).get("track_ids") == "object_ids"
    published_online = _published_online(pred)
    rows: list[dict[str, Any]] = []
    scores: list[tuple[float, float]] = []
    outcomes: list[StreamOutcome] = []
    by_ids: list[DecisionOutcome] = []
    cached_video: str | None = None
    labels: list[np.ndarray] = []
    for done, exp in enumerate(expressions, start=1):
        info = gt.videos[exp.video]
        if exp.video != cached_video:  # expressions come grouped by video; read its annotations once
            labels = _video_labels(gt, info)
            cached_video = exp.video
        j, f, outcome = _score_expression(gt, pred, exp, labels, published_online)
        check = score_decision(pred.decisions.get(exp.key), exp.obj_ids, key=exp.key, video_fps=info.fps,
                               video_frames=len(info.frames)) if ids_known else None
        rows.append(_expression_row(exp, j, f, outcome, check, missing[exp.key]))
        scores.append((j, f))
        outcomes.append(outcome)
        if check is not None:
            by_ids.append(check)
        if progress is not None:
            progress(done, len(expressions))

    j_all, f_all, jf_all = mean_jf(scores)
    locks = [o.time_to_lock_s for o in outcomes if o.time_to_lock_s is not None]
    counted = [o for o in outcomes if o.switches is not None]
    minutes = sum(o.minutes for o in counted)
    by_category: dict[str, dict[str, Any]] = {}
    for cat in sorted({r["category"] for r in rows if "category" in r}):
        idx = [i for i, r in enumerate(rows) if r.get("category") == cat]
        cj, cf, cjf = mean_jf(scores[i] for i in idx)
        by_category[cat] = {"J": _r(cj), "F": _r(cf), "J&F": _r(cjf),
                            "accuracy": _r(sum(outcomes[i].correct for i in idx) / len(idx)), "n": len(idx)}
    return {
        "version": REPORT_VERSION,
        "provenance": {"predictions": pred.provenance, "evaluation": evaluation_provenance(),
                       "dataset": {"root": str(gt.root), "layout": gt.layout}},
        "J": _r(j_all),
        "F": _r(f_all),
        "J&F": _r(jf_all),
        "accuracy": _r(sum(o.correct for o in outcomes) / len(outcomes)),
        "accuracy_by_ids": _r(sum(o.correct for o in by_ids) / len(by_ids)) if by_ids else None,
        "time_to_lock_s": {
            "median": _r(float(np.median(locks))) if locks else None,
            "p90": _r(float(np.percentile(locks, 90))) if locks else None,
            "unlocked": len(outcomes) - len(locks),
        },
        "wrong_lock_rate": _rate([o.wrong_lock for o in outcomes]),
        "silent_wrong_lock_rate": _rate([o.silent_wrong_lock for o in outcomes]),
        "switches_per_min": _r(sum(o.switches or 0 for o in counted) / minutes) if minutes > 0 else None,
        "missing_masks": {"count": n_missing, "of": read},
        "by_category": by_category,
        "per_expression": rows,
    }


def write_report(report: Mapping[str, Any], path: str | Path) -> None:
    """Write the report as JSON (indent 1), creating the parent folder."""
    out = Path(path)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    except OSError as err:
        raise InputError(f"cannot write report {str(out)!r}: {err}; choose a writable --json path") from err


def format_figure(x: Any, pct: bool = False, *, missing: str = "-", pct_sep: str = "") -> str:
    """A report figure for people: three decimals, or a percentage with one (``pct``); ``missing`` for None."""
    if x is None:
        return missing
    return f"{100 * float(x):.1f}{pct_sep}%" if pct else f"{float(x):.3f}"


def made_by(report: Mapping[str, Any]) -> str:
    """One line on what made the predictions: ``backend simulated · online · config 1a2b3c4d5e6f · rvos_ros 0.1.0
    (9f8e7d6c5b4a)``, or that the prediction folder does not say."""
    made = (report.get("provenance") or {}).get("predictions")
    if not made:
        return "predictions of unknown provenance (written before rvos_ros recorded it)"
    parts = [f"backend {made.get('backend', '?')}", str(made.get("mode", "?")),
             f"config {str(made.get('config_sha256', '?'))[:12]}",
             f"rvos_ros {made.get('package_version', '?')}" + (f" ({str(made['git_commit'])[:12]})"
                                                               if made.get("git_commit") else "")]
    if made.get("date"):
        parts.append(str(made["date"]))
    return " · ".join(parts)


def report_table(report: Mapping[str, Any]) -> Table:
    """A rich table for the CLI: one overall row, then one row per category; lock figures, missing masks and what
    made the predictions in the caption."""
    ttl = report.get("time_to_lock_s") or {}
    ttl_median, ttl_p90 = format_figure(ttl.get("median")), format_figure(ttl.get("p90"))
    missing = report.get("missing_masks") or {}
    caption = (f"time to lock: median {ttl_median} s, p90 {ttl_p90} s, {ttl.get('unlocked', 0)} unlocked · "
               f"wrong locks {format_figure(report.get('wrong_lock_rate'), True)} · "
               f"silent wrong locks {format_figure(report.get('silent_wrong_lock_rate'), True)} · "
               f"switches {format_figure(report.get('switches_per_min'))}/min · "
               f"missing masks {missing.get('count', 0)} of {missing.get('of', 0)}")
    if report.get("accuracy_by_ids") is not None:
        caption += f" · accuracy by ids {format_figure(report.get('accuracy_by_ids'), True)} (cross-check)"
    caption += "\n" + made_by(report)
    table = Table(title="rvos-ros evaluation", caption=caption)
    for name in ("", "n", "J", "F", "J&F", "accuracy"):
        table.add_column(name, justify="left" if not name else "right")

    def figures(s: Mapping[str, Any]) -> list[str]:
        return [*(format_figure(s.get(k)) for k in ("J", "F", "J&F")), format_figure(s.get("accuracy"), True)]

    table.add_row("overall", str(len(report.get("per_expression", []))), *figures(report), style="bold")
    for cat, s in (report.get("by_category") or {}).items():
        table.add_row(cat, str(s.get("n", 0)), *figures(s))
    return table
