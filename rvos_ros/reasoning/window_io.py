"""Reading trajectory windows (the JSON contract of docs/contracts.md) with clear errors.

Structure and types are parsed by pydantic models; geometry is checked after
(finite, non-negative, non-inverted boxes; frame indices inside the window;
camera homographies of the right count and shape; unique track ids). Every
problem raises :class:`~rvos_ros.errors.InputError` naming the field (e.g.
``tracks[2].boxes[5]``) and the fix.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, ValidationError

from rvos_ros.errors import InputError
from rvos_ros.types import CONTRACT_VERSION, TrackTrajectory, TrajectoryWindow

__all__ = ["load_window", "window_from_dict"]


class _TrackModel(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: int
    label: str
    score: float = 1.0
    attributes: dict[str, str] = {}
    boxes: list[list[float]]


class _WindowModel(BaseModel):
    model_config = ConfigDict(extra="ignore")

    version: int
    query: str = ""
    fps: float
    width: int
    height: int
    num_frames: int
    camera: list[list[float]] | None = None
    tracks: list[_TrackModel]


def _where(loc: tuple[Any, ...]) -> str:
    """pydantic location → "tracks[2].boxes[5]"."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "window"


def _check_box(row: list[float], where: str, num_frames: int) -> None:
    if len(row) != 6:
        raise InputError(f"{where}: a box row must be [frame_index, x1, y1, x2, y2, visible], got {len(row)} values")
    if not all(math.isfinite(v) for v in row):
        raise InputError(f"{where}: box row {row} has NaN or infinite values; drop the row or fill in real numbers")
    frame, x1, y1, x2, y2, visible = row
    if frame != int(frame) or not 0 <= frame < num_frames:
        raise InputError(f"{where}: frame index {frame:g} is outside [0, num_frames={num_frames}); "
                         "use window-relative integer frame indices")
    if min(x1, y1, x2, y2) < 0:
        raise InputError(f"{where}: box {row[1:5]} has negative coordinates; clip boxes to the image")
    if x2 < x1 or y2 < y1:
        raise InputError(f"{where}: box {row[1:5]} is inverted (x2 < x1 or y2 < y1); write boxes as x1, y1, x2, y2")
    if visible not in (0, 1):
        raise InputError(f"{where}: visible flag must be 0 or 1, got {visible:g}")


def window_from_dict(data: Any) -> TrajectoryWindow:
    """Build a TrajectoryWindow from a parsed JSON object; raises InputError on any contract violation."""
    if not isinstance(data, dict):
        raise InputError(f"trajectory window must be a JSON object, got {type(data).__name__}")
    if "version" not in data:
        raise InputError(f"trajectory window: field 'version' is missing; add \"version\": {CONTRACT_VERSION}")
    if data["version"] != CONTRACT_VERSION:
        raise InputError(f"trajectory window: version {data['version']!r} is not supported; "
                         f"this reader understands version {CONTRACT_VERSION}")
    try:
        model = _WindowModel.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        raise InputError(f"trajectory window: {_where(first['loc'])}: {first['msg']}; "
                         "fix the field to match the trajectory-window contract of docs/contracts.md") from err
    if model.num_frames <= 0:
        raise InputError(f"num_frames: the window has {model.num_frames} frames; a window needs at least 1 frame")
    if not (math.isfinite(model.fps) and model.fps > 0):
        raise InputError(f"fps: must be a positive number, got {model.fps}")
    if model.width <= 0 or model.height <= 0:
        raise InputError(f"width/height: image size must be positive, got {model.width}x{model.height}")
    camera = None
    if model.camera is not None:
        if len(model.camera) != model.num_frames:
            raise InputError(f"camera: has {len(model.camera)} homographies for num_frames={model.num_frames}; "
                             "give one 3x3 homography per frame (identity for frame 0) or drop 'camera'")
        for i, h in enumerate(model.camera):
            if len(h) != 9:
                raise InputError(f"camera[{i}]: a homography must be 9 numbers (row-major 3x3), got {len(h)}")
            if not all(math.isfinite(v) for v in h):
                raise InputError(f"camera[{i}]: homography has NaN or infinite values; use the identity if unknown")
        camera = np.asarray(model.camera, dtype=np.float64).reshape(-1, 3, 3)
        if np.any(np.abs(np.linalg.det(camera)) < 1e-12):
            bad = int(np.nonzero(np.abs(np.linalg.det(camera)) < 1e-12)[0][0])
            raise InputError(f"camera[{bad}]: homography is singular; use the identity if the motion is unknown")
    seen: dict[int, int] = {}
    tracks = []
    for k, t in enumerate(model.tracks):
        if t.id in seen:
            raise InputError(f"tracks[{k}].id: track id {t.id} is used twice (also tracks[{seen[t.id]}]); "
                             "give every track a unique id")
        seen[t.id] = k
        last = -1.0
        for j, row in enumerate(t.boxes):
            _check_box(row, f"tracks[{k}].boxes[{j}]", model.num_frames)
            if row[0] <= last:
                raise InputError(f"tracks[{k}].boxes[{j}]: frame index {row[0]:g} is not after the previous row's; "
                                 "sort box rows by frame and keep one row per frame")
            last = row[0]
        boxes = np.asarray(t.boxes, dtype=np.float64).reshape(-1, 6)
        tracks.append(TrackTrajectory(t.id, t.label, float(t.score), boxes, dict(t.attributes)))
    return TrajectoryWindow(query=model.query, fps=float(model.fps), width=model.width, height=model.height,
                            num_frames=model.num_frames, tracks=tuple(tracks), camera=camera)


def load_window(path: str | Path) -> TrajectoryWindow:
    """Read a trajectory-window JSON file (docs/contracts.md)."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"trajectory window file {str(p)!r} does not exist; pass the path of a window JSON file")
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise InputError(f"trajectory window file {str(p)!r} is not valid JSON ({err}); "
                         "write it with json.dump or `rvos-ros synth`") from err
    return window_from_dict(data)
