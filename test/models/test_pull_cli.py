"""`--perception models` end to end on tiny random models, and `rvos-ros models pull / list` (never the network)."""

import json
import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import yaml  # noqa: E402
from rosbags.highlevel import AnyReader  # noqa: E402

from rvos_ros.bag.scene_bag import write_scene_bag  # noqa: E402
from rvos_ros.cli import main  # noqa: E402
from rvos_ros.config import load_config  # noqa: E402
from rvos_ros.eval.dataset import DatasetFolder  # noqa: E402
from rvos_ros.eval.runner import run_dataset  # noqa: E402
from rvos_ros.interface.messages import typestore  # noqa: E402
from rvos_ros.models import pull as models_pull  # noqa: E402
from rvos_ros.models.files import resolve_model  # noqa: E402
from rvos_ros.perception.models import ModelPerception  # noqa: E402
from rvos_ros.reasoning.query_parser import QueryParser  # noqa: E402
from rvos_ros.types import Frame  # noqa: E402


def _run(capsys, *argv):
    code = main([str(a) for a in argv])
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def _one_error_line(err: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in err, err
    return lines[0]


def _config_file(path, **perception):
    path.write_text(yaml.safe_dump({"perception": perception}))
    return path


# -- tiny models ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_config(tmp_path_factory):
    """A config file whose detector and tracker are tiny random-weight models saved in a temporary folder."""
    torch = pytest.importorskip("torch")
    pytest.importorskip("transformers")
    pytest.importorskip("sam2")
    pytest.importorskip("rvos_ros.perception.tracker")
    from rvos_ros.testing.tiny_detectors import build_tiny_grounding_dino
    from rvos_ros.testing.tiny_sam2 import build_tiny_sam2

    torch.set_num_threads(1)
    root = tmp_path_factory.mktemp("tiny_models")
    yaml_path, ckpt = build_tiny_sam2(root, image_size=64)
    folder = build_tiny_grounding_dino(root)
    # random weights: accept every box, so that there are tracks to ground
    return _config_file(root / "tiny.yaml", backend="models", device="cpu", models_dir=str(root),
                        detector={"grounding_dino_model": str(folder), "box_threshold": 0.0, "text_threshold": 0.0,
                                  "max_detections": 3, "every_n_frames": 4},
                        tracker={"model_config": str(yaml_path), "checkpoint": str(ckpt), "image_size": 64},
                        grounding={"max_tracks": 3})


@pytest.fixture(scope="module")
def tiny_dataset(tmp_path_factory):
    root = tmp_path_factory.mktemp("synth2")
    assert main(["synth", "--out", str(root), "--scenes", "2", "--frames", "12", "--width", "96", "--height", "64"
                 ]) == 0
    return root


def test_the_tiny_models_load_through_from_config_and_ground_the_commands_phrases(tiny_config):
    p = ModelPerception.from_config(load_config(tiny_config))
    p.set_query(QueryParser().parse("the dog"))
    rng = np.random.default_rng(0)
    seen = []
    for i in range(5):
        tracks = p.step(Frame(rng.integers(0, 255, (48, 64, 3), dtype=np.uint8), i * 100_000_000, "camera", i))
        assert all(t.mask is None or t.mask.shape == (48, 64) for t in tracks)
        seen.extend(tracks)
    assert p.grounder.detections_run == 2  # frames 0 (new command) and 4 (every_n_frames)
    assert seen and {t.label for t in seen} == {"dog"} and len(p.grounder.track_ids) <= 3


def test_run_with_models_writes_a_mask_for_every_frame_and_a_decision_for_every_expression(
        tiny_config, tiny_dataset, tmp_path, capsys):
    pred = tmp_path / "pred"
    code, _, err = _run(capsys, "run", tiny_dataset, "--out", pred, "--perception", "models", "--config", tiny_config)
    assert code == 0, err
    ds = DatasetFolder(tiny_dataset)
    assert len({e.video for e in ds.expressions}) == 2
    doc = json.loads((pred / "decisions.json").read_text())
    decisions = doc["decisions"]
    assert doc["provenance"]["backend"] == "models" and doc["provenance"]["track_ids"] == "stream"
    assert set(decisions) == {e.key for e in ds.expressions}
    for e in ds.expressions:
        assert decisions[e.key]["num_frames"] == 12 and decisions[e.key]["state"]
        for name in ds.videos[e.video].frames:
            assert (pred / "Annotations" / e.video / e.exp_id / f"{name}.png").is_file()
    # the models' track ids come from a counter: every figure but J&F is scored from the masks, none from ids
    report = tmp_path / "report.json"
    code, _, err = _run(capsys, "eval", "--gt", tiny_dataset, "--pred", pred, "--json", report, "--strict")
    assert code == 0, err
    rep = json.loads(report.read_text())
    assert rep["accuracy_by_ids"] is None and all("correct_by_ids" not in r for r in rep["per_expression"])
    assert 0.0 <= rep["accuracy"] <= 1.0 and rep["missing_masks"]["count"] == 0
    assert rep["provenance"]["predictions"]["backend"] == "models"
    for r in rep["per_expression"]:  # a tiny random model: low accuracy is fine, but it is the masks' verdict
        assert r["correct"] == (r["final_iou"] is None or r["final_iou"] >= 0.5)


def test_replay_with_models_publishes_one_mask_per_frame(tiny_config, tmp_path, capsys):
    rng = np.random.default_rng(1)
    frames = [(rng.integers(0, 255, (48, 64, 3), dtype=np.uint8), None) for _ in range(6)]
    bag = tmp_path / "in"
    write_scene_bag(bag, frames, fps=10.0, commands=[(0.0, "the dog")])
    out = tmp_path / "out"
    code, _, err = _run(capsys, "replay", bag, "--out", out, "--perception", "models", "--config", tiny_config)
    assert code == 0, err
    with AnyReader([out], default_typestore=typestore()) as reader:
        topics = [c.topic for c, _, _ in reader.messages()]
        status = [json.loads(reader.deserialize(raw, c.msgtype).data) for c, _, raw in reader.messages()
                  if c.topic == "/status"]
    assert topics.count("/target/mask") == 6 and len(status) == 6
    assert status[-1]["state"] in ("searching", "reasoning", "locked", "ambiguous", "lost")


def test_run_with_models_but_no_weights_says_to_pull_them(small_dataset, tmp_path, capsys):
    pytest.importorskip("torch")
    pytest.importorskip("sam2")
    config = _config_file(tmp_path / "c.yaml", models_dir=str(tmp_path / "empty"), device="cpu")
    code, _, err = _run(capsys, "run", small_dataset, "--out", tmp_path / "p", "--perception", "models",
                        "--config", config)
    assert code == 2 and "rvos-ros models pull" in _one_error_line(err)


# -- the runner with a query-dependent perception (fake models) ---------------------------------------------


def test_the_runner_loads_the_models_once_and_gives_each_expression_its_own_pass(small_dataset, tmp_path,
                                                                                 monkeypatch):
    from perception.fake_models import FakeDetector, FakeTracker

    loads = []
    box = (100.0, 80.0, 140.0, 120.0)

    def fake_from_config(cls, config):
        loads.append(config.perception.backend)
        return cls(FakeDetector({p: [box] for p in ("object", "dog", "cat", "ball", "person", "car", "cup", "box",
                                                     "bird", "horse", "bear", "chair")}),
                   FakeTracker(), config.perception)

    monkeypatch.setattr(ModelPerception, "from_config", classmethod(fake_from_config))
    ds = DatasetFolder(small_dataset)
    cfg = load_config(None).replace(**{"perception.backend": "models"})
    runs = run_dataset(ds, tmp_path, cfg, mode="offline")
    assert loads == ["models"]
    assert len(runs) == len(ds.expressions)
    import cv2

    for r in runs:
        e = r.expression
        for name in ds.videos[e.video].frames:
            m = cv2.imread(str(tmp_path / "Annotations" / e.video / e.exp_id / f"{name}.png"), cv2.IMREAD_GRAYSCALE)
            assert m is not None and m.shape == (240, 320)
            # offline: the final decision's targets on every frame; the one fake candidate sits in `box`
            assert (m > 0).sum() == (1600 if r.decision.targets else 0)


# -- models pull / list -------------------------------------------------------------------------------------


@pytest.fixture
def local_detector(tmp_path):
    folder = tmp_path / "my-detector"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    return folder


def test_pull_offline_is_one_error_line_naming_what_failed(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(models_pull, "_hub_download", lambda *a: pytest.fail("must not download"))
    config = _config_file(tmp_path / "c.yaml", models_dir=str(tmp_path / "models"))
    code, _, err = _run(capsys, "models", "pull", "--config", config)
    line = _one_error_line(err)
    assert code == 2 and "2 of 2 failed" in line and "offline (HF_HUB_OFFLINE is set)" in line
    assert "IDEA-Research/grounding-dino-tiny" in line and "sam2.1_hiera_tiny.pt" in line
    assert not (tmp_path / "models" / "sam2.1_hiera_tiny.pt").exists()


def test_pull_fetches_the_sam2_checkpoint_for_the_configured_config(tmp_path, capsys, monkeypatch, local_detector):
    source = tmp_path / "served" / "sam2.1_hiera_small.pt"
    source.parent.mkdir()
    source.write_bytes(b"checkpoint bytes" * 100)
    monkeypatch.setitem(models_pull.SAM2_CHECKPOINTS, "sam2.1_hiera_s.yaml", source.as_uri())
    config = _config_file(tmp_path / "c.yaml", models_dir=str(tmp_path / "models"),
                          detector={"grounding_dino_model": str(local_detector)},
                          tracker={"model_config": "configs/sam2.1/sam2.1_hiera_s.yaml",
                                   "checkpoint": "sam2.1_hiera_small.pt"})
    code, out, err = _run(capsys, "models", "pull", "--config", config)
    assert code == 0, err
    dest = tmp_path / "models" / "sam2.1_hiera_small.pt"
    assert dest.read_bytes() == source.read_bytes() and not list(dest.parent.glob("*.part"))
    assert "downloaded to" in out and "present at" in out  # the local detector folder is left alone
    code, out, _ = _run(capsys, "models", "pull", "--config", config)  # a second pull has nothing to do
    assert code == 0 and "downloaded" not in out


def test_pull_snapshots_hub_models_where_the_loaders_look(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    fetched = []

    def fake_hub(repo_id, dest):
        fetched.append(repo_id)
        dest.mkdir(parents=True)
        (dest / "config.json").write_text("{}")

    monkeypatch.setattr(models_pull, "_hub_download", fake_hub)
    monkeypatch.setattr(models_pull, "_fetch_url", lambda url, dest: dest.write_bytes(b"x"))
    models = tmp_path / "models"
    config = _config_file(tmp_path / "c.yaml", models_dir=str(models))
    code, _, err = _run(capsys, "models", "pull", "--all", "--config", config)
    assert code == 0, err
    assert fetched == ["IDEA-Research/grounding-dino-tiny", "google/owlv2-base-patch16-ensemble",
                       "openai/clip-vit-base-patch32"]
    folder = models / "IDEA-Research--grounding-dino-tiny"
    assert resolve_model("IDEA-Research/grounding-dino-tiny", models) == str(folder)
    assert (models / "sam2.1_hiera_tiny.pt").is_file()


def test_pull_reports_a_failed_download_and_leaves_no_partial_file(tmp_path, capsys, monkeypatch, local_detector):
    monkeypatch.setitem(models_pull.SAM2_CHECKPOINTS, "sam2.1_hiera_t.yaml", (tmp_path / "gone.pt").as_uri())
    config = _config_file(tmp_path / "c.yaml", models_dir=str(tmp_path / "models"),
                          detector={"grounding_dino_model": str(local_detector)})
    code, _, err = _run(capsys, "models", "pull", "--config", config)
    line = _one_error_line(err)
    assert code == 2 and "1 of 2 failed" in line and "gone.pt could not be fetched (URLError" in line
    assert not (tmp_path / "models").exists() or not any((tmp_path / "models").iterdir())


def test_pull_without_a_known_checkpoint_url_says_what_to_do(tmp_path, capsys, local_detector):
    config = _config_file(tmp_path / "c.yaml", models_dir=str(tmp_path / "models"),
                          detector={"grounding_dino_model": str(local_detector)},
                          tracker={"model_config": str(tmp_path / "my_sam2.yaml"), "checkpoint": "mine.pt"})
    code, _, err = _run(capsys, "models", "pull", "--config", config)
    assert code == 2 and "no known download for perception.tracker.model_config" in _one_error_line(err)


def test_pull_refuses_a_detector_that_is_neither_a_folder_nor_a_hub_id(tmp_path, capsys):
    config = _config_file(tmp_path / "c.yaml", models_dir=str(tmp_path / "models"),
                          detector={"grounding_dino_model": "./no/such/folder"})
    code, _, err = _run(capsys, "models", "pull", "--config", config)
    assert code == 2 and "local folder './no/such/folder' does not exist" in _one_error_line(err)


def test_list_shows_what_is_present_and_what_is_missing(tmp_path, capsys, local_detector):
    models = tmp_path / "models"
    models.mkdir()
    (models / "sam2.1_hiera_tiny.pt").write_bytes(b"x")
    config = _config_file(tmp_path / "c.yaml", models_dir=str(models),
                          detector={"grounding_dino_model": str(local_detector)})
    items = {i.role: i for i in models_pull.configured_models(load_config(config), everything=True)}
    assert items["perception.detector.grounding_dino_model"].ready == str(local_detector)
    assert items["perception.tracker.checkpoint"].ready == str(models / "sam2.1_hiera_tiny.pt")
    assert items["perception.detector.owlv2_model"].ready == ""  # not pulled (nor in the test's HF cache)
    code, out, _ = _run(capsys, "models", "list", "--all", "--config", config)
    assert code == 0 and out.count("missing") == 2
