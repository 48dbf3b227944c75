"""TensorRT engines from the ONNX parts: profiles come from the graphs' named axes; the build itself runs only
where TensorRT and a CUDA GPU are (skipped elsewhere)."""

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

torch = pytest.importorskip("torch")
pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")
pytest.importorskip("sam2")

from rvos_ros.config import Config, load_config  # noqa: E402
from rvos_ros.engines.onnx_runtime import OrtPart  # noqa: E402
from rvos_ros.engines.tensorrt_parts import dim_ranges, example_feeds, profile_for  # noqa: E402
from rvos_ros.errors import EngineError  # noqa: E402


def _has_trt_gpu():
    try:
        import tensorrt  # noqa: F401
    except ImportError:
        return False
    return torch.cuda.is_available()


needs_trt = pytest.mark.skipif(not _has_trt_gpu(), reason="needs NVIDIA TensorRT and a CUDA GPU (runs where lent)")


@pytest.fixture(scope="module")
def sam2_parts(tmp_path_factory):
    from rvos_ros.engines.sam2_export import export_sam2
    from rvos_ros.models.sam2 import build_sam2
    from rvos_ros.testing.tiny_sam2 import build_tiny_sam2

    torch.set_num_threads(1)
    d = tmp_path_factory.mktemp("sam2")
    yaml_path, ckpt = build_tiny_sam2(d, image_size=64)
    return export_sam2(build_sam2(str(yaml_path), ckpt, image_size=64, models_dir=d), d / "parts", image_size=64)


def test_every_dynamic_axis_gets_its_configured_range_and_static_axes_stay(sam2_parts):
    cfg = Config().replace(**{"perception.grounding.max_tracks": 12})
    ranges = dim_ranges(cfg)
    assert ranges["n"] == (1, 4, 12)  # tracks up to perception.grounding.max_tracks
    decoder = profile_for(sam2_parts["prompt_mask_decoder"], ranges)
    lo, opt, hi = decoder["point_coords"]
    assert (lo, opt, hi) == ((1, 1, 2), (4, 2, 2), (12, 8, 2))  # n tracks x points x (x, y)
    assert decoder["pix_feat"][0][1:] == decoder["pix_feat"][2][1:]  # channels and size are fixed
    assert "use_mask" not in decoder  # a static input needs no profile
    attention = profile_for(sam2_parts["memory_attention"], ranges)
    assert attention["vision_feat"][2][1] == 12 and attention["memory"][2][0] == 12
    assert "memory_valid" not in attention  # fixed memory slots: padded, with validity flags


def test_an_axis_without_a_range_is_refused_by_name(sam2_parts):
    ranges = {k: v for k, v in dim_ranges(Config()).items() if k != "points"}
    with pytest.raises(EngineError, match=r"'points'.*no range"):
        profile_for(sam2_parts["prompt_mask_decoder"], ranges)


def test_example_feeds_run_in_onnx_runtime_at_the_optimal_shapes(sam2_parts):
    ranges = dim_ranges(Config())
    for name in ("prompt_mask_decoder", "memory_attention", "memory_encoder"):
        profile = profile_for(sam2_parts[name], ranges)
        feeds = example_feeds(sam2_parts[name], profile)
        for inp, (_, opt, _) in profile.items():
            assert feeds[inp].shape == opt
        out = OrtPart(sam2_parts[name])(feeds)
        assert all(np.isfinite(v).all() for v in out.values())


def test_building_tensorrt_engines_without_tensorrt_fails_before_any_export(tmp_path):
    if _has_trt_gpu():
        pytest.skip("TensorRT and a GPU are here")
    from rvos_ros.engines.build import build_engines

    with pytest.raises(EngineError, match="TensorRT|CUDA GPU"):
        build_engines(Config(), tmp_path, backend="tensorrt")
    assert not any(tmp_path.iterdir())


@needs_trt
def test_tensorrt_engines_track_like_onnx_runtime(tmp_path):
    """End to end where TensorRT is: build every engine, then the models backend on tensorrt vs onnxruntime."""
    from rvos_ros.engines.build import build_engines
    from rvos_ros.perception.models import ModelPerception
    from rvos_ros.testing.tiny_clip import build_tiny_clip
    from rvos_ros.testing.tiny_detectors import build_tiny_owlv2
    from rvos_ros.testing.tiny_sam2 import build_tiny_sam2, moving_scene
    from rvos_ros.types import Frame, ParsedQuery

    yaml_path, _ = build_tiny_sam2(tmp_path, image_size=64)
    (tmp_path / "c.yaml").write_text(
        f"perception:\n  backend: models\n  device: cuda\n  models_dir: {tmp_path}\n"
        f"  detector:\n    backend: owlv2\n    owlv2_model: {build_tiny_owlv2(tmp_path)}\n    box_threshold: 0.05\n"
        f"  tracker:\n    model_config: {yaml_path}\n    checkpoint: tiny_sam2.pt\n    image_size: 64\n"
        f"verifier:\n  backend: clip\n  clip_model: {build_tiny_clip(tmp_path)}\n"
        f"engines:\n  dir: {tmp_path / 'engines'}\n  precision: fp32\n")
    cfg = load_config(tmp_path / "c.yaml")
    built = build_engines(cfg, cfg.engines.dir, backend="tensorrt", precision="fp32")
    trt = [p for p in built if p.backend == "tensorrt"]
    assert {p.part for p in trt} >= {"sam2.prompt_mask_decoder", "sam2.memory_attention", "owlv2.image",
                                     "clip.image"}
    assert all(p.max_abs_diff < 1e-2 for p in trt)

    def run(c):
        p = ModelPerception.from_config(c)
        p.set_query(ParsedQuery(text="the dog", categories=("dog",)))
        return [p.step(Frame(np.ascontiguousarray(img), 1_000_000_000 + i * 66_666_667))
                for i, img in enumerate(moving_scene(6, height=48, width=64))]

    on = {"engines.tracker": "onnxruntime", "engines.detector": "onnxruntime"}
    ref = run(cfg.replace(**on))
    got = run(cfg.replace(**{k: "tensorrt" for k in on}))
    assert any(ref)
    for a, b in zip(ref, got, strict=True):
        assert [t.id for t in a] == [t.id for t in b]
        for ta, tb in zip(a, b, strict=True):
            union = (ta.mask | tb.mask).sum()
            assert union == 0 or (ta.mask & tb.mask).sum() / union >= 0.99
