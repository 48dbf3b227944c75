"""`run` writes a binary mask of the frame's size for every expression and frame, and a decision for each."""

import json

import cv2
import numpy as np
import pytest

from rvos_ros.config import Config
from rvos_ros.errors import InputError
from rvos_ros.eval.dataset import DatasetFolder
from rvos_ros.eval.runner import run_dataset


@pytest.mark.parametrize("mode", ["online", "offline"])
def test_masks_and_decisions_for_everything(small_dataset, tmp_path, mode):
    ds = DatasetFolder(small_dataset)
    runs = run_dataset(ds, tmp_path, Config(), mode=mode)
    assert len(runs) == len(ds.expressions)
    decisions = json.loads((tmp_path / "decisions.json").read_text())
    assert set(decisions) == {e.key for e in ds.expressions}
    for e in ds.expressions:
        rec = decisions[e.key]
        assert rec["num_frames"] == len(ds.videos[e.video].frames) and rec["timeline"]
        for name in ds.videos[e.video].frames:
            m = cv2.imread(str(tmp_path / e.video / e.exp_id / f"{name}.png"), cv2.IMREAD_UNCHANGED)
            assert m is not None and m.shape == (240, 320) and m.dtype == np.uint8
            assert set(np.unique(m)) <= {0, 255}


def test_offline_masks_follow_the_final_decision(small_dataset, tmp_path):
    ds = DatasetFolder(small_dataset)
    runs = run_dataset(ds, tmp_path, Config(), mode="offline")
    r = next(r for r in runs if r.decision.targets)
    e = r.expression
    first = ds.videos[e.video].frames[0]
    labels = ds.labels(e.video, first)
    expected = np.isin(labels, list(r.decision.targets))
    got = cv2.imread(str(tmp_path / e.video / e.exp_id / f"{first}.png"), cv2.IMREAD_GRAYSCALE) > 0
    assert np.array_equal(got, expected)


def test_unknown_mode(small_dataset, tmp_path):
    with pytest.raises(InputError, match=r"unknown mode 'sideways'"):
        run_dataset(DatasetFolder(small_dataset), tmp_path, Config(), mode="sideways")  # type: ignore[arg-type]
