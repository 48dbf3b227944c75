"""Batch v5 of the language set: scenes that say what they mean (the checks every batch
shares are in test_language_set_batches.py).

v5 is a held-out batch nobody has tuned on, so nothing here runs the reasoner on v5 (no parser, no identify): the
checks are on the data alone (the scene geometry is judged by a few lines of plain geometry below, which know
the roles, not by the reasoner).
"""

from __future__ import annotations

import itertools

import language_set_checks as checks
import language_set_geometry as geo
import numpy as np
import pytest

from rvos_ros.testing.language_set import BATCHES
from rvos_ros.testing.language_set.cases_v5 import ACTIVE_OF
from rvos_ros.testing.language_set.report import load_cases


@pytest.fixture(scope="module")
def cases() -> list[dict]:
    return load_cases(BATCHES["v5"].folder)


def test_a_quarter_of_the_v5_interactions_take_the_passive_in_every_style(cases):
    interaction = [c for c in cases if c["structure"] == "interaction"]
    passive = [c for c in interaction if c["detail"] in ACTIVE_OF]
    assert len(passive) == len(interaction) // 4
    assert {c["style"] for c in passive} == {"mevis", "ytvos", "davis"}


# ---------------------------------------------------------------- the scenes, by plain geometry


def _holds(case: dict, T: dict[str, dict], n: int, who: str) -> bool:
    """Does track role ``who`` do what the case's query says (the geometry of its sub-kind)?"""
    k, t = case["detail"], T[who]
    A = T.get("anchor")
    rest = [r for r in T if r.startswith(("target", "distractor")) and r != who]
    if case["structure"] == "interaction":
        return checks.RELATIONS[k](t, A)
    if case["structure"] == "ordinal":
        if k in ("start_first", "start_last"):
            on = {r: geo.onset(T[r]) for r in [who, *rest]}
            sign = 1 if k == "start_first" else -1
            return all(sign * (on[r] - on[who]) > 7 for r in rest) and on[who] < n - 8
        if k in ("stop_first", "stop_last", "arrive_first", "arrive_last"):
            st = {r: geo.stop(T[r]) for r in [who, *rest]}
            if k.startswith("arrive") and not all(geo.dist(T[r], A)[-1] < 175 for r in [who, *rest]):
                return False
            sign = 1 if k.endswith("first") else -1
            return all(sign * (st[r] - st[who]) > 7 for r in rest) and st[who] < n - 6
        if k == "enter_last":
            first = {r: int(T[r]["f"][0]) for r in [who, *rest]}
            return all(first[who] - first[r] > 7 for r in rest) and 0 < first[who] < n - 8
        last = {r: int(T[r]["f"][-1]) for r in [who, *rest]}  # leave_last
        return all(last[who] - last[r] > 7 for r in rest) and last[who] < n - 1
    # sequence: the phases in order, in the direction the query names first (or either, if it names none)
    return checks.phases_hold(t, k, checks.way(case["query"]))


def test_every_v5_scene_holds_for_its_target_and_for_no_distractor(cases):
    geo.assert_scenes_hold([c for c in cases if c["structure"] != "group"], _holds)


def _group_holds(case: dict, T: dict[str, dict], members: tuple[str, ...]) -> bool:
    """Is ``members`` (roles) exactly the group the query names, among all the X in the scene?"""
    k = case["detail"]
    xs = [r for r in T if r.startswith(("target", "distractor"))]
    others = [r for r in xs if r not in members]
    way = checks.way(case["query"])
    dx = {r: T[r]["c"][-1, 0] - T[r]["c"][0, 0] for r in xs}
    if k == "all_way":  # every X that goes the named way, and no other
        going = {r for r in xs if len(way) == 1 and dx[r] * way[0] > 60}
        return len(members) >= 2 and set(members) == going
    pairs = list(itertools.combinations(members, 2))
    if k == "converge":  # two in one lane, from far apart to a step apart
        if len(members) != 2:
            return False
        a, b = (T[r] for r in members)
        pa, pb = geo.common(a, b)
        d = geo.dist(a, b)
        return bool(np.abs(pa[:, 1] - pb[:, 1]).max() < 40 and d[0] - d[-1] > 150 and d[-1] < a["w"] + 45)
    v = {r: geo.velocity(T[r]).mean(0) for r in xs}
    if k == "pair_together":  # two walking close together at one velocity (the named way, if one is named)
        if len(members) != 2:
            return False
        close = all(geo.dist(T[a], T[b]).max() < 120 for a, b in pairs)
        alike = np.linalg.norm(v[members[0]] - v[members[1]]) < 0.5
        moving = all(np.linalg.norm(v[r]) > 3 for r in members)
        named = len(way) == 2 or all(dx[r] * way[0] > 60 for r in members)
        return bool(close and alike and moving and named)
    # bunch: at least three, all close to each other all the time, and every other X far from all of them
    close = all(geo.dist(T[a], T[b]).max() < 150 for a, b in pairs)
    apart = all(geo.dist(T[o], T[r]).min() > 150 for o in others for r in members)
    return bool(len(members) >= 3 and close and apart)


def test_every_v5_group_is_exactly_its_targets(cases):
    for c in (c for c in cases if c["structure"] == "group"):
        T = geo.tracks(c)[0]
        xs = sorted(r for r in T if r.startswith(("target", "distractor")))
        targets = tuple(sorted(r for r in xs if r.startswith("target")))
        assert _group_holds(c, T, targets), c["id"]
        for size in range(2, len(xs) + 1):  # no other set of the X in the scene is the group
            for members in itertools.combinations(xs, size):
                if members != targets:
                    assert not _group_holds(c, T, members), (c["id"], members)
