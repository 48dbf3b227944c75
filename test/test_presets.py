"""The robot presets config/orin.yaml and config/rtx.yaml: complete, valid, and they run.

Each preset is loaded with :func:`rvos_ros.config.load_config` and driven for
a few frames with the tests' tiny random models on the CPU: only the model
files, the device and the engines (which need a build) are replaced; every
other value (precision, budget, grounding, verifier, overlay ...) is the
preset's own.
"""

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import yaml  # noqa: E402

from rvos_ros.config import Config, load_config, to_dict  # noqa: E402
from rvos_ros.types import STATES, Frame  # noqa: E402

pytest.importorskip("torch")
pytest.importorskip("sam2")
pytest.importorskip("transformers")

CONFIG = Path(__file__).resolve().parents[1] / "config"
PRESETS = ("orin", "rtx")


def leaves(d, prefix=""):
    for k, v in d.items():
        if isinstance(v, dict):
            yield from leaves(v, prefix + k + ".")
        else:
            yield prefix + k


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    from rvos_ros.testing.tiny_clip import build_tiny_clip
    from rvos_ros.testing.tiny_detectors import build_tiny_grounding_dino, build_tiny_owlv2
    from rvos_ros.testing.tiny_sam2 import build_tiny_sam2

    root = tmp_path_factory.mktemp("tiny_models")
    yaml_path, ckpt = build_tiny_sam2(root, 64)
    return {"sam2_yaml": str(yaml_path), "sam2_ckpt": str(ckpt), "gdino": str(build_tiny_grounding_dino(root)),
            "owlv2": str(build_tiny_owlv2(root)), "clip": str(build_tiny_clip(root / "clip"))}


def on_tiny_models(cfg: Config, tiny, **more) -> Config:
    """The preset with the tiny models on the CPU (and torch instead of engines that would need a build)."""
    return cfg.replace(**{
        "perception.device": "cpu",
        "perception.tracker.model_config": tiny["sam2_yaml"], "perception.tracker.checkpoint": tiny["sam2_ckpt"],
        "perception.tracker.image_size": 64,
        "perception.detector.grounding_dino_model": tiny["gdino"], "perception.detector.owlv2_model": tiny["owlv2"],
        "perception.detector.box_threshold": 0.05,  # random weights: let some boxes through
        "verifier.clip_model": tiny["clip"],
        "engines.tracker": "torch", "engines.detector": "torch", "engines.verifier": "torch",
        **more})


@pytest.mark.parametrize("preset", PRESETS)
def test_a_preset_lists_every_key_of_the_config(preset):
    shipped = yaml.safe_load((CONFIG / f"{preset}.yaml").read_text())
    assert set(leaves(shipped)) == set(leaves(to_dict(Config())))


def test_the_presets_hold_what_each_robot_needs():
    orin, rtx = (load_config(CONFIG / f"{p}.yaml") for p in PRESETS)
    for cfg in (orin, rtx):
        assert cfg.perception.backend == "models"
        assert cfg.perception.tracker.model_config == "configs/sam2.1/sam2.1_hiera_t.yaml"
        assert cfg.perception.tracker.precision in ("bf16", "fp16")
        assert cfg.budget.frame_ms > 0 and cfg.budget.steps == ("detector", "overlay", "tracks")
        assert cfg.budget.max_tracks < cfg.perception.grounding.max_tracks
    assert orin.perception.tracker.image_size == 512 and orin.perception.grounding.max_tracks == 6
    assert orin.engines.detector == "tensorrt" and not orin.output.overlay
    assert rtx.perception.tracker.image_size == 1024


@pytest.mark.parametrize("preset", PRESETS)
@pytest.mark.parametrize("mode", ["deterministic", "live"])
def test_a_preset_runs_the_runtime_on_tiny_models(preset, mode, tiny):
    from rvos_ros.perception.backends import build_perception
    from rvos_ros.runtime import Runtime
    from rvos_ros.testing.tiny_sam2 import moving_scene

    cfg = on_tiny_models(load_config(CONFIG / f"{preset}.yaml"), tiny, **{"runtime.mode": mode})
    perception = build_perception(cfg)
    assert (perception.grounder.worker is not None) == (mode == "live")  # the detector's thread in live mode only
    assert perception.tracker.precision == cfg.perception.tracker.precision  # the preset's precision, on a CPU
    rt = Runtime(cfg, perception)
    rt.set_command("the dog")
    results = []
    try:
        for i, image in enumerate(moving_scene(8)):
            results.append(rt.step(Frame(image, 1_000_000_000 + round(i * 1e9 / 15), seq=i)))
            if mode == "live" and i == 0:
                assert perception.grounder.worker.wait_idle(30)  # let the first detection come back on frame 1
    finally:
        rt.close()
    assert len(results) == 8 and all(r.mask.shape == (48, 64) and r.decision.state in STATES for r in results)
    assert all(r.error == "" for r in results), [r.error for r in results]
    assert perception.grounder.detections_run >= 1 and results[-1].tracks
    assert len(results[-1].tracks) <= cfg.perception.grounding.max_tracks
    stages = set().union(*(r.timings_ms for r in results))
    assert {"detector", "encoder", "memory_attention", "decoder", "memory_encoder", "camera", "reasoning",
            "output", "total"} <= stages
    for r in results:
        top = ("perception", "camera", "track_book", "reasoning", "output")
        assert r.timings_ms["total"] == pytest.approx(sum(r.timings_ms[k] for k in top))
    if mode == "deterministic":  # the same preset, run again: the same masks and ids
        rt2 = Runtime(cfg, build_perception(cfg))
        rt2.set_command("the dog")
        again = [rt2.step(Frame(image, 1_000_000_000 + round(i * 1e9 / 15), seq=i))
                 for i, image in enumerate(moving_scene(8))]
        rt2.close()
        assert all(np.array_equal(a.mask, b.mask) and [t.id for t in a.tracks] == [t.id for t in b.tracks]
                   for a, b in zip(results, again, strict=True))
