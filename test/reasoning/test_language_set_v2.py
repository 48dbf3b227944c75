"""Batch v2 of the language set: scenes that say what they mean (the checks every batch shares are in
test_language_set_batches.py).

v2's test half is kept unseen by whoever tunes the reasoner, so nothing here runs the reasoner on v2: the
checks are on the data alone (the scene geometry is judged by a few lines of plain geometry below, which
know the roles, not by the reasoner).
"""

from __future__ import annotations

import re

import language_set_checks as checks
import language_set_geometry as geo
import numpy as np
import pytest

from rvos_ros.testing.language_set import BATCHES
from rvos_ros.testing.language_set.report import load_cases


@pytest.fixture(scope="module")
def cases() -> list[dict]:
    return load_cases(BATCHES["v2"].folder)


# ---------------------------------------------------------------- the scenes, by plain geometry


PHASES = {**checks.PHASES, "stop_move": [["still", "fast"], ["still", "walk"]]}
# v2 judges a circle by the full turn alone
RELATIONS = {**checks.RELATIONS, "circle_around": checks.full_turn}


def _holds(case: dict, T: dict[str, dict], n: int, who: str) -> bool:
    """Does track role ``who`` do what the case's query says (the geometry of its sub-kind)?"""
    k, t = case["detail"], T[who]
    rest = [r for r in T if r.startswith(("target", "distractor")) and r != who]
    A = T.get("anchor")
    if case["structure"] == "interaction":
        return RELATIONS[k](t, A)
    if case["structure"] == "ordinal":
        if k in ("start_first", "start_last"):
            on = {r: geo.onset(T[r]) for r in [who, *rest]}
            sign = 1 if k == "start_first" else -1
            return all(sign * (on[r] - on[who]) > 7 for r in rest) and on[who] < n
        if k in ("stop_first", "stop_last", "arrive_first", "arrive_last"):
            st = {r: geo.stop(T[r]) for r in [who, *rest]}
            if k.startswith("arrive") and not all(geo.dist(T[r], A)[-1] < 170 for r in [who, *rest]):
                return False
            sign = 1 if k.endswith("first") else -1
            return all(sign * (st[r] - st[who]) > 7 for r in rest) and st[who] < n - 6
        if k == "enter_first":
            first = {r: int(T[r]["f"][0]) for r in [who, *rest]}
            return all(first[r] - first[who] > 7 for r in rest) and first[who] > 0
        last = {r: int(T[r]["f"][-1]) for r in [who, *rest]}  # leave_first
        return all(last[r] - last[who] > 7 for r in rest) and last[who] < n - 1
    # sequence: the phases in order, in the direction the query names (or either, if it names none)
    words = [w for w in re.findall(r"[a-z]+", case["query"]) if w in ("left", "right")]
    signs = (1, -1)
    if words:
        first = 1 if words[0] == "right" else -1
        named_first_is_the_return = case["detail"] == "pause_return" and " returns " in case["query"]
        signs = (-first if named_first_is_the_return else first,)
    return checks.phases_hold(t, k, signs, PHASES)


def _group_holds(case: dict, T: dict[str, dict]) -> bool:
    k = case["detail"]
    tg = sorted(r for r in T if r.startswith("target"))
    ds = [r for r in T if r.startswith("distractor")]
    v = {r: geo.velocity(T[r]).mean(0) for r in T}
    if k == "all_direction":
        sx = {r: np.sign(T[r]["c"][-1, 0] - T[r]["c"][0, 0]) for r in T}
        return len({sx[r] for r in tg}) == 1 and all(sx[r] != sx[tg[0]] for r in ds)
    close = all(geo.dist(T[a], T[b]).max() < 170 for i, a in enumerate(tg) for b in tg[i + 1 :])
    alike = all(np.linalg.norm(v[r] - v[tg[0]]) < 0.5 for r in tg)
    moving = np.linalg.norm(v[tg[0]]) > 3 if k in ("two_together", "group_three") else np.linalg.norm(v[tg[0]]) < 0.3
    apart = all(
        geo.dist(T[r], T[q]).min() > (110 if np.linalg.norm(v[r] - v[tg[0]]) < 1.0 else 80) for r in ds for q in tg
    )
    return bool(close and alike and moving and apart and (k != "group_three" or len(tg) == 3))


def test_every_v2_scene_holds_for_its_target_and_for_no_distractor(cases):
    for c in cases:
        if c["structure"] == "group":
            assert _group_holds(c, geo.tracks(c)[0]), c["id"]
    geo.assert_scenes_hold([c for c in cases if c["structure"] != "group"], _holds)
