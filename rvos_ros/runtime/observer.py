"""The per-stream half of the runtime: what the camera shows, whatever the command.

A :class:`StreamObserver` lives as long as a camera stream. On every frame it
runs perception (candidate tracks) and camera-motion estimation (the
frame-to-frame homography of the background) and returns an
:class:`Observation`. It knows nothing of commands, so one observer can serve
several command sessions on the same frames (the eval runner does, for a
perception whose tracks do not depend on the command).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from rvos_ros.config import Config
from rvos_ros.perception.base import GroundTruth, Perception, Reporting
from rvos_ros.perception.camera_motion import CameraMotionEstimator
from rvos_ros.types import Frame, Track

__all__ = ["Observation", "StreamObserver"]


@dataclass(frozen=True)
class Observation:
    """What the command-independent part of a step saw on one frame."""

    tracks: tuple[Track, ...]
    homography: np.ndarray
    timings_ms: dict[str, float] = field(default_factory=dict)
    """Milliseconds of the observer's stages (``perception``, ``camera``): they add up to its share of the frame."""
    error: str = ""
    """A perception fault on this frame ("" if none). When perception raised, the tracks are the last good
    frame's; a fault it reported without raising (a failed detection on the worker) leaves this frame's."""
    stages_ms: dict[str, float] = field(default_factory=dict)
    """Parts of ``perception`` the backend timed (``detector``, ``encoder``, ``memory_attention``, ``decoder``,
    ``memory_encoder``): a breakdown, not more time (live mode: ``detector`` ran on its worker, off the frame)."""
    searching: bool = False
    """The current command's candidates are not known yet (its first detection is still running, live mode)."""
    waited_for_detector: bool = False
    """This frame's processing waited on the detector (inline keyframes; never by design in live mode)."""
    gap: bool = False
    """Perception raised on this frame: ``tracks`` are the last good frame's, only so that the last mask is
    published with the error; they are no observation of this frame (the track book records a gap, and camera
    motion skips the frame: the next frame's homography spans it)."""


class StreamObserver:
    """Perception and camera motion of one stream; ``reset`` starts a new stream."""

    def __init__(self, config: Config, perception: Perception) -> None:
        self.config = config
        self.perception = perception
        self.camera = CameraMotionEstimator(config.camera_motion)
        self._seen_shape: tuple[int, int] | None = None
        self._last_tracks: tuple[Track, ...] = ()

    def feed_truth(self, truth: GroundTruth) -> None:
        """Ground truth for perception backends that read it (the simulated oracle); the others ignore it."""
        self.perception.feed_truth(truth)

    def reset(self) -> None:
        """Forget the stream: tracks, camera motion, the frame size."""
        self.perception.reset()
        self.camera.reset()
        self._seen_shape = None
        self._last_tracks = ()

    def observe(self, frame: Frame) -> Observation:
        """Perception and camera motion on one frame.

        A perception fault (a model raising on one frame) does not end the
        stream: the Observation is a ``gap`` carrying the last good frame's
        tracks, so the last decision's mask is still published with the error
        but nothing is recorded for this frame, and the next frame tries again.
        """
        shape = frame.image.shape[:2]
        if self._seen_shape is not None and shape != self._seen_shape:
            # a camera that changes resolution starts a new stream for perception too (SAM2 memory is per size)
            self.perception.reset()
            self.camera.reset()
            self._last_tracks = ()
        self._seen_shape = shape
        t0 = time.perf_counter()
        error = ""
        stages: dict[str, float] = {}
        searching = waited = gap = False
        try:
            tracks = self.perception.step(frame)
        except Exception as err:  # noqa: BLE001 - one bad frame must not stop a robot's stream; reported below
            tracks, error = self._last_tracks, f"perception failed on this frame ({type(err).__name__}: {err})"
            gap = True
        else:
            if isinstance(self.perception, Reporting):
                report = self.perception.frame_report()
                stages, searching, waited = dict(report.timings_ms), report.searching, report.waited_for_detector
                error = report.error
        self._last_tracks = tracks
        t1 = time.perf_counter()
        exclude = None
        for t in tracks:
            if t.visible and t.mask is not None and t.mask.shape == frame.image.shape[:2]:
                exclude = t.mask.copy() if exclude is None else (exclude | t.mask)
        h = self.camera.update(frame.image, exclude) if self.config.camera_motion.enabled and not gap else np.eye(3)
        t2 = time.perf_counter()
        return Observation(tracks, h, {"perception": (t1 - t0) * 1e3, "camera": (t2 - t1) * 1e3}, error, stages,
                           searching, waited, gap)

    def close(self) -> None:
        """Stop the perception backend's worker threads, if it has any (live mode); idempotent."""
        close = getattr(self.perception, "close", None)
        if callable(close):
            close()
