"""Benchmark layouts: the same predictions score the same against the DAVIS and the MeViS layout of one dataset."""

import json

import numpy as np
import pytest

from rvos_ros.config import Config
from rvos_ros.errors import InputError
from rvos_ros.eval.benchmarks import write_mevis_layout
from rvos_ros.eval.dataset import DatasetFolder, PredictionFolder
from rvos_ros.eval.report import evaluate
from rvos_ros.eval.runner import run_dataset
from rvos_ros.eval.synth import synthesize

ORACLE = Config().replace(**{"perception.backend": "simulated"})

MASK_FIGURES = ("J", "F", "J&F", "correct", "time_to_lock_s", "final_iou", "wrong_lock", "silent_wrong_lock",
                "switches", "missing_masks")


@pytest.fixture(scope="module")
def layouts(tmp_path_factory):
    """A synthetic dataset (DAVIS layout), the same data in the MeViS layout, and the oracle's online predictions."""
    root = tmp_path_factory.mktemp("layouts")
    synthesize(root / "davis", 2, seed=11, width=160, height=120, num_frames=16, fps=15.0)
    davis = DatasetFolder(root / "davis")
    write_mevis_layout(davis, root / "mevis")
    run_dataset(davis, root / "pred", ORACLE)
    return davis, DatasetFolder(root / "mevis"), PredictionFolder(root / "pred")


def test_the_mevis_layout_has_rle_masks_and_no_annotations(layouts):
    davis, mevis, _ = layouts
    assert mevis.layout == "mevis" and mevis.has_truth
    assert not (mevis.root / "Annotations").exists() and (mevis.root / "mask_dict.json").is_file()
    meta = json.loads((mevis.root / "meta_expressions.json").read_text())
    video = next(iter(meta["videos"].values()))
    assert all("anno_id" in e and len(e["anno_id"]) == len(e["obj_id"]) for e in video["expressions"].values())
    assert [e.text for e in mevis.expressions] == [e.text for e in davis.expressions]
    for e_d, e_m in zip(davis.expressions, mevis.expressions, strict=True):
        frame = davis.videos[e_d.video].frames[-1]
        np.testing.assert_array_equal(davis.truth(e_d, frame, davis.labels(e_d.video, frame)),
                                      mevis.truth(e_m, frame, mevis.labels(e_m.video, frame)))


def test_the_same_predictions_score_the_same_against_both_layouts(layouts):
    davis, mevis, pred = layouts
    a, b = evaluate(davis, pred), evaluate(mevis, pred)
    assert a["provenance"]["dataset"]["layout"] == "davis" and b["provenance"]["dataset"]["layout"] == "mevis"
    assert 0.0 < a["J&F"] < 1.0  # imperfect predictions: the comparison means something
    for key in ("J", "F", "J&F", "accuracy", "time_to_lock_s", "wrong_lock_rate", "silent_wrong_lock_rate",
                "switches_per_min", "missing_masks", "by_category"):
        assert a[key] == b[key], key
    for ra, rb in zip(a["per_expression"], b["per_expression"], strict=True):
        assert {k: ra[k] for k in MASK_FIGURES} == {k: rb[k] for k in MASK_FIGURES}


def test_run_on_a_mevis_folder_writes_a_mask_for_every_expression_and_frame(layouts, tmp_path):
    _, mevis, _ = layouts
    run_dataset(mevis, tmp_path / "pred", ORACLE)
    pred = PredictionFolder(tmp_path / "pred")
    assert pred.provenance is not None and pred.provenance["layout"] == "mevis"
    shape = mevis.image(mevis.expressions[0].video, mevis.videos[mevis.expressions[0].video].frames[0]).shape[:2]
    painted = 0
    for e in mevis.expressions:
        for frame in mevis.videos[e.video].frames:
            assert pred.has_mask(e.video, e.exp_id, frame)
            painted += int(pred.mask(e.video, e.exp_id, frame, shape).any())
    assert painted > 0  # the oracle read the RLE ground truth: not an all-empty run


def test_the_converter_wants_an_empty_folder(layouts, tmp_path):
    davis, _, _ = layouts
    (tmp_path / "x").write_text("")
    with pytest.raises(InputError, match="exists and is not an empty folder; choose a new folder"):
        write_mevis_layout(davis, tmp_path)
