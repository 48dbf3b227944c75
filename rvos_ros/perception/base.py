"""The interface every perception backend implements (simulated oracle, real models)."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from rvos_ros.types import Frame, ParsedQuery, Track

__all__ = ["Perception"]


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
