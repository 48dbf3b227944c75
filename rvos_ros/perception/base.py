"""The interfaces of perception: the backend the runtime drives, and the detector and tracker inside it.

``Perception`` is what the runtime calls (the simulated oracle and the real
models both implement it). The models backend is built from a ``Detector``
(open-vocabulary, keyframes only) and a ``Tracker`` (SAM2 streaming memory,
every frame); :mod:`rvos_ros.perception.grounding` ties them together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from rvos_ros.types import Box, Frame, ParsedQuery, Track

__all__ = ["Detection", "Detector", "Perception", "TrackState", "Tracker"]


@dataclass(frozen=True)
class Detection:
    """One detector box: pixel ``(x1, y1, x2, y2)`` in the input image, score in [0, 1], the matched phrase."""

    box: Box
    score: float
    phrase: str


@runtime_checkable
class Detector(Protocol):
    """Open-vocabulary detector; the text side is encoded once per command."""

    def set_phrases(self, phrases: Sequence[str]) -> None:
        """The phrases to look for (a new command); encodes them once."""

    def detect(self, image: np.ndarray) -> list[Detection]:
        """Boxes in an RGB uint8 (H, W, 3) image, best first, each labelled with one of the phrases."""


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
    command (the simulated oracle reports every object), so one perception
    pass can serve several commands on the same video.
    """

    query_independent: bool

    def set_query(self, query: ParsedQuery | None) -> None:
        """A new command: the phrases to detect (candidates and context entities)."""

    def step(self, frame: Frame) -> tuple[Track, ...]:
        """Track every candidate on this frame."""

    def reset(self) -> None:
        """Forget all tracks (a new stream)."""
