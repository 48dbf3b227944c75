"""Batch v5 of the language set: well formed, a stable split, new wording, and scenes that say what they mean.

v5 is a held-out batch nobody has tuned on, so nothing here runs the reasoner on v5 (no parser, no identify): the
checks are on the data alone (the scene geometry is judged by a few lines of plain geometry below, which know
the roles, not by the reasoner).
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections import defaultdict

import language_set_geometry as geo
import numpy as np
import pytest

from rvos_ros.reasoning.window_io import load_window
from rvos_ros.testing.language_set import BATCHES, STRUCTURES, STRUCTURES_V5, generate, split_of
from rvos_ros.testing.language_set.cases import COLORS, GROUP, INTERACTION, ORDINAL, PASSIVE, SEQUENCE
from rvos_ros.testing.language_set.cases_v2 import GROUP_V2, INTERACTION_V2, ORDINAL_V2, SEQUENCE_V2
from rvos_ros.testing.language_set.cases_v3 import INTERACTION_V3, PASSIVE_V3, SEQUENCE_V3
from rvos_ros.testing.language_set.cases_v4 import INTERACTION_V4, PASSIVE_V4, SEQUENCE_V4
from rvos_ros.testing.language_set.cases_v5 import (
    ACTIVE_OF,
    GROUP_V5,
    INTERACTION_V5,
    ORDINAL_V5,
    PASSIVE_V5,
    SEQUENCE_V5,
)
from rvos_ros.testing.language_set.report import load_cases

V5 = BATCHES["v5"]
COUNTS = {"interaction": 40, "sequence": 20, "ordinal": 16, "group": 16}
STYLES = {"mevis", "ytvos", "davis"}
OLD = (INTERACTION, PASSIVE, SEQUENCE, GROUP, ORDINAL, INTERACTION_V2, SEQUENCE_V2, GROUP_V2, ORDINAL_V2,
       INTERACTION_V3, PASSIVE_V3, SEQUENCE_V3, INTERACTION_V4, PASSIVE_V4, SEQUENCE_V4)
NEW = (INTERACTION_V5, PASSIVE_V5, SEQUENCE_V5, ORDINAL_V5, GROUP_V5)


@pytest.fixture(scope="module")
def cases() -> list[dict]:
    return load_cases(V5.folder)


@pytest.fixture(scope="module")
def old_cases() -> list[dict]:
    return [c for b in ("v1", "v2", "v3", "v4") for c in load_cases(BATCHES[b].folder)]


def _family(detail: str) -> str:
    return ACTIVE_OF.get(detail, detail)  # a passive variant belongs with its relation


def test_v5_has_the_four_structures_in_the_counts_asked(cases):
    assert STRUCTURES_V5 == tuple(COUNTS)
    assert set(STRUCTURES_V5) <= set(STRUCTURES)  # bench/language.py orders them by v1's list
    by: dict[str, list[dict]] = defaultdict(list)
    for c in cases:
        by[c["structure"]].append(c)
    assert {s: len(v) for s, v in by.items()} == COUNTS
    assert len({c["id"] for c in cases}) == len(cases)
    for s, cs in by.items():
        assert [c["id"] for c in cs] == [f"{s}-v5-{k:03d}" for k in range(COUNTS[s])]
        assert all(c["batch"] == "v5" and c["file"] == f"windows/{c['id']}.json" for c in cs)
        for half in ("dev", "test"):  # each half of each structure holds half its cases and every style
            part = [c for c in cs if c["split"] == half]
            assert len(part) == COUNTS[s] // 2, (s, half, len(part))
            assert {c["style"] for c in part} == STYLES, (s, half)
        details: dict[str, set[str]] = defaultdict(set)
        for c in cs:
            details[_family(c["detail"])].add(c["style"])
        # interaction and group meet every style per sub-kind; sequence and ordinal (two cases a kind) two styles
        need = 3 if s in ("interaction", "group") else 2
        assert all(len(styles) >= need for styles in details.values()), (s, details)
    assert {c["detail"] for c in by["sequence"]} == set(SEQUENCE_V5)
    assert {c["detail"] for c in by["ordinal"]} == set(ORDINAL_V5)
    assert {c["detail"] for c in by["group"]} == set(GROUP_V5)
    assert {_family(c["detail"]) for c in by["interaction"]} == set(INTERACTION_V5)
    passive = [c for c in by["interaction"] if c["detail"] in ACTIVE_OF]
    assert {c["detail"] for c in passive} == set(PASSIVE_V5)  # every passive variant is there
    assert len(passive) == COUNTS["interaction"] // 4  # a quarter of the interactions
    assert {c["style"] for c in passive} == STYLES


def test_every_v5_window_is_valid_and_holds_its_roles(cases):
    for c in cases:
        window = load_window(c["path"])
        assert window.query == c["query"], c["id"]
        ids = {t.id for t in window.tracks}
        assert set(c["roles"].values()) == ids, c["id"]  # every track has a role, every role a track
        assert c["expected"] and set(c["expected"]) <= ids, c["id"]
        targets = sorted(v for r, v in c["roles"].items() if r.startswith("target"))
        assert c["expected"] == targets, c["id"]
        assert any(r.startswith("distractor") for r in c["roles"]), c["id"]
        assert len(ids) > len(c["expected"]) and c["partial_reading"], c["id"]
        assert all(len(t.boxes) for t in window.tracks), c["id"]
        assert 30 <= window.num_frames <= 60
        if c["structure"] == "interaction" or c["detail"].startswith("arrive"):
            assert "anchor" in c["roles"], c["id"]
        if c["structure"] == "group":
            assert len(c["expected"]) >= 2, c["id"]
        else:
            assert len(c["expected"]) == 1, c["id"]
        labels = {t.id: t.label for t in window.tracks}
        assert len({labels[i] for i in c["expected"]}) == 1, c["id"]
        kind = labels[c["expected"][0]]
        assert any(r.startswith("distractor") and labels[v] == kind for r, v in c["roles"].items()), c["id"]
        # a colour said in the query is the targets' colour, and every distractor of their kind has it too (the
        # colour never separates, the structure does)
        raw = json.loads(c["path"].read_text())
        colour = {t["id"]: t.get("attributes", {}).get("color") for t in raw["tracks"]}
        said = {w for w in re.findall(r"[a-z]+", c["query"]) if w in COLORS}
        assert len(said) <= 1, c["id"]
        for i in c["expected"]:
            assert colour[i] and said <= {colour[i]}, c["id"]
        assert all(colour[v] == colour[c["expected"][0]] for r, v in c["roles"].items()
                   if r.startswith("distractor") and labels[v] == kind), c["id"]


def test_the_v5_split_is_stable_and_its_own(cases, old_cases):
    by_structure: dict[str, list[str]] = defaultdict(list)
    for c in cases:
        by_structure[c["structure"]].append(c["id"])
    recomputed = {}
    for ids in by_structure.values():
        recomputed.update(split_of(ids, "v5"))
        n_dev = sum(split_of(ids, "v5")[i] == "dev" for i in ids)
        assert abs(2 * n_dev - len(ids)) <= 1
    assert {c["id"]: c["split"] for c in cases} == recomputed
    assert V5.seed == "rvos-language-set-v5"
    assert V5.seed not in {BATCHES[b].seed for b in ("v1", "v2", "v3", "v4")}
    assert V5.folder.name == "language_set_v5" and V5.case_id("group", 7) == "group-v5-007"
    assert not {c["id"] for c in cases} & {c["id"] for c in old_cases}
    assert all("-v5-" not in c["id"] and c.get("batch") != "v5" for c in old_cases)


def test_the_committed_v5_files_are_what_the_generator_writes(cases):
    generated = generate("v5")
    assert [e["id"] for e, _ in generated] == [c["id"] for c in cases]
    for (entry, window), case in zip(generated, cases, strict=True):
        assert entry == {k: v for k, v in case.items() if k != "path"}, case["id"]
        assert window == json.loads(case["path"].read_text()), case["id"]
    assert json.loads((V5.folder / "cases.json").read_text()) == [e for e, _ in generated]
    assert sorted(p.name for p in (V5.folder / "windows").glob("*.json")) == sorted(
        f"{e['id']}.json" for e, _ in generated
    )


# function words and slots: a run of shared words made only of these is scaffolding ("a {c} in {col} the {a}"),
# not shared wording
_FUNCTION = frozenset(
    "a an the of in on at to by for from with and then that which who is are was it its they their them"
    " {c} {cs} {a} {col} {d} {o} {num} {pro}".split()
)


def _words(template: str) -> list[str]:
    t = re.sub(r"\{p\}", "{c}", template)  # v1's passive names its slots {p} / {g}
    t = re.sub(r"\{g\}", "{a}", t)
    t = re.sub(r"\{a?(which|he|him|his|himself)\}", "{pro}", t)
    return re.findall(r"\{[a-z]+\}|[a-z'-]+", t.lower())


def _runs(template: str, k: int = 5) -> set[tuple[str, ...]]:
    """Runs of ``k`` words holding at least three content words (not slots, not function words)."""
    w = _words(template)
    grams = {tuple(w[i:i + k]) for i in range(len(w) - k + 1)}
    return {g for g in grams if sum(x not in _FUNCTION for x in g) >= 3}


def test_v5_words_are_new(cases, old_cases):
    old, new = geo.templates(*OLD), geo.templates(*NEW)
    assert not old & new, old & new
    assert not {" ".join(_words(t)) for t in old} & {" ".join(_words(t)) for t in new}
    old_runs = set().union(*(_runs(t) for t in old))
    shared = {t: _runs(t) & old_runs for t in new}
    assert not any(shared.values()), {t: g for t, g in shared.items() if g}  # no five-word phrasing reused
    assert not {c["query"] for c in cases} & {c["query"] for c in old_cases}
    assert len({c["query"] for c in cases}) >= 0.9 * len(cases)
    for c in cases:
        assert "{" not in c["query"] and "  " not in c["query"], c["id"]
        assert not re.search(r"\ba [aeiou]", c["query"]), c["id"]


# ---------------------------------------------------------------- the scenes, by plain geometry


PHASES = {
    "move_stop": [["walk", "still"]],
    "stop_move": [["still", "fast"]],
    "slow_fast": [["slow", "fast"]],
    "fast_slow": [["fast", "slow"]],
    "turn_back": [["walk", "walk-"]],
    "pause_return": [["walk", "still", "walk-"]],
    "slow_fast_stop": [["slow", "fast", "still"]],
    "walk_stop_run": [["walk", "still", "fast"]],
    "still_fast_slow": [["still", "fast", "slow"]],
    "turn_slow": [["fast", "slow-"]],
}


def _way(query: str) -> tuple[int, ...]:
    """The direction the query names first (+1 right, -1 left), or both when it names none; a query that names only
    the way back ("... and back left") names the first way by its opposite."""
    tokens = re.findall(r"[a-z]+", query)
    at = [i for i, w in enumerate(tokens) if w in ("left", "right")]
    if not at:
        return (1, -1)
    sign = 1 if tokens[at[0]] == "right" else -1
    return (-sign if "back" in tokens[max(0, at[0] - 3):at[0]] else sign,)


def _holds(case: dict, T: dict[str, dict], n: int, who: str) -> bool:
    """Does track role ``who`` do what the case's query says (the geometry of its sub-kind)?"""
    k, t = case["detail"], T[who]
    A = T.get("anchor")
    rest = [r for r in T if r.startswith(("target", "distractor")) and r != who]
    if case["structure"] == "interaction":
        if k in ("follow", "lead", "followed"):
            p = geo.ahead(t, A)
            return bool(((p < -20) if k == "follow" else (p > 20)).mean() > 0.9 and geo.aside(t, A).max() < 80)
        if k == "alongside":
            return bool(geo.dist(t, A).max() < 90 and np.abs(geo.ahead(t, A)).max() < 30)
        if k in ("chase", "chased"):
            d, p = geo.dist(t, A), geo.ahead(t, A)
            behind = (p < 0) if k == "chase" else (p > 0)
            return bool(d[-1] < d[0] - 10 and behind.all() and geo.aside(t, A).max() < 60)
        if k in ("approach", "move_away"):
            d = geo.dist(t, A)
            return bool((d[-1] - d[0] if k == "move_away" else d[0] - d[-1]) > 100)
        if k in ("overtake", "overtaken"):
            fast, slow = (A, t) if k == "overtaken" else (t, A)
            p, hw = geo.ahead(fast, slow), (t["w"] + A["w"]) / 2
            return bool(p[0] < -0.8 * hw and p[-1] > hw and geo.aside(fast, slow).max() < 100)
        if k == "meet":
            d = geo.dist(t, A)
            return bool(d[-1] < (t["w"] + A["w"]) / 2 + 40 and d[0] > 200)
        if k in ("pass_by", "passed"):  # the mover goes from well before the other to well beyond it, close by
            mover, other = (A, t) if k == "passed" else (t, A)
            pm, po = geo.common(mover, other)
            u = mover["c"][-1] - mover["c"][0]
            along = (pm - po) @ (u / (np.linalg.norm(u) + 1e-9))
            close = along[0] < -60 and along[-1] > 60 and geo.dist(t, A).min() < 100
            return bool(close and (not geo.moving(t).any() if k == "passed" else True))
        if k == "approached":  # the target stands; the anchor ends by it, having started far from it
            d = geo.dist(t, A)
            return bool(not geo.moving(t).any() and d[0] - d[-1] > 100 and d[-1] < (t["w"] + A["w"]) / 2 + 40)
        if k == "left":  # the target stands; the anchor starts by it and ends about twice as far or more
            d = geo.dist(t, A)
            return bool(not geo.moving(t).any() and d[0] < 130 and d[-1] - d[0] > 90 and d[-1] > 1.8 * d[0])
        pt, pa = geo.common(t, A)  # circle_around: a full turn around the anchor; circled: the anchor's around it
        ang = np.unwrap(np.arctan2(pt[:, 1] - pa[:, 1], pt[:, 0] - pa[:, 0]))
        turned = bool(abs(ang[-1] - ang[0]) > 2 * math.pi)
        return turned and (not geo.moving(t).any() if k == "circled" else not geo.moving(A).any())
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
    return any(geo.phases(t, s) in PHASES[k] for s in _way(case["query"]))


def test_every_v5_scene_holds_for_its_target_and_for_no_distractor(cases):
    geo.assert_scenes_hold([c for c in cases if c["structure"] != "group"], _holds)


def _group_holds(case: dict, T: dict[str, dict], members: tuple[str, ...]) -> bool:
    """Is ``members`` (roles) exactly the group the query names, among all the X in the scene?"""
    k = case["detail"]
    xs = [r for r in T if r.startswith(("target", "distractor"))]
    others = [r for r in xs if r not in members]
    way = _way(case["query"])
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
