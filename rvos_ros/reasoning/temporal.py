"""Temporal and comparative motion: when a track moves, how far, and whether it heads like the others.

Features of a camera-compensated :class:`~rvos_ros.reasoning.motion.TrackMotion`
(pure functions) and the scorers of the descriptors built on them
(:data:`TEMPORAL_SCORERS`, part of :data:`rvos_ros.reasoning.descriptors.SCORERS`):

- ``moving`` with a phase value: "early" (moving at first), "late" (moving at the
  end / still moving), "throughout" (keeps moving, never stops);
- ``onset`` first|last: the earliest / latest motion onset among the candidates;
- ``extent`` most|least|little: distance travelled (px of frame 0, after camera compensation);
- ``heading`` same|opposite, ref = category or "" (the others): the direction of
  motion compared (cosine) with that of the reference object(s);
- ``order`` first|last:stop|leave|enter: the earliest / latest to stop, leave or enter the view;
- ``phases`` e.g. static>left, left>static>right, slow>fast: the best split of the track's time into
  ordered stretches, each scored for its phase;
- ``repeats`` stop|turn|jump:N: a counted action; ``shape`` circle|back_and_forth|bounce|bounce_in_place.

Units: seconds (``_s``), pixels of frame 0 (``_px``), box diagonals (``_diag``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from rvos_ros.reasoning import motion as mo
from rvos_ros.reasoning.evidence import RawScores, Scorer, ScoringContext
from rvos_ros.reasoning.ranking import soft
from rvos_ros.types import Descriptor

__all__ = ["PHASES", "PHASE_SHARE", "TEMPORAL_SCORERS", "extent_px", "heading_vector", "moving_phase", "onset_s",
           "phase_fraction"]

PHASES = ("early", "late", "throughout")
PHASE_SHARE = 1.0 / 3.0
"""Share of a track's observed time that counts as its beginning or its end ..."""
_PHASE_MIN_S, _PHASE_MAX_S = 0.5, 2.0
"""... bounded to this many seconds (s)."""


def _phase_slice(m: mo.TrackMotion, phase: str) -> slice:
    n = m.frames.size
    k = int(round(min(max(PHASE_SHARE * n / m.fps, _PHASE_MIN_S), _PHASE_MAX_S) * m.fps))
    k = max(1, min(k, n))
    return {"early": slice(0, k), "late": slice(n - k, n)}.get(phase, slice(0, n))


def phase_fraction(m: mo.TrackMotion, phase: str) -> float:
    """Share of samples labelled moving at the track's beginning ("early"), end ("late") or overall."""
    if m.moving.size == 0:
        return 0.0
    return float(m.moving[_phase_slice(m, phase)].mean())


def onset_s(m: mo.TrackMotion) -> float | None:
    """Window time of the first moving sample (s from the window start); None if it never moves."""
    idx = np.nonzero(m.moving)[0]
    return float(m.frames[idx[0]]) / m.fps if idx.size else None


def extent_px(m: mo.TrackMotion) -> float:
    """Distance travelled (px): path length while moving, at least the farthest reach from the start.

    The reach keeps near-static tracks ordered by how much they drift, so "moved the least"
    can rank them without counting jitter as travel.
    """
    if m.centers.shape[0] < 2:
        return 0.0
    step = np.linalg.norm(np.diff(m.centers, axis=0), axis=1)
    path = float(step[m.moving[1:] | m.moving[:-1]].sum())
    reach = float(np.linalg.norm(m.centers - m.centers[0], axis=1).max())
    return max(path, reach)


def heading_vector(m: mo.TrackMotion) -> np.ndarray:
    """Net displacement over the moving samples (px, (dx, dy)); zeros for a static track."""
    if m.centers.shape[0] < 2:
        return np.zeros(2)
    step = np.diff(m.centers, axis=0)
    return step[m.moving[1:] | m.moving[:-1]].sum(axis=0) if m.moving.any() else np.zeros(2)


def _unit(v: np.ndarray) -> np.ndarray | None:
    n = float(np.linalg.norm(v))
    return v / n if n > 1e-6 else None


def moving_phase(ctx: ScoringContext, d: Descriptor) -> RawScores:
    """``moving`` at a phase: a share of moving samples at the beginning, at the end or overall."""
    def f(m: mo.TrackMotion) -> tuple[float, str]:
        frac = phase_fraction(m, d.value)
        if d.value == "throughout":
            # "keeps moving": (nearly) always moving, and moving at the end
            s = soft(frac - 0.75, 0.07) * soft(phase_fraction(m, "late") - 0.5, 0.12)
            return s, f"moving {frac:.0%} of the time"
        where = "at first" if d.value == "early" else "at the end"
        return soft(frac - 0.5, 0.12), f"moving {frac:.0%} of the time {where}"
    return ctx.motions(f)

def _onset(ctx: ScoringContext, d: Descriptor) -> RawScores:
    """Earliest ("first") or latest ("last") motion onset; tracks that never move rank last."""
    base = ctx.motions(lambda m: (0.5, ""))
    onsets = {t: onset_s(ctx.ev.motion[t]) for t in ctx.cands if base[t][2] == ""}
    sign = -1.0 if d.value == "first" else 1.0
    movers = {t: sign * s for t, s in onsets.items() if s is not None}
    ranks = ctx.ranked(movers, max(getattr(ctx.query, "count", 1), 1), 0.3)
    for t, s in onsets.items():
        base[t] = ((ranks[t], f"starts moving at {s:.1f} s", "") if s is not None
                   else (0.05, "never moves", ""))
    return base

def _extent(ctx: ScoringContext, d: Descriptor) -> RawScores:
    """Distance travelled: the most, the least (static tracks count) or little (barely moves)."""
    base = ctx.motions(lambda m: (0.5, ""))
    ok = [t for t in ctx.cands if base[t][2] == ""]
    if not ok:
        return base
    px = {t: extent_px(ctx.ev.motion[t]) for t in ok}
    scale = 0.1 * max(px.values()) + 3.0
    top = max(getattr(ctx.query, "count", 1), 1)
    most = ctx.ranked(px, top, scale)
    least = ctx.ranked({t: -v for t, v in px.items()}, top, scale)
    for t in ok:
        m = ctx.ev.motion[t]
        if d.value == "most":
            s = most[t] * ctx.moving_score(m)
        elif d.value == "least":
            s = least[t]
        else:
            s = 0.5 * soft(0.8 - px[t] / max(m.size_px, 1.0), 0.25) + 0.5 * least[t]
        base[t] = (s, f"travels {px[t]:.0f} px", "")
    return base

def _flow(ctx: ScoringContext, ids: Sequence[int]) -> np.ndarray | None:
    """Mean unit heading of the tracks among ``ids`` that move (the flow of the others)."""
    units = []
    for o in ids:
        m = ctx.ev.motion[o]
        u = _unit(heading_vector(m)) if m.enough and m.moved else None
        if u is not None:
            units.append(u)
    return _unit(np.mean(units, axis=0)) if units else None

def _heading(ctx: ScoringContext, d: Descriptor) -> RawScores:
    """Same or opposite direction of motion as the reference object(s), by the cosine of headings."""
    sign = {"same": 1.0, "opposite": -1.0}[d.value]
    out: RawScores = {}
    for tid in ctx.cands:
        m = ctx.ev.motion[tid]
        if not m.enough:
            out[tid] = (None, f"seen {m.observed_s:.1f} s only", "insufficient")
            continue
        others = ctx.context(d.ref, tid)
        refs = [(str(o), _flow(ctx, [o])) for o in others] if d.ref else [("the others", _flow(ctx, others))]
        refs = [(name, u) for name, u in refs if u is not None]
        if not refs:
            out[tid] = (None, f"no moving {d.ref or 'other object'} to compare with", "no_context")
            continue
        own = _unit(heading_vector(m))
        moving = ctx.moving_score(m)
        best: tuple[float, str] | None = None
        for name, u in refs:
            cos = float(own @ u) if own is not None else 0.0
            s = soft(sign * cos - 0.5, 0.15) * moving
            if best is None or s > best[0]:
                best = (s, f"heading vs {name}: cos {cos:+.2f}")
        out[tid] = (*best, "") if best else (None, "", "no_context")
    return out


def _count_score(got: int, want: int) -> float:
    return 0.95 if got == want else (0.2 if abs(got - want) == 1 else 0.05)

def _repeats(ctx: ScoringContext, d: Descriptor) -> RawScores:
    """A counted action, ``stop:N`` (pauses after motion), ``turn:N`` (reversals along the main axis) or
    ``jump:N`` (up-then-down movements): right when the count matches, a little for one off."""
    action, _, n = d.value.partition(":")
    want = int(n)

    def f(m: mo.TrackMotion) -> tuple[float, str]:
        if action == "stop":
            got, what = mo.pauses(m), "pauses"
        elif action == "turn":
            got, what = max(mo.reversals(m, 0), mo.reversals(m, 1)), "turns back"
        else:
            got, what = mo.upward_legs(m), "jumps"
        return _count_score(got, want), f"{what} {got} time{'s' if got != 1 else ''}"
    return ctx.motions(f)

def _shape(ctx: ScoringContext, d: Descriptor) -> RawScores:
    """Shape of the path: ``circle`` (net turning of at least most of a full turn), ``back_and_forth`` (two
    or more reversals along one axis with little motion across it), ``bounce`` (two or more up-and-down
    movements) and ``bounce_in_place`` (bouncing while going nowhere sideways)."""
    def f(m: mo.TrackMotion) -> tuple[float, str]:
        if m.centers.shape[0] < 3:
            return 0.05, "too few samples"
        span = np.ptp(m.centers, axis=0)
        if d.value == "circle":
            turns = mo.turning_turns(m)
            return soft(turns - 0.6, 0.12) * ctx.moving_score(m), f"heading turns {turns:.1f} times round"
        if d.value == "back_and_forth":
            axis = int(np.argmax(span))
            rev = mo.reversals(m, axis)
            flat = float(span[1 - axis] / max(span[axis], 1.0))
            return soft(rev - 1.5, 0.3) * soft(0.45 - flat, 0.1), f"{rev} reversals along {'xy'[axis]}"
        ups = mo.upward_legs(m)
        s = soft(ups - 1.5, 0.3)
        if d.value == "bounce_in_place":
            sideways = float(span[0] / max(span[1] + m.size_px, 1.0))
            return s * soft(0.6 - sideways, 0.15), f"{ups} bounces, {span[0]:.0f} px sideways"
        return s, f"{ups} bounces"
    return ctx.motions(f)


_ARRIVED_SIZES = 1.2
"""Centre distance (mean box diagonals) at which a track has reached another object."""


def _arrival_s(ctx: ScoringContext, tid: int, ref: str) -> float | None:
    """When the track first comes within reach of an object named ``ref`` after being farther (s); None if
    it never does (or is beside it from the start: it did not arrive)."""
    m = ctx.ev.motion[tid]
    best = None
    for o in ctx.context(ref, tid):
        gaps = mo.gap_sizes(m, ctx.ev.motion[o])
        if gaps is None:
            continue
        common, gap = gaps
        near = np.nonzero(gap <= _ARRIVED_SIZES)[0]
        if near.size and near[0] > 0:
            t = float(common[near[0]]) / m.fps
            best = t if best is None else min(best, t)
    return best


def _event_time_s(ctx: ScoringContext, tid: int, event: str, order: str, ref: str = "") -> float | None:
    """When a track stops (its first pause for "first", its last for "last"), leaves or enters the view, or
    reaches the object ``ref`` (s)."""
    w = ctx.ev.window
    if event == "arrive":
        return _arrival_s(ctx, tid, ref)
    if event == "stop":
        starts = mo.pause_starts_s(ctx.ev.motion[tid])
        return (starts[0] if order == "first" else starts[-1]) if starts else None
    v = mo.view_change(w.track(tid), w.width, w.height, w.num_frames, w.fps)
    rows = np.asarray(w.track(tid).boxes, dtype=np.float64).reshape(-1, 6)
    seen = rows[rows[:, 5] > 0.5, 0]
    if seen.size == 0:
        return None
    if event == "leave":
        return float(seen[-1]) / w.fps if v.exited else None
    return float(seen[0]) / w.fps if v.appeared else None

def _order(ctx: ScoringContext, d: Descriptor) -> RawScores:
    """``first|last:stop|leave|enter|arrive``: the earliest or latest to stop, leave or enter the view, or reach
    the object in ``ref``; tracks that never do it rank last."""
    order, _, event = d.value.partition(":")
    times = {t: _event_time_s(ctx, t, event, order, d.ref) for t in ctx.cands}
    sign = -1.0 if order == "first" else 1.0
    ranks = ctx.ranked({t: sign * s for t, s in times.items() if s is not None},
                       max(getattr(ctx.query, "count", 1), 1), 0.3)
    verb = {"stop": "stops", "leave": "leaves", "enter": "enters", "arrive": f"reaches {d.ref or 'it'}"}[event]
    return {t: ((ranks[t], f"{verb} at {s:.1f} s", "") if s is not None else (0.05, f"never {verb}", ""))
            for t, s in times.items()}


_PHASE_MIN_S = 0.5
"""Shortest phase of a sequence (s)."""
_CUTS = 16
"""Candidate cut points between phases, spread over the track's samples."""


def _phase_fit(centers: np.ndarray, fps: float, size: float, phase: str) -> float:
    """How well one stretch of a track (compensated centres) shows ``phase``."""
    step = np.diff(centers, axis=0)
    speed = float(np.linalg.norm(step, axis=1).mean()) * fps / max(size, 1.0)  # diagonals per second
    net = (centers[-1] - centers[0]) / max(size, 1.0)
    if phase == "static":
        return soft(0.12 - speed, 0.04)
    if phase in ("moving", "slow", "fast"):
        return soft(speed - 0.2, 0.06)  # slow and fast: relative speed is judged across phases, see _phases
    axis, sign = {"left": (0, -1.0), "right": (0, 1.0), "up": (1, -1.0), "down": (1, 1.0)}[phase]
    return soft(sign * float(net[axis]) - 0.4, 0.15) * soft(speed - 0.2, 0.06)


def _phases(ctx: ScoringContext, d: Descriptor) -> RawScores:
    """A sequence of phases (``static>left``, ``left>static>right``, ``slow>fast``): the best split of the
    track's time into that many ordered stretches of at least 0.5 s, each scored for its phase; slow and fast
    compare the stretches' speeds (the fast one at least 1.6 times the slow one, or than a plainly moving one)."""
    phases = d.value.split(">")

    def f(m: mo.TrackMotion) -> tuple[float, str]:
        n = m.centers.shape[0]
        k = len(phases)
        min_len = max(2, int(round(_PHASE_MIN_S * m.fps)))
        if n < k * min_len:
            return 0.05, "too short for the phases"
        size = m.size_px
        grid = sorted({int(round(x)) for x in np.linspace(min_len, n - min_len, _CUTS)})
        best = 0.0
        best_cuts: tuple[int, ...] = ()
        for cuts in _cut_sets(grid, k - 1, min_len, n):
            bounds = (0, *cuts, n)
            parts = [m.centers[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]
            s = 1.0
            for part, phase in zip(parts, phases, strict=True):
                s *= _phase_fit(part, m.fps, size, phase)
            if "slow" in phases or ("fast" in phases and "moving" in phases):
                # every faster phase (fast or a direction) at least 1.6 times a slow one; a fast one at least 1.6
                # times a plainly moving one ("walks, pauses, then races on": moving>static>fast)
                speeds = [float(np.linalg.norm(np.diff(p, axis=0), axis=1).mean()) for p in parts]
                for i, j in ((i, j) for i in range(k) for j in range(k)
                             if (phases[i] == "slow" and phases[j] in ("fast", "left", "right", "up", "down"))
                             or (phases[i] == "moving" and phases[j] == "fast")):
                    s *= soft(speeds[j] / max(speeds[i], 1e-6) - 1.6, 0.3)
            if s > best:
                best, best_cuts = s, cuts
        when = ", ".join(f"{m.frames[c] / m.fps:.1f} s" for c in best_cuts)
        return best, f"{' then '.join(phases)}" + (f" (changes at {when})" if best_cuts else "")
    return ctx.motions(f)


def _cut_sets(grid: Sequence[int], count: int, min_len: int, n: int) -> list[tuple[int, ...]]:
    """Increasing tuples of ``count`` cut points from ``grid`` leaving at least ``min_len`` samples per phase."""
    out: list[tuple[int, ...]] = []

    def rec(start: int, chosen: tuple[int, ...]) -> None:
        if len(chosen) == count:
            if n - chosen[-1] >= min_len:
                out.append(chosen)
            return
        for c in grid:
            if c - start >= min_len:
                rec(c, (*chosen, c))

    rec(0, ())
    return out


TEMPORAL_SCORERS: dict[str, Scorer] = {"onset": _onset, "extent": _extent, "heading": _heading, "order": _order,
                                       "phases": _phases, "repeats": _repeats, "shape": _shape}
"""The temporal/comparative descriptor kinds and their scorers (``moving`` at a phase is :func:`moving_phase`)."""
