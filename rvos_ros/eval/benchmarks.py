"""Benchmark layouts written from a dataset folder: the MeViS release layout (docs/contracts.md, "Dataset folder").

:func:`write_mevis_layout` turns any dataset folder we read into a MeViS
split: ``JPEGImages`` copied, ``meta_expressions.json`` with ``anno_id``s and
``mask_dict.json`` with one COCO RLE per object and frame (null where the
object is absent), no ``Annotations``. The same predictions then score the
same against both (the tests check it), and a synthetic dataset can stand in
for MeViS wherever its layout matters.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from rvos_ros.errors import InputError
from rvos_ros.eval.dataset import DatasetFolder
from rvos_ros.eval.rle import encode_rle

__all__ = ["write_mevis_layout"]


def write_mevis_layout(dataset: DatasetFolder, out: str | Path) -> Path:
    """Write ``dataset`` as a MeViS split into ``out`` (missing or empty); returns ``out``.

    Objects get ``anno_id``s 0, 1, ... in (video, object id) order; expressions keep their ids, text,
    ``obj_id``s and categories.
    """
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InputError(f"output {str(out)!r} exists and is not an empty folder; choose a new folder")
    dataset.require_truth()
    videos: dict[str, Any] = {}
    mask_dict: dict[str, list[Any]] = {}
    next_anno = 0
    for name, info in dataset.videos.items():
        exps = [e for e in dataset.expressions if e.video == name]
        objects = sorted(set(info.objects) | {o for e in exps for o in e.obj_ids})
        annos = {o: next_anno + i for i, o in enumerate(objects)}
        next_anno += len(objects)
        per_object: dict[int, list[Any]] = {o: [] for o in objects}
        (out / "JPEGImages" / name).mkdir(parents=True, exist_ok=True)
        shape = None
        for frame in info.frames:
            src = dataset.image_path(name, frame)
            shutil.copyfile(src, out / "JPEGImages" / name / src.name)
            if shape is None:
                shape = dataset.image(name, frame).shape[:2]
            labels = dataset.labels(name, frame, shape)
            for o in objects:
                m = labels == o
                per_object[o].append(encode_rle(m) if m.any() else None)
        for o in objects:
            mask_dict[str(annos[o])] = per_object[o]
        expressions: dict[str, Any] = {}
        for e in exps:
            entry: dict[str, Any] = {"exp": e.text, "obj_id": list(e.obj_ids),
                                     "anno_id": [annos[o] for o in e.obj_ids]}
            if e.category is not None:
                entry["category"] = e.category
            expressions[e.exp_id] = entry
        videos[name] = {"frames": list(info.frames), "expressions": expressions}
    (out / "meta_expressions.json").write_text(json.dumps({"videos": videos}, indent=1, sort_keys=True) + "\n",
                                               encoding="utf-8")
    (out / "mask_dict.json").write_text(json.dumps(mask_dict) + "\n", encoding="utf-8")
    return out
