"""ROS 2 message types for bags and DDS: the rosbags typestore plus ``vision_msgs``.

``vision_msgs`` is not in rosbags' bundled stores, so it is registered from
its ``.msg`` definitions (vision_msgs 4.x, as shipped with Humble and later).
Builders turn our plain data into message objects.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
from rosbags.typesys import Stores, get_types_from_msg, get_typestore
from rosbags.typesys.store import Typestore

from rvos_ros.interface.images import image_fields
from rvos_ros.types import Track

__all__ = [
    "IMAGE",
    "COMPRESSED",
    "STRING",
    "DETECTIONS",
    "detections_msg",
    "header",
    "image_msg",
    "stamp_ns",
    "string_msg",
    "typestore",
]

IMAGE = "sensor_msgs/msg/Image"
COMPRESSED = "sensor_msgs/msg/CompressedImage"
STRING = "std_msgs/msg/String"
DETECTIONS = "vision_msgs/msg/Detection2DArray"

_VISION_MSGS = {
    "vision_msgs/msg/Point2D": "float64 x\nfloat64 y\n",
    "vision_msgs/msg/Pose2D": "vision_msgs/Point2D position\nfloat64 theta\n",
    "vision_msgs/msg/BoundingBox2D": "vision_msgs/Pose2D center\nfloat64 size_x\nfloat64 size_y\n",
    "vision_msgs/msg/ObjectHypothesis": "string class_id\nfloat64 score\n",
    "vision_msgs/msg/ObjectHypothesisWithPose": (
        "vision_msgs/ObjectHypothesis hypothesis\ngeometry_msgs/PoseWithCovariance pose\n"
    ),
    "vision_msgs/msg/Detection2D": (
        "std_msgs/Header header\nvision_msgs/ObjectHypothesisWithPose[] results\n"
        "vision_msgs/BoundingBox2D bbox\nstring id\n"
    ),
    "vision_msgs/msg/Detection2DArray": "std_msgs/Header header\nvision_msgs/Detection2D[] detections\n",
}


def msg_definition(msgtype: str) -> str:
    """The .msg text of a vision_msgs type we register (written into bags so other tools can decode them)."""
    return _VISION_MSGS[msgtype]


@lru_cache(maxsize=1)
def typestore() -> Typestore:
    """Humble typestore with vision_msgs registered."""
    store = get_typestore(Stores.ROS2_HUMBLE)
    types: dict[str, Any] = {}
    for name, text in _VISION_MSGS.items():
        types.update(get_types_from_msg(text, name))
    store.register(types)
    return store


def _t(name: str) -> Any:
    return typestore().types[name]


def stamp_ns(hdr: Any) -> int:
    """Nanoseconds of a std_msgs/Header's stamp."""
    return int(hdr.stamp.sec) * 1_000_000_000 + int(hdr.stamp.nanosec)


def header(stamp: int, frame_id: str) -> Any:
    """A std_msgs/Header for a stamp in nanoseconds."""
    time = _t("builtin_interfaces/msg/Time")(sec=stamp // 1_000_000_000, nanosec=stamp % 1_000_000_000)
    return _t("std_msgs/msg/Header")(stamp=time, frame_id=frame_id)


def image_msg(hdr: Any, array: np.ndarray, encoding: str) -> Any:
    return _t(IMAGE)(header=hdr, **image_fields(array, encoding, as_numpy=True))


def string_msg(text: str) -> Any:
    return _t(STRING)(data=text)


def _detection(hdr: Any, t: Track) -> Any:
    x1, y1, x2, y2 = t.box
    point = _t("vision_msgs/msg/Point2D")(x=(x1 + x2) / 2.0, y=(y1 + y2) / 2.0)
    bbox = _t("vision_msgs/msg/BoundingBox2D")(center=_t("vision_msgs/msg/Pose2D")(position=point, theta=0.0),
                                               size_x=float(x2 - x1), size_y=float(y2 - y1))
    pose = _t("geometry_msgs/msg/PoseWithCovariance")(
        pose=_t("geometry_msgs/msg/Pose")(position=_t("geometry_msgs/msg/Point")(x=0.0, y=0.0, z=0.0),
                                          orientation=_t("geometry_msgs/msg/Quaternion")(x=0.0, y=0.0, z=0.0, w=1.0)),
        covariance=np.zeros(36, np.float64))
    hyp = _t("vision_msgs/msg/ObjectHypothesisWithPose")(
        hypothesis=_t("vision_msgs/msg/ObjectHypothesis")(class_id=t.label, score=float(t.score)), pose=pose)
    return _t("vision_msgs/msg/Detection2D")(header=hdr, results=[hyp], bbox=bbox, id=str(t.id))


def detections_msg(hdr: Any, tracks: tuple[Track, ...]) -> Any:
    """vision_msgs/Detection2DArray: one Detection2D per track, ``id`` = track id, class = label."""
    return _t(DETECTIONS)(header=hdr, detections=[_detection(hdr, t) for t in tracks])
