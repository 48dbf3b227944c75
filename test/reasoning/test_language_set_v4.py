"""Batch v4 of the language set: scenes that say what they mean (the checks every batch
shares are in test_language_set_batches.py).

v4 has never been looked at and its baseline is measured by someone else, so nothing here runs the reasoner on
v4: the checks are on the data alone (the scene geometry is judged by a few lines of plain geometry below,
which know the roles, not by the reasoner).
"""

from __future__ import annotations

from collections import Counter

import language_set_checks as checks
import language_set_geometry as geo
import pytest

from rvos_ros.testing.language_set import BATCHES
from rvos_ros.testing.language_set.cases_v4 import PASSIVE_V4
from rvos_ros.testing.language_set.report import load_cases


@pytest.fixture(scope="module")
def cases() -> list[dict]:
    return load_cases(BATCHES["v4"].folder)


def test_each_v4_passive_variant_comes_twice(cases):
    counts = Counter(c["detail"] for c in cases if c["structure"] == "interaction")
    assert all(counts[p] == 2 for p in PASSIVE_V4), counts


# ---------------------------------------------------------------- the scenes, by plain geometry


def _holds(case: dict, T: dict[str, dict], n: int, who: str) -> bool:
    """Does track role ``who`` do what the case's query says (the geometry of its sub-kind)?"""
    if case["structure"] == "interaction":
        return checks.RELATIONS[case["detail"]](T[who], T["anchor"])
    # sequence: the phases in order, in the direction the query names first (or either, if it names none); a
    # query that names only the way back names the first way by its opposite
    return checks.phases_hold(T[who], case["detail"], checks.way(case["query"]))


def test_every_v4_scene_holds_for_its_target_and_for_no_distractor(cases):
    geo.assert_scenes_hold(cases, _holds)
