"""Dataset and prediction folders (docs/contracts.md, "Dataset folder" and "Prediction folder").

Datasets, in the layouts the RVOS benchmarks release (recognised, never guessed)::

    DAVIS / ours             Ref-YouTube-VOS, Ref-DAVIS17 (split)      MeViS (split)
    JPEGImages/<v>/<f>.jpg   <split>/JPEGImages/<v>/<f>.jpg            JPEGImages/<v>/<f>.jpg
    Annotations/<v>/<f>.png  <split>/Annotations/<v>/<f>.png           mask_dict.json  {anno_id: [RLE|null per frame]}
    meta_expressions.json    meta_expressions/<split>/meta_expressions.json   meta_expressions.json (with anno_id)
    meta.json (optional)     <split>/meta.json (optional)

``JPEGImages/480p`` and ``Annotations/480p`` (the DAVIS 2017 release) are read
when present. ``meta_expressions.json``: ``{"videos": {video: {"frames": [...],
"expressions": {eid: {"exp": ..., "obj_id": [..], "anno_id": [..]}}}}}``;
``meta.json``: ``{"videos": {video: {"objects": {obj_id: {"category": ...}}}}}``.
A split without ground truth (the benchmarks' valid/test splits: no
``obj_id``/``anno_id``) can be run, not scored. A folder whose expressions name
objects but which holds neither ``Annotations`` nor ``mask_dict.json`` is
refused, naming what is missing.

MeViS objects are numbered per video for the rest of the package: the video's
``anno_id``s in ascending order become object ids 1, 2, ... (``Expression.obj_ids``
and the label maps of :meth:`DatasetFolder.labels` use them); the ground truth
of an expression is the union of its RLE masks.

Predictions (the Ref-YouTube-VOS/MeViS submission layout)::

    <pred>/Annotations/<video>/<exp_id>/<frame>.png   binary, 0 or 255 (older folders: <pred>/<video>/...)
    <pred>/online/<video>/<exp_id>/<frame>.png        offline mode only: the masks published frame by frame
    <pred>/decisions.json                             {"version": 2, "provenance": {...},
                                                       "decisions": {"video/exp_id": {decision..., "timeline": [...]}}}
    <pred>/submission.zip                             ``run --zip``: Annotations/ as the servers take it

Extensions we write and read when present (others' datasets need none):
``meta.json`` videos may carry ``"fps"``; expressions may carry ``"category"``.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import cv2
import numpy as np
from PIL import Image

from rvos_ros.errors import InputError
from rvos_ros.eval.rle import decode_rle

__all__ = [
    "DECISIONS_VERSION",
    "DatasetFolder",
    "DatasetWriter",
    "Expression",
    "Layout",
    "PredictionFolder",
    "PredictionWriter",
    "VideoInfo",
    "davis_palette",
    "read_binary_png",
    "read_index_png",
    "write_binary_png",
    "union_mask",
    "write_index_png",
    "write_submission_zip",
]

DECISIONS_VERSION = 2
"""``decisions.json``: 2 wraps the records with the run's provenance; 1 (a bare ``{"video/exp_id": record}``) is
still read."""

Layout = Literal["davis", "ref-youtube-vos", "mevis"]
_LAYOUTS_HINT = "see 'Dataset folder' in docs/contracts.md for the layouts read (DAVIS, Ref-YouTube-VOS, MeViS)"
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


def _obj_ids(value: Any, where: str, key: str = "obj_id") -> tuple[int, ...]:
    vals = value if isinstance(value, list) else [value]
    try:
        return tuple(sorted({int(v) for v in vals}))
    except (TypeError, ValueError) as err:
        raise InputError(f"{where}: {key} must be an integer or a list of integers, got {value!r}") from err


@dataclass(frozen=True)
class Expression:
    """One referring expression and the objects it means.

    ``obj_ids`` are object ids of the video's label maps (MeViS: the numbering of its ``anno_ids``, see the
    module docstring); ``annotated`` is False for an expression without ground truth (a benchmark's
    valid/test split), which can be run but not scored.
    """

    video: str
    exp_id: str
    text: str
    obj_ids: tuple[int, ...]
    category: str | None = None
    anno_ids: tuple[int, ...] = ()
    annotated: bool = True

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


def _subfolder(root: Path, name: str) -> Path | None:
    """``root/name/480p`` (the DAVIS 2017 release) or ``root/name``, whichever is a folder; None if neither."""
    for candidate in (root / name / "480p", root / name):
        if candidate.is_dir():
            return candidate
    return None


class DatasetFolder:
    """Read access to a dataset folder in one of the benchmark layouts; raises InputError naming what is missing.

    ``layout`` says which was recognised; ``has_truth`` whether every expression has ground truth, and
    ``truth_problem`` (when it does not) what is missing, for :meth:`require_truth`.
    """

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        if not self.root.is_dir():
            raise InputError(
                f"dataset folder {str(self.root)!r} does not exist; create one with `rvos-ros synth --out DIR`"
            )
        meta_exp_path = self._find_meta_expressions()
        meta_exp = _read_json(meta_exp_path, "expressions file")
        if not isinstance(meta_exp, dict) or not isinstance(meta_exp.get("videos"), dict):
            raise InputError(f"{str(meta_exp_path)!r} must hold {{\"videos\": {{...}}}}")
        images = _subfolder(self.root, "JPEGImages")
        if images is None:
            raise InputError(f"dataset folder {str(self.root)!r} has no JPEGImages folder (the frame images); "
                             f"{_LAYOUTS_HINT}")
        self.images: Path = images
        self.annotations: Path | None = _subfolder(self.root, "Annotations")
        meta_path = self.root / "meta.json"
        meta = _read_json(meta_path, "object metadata file") if meta_path.is_file() else {"videos": {}}
        meta_videos = meta.get("videos", {}) if isinstance(meta, dict) else {}
        self.videos: dict[str, VideoInfo] = {}
        self.expressions: list[Expression] = []
        self._anno_labels: dict[str, dict[int, int]] = {}
        """MeViS: per video, anno_id -> object id (1, 2, ... in anno_id order)."""
        raw: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        for name in sorted(meta_exp["videos"]):
            entry = meta_exp["videos"][name]
            where = f"meta_expressions.json video {name!r}"
            if not isinstance(entry, dict):
                raise InputError(f"{where} must be a mapping")
            frames = entry.get("frames")
            if frames is None:
                frames = sorted(p.stem for p in (self.images / name).glob("*.jpg")) or sorted(
                    p.stem for p in (self.images / name).glob("*.png"))
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
            if not isinstance(exps, dict):
                raise InputError(f"{where}: 'expressions' must map expression ids to {{'exp': ..., 'obj_id': ...}}")
            raw[name] = []
            for eid in sorted(exps, key=lambda e: (len(str(e)), str(e))):
                e = exps[eid]
                if not isinstance(e, dict) or "exp" not in e:
                    raise InputError(f"{where} expression {eid!r} needs 'exp' and 'obj_id'")
                raw[name].append((str(eid), e))
        mevis = any("anno_id" in e for exps_ in raw.values() for _, e in exps_)
        self.layout: Layout = "mevis" if mevis else (
            "davis" if meta_exp_path.parent == self.root else "ref-youtube-vos")
        self._mask_dict_path = self.root / "mask_dict.json"
        self._mask_dict: dict[str, Any] | None = None
        self._decoded_key: tuple[str, int] | None = None
        self._decoded: dict[int, np.ndarray] = {}
        for name, exps_ in raw.items():
            self._add_expressions(name, exps_)
        self.truth_problem = self._truth_problem()
        self.has_truth = not self.truth_problem

    # -- reading the layout ----------------------------------------------------------
    def _find_meta_expressions(self) -> Path:
        own = self.root / "meta_expressions.json"
        if own.is_file():
            return own
        split = self.root.parent / "meta_expressions" / self.root.name / "meta_expressions.json"
        if split.is_file():  # Ref-YouTube-VOS / Ref-DAVIS17 release: <release>/<split>/ + meta_expressions/<split>/
            return split
        release = self.root / "meta_expressions"
        if release.is_dir():
            splits = sorted(p.name for p in release.iterdir() if p.is_dir() and (self.root / p.name).is_dir())
            example = str(self.root / splits[0]) if splits else str(self.root / "train")
            raise InputError(f"{str(self.root)!r} is a benchmark release, not one split; give a split folder, "
                             f"e.g. {example!r}")
        return own  # missing: _read_json names it

    def _add_expressions(self, video: str, exps: list[tuple[str, dict[str, Any]]]) -> None:
        where = f"meta_expressions.json video {video!r}"
        if self.layout != "mevis":
            for eid, e in exps:
                annotated = "obj_id" in e
                ids = _obj_ids(e["obj_id"], f"{where} expression {eid!r}") if annotated else ()
                self.expressions.append(Expression(video, eid, str(e["exp"]), ids, e.get("category"),
                                                   annotated=annotated))
            return
        annos: dict[str, tuple[int, ...]] = {}
        for eid, e in exps:
            if "anno_id" in e:
                annos[eid] = _obj_ids(e["anno_id"], f"{where} expression {eid!r}", "anno_id")
            elif "obj_id" in e:
                raise InputError(f"{where} expression {eid!r} has 'obj_id' but no 'anno_id'; in the MeViS layout "
                                 "every annotated expression names its masks in mask_dict.json by anno_id")
        labels = {a: i + 1 for i, a in enumerate(sorted({a for ids in annos.values() for a in ids}))}
        if len(labels) > 255:
            raise InputError(f"{where} has {len(labels)} annotated objects; at most 255 per video are supported")
        self._anno_labels[video] = labels
        info = self.videos[video]
        if not info.objects:
            self.videos[video] = VideoInfo(video, info.frames, dict.fromkeys(labels.values(), "object"), info.fps)
        for eid, e in exps:
            found = annos.get(eid)
            self.expressions.append(Expression(
                video, eid, str(e["exp"]), tuple(sorted(labels[a] for a in found)) if found is not None else (),
                e.get("category"), anno_ids=found or (), annotated=found is not None))

    def _truth_problem(self) -> str:
        """What keeps this dataset from being scored ("" if nothing)."""
        where = f"dataset folder {str(self.root)!r}"
        bare = [e for e in self.expressions if not e.annotated]
        if bare:
            return (f"{where} has no ground truth for {len(bare)} expression(s) (e.g. {bare[0].key!r} names no "
                    f"{'anno_id' if self.layout == 'mevis' else 'obj_id'}); a benchmark's valid/test split is "
                    "scored by its server: submit `rvos-ros run --zip` output there")
        if self.layout == "mevis" and not self._mask_dict_path.is_file():
            return (f"{where} has MeViS expressions (anno_id) but no mask_dict.json (their masks); "
                    "copy it from the MeViS release beside meta_expressions.json")
        if self.layout != "mevis" and self.expressions:
            if self.annotations is None:
                return (f"{where} names objects (obj_id) but has no Annotations folder (DAVIS, Ref-YouTube-VOS) "
                        f"and no mask_dict.json with anno_id (MeViS); {_LAYOUTS_HINT}")
            bare_videos = sorted({e.video for e in self.expressions} - {p.name for p in self.annotations.iterdir()})
            if bare_videos:
                return (f"{where} has no annotations for video {bare_videos[0]!r} (no folder "
                        f"{str(self.annotations / bare_videos[0])!r}), whose expressions name objects; "
                        "add its annotation PNGs or drop the video from meta_expressions.json")
        return ""

    def require_truth(self) -> None:
        """Raise InputError unless every expression has ground truth to score against (or for the oracle)."""
        if self.truth_problem:
            raise InputError(self.truth_problem)

    def _masks(self) -> dict[str, Any]:
        """MeViS ``mask_dict.json``, read and checked against the expressions on first use."""
        if self._mask_dict is None:
            self.require_truth()
            md = _read_json(self._mask_dict_path, "MeViS mask file")
            if not isinstance(md, dict):
                raise InputError(f"{str(self._mask_dict_path)!r} must map anno_id to a list of RLE masks per frame")
            for video, labels in self._anno_labels.items():
                n = len(self.videos[video].frames)
                for a in labels:
                    rles = md.get(str(a))
                    if not isinstance(rles, list):
                        raise InputError(f"mask_dict.json has no masks for anno_id {a} of video {video!r}; "
                                         "is it the mask_dict.json of this split?")
                    if len(rles) != n:
                        raise InputError(f"mask_dict.json anno_id {a} has {len(rles)} frame masks but video "
                                         f"{video!r} has {n} frames; is it the mask_dict.json of this split?")
            self._mask_dict = md
        return self._mask_dict

    def _decode(self, video: str, frame: str) -> dict[int, np.ndarray]:
        """MeViS: the masks of the video's objects present on ``frame``, by anno_id (last frame cached)."""
        index = self.videos[video].frames.index(frame)
        if self._decoded_key != (video, index):
            md = self._masks()
            self._decoded = {a: decode_rle(md[str(a)][index], f"mask_dict.json anno_id {a} frame {index}")
                             for a in self._anno_labels.get(video, {}) if md[str(a)][index] is not None}
            self._decoded_key = (video, index)
        return self._decoded

    # -- frames ------------------------------------------------------------------------
    def image_path(self, video: str, frame: str) -> Path:
        path = self.images / video / f"{frame}.jpg"
        png = path.with_suffix(".png")
        return png if not path.is_file() and png.is_file() else path

    def image(self, video: str, frame: str) -> np.ndarray:
        """RGB uint8 image of a frame."""
        path = self.image_path(video, frame)
        bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if bgr is None:
            raise InputError(f"frame image {str(path)!r} is missing or unreadable")
        return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)

    def _annotation_path(self, video: str, frame: str) -> Path:
        return (self.annotations or self.root / "Annotations") / video / f"{frame}.png"

    def labels(self, video: str, frame: str, shape: tuple[int, int] | None = None) -> np.ndarray:
        """Object-index map of a frame (all zeros when the frame has no annotation and ``shape`` is given).

        MeViS: drawn from the RLE masks, object ids as in the module docstring (a later anno_id wins where
        masks overlap; :meth:`truth` unions the masks themselves).
        """
        if self.layout == "mevis" and self.has_truth:
            masks = self._decode(video, frame)
            if shape is None:
                shape = next(iter(masks.values())).shape if masks else self.image(video, frame).shape[:2]
            lab = np.zeros(shape, np.uint8)
            for a, m in masks.items():
                if m.shape != shape:
                    raise InputError(f"mask_dict.json anno_id {a} has size {m.shape[::-1]} on video {video!r} frame "
                                     f"{frame!r}, the frame has {shape[::-1]}; all masks must have the frame size")
                lab[m] = self._anno_labels[video][a]
            return lab
        path = self._annotation_path(video, frame)
        if not path.is_file():
            if shape is None:
                raise InputError(f"annotation {str(path)!r} is missing")
            return np.zeros(shape, np.uint8)
        return read_index_png(path)

    def truth(self, exp: Expression, frame: str, labels: np.ndarray) -> np.ndarray:
        """The expression's ground truth on ``frame``: the union of its objects' masks (``labels``: the frame's
        :meth:`labels`, whose size it has)."""
        if self.layout != "mevis":
            return union_mask(labels, exp.obj_ids)
        mask = np.zeros(labels.shape[:2], bool)
        for a, m in self._decode(exp.video, frame).items():
            if a in exp.anno_ids and m.shape == mask.shape:
                mask |= m
        return mask

    def has_annotation(self, video: str, frame: str) -> bool:
        if self.layout == "mevis":
            return self.has_truth and bool(self._decode(video, frame))
        return self._annotation_path(video, frame).is_file()


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


MASKS = "Annotations"
"""The prediction folder's submission masks: ``<pred>/Annotations/<video>/<exp_id>/<frame>.png``."""
ONLINE = "online"
"""Offline runs: the masks published frame by frame, ``<pred>/online/<video>/<exp_id>/<frame>.png``."""


class PredictionWriter:
    """Writes binary masks per expression and frame, and ``decisions.json`` (with ``provenance``) on ``close()``."""

    def __init__(self, root: str | Path, provenance: Mapping[str, Any] | None = None) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.provenance = dict(provenance or {})
        self._decisions: dict[str, Any] = {}

    def write_mask(self, video: str, exp_id: str, frame: str, mask: np.ndarray, *, online: bool = False) -> None:
        """A submission mask, or (``online``) a mask published on that frame of an offline run."""
        write_binary_png(self.root / (ONLINE if online else MASKS) / video / exp_id / f"{frame}.png", mask)

    def set_decision(self, video: str, exp_id: str, record: Mapping[str, Any]) -> None:
        self._decisions[f"{video}/{exp_id}"] = dict(record)

    def close(self) -> None:
        doc = {"version": DECISIONS_VERSION, "provenance": self.provenance, "decisions": self._decisions}
        (self.root / "decisions.json").write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def write_submission_zip(root: str | Path) -> Path:
    """Zip ``<root>/Annotations`` into ``<root>/submission.zip`` (entries ``Annotations/<video>/<exp>/<frame>.png``,
    sorted, fixed timestamps: the same masks give the same bytes), as the benchmark servers take it."""
    root = Path(root)
    masks = root / MASKS
    if not masks.is_dir():
        raise InputError(f"prediction folder {str(root)!r} has no {MASKS} folder to zip; run `rvos-ros run` first")
    out = root / "submission.zip"
    try:
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(masks.rglob("*.png")):
                info = zipfile.ZipInfo(path.relative_to(root).as_posix(), date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, path.read_bytes())
    except OSError as err:
        raise InputError(f"cannot write {str(out)!r}: {err}; check that the folder is writable") from err
    return out


class PredictionFolder:
    """Read access to a prediction folder; ``provenance`` is None for folders written before it was recorded."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        if not self.root.is_dir():
            raise InputError(f"prediction folder {str(self.root)!r} does not exist; write one with `rvos-ros run`")
        dec_path = self.root / "decisions.json"
        doc: Any = _read_json(dec_path, "decisions file") if dec_path.is_file() else {}
        if not isinstance(doc, dict):
            raise InputError(f"{str(dec_path)!r} must map 'video/exp_id' to a decision")
        self.provenance: dict[str, Any] | None = None
        if "decisions" in doc and "version" in doc:
            if doc["version"] != DECISIONS_VERSION:
                raise InputError(f"{str(dec_path)!r} has version {doc['version']!r}; this rvos_ros reads version "
                                 f"{DECISIONS_VERSION} (and bare version 1 files): update rvos_ros or rerun")
            if not isinstance(doc["decisions"], dict) or not isinstance(doc.get("provenance", {}), dict):
                raise InputError(f"{str(dec_path)!r}: 'decisions' must map 'video/exp_id' to a decision and "
                                 "'provenance' must be an object")
            self.provenance = doc.get("provenance") or {}
            doc = doc["decisions"]
        self.decisions: dict[str, Any] = doc
        self.masks_root = self.root / MASKS if (self.root / MASKS).is_dir() else self.root
        self.online_root = self.root / ONLINE if (self.root / ONLINE).is_dir() else None

    @property
    def mode(self) -> str:
        """``online`` or ``offline``, as the provenance says (``online`` when it says nothing)."""
        return str((self.provenance or {}).get("mode", "online"))

    def mask_path(self, video: str, exp_id: str, frame: str, *, online: bool = False) -> Path:
        base = (self.online_root or self.root / ONLINE) if online else self.masks_root
        return base / video / exp_id / f"{frame}.png"

    def has_mask(self, video: str, exp_id: str, frame: str, *, online: bool = False) -> bool:
        return self.mask_path(video, exp_id, frame, online=online).is_file()

    def mask(self, video: str, exp_id: str, frame: str, shape: tuple[int, int], *,
             online: bool = False) -> np.ndarray:
        """The predicted mask; a missing PNG reads as an empty mask (the report counts them)."""
        path = self.mask_path(video, exp_id, frame, online=online)
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
