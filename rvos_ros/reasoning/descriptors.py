"""Descriptor scorers: each ParsedQuery descriptor becomes a soft score in [0, 1] per candidate.

Scores are logistics of margins in natural units (box diagonals, normalized
image coordinates, seconds); superlatives and ordinals compare the candidates
with each other (:func:`rank_scores`). The temporal/comparative motion kinds
(``moving`` with a phase, ``onset``, ``extent``, ``heading``) live in
:mod:`rvos_ros.reasoning.temporal`. A descriptor that cannot be judged
gets ``score=None`` with a ``reason``: "insufficient" (too little trajectory),
"no_context" (the entity it refers to is not tracked), "no_pixels" (no colour
observation) or "unsupported" (posture: for CLIP or the LLM; or off the
vocabulary). Each scorer gets only descriptors that fit their kind in
:data:`rvos_ros.vocabulary.KINDS` (:meth:`DescriptorScorer.score` checks), so
none re-checks its values.
Appearance evidence (CLIP scores from :mod:`rvos_ros.reasoning.clip_verifier`,
keyed by :func:`appearance_key`) fills in a descriptor the rules could not
judge for a candidate from pixels-free reasons ("no_pixels", "unsupported",
posture); it never overrides a rule's own judgement.
Combination, selection and confidence live in :mod:`rvos_ros.reasoning.rules`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from rvos_ros.reasoning import motion as mo
from rvos_ros.reasoning.evidence import (
    APPEARANCE_SOURCE,
    CategoryMatcher,
    DescriptorScore,
    Evidence,
    RawScores,
    Scorer,
    ScoringContext,
    appearance_key,
)
from rvos_ros.reasoning.occlusion import hidden_runs
from rvos_ros.reasoning.ranking import rank_scores, soft
from rvos_ros.reasoning.temporal import PHASES, TEMPORAL_SCORERS, moving_phase
from rvos_ros.reasoning.verify import colour_match
from rvos_ros.types import Descriptor, ParsedQuery
from rvos_ros.vocabulary import KINDS, judged_kinds, motion_kinds, problem

__all__ = [
    "APPEARANCE_SOURCE", "JUDGED_KINDS", "MOTION_KINDS", "SCORED_KINDS", "TRAJECTORY_REASONS", "DescriptorScore",
    "DescriptorScorer", "Evidence", "appearance_key", "descriptor_key", "involvement", "plain_words",
    "rank_scores", "soft",
]

MOTION_KINDS = motion_kinds()
"""Kinds judged from trajectories alone (:data:`rvos_ros.vocabulary.KINDS` marks them)."""
TRAJECTORY_REASONS = frozenset({"insufficient", "no_context"})
"""Reasons a look at pixels cannot fix: too little trajectory, or the entity referred to is not tracked."""
_RELATED_COLOURS = {frozenset(p) for p in (("red", "orange"), ("red", "pink"), ("orange", "yellow"),
                                            ("orange", "brown"), ("pink", "purple"), ("blue", "purple"),
                                            ("gray", "white"), ("gray", "black"), ("brown", "black"))}


def _phrase(d: Descriptor) -> str:
    return d.value.replace("_", " ") or d.kind


def plain_words(d: Descriptor) -> str:
    """What a descriptor checks, in plain words ("moving left", "hidden by car") for rationales."""
    kind = KINDS.get(d.kind)
    return kind.words(d) if kind else descriptor_key(d)


def descriptor_key(d: Descriptor) -> str:
    core = f"{d.kind}:{d.value}" if d.value else d.kind
    if d.ref:
        core += f"({d.ref})"
    return ("not " if d.negated else "") + core


def _moving(ctx: ScoringContext, d: Descriptor) -> RawScores:
    if d.value in PHASES:
        return moving_phase(ctx, d)

    def f(m: mo.TrackMotion) -> tuple[float, str]:
        s = ctx.moving_score(m)
        if m.moved:
            return s, f"moves {m.path_length_px:.0f} px in {m.moving_s:.1f} s"
        return s, f"static over {m.observed_s:.1f} s"
    return ctx.motions(f)

def _direction(ctx: ScoringContext, d: Descriptor) -> RawScores:
    def f(m: mo.TrackMotion) -> tuple[float, str]:
        travel = m.travel_px()
        # distance that way against the track's own significance threshold (slow movers count)
        amount = travel[d.value] / max(m.run_px, 1.0)
        dominance = travel[d.value] / max(sum(travel.values()), 1e-6)
        s = soft(amount - 1.5, 0.3) * soft(dominance - 0.35, 0.1)
        if not m.moved:
            return s, f"static over {m.observed_s:.1f} s"
        return s, f"moves {d.value} {travel[d.value]:.0f} px in {m.moving_s:.1f} s ({dominance:.0%} of its motion)"
    return ctx.motions(f)

def _depth(ctx: ScoringContext, d: Descriptor) -> RawScores:
    sign = {"closer": 1.0, "farther": -1.0}[d.value]

    def f(m: mo.TrackMotion) -> tuple[float, str]:
        lr = mo.size_change(m) or 0.0
        return soft(sign * lr - 0.15, 0.07), f"size changes {math.exp(lr) - 1:+.0%}"
    return ctx.motions(f)

def _speed(ctx: ScoringContext, d: Descriptor) -> RawScores:
    ok = [t for t in ctx.cands if ctx.ev.motion[t].enough]
    base = ctx.motions(lambda m: (0.5, ""))
    if not ok:
        return base
    px = {t: ctx.ev.motion[t].speed_robust_px_s for t in ok}
    rel = {t: ctx.ev.motion[t].speed_robust_diag_s for t in ok}
    moving = {t: ctx.moving_score(ctx.ev.motion[t]) for t in ok}
    scale = 0.1 * max(px.values()) + 3.0
    top = max(ctx.query.count, 1)
    fastest = rank_scores(px, 1, top, scale) if len(ok) > 1 else dict.fromkeys(ok, 1.0)
    # "The slowest" is the slowest of those that move; static ones only when nothing moves.
    movers = [t for t in ok if ctx.ev.motion[t].moved] or ok
    slow_rank = rank_scores({t: -px[t] for t in movers}, 1, top, scale) if len(movers) > 1 else {}
    slowest = {t: slow_rank.get(t, 1.0 if t in movers else 0.15) for t in ok}
    for t in ok:
        if d.value == "fastest":
            s = fastest[t] * moving[t]
        elif d.value == "slowest":
            s = slowest[t] * (0.3 + 0.7 * moving[t])
        elif d.value == "fast":
            s = moving[t] * (0.5 * soft(rel[t] - 0.8, 0.25) + 0.5 * fastest[t])
        else:  # slow
            s = moving[t] * (0.5 * soft(0.8 - rel[t], 0.25) + 0.5 * slowest[t])
        base[t] = (s, f"speed {px[t]:.0f} px/s ({rel[t]:.2f} diagonals/s) while moving", "")
    return base

def _stops(ctx: ScoringContext, d: Descriptor) -> RawScores:
    def f(m: mo.TrackMotion) -> tuple[float, str]:
        dur, at_end = mo.stop_after_motion_s(m) or (0.0, False)
        s = soft(dur - 0.5, 0.2) * (1.0 if at_end else 0.8)
        return s, (f"moves then stops for {dur:.1f} s" if dur > 0 else "never stops after moving")
    return ctx.motions(f)

def _starts(ctx: ScoringContext, d: Descriptor) -> RawScores:
    def f(m: mo.TrackMotion) -> tuple[float, str]:
        dur = mo.start_after_still_s(m) or 0.0
        return soft(dur - 0.5, 0.2), (f"still {dur:.1f} s, then moves" if dur > 0 else "does not start late")
    return ctx.motions(f)

def _turns_back(ctx: ScoringContext, d: Descriptor) -> RawScores:
    def f(m: mo.TrackMotion) -> tuple[float, str]:
        leg, axis = mo.turn_back_px(m) or (0.0, "")
        # the return leg may be short and slow: it counts once it is well above the track's own noise
        s = soft(leg / max(m.run_px, 1.0) - 1.5, 0.3)
        return s, (f"reverses along {axis} after {leg:.0f} px" if leg > 0 else "does not reverse")
    return ctx.motions(f)

def _against_others(ctx: ScoringContext, ref: str,
                    judge: Callable[[mo.TrackMotion, int], tuple[float, str] | None]) -> RawScores:
    """Each candidate's best score against the objects ``ref`` names ("": any other object) by ``judge(motion,
    other id)``, which answers None when the two were not seen together long enough."""
    out: RawScores = {}
    for tid in ctx.cands:
        m = ctx.ev.motion[tid]
        others = ctx.context(ref, tid)
        if not others:
            out[tid] = (None, f"no {ref or 'other object'} in view", "no_context")
            continue
        if not m.enough:
            out[tid] = (None, f"seen {m.observed_s:.1f} s only", "insufficient")
            continue
        judged = [j for o in others if (j := judge(m, o)) is not None]
        best = max(judged, key=lambda j: j[0], default=None)
        out[tid] = (*best, "") if best else (None, "never seen together long enough", "insufficient")
    return out

def _relation_motion(ctx: ScoringContext, d: Descriptor, sign: float, by_other: bool = False) -> RawScores:
    """The candidate moves towards (``sign`` 1) or away from (-1) the reference by its own motion; with
    ``by_other`` the reference is the one that moves towards the candidate ("approached by")."""
    verb = "approaches" if sign > 0 else "moves away from"

    def judge(m: mo.TrackMotion, o: int) -> tuple[float, str] | None:
        a = mo.approach_stats(ctx.ev.motion[o], m) if by_other else mo.approach_stats(m, ctx.ev.motion[o])
        if a is None:
            return None
        own = sign * a.own_px / max(a.scale_px, 1.0)
        shrink = sign * (a.start_px - a.end_px) / max(a.scale_px, 1.0)
        who = f"{o} {verb} it" if by_other else f"{verb} {o}"
        return (soft(0.7 * own + 0.3 * shrink - 0.5, 0.25),
                f"{who} by {sign * a.own_px:.0f} px (distance {a.start_px:.0f} → {a.end_px:.0f} px)")
    return _against_others(ctx, d.ref, judge)

def _approaches(ctx: ScoringContext, d: Descriptor) -> RawScores:
    return _relation_motion(ctx, d, 1.0)

def _approached_by(ctx: ScoringContext, d: Descriptor) -> RawScores:
    """The reference moves towards the candidate (by its own motion): "the cat being approached by the dog"."""
    return _relation_motion(ctx, d, 1.0, by_other=True)

def _leaves(ctx: ScoringContext, d: Descriptor) -> RawScores:
    return _relation_motion(ctx, d, -1.0)

def _lead_relation(ctx: ScoringContext, d: Descriptor, kind: str) -> RawScores:
    """Relations read from who is ahead along the heading: ``passes`` (behind the reference, then ahead of it:
    overtaking a mover or going past a still object), ``passed_by`` (the reference passes the candidate),
    ``follows`` (moving the same way, behind the reference most of the time), ``followed_by``."""
    active = kind in ("passes", "follows")

    def judge(m: mo.TrackMotion, o: int) -> tuple[float, str]:
        mover, ref = (m, ctx.ev.motion[o]) if active else (ctx.ev.motion[o], m)
        lead = mo.lead_stats(mover, ref)
        if lead is None:
            s, note = 0.05, f"does not move with {o}" if active else f"{o} does not move"
        elif kind in ("passes", "passed_by"):
            gain = (lead.end_px - lead.start_px) / max(lead.scale_px, 1.0)
            s = soft(gain - 1.0, 0.4) * soft(-lead.start_px / max(lead.scale_px, 1.0), 0.3) \
                * soft(lead.end_px / max(lead.scale_px, 1.0), 0.3)
            note = f"{'it' if active else o} goes from {lead.start_px:+.0f} to {lead.end_px:+.0f} px ahead"
        else:
            s = soft(lead.cos_heading - 0.6, 0.1) * soft(lead.behind_share - 0.7, 0.1) \
                * soft(4.0 - lead.gap_sizes, 0.7)
            note = (f"{'behind' if active else 'ahead of'} {o} {lead.behind_share:.0%} of the time, "
                    f"{lead.gap_sizes:.1f} sizes apart, headings cos {lead.cos_heading:+.2f}")
        return s * ctx.moving_score(mover), note
    return _against_others(ctx, d.ref, judge)

def involvement(ctx: ScoringContext, ref: str) -> RawScores:
    """A guess, not a reading: how involved each candidate is with the ``ref`` objects, for a command that names
    another object through words no scorer reads ("the horse orbiting the woman", "the cow the dog goes up to").
    Most relations a referring expression puts between two objects keep them close or bring them together
    (meet, greet, follow, chase, circle, play with), so the guess favours a candidate that ends near the other
    object, or closes in on it, by either one's motion. The rules never lock on it: the words stay unjudged."""

    def judge(m: mo.TrackMotion, o: int) -> tuple[float, str] | None:
        gaps = mo.gap_sizes(m, ctx.ev.motion[o])
        if gaps is None:
            return None
        q = max(2, gaps[1].size // 5)
        start, end = float(np.median(gaps[1][:q])), float(np.median(gaps[1][-q:]))
        margin = (2.0 - end) + 0.5 * min(max(start - end, -2.0), 2.0)
        return soft(margin, 0.6), f"guessed involved with {o} (gap {start:.1f} → {end:.1f} sizes)"
    return _against_others(ctx, ref, judge)

def _together(ctx: ScoringContext, d: Descriptor) -> RawScores:
    """Together: another candidate heads the same way at a similar speed, close by (within about a box size on
    average over the frames both are seen); or, for a track that stays put, another one staying put right
    beside it (within 1.5 box sizes: "standing side by side")."""
    def f(m: mo.TrackMotion) -> tuple[float, str]:
        best, note = 0.05, "nothing moves with it"
        for o in ctx.cands:
            n = ctx.ev.motion[o]
            if o == m.track_id:
                continue
            if not m.moved:
                gap = mo.mean_gap_sizes(m, n)
                s = 0.0 if gap is None or n.moved else soft(1.5 - gap, 0.3) * (1.0 - ctx.moving_score(m))
                if s > best:
                    best, note = s, f"stays put beside {o} ({gap:.1f} sizes apart)"
                continue
            lead = mo.lead_stats(m, n)
            if lead is None:
                continue
            ratio = m.speed_robust_px_s / max(n.speed_robust_px_s, 1e-6)
            s = soft(lead.cos_heading - 0.8, 0.07) * soft(0.5 - abs(np.log(max(ratio, 1e-6))), 0.15) \
                * soft(1.2 - lead.gap_sizes, 0.2) * ctx.moving_score(m)
            if s > best:
                best = s
                note = f"moves with {o} (headings cos {lead.cos_heading:+.2f}, {lead.gap_sizes:.1f} sizes apart)"
        return best, note
    return ctx.motions(f)

def _passes(ctx: ScoringContext, d: Descriptor) -> RawScores:
    return _lead_relation(ctx, d, "passes")

def _passed_by(ctx: ScoringContext, d: Descriptor) -> RawScores:
    return _lead_relation(ctx, d, "passed_by")

def _follows(ctx: ScoringContext, d: Descriptor) -> RawScores:
    return _lead_relation(ctx, d, "follows")

def _followed_by(ctx: ScoringContext, d: Descriptor) -> RawScores:
    return _lead_relation(ctx, d, "followed_by")

def _occlusion(ctx: ScoringContext, d: Descriptor, as_occluded: bool) -> RawScores:
    out: RawScores = {}
    for tid in ctx.cands:
        best, note = 0.1, "no occlusion involving it"
        for e in ctx.ev.occlusions:
            me, other = (e.occluded, e.occluder) if as_occluded else (e.occluder, e.occluded)
            if me != tid or (d.ref and not ctx.match(d.ref, ctx.ev.labels.get(other, ""))):
                continue
            s = 0.9 if e.full else 0.5 + 0.4 * min(1.0, 2.0 * e.fraction)
            if s > best:
                verb = "hidden by" if as_occluded else "hides"
                best, note = s, f"{verb} {other} (frames {e.start}-{e.end}, {'full' if e.full else 'partial'})"
        if best <= 0.1 and as_occluded and d.ref and not ctx.context(d.ref, tid):
            rows = np.asarray(ctx.ev.window.track(tid).boxes).reshape(-1, 6)
            vis = np.zeros(ctx.ev.window.num_frames, bool)
            seen = np.zeros_like(vis)
            f = rows[:, 0].astype(int)
            seen[f], vis[f] = True, rows[:, 5] > 0.5
            if hidden_runs(vis, seen):
                best, note = 0.6, f"disappears for a while ({d.ref} is not tracked)"
        out[tid] = (best, note, "")
    return out

def _occluded(ctx: ScoringContext, d: Descriptor) -> RawScores:
    return _occlusion(ctx, d, True)

def _occludes(ctx: ScoringContext, d: Descriptor) -> RawScores:
    return _occlusion(ctx, d, False)

def _either(ctx: ScoringContext, d: Descriptor, readings: tuple[str, ...]) -> RawScores:
    """The best of several readings of one phrase, per candidate ("behind the man": following him, or hidden by
    him); a reading that cannot be judged for a candidate leaves the others to decide."""
    scored = [(k, SCORERS[k](ctx, Descriptor(k, "", d.ref))) for k in readings]
    out: RawScores = {}
    for tid in ctx.cands:
        judged = [(raw[tid], k) for k, raw in scored if raw[tid][0] is not None]
        if not judged:
            out[tid] = scored[0][1][tid]
            continue
        (s, note, reason), k = max(judged, key=lambda j: j[0][0] or 0.0)
        out[tid] = (s, f"{KINDS[k].words(Descriptor(k, '', d.ref))}: {note}", reason)
    return out

def _behind(ctx: ScoringContext, d: Descriptor) -> RawScores:
    return _either(ctx, d, ("follows", "occluded"))

def _in_front_of(ctx: ScoringContext, d: Descriptor) -> RawScores:
    return _either(ctx, d, ("followed_by", "occludes"))

def _enters(ctx: ScoringContext, d: Descriptor) -> RawScores:
    w = ctx.ev.window
    out: RawScores = {}
    for tid in ctx.cands:
        v = mo.view_change(w.track(tid), w.width, w.height, w.num_frames, w.fps)
        # Coming in at the border is entering; appearing mid-image may be a late detection or an emergence.
        if v.appeared_at_border:
            out[tid] = (0.9, "enters the view at the border", "")
        elif v.entering:
            out[tid] = (0.8, "is coming in at the border as the window starts", "")
        else:
            out[tid] = (0.6, "appears mid-image", "") if v.appeared else (0.1, "in view from the start", "")
    return out

def _exits(ctx: ScoringContext, d: Descriptor) -> RawScores:
    w = ctx.ev.window
    out: RawScores = {}
    for tid in ctx.cands:
        v = mo.view_change(w.track(tid), w.width, w.height, w.num_frames, w.fps)
        if v.exited:
            out[tid] = (0.9, "leaves the view at the border", "")
        elif v.leaving:
            out[tid] = (0.8, "is going out at the border as the window ends", "")
        else:
            out[tid] = (0.1, "does not leave the view", "")
    return out

def _recent(ctx: ScoringContext, d: Descriptor) -> RawScores:
    base = ctx.motions(lambda m: (0.5, ""))
    since = {t: mo.seconds_since_motion(ctx.ev.motion[t], ctx.ev.window.num_frames) for t in ctx.cands}
    moved = {t: -s for t, s in since.items() if s is not None and math.isfinite(s)}
    ranks = rank_scores(moved, 1, 1, 0.4) if len(moved) > 1 else dict.fromkeys(moved, 0.9)
    for t, s in since.items():
        if s is None:
            continue
        base[t] = (ranks[t], f"last moved {s:.1f} s ago", "") if t in moved else (0.05, "never moved", "")
    return base

def _color(ctx: ScoringContext, d: Descriptor) -> RawScores:
    out: RawScores = {}
    for tid in ctx.cands:
        attr = ctx.ev.window.track(tid).attributes.get("color")
        if attr:
            same = attr == d.value
            s = 0.95 if same else 0.35 if frozenset((attr, d.value)) in _RELATED_COLOURS else 0.05
            out[tid] = (s, f"is {attr}", "")
        elif tid in ctx.ev.colours:
            probs = ctx.ev.colours[tid]
            top = max(probs, key=lambda c: probs[c])
            out[tid] = (colour_match(probs, d.value), f"looks {top} (p({d.value})={probs.get(d.value, 0):.2f})",
                        "")
        else:
            out[tid] = (None, "colour not observed", "no_pixels")
    return out

def _size(ctx: ScoringContext, d: Descriptor) -> RawScores:
    area = {t: a for t in ctx.cands if (a := ctx.ev.size[t]) is not None}
    la = {t: math.log(max(a, 1e-6)) for t, a in area.items()}
    sign = 1.0 if d.value in ("biggest", "big") else -1.0
    out: dict = {t: (None, "never seen", "insufficient") for t in ctx.cands}
    vals = {t: sign * v for t, v in la.items()}
    for t, a in area.items():
        if d.value in ("biggest", "smallest") and len(vals) > 1:
            s = rank_scores(vals, 1, max(ctx.query.count, 1), 0.12)[t]
        elif len(vals) > 1:
            s = soft(vals[t] - float(np.median([v for o, v in vals.items() if o != t])), 0.2)
        else:
            s = soft(sign * (a - 0.03), 0.015)
        out[t] = (s, f"covers {a:.1%} of the image at full view", "")
    return out

def _position(ctx: ScoringContext, d: Descriptor) -> RawScores:
    """Where a track is in the image now (or at the window's start for ``<value>@start``): a superlative among
    the candidates ("the dog on the left"), or an absolute half for a plural."""
    value, _, when = d.value.partition("@")
    positions = ctx.ev.position_at_start if when == "start" else ctx.ev.position
    value_of = {
        "leftmost": lambda p: -p.x, "rightmost": lambda p: p.x, "top": lambda p: -p.y,
        "bottom": lambda p: p.y, "center": lambda p: -math.hypot(p.x - 0.5, p.y - 0.5),
        "nearest": lambda p: p.bottom + 0.1 * math.log(max(p.area, 1e-6)),
        "farthest": lambda p: -(p.bottom + 0.1 * math.log(max(p.area, 1e-6))),
    }[value]
    pos = {t: p for t in ctx.cands if (p := positions[t]) is not None}
    vals = {t: value_of(p) for t, p in pos.items()}
    rank = int(d.ref) if d.ref.isdigit() and int(d.ref) >= 1 else 1
    out: dict = {t: (None, "never seen", "insufficient") for t in ctx.cands}
    if ctx.query.count == 0 and not d.ref:
        # Plural "the dogs on the left": an absolute half of the image, not a superlative.
        absolute = {"leftmost": lambda p: 0.5 - p.x, "rightmost": lambda p: p.x - 0.5,
                    "top": lambda p: 0.5 - p.y, "bottom": lambda p: p.y - 0.5,
                    "center": lambda p: 0.25 - math.hypot(p.x - 0.5, p.y - 0.5)}.get(value)
        scores = {t: soft(absolute(p), 0.06) if absolute else soft(vals[t] - np.median(list(vals.values())), 0.05)
                  for t, p in pos.items()}
    elif len(vals) > 1:
        hi = rank if d.ref else max(ctx.query.count, 1)
        scores = rank_scores(vals, rank, max(hi, rank), 0.03)
    else:
        scores = {t: 1.0 if rank == 1 else 0.2 for t in vals}
    where = " at the start" if when == "start" else ""
    for t, p in pos.items():
        out[t] = (scores[t], f"at x={p.x:.2f}, y={p.y:.2f} of the image{where}", "")
    return out

def _relative(ctx: ScoringContext, d: Descriptor) -> RawScores:
    """Where a track is against another object now (or at the window's start for ``<value>@start``)."""
    value, _, when = d.value.partition("@")
    positions = ctx.ev.position_at_start if when == "start" else ctx.ev.position
    out: RawScores = {}
    for tid in ctx.cands:
        me = positions[tid]
        others = [(o, p) for o in ctx.context(d.ref, tid) if (p := positions[o]) is not None]
        if me is None or not others:
            out[tid] = (None, f"no {d.ref or 'reference'} in view", "no_context")
            continue
        best: tuple[float, str] | None = None
        for o, p in others:
            w = 0.5 * ((me.box[2] - me.box[0]) + (p.box[2] - p.box[0])) / max(ctx.ev.window.width, 1)
            h = 0.5 * ((me.box[3] - me.box[1]) + (p.box[3] - p.box[1])) / max(ctx.ev.window.height, 1)
            dist = math.hypot((me.x - p.x) / max(w, 1e-3), (me.y - p.y) / max(h, 1e-3))
            margin = {"left_of": (p.x - me.x) / max(w, 1e-3) - 0.3, "right_of": (me.x - p.x) / max(w, 1e-3) - 0.3,
                      "above": (p.y - me.y) / max(h, 1e-3) - 0.3, "below": (me.y - p.y) / max(h, 1e-3) - 0.3,
                      "near": 1.5 - dist, "far_from": dist - 1.5}[value]
            s = soft(margin, 0.3)
            if best is None or s > best[0]:
                best = (s, f"{value.replace('_', ' ')} {o} ({dist:.1f} sizes apart){' at the start' if when else ''}")
        out[tid] = (*best, "") if best else (None, "", "no_context")
    return out


SCORERS: Mapping[str, Scorer] = {
    "moving": _moving,
    "direction": _direction,
    "depth": _depth,
    "speed": _speed,
    "stops": _stops,
    "starts": _starts,
    "turns_back": _turns_back,
    "approaches": _approaches,
    "approached_by": _approached_by,
    "leaves": _leaves,
    "passes": _passes,
    "together": _together,
    "passed_by": _passed_by,
    "follows": _follows,
    "followed_by": _followed_by,
    "occluded": _occluded,
    "occludes": _occludes,
    "behind": _behind,
    "in_front_of": _in_front_of,
    "enters": _enters,
    "exits": _exits,
    "recent": _recent,
    "color": _color,
    "size": _size,
    "position": _position,
    "relative": _relative,
    **TEMPORAL_SCORERS,
}
"""Descriptor kind → its scorer; a kind not here is not judged by the rules (CLIP or the LLM may)."""
SCORED_KINDS = frozenset(SCORERS)
JUDGED_KINDS = judged_kinds()
"""Kinds a decision can judge: by a scorer, or (posture) by the appearance verifier when one is configured."""


class DescriptorScorer:
    """Turns each descriptor into a DescriptorScore per candidate, by the scorer that :data:`SCORERS` names."""

    def __init__(self, ev: Evidence, cands: Sequence[int], query: ParsedQuery, match: CategoryMatcher) -> None:
        self.ctx = ScoringContext(ev, cands, query, match)

    @property
    def ev(self) -> Evidence:
        return self.ctx.ev

    @property
    def cands(self) -> list[int]:
        return self.ctx.cands

    @property
    def query(self) -> ParsedQuery:
        return self.ctx.query

    @property
    def match(self) -> CategoryMatcher:
        return self.ctx.match

    def score(self, d: Descriptor) -> dict[int, DescriptorScore]:
        fn = SCORERS.get(d.kind)
        key = descriptor_key(d)
        raw: dict[int, tuple[float | None, str, str]]
        off = problem(d)
        if off is not None:  # off the vocabulary: nothing judges it, appearance evidence included
            return {t: DescriptorScore(key, None, off, "unsupported") for t in self.ctx.cands}
        if fn is None:
            raw = {t: (None, f"{d.kind} {d.value!r} not judged by rules", "needs pose/appearance verification")
                   for t in self.ctx.cands}
        else:
            raw = fn(self.ctx, d)
        looks = self.ctx.looks(d)
        out = {}
        for tid, (s, note, reason) in raw.items():
            source = ""
            if s is None and reason not in TRAJECTORY_REASONS and tid in looks:
                s, reason, source = looks[tid], "", APPEARANCE_SOURCE
                note = f"looks {_phrase(d)} (appearance score {s:.2f})"
            if s is not None and d.negated:
                s, note = 1.0 - s, f"not {_phrase(d) if source else plain_words(d)}: {note}"
            out[tid] = DescriptorScore(key, s, note, reason, source)
        return out
