"""Every descriptor the parser makes, in every reasoning test, must fit the vocabulary (rvos_ros/vocabulary.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from rvos_ros.reasoning import query_parser
from rvos_ros.types import Descriptor
from rvos_ros.vocabulary import problem


def _checked(*args, **kwargs) -> Descriptor:
    d = Descriptor(*args, **kwargs)
    off = problem(d)
    assert off is None, f"the parser made a descriptor off the vocabulary: {d} ({off})"
    return d


@pytest.fixture(autouse=True)
def parser_descriptors_fit_the_vocabulary(monkeypatch):
    monkeypatch.setattr(query_parser, "Descriptor", _checked)


# the language set's data checks share test/reasoning/language_set_geometry.py
sys.path.insert(0, str(Path(__file__).resolve().parent))
