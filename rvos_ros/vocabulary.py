"""The descriptor vocabulary: every kind of :class:`~rvos_ros.types.Descriptor`, typed, in one registry.

A command is decomposed (by ``reasoning/query_parser.py`` or by the LLM,
``llm/schemas.py``) into descriptors: ``kind``, ``value``, ``ref``, ``negated``.
:data:`KINDS` says, for each kind, which values and refs it takes, which list
of a :class:`~rvos_ros.types.ParsedQuery` it belongs in, whether it reads
trajectories, whether it ranks candidates against each other, who judges it
(the rules or the appearance verifier), how the LLM is told about it and how a
rationale says it in plain words. The parser, the LLM prompt and schema, the
scorers (``reasoning/descriptors.py``, keyed by these kinds) and the rationales
all read this one table; :func:`problem` says what is wrong with a descriptor
that does not fit it, so nothing off the vocabulary is scored as if it were
understood.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from rvos_ros.types import Descriptor

__all__ = ["COLOURS", "KINDS", "Kind", "comparative_kinds", "judged_kinds", "motion_kinds", "problem",
           "rules_kinds"]

COLOURS = ("red", "orange", "yellow", "green", "blue", "purple", "pink", "brown", "black", "white", "gray")
"""Colour values (basic colour terms; the parser maps "grey", "golden", ... onto these)."""

Group = Literal["motions", "attributes", "relations"]
Ref = Literal["none", "entity", "rank"]
"""What ``ref`` may hold: nothing; an object noun ("" = any other object); a 1-based rank ("" = 1)."""

_DIRECTIONS = ("left", "right", "up", "down")
_PHASE_WORDS = ("static", "moving", "slow", "fast", *_DIRECTIONS)
_POSITIONS = ("leftmost", "rightmost", "top", "bottom", "center", "nearest", "farthest")


@dataclass(frozen=True)
class Kind:
    """One descriptor kind.

    ``values``: the closed set of values (``""`` for none), or None when ``pattern`` or free text decides;
    ``pattern``: a regular expression the whole value must match; ``ref``: what ``ref`` holds;
    ``motion``: judged from trajectories alone (a still crop cannot show it); ``comparative``: ranks the
    candidates against each other rather than filtering them; ``judge``: ``rules`` (a scorer) or
    ``appearance`` (only the appearance verifier, CLIP, judges it); ``prompt``: what the LLM decomposition is
    told; ``plain``: the rationale's words, with ``{value}`` and ``{ref}`` filled in.
    """

    name: str
    group: Group
    prompt: str
    plain: str
    values: tuple[str, ...] | None = ("",)
    pattern: str = ""
    ref: Ref = "none"
    motion: bool = False
    comparative: bool = False
    judge: Literal["rules", "appearance"] = "rules"
    plain_by_value: Mapping[str, str] | None = None

    def words(self, d: Descriptor) -> str:
        """What ``d`` checks, in plain words ("moving left", "hidden by car")."""
        text = (self.plain_by_value or {}).get(d.value) or self.plain
        ref = d.ref if d.ref and not d.ref.isdigit() else ("the others" if self.name == "heading" else "something")
        return text.format(value=d.value.replace("_", " ").replace(">", " then "), ref=ref)

    def problem(self, d: Descriptor) -> str | None:
        """Why ``d`` does not fit this kind, or None when it does."""
        if self.values is not None and d.value not in self.values:
            allowed = ", ".join(repr(v) for v in self.values)
            return f"{self.name} takes the value {allowed}, not {d.value!r}"
        if self.pattern and not re.fullmatch(self.pattern, d.value):
            return f"{self.name} value {d.value!r} is not of the form {self.prompt_form()}"
        if self.values is None and not self.pattern and not d.value.strip():
            return f"{self.name} needs a value"
        if self.ref == "none" and d.ref:
            return f"{self.name} refers to no other object (ref {d.ref!r})"
        if self.ref == "rank" and d.ref and not (d.ref.isdigit() and int(d.ref) >= 1):
            return f"{self.name} ref is a rank (1, 2, ...), not {d.ref!r}"
        if self.ref == "entity" and d.ref.isdigit():
            return f"{self.name} ref names an object, not {d.ref!r}"
        return None

    def prompt_form(self) -> str:
        return self.prompt.split(" (e.g.")[0]


def _k(name: str, group: Group, prompt: str, plain: str, **kw) -> Kind:
    return Kind(name, group, prompt, plain, **kw)


_ALL: tuple[Kind, ...] = (
    # ---- motion of one track (camera motion removed)
    _k("moving", "motions", 'value "" (moves at all; negated: does not move), "early", "late" or "throughout"',
       "moving", values=("", "early", "late", "throughout"), motion=True,
       plain_by_value={"early": "moving at first", "late": "moving at the end",
                       "throughout": "moving the whole time"}),
    _k("direction", "motions", "value left, right, up or down", "moving {value}", values=_DIRECTIONS, motion=True),
    _k("depth", "motions", "value closer or farther (to/from the camera)", "{value}", values=("closer", "farther"),
       motion=True, plain_by_value={"closer": "coming closer to the camera",
                                    "farther": "moving away from the camera"}),
    _k("speed", "attributes", "value fast, slow, fastest or slowest", "{value}",
       values=("fast", "slow", "fastest", "slowest"), ref="rank", motion=True, comparative=True),
    _k("stops", "motions", "moves, then stops", "stopping after moving", motion=True),
    _k("starts", "motions", "still, then moves", "starting to move late", motion=True),
    _k("turns_back", "motions", "reverses its direction", "turning back", motion=True),
    # ---- motion relative to another object (ref: that object's noun; "" = any other)
    _k("approaches", "motions", "ref: the object it moves towards", "approaching {ref}", ref="entity", motion=True),
    _k("leaves", "motions", "ref: the object it moves away from", "moving away from {ref}", ref="entity",
       motion=True),
    _k("approached_by", "motions", "ref: the object that moves towards it", "approached by {ref}", ref="entity",
       motion=True),
    _k("passes", "motions", "ref: the object it overtakes or goes past", "passing {ref}", ref="entity",
       motion=True),
    _k("passed_by", "motions", "ref: the object that passes it", "passed by {ref}", ref="entity", motion=True),
    _k("follows", "motions", "ref: the object it follows", "following {ref}", ref="entity", motion=True),
    _k("followed_by", "motions", "ref: the object that follows it", "followed by {ref}", ref="entity",
       motion=True),
    _k("together", "motions", "moves together with another of the same kind", "moving together with another",
       motion=True),
    _k("heading", "motions", "value same or opposite; ref: the object whose heading it is compared with",
       "heading the {value} way as {ref}", values=("same", "opposite"), ref="entity", motion=True,
       plain_by_value={"same": "heading the same way as {ref}", "opposite": "heading the opposite way to {ref}"}),
    # ---- view changes and occlusion
    _k("enters", "motions", "comes into view", "entering the view"),
    _k("exits", "motions", "leaves the view", "leaving the view"),
    _k("occluded", "motions", "ref: the object that hides it (or none)", "hidden by {ref}", ref="entity"),
    _k("occludes", "motions", "ref: the object it passes in front of (or none)", "passing in front of {ref}",
       ref="entity"),
    # "walking behind the man" is following him or being hidden by him, "walking in front of the car" leading it
    # or crossing in front of it: the trajectories decide which, either reading fits
    _k("behind", "motions", "ref: the object it moves behind (following it, or hidden behind it)",
       "behind {ref} (following it or hidden by it)", ref="entity", motion=True),
    _k("in_front_of", "motions", "ref: the object it moves in front of (leading it, or crossing in front of it)",
       "in front of {ref} (leading it or crossing in front of it)", ref="entity", motion=True),
    _k("recent", "motions", "the one that moved last", "the one that moved last", motion=True, comparative=True),
    # ---- time and shape
    _k("onset", "motions", "value first or last (to start moving)", "the {value} to start moving",
       values=("first", "last"), motion=True, comparative=True),
    _k("order", "motions", "value first or last, a colon, then stop, leave, enter or arrive (e.g. last:stop); "
       "arrive: at the object in ref", "the {value}", values=None, pattern=r"(first|last):(stop|leave|enter|arrive)",
       ref="entity", motion=True,
       plain_by_value={"first:arrive": "the first to reach {ref}", "last:arrive": "the last to reach {ref}"}),
    _k("extent", "motions", "value most, least or little (distance travelled)", "{value}",
       values=("most", "least", "little"), motion=True, comparative=True,
       plain_by_value={"most": "travelling the farthest", "least": "travelling the least",
                       "little": "barely moving"}),
    _k("repeats", "motions", "value stop, turn or jump, a colon, then the count (e.g. stop:2)", "{value} times",
       values=None, pattern=r"(stop|turn|jump):[1-9][0-9]?", motion=True),
    _k("shape", "motions", "value circle, back_and_forth, bounce or bounce_in_place", "{value}",
       values=("circle", "back_and_forth", "bounce", "bounce_in_place"), motion=True,
       plain_by_value={"circle": "moving in circles", "back_and_forth": "going back and forth",
                       "bounce": "bouncing", "bounce_in_place": "bouncing in place"}),
    _k("phases", "motions", "value the phases in order joined by > from " + ", ".join(_PHASE_WORDS)
       + " (e.g. static>left)", "{value}", values=None,
       pattern=rf"(?:{'|'.join(_PHASE_WORDS)})(?:>(?:{'|'.join(_PHASE_WORDS)})){{1,3}}", motion=True),
    # ---- appearance
    _k("color", "attributes", "value a colour name: " + ", ".join(COLOURS), "{value}", values=COLOURS),
    _k("size", "attributes", "value big, small, biggest or smallest", "{value}",
       values=("big", "small", "biggest", "smallest"), ref="rank", comparative=True),
    _k("posture", "attributes", "value a short phrase (sitting, holding a cup)", "{value}", values=None,
       judge="appearance"),
    # ---- place
    _k("position", "relations", "value " + ", ".join(_POSITIONS[:-1]) + " or " + _POSITIONS[-1]
       + "; add @start for where it was at the start", "{value}", values=None,
       pattern=rf"(?:{'|'.join(_POSITIONS)})(?:@(?:start|end))?", ref="rank", comparative=True),
    _k("relative", "relations", "value left_of, right_of, above, below, near or far_from, with @start for where "
       "it was at the start; ref: the other object", "{value} {ref}", values=None,
       pattern=r"(?:left_of|right_of|above|below|near|far_from)(?:@start)?", ref="entity",
       plain_by_value={"near@start": "near {ref} at the start"}),
)

KINDS: Mapping[str, Kind] = {k.name: k for k in _ALL}
"""Every descriptor kind, by name."""


def problem(d: Descriptor) -> str | None:
    """Why ``d`` is off the vocabulary (unknown kind, a value or ref it does not take), or None."""
    kind = KINDS.get(d.kind)
    if kind is None:
        return f"unknown descriptor kind {d.kind!r}"
    return kind.problem(d)


def motion_kinds() -> frozenset[str]:
    return frozenset(k.name for k in _ALL if k.motion)


def comparative_kinds() -> frozenset[str]:
    return frozenset(k.name for k in _ALL if k.comparative)


def rules_kinds() -> frozenset[str]:
    """Kinds the rules score (each has a scorer in ``reasoning/descriptors.py``)."""
    return frozenset(k.name for k in _ALL if k.judge == "rules")


def judged_kinds() -> frozenset[str]:
    """Every kind something judges: by the rules, or by the appearance verifier when one is configured."""
    return frozenset(KINDS)
