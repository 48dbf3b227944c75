"""Batch v4 of the language set: fresh expressions for interaction and sequence, never looked at.

v4 measures how a vocabulary change carries over to a new author's wording: the
same two structures as v3 (interaction, with passive variants, and sequence),
its own seed, its own dev/test cut and wording written without looking at the
parser's vocabulary; no template of v1, v2 or v3 is reused. The templates of
each style mix the habits of four annotators: one who uses plain, colloquial
verbs ("heads over to", "stays put"), one who likes phrasal verbs and relative
clauses ("falls in behind", "the X that ..."), one who writes full sentences,
often with the other object as subject or in the passive voice ("the Y is
walking and an X comes along behind it"), and one who writes short noun
phrases with participles ("X shadowed by a Y"); pronouns refer back now and
then. The styles are those of cases.py (``mevis``, ``ytvos``, ``davis``); no
text is taken from the benchmarks.

Interactions come in ten relations (approach, move away, follow, lead, chase,
overtake, meet, pass by, walk alongside, circle around) and, for five of them,
a passive variant (``approached``, ``chased``, ``followed``, ``overtaken``,
``circled``), where the target is the one acted upon and a reading that drops
the voice picks a distractor that does the acting. Sequences are two or three
ordered phases (a direction, a speed or a stop each). The scenes reuse the
builders of cases_v2.py and cases_v3.py; ``circled`` and the ``turn_stop``
sequence are new here. Each builder says which partial reading its scene
defeats; the scene conventions are those of cases_v2.py.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from rvos_ros.testing.language_set.cases import Built
from rvos_ros.testing.language_set.cases_v2 import (
    _sequence_plan,
    ellipse,
    label_of,
    size,
)
from rvos_ros.testing.language_set.cases_v3 import (
    PAIRS,
    Phases,
    _approached,
    _sequence_plan_v3,
    build_interaction,
    build_sequence,
    stage_v3,
)
from rvos_ros.testing.language_set.scene import WIDTH, Scene, keys

# ---------------------------------------------------------------- interactions

INTERACTION_V4 = {
    "approach": {
        "mevis": [
            "the {c} {which} heads over to the {a}",
            "{c} edging closer and closer to the {a}",
            "the {c} that closes in on the standing {a}",
        ],
        "ytvos": [
            "a {col} {c} can be seen going up to the {a}",
            "a {col} {c} moves in the direction of the {a} and gets close to {ahim}",
        ],
        "davis": ["{col} {c} on {his} way to the {a}", "a {c} in {col} homing in on the {a}"],
    },
    "chase": {
        "mevis": [
            "the {c} that tears after the {a}",
            "{c} running hard after the {a} to catch {ahim}",
            "the {c} {which} is right behind the fleeing {a} and gaining",
        ],
        "ytvos": [
            "a {col} {c} is racing to catch up with the {a} running ahead of {him}",
            "a {col} {c} runs behind the {a} and is getting closer all the time",
        ],
        "davis": ["{col} {c} in hot pursuit of a {a}", "a {c} in {col} racing behind the {a} to catch {ahim}"],
    },
    "follow": {
        "mevis": [
            "the {c} {which} falls in behind the {a}",
            "{c} tailing the {a} at a short distance",
            "the {c} that walks in the {a}'s tracks",
        ],
        "ytvos": [
            "a {col} {c} goes wherever the {a} goes, staying behind {ahim}",
            "the {a} is walking and a {col} {c} comes along behind {ahim}",
        ],
        "davis": ["{col} {c} tagging after the {a}", "a {c} in {col}, one step behind the {a}"],
    },
    "overtake": {
        "mevis": [
            "the {c} {which} shoots past the {a}",
            "{c} that comes up behind the {a} and gets in front",
            "the {c} passing the slow-moving {a}",
        ],
        "ytvos": [
            "a {col} {c} catches up to the {a} and then moves out in front of {ahim}",
            "a {col} {c} is quicker than the {a} and goes by {ahim}",
        ],
        "davis": ["{col} {c} overtaking the slower-moving {a}", "a {c} in {col} pulling past a {a}"],
    },
    "circle_around": {
        "mevis": [
            "the {c} {which} runs laps around the {a}",
            "{c} doing circles round the {a}",
            "the {c} that keeps going round the {a} in a ring",
        ],
        "ytvos": [
            "a {col} {c} runs a ring around the {a} several times",
            "a {col} {c} runs around the {a} while {ahe} stays in the middle",
        ],
        "davis": ["{col} {c} orbiting the {a}", "a {c} in {col} lapping around a {a}"],
    },
    "move_away": {
        "mevis": [
            "the {c} {which} drifts away from the {a}",
            "{c} walking clear of the {a}",
            "the {c} backing off from the {a}",
        ],
        "ytvos": [
            "a {col} {c} begins beside the {a} and ends up far from {ahim}",
            "a {col} {c} is moving off and the gap to the {a} keeps growing",
        ],
        "davis": ["{col} {c} heading away from the {a}", "a {c} in {col} getting away from a {a}"],
    },
    "meet": {
        "mevis": [
            "the {c} {which} heads toward the oncoming {a} until they are face to face",
            "{c} coming together with the {a} in the middle",
            "the {c} that ends up next to the {a} after they walk toward each other",
        ],
        "ytvos": [
            "a {col} {c} and the {a} walk toward each other and the {c} stops when they meet",
            "a {col} {c} goes to greet the {a} as {ahe} walks over",
        ],
        "davis": ["{col} {c} walking to greet a {a}", "a {c} in {col} stopping face to face with the {a}"],
    },
    "pass_by": {
        "mevis": [
            "the {c} {which} goes straight past the {a}",
            "{c} strolling on past the {a}",
            "the {c} that skirts the {a} and carries on",
        ],
        "ytvos": [
            "a {col} {c} walks across, going right by the {a} on the way",
            "a {col} {c} comes near the {a} but does not stop and keeps walking",
        ],
        "davis": ["{col} {c} walking past the standing {a}", "a {c} in {col} going by a {a} without a pause"],
    },
    "alongside": {
        "mevis": [
            "the {c} {which} walks next to the {a} the whole time",
            "{c} keeping level with the {a} as they go",
            "the {c} that sticks to the {a}'s side",
        ],
        "ytvos": [
            "a {col} {c} is walking beside the {a}, matching {ahis} pace",
            "a {col} {c} and the {a} are walking together, the {c} at {ahis} side",
        ],
        "davis": ["{col} {c} side by side with a {a}", "a {c} in {col} pacing beside the {a}"],
    },
    "lead": {
        "mevis": [
            "the {c} {which} walks on ahead with the {a} coming after",
            "{c} out front of the {a}",
            "the {c} {which} is a few steps ahead of the {a}",
        ],
        "ytvos": [
            "a {col} {c} goes first and the {a} walks along after {him}",
            "a {col} {c} is heading the same way as the {a} but in front",
        ],
        "davis": ["{col} {c} leading the way for the {a}", "a {c} in {col} walking in front, ahead of a {a}"],
    },
}
INTERACTION_KINDS_V4 = tuple(INTERACTION_V4)  # 10 kinds, prime to the 3 styles; the first five have a passive

# the passive variants: the target is acted upon ({a} does the relation to {c})
PASSIVE_V4 = {
    "approached": {
        "mevis": ["the {c} {which} the {a} goes up to", "{c} that gets a visit from the {a}"],
        "ytvos": ["a {col} {c} gets approached by the {a} walking over to {him}"],
        "davis": ["{col} {c} being walked up to by a {a}", "a {c} in {col} the {a} comes over to"],
    },
    "chased": {
        "mevis": ["the {c} that is on the run from the {a}", "{c} getting chased down by the {a}"],
        "ytvos": ["a {col} {c} runs off with the {a} right behind, chasing {him}"],
        "davis": ["{col} {c} fleeing a chasing {a}", "a {c} in {col} hunted by the {a}"],
    },
    "followed": {
        "mevis": ["the {c} with the {a} trailing after {him}", "{c} that the {a} is tagging along behind"],
        "ytvos": ["a {col} {c} is being followed around by the {a}"],
        "davis": ["{col} {c} shadowed by a {a}", "a {c} in {col} followed closely by the {a}"],
    },
    "overtaken": {
        "mevis": ["the {c} that gets passed by the {a}", "{c} overtaken from behind by the {a}"],
        "ytvos": ["a {col} {c} is moving slowly and the {a} gets past {him}"],
        "davis": ["{col} {c} left behind by a faster {a}", "a {c} in {col} being overtaken by the {a}"],
    },
    "circled": {
        "mevis": ["the {c} that the {a} runs circles around", "{c} with the {a} running round {him}"],
        "ytvos": ["a {col} {c} stands in the middle while the {a} runs around {him}"],
        "davis": ["{col} {c} circled by a {a}", "a {c} in {col} that a {a} keeps running around"],
    },
}
ACTIVE_OF = {"approached": "approach", "chased": "chase", "followed": "follow", "overtaken": "overtake",
             "circled": "circle_around"}
PASSIVE_OF = {v: k for k, v in ACTIVE_OF.items()}
PASSIVE_KS = frozenset(range(20, 25)) | frozenset(range(30, 35))  # two per passive variant, in two styles

PAIRS_V4 = dict(PAIRS)
# circled: (the standing target in the middle, the anchor running around it)
PAIRS_V4["circled"] = [("person", "dog"), ("man", "dog"), ("woman", "dog"), ("sheep", "dog"), ("duck", "dog"),
                       ("person", "horse"), ("cow", "dog")]


def _circled(rng: np.random.Generator, s: Scene, n: int, c: str, a: str, col: str) -> str:
    """The anchor runs loops around the standing target; another X runs the same loops around another standing
    object of the anchor's kind (what a reading that drops the passive picks); a third X may stand alone."""
    (wa, ha), (wc, hc) = size(a), size(c)
    rx = (wa + wc) / 2 + 40
    ry = 0.5 * rx + (ha + hc) / 4
    period = float(rng.uniform(24, 32))
    side = 1 if rng.random() < 0.5 else -1
    ca, cb = WIDTH / 2 - side * (rx + 35), WIDTH / 2 + side * (rx + 35)
    cya, cyb = float(rng.uniform(200, 280)), float(rng.uniform(200, 280))
    sense = 1 if rng.random() < 0.5 else -1
    s.add(label_of(c), keys((0, ca, cya)), "target", color=col)
    s.add(label_of(a), ellipse(ca, cya, rx, ry, period, float(rng.uniform(0, 6.28)), sense), "anchor")
    s.add(label_of(a), keys((0, cb, cyb)), "other_centre")
    s.add(label_of(c), ellipse(cb, cyb, rx, ry, period * float(rng.uniform(0.95, 1.05)), float(rng.uniform(0, 6.28)),
                               -sense if rng.random() < 0.5 else sense), "distractor", color=col)
    partial = (
        f"another {c} runs the same loops around another {a} standing still; dropping the passive "
        f"('the {c} running around the {a}') picks it"
    )
    if rng.random() < 0.5:  # a third X stands still between the two loops, near the bottom or top, with nobody
        y3 = float(rng.uniform(390, 420)) if (cya + cyb) / 2 < 240 else float(rng.uniform(60, 90))
        s.add(label_of(c), keys((0, WIDTH / 2 + float(rng.uniform(-10, 10)), y3)), "distractor2", color=col)
        partial += f"; a third {c} stands still away from both ('the {c} standing still' ties)"
    return partial


def stage_v4(rng: np.random.Generator, s: Scene, n: int, kind: str, c: str, a: str, col: str, d: int) -> str:
    """v3's scenes (``stage_v3``), with ``circled`` and a note on the passive of ``approached``."""
    if kind == "approached":
        partial = _approached(rng, s, n, c, a, col, d)
        return partial + f"; dropping the passive ('the {c} walking to the {a}') matches no {c}"
    if kind == "circled":
        s.num_frames = 50
        return _circled(rng, s, 50, c, a, col)
    return stage_v3(rng, s, n, kind, c, a, col, d)


def b_interaction_v4(rng: np.random.Generator, k: int, style: str) -> Built:
    return build_interaction(rng, k, style, kinds=INTERACTION_KINDS_V4, passive_of=PASSIVE_OF,
                             is_passive=PASSIVE_KS.__contains__, pairs=PAIRS_V4, active=INTERACTION_V4,
                             passive=PASSIVE_V4, stage=stage_v4)


# ---------------------------------------------------------------- sequences of phases

SEQUENCE_V4 = {
    "move_stop": {
        "mevis": [
            "the {c} {which} heads {d} and then comes to a standstill",
            "{c} going over to the {d} before {he} halts",
            "the {c} that walks to the {d} and stays put after that",
        ],
        "ytvos": [
            "a {col} {c} makes {his} way to the {d} and ends up standing still",
            "a {col} {c} walks {d} for a bit; after that {he} does not move",
        ],
        "davis": ["{col} {c} going {d}, then motionless", "a {c} in {col} that stops after walking {d}"],
    },
    "stop_move": {
        "mevis": [
            "the {c} {which} stays put at first and then takes off {d}",
            "{c} standing around until {he} bolts {d}",
            "the {c} that doesn't move at the start but later races {d}",
        ],
        "ytvos": ["a {col} {c} is motionless at the beginning, then {he} runs away toward the {d}"],
        "davis": ["{col} {c} waiting, then bolting {d}", "a {c} in {col} stood still before dashing {d}"],
    },
    "fast_slow": {
        "mevis": [
            "the {c} {which} rushes {d} and then slows to a crawl",
            "{c} going {d} quickly before easing up",
            "the {c} that runs fast at first and then just strolls",
        ],
        "ytvos": ["a {col} {c} hurries toward the {d} at first, then {he} moves much more slowly"],
        "davis": ["{col} {c} racing {d} then slowing way down", "a {c} in {col}, fast first and slow afterwards"],
    },
    "slow_fast_stop": {
        "mevis": [
            "the {c} {which} dawdles {d}, breaks into a sprint, and then stops dead",
            "{c} creeping along, then racing {d}, then stopping",
            "the {c} that goes slowly, speeds up, and at the end stands still",
        ],
        "ytvos": ["a {col} {c} first moves {d} at a slow pace, then very quickly, and in the end {he} stops"],
        "davis": ["{col} {c} slow then quick then stopped", "a {c} in {col} speeding up {d} and then halting"],
    },
    "turn_back": {
        "mevis": [
            "the {c} {which} sets off {d} but then turns around",
            "{c} walking {d} and then back again the other way",
            "the {c} that changes direction after going {d}",
        ],
        "ytvos": ["a {col} {c} walks over to the {d}, then changes {his} mind and comes back {o}"],
        "davis": ["{col} {c} going {d} and coming back", "a {c} in {col} reversing after heading {d}"],
    },
    "pause_return": {
        "mevis": [
            "the {c} {which} goes {d}, takes a break, then turns back {o}",
            "{c} that stops partway {d} and returns the way {he} came",
            "the {c} heading {d}, standing for a bit, and then going back",
        ],
        "ytvos": ["a {col} {c} walks {d} and rests for a moment before coming back toward the {o}"],
        "davis": ["{col} {c} out {d}, a pause, and back", "a {c} in {col} pausing and then walking back {o}"],
    },
    "still_move_still": {
        "mevis": [
            "the {c} {which} stands, goes {d} for a bit, and stands again",
            "{c} that only moves {d} in the middle and is still at the start and the end",
            "the {c} that waits, walks over {d}, and then waits some more",
        ],
        "ytvos": ["a {col} {c} waits around, walks to the {d}, and then waits there again"],
        "davis": ["{col} {c} standing, strolling {d}, standing", "a {c} in {col} that walks {d} between two rests"],
    },
    "turn_stop": {
        "mevis": [
            "the {c} {which} goes {d}, comes back {o}, and then stops",
            "{c} walking {d} then back {o} before standing still",
            "the {c} that turns around after going {d} and finally stays put",
        ],
        "ytvos": ["a {col} {c} heads {d}, returns toward the {o}, and at the end stands there"],
        "davis": ["{col} {c} going {d}, back {o}, then stopped", "a {c} in {col} walking {d} and back, then halting"],
    },
}
SEQUENCE_KINDS_V4 = tuple(SEQUENCE_V4)  # 8 kinds, prime to the 3 styles


def _sequence_plan_v4(rng: np.random.Generator, kind: str, n: int) -> tuple[Phases, list[tuple[str, Phases]]]:
    """The target's phases and the distractors' (the first must be there), as in cases_v3.py."""
    if kind == "still_move_still":
        return _sequence_plan(rng, kind, n)
    if kind != "turn_stop":
        return _sequence_plan_v3(rng, kind, n)
    v = float(rng.uniform(5.0, 7.0))
    a, b = int(rng.integers(16, 21)), int(rng.integers(16, 21))
    rest = n - a - b
    return [(a, v), (b, -v), (rest, 0)], [
        ("turns back without stopping", [(a, v), (n - a, -v)]),
        ("the named way, then stops", [(a + b // 2, v), (n - a - b // 2, 0)]),
        ("stops, then turns back (the last two phases swapped)", [(a, v), (rest, 0), (b, -v)]),
        ("the other way, back, then stops", [(a, -v), (b, v), (rest, 0)]),
    ]


def b_sequence_v4(rng: np.random.Generator, k: int, style: str) -> Built:
    return build_sequence(rng, k, style, kinds=SEQUENCE_KINDS_V4, table=SEQUENCE_V4, plan=_sequence_plan_v4,
                          long=("pause_return", "still_move_still", "turn_stop"))


# structure → (builder, number of cases)
BUILDERS_V4: dict[str, tuple[Callable[[np.random.Generator, int, str], Built], int]] = {
    "interaction": (b_interaction_v4, 36),
    "sequence": (b_sequence_v4, 24),
}
