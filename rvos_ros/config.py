"""Typed configuration, loaded from ``config/rvos.yaml``.

The YAML keys are the dataclass fields below; the ROS node declares the same
keys as parameters (``perception.backend`` and so on). Unknown keys, wrong
types and out-of-range values raise ``ConfigError`` naming the dotted key.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from rvos_ros.errors import ConfigError

__all__ = [
    "CameraMotionConfig",
    "Config",
    "DetectorConfig",
    "EnginesConfig",
    "GroundingConfig",
    "LLMConfig",
    "NoiseConfig",
    "OutputConfig",
    "PerceptionConfig",
    "ReasoningConfig",
    "RuntimeConfig",
    "TrackerConfig",
    "VerifierConfig",
    "DEFAULT_CONFIG_PATH",
    "load_config",
]

DEFAULT_CONFIG_PATH = Path(__file__).resolve().parent.parent / "config" / "rvos.yaml"


def _check(cond: bool, key: str, msg: str) -> None:
    if not cond:
        raise ConfigError(f"config key {key!r}: {msg}")


@dataclass(frozen=True)
class RuntimeConfig:
    """How the stream is driven."""

    mode: Literal["deterministic", "live"] = "deterministic"
    reason_every: int = 5
    """Frames between periodic reasoning passes (also on a new command and when tracks appear or vanish)."""
    window_frames: int = 150
    """Frames of trajectory kept per track (bounded window)."""
    keyframes: int = 4
    """Full-resolution frames kept for appearance verification."""
    keyframe_every: int = 10
    """Frames between stored keyframes."""
    fps: float = 15.0
    """Frame rate assumed when the input carries no usable stamps."""

    def __post_init__(self) -> None:
        _check(self.reason_every >= 1, "runtime.reason_every", f"must be >= 1, got {self.reason_every}")
        _check(self.window_frames >= 2, "runtime.window_frames", f"must be >= 2, got {self.window_frames}")
        _check(self.keyframes >= 0, "runtime.keyframes", f"must be >= 0, got {self.keyframes}")
        _check(self.keyframe_every >= 1, "runtime.keyframe_every", f"must be >= 1, got {self.keyframe_every}")
        _check(0 < self.fps <= 1000, "runtime.fps", f"must be in (0, 1000], got {self.fps}")


@dataclass(frozen=True)
class NoiseConfig:
    """Noise the simulated perception adds to the ground truth."""

    miss_rate: float = 0.0
    """Probability that an object is not reported on a frame (a missed detection)."""
    label_swap_rate: float = 0.0
    """Probability that a track carries another object's category for its whole life."""
    jitter_px: float = 0.0
    """Standard deviation of the per-frame box/mask shift in pixels."""
    seed: int = 0

    def __post_init__(self) -> None:
        _check(0.0 <= self.miss_rate < 1.0, "perception.noise.miss_rate", f"must be in [0, 1), got {self.miss_rate}")
        _check(0.0 <= self.label_swap_rate <= 1.0, "perception.noise.label_swap_rate",
               f"must be in [0, 1], got {self.label_swap_rate}")
        _check(0.0 <= self.jitter_px <= 50.0, "perception.noise.jitter_px", f"must be in [0, 50], got {self.jitter_px}")


@dataclass(frozen=True)
class DetectorConfig:
    """Open-vocabulary detector run on keyframes (``perception.backend: models``)."""

    backend: Literal["grounding_dino", "owlv2"] = "grounding_dino"
    grounding_dino_model: str = "IDEA-Research/grounding-dino-tiny"
    """Hub id or local folder (a name under ``perception.models_dir`` works too)."""
    owlv2_model: str = "google/owlv2-base-patch16-ensemble"
    """Hub id or local folder."""
    box_threshold: float = 0.3
    """Detections scoring below this are dropped."""
    text_threshold: float = 0.25
    """GroundingDINO: token score needed for a phrase to label a box."""
    nms_iou: float = 0.5
    """Boxes overlapping a better one by more than this IoU are suppressed."""
    max_detections: int = 20
    every_n_frames: int = 15
    """Keyframe period: the detector also runs on a new command and when a track is lost."""

    def __post_init__(self) -> None:
        for key in ("box_threshold", "text_threshold", "nms_iou"):
            v = getattr(self, key)
            _check(0.0 <= v <= 1.0, f"perception.detector.{key}", f"must be in [0, 1], got {v}")
        _check(self.max_detections >= 1, "perception.detector.max_detections",
               f"must be >= 1, got {self.max_detections}")
        _check(self.every_n_frames >= 1, "perception.detector.every_n_frames",
               f"must be >= 1, got {self.every_n_frames}")


@dataclass(frozen=True)
class TrackerConfig:
    """SAM2 streaming tracker (Meta's ``sam2`` package)."""

    model_config: str = "configs/sam2.1/sam2.1_hiera_t.yaml"
    """A config name inside the sam2 package, or a path to a YAML file."""
    checkpoint: str = "sam2.1_hiera_tiny.pt"
    """Checkpoint file; a relative path resolves under ``perception.models_dir``."""
    image_size: int = 1024
    """SAM2 input side in pixels (multiple of 32); 512 is recommended on Jetson Orin."""
    max_prompt_frames: int = 2
    """Prompted (conditioning) frames kept per track; older prompts are dropped (bounded memory)."""
    occluded_score: float = 0.0
    """Object-score logit at or below which a track is reported occluded (not visible)."""
    fill_hole_area: int = 8
    """Background holes of at most this many pixels of SAM2's low-resolution mask grid (image_size/4) are
    filled in output masks (OpenCV; the memory never sees it); 0 disables."""
    batch_tracks: bool = True
    """Run tracks with the same memory layout as one batch (faster; equal to one-by-one up to float rounding)."""
    precision: Literal["auto", "fp32", "bf16", "fp16"] = "auto"
    """The torch tracker's arithmetic: fp32, or bf16 / fp16 autocast (2-4x faster on a GPU, masks equal up to
    rounding; bench/backends.py --device cuda); auto: bf16 on CUDA (as Meta runs sam2), fp32 on a CPU.
    Engines choose theirs at build time."""

    def __post_init__(self) -> None:
        _check(self.image_size >= 64 and self.image_size % 32 == 0, "perception.tracker.image_size",
               f"must be a multiple of 32 and >= 64, got {self.image_size}")
        _check(self.max_prompt_frames >= 1, "perception.tracker.max_prompt_frames",
               f"must be >= 1, got {self.max_prompt_frames}")
        _check(self.fill_hole_area >= 0, "perception.tracker.fill_hole_area",
               f"must be >= 0, got {self.fill_hole_area}")


@dataclass(frozen=True)
class GroundingConfig:
    """Matching keyframe detections to live tracks."""

    match_iou: float = 0.3
    """Minimum IoU (mask IoU when the detection has a mask, else box IoU) for a detection to match a track."""
    reprompt_iou: float = 0.6
    """A matched track whose IoU with its detection is below this has drifted and is re-prompted."""
    retire_after_s: float = 3.0
    """Tracks unseen for longer than this are removed."""
    max_tracks: int = 16

    def __post_init__(self) -> None:
        _check(0.0 < self.match_iou <= 1.0, "perception.grounding.match_iou",
               f"must be in (0, 1], got {self.match_iou}")
        _check(0.0 < self.reprompt_iou <= 1.0, "perception.grounding.reprompt_iou",
               f"must be in (0, 1], got {self.reprompt_iou}")
        _check(self.retire_after_s > 0, "perception.grounding.retire_after_s",
               f"must be > 0, got {self.retire_after_s}")
        _check(self.max_tracks >= 1, "perception.grounding.max_tracks", f"must be >= 1, got {self.max_tracks}")


@dataclass(frozen=True)
class PerceptionConfig:
    """Which perception backend grounds the candidates."""

    backend: Literal["simulated", "models"] = "simulated"
    device: str = "auto"
    """Torch device for the models: auto (cuda when available, else cpu), cpu, cuda, cuda:1, ..."""
    models_dir: str = "models"
    """Where ``rvos-ros models pull`` stores weights; relative model paths resolve here."""
    noise: NoiseConfig = field(default_factory=NoiseConfig)
    detector: DetectorConfig = field(default_factory=DetectorConfig)
    tracker: TrackerConfig = field(default_factory=TrackerConfig)
    grounding: GroundingConfig = field(default_factory=GroundingConfig)


@dataclass(frozen=True)
class VerifierConfig:
    """Fine appearance verification of the remaining candidates on a few keyframes."""

    backend: Literal["clip", "pixels"] = "pixels"
    """clip: CLIP scores attribute and posture phrases (models backend); pixels: colour from pixels only."""
    clip_model: str = "openai/clip-vit-base-patch32"
    """Hub id or local folder."""
    keyframes: int = 2
    """Keyframes examined (those where the remaining candidates differ most)."""

    def __post_init__(self) -> None:
        _check(self.keyframes >= 1, "verifier.keyframes", f"must be >= 1, got {self.keyframes}")


@dataclass(frozen=True)
class CameraMotionConfig:
    """Frame-to-frame homography estimation from pixels (OpenCV LK + RANSAC)."""

    enabled: bool = True
    max_corners: int = 400
    quality_level: float = 0.01
    min_distance_px: float = 7.0
    ransac_threshold_px: float = 1.5
    max_side_px: int = 480
    """Images are downscaled so their longer side is at most this before tracking features."""

    def __post_init__(self) -> None:
        _check(self.max_corners >= 8, "camera_motion.max_corners", f"must be >= 8, got {self.max_corners}")
        _check(0 < self.quality_level < 1, "camera_motion.quality_level",
               f"must be in (0, 1), got {self.quality_level}")
        _check(self.ransac_threshold_px > 0, "camera_motion.ransac_threshold_px",
               f"must be > 0, got {self.ransac_threshold_px}")
        _check(self.max_side_px >= 64, "camera_motion.max_side_px", f"must be >= 64, got {self.max_side_px}")


@dataclass(frozen=True)
class ReasoningConfig:
    """Target identification: rules first, then (later) LLM and verification."""

    lock_confidence: float = 0.6
    """Confidence at or above which a decision is ``locked``."""
    ambiguity_margin: float = 0.1
    """Score gap below which the best candidates are ``ambiguous``."""
    switch_patience: int = 2
    """Consecutive reasoning passes a different answer must win before the target switches (hysteresis)."""
    lost_after_s: float = 1.0
    """Seconds a locked target may be unseen before the state becomes ``lost``."""
    min_observed_s: float = 0.5
    """Seconds of trajectory needed before motion words can be judged."""

    def __post_init__(self) -> None:
        _check(0 < self.lock_confidence <= 1, "reasoning.lock_confidence",
               f"must be in (0, 1], got {self.lock_confidence}")
        _check(0 <= self.ambiguity_margin < 1, "reasoning.ambiguity_margin",
               f"must be in [0, 1), got {self.ambiguity_margin}")
        _check(self.switch_patience >= 1, "reasoning.switch_patience", f"must be >= 1, got {self.switch_patience}")
        _check(self.lost_after_s > 0, "reasoning.lost_after_s", f"must be > 0, got {self.lost_after_s}")
        _check(self.min_observed_s >= 0, "reasoning.min_observed_s", f"must be >= 0, got {self.min_observed_s}")


@dataclass(frozen=True)
class LLMConfig:
    """The LLM stage: asked only when the rules cannot answer (unknown words, not confident, world knowledge)."""

    backend: Literal["none", "openai", "local"] = "none"
    """none: rules only; openai: any OpenAI-compatible server; local: a small transformers model in-process."""
    base_url: str = "http://localhost:8000/v1"
    model: str = "meta-llama/Meta-Llama-3-8B-Instruct"
    """Model name sent to the server (openai backend)."""
    api_key_env: str = "OPENAI_API_KEY"
    """Name of the environment variable holding the API key (the key itself is never in config or logs)."""
    timeout_s: float = 10.0
    max_retries: int = 1
    max_tokens: int = 256
    local_model: str = ""
    """Hub id or local folder of the in-process model (local backend)."""

    def __post_init__(self) -> None:
        _check(0 < self.timeout_s <= 600, "llm.timeout_s", f"must be in (0, 600], got {self.timeout_s}")
        _check(0 <= self.max_retries <= 10, "llm.max_retries", f"must be in [0, 10], got {self.max_retries}")
        _check(16 <= self.max_tokens <= 4096, "llm.max_tokens", f"must be in [16, 4096], got {self.max_tokens}")
        _check(self.backend != "local" or bool(self.local_model.strip()), "llm.local_model",
               "must name a hub id or folder when llm.backend is local")


@dataclass(frozen=True)
class EnginesConfig:
    """Which runtime runs the model parts (``rvos-ros engines build`` exports them first)."""

    dir: str = "engines"
    """Engine cache folder (ONNX files, TensorRT engines and their sidecars)."""
    tracker: Literal["torch", "onnxruntime", "tensorrt"] = "torch"
    """SAM2's four parts: torch, ONNX Runtime (same masks, see test/engines) or TensorRT engines from the cache."""
    detector: Literal["torch", "onnxruntime", "tensorrt"] = "torch"
    """The detector's graphs from the cache (GroundingDINO: one per camera size, `engines build --camera-size`),
    or torch."""
    verifier: Literal["torch", "onnxruntime", "tensorrt"] = "torch"
    """CLIP's two towers (verifier.backend clip) from the cache, or torch."""
    provider: Literal["cpu", "cuda", "tensorrt"] = "cpu"
    """ONNX Runtime execution provider for the parts run on onnxruntime."""
    precision: Literal["fp16", "fp32"] = "fp16"
    """Which TensorRT engines to load (`engines build --backend tensorrt --precision ...`); ONNX files are fp32."""


@dataclass(frozen=True)
class OutputConfig:
    """What is published besides the target mask."""

    overlay: bool = True
    max_command_chars: int = 1000
    """Commands longer than this are refused with a clear error."""

    def __post_init__(self) -> None:
        _check(1 <= self.max_command_chars <= 100_000, "output.max_command_chars",
               f"must be in [1, 100000], got {self.max_command_chars}")


@dataclass(frozen=True)
class Config:
    """The whole configuration; every section has working defaults."""

    runtime: RuntimeConfig = field(default_factory=RuntimeConfig)
    perception: PerceptionConfig = field(default_factory=PerceptionConfig)
    camera_motion: CameraMotionConfig = field(default_factory=CameraMotionConfig)
    reasoning: ReasoningConfig = field(default_factory=ReasoningConfig)
    verifier: VerifierConfig = field(default_factory=VerifierConfig)
    llm: LLMConfig = field(default_factory=LLMConfig)
    engines: EnginesConfig = field(default_factory=EnginesConfig)
    output: OutputConfig = field(default_factory=OutputConfig)

    def replace(self, **dotted: Any) -> Config:
        """Return a copy with dotted keys overridden, e.g. ``replace(**{"runtime.mode": "live"})``."""
        data = to_dict(self)
        for key, value in dotted.items():
            node = data
            parts = key.split(".")
            for p in parts[:-1]:
                _check(isinstance(node.get(p), dict), key, "unknown section")
                node = node[p]
            _check(parts[-1] in node, key, "unknown key")
            node[parts[-1]] = value
        return from_dict(data)


def to_dict(obj: Any) -> dict[str, Any]:
    """Plain nested dict of a config dataclass."""
    return dataclasses.asdict(obj)


def _coerce(value: Any, tp: Any, key: str) -> Any:
    origin = typing.get_origin(tp)
    if origin is Literal:
        choices = typing.get_args(tp)
        _check(value in choices, key, f"must be one of {list(choices)}, got {value!r}")
        return value
    if dataclasses.is_dataclass(tp):
        _check(isinstance(value, dict), key, f"must be a mapping, got {type(value).__name__}")
        return _build(tp, value, key + ".")
    if tp is bool:
        _check(isinstance(value, bool), key, f"must be true or false, got {value!r}")
        return value
    if tp is int:
        _check(isinstance(value, int) and not isinstance(value, bool), key, f"must be an integer, got {value!r}")
        return value
    if tp is float:
        _check(isinstance(value, (int, float)) and not isinstance(value, bool), key, f"must be a number, got {value!r}")
        return float(value)
    if tp is str:
        _check(isinstance(value, str), key, f"must be a string, got {value!r}")
        return value
    if isinstance(tp, types.UnionType):  # pragma: no cover - no such fields yet
        return value
    return value


def _build(cls: Any, data: dict[str, Any], prefix: str = "") -> Any:
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    for k in data:
        if k not in names:
            raise ConfigError(
                f"unknown config key {prefix + str(k)!r}; known keys here: {sorted(names)}"
            )
    kwargs = {k: _coerce(v, hints[k], prefix + k) for k, v in data.items()}
    return cls(**kwargs)


def from_dict(data: dict[str, Any] | None) -> Config:
    """Build a Config from a nested mapping (missing keys take their defaults)."""
    if data is None:
        return Config()
    if not isinstance(data, dict):
        raise ConfigError(f"config must be a mapping of sections, got {type(data).__name__}")
    return _build(Config, data)


def load_config(path: str | Path | None = None) -> Config:
    """Load a YAML config file; ``None`` loads the packaged defaults (``config/rvos.yaml``)."""
    p = Path(path) if path is not None else DEFAULT_CONFIG_PATH
    if not p.is_file():
        if path is None:
            return Config()
        raise ConfigError(f"config file {str(p)!r} does not exist; pass an existing YAML file")
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise ConfigError(f"config file {str(p)!r} is not valid YAML: {err}") from err
    return from_dict(data)
