"""The per-command half of the runtime: which candidate the command means, and its mask.

A :class:`CommandSession` holds what depends on the command: the parsed
query, the track book (trajectories in camera-motion-compensated pixels), the
target identifier with its hysteresis, the reasoner that runs identification
jobs, and the decision in force. ``advance`` takes one frame's
:class:`~rvos_ros.runtime.observer.Observation` and returns the frame's
:class:`~rvos_ros.types.FrameResult`; :func:`target_mask` is the one place
where a decision becomes a mask.

Identification runs as a job on a frozen window snapshot
(:mod:`rvos_ros.reasoning.worker`). In deterministic mode the job runs inline,
so two runs over the same frames give identical results. In live mode it runs
in one worker thread, at most one job in flight: the frame loop never waits
(a slow LLM only delays when a new decision arrives), polls for the answer on
each frame, and drops an answer whose command generation is stale.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

import numpy as np

from rvos_ros.config import Config
from rvos_ros.perception.track_book import TrackBook, TrackEvents
from rvos_ros.reasoning.identify import TargetIdentifier, identify
from rvos_ros.reasoning.worker import InlineReasoner, ReasoningJob, ReasoningResult, ReasoningWorker
from rvos_ros.runtime.observer import Observation
from rvos_ros.types import Decision, Frame, FrameResult, ParsedQuery, Track, TrajectoryWindow

__all__ = ["CommandSession", "FrameClock", "target_mask"]

_NS = 1_000_000_000


def target_mask(tracks: Iterable[Track], targets: Iterable[int], shape: tuple[int, int]) -> np.ndarray:
    """The union of the visible masks of the ``targets`` among ``tracks``: boolean (H, W), all False if none."""
    wanted = set(targets)
    mask = np.zeros(shape, dtype=bool)
    for t in tracks:
        if t.id in wanted and t.visible and t.mask is not None and t.mask.shape == shape:
            mask |= t.mask
    return mask


class FrameClock:
    """Frame rate from stamps: an exponential average of plausible frame intervals."""

    def __init__(self, default_fps: float) -> None:
        self.default_fps = default_fps
        self._dt: float | None = None
        self._last_ns: int | None = None

    def reset(self) -> None:
        self._dt = None
        self._last_ns = None

    def tick(self, stamp_ns: int) -> None:
        if self._last_ns is not None:
            dt = (stamp_ns - self._last_ns) / _NS
            if 0.0 < dt < 2.0:  # ignore duplicated, reordered or long-gapped stamps
                self._dt = dt if self._dt is None else 0.9 * self._dt + 0.1 * dt
        self._last_ns = stamp_ns

    @property
    def fps(self) -> float:
        return 1.0 / self._dt if self._dt else self.default_fps


class CommandSession:
    """The commands given on one stream, one at a time: track book, identification, decision, target mask."""

    def __init__(self, config: Config, identifier: TargetIdentifier) -> None:
        self.config = config
        self.identifier = identifier
        self.reasoner: InlineReasoner | ReasoningWorker = (
            ReasoningWorker() if config.runtime.mode == "live" else InlineReasoner())
        self.stale_dropped = 0
        """Answers that arrived after their command was replaced (live mode)."""
        self.reasoning_error = ""
        """The last failure of the reasoning code itself (reported on status; the stream goes on)."""
        rc = config.runtime
        self.book = TrackBook(rc.window_frames, rc.keyframes, rc.keyframe_every)
        self.clock = FrameClock(rc.fps)
        self.generation = 0
        self.command = ""
        self.query: ParsedQuery | None = None
        self._decision = Decision(state="no_command")
        self._frame_index = -1
        self._last_reason = -1
        self._reason_now = False
        self._shape: tuple[int, int] | None = None

    @property
    def decision(self) -> Decision:
        return self._decision

    @property
    def frame_index(self) -> int:
        return self._frame_index

    # -- commands -----------------------------------------------------------------
    def set_query(self, text: str, query: ParsedQuery | None) -> None:
        """A new command (``query`` parsed from ``text``) from the next frame on; None clears the target."""
        self.generation += 1
        if query is None:
            self.command, self.query = "", None
            self.identifier.reset()
            self._decision = Decision(state="no_command", generation=self.generation,
                                      frame_index=self._frame_index, rationale="command cleared")
            return
        self.command, self.query = text, query
        self.identifier.set_query(query, self.generation)
        self._decision = Decision(state="searching", generation=self.generation, frame_index=self._frame_index)
        self._reason_now = True

    def reset(self) -> None:
        """Forget the stream (trajectories, clock, frame count, decision); keep the command."""
        self.book.reset()
        self.clock.reset()
        self._frame_index = -1
        self._last_reason = -1
        self._shape = None
        if self.query is not None:
            self.identifier.set_query(self.query, self.generation)
            self._decision = Decision(state="searching", generation=self.generation)
            self._reason_now = True

    # -- frames -------------------------------------------------------------------
    def advance(self, frame: Frame, obs: Observation) -> FrameResult:
        """Track book, reasoning at trigger points, target mask for one observed frame."""
        t0 = time.perf_counter()
        shape = frame.image.shape[:2]
        if self._shape is not None and shape != self._shape:
            # a camera that changes resolution starts a new stream; trajectories in old pixels are meaningless
            self.book.reset()
            self._reason_now = self.query is not None
        self._shape = shape
        self._frame_index += 1
        self.clock.tick(frame.stamp_ns)
        # a perception fault is a gap in the trajectories (no rows), not every object standing still
        events = TrackEvents() if obs.gap else self.book.update(self._frame_index, obs.tracks, obs.homography,
                                                                  frame.image)
        t1 = time.perf_counter()
        timings = dict(obs.timings_ms)
        timings["track_book"] = (t1 - t0) * 1e3
        self._take(self.reasoner.poll())
        if self.query is not None and obs.searching:
            # live: the command's first detection is still running; no candidates to reason about yet, the
            # decision stays "searching", and reasoning starts on the frame its detections arrive
            self._reason_now = True
        elif self.query is not None and (
            self._reason_now or events or self._frame_index - self._last_reason >= self.config.runtime.reason_every
        ):
            # busy (live): keep the trigger and try again next frame; the frame loop never waits
            self._reason_now = not self._submit()
            self._take(self.reasoner.poll())  # inline: the answer is already there
        t2 = time.perf_counter()
        timings["reasoning"] = (t2 - t1) * 1e3
        shown = self._decision.state == "locked" or not self.config.output.masks_only_when_locked
        mask = target_mask(obs.tracks, self._decision.targets if shown else (), shape)
        timings["output"] = (time.perf_counter() - t2) * 1e3
        timings["total"] = sum(timings.values())
        timings.update(obs.stages_ms)  # parts of "perception" (or off the frame): not added to the total again
        error = "; ".join(e for e in (obs.error, self.reasoning_error) if e)
        return FrameResult(self._frame_index, frame.stamp_ns, frame.frame_id, frame.seq, mask, self._decision,
                           tuple(t for t in obs.tracks if t.visible), timings, error=error)

    def _identify(self, window: TrajectoryWindow, frame_index: int) -> Decision:
        assert self.query is not None
        ident = self.identifier
        return identify(window, self.query, self.config.reasoning, llm=ident.llm, match=ident.match,
                        verifier=ident.verifier, frame_index=frame_index, generation=self.generation)

    def _submit(self) -> bool:
        """Hand a frozen window to the reasoner; False when a job is still in flight."""
        if self.reasoner.busy or self.query is None:
            return False
        query, reasoning, ident = self.query, self.config.reasoning, self.identifier

        def run(window: TrajectoryWindow, frame_index: int, generation: int) -> Decision:
            return identify(window, query, reasoning, llm=ident.llm, match=ident.match, verifier=ident.verifier,
                            frame_index=frame_index, generation=generation)

        window = self.book.window(self.command, self.clock.fps)  # a snapshot: the book never touches it again
        if not self.reasoner.submit(ReasoningJob(window, self._frame_index, self.generation, run)):
            return False
        self._last_reason = self._frame_index
        return True

    def _take(self, result: ReasoningResult | None) -> None:
        if result is None:
            return
        if result.job.generation != self.generation:
            self.stale_dropped += 1  # the command changed while this was being answered
            return
        if result.decision is None:
            self.reasoning_error = result.error
            return
        self.reasoning_error = ""
        self._decision = self.identifier.accept(result.job.window, result.decision)

    def final_decision(self) -> Decision:
        """A fresh decision on the whole current window, without hysteresis (offline use: the video is over)."""
        if self.query is None or self.book.last_frame < 0:
            return self._decision
        return self._identify(self.book.window(self.command, self.clock.fps), self._frame_index)

    def close(self) -> None:
        """Stop the reasoning worker (live mode); idempotent."""
        self.reasoner.close()
