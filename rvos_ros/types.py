"""Plain data passed between the stages of docs/architecture.md.

Units: pixel coordinates of the frame they were observed in (x right, y down),
boxes as ``(x1, y1, x2, y2)``, times in nanoseconds (stamps) or seconds
(durations), frame indices counted from the start of the stream.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rvos_ros.errors import InputError

__all__ = [
    "CONTRACT_VERSION",
    "STAGES",
    "STATES",
    "Box",
    "Decision",
    "Descriptor",
    "Detection",
    "Frame",
    "FrameResult",
    "Keyframe",
    "ParsedQuery",
    "Track",
    "TrackTrajectory",
    "TrajectoryWindow",
]

CONTRACT_VERSION = 1

STATES = ("no_command", "searching", "reasoning", "locked", "ambiguous", "lost")
STAGES = ("rules", "llm", "verify", "fallback")

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Frame:
    """One camera frame: RGB ``uint8`` image of shape (H, W, 3)."""

    image: np.ndarray
    stamp_ns: int
    frame_id: str = "camera"
    seq: int = 0

    def __post_init__(self) -> None:
        img = self.image
        if not isinstance(img, np.ndarray) or img.dtype != np.uint8 or img.ndim != 3 or img.shape[2] != 3:
            shape = getattr(img, "shape", None)
            dtype = getattr(img, "dtype", type(img).__name__)
            raise InputError(
                f"frame image must be an HxWx3 uint8 RGB array, got shape {shape} dtype {dtype}; "
                "convert it (e.g. cv2.cvtColor) before building a Frame"
            )
        if img.shape[0] == 0 or img.shape[1] == 0:
            raise InputError(f"frame image has zero size {img.shape[:2]}; drop empty frames at the source")

    @property
    def height(self) -> int:
        return int(self.image.shape[0])

    @property
    def width(self) -> int:
        return int(self.image.shape[1])


@dataclass(frozen=True)
class Detection:
    """One detector box: pixel ``(x1, y1, x2, y2)`` in the input image, score in [0, 1], the matched phrase."""

    box: Box
    score: float
    phrase: str


@dataclass(frozen=True)
class Track:
    """What perception reports of one tracked candidate on one frame.

    ``mask`` is a boolean (H, W) array (None when the backend has no mask);
    ``visible`` is False while the object is occluded or out of view, and then
    ``box`` is the last known box.
    """

    id: int
    label: str
    score: float
    box: Box
    visible: bool = True
    mask: np.ndarray | None = None


@dataclass(frozen=True)
class TrackTrajectory:
    """A candidate's trajectory over a window.

    ``boxes`` is a float array of shape (N, 6): ``[frame_index, x1, y1, x2, y2,
    visible]``, frame indices relative to the window start, increasing; frames
    where the track was not observed are simply absent.
    """

    id: int
    label: str
    score: float
    boxes: np.ndarray
    attributes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Keyframe:
    """A full-resolution frame kept for appearance verification (VideoLISA's dense frames).

    ``frame_index`` is a window frame (like the trajectory rows), ``masks``
    maps track id to a boolean (H, W) mask on this frame.
    """

    frame_index: int
    image: np.ndarray
    masks: Mapping[int, np.ndarray]


@dataclass(frozen=True)
class TrajectoryWindow:
    """Everything the reasoner sees: the trajectory-window contract of docs/contracts.md.

    ``camera`` holds, per window frame, the 3x3 homography mapping pixels of
    frame t-1 to frame t (identity for frame 0), or None when unknown.
    ``first_frame`` is the stream index of window frame 0 (0 for a JSON window).
    ``keyframes`` are not part of the JSON contract; they let verification look
    at pixels when the window comes from a live stream.
    """

    query: str
    fps: float
    width: int
    height: int
    num_frames: int
    tracks: tuple[TrackTrajectory, ...]
    camera: np.ndarray | None = None
    keyframes: tuple[Keyframe, ...] = ()
    first_frame: int = 0

    def track(self, track_id: int) -> TrackTrajectory:
        for t in self.tracks:
            if t.id == track_id:
                return t
        raise KeyError(track_id)

    def to_dict(self) -> dict[str, Any]:
        """Serialize to the JSON contract (keyframes are not serialized)."""
        out: dict[str, Any] = {
            "version": CONTRACT_VERSION,
            "query": self.query,
            "fps": float(self.fps),
            "width": int(self.width),
            "height": int(self.height),
            "num_frames": int(self.num_frames),
        }
        if self.camera is not None:
            out["camera"] = [[round(float(v), 8) for v in h.reshape(9)] for h in self.camera]
        out["tracks"] = [
            {
                "id": int(t.id),
                "label": t.label,
                "score": round(float(t.score), 6),
                "attributes": dict(t.attributes),
                "boxes": [
                    [int(r[0]), round(float(r[1]), 3), round(float(r[2]), 3), round(float(r[3]), 3),
                     round(float(r[4]), 3), int(r[5])]
                    for r in t.boxes
                ],
            }
            for t in self.tracks
        ]
        return out


@dataclass(frozen=True)
class Descriptor:
    """One piece of meaning from a command.

    ``kind`` names what is described (the vocabulary is documented in
    ``rvos_ros.reasoning.query_parser``), ``value`` refines it ("left",
    "fastest", "red"), ``ref`` names a context entity for relations ("dog" in
    "approaches the dog"), ``negated`` flips it ("not moving").
    """

    kind: str
    value: str = ""
    ref: str = ""
    negated: bool = False


@dataclass(frozen=True)
class ParsedQuery:
    """A command decomposed as PARSE-VOS does.

    ``categories``: canonical singular candidate categories (empty: any object).
    ``context``: other entities the command mentions.
    ``motions``/``attributes``/``relations``: motion, appearance/posture and
    spatial descriptors. ``count``: expected number of targets (0 = all that
    match). ``understood`` is False when words that carry meaning were not
    recognized (listed in ``unknown_words``); ``needs_knowledge`` is True when
    the command needs world knowledge the rules do not have.
    """

    text: str
    categories: tuple[str, ...] = ()
    context: tuple[str, ...] = ()
    motions: tuple[Descriptor, ...] = ()
    attributes: tuple[Descriptor, ...] = ()
    relations: tuple[Descriptor, ...] = ()
    count: int = 1
    understood: bool = True
    unknown_words: tuple[str, ...] = ()
    needs_knowledge: bool = False
    source: str = "rules"


@dataclass(frozen=True)
class Decision:
    """Which candidates the command means (the Decision contract of docs/contracts.md).

    ``frame_index`` is the stream frame the decision was made on and
    ``generation`` the command generation it answers; neither is part of the
    JSON contract.
    """

    targets: tuple[int, ...] = ()
    confidence: float = 0.0
    state: str = "no_command"
    stage: str = "rules"
    candidates: tuple[int, ...] = ()
    rationale: str = ""
    frame_index: int = -1
    generation: int = 0

    def __post_init__(self) -> None:
        if self.state not in STATES:
            raise ValueError(f"unknown decision state {self.state!r}; expected one of {STATES}")
        if self.stage not in STAGES:
            raise ValueError(f"unknown decision stage {self.stage!r}; expected one of {STAGES}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": CONTRACT_VERSION,
            "targets": [int(t) for t in self.targets],
            "confidence": round(float(self.confidence), 4),
            "state": self.state,
            "stage": self.stage,
            "candidates": [int(c) for c in self.candidates],
            "rationale": self.rationale,
        }


@dataclass(frozen=True)
class FrameResult:
    """What the runtime produces for one input frame.

    ``mask`` is the boolean (H, W) union of the current targets' masks on this
    frame (all False when there is no target). ``timings_ms`` holds per-stage
    milliseconds; ``dropped`` counts input frames dropped so far (live mode);
    ``error`` is a one-line report of a fault on this frame, "" if none.
    ``degraded`` names the budget steps in force on this frame, in the order
    they were taken (``budget.degrade``: "detector", "overlay", "tracks");
    empty when the frame ran with everything on. While it holds "overlay"
    the transport publishes no overlay image.
    """

    frame_index: int
    stamp_ns: int
    frame_id: str
    seq: int
    mask: np.ndarray
    decision: Decision
    tracks: tuple[Track, ...] = ()
    timings_ms: Mapping[str, float] = field(default_factory=dict)
    dropped: int = 0
    error: str = ""
    degraded: tuple[str, ...] = ()

    @property
    def overlay_allowed(self) -> bool:
        """False while the frame budget has turned the overlay off (the transport skips drawing it)."""
        return "overlay" not in self.degraded
