"""Read a rosbag2 (sqlite3 or MCAP) as a stream of camera frames, commands and ground truth.

Topic names match with or without the leading slash. Camera topics may be
``sensor_msgs/Image`` or ``CompressedImage``; commands ``std_msgs/String``;
a synthetic bag's ground truth comes as ``sim/labels`` (mono8 object ids, the
camera frame's stamp) and ``sim/objects`` (JSON categories, once).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from rosbags.highlevel import AnyReader
from rosbags.interfaces import Connection

from rvos_ros.bag.mcap_salvage import SalvageReader, mcap_file
from rvos_ros.errors import BagError, InputError
from rvos_ros.interface.images import compressed_to_rgb, image_to_array, image_to_rgb
from rvos_ros.interface.messages import COMPRESSED, IMAGE, STRING, stamp_ns, typestore
from rvos_ros.types import Frame

__all__ = ["BagEvent", "BagInput", "BagTopics", "open_bag"]


def _norm(topic: str) -> str:
    return "/" + topic.strip().lstrip("/")


@dataclass(frozen=True)
class BagTopics:
    """Which topics carry what (every name is an option of ``replay`` and ``serve``)."""

    image: str = "/image"
    command: str = "/command"
    labels: str = "/sim/labels"
    objects: str = "/sim/objects"


@dataclass(frozen=True)
class BagEvent:
    """One message of interest, in log-time order.

    ``kind`` is image (``frame`` set), command (``text``), labels (``labels``,
    ``stamp_ns``), objects (``categories``) or error (``text`` says why the
    message could not be used; the stream goes on).
    """

    kind: Literal["image", "command", "labels", "objects", "error"]
    log_ns: int
    frame: Frame | None = None
    text: str = ""
    labels: np.ndarray | None = None
    stamp_ns: int = 0
    categories: dict[int, str] | None = None


def open_bag(path: str | Path, *, hint: str = "pass a rosbag2 folder or .mcap/.db3 file") -> AnyReader:
    """A rosbags reader opened on ``path``.

    Raises :class:`BagError` naming the bag: with ``hint`` when it does not
    exist, with rosbags' own error as the cause when it cannot be read.
    """
    path = Path(path)
    if not path.exists():
        raise BagError(f"bag {str(path)!r} does not exist; {hint}")
    reader = AnyReader([path], default_typestore=typestore())
    try:
        reader.open()
    except Exception as err:  # rosbags raises several error types for unreadable bags
        raise BagError(f"bag {str(path)!r} cannot be read: {err}") from err
    return reader


class BagInput:
    """A context manager over an input bag; ``events()`` yields BagEvents in log-time order."""

    def __init__(self, path: str | Path, topics: BagTopics = BagTopics()) -> None:
        self.path = Path(path)
        self.topics = topics
        self._reader: AnyReader | None = None
        self.connections: list[Connection] = []
        self.salvaged = ""
        """Why the bag is read in salvage mode (a truncated MCAP), "" for a healthy bag."""

    def __enter__(self) -> BagInput:
        reader: AnyReader
        try:
            reader = open_bag(self.path)
        except BagError as bad:
            err, mcap = bad.__cause__, mcap_file(self.path)
            if err is None or mcap is None:
                raise
            # rosbags needs the MCAP summary at the end of the file: read a cut-off bag from the start instead
            salvage = SalvageReader(mcap)
            if not salvage.connections:
                salvage.close()
                raise BagError(f"bag {str(self.path)!r} cannot be read: {err}; no topic could be salvaged") from err
            reader = salvage  # type: ignore[assignment]  # AnyReader's interface (connections, messages, ...)
            self.salvaged = f"bag {str(self.path)!r} is incomplete ({err})"
        self._reader = reader
        by_topic = {_norm(c.topic): c for c in reader.connections}
        image = by_topic.get(_norm(self.topics.image))
        if image is None:
            have = ", ".join(sorted(by_topic)) or "none"
            raise BagError(f"bag {str(self.path)!r} has no camera topic {_norm(self.topics.image)!r} "
                           f"(topics: {have}); pass --image-topic")
        if image.msgtype not in (IMAGE, COMPRESSED):
            raise BagError(f"camera topic {image.topic!r} carries {image.msgtype}, expected {IMAGE} or {COMPRESSED}")
        self.connections = [image]
        for name in (self.topics.command, self.topics.labels, self.topics.objects):
            c = by_topic.get(_norm(name))
            if c is None:
                continue
            expected = IMAGE if _norm(name) == _norm(self.topics.labels) else STRING
            if c.msgtype != expected:
                raise BagError(f"topic {c.topic!r} carries {c.msgtype}, expected {expected}")
            self.connections.append(c)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    def has_topic(self, topic: str) -> bool:
        return any(_norm(c.topic) == _norm(topic) for c in self.connections)

    @property
    def image_count(self) -> int:
        return int(self.connections[0].msgcount) if self.connections else 0

    def events(self) -> Iterator[BagEvent]:
        if self._reader is None:
            raise BagError("BagInput is not open; use it as a context manager")
        t = self.topics
        try:
            for conn, log_ns, raw in self._reader.messages(connections=self.connections):
                topic = _norm(conn.topic)
                try:
                    msg = self._reader.deserialize(raw, conn.msgtype)
                    yield self._event(topic, conn.msgtype, msg, log_ns, t)
                except InputError as err:
                    yield BagEvent("error", log_ns, text=f"{conn.topic}: {err}")
        except BagError:
            raise
        except Exception as err:  # a truncated or corrupt bag: stop cleanly, the caller reports how far it got
            raise BagError(f"bag {str(self.path)!r} could not be read to the end: {err}") from err
        stopped = getattr(self._reader, "stopped", "")
        if self.salvaged:
            raise BagError(f"{self.salvaged}; read it from the start up to the cut{f' ({stopped})' if stopped else ''}")

    @staticmethod
    def _event(topic: str, msgtype: str, msg: Any, log_ns: int, t: BagTopics) -> BagEvent:
        if topic == _norm(t.image):
            rgb = compressed_to_rgb(msg) if msgtype == COMPRESSED else image_to_rgb(msg)
            frame = Frame(rgb, stamp_ns(msg.header), str(msg.header.frame_id))
            return BagEvent("image", log_ns, frame=frame, stamp_ns=frame.stamp_ns)
        if topic == _norm(t.command):
            return BagEvent("command", log_ns, text=str(msg.data))
        if topic == _norm(t.labels):
            labels, enc = image_to_array(msg)
            if enc != "mono8":
                raise InputError(f"labels must be mono8 object ids, got {enc}")
            return BagEvent("labels", log_ns, labels=labels.copy(), stamp_ns=stamp_ns(msg.header))
        try:
            data = json.loads(msg.data)
            cats = {int(k): str(v.get("category", "object")) for k, v in data["objects"].items()}
        except (ValueError, KeyError, TypeError, AttributeError) as err:
            raise InputError(f"objects message must be {{\"objects\": {{id: {{\"category\": ...}}}}}}: {err}") from err
        return BagEvent("objects", log_ns, categories=cats)
