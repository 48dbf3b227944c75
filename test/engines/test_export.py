"""ONNX export of the SAM2 image encoder matches torch in ONNX Runtime (tiny random SAM2)."""

import os

import numpy as np
import pytest

from rvos_ros.engines.cache import EngineCache, EngineKey, state_dict_hash
from rvos_ros.errors import EngineError

os.environ.setdefault("HF_HUB_OFFLINE", "1")
torch = pytest.importorskip("torch")
pytest.importorskip("onnxruntime")
pytest.importorskip("sam2")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    from rvos_ros.models.sam2 import build_sam2
    from rvos_ros.testing.tiny_sam2 import build_tiny_sam2

    d = tmp_path_factory.mktemp("sam2")
    yaml_path, ckpt = build_tiny_sam2(d, image_size=64)
    return build_sam2(str(yaml_path), ckpt, image_size=64, models_dir=d), d


def test_the_exported_image_encoder_matches_torch(tiny, tmp_path):
    from rvos_ros.engines.export import (
        SAM2_ENCODER_OUTPUTS,
        export_sam2_image_encoder,
        max_abs_diff,
        sam2_image_encoder_module,
    )
    from rvos_ros.engines.onnx_runtime import make_session

    model, _ = tiny
    path = export_sam2_image_encoder(model, tmp_path / "enc.onnx", image_size=64)
    session = make_session(path, providers="cpu")
    assert [o.name for o in session.get_outputs()] == list(SAM2_ENCODER_OUTPUTS)
    x = np.random.default_rng(0).standard_normal((1, 3, 64, 64)).astype(np.float32)
    diffs = max_abs_diff(session, sam2_image_encoder_module(model), {"image": x})
    assert len(diffs) == 6 and max(diffs) < 1e-4, diffs
    ref = sam2_image_encoder_module(model)(torch.from_numpy(x))[0]
    assert float(ref.abs().max()) > 1e-3  # the comparison is not between two all-zero outputs


def test_an_export_is_stored_with_its_key_and_found_again(tiny, tmp_path):
    from rvos_ros.engines.export import export_sam2_image_encoder

    model, _ = tiny
    key = EngineKey("sam2.image_encoder", state_dict_hash(model.state_dict()), (1, 3, 64, 64))
    cache = EngineCache(tmp_path)
    path = export_sam2_image_encoder(model, cache.path_for(key, ".onnx"), image_size=64)
    cache.store(path, key)
    assert cache.lookup(path, key) == path
    other = EngineKey("sam2.image_encoder", "0" * 16, (1, 3, 64, 64))
    with pytest.raises(EngineError, match="model_hash"):
        cache.lookup(path, other)


def test_engines_build_and_list_on_the_command_line(tiny, tmp_path, capsys):
    from rvos_ros.cli import main
    from rvos_ros.testing.tiny_detectors import build_tiny_grounding_dino

    _, d = tiny
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text(f"perception:\n  models_dir: {d}\n  tracker:\n    model_config: {d / 'tiny_sam2.yaml'}\n"
                   f"    checkpoint: tiny_sam2.pt\n    image_size: 64\n"
                   f"  detector:\n    grounding_dino_model: {build_tiny_grounding_dino(tmp_path / 'gd')}\n")
    assert main(["engines", "build", "--config", str(cfg), "--dir", str(tmp_path / "eng"), "--camera-size",
                 "72x48"]) == 0
    assert "sam2.image_encoder" in capsys.readouterr().out
    for part in ("sam2.image_encoder", "grounding_dino"):  # GroundingDINO for 72x48 frames: processed to 96x64
        (onnx,) = (tmp_path / "eng").glob(f"{part}_*.onnx")
        assert onnx.with_suffix(".onnx.json").is_file()
    assert main(["engines", "list", "--dir", str(tmp_path / "eng")]) == 0
    listing = capsys.readouterr().out
    assert "1x3x64x64" in listing and "ok" in listing
    assert main(["engines", "build", "--backend", "tensorrt", "--config", str(cfg)]) == 2
    assert "TensorRT" in capsys.readouterr().err

