"""A recorded bag with a labels topic as a dataset folder (DAVIS layout, docs/contracts.md): ``rvos-ros export``.

One bag is one video, named after the bag. Every camera frame becomes
``JPEGImages/<video>/<nnnnn>.jpg``; the labels message with the same header
stamp becomes ``Annotations/<video>/<nnnnn>.png`` (a frame without one has an
empty ground truth); the objects message gives ``meta.json``'s categories and
the stamps its ``fps``. Each distinct non-empty command becomes an expression
(ids 0, 1, ... in the order given). Which objects a command means is not in
the bag: it comes from ``<bag>.commands.json`` beside it when there is one
(``rvos-ros synth --bag`` writes it: ``[{"text": ..., "obj_ids": [..]}, ...]``);
expressions without it have no ground truth (they can be run, not scored).
Frames are written as they are read; nothing keeps the video in memory.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from rvos_ros.bag.reader import BagInput, BagTopics
from rvos_ros.errors import InputError
from rvos_ros.eval.dataset import write_index_png

__all__ = ["ExportSummary", "export_bag"]


@dataclass(frozen=True)
class ExportSummary:
    """What an export wrote."""

    dataset: Path
    video: str
    frames: int
    labelled: int
    expressions: int
    annotated: int
    fps: float
    skipped: tuple[str, ...] = ()

    def rows(self) -> list[tuple[str, object]]:
        rows: list[tuple[str, object]] = [
            ("video", self.video), ("frames", self.frames), ("frames with labels", self.labelled),
            ("expressions", self.expressions), ("  with ground truth", self.annotated), ("fps", round(self.fps, 3))]
        if self.skipped:
            rows.append(("messages skipped", len(self.skipped)))
        return rows


def _script(bag: Path) -> dict[str, list[int]]:
    """``<bag>.commands.json`` beside the bag: command text -> object ids ({} when there is none)."""
    path = bag.parent / f"{bag.stem if bag.is_file() else bag.name}.commands.json"
    if not path.is_file():
        return {}
    try:
        script = json.loads(path.read_text(encoding="utf-8"))
        return {str(c["text"]): [int(o) for o in c["obj_ids"]] for c in script if str(c.get("text", ""))}
    except (ValueError, TypeError, KeyError, AttributeError) as err:
        raise InputError(f"{str(path)!r} must be a list of {{\"text\": ..., \"obj_ids\": [..]}} ({err}); fix or "
                         "remove it") from err


def _prepare(out: Path, overwrite: bool) -> None:
    if out.exists() and not out.is_dir():
        raise InputError(f"output {str(out)!r} is a file; give a folder path for the dataset")
    if out.is_dir() and any(out.iterdir()):
        if not overwrite:
            raise InputError(f"output folder {str(out)!r} is not empty; choose a new folder or pass --overwrite")
        for sub in ("JPEGImages", "Annotations"):
            shutil.rmtree(out / sub, ignore_errors=True)
        for name in ("meta_expressions.json", "meta.json"):
            (out / name).unlink(missing_ok=True)


def _fps(stamps: list[int], default: float) -> float:
    steps = np.diff(np.asarray(stamps, dtype=np.int64))
    steps = steps[steps > 0]
    return 1e9 / float(np.median(steps)) if steps.size else default


def export_bag(bag: str | Path, out: str | Path, *, topics: BagTopics | None = None, video: str | None = None,
               overwrite: bool = False, default_fps: float = 15.0) -> ExportSummary:
    """Write ``bag`` as a dataset folder ``out`` (missing or empty unless ``overwrite``); see the module docstring.

    ``topics`` default to :class:`~rvos_ros.bag.reader.BagTopics`'s (``/image``, ``/command``, ``/sim/labels``,
    ``/sim/objects``).
    """
    bag, out = Path(bag), Path(out)
    topics = topics or BagTopics()
    name = video or (bag.stem if bag.is_file() else bag.name)
    if not name or "/" in name or name.startswith("."):
        raise InputError(f"video name {name!r} is not a folder name; pass --video NAME")
    script = _script(bag)
    with BagInput(bag, topics) as source:
        if not source.has_topic(topics.labels):
            raise InputError(f"bag {str(bag)!r} has no labels topic {topics.labels!r}; export needs the ground truth "
                             "a synthetic or annotated bag carries (pass --labels-topic if it has another name)")
        _prepare(out, overwrite)
        images, annotations = out / "JPEGImages" / name, out / "Annotations" / name
        images.mkdir(parents=True, exist_ok=True)
        frames: dict[int, str] = {}
        stamps: list[int] = []
        pending: dict[int, np.ndarray] = {}
        labelled: set[str] = set()
        categories: dict[int, str] = {}
        commands: list[str] = []
        skipped: list[str] = []
        for event in source.events():
            if event.kind == "image" and event.frame is not None:
                frame_name = f"{len(stamps):05d}"
                stamp = event.frame.stamp_ns
                cv2.imwrite(str(images / f"{frame_name}.jpg"), cv2.cvtColor(event.frame.image, cv2.COLOR_RGB2BGR),
                            [cv2.IMWRITE_JPEG_QUALITY, 95])
                frames.setdefault(stamp, frame_name)
                stamps.append(stamp)
                if stamp in pending:
                    write_index_png(annotations / f"{frame_name}.png", pending.pop(stamp))
                    labelled.add(frame_name)
            elif event.kind == "labels" and event.labels is not None:
                if event.stamp_ns in frames:
                    write_index_png(annotations / f"{frames[event.stamp_ns]}.png", event.labels)
                    labelled.add(frames[event.stamp_ns])
                else:
                    pending[event.stamp_ns] = event.labels
            elif event.kind == "objects" and event.categories:
                categories.update(event.categories)
            elif event.kind == "command" and event.text and event.text not in commands:
                commands.append(event.text)
            elif event.kind == "error":
                skipped.append(event.text)
    if not stamps:
        raise InputError(f"bag {str(bag)!r} has no camera frames on {topics.image!r}; nothing to export")
    fps = _fps(stamps, default_fps)
    expressions: dict[str, Any] = {}
    for i, text in enumerate(commands):
        entry: dict[str, Any] = {"exp": text}
        if text in script:
            entry["obj_id"] = script[text]
        expressions[str(i)] = entry
    names = [f"{i:05d}" for i in range(len(stamps))]
    (out / "meta_expressions.json").write_text(json.dumps(
        {"videos": {name: {"frames": names, "expressions": expressions}}}, indent=1, sort_keys=True) + "\n",
        encoding="utf-8")
    objects = {str(k): {"category": v} for k, v in sorted(categories.items())}
    (out / "meta.json").write_text(json.dumps({"videos": {name: {"objects": objects, "fps": fps}}}, indent=1,
                                              sort_keys=True) + "\n", encoding="utf-8")
    if not labelled:
        annotations.mkdir(parents=True, exist_ok=True)  # a video with no labelled frame: empty ground truth
    return ExportSummary(out, name, len(stamps), len(labelled), len(expressions),
                         sum("obj_id" in e for e in expressions.values()), fps, tuple(skipped))
