"""Turn an output bag's overlay topic into a video file."""

from __future__ import annotations

from pathlib import Path

from rvos_ros.bag.reader import open_bag
from rvos_ros.errors import BagError
from rvos_ros.interface.images import image_to_rgb
from rvos_ros.interface.overlay import VideoSink

__all__ = ["render_video"]


def render_video(bag: str | Path, video: str | Path, *, topic: str = "/target/overlay",
                 fps: float | None = None) -> int:
    """Write the images of ``topic`` in ``bag`` to ``video`` (mp4); returns the number of frames.

    The frame rate defaults to the one the stamps show (15 fps when there is a single frame).
    """
    reader = open_bag(bag, hint="pass the output folder of `rvos-ros replay`")
    try:
        conns = [c for c in reader.connections if "/" + c.topic.lstrip("/") == "/" + topic.lstrip("/")]
        if not conns:
            have = ", ".join(sorted(c.topic for c in reader.connections))
            raise BagError(f"bag {str(bag)!r} has no topic {topic!r} (topics: {have}); replay with overlay enabled")
        count = sum(c.msgcount for c in conns)
        if fps is None:
            span_s = (reader.end_time - reader.start_time) / 1e9
            fps = (count - 1) / span_s if count > 1 and span_s > 0 else 15.0
        with VideoSink(video, fps) as sink:
            for conn, _, raw in reader.messages(connections=conns):
                sink.write(image_to_rgb(reader.deserialize(raw, conn.msgtype)))
            return sink.frames
    finally:
        reader.close()
