"""The data checks every batch of the language set shares: counts and ids per structure, windows that hold their
roles, a stable split of its own, committed files equal to what the generator writes, and words new against the
older batches. What only one batch asks (and each batch's scene geometry) stays in test_language_set_v*.py.

Nothing here runs the reasoner: the held-out halves stay unseen, the checks are on the data alone.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field

import language_set_geometry as geo
import pytest

from rvos_ros.reasoning.window_io import load_window
from rvos_ros.testing.language_set import BATCHES, STRUCTURES, generate, split_of
from rvos_ros.testing.language_set import cases as v1
from rvos_ros.testing.language_set import cases_v2 as v2
from rvos_ros.testing.language_set import cases_v3 as v3
from rvos_ros.testing.language_set import cases_v4 as v4
from rvos_ros.testing.language_set import cases_v5 as v5
from rvos_ros.testing.language_set.report import load_cases

STYLES = {"mevis", "ytvos", "davis"}


@dataclass(frozen=True)
class Spec:
    """What a batch was asked for: cases per structure, its template tables (structure -> kind -> style -> forms),
    its passive variants (``active_of``: passive kind -> its relation) and how many styles each sub-kind meets."""

    counts: dict[str, int]
    tables: dict[str, dict]
    passive: dict = field(default_factory=dict)
    active_of: dict[str, str] = field(default_factory=dict)
    styles_per_kind: dict[str, int] = field(default_factory=dict)  # default: every style
    runs: bool = False  # also no five-word phrasing shared with an older batch

    def family(self, detail: str) -> str:
        return self.active_of.get(detail, detail)  # a passive variant belongs with its relation

    def templates(self) -> set[str]:
        return geo.templates(*self.tables.values(), *([self.passive] if self.passive else []))


# v1 is only an older batch here (its own checks are in test_language_set.py); its tables the later ones avoid
V1_TABLES = geo.templates(v1.INTERACTION, v1.PASSIVE, v1.SEQUENCE, v1.GROUP, v1.ORDINAL)
SPECS = {
    "v2": Spec({"interaction": 32, "group": 24, "ordinal": 24, "sequence": 24},
               {"interaction": v2.INTERACTION_V2, "group": v2.GROUP_V2, "ordinal": v2.ORDINAL_V2,
                "sequence": v2.SEQUENCE_V2}),
    "v3": Spec({"interaction": 30, "sequence": 24}, {"interaction": v3.INTERACTION_V3, "sequence": v3.SEQUENCE_V3},
               v3.PASSIVE_V3, v3.ACTIVE_OF),
    "v4": Spec({"interaction": 36, "sequence": 24}, {"interaction": v4.INTERACTION_V4, "sequence": v4.SEQUENCE_V4},
               v4.PASSIVE_V4, v4.ACTIVE_OF),
    # sequence and ordinal have two cases a kind, so two styles each
    "v5": Spec({"interaction": 40, "sequence": 20, "ordinal": 16, "group": 16},
               {"interaction": v5.INTERACTION_V5, "sequence": v5.SEQUENCE_V5, "ordinal": v5.ORDINAL_V5,
                "group": v5.GROUP_V5},
               v5.PASSIVE_V5, v5.ACTIVE_OF, {"sequence": 2, "ordinal": 2}, runs=True),
}
ALL = tuple(BATCHES)  # v1 ... v5, oldest first


def _older(batch: str) -> list[str]:
    return list(ALL[:ALL.index(batch)])


@pytest.fixture(scope="module")
def loaded() -> dict[str, list[dict]]:
    return {b: load_cases(BATCHES[b].folder) for b in ALL}


@pytest.mark.parametrize("batch", tuple(SPECS))
def test_each_structure_has_its_count_ids_halves_and_styles(batch, loaded):
    spec, cases = SPECS[batch], loaded[batch]
    assert BATCHES[batch].structures == tuple(spec.counts)
    assert set(spec.counts) <= set(STRUCTURES)  # bench/language.py orders them by v1's list
    by: dict[str, list[dict]] = defaultdict(list)
    for c in cases:
        by[c["structure"]].append(c)
    assert {s: len(v) for s, v in by.items()} == spec.counts
    assert len({c["id"] for c in cases}) == len(cases)
    for s, cs in by.items():
        assert [c["id"] for c in cs] == [f"{s}-{batch}-{k:03d}" for k in range(spec.counts[s])]
        assert all(c["batch"] == batch and c["file"] == f"windows/{c['id']}.json" for c in cs)
        for half in ("dev", "test"):  # each half of each structure holds half its cases and every style
            part = [c for c in cs if c["split"] == half]
            assert len(part) == spec.counts[s] // 2, (s, half, len(part))
            assert {c["style"] for c in part} == STYLES, (s, half)
        styles: dict[str, set[str]] = defaultdict(set)
        for c in cs:
            styles[spec.family(c["detail"])].add(c["style"])
        need = spec.styles_per_kind.get(s, len(STYLES))  # every sub-kind in every style (or as many as asked)
        assert all(len(st) >= need for st in styles.values()), (s, styles)
        assert set(styles) == set(spec.tables[s]), s  # every sub-kind of the table is there
    passive = {c["detail"] for c in cases if c["detail"] in spec.active_of}
    assert passive == set(spec.passive)  # every passive variant is there


@pytest.mark.parametrize("batch", tuple(SPECS))
def test_every_window_is_valid_and_holds_its_roles(batch, loaded):
    for c in loaded[batch]:
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
        said = {w for w in re.findall(r"[a-z]+", c["query"]) if w in v1.COLORS}
        assert len(said) <= 1, c["id"]
        for i in c["expected"]:
            assert colour[i] and said <= {colour[i]}, c["id"]
        assert all(colour[v] == colour[c["expected"][0]] for r, v in c["roles"].items()
                   if r.startswith("distractor") and labels[v] == kind), c["id"]


@pytest.mark.parametrize("batch", ALL)
def test_the_split_is_stable_and_its_own(batch, loaded):
    b, cases = BATCHES[batch], loaded[batch]
    by_structure: dict[str, list[str]] = defaultdict(list)
    for c in cases:
        by_structure[c["structure"]].append(c["id"])
    recomputed = {}
    for ids in by_structure.values():
        recomputed.update(split_of(ids, batch))
        n_dev = sum(split_of(ids, batch)[i] == "dev" for i in ids)
        assert abs(2 * n_dev - len(ids)) <= 1  # stratified: each structure cut in half (±1)
    assert {c["id"]: c["split"] for c in cases} == recomputed
    assert b.seed == f"rvos-language-set-{batch}"
    assert b.seed not in {BATCHES[o].seed for o in _older(batch)}
    if b.tag:  # v1 keeps its first names: no suffix on its folder or ids, no "batch" in its entries
        assert b.folder.name == f"language_set_{batch}" and b.case_id("group", 7) == f"group-{batch}-007"
    older = [(o, c) for o in _older(batch) for c in loaded[o]]
    assert not {c["id"] for c in cases} & {c["id"] for _, c in older}
    for o, c in older:  # the older batches stay as they were written
        assert f"-{batch}-" not in c["id"] and c.get("batch") != batch, c["id"]
        assert ("batch" in c) == BATCHES[o].tag, c["id"]


@pytest.mark.parametrize("batch", ALL)
def test_the_committed_files_are_what_the_generator_writes(batch, loaded):
    folder, cases = BATCHES[batch].folder, loaded[batch]
    generated = generate(batch)
    assert [e["id"] for e, _ in generated] == [c["id"] for c in cases]
    assert tuple(dict.fromkeys(c["structure"] for c in cases)) == BATCHES[batch].structures
    for (entry, window), case in zip(generated, cases, strict=True):
        assert entry == {k: v for k, v in case.items() if k != "path"}, case["id"]
        assert window == json.loads(case["path"].read_text()), case["id"]
    assert json.loads((folder / "cases.json").read_text()) == [e for e, _ in generated]
    assert sorted(p.name for p in (folder / "windows").glob("*.json")) == sorted(
        f"{e['id']}.json" for e, _ in generated
    )


# function words and slots: a run of shared words made only of these is scaffolding, not shared wording
_FUNCTION = frozenset(
    "a an the of in on at to by for from with and then that which who is are was it its they their them"
    " {c} {cs} {a} {col} {d} {o} {num} {pro}".split()
)


def _words(template: str) -> list[str]:
    """The template's words, lower case, with the slots that name the same thing given one name."""
    t = re.sub(r"\{p\}", "{c}", template)  # v1's passive names its slots {p} / {g}
    t = re.sub(r"\{g\}", "{a}", t)
    t = re.sub(r"\{a?(which|he|him|his|himself)\}", "{pro}", t)
    return re.findall(r"\{[a-z]+\}|[a-z'-]+", t.lower())


def _runs(template: str, k: int = 5) -> set[tuple[str, ...]]:
    """Runs of ``k`` words holding at least three content words (not slots, not function words)."""
    w = _words(template)
    grams = {tuple(w[i:i + k]) for i in range(len(w) - k + 1)}
    return {g for g in grams if sum(x not in _FUNCTION for x in g) >= 3}


@pytest.mark.parametrize("batch", tuple(SPECS))
def test_the_words_are_new(batch, loaded):
    spec, cases = SPECS[batch], loaded[batch]
    old = V1_TABLES.union(*(SPECS[o].templates() for o in _older(batch) if o in SPECS))
    new = spec.templates()
    assert not old & new, old & new
    assert not {" ".join(_words(t)) for t in old} & {" ".join(_words(t)) for t in new}  # not even re-slotted
    if spec.runs:
        old_runs = set().union(*(_runs(t) for t in old))
        shared = {t: _runs(t) & old_runs for t in new}
        assert not any(shared.values()), {t: g for t, g in shared.items() if g}  # no five-word phrasing reused
    old_queries = {c["query"] for o in _older(batch) for c in loaded[o]}
    assert not {c["query"] for c in cases} & old_queries
    assert len({c["query"] for c in cases}) >= 0.9 * len(cases)
    for c in cases:
        assert "{" not in c["query"] and "  " not in c["query"], c["id"]
        assert not re.search(r"\ba [aeiou]", c["query"]), c["id"]
