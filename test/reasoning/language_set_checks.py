"""What a language-set scene's roles must do, shared by the data checks of batches v2 to v5: one predicate per
interaction kind (the target ``t`` against its anchor ``A``), the phases of each sequence kind, and the direction a
query names. Built on the plain geometry of language_set_geometry.py; batches that judged a kind differently keep
their own variant (see ``full_turn``)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable

import language_set_geometry as geo
import numpy as np

__all__ = ["PHASES", "RELATIONS", "full_turn", "phases_hold", "way"]


def _ahead_of(t: dict, A: dict, behind: bool) -> bool:
    """Mostly behind (``behind``) or mostly ahead of the anchor, in its lane."""
    p = geo.ahead(t, A)
    return bool(((p < -20) if behind else (p > 20)).mean() > 0.9 and geo.aside(t, A).max() < 80)


def _chase(t: dict, A: dict, passive: bool) -> bool:
    """Closing in from behind (or, passive, being closed in on from behind)."""
    d, p = geo.dist(t, A), geo.ahead(t, A)
    behind = (p > 0) if passive else (p < 0)
    return bool(d[-1] < d[0] - 10 and behind.all() and geo.aside(t, A).max() < 60)


def _overtake(t: dict, A: dict, passive: bool) -> bool:
    """The faster one goes from behind the slower one to ahead of it, in its lane."""
    fast, slow = (A, t) if passive else (t, A)
    p, hw = geo.ahead(fast, slow), (t["w"] + A["w"]) / 2
    return bool(p[0] < -0.8 * hw and p[-1] > hw and geo.aside(fast, slow).max() < 100)


def _pass(t: dict, A: dict, passive: bool) -> bool:
    """The mover goes from well before the other to well beyond it, close by (passive: the target stands)."""
    mover, other = (A, t) if passive else (t, A)
    pm, po = geo.common(mover, other)
    u = mover["c"][-1] - mover["c"][0]
    along = (pm - po) @ (u / (np.linalg.norm(u) + 1e-9))
    close = along[0] < -60 and along[-1] > 60 and geo.dist(t, A).min() < 100
    return bool(close and (not geo.moving(t).any() if passive else True))


def full_turn(t: dict, A: dict) -> bool:
    """A full turn of the target around the anchor (circle_around as v2 and v3 judge it)."""
    pt, pa = geo.common(t, A)
    ang = np.unwrap(np.arctan2(pt[:, 1] - pa[:, 1], pt[:, 0] - pa[:, 0]))
    return bool(abs(ang[-1] - ang[0]) > 2 * math.pi)


def _approached(t: dict, A: dict) -> bool:
    """The target stands; the anchor ends by it, having started far from it."""
    d = geo.dist(t, A)
    return bool(not geo.moving(t).any() and d[0] - d[-1] > 100 and d[-1] < (t["w"] + A["w"]) / 2 + 40)


def _left(t: dict, A: dict) -> bool:
    """The target stands; the anchor starts by it and ends about twice as far or more."""
    d = geo.dist(t, A)
    return bool(not geo.moving(t).any() and d[0] < 130 and d[-1] - d[0] > 90 and d[-1] > 1.8 * d[0])


# interaction kind -> does the target ``t`` do it with the anchor ``A``; the circles, as v4 and v5 judge them,
# also ask that the one in the middle stands
RELATIONS: dict[str, Callable[[dict, dict], bool]] = {
    "follow": lambda t, A: _ahead_of(t, A, behind=True),
    "lead": lambda t, A: _ahead_of(t, A, behind=False),
    "followed": lambda t, A: _ahead_of(t, A, behind=False),
    "alongside": lambda t, A: bool(geo.dist(t, A).max() < 90 and np.abs(geo.ahead(t, A)).max() < 30),
    "chase": lambda t, A: _chase(t, A, passive=False),
    "chased": lambda t, A: _chase(t, A, passive=True),
    "approach": lambda t, A: bool(geo.dist(t, A)[0] - geo.dist(t, A)[-1] > 100),
    "move_away": lambda t, A: bool(geo.dist(t, A)[-1] - geo.dist(t, A)[0] > 100),
    "overtake": lambda t, A: _overtake(t, A, passive=False),
    "overtaken": lambda t, A: _overtake(t, A, passive=True),
    "meet": lambda t, A: bool(geo.dist(t, A)[-1] < (t["w"] + A["w"]) / 2 + 40 and geo.dist(t, A)[0] > 200),
    "pass_by": lambda t, A: _pass(t, A, passive=False),
    "passed": lambda t, A: _pass(t, A, passive=True),
    "approached": _approached,
    "left": _left,
    "circle_around": lambda t, A: full_turn(t, A) and not geo.moving(A).any(),
    "circled": lambda t, A: full_turn(t, A) and not geo.moving(t).any(),
}

# sequence kind -> the runs of phases (geo.phases) its target may go through, in the direction named
PHASES = {
    "move_stop": [["walk", "still"]],
    "stop_move": [["still", "fast"]],
    "slow_fast": [["slow", "fast"]],
    "fast_slow": [["fast", "slow"]],
    "turn_back": [["walk", "walk-"]],
    "pause_resume": [["walk", "still", "walk"]],
    "pause_return": [["walk", "still", "walk-"]],
    "slow_fast_stop": [["slow", "fast", "still"]],
    "still_move_still": [["still", "walk", "still"]],
    "turn_stop": [["walk", "walk-", "still"]],
    "walk_stop_run": [["walk", "still", "fast"]],
    "still_fast_slow": [["still", "fast", "slow"]],
    "turn_slow": [["fast", "slow-"]],
}


def way(query: str, back: bool = True) -> tuple[int, ...]:
    """The direction the query names first (+1 right, -1 left), or both when it names none. With ``back``, a
    direction named just after "back" is the way back, so the first way is its opposite."""
    tokens = re.findall(r"[a-z]+", query)
    at = [i for i, w in enumerate(tokens) if w in ("left", "right")]
    if not at:
        return (1, -1)
    sign = 1 if tokens[at[0]] == "right" else -1
    return (-sign if back and "back" in tokens[max(0, at[0] - 3):at[0]] else sign,)


def phases_hold(t: dict, kind: str, signs: tuple[int, ...], table: dict[str, list[list[str]]] = PHASES) -> bool:
    """Does track ``t`` go through the phases of sequence ``kind``, taking one of ``signs`` as the named way?"""
    return any(geo.phases(t, s) in table[kind] for s in signs)
