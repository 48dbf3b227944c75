"""Synthetic scene specifications: objects, scripted motions and the camera path
(docs/architecture.md, "The oracle and synthetic data").

World coordinates are pixels of a background canvas larger than the view (x right, y down). The camera is a
window on that canvas: at frame t it is centred on ``camera.centers[t]`` and magnified by ``camera.zooms[t]``,
so the world point (x, y) appears at the view pixel ``(zoom * (x - cx) + width / 2, zoom * (y - cy) + height / 2)``.
Object sizes and speeds are world pixels (per frame); they were chosen for a 480x360 view and scale with width.

Scenes are built by :func:`rvos_ros.eval.synth_stories.make_scene`; this module holds the plain data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from rvos_ros.errors import InputError

__all__ = [
    "CATEGORIES",
    "COLOURS",
    "CameraPath",
    "CategoryStyle",
    "SceneObject",
    "SceneSpec",
    "scripted_path",
]

# Saturated RGB so the dominant colour of a rendered object is clearly nameable.
COLOURS: dict[str, tuple[int, int, int]] = {
    "red": (215, 30, 30), "orange": (245, 135, 20), "yellow": (240, 215, 30), "green": (40, 165, 50),
    "blue": (30, 70, 215), "purple": (135, 45, 185), "pink": (245, 115, 185), "brown": (125, 75, 30),
    "black": (25, 25, 25), "white": (240, 240, 240), "gray": (128, 128, 128),
}
_ALL = tuple(COLOURS)


@dataclass(frozen=True)
class CategoryStyle:
    """How a category is drawn: silhouette box (width, height) relative to its longer side, longer side in
    world px at 480 px view width, plausible colours, and whether it may move vertically in the image."""

    aspect: tuple[float, float]
    base_size: float
    colours: tuple[str, ...] = _ALL
    vertical: bool = True
    mover: bool = True


CATEGORIES: dict[str, CategoryStyle] = {
    "person": CategoryStyle((0.45, 1.0), 84),
    "dog": CategoryStyle((1.0, 0.7), 72, ("brown", "black", "white", "gray", "orange", "yellow")),
    "cat": CategoryStyle((1.0, 0.75), 56, ("orange", "black", "white", "gray", "brown")),
    "horse": CategoryStyle((1.0, 0.85), 104, ("brown", "black", "white", "gray"), vertical=False),
    "bird": CategoryStyle((1.0, 0.7), 44, ("red", "blue", "yellow", "green", "black", "white", "orange")),
    "car": CategoryStyle((1.0, 0.45), 104, vertical=False),
    "truck": CategoryStyle((1.0, 0.55), 140, vertical=False),
    "bus": CategoryStyle((1.0, 0.45), 170, ("red", "yellow", "blue", "white", "green", "orange"), vertical=False),
    "bicycle": CategoryStyle((1.0, 0.6), 78, vertical=False),
    "ball": CategoryStyle((1.0, 1.0), 38),
    "cup": CategoryStyle((0.8, 1.0), 38, mover=False),
    "bottle": CategoryStyle((0.45, 1.0), 54, ("green", "blue", "brown", "red", "white", "orange"), mover=False),
    "box": CategoryStyle((1.0, 1.0), 60, mover=False),
    "chair": CategoryStyle((0.7, 1.0), 66, mover=False),
}



@dataclass(frozen=True)
class SceneObject:
    """One object: ``size`` is the longer side of its silhouette box and ``path`` its centre per frame (world
    px); ``depth`` 0 is nearest to the camera (drawn on top); ``motion`` names its scripted motion and ``ref_id``
    the object it approaches, leaves or passes behind."""

    obj_id: int
    category: str
    colour: str
    size: float
    depth: int
    motion: str
    path: tuple[tuple[float, float], ...]
    ref_id: int | None = None
    texture_seed: int = 0

    @property
    def extent(self) -> tuple[float, float]:
        """Width and height of the silhouette box in world px."""
        aw, ah = CATEGORIES[self.category].aspect
        return self.size * aw, self.size * ah


@dataclass(frozen=True)
class CameraPath:
    """The view window per frame: centre (world px) and zoom (view px per world px); ``kind`` is one of
    static, pan, zoom, pan_zoom."""

    centers: tuple[tuple[float, float], ...]
    zooms: tuple[float, ...]
    kind: str = "static"

    def affine(self, t: int, width: int, height: int) -> np.ndarray:
        """2x3 matrix mapping world px to view px at frame ``t`` (for cv2.warpAffine)."""
        s = self.zooms[t]
        cx, cy = self.centers[t]
        return np.array([[s, 0.0, width / 2 - s * cx], [0.0, s, height / 2 - s * cy]])

    def to_view(self, t: int, x: float, y: float, width: int, height: int) -> tuple[float, float]:
        s = self.zooms[t]
        cx, cy = self.centers[t]
        return s * (x - cx) + width / 2, s * (y - cy) + height / 2

    def to_world(self, t: int, u: float, v: float, width: int, height: int) -> tuple[float, float]:
        s = self.zooms[t]
        cx, cy = self.centers[t]
        return (u - width / 2) / s + cx, (v - height / 2) / s + cy

    @property
    def moves(self) -> bool:
        return len(set(self.centers)) > 1 or len(set(self.zooms)) > 1


@dataclass(frozen=True)
class SceneSpec:
    """Everything needed to render a scene deterministically (the background comes from ``background_seed``)."""

    name: str
    width: int
    height: int
    num_frames: int
    fps: float
    world_size: tuple[int, int]
    background_seed: int
    camera: CameraPath
    objects: tuple[SceneObject, ...]
    stories: tuple[str, ...] = field(default=())

    def object(self, obj_id: int) -> SceneObject:
        for o in self.objects:
            if o.obj_id == obj_id:
                return o
        raise InputError(f"scene {self.name!r} has no object {obj_id}; its ids are {[o.obj_id for o in self.objects]}")


def scripted_path(motion: str, velocity: tuple[float, float], num_frames: int, switch: int) -> np.ndarray:
    """(T, 2) centre offsets from the start for a scripted motion at ``velocity`` px/frame.

    ``straight`` keeps the velocity; ``stops`` moves until frame ``switch`` then stays; ``starts_late`` stays
    until ``switch`` then moves; ``turns_back`` reverses at ``switch``; ``static`` never moves.
    """
    v = np.tile(np.asarray(velocity, dtype=np.float64), (num_frames - 1, 1))
    if motion == "static":
        v[:] = 0.0
    elif motion == "stops":
        v[switch:] = 0.0
    elif motion == "starts_late":
        v[:switch] = 0.0
    elif motion == "turns_back":
        v[switch:] *= -1.0
    elif motion != "straight":
        raise InputError(f"unknown scripted motion {motion!r}; use static, straight, stops, starts_late or turns_back")
    return np.vstack([np.zeros((1, 2)), np.cumsum(v, axis=0)])
