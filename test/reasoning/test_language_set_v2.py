"""Batch v2 of the language set: well formed, a stable split, new wording, and scenes that say what they mean.

v2's test half is kept unseen by whoever tunes the reasoner, so nothing here runs the reasoner on v2: the
checks are on the data alone (the scene geometry is judged by a few lines of plain geometry below, which
know the roles, not by the reasoner).
"""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict

import language_set_geometry as geo
import numpy as np
import pytest

from rvos_ros.reasoning.window_io import load_window
from rvos_ros.testing.language_set import BATCHES, STRUCTURES, STRUCTURES_V2, generate, split_of
from rvos_ros.testing.language_set.cases import (
    GROUP,
    INTERACTION,
    ORDINAL,
    SEQUENCE,
)
from rvos_ros.testing.language_set.cases_v2 import GROUP_V2, INTERACTION_V2, ORDINAL_V2, SEQUENCE_V2
from rvos_ros.testing.language_set.report import load_cases

V2 = BATCHES["v2"]
COUNTS = {"interaction": 32, "group": 24, "ordinal": 24, "sequence": 24}
STYLES = {"mevis", "ytvos", "davis"}


@pytest.fixture(scope="module")
def cases() -> list[dict]:
    return load_cases(V2.folder)


@pytest.fixture(scope="module")
def v1_cases() -> list[dict]:
    return load_cases(BATCHES["v1"].folder)


def test_v2_has_the_four_structures_in_the_counts_asked(cases):
    assert STRUCTURES_V2 == tuple(COUNTS)
    assert set(STRUCTURES_V2) <= set(STRUCTURES)  # bench/language.py orders them by v1's list
    by: dict[str, list[dict]] = defaultdict(list)
    for c in cases:
        by[c["structure"]].append(c)
    assert {s: len(v) for s, v in by.items()} == COUNTS
    assert len({c["id"] for c in cases}) == len(cases)
    for s, cs in by.items():
        assert [c["id"] for c in cs] == [f"{s}-v2-{k:03d}" for k in range(COUNTS[s])]
        assert all(c["batch"] == "v2" and c["file"] == f"windows/{c['id']}.json" for c in cs)
        for half in ("dev", "test"):  # each half of each structure holds 12-16 cases and every style
            part = [c for c in cs if c["split"] == half]
            assert 12 <= len(part) <= 16, (s, half, len(part))
            assert {c["style"] for c in part} == STYLES, (s, half)
        details: dict[str, set[str]] = defaultdict(set)
        for c in cs:
            details[c["detail"]].add(c["style"])
        assert all(styles == STYLES for styles in details.values()), (s, details)  # every sub-kind in every style


def test_every_v2_window_is_valid_and_holds_its_roles(cases):
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
        if c["structure"] == "interaction":
            assert "anchor" in c["roles"], c["id"]
        labels = {t.id: t.label for t in window.tracks}
        assert len({labels[i] for i in c["expected"]}) == 1, c["id"]
        kind = labels[c["expected"][0]]
        assert any(r.startswith("distractor") and labels[v] == kind for r, v in c["roles"].items()), c["id"]


def test_the_v2_split_is_stable_and_its_own(cases, v1_cases):
    by_structure: dict[str, list[str]] = defaultdict(list)
    for c in cases:
        by_structure[c["structure"]].append(c["id"])
    recomputed = {}
    for ids in by_structure.values():
        recomputed.update(split_of(ids, "v2"))
        n_dev = sum(split_of(ids, "v2")[i] == "dev" for i in ids)
        assert abs(2 * n_dev - len(ids)) <= 1
    assert {c["id"]: c["split"] for c in cases} == recomputed
    assert V2.seed == "rvos-language-set-v2" != BATCHES["v1"].seed
    assert not {c["id"] for c in cases} & {c["id"] for c in v1_cases}
    assert all("batch" not in c and "-v2-" not in c["id"] for c in v1_cases)  # v1 stays as it was written


def test_the_committed_v2_files_are_what_the_generator_writes(cases):
    generated = generate("v2")
    assert [e["id"] for e, _ in generated] == [c["id"] for c in cases]
    for (entry, window), case in zip(generated, cases, strict=True):
        assert entry == {k: v for k, v in case.items() if k != "path"}, case["id"]
        assert window == json.loads(case["path"].read_text()), case["id"]
    assert json.loads((V2.folder / "cases.json").read_text()) == [e for e, _ in generated]
    assert sorted(p.name for p in (V2.folder / "windows").glob("*.json")) == sorted(
        f"{e['id']}.json" for e, _ in generated
    )


def test_v2_words_are_new(cases, v1_cases):
    for v1, v2 in ((INTERACTION, INTERACTION_V2), (GROUP, GROUP_V2), (ORDINAL, ORDINAL_V2), (SEQUENCE, SEQUENCE_V2)):
        old = {t for kind in v1.values() for forms in kind.values() for t in forms}
        new = {t for kind in v2.values() for forms in kind.values() for t in forms}
        assert not old & new, old & new
    assert not {c["query"] for c in cases} & {c["query"] for c in v1_cases}
    assert len({c["query"] for c in cases}) >= 0.9 * len(cases)
    for c in cases:
        assert "{" not in c["query"] and "  " not in c["query"], c["id"]
        assert not re.search(r"\ba [aeiou]", c["query"]), c["id"]


# ---------------------------------------------------------------- the scenes, by plain geometry


PHASES = {
    "move_stop": [["walk", "still"]],
    "stop_move": [["still", "fast"], ["still", "walk"]],
    "slow_fast": [["slow", "fast"]],
    "fast_slow": [["fast", "slow"]],
    "turn_back": [["walk", "walk-"]],
    "pause_resume": [["walk", "still", "walk"]],
    "pause_return": [["walk", "still", "walk-"]],
    "still_move_still": [["still", "walk", "still"]],
}


def _holds(case: dict, T: dict[str, dict], n: int, who: str) -> bool:
    """Does track role ``who`` do what the case's query says (the geometry of its sub-kind)?"""
    k, t = case["detail"], T[who]
    rest = [r for r in T if r.startswith(("target", "distractor")) and r != who]
    A = T.get("anchor")
    if case["structure"] == "interaction":
        if k in ("follow", "lead"):
            p = geo.ahead(t, A)
            return bool(((p < -20) if k == "follow" else (p > 20)).mean() > 0.9 and geo.aside(t, A).max() < 80)
        if k == "alongside":
            return bool(geo.dist(t, A).max() < 90 and np.abs(geo.ahead(t, A)).max() < 30)
        if k == "chase":
            d, p = geo.dist(t, A), geo.ahead(t, A)
            return bool(d[-1] < d[0] - 10 and (p < 0).all() and geo.aside(t, A).max() < 60)
        if k in ("approach", "move_away"):
            d = geo.dist(t, A)
            return bool((d[0] - d[-1] if k == "approach" else d[-1] - d[0]) > 100)
        if k == "overtake":
            p, hw = geo.ahead(t, A), (t["w"] + A["w"]) / 2
            return bool(p[0] < -0.8 * hw and p[-1] > hw and geo.aside(t, A).max() < 100)
        if k == "meet":
            d = geo.dist(t, A)
            return bool(d[-1] < (t["w"] + A["w"]) / 2 + 40 and d[0] > 200)
        if k == "pass_by":
            pt, pa = geo.common(t, A)
            u = t["c"][-1] - t["c"][0]
            along = (pt - pa) @ (u / (np.linalg.norm(u) + 1e-9))
            return bool(along[0] < -60 and along[-1] > 60 and geo.dist(t, A).min() < 100)
        pt, pa = geo.common(t, A)  # circle_around: a full turn around the anchor
        ang = np.unwrap(np.arctan2(pt[:, 1] - pa[:, 1], pt[:, 0] - pa[:, 0]))
        return bool(abs(ang[-1] - ang[0]) > 2 * math.pi)
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
    return any(geo.phases(t, s) in PHASES[k] for s in signs)


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
