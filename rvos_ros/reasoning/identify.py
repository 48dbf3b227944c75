"""Hierarchical target identification: rules → fine verification → (LLM hook), one shot or online.

:func:`identify` answers one trajectory window (``rvos-ros reason``).
:class:`TargetIdentifier` holds the per-command state of the online loop:
``searching → reasoning → locked`` (or ``ambiguous``; ``lost`` when a locked
target has been unseen for more than ``lost_after_s``), with hysteresis so a
locked target switches only after a different locked answer wins
``switch_patience`` consecutive updates.

The LLM stage is a hook: :func:`needs_llm` says why the rules need help (or
None) and an optional ``llm`` callable ``(window, query, rule_result, reason)
-> Decision | None`` answers; None (the default) keeps the rules' answer.

Fine verification re-scores the candidates still close to the best one on a
few keyframes: colour words from pixels (:mod:`rvos_ros.reasoning.verify`),
then, with an optional appearance ``verifier`` (a
:class:`~rvos_ros.reasoning.clip_verifier.ClipVerifier`, or anything with its
``score``), the posture and appearance phrases the rules cannot judge
(:func:`~rvos_ros.reasoning.clip_verifier.verify_appearance`). Without a
verifier (``verifier.backend: pixels``) only colours are verified.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

from rvos_ros.config import ReasoningConfig
from rvos_ros.errors import ModelError
from rvos_ros.reasoning.clip_verifier import VERIFY_BAND, AppearanceVerifier, verify_appearance
from rvos_ros.reasoning.descriptors import plain_words
from rvos_ros.reasoning.rules import CategoryMatcher, RuleResult, score_candidates
from rvos_ros.reasoning.verify import candidate_colours
from rvos_ros.types import Decision, ParsedQuery, TrajectoryWindow

__all__ = ["LLMHook", "TargetIdentifier", "identify", "needs_llm", "unseen_s"]

LLMHook = Callable[[TrajectoryWindow, ParsedQuery, RuleResult, str], "Decision | None"]
_VERIFY_KEYFRAMES = 3


def needs_llm(query: ParsedQuery, rule_result: RuleResult) -> str | None:
    """Why the rules' answer should go to the LLM stage, or None when the rules suffice."""
    if query.needs_knowledge:
        return "the command needs world knowledge"
    if not query.understood and query.unknown_words:
        return "words the rules do not know: " + " ".join(query.unknown_words)
    if rule_result.unjudged:
        return "descriptors the rules cannot judge: " + ", ".join(rule_result.unjudged)
    if rule_result.ambiguous:
        return "the rules cannot separate the best candidates"
    return None


def _pixel_colours(window: TrajectoryWindow, query: ParsedQuery, first: RuleResult) -> dict[int, dict[str, float]]:
    """Pixel colour probabilities of the remaining candidates without a colour attribute ({} if none needed)."""
    if not any(d.kind == "color" for d in query.attributes) or not window.keyframes or not first.ranking:
        return {}
    best = first.ranking[0].score
    remaining = [c.track_id for c in first.ranking
                 if c.score >= best - VERIFY_BAND and not window.track(c.track_id).attributes.get("color")]
    return candidate_colours(window, remaining, _VERIFY_KEYFRAMES) if remaining else {}


def _verify(window: TrajectoryWindow, query: ParsedQuery, config: ReasoningConfig, first: RuleResult,
            match: CategoryMatcher | None, verifier: AppearanceVerifier | None) -> tuple[RuleResult | None, str]:
    """Fine verification: (re-scored result or None when nothing was verified, a note on a verifier failure)."""
    colours = _pixel_colours(window, query, first)
    verified = None
    if colours:
        coloured = score_candidates(window, query, config, colours=colours, match=match)
        verified = coloured if coloured.colour_from_pixels else None
    if verifier is None:
        return verified, ""
    try:
        looked = verify_appearance(verifier, window, query, config, verified or first, match=match, colours=colours)
    except ModelError as err:  # a failing verifier must not stop reasoning: the answer so far stands
        return verified, f"; appearance verification failed ({err})"
    return looked or verified, ""


def _state(result: RuleResult, config: ReasoningConfig) -> str:
    if not result.candidates:
        return "searching"
    if result.insufficient:
        return "reasoning"
    if result.ambiguous or result.unjudged:
        # Honest understanding: the rules never lock while part of the command went unjudged (unknown words,
        # descriptors they cannot score); the best guess is still published, provisional, and the LLM is asked.
        return "ambiguous"
    return "locked" if result.confidence >= config.lock_confidence else "reasoning"


UNJUDGED_CONFIDENCE_CAP = 0.5
"""The highest confidence the rules report while part of the command is unjudged (below any sensible lock)."""


def identify(
    window: TrajectoryWindow,
    query: ParsedQuery,
    config: ReasoningConfig,
    *,
    llm: LLMHook | None = None,
    match: CategoryMatcher | None = None,
    verifier: AppearanceVerifier | None = None,
    frame_index: int | None = None,
    generation: int = 0,
) -> Decision:
    """Decide which tracks of ``window`` the command means (one shot, no hysteresis).

    ``frame_index`` defaults to the stream index of the window's last frame.
    In ``reasoning`` and ``ambiguous`` states the targets are the rules' best
    guess so far. ``verifier`` adds appearance verification (see the module docstring).
    """
    if frame_index is None:
        frame_index = int(window.first_frame) + int(window.num_frames) - 1
    result = score_candidates(window, query, config, match=match)
    stage = "rules"
    verified, failure = _verify(window, query, config, result, match, verifier)
    if verified is not None:
        result, stage = verified, "verify"
    state = _state(result, config)
    confidence = min(result.confidence, UNJUDGED_CONFIDENCE_CAP) if result.unjudged else result.confidence
    prefix = "not locked, part of the command is unjudged: " if result.unjudged and not result.insufficient else ""
    decision = Decision(targets=result.targets, confidence=confidence, state=state, stage=stage,
                        candidates=result.candidates, rationale=prefix + result.rationale + failure,
                        frame_index=frame_index, generation=generation)
    reason = needs_llm(query, result)
    if llm is None or reason is None or not result.candidates:
        return decision
    decomposed = _decomposed(window, query, config, llm, match, verifier, frame_index, generation)
    if decomposed is not None:
        return decomposed
    try:
        answer = llm(window, query, result, reason)
    except Exception as err:  # noqa: BLE001 - any LLM failure falls back to the rules' answer
        return dataclasses.replace(decision, stage="fallback",
                                   rationale=f"LLM failed ({err}); rules answered: {decision.rationale}")
    if answer is None:
        return decision
    unknown = sorted(set(answer.targets) - set(result.candidates))
    if unknown:  # a hook that did not check its ids: refuse the whole answer, as LLMStage does
        return dataclasses.replace(decision, stage="fallback", rationale=(
            f"LLM failed (it named ids that are not candidates: {unknown}); rules answered: {decision.rationale}"))
    targets = tuple(dict.fromkeys(answer.targets))
    state = "locked" if targets and answer.confidence >= config.lock_confidence else "reasoning"
    return dataclasses.replace(answer, targets=targets, state=state, stage="llm", candidates=result.candidates,
                               frame_index=frame_index, generation=generation)


def _decomposed(window: TrajectoryWindow, query: ParsedQuery, config: ReasoningConfig, llm: LLMHook,
                match: CategoryMatcher | None, verifier: AppearanceVerifier | None, frame_index: int,
                generation: int) -> Decision | None:
    """When the parser could not read the whole command and the LLM stage can decompose it, the rules judge
    the LLM's decomposition, with the same fine verification as the parser's reading (colours from pixels,
    appearance); their answer stands when it leaves nothing unjudged and is not ambiguous. A command that
    needs world knowledge goes straight to the target question: no descriptor judges knowledge."""
    decompose = getattr(llm, "decompose", None)
    if decompose is None or query.understood or query.needs_knowledge:
        return None
    try:
        parsed = decompose(query.text)
    except Exception:  # noqa: BLE001 - the target question comes next and reports a failure
        return None
    if parsed is None:
        return None
    result = score_candidates(window, parsed, config, match=match)
    verified, _ = _verify(window, parsed, config, result, match, verifier)
    result = verified or result
    if not result.candidates or result.unjudged or result.ambiguous or result.insufficient:
        return None
    words = ", ".join(plain_words(d) for d in (*parsed.motions, *parsed.attributes, *parsed.relations)) or "-"
    return Decision(targets=result.targets, confidence=result.confidence, state=_state(result, config),
                    stage="llm", candidates=result.candidates, frame_index=frame_index, generation=generation,
                    rationale=f"LLM read the command as {'/'.join(parsed.categories)}: {words}; rules: "
                              f"{result.rationale}"[:400])


def unseen_s(window: TrajectoryWindow, track_id: int) -> float:
    """Seconds from the track's last visible frame to the window's last frame (inf when absent/never visible)."""
    try:
        rows = np.asarray(window.track(track_id).boxes).reshape(-1, 6)
    except KeyError:
        return float("inf")
    vis = rows[rows[:, 5] > 0.5]
    if vis.shape[0] == 0:
        return float("inf")
    return max(0.0, (window.num_frames - 1 - float(vis[-1, 0])) / window.fps)


class TargetIdentifier:
    """Online target identification for one command at a time (state owned by the runtime)."""

    def __init__(self, config: ReasoningConfig, *, llm: LLMHook | None = None,
                 match: CategoryMatcher | None = None, verifier: AppearanceVerifier | None = None) -> None:
        self.config = config
        self.llm = llm
        self.match = match
        self.verifier = verifier
        self.reset()

    def reset(self) -> None:
        """Forget the command and every decision."""
        self._query: ParsedQuery | None = None
        self._generation = 0
        self._decision = Decision()
        self._locked: tuple[int, ...] = ()
        self._challenger: tuple[int, ...] = ()
        self._wins = 0

    @property
    def decision(self) -> Decision:
        """The current decision (``no_command`` before any query)."""
        return self._decision

    def set_query(self, query: ParsedQuery | None, generation: int) -> None:
        """Start a new command (``None`` clears it); the state becomes ``searching``."""
        self.reset()
        self._query = query
        self._generation = generation
        if query is not None:
            self._decision = Decision(state="searching", generation=generation, rationale="new command")

    def accept(self, window: TrajectoryWindow, fresh: Decision) -> Decision:
        """Fold a one-shot decision on ``window`` (from :func:`identify`, perhaps computed in another thread)
        into the online state: lock, hysteresis, lost. A decision for another generation is ignored."""
        if self._query is None or fresh.generation != self._generation:
            return self._decision
        if not self._locked:
            if fresh.state == "locked":
                self._locked = fresh.targets
            self._decision = fresh
            return fresh
        self._decision = self._hysteresis(window, fresh)
        return self._decision

    def _hysteresis(self, window: TrajectoryWindow, fresh: Decision) -> Decision:
        lost = all(unseen_s(window, t) > self.config.lost_after_s for t in self._locked)
        if fresh.state == "locked" and fresh.targets != self._locked:
            self._wins = self._wins + 1 if fresh.targets == self._challenger else 1
            self._challenger = fresh.targets
            if self._wins >= self.config.switch_patience:
                self._locked, self._challenger, self._wins = fresh.targets, (), 0
                return fresh
            note = (f"keeping {list(self._locked)}: {list(fresh.targets)} has won "
                    f"{self._wins}/{self.config.switch_patience} passes")
        else:
            self._challenger, self._wins = (), 0
            note = ""
        same = fresh.targets == self._locked
        prev = self._decision
        state = "lost" if lost else "locked"
        rationale = fresh.rationale if same else f"{note or f'keeping {list(self._locked)}'}; {fresh.rationale}"
        if lost:
            unseen = f"target {list(self._locked)} unseen for more than {self.config.lost_after_s:.1f} s"
            rationale = f"{unseen}; {rationale}"
        return dataclasses.replace(
            fresh, targets=self._locked, state=state,
            confidence=fresh.confidence if same else prev.confidence,
            stage=fresh.stage if same else prev.stage, rationale=rationale,
        )
