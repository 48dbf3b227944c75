"""Overlay image of a FrameResult: the target mask tinted, candidate boxes with ids, state and rationale.

A locked target is green. A target the decision has not locked yet
(``reasoning``, ``ambiguous``, ``searching``, ``lost``) is provisional: amber,
with the decision state in its caption, so nobody mistakes a guess for a lock.
Other candidates are thin yellow boxes. Used by the node's ``target/overlay``
topic, bag replay, ``rvos-ros live`` and the demo video.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from rvos_ros.errors import InputError
from rvos_ros.types import FrameResult

__all__ = ["LOCKED_COLOUR", "OTHER_COLOUR", "PROVISIONAL_COLOUR", "VideoSink", "draw_overlay", "target_colour"]

LOCKED_COLOUR = (40, 220, 60)
"""RGB of a locked target: its mask tint and box."""
PROVISIONAL_COLOUR = (255, 140, 0)
"""RGB of a target whose decision is not locked (amber)."""
OTHER_COLOUR = (250, 200, 40)
"""RGB of the candidates that are not targets."""
_STATE_COLOURS = {
    "locked": (40, 220, 60),
    "ambiguous": (250, 160, 40),
    "reasoning": (80, 160, 250),
    "searching": (200, 200, 200),
    "lost": (240, 60, 60),
    "no_command": (160, 160, 160),
}


def _text(img: np.ndarray, text: str, org: tuple[int, int], colour: tuple[int, int, int], scale: float) -> None:
    """Text on a dark box: readable on any background, even after video compression."""
    (w, h), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, 1)
    x, y = org
    x2, y2 = min(img.shape[1] - 1, x + w + 2), min(img.shape[0] - 1, y + base)
    roi = img[max(0, y - h - 2):y2, max(0, x - 2):x2]
    roi[:] = (roi.astype(np.float32) * 0.35).astype(np.uint8)
    cv2.putText(img, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, colour, 1, cv2.LINE_AA)


def target_colour(state: str) -> tuple[int, int, int]:
    """The colour of the targets of a decision in ``state``: green when locked, amber (provisional) otherwise."""
    return LOCKED_COLOUR if state == "locked" else PROVISIONAL_COLOUR


def draw_overlay(image_rgb: np.ndarray, result: FrameResult, command: str = "") -> np.ndarray:
    """RGB overlay: targets' mask and boxes green when locked, amber with the state in the caption when not;
    other candidates thin yellow boxes; a text banner on top."""
    out = image_rgb.copy()
    d = result.decision
    target = target_colour(d.state)
    if result.mask.any():
        tint = out[result.mask].astype(np.float32) * 0.45 + np.array(target, np.float32) * 0.55
        out[result.mask] = tint.astype(np.uint8)
    targets = set(d.targets)
    scale = max(0.4, min(out.shape[1] / 1000.0, 0.8))
    for t in result.tracks:
        x1, y1, x2, y2 = (int(round(v)) for v in t.box)
        is_target = t.id in targets
        colour = target if is_target else OTHER_COLOUR
        cv2.rectangle(out, (x1, y1), (x2, y2), colour, 2 if is_target else 1)
        caption = f"{t.id} {t.label}" + (f" ({d.state})" if is_target and d.state != "locked" else "")
        _text(out, caption, (x1 + 2, max(12, y1 - 4)), colour, scale)
    line1 = f"#{result.frame_index} {d.state} {d.confidence:.2f} targets={list(d.targets)}"
    _text(out, line1, (6, int(18 * scale / 0.45)), _STATE_COLOURS.get(d.state, (255, 255, 255)), scale)
    y = int(18 * scale / 0.45) * 2
    for line in (command[:90], d.rationale[:110]):
        if line:
            _text(out, line, (6, y), (255, 255, 255), scale * 0.85)
            y += int(16 * scale / 0.45)
    return out


class VideoSink:
    """Writes RGB frames to an mp4 file a browser plays (H.264, yuv420p, via PyAV); a context manager.

    PyAV (the ``video`` extra) bundles FFmpeg with its H.264 encoder, so nothing is downloaded at run time.
    Without it the file is written with OpenCV's ``mp4v`` codec, which video players read but browsers do
    not; ``codec`` says which was used.
    """

    def __init__(self, path: str | Path, fps: float) -> None:
        self.path = Path(path)
        self.fps = fps
        self.frames = 0
        self.codec = ""
        self._container: Any = None
        self._stream: Any = None
        self._writer: cv2.VideoWriter | None = None

    def _open(self, w: int, h: int) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            import av

            h264 = "libx264" in av.codecs_available
        except ImportError:
            h264 = False
        if h264:
            try:
                self._container = av.open(str(self.path), mode="w", options={"movflags": "faststart"})
            except (OSError, ValueError) as err:
                raise InputError(f"cannot open video {str(self.path)!r} for writing: {err}") from err
            rate = Fraction(self.fps).limit_denominator(1001)
            self._stream = self._container.add_stream("libx264", rate=rate)
            self._stream.width, self._stream.height = w + w % 2, h + h % 2  # yuv420p needs even sizes
            self._stream.pix_fmt = "yuv420p"
            self._stream.options = {"preset": "veryfast", "crf": "23"}
            self.codec = "h264"
            return
        self._writer = cv2.VideoWriter(str(self.path), cv2.VideoWriter.fourcc(*"mp4v"), self.fps, (w, h))
        if not self._writer.isOpened():
            raise InputError(f"cannot open video {str(self.path)!r} for writing; check the folder and extension")
        self.codec = "mp4v"

    def write(self, image_rgb: np.ndarray) -> None:
        h, w = image_rgb.shape[:2]
        if self._container is None and self._writer is None:
            self._open(w, h)
        if self._stream is not None:
            import av

            if h % 2 or w % 2:
                image_rgb = cv2.copyMakeBorder(image_rgb, 0, h % 2, 0, w % 2, cv2.BORDER_REPLICATE)
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(image_rgb), format="rgb24")
            for packet in self._stream.encode(frame):
                self._container.mux(packet)
        else:
            assert self._writer is not None
            self._writer.write(cv2.cvtColor(image_rgb, cv2.COLOR_RGB2BGR))
        self.frames += 1

    def close(self) -> None:
        if self._stream is not None:
            for packet in self._stream.encode():  # flush the encoder
                self._container.mux(packet)
            self._container.close()
            self._stream = self._container = None
        if self._writer is not None:
            self._writer.release()
            self._writer = None

    def __enter__(self) -> VideoSink:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
