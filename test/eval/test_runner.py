"""`run` writes a binary mask of the frame's size for every expression and frame, and a decision for each."""

import json
import shutil
from datetime import datetime

import cv2
import numpy as np
import pytest

import rvos_ros
from rvos_ros.config import Config
from rvos_ros.errors import InputError
from rvos_ros.eval.dataset import DatasetFolder
from rvos_ros.eval.provenance import config_sha256
from rvos_ros.eval.runner import run_dataset

ORACLE = Config().replace(**{"perception.backend": "simulated"})
"""Synthetic data carries ground truth: these tests run the simulated oracle."""


@pytest.mark.parametrize("mode", ["online", "offline"])
def test_masks_and_decisions_for_everything(small_dataset, tmp_path, mode):
    ds = DatasetFolder(small_dataset)
    runs = run_dataset(ds, tmp_path, ORACLE, mode=mode)
    assert len(runs) == len(ds.expressions)
    doc = json.loads((tmp_path / "decisions.json").read_text())
    assert doc["version"] == 2
    decisions = doc["decisions"]
    assert set(decisions) == {e.key for e in ds.expressions}
    for e in ds.expressions:
        rec = decisions[e.key]
        assert rec["num_frames"] == len(ds.videos[e.video].frames) and rec["timeline"] and rec["query"] == e.text
        for name in ds.videos[e.video].frames:
            # the benchmark servers' layout; offline runs also keep the masks published frame by frame
            for kind in ("Annotations", "online") if mode == "offline" else ("Annotations",):
                m = cv2.imread(str(tmp_path / kind / e.video / e.exp_id / f"{name}.png"), cv2.IMREAD_UNCHANGED)
                assert m is not None and m.shape == (240, 320) and m.dtype == np.uint8
                assert set(np.unique(m)) <= {0, 255}
    assert (tmp_path / "online").is_dir() == (mode == "offline")


def test_decisions_say_what_made_them(small_dataset, tmp_path):
    ds = DatasetFolder(small_dataset)
    run_dataset(ds, tmp_path, ORACLE, mode="offline")
    prov = json.loads((tmp_path / "decisions.json").read_text())["provenance"]
    assert {k: prov[k] for k in ("backend", "mode", "track_ids", "dataset", "layout", "package_version")} == {
        "backend": "simulated", "mode": "offline", "track_ids": "object_ids", "dataset": str(small_dataset),
        "layout": "davis", "package_version": rvos_ros.__version__}
    assert prov["config"]["perception"]["backend"] == "simulated"
    assert prov["config_sha256"] == config_sha256(ORACLE) and len(prov["config_sha256"]) == 64
    assert datetime.fromisoformat(prov["date"]).tzinfo is not None
    assert "git_commit" not in prov or len(prov["git_commit"]) == 40  # present when run from a git checkout


def test_an_existing_output_is_refused_unless_overwrite(small_dataset, tmp_path):
    ds = DatasetFolder(small_dataset)
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match=r"output folder .* is not empty; choose a new folder or pass --overwrite"):
        run_dataset(ds, tmp_path, ORACLE)
    stale = tmp_path / "Annotations" / "old" / "0" / "00000.png"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"")
    run_dataset(ds, tmp_path, ORACLE, overwrite=True)
    assert not stale.exists() and (tmp_path / "notes.txt").read_text() == "mine"  # only a run's own output goes
    (tmp_path / "file").write_text("")
    with pytest.raises(InputError, match="is a file; give a folder path"):
        run_dataset(ds, tmp_path / "file", ORACLE)


def test_the_oracle_is_refused_a_dataset_without_ground_truth(small_dataset, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(small_dataset, data)
    shutil.rmtree(data / "Annotations")
    with pytest.raises(InputError, match=r"has no Annotations folder .*the ground-truth oracle, reads it; run with "
                                         "--perception models"):
        run_dataset(DatasetFolder(data), tmp_path / "pred", ORACLE)


def test_offline_masks_follow_the_final_decision(small_dataset, tmp_path):
    ds = DatasetFolder(small_dataset)
    runs = run_dataset(ds, tmp_path, ORACLE, mode="offline")
    r = next(r for r in runs if r.decision.targets)
    e = r.expression
    first = ds.videos[e.video].frames[0]
    labels = ds.labels(e.video, first)
    expected = np.isin(labels, list(r.decision.targets))
    got = cv2.imread(str(tmp_path / "Annotations" / e.video / e.exp_id / f"{first}.png"), cv2.IMREAD_GRAYSCALE) > 0
    assert np.array_equal(got, expected)


def test_unknown_mode(small_dataset, tmp_path):
    with pytest.raises(InputError, match=r"unknown mode 'sideways'"):
        run_dataset(DatasetFolder(small_dataset), tmp_path, Config(), mode="sideways")  # type: ignore[arg-type]
