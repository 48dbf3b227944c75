"""The parser audit's blind ground truth (test/data/parser_audit/phrasings.json) is well formed."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from rvos_ros.types import Descriptor
from rvos_ros.vocabulary import problem

PATH = Path(__file__).resolve().parent / "data" / "parser_audit" / "phrasings.json"
ENTRIES = json.loads(PATH.read_text())
KEYS = {"id", "text", "style", "categories", "count", "expect", "outside", "outside_words", "split"}


def test_size_ids_and_halves():
    assert len(ENTRIES) == 160
    ids = [e["id"] for e in ENTRIES]
    assert len(set(ids)) == len(ids)
    assert Counter(e["split"] for e in ENTRIES) == {"dev": 80, "test": 80}
    for style, n in Counter(e["style"] for e in ENTRIES).items():
        assert style in ("mevis", "ytvos", "davis")
        assert Counter(e["split"] for e in ENTRIES if e["style"] == style)["dev"] == n // 2


@pytest.mark.parametrize("e", ENTRIES, ids=[e["id"] for e in ENTRIES])
def test_entry(e):
    assert set(e) == KEYS
    assert e["text"].strip()
    assert isinstance(e["count"], int) and not isinstance(e["count"], bool) and e["count"] >= 0
    assert e["categories"] and all(isinstance(c, str) and c for c in e["categories"])
    for x in e["expect"]:
        assert set(x) == {"kind", "value", "ref", "negated"}
        assert problem(Descriptor(x["kind"], x["value"], x["ref"], x["negated"])) is None, x
    assert isinstance(e["outside"], bool)
    words = set(re.findall(r"[a-z']+", e["text"].lower()))
    if e["outside"]:
        assert e["outside_words"] and all(w.lower() in words for w in e["outside_words"])
    else:
        assert e["outside_words"] == [] and e["expect"]
