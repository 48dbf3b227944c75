"""Dataset and prediction folders (docs/contracts.md, "Dataset folder").

Dataset (DAVIS layout, Ref-YouTube-VOS/MeViS metadata)::

    JPEGImages/<video>/<frame>.jpg
    Annotations/<video>/<frame>.png        palette PNG, one index per object
    meta_expressions.json                  {"videos": {video: {"frames": [...],
                                             "expressions": {eid: {"exp": ..., "obj_id": [..]}}}}}
    meta.json                              {"videos": {video: {"objects": {obj_id: {"category": ...}}}}}

Predictions (Ref-YouTube-VOS/MeViS submission form)::

    <pred>/<video>/<exp_id>/<frame>.png    binary, 0 or 255
    <pred>/decisions.json                  {"video/exp_id": {decision..., "timeline": [...]}}

Extensions we write and read when present (others' datasets need none):
``meta.json`` videos may carry ``"fps"``; expressions may carry ``"category"``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import Image

from rvos_ros.errors import InputError

__all__ = [
    "DatasetFolder",
    "DatasetWriter",
    "Expression",
    "PredictionFolder",
    "PredictionWriter",
    "VideoInfo",
    "davis_palette",
    "read_binary_png",
    "read_index_png",
    "write_binary_png",
    "union_mask",
    "write_index_png",
]


def davis_palette() -> list[int]:
    """The DAVIS/PASCAL VOC colour palette (256 RGB triples, flattened)."""
    pal = []
    for i in range(256):
        c = i
        r = g = b = 0
        for j in range(8):
            r |= ((c >> 0) & 1) << (7 - j)
            g |= ((c >> 1) & 1) << (7 - j)
            b |= ((c >> 2) & 1) << (7 - j)
            c >>= 3
        pal += [r, g, b]
    return pal


_PALETTE = davis_palette()


def write_index_png(path: Path, labels: np.ndarray) -> None:
    """Write an object-index map (uint8, 0 = background) as a palette PNG."""
    img = Image.fromarray(np.ascontiguousarray(labels, dtype=np.uint8), mode="P")
    img.putpalette(_PALETTE)
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, optimize=False)


def read_index_png(path: Path) -> np.ndarray:
    """Read a palette (or greyscale) PNG as an object-index map (uint8)."""
    try:
        with Image.open(path) as img:
            if img.mode in ("P", "L"):
                return np.array(img, dtype=np.uint8)
            if img.mode in ("1", "I", "I;16"):
                return np.array(img).astype(np.uint8)
            raise InputError(f"annotation {str(path)!r} has mode {img.mode}; expected a palette or greyscale PNG")
    except (OSError, ValueError) as err:
        raise InputError(f"cannot read annotation {str(path)!r}: {err}") from err


def write_binary_png(path: Path, mask: np.ndarray) -> None:
    """Write a boolean mask as a binary PNG (0 or 255)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    ok = cv2.imwrite(str(path), np.where(mask, 255, 0).astype(np.uint8))
    if not ok:
        raise InputError(f"cannot write mask {str(path)!r}; check that the folder is writable")


def read_binary_png(path: Path) -> np.ndarray:
    """Read a binary prediction PNG as a boolean mask (any non-zero pixel is foreground)."""
    arr = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    if arr is None:
        raise InputError(f"cannot read mask {str(path)!r}; is it a PNG?")
    return arr > 0


def _read_json(path: Path, what: str) -> Any:
    if not path.is_file():
        raise InputError(f"{what} {str(path)!r} is missing; see 'Dataset folder' in docs/contracts.md for the layout")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise InputError(f"{what} {str(path)!r} is not valid JSON: {err}") from err


def _obj_ids(value: Any, where: str) -> tuple[int, ...]:
    vals = value if isinstance(value, list) else [value]
    try:
        return tuple(sorted({int(v) for v in vals}))
    except (TypeError, ValueError) as err:
        raise InputError(f"{where}: obj_id must be an integer or a list of integers, got {value!r}") from err


@dataclass(frozen=True)
class Expression:
    """One referring expression and the objects it means."""

    video: str
    exp_id: str
    text: str
    obj_ids: tuple[int, ...]
    category: str | None = None

    @property
    def key(self) -> str:
        return f"{self.video}/{self.exp_id}"


@dataclass(frozen=True)
class VideoInfo:
    """A video of the dataset: its frame names, its objects' categories and frame rate (None if unknown)."""

    name: str
    frames: tuple[str, ...]
    objects: Mapping[int, str] = field(default_factory=dict)
    fps: float | None = None


class DatasetFolder:
    """Read access to a dataset folder; raises InputError naming what is missing."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        if not self.root.is_dir():
            raise InputError(
                f"dataset folder {str(self.root)!r} does not exist; create one with `rvos-ros synth --out DIR`"
            )
        meta_exp = _read_json(self.root / "meta_expressions.json", "expressions file")
        if not isinstance(meta_exp, dict) or not isinstance(meta_exp.get("videos"), dict):
            raise InputError(f"{str(self.root / 'meta_expressions.json')!r} must hold {{\"videos\": {{...}}}}")
        meta_path = self.root / "meta.json"
        meta = _read_json(meta_path, "object metadata file") if meta_path.is_file() else {"videos": {}}
        meta_videos = meta.get("videos", {}) if isinstance(meta, dict) else {}
        self.videos: dict[str, VideoInfo] = {}
        self.expressions: list[Expression] = []
        for name in sorted(meta_exp["videos"]):
            entry = meta_exp["videos"][name]
            where = f"meta_expressions.json video {name!r}"
            if not isinstance(entry, dict):
                raise InputError(f"{where} must be a mapping")
            frames = entry.get("frames")
            if frames is None:
                frames = sorted(p.stem for p in (self.root / "JPEGImages" / name).glob("*.jpg"))
            if not frames:
                raise InputError(f"{where} has no frames; list them under 'frames' or add JPEGImages/{name}/*.jpg")
            vmeta = meta_videos.get(name, {}) if isinstance(meta_videos, dict) else {}
            objs = vmeta.get("objects") if isinstance(vmeta, dict) else None
            if not isinstance(vmeta, dict) or not isinstance(objs or {}, dict):
                raise InputError(
                    f"meta.json video {name!r} must hold {{\"objects\": {{obj_id: {{\"category\": ...}}}}}}"
                )
            objects = {}
            for oid, o in (objs or {}).items():
                try:
                    objects[int(oid)] = str(o.get("category", "object")) if isinstance(o, dict) else "object"
                except ValueError as err:
                    raise InputError(f"meta.json video {name!r}: object ids must be integers, got {oid!r}") from err
            fps = vmeta.get("fps")
            self.videos[name] = VideoInfo(name, tuple(str(f) for f in frames), objects,
                                          float(fps) if fps is not None else None)
            exps = entry.get("expressions") or {}
            for eid in sorted(exps, key=lambda e: (len(str(e)), str(e))):
                e = exps[eid]
                if not isinstance(e, dict) or "exp" not in e or "obj_id" not in e:
                    raise InputError(f"{where} expression {eid!r} needs 'exp' and 'obj_id'")
                self.expressions.append(
                    Expression(name, str(eid), str(e["exp"]), _obj_ids(e["obj_id"], f"{where} expression {eid!r}"),
                               e.get("category"))
                )

    def image_path(self, video: str, frame: str) -> Path:
        return self.root / "JPEGImages" / video / f"{frame}.jpg"

    def image(self, video: str, frame: str) -> np.ndarray:
        """RGB uint8 image of a frame."""
        path = self.image_path(video, frame)
        bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if bgr is None:
            raise InputError(f"frame image {str(path)!r} is missing or unreadable")
        return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)

    def labels(self, video: str, frame: str, shape: tuple[int, int] | None = None) -> np.ndarray:
        """Object-index map of a frame (all zeros when the frame has no annotation and ``shape`` is given)."""
        path = self.root / "Annotations" / video / f"{frame}.png"
        if not path.is_file():
            if shape is None:
                raise InputError(f"annotation {str(path)!r} is missing")
            return np.zeros(shape, np.uint8)
        return read_index_png(path)

    def has_annotation(self, video: str, frame: str) -> bool:
        return (self.root / "Annotations" / video / f"{frame}.png").is_file()


class DatasetWriter:
    """Writes a dataset folder; metadata files are written by ``close()``."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self._exp: dict[str, dict[str, Any]] = {}
        self._meta: dict[str, dict[str, Any]] = {}

    def add_video(self, name: str, objects: Mapping[int, str], fps: float | None = None) -> None:
        self._exp[name] = {"frames": [], "expressions": {}}
        self._meta[name] = {"objects": {str(k): {"category": v} for k, v in sorted(objects.items())}}
        if fps is not None:
            self._meta[name]["fps"] = float(fps)

    def write_frame(self, video: str, frame: str, image_rgb: np.ndarray, labels: np.ndarray, *,
                    jpeg_quality: int = 95) -> None:
        path = self.root / "JPEGImages" / video / f"{frame}.jpg"
        path.parent.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(path), cv2.cvtColor(image_rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, jpeg_quality])
        write_index_png(self.root / "Annotations" / video / f"{frame}.png", labels)
        self._exp[video]["frames"].append(frame)

    def add_expression(self, video: str, exp_id: str, text: str, obj_ids: Iterable[int],
                       category: str | None = None) -> None:
        e: dict[str, Any] = {"exp": text, "obj_id": sorted(int(o) for o in obj_ids)}
        if category is not None:
            e["category"] = category
        self._exp[video]["expressions"][str(exp_id)] = e

    def close(self) -> None:
        (self.root / "meta_expressions.json").write_text(
            json.dumps({"videos": self._exp}, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        (self.root / "meta.json").write_text(
            json.dumps({"videos": self._meta}, indent=1, sort_keys=True) + "\n", encoding="utf-8")


class PredictionWriter:
    """Writes binary masks per expression and frame, and ``decisions.json`` on ``close()``."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self._decisions: dict[str, Any] = {}

    def write_mask(self, video: str, exp_id: str, frame: str, mask: np.ndarray) -> None:
        write_binary_png(self.root / video / exp_id / f"{frame}.png", mask)

    def set_decision(self, video: str, exp_id: str, record: Mapping[str, Any]) -> None:
        self._decisions[f"{video}/{exp_id}"] = dict(record)

    def close(self) -> None:
        (self.root / "decisions.json").write_text(
            json.dumps(self._decisions, indent=1, sort_keys=True) + "\n", encoding="utf-8")


class PredictionFolder:
    """Read access to a prediction folder."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        if not self.root.is_dir():
            raise InputError(f"prediction folder {str(self.root)!r} does not exist; write one with `rvos-ros run`")
        dec_path = self.root / "decisions.json"
        self.decisions: dict[str, Any] = _read_json(dec_path, "decisions file") if dec_path.is_file() else {}
        if not isinstance(self.decisions, dict):
            raise InputError(f"{str(dec_path)!r} must map 'video/exp_id' to a decision")

    def mask_path(self, video: str, exp_id: str, frame: str) -> Path:
        return self.root / video / exp_id / f"{frame}.png"

    def mask(self, video: str, exp_id: str, frame: str, shape: tuple[int, int]) -> np.ndarray:
        """The predicted mask; a missing PNG counts as an empty mask."""
        path = self.mask_path(video, exp_id, frame)
        if not path.is_file():
            return np.zeros(shape, bool)
        m = read_binary_png(path)
        if m.shape != shape:
            raise InputError(f"mask {str(path)!r} has size {m.shape[::-1]}, the frame has {shape[::-1]}; "
                             "predictions must match the frame size")
        return m


def union_mask(labels: np.ndarray, obj_ids: Sequence[int]) -> np.ndarray:
    """Boolean union of the given object indices in an index map."""
    return np.isin(labels, np.asarray(list(obj_ids), dtype=labels.dtype))
