"""Batch v2 of the language set: fresh expressions for interaction, group, ordinal and sequence.

v1's test half was looked at; these four structures scored lowest there, so
v2 is a new batch nobody has looked at, with its own seed, its own dev/test cut
and its own wording: none of v1's templates is reused, and the scenes vary
more (speeds, sides, lanes, how many distractors and of which kind). The three
styles are those of cases.py (``mevis``: motion first, "the X that / which
..."; ``ytvos``: a sentence with colour, action and place; ``davis``: a short
noun phrase with a participle). The wording is ours; no text is taken from the
benchmarks.

Each builder picks a sub-kind from the case index (``k`` modulo a count prime
to 3, so every sub-kind meets every style), builds a scene in which the answer
is plain to a human reader and a partial reading (dropping the relation, a
phase, the ordinal, the anchor's name or "together") picks a distractor or
cannot separate it, and says which partial reading it defeats.

Scene conventions (as a person would mean them): following = same way, behind
the anchor, on its path; ahead of / in front of = same way, ahead of it on its
path, at the same depth; alongside = level with it, close, same velocity;
chasing = running after a fleeing anchor and closing in; overtaking = starts
behind, ends clearly ahead; meeting = coming from opposite sides and stopping
face to face; passing by = crossing close to a standing anchor without
stopping; arriving = reaching the anchor and stopping there; entering /
leaving = crossing the image border.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from rvos_ros.testing.language_set.cases import COLORS, NOUNS, Built, fill, lr, other_side, pick, plural, rows
from rvos_ros.testing.language_set.scene import HEIGHT, SIZES, WIDTH, Path, Scene, keys, segments

Moves = list[tuple[int, float, float]]


# ---------------------------------------------------------------- helpers


def label_of(noun: str) -> str:
    return NOUNS.get(noun, noun)


def size(noun: str, scale: float = 1.0) -> tuple[float, float]:
    w, h = SIZES[label_of(noun)]
    return w * scale, h * scale


def spoken(rng: np.random.Generator, noun: str) -> str:
    """What an annotator calls it: a person is a person, a man or a woman."""
    return pick(rng, ["person", "man", "woman"]) if noun == "person" else noun


def say(rng: np.random.Generator, template: str, **slots: str) -> str:
    """One chosen template filled in the way cases.fill does it (articles, "a red dog", "a man in red")."""
    return fill(rng, "one", {"one": [template]}, **slots)


def extent(moves: Moves) -> tuple[float, float]:
    """The lowest and highest x offset a path of ``moves`` reaches from its start."""
    x, lo, hi = 0.0, 0.0, 0.0
    for n, vx, _ in moves:
        x += n * vx
        lo, hi = min(lo, x), max(hi, x)
    return lo, hi


def fit_x(rng: np.random.Generator, moves: Moves, lo: float = 60.0, hi: float = WIDTH - 60.0) -> float:
    """A random start x that keeps the whole path inside [lo, hi] (centred when it does not fit)."""
    a, b = extent(moves)
    free = (hi - lo) - (b - a)
    if free <= 0:
        return (lo + hi) / 2 - (a + b) / 2
    return lo - a + float(rng.uniform(0, free))


def lanes(rng: np.random.Generator, k: int, lo: float = 110, hi: float = 390) -> list[float]:
    return rows(rng, k, lo, hi)


def farthest(candidates: list[float], *ys: float) -> float:
    """The candidate lane farthest from every y given."""
    return max(candidates, key=lambda c: min(abs(c - y) for y in ys))


def ellipse(cx: float, cy: float, rx: float, ry: float, period: float, phase: float, sense: int) -> Path:
    return lambda f: (
        cx + rx * math.cos(sense * 2 * math.pi * f / period + phase),
        cy + ry * math.sin(sense * 2 * math.pi * f / period + phase),
        1.0,
    )


def delayed(base: Path, lag: int) -> Path:
    """``base`` ``lag`` frames later (lag > 0: behind on the same path; lag < 0: ahead on it)."""
    return lambda f: base(f - lag)


# ---------------------------------------------------------------- interactions

INTERACTION_V2 = {
    "follow": {
        "mevis": [
            "the {c} that tags along behind the {a}",
            "{c} following closely behind the {a}",
            "the {c} which keeps following the {a}",
            "{c} walking in the footsteps of the {a}",
        ],
        "ytvos": [
            "a {col} {c} is following behind the {a} as it walks",
            "a {col} {c} trails the {a} wherever it goes",
            "the {col} {c} that walks after the {a}, keeping behind it",
        ],
        "davis": ["a {col} {c} trailing a {a}", "{col} {c} behind the walking {a}", "a {c} in {col} tailing the {a}"],
    },
    "chase": {
        "mevis": [
            "the {c} that is chasing after the {a}",
            "{c} in pursuit of the {a}",
            "the {c} which runs behind the {a} trying to catch it",
            "{c} racing after the fleeing {a}",
        ],
        "ytvos": ["a {col} {c} is hurrying after the {a} to catch it", "a {col} {c} chases the {a} and gains on it"],
        "davis": ["a {col} {c} pursuing a {a}", "a {c} in {col} chasing after the {a}"],
    },
    "approach": {
        "mevis": [
            "the {c} that walks over to the {a}",
            "{c} heading towards the {a}",
            "the {c} which is getting closer to the {a}",
            "{c} coming up to the {a}",
        ],
        "ytvos": ["a {col} {c} is making its way over to the {a}", "the {col} {c} that is drawing near to the {a}"],
        "davis": ["a {col} {c} going toward a {a}", "a {c} in {col} coming closer to the {a}"],
    },
    "move_away": {
        "mevis": [
            "the {c} walking off away from the {a}",
            "{c} leaving the {a}",
            "the {c} that moves farther and farther from the {a}",
            "{c} heading off away from the {a}",
        ],
        "ytvos": [
            "a {col} {c} walks away, leaving the {a} behind it",
            "a {col} {c} is heading away from where the {a} is",
        ],
        "davis": ["a {col} {c} moving away from a {a}", "a {c} in {col} walking off from the {a}"],
    },
    "overtake": {
        "mevis": [
            "the {c} that gets past the {a}",
            "{c} overtaking the slower {a}",
            "the {c} which goes by the {a} and moves ahead of it",
        ],
        "ytvos": [
            "a {col} {c} comes from behind and passes the {a}",
            "a {col} {c} catches up with the {a} and goes past it",
        ],
        "davis": ["a {col} {c} going past a slower {a}", "a {c} in {col} passing the {a} from behind"],
    },
    "meet": {
        "mevis": [
            "the {c} that meets up with the {a}",
            "{c} walking toward the {a} until they meet",
            "the {c} which comes face to face with the {a}",
        ],
        "ytvos": [
            "a {col} {c} walks toward the approaching {a} and stops in front of it",
            "a {col} {c} meets up with a {a} coming from the other side",
        ],
        "davis": ["a {col} {c} meeting up with a {a}", "a {c} in {col} walking to the {a} coming toward it"],
    },
    "pass_by": {
        "mevis": [
            "the {c} that walks by the {a}",
            "{c} going past the {a} without stopping",
            "the {c} which passes close to the {a}",
        ],
        "ytvos": ["a {col} {c} walks past the {a} and keeps going", "a {col} {c} is passing right next to the {a}"],
        "davis": ["a {col} {c} going by the {a}", "a {c} in {col} strolling past the {a}"],
    },
    "alongside": {
        "mevis": [
            "the {c} walking alongside the {a}",
            "{c} moving next to the {a}",
            "the {c} that keeps pace beside the {a}",
        ],
        "ytvos": [
            "a {col} {c} is walking side by side with the {a}",
            "a {col} {c} walks beside the {a} in the same direction",
        ],
        "davis": ["a {col} {c} walking beside a {a}", "a {c} in {col} walking along with the {a}"],
    },
    "lead": {
        "mevis": [
            "the {c} walking ahead of the {a}",
            "{c} leading the {a}",
            "the {c} that stays in front of the {a}",
        ],
        "ytvos": ["a {col} {c} is walking in front of the {a}", "a {col} {c} leads the way while the {a} follows"],
        "davis": ["a {col} {c} ahead of the {a}", "a {c} in {col} leading a {a}"],
    },
    "circle_around": {
        "mevis": [
            "the {c} running around the {a}",
            "{c} circling the {a}",
            "the {c} that goes round and round the {a}",
        ],
        "ytvos": ["a {col} {c} is running in circles around the {a}", "a {col} {c} keeps circling the {a}"],
        "davis": ["a {col} {c} circling a {a}", "a {c} in {col} going around the {a}"],
    },
}
INTERACTION_KINDS_V2 = tuple(INTERACTION_V2)  # 10 kinds, prime to the 3 styles

LINE_PAIRS = [
    ("dog", "man"),
    ("dog", "woman"),
    ("sheep", "dog"),
    ("horse", "person"),
    ("cow", "person"),
    ("dog", "bicycle"),
    ("duck", "dog"),
    ("person", "horse"),
]


def _convoy(rng: np.random.Generator, s: Scene, n: int, c: str, a: str, col: str, d: int, lead: bool) -> str:
    """An anchor walking with one X behind it on its path and one ahead of it; ``lead``: the target is ahead."""
    (wa, _), (wc, _) = size(a), size(c)
    bent = rng.random() < 0.5
    if bent:  # a longer window, a little faster and closer, so both the one ahead and the one behind turn in it
        n = s.num_frames = 48
        gap = (wa + wc) / 2 + float(rng.uniform(15, 25))
        v = float(rng.uniform(5.5, 6.5))
    else:
        gap = (wa + wc) / 2 + float(rng.uniform(20, 40))
        v = float(rng.uniform(4.0, 6.0))
    v = min(v, (520 - 2 * gap) / n)
    lag = max(1, round(gap / v))
    ys = lanes(rng, 3)
    y0 = ys[0]
    bent = bent and lag + 5 <= n - lag - 8
    if bent:  # the anchor turns diagonally toward the middle; the X behind turns where it turned, later
        tb = int(rng.integers(lag + 5, n - lag - 7))
        sy = 1 if y0 < HEIGHT / 2 else -1
        span = v * (tb + lag) + 0.75 * v * (n + lag - tb)
        xs = WIDTH / 2 - d * span / 2
        xb = xs + d * v * (tb + lag)
        tail = n + lag - tb
        base = keys((-lag, xs, y0), (tb, xb, y0), (n + lag, xb + d * 0.75 * v * tail, y0 + sy * 0.55 * v * tail))
    else:
        span = v * (n + 2 * lag)
        xs = WIDTH / 2 - d * span / 2 + float(rng.uniform(-1, 1)) * max(0.0, (520 - span) / 2)
        base = keys((-lag, xs, y0), (n + lag, xs + d * v * (n + 2 * lag), y0))
    s.add(label_of(a), base, "anchor")
    behind, ahead = delayed(base, lag), delayed(base, -lag)
    s.add(label_of(c), ahead if lead else behind, "target", color=col)
    s.add(label_of(c), behind if lead else ahead, "distractor", color=col)
    extra = ""
    if not bent and rng.random() < 0.5:  # one more X in a far lane, same velocity, with nobody near it
        yf = farthest(ys[1:], y0)
        x0 = xs + d * v * lag + float(rng.uniform(-20, 20))  # level with the anchor: neither behind nor ahead
        s.add(label_of(c), segments(x0, yf, [(n, d * v, 0)]), "distractor2", color=col)
        extra = f"; another {c} walks level with the {a} at its speed in a far lane, with nobody"
    where = "ahead of" if lead else "behind"
    other = "behind" if lead else "ahead of"
    return (
        f"three walk in a line {'that bends' if bent else 'straight'}: the target {c} {where} the {a}, "
        f"another {c} {other} it at the same gap and speed; 'the {c} walking with the {a}' cannot tell them "
        f"apart{extra}"
    )


def b_interaction_v2(rng: np.random.Generator, k: int, style: str) -> Built:
    kind = INTERACTION_KINDS_V2[k % len(INTERACTION_KINDS_V2)]
    col = pick(rng, COLORS)
    n = int(pick(rng, [40, 44, 48]))
    s = Scene(rng, n)
    _, d = lr(rng)
    if kind in ("follow", "lead"):
        c, a = pick(rng, LINE_PAIRS)
        partial = _convoy(rng, s, n, c, a, col, d, lead=kind == "lead")
    elif kind == "alongside":
        c, a = pick(
            rng,
            [
                ("dog", "man"),
                ("dog", "woman"),
                ("horse", "person"),
                ("sheep", "dog"),
                ("dog", "bicycle"),
                ("person", "horse"),
                ("duck", "person"),
            ],
        )
        (wa, ha), (wc, hc) = size(a), size(c)
        v = float(rng.uniform(3.5, 6.0))
        ys = lanes(rng, 3)
        y0 = ys[0]
        sy = 1 if y0 < HEIGHT / 2 else -1  # the side toward the middle of the image
        yt = y0 + sy * ((ha + hc) / 4 + float(rng.uniform(6, 14)))
        follower = rng.random() < 0.5
        gap = (wa + wc) / 2 + float(rng.uniform(25, 45))
        x0 = fit_x(
            rng,
            [(n, d * v, 0)],
            60 + (gap if d > 0 and follower else 0),
            WIDTH - 60 - (gap if d < 0 and follower else 0),
        )
        s.add(label_of(a), segments(x0, y0, [(n, d * v, 0)]), "anchor")
        s.add(label_of(c), segments(x0 + float(rng.uniform(-12, 12)), yt, [(n, d * v, 0)]), "target", color=col)
        yf = farthest(ys[1:], y0, yt)
        s.add(label_of(c), segments(fit_x(rng, [(n, d * v, 0)]), yf, [(n, d * v, 0)]), "distractor", color=col)
        partial = (
            f"another {c} walks the same way at the same speed in a far lane; 'the {c} walking "
            f"{'right' if d > 0 else 'left'}' cannot tell them apart"
        )
        if follower:
            s.add(label_of(c), segments(x0 - d * gap, y0, [(n, d * v, 0)]), "distractor2", color=col)
            partial += f"; a third walks behind the {a} (with it, but not beside it)"
    elif kind == "chase":
        c, a = pick(
            rng,
            [
                ("dog", "ball"),
                ("cat", "bird"),
                ("dog", "cat"),
                ("person", "dog"),
                ("dog", "rabbit"),
                ("dog", "sheep"),
                ("cat", "duck"),
            ],
        )
        (wa, _), (wc, _) = size(a), size(c)
        n = 40
        s.num_frames = n
        vp = float(rng.uniform(6.0, 8.0))
        vc = vp + float(rng.uniform(0.4, 1.0))
        final = (wa + wc) / 2 + float(rng.uniform(15, 30))
        gap0 = final + (vc - vp) * n
        ys = lanes(rng, 3)
        moves = [(n, d * vc, 0.0)]
        x0 = fit_x(rng, [(n, d * vp, 0.0)], 60 + (gap0 if d > 0 else 0), WIDTH - 60 - (gap0 if d < 0 else 0))
        s.add(label_of(a), segments(x0, ys[0], [(n, d * vp, 0)]), "anchor")
        s.add(label_of(c), segments(x0 - d * gap0, ys[0] + float(rng.uniform(-10, 10)), moves), "target", color=col)
        # as fast, in a far lane and ahead of the anchor from the start (so behind nothing)
        s.add(label_of(c), segments(x0 + d * float(rng.uniform(40, 90)), ys[1], moves), "distractor", color=col)
        partial = f"another {c} runs the same way at the same speed with nothing ahead of it"
        if rng.random() < 0.5:  # the same chase of another kind of animal: only the anchor's name separates
            b = pick(rng, [x for x in ("ball", "cat", "rabbit", "bird", "duck", "sheep") if x not in (a, label_of(c))])
            (wb, _) = size(b)
            gb = (wb + wc) / 2 + float(rng.uniform(15, 30)) + (vc - vp) * n
            xb = fit_x(rng, [(n, d * vp, 0.0)], 60 + (gb if d > 0 else 0), WIDTH - 60 - (gb if d < 0 else 0))
            s.add(b, segments(xb, ys[2], [(n, d * vp, 0)]), "other_prey")
            s.add(
                label_of(c), segments(xb - d * gb, ys[2] + float(rng.uniform(-10, 10)), moves), "distractor2", color=col
            )
            partial += f"; a third chases a {b} the same way, so only the name '{a}' picks the target"
    elif kind in ("approach", "move_away"):
        c, a = pick(
            rng,
            [
                ("dog", "man"),
                ("cat", "car"),
                ("horse", "woman"),
                ("person", "car"),
                ("sheep", "dog"),
                ("cow", "person"),
                ("dog", "bicycle"),
                ("duck", "person"),
                ("man", "bus"),
            ],
        )
        (wa, ha), (wc, hc) = size(a), size(c)
        near = (wa + wc) / 2 + float(rng.uniform(12, 25))
        v = float(rng.uniform(3.0, min(5.0, (265 - near) / n)))
        ax = WIDTH / 2 + float(rng.uniform(-20, 20))
        ya = float(rng.uniform(190, 290))
        sy = 1 if rng.random() < 0.5 else -1
        off0 = float(rng.uniform(0, 80))
        vy = -sy * off0 / n
        s.add(label_of(a), keys((0, ax, ya)), "anchor")
        toward = segments(ax - d * (near + v * n), ya + sy * (off0 + 4), [(n, d * v, vy)])
        away = segments(ax + d * near, ya - sy * 4, [(n, d * v, vy)])  # the same velocity, from beside the anchor
        s.add(label_of(c), toward if kind == "approach" else away, "target", color=col)
        s.add(label_of(c), away if kind == "approach" else toward, "distractor", color=col)
        way = "right" if d > 0 else "left"
        partial = (
            f"the other {c} moves with the same velocity ({way}), from beside the {a} out / from afar in; "
            f"only the distance to the {a} separates them"
        )
        if rng.random() < 0.5:
            ss = 1 if ya < HEIGHT / 2 else -1
            s.add(
                label_of(c),
                keys((0, ax + float(rng.uniform(-20, 20)), ya + ss * ((ha + hc) / 2 + 12))),
                "distractor2",
                color=col,
            )
            partial += f"; a third stands right by the {a} the whole time ('the {c} near the {a}' picks it)"
    elif kind == "overtake":
        c, a = pick(
            rng,
            [
                ("car", "truck"),
                ("motorcycle", "car"),
                ("horse", "cow"),
                ("bicycle", "person"),
                ("dog", "person"),
                ("car", "bus"),
                ("motorcycle", "truck"),
            ],
        )
        n = 50
        s.num_frames = n
        scale = 0.7 if label_of(a) in ("truck", "bus", "car") else 1.0
        (wa, ha), (wc, hc) = size(a, scale), size(c, scale)
        va = float(rng.uniform(2.0, 3.0))
        gap0 = (wa + wc) / 2 + float(rng.uniform(10, 25))
        lead_end = (wa + wc) / 2 + float(rng.uniform(30, 60))
        vt = va + (gap0 + lead_end) / n
        ys = lanes(rng, 3)
        y0 = ys[0]
        sy = 1 if y0 < HEIGHT / 2 else -1
        xa = WIDTH / 2 - d * vt * n / 2 + d * gap0 + float(rng.uniform(-15, 15))  # the target's path is centred
        # the anchor keeps its lane; the target starts behind it in the next lane and ends well ahead
        s.add(label_of(a), segments(xa, y0, [(n, d * va, 0)], scale), "anchor")
        s.add(
            label_of(c), segments(xa - d * gap0, y0 + sy * (ha + hc) / 3, [(n, d * vt, 0)], scale), "target", color=col
        )
        # another X behind the anchor in its lane at the anchor's speed: behind it throughout, never past
        s.add(
            label_of(c),
            segments(xa - d * (gap0 + float(rng.uniform(5, 20))), y0, [(n, d * va, 0)], scale),
            "distractor",
            color=col,
        )
        partial = (
            f"two {c}s start behind the {a}; one stays behind it at its speed ('the {c} behind the {a}' "
            f"picks it), only the target ends ahead"
        )
        if rng.random() < 0.5:  # catches up in the lane on the other side, then stays level: never gets ahead
            g2 = gap0 + float(rng.uniform(0, 20))
            m = max(1, round(g2 / (vt - va)))
            s.add(
                label_of(c),
                segments(xa - d * g2, y0 - sy * (ha + hc) / 3, [(m, d * vt, 0), (n - m, d * va, 0)], scale),
                "distractor2",
                color=col,
            )
            partial += (
                f"; a third {c} starts behind it too, catches up as fast and then stays level with it on the other "
                f"side ('catches up with the {a}' alone ties)"
            )
        else:  # a fast X already ahead of the anchor in a far lane: as fast, never behind it
            yf = farthest(ys[1:], y0, y0 + sy * (ha + hc) / 3)
            s.add(
                label_of(c),
                segments(xa + d * (wa / 2 + wc / 2 + float(rng.uniform(30, 60))), yf, [(n, d * vt, 0)], scale),
                "distractor2",
                color=col,
            )
            partial += f"; a third {c} is as fast but ahead of the {a} from the start ('the fast {c}' ties)"
    elif kind == "meet":
        c, a = pick(
            rng,
            [
                ("dog", "cat"),
                ("man", "horse"),
                ("horse", "cow"),
                ("sheep", "dog"),
                ("duck", "rabbit"),
                ("woman", "dog"),
                ("cow", "person"),
            ],
        )
        (wa, _), (wc, _) = size(a), size(c)
        half = (wa + wc) / 4 + float(rng.uniform(6, 12))
        m = int(rng.integers(24, 31))
        vt, va = float(rng.uniform(4.0, 6.0)), float(rng.uniform(3.5, 6.0))
        mx = WIDTH / 2 + float(rng.uniform(-40, 40)) - d * (vt - va) * m / 2
        ys = lanes(rng, 3)
        tmove, amove = [(m, d * vt, 0), (n - m, 0, 0)], [(m, -d * va, 0), (n - m, 0, 0)]
        s.add(label_of(a), segments(mx + d * (half + va * m), ys[0], amove), "anchor")
        s.add(
            label_of(c),
            segments(mx - d * (half + vt * m), ys[0] + float(rng.uniform(-10, 10)), tmove),
            "target",
            color=col,
        )
        s.add(
            label_of(c),
            segments(mx - d * (half + vt * m) + float(rng.uniform(-30, 30)), ys[1], tmove),
            "distractor",
            color=col,
        )
        partial = (
            f"another {c} walks the same way at the same speed and stops at the same moment, in a far lane "
            f"with nobody coming"
        )
        if rng.random() < 0.5:  # an X that comes along with the anchor, in a far lane
            xs = mx + d * (half + va * m + float(rng.uniform(40, 80)))
            xs = min(xs, WIDTH - 40.0) if d > 0 else max(xs, 40.0)
            s.add(label_of(c), segments(xs, ys[2], amove), "distractor2", color=col)
            partial += f"; a third walks with the {a}'s motion (toward the target side) and stops when it stops"
    elif kind == "pass_by":
        c, a = pick(
            rng,
            [
                ("person", "car"),
                ("dog", "bicycle"),
                ("woman", "truck"),
                ("horse", "car"),
                ("cat", "ball"),
                ("man", "bus"),
                ("sheep", "person"),
            ],
        )
        (wa, ha), (wc, hc) = size(a), size(c)
        v = float(rng.uniform(6.0, 8.0))
        ax = WIDTH / 2 + float(rng.uniform(-40, 40))
        ys = lanes(rng, 3)
        ya = ys[0] if abs(ys[0] - HEIGHT / 2) < 100 else float(rng.uniform(200, 280))
        sy = 1 if rng.random() < 0.5 else -1
        off = 0.6 * (ha + hc) / 2 + 10
        x0 = ax - d * (v * n / 2 + float(rng.uniform(-20, 20)))
        s.add(label_of(a), keys((0, ax, ya)), "anchor")
        s.add(label_of(c), segments(x0, ya + sy * off, [(n, d * v, 0)]), "target", color=col)
        yf = max((y for y in (ya - 170, ya + 170) if 70 <= y <= HEIGHT - 70), key=lambda y: abs(y - ya - sy * off))
        s.add(label_of(c), segments(x0 + float(rng.uniform(-30, 30)), yf, [(n, d * v, 0)]), "distractor", color=col)
        partial = f"another {c} crosses at the same speed the same way, far from the {a}"
        if rng.random() < 0.5:  # walks up to the anchor and stays there: approaches, does not pass
            stop_x = ax - d * ((wa + wc) / 2 + 12)
            m = int(n * rng.uniform(0.45, 0.6))
            m = min(m, int(abs(stop_x - (40 if d > 0 else WIDTH - 40)) / v))
            s.add(
                label_of(c),
                segments(stop_x - d * v * m, ya - sy * 0.3 * off, [(m, d * v, 0), (n - m, 0, 0)]),
                "distractor2",
                color=col,
            )
            partial += f"; a third walks the same way up to the {a} and stops by it (approaches, does not pass)"
    else:  # circle_around
        c, a = pick(
            rng,
            [
                ("dog", "man"),
                ("dog", "woman"),
                ("horse", "person"),
                ("dog", "ball"),
                ("person", "car"),
                ("dog", "sheep"),
                ("duck", "ball"),
            ],
        )
        (wa, ha), (wc, hc) = size(a), size(c)
        n = 50
        s.num_frames = n
        rx = (wa + wc) / 2 + 40
        ry = 0.5 * rx + (ha + hc) / 4
        period = float(rng.uniform(24, 34))
        side = 1 if rng.random() < 0.5 else -1
        ca = WIDTH / 2 - side * (rx + 35)
        cb = WIDTH / 2 + side * (rx + 35)
        cya, cyb = float(rng.uniform(200, 280)), float(rng.uniform(200, 280))
        sense = 1 if rng.random() < 0.5 else -1
        s.add(label_of(a), keys((0, ca, cya)), "anchor")
        s.add(label_of(c), ellipse(ca, cya, rx, ry, period, float(rng.uniform(0, 6.28)), sense), "target", color=col)
        s.add(
            label_of(c),
            ellipse(
                cb,
                cyb,
                rx,
                ry,
                period * float(rng.uniform(0.95, 1.05)),
                float(rng.uniform(0, 6.28)),
                -sense if rng.random() < 0.5 else sense,
            ),
            "distractor",
            color=col,
        )
        partial = f"another {c} runs the same circle at the same speed around an empty spot"
        if rng.random() < 0.5:
            fits = [x for x in ("ball", "person", "car", "cow", "bicycle") if x not in (label_of(a), label_of(c))]
            b = pick(rng, [x for x in fits if SIZES[x][0] <= 2 * rx - wc - 20])  # it fits inside the circle
            s.add(b, keys((0, cb, cyb)), "other_centre")
            partial = (
                f"another {c} runs the same circle at the same speed around a {b}; only the name '{a}' separates them"
            )
    query = say(rng, pick(rng, INTERACTION_V2[kind][style]), c=spoken(rng, c), a=spoken(rng, a), col=col)
    return Built(query, s, ["target"], partial, kind)


# ---------------------------------------------------------------- groups

GROUP_V2 = {
    "two_together": {
        "mevis": [
            "the two {cs} walking next to each other",
            "{cs} moving together as a pair",
            "the pair of {cs} that walk along together",
        ],
        "ytvos": [
            "two {col} {cs} are walking together side by side",
            "a pair of {col} {cs} walking next to each other toward the {d}",
        ],
        "davis": ["two {col} {cs} side by side", "the pair of {col} {cs} walking together"],
    },
    "pair_static": {
        "mevis": [
            "the two {cs} standing next to each other",
            "the pair of {cs} that stay still together",
            "{cs} standing side by side without moving",
        ],
        "ytvos": ["two {col} {cs} are standing close together and not moving", "a pair of {col} {cs} resting together"],
        "davis": ["a pair of {col} {cs} standing together", "two {col} {cs} resting side by side"],
    },
    "all_direction": {
        "mevis": ["all the {cs} heading {d}", "every {c} that is going to the {d}", "the {cs} which all move {d}"],
        "ytvos": ["all of the {col} {cs} that are moving toward the {d}", "the {col} {cs} going {d} across the scene"],
        "davis": ["every {col} {c} moving {d}", "the {col} {cs} that head {d}"],
    },
    "group_three": {
        "mevis": [
            "the three {cs} walking together",
            "the group of {cs} moving {d} together",
            "the {cs} walking as a group",
        ],
        "ytvos": [
            "three {col} {cs} are walking to the {d} in a group",
            "a small group of {col} {cs} moving together to the {d}",
        ],
        "davis": ["three {col} {cs} moving together", "the group of {col} {cs} heading {d}"],
    },
}
GROUP_KINDS_V2 = tuple(GROUP_V2)  # 4 kinds, prime to the 3 styles
GROUP_POOL = ("dog", "cow", "horse", "person", "duck", "zebra", "man", "woman")  # no "sheep": its plural reads as one


def b_group_v2(rng: np.random.Generator, k: int, style: str) -> Built:
    kind = GROUP_KINDS_V2[k % len(GROUP_KINDS_V2)]
    col = pick(rng, COLORS)
    n = 40
    s = Scene(rng, n)
    c = pick(rng, GROUP_POOL)
    lab = label_of(c)
    w, h = size(c)
    dname, d = lr(rng)
    exp: list[str]
    if kind == "two_together":
        v = float(rng.uniform(4.0, 6.0))
        top = rng.random() < 0.5  # the pair in the top band, the others in the bottom one, or the reverse
        dy = 0.55 * h + float(rng.uniform(5, 15))
        yp = float(rng.uniform(95, 110)) if top else float(rng.uniform(395, 410)) - dy
        mv = [(n, d * v, 0.0)]
        x0 = fit_x(rng, mv)
        s.add(lab, segments(x0, yp, mv), "target", color=col)
        s.add(lab, segments(x0 + float(rng.uniform(-25, 25)), yp + dy, mv), "target2", color=col)
        exp = ["target", "target2"]
        other = (
            (float(rng.uniform(320, 340)), float(rng.uniform(400, 415)))
            if top
            else (float(rng.uniform(95, 110)), float(rng.uniform(175, 190)))
        )
        if rng.random() < 0.5:  # two more walking the same way, far apart from each other
            sep = float(rng.uniform(220, 260))
            u = float(rng.uniform(60, max(60.0, WIDTH - 60 - v * n - sep)))  # both paths stay in view
            xa, xb = (u, u + sep) if d > 0 else (WIDTH - u, WIDTH - u - sep)
            s.add(
                lab, segments(xa, other[0], [(n, d * (v + float(rng.uniform(-0.4, 0.4))), 0)]), "distractor", color=col
            )
            s.add(
                lab, segments(xb, other[1], [(n, d * (v + float(rng.uniform(-0.4, 0.4))), 0)]), "distractor2", color=col
            )
            partial = (
                f"two more {plural(c)} walk {dname} at about the same speed but far apart; 'two {plural(c)} "
                f"walking {dname}' cannot pick the pair without 'together'"
            )
        else:  # a pair that starts side by side and splits: one walks on, the other stays
            xs = WIDTH / 2 + float(rng.uniform(-60, 60))
            s.add(lab, segments(xs, other[0], mv), "distractor", color=col)
            s.add(lab, keys((0, xs + float(rng.uniform(-20, 20)), min(other[0] + dy, 415.0))), "distractor2", color=col)
            partial = (
                f"two other {plural(c)} start side by side, then one walks {dname} and the other stays: "
                f"close at the start, not together"
            )
    elif kind == "pair_static":
        # the standing pair and a lone stander share one band (far apart in x); the rest use the other band
        top = rng.random() < 0.5
        band, far_band = (float(rng.uniform(120, 150)), 360.0) if top else (float(rng.uniform(330, 360)), 120.0)
        left = rng.random() < 0.5
        x1 = float(rng.uniform(90, 150)) if left else float(rng.uniform(WIDTH - 150 - w, WIDTH - 90 - w))
        x2, y2 = x1 + w + float(rng.uniform(5, 20)), band + float(rng.uniform(-15, 15))
        s.add(lab, keys((0, x1, band)), "target", color=col)
        s.add(lab, keys((0, x2, y2)), "target2", color=col)
        exp = ["target", "target2"]
        xl = float(rng.uniform(470, 550)) if left else float(rng.uniform(90, 170))
        s.add(lab, keys((0, xl, band + float(rng.uniform(-20, 20)))), "distractor", color=col)
        v = float(rng.uniform(4.0, 6.0))
        mv = [(n, d * v, 0.0)]
        if rng.random() < 0.5:  # a pair walking together in the other band
            xm = fit_x(rng, mv)
            s.add(lab, segments(xm, far_band - 0.3 * h, mv), "distractor2", color=col)
            s.add(lab, segments(xm + float(rng.uniform(-20, 20)), far_band + 0.3 * h + 8, mv), "distractor3", color=col)
            partial = (
                f"another {c} stands alone (a reading without 'two / together' takes it too); a pair walks "
                f"together (a reading without 'standing' takes it)"
            )
        else:  # another lone stander in the other band, and a walker there too
            s.add(
                lab,
                keys((0, float(rng.uniform(150, 490)), far_band + float(rng.uniform(-30, 0)))),
                "distractor2",
                color=col,
            )
            s.add(lab, segments(fit_x(rng, mv), far_band + 60 if top else far_band - 60, mv), "distractor3", color=col)
            partial = (
                f"two more {plural(c)} stand still, each alone and far apart; 'the {plural(c)} standing "
                f"still' takes all four, only 'next to each other' picks the pair"
            )
    elif kind == "all_direction":
        m = int(rng.integers(2, 5))
        opp = int(rng.integers(1, 3))
        still = m + opp < 5 and rng.random() < 0.5
        total = m + opp + int(still)
        ys = rows(rng, total, 90, 400)
        exp = []
        for i in range(m):
            r = f"target{i}" if i else "target"
            mv = [(n, d * float(rng.uniform(3.0, 8.0)), 0.0)]
            s.add(lab, segments(fit_x(rng, mv), ys[i], mv), r, color=col)
            exp.append(r)
        for j in range(opp):
            mv = [(n, -d * float(rng.uniform(3.0, 8.0)), 0.0)]
            s.add(lab, segments(fit_x(rng, mv), ys[m + j], mv), f"distractor{j or ''}", color=col)
        if still:
            s.add(lab, keys((0, float(rng.uniform(120, 520)), ys[-1])), "distractor_still", color=col)
        partial = (
            f"{opp} more {c if opp == 1 else plural(c)} go{'es' if opp == 1 else ''} the other way"
            f"{' and one stands' if still else ''}; 'all the {plural(c)}' takes them too, a singular reading "
            f"picks one of {m}"
        )
    else:  # group_three
        v = float(rng.uniform(3.5, 5.5))
        mv = [(n, d * v, 0.0)]
        top = rng.random() < 0.5
        dy = 0.4 * h + float(rng.uniform(5, 10))
        yc = (90 + dy) if top else (HEIGHT - 90 - dy)
        xc = fit_x(rng, mv, 60 + w, WIDTH - 60 - w)
        offsets = [(0.0, 0.0), (-d * 0.9 * w, dy), (-d * 0.9 * w + float(rng.uniform(-12, 12)), -dy)]
        exp = []
        for i, (ox, oy) in enumerate(offsets):
            r = f"target{i}" if i else "target"
            s.add(lab, segments(xc + ox, yc + oy + float(rng.uniform(-5, 5)), mv), r, color=col)
            exp.append(r)
        yo = (HEIGHT - 100.0) if top else 100.0
        xo = fit_x(rng, mv)
        s.add(lab, segments(xo, yo, [(n, d * (v + float(rng.uniform(-0.3, 0.3))), 0)]), "distractor", color=col)
        ym = (yc + (dy if top else -dy) + yo) / 2  # midway between the group and the lone walker
        if rng.random() < 0.5:
            mo = [(n, -d * v, 0.0)]
            s.add(lab, segments(fit_x(rng, mo), ym, mo), "distractor2", color=col)
            what = "another walks the other way"
        else:
            s.add(lab, keys((0, float(rng.uniform(120, 520)), ym)), "distractor2", color=col)
            what = "another stands"
        partial = (
            f"a fourth {c} walks {dname} alone at the same speed, far from the group ({what}); "
            f"'the {plural(c)} going {dname}' takes four, only 'together / group' picks the three"
        )
    query = say(rng, pick(rng, GROUP_V2[kind][style]), c=c, cs=plural(c), col=col, d=dname)
    return Built(query, s, exp, partial, kind)


# ---------------------------------------------------------------- ordinals in time

ORDINAL_V2 = {
    "start_first": {
        "mevis": [
            "the {c} that sets off first",
            "{c} which is the first one to get moving",
            "the {c} that begins to move before the others",
        ],
        "ytvos": ["a {col} {c} is the first to begin {v}", "the {col} {c} that gets going earlier than the others"],
        "davis": ["the {col} {c} moving off first", "a {c} in {col} setting off first"],
    },
    "start_last": {
        "mevis": [
            "the {c} that waits the longest before moving",
            "{c} which is the last one to get moving",
            "the {c} that sets off last",
        ],
        "ytvos": ["the {col} {c} that begins {v} after all the others", "a {col} {c} is the last one to set off"],
        "davis": ["the {col} {c} setting off last", "a {c} in {col} last to get moving"],
    },
    "stop_first": {
        "mevis": [
            "the {c} that halts first",
            "{c} which is the first one to stand still",
            "the {c} that stops before the others do",
        ],
        "ytvos": ["a {col} {c} is the first to come to a stop", "the {col} {c} that stops {v} earliest"],
        "davis": ["the {col} {c} halting first", "a {c} in {col} first to stop"],
    },
    "stop_last": {
        "mevis": [
            "the {c} that keeps {v} after the others have stopped",
            "{c} which is the last one to come to a stop",
            "the {c} that halts last",
        ],
        "ytvos": ["a {col} {c} is the last to stop {v}", "the {col} {c} that stops after all the others"],
        "davis": ["the {col} {c} halting last", "a {c} in {col} last to stop"],
    },
    "arrive_first": {
        "mevis": [
            "the {c} that reaches the {a} first",
            "{c} which gets to the {a} before the others",
            "the first {c} to arrive at the {a}",
        ],
        "ytvos": ["a {col} {c} is the first one to get to the {a}", "the {col} {c} that arrives at the {a} earliest"],
        "davis": ["the {col} {c} reaching the {a} first", "a {c} in {col} first to arrive at the {a}"],
    },
    "arrive_last": {
        "mevis": [
            "the {c} that reaches the {a} last",
            "{c} which arrives at the {a} after the others",
            "the last {c} to get to the {a}",
        ],
        "ytvos": ["a {col} {c} is the last one to reach the {a}", "the {col} {c} that gets to the {a} after the rest"],
        "davis": ["the {col} {c} arriving last at the {a}", "a {c} in {col} last to reach the {a}"],
    },
    "enter_first": {
        "mevis": [
            "the {c} that comes into view first",
            "{c} which enters the frame before the others",
            "the first {c} to walk into the picture",
        ],
        "ytvos": ["a {col} {c} is the first to walk into the scene", "the {col} {c} that enters the frame earliest"],
        "davis": ["the {col} {c} entering first", "a {c} in {col} first to come into the picture"],
    },
    "leave_first": {
        "mevis": [
            "the {c} that exits the frame first",
            "{c} which is the first one to disappear from view",
            "the first {c} to walk out of the picture",
        ],
        "ytvos": [
            "a {col} {c} goes out of the frame before the others",
            "the {col} {c} that leaves the scene earliest",
        ],
        "davis": ["the {col} {c} exiting first", "a {c} in {col} first to go out of view"],
    },
}
ORDINAL_KINDS_V2 = tuple(ORDINAL_V2)  # 8 kinds, prime to the 3 styles
WALKERS = ("dog", "cat", "horse", "man", "woman", "person", "sheep", "cow", "zebra", "rabbit")


def _start_stop(rng: np.random.Generator, lane: float, wait: int, go: int, v: float, d: int, n: int) -> Path:
    """Stand ``wait`` frames, move ``go`` frames at ``v`` (direction ``d``), stand for the rest, placed in view."""
    moves: Moves = [(wait, 0.0, 0.0), (go, d * v, 0.0), (n - wait - go, 0.0, 0.0)]
    return segments(fit_x(rng, moves), lane, [mv for mv in moves if mv[0] > 0])


def b_ordinal_v2(rng: np.random.Generator, k: int, style: str) -> Built:
    kind = ORDINAL_KINDS_V2[k % len(ORDINAL_KINDS_V2)]
    col = pick(rng, COLORS)
    n = 50
    s = Scene(rng, n)
    c = pick(rng, WALKERS)
    lab = label_of(c)
    w, h = size(c)
    a = ""
    count = int(rng.integers(2, 4))
    ys = lanes(rng, count, 100, 400)

    def way() -> int:
        return lr(rng)[1]

    if kind == "start_first":
        t0 = int(rng.integers(3, 8))
        plan = [
            ("target", t0, float(rng.uniform(2.5, 3.5))),
            ("distractor", t0 + int(rng.integers(11, 17)), float(rng.uniform(6.0, 8.5))),
            ("distractor2", t0 + int(rng.integers(22, 29)), float(rng.uniform(6.0, 8.5))),
        ][:count]
        for lane, (role, t, v) in zip(ys, plan, strict=True):
            s.add(lab, _start_stop(rng, lane, t, n - t, v, way(), n), role, color=col)
        partial = (
            f"all {count} stand, then set off, the others later and faster; 'the moving {c}' prefers a "
            f"later, faster one, only the start times separate"
        )
    elif kind == "start_last":
        t0 = int(rng.integers(27, 33))
        plan = [
            ("target", t0, float(rng.uniform(7.0, 9.0))),
            ("distractor", int(rng.integers(2, 7)), float(rng.uniform(3.0, 4.5))),
            ("distractor2", int(rng.integers(12, 19)), float(rng.uniform(4.0, 6.0))),
        ][:count]
        for lane, (role, t, v) in zip(ys, plan, strict=True):
            s.add(lab, _start_stop(rng, lane, t, n - t, v, way(), n), role, color=col)
        partial = (
            f"all {count} stand, then set off; the target starts last and fastest: 'the fastest {c}' happens "
            f"to agree, 'the {c} that starts moving' ties them all"
        )
    elif kind == "stop_first":
        t0 = int(rng.integers(12, 17))
        plan = [
            ("target", t0, float(rng.uniform(7.5, 9.0))),
            ("distractor", int(rng.integers(28, 35)), float(rng.uniform(3.5, 5.0))),
            ("distractor2", n, float(rng.uniform(3.5, 5.0))),
        ][:count]
        for lane, (role, t, v) in zip(ys, plan, strict=True):
            s.add(lab, _start_stop(rng, lane, 0, t, v, way(), n), role, color=col)
        partial = (
            f"{'both move and stop' if count == 2 else 'two stop, one never does'}; the later stopper is a "
            f"slow walker; 'the {c} that stops' cannot separate them without 'first'"
        )
    elif kind == "stop_last":
        t0 = int(rng.integers(38, 43))
        plan = [
            ("target", t0, float(rng.uniform(3.0, 4.0))),
            ("distractor", int(rng.integers(12, 17)), float(rng.uniform(8.0, 10.0))),
            ("distractor2", int(rng.integers(24, 30)), float(rng.uniform(5.5, 7.0))),
        ][:count]
        for lane, (role, t, v) in zip(ys, plan, strict=True):
            s.add(lab, _start_stop(rng, lane, 0, t, v, way(), n), role, color=col)
        partial = (
            f"all {count} walk from the start and stop; the target is the slowest and stops last, so "
            f"'the {c} that stops' ties and 'the fastest' picks another"
        )
    elif kind in ("arrive_first", "arrive_last"):
        a = pick(rng, [x for x in ("person", "car", "bicycle", "truck", "horse", "cow") if x != lab])
        wa, ha = size(a)
        dname, d = lr(rng)
        ax = WIDTH / 2 + d * float(rng.uniform(175, 205))
        ya = float(rng.uniform(215, 265))
        s.add(label_of(a), keys((0, ax, ya)), "anchor")
        near = (wa + w) / 2 + 10
        step = 0.5 * (ha + h) + 12
        places = [(ax - d * near, ya), (ax - d * (near - 15), ya - step), (ax - d * (near - 15), ya + step)]
        order = [int(i) for i in rng.permutation(3)][:count]
        room = abs(places[0][0] - (40 if d > 0 else WIDTH - 40))
        if kind == "arrive_first":
            arrivals = [
                ("target", int(rng.integers(16, 23)), float(rng.uniform(5.5, 7.5)), 0),
                ("distractor", int(rng.integers(30, 37)), float(rng.uniform(9.0, 10.5)), int(rng.integers(6, 12))),
                ("distractor2", int(rng.integers(40, 46)), float(rng.uniform(4.0, 5.5)), 0),
            ][:count]
            partial = (
                f"all walk to the {a} and stop there; one arriving later runs faster from farther, so "
                f"'the fastest {c}' or 'the {c} that reaches the {a}' picks it or ties"
            )
        else:
            arrivals = [
                ("target", int(rng.integers(40, 45)), float(rng.uniform(3.5, 5.0)), 0),
                ("distractor", int(rng.integers(15, 21)), float(rng.uniform(8.0, 10.0)), int(rng.integers(2, 6))),
                ("distractor2", int(rng.integers(26, 33)), float(rng.uniform(7.0, 9.0)), int(rng.integers(3, 9))),
            ][:count]
            partial = (
                f"all walk to the {a} and stop there; the target sets off first but walks slowest, so "
                f"'the {c} that reaches the {a}' ties and 'the first to move' picks it for the wrong reason"
            )
        for slot, (role, t_arrive, v, t_go) in zip(order, arrivals, strict=True):
            v = min(v, room / (t_arrive - t_go))
            sx, sy = places[slot]
            x0 = sx - d * v * (t_arrive - t_go)
            moves = [(t_go, 0.0, 0.0), (t_arrive - t_go, d * v, 0.0), (n - t_arrive, 0.0, 0.0)]
            s.add(lab, segments(x0, sy, [mv for mv in moves if mv[0] > 0]), role, color=col)
    elif kind == "enter_first":
        plan = [
            ("target", int(rng.integers(2, 7)), float(rng.uniform(3.0, 4.5))),
            ("distractor", int(rng.integers(15, 21)), float(rng.uniform(5.5, 7.5))),
            ("distractor2", int(rng.integers(27, 34)), float(rng.uniform(5.5, 7.5))),
        ][:count]
        for lane, (role, t, v) in zip(ys, plan, strict=True):
            d = way()
            x_off = -0.25 * w if d > 0 else WIDTH + 0.25 * w
            s.add(lab, segments(x_off, lane, [(t, 0.0, 0.0), (n - t, d * v, 0.0)]), role, color=col)
        partial = (
            f"every {c} walks in from a border, the later ones faster; 'the {c} entering the frame' ties "
            f"them, only 'first' separates"
        )
    else:  # leave_first
        plan = [
            ("target", int(rng.integers(14, 21)), float(rng.uniform(4.0, 5.5))),
            ("distractor", int(rng.integers(30, 39)), float(rng.uniform(7.0, 9.0))),
        ]
        for lane, (role, t, v) in zip(ys, plan, strict=False):
            d = way()
            x_exit = WIDTH + 0.2 * w if d > 0 else -0.2 * w
            s.add(lab, segments(x_exit - d * v * t, lane, [(n, d * v, 0.0)]), role, color=col)
        partial = f"two {plural(c)} walk out of the picture, the later one faster; 'the {c} that leaves' ties them"
        if count == 3:  # a third stays in view, walking slowly or standing
            if rng.random() < 0.5:
                s.add(lab, keys((0, float(rng.uniform(200, 440)), ys[2])), "distractor2", color=col)
            else:
                mv = [(n, way() * float(rng.uniform(1.5, 2.5)), 0.0)]
                s.add(lab, segments(fit_x(rng, mv, 150, WIDTH - 150), ys[2], mv), "distractor2", color=col)
            partial += "; a third stays in view"
    slots = {"c": spoken(rng, c), "col": col, "v": "walking", "a": spoken(rng, a) if a else ""}
    query = say(rng, pick(rng, ORDINAL_V2[kind][style]), **slots)
    return Built(query, s, ["target"], partial, kind)


# ---------------------------------------------------------------- sequences of phases

SEQUENCE_V2 = {
    "move_stop": {
        "mevis": [
            "{c} heading {d} before coming to a stop",
            "the {c} which goes {d} and then halts",
            "the {c} that moves toward the {d} and ends up standing still",
        ],
        "ytvos": [
            "a {col} {c} {vs} over to the {d} side and then stands still",
            "a {col} {c} heads {d} and stops after a while",
        ],
        "davis": ["a {col} {c} {v} {d}, then halting", "a {c} in {col} heading {d} and stopping"],
    },
    "stop_move": {
        "mevis": [
            "the {c} that stands still at first and then {rs} {d}",
            "{c} waiting, then {r} off to the {d}",
            "the {c} which stays put for a while before heading {d}",
        ],
        "ytvos": [
            "a {col} {c} is standing still, then it {rs} to the {d}",
            "a {col} {c} stays in one spot and later {rs} away to the {d}",
        ],
        "davis": ["a {col} {c} standing, then {r} {d}", "a {c} in {col} that waits and then sets off {d}"],
    },
    "slow_fast": {
        "mevis": [
            "the {c} that starts off slowly and then speeds up",
            "{c} {v} slowly at first, then fast to the {d}",
            "the {c} which moves slowly {d} and then breaks into a run",
        ],
        "ytvos": [
            "a {col} {c} is moving slowly toward the {d} before picking up speed",
            "a {col} {c} goes slow first, then fast",
        ],
        "davis": ["a {col} {c} slow at first then fast", "a {c} in {col} picking up speed heading {d}"],
    },
    "fast_slow": {
        "mevis": [
            "the {c} that runs {d} and then slows down",
            "{c} moving fast at first and then slowing to a walk",
            "the {c} which slows down after running {d}",
        ],
        "ytvos": [
            "a {col} {c} runs quickly to the {d}, then slows down",
            "a {col} {c} starts out fast and ends up moving slowly",
        ],
        "davis": ["a {col} {c} running then slowing down", "a {c} in {col} slowing down while going {d}"],
    },
    "turn_back": {
        "mevis": [
            "{c} heading {d} and then returning {o}",
            "the {c} which reverses direction after going {d}",
            "the {c} that turns around and walks back {o} after going {d}",
        ],
        "ytvos": [
            "a {col} {c} {vs} toward the {d} and then heads back the way it came",
            "a {col} {c} goes {d} for a while before turning around",
        ],
        "davis": ["a {col} {c} going {d} then back", "a {c} in {col} turning around after moving {d}"],
    },
    "pause_resume": {
        "mevis": [
            "the {c} that pauses while going {d} and then carries on",
            "{c} moving {d}, stopping briefly, then continuing {d}",
            "the {c} which stops for a moment and then keeps going {d}",
        ],
        "ytvos": ["a {col} {c} {vs} to the {d}, takes a short break, and then continues {d}"],
        "davis": ["a {col} {c} going {d} with a short stop", "a {c} in {col} pausing, then going on {d}"],
    },
    "pause_return": {
        "mevis": [
            "the {c} that goes {d}, stops, and then comes back {o}",
            "{c} heading {d}, halting, then walking back",
            "the {c} which stops after going {d} and then turns back",
        ],
        "ytvos": ["a {col} {c} {vs} to the {d}, stands for a moment, then {vs} back to the {o}"],
        "davis": ["a {col} {c} going {d}, stopping and turning back", "a {c} in {col} that halts and then returns {o}"],
    },
    "still_move_still": {
        "mevis": [
            "the {c} that stands, then {vs} {d}, then stops again",
            "{c} resting, then moving {d}, then standing still once more",
            "the {c} which waits, walks {d} for a while, and stops again",
        ],
        "ytvos": ["a {col} {c} waits, then {vs} to the {d} and comes to rest again"],
        "davis": [
            "a {col} {c} still, moving {d}, then still again",
            "a {c} in {col} briefly {v} {d} between two stops",
        ],
    },
}
SEQUENCE_KINDS_V2 = tuple(SEQUENCE_V2)  # 8 kinds, prime to the 3 styles

# phases as (frames, speed along the named direction); a distractor list starts with the one that must be there
Phases = list[tuple[int, float]]


def _sequence_plan(rng: np.random.Generator, kind: str, n: int) -> tuple[Phases, list[tuple[str, Phases]]]:
    v = float(rng.uniform(5.0, 7.5))
    h = n // 2 + int(rng.integers(-4, 5))
    if kind == "move_stop":
        h2 = n // 2 + int(rng.integers(-4, 5))
        return [(h, v), (n - h, 0)], [
            ("reversed order (stands, then goes the named way)", [(h2, 0), (n - h2, v)]),
            ("never stops (the named way throughout)", [(n, 0.9 * v)]),
            ("goes the other way, then stops", [(h, -v), (n - h, 0)]),
        ]
    if kind == "stop_move":
        vr = float(rng.uniform(9.0, 11.0))
        h2 = n // 2 + int(rng.integers(-4, 5))
        return [(h, 0), (n - h, vr)], [
            ("reversed order (goes the named way, then stands)", [(h2, vr), (n - h2, 0)]),
            ("stands, then goes the other way", [(h, 0), (n - h, -vr)]),
            ("stands throughout", [(n, 0)]),
        ]
    slow, fast = float(rng.uniform(2.0, 3.0)), float(rng.uniform(9.5, 11.5))
    if kind == "slow_fast":
        return [(h, slow), (n - h, fast)], [
            ("fast, then slow, the same way", [(h, fast), (n - h, slow)]),
            ("a steady medium speed, the same way", [(n, (slow + fast) / 2)]),
            ("slow, then fast, the other way", [(h, -slow), (n - h, -fast)]),
        ]
    if kind == "fast_slow":
        return [(h, fast), (n - h, slow)], [
            ("slow, then fast, the same way", [(h, slow), (n - h, fast)]),
            ("a steady medium speed, the same way", [(n, (slow + fast) / 2)]),
            ("fast, then slow, the other way", [(h, -fast), (n - h, -slow)]),
        ]
    if kind == "turn_back":
        return [(h, v), (n - h, -v)], [
            ("the other way first, then back the named way", [(h, -v), (n - h, v)]),
            ("the named way without turning", [(n, v)]),
            ("the named way, then stops", [(h, v), (n - h, 0)]),
        ]
    p = int(rng.integers(10, 15))
    a1 = (n - p) // 2 + int(rng.integers(-4, 5))
    rest = n - p - a1
    if kind == "pause_resume":
        return [(a1, v), (p, 0), (rest, v)], [
            ("pauses, then turns back", [(a1, v), (p, 0), (rest, -v)]),
            ("the named way without pausing", [(n, 0.85 * v)]),
            ("the named way, then stops for good", [(a1, v), (n - a1, 0)]),
            ("the other way with a pause", [(a1, -v), (p, 0), (rest, -v)]),
        ]
    if kind == "pause_return":
        return [(a1, v), (p, 0), (rest, -v)], [
            ("pauses, then carries on the named way", [(a1, v), (p, 0), (rest, v)]),
            ("turns back without stopping", [(a1 + p // 2, v), (n - a1 - p // 2, -v)]),
            ("the other way, pause, back", [(a1, -v), (p, 0), (rest, v)]),
            ("the named way, then stops for good", [(a1, v), (n - a1, 0)]),
        ]
    # still_move_still
    w0 = int(rng.integers(12, 19))
    m = int(rng.integers(20, 27))
    return [(w0, 0), (m, v), (n - w0 - m, 0)], [
        ("stands, then goes the named way to the end", [(w0, 0), (n - w0, v)]),
        ("goes the named way from the start, then stops", [(m, v), (n - m, 0)]),
        ("stands, the other way, stands", [(w0, 0), (m, -v), (n - w0 - m, 0)]),
    ]


def place_sequence(rng: np.random.Generator, s: Scene, lab: str, col: str, d: int, template: str, target: Phases,
                   candidates: list[tuple[str, Phases]]) -> list[tuple[str, Phases]]:
    """The target's phases and some of the candidate distractors' (the first always), one lane each, going
    the named way ``d``; a candidate going the other way only when the template names a direction. Returns the
    distractors chosen, with why each is one."""
    if "{d}" not in template and "{o}" not in template:  # no direction named: a mirrored distractor would match too
        candidates = [(why, ph) for why, ph in candidates if "other way" not in why]
    key, rest = candidates[0], candidates[1:]
    extra = int(rng.integers(1, len(rest) + 1)) if rest else 0
    chosen = [key] + [rest[int(i)] for i in sorted(rng.permutation(len(rest))[:extra])]
    ys = lanes(rng, 1 + len(chosen), 100, 400)
    for i, (phases, lane) in enumerate(zip([target] + [ph for _, ph in chosen], ys, strict=True)):
        moves: Moves = [(f, d * v, 0.0) for f, v in phases]
        role = "target" if i == 0 else ("distractor" if i == 1 else f"distractor{i}")
        s.add(lab, segments(fit_x(rng, moves), lane, moves), role, color=col)
    return chosen


def b_sequence_v2(rng: np.random.Generator, k: int, style: str) -> Built:
    kind = SEQUENCE_KINDS_V2[k % len(SEQUENCE_KINDS_V2)]
    col = pick(rng, COLORS)
    n = 60 if kind in ("pause_resume", "pause_return", "still_move_still") else 50
    s = Scene(rng, n)
    c = pick(rng, WALKERS)
    lab = label_of(c)
    dname, d = lr(rng)
    template = pick(rng, SEQUENCE_V2[kind][style])
    target, candidates = _sequence_plan(rng, kind, n)
    chosen = place_sequence(rng, s, lab, col, d, template, target, candidates)
    partial = "; ".join(f"one {why}" for why, _ in chosen) + ": each matches a phase or the phases in another order"
    query = say(
        rng,
        template,
        c=spoken(rng, c),
        col=col,
        d=dname,
        o=other_side(dname),
        v="walking",
        vs="walks",
        r="running",
        rs="runs",
    )
    return Built(query, s, ["target"], partial, kind)


# structure → (builder, number of cases)
BUILDERS_V2: dict[str, tuple[Callable[[np.random.Generator, int, str], Built], int]] = {
    "interaction": (b_interaction_v2, 32),
    "group": (b_group_v2, 24),
    "ordinal": (b_ordinal_v2, 24),
    "sequence": (b_sequence_v2, 24),
}
