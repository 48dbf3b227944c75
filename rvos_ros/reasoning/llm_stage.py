"""The LLM stage of identification (PARSE-VOS motion reasoning with an LLM), as an ``LLMHook``.

The gate lives in :func:`rvos_ros.reasoning.identify.needs_llm`: the LLM is
asked only when the parser did not understand the command, when the rules
are not confident (ambiguous, descriptors they cannot judge) or when the
command needs world knowledge. This module serializes the window compactly
(camera-compensated motion runs, sampled positions, occlusions, colours),
asks the client for a :class:`~rvos_ros.llm.schemas.TargetAnswer` and checks
it: every target must be one of the rules' candidates, or the whole answer
is refused with an :class:`~rvos_ros.errors.LLMError` (the identifier then
answers with the rules, stage ``fallback``, saying why).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from rvos_ros.config import LLMConfig
from rvos_ros.errors import LLMError
from rvos_ros.reasoning.motion import TrackMotion, window_motion
from rvos_ros.reasoning.occlusion import occlusion_events
from rvos_ros.reasoning.rules import RuleResult
from rvos_ros.types import Decision, ParsedQuery, TrajectoryWindow

if TYPE_CHECKING:
    from rvos_ros.llm.client import ChatClient
    from rvos_ros.llm.prompts import MotionRun, TrackSummary

# The llm package (pydantic 2, the openai client) is imported only when an LLM is configured: a robot's ROS
# install may have neither, and with llm.backend none the node must start without them.

__all__ = ["LLMStage", "build_llm_hook", "summarize_window"]

_POSITIONS = 5
_MAX_RUNS = 4
_MAX_EVENTS = 3


def _runs(m: TrackMotion) -> tuple[MotionRun, ...]:
    from rvos_ros.llm.prompts import MotionRun

    out = []
    for sg in m.segments[-_MAX_RUNS:]:
        direction = ""
        if sg.moving:
            sel = (m.frames >= sg.start) & (m.frames <= sg.end)
            d = m.centers[sel][-1] - m.centers[sel][0]
            direction = ("right" if d[0] > 0 else "left") if abs(d[0]) >= abs(d[1]) else ("down" if d[1] > 0 else "up")
        out.append(MotionRun(sg.moving, sg.start / m.fps, (sg.end + 1) / m.fps, direction, sg.travel_px))
    return tuple(out)


def summarize_window(window: TrajectoryWindow, candidates: tuple[int, ...], min_observed_s: float = 0.5
                     ) -> list[TrackSummary]:
    """One :class:`TrackSummary` per candidate (positions in frame-0 pixels, camera motion removed)."""
    from rvos_ros.llm.prompts import TrackSummary

    motion = window_motion(window, min_observed_s)
    events: dict[int, list[str]] = {}
    for e in occlusion_events(window):
        span = f"{e.start / window.fps:.1f}-{(e.end + 1) / window.fps:.1f}s"
        what = "hidden" if e.full else "partly hidden"
        events.setdefault(e.occluded, []).append(f"{what} by {e.occluder} at {span}")
        events.setdefault(e.occluder, []).append(f"in front of {e.occluded} at {span}")
    out = []
    for tid in candidates:
        traj, m = window.track(tid), motion[tid]
        rows = np.asarray(traj.boxes, dtype=np.float64).reshape(-1, 6)
        visible_at_end = bool(rows.shape[0]) and rows[-1, 5] > 0.5 and rows[-1, 0] >= window.num_frames - 2
        positions: tuple[tuple[float, float, float], ...] = ()
        if m.frames.size:
            pick = np.unique(np.linspace(0, m.frames.size - 1, min(_POSITIONS, m.frames.size)).round().astype(int))
            positions = tuple((float(m.frames[i]) / window.fps, float(m.centers[i, 0]), float(m.centers[i, 1]))
                              for i in pick)
        out.append(TrackSummary(id=tid, label=traj.label, positions=positions, runs=_runs(m),
                                speed_px_s=m.speed_robust_px_s, visible_at_end=bool(visible_at_end),
                                size_px=m.size_px, attributes=dict(traj.attributes),
                                events=tuple(events.get(tid, ())[:_MAX_EVENTS])))
    return out


class LLMStage:
    """``LLMHook``: ask the client which candidates the command means; refuse answers naming other ids.

    ``decompose`` asks it instead to break a command the parser could not read into descriptors (PARSE-VOS
    query decomposition), so that the rules can judge them; identification tries that first (see
    :func:`rvos_ros.reasoning.identify.identify`).
    """

    _CACHE = 32

    def __init__(self, client: ChatClient, *, min_observed_s: float = 0.5) -> None:
        self.client = client
        self.min_observed_s = min_observed_s
        self._decomposed: dict[str, ParsedQuery | None] = {}

    def decompose(self, text: str) -> ParsedQuery | None:
        """The LLM's decomposition of ``text`` (once per command text): descriptors of the vocabulary only, as
        the schema checks (an answer with one off it is an LLMError, never a partial reading); None when it
        names no category. Raises LLMError when the LLM fails."""
        if text in self._decomposed:
            return self._decomposed[text]
        from rvos_ros.llm.prompts import decomposition_messages
        from rvos_ros.llm.schemas import QueryAnswer

        q = self.client.complete(decomposition_messages(text), QueryAnswer).to_query(text)
        result = q if q.categories else None
        if len(self._decomposed) >= self._CACHE:
            self._decomposed.pop(next(iter(self._decomposed)))
        self._decomposed[text] = result
        return result

    def __call__(self, window: TrajectoryWindow, query: ParsedQuery, rules: RuleResult, reason: str
                 ) -> Decision | None:
        from rvos_ros.llm.prompts import motion_messages
        from rvos_ros.llm.schemas import TargetAnswer

        tracks = summarize_window(window, rules.candidates, self.min_observed_s)
        msgs = motion_messages(query.text, tracks, duration_s=window.num_frames / window.fps,
                               width=window.width, height=window.height, hint=reason)
        if getattr(self.client, "constrains_ids", False):
            # the local model restricts ids while decoding, and names no more targets than the command means
            # (the parser's count, as the rules take it; 0 = all that match: no cap)
            limits = {"targets": query.count} if query.count >= 1 else {}
            answer = self.client.complete(msgs, TargetAnswer, choices={"targets": list(rules.candidates)},
                                          limits=limits)  # type: ignore[call-arg]
        else:
            answer = self.client.complete(msgs, TargetAnswer)
        unknown = sorted(set(answer.targets) - set(rules.candidates))
        if unknown:
            raise LLMError(f"the LLM named ids that are not candidates: {unknown}")
        targets = tuple(dict.fromkeys(answer.targets))
        state = "locked" if targets else "searching"
        rationale = f"LLM ({reason}): {answer.rationale}".strip()
        return Decision(targets=targets, confidence=float(answer.confidence), state=state, stage="llm",
                        rationale=rationale[:400])


def build_llm_hook(config: LLMConfig, min_observed_s: float = 0.5) -> LLMStage | None:
    """The configured LLM stage, or None for ``llm.backend: none`` (the runtime's model registry keeps it)."""
    if config.backend == "none":
        return None
    from rvos_ros.llm.client import build_client

    client = build_client(config)
    return None if client is None else LLMStage(client, min_observed_s=min_observed_s)
