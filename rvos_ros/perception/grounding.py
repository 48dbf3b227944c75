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
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment

from rvos_ros.config import GroundingConfig
from rvos_ros.errors import InputError, ModelError, RvosError
from rvos_ros.geometry import mask_box
from rvos_ros.models.detection import Detector
from rvos_ros.perception.base import Tracker, TrackState
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
    """

    def __init__(self, detector: Detector, tracker: Tracker, config: GroundingConfig | None = None, *,
                 every_n_frames: int = 15, score_alpha: float = 0.3) -> None:
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
        self.phrases: tuple[str, ...] = ()
        self._new_stream()

    # -- commands -------------------------------------------------------------------------------
    def set_phrases(self, phrases: Sequence[str]) -> None:
        """New phrases to detect (a new command): the detector encodes them; the next frame is a keyframe.

        Existing tracks are kept (see :meth:`retain_labels` to drop some);
        their phrase votes for phrases no longer asked for are forgotten.
        """
        phrases = tuple(phrases)
        self._call("detector", lambda: self.detector.set_phrases(phrases))
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

    def reset(self) -> None:
        """A new stream: forget every track and frame (ids start again at 1); keep the phrases."""
        self._call("tracker", self.tracker.reset)
        self._new_stream()

    def _new_stream(self) -> None:
        self._tracks: dict[int, _Live] = {}
        self._next_id = 1
        self._since_detection = 0
        self._detect_next = bool(self.phrases)
        self.detections_run = 0
        """Keyframes on which the detector ran in this stream (for tests and diagnostics)."""

    @property
    def track_ids(self) -> tuple[int, ...]:
        """Ids of the live tracks, ascending."""
        return tuple(sorted(self._tracks))

    # -- frames ---------------------------------------------------------------------------------
    def step(self, frame: Frame) -> tuple[Track, ...]:
        """Track every candidate on ``frame`` (detecting first if it is a keyframe); tracks sorted by id."""
        stamp = int(frame.stamp_ns)
        keyframe = bool(self.phrases) and (self._detect_next or self._since_detection + 1 >= self.every_n_frames)
        if not self._tracks and not keyframe:
            # nothing to track and nothing to look for: skip the image encoder
            self._since_detection += 1
            return ()
        states = self._call("tracker", lambda: self.tracker.step(frame.image))
        lost = self._observe(states, stamp)
        if lost and self.phrases:
            keyframe = True
        if keyframe:
            detections = self._call("detector", lambda: self.detector.detect(frame.image))
            self._ground(detections, stamp)
            self._since_detection = 0
            self._detect_next = False
            self.detections_run += 1
        else:
            self._since_detection += 1
        self._retire(stamp)
        return tuple(self._track(tid, live) for tid, live in sorted(self._tracks.items()))

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
            if d in matched or len(self._tracks) >= cfg.max_tracks:
                continue
            # A second detection on an already tracked object (the assignment is one-to-one) must not
            # start a duplicate track.
            if any(box_iou(det.box, live.box) >= cfg.match_iou for live in self._tracks.values()):
                continue
            tid = self._next_id
            self._next_id += 1
            live = _Live(label=det.phrase, score=float(det.score), box=tuple(map(float, det.box)),  # type: ignore[arg-type]
                         last_visible_ns=stamp, votes={det.phrase: float(det.score)})
            self._tracks[tid] = live
            state = self._call("tracker", lambda tid=tid, det=det: self.tracker.add(tid, box=det.box))
            self._apply(live, state, stamp)

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
