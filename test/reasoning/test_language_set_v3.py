"""Batch v3 of the language set: scenes that say what they mean (the checks every batch
shares are in test_language_set_batches.py).

v3's test half is kept unseen by whoever tunes the reasoner, so nothing here runs the reasoner on v3: the
checks are on the data alone (the scene geometry is judged by a few lines of plain geometry below, which
know the roles, not by the reasoner).
"""

from __future__ import annotations

import language_set_checks as checks
import language_set_geometry as geo
import pytest

from rvos_ros.testing.language_set import BATCHES
from rvos_ros.testing.language_set.report import load_cases


@pytest.fixture(scope="module")
def cases() -> list[dict]:
    return load_cases(BATCHES["v3"].folder)


# ---------------------------------------------------------------- the scenes, by plain geometry


# v3 judges a circle by the full turn alone, and "approached" as an approach by either one
RELATIONS = {**checks.RELATIONS, "circle_around": checks.full_turn, "approached": checks.RELATIONS["approach"]}


def _holds(case: dict, T: dict[str, dict], n: int, who: str) -> bool:
    """Does track role ``who`` do what the case's query says (the geometry of its sub-kind)?"""
    if case["structure"] == "interaction":
        return RELATIONS[case["detail"]](T[who], T["anchor"])
    # sequence: the phases in order, in the direction the query names first (or either, if it names none)
    return checks.phases_hold(T[who], case["detail"], checks.way(case["query"], back=False))


def test_every_v3_scene_holds_for_its_target_and_for_no_distractor(cases):
    geo.assert_scenes_hold(cases, _holds)
