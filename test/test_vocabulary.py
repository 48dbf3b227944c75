"""The descriptor vocabulary is one typed registry that the parser, the LLM schema and the scorers agree on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rvos_ros.types import Descriptor
from rvos_ros.vocabulary import KINDS, comparative_kinds, judged_kinds, motion_kinds, problem, rules_kinds

DATA = Path(__file__).resolve().parent / "data"


def test_every_kind_the_rules_judge_has_exactly_one_scorer():
    from rvos_ros.reasoning.descriptors import JUDGED_KINDS, MOTION_KINDS, SCORERS
    from rvos_ros.reasoning.rules import COMPARATIVE_KINDS

    assert set(SCORERS) == rules_kinds()
    assert JUDGED_KINDS == judged_kinds() == set(KINDS)
    assert {k for k in KINDS if k not in rules_kinds()} == {"posture"}  # the appearance verifier's alone
    assert MOTION_KINDS == motion_kinds() and COMPARATIVE_KINDS == comparative_kinds()


@pytest.mark.parametrize(("d", "fits"), [
    (Descriptor("direction", "left"), True),
    (Descriptor("direction", "northwest"), False),
    (Descriptor("moving", "late", negated=True), True),
    (Descriptor("order", "last:stop"), True),
    (Descriptor("order", "last"), False),
    (Descriptor("repeats", "jump:3"), True),
    (Descriptor("repeats", "jump:0"), False),
    (Descriptor("phases", "static>left>static"), True),
    (Descriptor("phases", "static"), False),
    (Descriptor("phases", "static>sideways"), False),
    (Descriptor("position", "leftmost@start"), True),
    (Descriptor("position", "leftmost@noon"), False),
    (Descriptor("position", "leftmost", "2"), True),
    (Descriptor("position", "leftmost", "dog"), False),
    (Descriptor("size", "biggest", "x"), False),
    (Descriptor("relative", "near", "table"), True),
    (Descriptor("relative", "near", "2"), False),
    (Descriptor("approaches", "", "dog"), True),
    (Descriptor("approaches", "fast", "dog"), False),
    (Descriptor("stops", "", "dog"), False),
    (Descriptor("posture", "sitting"), True),
    (Descriptor("posture", ""), False),
    (Descriptor("color", "grey"), False),  # the parser maps grey onto gray
    (Descriptor("teleports"), False),
])
def test_problem_says_what_does_not_fit(d, fits):
    off = problem(d)
    assert (off is None) == fits, off
    if not fits:
        assert d.kind in off


def test_an_off_vocabulary_descriptor_is_unjudged_never_scored():
    from rvos_ros.config import ReasoningConfig
    from rvos_ros.reasoning.rules import score_candidates
    from rvos_ros.reasoning.window_io import window_from_dict
    from rvos_ros.types import ParsedQuery

    tracks = [{"id": i, "label": "dog", "boxes": [[f, 10 + 5 * f * i, 50, 40 + 5 * f * i, 80, 1] for f in range(20)]}
              for i in (1, 2)]
    window = window_from_dict({"version": 1, "query": "q", "fps": 10, "width": 640, "height": 480,
                                         "num_frames": 20, "tracks": tracks})
    q = ParsedQuery("the dog going northwest", categories=("dog",), motions=(Descriptor("direction", "northwest"),))
    result = score_candidates(window, q, ReasoningConfig())
    assert result.unjudged and "direction" in result.unjudged[0]


def test_every_phrase_of_the_language_set_and_the_windows_parses_onto_the_vocabulary():
    """The parser's output on every stored query fits the vocabulary and sits in its kind's list."""
    from rvos_ros.reasoning.query_parser import QueryParser

    queries = [c["query"] for c in json.loads((DATA / "language_set" / "cases.json").read_text())]
    for f in sorted(DATA.rglob("*.json")):
        if "language_set" not in f.parts:
            try:
                doc = json.loads(f.read_text())
            except (UnicodeDecodeError, json.JSONDecodeError):
                continue
            if isinstance(doc, dict) and isinstance(doc.get("query"), str):
                queries.append(doc["query"])
    assert len(queries) > 400
    parser = QueryParser()
    for text in queries:
        parsed = parser.parse(text)
        for group in ("motions", "attributes", "relations"):
            for d in getattr(parsed, group):
                assert problem(d) is None, (text, d, problem(d))
                assert KINDS[d.kind].group == group, (text, d, group)


def test_plain_words_come_from_the_registry():
    from rvos_ros.reasoning.descriptors import plain_words

    assert plain_words(Descriptor("direction", "left")) == "moving left"
    assert plain_words(Descriptor("phases", "static>left")) == "static then left"
    assert plain_words(Descriptor("heading", "same")) == "heading the same way as the others"
    assert plain_words(Descriptor("relative", "left_of", "car")) == "left of car"
    assert plain_words(Descriptor("teleports")) == "teleports"
