"""Phrasing of synthetic referring expressions: several templates per kind, category synonyms, verbs that fit
the category, relative clauses and participles, optional command prefixes ("please segment", "track", ...).

The meaning is decided by the caller (``synth.expressions_for``); this module only words it, so a template
never changes which objects are meant.
"""

from __future__ import annotations

import numpy as np

__all__ = ["PHRASE_KINDS", "noun", "phrase"]

_NOUNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "person": (("person", "man", "woman", "pedestrian", "kid", "child", "guy"), ("people", "persons", "pedestrians")),
    "dog": (("dog", "puppy", "pup", "doggy"), ("dogs", "puppies", "pups")),
    "cat": (("cat", "kitten", "kitty"), ("cats", "kittens")),
    "horse": (("horse", "pony"), ("horses", "ponies")),
    "bird": (("bird", "birdie"), ("birds",)),
    "car": (("car", "automobile", "sedan"), ("cars", "automobiles")),
    "truck": (("truck", "lorry"), ("trucks", "lorries")),
    "bus": (("bus", "city bus"), ("buses",)),
    "bicycle": (("bicycle", "bike"), ("bicycles", "bikes")),
    "ball": (("ball", "toy ball"), ("balls",)),
    "cup": (("cup", "mug"), ("cups", "mugs")),
    "bottle": (("bottle",), ("bottles",)),
    "box": (("box", "crate", "carton", "cardboard box"), ("boxes", "crates", "cartons")),
    "chair": (("chair", "seat"), ("chairs",)),
}
# A super-category word names a category only when no other category of that kind is in the scene.
_SUPER = {"vehicle": ("car", "truck", "bus", "bicycle"), "animal": ("dog", "cat", "horse", "bird")}
_GROUP = {"person": "animate", "dog": "animate", "cat": "animate", "horse": "animate", "bird": "animate",
          "car": "vehicle", "truck": "vehicle", "bus": "vehicle", "bicycle": "vehicle", "ball": "ball"}
_VERBS: dict[str, list[tuple[str, str, str]]] = {
    "person": [("walking", "walks", "walk"), ("moving", "moves", "move"), ("going", "goes", "go"),
               ("heading", "heads", "go")],
    "dog": [("running", "runs", "run"), ("walking", "walks", "walk"), ("moving", "moves", "move"),
            ("trotting", "trots", "trot"), ("heading", "heads", "go")],
    "cat": [("running", "runs", "run"), ("walking", "walks", "walk"), ("moving", "moves", "move"),
            ("going", "goes", "go")],
    "horse": [("running", "runs", "run"), ("galloping", "gallops", "gallop"), ("trotting", "trots", "trot"),
              ("moving", "moves", "move")],
    "bird": [("flying", "flies", "fly"), ("moving", "moves", "move"), ("heading", "heads", "go")],
    "vehicle": [("driving", "drives", "drive"), ("moving", "moves", "move"), ("going", "goes", "go"),
                ("heading", "heads", "go"), ("travelling", "travels", "travel")],
    "bicycle": [("moving", "moves", "move"), ("going", "goes", "go"), ("rolling", "rolls", "roll")],
    "ball": [("rolling", "rolls", "roll"), ("moving", "moves", "move"), ("going", "goes", "go")],
    "object": [("moving", "moves", "move"), ("sliding", "slides", "slide"), ("going", "goes", "go")],
}
_DIR_PHRASES = {
    "left": ("left", "to the left", "towards the left", "leftwards", "leftward"),
    "right": ("right", "to the right", "towards the right", "rightwards", "rightward"),
    "up": ("up", "upwards", "upward", "towards the top"),
    "down": ("down", "downwards", "towards the bottom"),
}
_DIR_ADJ = {"left": "leftward", "right": "rightward", "up": "upward", "down": "downward"}
_STILL = {"animate": ("standing still", "staying still", "not moving"),
          "vehicle": ("that is parked", "standing still", "not moving"),
          "ball": ("lying still", "not moving"), "object": ("not moving", "staying put")}
_COUNT = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}
_PREFIXES = ("please segment ", "segment ", "track ", "find ", "follow ", "please track ", "show me ", "highlight ",
             "look at ", "point out ")

_TEMPLATES: dict[str, tuple[str, ...]] = {
    "category": ("the {n}", "{n}", "the only {n}", "the {n} in the scene"),
    "colour": ("the {c} {n}", "the {n} that is {c}", "the {c}-coloured {n}", "the {c} colored {n}", "{c} {n}"),
    "colour_any": ("the {c} one", "the {c} object", "the {c} thing", "the only {c} object"),
    "biggest": ("the biggest {n}", "the largest {n}", "the {n} that is the biggest", "the big {n}"),
    "bigger": ("the bigger {n}", "the larger {n}", "the big {n}", "the {n} that is larger"),
    "smallest": ("the smallest {n}", "the tiniest {n}", "the {n} that is the smallest", "the little {n}"),
    "smaller": ("the smaller {n}", "the small {n}", "the little {n}", "the {n} that is smaller"),
    "leftmost": ("the leftmost {n}", "the {n} on the left", "the {n} furthest to the left", "the left {n}"),
    "rightmost": ("the rightmost {n}", "the {n} on the right", "the {n} furthest to the right", "the right {n}"),
    "top": ("the {n} at the top", "the upper {n}", "the topmost {n}", "the {n} highest up"),
    "bottom": ("the {n} at the bottom", "the lower {n}", "the bottom {n}", "the lowest {n}"),
    "left_of": ("the {n} left of the {r}", "the {n} to the left of the {r}", "the {n} on the left of the {r}"),
    "right_of": ("the {n} right of the {r}", "the {n} to the right of the {r}", "the {n} on the right side of the {r}"),
    "above": ("the {n} above the {r}", "the {n} higher than the {r}"),
    "below": ("the {n} below the {r}", "the {n} under the {r}", "the {n} lower than the {r}"),
    "direction": ("the {n} {ing} {dir}", "the {n} that {s} {dir}", "the {n} which is {ing} {dir}",
                  "the {dadj}-{ing} {n}", "{n} {ing} {dir}", "the {n} {ing} {dir} in the video"),
    "fastest": ("the fastest {n}", "the quickest {n}", "the {n} {ing} the fastest", "the {n} that {s} fastest",
                "the {n} {ing} quickly"),
    "faster": ("the faster {n}", "the quicker {n}", "the {n} {ing} faster", "the {n} that {s} faster"),
    "slowest": ("the slowest {n}", "the {n} {ing} the slowest", "the {n} that {s} slowest", "the {n} {ing} slowly"),
    "slower": ("the slower {n}", "the {n} {ing} slower", "the {n} that {s} more slowly", "the {n} {ing} slowly"),
    "stops": ("the {n} that stops", "the {n} that stops {ing}", "the {n} which comes to a stop",
              "the {n} that halts", "the {n} that {s} and then stops", "the {n} that eventually stops"),
    "starts_late": ("the {n} that starts {ing} later", "the {n} that begins to {base} after a while",
                    "the {n} that is still at first and then starts {ing}", "the {n} that starts {ing} late",
                    "the {n} which waits and then {s}"),
    "turns_back": ("the {n} that turns back", "the {n} that turns around", "the {n} that goes back the way it came",
                   "the {n} that reverses direction", "the {n} {ing} back and forth", "the {n} that comes back"),
    "approaches": ("the {n} {ing} towards the {r}", "the {n} that approaches the {r}", "the {n} that {s} to the {r}",
                   "the {n} getting closer to the {r}", "the {n} approaching the {r}"),
    "moves_away": ("the {n} {ing} away from the {r}", "the {n} that moves away from the {r}",
                   "the {n} that leaves the {r}", "the {n} getting farther from the {r}",
                   "the {n} that {s} away from the {r}"),
    "static": ("the {n} that is not moving", "the static {n}", "the still {n}", "the stationary {n}",
               "the {n} {still}", "the {n} that stays in place", "the motionless {n}", "the {n} that doesn't move"),
    "moving": ("the moving {n}", "the {n} that is moving", "the {n} in motion", "the only {n} that moves",
               "the {n} that {s}"),
    "occlusion": ("the {n} that goes behind the {r}", "the {n} that disappears behind the {r}",
                  "the {n} hidden by the {r} for a while", "the {n} passing behind the {r}",
                  "the {n} that gets hidden behind the {r}", "the {n} {ing} behind the {r}"),
    "multi_all": ("all the {ns}", "all {ns}", "every {n}", "the {k} {ns}", "each {n}"),
    "multi_two": ("both {ns}", "both of the {ns}", "the two {ns}", "the pair of {ns}"),
    "multi_dir": ("the {ns} {ing} {dir}", "the {k} {ns} {ing} {dir}", "all {ns} that are {ing} {dir}",
                  "the {ns} that go {dir}"),
    "multi_static": ("the {ns} that are not moving", "the still {ns}", "all the static {ns}",
                     "the {k} {ns} that stay in place", "the stationary {ns}"),
    "multi_moving": ("the moving {ns}", "the {ns} that are moving", "all the {ns} in motion", "the {k} moving {ns}"),
}
PHRASE_KINDS = tuple(_TEMPLATES)


def _pick(rng: np.random.Generator, options: tuple[str, ...] | list[str]) -> str:
    return str(options[int(rng.integers(len(options)))])


def noun(category: str, rng: np.random.Generator, scene_categories: tuple[str, ...] = (), *,
         plural: bool = False) -> str:
    """A noun for ``category``: a synonym, or the super-category word when that is unambiguous in the scene."""
    singular, plurals = _NOUNS.get(category, ((category,), (category + "s",)))
    for word, members in _SUPER.items():
        others = [c for c in scene_categories if c in members and c != category]
        if category in members and not others and rng.random() < 0.15:
            return word + "s" if plural else word
    return _pick(rng, plurals if plural else singular)


def _verb(category: str, rng: np.random.Generator, fast: bool) -> tuple[str, str, str]:
    group = _GROUP.get(category, "object")
    options = _VERBS.get(category) or _VERBS.get(group) or _VERBS["object"]
    if category == "person" and fast:
        options = [*options, ("running", "runs", "run")]
    return options[int(rng.integers(len(options)))]


def phrase(kind: str, category: str, rng: np.random.Generator, scene_categories: tuple[str, ...] = (), *,
           ref: str = "", colour: str = "", direction: str = "", count: int = 1, fast: bool = False) -> str:
    """Word one expression of ``kind`` (a key of PHRASE_KINDS) about ``category``.

    ``ref`` is the category of a context object, ``colour`` a colour name, ``direction`` left/right/up/down,
    ``count`` the number of objects meant (multi kinds), ``fast`` allows "running" for people.
    """
    template = _pick(rng, _TEMPLATES[kind])
    ing, s, base = _verb(category, rng, fast)
    if colour == "gray" and rng.random() < 0.4:
        colour = "grey"
    slots = {
        "n": noun(category, rng, scene_categories),
        "ns": noun(category, rng, scene_categories, plural=True),
        "ing": ing, "s": s, "base": base,
        "dir": _pick(rng, _DIR_PHRASES[direction]) if direction else "",
        "dadj": _DIR_ADJ.get(direction, ""),
        "r": noun(ref, rng, scene_categories) if ref else "",
        "c": colour,
        "k": _COUNT.get(count, str(count)),
        "still": _pick(rng, _STILL[_GROUP.get(category, "object")]),
    }
    if "{k}" in template and count < 2:
        template = template.replace("{k} ", "")
    text = template.format(**slots)
    if rng.random() < 0.35:
        text = _pick(rng, _PREFIXES) + text
    return text
