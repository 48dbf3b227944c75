"""ROS-free orchestration of one stream (DESIGN.md "Data flow").

``Runtime.step(frame)`` runs perception, camera-motion estimation and the
track book on every frame, triggers target identification on a new command,
every ``runtime.reason_every`` frames and when tracks appear or vanish, and
returns one :class:`~rvos_ros.types.FrameResult` per frame. Per-frame work
is O(1) in stream length.

Identification runs as a job on a frozen window snapshot
(:mod:`rvos_ros.reasoning.worker`). In deterministic mode the job runs inline,
so two runs over the same frames give identical results. In live mode it runs
in one worker thread, at most one job in flight: the frame loop never waits
(a slow LLM only delays when a new decision arrives), polls for the answer on
each frame, and drops an answer whose command generation is stale.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from rvos_ros.config import Config
from rvos_ros.errors import InputError
from rvos_ros.perception.base import Perception
from rvos_ros.perception.camera_motion import CameraMotionEstimator
from rvos_ros.perception.track_book import TrackBook
from rvos_ros.reasoning.clip_verifier import AppearanceVerifier, shared_verifier
from rvos_ros.reasoning.identify import LLMHook, TargetIdentifier, identify
from rvos_ros.reasoning.llm_stage import build_llm_hook
from rvos_ros.reasoning.query_parser import QueryParser
from rvos_ros.reasoning.worker import InlineReasoner, ReasoningJob, ReasoningResult, ReasoningWorker
from rvos_ros.types import Decision, Frame, FrameResult, ParsedQuery, Track, TrajectoryWindow

__all__ = ["Observation", "Runtime"]

_NS = 1_000_000_000


@dataclass(frozen=True)
class Observation:
    """What the command-independent part of a step saw on one frame."""

    tracks: tuple[Track, ...]
    homography: np.ndarray
    timings_ms: dict[str, float] = field(default_factory=dict)
    error: str = ""
    """A perception fault on this frame ("" if none); the tracks are then the last good frame's."""


class FrameClock:
    """Frame rate from stamps: a running median-free EMA of plausible frame intervals."""

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


class Runtime:
    """One stream: frames in, one FrameResult per frame out."""

    def __init__(self, config: Config, perception: Perception, *, parser: QueryParser | None = None,
                 identifier: TargetIdentifier | None = None, llm: LLMHook | None = None,
                 verifier: AppearanceVerifier | None = None) -> None:
        """``llm`` and ``verifier`` default to what ``config.llm`` and ``config.verifier`` name (None for
        ``llm.backend: none`` and ``verifier.backend: pixels``); models load once per process."""
        self.config = config
        self.perception = perception
        self.parser = parser or QueryParser(max_chars=config.output.max_command_chars)
        if llm is None:
            llm = build_llm_hook(config.llm, config.reasoning.min_observed_s)
        if verifier is None and config.verifier.backend != "pixels":
            verifier = shared_verifier(config.verifier, config.perception.models_dir, config.perception.device,
                                       config.engines)
        self.identifier = identifier or TargetIdentifier(config.reasoning, llm=llm, verifier=verifier)
        self.reasoner: InlineReasoner | ReasoningWorker = (
            ReasoningWorker() if config.runtime.mode == "live" else InlineReasoner())
        self.stale_dropped = 0
        """Answers that arrived after their command was replaced (live mode)."""
        self.reasoning_error = ""
        """The last failure of the reasoning code itself (reported on status; the stream goes on)."""
        self.camera = CameraMotionEstimator(config.camera_motion)
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
        self._seen_shape: tuple[int, int] | None = None
        self._last_tracks: tuple[Track, ...] = ()

    # -- commands -----------------------------------------------------------------
    def set_command(self, text: str) -> ParsedQuery | None:
        """Apply a new command from the next frame on; an empty (or blank) command clears the target.

        Raises InputError for a command that cannot be parsed (too long, say)
        and ModelError when perception cannot take it; the current command then
        stays in force.
        """
        if not isinstance(text, str):
            raise InputError(f"command must be a string, got {type(text).__name__}")
        if not text.strip():
            self.generation += 1
            self.command, self.query = "", None
            self.identifier.reset()
            self.perception.set_query(None)
            self._decision = Decision(state="no_command", generation=self.generation,
                                      frame_index=self._frame_index, rationale="command cleared")
            return None
        query = self.parser.parse(text)
        self.perception.set_query(query)  # first: if the detector refuses the phrases, the old command stays whole
        self.generation += 1
        self.command, self.query = text, query
        self.identifier.set_query(query, self.generation)
        self._decision = Decision(state="searching", generation=self.generation, frame_index=self._frame_index)
        self._reason_now = True
        return query

    @property
    def decision(self) -> Decision:
        return self._decision

    @property
    def frame_index(self) -> int:
        return self._frame_index

    def reset(self) -> None:
        """Forget the stream (tracks, camera, decision); keep the command."""
        self.perception.reset()
        self.camera.reset()
        self.book.reset()
        self.clock.reset()
        self._frame_index = -1
        self._last_reason = -1
        self._shape = None
        self._seen_shape = None
        self._last_tracks = ()
        if self.query is not None:
            self.identifier.set_query(self.query, self.generation)
            self._decision = Decision(state="searching", generation=self.generation)
            self._reason_now = True

    # -- frames -------------------------------------------------------------------
    def observe(self, frame: Frame) -> Observation:
        """The command-independent half of a step: perception and camera motion.

        A perception fault (a model raising on one frame) does not end the
        stream: this frame reuses the last good frame's tracks, so the last
        decision's mask is still published, the error is reported in the
        FrameResult, and the next frame tries again.
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
        try:
            tracks = self.perception.step(frame)
        except Exception as err:  # noqa: BLE001 - one bad frame must not stop a robot's stream; reported below
            tracks, error = self._last_tracks, f"perception failed on this frame ({type(err).__name__}: {err})"
        self._last_tracks = tracks
        t1 = time.perf_counter()
        exclude = None
        for t in tracks:
            if t.visible and t.mask is not None and t.mask.shape == frame.image.shape[:2]:
                exclude = t.mask.copy() if exclude is None else (exclude | t.mask)
        if self.config.camera_motion.enabled:
            h = self.camera.update(frame.image, exclude)
        else:
            h = np.eye(3)
        t2 = time.perf_counter()
        return Observation(tracks, h, {"perception": (t1 - t0) * 1e3, "camera": (t2 - t1) * 1e3}, error)

    def advance(self, frame: Frame, obs: Observation) -> FrameResult:
        """The command-dependent half: track book, reasoning at trigger points, target mask."""
        t0 = time.perf_counter()
        shape = frame.image.shape[:2]
        if self._shape is not None and shape != self._shape:
            # a camera that changes resolution starts a new stream; trajectories in old pixels are meaningless
            self.book.reset()
            self._reason_now = self.query is not None
        self._shape = shape
        self._frame_index += 1
        self.clock.tick(frame.stamp_ns)
        events = self.book.update(self._frame_index, obs.tracks, obs.homography, frame.image)
        t1 = time.perf_counter()
        timings = dict(obs.timings_ms)
        timings["track_book"] = (t1 - t0) * 1e3
        self._take(self.reasoner.poll())
        if self.query is not None and (
            self._reason_now or events or self._frame_index - self._last_reason >= self.config.runtime.reason_every
        ):
            # busy (live): keep the trigger and try again next frame; the frame loop never waits
            self._reason_now = not self._submit()
            self._take(self.reasoner.poll())  # inline: the answer is already there
        t2 = time.perf_counter()
        timings["reasoning"] = (t2 - t1) * 1e3
        mask = np.zeros(shape, dtype=bool)
        targets = set(self._decision.targets)
        for t in obs.tracks:
            if t.id in targets and t.visible and t.mask is not None and t.mask.shape == shape:
                mask |= t.mask
        timings["output"] = (time.perf_counter() - t2) * 1e3
        timings["total"] = sum(timings.values())
        error = "; ".join(e for e in (obs.error, self.reasoning_error) if e)
        return FrameResult(self._frame_index, frame.stamp_ns, frame.frame_id, frame.seq, mask, self._decision,
                           tuple(t for t in obs.tracks if t.visible), timings, error=error)

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

    def close(self) -> None:
        """Stop the reasoning worker (live mode); idempotent."""
        self.reasoner.close()

    def final_decision(self) -> Decision:
        """A fresh decision on the whole current window, without hysteresis (offline use: the video is over)."""
        if self.query is None or self.book.last_frame < 0:
            return self._decision
        window = self.book.window(self.command, self.clock.fps)
        ident = self.identifier
        return identify(window, self.query, self.config.reasoning, llm=ident.llm, match=ident.match,
                        verifier=ident.verifier, frame_index=self._frame_index, generation=self.generation)

    def step(self, frame: Frame) -> FrameResult:
        """Process one frame."""
        return self.advance(frame, self.observe(frame))
