"""engines.tracker: onnxruntime runs the models backend on the SAM2 parts `engines build` exported."""

import os

import numpy as np
import pytest

from rvos_ros.config import load_config
from rvos_ros.errors import EngineError
from rvos_ros.types import Frame, ParsedQuery

os.environ.setdefault("HF_HUB_OFFLINE", "1")
pytest.importorskip("torch")
pytest.importorskip("onnxruntime")
pytest.importorskip("sam2")
pytest.importorskip("transformers")


@pytest.fixture(scope="module")
def configs(tmp_path_factory):
    from perception.tiny_detectors import build_tiny_grounding_dino
    from perception.tiny_sam2 import build_tiny_sam2

    d = tmp_path_factory.mktemp("models")
    yaml_path, _ = build_tiny_sam2(d, image_size=64)
    gdino = build_tiny_grounding_dino(d)
    text = (f"perception:\n  backend: models\n  device: cpu\n  models_dir: {d}\n"
            f"  detector:\n    grounding_dino_model: {gdino}\n    box_threshold: 0.0\n    text_threshold: 0.0\n"
            f"  tracker:\n    model_config: {yaml_path}\n    checkpoint: tiny_sam2.pt\n    image_size: 64\n"
            f"    batch_tracks: false\n"
            f"engines:\n  dir: {d / 'engines'}\n")
    (d / "torch.yaml").write_text(text)
    (d / "ort.yaml").write_text(text + "  tracker: onnxruntime\n")
    return load_config(d / "torch.yaml"), load_config(d / "ort.yaml")


def run(config, n=6):
    from perception.tiny_sam2 import moving_scene

    from rvos_ros.perception.models import ModelPerception

    p = ModelPerception.from_config(config)
    p.set_query(ParsedQuery(text="the dog", categories=("dog",)))
    out = []
    for i, img in enumerate(moving_scene(n, height=48, width=64)):
        out.append(p.step(Frame(np.ascontiguousarray(img), 1_000_000_000 + i * 66_666_667)))
    return out


def test_onnxruntime_tracker_needs_a_build_then_matches_torch(configs):
    from rvos_ros.engines.build import build_engines

    torch_cfg, ort_cfg = configs
    with pytest.raises(EngineError, match="rvos-ros engines build"):
        run(ort_cfg)
    build_engines(ort_cfg, ort_cfg.engines.dir)
    ref, got = run(torch_cfg), run(ort_cfg)
    assert any(ref), "the tiny models tracked nothing: the comparison would prove nothing"
    for a, b in zip(ref, got, strict=True):
        assert [t.id for t in a] == [t.id for t in b]
        for ta, tb in zip(a, b, strict=True):
            inter = (ta.mask & tb.mask).sum()
            union = (ta.mask | tb.mask).sum()
            assert union == 0 or inter / union >= 0.99


def test_parts_built_for_another_size_are_refused(configs):
    from rvos_ros.engines.select import load_sam2_parts

    _, ort_cfg = configs
    other = ort_cfg.replace(**{"perception.tracker.image_size": 96})
    with pytest.raises(EngineError, match="does not exist|built for something else"):
        load_sam2_parts(other)
