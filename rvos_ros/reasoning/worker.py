"""Reasoning off the frame loop: one worker, one request in flight, stale answers dropped.

The runtime hands the worker a *frozen* trajectory window (a snapshot that
the frame loop never touches again) and the command generation it belongs
to. The worker answers in its own thread; the frame loop polls without
waiting and keeps publishing the last decision meanwhile. An answer whose
generation is no longer current (the command changed while the LLM was
thinking) is dropped by the runtime. :class:`InlineReasoner` runs the same
jobs synchronously for deterministic mode (bags, eval, tests), so both
modes share one code path.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from rvos_ros.types import Decision, TrajectoryWindow

__all__ = ["InlineReasoner", "ReasoningJob", "ReasoningResult", "ReasoningWorker"]


@dataclass(frozen=True)
class ReasoningJob:
    """What to reason about: a frozen window, its last stream frame and the command generation."""

    window: TrajectoryWindow
    frame_index: int
    generation: int
    run: Callable[[TrajectoryWindow, int, int], Decision]
    """The reasoning itself (identify with the LLM hook), called as ``run(window, frame_index, generation)``."""


@dataclass(frozen=True)
class ReasoningResult:
    job: ReasoningJob
    decision: Decision | None
    error: str = ""
    """A failure of the reasoning code itself (not of the LLM, which falls back inside ``run``)."""


def _execute(job: ReasoningJob) -> ReasoningResult:
    try:
        return ReasoningResult(job, job.run(job.window, job.frame_index, job.generation))
    except Exception as err:  # noqa: BLE001 - a reasoning bug must not kill the stream; it is reported
        return ReasoningResult(job, None, f"reasoning failed: {type(err).__name__}: {err}")


class InlineReasoner:
    """Deterministic mode: ``submit`` runs the job at once; ``poll`` returns its result."""

    def __init__(self) -> None:
        self._done: ReasoningResult | None = None

    @property
    def busy(self) -> bool:
        return False

    def submit(self, job: ReasoningJob) -> bool:
        self._done = _execute(job)
        return True

    def poll(self) -> ReasoningResult | None:
        done, self._done = self._done, None
        return done

    def close(self) -> None:
        self._done = None


class ReasoningWorker:
    """Live mode: a daemon thread runs at most one job at a time; ``submit`` refuses while busy."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._job: ReasoningJob | None = None
        self._done: ReasoningResult | None = None
        self._busy = False
        self._closed = False
        self._thread = threading.Thread(target=self._loop, name="rvos_reasoning", daemon=True)
        self._thread.start()

    @property
    def busy(self) -> bool:
        with self._cond:
            return self._busy

    def submit(self, job: ReasoningJob) -> bool:
        """Start ``job`` unless one is in flight (then False: the caller tries again later)."""
        with self._cond:
            if self._busy or self._closed:
                return False
            self._job, self._busy = job, True
            self._cond.notify_all()
            return True

    def poll(self) -> ReasoningResult | None:
        """The finished result, once (never waits)."""
        with self._cond:
            done, self._done = self._done, None
            return done

    def wait_idle(self, timeout: float) -> bool:
        """Block until no job is in flight (tests and end of stream only; the frame loop never calls this)."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._busy, timeout)

    def close(self, timeout: float = 10.0) -> None:
        """Stop taking jobs and wait up to ``timeout`` s for the one in flight: a process that exits while the
        thread is inside torch (a local LLM) aborts ("terminate called without an active exception")."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def _loop(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._job is not None or self._closed)
                if self._closed:
                    return
                job, self._job = self._job, None
            assert job is not None
            result = _execute(job)
            with self._cond:
                self._done, self._busy = result, False
                self._cond.notify_all()
