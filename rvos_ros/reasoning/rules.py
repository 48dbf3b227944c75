"""Rule-based target selection (PARSE-VOS coarse reasoning, rules first).

Candidates are the tracks whose label matches one of the query's categories
(``category_matches`` of the query parser; no categories means any track).
Every descriptor is scored per candidate by
:class:`~rvos_ros.reasoning.descriptors.DescriptorScorer`; a candidate's score
mixes the geometric mean of its descriptor scores with their minimum, because
descriptors are ANDed and one clear failure must sink a candidate.

Filters before superlatives: descriptors that compare candidates with each
other (:data:`COMPARATIVE_KINDS`: position, size, speed, extent, onset,
recent) are ranked among the candidates that pass every other descriptor
(:func:`filter_pool`), so "the biggest moving ball" is the biggest of the
moving balls, not a big static ball with a poor motion score.

Count handling: ``count=N ≥ 1`` takes the best N; ``count=0`` takes every
candidate scoring at least :data:`ALL_THRESHOLD` (the best one if none does).
Confidence grows with the chosen set's weakest score and with its margin over
the best rejected candidate; it shrinks for every descriptor the rules could
not judge. The result is ``ambiguous`` when that margin is under
``ReasoningConfig.ambiguity_margin``.

Unread relations: when the command names another object through words no
scorer reads ("the horse orbiting the woman"), the rules add a guess, how
involved each candidate is with that object
(:func:`~rvos_ros.reasoning.descriptors.involvement`: ends near it or closes in
on it), so the provisional answer leans the way most such relations go; the
words stay unjudged, so the decision stays ``ambiguous`` and the LLM is asked.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from rvos_ros.config import ReasoningConfig
from rvos_ros.reasoning.descriptors import (
    APPEARANCE_SOURCE,
    MOTION_KINDS,
    DescriptorScore,
    DescriptorScorer,
    Evidence,
    involvement,
)
from rvos_ros.types import Descriptor, ParsedQuery, TrajectoryWindow
from rvos_ros.vocabulary import comparative_kinds

__all__ = ["ALL_THRESHOLD", "COMPARATIVE_KINDS", "CandidateScore", "RuleResult", "candidate_ids", "combine",
           "filter_pool", "is_comparative", "score_candidates"]

CategoryMatcher = Callable[[str, str], bool]
ALL_THRESHOLD = 0.5
"""Score a candidate needs to be among the targets of an "all"/plural command (count 0)."""
COMPARATIVE_KINDS = comparative_kinds()
"""Descriptor kinds judged relative to the other candidates (position, size, speed, extent, onset, recent); the
rest are filters."""
_UNJUDGED_PENALTY = 0.8
_MARGIN_FOR_FULL_CONFIDENCE = 0.3


@dataclass(frozen=True)
class CandidateScore:
    """A candidate's combined score and the per-descriptor scores it came from."""

    track_id: int
    label: str
    score: float
    parts: tuple[DescriptorScore, ...]


@dataclass(frozen=True)
class RuleResult:
    """The rules' answer; ``ranking`` is best first and ``targets`` the chosen set."""

    candidates: tuple[int, ...]
    ranking: tuple[CandidateScore, ...]
    targets: tuple[int, ...]
    confidence: float
    ambiguous: bool
    insufficient: bool
    """True when motion words cannot be judged yet for a candidate still in view (< min_observed_s)."""
    unjudged: tuple[str, ...]
    """Descriptors (and unknown words) the rules could not judge for any candidate, with the reason."""
    rationale: str
    colour_from_pixels: bool = False
    appearance_used: bool = False
    """True when appearance evidence (CLIP) judged a descriptor for some candidate."""

    @property
    def scores(self) -> dict[int, float]:
        return {c.track_id: c.score for c in self.ranking}


def _default_matcher() -> CategoryMatcher:
    from rvos_ros.reasoning.query_parser import category_matches  # late import: the parser is a sibling stage

    return category_matches


def candidate_ids(window: TrajectoryWindow, query: ParsedQuery, match: CategoryMatcher | None = None) -> list[int]:
    """Ids of the window's tracks whose label matches one of the query's categories (all if none given)."""
    m = match or _default_matcher()
    return [t.id for t in window.tracks if not query.categories or any(m(c, t.label) for c in query.categories)]


def combine(scores: list[float]) -> float:
    """Combined score in [0, 1]: mean of the geometric mean and the minimum (1.0 with nothing to judge)."""
    if not scores:
        return 1.0
    vals = [min(max(s, 0.01), 0.99) for s in scores]
    geo = math.exp(sum(math.log(v) for v in vals) / len(vals))
    return 0.5 * geo + 0.5 * min(vals)


def _select(ranking: list[CandidateScore], count: int) -> tuple[list[CandidateScore], float, float]:
    """(chosen, weakest chosen score, margin over the best rejected one)."""
    if count >= 1:
        chosen = ranking[:count]
        rejected = ranking[count:]
        weakest = chosen[-1].score
        margin = weakest - rejected[0].score if rejected else weakest
        return chosen, weakest, margin
    chosen = [c for c in ranking if c.score >= ALL_THRESHOLD] or ranking[:1]
    rejected = [c for c in ranking if c not in chosen]
    weakest = chosen[-1].score
    # Distance of the decision from the threshold on both sides.
    margin = 2.0 * min(weakest - ALL_THRESHOLD, ALL_THRESHOLD - rejected[0].score if rejected else 1.0)
    return chosen, weakest, margin


def is_comparative(d: Descriptor) -> bool:
    """True for descriptors that rank candidates against each other (superlatives, ordinals, relative size)."""
    return d.kind in COMPARATIVE_KINDS


def filter_pool(filter_scores: Mapping[int, float], count: int) -> list[int]:
    """Candidates that pass the filters (combined score >= 0.5), topped up to ``count`` by the best of the rest.

    With nothing passing, every candidate stays in the pool (the filters cannot decide, the ranking may).
    """
    order = sorted(filter_scores, key=lambda t: (-filter_scores[t], t))
    pool = [t for t in order if filter_scores[t] >= ALL_THRESHOLD]
    if not pool:
        return order
    return pool if len(pool) >= max(count, 1) else order[:max(count, 1)]


def _judge(scorer: DescriptorScorer, descriptors: list[Descriptor], count: int) -> list[dict[int, DescriptorScore]]:
    """Score every descriptor; comparative ones rank among the candidates that pass the others.

    "The rightmost moving car" is the rightmost of the moving cars: the filters
    (moving, colour, direction, relations, ...) choose a pool first and the
    superlative is then evaluated relative to that pool. Candidates outside the
    pool keep their ranking among all candidates (their filter scores sink them).
    """
    results: list[dict[int, DescriptorScore] | None] = [None] * len(descriptors)
    for k, d in enumerate(descriptors):
        if not is_comparative(d):
            results[k] = scorer.score(d)
    filters = [r for r in results if r is not None]
    if len(filters) < len(descriptors) and filters:
        fscore = {t: combine([s if (s := r[t].score) is not None else 0.5 for r in filters]) for t in scorer.cands}
        pool = filter_pool(fscore, count)
        if len(pool) < len(scorer.cands):
            pooled = DescriptorScorer(scorer.ev, pool, scorer.query, scorer.match)
            for k, d in enumerate(descriptors):
                if results[k] is None:
                    results[k] = {**scorer.score(d), **pooled.score(d)}
    return [r if r is not None else scorer.score(d) for r, d in zip(results, descriptors, strict=True)]


def _could_change(ranking: list[CandidateScore], chosen: list[CandidateScore], weakest: float,
                  judged_keys: set[str], ev: Evidence) -> bool:
    """True when a part not judged for lack of trajectory could still change the answer.

    That is the case when a chosen candidate itself lacks evidence, or when a
    rejected candidate still in view would beat the weakest chosen one if its
    unknown parts turned out perfect.
    """
    for c in ranking:
        waiting = {p.key for p in c.parts if p.reason == "insufficient"}
        if not waiting or not ev.alive(c.track_id):
            continue
        if c in chosen:
            return True
        counted = judged_keys | waiting
        optimistic = combine([p.score if p.score is not None else 0.99 for p in c.parts if p.key in counted])
        if optimistic >= weakest:
            return True
    return False


def _rationale(window: TrajectoryWindow, query: ParsedQuery, chosen: list[CandidateScore],
               ranking: list[CandidateScore], unjudged: list[str]) -> str:
    def describe(c: CandidateScore) -> str:
        notes = [p.note for p in c.parts if p.note]
        body = "; ".join(notes) if notes else f"is a {c.label}"
        return f"{c.track_id} ({c.label}) {body} [score {c.score:.2f}]"

    parts = [describe(c) for c in chosen]
    rejected = [c for c in ranking if c not in chosen][:3]
    if rejected:
        parts.append("rejected: " + ", ".join(describe(c) for c in rejected))
    text = "; ".join(parts)
    uses_motion = any(d.kind in MOTION_KINDS for d in (*query.motions, *query.attributes, *query.relations))
    if uses_motion and window.camera is not None:
        text += " (after camera compensation)"
    if unjudged:
        text += "; not judged: " + ", ".join(unjudged)
    return text


def _unread_others(query: ParsedQuery) -> list[str]:
    """Other objects the command names that no descriptor read ("the horse orbiting the woman": woman)."""
    return [c for c in query.context if c in query.unknown_words and c not in query.categories]


def score_candidates(
    window: TrajectoryWindow,
    query: ParsedQuery,
    config: ReasoningConfig,
    *,
    colours: Mapping[int, Mapping[str, float]] | None = None,
    appearance: Mapping[int, Mapping[str, float]] | None = None,
    match: CategoryMatcher | None = None,
) -> RuleResult:
    """Score every candidate of ``window`` against ``query`` and choose the targets.

    ``colours`` are pixel colour probabilities per track (from
    :func:`rvos_ros.reasoning.verify.candidate_colours`), used for tracks without
    a ``color`` attribute. ``appearance`` is appearance evidence per track
    (from :func:`rvos_ros.reasoning.clip_verifier.appearance_evidence`), used for
    descriptors the rules cannot judge. ``match`` overrides the parser's ``category_matches``.
    """
    cands = candidate_ids(window, query, match)
    if not cands:
        what = " or ".join(query.categories) or "object"
        return RuleResult((), (), (), 0.0, False, False, (), f"no {what} in view yet")
    ev = Evidence(window, config, colours, appearance)
    scorer = DescriptorScorer(ev, cands, query, match or _default_matcher())
    descriptors = list(query.motions) + list(query.attributes) + list(query.relations)
    results = _judge(scorer, descriptors, query.count)
    per_cand: dict[int, list[DescriptorScore]] = {t: [] for t in cands}
    unjudged: list[str] = []
    used_pixels = False
    for d, res in zip(descriptors, results, strict=True):
        judged = [s for s in res.values() if s.score is not None]
        if not judged:
            reasons = sorted({s.reason for s in res.values()})
            unjudged.append(f"{res[cands[0]].key} ({', '.join(reasons)})")
        if d.kind == "color" and any(s.score is not None and not window.track(t).attributes.get("color")
                                     for t, s in res.items()):
            used_pixels = True
        for t, s in res.items():
            per_cand[t].append(s)
    if not query.understood and query.unknown_words:
        unjudged.append("unknown words: " + " ".join(query.unknown_words))
    for ref in _unread_others(query):  # a guess orders the provisional answer; the words stay unjudged
        for t, (value, note, reason) in involvement(scorer.ctx, ref).items():
            per_cand[t].append(DescriptorScore(f"guess:involved({ref})", value, note, reason))
    judged_keys = {s.key for parts in per_cand.values() for s in parts if s.score is not None}
    ranking = []
    for t in cands:
        # A descriptor judged for some candidates but not this one counts as a coin flip (0.5).
        vals = [s.score if s.score is not None else 0.5 for s in per_cand[t] if s.key in judged_keys]
        ranking.append(CandidateScore(t, window.track(t).label, combine(vals), tuple(per_cand[t])))
    ranking.sort(key=lambda c: (-c.score, c.track_id))
    chosen, weakest, margin = _select(ranking, query.count)
    insufficient = _could_change(ranking, chosen, weakest, judged_keys, ev)
    competing = len(ranking) > len(chosen)
    confidence = math.sqrt(max(weakest, 0.0))
    if competing:
        confidence *= min(1.0, max(margin, 0.0) / _MARGIN_FOR_FULL_CONFIDENCE)
    if query.count > len(chosen):
        confidence *= len(chosen) / query.count
    confidence *= _UNJUDGED_PENALTY ** len(unjudged)
    ambiguous = competing and margin < config.ambiguity_margin
    return RuleResult(
        candidates=tuple(cands),
        ranking=tuple(ranking),
        targets=tuple(sorted(c.track_id for c in chosen)),
        confidence=float(min(max(confidence, 0.0), 1.0)),
        ambiguous=bool(ambiguous),
        insufficient=insufficient,
        unjudged=tuple(unjudged),
        rationale=_rationale(window, query, chosen, ranking, unjudged),
        colour_from_pixels=used_pixels,
        appearance_used=any(s.source == APPEARANCE_SOURCE for parts in per_cand.values() for s in parts),
    )
