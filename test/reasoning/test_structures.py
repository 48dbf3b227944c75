"""The structures added for the language people use, each on its dev cases of the language set.

These are the cases the structures were written from (the dev halves of batches v1 to v5: tuned on), so they
guard against regressions; the held-out figures come from the test halves, which no test reads
(bench/language.py reports them). Each structure must get at least 9 in 10 of its dev cases right and never
lock on a wrong target.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rvos_ros.testing.language_set.report import figures, load_cases, run_case

STRUCTURES = ("counted", "shape", "ordinal", "initial_final", "sequence", "interaction", "passive", "enter_leave",
              "synonym", "group")
V2 = Path(__file__).resolve().parents[1] / "data" / "language_set_v2"
V2_STRUCTURES = ("interaction", "group", "ordinal", "sequence")
V3 = Path(__file__).resolve().parents[1] / "data" / "language_set_v3"
V3_STRUCTURES = ("interaction", "sequence")
V4 = Path(__file__).resolve().parents[1] / "data" / "language_set_v4"
V5 = Path(__file__).resolve().parents[1] / "data" / "language_set_v5"


@pytest.fixture(scope="module")
def dev_rows() -> dict[tuple[str, str], list[dict]]:
    rows: dict[tuple[str, str], list[dict]] = {}
    for batch, folder, structures in (("v1", None, STRUCTURES), ("v2", V2, V2_STRUCTURES), ("v3", V3, V3_STRUCTURES),
                                      ("v4", V4, V3_STRUCTURES), ("v5", V5, V2_STRUCTURES)):
        for case in load_cases(folder) if folder else load_cases():
            if case["split"] == "dev" and case["structure"] in structures:
                rows.setdefault((batch, case["structure"]), []).append(run_case(case))
    return rows


@pytest.mark.parametrize(("batch", "structure"), [("v1", s) for s in STRUCTURES] + [("v2", s) for s in V2_STRUCTURES]
                         + [("v3", s) for s in V3_STRUCTURES] + [("v4", s) for s in V3_STRUCTURES]
                         + [("v5", s) for s in V2_STRUCTURES])
def test_each_structure_is_read_right_on_its_dev_cases(dev_rows, batch, structure):
    rows = dev_rows[(batch, structure)]
    fig = figures(rows)
    misses = [f"{r['query']!r}: got {r['got']} ({r['state']}), want {r['expected']}" for r in rows
              if r["got"] != r["expected"]]
    assert rows and fig["accuracy"] >= 0.9, "\n".join(misses)
    assert fig["silent_wrong_locks"] == 0, "\n".join(misses)
