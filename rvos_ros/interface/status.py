"""The status topic's JSON (docs/contracts.md, "Status"), built from a frame's result without any ROS package."""

from __future__ import annotations

import json

from rvos_ros.types import FrameResult

__all__ = ["status_json"]


def status_json(result: FrameResult, *, error: str = "") -> str:
    """The status topic's JSON: the Decision contract plus ``timing`` (ms per stage), ``dropped``, and the camera
    frame's ``stamp`` (``sec``, ``nanosec``) and ``frame_id``, so a status can be matched to its mask, and
    ``degraded`` (the frame budget's steps in force) when any is."""
    d = result.decision.to_dict()
    d["timing"] = {k: round(float(v), 3) for k, v in result.timings_ms.items()}
    d["dropped"] = int(result.dropped)
    d["frame"] = int(result.frame_index)
    d["stamp"] = {"sec": int(result.stamp_ns) // 1_000_000_000, "nanosec": int(result.stamp_ns) % 1_000_000_000}
    d["frame_id"] = result.frame_id
    if result.degraded:
        d["degraded"] = list(result.degraded)
    if error or result.error:
        d["error"] = error or result.error
    return json.dumps(d)
