"""The evaluation report (docs/contracts.md, "Evaluation report"): masks scored by J and F, decisions by their timeline.

Masks: an expression's J and F are averaged over every frame of its video (a
missing prediction PNG is an empty mask; a frame without an annotation PNG has
an empty ground truth), then over expressions. The ground truth of an
expression is the union of its ``obj_id`` masks.

Decisions (``<pred>/decisions.json``, keyed ``"video/exp_id"``)::

    {"version": 1, "targets": [3], "confidence": 0.9, "state": "locked", "stage": "rules",
     "candidates": [3, 5], "rationale": "...",
     "frame": 41,            stream frame of the final decision
     "fps": 15.0, "num_frames": 60, "command_frame": 0,
     "timeline": [{"frame": 0, "targets": [], "state": "searching", "confidence": 0.0}, ...]}

``timeline`` lists each change of (targets, state) in frame order; the final
decision counts as one more entry at ``frame`` when the timeline does not end
on it. From these:

- correct: the final targets equal the expression's ``obj_id`` set (no record: wrong);
- time to lock (s): (first timeline frame from which every later entry has the
  right targets, provided the final targets are right) - ``command_frame``,
  divided by ``fps``, clamped at 0; None ("unlocked") otherwise;
- wrong lock: some entry was in state ``locked`` with targets other than the ground truth;
- switches: changes from one non-empty target set to a different non-empty one
  (empty sets in between, e.g. while ``lost``, neither count nor break the chain);
  the rate divides their total by the minutes of video of the expressions that
  have a record (``num_frames / fps / 60`` each).

``fps`` and ``num_frames`` default to ``meta.json``'s video ``fps`` and the
video's frame count.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from rich.table import Table

from rvos_ros.errors import InputError
from rvos_ros.eval.dataset import DatasetFolder, Expression, PredictionFolder, VideoInfo, union_mask
from rvos_ros.eval.metrics import mean_jf, sequence_jf

__all__ = [
    "REPORT_VERSION",
    "DecisionOutcome",
    "evaluate",
    "format_figure",
    "report_table",
    "score_decision",
    "write_report",
]

REPORT_VERSION = 1


@dataclass(frozen=True)
class DecisionOutcome:
    """What one expression's decision record says, scored against its ground-truth objects."""

    correct: bool
    time_to_lock_s: float | None
    wrong_lock: bool
    switches: int
    minutes: float


@dataclass(frozen=True)
class _Entry:
    frame: int
    targets: frozenset[int]
    state: str


def _ids(value: Any, where: str) -> frozenset[int]:
    if not isinstance(value, list | tuple):
        raise InputError(f"{where} must be a list of object ids, got {value!r}")
    try:
        return frozenset(int(v) for v in value)
    except (TypeError, ValueError) as err:
        raise InputError(f"{where} must be a list of integer object ids, got {value!r}") from err


def _int(value: Any, where: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as err:
        raise InputError(f"{where} must be an integer frame index, got {value!r}") from err


def _entries(record: Mapping[str, Any], key: str, command_frame: int) -> list[_Entry]:
    """The timeline, with the final decision appended when the timeline does not end on it."""
    timeline = record.get("timeline") or []
    if not isinstance(timeline, list):
        raise InputError(f"decisions.json entry {key!r}: 'timeline' must be a list of "
                         "{'frame', 'targets', 'state'} entries")
    out = []
    for i, e in enumerate(timeline):
        where = f"decisions.json entry {key!r} timeline[{i}]"
        if not isinstance(e, Mapping) or "frame" not in e or "targets" not in e:
            raise InputError(f"{where} must hold 'frame' and 'targets', got {e!r}")
        out.append(_Entry(_int(e["frame"], f"{where} 'frame'"), _ids(e["targets"], f"{where} 'targets'"),
                          str(e.get("state", ""))))
    out.sort(key=lambda e: e.frame)  # stable: entries on the same frame keep their order
    final = _Entry(
        _int(record["frame"], f"decisions.json entry {key!r} 'frame'") if "frame" in record
        else (out[-1].frame if out else command_frame),
        _ids(record.get("targets", []), f"decisions.json entry {key!r} 'targets'"),
        str(record.get("state", "")),
    )
    if not out or (out[-1].targets, out[-1].state) != (final.targets, final.state):
        out.append(_Entry(max(final.frame, out[-1].frame if out else final.frame), final.targets, final.state))
    return out


def score_decision(record: Mapping[str, Any] | None, obj_ids: tuple[int, ...] | frozenset[int], *,
                   key: str = "?", video_fps: float | None = None, video_frames: int = 0) -> DecisionOutcome:
    """Score one decision record (None when the expression has none) against the expression's objects.

    ``video_fps``/``video_frames`` stand in for the record's ``fps``/``num_frames`` when it lacks them.
    """
    if record is None:
        return DecisionOutcome(False, None, False, 0, 0.0)
    if not isinstance(record, Mapping):
        raise InputError(f"decisions.json entry {key!r} must be a decision object, got {type(record).__name__}")
    gt = frozenset(int(o) for o in obj_ids)
    fps_value = record.get("fps", video_fps)
    try:
        fps = float(fps_value) if fps_value is not None else math.nan
    except (TypeError, ValueError):
        fps = math.nan
    if not math.isfinite(fps) or fps <= 0:
        raise InputError(f"decisions.json entry {key!r} has no usable 'fps' ({fps_value!r}) and meta.json gives "
                         "none for its video; write the stream's frame rate (frames per second) into the record")
    command_frame = _int(record.get("command_frame", 0), f"decisions.json entry {key!r} 'command_frame'")
    num_frames = _int(record.get("num_frames", video_frames), f"decisions.json entry {key!r} 'num_frames'")
    entries = _entries(record, key, command_frame)

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


def _expression_row(exp: Expression, j: float, f: float, outcome: DecisionOutcome) -> dict[str, Any]:
    row: dict[str, Any] = {"video": exp.video, "exp_id": exp.exp_id, "J": _r(j), "F": _r(f),
                           "J&F": _r((j + f) / 2), "correct": outcome.correct}
    if exp.category is not None:
        row["category"] = str(exp.category)
    row["time_to_lock_s"] = _r(outcome.time_to_lock_s)
    return row


def evaluate(gt: DatasetFolder, pred: PredictionFolder, *,
             progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """The evaluation report of ``pred`` against ``gt`` as a JSON-ready dict (docs/contracts.md, "Evaluation report").

    ``progress(done, total)`` is called after each expression. Times are seconds of video.
    """
    expressions = gt.expressions
    if not expressions:
        raise InputError(f"dataset {str(gt.root)!r} has no expressions; add some to meta_expressions.json")
    rows: list[dict[str, Any]] = []
    scores: list[tuple[float, float]] = []
    outcomes: list[DecisionOutcome] = []
    cached_video: str | None = None
    labels: list[np.ndarray] = []
    for done, exp in enumerate(expressions, start=1):
        info = gt.videos[exp.video]
        if exp.video != cached_video:  # expressions come grouped by video; read its annotations once
            labels = _video_labels(gt, info)
            cached_video = exp.video
        shape = labels[0].shape[:2]
        j, f = sequence_jf((pred.mask(exp.video, exp.exp_id, fr, shape) for fr in info.frames),
                           (union_mask(lab, exp.obj_ids) for lab in labels))
        outcome = score_decision(pred.decisions.get(exp.key), exp.obj_ids, key=exp.key,
                                 video_fps=info.fps, video_frames=len(info.frames))
        rows.append(_expression_row(exp, j, f, outcome))
        scores.append((j, f))
        outcomes.append(outcome)
        if progress is not None:
            progress(done, len(expressions))

    j_all, f_all, jf_all = mean_jf(scores)
    locks = [o.time_to_lock_s for o in outcomes if o.time_to_lock_s is not None]
    minutes = sum(o.minutes for o in outcomes)
    by_category: dict[str, dict[str, Any]] = {}
    for cat in sorted({r["category"] for r in rows if "category" in r}):
        idx = [i for i, r in enumerate(rows) if r.get("category") == cat]
        cj, cf, cjf = mean_jf(scores[i] for i in idx)
        by_category[cat] = {"J": _r(cj), "F": _r(cf), "J&F": _r(cjf),
                            "accuracy": _r(sum(outcomes[i].correct for i in idx) / len(idx)), "n": len(idx)}
    return {
        "version": REPORT_VERSION,
        "J": _r(j_all),
        "F": _r(f_all),
        "J&F": _r(jf_all),
        "accuracy": _r(sum(o.correct for o in outcomes) / len(outcomes)),
        "time_to_lock_s": {
            "median": _r(float(np.median(locks))) if locks else None,
            "p90": _r(float(np.percentile(locks, 90))) if locks else None,
            "unlocked": len(outcomes) - len(locks),
        },
        "wrong_lock_rate": _r(sum(o.wrong_lock for o in outcomes) / len(outcomes)),
        "switches_per_min": _r(sum(o.switches for o in outcomes) / minutes) if minutes > 0 else None,
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


def report_table(report: Mapping[str, Any]) -> Table:
    """A rich table for the CLI: one overall row, then one row per category; lock timing in the caption."""
    ttl = report.get("time_to_lock_s") or {}
    ttl_median, ttl_p90 = format_figure(ttl.get("median")), format_figure(ttl.get("p90"))
    caption = (f"time to lock: median {ttl_median} s, p90 {ttl_p90} s, {ttl.get('unlocked', 0)} unlocked · "
               f"wrong locks {format_figure(report.get('wrong_lock_rate'), True)} · "
               f"switches {format_figure(report.get('switches_per_min'))}/min")
    table = Table(title="rvos-ros evaluation", caption=caption)
    for name in ("", "n", "J", "F", "J&F", "accuracy"):
        table.add_column(name, justify="left" if not name else "right")

    def figures(s: Mapping[str, Any]) -> list[str]:
        return [*(format_figure(s.get(k)) for k in ("J", "F", "J&F")), format_figure(s.get("accuracy"), True)]

    table.add_row("overall", str(len(report.get("per_expression", []))), *figures(report), style="bold")
    for cat, s in (report.get("by_category") or {}).items():
        table.add_row(cat, str(s.get("n", 0)), *figures(s))
    return table
