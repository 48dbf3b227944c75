"""One stream and its commands, without ROS: frames in, one FrameResult per frame out.

:class:`Runtime` composes the two lifetimes of the runtime: a
:class:`~rvos_ros.runtime.observer.StreamObserver` (perception and camera
motion, as long as the camera stream) and a
:class:`~rvos_ros.runtime.session.CommandSession` (the command's track book,
identification and target mask). The live loop, the bag replay and the eval
runner all drive a stream through it (the eval runner may also drive one
observer and several sessions directly). Per-frame work is O(1) in stream
length.

In live mode with ``budget.frame_ms`` set, a
:class:`~rvos_ros.runtime.budget.FrameBudget` watches each frame's time and
degrades in the configured order (longer keyframe period, no overlay, fewer
tracks); each FrameResult names the steps in force in ``degraded``.
"""

from __future__ import annotations

from dataclasses import replace

from rvos_ros.config import Config
from rvos_ros.errors import InputError
from rvos_ros.perception.base import Degradable, GroundTruth, Perception
from rvos_ros.perception.camera_motion import CameraMotionEstimator
from rvos_ros.reasoning.clip_verifier import AppearanceVerifier
from rvos_ros.reasoning.identify import LLMHook, TargetIdentifier
from rvos_ros.reasoning.query_parser import QueryParser
from rvos_ros.runtime.budget import FrameBudget
from rvos_ros.runtime.models import ModelRegistry
from rvos_ros.runtime.observer import Observation, StreamObserver
from rvos_ros.runtime.session import CommandSession
from rvos_ros.types import Decision, Frame, FrameResult, ParsedQuery

__all__ = ["Runtime", "new_session", "start_command"]


def new_session(config: Config, models: ModelRegistry, *, llm: LLMHook | None = None,
                verifier: AppearanceVerifier | None = None) -> CommandSession:
    """A command session whose identifier uses ``models``' LLM and verifier (unless given here)."""
    llm = llm if llm is not None else models.llm()
    verifier = verifier if verifier is not None else models.verifier()
    return CommandSession(config, TargetIdentifier(config.reasoning, llm=llm, verifier=verifier))


def start_command(parser: QueryParser, perception: Perception, session: CommandSession, text: str
                  ) -> ParsedQuery | None:
    """Give ``session`` (and the perception that grounds its candidates) a new command; "" clears it.

    Raises InputError for a command that cannot be parsed (too long, say)
    and ModelError when perception cannot take it; the current command then
    stays in force.
    """
    if not isinstance(text, str):
        raise InputError(f"command must be a string, got {type(text).__name__}")
    if not text.strip():
        perception.set_query(None)
        session.set_query("", None)
        return None
    query = parser.parse(text)
    perception.set_query(query)  # first: if the detector refuses the phrases, the old command stays whole
    session.set_query(text, query)
    return query


class Runtime:
    """One stream: frames in, one FrameResult per frame out; commands at any time."""

    def __init__(self, config: Config, perception: Perception, *, parser: QueryParser | None = None,
                 models: ModelRegistry | None = None, llm: LLMHook | None = None,
                 verifier: AppearanceVerifier | None = None) -> None:
        """``models`` defaults to a registry of this runtime's own; ``llm`` and ``verifier`` replace its models."""
        self.config = config
        self.parser = parser or QueryParser(max_chars=config.output.max_command_chars)
        self.models = models or ModelRegistry(config)
        self.observer = StreamObserver(config, perception)
        self.session = new_session(config, self.models, llm=llm, verifier=verifier)
        self.budget = self._budget(config)

    @staticmethod
    def _budget(config: Config) -> FrameBudget | None:
        """A frame budget in live mode when ``budget.frame_ms`` is set; None otherwise (deterministic: never)."""
        return FrameBudget(config.budget) if config.runtime.mode == "live" and config.budget.frame_ms > 0 else None

    @property
    def perception(self) -> Perception:
        return self.observer.perception

    @property
    def decision(self) -> Decision:
        return self.session.decision

    @property
    def frame_index(self) -> int:
        return self.session.frame_index

    @property
    def command(self) -> str:
        return self.session.command

    @property
    def query(self) -> ParsedQuery | None:
        return self.session.query

    @property
    def generation(self) -> int:
        return self.session.generation

    def set_command(self, text: str) -> ParsedQuery | None:
        """Apply a new command from the next frame on; an empty (or blank) command clears the target
        (see :func:`start_command`)."""
        return start_command(self.parser, self.perception, self.session, text)

    def reconfigure(self, config: Config) -> None:
        """Put a live configuration change into effect between two frames.

        Tracks, the current lock and its hysteresis are kept: ``reason_every``,
        ``camera_motion.enabled`` and the reasoning thresholds are read on every
        frame or pass. A changed ``camera_motion`` section starts a new motion
        chain; a changed ``output.max_command_chars`` a new parser.
        """
        old, self.config = self.config, config
        self.observer.config = self.session.config = config
        self.session.clock.default_fps = config.runtime.fps
        self.session.identifier.config = config.reasoning
        if config.camera_motion != old.camera_motion:
            self.observer.camera = CameraMotionEstimator(config.camera_motion)
        if config.output.max_command_chars != old.output.max_command_chars:
            self.parser = QueryParser(max_chars=config.output.max_command_chars)
        if config.budget != old.budget or config.runtime.mode != old.runtime.mode:
            self.budget = self._budget(config)  # a new budget starts with everything on
            self._apply_limits()

    def feed_truth(self, truth: GroundTruth) -> None:
        """Ground truth for a perception backend that reads it (the simulated oracle); others ignore it."""
        self.observer.feed_truth(truth)

    def reset(self) -> None:
        """Forget the stream (tracks, camera, decision); keep the command."""
        self.observer.reset()
        self.session.reset()

    def observe(self, frame: Frame) -> Observation:
        """The command-independent half of a step (see :class:`StreamObserver`)."""
        return self.observer.observe(frame)

    @property
    def overlay_allowed(self) -> bool:
        """False while the frame budget has turned the overlay off (the transport then draws none)."""
        return self.budget is None or self.budget.overlay_allowed

    def report_transport_ms(self, ms: float) -> None:
        """Milliseconds the transport spent on the last frame after ``step`` (overlay, publishing): the frame
        budget counts them with that frame."""
        if self.budget is not None:
            self.budget.add_transport_ms(ms)

    def _apply_limits(self) -> None:
        perception = self.perception
        if not isinstance(perception, Degradable):
            return
        b = self.budget
        if b is None:
            perception.set_limits()
        else:
            perception.set_limits(detector_period_factor=b.detector_period_factor, max_tracks=b.max_tracks,
                                  keep=self.session.decision.targets)

    def step(self, frame: Frame) -> FrameResult:
        """Process one frame (under the frame budget's steps in live mode; see ``degraded`` in the result)."""
        budget = self.budget
        if budget is None:
            return self.session.advance(frame, self.observer.observe(frame))
        self._apply_limits()
        degraded = budget.degraded
        result = self.session.advance(frame, self.observer.observe(frame))
        budget.observe(float(result.timings_ms.get("total", 0.0)))
        return replace(result, degraded=degraded) if degraded else result

    def final_decision(self) -> Decision:
        """A fresh decision on the whole current window, without hysteresis (offline use: the video is over)."""
        return self.session.final_decision()

    def close(self) -> None:
        """Stop the reasoning and detection workers (live mode); idempotent."""
        self.session.close()
        self.observer.close()
