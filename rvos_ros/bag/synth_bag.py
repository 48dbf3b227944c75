"""Synthetic scenes as rosbag2: the camera topic, commands at chosen times and the ground-truth topics.

Each video of a synthesized dataset becomes ``bags/<video>/`` (MCAP): camera
images at the scene's rate, ``sim/labels`` with the same stamps, ``sim/objects``
once, and a command script: the first expression from the start, a change to
the second expression halfway, and an empty command (clear) at 80 % of the
video. ``bags/<video>.commands.json`` records the script with each command's
ground-truth object ids, so replays can be checked.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from rvos_ros.bag.scene_bag import write_scene_bag
from rvos_ros.eval.dataset import DatasetFolder

__all__ = ["write_dataset_bags"]


def _frames(ds: DatasetFolder, video: str):
    for name in ds.videos[video].frames:
        image = ds.image(video, name)
        yield image, ds.labels(video, name, image.shape[:2])


def write_dataset_bags(dataset: str | Path, *, storage: str = "mcap", default_fps: float = 15.0) -> list[Path]:
    """Write one bag per video of ``dataset`` into ``dataset/bags``; returns the bag folders."""
    ds = DatasetFolder(dataset)
    root = Path(dataset) / "bags"
    shutil.rmtree(root, ignore_errors=True)  # this folder is ours: a re-run replaces it
    root.mkdir()
    by_video: dict[str, list] = {}
    for e in ds.expressions:
        by_video.setdefault(e.video, []).append(e)
    paths = []
    for video, info in ds.videos.items():
        fps = info.fps or default_fps
        duration = len(info.frames) / fps
        exps = by_video.get(video, [])
        script: list[dict] = []
        if exps:
            script.append({"time_s": 0.0, "text": exps[0].text, "obj_ids": list(exps[0].obj_ids)})
            second = exps[1] if len(exps) > 1 else exps[0]
            script.append({"time_s": round(duration * 0.5, 3), "text": second.text, "obj_ids": list(second.obj_ids)})
            script.append({"time_s": round(duration * 0.8, 3), "text": "", "obj_ids": []})
        path = root / video
        write_scene_bag(path, _frames(ds, video), fps=fps, commands=[(c["time_s"], c["text"]) for c in script],
                        categories=info.objects, storage=storage)  # type: ignore[arg-type]
        (root / f"{video}.commands.json").write_text(json.dumps(script, indent=1) + "\n", encoding="utf-8")
        paths.append(path)
    return paths
