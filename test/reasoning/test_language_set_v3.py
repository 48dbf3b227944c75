"""Batch v3 of the language set: well formed, a stable split, new wording, and scenes that say what they mean.

v3's test half is kept unseen by whoever tunes the reasoner, so nothing here runs the reasoner on v3: the
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
from rvos_ros.testing.language_set import BATCHES, STRUCTURES, STRUCTURES_V3, generate, split_of
from rvos_ros.testing.language_set.cases import INTERACTION, PASSIVE, SEQUENCE
from rvos_ros.testing.language_set.cases_v2 import INTERACTION_V2, SEQUENCE_V2
from rvos_ros.testing.language_set.cases_v3 import ACTIVE_OF, INTERACTION_V3, PASSIVE_V3, SEQUENCE_V3
from rvos_ros.testing.language_set.report import load_cases

V3 = BATCHES["v3"]
COUNTS = {"interaction": 30, "sequence": 24}
STYLES = {"mevis", "ytvos", "davis"}


@pytest.fixture(scope="module")
def cases() -> list[dict]:
    return load_cases(V3.folder)


@pytest.fixture(scope="module")
def old_cases() -> list[dict]:
    return load_cases(BATCHES["v1"].folder) + load_cases(BATCHES["v2"].folder)


def _family(detail: str) -> str:
    return ACTIVE_OF.get(detail, detail)  # a passive variant belongs with its relation


def test_v3_has_the_two_structures_in_the_counts_asked(cases):
    assert STRUCTURES_V3 == tuple(COUNTS)
    assert set(STRUCTURES_V3) <= set(STRUCTURES)  # bench/language.py orders them by v1's list
    by: dict[str, list[dict]] = defaultdict(list)
    for c in cases:
        by[c["structure"]].append(c)
    assert {s: len(v) for s, v in by.items()} == COUNTS
    assert len({c["id"] for c in cases}) == len(cases)
    for s, cs in by.items():
        assert [c["id"] for c in cs] == [f"{s}-v3-{k:03d}" for k in range(COUNTS[s])]
        assert all(c["batch"] == "v3" and c["file"] == f"windows/{c['id']}.json" for c in cs)
        for half in ("dev", "test"):  # each half of each structure holds 12-15 cases and every style
            part = [c for c in cs if c["split"] == half]
            assert 12 <= len(part) <= 15, (s, half, len(part))
            assert {c["style"] for c in part} == STYLES, (s, half)
        details: dict[str, set[str]] = defaultdict(set)
        for c in cs:
            details[_family(c["detail"])].add(c["style"])
        assert all(styles == STYLES for styles in details.values()), (s, details)  # every sub-kind in every style
    passive = {c["detail"] for c in by["interaction"] if c["detail"] in ACTIVE_OF}
    assert passive == set(PASSIVE_V3)  # every passive variant is there


def test_every_v3_window_is_valid_and_holds_its_roles(cases):
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


def test_the_v3_split_is_stable_and_its_own(cases, old_cases):
    by_structure: dict[str, list[str]] = defaultdict(list)
    for c in cases:
        by_structure[c["structure"]].append(c["id"])
    recomputed = {}
    for ids in by_structure.values():
        recomputed.update(split_of(ids, "v3"))
        n_dev = sum(split_of(ids, "v3")[i] == "dev" for i in ids)
        assert abs(2 * n_dev - len(ids)) <= 1
    assert {c["id"]: c["split"] for c in cases} == recomputed
    assert V3.seed == "rvos-language-set-v3" not in (BATCHES["v1"].seed, BATCHES["v2"].seed)
    assert not {c["id"] for c in cases} & {c["id"] for c in old_cases}
    assert all("-v3-" not in c["id"] and c.get("batch") != "v3" for c in old_cases)


def test_the_committed_v3_files_are_what_the_generator_writes(cases):
    generated = generate("v3")
    assert [e["id"] for e, _ in generated] == [c["id"] for c in cases]
    for (entry, window), case in zip(generated, cases, strict=True):
        assert entry == {k: v for k, v in case.items() if k != "path"}, case["id"]
        assert window == json.loads(case["path"].read_text()), case["id"]
    assert json.loads((V3.folder / "cases.json").read_text()) == [e for e, _ in generated]
    assert sorted(p.name for p in (V3.folder / "windows").glob("*.json")) == sorted(
        f"{e['id']}.json" for e, _ in generated
    )


def test_v3_words_are_new(cases, old_cases):
    old = geo.templates(INTERACTION, PASSIVE, SEQUENCE, INTERACTION_V2, SEQUENCE_V2)
    new = geo.templates(INTERACTION_V3, PASSIVE_V3, SEQUENCE_V3)
    assert not old & new, old & new
    norm = re.compile(r"\{(p|g)\}")  # v1's passive names its slots {p} / {g}
    assert not {norm.sub(lambda m: "{c}" if m.group(1) == "p" else "{a}", t) for t in old} & new
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
    "pause_resume": [["walk", "still", "walk"]],
    "pause_return": [["walk", "still", "walk-"]],
    "slow_fast_stop": [["slow", "fast", "still"]],
}


def _holds(case: dict, T: dict[str, dict], n: int, who: str) -> bool:
    """Does track role ``who`` do what the case's query says (the geometry of its sub-kind)?"""
    k, t = case["detail"], T[who]
    A = T.get("anchor")
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
        if k in ("approach", "move_away", "approached"):
            d = geo.dist(t, A)
            return bool((d[-1] - d[0] if k == "move_away" else d[0] - d[-1]) > 100)
        if k in ("overtake", "overtaken"):
            fast, slow = (A, t) if k == "overtaken" else (t, A)
            p, hw = geo.ahead(fast, slow), (t["w"] + A["w"]) / 2
            return bool(p[0] < -0.8 * hw and p[-1] > hw and geo.aside(fast, slow).max() < 100)
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
    # sequence: the phases in order, in the direction the query names first (or either, if it names none)
    words = [w for w in re.findall(r"[a-z]+", case["query"]) if w in ("left", "right")]
    signs = (1 if words[0] == "right" else -1,) if words else (1, -1)
    return any(geo.phases(t, s) in PHASES[k] for s in signs)


def test_every_v3_scene_holds_for_its_target_and_for_no_distractor(cases):
    geo.assert_scenes_hold(cases, _holds)
