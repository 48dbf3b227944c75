"""Synthetic trajectory windows for the language set: paths in, contract JSON out.

A track is a function of the frame index giving its box centre and a scale
(1 = the category's usual size at mid depth); frames where the box falls mostly
outside the image, or outside the track's [start, end) span, get no row (not
observed, per docs/contracts.md). A little seeded jitter is added to the
centres so nothing is pixel-perfect.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

WIDTH, HEIGHT, FPS = 640, 480, 10.0
JITTER_PX = 0.4

# (width, height) of a box at scale 1
SIZES = {
    "dog": (70, 50), "cat": (50, 40), "horse": (110, 90), "person": (40, 100), "car": (120, 60),
    "bird": (30, 24), "sheep": (70, 50), "ball": (30, 30), "bicycle": (70, 60), "cow": (110, 80),
    "duck": (36, 30), "rabbit": (36, 36), "truck": (160, 90), "motorcycle": (80, 60), "bus": (180, 100),
    "zebra": (110, 85), "elephant": (150, 120), "boat": (120, 50),
}

Path = Callable[[int], tuple[float, float, float]]


def keys(*points: Sequence[float]) -> Path:
    """Piecewise-linear path through (frame, cx, cy[, scale]) points, held before the first and after the last."""
    pts = [(p[0], p[1], p[2], p[3] if len(p) > 3 else 1.0) for p in points]

    def at(f: int) -> tuple[float, float, float]:
        if f <= pts[0][0]:
            return pts[0][1:]
        for (f0, *a), (f1, *b) in zip(pts, pts[1:], strict=False):
            if f <= f1:
                u = (f - f0) / max(f1 - f0, 1e-9)
                return tuple(x + (y - x) * u for x, y in zip(a, b, strict=True))  # type: ignore[return-value]
        return pts[-1][1:]

    return at


def segments(x0: float, y0: float, moves: Sequence[tuple[int, float, float]], scale: float = 1.0) -> Path:
    """A path from (x0, y0) made of consecutive (frames, vx, vy) pieces (px per frame); (n, 0, 0) is a stop."""
    pts = [(0, x0, y0, scale)]
    f, x, y = 0, x0, y0
    for n, vx, vy in moves:
        f, x, y = f + n, x + n * vx, y + n * vy
        pts.append((f, x, y, scale))
    return keys(*pts)


def wave(base: Path, ax: float = 0.0, ay: float = 0.0, period: float = 20.0, bounce: bool = False,
         phase: float = 0.0) -> Path:
    """``base`` plus a periodic offset: a sine (back and forth) or |sine| upwards (bouncing)."""

    def at(f: int) -> tuple[float, float, float]:
        x, y, s = base(f)
        w = math.sin(2 * math.pi * f / period + phase)
        if bounce:
            return x, y - ay * abs(math.sin(math.pi * f / (period / 2))), s
        return x + ax * w, y + ay * w, s

    return at


def circle(cx: float, cy: float, r: float, period: float, phase: float = 0.0) -> Path:
    return lambda f: (cx + r * math.cos(2 * math.pi * f / period + phase),
                      cy + r * math.sin(2 * math.pi * f / period + phase), 1.0)


@dataclass
class Track:
    label: str
    path: Path
    role: str
    color: str | None = None
    start: int = 0
    end: int | None = None


@dataclass
class Scene:
    """Tracks of one window; ids are drawn from the case's rng so their order says nothing."""

    rng: np.random.Generator
    num_frames: int = 40
    tracks: list[Track] = field(default_factory=list)

    def add(self, label: str, path: Path, role: str, *, color: str | None = None, start: int = 0,
            end: int | None = None) -> str:
        self.tracks.append(Track(label, path, role, color, start, end))
        return role

    def to_window(self, query: str) -> tuple[dict, dict[str, int]]:
        """The window JSON (contract version 1) and the map role → track id."""
        ids = [int(v) for v in self.rng.choice(np.arange(1, 100), size=len(self.tracks), replace=False)]
        order = self.rng.permutation(len(self.tracks))
        roles: dict[str, int] = {}
        out = []
        for k in order:
            t, tid = self.tracks[k], ids[k]
            roles[t.role] = tid
            w0, h0 = SIZES[t.label]
            rows = []
            end = self.num_frames if t.end is None else t.end
            for f in range(t.start, end):
                cx, cy, s = t.path(f)
                cx += float(self.rng.normal(0, JITTER_PX))
                cy += float(self.rng.normal(0, JITTER_PX))
                w, h = w0 * s, h0 * s
                x1, y1, x2, y2 = cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2
                c1, d1, c2, d2 = max(x1, 0.0), max(y1, 0.0), min(x2, WIDTH), min(y2, HEIGHT)
                if c2 - c1 < 0.3 * w or d2 - d1 < 0.3 * h:
                    continue  # mostly outside the view: not observed
                rows.append([f, round(c1, 1), round(d1, 1), round(c2, 1), round(d2, 1), 1])
            track = {"id": tid, "label": t.label, "score": round(float(self.rng.uniform(0.6, 0.95)), 2)}
            if t.color:
                track["attributes"] = {"color": t.color}
            track["boxes"] = rows
            out.append(track)
        window = {"version": 1, "query": query, "fps": FPS, "width": WIDTH, "height": HEIGHT,
                  "num_frames": self.num_frames, "tracks": out}
        return window, roles
