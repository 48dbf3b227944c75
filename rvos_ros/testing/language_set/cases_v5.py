"""Batch v5 of the language set: a fresh held-out batch in four new annotators' wording, never tuned on.

The reasoner was tuned on the dev halves of v1 to v4 and does not carry over to
wording it has not seen, so v5 measures that honestly: four structures
(interaction, with passive variants for a quarter of its cases, sequence,
ordinal and group), its own seed, its own dev/test cut and templates written
from scratch without the parser's vocabulary in view; no template of v1 to v4
is reused. The templates of each style mix the habits of four imagined
annotators: one British and informal ("legging it after", "mooching over to",
"running rings round"), one who writes long sentences with subordinate clauses
and pronouns ("a grey dog, which was standing by the man at first, walks off
and leaves him behind"), one terse, with participles and prepositional phrases
("red cow in the wake of a dog"), and one who makes the other object the
subject ("the man stays where he is while a brown dog comes over to him"). The
styles are those of cases.py (``mevis``: motion first, short; ``ytvos``: a
sentence with colour, action and place; ``davis``: a short noun phrase); no
text is taken from the benchmarks.

Interactions come in ten relations (approach, chase, follow, overtake, circle
around, pass by, move away, meet, walk alongside, lead) and seven passive
variants (``approached``, ``chased``, ``followed``, ``overtaken``, ``circled``,
``passed``: the Y walks past the standing X, and ``left``: the Y walks away from
the standing X), where the target is the one acted upon. Sequences are two or
three ordered phases (a direction, a speed or a stop each); ``walk_stop_run``,
``still_fast_slow`` and ``turn_slow`` are new here. Ordinals are orders in time
(first / last to start, stop, arrive, come into view, walk out of view);
groups are a pair walking together, all the X going one way, the X that stay
in a bunch, and the two X coming toward each other. The scenes reuse the
builders of cases_v2.py, cases_v3.py and cases_v4.py where they fit; ``passed``,
``left``, the ordinal and group scenes and the three new sequences are new. Each
builder says which partial reading its scene defeats; the scene conventions are
those of cases_v2.py.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from rvos_ros.testing.language_set.cases import COLORS, Built, lr, pick, plural, rows
from rvos_ros.testing.language_set.cases_v2 import (
    WALKERS,
    Moves,
    _start_stop,
    fit_x,
    label_of,
    lanes,
    say,
    size,
    spoken,
)
from rvos_ros.testing.language_set.cases_v3 import (
    Phases,
    _approached,
    _noun,
    _sequence_plan_v3,
    build_interaction,
    build_sequence,
    pronouns,
)
from rvos_ros.testing.language_set.cases_v4 import PAIRS_V4, stage_v4
from rvos_ros.testing.language_set.scene import HEIGHT, WIDTH, Scene, keys, segments, wave

# ---------------------------------------------------------------- interactions

INTERACTION_V5 = {
    "approach": {
        "mevis": [
            "{c} wandering over to the {a}",
            "the {c} {which} sidles up to the {a}",
            "{c} making a beeline for the {a}",
        ],
        "ytvos": [
            "a {col} {c} starts a fair way off and works {his} way across until {he} is right next to the {a}",
            "the {a} stays where {ahe} is while a {col} {c} comes over to {ahim}",
            "there's a {col} {c} mooching across the frame toward the {a}",
        ],
        "davis": ["{col} {c} bound for the {a}", "a {c} in {col} coming across to the {a}"],
    },
    "chase": {
        "mevis": [
            "{c} legging it after the {a}",
            "the {c} hot on the heels of the {a}",
            "the {c} {which} is gaining on the {a} as they run",
        ],
        "ytvos": [
            "a {col} {c} sprints along behind the {a}, getting nearer and nearer as {ahe} tries to get away",
            "the {a} is running flat out with a {col} {c} bearing down on {ahim} from behind",
        ],
        "davis": ["{col} {c} charging after a {a}", "a {c} in {col} closing on a fleeing {a}"],
    },
    "follow": {
        "mevis": [
            "{c} trotting along after the {a}",
            "the {c} dogging the {a}'s steps",
            "{c} a couple of paces behind the {a}, going where {ahe} goes",
        ],
        "ytvos": [
            "a {col} {c} walks in a line behind the {a}, keeping the same distance the whole way",
            "the {a} goes first and a {col} {c} plods along in {ahis} wake",
        ],
        "davis": ["{col} {c} in the wake of a {a}", "a {c} in {col} tracking the {a} from behind"],
    },
    "overtake": {
        "mevis": [
            "{c} zipping past the {a}",
            "the {c} {which} nips round the {a} and pulls out in front",
            "the {c} {which} leaves the slower {a} in {his} dust",
        ],
        "ytvos": [
            "a {col} {c} comes up from behind the {a}, draws level with {ahim} and then gets ahead",
            "the {a} is moving along slowly when a {col} {c} comes past {ahim} from behind",
        ],
        "davis": ["{col} {c} overhauling a slower {a}", "a {c} in {col} moving up past the {a}"],
    },
    "circle_around": {
        "mevis": [
            "{c} running rings round the {a}",
            "the {c} {which} keeps looping the {a}",
            "{c} tearing round the {a} in circles",
        ],
        "ytvos": [
            "a {col} {c} keeps running in a big ring that has the {a} at its centre",
            "the {a} stays still while a {col} {c} races round and round {ahim}",
        ],
        "davis": ["{col} {c} making laps of the {a}", "a {c} in {col} whirling round the {a}"],
    },
    "pass_by": {
        "mevis": [
            "{c} going past the {a} and out the other side",
            "the {c} {which} breezes by the {a}",
            "the {c} that doesn't stop at the {a}, just carries straight on past {ahim}",
        ],
        "ytvos": [
            "a {col} {c} is crossing over and goes close by the {a} without slowing down",
            "the {a} is standing there as a {col} {c} goes by {ahim}",
        ],
        "davis": ["{col} {c} sweeping past a {a}", "a {c} in {col} moving by the still {a}"],
    },
    "move_away": {
        "mevis": [
            "{c} sloping off away from the {a}",
            "the {c} {which} leaves the {a}'s side and keeps going",
            "{c} edging away from the {a}",
        ],
        "ytvos": [
            "a {col} {c}, {which} was standing by the {a} at first, walks off and leaves {ahim} behind",
            "the {a} stays put and a {col} {c} that was beside {ahim} moves off away from {ahim}",
        ],
        "davis": ["{col} {c} striding off from a {a}", "a {c} in {col} heading off, the {a} left behind"],
    },
    "meet": {
        "mevis": [
            "the {c} {which} heads for the {a} while {ahe} heads for {him}",
            "{c} walking out to meet the {a} halfway",
            "the {c} that ends up nose to nose with the {a}",
        ],
        "ytvos": [
            "a {col} {c} sets off toward the {a}, {awhich} is also coming {his} way, and they stop when they reach "
            "each other",
            "the {a} and a {col} {c} converge from either side, the {c} pulling up next to {ahim}",
        ],
        "davis": ["{col} {c} joining up with an approaching {a}", "a {c} in {col} stopping where {he} meets the {a}"],
    },
    "alongside": {
        "mevis": [
            "{c} walking abreast of the {a}",
            "the {c} {which} keeps right at the {a}'s side",
            "{c} matching the {a} stride for stride",
        ],
        "ytvos": [
            "a {col} {c} walks at the same speed as the {a} and stays right beside {ahim} all the way across",
            "the {a} walks along with a {col} {c} close by {ahis} side",
        ],
        "davis": ["{col} {c} level with a walking {a}", "a {c} in {col} keeping step with the {a}"],
    },
    "lead": {
        "mevis": [
            "{c} at the head of the line, the {a} behind",
            "the {c} setting the pace for the {a} behind {him}",
            "the {c} with the {a} bringing up the rear",
        ],
        "ytvos": [
            "a {col} {c} goes on in front and the {a} keeps pace a little way back",
            "the {a} walks along behind a {col} {c}, {which} stays out in front the whole time",
        ],
        "davis": ["{col} {c} out in the lead, {a} following", "a {c} in {col} first in line ahead of a {a}"],
    },
}
INTERACTION_KINDS_V5 = tuple(INTERACTION_V5)  # 10 kinds, prime to the 3 styles; the first seven have a passive

# the passive variants: the target is acted upon ({a} does the relation to {c})
PASSIVE_V5 = {
    "approached": {
        "mevis": ["the {c} the {a} wanders up to", "{c} being sidled up to by the {a}"],
        "ytvos": [
            "a {col} {c} is standing still and the {a} comes all the way across to {him}",
            "the {a} sets off and walks over to a {col} {c}, {which} hasn't moved at all",
        ],
        "davis": ["{col} {c} with a {a} coming up to {him}", "a {c} in {col} the {a} makes for"],
    },
    "chased": {
        "mevis": ["the {c} trying to get away from the {a}", "{c} with the {a} hard on {his} heels"],
        "ytvos": [
            "a {col} {c} is running for it while the {a} chases along behind {him}",
            "the {a} races after a {col} {c} that's trying to stay ahead",
        ],
        "davis": ["{col} {c} fleeing, {a} in pursuit", "a {c} in {col} being run down by the {a}"],
    },
    "followed": {
        "mevis": ["{c} with a {a} in tow", "the {c} whose every step the {a} copies from behind"],
        "ytvos": [
            "a {col} {c} walks along and the {a} sticks behind {him} all the way",
            "the {a} is walking after a {col} {c}, keeping a little way back",
        ],
        "davis": ["{col} {c}, a {a} on {his} tail", "a {c} in {col} tailed by the {a}"],
    },
    "overtaken": {
        "mevis": ["the {c} the {a} zooms past from behind", "{c} being overhauled by the {a}"],
        "ytvos": [
            "a {col} {c} is going along slowly and gets caught and passed by the {a}",
            "the {a} comes up behind a {col} {c} and then pulls ahead of {him}",
        ],
        "davis": ["{col} {c} outpaced by the {a}", "a {c} in {col}, the {a} getting past {him}"],
    },
    "circled": {
        "mevis": ["the {c} the {a} keeps running rings round", "{c} at the centre of the {a}'s loops"],
        "ytvos": [
            "a {col} {c} stands in one spot as the {a} goes round and round {him}",
            "the {a} is racing in circles and a {col} {c} is standing in the middle of them",
        ],
        "davis": ["{col} {c} ringed by a running {a}", "a {c} in {col} the {a} laps"],
    },
    "passed": {
        "mevis": ["the {c} the {a} strolls straight past", "{c} that the {a} goes by without stopping"],
        "ytvos": [
            "a {col} {c} is standing and the {a} goes right past {him} without a pause",
            "the {a} walks on past a {col} {c} standing nearby",
        ],
        "davis": ["{col} {c} the {a} goes by", "a {c} in {col}, the {a} walking past"],
    },
    "left": {
        "mevis": ["the {c} the {a} walks off and leaves", "{c} left on {his} own when the {a} wanders away"],
        "ytvos": [
            "a {col} {c} doesn't budge after the {a}, {awhich} was next to {him}, walks away",
            "the {a} starts off beside a {col} {c} and then moves away from {him}",
        ],
        "davis": ["{col} {c} abandoned by a {a}", "a {c} in {col}, the {a} walking off from {him}"],
    },
}
ACTIVE_OF = {"approached": "approach", "chased": "chase", "followed": "follow", "overtaken": "overtake",
             "circled": "circle_around", "passed": "pass_by", "left": "move_away"}
PASSIVE_OF = {v: k for k, v in ACTIVE_OF.items()}
# a quarter of the 40 take the passive: the last round of each of the seven relations, and the third round of the
# first three (k modulo 10 picks the relation, so each passive meets a style its relation's actives also meet)
PASSIVE_KS = frozenset(range(30, 37)) | frozenset(range(20, 23))

PAIRS_V5 = dict(PAIRS_V4)
PAIRS_V5["left"] = PAIRS_V4["approached"]  # (the standing target, the anchor that walks off from beside it)
# passed: (the standing target, the anchor that walks past it)
PAIRS_V5["passed"] = [("car", "man"), ("person", "dog"), ("cow", "horse"), ("bicycle", "woman"), ("sheep", "dog"),
                      ("ball", "person"), ("car", "dog")]


def _passed(rng: np.random.Generator, s: Scene, n: int, c: str, a: str, col: str, d: int) -> str:
    """The anchor walks across the whole picture and passes close by the standing target without stopping. Either
    another X stands far from the anchor's lane (it never comes near), or another X walks past another standing
    object of the anchor's kind (what a reading that drops the passive picks)."""
    ha, hc = size(a)[1], size(c)[1]
    v = float(rng.uniform(6.5, 8.0))
    ya = HEIGHT / 2 + float(rng.uniform(-10, 10))
    sy = 1 if rng.random() < 0.5 else -1
    off = 0.6 * (ha + hc) / 2 + 10
    ax = WIDTH / 2 + float(rng.uniform(-50, 50))
    x0 = ax - d * (v * n / 2 + float(rng.uniform(-25, 25)))
    s.add(label_of(c), keys((0, ax, ya + sy * off)), "target", color=col)
    s.add(label_of(a), segments(x0, ya, [(n, d * v, 0)]), "anchor")
    yf = ya - sy * 165  # the far band on the side away from the target
    if rng.random() < 0.5:
        s.add(label_of(c), keys((0, float(rng.uniform(120, 520)), yf)), "distractor", color=col)
        return (
            f"another {c} stands still too, but far from the {a}'s lane ('the {c} standing still' ties; only "
            f"'the {a} goes past' separates them)"
        )
    # the other X walks level with the anchor, the same way at its speed (neither passes the other), and goes by
    # another Y standing in the far band at the moment the anchor goes by the target
    xb = ax + float(rng.uniform(-40, 40))
    s.add(label_of(a), keys((0, xb, yf)), "other_anchor")
    ob = 0.6 * (ha + hc) / 2 + 10
    s.add(label_of(c), segments(x0 + (xb - ax), yf + sy * ob, [(n, d * v, 0)]), "distractor", color=col)
    return (
        f"another {c} walks past another {a} standing still; dropping the passive ('the {c} going past the "
        f"{a}') picks it, and the target itself never moves"
    )


def _left(rng: np.random.Generator, s: Scene, n: int, c: str, a: str, col: str, d: int) -> str:
    """``_approached`` with the two standing X's roles swapped: the anchor sets off from beside the target and walks
    over to the other X, so the target is the one it walks away from."""
    _approached(rng, s, n, c, a, col, d)
    swap = {"target": "distractor", "distractor": "target"}
    for t in s.tracks:
        t.role = swap.get(t.role, t.role)
    return (
        f"both {plural(c)} stand still; the {a} starts beside the target and walks over to the other one, so "
        f"'the {c} near the {a}' at the end picks the wrong one and 'the {c} walking away from the {a}' "
        f"(dropping the passive) matches none"
    )


def stage_v5(rng: np.random.Generator, s: Scene, n: int, kind: str, c: str, a: str, col: str, d: int) -> str:
    """v4's scenes (``stage_v4``), with ``left`` and ``passed``, a window that fits an approach, and v5's own note
    on the passive of ``approached``."""
    if kind in ("approach", "move_away"):
        # a window short enough for _approach to find a speed of 3.2 px/frame or more for a wide pair
        s.num_frames = n = min(n, int((260 - (size(a)[0] + size(c)[0]) / 2 - 25) / 3.2))
    elif kind == "approached":
        partial = _approached(rng, s, n, c, a, col, d)
        return partial + f"; dropping the passive ('the {c} going up to the {a}') matches no {c}"
    elif kind == "left":
        s.num_frames = n = 48  # the long window, so the anchor ends well away from the target
        return _left(rng, s, n, c, a, col, d)
    elif kind == "passed":
        return _passed(rng, s, n, c, a, col, d)
    return stage_v4(rng, s, n, kind, c, a, col, d)


def b_interaction_v5(rng: np.random.Generator, k: int, style: str) -> Built:
    return build_interaction(rng, k, style, kinds=INTERACTION_KINDS_V5, passive_of=PASSIVE_OF,
                             is_passive=PASSIVE_KS.__contains__, pairs=PAIRS_V5, active=INTERACTION_V5,
                             passive=PASSIVE_V5, stage=stage_v5)


# ---------------------------------------------------------------- sequences of phases

SEQUENCE_V5 = {
    "move_stop": {
        "mevis": [
            "{c} trotting {d} and then pulling up",
            "the {c} {which} carries on to the {d} a while, then just stands there",
            "{c} heading off to the {d} before stopping dead",
        ],
        "ytvos": ["a {col} {c} walks across to the {d}, and once {he} gets there {he} stops and stays still"],
        "davis": ["{col} {c} walking {d}, then at rest", "a {c} in {col}, moving {d} then stationary"],
    },
    "stop_move": {
        "mevis": ["{c} hanging about before legging it {d}", "the {c} {which} is stock-still until {he} dashes {d}"],
        "ytvos": ["a {col} {c} stands around doing nothing at first, then all of a sudden {he} takes off at speed "
                  "to the {d}"],
        "davis": ["{col} {c} still, then sprinting {d}",
                  "a {c} in {col} bursting into a run to the {d} after standing"],
    },
    "slow_fast": {
        "mevis": ["{c} pottering {d} and then shooting off", "the {c} {which} meanders {d} but then really picks "
                  "up the pace"],
        "ytvos": ["a {col} {c} ambles slowly toward the {d}, but after a while {he} starts running much faster"],
        "davis": ["{col} {c} going {d}, slow and then quick", "a {c} in {col} that gets much quicker as {he} goes {d}"],
    },
    "fast_slow": {
        "mevis": ["{c} belting {d} and then easing off to a dawdle",
                  "the {c} {which} runs flat out to the {d} before winding down to an amble"],
        "ytvos": ["a {col} {c} races off toward the {d} but soon tires and carries on at a slow amble"],
        "davis": ["{col} {c} fast {d}, then slowing", "a {c} in {col} dashing and then trudging {d}"],
    },
    "turn_back": {
        "mevis": ["{c} off {d}, then an about-turn",
                  "the {c} {which} goes {d}, then thinks better of it and heads back"],
        "ytvos": ["a {col} {c} sets out {d}, but partway over {he} swings round and goes back toward the {o}"],
        "davis": ["{col} {c} out to the {d} and back again", "a {c} in {col} walking {d}, then retracing {his} steps"],
    },
    "pause_return": {
        "mevis": ["{c} going {d}, stopping for a moment, then coming back",
                  "the {c} {which} walks {d}, waits a bit, and then heads back {o}"],
        "ytvos": ["a {col} {c} goes off {d}, lingers a little, and then makes {his} way over to the {o} again"],
        "davis": ["{col} {c} {d}, a short wait, then back {o}", "a {c} in {col} stopping before turning back"],
    },
    "slow_fast_stop": {
        "mevis": ["{c} that ambles {d}, puts on a burst of speed, then pulls up",
                  "the {c} {which} goes gently to the {d} at first, then charges, and finally stops"],
        "ytvos": ["a {col} {c} takes it easy heading {d}, then puts on a spurt, and by the end {he} has pulled up"],
        "davis": ["{col} {c} sauntering, then racing {d}, then stopped",
                  "a {c} in {col} heading {d}: a gentle start, a sprint, a full stop"],
    },
    "walk_stop_run": {
        "mevis": ["{c} walking {d}, stopping, then shooting off {d}",
                  "the {c} {which} pauses on {his} way {d} and then runs off much faster"],
        "ytvos": ["a {col} {c} is strolling {d}, pulls up briefly, and then sprints away the same way"],
        "davis": ["{col} {c} walking, halting, then dashing {d}",
                  "a {c} in {col} walking {d}, pausing, then racing on"],
    },
    "still_fast_slow": {
        "mevis": ["{c} standing about, then dashing {d}, then dropping to a stroll",
                  "the {c} {which} waits, bolts off {d}, and then slows right down"],
        "ytvos": ["a {col} {c} is motionless to begin with, then tears off to the {d} and after that carries on only "
                  "slowly"],
        "davis": ["{col} {c} from a standstill to a sprint {d}, then to a crawl",
                  "a {c} in {col} bolting from a standstill to the {d} and then slowing"],
    },
    "turn_slow": {
        "mevis": ["{c} racing {d} and then wandering slowly back",
                  "the {c} {which} dashes off {d} and then strolls back the other way"],
        "ytvos": ["a {col} {c} dashes across to the {d}, then turns and drifts slowly back toward the {o}"],
        "davis": ["{col} {c} sprinting {d}, ambling back {o}", "a {c} in {col} fast out {d}, slow back"],
    },
}
SEQUENCE_KINDS_V5 = tuple(SEQUENCE_V5)  # 10 kinds, prime to the 3 styles


def _sequence_plan_v5(rng: np.random.Generator, kind: str, n: int) -> tuple[Phases, list[tuple[str, Phases]]]:
    """The target's phases and the distractors' (the first must be there); the older kinds as in cases_v3.py."""
    if kind not in ("walk_stop_run", "still_fast_slow", "turn_slow"):
        return _sequence_plan_v3(rng, kind, n)
    v = float(rng.uniform(5.0, 6.5))
    slow, fast = float(rng.uniform(2.0, 3.0)), float(rng.uniform(9.5, 11.0))
    if kind == "walk_stop_run":
        a1, p = int(rng.integers(13, 17)), int(rng.integers(10, 13))
        rest = n - a1 - p
        return [(a1, v), (p, 0), (rest, fast)], [
            ("walks, pauses, then walks on at the same pace (no burst of speed)", [(a1, v), (p, 0), (rest, v)]),
            ("walks, then runs, without the pause", [(a1 + p // 2, v), (n - a1 - p // 2, fast)]),
            ("walks, then stops for good", [(a1, v), (n - a1, 0)]),
            ("walks, pauses, then runs back the other way", [(a1, v), (p, 0), (rest, -fast)]),
        ]
    if kind == "still_fast_slow":
        w0, f = int(rng.integers(10, 15)), int(rng.integers(14, 19))
        rest = n - w0 - f
        return [(w0, 0), (f, fast), (rest, slow)], [
            ("stands, then runs to the end without slowing", [(w0, 0), (n - w0, fast)]),
            ("runs from the start, then slows (no standing first)", [(w0 + f, fast), (rest, slow)]),
            ("stands, then slow, then fast (the moving phases swapped)", [(w0, 0), (rest, slow), (f, fast)]),
            ("stands, runs, slows, the other way", [(w0, 0), (f, -fast), (rest, -slow)]),
        ]
    a = int(rng.integers(18, 24))  # turn_slow
    return [(a, fast), (n - a, -slow)], [
        ("runs the named way, then slows without turning back", [(a, fast), (n - a, slow)]),
        ("runs the named way, then back as fast", [(a, fast), (n - a, -fast)]),
        ("slow the named way, then fast back (the speeds swapped)", [(n - a, slow), (a, -fast)]),
        ("fast the other way, then slowly back", [(a, -fast), (n - a, slow)]),
    ]


def b_sequence_v5(rng: np.random.Generator, k: int, style: str) -> Built:
    return build_sequence(rng, k, style, kinds=SEQUENCE_KINDS_V5, table=SEQUENCE_V5, plan=_sequence_plan_v5,
                          long=("pause_return",))


# ---------------------------------------------------------------- ordinals in time

ORDINAL_V5 = {
    "start_first": {
        "mevis": ["{c} first off the mark", "the {c} {which} starts walking while the rest are still standing"],
        "ytvos": ["of all the {cs}, a {col} {c} is the one that starts moving earliest, while the others are still "
                  "standing around"],
        "davis": ["{col} {c} off first", "a {c} in {col} moving before the rest"],
    },
    "start_last": {
        "mevis": ["the {c} {which} hangs back longest before moving", "{c} last off the mark"],
        "ytvos": ["a {col} {c} stays still well after the others have set off, and only then starts to move"],
        "davis": ["{col} {c} the last to get going", "a {c} in {col} setting off after all the other {cs}"],
    },
    "stop_first": {
        "mevis": ["{c} that pulls up before the rest", "the {c} {which} stops while the others are still on the move"],
        "ytvos": ["a {col} {c} comes to a stop sooner than any of the other {cs}"],
        "davis": ["{col} {c}, first one to stop", "a {c} in {col} stopping earliest"],
    },
    "stop_last": {
        "mevis": ["the {c} {which} is still going after the rest have stopped", "{c} the last one still moving"],
        "ytvos": ["a {col} {c} keeps on moving for longest and is the final one to stop"],
        "davis": ["{col} {c} stopping last of all", "a {c} in {col} halting after the other {cs}"],
    },
    "arrive_first": {
        "mevis": ["the {c} {which} gets to the {a} ahead of the others", "{c} beating the others to the {a}"],
        "ytvos": ["of the {cs} heading for the {a}, a {col} {c} is the one that gets there first"],
        "davis": ["{col} {c} at the {a} before the rest", "a {c} in {col} winning the race to the {a}"],
    },
    "arrive_last": {
        "mevis": ["the {c} {which} is the last to turn up at the {a}", "{c} straggling in to the {a} last"],
        "ytvos": ["a {col} {c} takes longest to reach the {a}; every other {c} is already there when {he} arrives"],
        "davis": ["{col} {c} last to the {a}", "a {c} in {col} trailing in at the {a} once the others are there"],
    },
    "enter_last": {
        "mevis": ["the {c} {which} shows up last", "{c} that walks into shot after the others"],
        "ytvos": ["a {col} {c} comes into the picture later than all the other {cs}"],
        "davis": ["{col} {c} entering last", "a {c} in {col}, the latest arrival in the frame"],
    },
    "leave_last": {
        "mevis": ["the {c} {which} is the last to walk out of view", "{c} still in the picture after the others have "
                  "gone"],
        "ytvos": ["a {col} {c} walks out of the frame too, but only after every other {c} has already left"],
        "davis": ["{col} {c} exiting last", "a {c} in {col} the final one to leave the scene"],
    },
}
ORDINAL_KINDS_V5 = tuple(ORDINAL_V5)  # 8 kinds, each twice (k and k + 8, in two different styles)


def b_ordinal_v5(rng: np.random.Generator, k: int, style: str) -> Built:
    kind = ORDINAL_KINDS_V5[k % len(ORDINAL_KINDS_V5)]
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

    def u(lo: float, hi: float) -> float:
        return float(rng.uniform(lo, hi))

    def t(lo: int, hi: int) -> int:
        return int(rng.integers(lo, hi + 1))

    if kind in ("start_first", "start_last"):
        if kind == "start_first":  # the target sets off first and slowest; the later ones are faster
            plan = [("target", t(3, 7), u(2.5, 3.5)), ("distractor", t(17, 22), u(6.5, 8.5)),
                    ("distractor2", t(29, 33), u(5.0, 7.0))]
            partial = (
                f"all {count} stand, then set off, the later ones faster; 'the {c} on the move' prefers a later, "
                f"faster one and 'the {c} that sets off' ties them: only the start times separate"
            )
        else:  # the target sets off last at a middling speed; the first to go is the fastest
            plan = [("target", t(27, 32), u(4.5, 5.5)), ("distractor", t(2, 6), u(7.5, 8.5)),
                    ("distractor2", t(13, 18), u(3.0, 4.0))]
            partial = (
                f"all {count} stand, then set off; the target starts last at a middling speed, so 'the fastest "
                f"{c}' picks the first to go and 'the {c} that sets off' ties them all"
            )
        for lane, (role, t0, v) in zip(ys, plan[:count], strict=True):
            s.add(lab, _start_stop(rng, lane, t0, n - t0, v, way(), n), role, color=col)
    elif kind in ("stop_first", "stop_last"):
        if kind == "stop_first":  # the target stops first; one stops later, faster; a third never stops
            plan = [("target", t(12, 16), u(5.0, 6.0)), ("distractor", t(28, 34), u(7.5, 9.0)),
                    ("distractor2", n, u(3.0, 4.0))]
            partial = (
                f"{'both walk from the start and stop' if count == 2 else 'two stop, a third never does'}; the "
                f"target is neither the fastest nor the slowest, so 'the {c} that stops' ties and only 'first' "
                f"separates"
            )
        else:  # the target stops last at a middling speed; the slowest stops first
            plan = [("target", t(38, 41), u(5.0, 6.0)), ("distractor", t(12, 16), u(3.0, 3.8)),
                    ("distractor2", t(22, 27), u(8.0, 9.0))]
            partial = (
                f"all {count} walk from the start and stop; the target stops last at a middling speed, so 'the {c} "
                f"that stops' ties, 'the slowest' picks the first to stop and 'the fastest' another"
            )
        for lane, (role, t1, v) in zip(ys, plan[:count], strict=True):
            s.add(lab, _start_stop(rng, lane, 0, t1, v, way(), n), role, color=col)
    elif kind in ("arrive_first", "arrive_last"):
        a = pick(rng, [x for x in ("person", "car", "bicycle", "truck", "horse", "cow") if x != lab])
        wa, ha = size(a)
        _, d = lr(rng)
        ax = WIDTH / 2 + d * u(175, 205)
        ya = u(215, 265)
        s.add(label_of(a), keys((0, ax, ya)), "anchor")
        near = (wa + w) / 2 + 10
        step = 0.5 * (ha + h) + 12
        places = [(ax - d * near, ya), (ax - d * (near - 15), ya - step), (ax - d * (near - 15), ya + step)]
        order = [int(i) for i in rng.permutation(3)][:count]
        room = abs(places[0][0] - (40 if d > 0 else WIDTH - 40))
        if kind == "arrive_first":  # (role, frame it arrives, speed, frame it sets off)
            arrivals = [("target", t(16, 21), u(5.5, 7.0), 0), ("distractor", t(30, 35), u(9.0, 10.5), t(8, 13)),
                        ("distractor2", t(38, 42), u(3.5, 4.5), 0)]
            partial = (
                f"every {c} walks to the {a} and stops there; one that arrives later runs faster from farther "
                f"away, so 'the fastest {c}' picks it and 'the {c} that reaches the {a}' ties them"
            )
        else:
            arrivals = [("target", t(38, 41), u(3.5, 4.5), 0), ("distractor", t(13, 18), u(8.0, 10.0), t(2, 5)),
                        ("distractor2", t(22, 27), u(6.5, 8.0), t(4, 9))]
            partial = (
                f"every {c} walks to the {a} and stops there; the target sets off first but is slowest, so 'the "
                f"{c} that reaches the {a}' ties and 'the first to move' picks it for the wrong reason"
            )
        for slot, (role, t_arrive, v, t_go) in zip(order, arrivals[:count], strict=True):
            v = min(v, room / (t_arrive - t_go))
            sx, sy = places[slot]
            moves: Moves = [(t_go, 0.0, 0.0), (t_arrive - t_go, d * v, 0.0), (n - t_arrive, 0.0, 0.0)]
            s.add(lab, segments(sx - d * v * (t_arrive - t_go), sy, [mv for mv in moves if mv[0] > 0]), role,
                  color=col)
    elif kind == "enter_last":  # (role, frame it starts to walk in from a border, speed)
        plan = [("target", t(28, 32), u(4.0, 5.5)), ("distractor", t(2, 6), u(5.5, 7.0)),
                ("distractor2", t(13, 19), u(2.5, 3.5))]
        for lane, (role, t0, v) in zip(ys, plan[:count], strict=True):
            d = way()
            x_off = -0.25 * w if d > 0 else WIDTH + 0.25 * w
            s.add(lab, segments(x_off, lane, [(t0, 0.0, 0.0), (n - t0, d * v, 0.0)]), role, color=col)
        partial = (
            f"every {c} walks in from a border, the target last but not the slowest; 'the {c} coming into view' "
            f"ties them: only 'last' separates"
        )
    else:  # leave_last: (role, frame it is out of view, speed); all walk out, the target last at a middling speed
        plan = [("target", t(36, 41), u(4.5, 5.5)), ("distractor", t(8, 14), u(6.5, 7.5)),
                ("distractor2", t(19, 25), u(2.8, 3.5))]
        for lane, (role, t_out, v) in zip(ys, plan[:count], strict=True):
            d = way()
            x_exit = WIDTH + 0.25 * w if d > 0 else -0.25 * w
            s.add(lab, segments(x_exit - d * v * t_out, lane, [(n, d * v, 0.0)]), role, color=col)
        partial = (
            f"every {c} walks out of the picture; 'the {c} that leaves' ties them and the target is neither the "
            f"fastest nor the slowest: only 'last' separates"
        )
    template = pick(rng, ORDINAL_V5[kind][style])
    cw = _noun(rng, c, template)
    query = say(rng, template, c=cw, cs=plural(cw), col=col, a=spoken(rng, a) if a else "", **pronouns(cw))
    return Built(query, s, ["target"], partial, kind)


# ---------------------------------------------------------------- groups

GROUP_V5 = {
    "pair_together": {
        "mevis": ["the two {cs} walking in step", "pair of {cs} heading {d}, shoulder to shoulder",
                  "the couple of {cs} that keep each other company"],
        "ytvos": ["two {col} {cs} walk together toward the {d}, staying close to one another the whole time"],
        "davis": ["a pair of {col} {cs} strolling together", "two {col} {cs} in step"],
    },
    "all_way": {
        "mevis": ["all {cs} on the move toward the {d}", "every {c} that goes off to the {d}"],
        "ytvos": ["all of the {col} {cs} whose path takes them across the frame to the {d}",
                  "the {col} {cs} that are heading over to the {d}, not the ones going the other way"],
        "davis": ["{col} {cs} all heading {d}", "every {c} in {col} moving {d}"],
    },
    "bunch": {
        "mevis": ["the {cs} that stay in a bunch", "{cs} huddled together",
                  "the {cs} sticking together in a little knot"],
        "ytvos": ["{num} {col} {cs} keep close together in a group, milling around in the same spot",
                  "a few {col} {cs} are gathered in a tight cluster, moving about but never straying from each other"],
        "davis": ["bunched-up {col} {cs}", "the cluster of {col} {cs}"],
    },
    "converge": {
        "mevis": ["the two {cs} heading toward one another", "{cs} coming at each other from opposite sides"],
        "ytvos": ["two {col} {cs} set off from opposite ends and walk up to one another until they're only a step "
                  "apart"],
        "davis": ["two {col} {cs} on a collision course", "a pair of {col} {cs} closing in on one another"],
    },
}
GROUP_KINDS_V5 = tuple(GROUP_V5)  # 4 kinds, prime to the 3 styles
GROUP_POOL_V5 = ("dog", "cow", "horse", "person", "duck", "zebra", "man", "woman")  # no "sheep": its plural is itself
CONVERGE_POOL = ("dog", "person", "man", "woman", "duck", "cat", "rabbit")  # small enough to meet in one lane


def _pair_together(rng: np.random.Generator, s: Scene, c: str, col: str, d: int, n: int) -> str:
    lab, h = label_of(c), size(c)[1]
    v = float(rng.uniform(4.0, 6.0))
    mv: Moves = [(n, d * v, 0.0)]
    top = rng.random() < 0.5  # the pair in one band, everybody else in the other half of the picture
    dy = 0.55 * h + float(rng.uniform(5, 15))
    yp = float(rng.uniform(95, 110)) if top else float(rng.uniform(395, 410)) - dy
    x0 = fit_x(rng, mv)
    s.add(lab, segments(x0, yp, mv), "target", color=col)
    s.add(lab, segments(x0 + float(rng.uniform(-25, 25)), yp + dy, mv), "target2", color=col)
    # everybody else at least ~180 px below (above) the pair
    y1, y2 = ((float(rng.uniform(360, 380)), float(rng.uniform(410, 425))) if top
              else (float(rng.uniform(125, 145)), float(rng.uniform(60, 75))))
    if rng.random() < 0.5:  # two more walking the same way at about the same speed, far apart
        sep = float(rng.uniform(230, 270))
        lo = float(rng.uniform(60, max(60.0, WIDTH - 60 - v * n - sep)))
        xa, xb = (lo, lo + sep) if d > 0 else (WIDTH - lo, WIDTH - lo - sep)
        s.add(lab, segments(xa, y1, [(n, d * (v + float(rng.uniform(-0.4, 0.4))), 0)]), "distractor", color=col)
        s.add(lab, segments(xb, y2, [(n, d * (v + float(rng.uniform(-0.4, 0.4))), 0)]), "distractor2", color=col)
        return (
            f"two more {plural(c)} walk the same way at about the same speed, each on its own; 'two {plural(c)} "
            f"walking' cannot pick the pair without 'together / in step'"
        )
    xs = WIDTH / 2 + float(rng.uniform(-60, 60))  # two that start side by side and split up
    s.add(lab, segments(xs, y1, mv), "distractor", color=col)
    y3 = min(y1 + dy, 425.0) if top else y1 - dy
    s.add(lab, keys((0, xs + float(rng.uniform(-20, 20)), y3)), "distractor2", color=col)
    return (
        f"two other {plural(c)} start side by side, then one walks off and the other stays: together at the "
        f"start only, so 'the two {plural(c)} next to each other' at the first frame picks them"
    )


def _all_way(rng: np.random.Generator, s: Scene, c: str, col: str, d: int, n: int) -> tuple[str, list[str]]:
    lab = label_of(c)
    m = int(rng.integers(2, 4))
    opp = int(rng.integers(1, 3))
    still = m + opp < 5 and rng.random() < 0.5
    ys = rows(rng, m + opp + int(still), 90, 400)
    exp = []
    for i in range(m):
        r = f"target{i}" if i else "target"
        mv: Moves = [(n, d * float(rng.uniform(3.0, 8.0)), 0.0)]
        s.add(lab, segments(fit_x(rng, mv), ys[i], mv), r, color=col)
        exp.append(r)
    for j in range(opp):
        mv = [(n, -d * float(rng.uniform(3.0, 8.0)), 0.0)]
        s.add(lab, segments(fit_x(rng, mv), ys[m + j], mv), f"distractor{j or ''}", color=col)
    if still:
        s.add(lab, keys((0, float(rng.uniform(120, 520)), ys[-1])), "distractor_still", color=col)
    return (
        f"{opp} more {c if opp == 1 else plural(c)} walk{'s' if opp == 1 else ''} the other way"
        f"{' and one stands' if still else ''}; 'all the {plural(c)}' takes them too and a singular reading "
        f"picks one of the {m}"
    ), exp


def _bunch(rng: np.random.Generator, s: Scene, c: str, col: str, n: int) -> tuple[str, list[str], int]:
    """Three or four X milling about in a tight bunch in one band; one or two lone X milling the same way in the
    other band, each on its own."""
    lab, (w, h) = label_of(c), size(c)
    m = int(rng.integers(3, 5))
    top = rng.random() < 0.5
    yc, yo = (float(rng.uniform(115, 130)), float(rng.uniform(350, 365)))
    if not top:
        yc, yo = yo, yc
    xc = float(rng.uniform(190, 450))
    sp, dy = 0.75 * w + 8, 0.6 * h + 6
    offsets = [(-sp / 2, -dy / 2), (sp / 2, -dy / 2), (0.0, dy / 2)] if m == 3 else [
        (-sp / 2, -dy / 2), (sp / 2, -dy / 2), (-sp / 2, dy / 2), (sp / 2, dy / 2)]

    def mill(x: float, y: float):
        return wave(keys((0, x, y)), ax=float(rng.uniform(6, 12)), ay=float(rng.uniform(3, 6)),
                    period=float(rng.uniform(14, 22)), phase=float(rng.uniform(0, 2 * math.pi)))

    exp = []
    for i, (ox, oy) in enumerate(offsets):
        r = f"target{i}" if i else "target"
        s.add(lab, mill(xc + ox, yc + oy), r, color=col)
        exp.append(r)
    two = rng.random() < 0.5
    xs = [float(rng.uniform(110, 190)), float(rng.uniform(450, 530))] if two else [float(rng.uniform(150, 490))]
    for j, x in enumerate(xs):
        s.add(lab, mill(x, yo + float(rng.uniform(-8, 8))), f"distractor{j or ''}", color=col)
    lone = "two more mill about" if two else "another mills about"
    return (
        f"{lone} in the same way, each alone and far off; 'the {plural(c)} milling about' takes "
        f"{'them' if two else 'it'} too and a singular reading picks a lone one: only 'in a bunch' picks the {m}"
    ), exp, m


def _converge(rng: np.random.Generator, s: Scene, c: str, col: str, n: int) -> str:
    """Two X in one lane walk toward each other from either side and stop face to face; in another lane two X walk
    apart from the middle or one behind the other the same way; maybe a lone X stands in the third lane."""
    lab, (w, _) = label_of(c), size(c)
    ys = lanes(rng, 3)
    m = int(rng.integers(28, 35))
    gap = w + float(rng.uniform(15, 30))
    mx = WIDTH / 2 + float(rng.uniform(-40, 40))
    xl, xr = mx - gap / 2, mx + gap / 2
    v1 = min(float(rng.uniform(3.5, 5.5)), (xl - 60) / m)
    v2 = min(float(rng.uniform(3.5, 5.5)), (WIDTH - 60 - xr) / m)
    s.add(lab, segments(xl - v1 * m, ys[0] + float(rng.uniform(-6, 6)), [(m, v1, 0.0), (n - m, 0.0, 0.0)]),
          "target", color=col)
    s.add(lab, segments(xr + v2 * m, ys[0] + float(rng.uniform(-6, 6)), [(m, -v2, 0.0), (n - m, 0.0, 0.0)]),
          "target2", color=col)
    if rng.random() < 0.5:  # two that start face to face in the middle and walk apart
        x2 = WIDTH / 2 + float(rng.uniform(-40, 40))
        g2 = w + float(rng.uniform(15, 30))
        room = x2 - g2 / 2 - 60, WIDTH - 60 - x2 - g2 / 2
        va, vb = min(float(rng.uniform(3.0, 4.5)), room[0] / n), min(float(rng.uniform(3.0, 4.5)), room[1] / n)
        s.add(lab, segments(x2 - g2 / 2, ys[1], [(n, -va, 0.0)]), "distractor", color=col)
        s.add(lab, segments(x2 + g2 / 2, ys[1] + float(rng.uniform(-6, 6)), [(n, vb, 0.0)]), "distractor2", color=col)
        partial = (
            f"two other {plural(c)} walk in opposite directions too, but away from each other; 'the two "
            f"{plural(c)} going opposite ways' ties, only 'toward' separates"
        )
    else:  # two that walk one behind the other, the same way at the same speed
        _, d = lr(rng)
        v = float(rng.uniform(3.5, 5.0))
        mv: Moves = [(n, d * v, 0.0)]
        lag = w + float(rng.uniform(25, 45))
        x0 = fit_x(rng, mv, 60 + (lag if d > 0 else 0), WIDTH - 60 - (lag if d < 0 else 0))
        s.add(lab, segments(x0, ys[1], mv), "distractor", color=col)
        s.add(lab, segments(x0 - d * lag, ys[1] + float(rng.uniform(-6, 6)), mv), "distractor2", color=col)
        partial = (
            f"two other {plural(c)} walk close together, one behind the other; 'the pair of {plural(c)} "
            f"walking' ties, only 'toward each other' separates"
        )
    if rng.random() < 0.5:
        s.add(lab, keys((0, float(rng.uniform(120, 520)), ys[2])), "distractor3", color=col)
        partial += f"; a third {c} stands alone"
    return partial


def b_group_v5(rng: np.random.Generator, k: int, style: str) -> Built:
    kind = GROUP_KINDS_V5[k % len(GROUP_KINDS_V5)]
    col = pick(rng, COLORS)
    n = 40 if kind != "converge" else 48
    s = Scene(rng, n)
    c = pick(rng, CONVERGE_POOL if kind == "converge" else GROUP_POOL_V5)
    dname, d = lr(rng)
    num = ""
    if kind == "pair_together":
        partial, exp = _pair_together(rng, s, c, col, d, n), ["target", "target2"]
    elif kind == "all_way":
        partial, exp = _all_way(rng, s, c, col, d, n)
    elif kind == "bunch":
        partial, exp, m = _bunch(rng, s, c, col, n)
        num = {3: "three", 4: "four"}[m]
    else:
        partial, exp = _converge(rng, s, c, col, n), ["target", "target2"]
    cw = spoken(rng, c)
    query = say(rng, pick(rng, GROUP_V5[kind][style]), c=cw, cs=plural(cw), col=col, d=dname, num=num)
    return Built(query, s, exp, partial, kind)


# structure → (builder, number of cases)
BUILDERS_V5: dict[str, tuple[Callable[[np.random.Generator, int, str], Built], int]] = {
    "interaction": (b_interaction_v5, 40),
    "sequence": (b_sequence_v5, 20),
    "ordinal": (b_ordinal_v5, 16),
    "group": (b_group_v5, 16),
}
