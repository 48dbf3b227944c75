"""The interfaces of perception: the backend the runtime drives, and the detector and tracker inside it.

``Perception`` is what the runtime calls (the simulated oracle and the real
models both implement it). The models backend is built from a
:class:`~rvos_ros.models.detection.Detector` (open-vocabulary, keyframes only)
and a ``Tracker`` (SAM2 streaming memory, every frame);
:mod:`rvos_ros.perception.grounding` ties them together.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np

from rvos_ros.types import Box, Frame, ParsedQuery, Track

__all__ = ["Degradable", "GroundTruth", "Perception", "PerceptionReport", "Reporting", "TrackState", "Tracker"]


@dataclass(frozen=True)
class GroundTruth:
    """Ground truth that arrives beside the camera (a dataset's annotations, a bag's ``sim/*`` topics).

    Only the simulated oracle reads it; every other backend ignores it, so the
    callers hand it over without asking which backend runs. ``labels`` is the
    object-index map (uint8 (H, W), 0 = background) of the frame stamped
    ``stamp_ns``; ``categories`` maps object ids (ints or their strings) to
    category names. Either may be None.
    """

    stamp_ns: int = -1
    labels: np.ndarray | None = None
    categories: Mapping[int, str] | Mapping[str, str] | None = None


@dataclass(frozen=True)
class TrackState:
    """A tracked object on the current frame: boolean (H, W) mask, object-score logit, visible or occluded."""

    mask: np.ndarray
    score: float
    visible: bool


@runtime_checkable
class Tracker(Protocol):
    """Streaming multi-object mask tracker (SAM2 memory); one image encoding per frame for all objects."""

    def step(self, image: np.ndarray) -> dict[int, TrackState]:
        """Advance to a new RGB uint8 (H, W, 3) frame and propagate every object onto it."""

    def add(self, track_id: int, *, box: Box | None = None, mask: np.ndarray | None = None) -> TrackState:
        """Prompt (or re-prompt) ``track_id`` on the current frame with a pixel box or a boolean mask."""

    def remove(self, track_id: int) -> None:
        """Forget one object; the others keep their memory."""

    def reset(self) -> None:
        """Forget every object and frame (a new stream)."""


@runtime_checkable
class Perception(Protocol):
    """Grounds candidates: reports every tracked candidate on every frame.

    ``query_independent`` is True when the tracks do not depend on the
    command (the simulated oracle reporting every object), so one perception
    pass can serve several commands on the same video.
    """

    @property
    def query_independent(self) -> bool:
        """True when the tracks do not depend on the command (see above)."""

    @property
    def reads_truth(self) -> bool:
        """True when the backend needs :class:`GroundTruth` (the oracle): transports then subscribe to it."""

    @property
    def ids_are_object_ids(self) -> bool:
        """True when every track id is the ground-truth object id of what it tracks (the oracle without id
        switches), so decisions can be checked against a dataset's object ids; False for trackers, whose ids
        mean nothing outside their stream."""

    @property
    def problem(self) -> str:
        """Why this backend cannot do its job right now ("" when it can): the node's ``/diagnostics``
        reports it as an ERROR, with the fix."""

    def feed_truth(self, truth: GroundTruth) -> None:
        """Ground truth beside the camera; a backend that does not read it ignores it."""

    def set_query(self, query: ParsedQuery | None) -> None:
        """A new command: the phrases to detect (candidates and context entities)."""

    def step(self, frame: Frame) -> tuple[Track, ...]:
        """Track every candidate on this frame."""

    def reset(self) -> None:
        """Forget all tracks (a new stream)."""


@dataclass(frozen=True)
class PerceptionReport:
    """What a backend says about its last ``step`` besides the tracks (see :class:`Reporting`).

    ``timings_ms``: milliseconds of its stages on that frame (the models
    backend: ``detector``, ``encoder``, ``memory_attention``, ``decoder``,
    ``memory_encoder``); they are parts of the observer's ``perception``
    time, except ``detector`` in live mode, where the detection ran on its
    worker thread, off the frame. ``error``: a fault that did not stop the
    frame (a detection that failed on the worker), "" if none. ``searching``:
    the current command's first detection has not come back yet (live mode),
    so the candidates are not known. ``waited_for_detector``: this frame's
    processing waited on the detector (inline detection, or a lock the worker
    held): never in live mode by design; counted, not assumed.
    """

    timings_ms: Mapping[str, float] = field(default_factory=dict)
    error: str = ""
    searching: bool = False
    waited_for_detector: bool = False


@runtime_checkable
class Reporting(Protocol):
    """A backend that reports per-frame stage timings and non-fatal faults (the models backend)."""

    def frame_report(self) -> PerceptionReport:
        """The report of the last ``step``."""


@runtime_checkable
class Degradable(Protocol):
    """A backend that can spend less when the frame budget is exceeded (see ``budget`` in the config)."""

    def set_limits(self, *, detector_period_factor: int = 1, max_tracks: int | None = None,
                   keep: Sequence[int] = ()) -> None:
        """From the next frame: the keyframe period times ``detector_period_factor``; at most ``max_tracks``
        tracks (None: no cap beyond the configured one), keeping the ids in ``keep`` first."""
