"""Write the output rosbag2: masks, overlays, detections and status, stamped with their input frame's header."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import numpy as np
from rosbags.rosbag2 import StoragePlugin, Writer

from rvos_ros.errors import BagError
from rvos_ros.interface.messages import (
    DETECTIONS,
    IMAGE,
    STRING,
    detections_msg,
    header,
    image_msg,
    string_msg,
    typestore,
)
from rvos_ros.interface.status import status_json
from rvos_ros.types import FrameResult

__all__ = ["OUTPUT_TOPICS", "OutputBag"]

OUTPUT_TOPICS = {
    "mask": ("/target/mask", IMAGE),
    "overlay": ("/target/overlay", IMAGE),
    "target_detections": ("/target/detections", DETECTIONS),
    "candidate_detections": ("/candidates/detections", DETECTIONS),
    "status": ("/status", STRING),
}


class OutputBag:
    """A context manager writing one set of output messages per processed frame.

    MCAP by default (opens in Foxglove); ``storage="sqlite3"`` for older tools.
    Every message's log time is its input frame's stamp, and its header is the
    input frame's header, so outputs line up with the camera in any player.
    """

    def __init__(self, path: str | Path, *, storage: Literal["mcap", "sqlite3"] = "mcap",
                 overlay: bool = True) -> None:
        self.path = Path(path)
        self.storage = storage
        self.overlay = overlay
        self._writer: Writer | None = None
        self._conns: dict[str, Any] = {}
        self.frames = 0

    def __enter__(self) -> OutputBag:
        if self.path.exists():
            raise BagError(f"output bag {str(self.path)!r} already exists; choose a new --out folder or remove it")
        plugin = StoragePlugin.MCAP if self.storage == "mcap" else StoragePlugin.SQLITE3
        try:
            self._writer = Writer(self.path, version=9, storage_plugin=plugin)
            self._writer.open()
        except Exception as err:
            raise BagError(f"cannot create output bag {str(self.path)!r}: {err}") from err
        store = typestore()
        for key, (topic, msgtype) in OUTPUT_TOPICS.items():
            if key == "overlay" and not self.overlay:
                continue
            self._conns[key] = self._writer.add_connection(topic, msgtype, typestore=store)
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def _put(self, key: str, msg: Any, log_ns: int) -> None:
        assert self._writer is not None
        topic, msgtype = OUTPUT_TOPICS[key]
        self._writer.write(self._conns[key], log_ns, typestore().serialize_cdr(msg, msgtype))

    def write(self, result: FrameResult, overlay_rgb: np.ndarray | None = None, *, error: str = "") -> None:
        """Write the outputs of one frame (the overlay only when given and enabled)."""
        if self._writer is None:
            raise BagError("OutputBag is not open; use it as a context manager")
        hdr = header(result.stamp_ns, result.frame_id)
        log_ns = result.stamp_ns
        self._put("mask", image_msg(hdr, np.where(result.mask, 255, 0).astype(np.uint8), "mono8"), log_ns)
        if overlay_rgb is not None and "overlay" in self._conns:
            self._put("overlay", image_msg(hdr, overlay_rgb, "rgb8"), log_ns)
        targets = set(result.decision.targets)
        self._put("target_detections", detections_msg(hdr, tuple(t for t in result.tracks if t.id in targets)), log_ns)
        self._put("candidate_detections", detections_msg(hdr, result.tracks), log_ns)
        self._put("status", string_msg(status_json(result, error=error)), log_ns)
        self.frames += 1
