"""Rendering of synthetic scenes: a textured world canvas seen through the moving camera, and objects drawn as
simple per-category silhouettes in their named colour with mild shading (docs/architecture.md, "The oracle
and synthetic data").

Labels hold the object id per pixel (0 = background); where objects overlap the nearer one (smaller depth) wins.
"""

from __future__ import annotations

from collections.abc import Iterator

import cv2
import numpy as np

from rvos_ros.eval.synth_scene import COLOURS, SceneObject, SceneSpec

__all__ = ["background_canvas", "render_frames", "render_labels_with_stats"]

# Silhouettes in units of the object's size (its box's longer side), centred on the object, facing right.
# Primitives: ("e", x, y, ax, ay, angle) ellipse, ("c", x, y, r) disc, ("p", pts) polygon, ("l", x1, y1, x2, y2,
# thickness) line, ("o", x, y, r, thickness) ring, ("r", x1, y1, x2, y2) rectangle; the last item is the part:
# 1 body, 2 dark detail, 3 glass, 4 lit face, 5 shaded face, 6 skin.
_LEGS = [(0.18, 0.2), (0.1, 0.08), (-0.15, -0.17), (-0.24, -0.26)]
_SHAPES: dict[str, list[tuple]] = {
    "dog": [("e", -0.02, 0.0, 0.3, 0.13, 0, 1), ("p", [(0.18, -0.05), (0.28, -0.2), (0.36, -0.16), (0.3, 0.03)], 1),
            ("c", 0.35, -0.2, 0.1, 1), ("e", 0.44, -0.17, 0.07, 0.045, 0, 1),
            ("p", [(0.3, -0.27), (0.26, -0.1), (0.34, -0.17)], 2), ("l", -0.3, -0.04, -0.46, -0.2, 0.045, 1),
            ("c", 0.38, -0.22, 0.02, 2)] + [("l", a, 0.05, b, 0.33, 0.06, 1) for a, b in _LEGS],
    "cat": [("e", 0.0, 0.05, 0.27, 0.12, 0, 1), ("c", 0.3, -0.12, 0.11, 1),
            ("p", [(0.21, -0.18), (0.23, -0.33), (0.3, -0.21)], 1),
            ("p", [(0.32, -0.22), (0.39, -0.34), (0.41, -0.18)], 1),
            ("l", -0.26, 0.0, -0.4, -0.15, 0.045, 1), ("l", -0.4, -0.15, -0.36, -0.33, 0.045, 1),
            ("c", 0.35, -0.14, 0.02, 2)] + [("l", a, 0.1, b, 0.34, 0.05, 1) for a, b in _LEGS],
    "horse": [("e", -0.03, -0.05, 0.28, 0.13, 0, 1), ("p", [(0.15, -0.1), (0.28, -0.34), (0.36, -0.3), (0.27, 0.0)], 1),
              ("e", 0.38, -0.31, 0.11, 0.055, 30, 1), ("l", 0.25, -0.32, 0.17, -0.12, 0.03, 2),
              ("l", -0.3, -0.09, -0.42, 0.18, 0.06, 2)] + [("l", a, 0.02, b, 0.42, 0.055, 1) for a, b in _LEGS],
    "bird": [("e", 0.0, 0.05, 0.27, 0.15, -10, 1), ("c", 0.26, -0.12, 0.11, 1),
             ("p", [(0.35, -0.15), (0.49, -0.1), (0.35, -0.07)], 2),
             ("p", [(-0.14, 0.0), (0.1, -0.02), (-0.06, -0.34)], 1),
             ("p", [(-0.2, 0.06), (-0.49, -0.03), (-0.47, 0.17)], 1), ("c", 0.29, -0.14, 0.02, 2),
             ("l", 0.0, 0.18, 0.0, 0.33, 0.025, 2)],
    "person": [("c", 0.0, -0.4, 0.085, 6), ("p", [(-0.1, -0.3), (0.1, -0.3), (0.12, 0.05), (-0.12, 0.05)], 1),
               ("l", -0.11, -0.27, -0.18, 0.0, 0.05, 1), ("l", 0.11, -0.27, 0.18, 0.0, 0.05, 1),
               ("l", -0.05, 0.04, -0.08, 0.47, 0.065, 1), ("l", 0.05, 0.04, 0.08, 0.47, 0.065, 1)],
    "car": [("p", [(-0.5, -0.02), (-0.46, -0.07), (0.44, -0.07), (0.5, 0.0), (0.5, 0.13), (-0.5, 0.13)], 1),
            ("p", [(-0.28, -0.06), (-0.16, -0.22), (0.18, -0.22), (0.32, -0.06)], 1),
            ("p", [(-0.22, -0.08), (-0.13, -0.19), (-0.01, -0.19), (-0.01, -0.08)], 3),
            ("p", [(0.03, -0.08), (0.03, -0.19), (0.16, -0.19), (0.25, -0.08)], 3),
            ("c", -0.29, 0.14, 0.08, 2), ("c", 0.29, 0.14, 0.08, 2)],
    "truck": [("r", -0.5, -0.27, 0.18, 0.16, 1),
              ("p", [(0.2, -0.14), (0.4, -0.14), (0.5, 0.0), (0.5, 0.16), (0.2, 0.16)], 1),
              ("p", [(0.24, -0.11), (0.38, -0.11), (0.45, -0.01), (0.24, -0.01)], 3),
              ("c", -0.32, 0.18, 0.08, 2), ("c", -0.13, 0.18, 0.08, 2), ("c", 0.35, 0.18, 0.08, 2)],
    "bus": [("r", -0.5, -0.2, 0.5, 0.15, 1), ("c", -0.3, 0.15, 0.065, 2), ("c", 0.32, 0.15, 0.065, 2)]
           + [("r", -0.44 + 0.17 * i, -0.15, -0.33 + 0.17 * i, -0.03, 3) for i in range(5)],
    "bicycle": [("o", -0.28, 0.1, 0.18, 0.05, 1), ("o", 0.28, 0.1, 0.18, 0.05, 1),
                ("l", -0.28, 0.1, -0.02, 0.1, 0.05, 1), ("l", -0.02, 0.1, 0.18, -0.12, 0.05, 1),
                ("l", -0.28, 0.1, -0.08, -0.12, 0.05, 1), ("l", -0.08, -0.12, 0.18, -0.12, 0.05, 1),
                ("l", 0.18, -0.12, 0.28, 0.1, 0.05, 1), ("l", -0.08, -0.12, -0.02, 0.1, 0.05, 1),
                ("l", -0.15, -0.18, -0.02, -0.18, 0.04, 2), ("l", 0.15, -0.21, 0.23, -0.21, 0.04, 2)],
    "ball": [("c", 0.0, 0.0, 0.49, 1)],
    "cup": [("p", [(-0.35, -0.45), (0.17, -0.45), (0.12, 0.45), (-0.3, 0.45)], 1), ("o", 0.2, -0.02, 0.13, 0.06, 1)],
    "bottle": [("p", [(-0.2, -0.1), (-0.08, -0.26), (-0.08, -0.44), (0.08, -0.44), (0.08, -0.26), (0.2, -0.1),
                      (0.2, 0.5), (-0.2, 0.5)], 1), ("r", -0.09, -0.5, 0.09, -0.42, 2)],
    "box": [("r", -0.5, -0.3, 0.3, 0.5, 1), ("p", [(-0.5, -0.3), (-0.3, -0.5), (0.5, -0.5), (0.3, -0.3)], 4),
            ("p", [(0.3, -0.3), (0.5, -0.5), (0.5, 0.3), (0.3, 0.5)], 5)],
    "chair": [("r", -0.32, -0.5, -0.2, 0.06, 1), ("r", -0.32, 0.0, 0.33, 0.11, 1),
              ("l", -0.28, 0.1, -0.28, 0.5, 0.05, 1), ("l", 0.29, 0.1, 0.29, 0.5, 0.05, 1)],
}
_FACING = {"dog", "cat", "horse", "bird", "car", "truck", "bus", "bicycle"}
_SHIFT = 4  # cv2 sub-pixel bits: smooth motion of slow objects
_ONE = 1 << _SHIFT


def _draw(canvas: np.ndarray, category: str, cx: float, cy: float, k: float, facing: float) -> None:
    """Draw a silhouette into ``canvas`` (part ids) centred at (cx, cy) px with longer side ``k`` px."""

    def pt(x: float, y: float) -> tuple[int, int]:
        return int(round((cx + facing * x * k) * _ONE)), int(round((cy + y * k) * _ONE))

    for prim in _SHAPES[category]:
        kind, part = prim[0], int(prim[-1])
        if kind == "e":
            _, x, y, ax, ay, ang, _ = prim
            axes = (max(int(round(ax * k * _ONE)), 1), max(int(round(ay * k * _ONE)), 1))
            cv2.ellipse(canvas, pt(x, y), axes, ang * facing, 0, 360, part, -1, cv2.LINE_8, _SHIFT)
        elif kind == "c":
            _, x, y, r, _ = prim
            cv2.circle(canvas, pt(x, y), max(int(round(r * k * _ONE)), 1), part, -1, cv2.LINE_8, _SHIFT)
        elif kind == "o":
            _, x, y, r, th, _ = prim
            cv2.circle(canvas, pt(x, y), max(int(round(r * k * _ONE)), 1), part, max(int(round(th * k)), 1),
                       cv2.LINE_8, _SHIFT)
        elif kind == "l":
            _, x1, y1, x2, y2, th, _ = prim
            cv2.line(canvas, pt(x1, y1), pt(x2, y2), part, max(int(round(th * k)), 1), cv2.LINE_8, _SHIFT)
        else:
            pts = prim[1] if kind == "p" else [(prim[1], prim[2]), (prim[3], prim[2]), (prim[3], prim[4]),
                                                (prim[1], prim[4])]
            cv2.fillPoly(canvas, [np.array([pt(x, y) for x, y in pts], np.int32)], part, cv2.LINE_8, _SHIFT)


def background_canvas(spec: SceneSpec) -> np.ndarray:
    """The scene's world canvas (RGB uint8, world_size): muted rectangles, lines, blobs and noise, so optical
    flow finds plenty of corners while object colours stay the most saturated in the image."""
    rng = np.random.default_rng(spec.background_seed)
    w, h = spec.world_size
    low = rng.random((h // 48 + 2, w // 48 + 2)).astype(np.float32)
    grey: np.ndarray = cv2.resize(low, (w, h), interpolation=cv2.INTER_CUBIC) * 90 + 85
    unit = max(spec.width / 480.0, 0.25)
    for _ in range(int(w * h / 2600)):
        x, y = (int(v) for v in rng.integers(0, (w, h)))
        dx, dy = (int(v) for v in rng.integers(4, 70, size=2) * unit)
        level, thick = float(rng.uniform(30, 230)), int(rng.choice([-1, -1, 1, 2]))
        cv2.rectangle(grey, (x, y), (x + dx, y + dy), level, thick)
    for _ in range(int(w * h / 6000)):
        p1 = tuple(int(v) for v in rng.integers(0, (w, h)))
        p2 = (p1[0] + int(rng.integers(-90, 90) * unit), p1[1] + int(rng.integers(-90, 90) * unit))
        cv2.line(grey, p1, p2, float(rng.uniform(20, 235)), int(rng.integers(1, 4)))
    for _ in range(int(w * h / 9000)):
        c = tuple(int(v) for v in rng.integers(0, (w, h)))
        axes = tuple(int(v) for v in rng.integers(3, 30, size=2) * unit)
        cv2.ellipse(grey, c, axes, float(rng.uniform(0, 180)), 0, 360, float(rng.uniform(30, 230)), -1)
    grey += rng.normal(0.0, 7.0, grey.shape).astype(np.float32)
    grey = cv2.GaussianBlur(grey, (3, 3), 0)
    tint = 1.0 + rng.uniform(-0.07, 0.07, size=3).astype(np.float32)  # faint tint: desaturated ground
    return np.clip(grey[:, :, None] * tint[None, None, :], 0, 255).astype(np.uint8)


def _facings(obj: SceneObject) -> np.ndarray:
    """+1 facing right / -1 facing left per frame: the sign of horizontal motion, held while still."""
    p = np.asarray(obj.path)
    vx = np.diff(p[:, 0], append=p[-1:, 0])
    vx[-1] = vx[-2] if len(vx) > 1 else 0.0
    moving = np.abs(vx) > 0.2
    first = np.sign(vx[moving][0]) if moving.any() else (1.0 if obj.texture_seed % 2 else -1.0)
    out = np.empty(len(vx))
    cur = first
    for t, (m, v) in enumerate(zip(moving, vx, strict=True)):
        cur = np.sign(v) if m else cur
        out[t] = cur
    return out


def _palette(colour: str) -> np.ndarray:
    """RGB per part id (0 unused): body, dark detail, glass, lit face, shaded face, skin."""
    base = np.array(COLOURS[colour], np.float32)
    bright = float(base.mean()) > 70
    dark = np.full(3, 38.0 if bright else 100.0, np.float32)
    glass = np.array([165, 190, 215] if colour not in ("white", "gray") else [60, 85, 110], np.float32)
    lit = np.minimum(base * 1.15 + 25, 255)
    return np.stack([base, base, dark, glass, lit, base * 0.72, np.array([225, 185, 150], np.float32)])


class _Sprites:
    """Per-object drawing state (facing per frame, colours, texture) and the per-frame sprite in view px."""

    def __init__(self, spec: SceneSpec, rgb: bool) -> None:
        self.spec = spec
        self.order = sorted(spec.objects, key=lambda o: -o.depth)  # far first; nearer objects paint over
        self.facing = {o.obj_id: _facings(o) if o.category in _FACING else np.ones(spec.num_frames)
                       for o in spec.objects}
        self.rgb = rgb
        if rgb:
            self.palette = {o.obj_id: _palette(o.colour) for o in spec.objects}
            self.noise = {o.obj_id: np.random.default_rng(o.texture_seed).normal(0, 1, (12, 12)).astype(np.float32)
                          for o in spec.objects}

    def sprite(self, obj: SceneObject, t: int) -> tuple[int, int, np.ndarray, float]:
        """(x0, y0, part-id canvas, view size) of ``obj`` at frame ``t``; the canvas is not clipped to the view."""
        spec = self.spec
        u, v = spec.camera.to_view(t, *obj.path[t], spec.width, spec.height)
        k = obj.size * spec.camera.zooms[t]
        half = int(np.ceil(0.56 * k)) + 2
        x0, y0 = int(np.floor(u)) - half, int(np.floor(v)) - half
        canvas = np.zeros((2 * half + 1, 2 * half + 1), np.uint8)
        _draw(canvas, obj.category, u - x0, v - y0, k, float(self.facing[obj.obj_id][t]))
        return x0, y0, canvas, k

    def paint(self, obj: SceneObject, parts: np.ndarray, ly: slice, lx: slice, inside: np.ndarray) -> np.ndarray:
        """(M, 3) RGB of the sprite's pixels ``parts[ly, lx][inside]``: part colours, lit from above, with a soft
        per-object texture."""
        n = parts.shape[0]
        rows = np.linspace(1.08, 0.86, n, dtype=np.float32)[ly]
        tex = cv2.resize(self.noise[obj.obj_id], (n, n), interpolation=cv2.INTER_CUBIC)[ly, lx][inside]
        factor = np.broadcast_to(rows[:, None], inside.shape)[inside] + 0.05 * tex
        rgb = self.palette[obj.obj_id][parts[ly, lx][inside]] * factor[:, None] + 6.0 * tex[:, None]
        return np.clip(rgb, 0, 255).astype(np.uint8)


def _clip(x0: int, y0: int, n: int, width: int, height: int) -> tuple[slice, slice, slice, slice] | None:
    vx0, vy0, vx1, vy1 = max(x0, 0), max(y0, 0), min(x0 + n, width), min(y0 + n, height)
    if vx1 <= vx0 or vy1 <= vy0:
        return None
    return slice(vy0, vy1), slice(vx0, vx1), slice(vy0 - y0, vy1 - y0), slice(vx0 - x0, vx1 - x0)


def _new_stats(spec: SceneSpec) -> dict[str, np.ndarray]:
    T, N = spec.num_frames, len(spec.objects)
    return {"full": np.zeros((T, N)), "onscreen": np.zeros((T, N)), "visible": np.zeros((T, N)),
            "cover": np.zeros((T, N, N)), "centroid": np.full((T, N, 2), np.nan)}


def render_frames(spec: SceneSpec, *, stats: dict[str, np.ndarray] | None = None,
                  rgb: bool = True) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield ``(rgb uint8 HxWx3, labels uint8 HxW)`` for every frame of the scene.

    With ``stats`` (an empty dict), it is filled with the arrays of :func:`render_labels_with_stats` as frames
    are rendered. With ``rgb=False`` only labels are drawn and the image is an empty (0, 0, 3) array.
    """
    sprites = _Sprites(spec, rgb=rgb)
    canvas = background_canvas(spec) if rgb else None
    ids = [o.obj_id for o in spec.objects]
    index = np.zeros(256, np.int64)
    index[ids] = np.arange(1, len(ids) + 1)
    if stats is not None:
        stats.update(_new_stats(spec))
    empty: np.ndarray = np.zeros((0, 0, 3), np.uint8)
    for t in range(spec.num_frames):
        frame = empty
        if canvas is not None:
            frame = cv2.warpAffine(canvas, spec.camera.affine(t, spec.width, spec.height), (spec.width, spec.height),
                                   flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT101)
        labels = np.zeros((spec.height, spec.width), np.uint8)
        drawn = []
        for obj in sprites.order:
            x0, y0, parts, _ = sprites.sprite(obj, t)
            i = ids.index(obj.obj_id)
            if stats is not None:
                stats["full"][t, i] = np.count_nonzero(parts)
            sl = _clip(x0, y0, parts.shape[0], spec.width, spec.height)
            if sl is None:
                continue
            vy, vx, ly, lx = sl
            inside = parts[ly, lx] > 0
            if canvas is not None:
                frame[vy, vx][inside] = sprites.paint(obj, parts, ly, lx, inside)
            labels[vy, vx][inside] = obj.obj_id
            drawn.append((i, sl, inside))
        if stats is not None:
            _count(stats, t, labels, drawn, index, ids)
        yield frame, labels


def _count(stats: dict[str, np.ndarray], t: int, labels: np.ndarray, drawn: list, index: np.ndarray,
           ids: list[int]) -> None:
    """Per-object pixel counts of frame t, from each object's own (clipped) silhouette and the final labels."""
    n = len(ids)
    for i, (vy, vx, _, _), inside in drawn:
        region = labels[vy, vx]
        counts = np.bincount(index[region[inside]], minlength=n + 1)
        stats["onscreen"][t, i] = inside.sum()
        stats["cover"][t, i] = counts[1:]
        stats["cover"][t, i, i] = 0
        stats["visible"][t, i] = counts[i + 1]
        ys, xs = np.nonzero(region == ids[i])
        if len(xs):
            stats["centroid"][t, i] = (xs.mean() + vx.start, ys.mean() + vy.start)


def render_labels_with_stats(spec: SceneSpec) -> dict[str, np.ndarray]:
    """Labels-only render with per-object pixel counts, index i = ``spec.objects[i]``.

    Returns arrays: ``full`` (T, N) silhouette area in view px ignoring the view border, ``onscreen`` (T, N)
    area inside the view, ``visible`` (T, N) pixels labelled with the object, ``cover`` (T, N, N) on-screen
    pixels of object i labelled with object j (i.e. hidden by j), ``centroid`` (T, N, 2) view-px (x, y)
    centroid of the visible pixels (NaN when none).
    """
    stats: dict[str, np.ndarray] = {}
    for _ in render_frames(spec, stats=stats, rgb=False):
        pass
    return stats
