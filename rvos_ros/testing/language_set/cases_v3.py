"""Batch v3 of the language set: fresh expressions for interaction and sequence, never looked at.

The reasoner was tuned on the dev halves of v1 and v2 and both test halves
have been looked at, so v3 is a new batch for the two weakest structures with
its own seed, its own dev/test cut and its own wording: no template of v1 or v2
is reused. The styles are those of cases.py (``mevis``: motion first, "the X
which ..."; ``ytvos``: a sentence with colour, action and place; ``davis``: a
short noun phrase with a participle); the wording is ours, none is taken from
the benchmarks.

Interactions come in ten relations (approach, move away, follow, lead, chase,
overtake, meet, pass by, walk alongside, circle around) and, for four of them,
a passive variant (``approached``, ``followed``, ``chased``, ``overtaken``:
"the X that the Y walks over to", "the X being trailed by the Y", "the X that
the Y is chasing", "the X that the Y overtakes"), where the target is the one
acted upon and a reading that drops the passive picks a distractor that does
the acting. Sequences are two or three ordered phases (a direction, a speed or
a stop each) joined by "then", "after that", "before", "until", "and finally",
"at first ... later". Each builder says which partial reading its scene
defeats; the scene conventions are those of cases_v2.py.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from rvos_ros.testing.language_set.cases import COLORS, Built, lr, other_side, pick, plural
from rvos_ros.testing.language_set.cases_v2 import (
    WALKERS,
    _convoy,
    ellipse,
    farthest,
    fit_x,
    label_of,
    lanes,
    place_sequence,
    say,
    size,
    spoken,
)
from rvos_ros.testing.language_set.scene import HEIGHT, SIZES, WIDTH, Scene, keys, segments

# ---------------------------------------------------------------- wording helpers

PRONOUNS = {"man": ("he", "him", "his", "himself"), "woman": ("she", "her", "her", "herself")}


def _gendered(template: str, prefix: str) -> bool:
    return any(f"{{{prefix}{w}}}" in template for w in ("he", "him", "his", "himself"))


def _noun(rng: np.random.Generator, noun: str, template: str, prefix: str = "") -> str:
    """The spoken noun; a person a template refers back to by a pronoun is a man or a woman."""
    word = spoken(rng, noun)
    return pick(rng, ["man", "woman"]) if word == "person" and _gendered(template, prefix) else word


def pronouns(word: str, prefix: str = "") -> dict[str, str]:
    """{he} {him} {his} {himself} {which} for a spoken noun (``prefix`` "a": {ahe} ... for the anchor)."""
    he, him, his, himself = PRONOUNS.get(word, ("it", "it", "its", "itself"))
    which = "who" if label_of(word) == "person" else "which"
    return {f"{prefix}he": he, f"{prefix}him": him, f"{prefix}his": his, f"{prefix}himself": himself,
            f"{prefix}which": which}


def say_v3(rng: np.random.Generator, template: str, c: str, a: str | None = None, **slots: str) -> str:
    """``say`` with the pronouns of the target ({he} ...) and of the anchor ({ahe} ...) filled in."""
    cw = _noun(rng, c, template)
    extra = pronouns(cw)
    if a is not None:
        aw = _noun(rng, a, template, "a")
        extra.update(pronouns(aw, "a"), a=aw)
    return say(rng, template, c=cw, **extra, **slots)


# ---------------------------------------------------------------- interactions

INTERACTION_V3 = {
    "approach": {
        "mevis": [
            "the {c} {which} makes {his} way toward the {a}",
            "{c} closing the distance to the {a}",
            "the {c} that gradually nears the {a}",
        ],
        "ytvos": [
            "a {col} {c} walks up to where the {a} is",
            "there is a {col} {c} that keeps getting nearer to the {a}",
        ],
        "davis": ["{col} {c} nearing the {a}", "a {c} in {col} drawing close to a {a}"],
    },
    "chase": {
        "mevis": [
            "the {c} that runs after the {a} and keeps gaining on {ahim}",
            "{c} hunting down the {a}",
            "the {c} {which} dashes after the {a}",
        ],
        "ytvos": [
            "a {col} {c} is sprinting behind the {a}, trying to catch {ahim}",
            "a {col} {c} goes after the running {a}",
        ],
        "davis": ["{col} {c} giving chase to the {a}", "a {c} in {col} running down a {a}"],
    },
    "follow": {
        "mevis": [
            "the {c} {which} goes along behind the {a}",
            "{c} sticking close behind the {a}",
            "the {c} that comes after the {a} in a line",
        ],
        "ytvos": [
            "a {col} {c} walks behind the {a}, following {ahis} path",
            "there is a {col} {c} following the {a} from behind",
        ],
        "davis": ["{col} {c} trailing behind the {a}", "a {c} in {col} on the heels of a {a}"],
    },
    "overtake": {
        "mevis": [
            "the {c} that pulls ahead of the {a}",
            "{c} moving past the {a} from behind",
            "the {c} {which} catches the {a} and leaves {ahim} behind",
        ],
        "ytvos": [
            "a {col} {c} starts behind the {a} and ends up in front of {ahim}",
            "a {col} {c} speeds past the slower {a}",
        ],
        "davis": ["{col} {c} getting by the slow {a}", "a {c} in {col} outpacing a {a}"],
    },
    "move_away": {
        "mevis": [
            "the {c} {which} wanders off from the {a}",
            "{c} putting distance between {himself} and the {a}",
            "the {c} retreating from the {a}",
        ],
        "ytvos": [
            "a {col} {c} starts next to the {a} and then walks away from {ahim}",
            "a {col} {c} steps away from the {a} and keeps going",
        ],
        "davis": ["{col} {c} departing from the {a}", "a {c} in {col} walking off from beside the {a}"],
    },
    "lead": {
        "mevis": [
            "the {c} {which} walks out in front of the {a}",
            "{c} showing the way to the {a}",
            "the {c} that the {a} walks behind",
        ],
        "ytvos": [
            "a {col} {c} is at the front, with the {a} walking after {him}",
            "a {col} {c} walks a little ahead of the {a} in the same direction",
        ],
        "davis": ["{col} {c} in front of a walking {a}", "a {c} in {col} walking before the {a}"],
    },
    "meet": {
        "mevis": [
            "the {c} that walks up to the {a} as {ahe} comes the other way",
            "the {c} {which} runs into the {a} halfway",
            "{c} converging on the {a} coming toward {him}",
        ],
        "ytvos": [
            "a {col} {c} walks to meet the {a} heading {his} way",
            "a {col} {c} comes toward the {a} from the opposite side and they stop together",
        ],
        "davis": ["{col} {c} meeting an oncoming {a}", "a {c} in {col} encountering the {a}"],
    },
    "pass_by": {
        "mevis": [
            "the {c} {which} walks right past the {a}",
            "{c} brushing past the {a}",
            "the {c} that goes by the {a} and continues on",
        ],
        "ytvos": [
            "a {col} {c} crosses the scene, passing close to the {a}",
            "a {col} {c} moves by the {a} without stopping there",
        ],
        "davis": ["{col} {c} passing close by a {a}", "a {c} in {col} crossing past the {a}"],
    },
    "alongside": {
        "mevis": [
            "the {c} {which} moves level with the {a}",
            "{c} walking shoulder to shoulder with the {a}",
            "the {c} that stays right beside the {a} as {ahe} walks",
        ],
        "ytvos": [
            "a {col} {c} walks along next to the {a}, keeping level with {ahim}",
            "a {col} {c} is moving together with the {a}, side by side",
        ],
        "davis": ["{col} {c} at the side of a walking {a}", "a {c} in {col} keeping pace with the {a}"],
    },
    "circle_around": {
        "mevis": [
            "the {c} that runs in a loop around the {a}",
            "{c} going around and around the {a}",
            "the {c} {which} keeps running circles round the {a}",
        ],
        "ytvos": [
            "a {col} {c} runs round the {a} in a circle again and again",
            "a {col} {c} is making loops around the {a}",
        ],
        "davis": ["{col} {c} looping around a {a}", "a {c} in {col} running circles around the {a}"],
    },
}
INTERACTION_KINDS_V3 = tuple(INTERACTION_V3)  # 10 kinds, prime to the 3 styles

# the passive variants: the target is acted upon ({a} does the relation to {c})
PASSIVE_V3 = {
    "approached": {
        "mevis": ["the {c} that the {a} walks over to", "{c} the {a} is heading for"],
        "ytvos": ["a {col} {c} stays where {he} is as the {a} comes toward {him}"],
        "davis": ["{col} {c} that a {a} walks toward", "the {c} in {col} the {a} is walking up to"],
    },
    "chased": {
        "mevis": ["the {c} that the {a} is chasing", "{c} running away from the {a} chasing {him}"],
        "ytvos": ["a {col} {c} flees while the {a} runs after {him}"],
        "davis": ["{col} {c} pursued by the {a}", "a {c} in {col} with a {a} chasing {him}"],
    },
    "followed": {
        "mevis": ["the {c} that has the {a} following {him}", "{c} with a {a} walking behind {him}"],
        "ytvos": ["a {col} {c} being trailed by the {a} as {he} walks along"],
        "davis": ["{col} {c} followed along by the {a}", "a {c} in {col} that the {a} walks after"],
    },
    "overtaken": {
        "mevis": ["the {c} that the {a} overtakes", "{c} being left behind by the passing {a}"],
        "ytvos": ["a {col} {c} is overtaken by a faster {a} coming from behind"],
        "davis": ["{col} {c} passed by a {a}", "a {c} in {col} the {a} gets past"],
    },
}
ACTIVE_OF = {"approached": "approach", "chased": "chase", "followed": "follow", "overtaken": "overtake"}
PASSIVE_OF = {v: k for k, v in ACTIVE_OF.items()}
PASSIVE_FROM = 20  # cases k >= 20 of the four relations above take the passive (one per relation, mixed styles)


def _approach(rng: np.random.Generator, s: Scene, n: int, c: str, a: str, col: str, d: int, away: bool) -> str:
    """A standing anchor; the target walks toward it (``away``: off from beside it); the other X has the same
    velocity the other way round relative to the anchor."""
    (wa, ha), (wc, hc) = size(a), size(c)
    near = (wa + wc) / 2 + float(rng.uniform(12, 25))
    v = float(rng.uniform(3.2, min(5.0, (260 - near) / n)))
    ax = WIDTH / 2 + float(rng.uniform(-20, 20))
    ys = lanes(rng, 3)
    ya = ys[0]
    sy = 1 if rng.random() < 0.5 else -1
    off0 = float(rng.uniform(0, 60))
    vy = -sy * off0 / n
    s.add(label_of(a), keys((0, ax, ya)), "anchor")
    toward = segments(ax - d * (near + v * n), ya + sy * (off0 + 4), [(n, d * v, vy)])
    off = segments(ax + d * near, ya - sy * 4, [(n, d * v, vy)])
    s.add(label_of(c), off if away else toward, "target", color=col)
    s.add(label_of(c), toward if away else off, "distractor", color=col)
    partial = (
        f"the other {c} moves with the same velocity, {'toward' if away else 'away from'} the {a}; "
        f"'the {c} walking {'right' if d > 0 else 'left'}' cannot tell them apart"
    )
    if rng.random() < 0.5 and not away:  # another X walks up to another object, the other way, in a far lane
        b = pick(rng, [x for x in ("ball", "bicycle", "car", "cow", "person") if x not in (label_of(a), label_of(c))])
        wb = SIZES[b][0]
        yb = farthest(ys[1:], ya)
        nb = (wb + wc) / 2 + float(rng.uniform(12, 25))
        xb = ax - d * (near + v * n / 2)
        s.add(b, keys((0, xb, yb)), "other_anchor")
        s.add(label_of(c), segments(xb + d * (nb + v * n), yb, [(n, -d * v, 0)]), "distractor2", color=col)
        partial += f"; a third walks up to a {b} instead, so only the name '{a}' separates it"
    elif rng.random() < 0.5:  # another X stands right by the anchor throughout
        ss = 1 if ya < HEIGHT / 2 else -1
        x2 = ax + float(rng.uniform(-15, 15))
        s.add(label_of(c), keys((0, x2, ya + ss * ((ha + hc) / 2 + 14))), "distractor2", color=col)
        partial += f"; a third stands by the {a} all along ('the {c} near the {a}' picks it)"
    return partial


def _approached(rng: np.random.Generator, s: Scene, n: int, c: str, a: str, col: str, d: int) -> str:
    """Two standing X; the anchor walks from beside one of them over to the other (the target)."""
    (wa, ha), (wc, hc) = size(a), size(c)
    near = (wa + wc) / 2 + float(rng.uniform(12, 22))
    v = float(rng.uniform(3.5, 5.0))
    tx = WIDTH / 2 + d * float(rng.uniform(170, 195))
    ya = float(rng.uniform(200, 280))
    x_start = tx - d * (near + v * n)
    s.add(label_of(c), keys((0, tx, ya + float(rng.uniform(-8, 8)))), "target", color=col)
    s.add(label_of(a), segments(x_start, ya, [(n, d * v, 0)]), "anchor")
    sy = 1 if rng.random() < 0.5 else -1
    xd = x_start - d * float(rng.uniform(10, 30))
    s.add(label_of(c), keys((0, xd, ya + sy * ((ha + hc) / 2 + 10))), "distractor", color=col)
    return (
        f"both {plural(c)} stand still; the {a} sets off from beside one and walks over to the other, so "
        f"'the {c} near the {a}' picks the wrong one at the start and 'the {c} walking to the {a}' matches none"
    )


def _chain(rng: np.random.Generator, s: Scene, n: int, c: str, a: str, col: str, d: int, chased: bool) -> str:
    """X - anchor - X in one lane, all running the same way, each closing in on the one ahead of it: the back X
    chases the anchor, the anchor chases the front X. ``chased``: the target is the front X."""
    (wa, _), (wc, _) = size(a), size(c)
    vf = float(rng.uniform(5.0, 6.0))
    vm = vf + float(rng.uniform(0.6, 1.0))
    vb = vm + float(rng.uniform(0.6, 1.0))
    g1 = (wa + wc) / 2 + float(rng.uniform(15, 30)) + (vb - vm) * n
    g2 = (wa + wc) / 2 + float(rng.uniform(15, 30)) + (vm - vf) * n
    span = g1 + g2 + vf * n
    x0 = WIDTH / 2 - d * span / 2 + float(rng.uniform(-10, 10))
    ys = lanes(rng, 3)
    y0 = ys[0]
    back = segments(x0, y0 + float(rng.uniform(-8, 8)), [(n, d * vb, 0)])
    s.add(label_of(a), segments(x0 + d * g1, y0, [(n, d * vm, 0)]), "anchor")
    front = segments(x0 + d * (g1 + g2), y0 + float(rng.uniform(-8, 8)), [(n, d * vf, 0)])
    s.add(label_of(c), front if chased else back, "target", color=col)
    s.add(label_of(c), back if chased else front, "distractor", color=col)
    partial = (
        f"three run in a line, each gaining on the one ahead: {c}, {a}, {c}; "
        + (
            f"dropping the passive ('the {c} chasing the {a}') picks the {c} behind it"
            if chased
            else f"the {c} ahead is the one the {a} chases, so a reading that swaps the roles picks it"
        )
    )
    if rng.random() < 0.5:  # one more X in a far lane at the target's speed with nobody near it
        yf = farthest(ys[1:], y0)
        vt = vf if chased else vb
        mv = [(n, d * vt, 0.0)]
        s.add(label_of(c), segments(fit_x(rng, mv), yf, mv), "distractor2", color=col)
        partial += f"; another {c} runs the same way at the target's speed in a far lane, alone"
    return partial


def _overtake(rng: np.random.Generator, s: Scene, n: int, c: str, a: str, col: str, d: int, passive: bool) -> str:
    """A slow one and a fast one in neighbouring lanes: the fast one starts behind and ends clearly ahead.
    Active: the target is the fast X, the anchor the slow one; passive: the target is the slow X."""
    slow, fast = (c, a) if passive else (a, c)
    scale = 0.7 if label_of(slow) in ("truck", "bus", "car") or label_of(fast) in ("truck", "bus", "car") else 1.0
    (ws, hs), (wf, hf) = size(slow, scale), size(fast, scale)
    vs = float(rng.uniform(2.0, 3.0))
    gap0 = (ws + wf) / 2 + float(rng.uniform(10, 25))
    lead_end = (ws + wf) / 2 + float(rng.uniform(30, 60))
    vt = vs + (gap0 + lead_end) / n
    ys = lanes(rng, 3)
    y0 = ys[0]
    sy = 1 if y0 < HEIGHT / 2 else -1
    yfast = y0 + sy * (hs + hf) / 3
    xs = WIDTH / 2 - d * vt * n / 2 + d * gap0 + float(rng.uniform(-15, 15))
    slow_path = segments(xs, y0, [(n, d * vs, 0)], scale)
    fast_path = segments(xs - d * gap0, yfast, [(n, d * vt, 0)], scale)
    yf = farthest(ys[1:], y0, yfast)
    if passive:
        s.add(label_of(c), slow_path, "target", color=col)
        s.add(label_of(a), fast_path, "anchor")
        mv = [(n, d * vs, 0.0)]
        s.add(label_of(c), segments(fit_x(rng, mv), yf, mv, scale), "distractor", color=col)
        return (
            f"another {c} moves the same way at the same slow speed in a far lane and nothing passes it; the "
            f"{a} is the one doing the overtaking, so dropping the passive leaves no {c} that overtakes"
        )
    s.add(label_of(a), slow_path, "anchor")
    s.add(label_of(c), fast_path, "target", color=col)
    # another X behind the anchor in its lane at the anchor's speed: behind it throughout, never past
    s.add(label_of(c), segments(xs - d * (gap0 + float(rng.uniform(5, 20))), y0, [(n, d * vs, 0)], scale),
          "distractor", color=col)
    partial = f"two {plural(c)} start behind the {a}; one stays behind it at its speed, only the target ends ahead"
    if rng.random() < 0.5:  # as fast as the target, but ahead of the anchor from the start, in a far lane
        x2 = xs + d * ((ws + wf) / 2 + float(rng.uniform(30, 60)))
        s.add(label_of(c), segments(x2, yf, [(n, d * vt, 0)], scale), "distractor2", color=col)
        partial += f"; a third {c} is as fast but ahead of the {a} from the start ('the fast {c}' ties)"
    return partial


def _meet(rng: np.random.Generator, s: Scene, n: int, c: str, a: str, col: str, d: int) -> str:
    (wa, _), (wc, _) = size(a), size(c)
    half = (wa + wc) / 4 + float(rng.uniform(6, 12))
    m = int(rng.integers(24, 31))
    vt, va = float(rng.uniform(4.0, 5.5)), float(rng.uniform(3.5, 5.5))
    mx = WIDTH / 2 + float(rng.uniform(-30, 30)) - d * (vt - va) * m / 2
    ys = lanes(rng, 3)
    tmove, amove = [(m, d * vt, 0.0), (n - m, 0.0, 0.0)], [(m, -d * va, 0.0), (n - m, 0.0, 0.0)]
    s.add(label_of(a), segments(mx + d * (half + va * m), ys[0], amove), "anchor")
    s.add(label_of(c), segments(mx - d * (half + vt * m), ys[0] + float(rng.uniform(-8, 8)), tmove), "target",
          color=col)
    s.add(label_of(c), segments(mx - d * (half + vt * m) + float(rng.uniform(-30, 30)), ys[1], tmove), "distractor",
          color=col)
    partial = f"another {c} walks the same way at the same speed and stops at the same moment in a far lane, alone"
    if rng.random() < 0.5:  # another X meets another kind of object in the third lane, off to one side
        b = pick(rng, [x for x in ("dog", "cat", "sheep", "duck", "person") if x not in (label_of(a), label_of(c))])
        wb = SIZES[b][0]
        hb = (wb + wc) / 4 + float(rng.uniform(6, 12))
        v2 = float(rng.uniform(3.0, 4.0))
        mx2 = mx + (1 if mx < WIDTH / 2 else -1) * 120
        s.add(b, segments(mx2 + d * (hb + v2 * m), ys[2], [(m, -d * v2, 0.0), (n - m, 0.0, 0.0)]), "other_anchor")
        s.add(label_of(c), segments(mx2 - d * (hb + v2 * m), ys[2], [(m, d * v2, 0.0), (n - m, 0.0, 0.0)]),
              "distractor2", color=col)
        partial += f"; a third meets a {b} coming the other way, so only the name '{a}' separates it"
    return partial


def _pass_by(rng: np.random.Generator, s: Scene, n: int, c: str, a: str, col: str, d: int) -> str:
    (wa, ha), (wc, hc) = size(a), size(c)
    v = float(rng.uniform(6.0, 8.0))
    ax = WIDTH / 2 + float(rng.uniform(-40, 40))
    ya = float(rng.uniform(200, 280))
    sy = 1 if rng.random() < 0.5 else -1
    off = 0.6 * (ha + hc) / 2 + 10
    x0 = ax - d * (v * n / 2 + float(rng.uniform(-20, 20)))
    s.add(label_of(a), keys((0, ax, ya)), "anchor")
    s.add(label_of(c), segments(x0, ya + sy * off, [(n, d * v, 0)]), "target", color=col)
    yf = max((y for y in (ya - 170, ya + 170) if 70 <= y <= HEIGHT - 70), key=lambda y: abs(y - ya - sy * off))
    xd = x0 + float(rng.uniform(-30, 30))
    s.add(label_of(c), segments(xd, yf, [(n, d * v, 0)]), "distractor", color=col)
    partial = f"another {c} crosses at the same speed the same way, far from the {a}"
    if rng.random() < 0.5:  # ... and it passes close by another kind of object standing in its lane
        b = pick(rng, [x for x in ("ball", "bicycle", "car", "cow", "person") if x not in (label_of(a), label_of(c))])
        hb = SIZES[b][1]
        yb = min(max(yf - sy * (0.6 * (hb + hc) / 2 + 10), 60.0), HEIGHT - 60.0)
        s.add(b, keys((0, xd + d * v * n / 2 + float(rng.uniform(-20, 20)), yb)), "other_anchor")
        partial += f", close by a {b}: only the name '{a}' separates them"
    else:  # walks up to the anchor and stays there: approaches, does not pass
        stop_x = ax - d * ((wa + wc) / 2 + 12)
        m = int(n * rng.uniform(0.45, 0.6))
        m = min(m, int(abs(stop_x - (40 if d > 0 else WIDTH - 40)) / v))
        s.add(label_of(c), segments(stop_x - d * v * m, ya - sy * 0.3 * off, [(m, d * v, 0), (n - m, 0, 0)]),
              "distractor2", color=col)
        partial += f"; a third walks up to the {a} and stops by it (approaches, does not pass)"
    return partial


def _alongside(rng: np.random.Generator, s: Scene, n: int, c: str, a: str, col: str, d: int) -> str:
    (wa, ha), (wc, hc) = size(a), size(c)
    v = float(rng.uniform(3.5, 6.0))
    ys = lanes(rng, 3)
    y0 = ys[0]
    sy = 1 if y0 < HEIGHT / 2 else -1
    yt = y0 + sy * ((ha + hc) / 4 + float(rng.uniform(6, 14)))
    gap = (wa + wc) / 2 + float(rng.uniform(25, 45))
    ahead = rng.random() < 0.5  # the third X walks in the anchor's lane, ahead of it (else behind it)
    sgn = d if ahead else -d
    x0 = fit_x(rng, [(n, d * v, 0)], 60 + (gap if sgn < 0 else 0), WIDTH - 60 - (gap if sgn > 0 else 0))
    s.add(label_of(a), segments(x0, y0, [(n, d * v, 0)]), "anchor")
    s.add(label_of(c), segments(x0 + float(rng.uniform(-10, 10)), yt, [(n, d * v, 0)]), "target", color=col)
    s.add(label_of(c), segments(x0 + sgn * gap, y0, [(n, d * v, 0)]), "distractor", color=col)
    partial = (
        f"another {c} walks with the {a} at its speed, {'ahead of' if ahead else 'behind'} it in its lane "
        f"('the {c} walking with the {a}' ties)"
    )
    if rng.random() < 0.5:
        yf = farthest(ys[1:], y0, yt)
        s.add(label_of(c), segments(fit_x(rng, [(n, d * v, 0)]), yf, [(n, d * v, 0)]), "distractor2", color=col)
        partial += "; a third walks the same way at the same speed in a far lane"
    return partial


def _circle(rng: np.random.Generator, s: Scene, n: int, c: str, a: str, col: str) -> str:
    (wa, ha), (wc, hc) = size(a), size(c)
    rx = (wa + wc) / 2 + 40
    ry = 0.5 * rx + (ha + hc) / 4
    period = float(rng.uniform(24, 32))
    side = 1 if rng.random() < 0.5 else -1
    ca, cb = WIDTH / 2 - side * (rx + 35), WIDTH / 2 + side * (rx + 35)
    cya, cyb = float(rng.uniform(200, 280)), float(rng.uniform(200, 280))
    sense = 1 if rng.random() < 0.5 else -1
    s.add(label_of(a), keys((0, ca, cya)), "anchor")
    s.add(label_of(c), ellipse(ca, cya, rx, ry, period, float(rng.uniform(0, 6.28)), sense), "target", color=col)
    fits = [x for x in ("ball", "person", "car", "cow", "bicycle") if x not in (label_of(a), label_of(c))]
    b = pick(rng, [x for x in fits if SIZES[x][0] <= 2 * rx - wc - 20])
    s.add(b, keys((0, cb, cyb)), "other_centre")
    s.add(label_of(c), ellipse(cb, cyb, rx, ry, period * float(rng.uniform(0.95, 1.05)), float(rng.uniform(0, 6.28)),
                               -sense if rng.random() < 0.5 else sense), "distractor", color=col)
    partial = f"another {c} runs the same loop at the same speed around a {b}; only the name '{a}' separates them"
    if rng.random() < 0.5:  # a third stands right by the anchor, inside the loop
        s.add(label_of(c), keys((0, ca + side * ((wa + wc) / 2 + 4), cya)), "distractor2", color=col)
        partial += f"; a third stands right by the {a} ('the {c} near the {a}' picks it)"
    return partial


PAIRS = {
    "approach": [("dog", "man"), ("cat", "car"), ("horse", "woman"), ("person", "car"), ("sheep", "dog"),
                 ("cow", "person"), ("dog", "bicycle"), ("duck", "person")],
    "approached": [("person", "horse"), ("car", "man"), ("cat", "dog"), ("cow", "dog"), ("sheep", "person"),
                   ("ball", "dog")],
    "chase": [("dog", "cat"), ("cat", "dog"), ("person", "dog"), ("dog", "person"), ("horse", "dog"),
              ("dog", "horse")],
    "follow": [("dog", "man"), ("sheep", "dog"), ("duck", "woman"), ("horse", "person"), ("cow", "dog"),
               ("person", "horse"), ("dog", "bicycle")],
    "overtake": [("car", "truck"), ("motorcycle", "car"), ("horse", "cow"), ("bicycle", "person"),
                 ("dog", "person"), ("motorcycle", "bus")],
    "overtaken": [("truck", "motorcycle"), ("bus", "car"), ("person", "bicycle"), ("cow", "horse"),
                  ("car", "motorcycle"), ("sheep", "dog")],
    "meet": [("dog", "cat"), ("man", "horse"), ("sheep", "dog"), ("duck", "rabbit"), ("woman", "dog"),
             ("cow", "person"), ("cat", "rabbit")],
    "pass_by": [("person", "car"), ("dog", "bicycle"), ("woman", "truck"), ("horse", "car"), ("cat", "ball"),
                ("man", "bus"), ("sheep", "person")],
    "alongside": [("dog", "man"), ("dog", "woman"), ("horse", "person"), ("sheep", "dog"), ("dog", "bicycle"),
                  ("person", "horse"), ("duck", "person")],
    "circle_around": [("dog", "man"), ("dog", "woman"), ("horse", "person"), ("dog", "ball"), ("person", "car"),
                      ("dog", "sheep"), ("duck", "ball")],
}
PAIRS["move_away"] = PAIRS["approach"]
PAIRS["lead"] = PAIRS["followed"] = PAIRS["follow"]
PAIRS["chased"] = PAIRS["chase"]


# lays out one relation on a scene (target, anchor, distractors) and returns the partial reading
Stage = Callable[[np.random.Generator, Scene, int, str, str, str, str, int], str]


def stage_v3(rng: np.random.Generator, s: Scene, n: int, kind: str, c: str, a: str, col: str, d: int) -> str:
    """The scene of one relation of v3 (``c``: the target's noun, ``a``: the anchor's); the relations that need a
    window of their own set ``s.num_frames``. v4 and v5 wrap it with their new kinds."""
    if kind in ("approach", "move_away"):
        return _approach(rng, s, n, c, a, col, d, away=kind == "move_away")
    if kind == "approached":
        return _approached(rng, s, n, c, a, col, d)
    if kind in ("follow", "lead", "followed"):
        partial = _convoy(rng, s, n, c, a, col, d, lead=kind != "follow")
        if kind == "followed":
            partial += f"; dropping the passive ('the {c} following the {a}') picks the one behind"
        return partial
    if kind in ("chase", "chased"):
        s.num_frames = n = 36
        return _chain(rng, s, n, c, a, col, d, chased=kind == "chased")
    if kind in ("overtake", "overtaken"):
        s.num_frames = n = 50
        return _overtake(rng, s, n, c, a, col, d, passive=kind == "overtaken")
    if kind == "meet":
        return _meet(rng, s, n, c, a, col, d)
    if kind == "pass_by":
        return _pass_by(rng, s, n, c, a, col, d)
    if kind == "alongside":
        return _alongside(rng, s, n, c, a, col, d)
    s.num_frames = 50
    return _circle(rng, s, 50, c, a, col)


def build_interaction(rng: np.random.Generator, k: int, style: str, *, kinds: tuple[str, ...],
                      passive_of: dict[str, str], is_passive: Callable[[int], bool], pairs: dict[str, list],
                      active: dict, passive: dict, stage: Stage = stage_v3) -> Built:
    """One interaction case as v3, v4 and v5 build it: relation ``kinds[k % len(kinds)]``, in its passive variant
    when ``is_passive(k)``; the (target, anchor) nouns from ``pairs``, the scene from ``stage``, the wording from
    the batch's ``active`` / ``passive`` tables."""
    base = kinds[k % len(kinds)]
    kind = passive_of[base] if base in passive_of and is_passive(k) else base
    col = pick(rng, COLORS)
    n = int(pick(rng, [40, 44, 48]))
    s = Scene(rng, n)
    _, d = lr(rng)
    c, a = pick(rng, pairs[kind])
    partial = stage(rng, s, n, kind, c, a, col, d)
    forms = passive[kind] if kind in passive else active[kind]
    query = say_v3(rng, pick(rng, forms[style]), c, a, col=col)
    return Built(query, s, ["target"], partial, kind)


def b_interaction_v3(rng: np.random.Generator, k: int, style: str) -> Built:
    return build_interaction(rng, k, style, kinds=INTERACTION_KINDS_V3, passive_of=PASSIVE_OF,
                             is_passive=lambda k: k >= PASSIVE_FROM, pairs=PAIRS, active=INTERACTION_V3,
                             passive=PASSIVE_V3)


# ---------------------------------------------------------------- sequences of phases

SEQUENCE_V3 = {
    "move_stop": {
        "mevis": [
            "the {c} that walks {d} until {he} comes to a halt",
            "{c} making {his} way {d} before standing still",
            "the {c} {which} moves {d} for a while and after that stays in place",
        ],
        "ytvos": [
            "a {col} {c} moves toward the {d} side of the picture and then stops there",
            "at first a {col} {c} is walking {d}, later {he} stands still",
        ],
        "davis": ["{col} {c} walking {d} until halting", "a {c} in {col} going {d}, then standing"],
    },
    "stop_move": {
        "mevis": [
            "the {c} {which} is still at first and later dashes off to the {d}",
            "{c} that stands around before running {d}",
            "the {c} that waits until {he} suddenly runs {d}",
        ],
        "ytvos": ["a {col} {c} stays in place for a bit, after that {he} runs off toward the {d}"],
        "davis": ["{col} {c} idle, then running {d}", "a {c} in {col} standing before racing {d}"],
    },
    "slow_fast": {
        "mevis": [
            "the {c} {which} creeps {d} before sprinting",
            "{c} moving {d} slowly at first and later very fast",
            "the {c} that ambles {d} and then bursts into a run",
        ],
        "ytvos": ["a {col} {c} crawls along to the {d}, then {he} sprints"],
        "davis": ["{col} {c} creeping, then dashing {d}", "a {c} in {col} going from slow to fast"],
    },
    "fast_slow": {
        "mevis": [
            "the {c} that sprints {d} and after that walks slowly",
            "{c} racing {d} at first, later only walking slowly",
            "the {c} {which} dashes {d} until {he} slows right down",
        ],
        "ytvos": ["a {col} {c} rushes to the {d} and then eases off to a slow pace"],
        "davis": ["{col} {c} dashing {d}, then dawdling", "a {c} in {col} running fast then slowly"],
    },
    "turn_back": {
        "mevis": [
            "the {c} that walks {d} and then comes back the way {he} came",
            "{c} going {d} before doubling back {o}",
            "the {c} {which} turns round after heading {d}",
        ],
        "ytvos": ["a {col} {c} heads {d} at first and later walks back toward the {o}"],
        "davis": ["{col} {c} going {d}, then back {o}", "a {c} in {col} doubling back after walking {d}"],
    },
    "pause_resume": {
        "mevis": [
            "the {c} that walks {d}, pauses for a moment, and finally keeps on going {d}",
            "{c} heading {d} with a brief stop halfway",
            "the {c} {which} halts for a short while and after that continues to the {d}",
        ],
        "ytvos": ["a {col} {c} walks to the {d}, rests briefly, then carries on in the same direction"],
        "davis": ["{col} {c} stopping briefly on {his} way {d}", "a {c} in {col} moving {d}, pausing, moving on"],
    },
    "pause_return": {
        "mevis": [
            "the {c} that jogs {d}, pauses, then heads back",
            "{c} walking {d}, standing a moment, and finally returning to the {o}",
            "the {c} {which} stops after going {d} and after that walks back {o}",
        ],
        "ytvos": ["a {col} {c} goes {d} until {he} stops, and then {he} walks back to the {o}"],
        "davis": [
            "{col} {c} going {d}, stopping, then heading back",
            "a {c} in {col} that goes {d}, halts, and comes back",
        ],
    },
    "slow_fast_stop": {
        "mevis": [
            "the {c} that walks slowly {d}, then speeds up and finally stops",
            "{c} strolling {d}, then sprinting, and at last standing still",
            "the {c} {which} starts slow, runs fast after that, and ends up stopped",
        ],
        "ytvos": ["a {col} {c} moves slowly to the {d}, then dashes, and finally comes to rest"],
        "davis": ["{col} {c} slow, then fast, then still", "a {c} in {col} creeping {d}, racing, then halting"],
    },
}
SEQUENCE_KINDS_V3 = tuple(SEQUENCE_V3)  # 8 kinds, prime to the 3 styles

# phases as (frames, speed along the named direction); a distractor list starts with the one that must be there
Phases = list[tuple[int, float]]


def _sequence_plan_v3(rng: np.random.Generator, kind: str, n: int) -> tuple[Phases, list[tuple[str, Phases]]]:
    v = float(rng.uniform(5.0, 7.0))
    slow, fast = float(rng.uniform(2.0, 3.0)), float(rng.uniform(9.5, 11.0))
    h = n // 2 + int(rng.integers(-4, 5))
    h2 = n // 2 + int(rng.integers(-4, 5))
    if kind == "move_stop":
        return [(h, v), (n - h, 0)], [
            ("stands, then walks the named way (the phases swapped)", [(h2, 0), (n - h2, v)]),
            ("walks the named way without stopping", [(n, 0.8 * v)]),
            ("walks the other way, then stops", [(h, -v), (n - h, 0)]),
        ]
    if kind == "stop_move":
        return [(h, 0), (n - h, fast)], [
            ("runs the named way, then stands (the phases swapped)", [(h2, fast), (n - h2, 0)]),
            ("stands throughout", [(n, 0)]),
            ("creeps the named way throughout", [(n, slow)]),
            ("stands, then runs the other way", [(h, 0), (n - h, -fast)]),
        ]
    if kind == "slow_fast":
        return [(h, slow), (n - h, fast)], [
            ("fast, then slow (the phases swapped)", [(h, fast), (n - h, slow)]),
            ("slow, then stops", [(h2, slow), (n - h2, 0)]),
            ("a steady medium speed", [(n, (slow + fast) / 2)]),
            ("slow, then fast, the other way", [(h, -slow), (n - h, -fast)]),
        ]
    if kind == "fast_slow":
        return [(h, fast), (n - h, slow)], [
            ("slow, then fast (the phases swapped)", [(h, slow), (n - h, fast)]),
            ("slow throughout", [(n, slow)]),
            ("a steady medium speed", [(n, (slow + fast) / 2)]),
            ("fast, then slow, the other way", [(h, -fast), (n - h, -slow)]),
        ]
    if kind == "turn_back":
        return [(h, v), (n - h, -v)], [
            ("the other way first, then back the named way", [(h2, -v), (n - h2, v)]),
            ("the named way without turning", [(n, 0.85 * v)]),
            ("the named way, then stops", [(h, v), (n - h, 0)]),
        ]
    if kind == "slow_fast_stop":
        a, b = int(rng.integers(14, 19)), int(rng.integers(16, 21))
        return [(a, slow), (b, fast), (n - a - b, 0)], [
            ("slow, then fast, never stopping", [(a, slow), (n - a, fast)]),
            ("fast, then slow, then stops", [(b, fast), (a, slow), (n - a - b, 0)]),
            ("slow, then stops", [(a + b, slow), (n - a - b, 0)]),
            ("slow, fast, stop, the other way", [(a, -slow), (b, -fast), (n - a - b, 0)]),
        ]
    p = int(rng.integers(10, 15))
    a1 = (n - p) // 2 + int(rng.integers(-4, 5))
    rest = n - p - a1
    if kind == "pause_resume":
        return [(a1, v), (p, 0), (rest, v)], [
            ("the named way, then stops for good", [(a1, v), (n - a1, 0)]),
            ("the named way without pausing", [(n, 0.85 * v)]),
            ("pauses, then turns back", [(a1, v), (p, 0), (rest, -v)]),
            ("the other way with a pause", [(a1, -v), (p, 0), (rest, -v)]),
        ]
    # pause_return
    return [(a1, v), (p, 0), (rest, -v)], [
        ("pauses, then carries on the named way", [(a1, v), (p, 0), (rest, v)]),
        ("turns back without stopping", [(a1 + p // 2, v), (n - a1 - p // 2, -v)]),
        ("the named way, then stops for good", [(a1, v), (n - a1, 0)]),
        ("the other way, pause, back", [(a1, -v), (p, 0), (rest, v)]),
    ]


def build_sequence(rng: np.random.Generator, k: int, style: str, *, kinds: tuple[str, ...], table: dict,
                   plan: Callable[[np.random.Generator, str, int], tuple[Phases, list[tuple[str, Phases]]]],
                   long: tuple[str, ...]) -> Built:
    """One sequence case as v3, v4 and v5 build it: kind ``kinds[k % len(kinds)]``, its wording from ``table``,
    the phases of the target and the distractors from ``plan``; the ``long`` kinds get 60 frames, the others 50."""
    kind = kinds[k % len(kinds)]
    col = pick(rng, COLORS)
    n = 60 if kind in long else 50
    s = Scene(rng, n)
    c = pick(rng, WALKERS)
    lab = label_of(c)
    dname, d = lr(rng)
    template = pick(rng, table[kind][style])
    target, candidates = plan(rng, kind, n)
    chosen = place_sequence(rng, s, lab, col, d, template, target, candidates)
    partial = "; ".join(f"one {why}" for why, _ in chosen) + ": each matches a phase, or the phases in another order"
    query = say_v3(rng, template, c, col=col, d=dname, o=other_side(dname))
    return Built(query, s, ["target"], partial, kind)


def b_sequence_v3(rng: np.random.Generator, k: int, style: str) -> Built:
    return build_sequence(rng, k, style, kinds=SEQUENCE_KINDS_V3, table=SEQUENCE_V3, plan=_sequence_plan_v3,
                          long=("pause_resume", "pause_return"))


# structure → (builder, number of cases)
BUILDERS_V3: dict[str, tuple[Callable[[np.random.Generator, int, str], Built], int]] = {
    "interaction": (b_interaction_v3, 30),
    "sequence": (b_sequence_v3, 24),
}
