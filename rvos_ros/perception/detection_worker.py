"""The detector off the frame path (live mode): one worker thread, one detection in flight, boxes carried forward.

:class:`DetectionWorker` runs :class:`DetectionJob` s in its own thread. A job
is a snapshot of one frame: a copy of its image, the phrases to look for, the
command generation it belongs to, and every track as it was on that frame
(box, mask, visibility). The frame loop submits a job and goes on tracking
every frame; on a later frame it polls the result without waiting and
matches the detections to the tracks *as they were on the detected frame*
(:class:`~rvos_ros.perception.grounding.CandidateGrounder`). Whatever must be
prompted on the present frame (a new object, a drifted track) is first
carried from the detected frame to the present one by :func:`carry_box`.

Everything on the detector happens on the worker thread, ``set_phrases``
included (it runs the text tower of OWLv2): the frame thread never touches
the detector, so the two never race. An exception inside the worker becomes
the result's ``error``; the thread lives on. ``close`` ends the thread
after the detection it is running (a torch call cannot be interrupted) and
drops that detection's result; a later ``submit`` starts it again.

The worker counts the times the frame thread had to wait for its lock
(``waits``): the lock is only ever held for a few assignments, never during
a detection, so this stays 0; it is counted rather than assumed.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from rvos_ros.models.detection import Detector
from rvos_ros.types import Box, Detection

__all__ = ["CARRY_SIDE_PX", "DetectionJob", "DetectionResult", "DetectionWorker", "TrackSnapshot", "carry_box",
           "grey_small"]

CARRY_SIDE_PX = 320
"""Longer side of the grey images on which boxes are carried (the motion is scaled back to the frame)."""
_MIN_POINTS = 5
"""Points that must follow the box, forward and back, for its motion to be believed."""
_FB_ERROR_PX = 1.0
"""Forward-backward error (pixels of the small image) above which a followed point is rejected."""
_LK_WIN = (15, 15)
_LK_LEVELS = 3
"""Pyramid levels: with a 15 px window, motions of tens of pixels between the two frames are followed."""
_LK_CRITERIA = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 20, 0.03)


@dataclass(frozen=True)
class TrackSnapshot:
    """One track on the detected frame: its box (last known while occluded), mask (None if not visible)."""

    box: Box
    mask: np.ndarray | None
    visible: bool


@dataclass(frozen=True)
class DetectionJob:
    """A detection to run on a snapshot of one frame."""

    image: np.ndarray
    """A copy of the frame's RGB image (the caller may reuse its own buffer)."""
    frame: int
    """The grounder's count of that frame in the stream."""
    stamp_ns: int
    generation: int
    """The command generation (phrases, stream) the job belongs to; a stale one's result is dropped."""
    phrases: tuple[str, ...]
    tracks: Mapping[int, TrackSnapshot]


@dataclass(frozen=True)
class DetectionResult:
    """What a job found: detections, the detected frame in small grey (to carry boxes), the detector's time."""

    job: DetectionJob
    detections: tuple[Detection, ...] = ()
    grey: np.ndarray | None = None
    ms: float = 0.0
    error: str = ""


def grey_small(image: np.ndarray, side: int = CARRY_SIDE_PX) -> tuple[np.ndarray, float]:
    """``image`` (RGB) in grey, downscaled so its longer side is at most ``side``; and the scale applied."""
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    scale = min(1.0, side / max(grey.shape))
    if scale < 1.0:
        grey = cv2.resize(grey, (max(1, round(grey.shape[1] * scale)), max(1, round(grey.shape[0] * scale))),
                          interpolation=cv2.INTER_AREA)
    return grey, scale


def carry_box(box: Box, before: np.ndarray, after: np.ndarray, scale: float) -> tuple[float, float] | None:
    """The motion ``(dx, dy)`` in frame pixels of what is inside ``box`` from ``before`` to ``after``; None if unsure.

    ``before``/``after`` are :func:`grey_small` images (same ``scale``). Corners
    inside the box are followed with pyramidal Lucas-Kanade, kept only if
    following them back lands where they started (within 1 px), and the
    median of their displacements is the box's motion: robust to the part of
    the box that is background as long as the object holds most corners.
    None when fewer than 5 points survive (a textureless or tiny box).
    """
    h, w = before.shape[:2]
    x1, y1 = max(0, int(box[0] * scale)), max(0, int(box[1] * scale))
    x2, y2 = min(w, int(np.ceil(box[2] * scale))), min(h, int(np.ceil(box[3] * scale)))
    if x2 - x1 < 4 or y2 - y1 < 4 or before.shape != after.shape:
        return None
    region = np.zeros_like(before)
    region[y1:y2, x1:x2] = 255
    points = cv2.goodFeaturesToTrack(before, maxCorners=40, qualityLevel=0.01, minDistance=2, mask=region)
    if points is None or len(points) < _MIN_POINTS:
        return None
    ahead, ok, _ = cv2.calcOpticalFlowPyrLK(before, after, points, None, winSize=_LK_WIN, maxLevel=_LK_LEVELS,
                                            criteria=_LK_CRITERIA)
    if ahead is None:
        return None
    back, ok_back, _ = cv2.calcOpticalFlowPyrLK(after, before, ahead, None, winSize=_LK_WIN, maxLevel=_LK_LEVELS,
                                                criteria=_LK_CRITERIA)
    if back is None:
        return None
    good = (ok.reshape(-1) == 1) & (ok_back.reshape(-1) == 1) & (
        np.linalg.norm((back - points).reshape(-1, 2), axis=1) <= _FB_ERROR_PX)
    if int(good.sum()) < _MIN_POINTS:
        return None
    motion = np.median((ahead - points).reshape(-1, 2)[good], axis=0) / scale
    return float(motion[0]), float(motion[1])


class DetectionWorker:
    """One daemon thread running at most one :class:`DetectionJob` at a time; never blocks the caller.

    ``context``: a factory of a context manager each detection runs in (the
    models backend gives a side CUDA stream on a GPU, so the detector's
    kernels do not queue behind the tracker's); None: none.
    """

    def __init__(self, detector: Detector, *, context: Callable[[], Any] | None = None) -> None:
        self.detector = detector
        self.context = context
        self._cond = threading.Condition()
        self._job: DetectionJob | None = None
        self._running: DetectionJob | None = None
        self._done: DetectionResult | None = None
        self._discard = False
        self._closed = False
        self._thread: threading.Thread | None = None
        self._phrases: tuple[str, ...] | None = None  # what the detector was last given (worker thread only)
        self.waits = 0
        """Times the caller found the lock held and had to wait (instrumentation: expected to stay 0)."""
        self.completed = 0
        """Jobs finished (results handed over or discarded)."""

    def _lock(self) -> None:
        if not self._cond.acquire(blocking=False):
            self.waits += 1
            self._cond.acquire()

    @property
    def busy(self) -> bool:
        """A job is queued or running."""
        self._lock()
        try:
            return self._job is not None or self._running is not None
        finally:
            self._cond.release()

    def submit(self, job: DetectionJob) -> bool:
        """Start ``job`` unless one is in flight or its result is not collected yet (False: try again on a later
        frame; a result that came in since the last ``poll`` is never overwritten)."""
        self._lock()
        try:
            if self._job is not None or self._running is not None or self._done is not None:
                return False
            self._closed = False
            self._job = job
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="rvos_detector", daemon=True)
                self._thread.start()
            self._cond.notify_all()
            return True
        finally:
            self._cond.release()

    def poll(self) -> DetectionResult | None:
        """The finished result, once; None while running or idle (never waits)."""
        self._lock()
        try:
            done, self._done = self._done, None
            return done
        finally:
            self._cond.release()

    def cancel(self) -> None:
        """Forget the queued job and drop the running one's result (a new stream or no command)."""
        with self._cond:
            self._job, self._done = None, None
            self._discard = self._running is not None

    def wait_idle(self, timeout: float) -> bool:
        """Block until no job is queued or running (tests and benches only; the frame loop never calls it)."""
        with self._cond:
            return self._cond.wait_for(lambda: self._job is None and self._running is None, timeout)

    def close(self) -> None:
        """End the thread after the detection it is running (whose result is dropped); idempotent."""
        with self._cond:
            self._closed = True
            self._job, self._done = None, None
            self._discard = self._running is not None
            self._cond.notify_all()

    def _loop(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._job is not None or self._closed)
                if self._closed:
                    self._thread = None
                    return
                job, self._job = self._job, None
                self._running, self._discard = job, False
            assert job is not None
            result = self._run(job)
            with self._cond:
                self._running = None
                self.completed += 1
                if not self._discard:
                    self._done = result
                self._discard = False
                self._cond.notify_all()

    def _run(self, job: DetectionJob) -> DetectionResult:
        t0 = time.perf_counter()
        try:
            with self.context() if self.context is not None else contextlib.nullcontext():
                if job.phrases != self._phrases:
                    self._phrases = None  # a failure below leaves them to be set again
                    self.detector.set_phrases(job.phrases)
                    self._phrases = job.phrases
                detections = tuple(self.detector.detect(job.image))
            grey, _ = grey_small(job.image)
        except Exception as err:  # noqa: BLE001 - a detector fault is reported with a frame; the stream goes on
            return DetectionResult(job, ms=(time.perf_counter() - t0) * 1e3,
                                   error=f"the detector failed on the worker: {type(err).__name__}: {err}")
        return DetectionResult(job, detections, grey, (time.perf_counter() - t0) * 1e3)
