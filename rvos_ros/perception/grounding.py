"""Spatio-temporal candidate grounding (PARSE-VOS), online: keyframe detections tied to streaming tracks.

The tracker (SAM2 memory) runs on every frame; the open-vocabulary detector
runs only on keyframes:

- every ``detector.every_n_frames`` frames,
- on the first frame after new phrases (a new command) or a reset,
- on a frame where a track is lost (visible on the previous frame, not now).

On a keyframe, detections are matched to live tracks by IoU with the
Hungarian algorithm (globally best one-to-one assignment): mask IoU when the
detection carries a mask, else box IoU between the detection box and the
track's mask box (its last known box while occluded). Pairs below
``grounding.match_iou`` are not matches. Then:

- a matched track keeps its id; if its IoU is below ``grounding.reprompt_iou``
  (the mask drifted) or it was occluded, it is re-prompted from the
  detection's box, so the tracker re-acquires it without losing its id;
- an unmatched detection starts a new track (while fewer than
  ``grounding.max_tracks`` are live), with a fresh id: ids are never reused
  within a stream;
- a track not visible for longer than ``grounding.retire_after_s`` seconds of
  frame stamps is removed from the tracker.

Each track keeps a label (the phrase its matched detections voted for most,
weighted by score) and a score (exponential moving average of its matched
detection scores). Per-frame work and memory are O(live tracks): nothing
grows with stream length.

Boxes are pixel ``(x1, y1, x2, y2)`` with an exclusive far corner, as
:func:`rvos_ros.perception.simulated.mask_box` makes them.

**Asynchronous detection** (``asynchronous=True``, live mode): the detector
runs on a :class:`~rvos_ros.perception.detection_worker.DetectionWorker`
thread, on a snapshot of the keyframe (a copy of its image and every track's
box, mask and visibility on it), while the tracker goes on with every frame;
one detection is in flight at most, and a keyframe that comes while one is
running waits for the next frame. When the result is back (on a later
frame, the *present* one):

- detections are matched to the tracks *as they were on the detected frame*
  (the snapshot), by the same Hungarian IoU as above, so a moving object is
  compared with its own mask of the same instant, never with a later one;
- a matched track votes for the phrase and updates its score; it is
  re-prompted only if it needed it on the detected frame (occluded, or IoU
  below ``reprompt_iou``) *and* still needs it now (the carried box, below,
  and its present mask box disagree by the same test): a track that SAM2
  recovered meanwhile is left alone;
- an unmatched detection that overlaps no snapshot track and no present
  track starts a new track, prompted on the present frame;
- what is prompted on the present frame is the detection box *carried
  forward*: moved by the median optical flow of the corners inside it from
  the detected frame to the present one (pyramidal Lucas-Kanade with a
  forward-backward check, :func:`~rvos_ros.perception.detection_worker.carry_box`),
  which follows the object and the camera alike; without enough corners, a
  matched track's own mask motion since the snapshot; without either, the
  box as detected only when the detected frame is at most
  ``carry_still_frames`` frames old. A detection older than ``carry_max_s``
  seconds of stamps prompts nothing (the next keyframe will). No track is
  ever started at a stale position;
- a result whose generation is stale (new phrases, no command, a reset since
  the snapshot) is dropped and counted (``stale_dropped``); a detector fault
  on the worker is this frame's :attr:`CandidateGrounder.error`, and tracking
  goes on.

Until the first detection for the current phrases is back,
:attr:`CandidateGrounder.searching` is True. Deterministic mode
(``asynchronous=False``) detects inline on the keyframe itself, exactly as
described first.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

from rvos_ros.config import GroundingConfig
from rvos_ros.errors import InputError, ModelError, RvosError
from rvos_ros.geometry import mask_box
from rvos_ros.models.detection import Detector
from rvos_ros.perception.base import Tracker, TrackState
from rvos_ros.perception.detection_worker import (
    DetectionJob,
    DetectionResult,
    DetectionWorker,
    TrackSnapshot,
    carry_box,
    grey_small,
)
from rvos_ros.types import Box, Detection, Frame, Track

__all__ = ["CandidateGrounder", "box_iou", "iou_matrix", "match_detections"]

_NS = 1_000_000_000


def box_iou(a: Box, b: Box) -> float:
    """Intersection over union of two pixel boxes ``(x1, y1, x2, y2)``; 0 when either has no area."""
    iw = min(a[2], b[2]) - max(a[0], b[0])
    ih = min(a[3], b[3]) - max(a[1], b[1])
    if iw <= 0 or ih <= 0:
        return 0.0
    inter = iw * ih
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return float(inter / union) if union > 0 else 0.0


def _mask_iou(a: np.ndarray, b: np.ndarray) -> float:
    union = np.count_nonzero(a | b)
    return float(np.count_nonzero(a & b) / union) if union else 0.0


@dataclass
class _Live:
    """What the grounder remembers of one live track (bounded: a few numbers and one mask)."""

    label: str
    score: float
    box: Box
    """Mask box on the last frame it was visible (the detection box before that)."""
    last_visible_ns: int
    visible: bool = False
    mask: np.ndarray | None = None
    """Mask on the current frame while visible, else None."""
    votes: dict[str, float] = field(default_factory=dict)
    """Phrase -> summed detection score; bounded by the number of phrases."""


def iou_matrix(detections: Sequence[Detection], boxes: Sequence[Box], masks: Sequence[np.ndarray | None]
               ) -> np.ndarray:
    """(detections, tracks) IoU: mask IoU when both sides have a mask of the same shape, else box IoU."""
    out = np.zeros((len(detections), len(boxes)), dtype=np.float64)
    for i, det in enumerate(detections):
        det_mask = getattr(det, "mask", None)  # types.Detection has no mask; a segmenting detector may add one
        for j, (box, mask) in enumerate(zip(boxes, masks, strict=True)):
            if det_mask is not None and mask is not None and det_mask.shape == mask.shape:
                out[i, j] = _mask_iou(det_mask.astype(bool), mask)
            else:
                out[i, j] = box_iou(det.box, box)
    return out


def match_detections(iou: np.ndarray, min_iou: float) -> list[tuple[int, int]]:
    """Globally best one-to-one (detection, track) pairs by IoU (Hungarian); pairs below ``min_iou`` dropped."""
    if iou.size == 0:
        return []
    rows, cols = linear_sum_assignment(iou, maximize=True)
    return [(int(r), int(c)) for r, c in zip(rows, cols, strict=True) if iou[r, c] >= min_iou]


class CandidateGrounder:
    """Keyframe detections + streaming tracks → stable candidate tracks (one object per stream).

    ``detector`` and ``tracker`` implement the :mod:`rvos_ros.perception.base`
    protocols; the grounder drives both. ``every_n_frames`` is the keyframe
    period (``perception.detector.every_n_frames``). ``score_alpha`` is the
    weight of a new detection score in the track score's moving average.
    Exceptions other than ours raised by a model become :class:`ModelError`.

    ``asynchronous``: detect on a worker thread (live mode; see the module);
    ``detect_context`` is then the context each detection runs in (e.g. a side
    CUDA stream), ``carry_max_s`` the oldest detection (seconds of frame stamps)
    that may still prompt the present frame, and ``carry_still_frames`` how many
    frames old a detection may be to prompt its box unmoved when its motion
    cannot be measured.
    """

    def __init__(self, detector: Detector, tracker: Tracker, config: GroundingConfig | None = None, *,
                 every_n_frames: int = 15, score_alpha: float = 0.3, asynchronous: bool = False,
                 detect_context: Callable[[], Any] | None = None, carry_max_s: float = 1.0,
                 carry_still_frames: int = 2) -> None:
        if every_n_frames < 1:
            raise InputError(f"every_n_frames must be >= 1, got {every_n_frames}; "
                             "set perception.detector.every_n_frames")
        if not 0.0 < score_alpha <= 1.0:
            raise InputError(f"score_alpha must be in (0, 1], got {score_alpha}")
        self.detector = detector
        self.tracker = tracker
        self.config = config if config is not None else GroundingConfig()
        self.every_n_frames = int(every_n_frames)
        self.score_alpha = float(score_alpha)
        self.asynchronous = bool(asynchronous)
        self.carry_max_s = float(carry_max_s)
        self.carry_still_frames = int(carry_still_frames)
        self.worker: DetectionWorker | None = (
            DetectionWorker(detector, context=detect_context) if self.asynchronous else None)
        self.phrases: tuple[str, ...] = ()
        self.generation = 0
        """Bumped by new phrases, ``clear`` and ``reset``: a detection of an older generation is stale."""
        self.stale_dropped = 0
        """Asynchronous detections dropped because their generation was stale."""
        self.frames_waited_for_detector = 0
        """Frames whose processing waited on the detector (every inline keyframe; live: counted lock waits)."""
        self.period_factor = 1
        """The keyframe period is ``every_n_frames * period_factor`` (the frame budget raises it)."""
        self.track_cap: int | None = None
        """At most this many tracks besides ``grounding.max_tracks`` (the frame budget sets it); None: no cap."""
        self._keep: tuple[int, ...] = ()
        self._searching = False
        self._clear_frame_report()
        self._new_stream()

    # -- commands -------------------------------------------------------------------------------
    def set_phrases(self, phrases: Sequence[str]) -> None:
        """New phrases to detect (a new command): the detector encodes them; the next frame is a keyframe.

        Existing tracks are kept (see :meth:`retain_labels` to drop some);
        their phrase votes for phrases no longer asked for are forgotten.
        Asynchronous: the worker gives the detector the phrases with the next
        job (a refusal is then that frame's error), and the detection starts
        on the next frame without delaying it.
        """
        phrases = tuple(phrases)
        if self.worker is None:
            self._call("detector", lambda: self.detector.set_phrases(phrases))
        else:
            self.worker.cancel()
            self._searching = bool(phrases)
        self.generation += 1
        self.phrases = phrases
        for live in self._tracks.values():
            live.votes = {p: v for p, v in live.votes.items() if p in phrases}
        self._detect_next = bool(phrases)

    def retain_labels(self, labels: Iterable[str]) -> list[int]:
        """Remove every track whose label is not in ``labels``; returns the removed ids."""
        keep = set(labels)
        gone = [tid for tid, live in self._tracks.items() if live.label not in keep]
        for tid in gone:
            self._remove(tid)
        return gone

    def clear(self) -> None:
        """Remove every track and stop detecting (no command); ids are still not reused."""
        for tid in list(self._tracks):
            self._remove(tid)
        self.phrases = ()
        self._detect_next = False
        self.generation += 1
        self._searching = False
        if self.worker is not None:
            self.worker.cancel()

    def reset(self) -> None:
        """A new stream: forget every track and frame (ids start again at 1); keep the phrases.

        A detection in flight belongs to the old stream: its result is dropped.
        """
        self._call("tracker", self.tracker.reset)
        self.generation += 1
        if self.worker is not None:
            self.worker.cancel()
            self._searching = bool(self.phrases)
        self._new_stream()

    def close(self) -> None:
        """Stop the detection worker (its running detection's result is dropped); idempotent."""
        if self.worker is not None:
            self.worker.close()

    def set_limits(self, *, detector_period_factor: int = 1, max_tracks: int | None = None,
                   keep: Sequence[int] = ()) -> None:
        """The frame budget's limits from the next frame on (see :class:`~rvos_ros.perception.base.Degradable`)."""
        if detector_period_factor < 1:
            raise InputError(f"detector_period_factor must be >= 1, got {detector_period_factor}")
        if max_tracks is not None and max_tracks < 1:
            raise InputError(f"max_tracks must be >= 1 or None, got {max_tracks}")
        self.period_factor = int(detector_period_factor)
        self.track_cap = max_tracks
        self._keep = tuple(keep)

    def _new_stream(self) -> None:
        self._tracks: dict[int, _Live] = {}
        self._next_id = 1
        self._since_detection = 0
        self._frame_count = 0
        self._detect_next = bool(self.phrases)
        self.detections_run = 0
        """Keyframes on which the detector ran in this stream (for tests and diagnostics)."""

    @property
    def track_ids(self) -> tuple[int, ...]:
        """Ids of the live tracks, ascending."""
        return tuple(sorted(self._tracks))

    @property
    def searching(self) -> bool:
        """Asynchronous: the current phrases' first detection is not back yet (always False inline)."""
        return self._searching

    # -- per-frame report -------------------------------------------------------------------------
    def _clear_frame_report(self) -> None:
        self.error = ""
        """A fault of this frame that did not stop it (a failed asynchronous detection); "" if none."""
        self.detector_ms: float | None = None
        """Milliseconds of the detection applied on this frame (inline: on it; asynchronous: on the worker)."""
        self.waited_for_detector = False
        """This frame's processing waited on the detector."""

    # -- frames ---------------------------------------------------------------------------------
    def step(self, frame: Frame) -> tuple[Track, ...]:
        """Track every candidate on ``frame`` (detecting first if it is a keyframe); tracks sorted by id."""
        self._clear_frame_report()
        if self.worker is not None:
            return self._step_async(frame)
        stamp = int(frame.stamp_ns)
        keyframe = bool(self.phrases) and (self._detect_next or self._since_detection + 1 >= self._period())
        if not self._tracks and not keyframe:
            # nothing to track and nothing to look for: skip the image encoder
            self._since_detection += 1
            return ()
        states = self._call("tracker", lambda: self.tracker.step(frame.image))
        lost = self._observe(states, stamp)
        if lost and self.phrases:
            keyframe = True
        if keyframe:
            t0 = time.perf_counter()
            self.waited_for_detector = True
            self.frames_waited_for_detector += 1
            detections = self._call("detector", lambda: self.detector.detect(frame.image))
            self.detector_ms = (time.perf_counter() - t0) * 1e3
            self._ground(detections, stamp)
            self._since_detection = 0
            self._detect_next = False
            self.detections_run += 1
        else:
            self._since_detection += 1
        self._apply_cap()
        self._retire(stamp)
        return tuple(self._track(tid, live) for tid, live in sorted(self._tracks.items()))

    def _period(self) -> int:
        return self.every_n_frames * self.period_factor

    def _step_async(self, frame: Frame) -> tuple[Track, ...]:
        worker = self.worker
        assert worker is not None
        stamp = int(frame.stamp_ns)
        self._frame_count += 1
        waits = worker.waits
        result = worker.poll()
        if result is not None and result.job.generation != self.generation:
            self.stale_dropped += 1  # asked for other phrases, or on another stream
            result = None
        want = bool(self.phrases) and (self._detect_next or self._since_detection + 1 >= self._period())
        if self._tracks or result is not None:  # a result may prompt the present frame: the tracker needs it
            states = self._call("tracker", lambda: self.tracker.step(frame.image))
            if self._observe(states, stamp) and self.phrases:
                want = True
        if result is not None:
            self._searching = False
            self.detector_ms = result.ms
            self.detections_run += 1
            if result.error:
                self.error = result.error
                want = bool(self.phrases)  # retried on this frame, as an inline keyframe that raised is on the next
            else:
                self._ground_late(result, frame, stamp)
        self._apply_cap()
        self._retire(stamp)
        if want and worker.submit(self._job(frame, stamp)):
            self._since_detection = 0
            self._detect_next = False
        else:
            self._since_detection += 1
            self._detect_next = self._detect_next or want  # busy: the keyframe waits for the next frame
        if worker.waits != waits:
            self.waited_for_detector = True
            self.frames_waited_for_detector += 1
        return tuple(self._track(tid, live) for tid, live in sorted(self._tracks.items()))

    def _job(self, frame: Frame, stamp: int) -> DetectionJob:
        """A snapshot of this frame: its image (copied) and every track as it is now."""
        tracks = {tid: TrackSnapshot(live.box, live.mask if live.visible else None, live.visible)
                  for tid, live in self._tracks.items()}
        return DetectionJob(np.array(frame.image, copy=True), self._frame_count, stamp, self.generation,
                            self.phrases, tracks)

    def _observe(self, states: dict[int, TrackState], stamp: int) -> bool:
        """Take the tracker's states for this frame; True when a track was lost (visible before, not now)."""
        lost = False
        for tid, live in self._tracks.items():
            was_visible = live.visible
            self._apply(live, states.get(tid), stamp)
            lost |= was_visible and not live.visible
        return lost

    def _apply(self, live: _Live, state: TrackState | None, stamp: int) -> None:
        box = mask_box(state.mask) if state is not None and state.visible else None
        if state is None or box is None:  # occluded, or "visible" with an empty mask: nothing to report
            live.visible, live.mask = False, None
            return
        live.visible, live.mask, live.box, live.last_visible_ns = True, state.mask.astype(bool, copy=False), box, stamp

    def _max_tracks(self) -> int:
        cap = self.config.max_tracks
        return cap if self.track_cap is None else min(cap, self.track_cap)

    def _ground(self, detections: Sequence[Detection], stamp: int) -> None:
        cfg = self.config
        ids = list(self._tracks)
        tracks = [self._tracks[t] for t in ids]
        iou = iou_matrix(detections, [t.box for t in tracks], [t.mask for t in tracks])
        matched: set[int] = set()
        for d, j in match_detections(iou, cfg.match_iou):
            matched.add(d)
            det, tid, live = detections[d], ids[j], tracks[j]
            self._vote(live, det)
            if not live.visible or iou[d, j] < cfg.reprompt_iou:  # drifted or occluded: re-acquire, same id
                state = self._call("tracker", lambda tid=tid, det=det: self.tracker.add(tid, box=det.box))
                self._apply(live, state, stamp)
        for d, det in enumerate(detections):
            if d in matched or len(self._tracks) >= self._max_tracks():
                continue
            # A second detection on an already tracked object (the assignment is one-to-one) must not
            # start a duplicate track.
            if any(box_iou(det.box, live.box) >= cfg.match_iou for live in self._tracks.values()):
                continue
            self._start(det, det.box, stamp)

    def _start(self, det: Detection, box: Box, stamp: int) -> None:
        """A new track for ``det``, prompted on the current frame with ``box``."""
        tid = self._next_id
        self._next_id += 1
        live = _Live(label=det.phrase, score=float(det.score), box=tuple(map(float, box)),  # type: ignore[arg-type]
                     last_visible_ns=stamp, votes={det.phrase: float(det.score)})
        self._tracks[tid] = live
        state = self._call("tracker", lambda: self.tracker.add(tid, box=box))
        self._apply(live, state, stamp)

    def _ground_late(self, result: DetectionResult, frame: Frame, stamp: int) -> None:
        """Ground a detection of an earlier frame (the job's snapshot) on the present ``frame``."""
        cfg = self.config
        job = result.job
        detections = result.detections
        ids = list(job.tracks)
        then = [job.tracks[t] for t in ids]
        iou = iou_matrix(detections, [t.box for t in then], [t.mask for t in then])
        carrier = _Carrier(result, frame, stamp, self.carry_max_s, self.carry_still_frames, self._frame_count)
        matched: set[int] = set()
        for d, j in match_detections(iou, cfg.match_iou):
            matched.add(d)
            det, tid = detections[d], ids[j]
            live = self._tracks.get(tid)
            if live is None:  # removed since the snapshot (retired, or its label no longer asked for)
                continue
            self._vote(live, det)
            if then[j].visible and iou[d, j] >= cfg.reprompt_iou:
                continue  # it was fine on the detected frame
            box = carrier.carry(det.box, then[j], live)
            if box is None or (live.visible and box_iou(box, live.box) >= cfg.reprompt_iou):
                continue  # no sound present position, or SAM2 recovered it meanwhile
            state = self._call("tracker", lambda tid=tid, box=box: self.tracker.add(tid, box=box))
            self._apply(live, state, stamp)
        for d, det in enumerate(detections):
            if d in matched or len(self._tracks) >= self._max_tracks():
                continue
            if any(box_iou(det.box, t.box) >= cfg.match_iou for t in then):
                continue  # a second detection of an object tracked on the detected frame
            box = carrier.carry(det.box)
            if box is None or any(box_iou(box, live.box) >= cfg.match_iou for live in self._tracks.values()):
                continue  # no sound present position, or already tracked now
            self._start(det, box, stamp)

    def _apply_cap(self) -> None:
        """Remove tracks beyond the budget's cap: the ``keep`` ids stay first, then the best-scored."""
        cap = self.track_cap
        if cap is None or len(self._tracks) <= cap:
            return
        keep = set(self._keep)
        order = sorted(self._tracks, key=lambda t: (t not in keep, -self._tracks[t].score, t))
        for tid in order[cap:]:
            self._remove(tid)

    def _vote(self, live: _Live, det: Detection) -> None:
        score = float(det.score)
        live.score = (1.0 - self.score_alpha) * live.score + self.score_alpha * score
        live.votes[det.phrase] = live.votes.get(det.phrase, 0.0) + score
        # the label only changes when another phrase has clearly more evidence (ties keep the old label)
        best = max(live.votes, key=lambda p: live.votes[p])
        if live.votes[best] > live.votes.get(live.label, 0.0):
            live.label = best

    def _retire(self, stamp: int) -> None:
        limit = self.config.retire_after_s * _NS
        for tid in [t for t, live in self._tracks.items() if not live.visible and stamp - live.last_visible_ns > limit]:
            self._remove(tid)

    def _remove(self, tid: int) -> None:
        self._tracks.pop(tid, None)
        self._call("tracker", lambda: self.tracker.remove(tid))

    @staticmethod
    def _track(tid: int, live: _Live) -> Track:
        return Track(id=tid, label=live.label, score=float(live.score), box=live.box, visible=live.visible,
                     mask=live.mask if live.visible else None)

    @staticmethod
    def _call(what: str, fn):  # type: ignore[no-untyped-def]
        """Run a model call; foreign exceptions become ModelError (ours pass through unchanged)."""
        try:
            return fn()
        except RvosError:
            raise
        except Exception as err:  # torch/transformers raise many kinds; the loop reports one ModelError per frame
            raise ModelError(f"the {what} failed: {type(err).__name__}: {err}; check perception.{what} "
                             "in the config and the model files") from err


class _Carrier:
    """Carries boxes of a detected (earlier) frame to the present frame; see the module's "Asynchronous detection".

    The present frame's small grey image is made once, on the first box that needs it.
    """

    def __init__(self, result: DetectionResult, frame: Frame, stamp: int, max_s: float, still_frames: int,
                 frame_count: int) -> None:
        self.result = result
        self.frame = frame
        self.age_s = (stamp - result.job.stamp_ns) / _NS
        self.frames = frame_count - result.job.frame
        self.max_s = max_s
        self.still_frames = still_frames
        self._now: tuple[np.ndarray, float] | None = None

    def carry(self, box: Box, then: TrackSnapshot | None = None, now: _Live | None = None) -> Box | None:
        """``box`` of the detected frame on the present frame, or None when no sound position is known."""
        if self.age_s > self.max_s:
            return None
        motion = None
        if self.frames > 0 and self.result.grey is not None:
            if self._now is None:
                self._now = grey_small(self.frame.image)
            grey, scale = self._now
            motion = carry_box(box, self.result.grey, grey, scale)
        if motion is None and then is not None and now is not None and then.visible and now.visible:
            motion = (_centre(now.box)[0] - _centre(then.box)[0], _centre(now.box)[1] - _centre(then.box)[1])
        if motion is None:
            if self.frames > self.still_frames:
                return None
            motion = (0.0, 0.0)
        h, w = self.frame.height, self.frame.width
        x1, x2 = (min(max(v + motion[0], 0.0), float(w)) for v in (box[0], box[2]))
        y1, y2 = (min(max(v + motion[1], 0.0), float(h)) for v in (box[1], box[3]))
        if x2 - x1 < 1.0 or y2 - y1 < 1.0:
            return None  # carried out of the image
        return (x1, y1, x2, y2)


def _centre(box: Box) -> tuple[float, float]:
    return (box[0] + box[2]) / 2.0, (box[1] + box[3]) / 2.0
