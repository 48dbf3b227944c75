"""The structures added for the language people use, each on its dev cases of the language set.

These are the cases the structures were written from (the dev half: tuned on), so they guard against
regressions; the held-out figures come from the test half, which no test reads (bench/language.py reports
it). Each structure must get at least 9 in 10 of its dev cases right and never lock on a wrong target.
"""

from __future__ import annotations

import pytest

from rvos_ros.testing.language_set.report import figures, load_cases, run_case

STRUCTURES = ("counted", "shape", "ordinal", "initial_final", "sequence", "interaction", "passive", "enter_leave",
              "synonym", "group")


@pytest.fixture(scope="module")
def dev_rows() -> dict[str, list[dict]]:
    rows: dict[str, list[dict]] = {s: [] for s in STRUCTURES}
    for case in load_cases():
        if case["split"] == "dev" and case["structure"] in rows:
            rows[case["structure"]].append(run_case(case))
    return rows


@pytest.mark.parametrize("structure", STRUCTURES)
def test_each_structure_is_read_right_on_its_dev_cases(dev_rows, structure):
    rows = dev_rows[structure]
    fig = figures(rows)
    misses = [f"{r['query']!r}: got {r['got']} ({r['state']}), want {r['expected']}" for r in rows
              if r["got"] != r["expected"]]
    assert rows and fig["accuracy"] >= 0.9, "\n".join(misses)
    assert fig["silent_wrong_locks"] == 0, "\n".join(misses)
