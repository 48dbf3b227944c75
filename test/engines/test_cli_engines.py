"""`rvos-ros engines build --backend onnx` on tiny models writes verified ONNX files + sidecars; `engines list`
shows them."""

import json
import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import pytest  # noqa: E402
import yaml  # noqa: E402

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("onnxruntime")
pytest.importorskip("sam2")

from rvos_ros.cli import main  # noqa: E402


@pytest.fixture(scope="module")
def tiny_config(tmp_path_factory):
    """SAM2, OWLv2 and CLIP, all tiny random models in a temp folder, named by a config file."""
    from rvos_ros.testing.tiny_clip import build_tiny_clip
    from rvos_ros.testing.tiny_detectors import build_tiny_owlv2
    from rvos_ros.testing.tiny_sam2 import build_tiny_sam2

    torch.set_num_threads(1)
    root = tmp_path_factory.mktemp("tiny_models")
    yaml_path, ckpt = build_tiny_sam2(root, image_size=64)
    path = root / "tiny.yaml"
    path.write_text(yaml.safe_dump({
        "perception": {"backend": "models", "device": "cpu", "models_dir": str(root),
                       "detector": {"backend": "owlv2", "owlv2_model": str(build_tiny_owlv2(root))},
                       "tracker": {"model_config": str(yaml_path), "checkpoint": str(ckpt), "image_size": 64}},
        "verifier": {"backend": "clip", "clip_model": str(build_tiny_clip(root))}}))
    return path


def test_engines_build_writes_every_configured_part_with_its_sidecar_and_list_shows_them(tiny_config, tmp_path,
                                                                                          capsys):
    out = tmp_path / "engines"
    assert main(["engines", "build", "--backend", "onnx", "--config", str(tiny_config), "--dir", str(out)]) == 0
    capsys.readouterr()
    onnx_files = sorted(out.glob("*.onnx"))
    parts = set()
    for f in onnx_files:
        sidecar = json.loads(f.with_suffix(".onnx.json").read_text())
        assert sidecar["key"]["precision"] == "fp32" and sidecar["key"]["tensorrt"] == ""
        parts.add(sidecar["key"]["part"])
    assert parts == {"sam2.image_encoder", "owlv2.text", "owlv2.image", "clip.text", "clip.image"}
    listed_parts = parts | {"sam2.parts"}  # the tracker parts folder is listed by its record
    folders = [p for p in out.iterdir() if p.is_dir()]
    assert [p.name.startswith("sam2_parts_") for p in folders] == [True], "no temporary export folder is left behind"
    assert (folders[0] / "sam2_parts.json.json").is_file()  # SAM2's four parts, with their sidecar
    assert main(["engines", "list", "--dir", str(out)]) == 0
    listed = capsys.readouterr().out
    for part in listed_parts:
        assert part in listed
    assert "ok" in listed


def test_detector_and_clip_parts_are_verified_against_torch_and_pass_the_cache_lookup(tiny_config, tmp_path):
    from rvos_ros.config import load_config
    from rvos_ros.engines.build import build_clip_parts, build_detector_parts
    from rvos_ros.engines.cache import EngineCache

    cfg = load_config(tiny_config)
    cache = EngineCache(tmp_path)
    built = {p.part: p for p in build_detector_parts(cfg, cache) + build_clip_parts(cfg, cache)}
    assert set(built) == {"owlv2.text", "owlv2.image", "clip.text", "clip.image"}
    assert all(p.max_abs_diff < 1e-3 for p in built.values())
    for p in built.values():  # every recorded file passes the cache's checks under its own key
        key = next(k for f, k, _ in cache.entries() if f == p.path)
        assert cache.lookup(p.path, key) == p.path


def test_engines_build_for_tensorrt_without_tensorrt_is_one_error_line(tiny_config, tmp_path, capsys):
    try:
        import tensorrt  # noqa: F401
        pytest.skip("TensorRT is installed here")
    except ImportError:
        pass
    code = main(["engines", "build", "--backend", "tensorrt", "--config", str(tiny_config), "--dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: ") and "TensorRT" in err and "--backend onnx" in err


def test_a_malformed_camera_size_is_one_error_line(tiny_config, tmp_path, capsys):
    code = main(["engines", "build", "--camera-size", "640by480", "--config", str(tiny_config), "--dir",
                 str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: --camera-size must be WIDTHxHEIGHT") and "\n" == err[-1]
    assert not any(tmp_path.iterdir())
