"""An evaluation set of referring expressions nobody tuned the reasoner on (issue 16, item 4).

Over 300 expressions in the styles of MeViS (motion first), Ref-YouTube-VOS
(sentences with colour, action and place) and Ref-DAVIS (short noun phrases),
our own wording, each with a synthetic trajectory window (docs/contracts.md)
built so that the answer is unambiguous and a partial reading of the
expression picks a distractor or cannot separate it from the target. Every
case names its ``structure`` (interaction, passive, sequence, ...).

The split is fixed per case id: ``split_of`` ranks each structure's ids by a
seeded hash and alternates dev/test, never re-drawn; ``cases.json`` records it and the tests recompute it.

    python -m rvos_ros.testing.language_set [--out test/data/language_set]
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from rvos_ros.testing.language_set.cases import BUILDERS, EASY, STYLES

__all__ = ["BUILDERS", "EASY", "SEED", "STRUCTURES", "generate", "split_key", "split_of", "write"]

SEED = "rvos-language-set-v1"
STRUCTURES = tuple(BUILDERS)


def split_key(case_id: str) -> str:
    """The seeded hash of a case id that orders it for the split."""
    return hashlib.sha256(f"{SEED}/split/{case_id}".encode()).hexdigest()


def split_of(case_ids: list[str]) -> dict[str, str]:
    """``dev`` or ``test`` per case id, stratified: the ids of one structure (pass them together) are
    ranked by their seeded hash and alternate dev, test, dev, ... so each structure is cut in half.
    Decided once for the set as generated; ``cases.json`` records it and the tests recompute it."""
    ranked = sorted(case_ids, key=split_key)
    return {cid: ("dev", "test")[i % 2] for i, cid in enumerate(ranked)}


def _rng(case_id: str) -> np.random.Generator:
    return np.random.default_rng(int.from_bytes(hashlib.sha256(f"{SEED}/scene/{case_id}".encode()).digest()[:8],
                                                "little"))


def generate() -> list[tuple[dict, dict]]:
    """Every case as (index entry, window JSON), in a fixed order."""
    out = []
    for structure, (build, count) in BUILDERS.items():
        splits = split_of([f"{structure}-{k:03d}" for k in range(count)])
        for k in range(count):
            case_id = f"{structure}-{k:03d}"
            style = STYLES[k % len(STYLES)]
            built = build(_rng(case_id), k, style)
            window, roles = built.scene.to_window(built.query)
            entry = {"id": case_id, "structure": structure, "detail": built.detail, "style": style,
                     "split": splits[case_id], "query": built.query,
                     "expected": sorted(roles[r] for r in built.expected),
                     "roles": {r: roles[r] for r in sorted(roles)},
                     "partial_reading": built.partial, "file": f"windows/{case_id}.json"}
            out.append((entry, window))
    return out


def write(folder: Path) -> list[dict]:
    """Write ``cases.json`` and ``windows/*.json`` under ``folder`` (old windows are replaced)."""
    (folder / "windows").mkdir(parents=True, exist_ok=True)
    for old in (folder / "windows").glob("*.json"):
        old.unlink()
    entries = []
    for entry, window in generate():
        (folder / entry["file"]).write_text(json.dumps(window, separators=(",", ":")) + "\n", encoding="utf-8")
        entries.append(entry)
    (folder / "cases.json").write_text(json.dumps(entries, indent=1) + "\n", encoding="utf-8")
    return entries
