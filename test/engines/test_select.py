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
    from rvos_ros.testing.tiny_detectors import build_tiny_grounding_dino
    from rvos_ros.testing.tiny_sam2 import build_tiny_sam2

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
    from rvos_ros.perception.models import ModelPerception
    from rvos_ros.testing.tiny_sam2 import moving_scene

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


# -- engines.detector / engines.verifier: OWLv2 and CLIP from the cache, chosen by config --------------------------


@pytest.fixture(scope="module")
def owl_clip(tmp_path_factory):
    """A config with the tiny OWLv2 detector and CLIP verifier, and its engine cache built once."""
    from rvos_ros.engines.build import build_clip_parts, build_detector_parts
    from rvos_ros.engines.cache import EngineCache
    from rvos_ros.testing.tiny_clip import build_tiny_clip
    from rvos_ros.testing.tiny_detectors import build_tiny_owlv2
    from rvos_ros.testing.tiny_sam2 import build_tiny_sam2

    d = tmp_path_factory.mktemp("owl_clip")
    yaml_path, _ = build_tiny_sam2(d, image_size=64)
    text = (f"perception:\n  backend: models\n  device: cpu\n  models_dir: {d}\n"
            f"  detector:\n    backend: owlv2\n    owlv2_model: {build_tiny_owlv2(d)}\n    box_threshold: 0.05\n"
            f"  tracker:\n    model_config: {yaml_path}\n    checkpoint: tiny_sam2.pt\n    image_size: 64\n"
            f"verifier:\n  backend: clip\n  clip_model: {build_tiny_clip(d)}\n  keyframes: 2\n"
            f"engines:\n  dir: {d / 'engines'}\n")
    (d / "c.yaml").write_text(text)
    cfg = load_config(d / "c.yaml")
    cache = EngineCache(cfg.engines.dir)
    build_detector_parts(cfg, cache)
    build_clip_parts(cfg, cache)
    return cfg


def test_engines_detector_onnxruntime_gives_the_torch_detectors_detections(owl_clip):
    from rvos_ros.engines.detector_export import OrtOwlv2Detector
    from rvos_ros.engines.select import load_detector

    ort = load_detector(owl_clip.replace(**{"engines.detector": "onnxruntime"}), device="cpu")
    ref = load_detector(owl_clip, device="cpu")
    assert isinstance(ort, OrtOwlv2Detector) and not isinstance(ref, OrtOwlv2Detector)
    for d in (ort, ref):
        d.set_phrases(["dog", "red ball"])
    image = np.random.default_rng(1).integers(0, 256, (48, 64, 3), dtype=np.uint8)
    want, got = ref.detect(image), ort.detect(image)
    assert want, "the biased tiny head must detect something"
    assert [d.phrase for d in got] == [d.phrase for d in want]
    assert np.abs(np.array([d.box for d in got]) - np.array([d.box for d in want])).max() < 1e-2


def test_engines_verifier_onnxruntime_scores_like_torch_and_reaches_the_runtime(owl_clip):
    from reasoning.test_clip_verifier import two_dogs

    from rvos_ros.engines.clip_export import OrtClipModel
    from rvos_ros.engines.select import load_clip
    from rvos_ros.perception.simulated import SimulatedPerception
    from rvos_ros.reasoning.clip_verifier import ClipVerifier
    from rvos_ros.runtime import Runtime

    cfg = owl_clip.replace(**{"engines.verifier": "onnxruntime"})
    ort_clip = load_clip(cfg.verifier, cfg.engines, models_dir=cfg.perception.models_dir, device="cpu")
    ref_clip = load_clip(owl_clip.verifier, owl_clip.engines, models_dir=cfg.perception.models_dir, device="cpu")
    assert isinstance(ort_clip, OrtClipModel) and not isinstance(ref_clip, OrtClipModel)
    ort, ref = ClipVerifier(ort_clip, cfg.verifier), ClipVerifier(ref_clip, cfg.verifier)
    window = two_dogs()
    want = ref.score(window, [1, 2], ["white", "brown"], category="dog")
    got = ort.score(window, [1, 2], ["white", "brown"], category="dog")
    for tid in want:
        for phrase in want[tid]:
            assert abs(got[tid][phrase] - want[tid][phrase]) < 1e-4
    runtime = Runtime(cfg, SimulatedPerception(cfg.perception, {}))
    assert isinstance(runtime.session.identifier.verifier.clip, OrtClipModel)


def test_an_engine_backend_without_a_build_names_the_build_command(owl_clip, tmp_path):
    from rvos_ros.engines.select import load_clip, load_detector

    cfg = owl_clip.replace(**{"engines.dir": str(tmp_path), "engines.detector": "onnxruntime",
                              "engines.verifier": "onnxruntime"})
    with pytest.raises(EngineError, match="rvos-ros engines build"):
        load_detector(cfg, device="cpu")
    with pytest.raises(EngineError, match="rvos-ros engines build"):
        load_clip(cfg.verifier, cfg.engines, models_dir=cfg.perception.models_dir, device="cpu")


def test_engines_from_other_weights_are_refused(owl_clip, tmp_path):
    """The cache keys hash the model folder's weight files: retrained weights do not load old engines."""
    import shutil

    from rvos_ros.engines.select import load_detector, model_weights_hash

    folder = tmp_path / "owl"
    shutil.copytree(owl_clip.perception.detector.owlv2_model, folder)
    before = model_weights_hash(folder)
    weights = next(folder.glob("*.safetensors"))
    blob = bytearray(weights.read_bytes())
    blob[-1] ^= 1
    weights.write_bytes(bytes(blob))
    assert model_weights_hash(folder) != before
    cfg = owl_clip.replace(**{"perception.detector.owlv2_model": str(folder), "engines.detector": "onnxruntime"})
    with pytest.raises(EngineError, match="does not exist|built for something else"):
        load_detector(cfg, device="cpu")


def test_engine_backends_that_cannot_run_say_why(owl_clip):
    from rvos_ros.engines.select import load_detector

    try:
        import tensorrt  # noqa: F401
    except ImportError:
        with pytest.raises(EngineError, match="TensorRT"):
            load_detector(owl_clip.replace(**{"engines.detector": "tensorrt"}), device="cpu")
    with pytest.raises(EngineError, match="neither a folder nor in the local Hugging Face cache"):
        load_detector(owl_clip.replace(**{"perception.detector.owlv2_model": "nobody/no-such-model",
                                          "engines.detector": "onnxruntime"}), device="cpu")


def test_engines_detector_onnxruntime_runs_grounding_dino_built_for_the_camera(configs, tmp_path):
    from rvos_ros.engines.build import build_detector_parts
    from rvos_ros.engines.cache import EngineCache
    from rvos_ros.engines.detector_export import OrtGroundingDinoDetector
    from rvos_ros.engines.select import load_detector

    torch_cfg, _ = configs
    cfg = torch_cfg.replace(**{"engines.dir": str(tmp_path), "engines.detector": "onnxruntime"})
    with pytest.raises(EngineError, match="--camera-size"):
        load_detector(cfg, device="cpu")
    built = build_detector_parts(cfg, EngineCache(tmp_path), camera_size=(72, 48))
    assert [p.part for p in built] == ["grounding_dino"] and built[0].max_abs_diff < 1e-4
    ort, ref = load_detector(cfg, device="cpu"), load_detector(torch_cfg, device="cpu")
    assert isinstance(ort, OrtGroundingDinoDetector)
    for d in (ort, ref):
        d.set_phrases(["dog", "red ball"])
    image = np.random.default_rng(2).integers(0, 256, (48, 72, 3), dtype=np.uint8)
    want, got = ref.detect(image), ort.detect(image)
    assert want and [d.phrase for d in got] == [d.phrase for d in want]
    assert np.abs(np.array([d.box for d in got]) - np.array([d.box for d in want])).max() < 1e-3
    with pytest.raises(EngineError, match="--camera-size 80x64"):
        ort.detect(np.zeros((64, 80, 3), np.uint8))
