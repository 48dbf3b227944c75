"""The language set (issue 16, item 4): well formed, a stable split, and a report computed right.

No accuracy is asserted: the set measures the rules reasoner as it is (bench/language.py prints the figures).
The split and the committed files are checked with the other batches' in test_language_set_batches.py.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

from rvos_ros.reasoning.window_io import load_window
from rvos_ros.testing.language_set import EASY
from rvos_ros.testing.language_set.report import figures, load_cases, run_all, summarize

HARD_STRUCTURES = {"interaction", "passive", "sequence", "enter_leave", "depth", "ordinal", "initial_final",
                   "comparative", "negation", "counted", "shape", "group", "synonym"}


@pytest.fixture(scope="module")
def cases() -> list[dict]:
    return load_cases()


def test_the_set_is_large_and_covers_every_structure_in_both_halves(cases):
    assert len(cases) >= 300
    assert len({c["id"] for c in cases}) == len(cases)
    assert HARD_STRUCTURES <= {c["structure"] for c in cases}
    assert sum(c["structure"] in EASY for c in cases) <= len(cases) / 3
    halves: dict[str, set[str]] = defaultdict(set)
    for c in cases:
        assert c["split"] in ("dev", "test") and c["style"] in ("mevis", "ytvos", "davis")
        halves[c["structure"]].add(c["split"])
    assert all(h == {"dev", "test"} for h in halves.values()), halves
    assert {c["style"] for c in cases} == {"mevis", "ytvos", "davis"}


def test_every_window_is_valid_and_holds_its_expected_tracks(cases):
    for c in cases:
        window = load_window(c["path"])
        assert window.query == c["query"], c["id"]
        ids = {t.id for t in window.tracks}
        assert c["expected"] and set(c["expected"]) <= ids, c["id"]
        assert len(ids) > len(c["expected"]), c["id"]  # there is always something else to pick
        assert all(len(t.boxes) for t in window.tracks), c["id"]
        assert 30 <= window.num_frames <= 60


def test_the_reasoner_runs_on_every_case(cases):
    rows = run_all(cases)
    assert len(rows) == len(cases)
    for row, case in zip(rows, cases, strict=True):
        ids = {t.id for t in load_window(case["path"]).tracks}
        assert set(row["got"]) <= ids and row["state"] in ("locked", "ambiguous", "reasoning", "searching", "lost")
    summary = summarize(rows)
    assert summary["overall"]["dev"]["n"] + summary["overall"]["test"]["n"] == len(cases)


def test_the_report_figures_on_a_hand_made_example():
    rows = [
        {"structure": "a", "split": "dev", "expected": [1], "got": [1], "state": "locked", "understood": True},
        {"structure": "a", "split": "dev", "expected": [1], "got": [2], "state": "locked", "understood": True},
        {"structure": "a", "split": "dev", "expected": [1, 2], "got": [2, 1], "state": "ambiguous",
         "understood": False},
        {"structure": "a", "split": "dev", "expected": [3], "got": [], "state": "searching", "understood": False},
        {"structure": "b", "split": "test", "expected": [5], "got": [6], "state": "ambiguous", "understood": True},
    ]
    f = figures(rows[:4])
    assert f == {"n": 4, "accuracy": 0.5, "locked": 0.5, "silent_wrong_locks": 0.25, "understood": 0.5}
    s = summarize(rows)
    assert s["structures"]["a"]["test"]["n"] == 0 and s["structures"]["b"]["dev"]["n"] == 0
    assert s["structures"]["b"]["test"] == {"n": 1, "accuracy": 0.0, "locked": 0.0, "silent_wrong_locks": 0.0,
                                            "understood": 1.0}
    assert s["overall"]["dev"] == f
    assert summarize(rows, ("test",))["overall"] == {"test": s["overall"]["test"]}
    assert figures([])["n"] == 0
