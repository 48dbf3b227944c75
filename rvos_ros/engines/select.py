"""Choosing each model's runtime by config (``engines.tracker / detector / verifier``: torch | onnxruntime | tensorrt).

``rvos-ros engines build`` writes the parts; the functions here find them
again under the same keys and refuse, with the rebuild command, a file built
from other weights, for another size or precision, by another TensorRT or for
another GPU:

- SAM2's export is a folder (four ONNX files and ``sam2_parts.json``, plus
  ``<part>…<precision>_trt….engine`` files after a TensorRT build) named after
  the checkpoint's hash, the input size and the prompt-frame slots;
- OWLv2's and CLIP's files are keyed by the hash of the model folder's weight
  files (:func:`model_weights_hash`), so finding them needs no torch model.

``onnxruntime`` runs the ONNX files on ``engines.provider``; ``tensorrt``
runs the ``.engine`` files built for ``engines.precision`` with
:class:`~rvos_ros.engines.tensorrt_build.TrtRunner`. Same predictor
interfaces as the torch path: the tracker, detector and verifier code that
uses them does not change.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rvos_ros.config import Config, EnginesConfig, VerifierConfig
from rvos_ros.engines.cache import EngineCache, EngineKey, file_hash
from rvos_ros.errors import EngineError

__all__ = ["clip_keys", "clip_scale_file", "gdino_key", "load_detector", "load_sam2_parts", "load_clip",
           "model_folder", "model_weights_hash", "owlv2_keys", "sam2_part_keys", "sam2_parts_key",
           "sam2_parts_location"]

WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth")


def sam2_parts_key(config: Config, image_size: int | None = None) -> EngineKey:
    """The key of the configured tracker's SAM2 export (checkpoint file hash, input size)."""
    from rvos_ros.models.files import resolve_checkpoint

    tc = config.perception.tracker
    size = image_size or tc.image_size
    ckpt = resolve_checkpoint(tc.checkpoint, config.perception.models_dir)
    return EngineKey("sam2.parts", file_hash(ckpt), (1, 3, size, size))


def sam2_parts_location(config: Config, key: EngineKey) -> tuple[Path, Path]:
    """``(folder, metadata file)`` of the SAM2 export for ``key`` in ``engines.dir``."""
    from rvos_ros.engines.sam2_runtime import SAM2_META

    slots = config.perception.tracker.max_prompt_frames
    folder = Path(config.engines.dir) / f"sam2_parts_{key.model_hash[:8]}_{key.input_shape[-1]}_p{slots}"
    return folder, folder / SAM2_META


def sam2_part_keys(folder_key: EngineKey) -> dict[str, EngineKey]:
    """The ONNX key of each of SAM2's four parts in the folder of ``folder_key`` (TensorRT engines add to it)."""
    from rvos_ros.engines.sam2_export import PART_FILES

    return {name: EngineKey(f"sam2.{name}", folder_key.model_hash, folder_key.input_shape) for name in PART_FILES}


def model_folder(name: str, models_dir: str | Path) -> Path:
    """The local folder of a transformers model: a folder as given (or under ``models_dir``), else the Hugging Face
    cache's snapshot of a hub id. Nothing downloads; EngineError when it is in neither place."""
    from rvos_ros.models.files import resolve_model

    source = resolve_model(name, models_dir)
    if Path(source).is_dir():
        return Path(source)
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(repo_id=name, local_files_only=True))
    except Exception as err:  # hub errors vary by version (LocalEntryNotFoundError, ValueError for a bad id ...)
        raise EngineError(f"model {name!r} is neither a folder nor in the local Hugging Face cache; run "
                          f"`rvos-ros models pull` first ({type(err).__name__})") from None


def model_weights_hash(folder: str | Path) -> str:
    """16 hex digits identifying a model folder's weights (every weight file's name and contents)."""
    import hashlib

    files = sorted(p for p in Path(folder).iterdir() if p.suffix in WEIGHT_SUFFIXES and p.is_file())
    if not files:
        raise EngineError(f"model folder {str(folder)!r} holds no weight file ({', '.join(WEIGHT_SUFFIXES)})")
    h = hashlib.sha256()
    for p in files:
        h.update(p.name.encode() + file_hash(p).encode())
    return h.hexdigest()[:16]


def _model_config(folder: Path) -> Any:
    from transformers import AutoConfig

    return AutoConfig.from_pretrained(str(folder), local_files_only=True)


def owlv2_keys(owlv2_model: str, models_dir: str | Path) -> tuple[Path, dict[str, EngineKey]]:
    """(model folder, ONNX key per part) of an OWLv2 detector (``perception.detector.owlv2_model``)."""
    folder = model_folder(owlv2_model, models_dir)
    cfg, digest = _model_config(folder), model_weights_hash(folder)
    size, length = int(cfg.vision_config.image_size), int(cfg.text_config.max_position_embeddings)
    return folder, {"owlv2_text": EngineKey("owlv2.text", digest, (-1, length)),
                    "owlv2_image": EngineKey("owlv2.image", digest, (-1, 3, size, size))}


def clip_keys(clip_model: str, models_dir: str | Path) -> tuple[Path, dict[str, EngineKey]]:
    """(model folder, ONNX key per tower) of a CLIP verifier (``verifier.clip_model``)."""
    folder = model_folder(clip_model, models_dir)
    cfg, digest = _model_config(folder), model_weights_hash(folder)
    size = int(cfg.vision_config.image_size)
    return folder, {"clip_text": EngineKey("clip.text", digest, (-1, -1)),
                    "clip_image": EngineKey("clip.image", digest, (-1, 3, size, size))}


def gdino_key(grounding_dino_model: str, models_dir: str | Path, height: int, width: int) -> EngineKey:
    """The ONNX key of a GroundingDINO graph for processed ``height`` x ``width`` images."""
    return EngineKey("grounding_dino", model_weights_hash(model_folder(grounding_dino_model, models_dir)),
                     (1, 3, height, width))


def clip_scale_file(cache: EngineCache, text_key: EngineKey) -> Path:
    """Where ``engines build`` keeps CLIP's logit scale (in neither graph) beside the text tower."""
    return cache.root / f"{text_key.slug}.logit_scale.json"


def _found(engines: EnginesConfig, cache: EngineCache, keys: dict[str, EngineKey], backend: str) -> dict[str, Path]:
    """The recorded file of each key for ``backend`` (onnxruntime: .onnx; tensorrt: .engine for this GPU)."""
    out = {}
    for name, key in keys.items():
        if backend == "tensorrt":
            from rvos_ros.engines.tensorrt_parts import engine_key

            key = engine_key(key, engines.precision)
        out[name] = cache.lookup(cache.path_for(key, ".engine" if backend == "tensorrt" else ".onnx"), key)
    return out


def _opener(engines: EnginesConfig, backend: str) -> Callable[[Path], Any]:
    if backend == "tensorrt":
        from rvos_ros.engines.tensorrt_build import TrtRunner

        return TrtRunner
    from rvos_ros.engines.onnx_runtime import OrtPart

    return functools.partial(OrtPart, providers=engines.provider)


def load_sam2_parts(config: Config) -> Any:
    """SAM2's parts for ``engines.tracker`` (onnxruntime or tensorrt); EngineError if not built for them."""
    from rvos_ros.engines.sam2_runtime import OrtSam2Parts

    backend = config.engines.tracker
    key = sam2_parts_key(config)
    folder, meta = sam2_parts_location(config, key)
    EngineCache(folder).lookup(meta, key)
    if backend != "tensorrt":
        return OrtSam2Parts(folder, providers=config.engines.provider)
    files = _found(config.engines, EngineCache(folder), sam2_part_keys(key), backend)
    return OrtSam2Parts(folder, files=files, open_part=_opener(config.engines, backend))


def load_detector(config: Config, *, device: Any) -> Any:
    """The configured detector on ``engines.detector``: torch, or OWLv2's graphs on onnxruntime / tensorrt."""
    from rvos_ros.models.detectors import build_detector

    pc = config.perception
    backend = config.engines.detector
    if backend == "torch":
        return build_detector(pc.detector, models_dir=pc.models_dir, device=device)
    if pc.detector.backend == "grounding_dino":
        return _load_grounding_dino(config, backend, device)
    from transformers import Owlv2Processor

    from rvos_ros.engines.detector_export import OrtOwlv2Detector

    folder, keys = owlv2_keys(pc.detector.owlv2_model, pc.models_dir)
    files = _found(config.engines, EngineCache(config.engines.dir), keys, backend)
    opener = _opener(config.engines, backend)
    processor = Owlv2Processor.from_pretrained(str(folder), local_files_only=True)
    return OrtOwlv2Detector(processor, opener(files["owlv2_text"]), opener(files["owlv2_image"]), pc.detector,
                            max_tokens=keys["owlv2_text"].input_shape[1])


def load_clip(verifier: VerifierConfig, engines: EnginesConfig, *, models_dir: str | Path, device: Any) -> Any:
    """The CLIP model for ``engines.verifier``: torch, or its towers on onnxruntime / tensorrt (from the cache)."""
    from rvos_ros.models.clip import ClipModel

    backend = engines.verifier
    if backend == "torch":
        return ClipModel.load(verifier.clip_model, models_dir=models_dir, device=device)
    from rvos_ros.engines.clip_export import OrtClipModel

    folder, keys = clip_keys(verifier.clip_model, models_dir)
    cache = EngineCache(engines.dir)
    files = _found(engines, cache, keys, backend)
    scale_file = clip_scale_file(cache, keys["clip_text"])
    try:
        scale = float(json.loads(scale_file.read_text())["logit_scale"])
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise EngineError(f"CLIP's logit scale {str(scale_file)!r} is missing or unreadable ({type(err).__name__}); "
                          "rebuild with `rvos-ros engines build --backend onnx`") from None
    return OrtClipModel(model_dir=folder, onnx_files=files, logit_scale=scale, open_part=_opener(engines, backend))


def _load_grounding_dino(config: Config, backend: str, device: Any) -> Any:
    """Every GroundingDINO graph built for these weights (one per camera size), behind one detector."""
    from rvos_ros.engines.detector_export import OrtGroundingDinoDetector
    from rvos_ros.models.grounding_dino import GroundingDinoDetector

    pc = config.perception
    digest = model_weights_hash(model_folder(pc.detector.grounding_dino_model, pc.models_dir))
    cache = EngineCache(config.engines.dir)
    keys = {(k.input_shape[2], k.input_shape[3]): k for _, k, _ in cache.entries()
            if k is not None and k.part == "grounding_dino" and k.model_hash == digest and not k.tensorrt}
    if not keys:
        raise EngineError(f"no GroundingDINO engine for {pc.detector.grounding_dino_model!r} in "
                          f"{str(cache.root)!r}; build one with `rvos-ros engines build --camera-size WIDTHxHEIGHT`")
    files = _found(config.engines, cache, {f"{h}x{w}": k for (h, w), k in keys.items()}, backend)
    opener = _opener(config.engines, backend)
    # the torch detector lends its processor and caption handling; its model stays on the CPU, unused
    torch_detector = GroundingDinoDetector.load(pc.detector, models_dir=pc.models_dir, device="cpu")
    return OrtGroundingDinoDetector(torch_detector, {size: opener(files[f"{size[0]}x{size[1]}"]) for size in keys},
                                    pc.detector)
