"""The case builders: one per structure, each writing its own expressions and a window that answers them.

Every builder gets a seeded rng, the case's index within its structure and a
style (``mevis``: motion first, "the X that ..."; ``ytvos``: a sentence with
colour, action and place, "a brown dog is running ..."; ``davis``: a short
noun phrase with a participle, "a man in black walking ..."), and returns a
:class:`Built`: the query, the scene, the roles that are the answer and the
partial reading the scene is built to defeat (what a reader that drops part of
the expression would pick, or fail to separate). The wording is ours; no text
is taken from the benchmarks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from rvos_ros.testing.language_set.scene import WIDTH, Scene, circle, keys, segments, wave

STYLES = ("mevis", "ytvos", "davis")
COLORS = ("brown", "black", "white", "grey", "red", "blue", "yellow", "green")
PLURALS = {
    "person": "people",
    "sheep": "sheep",
    "bus": "buses",
    "man": "men",
    "woman": "women",
    "child": "children",
    "puppy": "puppies",
    "pony": "ponies",
}
# spoken noun → detector label (the plain structures use the label itself or a common everyday noun)
NOUNS = {
    "dog": "dog",
    "cat": "cat",
    "horse": "horse",
    "man": "person",
    "woman": "person",
    "person": "person",
    "car": "car",
    "bird": "bird",
    "sheep": "sheep",
    "cow": "cow",
    "duck": "duck",
    "rabbit": "rabbit",
    "zebra": "zebra",
    "elephant": "elephant",
}
ANIMALS = ("dog", "cat", "horse", "sheep", "cow", "duck", "rabbit", "zebra", "elephant", "bird")
MOVERS = ("dog", "cat", "horse", "man", "woman", "person", "sheep", "cow", "zebra", "rabbit", "car")


@dataclass
class Built:
    query: str
    scene: Scene
    expected: list[str]
    partial: str
    detail: str


def plural(noun: str) -> str:
    return PLURALS.get(noun, noun + "s")


def article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


def pick(rng: np.random.Generator, seq):
    return seq[int(rng.integers(len(seq)))]


def verb(noun: str, fast: bool = False) -> str:
    """A fitting motion verb (participle) for a spoken noun."""
    label = NOUNS.get(noun, noun)
    if label in ("car", "truck", "bus", "motorcycle"):
        return "speeding" if fast else "driving"
    if label in ("bird", "duck") and fast:
        return "flying"
    return "running" if fast else "walking"


def fill(rng: np.random.Generator, style: str, forms: dict[str, list[str]], **slots: str) -> str:
    """One of the style's templates, filled in ("a" before a vowel becomes "an"; "a car in red" → "a red car")."""
    text = pick(rng, forms[style])
    noun = slots.get("c", slots.get("p", ""))
    if NOUNS.get(noun, noun) != "person":
        text = text.replace("{c} in {col}", "{col} {c}").replace("{cs} in {col}", "{col} {cs}")
    else:  # people are described by their clothes
        for key in ("c", "cs", "p"):
            text = text.replace(f"{{col}} {{{key}}}", f"{{{key}}} in {{col}}")
    words = text.format(**slots).split(" ")
    for i, w in enumerate(words):
        if w.lower() == "a" and i + 1 < len(words) and words[i + 1][:1] in "aeiou":
            words[i] = w + "n"
    return " ".join(words)


def lr(rng: np.random.Generator) -> tuple[str, int]:
    return ("left", -1) if rng.random() < 0.5 else ("right", 1)


def other_side(side: str) -> str:
    return {"left": "right", "right": "left", "top": "bottom", "bottom": "top"}[side]


def rows(rng: np.random.Generator, k: int, lo: float = 110, hi: float = 390, gap: float = 90) -> list[float]:
    """k distinct image rows (y) at least ``gap`` apart, in random order."""
    base = np.linspace(lo, hi, k) if k > 1 else np.array([(lo + hi) / 2])
    base = base + rng.uniform(-8, 8, size=k)
    return [float(v) for v in rng.permutation(base)]


def filler(rng: np.random.Generator, scene: Scene, exclude: tuple[str, ...], y: float | None = None) -> None:
    """An unrelated object of another category, static or wandering, so the category matters."""
    label = pick(rng, [c for c in ("ball", "bicycle", "car", "bird", "person", "cow") if c not in exclude])
    x = float(rng.uniform(80, 560))
    y = float(rng.uniform(100, 380)) if y is None else y
    if rng.random() < 0.5:
        scene.add(label, keys((0, x, y)), "filler")
    else:
        v = float(rng.uniform(-3, 3))
        scene.add(label, segments(x, y, [(scene.num_frames, v, 0.0)]), "filler")


def noun_and_label(rng: np.random.Generator, pool=MOVERS) -> tuple[str, str]:
    noun = pick(rng, pool)
    return noun, NOUNS[noun]


# ---------------------------------------------------------------- interactions

INTERACTION = {
    "approach": {
        "mevis": [
            "the {c} walking towards the {a}",
            "{c} approaching the {a}",
            "the {c} that comes closer to the {a}",
            "{c} moving toward the {a}",
        ],
        "ytvos": [
            "a {col} {c} is walking up to the {a}",
            "a {col} {c} is approaching the {a} from the side",
            "the {col} {c} that is moving closer to the {a}",
        ],
        "davis": [
            "a {col} {c} approaching the {a}",
            "a {c} in {col} walking up to the {a}",
            "the {col} {c} heading for the {a}",
        ],
    },
    "move_away": {
        "mevis": [
            "the {c} moving away from the {a}",
            "{c} walking away from the {a}",
            "the {c} that leaves the {a} behind",
            "{c} getting farther from the {a}",
        ],
        "ytvos": ["a {col} {c} is walking away from the {a}", "a {col} {c} is moving off, away from the {a}"],
        "davis": ["a {col} {c} going away from the {a}", "a {c} in {col} walking away from the {a}"],
    },
    "follow": {
        "mevis": [
            "the {c} following the {a}",
            "{c} walking behind the {a}",
            "the {c} that follows the {a}",
            "{c} trailing after the {a}",
        ],
        "ytvos": ["a {col} {c} is following the {a} along the path", "a {col} {c} is walking behind the {a}"],
        "davis": ["a {col} {c} following a {a}", "a {c} in {col} walking after the {a}"],
    },
    "chase": {
        "mevis": ["the {c} chasing the {a}", "{c} running after the {a}", "the {c} that chases the {a}"],
        "ytvos": ["a {col} {c} is chasing a {a} across the field", "a {col} {c} is running after the {a}"],
        "davis": ["a {col} {c} chasing the {a}", "a {c} in {col} running after a {a}"],
    },
    "overtake": {
        "mevis": ["the {c} that overtakes the {a}", "{c} passing the {a} from behind", "the {c} overtaking the {a}"],
        "ytvos": ["a {col} {c} is overtaking the {a} on the road", "a {col} {c} is passing the slower {a}"],
        "davis": ["a {col} {c} overtaking a {a}", "the {col} {c} that gets ahead of the {a}"],
    },
    "meet": {
        "mevis": ["the {c} that meets the {a}", "{c} walking to meet the {a}", "the {c} that walks up to meet the {a}"],
        "ytvos": ["a {col} {c} is walking over to meet the {a}", "a {col} {c} meets the {a} in the middle"],
        "davis": ["a {col} {c} meeting the {a}", "a {c} in {col} meeting a {a}"],
    },
    "pass_by": {
        "mevis": ["the {c} passing by the {a}", "{c} walking past the {a}", "the {c} that goes past the {a}"],
        "ytvos": ["a {col} {c} is walking past the parked {a}", "a {col} {c} is passing by the {a}"],
        "davis": ["a {col} {c} walking past a {a}", "a {c} in {col} passing the {a}"],
    },
}
INTERACTION_KINDS = tuple(INTERACTION)


def b_interaction(rng: np.random.Generator, k: int, style: str) -> Built:
    kind = INTERACTION_KINDS[k % len(INTERACTION_KINDS)]
    col = pick(rng, COLORS)
    n = 40
    s = Scene(rng, n)
    _, d = lr(rng)
    y0, y1, y2 = rows(rng, 3)
    if kind in ("approach", "move_away"):
        c, a = pick(
            rng,
            [
                ("dog", "man"),
                ("cat", "car"),
                ("horse", "woman"),
                ("person", "car"),
                ("sheep", "dog"),
                ("cow", "person"),
            ],
        )
        la, lc = NOUNS.get(a, a), NOUNS.get(c, c)
        ax = 320 + rng.uniform(-30, 30)
        s.add(la, keys((0, ax, y0)), "anchor")
        v = rng.uniform(5, 7)
        far, near = ax - d * (80 + v * n), ax - d * 80
        toward = segments(far, y1, [(n, d * v, 0)])  # ends next to the anchor
        away = segments(ax + d * 80, y2, [(n, d * v, 0)])  # starts next to it, same direction and speed
        s.add(lc, toward if kind == "approach" else away, "target", color=col)
        s.add(lc, away if kind == "approach" else toward, "distractor", color=col)
        del near
        partial = (
            f"'{c} walking {'right' if d > 0 else 'left'}' fits both {c}s (same direction and speed); "
            f"only the relation to the {a} separates them"
        )
    elif kind == "follow":
        c, a = pick(rng, [("dog", "man"), ("dog", "woman"), ("sheep", "dog"), ("horse", "person"), ("duck", "duck")])
        if a == c:
            a = "person"
        la, lc = NOUNS.get(a, a), NOUNS.get(c, c)
        v = rng.uniform(4, 6)
        x0 = 320 - d * 170
        s.add(la, segments(x0, y0, [(n, d * v, 0)]), "anchor")
        s.add(lc, segments(x0 - d * 90, y0 + 20, [(n, d * v, 0)]), "target", color=col)
        s.add(lc, segments(x0 + d * 90, y0 - 20, [(n, d * v, 0)]), "distractor", color=col)
        partial = (
            f"both {c}s move with the {a} at its speed; the one ahead leads it, so a reading without "
            f"'behind/after' cannot tell them apart"
        )
    elif kind == "chase":
        c, a = pick(rng, [("dog", "ball"), ("cat", "bird"), ("dog", "cat"), ("person", "dog"), ("dog", "rabbit")])
        la, lc = NOUNS.get(a, a), NOUNS.get(c, c)
        v = rng.uniform(9, 11)
        x0 = 320 - d * 150
        s.add(la, segments(x0, y0, [(n // 2, d * v * 0.6, 0), (n - n // 2, d * v * 0.6, 0)]), "anchor")
        s.add(lc, segments(x0 - d * 110, y0 + 15, [(n, d * v * 0.6, 0)]), "target", color=col)
        s.add(
            lc, segments(x0 - d * 110, y2 if abs(y2 - y0) > 150 else y1, [(n, d * v * 0.6, 0)]), "distractor", color=col
        )
        way = "right" if d > 0 else "left"
        partial = f"both {c}s run {way} at the same speed; only the nearby {a} ahead marks the chaser"
    elif kind == "overtake":
        c, a = pick(
            rng, [("car", "truck"), ("motorcycle", "car"), ("car", "bus"), ("horse", "cow"), ("bicycle", "person")]
        )
        la, lc = NOUNS.get(a, a), NOUNS.get(c, c)
        v = rng.uniform(3.5, 4.5)
        xs = 320 - d * 260
        s.add(la, segments(xs + d * 110, y0, [(n, d * v, 0)]), "anchor")
        s.add(lc, segments(xs - d * 20, y0 + 45, [(n, d * 2 * v, 0)]), "target", color=col)
        s.add(
            lc, segments(xs + d * 260, y1 if abs(y1 - y0) > 100 else y2, [(n, d * 2.1 * v, 0)]), "distractor", color=col
        )
        partial = f"the distractor {c} is a little faster and always ahead of the {a}: 'the fast {c}' picks it"
    elif kind == "meet":
        c, a = pick(rng, [("dog", "cat"), ("man", "woman"), ("horse", "cow"), ("sheep", "dog"), ("duck", "rabbit")])
        la, lc = NOUNS.get(a, a), NOUNS.get(c, c)
        v = rng.uniform(5, 6)
        m = 30
        mx = 320 + rng.uniform(-30, 30)
        s.add(la, segments(mx + d * (40 + v * m), y0, [(m, -d * v, 0), (n - m, 0, 0)]), "anchor")
        s.add(lc, segments(mx - d * (40 + v * m), y0 + 10, [(m, d * v, 0), (n - m, 0, 0)]), "target", color=col)
        s.add(
            lc,
            segments(mx - d * (40 + v * m), y2 if abs(y2 - y0) > 150 else y1, [(m, d * v, 0), (n - m, 0, 0)]),
            "distractor",
            color=col,
        )
        partial = f"both {c}s walk the same way and stop at the same time; only one ends beside the {a}"
    else:  # pass_by
        c, a = pick(rng, [("person", "car"), ("dog", "bicycle"), ("woman", "car"), ("horse", "truck"), ("cat", "ball")])
        la, lc = NOUNS.get(a, a), NOUNS.get(c, c)
        v = rng.uniform(7, 9)
        ax = 320 + rng.uniform(-20, 20)
        ya, yo = (200.0, 400.0) if rng.random() < 0.5 else (300.0, 100.0)
        s.add(la, keys((0, ax, ya)), "anchor")
        s.add(lc, segments(ax - d * 170, ya + 55, [(n, d * v, 0)]), "target", color=col)
        s.add(lc, segments(ax - d * 170, yo, [(n, d * v, 0)]), "distractor", color=col)
        partial = f"both {c}s cross the view at the same speed; only one passes next to the {a}"
    cn = c if c != "person" else pick(rng, ["person", "man", "woman"])
    query = fill(rng, style, INTERACTION[kind], c=cn, a=a, col=col)
    return Built(query, s, ["target"], partial, kind)


# ---------------------------------------------------------------- passive voice

PASSIVE = {
    "chased": {
        "mevis": ["the {p} being chased by the {g}", "{p} that is chased by the {g}", "the {p} the {g} is chasing"],
        "ytvos": ["a {col} {p} is being chased by a {g}", "a {col} {p} being chased across the grass by the {g}"],
        "davis": ["a {col} {p} chased by a {g}", "the {col} {p} that is being chased by a {g}"],
    },
    "followed": {
        "mevis": ["the {p} being followed by the {g}", "{p} that is followed by the {g}", "the {p} the {g} follows"],
        "ytvos": ["a {col} {p} is being followed by a {g}", "a {col} {p} walking ahead, followed by the {g}"],
        "davis": ["a {col} {p} followed by a {g}", "the {col} {p} being followed by the {g}"],
    },
    "approached": {
        "mevis": [
            "the {p} being approached by the {g}",
            "{p} that is approached by the {g}",
            "the {p} the {g} walks up to",
        ],
        "ytvos": ["a {col} {p} is being approached by a {g}", "a {col} {p} standing there as a {g} walks toward it"],
        "davis": ["a {col} {p} approached by a {g}", "the {col} {p} being approached by a {g}"],
    },
    "overtaken": {
        "mevis": ["the {p} being overtaken by the {g}", "{p} that gets overtaken by the {g}", "the {p} the {g} passes"],
        "ytvos": ["a {col} {p} is being overtaken by a {g}", "a {col} {p} being passed by the faster {g}"],
        "davis": ["a {col} {p} overtaken by a {g}", "the {col} {p} being passed by a {g}"],
    },
}


def b_passive(rng: np.random.Generator, k: int, style: str) -> Built:
    kind = tuple(PASSIVE)[k % len(PASSIVE)]
    col = pick(rng, COLORS)
    n = 40
    s = Scene(rng, n)
    _, d = lr(rng)
    y0, y1, y2 = rows(rng, 3, gap=120)
    if kind == "chased":
        p, g = pick(rng, [("ball", "dog"), ("cat", "dog"), ("bird", "cat"), ("rabbit", "dog"), ("sheep", "dog")])
        v = rng.uniform(6, 7)
        x0 = 320 - d * 120
        s.add(p, segments(x0, y0, [(n, d * v, 0)]), "target", color=col)
        s.add(g, segments(x0 - d * 110, y0 + 15, [(n, d * v, 0)]), "agent")
        s.add(p, segments(x0 - d * 40, y1 if abs(y1 - y0) > 150 else y2, [(n, d * v, 0)]), "distractor", color=col)
        partial = (
            f"the {g} (the chaser) is the actor of 'chased'; a reading that drops the passive picks it; "
            f"the other {p} moves the same way with nothing behind it"
        )
    elif kind == "followed":
        p, g = pick(rng, [("sheep", "dog"), ("person", "dog"), ("cow", "horse"), ("duck", "dog"), ("horse", "person")])
        v = rng.uniform(4, 5)
        x0 = 320 - d * 100
        s.add(p, segments(x0, y0, [(n, d * v, 0)]), "target", color=col)
        s.add(g, segments(x0 - d * 100, y0 + 15, [(n, d * v, 0)]), "agent")
        s.add(p, segments(x0 + d * 40, y1 if abs(y1 - y0) > 150 else y2, [(n, d * v, 0)]), "distractor", color=col)
        partial = f"the {g} is the follower; the other {p} walks the same way at the same speed, alone"
    elif kind == "approached":
        p, g = pick(rng, [("person", "horse"), ("car", "person"), ("cat", "dog"), ("cow", "dog"), ("sheep", "person")])
        v = rng.uniform(5, 6)
        px = 320 + d * 170
        s.add(p, keys((0, px, y0)), "target", color=col)
        s.add(g, segments(px - d * (60 + v * n), y0 + 10, [(n, d * v, 0)]), "agent")
        s.add(p, keys((0, px - d * (60 + v * n) - d * 10, y1 if abs(y1 - y0) > 150 else y2)), "distractor", color=col)
        partial = (
            f"both {p}s stand still; the {g} walks toward one and away from the other, and is itself "
            f"the mover a dropped passive picks"
        )
    else:  # overtaken
        p, g = pick(
            rng,
            [("truck", "motorcycle"), ("bus", "car"), ("car", "motorcycle"), ("cow", "horse"), ("person", "bicycle")],
        )
        v = rng.uniform(3.5, 4.5)
        xs = 320 - d * 230
        s.add(p, segments(xs, y0, [(n, d * v, 0)]), "target", color=col)
        s.add(g, segments(xs - d * 110, y0 + 40, [(n, d * 2 * v, 0)]), "agent")
        s.add(p, segments(xs + d * 250, y1 if abs(y1 - y0) > 150 else y2, [(n, d * v, 0)]), "distractor", color=col)
        partial = f"the {g} is the overtaker; the other {p} moves identically but stays ahead of it"
    pn = p if p != "person" else pick(rng, ["person", "man", "woman"])
    gn = g if g != "person" else pick(rng, ["person", "man"])
    query = fill(rng, style, PASSIVE[kind], p=pn, g=gn, col=col)
    return Built(query, s, ["target"], partial, kind)


# ---------------------------------------------------------------- sequences of phases

SEQUENCE = {
    "move_stop": {
        "mevis": [
            "{c} {v} to the {d} then stopping",
            "the {c} that moves {d} first and then stays still",
            "{c} going {d} and then standing still",
            "the {c} that {vs} {d}, then stops",
        ],
        "ytvos": ["a {col} {c} {vs} to the {d} and then stops", "a {col} {c} moves to the {d} and comes to a stop"],
        "davis": ["a {col} {c} {v} {d} and then stopping", "a {c} in {col} going {d} before stopping"],
    },
    "stop_move": {
        "mevis": [
            "{c} standing still and then {v} to the {d}",
            "the {c} that waits, then moves {d}",
            "the {c} that first stays still and then goes {d}",
        ],
        "ytvos": [
            "a {col} {c} stands for a while and then {vs} to the {d}",
            "a {col} {c} waits and then starts moving to the {d}",
        ],
        "davis": ["a {col} {c} standing and then {v} {d}", "a {c} in {col} that stays put then goes {d}"],
    },
    "turn_back": {
        "mevis": [
            "{c} {v} to the {d} then turning back",
            "the {c} that goes {d} and then comes back",
            "{c} moving {d} first, then {o}",
        ],
        "ytvos": ["a {col} {c} {vs} to the {d} and then turns around", "a {col} {c} goes {d} then heads back {o}"],
        "davis": ["a {col} {c} going {d} and turning back", "a {c} in {col} moving {d} then {o}"],
    },
    "slow_fast": {
        "mevis": [
            "{c} moving slowly to the {d} and then speeding up",
            "the {c} that walks slowly, then runs {d}",
            "the {c} that starts slow and speeds up",
        ],
        "ytvos": [
            "a {col} {c} walks slowly to the {d} and then starts running",
            "a {col} {c} moves slowly at first and then faster to the {d}",
        ],
        "davis": ["a {col} {c} walking slowly then running {d}", "a {c} in {col} speeding up to the {d}"],
    },
    "three_phase": {
        "mevis": [
            "{c} going {d}, stopping, then going {o}",
            "the {c} that moves {d}, stops, then moves {o}",
            "{c} {v} {d} then pausing and then {v} {o}",
        ],
        "ytvos": ["a {col} {c} {vs} to the {d}, stops, and then {vs} to the {o}"],
        "davis": ["a {col} {c} going {d}, pausing, then going {o}", "a {c} in {col} moving {d}, stopping, moving {o}"],
    },
}


def b_sequence(rng: np.random.Generator, k: int, style: str) -> Built:
    kind = tuple(SEQUENCE)[k % len(SEQUENCE)]
    col = pick(rng, COLORS)
    n = 50
    s = Scene(rng, n)
    dname, d = lr(rng)
    c, lab = noun_and_label(rng)
    ys = rows(rng, 3)
    v = rng.uniform(6, 8)
    h = n // 2
    x_start = 320 - d * 150
    if kind == "move_stop":
        s.add(lab, segments(x_start, ys[0], [(h, d * v, 0), (n - h, 0, 0)]), "target", color=col)
        s.add(lab, segments(x_start, ys[1], [(h, 0, 0), (n - h, d * v, 0)]), "distractor", color=col)
        s.add(lab, segments(x_start - d * 60, ys[2], [(n, d * v * 0.9, 0)]), "distractor2", color=col)
        partial = "the reversed order (stop, then move) and a mover that never stops both match one phase each"
    elif kind == "stop_move":
        s.add(lab, segments(x_start, ys[0], [(h, 0, 0), (n - h, d * v, 0)]), "target", color=col)
        s.add(lab, segments(x_start, ys[1], [(h, d * v, 0), (n - h, 0, 0)]), "distractor", color=col)
        s.add(lab, keys((0, 320 + d * 120, ys[2])), "distractor2", color=col)
        partial = "the reversed order (move, then stop) and a track that stays still throughout each match one phase"
    elif kind == "turn_back":
        s.add(lab, segments(320 - d * 60, ys[0], [(h, d * v, 0), (n - h, -d * v, 0)]), "target", color=col)
        s.add(lab, segments(320 + d * 60, ys[1], [(h, -d * v, 0), (n - h, d * v, 0)]), "distractor", color=col)
        s.add(lab, segments(320 - d * 200, ys[2], [(n, d * v * 0.8, 0)]), "distractor2", color=col)
        partial = (
            "the distractor turns back too but went the other way first; another goes the named way without turning"
        )
    elif kind == "slow_fast":
        s.add(lab, segments(320 - d * 250, ys[0], [(h, d * 2.5, 0), (n - h, d * 11, 0)]), "target", color=col)
        s.add(lab, segments(320 - d * 250, ys[1], [(h, d * 11, 0), (n - h, d * 2.5, 0)]), "distractor", color=col)
        partial = "both cover the same distance the same way; only the order of slow and fast differs"
    else:
        m = n // 3
        s.add(
            lab, segments(320 - d * 80, ys[0], [(m, d * v, 0), (m, 0, 0), (n - 2 * m, -d * v, 0)]), "target", color=col
        )
        s.add(
            lab,
            segments(320 - d * 200, ys[1], [(m, d * v, 0), (m, 0, 0), (n - 2 * m, d * v, 0)]),
            "distractor",
            color=col,
        )
        s.add(
            lab, segments(320 - d * 80, ys[2], [(n // 2, d * v, 0), (n - n // 2, -d * v, 0)]), "distractor2", color=col
        )
        partial = "one distractor stops but then keeps the first direction; the other turns back without stopping"
    vs = {"walking": "walks", "running": "runs", "driving": "drives", "speeding": "speeds"}
    vb = verb(c)
    query = fill(rng, style, SEQUENCE[kind], c=c, col=col, d=dname, o=other_side(dname), v=vb, vs=vs.get(vb, "moves"))
    return Built(query, s, ["target"], partial, kind)


# ---------------------------------------------------------------- entering / leaving the view

ENTER_LEAVE = {
    "enter": {
        "mevis": [
            "the {c} that enters from the {s}",
            "{c} coming into view from the {s}",
            "the {c} that appears from the {s} side",
            "{c} walking into the frame",
        ],
        "ytvos": ["a {col} {c} is coming into the scene from the {s}", "a {col} {c} enters the frame from the {s}"],
        "davis": ["a {col} {c} entering from the {s}", "a {c} in {col} walking into the picture"],
    },
    "leave": {
        "mevis": [
            "the {c} that leaves the view",
            "{c} going out of the frame on the {s}",
            "the {c} that disappears to the {s}",
            "{c} exiting the scene",
        ],
        "ytvos": ["a {col} {c} is leaving the scene to the {s}", "a {col} {c} walks out of the frame"],
        "davis": ["a {col} {c} leaving the frame", "a {c} in {col} walking out of view to the {s}"],
    },
}


def b_enter_leave(rng: np.random.Generator, k: int, style: str) -> Built:
    kind = ("enter", "leave")[k % 2]
    col = pick(rng, COLORS)
    n = 40
    s = Scene(rng, n)
    c, lab = noun_and_label(rng)
    ys = rows(rng, 3)
    v = rng.uniform(7, 9)
    if kind == "enter":
        side, d = ("left", 1) if rng.random() < 0.5 else ("right", -1)
        edge = -40 if d > 0 else WIDTH + 40
        s.add(lab, segments(edge - d * 100, ys[0], [(n, d * v, 0)]), "target", color=col)
        s.add(lab, segments(320 - d * 230, ys[1], [(n, d * v * 0.9, 0)]), "distractor", color=col)
        s.add(lab, segments(320 + d * 80, ys[2], [(n, d * v, 0)]), "distractor2", color=col)  # leaves on the far side
        partial = (
            f"a {c} already in view moves the same way at the same speed; another leaves on the far side "
            f"(a reading of 'view change' without its direction picks it)"
        )
    else:
        side, d = ("left", -1) if rng.random() < 0.5 else ("right", 1)
        s.add(lab, segments(320 - d * 50, ys[0], [(n, d * v, 0)]), "target", color=col)
        s.add(lab, segments(320 - d * 250, ys[1], [(n, d * v * 0.9, 0)]), "distractor", color=col)  # stays in
        s.add(
            lab, segments((WIDTH + 60 if d > 0 else -60) - d * 40, ys[2], [(n, -d * v, 0)]), "distractor2", color=col
        )  # enters from that side
        partial = (
            f"a {c} walks the same way but stays in view; another crosses the {side} border the other way "
            f"(entering), which a reading of 'at the {side} border' cannot tell from leaving"
        )
    query = fill(rng, style, ENTER_LEAVE[kind], c=c, col=col, s=side)
    return Built(query, s, ["target"], partial, kind)


# ---------------------------------------------------------------- depth from box scale

DEPTH = {
    "toward": {
        "mevis": [
            "the {c} {v} towards the camera",
            "{c} coming closer to the camera",
            "the {c} that approaches us",
            "{c} getting bigger as it comes toward the camera",
        ],
        "ytvos": ["a {col} {c} is {v} towards the camera", "a {col} {c} is coming straight at the camera"],
        "davis": ["a {col} {c} {v} toward the camera", "a {c} in {col} coming towards the viewer"],
    },
    "away": {
        "mevis": [
            "the {c} {v} away from the camera",
            "{c} moving into the distance",
            "the {c} that goes away from us",
            "{c} getting smaller as it moves off",
        ],
        "ytvos": ["a {col} {c} is {v} away from the camera", "a {col} {c} is heading off into the distance"],
        "davis": ["a {col} {c} {v} away from the camera", "a {c} in {col} moving away from the viewer"],
    },
}


def b_depth(rng: np.random.Generator, k: int, style: str) -> Built:
    kind = ("toward", "away")[k % 2]
    col = pick(rng, COLORS)
    n = 40
    s = Scene(rng, n)
    c, lab = noun_and_label(rng, ("dog", "horse", "man", "woman", "person", "car", "cow", "sheep", "zebra"))
    xa, xb = (180.0, 460.0) if rng.random() < 0.5 else (460.0, 180.0)
    near = keys((0, xa, 230, 0.6), (n - 1, xa + rng.uniform(-15, 15), 330, 1.9))
    far = keys((0, xb, 330, 1.9), (n - 1, xb + rng.uniform(-15, 15), 230, 0.6))
    s.add(lab, near if kind == "toward" else far, "target", color=col)
    s.add(lab, far if kind == "toward" else near, "distractor", color=col)
    if k % 3 == 0:
        _, d = lr(rng)
        s.add(lab, segments(320 - d * 200, 120, [(n, d * 9, 0)]), "distractor2", color=col)
    partial = (
        f"the two {c}s move the same distance in depth in opposite senses; a reading of 'moving' alone "
        f"cannot tell them apart (and a sideways walker moves more across the image)"
    )
    query = fill(rng, style, DEPTH[kind], c=c, col=col, v=verb(c))
    return Built(query, s, ["target"], partial, kind)


# ---------------------------------------------------------------- ordinals in time

ORDINAL = {
    "start_first": {
        "mevis": ["the {c} that starts moving first", "the first {c} to start {v}", "{c} which moves first"],
        "ytvos": ["the {col} {c} that is the first to start {v}", "a {col} {c} starts {v} before the others"],
        "davis": ["the first {col} {c} to move", "a {c} in {col} who starts {v} first"],
    },
    "start_last": {
        "mevis": ["the {c} that starts moving last", "the last {c} to start {v}", "{c} that is the last to move"],
        "ytvos": ["the {col} {c} that is the last one to start {v}", "a {col} {c} starts {v} after the others"],
        "davis": ["the last {col} {c} to move", "a {c} in {col} who starts {v} last"],
    },
    "stop_first": {
        "mevis": ["the {c} that stops first", "the first {c} to stop", "{c} which comes to a halt first"],
        "ytvos": ["the {col} {c} that is the first to stop", "a {col} {c} stops before the others"],
        "davis": ["the first {col} {c} to stop", "a {c} in {col} stopping first"],
    },
    "stop_last": {
        "mevis": ["the {c} that stops last", "the last {c} to stop", "{c} that keeps going the longest"],
        "ytvos": ["the {col} {c} that is the last to stop", "a {col} {c} stops after the others"],
        "davis": ["the last {col} {c} to stop", "a {c} in {col} stopping last"],
    },
    "arrive_first": {
        "mevis": [
            "the {c} that arrives at the {d} first",
            "the first {c} to reach the {d} side",
            "{c} getting to the {d} first",
        ],
        "ytvos": ["the {col} {c} that is the first to get to the {d} side"],
        "davis": ["the first {col} {c} to arrive on the {d}", "a {c} in {col} arriving first"],
    },
    "leave_first": {
        "mevis": ["the {c} that leaves first", "the first {c} to go out of view", "{c} that flies away first"],
        "ytvos": ["the {col} {c} that is the first to leave the scene"],
        "davis": ["the first {col} {c} to leave", "a {c} in {col} leaving first"],
    },
}


def b_ordinal(rng: np.random.Generator, k: int, style: str) -> Built:
    kind = tuple(ORDINAL)[k % len(ORDINAL)]
    col = pick(rng, COLORS)
    n = 50
    s = Scene(rng, n)
    if kind == "leave_first":
        c, lab = pick(rng, [("bird", "bird"), ("duck", "duck"), ("horse", "horse"), ("car", "car"), ("man", "person")])
    else:
        c, lab = noun_and_label(rng)
    dname, d = lr(rng)
    ys = rows(rng, 3)
    x0 = 320 - d * 230
    if kind == "start_first":
        s.add(lab, segments(x0, ys[0], [(5, 0, 0), (n - 5, d * 3, 0)]), "target", color=col)
        s.add(lab, segments(x0, ys[1], [(22, 0, 0), (n - 22, d * 7.5, 0)]), "distractor", color=col)
        partial = "the later starter moves faster and farther; 'the moving one' picks it"
    elif kind == "start_last":
        s.add(lab, segments(x0, ys[0], [(28, 0, 0), (n - 28, d * 8, 0)]), "target", color=col)
        s.add(lab, segments(x0, ys[1], [(4, 0, 0), (n - 4, d * 4.2, 0)]), "distractor", color=col)
        s.add(lab, segments(x0, ys[2], [(14, 0, 0), (n - 14, d * 5, 0)]), "distractor2", color=col)
        partial = "all start from standing and cover similar distances; only the start times differ"
    elif kind == "stop_first":
        s.add(lab, segments(x0, ys[0], [(14, d * 7, 0), (n - 14, 0, 0)]), "target", color=col)
        s.add(lab, segments(x0, ys[1], [(36, d * 7, 0), (n - 36, 0, 0)]), "distractor", color=col)
        partial = (
            "both stop; the later one moves farther, so 'the one that moves' or 'the one that stops' picks it or ties"
        )
    elif kind == "stop_last":
        s.add(lab, segments(x0, ys[0], [(40, d * 3.5, 0), (n - 40, 0, 0)]), "target", color=col)
        s.add(lab, segments(x0, ys[1], [(14, d * 10, 0), (n - 14, 0, 0)]), "distractor", color=col)
        partial = "the early stopper runs faster and nearly as far; only the stop times separate them"
    elif kind == "arrive_first":
        goal = 320 + d * 250
        s.add(lab, segments(goal - d * 250, ys[0], [(25, d * 10, 0), (n - 25, 0, 0)]), "target", color=col)
        s.add(lab, segments(goal - d * 420, ys[1], [(42, d * 10, 0), (n - 42, 0, 0)]), "distractor", color=col)
        partial = "both reach the same side at the same speed; the late one travels farther"
    else:
        if lab in ("bird", "duck"):
            s.add(lab, segments(320 + rng.uniform(-150, 0), 200, [(8, 0, 0), (n - 8, 3, -14)]), "target", color=col)
            s.add(
                lab, segments(320 + rng.uniform(0, 150), 220, [(28, 0, 0), (n - 28, 4, -16)]), "distractor", color=col
            )
        else:
            s.add(lab, segments(320 + d * 120, ys[0], [(n, d * 7, 0)]), "target", color=col)
            s.add(lab, segments(320 - d * 40, ys[1], [(n, d * 8.5, 0)]), "distractor", color=col)
        partial = "both leave the view; the second one moves faster, so a reading without 'first' picks it or ties"
    query = fill(rng, style, ORDINAL[kind], c=c, col=col, v=verb(c), d=dname)
    return Built(query, s, ["target"], partial, kind)


# ---------------------------------------------------------------- initial vs final position

INITIAL_FINAL = {
    "start_end": {
        "mevis": [
            "the {c} that starts on the {s} and ends up on the {o}",
            "{c} moving from the {s} to the {o}",
            "the {c} that goes from the {s} side over to the {o} side",
        ],
        "ytvos": ["a {col} {c} starts on the {s} and ends on the {o}", "a {col} {c} crosses from the {s} to the {o}"],
        "davis": ["a {col} {c} going from {s} to {o}", "a {c} in {col} starting {s} and ending {o}"],
    },
    "initial": {
        "mevis": [
            "the {c} that was on the {s} at the beginning",
            "{c} on the {s} at first",
            "the {c} that starts out on the {s}",
        ],
        "ytvos": ["the {col} {c} that is on the {s} at the start of the video"],
        "davis": ["a {col} {c} initially on the {s}", "a {c} in {col} first seen on the {s}"],
    },
    "final": {
        "mevis": ["the {c} that ends up on the {s}", "{c} on the {s} at the end", "the {c} that finishes on the {s}"],
        "ytvos": ["the {col} {c} that is on the {s} by the end of the video"],
        "davis": ["a {col} {c} ending up on the {s}", "a {c} in {col} finally on the {s}"],
    },
}


def b_initial_final(rng: np.random.Generator, k: int, style: str) -> Built:
    kind = tuple(INITIAL_FINAL)[k % len(INITIAL_FINAL)]
    col = pick(rng, COLORS)
    n = 40
    s = Scene(rng, n)
    c, lab = noun_and_label(rng)
    vertical = k % 4 == 3 and lab in ("dog", "cat", "person", "sheep", "rabbit")
    side = pick(rng, ("top", "bottom") if vertical else ("left", "right"))
    lo, hi = (110.0, 380.0) if vertical else (110.0, 530.0)
    a = lo if side in ("left", "top") else hi
    b = hi if side in ("left", "top") else lo
    cols = rows(rng, 3, 110, 530) if vertical else rows(rng, 3)

    def p(u: float, w: float) -> object:
        if vertical:
            return keys((0, cols[0], u), (n - 1, cols[0], w))
        return None

    def mk(lane: int, u: float, w: float):
        if vertical:
            return keys((0, cols[lane], u), (n - 1, cols[lane], w))
        return keys((0, u, cols[lane]), (n - 1, w, cols[lane]))

    del p
    if kind in ("start_end", "initial"):
        s.add(lab, mk(0, a, b), "target", color=col)
        s.add(lab, mk(1, b, a), "distractor", color=col)
        if kind == "start_end":
            s.add(lab, mk(2, a, a), "distractor2", color=col)
        partial = (
            f"the reverse crossing ends on the {side}; a reading of position at the end (or on average) "
            f"picks it" + (f"; a {c} that stays on the {side} matches the start only" if kind == "start_end" else "")
        )
    else:
        s.add(lab, mk(0, b, a), "target", color=col)
        s.add(lab, mk(1, a, b), "distractor", color=col)
        partial = f"the reverse crossing starts on the {side}; a reading of position at the start picks it"
    query = fill(rng, style, INITIAL_FINAL[kind], c=c, col=col, s=side, o=other_side(side))
    return Built(query, s, ["target"], partial, kind)


# ---------------------------------------------------------------- comparatives / superlatives

COMPARATIVE = {
    "fastest": {
        "mevis": ["the fastest {c}", "{c} moving the fastest", "the {c} that runs fastest"],
        "ytvos": ["the {col} {c} that is running the fastest", "the fastest of the {col} {cs}"],
        "davis": ["the fastest {col} {c}", "a {c} in {col} moving fastest"],
    },
    "slowest": {
        "mevis": ["the slowest {c}", "{c} moving the slowest", "the {c} that is slowest"],
        "ytvos": ["the {col} {c} that is moving the slowest", "the slowest of the {col} {cs}"],
        "davis": ["the slowest {col} {c}", "a {c} in {col} moving slowest"],
    },
    "slower_than": {
        "mevis": [
            "the {c} that is slower than the other one",
            "{c} moving slower than the other {c}",
            "the slower {c}",
        ],
        "ytvos": ["a {col} {c} walking more slowly than the other {c}"],
        "davis": ["the slower {col} {c}", "a {c} in {col} moving slower than the other"],
    },
    "faster_than": {
        "mevis": [
            "the {c} that is faster than the {a}",
            "{c} moving faster than the {a}",
            "the {c} going quicker than the {a}",
        ],
        "ytvos": ["a {col} {c} is running faster than the {a}"],
        "davis": ["a {col} {c} faster than the {a}", "a {c} in {col} outpacing the {a}"],
    },
}


def b_comparative(rng: np.random.Generator, k: int, style: str) -> Built:
    kind = tuple(COMPARATIVE)[k % len(COMPARATIVE)]
    col = pick(rng, COLORS)
    n = 40
    s = Scene(rng, n)
    c, lab = noun_and_label(rng)
    ys = rows(rng, 3)
    a = ""

    def mover(lane: int, v: float):
        dn, d = lr(rng)
        return segments(320 - d * v * n / 2, ys[lane], [(n, d * v, 0)])

    if kind == "fastest":
        for role, v in (("target", 11), ("distractor", 6), ("distractor2", 3)):
            s.add(
                lab,
                mover(("target", "distractor", "distractor2").index(role), v + rng.uniform(-0.5, 0.5)),
                role,
                color=col,
            )
        partial = "all three move; any moving reading ties them, a 'slow' misreading picks the slowest"
    elif kind == "slowest":
        for lane, (role, speed) in enumerate((("target", 2.5), ("distractor", 6.0), ("distractor2", 10.0))):
            s.add(lab, mover(lane, speed + rng.uniform(-0.3, 0.3)), role, color=col)
        partial = "all three move; a reading that keeps 'moving' and drops 'slowest' prefers the fastest"
    elif kind == "slower_than":
        s.add(lab, mover(0, 3 + rng.uniform(-0.3, 0.3)), "target", color=col)
        s.add(lab, mover(1, 8 + rng.uniform(-0.5, 0.5)), "distractor", color=col)
        partial = "both move; 'the moving one' prefers the faster"
    else:
        a = pick(rng, [x for x in ("cow", "bicycle", "sheep", "duck", "person") if x != lab])
        s.add(a, mover(0, 6), "anchor")
        s.add(lab, mover(1, 10 + rng.uniform(-0.5, 0.5)), "target", color=col)
        s.add(lab, mover(2, 3 + rng.uniform(-0.3, 0.3)), "distractor", color=col)
        partial = f"both {c}s move; only the comparison with the {a}'s speed (6 px/frame) separates 3 from 10"
    query = fill(rng, style, COMPARATIVE[kind], c=c, cs=plural(c), col=col, a=a)
    return Built(query, s, ["target"], partial, kind)


# ---------------------------------------------------------------- negation

NEGATION = {
    "not_moving": {
        "mevis": ["the {c} that is not moving", "{c} not moving at all", "the {c} that does not move"],
        "ytvos": ["a {col} {c} that is not moving while the others walk"],
        "davis": ["a {col} {c} not moving", "a {c} in {col} who isn't moving"],
    },
    "not_direction": {
        "mevis": ["the {c} that is not going {d}", "{c} not moving to the {d}", "the {c} that doesn't go {d}"],
        "ytvos": ["the {col} {c} that is not walking to the {d}"],
        "davis": ["a {col} {c} not going {d}", "a {c} in {col} not heading {d}"],
    },
    "never_stops": {
        "mevis": ["the {c} that never stops", "{c} that does not stop", "the {c} that keeps moving without stopping"],
        "ytvos": ["a {col} {c} that never stops {v}"],
        "davis": ["a {col} {c} that never stops", "a {c} in {col} not stopping"],
    },
    "no_turn": {
        "mevis": ["the {c} that does not turn around", "{c} that never turns back", "the {c} not turning back"],
        "ytvos": ["a {col} {c} that keeps going without turning around"],
        "davis": ["a {col} {c} not turning back", "a {c} in {col} that doesn't turn around"],
    },
}


def b_negation(rng: np.random.Generator, k: int, style: str) -> Built:
    kind = tuple(NEGATION)[k % len(NEGATION)]
    col = pick(rng, COLORS)
    n = 40
    s = Scene(rng, n)
    c, lab = noun_and_label(rng)
    dname, d = lr(rng)
    ys = rows(rng, 3)
    if kind == "not_moving":
        s.add(lab, keys((0, rng.uniform(150, 490), ys[0])), "target", color=col)
        s.add(lab, segments(320 - d * 150, ys[1], [(n, d * 7, 0)]), "distractor", color=col)
        s.add(lab, segments(320 + d * 150, ys[2], [(n, -d * 5, 0)]), "distractor2", color=col)
        partial = "dropping 'not' reads 'the moving one': both movers"
    elif kind == "not_direction":
        s.add(lab, segments(320 + d * 150, ys[0], [(n, -d * 7, 0)]), "target", color=col)
        s.add(lab, segments(320 - d * 150, ys[1], [(n, d * 7, 0)]), "distractor", color=col)
        partial = f"dropping 'not' picks the one going {dname}"
    elif kind == "never_stops":
        s.add(lab, segments(320 - d * 140, ys[0], [(n, d * 7, 0)]), "target", color=col)
        s.add(lab, segments(320 - d * 200, ys[1], [(20, d * 14, 0), (n - 20, 0, 0)]), "distractor", color=col)
        partial = "dropping 'never' picks the one that stops; both cover the same distance"
    else:
        s.add(lab, segments(320 - d * 140, ys[0], [(n, d * 7, 0)]), "target", color=col)
        s.add(
            lab,
            segments(320 - d * 100, ys[1], [(n // 2, d * 10, 0), (n - n // 2, -d * 10, 0)]),
            "distractor",
            color=col,
        )
        partial = "dropping 'not' picks the one that turns back (which also moves more)"
    query = fill(rng, style, NEGATION[kind], c=c, col=col, d=dname, v=verb(c))
    return Built(query, s, ["target"], partial, kind)


# ---------------------------------------------------------------- counted actions

COUNT_WORDS = {1: "once", 2: "twice", 3: "three times"}
COUNTED = {
    "stops": {
        "mevis": ["the {c} that stops {n}", "{c} stopping {n} along the way", "the {c} that pauses {n}"],
        "ytvos": ["a {col} {c} {vs} to the {d} and stops {n} on the way"],
        "davis": ["a {col} {c} stopping {n}", "a {c} in {col} that pauses {n}"],
    },
    "turns": {
        "mevis": ["the {c} that turns around {n}", "{c} changing direction {n}", "the {c} that turns back {n}"],
        "ytvos": ["a {col} {c} that turns around {n} while {v}"],
        "davis": ["a {col} {c} turning around {n}", "a {c} in {col} changing direction {n}"],
    },
    "jumps": {
        "mevis": ["the {c} that jumps {n}", "{c} jumping up {n}", "the {c} that hops {n}"],
        "ytvos": ["a {col} {c} jumps up {n} in the same spot"],
        "davis": ["a {col} {c} jumping {n}", "a {c} in {col} who jumps {n}"],
    },
}


def _stops(k: int, n: int, v: float, d: int) -> list[tuple[int, float, float]]:
    """Move/stop pattern with ``k`` stops of 7 frames spread over ``n`` frames."""
    pieces = k + 1
    move = (n - 7 * k) // pieces
    out: list[tuple[int, float, float]] = []
    for i in range(pieces):
        out.append((move if i < k else n - 7 * k - move * k, d * v, 0.0))
        if i < k:
            out.append((7, 0.0, 0.0))
    return out


def _turns(k: int, n: int, v: float, d: int) -> list[tuple[int, float, float]]:
    pieces = k + 1
    each = n // pieces
    return [(each if i < k else n - each * k, d * v * (-1) ** i, 0.0) for i in range(pieces)]


def _jumps(k: int, n: int, x: float, y: float):
    starts = [int(n * (i + 1) / (k + 1)) - 4 for i in range(k)]

    def at(f: int):
        up = 0.0
        for s0 in starts:
            if s0 <= f < s0 + 8:
                up = 70 * np.sin(np.pi * (f - s0) / 8)
        return x, y - up, 1.0

    return at


def b_counted(rng: np.random.Generator, k: int, style: str) -> Built:
    kind = tuple(COUNTED)[k % len(COUNTED)]
    col = pick(rng, COLORS)
    n = 60
    s = Scene(rng, n)
    if kind == "jumps":
        c, lab = pick(
            rng, [("dog", "dog"), ("rabbit", "rabbit"), ("man", "person"), ("cat", "cat"), ("woman", "person")]
        )
    else:
        c, lab = noun_and_label(rng)
    want = (2, 3, 1, 2, 3)[(k // 3) % 5]
    others = {1: (2, 3), 2: (1, 3), 3: (2, 1)}[want]
    dname, d = lr(rng)
    ys = rows(rng, 3)
    lanes = dict(zip(("target", "distractor", "distractor2"), ys, strict=True))
    for role, cnt in (("target", want), ("distractor", others[0]), ("distractor2", others[1])):
        if kind == "stops":
            path = segments(320 - d * 230, lanes[role], _stops(cnt, n, 10.0, d))
        elif kind == "turns":
            path = segments(320 - d * 120 * (cnt % 2 == 0 and 0 or 1) - d * 60, lanes[role], _turns(cnt, n, 7.0, d))
        else:
            x = {"target": 160.0, "distractor": 320.0, "distractor2": 480.0}[role]
            path = _jumps(cnt, n, x, lanes[role] + 40)
        s.add(lab, path, role, color=col)
    partial = (
        f"the others do the same action {COUNT_WORDS[others[0]]} and {COUNT_WORDS[others[1]]}; "
        f"a reading without the count cannot tell them apart"
    )
    vs = {"walking": "walks", "running": "runs", "driving": "drives"}
    query = fill(
        rng, style, COUNTED[kind], c=c, col=col, n=COUNT_WORDS[want], d=dname, v=verb(c), vs=vs.get(verb(c), "moves")
    )
    return Built(query, s, ["target"], partial, f"{kind}_{want}")


# ---------------------------------------------------------------- shapes of motion

SHAPE = {
    "circles": {
        "mevis": ["the {c} running in circles", "{c} going round and round", "the {c} that moves in a circle"],
        "ytvos": ["a {col} {c} is running around in circles on the grass"],
        "davis": ["a {col} {c} circling", "a {c} in {col} walking in a circle"],
    },
    "back_forth": {
        "mevis": ["the {c} walking back and forth", "{c} pacing back and forth", "the {c} that goes to and fro"],
        "ytvos": ["a {col} {c} is pacing back and forth"],
        "davis": ["a {col} {c} moving back and forth", "a {c} in {col} pacing up and down"],
    },
    "bounce_in_place": {
        "mevis": [
            "the {c} bouncing in place",
            "{c} bouncing up and down on the spot",
            "the {c} that bounces without moving along",
        ],
        "ytvos": ["a {col} {c} is bouncing up and down in one place"],
        "davis": ["a {col} {c} bouncing in place", "the {col} {c} bouncing on the spot"],
    },
    "bounce_along": {
        "mevis": [
            "the {c} bouncing along to the {d}",
            "{c} that bounces while moving {d}",
            "the {c} hopping across to the {d}",
        ],
        "ytvos": ["a {col} {c} is bouncing across the floor to the {d}"],
        "davis": ["a {col} {c} bouncing to the {d}", "the {col} {c} hopping along to the {d}"],
    },
}


def b_shape(rng: np.random.Generator, k: int, style: str) -> Built:
    kind = tuple(SHAPE)[k % len(SHAPE)]
    col = pick(rng, COLORS)
    n = 60
    s = Scene(rng, n)
    dname, d = lr(rng)
    if kind in ("circles", "back_forth"):
        c, lab = noun_and_label(rng, ("dog", "cat", "horse", "man", "woman", "person", "sheep"))
        ys = rows(rng, 3, 130, 370)
        circ = circle(rng.uniform(180, 460), 240, 90, 30, rng.uniform(0, 6.28))
        pace = wave(keys((0, rng.uniform(200, 440), ys[1])), ax=130, period=30)
        line = segments(320 - d * 250, ys[0] if kind == "circles" else ys[2], [(n, d * 8.5, 0)])
        s.add(lab, circ if kind == "circles" else pace, "target", color=col)
        s.add(lab, pace if kind == "circles" else circ, "distractor", color=col)
        s.add(lab, line, "distractor2", color=col)
        partial = (
            "one distractor moves about as fast in a straight line, the other in the other shape; "
            "'the moving one' cannot tell them apart"
        )
    else:
        c, lab = pick(rng, [("ball", "ball"), ("ball", "ball"), ("rabbit", "rabbit"), ("dog", "dog")])
        ys = rows(rng, 3, 160, 400)
        in_place = wave(keys((0, rng.uniform(200, 440), ys[0])), ay=90, period=16, bounce=True)
        along = wave(segments(320 - d * 240, ys[1], [(n, d * 8, 0)]), ay=90, period=16, bounce=True)
        rolling = segments(320 - d * 240, ys[2], [(n, d * 8, 0)])
        s.add(lab, in_place if kind == "bounce_in_place" else along, "target", color=col)
        s.add(lab, along if kind == "bounce_in_place" else in_place, "distractor", color=col)
        s.add(lab, rolling, "distractor2", color=col)
        partial = (
            "both bounce, only one translates; a third moves along without bouncing: "
            "'bouncing' alone ties, 'moving along' alone picks the wrong one"
        )
    query = fill(rng, style, SHAPE[kind], c=c, col=col, d=dname)
    return Built(query, s, ["target"], partial, kind)


# ---------------------------------------------------------------- groups

GROUP = {
    "two_together": {
        "mevis": [
            "the two {cs} walking together",
            "two {cs} moving side by side",
            "the pair of {cs} going {d} together",
        ],
        "ytvos": ["two {col} {cs} are walking together to the {d}"],
        "davis": ["two {col} {cs} walking together", "the two {cs} in {col} moving together"],
    },
    "all": {
        "mevis": ["all the {cs}", "every {c}", "all of the {cs} in the field"],
        "ytvos": ["all of the {col} {cs} in the field"],
        "davis": ["all the {col} {cs}", "the {cs}"],
    },
    "all_moving": {
        "mevis": ["all the {cs} moving to the {d}", "the {cs} that walk {d}", "every {c} heading {d}"],
        "ytvos": ["the {col} {cs} that are walking to the {d}"],
        "davis": ["all {col} {cs} going {d}", "the {cs} in {col} moving {d}"],
    },
    "plural_static": {
        "mevis": ["the {cs} standing still", "{cs} that are not moving", "the {cs} that stay in place"],
        "ytvos": ["the {col} {cs} that are standing still"],
        "davis": ["the {col} {cs} standing", "the {cs} in {col} standing still"],
    },
}


def b_group(rng: np.random.Generator, k: int, style: str) -> Built:
    kind = tuple(GROUP)[k % len(GROUP)]
    col = pick(rng, COLORS)
    n = 40
    s = Scene(rng, n)
    c, lab = noun_and_label(rng, ("dog", "sheep", "cow", "horse", "person", "duck", "zebra", "man", "woman"))
    dname, d = lr(rng)
    ys = rows(rng, 4, 100, 400)
    exp: list[str]
    if kind == "two_together":
        x0 = 320 - d * 170
        s.add(lab, segments(x0, ys[0], [(n, d * 6, 0)]), "target", color=col)
        s.add(lab, segments(x0 + 25, ys[0] + 60, [(n, d * 6, 0)]), "target2", color=col)
        s.add(lab, segments(320 + d * 170, ys[2], [(n, d * 6, 0)]), "distractor", color=col)
        s.add(lab, keys((0, rng.uniform(150, 490), ys[3])), "distractor2", color=col)
        exp = ["target", "target2"]
        partial = "a third walks the same way alone (far from them); a singular reading picks one of the pair"
    elif kind == "all":
        m = 3 + k % 2
        lanes = rows(rng, m, 100, 400, 70)
        exp = []
        for i in range(m):
            r = f"target{i}" if i else "target"
            mv = rng.uniform(-5, 5) if rng.random() < 0.6 else 0.0
            s.add(lab, segments(rng.uniform(120, 520), lanes[i], [(n, mv, 0)]), r, color=col)
            exp.append(r)
        filler(rng, s, (lab,))
        partial = "a singular reading picks only one of them"
    elif kind == "all_moving":
        exp = []
        for i in range(3):
            r = f"target{i}" if i else "target"
            s.add(lab, segments(320 - d * (200 - 40 * i), ys[i], [(n, d * (5 + i), 0)]), r, color=col)
            exp.append(r)
        s.add(lab, segments(320 + d * 150, ys[3], [(n, -d * 6, 0)]), "distractor", color=col)
        partial = f"one more {c} moves the other way; 'all the {plural(c)}' drops the direction and takes it too"
    else:
        exp = ["target", "target2"]
        s.add(lab, keys((0, rng.uniform(120, 250), ys[0])), "target", color=col)
        s.add(lab, keys((0, rng.uniform(390, 520), ys[1])), "target2", color=col)
        s.add(lab, segments(320 - d * 160, ys[2], [(n, d * 7, 0)]), "distractor", color=col)
        s.add(lab, segments(320 + d * 160, ys[3], [(n, -d * 5, 0)]), "distractor2", color=col)
        partial = "a singular reading picks one of the two; dropping 'still' takes the movers"
    query = fill(rng, style, GROUP[kind], c=c if c != "person" else "person", cs=plural(c), col=col, d=dname)
    return Built(query, s, exp, partial, kind)


# ---------------------------------------------------------------- synonyms and hypernyms

SYNONYMS = [
    ("puppy", "dog", ("cat",)),
    ("pup", "dog", ("cat",)),
    ("pony", "horse", ("cow",)),
    ("kid", "person", ("dog",)),
    ("child", "person", ("dog",)),
    ("kitten", "cat", ("dog",)),
    ("automobile", "car", ("person",)),
    ("vehicle", "car", ("person",)),
    ("vehicle", "truck", ("horse",)),
    ("animal", "dog", ("person",)),
    ("animal", "horse", ("car",)),
    ("bike", "bicycle", ("person",)),
    ("lad", "person", ("sheep",)),
    ("doggy", "dog", ("rabbit",)),
    ("creature", "cat", ("ball",)),
    ("motorbike", "motorcycle", ("person",)),
    ("foal", "horse", ("sheep",)),
    ("youngster", "person", ("cat",)),
]
SYNONYM = {
    "mevis": ["the {c} moving to the {d}", "{c} going {d}", "the {c} that heads {d}", "the {c} that is standing still"],
    "ytvos": ["a {col} {c} is moving to the {d} of the picture", "a {col} {c} is standing still in the scene"],
    "davis": ["a {col} {c} going {d}", "a {col} {c} standing still"],
}


def b_synonym(rng: np.random.Generator, k: int, style: str) -> Built:
    word, lab, (other,) = SYNONYMS[k % len(SYNONYMS)]
    col = pick(rng, COLORS)
    n = 40
    s = Scene(rng, n)
    dname, d = lr(rng)
    ys = rows(rng, 3)
    forms = SYNONYM[style]
    tmpl = forms[int(rng.integers(len(forms)))]
    still = "standing still" in tmpl
    if still:
        s.add(lab, keys((0, rng.uniform(150, 490), ys[0])), "target", color=col)
        s.add(other, keys((0, rng.uniform(150, 490), ys[1])), "distractor")
        s.add(lab, segments(320 - d * 150, ys[2], [(n, d * 7, 0)]), "distractor2", color=col)
        partial = f"an unread '{word}' leaves 'the one standing still': the {other} stands still too"
    else:
        s.add(lab, segments(320 - d * 150, ys[0], [(n, d * 7, 0)]), "target", color=col)
        s.add(other, segments(320 - d * 150, ys[1], [(n, d * 7, 0)]), "distractor")
        s.add(lab, segments(320 + d * 150, ys[2], [(n, -d * 7, 0)]), "distractor2", color=col)
        partial = f"an unread '{word}' leaves 'the one moving {dname}': the {other} moves the same way"
    query = tmpl.format(c=word, col=col, d=dname)
    query = " ".join(
        w + "n" if w.lower() == "a" and i + 1 < len(query.split()) and query.split()[i + 1][0] in "aeiou" else w
        for i, w in enumerate(query.split())
    )
    return Built(query, s, ["target"], partial, f"{word}->{lab}")


# ---------------------------------------------------------------- plain structures (the easy third)

PLAIN = {
    "plain_direction": {
        "mevis": ["the {c} moving to the {d}", "{c} {v} {d}", "the {c} that goes {d}"],
        "ytvos": ["a {col} {c} is {v} to the {d}"],
        "davis": ["a {col} {c} {v} {d}", "a {c} in {col} going {d}"],
    },
    "plain_position": {
        "mevis": ["the {c} on the {s}", "{c} at the {s}", "the {c} on the {s} side"],
        "ytvos": ["a {col} {c} on the {s} side of the picture"],
        "davis": ["the {col} {c} on the {s}", "a {c} in {col} on the {s}"],
    },
    "plain_speed": {
        "mevis": ["the {c} moving fast", "{c} {v} quickly", "the fast {c}"],
        "ytvos": ["a {col} {c} is {v} fast"],
        "davis": ["a {col} {c} {v} fast", "a {c} in {col} moving quickly"],
    },
    "plain_static": {
        "mevis": ["the {c} standing still", "{c} staying in one place", "the still {c}"],
        "ytvos": ["a {col} {c} is standing still"],
        "davis": ["a {col} {c} standing still", "a {c} in {col} standing"],
    },
}


def b_plain(structure: str) -> Callable[[np.random.Generator, int, str], Built]:
    def build(rng: np.random.Generator, k: int, style: str) -> Built:
        col = pick(rng, COLORS)
        n = 40
        s = Scene(rng, n)
        c, lab = noun_and_label(rng)
        dname, d = lr(rng)
        ys = rows(rng, 2)
        side = ""
        if structure == "plain_direction":
            s.add(lab, segments(320 - d * 140, ys[0], [(n, d * 7, 0)]), "target", color=col)
            s.add(lab, segments(320 + d * 140, ys[1], [(n, -d * 7, 0)]), "distractor", color=col)
            partial = "the other moves the other way at the same speed"
        elif structure == "plain_position":
            side = pick(rng, ("left", "right", "top", "bottom"))
            lo, hi = (120.0, 520.0) if side in ("left", "right") else (110.0, 370.0)
            a, b = (lo, hi) if side in ("left", "top") else (hi, lo)
            if side in ("left", "right"):
                s.add(lab, keys((0, a, ys[0])), "target", color=col)
                s.add(lab, keys((0, b, ys[1])), "distractor", color=col)
            else:
                s.add(lab, keys((0, 200, a)), "target", color=col)
                s.add(lab, keys((0, 440, b)), "distractor", color=col)
            partial = "the other stands on the opposite side"
        elif structure == "plain_speed":
            s.add(lab, segments(320 - d * 200, ys[0], [(n, d * 11, 0)]), "target", color=col)
            s.add(lab, segments(320 + d * 60, ys[1], [(n, -d * 2.5, 0)]), "distractor", color=col)
            partial = "the other moves slowly"
        else:
            s.add(lab, keys((0, rng.uniform(150, 490), ys[0])), "target", color=col)
            s.add(lab, segments(320 - d * 140, ys[1], [(n, d * 7, 0)]), "distractor", color=col)
            partial = "the other walks"
        if k % 3 == 0:
            filler(rng, s, (lab,))
        query = fill(rng, style, PLAIN[structure], c=c, col=col, d=dname, s=side, v=verb(c, structure == "plain_speed"))
        return Built(query, s, ["target"], partial, structure)

    return build


# structure → (builder, number of cases)
BUILDERS: dict[str, tuple[Callable[[np.random.Generator, int, str], Built], int]] = {
    "interaction": (b_interaction, 28),
    "passive": (b_passive, 16),
    "sequence": (b_sequence, 20),
    "enter_leave": (b_enter_leave, 16),
    "depth": (b_depth, 16),
    "ordinal": (b_ordinal, 18),
    "initial_final": (b_initial_final, 18),
    "comparative": (b_comparative, 16),
    "negation": (b_negation, 16),
    "counted": (b_counted, 18),
    "shape": (b_shape, 16),
    "group": (b_group, 16),
    "synonym": (b_synonym, 18),
    "plain_direction": (b_plain("plain_direction"), 20),
    "plain_position": (b_plain("plain_position"), 20),
    "plain_speed": (b_plain("plain_speed"), 20),
    "plain_static": (b_plain("plain_static"), 20),
}
EASY = ("plain_direction", "plain_position", "plain_speed", "plain_static")
