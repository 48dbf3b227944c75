"""Streaming figures from masks: whether what was published on each frame is the target, for any backend.

Track ids mean nothing outside the stream that made them, so nothing here
compares them with the dataset's object ids. The decision record (its
``timeline`` of (targets, state) changes, docs/contracts.md) says *when* a
decision was in force and in which state; the masks say *what* it showed.

- A frame **matches** when IoU(prediction, ground truth) >= 0.5, or both are empty.
- A **span** of frames is **right** when the mean IoU over its frames where the
  prediction or the ground truth is non-empty is >= 0.5 (:data:`IOU_RIGHT`), or
  when there is no such frame (both empty throughout).
- **Segments**: each timeline entry starts one, lasting until the next entry's
  frame (the last one to the end of the video); the final decision counts as
  one more entry when the timeline does not end on it (online records).
- **correct**: the final decision's span is right. Online: the frames of the
  last segment (from the last timeline change on), read from the published
  masks; offline: every frame, read from the submission masks (they are the
  final decision on every frame); no decision record: every frame.
- **time to lock** (s): from the command frame to the start of the first
  segment in state ``locked`` from which that segment and every later one are
  right; None when there is none.
- **wrong lock**: some segment in state ``locked`` is not right.
- **silent wrong lock**: the final state is ``locked`` and the expression is not correct.
- **switches**: a segment's *referent* is what lies under most of the pixels
  it published (summed over its frames): the target (the ground-truth union),
  one other annotated object, or background; segments that publish nothing
  have none. A switch is a change of referent between consecutive segments
  that have one.

Time to lock, wrong locks and switches need the masks as published frame by
frame: the submission masks in online mode, ``<pred>/online/`` in offline mode.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from rvos_ros.errors import InputError

__all__ = [
    "IOU_RIGHT",
    "TARGET",
    "Entry",
    "FrameStat",
    "Segment",
    "StreamOutcome",
    "frame_stat",
    "parse_timeline",
    "record_fps",
    "record_int",
    "score_stream",
    "segments",
    "span_right",
]

IOU_RIGHT = 0.5
TARGET = -1
"""The referent class of predicted pixels on the expression's ground truth (other classes: label values)."""


@dataclass(frozen=True)
class FrameStat:
    """One frame of one expression: intersection and union with the truth, and where the predicted pixels lie."""

    inter: int
    union: int
    pixels: tuple[tuple[int, int], ...] = ()
    """(class, count) of the predicted pixels: :data:`TARGET`, another object's label, or 0 (background)."""

    @property
    def iou(self) -> float | None:
        """None when both masks are empty."""
        return self.inter / self.union if self.union else None

    @property
    def matches(self) -> bool:
        return self.union == 0 or self.inter / self.union >= IOU_RIGHT


def frame_stat(pred: np.ndarray, truth: np.ndarray, labels: np.ndarray | None = None) -> FrameStat:
    """The :class:`FrameStat` of boolean masks ``pred`` and ``truth``; ``labels`` (the frame's object-index map)
    names the other objects under the prediction (without it they count as background)."""
    inter = int(np.count_nonzero(pred & truth))
    union = int(np.count_nonzero(pred | truth))
    n_pred = int(np.count_nonzero(pred))
    pixels: list[tuple[int, int]] = []
    if inter:
        pixels.append((TARGET, inter))
    if n_pred > inter:
        off = pred & ~truth
        if labels is None:
            pixels.append((0, n_pred - inter))
        else:
            counts = np.bincount(labels[off].ravel().astype(np.int64), minlength=1)
            pixels += [(int(c), int(n)) for c, n in enumerate(counts) if n]
    return FrameStat(inter, union, tuple(pixels))


def span_right(stats: Sequence[FrameStat]) -> tuple[bool, float | None]:
    """(right, mean IoU over the frames where either mask is non-empty, None if there is none)."""
    ious = [s.inter / s.union for s in stats if s.union]
    if not ious:
        return True, None
    mean = float(np.mean(ious))
    return mean >= IOU_RIGHT, mean


@dataclass(frozen=True)
class Entry:
    """A timeline entry: from ``frame`` on, the decision is ``targets`` in ``state``."""

    frame: int
    targets: frozenset[int]
    state: str


@dataclass(frozen=True)
class Segment:
    """Frames ``start``..``end`` (inclusive) under one (targets, state)."""

    start: int
    end: int
    targets: frozenset[int]
    state: str


def _ids(value: Any, where: str) -> frozenset[int]:
    if not isinstance(value, list | tuple):
        raise InputError(f"{where} must be a list of object ids, got {value!r}")
    try:
        return frozenset(int(v) for v in value)
    except (TypeError, ValueError) as err:
        raise InputError(f"{where} must be a list of integer object ids, got {value!r}") from err


def record_int(value: Any, where: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as err:
        raise InputError(f"{where} must be an integer frame index, got {value!r}") from err


def record_fps(record: Mapping[str, Any], key: str, video_fps: float | None) -> float:
    """The record's ``fps``, else the video's; InputError when neither is a positive number."""
    fps_value = record.get("fps", video_fps)
    try:
        fps = float(fps_value) if fps_value is not None else math.nan
    except (TypeError, ValueError):
        fps = math.nan
    if not math.isfinite(fps) or fps <= 0:
        raise InputError(f"decisions.json entry {key!r} has no usable 'fps' ({fps_value!r}) and meta.json gives "
                         "none for its video; write the stream's frame rate (frames per second) into the record")
    return fps


def parse_timeline(record: Mapping[str, Any], key: str, command_frame: int, *,
                   append_final: bool = True) -> list[Entry]:
    """The timeline in frame order, with the final decision appended when the timeline does not end on it
    (``append_final``; always when the timeline is empty)."""
    timeline = record.get("timeline") or []
    if not isinstance(timeline, list):
        raise InputError(f"decisions.json entry {key!r}: 'timeline' must be a list of "
                         "{'frame', 'targets', 'state'} entries")
    out = []
    for i, e in enumerate(timeline):
        where = f"decisions.json entry {key!r} timeline[{i}]"
        if not isinstance(e, Mapping) or "frame" not in e or "targets" not in e:
            raise InputError(f"{where} must hold 'frame' and 'targets', got {e!r}")
        out.append(Entry(record_int(e["frame"], f"{where} 'frame'"), _ids(e["targets"], f"{where} 'targets'"),
                         str(e.get("state", ""))))
    out.sort(key=lambda e: e.frame)  # stable: entries on the same frame keep their order
    final = Entry(
        record_int(record["frame"], f"decisions.json entry {key!r} 'frame'") if "frame" in record
        else (out[-1].frame if out else command_frame),
        _ids(record.get("targets", []), f"decisions.json entry {key!r} 'targets'"),
        str(record.get("state", "")),
    )
    if not out or (append_final and (out[-1].targets, out[-1].state) != (final.targets, final.state)):
        out.append(Entry(max(final.frame, out[-1].frame if out else final.frame), final.targets, final.state))
    return out


def segments(entries: Sequence[Entry], num_frames: int) -> list[Segment]:
    """The frames each entry was in force, clipped to the video; entries that held on no frame are dropped."""
    out = []
    for i, e in enumerate(entries):
        start = max(0, e.frame)
        end = min(num_frames, entries[i + 1].frame if i + 1 < len(entries) else num_frames) - 1
        if start <= end:
            out.append(Segment(start, end, e.targets, e.state))
    return out


@dataclass(frozen=True)
class StreamOutcome:
    """One expression scored from masks; the streaming figures are None where they cannot be measured."""

    correct: bool
    final_iou: float | None
    time_to_lock_s: float | None
    wrong_lock: bool | None
    silent_wrong_lock: bool | None
    switches: int | None
    minutes: float
    has_record: bool


def _referent(stats: Sequence[FrameStat]) -> int | None:
    totals: dict[int, int] = {}
    for s in stats:
        for cls, n in s.pixels:
            totals[cls] = totals.get(cls, 0) + n
    if not totals:
        return None
    return max(sorted(totals), key=lambda c: totals[c])  # ties: the lowest class (the target first)


def score_stream(record: Mapping[str, Any] | None, final: Sequence[FrameStat],
                 published: Sequence[FrameStat] | None, *, key: str = "?", video_fps: float | None = None,
                 mode: str = "online") -> StreamOutcome:
    """Score one expression (see the module docstring).

    ``final``: per frame of the video, the submission masks against the truth; ``published``: the masks as
    published frame by frame (None when the prediction folder lacks them: offline runs without ``online/``).
    """
    n = len(final)
    if record is None:
        right, iou = span_right(final)
        return StreamOutcome(right, iou, None, None, None, None, 0.0, False)
    if not isinstance(record, Mapping):
        raise InputError(f"decisions.json entry {key!r} must be a decision object, got {type(record).__name__}")
    fps = record_fps(record, key, video_fps)
    command_frame = record_int(record.get("command_frame", 0), f"decisions.json entry {key!r} 'command_frame'")
    num_frames = record_int(record.get("num_frames", n), f"decisions.json entry {key!r} 'num_frames'")
    segs = segments(parse_timeline(record, key, command_frame, append_final=mode != "offline"), n)
    if mode == "offline" or not segs:
        right, iou = span_right(final)
    else:
        right, iou = span_right(final[segs[-1].start:])
    silent = str(record.get("state", "")) == "locked" and not right
    minutes = max(0, num_frames) / fps / 60.0
    if published is None:
        return StreamOutcome(right, iou, None, None, silent, None, minutes, True)
    verdicts = [span_right(published[s.start:s.end + 1])[0] for s in segs]
    lock_at = None
    for i in range(len(segs) - 1, -1, -1):  # walk back while every segment from i on is right
        if not verdicts[i]:
            break
        if segs[i].state == "locked":
            lock_at = segs[i].start
    ttl = max(0, lock_at - command_frame) / fps if lock_at is not None else None
    wrong_lock = any(s.state == "locked" and not ok for s, ok in zip(segs, verdicts, strict=True))
    switches, last = 0, None
    for s in segs:
        ref = _referent(published[s.start:s.end + 1])
        if ref is not None:
            if last is not None and ref != last:
                switches += 1
            last = ref
    return StreamOutcome(right, iou, ttl, wrong_lock, silent, switches, minutes, True)
