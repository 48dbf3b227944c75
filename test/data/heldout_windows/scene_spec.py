"""Scene description primitives for the held-out cases: objects, their paths, and the camera.

Coordinates are pixels of frame 0 of a 640x480 image; a path is a list of waypoints
``(fraction of the window, x, y)`` of the box centre, linearly interpolated.
"""

from __future__ import annotations

from dataclasses import dataclass, field

W, H = 640, 480

# Typical box sizes (width, height) in pixels per category.
SIZE = {
    "person": (50, 130), "dog": (90, 60), "cat": (70, 50), "car": (140, 70), "truck": (200, 130),
    "bus": (220, 130), "cup": (40, 50), "bottle": (30, 80), "bird": (40, 30), "ball": (36, 36),
    "bicycle": (100, 70), "horse": (130, 100), "box": (80, 80), "sheep": (90, 70), "motorcycle": (110, 75),
    "couch": (200, 90), "chair": (60, 90), "cow": (140, 100), "boat": (160, 60), "duck": (44, 34),
}


@dataclass
class T:
    """One object: label, centre path ((frac, x, y) waypoints, frame-0 coordinates), size, colour, hidden spans."""

    label: str
    path: list[tuple[float, float, float]]
    size: tuple[float, float] | None = None
    color: str | None = None
    hide: list[tuple[float, float]] = field(default_factory=list)  # fractions of the window where unseen
    hide_mode: str = "missing"  # "missing": rows absent; "invisible": rows kept with visible=0
    grow: float = 1.0  # box size factor at the end of the window (linear in time): towards/away from the camera
    may_leave: bool = False  # the object enters or leaves the image: rows whose centre is outside are absent


@dataclass
class Case:
    kind: str
    query: str
    tracks: list[T]
    expected: list[int]  # indices into tracks
    pan: tuple[float, float] = (0.0, 0.0)  # image shift of static content over the whole window, px
    zoom: float = 1.0  # scale of static content over the whole window (about the image centre)
    duration: float | None = None  # seconds; drawn when None


def still(x: float, y: float) -> list[tuple[float, float, float]]:
    return [(0.0, x, y)]


def line(x0: float, y0: float, x1: float, y1: float) -> list[tuple[float, float, float]]:
    return [(0.0, x0, y0), (1.0, x1, y1)]


def via(*pts: tuple[float, float, float]) -> list[tuple[float, float, float]]:
    return list(pts)
