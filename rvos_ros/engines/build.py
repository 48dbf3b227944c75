"""``rvos-ros engines build``: export the configured models' parts into the engine cache, then TensorRT engines.

``--backend onnx`` exports to ONNX: the SAM2 image encoder, SAM2's four
tracker parts as one folder (what ``engines.tracker`` runs), the OWLv2
detector's text and image sides (when ``perception.detector.backend`` is
owlv2) and CLIP's two towers (when ``verifier.backend`` is clip), each
verified in ONNX Runtime against torch before it is recorded.
``--backend tensorrt`` does the same and then builds a TensorRT engine from
each part the runtimes load (:mod:`rvos_ros.engines.tensorrt_parts`: one
optimization profile from the graph's named axes, FP16 by default, a timing
cache shared by the builds), checked against ONNX Runtime and recorded for
this TensorRT version and GPU.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rvos_ros.config import Config
from rvos_ros.errors import EngineError

__all__ = ["BuiltPart", "build_clip_parts", "build_detector_parts", "build_engines", "build_tensorrt"]

_TOLERANCE = 1e-3
"""Largest absolute difference from torch accepted for an fp32 ONNX export."""
TIMING_CACHE = "tensorrt.timing_cache"
"""The TensorRT timing cache in the engine folder: a rebuild after a small change takes seconds, not minutes."""


@dataclass(frozen=True)
class BuiltPart:
    part: str
    path: Path
    max_abs_diff: float
    """ONNX: against torch; TensorRT: against the ONNX part in ONNX Runtime (0 for the SAM2 folder's record)."""
    backend: str = "onnx"


def build_engines(config: Config, out_dir: str | Path, *, backend: str = "onnx", precision: str | None = None,
                  image_size: int | None = None, camera_size: tuple[int, int] = (640, 480)) -> list[BuiltPart]:
    """Export every supported part for ``config``'s models into ``out_dir`` (and build TensorRT engines for
    ``backend`` tensorrt); returns what was written. ``precision``: fp32 for onnx; fp16 (default) or fp32 for
    tensorrt. ``camera_size``: (width, height) of the frames GroundingDINO's graph is built for."""
    if backend not in ("onnx", "tensorrt"):
        raise EngineError(f"unknown engine backend {backend!r}; use onnx or tensorrt")
    precision = precision or ("fp16" if backend == "tensorrt" else "fp32")
    if precision not in ("fp16", "fp32"):
        raise EngineError(f"unknown precision {precision!r}; use fp16 or fp32")
    if backend == "onnx" and precision != "fp32":
        raise EngineError("ONNX exports are fp32 (reduced precision is chosen when a TensorRT engine is built); "
                          "use --precision fp32")
    if backend == "tensorrt":  # fail before minutes of export when TensorRT or the GPU is missing
        from rvos_ros.engines.tensorrt_build import gpu_name, tensorrt_version

        tensorrt_version()
        gpu_name()
    built = _build_onnx(config, out_dir, image_size, camera_size)
    return built if backend == "onnx" else built + build_tensorrt(config, out_dir, built, precision)


def _build_onnx(config: Config, out_dir: str | Path, image_size: int | None, camera_size: tuple[int, int]
                ) -> list[BuiltPart]:
    import numpy as np

    from rvos_ros.engines.cache import EngineCache, EngineKey, state_dict_hash
    from rvos_ros.engines.export import (
        export_sam2_image_encoder,
        max_abs_diff,
        sam2_image_encoder_module,
    )
    from rvos_ros.engines.onnx_runtime import make_session
    from rvos_ros.models.sam2 import build_sam2

    tc = config.perception.tracker
    size = image_size or tc.image_size
    if size < 64 or size % 32:
        raise EngineError(f"--image-size must be a multiple of 32 and >= 64, got {size}")
    model: Any = build_sam2(tc.model_config, tc.checkpoint, image_size=size, models_dir=config.perception.models_dir)
    cache = EngineCache(out_dir)
    key = EngineKey("sam2.image_encoder", state_dict_hash(model.state_dict()), (1, 3, size, size))
    path = export_sam2_image_encoder(model, cache.path_for(key, ".onnx"), image_size=size)
    x = np.random.default_rng(0).standard_normal((1, 3, size, size)).astype(np.float32)
    diff = max(max_abs_diff(make_session(path, providers="cpu"), sam2_image_encoder_module(model),
                            {"image": x}))
    if diff > _TOLERANCE:
        path.unlink()
        raise EngineError(f"the exported SAM2 image encoder differs from torch by {diff:.2e} (> {_TOLERANCE}); "
                          "not recorded")
    cache.store(path, key)
    return [BuiltPart(key.part, path, diff), build_sam2_parts(config, model, size, out_dir),
            *build_detector_parts(config, cache, camera_size=camera_size), *build_clip_parts(config, cache)]


def build_sam2_parts(config: Config, model: Any, size: int, out_dir: str | Path) -> BuiltPart:
    """Export SAM2's four tracker parts (what ``engines.tracker: onnxruntime`` runs) and record them."""
    from rvos_ros.engines.cache import EngineCache
    from rvos_ros.engines.sam2_export import export_sam2
    from rvos_ros.engines.select import sam2_parts_key, sam2_parts_location

    key = sam2_parts_key(config, size)
    folder, meta = sam2_parts_location(config.replace(**{"engines.dir": str(out_dir)}), key)
    slots = config.perception.tracker.max_prompt_frames
    files = export_sam2(model, folder, image_size=size, max_prompt_frames=slots)
    diff = _check_sam2_parts(model, files, size, slots)
    if not diff <= _TOLERANCE:
        raise EngineError(f"the exported SAM2 tracker parts in {str(folder)!r} differ from torch by {diff:.2e} "
                          f"(> {_TOLERANCE}); not recorded")
    EngineCache(folder).store(meta, key)
    return BuiltPart(key.part, folder, diff)


def _check_sam2_parts(model: Any, files: dict[str, Path], size: int, slots: int) -> float:
    """Largest |ONNX Runtime - torch| over the three per-track parts on random inputs (2 tracks)."""
    import torch

    from rvos_ros.engines.onnx_runtime import OrtPart
    from rvos_ros.engines.sam2_export import example_inputs, sam2_part_modules

    modules = sam2_part_modules(model, image_size=size, max_prompt_frames=slots)
    inputs = example_inputs(model, image_size=size, max_prompt_frames=slots)
    diff = 0.0
    for name, module in modules.items():
        got = list(OrtPart(files[name])(inputs[name]).values())
        with torch.no_grad():
            want = module(*(torch.from_numpy(v) for v in inputs[name].values()))
        want = list(want) if isinstance(want, (tuple, list)) else [want]
        diff = max(diff, *(_diff(g, w) for g, w in zip(got, want, strict=True)))
    return diff


def _record(cache: Any, files: dict[str, Path], keys: dict[str, Any], checks: dict[str, float]) -> list[BuiltPart]:
    """Move each exported file to its key's path, refuse one that differs from torch, write the sidecars."""
    out = []
    for name, tmp in files.items():
        key = keys[name]
        diff = checks[name]
        if not diff <= _TOLERANCE:
            tmp.unlink(missing_ok=True)
            raise EngineError(f"the exported {key.part} differs from torch by {diff:.2e} (> {_TOLERANCE}); "
                              "not recorded")
        path = cache.path_for(key, ".onnx")
        tmp.replace(path)
        cache.store(path, key)
        out.append(BuiltPart(key.part, path, diff))
    return out


def build_detector_parts(config: Config, cache: Any, *, camera_size: tuple[int, int] = (640, 480)
                         ) -> list[BuiltPart]:
    """Export the configured detector's graphs, each checked against torch: OWLv2's text and image sides, or
    GroundingDINO at the size its processor makes of ``camera_size`` (width, height) frames."""
    if config.perception.detector.backend == "grounding_dino":
        return _build_grounding_dino(config, cache, camera_size)
    import tempfile

    import numpy as np
    import torch

    from rvos_ros.engines.detector_export import export_owlv2
    from rvos_ros.engines.onnx_runtime import OrtPart
    from rvos_ros.engines.select import owlv2_keys
    from rvos_ros.models.detection import load_pretrained

    pc = config.perception
    if pc.detector.backend != "owlv2":
        return []
    from transformers import Owlv2ForObjectDetection

    model = load_pretrained(Owlv2ForObjectDetection, pc.detector.owlv2_model, models_dir=pc.models_dir,
                            what="OWLv2 detector").eval().float()
    size = int(model.config.vision_config.image_size)
    length = int(model.config.text_config.max_position_embeddings)
    _, keys = owlv2_keys(pc.detector.owlv2_model, pc.models_dir)  # the keys `engines.detector` looks up
    with tempfile.TemporaryDirectory(dir=_mkdir(cache.root)) as tmp:
        files = export_owlv2(model, tmp)
        rng = np.random.default_rng(0)
        ids = np.zeros((2, length), np.int64)
        ids[:, 0], ids[:, 1] = model.config.text_config.bos_token_id, model.config.text_config.eos_token_id
        mask = np.ones_like(ids)
        got_q = OrtPart(files["owlv2_text"])(input_ids=ids, attention_mask=mask)["query_embeds"]
        pixels = rng.standard_normal((1, 3, size, size)).astype(np.float32)
        got = OrtPart(files["owlv2_image"])(pixel_values=pixels, query_embeds=got_q[None])
        with torch.no_grad():
            want_q = model.owlv2.get_text_features(input_ids=torch.from_numpy(ids),
                                                   attention_mask=torch.from_numpy(mask)).pooler_output
            fmap, _ = model.image_embedder(pixel_values=torch.from_numpy(pixels))
            patches = fmap.reshape(fmap.shape[0], -1, fmap.shape[-1])
            logits, _ = model.class_predictor(patches, want_q[None], None)
            boxes = model.box_predictor(patches, fmap)
        checks = {"owlv2_text": _diff(got_q, want_q),
                  "owlv2_image": max(_diff(got["logits"], logits), _diff(got["pred_boxes"], boxes))}
        return _record(cache, files, keys, checks)


def build_clip_parts(config: Config, cache: Any) -> list[BuiltPart]:
    """Export CLIP's text and image towers when ``verifier.backend`` is clip, each checked against torch."""
    import tempfile

    import numpy as np
    import torch

    from rvos_ros.engines.clip_export import clip_logit_scale, export_clip
    from rvos_ros.engines.onnx_runtime import OrtPart
    from rvos_ros.engines.select import clip_keys, clip_scale_file
    from rvos_ros.models.detection import load_pretrained

    if config.verifier.backend != "clip":
        return []
    from transformers import CLIPModel

    model = load_pretrained(CLIPModel, config.verifier.clip_model, models_dir=config.perception.models_dir,
                            what="CLIP verifier").eval().float()
    size = int(model.config.vision_config.image_size)
    _, keys = clip_keys(config.verifier.clip_model, config.perception.models_dir)  # what `engines.verifier` finds
    with tempfile.TemporaryDirectory(dir=_mkdir(cache.root)) as tmp:
        files = export_clip(model, tmp)
        ids = np.full((2, 5), 1, np.int64)
        ids[:, 0], ids[:, -1] = model.config.text_config.bos_token_id, model.config.text_config.eos_token_id
        mask = np.ones_like(ids)
        pixels = np.random.default_rng(0).standard_normal((3, 3, size, size)).astype(np.float32)
        got_t = OrtPart(files["clip_text"])(input_ids=ids, attention_mask=mask)["text_embeds"]
        got_i = OrtPart(files["clip_image"])(pixel_values=pixels)["image_embeds"]
        with torch.no_grad():
            want_t = model.get_text_features(input_ids=torch.from_numpy(ids),
                                             attention_mask=torch.from_numpy(mask)).pooler_output
            want_i = model.get_image_features(pixel_values=torch.from_numpy(pixels)).pooler_output
        built = _record(cache, files, keys, {"clip_text": _diff(got_t, want_t), "clip_image": _diff(got_i, want_i)})
    # the logit scale is not in either graph: keep it beside the text tower for OrtClipVerifier
    scale = clip_scale_file(cache, keys["clip_text"])
    scale.write_text(json.dumps({"logit_scale": clip_logit_scale(model)}))
    return built


def _diff(got: Any, want: Any) -> float:
    import numpy as np

    return float(np.abs(np.asarray(got, np.float64) - want.detach().numpy().astype(np.float64)).max())


def _mkdir(path: Path) -> str:
    path.mkdir(parents=True, exist_ok=True)
    return str(path)


def _recorded_key(path: Path) -> Any:
    from rvos_ros.engines.cache import EngineKey

    return EngineKey.from_dict(json.loads(path.with_suffix(path.suffix + ".json").read_text())["key"])


def build_tensorrt(config: Config, out_dir: str | Path, onnx_parts: list[BuiltPart], precision: str
                   ) -> list[BuiltPart]:
    """A TensorRT engine for every ONNX part a runtime loads (SAM2's four parts, OWLv2, CLIP), each checked against
    ONNX Runtime and recorded under the part's key plus ``precision``, this TensorRT and this GPU."""
    from rvos_ros.engines.cache import EngineCache
    from rvos_ros.engines.sam2_export import PART_FILES, SAM2_META
    from rvos_ros.engines.select import model_folder, sam2_part_keys
    from rvos_ros.engines.tensorrt_parts import build_tensorrt_part, dim_ranges

    tokens = 77
    if config.verifier.backend == "clip":
        from transformers import AutoConfig

        folder = model_folder(config.verifier.clip_model, config.perception.models_dir)
        tokens = int(AutoConfig.from_pretrained(str(folder), local_files_only=True)
                     .text_config.max_position_embeddings)
    ranges = dim_ranges(config, clip_tokens=tokens)
    timing = Path(out_dir) / TIMING_CACHE
    jobs: list[tuple[Path, Any, EngineCache]] = []
    for part in onnx_parts:
        if part.part == "sam2.parts":  # the folder: its four graphs, engines beside them
            folder_key = _recorded_key(part.path / SAM2_META)
            jobs += [(part.path / PART_FILES[name], key, EngineCache(part.path))
                     for name, key in sam2_part_keys(folder_key).items()]
        elif part.part != "sam2.image_encoder":  # the standalone encoder is for other tools; the tracker has its own
            jobs.append((part.path, _recorded_key(part.path), EngineCache(out_dir)))
    out = []
    for onnx_path, key, cache in jobs:
        path, diff = build_tensorrt_part(onnx_path, key, cache, precision=precision, ranges=ranges,
                                         timing_cache=timing)
        out.append(BuiltPart(key.part, path, diff, backend="tensorrt"))
    return out


def _build_grounding_dino(config: Config, cache: Any, camera_size: tuple[int, int]) -> list[BuiltPart]:
    import tempfile

    from transformers import GroundingDinoForObjectDetection, GroundingDinoProcessor

    from rvos_ros.engines.detector_export import (
        export_grounding_dino,
        grounding_dino_input_size,
        grounding_dino_max_abs_diff,
    )
    from rvos_ros.engines.select import gdino_key
    from rvos_ros.models.detection import load_pretrained

    pc = config.perception
    if min(camera_size) < 16:
        raise EngineError(f"--camera-size must be at least 16x16 pixels, got {camera_size[0]}x{camera_size[1]}")
    name = pc.detector.grounding_dino_model
    model = load_pretrained(GroundingDinoForObjectDetection, name, models_dir=pc.models_dir,
                            what="GroundingDINO detector").eval().float()
    processor = load_pretrained(GroundingDinoProcessor, name, models_dir=pc.models_dir,
                                what="GroundingDINO processor")
    height, width = grounding_dino_input_size(processor, camera_size)
    key = gdino_key(name, pc.models_dir, height, width)
    with tempfile.TemporaryDirectory(dir=_mkdir(cache.root)) as tmp:
        files = export_grounding_dino(model, tmp, height=height, width=width)
        diff = grounding_dino_max_abs_diff(model, files["grounding_dino"], processor.tokenizer)
        return _record(cache, files, {"grounding_dino": key}, {"grounding_dino": diff})
