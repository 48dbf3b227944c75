"""The parser audit's blind ground truth (test/data/parser_audit/phrasings*.json) is well formed.

Three independent batches by different authors: ``phrasings.json`` (ids ``pa-``), ``phrasings_b2.json``
(ids ``pb-``) and ``phrasings_b3.json`` (ids ``pc-``); every check runs for each, and ids and texts are unique
across all of them.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from rvos_ros.types import Descriptor
from rvos_ros.vocabulary import problem

DIR = Path(__file__).resolve().parent / "data" / "parser_audit"
FILES = ("phrasings.json", "phrasings_b2.json", "phrasings_b3.json")
BATCHES = {name: json.loads((DIR / name).read_text()) for name in FILES}
KEYS = {"id", "text", "style", "categories", "count", "expect", "outside", "outside_words", "split"}
ALL = [(name, e) for name in FILES for e in BATCHES[name]]


@pytest.mark.parametrize("name", FILES)
def test_size_ids_and_halves(name):
    entries = BATCHES[name]
    assert len(entries) == 160
    ids = [e["id"] for e in entries]
    assert len(set(ids)) == len(ids)
    assert len({i.split("-")[0] for i in ids}) == 1
    assert Counter(e["split"] for e in entries) == {"dev": 80, "test": 80}
    for style, n in Counter(e["style"] for e in entries).items():
        assert style in ("mevis", "ytvos", "davis")
        assert Counter(e["split"] for e in entries if e["style"] == style)["dev"] == n // 2


def test_batches_are_distinct():
    ids = [e["id"] for _, e in ALL]
    assert len(set(ids)) == len(ids)
    texts = [re.sub(r"\W+", " ", e["text"].lower()).strip() for _, e in ALL]
    assert len(set(texts)) == len(texts)


@pytest.mark.parametrize("name,e", ALL, ids=[f"{name}:{e['id']}" for name, e in ALL])
def test_entry(name, e):
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
