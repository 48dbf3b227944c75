"""Held-out red-team set: the reasoner, through the `rvos-ros reason` entry, finds the right tracks.

The cases live in test/data/heldout_windows (written by make_cases.py there): trajectory windows
per docs/contracts.md with commands phrased the way robot users say them, each with a known, clear-margin
answer. A case is correct when the Decision's `targets` equal the expected track ids as a set.
The project's target is at least 90 % overall; a per-kind table and every miss are printed.
"""

from __future__ import annotations

import contextlib
import io
import json
from collections import defaultdict
from pathlib import Path

import pytest

from rvos_ros.cli import main

DATA = Path(__file__).resolve().parents[1] / "data" / "heldout_windows"
TARGET_ACCURACY = 0.90


def load_cases() -> list[dict]:
    """The case index: [{"file", "kind", "query", "expected"}] with paths made absolute."""
    cases = json.loads((DATA / "cases.json").read_text())
    for case in cases:
        case["path"] = DATA / case["file"]
    return cases


def reason(path: Path) -> dict:
    """Run `rvos-ros reason PATH` in-process and return the printed Decision."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        rc = main(["reason", str(path)])
    assert rc == 0, f"rvos-ros reason {path} exited {rc}"
    return json.loads(out.getvalue().strip().splitlines()[-1])


def test_the_case_set_is_complete_and_well_formed():
    cases = load_cases()
    assert len(cases) >= 100
    assert len({c["kind"] for c in cases}) >= 12
    for case in cases:
        window = json.loads(case["path"].read_text())
        assert window["query"] == case["query"]
        ids = {t["id"] for t in window["tracks"]}
        assert set(case["expected"]) <= ids and case["expected"], case["file"]
        assert 2 <= len(window["tracks"]) <= 6 and 30 <= window["num_frames"] <= 150


@pytest.fixture(scope="module")
def results() -> list[dict]:
    rows = []
    for case in load_cases():
        decision = reason(case["path"])
        got = sorted(int(t) for t in decision.get("targets") or [])
        rows.append({**case, "got": got, "correct": got == sorted(case["expected"]),
                     "rationale": decision.get("rationale", ""), "state": decision.get("state")})
    return rows


def test_every_decision_names_tracks_of_its_window(results):
    for row in results:
        window = json.loads(row["path"].read_text())
        assert set(row["got"]) <= {t["id"] for t in window["tracks"]}, row["file"]


def test_heldout_accuracy_meets_the_project_target(results):
    by_kind: dict[str, list[bool]] = defaultdict(list)
    for row in results:
        by_kind[row["kind"]].append(row["correct"])
    overall = sum(r["correct"] for r in results) / len(results)
    print(f"\n{'kind':<12} {'n':>3} {'acc':>6}")
    for kind, oks in sorted(by_kind.items()):
        print(f"{kind:<12} {len(oks):>3} {sum(oks) / len(oks):>6.2f}")
    print(f"{'overall':<12} {len(results):>3} {overall:>6.3f}")
    for row in results:
        if not row["correct"]:
            print(f"MISS {row['file']} {row['query']!r} expected={row['expected']} got={row['got']} "
                  f"state={row['state']} :: {row['rationale']}")
    assert overall >= TARGET_ACCURACY, f"held-out accuracy {overall:.3f} < {TARGET_ACCURACY} (misses printed above)"
