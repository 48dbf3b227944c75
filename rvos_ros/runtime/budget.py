"""The frame budget (``budget`` in the config): over it, give things up in a stated order instead of queueing.

:class:`FrameBudget` watches each frame's time (the runtime's ``total``,
plus what the transport reports for its own work through
:meth:`FrameBudget.add_transport_ms`, e.g. drawing the overlay) against
``budget.frame_ms``. It judges once per ``budget.window_frames`` frames, on
the window's mean:

- over the budget: take the next step of ``budget.degrade`` (by default
  ``detector``: keyframe period times ``budget.detector_period_factor``;
  then ``overlay``: no overlay image; then ``tracks``: at most
  ``budget.max_tracks`` tracks, the command's targets kept first). With no
  step left (or none configured) the frame says ``over_budget``;
- under ``budget.recover_ratio`` of it for three windows in a row: undo the
  last step taken (slow to recover, quick to degrade, so a robot does not
  see the overlay flicker).

A step is judged by the frames after it only: the window starts afresh.
Deterministic mode never degrades (replay and eval output must not depend
on the machine); the runtime only builds a budget in live mode. Per-frame
work is O(1): a fixed window of numbers.
"""

from __future__ import annotations

from collections import deque

from rvos_ros.config import BudgetConfig

__all__ = ["OVER_BUDGET", "FrameBudget"]

OVER_BUDGET = "over_budget"
"""The ``degraded`` entry of a frame that is over budget with nothing left to give up."""
_CALM_WINDOWS = 3
"""Windows in a row under ``recover_ratio`` of the budget before a step is undone."""


class FrameBudget:
    """Degrade steps in force, from the frame times it is given (see the module)."""

    def __init__(self, config: BudgetConfig) -> None:
        self.config = config
        self.steps = config.steps
        self.level = 0
        """How many of ``steps`` are in force (the first ``level``)."""
        self.over = False
        """The last window was over budget with no step left to take."""
        self.frames_over = 0
        """Frames whose own time exceeded the budget (a count for diagnostics)."""
        self.changes = 0
        """Steps taken or undone so far."""
        self._window: deque[float] = deque(maxlen=config.window_frames)
        self._calm = 0

    @property
    def enabled(self) -> bool:
        return self.config.frame_ms > 0

    @property
    def degraded(self) -> tuple[str, ...]:
        """The steps in force, in the order taken; plus :data:`OVER_BUDGET` when nothing is left to give up."""
        return self.steps[:self.level] + ((OVER_BUDGET,) if self.over else ())

    @property
    def detector_period_factor(self) -> int:
        return self.config.detector_period_factor if "detector" in self.steps[:self.level] else 1

    @property
    def max_tracks(self) -> int | None:
        return self.config.max_tracks if "tracks" in self.steps[:self.level] else None

    @property
    def overlay_allowed(self) -> bool:
        return "overlay" not in self.steps[:self.level]

    def observe(self, frame_ms: float) -> None:
        """One frame's milliseconds; a full window is judged first, which may take or undo a step (in force
        from the next frame). The transport's time for this frame may still be added until the next call."""
        if not self.enabled:
            return
        if len(self._window) >= self.config.window_frames:
            self._judge(sum(self._window) / len(self._window))
            self._window.clear()
        self.frames_over += frame_ms > self.config.frame_ms
        self._window.append(float(frame_ms))

    def _judge(self, mean: float) -> None:
        budget = self.config.frame_ms
        if mean > budget:
            self._calm = 0
            if self.level < len(self.steps):
                self.level += 1
                self.changes += 1
            else:
                self.over = True  # every step is in force and the frames still do not fit
            return
        self.over = False
        self._calm = self._calm + 1 if mean < self.config.recover_ratio * budget else 0
        if self._calm >= _CALM_WINDOWS and self.level > 0:
            self.level -= 1
            self.changes += 1
            self._calm = 0

    def add_transport_ms(self, ms: float) -> None:
        """Time the transport spent on the last frame (overlay drawing, publishing): counted with that frame."""
        if self.enabled and self._window:
            self._window[-1] += float(ms)
