"""An evaluation set of referring expressions nobody tuned the reasoner on (issue 16, item 4).

Over 300 expressions in the styles of MeViS (motion first), Ref-YouTube-VOS
(sentences with colour, action and place) and Ref-DAVIS (short noun phrases),
our own wording, each with a synthetic trajectory window (docs/contracts.md)
built so that the answer is unambiguous and a partial reading of the
expression picks a distractor or cannot separate it from the target. Every
case names its ``structure`` (interaction, passive, sequence, ...).

The split is fixed per case id: ``split_of`` ranks each structure's ids by a
seeded hash and alternates dev/test, never re-drawn; ``cases.json`` records it and the tests recompute it.

The set comes in batches, each with its own seed, builders, case ids and
folder. ``v1`` (``test/data/language_set``) is the original set; its test half
has been looked at. ``v2`` (``test/data/language_set_v2``, cases_v2.py) is a
fresh batch with new wording for the structures v1's test half found weakest
(interaction, group, ordinal, sequence); its ids read ``interaction-v2-000``
and its entries carry ``"batch": "v2"`` (v1's entries stay as they were). ``v3``
(``test/data/language_set_v3``, cases_v3.py) is another fresh batch, made after
the dev halves of v1 and v2 were tuned on and both test halves looked at, for
the two weakest structures (interaction, with passive variants, and sequence);
its ids read ``interaction-v3-000`` and its entries carry ``"batch": "v3"``. ``v4``
(``test/data/language_set_v4``, cases_v4.py) is a fresh batch for the same two structures, never looked at,
in a new author's wording written without the parser's vocabulary in view, to measure how a vocabulary
change carries over; its ids read ``interaction-v4-000`` and its entries carry ``"batch": "v4"``. ``v5``
(``test/data/language_set_v5``, cases_v5.py) is a fresh held-out batch, made after the dev halves of v1 to v4 were
tuned on, for four structures (interaction, with passive variants, sequence, ordinal and group) in four new
annotators' wording written without the parser's vocabulary in view, never tuned on; its ids read
``interaction-v5-000`` and its entries carry ``"batch": "v5"``.

    python -m rvos_ros.testing.language_set [--batch v1|v2|v3|v4|v5] [--out DIR]
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rvos_ros.testing.language_set.cases import BUILDERS, EASY, STYLES, Built
from rvos_ros.testing.language_set.cases_v2 import BUILDERS_V2
from rvos_ros.testing.language_set.cases_v3 import BUILDERS_V3
from rvos_ros.testing.language_set.cases_v4 import BUILDERS_V4
from rvos_ros.testing.language_set.cases_v5 import BUILDERS_V5
from rvos_ros.testing.language_set.report import DATA

__all__ = ["BATCHES", "BUILDERS", "BUILDERS_V2", "BUILDERS_V3", "BUILDERS_V4", "BUILDERS_V5", "EASY", "SEED",
           "STRUCTURES", "STRUCTURES_V2", "STRUCTURES_V3", "STRUCTURES_V4", "STRUCTURES_V5", "Batch", "generate",
           "split_key", "split_of", "write"]


@dataclass(frozen=True)
class Batch:
    """One batch of the set: its seed (split and scenes), builders, case-id pattern and default folder."""

    name: str
    seed: str
    builders: dict[str, tuple[Callable[[np.random.Generator, int, str], Built], int]]
    id_pattern: str  # formatted with structure= and k=
    folder: Path
    tag: bool  # entries carry "batch": name (v1's do not, so its files stay as they were)

    def case_id(self, structure: str, k: int) -> str:
        return self.id_pattern.format(structure=structure, k=k)

    @property
    def structures(self) -> tuple[str, ...]:
        return tuple(self.builders)


BATCHES: dict[str, Batch] = {
    "v1": Batch("v1", "rvos-language-set-v1", BUILDERS, "{structure}-{k:03d}", DATA, False),
    "v2": Batch("v2", "rvos-language-set-v2", BUILDERS_V2, "{structure}-v2-{k:03d}",
                DATA.parent / "language_set_v2", True),
    "v3": Batch("v3", "rvos-language-set-v3", BUILDERS_V3, "{structure}-v3-{k:03d}",
                DATA.parent / "language_set_v3", True),
    "v4": Batch("v4", "rvos-language-set-v4", BUILDERS_V4, "{structure}-v4-{k:03d}",
                DATA.parent / "language_set_v4", True),
    "v5": Batch("v5", "rvos-language-set-v5", BUILDERS_V5, "{structure}-v5-{k:03d}",
                DATA.parent / "language_set_v5", True),
}
SEED = BATCHES["v1"].seed
STRUCTURES = BATCHES["v1"].structures
STRUCTURES_V2 = BATCHES["v2"].structures
STRUCTURES_V3 = BATCHES["v3"].structures
STRUCTURES_V4 = BATCHES["v4"].structures
STRUCTURES_V5 = BATCHES["v5"].structures


def _batch(batch: str | Batch) -> Batch:
    if isinstance(batch, Batch):
        return batch
    if batch not in BATCHES:
        raise ValueError(f"unknown language set batch {batch!r}; known: {', '.join(BATCHES)}")
    return BATCHES[batch]


def split_key(case_id: str, batch: str | Batch = "v1") -> str:
    """The seeded hash of a case id that orders it for the split."""
    return hashlib.sha256(f"{_batch(batch).seed}/split/{case_id}".encode()).hexdigest()


def split_of(case_ids: list[str], batch: str | Batch = "v1") -> dict[str, str]:
    """``dev`` or ``test`` per case id, stratified: the ids of one structure (pass them together) are
    ranked by their seeded hash and alternate dev, test, dev, ... so each structure is cut in half.
    Decided once for the set as generated; ``cases.json`` records it and the tests recompute it."""
    ranked = sorted(case_ids, key=lambda cid: split_key(cid, batch))
    return {cid: ("dev", "test")[i % 2] for i, cid in enumerate(ranked)}


def _rng(case_id: str, batch: Batch) -> np.random.Generator:
    return np.random.default_rng(int.from_bytes(hashlib.sha256(f"{batch.seed}/scene/{case_id}".encode()).digest()[:8],
                                                "little"))


def generate(batch: str | Batch = "v1") -> list[tuple[dict, dict]]:
    """Every case of a batch as (index entry, window JSON), in a fixed order."""
    b = _batch(batch)
    out = []
    for structure, (build, count) in b.builders.items():
        ids = [b.case_id(structure, k) for k in range(count)]
        splits = split_of(ids, b)
        for k, case_id in enumerate(ids):
            style = STYLES[k % len(STYLES)]
            built = build(_rng(case_id, b), k, style)
            window, roles = built.scene.to_window(built.query)
            entry = {"id": case_id, **({"batch": b.name} if b.tag else {}), "structure": structure,
                     "detail": built.detail, "style": style, "split": splits[case_id], "query": built.query,
                     "expected": sorted(roles[r] for r in built.expected),
                     "roles": {r: roles[r] for r in sorted(roles)},
                     "partial_reading": built.partial, "file": f"windows/{case_id}.json"}
            out.append((entry, window))
    return out


def write(folder: Path | None = None, batch: str | Batch = "v1") -> list[dict]:
    """Write ``cases.json`` and ``windows/*.json`` of a batch under ``folder`` (default: the batch's own folder;
    old windows are replaced)."""
    b = _batch(batch)
    folder = b.folder if folder is None else folder
    (folder / "windows").mkdir(parents=True, exist_ok=True)
    for old in (folder / "windows").glob("*.json"):
        old.unlink()
    entries = []
    for entry, window in generate(b):
        (folder / entry["file"]).write_text(json.dumps(window, separators=(",", ":")) + "\n", encoding="utf-8")
        entries.append(entry)
    (folder / "cases.json").write_text(json.dumps(entries, indent=1) + "\n", encoding="utf-8")
    return entries
