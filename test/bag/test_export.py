"""`rvos-ros export`: a recorded bag with a labels topic becomes a dataset folder that `run` and `eval` take."""

import json
import shutil

import numpy as np
import pytest

from rvos_ros.bag.export import export_bag
from rvos_ros.bag.scene_bag import write_scene_bag
from rvos_ros.bag.synth_bag import write_dataset_bags
from rvos_ros.cli import main
from rvos_ros.config import Config
from rvos_ros.errors import InputError
from rvos_ros.eval.dataset import DatasetFolder, PredictionFolder
from rvos_ros.eval.report import evaluate
from rvos_ros.eval.runner import run_dataset
from rvos_ros.eval.synth import synthesize


@pytest.fixture(scope="module")
def synth_bag(tmp_path_factory):
    """A one-scene synthetic dataset and its bag (with bags/<video>.commands.json beside it)."""
    root = tmp_path_factory.mktemp("export")
    synthesize(root / "data", 1, seed=4, width=128, height=96, num_frames=12, fps=10.0)
    return DatasetFolder(root / "data"), write_dataset_bags(root / "data")[0]


def test_a_synthetic_bag_exports_to_the_dataset_it_was_made_from(synth_bag, tmp_path):
    ds, bag = synth_bag
    summary = export_bag(bag, tmp_path / "out")
    video = ds.videos[bag.name]
    assert (summary.video, summary.frames, summary.labelled) == (bag.name, len(video.frames), len(video.frames))
    out = DatasetFolder(tmp_path / "out")
    got = out.videos[bag.name]
    assert got.fps == pytest.approx(10.0) and dict(got.objects) == dict(video.objects)
    for i, frame in enumerate(video.frames):
        np.testing.assert_array_equal(out.labels(bag.name, got.frames[i]), ds.labels(bag.name, frame))
        assert np.abs(out.image(bag.name, got.frames[i]).astype(int) - ds.image(bag.name, frame)).mean() < 3
    script = json.loads((bag.parent / f"{bag.name}.commands.json").read_text())
    expected = [(c["text"], tuple(sorted(c["obj_ids"]))) for c in script if c["text"]]
    expected = list(dict.fromkeys(expected))
    assert [(e.text, e.obj_ids) for e in out.expressions] == expected
    assert summary.expressions == summary.annotated == len(expected) and out.has_truth
    # and it runs and scores like any dataset
    run_dataset(out, tmp_path / "pred", Config().replace(**{"perception.backend": "simulated"}))
    assert evaluate(out, PredictionFolder(tmp_path / "pred"))["missing_masks"]["count"] == 0


def test_without_the_command_script_the_expressions_have_no_ground_truth(synth_bag, tmp_path):
    _, bag = synth_bag
    copy = tmp_path / "bags" / "recorded"
    shutil.copytree(bag, copy)
    summary = export_bag(copy, tmp_path / "out")
    assert summary.video == "recorded" and summary.expressions > 0 and summary.annotated == 0
    ds = DatasetFolder(tmp_path / "out")
    with pytest.raises(InputError, match="has no ground truth for"):
        ds.require_truth()


def test_a_bag_without_labels_is_refused(tmp_path):
    rng = np.random.default_rng(0)
    write_scene_bag(tmp_path / "bag", [(rng.integers(0, 255, (32, 48, 3), dtype=np.uint8), None)] * 3, fps=10.0,
                    commands=[(0.0, "the dog")])
    with pytest.raises(InputError, match="has no labels topic '/sim/labels'; export needs the ground truth"):
        export_bag(tmp_path / "bag", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_the_cli_refuses_a_non_empty_output_unless_overwrite(synth_bag, tmp_path, capsys):
    _, bag = synth_bag
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "x.txt").write_text("")
    assert main(["export", str(bag), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "is not empty; choose a new folder or pass --overwrite" in err
    assert main(["export", str(bag), "--out", str(tmp_path / "out"), "--overwrite", "--video", "v"]) == 0
    assert set(DatasetFolder(tmp_path / "out").videos) == {"v"}
