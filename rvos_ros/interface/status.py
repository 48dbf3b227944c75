"""The status topic's JSON (docs/contracts.md, "Status"), built from a frame's result without any ROS package."""

from __future__ import annotations

import json

from rvos_ros.types import FrameResult

__all__ = ["status_json"]


def status_json(result: FrameResult, *, error: str = "") -> str:
    """The status topic's JSON: the Decision contract plus ``timing`` (ms per stage) and ``dropped``."""
    d = result.decision.to_dict()
    d["timing"] = {k: round(float(v), 3) for k, v in result.timings_ms.items()}
    d["dropped"] = int(result.dropped)
    d["frame"] = int(result.frame_index)
    if error or result.error:
        d["error"] = error or result.error
    return json.dumps(d)
