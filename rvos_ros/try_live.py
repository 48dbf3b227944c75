"""``rvos-ros live``: try the runtime on a webcam or a video file, without ROS.

Frames come from OpenCV (``cv2.VideoCapture``): a camera by index or a video
file, BGR turned into RGB, stamped with the capture time (camera) or with the
frame index over the video's frame rate (file). One
:class:`~rvos_ros.runtime.Runtime` in live mode processes every frame read
(identification runs in its worker thread, as on the robot); each frame's
overlay goes to an mp4 file and/or a window. A camera runs until ``q`` or Esc
in the window, Ctrl-C or ``max_frames``; a file until its end.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from rvos_ros.config import Config
from rvos_ros.errors import InputError, RvosError
from rvos_ros.interface.overlay import VideoSink, draw_overlay
from rvos_ros.perception.base import Perception
from rvos_ros.types import Decision, Frame

__all__ = ["FrameSource", "TryLiveSummary", "has_display", "open_source", "try_live"]

WINDOW = "rvos-ros live"


@dataclass
class TryLiveSummary:
    """What a ``live`` run did."""

    source: str
    frames: int = 0
    decision: Decision = field(default_factory=Decision)
    out: Path | None = None
    written: int = 0
    seconds: float = 0.0
    errors: int = 0
    last_error: str = ""
    stopped_by: str = "end of video"

    def line(self) -> str:
        """One line: frames, the final decision state and targets, the video written, the frame errors."""
        d = self.decision
        text = (f"live {self.source}: {self.frames} frames in {self.seconds:.1f} s ({self.stopped_by}); "
                f"final decision {d.state} targets={list(d.targets)}")
        if self.out is not None:
            text += f"; overlay video {self.out} ({self.written} frames)"
        if self.errors:
            text += f"; {self.errors} frame{'s' if self.errors != 1 else ''} failed, last: {self.last_error}"
        return text


@contextmanager
def _quiet_opencv() -> Iterator[None]:
    """No OpenCV or FFmpeg warnings while a source is opened: a failure is reported as one InputError line."""
    os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")  # read when FFmpeg is first used in this process
    level = cv2.utils.logging.getLogLevel()
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)
    try:
        yield
    finally:
        cv2.utils.logging.setLogLevel(level)


@dataclass
class FrameSource:
    """An opened frame source: the capture, its name, whether it is a camera, its frame rate (0: unknown),
    and a video's first frame (read on opening, to refuse an unreadable file before any model loads)."""

    capture: cv2.VideoCapture
    name: str
    is_camera: bool
    fps: float
    first: np.ndarray | None = None

    def frames(self, fps: float) -> Iterator[tuple[int, int, np.ndarray]]:
        """(index, stamp in ns, BGR image) until the source ends: capture time for a camera, index / fps for a
        video."""
        index = 0
        if self.first is not None:
            first, self.first = self.first, None
            yield 0, 0, first
            index = 1
        while True:
            ok, bgr = self.capture.read()
            if not ok or bgr is None:
                return
            yield index, time.time_ns() if self.is_camera else int(round(index * 1e9 / fps)), bgr
            index += 1


def open_source(camera: int | None, video: Path | None) -> FrameSource:
    """Open camera ``camera`` or file ``video`` (exactly one); InputError naming the source and the fix."""
    if (camera is None) == (video is None):
        raise InputError("give exactly one source: --camera N (a webcam index, 0 first) or --video FILE")
    first = None
    with _quiet_opencv():
        if video is not None:
            if not video.is_file():
                raise InputError(f"video {str(video)!r} does not exist; pass an existing video file to --video")
            cap = cv2.VideoCapture(str(video))
            ok, first = cap.read() if cap.isOpened() else (False, None)
            if not ok or first is None:
                cap.release()
                raise InputError(f"video {str(video)!r} could not be read; pass a video file OpenCV can decode "
                                 "(mp4, avi, mkv), or re-encode it (ffmpeg -i IN -c:v libx264 OUT.mp4)")
            name, is_camera = str(video), False
        else:
            assert camera is not None
            cap = cv2.VideoCapture(camera)
            if not cap.isOpened():
                cap.release()
                raise InputError(f"camera {camera} could not be opened; check that it is connected and not in use "
                                 "(ls /dev/video*), try another --camera index, or pass --video FILE")
            cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # the newest frame, not a queue of old ones
            name, is_camera = f"camera {camera}", True
    fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
    return FrameSource(cap, name, is_camera, fps if np.isfinite(fps) and 0.0 < fps <= 1000.0 else 0.0, first)


def has_display() -> bool:
    """Whether a window can be shown: always on macOS and Windows, with X11 or Wayland elsewhere."""
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _note(text: str) -> None:
    print(f"note: {text}", file=sys.stderr)


def try_live(config: Config, command: str, *, camera: int | None = None, video: Path | None = None,
             out: Path | None = None, show: bool = False, max_frames: int | None = None,
             perception: Perception | None = None, note: Callable[[str], None] = _note) -> TryLiveSummary:
    """Run ``command`` live on a camera or a video file; write and/or show the overlay; return the summary.

    ``config``'s runtime mode is set to ``live``. ``perception`` defaults to
    :func:`~rvos_ros.runtime.models.load_perception` of ``config`` (a
    ModelError or ConfigError names missing weights). The source is opened
    first, so a wrong camera or file fails before any model loads. A fault
    on one frame (the runtime's ``FrameResult.error``, or a frame it
    refuses) is counted and the run goes on, as on the robot.
    """
    from rvos_ros.runtime import Runtime, load_perception

    if not command.strip():
        raise InputError("--command is empty; say what to segment, e.g. --command 'the person walking left'")
    if max_frames is not None and max_frames < 1:
        raise InputError(f"--max-frames must be at least 1, got {max_frames}")
    config = config.replace(**{"runtime.mode": "live"})
    if show and not has_display():
        note("no display (DISPLAY and WAYLAND_DISPLAY are unset): --show is ignored")
        show = False
    source = open_source(camera, video)
    fps = source.fps or config.runtime.fps
    summary = TryLiveSummary(source.name, out=out,
                             stopped_by="camera stopped sending frames" if source.is_camera else "end of video")
    runtime = None
    sink = VideoSink(out, fps) if out is not None else None
    shown = False
    t0 = time.monotonic()
    try:
        runtime = Runtime(config, perception if perception is not None else load_perception(config))
        runtime.set_command(command)
        for index, stamp_ns, bgr in source.frames(fps):
            if max_frames is not None and summary.frames >= max_frames:
                summary.stopped_by = f"--max-frames {max_frames}"
                break
            if bgr.ndim != 3 or bgr.shape[2] != 3:
                bgr = cv2.cvtColor(bgr, cv2.COLOR_GRAY2BGR) if bgr.ndim == 2 else bgr[..., :3]
            frame = Frame(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), stamp_ns, "camera", index)
            try:
                result = runtime.step(frame)
            except RvosError as err:
                summary.errors += 1
                summary.last_error = f"frame {index}: {err}"
                continue
            summary.frames += 1
            summary.decision = result.decision
            if result.error:  # a fault the runtime survived (perception failed on this frame): reported, not fatal
                summary.errors += 1
                summary.last_error = f"frame {index}: {result.error}"
            if sink is None and not show:
                continue
            overlay = draw_overlay(frame.image, result, runtime.command)
            if sink is not None:
                sink.write(overlay)
            if show:
                shown, key = _show(overlay, note)
                show = shown
                if key in (ord("q"), 27):
                    summary.stopped_by = "q pressed"
                    break
    except KeyboardInterrupt:
        summary.stopped_by = "interrupted"
    finally:
        summary.seconds = time.monotonic() - t0
        if runtime is not None:
            summary.decision = runtime.decision
            runtime.close()
        source.capture.release()
        if sink is not None:
            sink.close()
            summary.written = sink.frames
        if shown:
            cv2.destroyAllWindows()
    return summary


def _show(overlay: np.ndarray, note: Callable[[str], None]) -> tuple[bool, int]:
    """Show one overlay; (whether the window works, the key pressed or -1). An OpenCV without GUI support
    gets one note and no window."""
    try:
        cv2.imshow(WINDOW, cv2.cvtColor(overlay, cv2.COLOR_RGB2BGR))
        return True, cv2.waitKey(1) & 0xFF
    except cv2.error:
        note("this OpenCV has no window support (opencv-python-headless?): --show is ignored")
        return False, -1
