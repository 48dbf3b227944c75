"""Write a camera stream (and optionally its ground truth) as a rosbag2: synthetic bags and test fixtures."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Literal

import cv2
import numpy as np
from rosbags.rosbag2 import StoragePlugin, Writer

from rvos_ros.bag.reader import BagTopics
from rvos_ros.errors import BagError
from rvos_ros.interface.messages import COMPRESSED, IMAGE, STRING, header, image_msg, string_msg, typestore

__all__ = ["write_scene_bag"]


def _camera_msg(hdr, rgb: np.ndarray, encoding: str, pad: int):
    if encoding in ("png", "jpeg"):  # sensor_msgs/CompressedImage, as image_transport's compressed plugin writes
        ok, data = cv2.imencode("." + encoding, cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
        return typestore().types[COMPRESSED](header=hdr, format=f"bgr8; {encoding} compressed bgr8",
                                             data=data.reshape(-1))
    if encoding == "rgb8":
        arr = rgb
    elif encoding == "bgr8":
        arr = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
    elif encoding == "rgba8":
        arr = cv2.cvtColor(rgb, cv2.COLOR_RGB2RGBA)
    elif encoding == "bgra8":
        arr = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGRA)
    else:
        raise BagError(f"cannot write camera encoding {encoding!r}; use rgb8, bgr8, rgba8, bgra8, png or jpeg")
    msg = image_msg(hdr, arr, encoding)
    if pad:
        h = arr.shape[0]
        rows = np.hstack([arr.reshape(h, -1), np.zeros((h, pad), np.uint8)])
        msg = type(msg)(header=hdr, height=msg.height, width=msg.width, encoding=encoding, is_bigendian=0,
                        step=msg.step + pad, data=rows.reshape(-1))
    return msg


def write_scene_bag(path: str | Path, frames: Iterable[tuple[np.ndarray, np.ndarray | None]], *, fps: float,
                    commands: Sequence[tuple[float, str]] = (), categories: Mapping[int, str] | None = None,
                    topics: BagTopics | None = None, encoding: str = "rgb8", row_padding: int = 0,
                    frame_id: str = "camera", start_ns: int = 1_000_000_000,
                    storage: Literal["mcap", "sqlite3"] = "mcap") -> int:
    """Write frames ``(rgb, labels or None)`` at ``fps`` into a new bag; returns the number of frames.

    ``commands`` are ``(seconds from the first frame, text)`` published on the
    command topic (log time just before the frame at that time). Labels go on
    the labels topic with the camera frame's stamp; ``categories`` once on the
    objects topic. ``encoding`` (``png``/``jpeg``: a CompressedImage topic) and
    ``row_padding`` (bytes added to every row) let tests write bags unlike our own.
    """
    t = topics or BagTopics()
    path = Path(path)
    if path.exists():
        raise BagError(f"bag {str(path)!r} already exists; choose a new path")
    store = typestore()
    writer = Writer(path, version=9, storage_plugin=StoragePlugin.MCAP if storage == "mcap" else StoragePlugin.SQLITE3)
    pending = sorted(commands)
    count = 0
    with writer:
        cam_type = COMPRESSED if encoding in ("png", "jpeg") else IMAGE
        cam = writer.add_connection(t.image, cam_type, typestore=store)
        cmd = writer.add_connection(t.command, STRING, typestore=store)
        lab = obj = None
        if categories is not None:
            lab = writer.add_connection(t.labels, IMAGE, typestore=store)
            obj = writer.add_connection(t.objects, STRING, typestore=store)
            payload = json.dumps({"objects": {str(k): {"category": v} for k, v in sorted(categories.items())}})
            writer.write(obj, start_ns - 2, store.serialize_cdr(string_msg(payload), STRING))
        for i, (rgb, labels) in enumerate(frames):
            stamp = start_ns + round(i * 1e9 / fps)
            while pending and pending[0][0] <= i / fps + 1e-9:
                _, text = pending.pop(0)
                writer.write(cmd, stamp - 1, store.serialize_cdr(string_msg(text), STRING))
            hdr = header(stamp, frame_id)
            writer.write(cam, stamp, store.serialize_cdr(_camera_msg(hdr, rgb, encoding, row_padding), cam_type))
            if lab is not None and labels is not None:
                writer.write(lab, stamp, store.serialize_cdr(image_msg(hdr, labels, "mono8"), IMAGE))
            count += 1
    return count
