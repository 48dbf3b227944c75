"""Scripting of synthetic scenes from *stories* (docs/architecture.md, "The oracle and synthetic data").

A story is a group of objects of one category whose motions differ in one respect (one dog stops while the
other keeps running, one car is twice as fast, a ball rolls behind a box...), so that referring expressions
about that respect have a unique answer while the category alone does not. Each story samples its geometry
a few times and keeps the least cluttered layout. Units are world px and px/frame (see synth_scene).
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

import numpy as np

from rvos_ros.errors import InputError
from rvos_ros.eval.synth_scene import CATEGORIES, CameraPath, SceneObject, SceneSpec, scripted_path

__all__ = ["STORIES", "make_scene"]

_MOVERS = ("person", "dog", "cat", "horse", "bird", "car", "truck", "bicycle", "ball")
_PROPS = ("box", "chair", "cup", "bottle", "ball", "car", "bicycle", "person")
_HIDERS = ("dog", "cat", "ball", "person", "bird", "bicycle")
_OCCLUDERS = ("bus", "truck", "box", "car")
STORIES = ("direction", "speed", "stops", "starts_late", "turns_back", "approach", "occlusion", "static_mix",
           "size", "unique")
_DIRS = {"left": (-1.0, 0.0), "right": (1.0, 0.0), "up": (0.0, -1.0), "down": (0.0, 1.0)}


@dataclass
class _Draft:
    category: str
    colour: str
    size: float
    motion: str
    path: np.ndarray
    ref: int | None = None  # index into the builder's drafts
    layer: float = 1.0
    crossing: bool = False  # enters or leaves the view on purpose

    def boxes(self) -> np.ndarray:
        aw, ah = CATEGORIES[self.category].aspect
        hw, hh = self.size * aw / 2, self.size * ah / 2
        p = self.path
        return np.stack([p[:, 0] - hw, p[:, 1] - hh, p[:, 0] + hw, p[:, 1] + hh], axis=1)


class _Builder:
    """Collects drafts; each story samples its group's geometry a few times and keeps the least cluttered."""

    def __init__(self, rng: np.random.Generator, width: int, height: int, num_frames: int, camera: CameraPath):
        self.rng, self.W, self.H, self.T, self.camera = rng, width, height, num_frames, camera
        self.unit = width / 480.0
        self.drafts: list[_Draft] = []
        self.used: set[str] = set()

    # -- choices -------------------------------------------------------------------------------------------
    def category(self, choices: tuple[str, ...]) -> str | None:
        free = [c for c in choices if c not in self.used]
        if not free:
            return None
        cat = str(self.rng.choice(free))
        self.used.add(cat)
        return cat

    def colours(self, cat: str, n: int) -> list[str]:
        pool = list(CATEGORIES[cat].colours)
        picked = [str(c) for c in self.rng.choice(pool, size=min(n, len(pool)), replace=False)]
        picked += [str(self.rng.choice(pool)) for _ in range(n - len(picked))]
        if n >= 2 and self.rng.random() < 0.35:  # same colour: colour alone must not answer motion expressions
            picked[1] = picked[0]
        return picked

    def size(self, cat: str, lo: float = 0.85, hi: float = 1.15) -> float:
        return CATEGORIES[cat].base_size * self.unit * float(self.rng.uniform(lo, hi))

    def speed(self, kind: str = "normal") -> float:
        lo, hi = {"slow": (1.2, 1.8), "normal": (2.2, 3.4), "fast": (4.2, 5.5)}[kind]
        # Long videos get slower motions so objects stay in view for most of the video.
        return float(self.rng.uniform(lo, hi)) * self.unit * min(1.0, 59.0 / max(self.T - 1, 1))

    def direction(self, cat: str, exclude: tuple[str, ...] = ()) -> str:
        dirs = ["left", "right"] * 2 + (["up", "down"] if CATEGORIES[cat].vertical else [])
        dirs = [d for d in dirs if d not in exclude] or ["left", "right"]
        return str(self.rng.choice(dirs))

    def switch(self) -> int:
        return int(self.T * self.rng.uniform(0.35, 0.62))

    def velocity(self, d: str, speed: float) -> tuple[float, float]:
        dx, dy = _DIRS[d]
        k = 0.75 if dy else 1.0  # the view is less tall than wide
        return dx * speed * k, dy * speed * k

    # -- geometry -------------------------------------------------------------------------------------------
    def point(self, half: tuple[float, float], central: float = 1.0) -> np.ndarray:
        """A random world point whose box of half-extent ``half`` fits the view at mid-video."""
        t = self.T // 2
        x0, y0 = self.camera.to_world(t, 0, 0, self.W, self.H)
        x1, y1 = self.camera.to_world(t, self.W, self.H, self.W, self.H)
        mx, my = (x0 + x1) / 2, (y0 + y1) / 2
        rx = max((x1 - x0) / 2 - half[0] - 8 * self.unit, 1.0) * central
        ry = max((y1 - y0) / 2 - half[1] - 8 * self.unit, 1.0) * central
        return np.array([mx + self.rng.uniform(-rx, rx), my + self.rng.uniform(-ry, ry)])

    def centred(self, cat: str, size: float, rel: np.ndarray, central: float = 1.0) -> np.ndarray:
        """Shift a relative path so the middle of its span lands on a random point of the view."""
        aw, ah = CATEGORIES[cat].aspect
        span = (rel.max(axis=0) - rel.min(axis=0)) / 2
        mid = self.point((size * aw / 2 + span[0], size * ah / 2 + span[1]), central)
        return rel - (rel.max(axis=0) + rel.min(axis=0)) / 2 + mid

    def clutter(self, group: list[_Draft], allowed: AbstractSet[tuple[int, int]]) -> int:
        """Frames in which two boxes overlap by more than 10 % of the smaller one (allowed pairs excepted)."""
        everyone = self.drafts + group
        n0 = len(self.drafts)
        score = 0
        for i in range(n0, len(everyone)):
            for j in range(i):
                if (j - n0, i - n0) in allowed or (i - n0, j - n0) in allowed:
                    continue
                a, b = everyone[i].boxes(), everyone[j].boxes()
                iw = np.clip(np.minimum(a[:, 2], b[:, 2]) - np.maximum(a[:, 0], b[:, 0]), 0, None)
                ih = np.clip(np.minimum(a[:, 3], b[:, 3]) - np.maximum(a[:, 1], b[:, 1]), 0, None)
                area = np.minimum((a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1]), (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1]))
                score += int(np.count_nonzero(iw * ih > 0.1 * area))
        # Prefer layouts in view; objects still leave it when crossing on purpose or when their path is long.
        for d in (d for d in group if not d.crossing):
            score += int(np.count_nonzero(~self.in_view(d))) // 2
        return score

    def in_view(self, draft: _Draft) -> np.ndarray:
        """(T,) whether at least 80 % of the draft's box lies inside the view in each frame."""
        cam, boxes = self.camera, draft.boxes()
        z = np.asarray(cam.zooms)[:, None]
        c = np.asarray(cam.centers)
        u = z * (boxes[:, [0, 2]] - c[:, :1]) + self.W / 2
        v = z * (boxes[:, [1, 3]] - c[:, 1:]) + self.H / 2
        iw = np.clip(np.minimum(u[:, 1], self.W) - np.maximum(u[:, 0], 0), 0, None)
        ih = np.clip(np.minimum(v[:, 1], self.H) - np.maximum(v[:, 0], 0), 0, None)
        return iw * ih >= 0.8 * (u[:, 1] - u[:, 0]) * (v[:, 1] - v[:, 0])

    def add_group(self, sample: Callable[[], list[_Draft]], allowed: AbstractSet[tuple[int, int]] = frozenset(),
                  tries: int = 24) -> list[_Draft]:
        """Sample a group's geometry ``tries`` times and keep the least cluttered; refs are group indices."""
        best, best_score = None, None
        for _ in range(tries):
            group = sample()
            score = self.clutter(group, allowed)
            if best_score is None or score < best_score:
                best, best_score = group, score
            if score == 0:
                break
        assert best is not None
        n0 = len(self.drafts)
        for d in best:
            if d.ref is not None:
                d.ref += n0
        self.drafts.extend(best)
        return best

    def mover(self, cat: str, colour: str, size: float, motion: str, d: str, speed: float,
              central: float = 1.0) -> _Draft:
        rel = scripted_path(motion, self.velocity(d, speed), self.T, self.switch())
        long_path = float(np.abs(rel[-1] - rel[0]).max()) > 1.5 * size  # room to come wholly into view
        if motion == "straight" and long_path and self.rng.random() < 0.25:
            return _Draft(cat, colour, size, motion, self.crossing(cat, size, rel, d), crossing=True)
        return _Draft(cat, colour, size, motion, self.centred(cat, size, rel, central))

    def crossing(self, cat: str, size: float, rel: np.ndarray, d: str) -> np.ndarray:
        """Place a straight path so the object enters the view (just outside at the first frame) or leaves it
        (just outside at the last frame), at a random place along the view's other axis."""
        enter = self.rng.random() < 0.5
        t = 0 if enter else self.T - 1
        x0, y0 = self.camera.to_world(t, 0, 0, self.W, self.H)
        x1, y1 = self.camera.to_world(t, self.W, self.H, self.W, self.H)
        hw, hh = (size * a / 2 for a in CATEGORIES[cat].aspect)
        dx, dy = _DIRS[d]
        out_sign = -1.0 if enter else 1.0  # outside behind the motion when entering, ahead of it when leaving
        if dx:
            edge_x = (x1 + hw if dx * out_sign > 0 else x0 - hw)
            point = np.array([edge_x, self.rng.uniform(y0 + hh, max(y1 - hh, y0 + hh + 1))])
        else:
            edge_y = (y1 + hh if dy * out_sign > 0 else y0 - hh)
            point = np.array([self.rng.uniform(x0 + hw, max(x1 - hw, x0 + hw + 1)), edge_y])
        return rel - rel[t] + point


# -- stories ----------------------------------------------------------------------------------------------------
def _group(b: _Builder, cats: tuple[str, ...], n: int) -> tuple[str, list[str], list[float]] | None:
    cat = b.category(cats)
    if cat is None:
        return None
    return cat, b.colours(cat, n), [b.size(cat) for _ in range(n)]


def _story_contrast(b: _Builder, motion: str) -> None:
    """One object with ``motion`` (stops, starts_late, turns_back) beside others moving straight or static."""
    n = 2 if b.rng.random() < 0.7 else 3
    g = _group(b, _MOVERS, n)
    if g is None:
        return
    cat, cols, sizes = g

    def sample() -> list[_Draft]:
        d = b.direction(cat)
        out = [b.mover(cat, cols[0], sizes[0], motion, d, b.speed("normal" if motion != "stops" else "fast"))]
        for i in range(1, n):
            other = "straight" if i == 1 or b.rng.random() < 0.5 else "static"
            out.append(b.mover(cat, cols[i], sizes[i], other, b.direction(cat), b.speed()))
        return out

    b.add_group(sample)


def _story_direction(b: _Builder) -> None:
    n = 2 if b.rng.random() < 0.6 else 3
    g = _group(b, _MOVERS, n)
    if g is None:
        return
    cat, cols, sizes = g
    opposite = {"left": "right", "right": "left", "up": "down", "down": "up"}

    def sample() -> list[_Draft]:
        d = b.direction(cat)
        out = [b.mover(cat, cols[0], sizes[0], "straight", d, b.speed())]
        for i in range(1, n):
            kind = str(b.rng.choice(["opposite", "static", "across"]))
            if kind == "static":
                out.append(b.mover(cat, cols[i], sizes[i], "static", d, 0.0))
                continue
            od = opposite[d] if kind == "opposite" else b.direction(cat, exclude=(d, opposite[d]))
            if od == d:
                od = opposite[d]
            out.append(b.mover(cat, cols[i], sizes[i], "straight", od, b.speed()))
        return out

    b.add_group(sample)


def _story_speed(b: _Builder) -> None:
    n = 2 if b.rng.random() < 0.65 else 3
    g = _group(b, _MOVERS, n)
    if g is None:
        return
    cat, cols, sizes = g

    def sample() -> list[_Draft]:
        slow = b.speed("slow")
        speeds = [min(slow * float(b.rng.uniform(2.1, 2.8)), 6.0 * b.unit), slow]
        speeds += [slow * float(b.rng.uniform(0.9, 1.25)) for _ in range(n - 2)]
        order = b.rng.permutation(n)
        d = str(b.rng.choice(["left", "right"]))
        return [b.mover(cat, cols[i], sizes[i], "straight",
                        d if b.rng.random() < 0.6 else ("right" if d == "left" else "left"), speeds[order[i]])
                for i in range(n)]

    b.add_group(sample)


def _story_static_mix(b: _Builder) -> None:
    n = 2 if b.rng.random() < 0.5 else 3
    g = _group(b, _MOVERS, n)
    if g is None:
        return
    cat, cols, sizes = g
    one_static = b.rng.random() < 0.55

    def sample() -> list[_Draft]:
        out = []
        for i in range(n):
            moving = (i != 0) if one_static else (i == 0)
            motion = "straight" if moving else "static"
            out.append(b.mover(cat, cols[i], sizes[i], motion, b.direction(cat), b.speed() if moving else 0.0))
        return out

    b.add_group(sample)


def _story_size(b: _Builder) -> None:
    n = 2 if b.rng.random() < 0.7 else 3
    cat = b.category(_MOVERS + ("box", "cup", "bottle", "chair"))
    if cat is None:
        return
    cols = b.colours(cat, n)
    small = b.size(cat, 0.7, 0.85)
    sizes = [small * float(b.rng.uniform(1.45, 1.65)), small] + [0.0] * (n - 2)
    sizes[2:] = [sizes[0] * float(b.rng.uniform(0.95, 1.05)) for _ in range(n - 2)]
    order = b.rng.permutation(n)

    def sample() -> list[_Draft]:
        out = []
        for i in range(n):
            moving = CATEGORIES[cat].mover and b.rng.random() < 0.5
            out.append(b.mover(cat, cols[i], sizes[order[i]], "straight" if moving else "static",
                               b.direction(cat), b.speed("slow") if moving else 0.0))
        return out

    b.add_group(sample)


def _story_approach(b: _Builder) -> None:
    ref_cat = b.category(_PROPS)
    cat = b.category(tuple(c for c in _MOVERS if c not in ("truck",)))
    if ref_cat is None or cat is None:
        return
    ref_col = b.colours(ref_cat, 1)[0]
    ref_size = b.size(ref_cat)
    cols = b.colours(cat, 2)
    sizes = [b.size(cat), b.size(cat)]
    leave = b.rng.random() < 0.6
    rw = ref_size * CATEGORIES[ref_cat].aspect[0]
    cw = max(s * CATEGORIES[cat].aspect[0] for s in sizes)

    def line(start: np.ndarray, end: np.ndarray) -> np.ndarray:
        return start + (end - start) * np.linspace(0.0, 1.0, b.T)[:, None]

    def sample() -> list[_Draft]:
        ref_pos = b.point((rw / 2, rw / 2), central=0.45)
        near = (rw + cw) / 2 + 8 * b.unit
        far = near + min(float(b.rng.uniform(140, 190)) * b.unit, 4.5 * b.unit * (b.T - 1))
        side = 1.0 if b.rng.random() < 0.5 else -1.0
        a = float(b.rng.uniform(-0.5, 0.5))
        u = np.array([side * np.cos(a), np.sin(a) * 0.7])
        ref = _Draft(ref_cat, ref_col, ref_size, "static", np.tile(ref_pos, (b.T, 1)))
        out = [ref, _Draft(cat, cols[0], sizes[0], "approaches", line(ref_pos + far * u, ref_pos + near * u), ref=0)]
        a2 = float(b.rng.uniform(-0.5, 0.5))
        u2 = np.array([-side * np.cos(a2), np.sin(a2) * 0.7])
        if leave:
            out.append(_Draft(cat, cols[1], sizes[1], "moves_away", line(ref_pos + near * u2, ref_pos + far * u2),
                              ref=0))
        else:
            out.append(b.mover(cat, cols[1], sizes[1], "static", "left", 0.0))
        return out

    b.add_group(sample, allowed={(0, 1), (0, 2)})


def _story_occlusion(b: _Builder) -> None:
    cat = b.category(_HIDERS)
    if cat is None:
        return
    tsize = b.size(cat, 0.8, 1.0)
    tw, th = (tsize * a for a in CATEGORIES[cat].aspect)
    options = []
    for oc in _OCCLUDERS:
        if oc in b.used:
            continue
        aw, ah = CATEGORIES[oc].aspect
        need = max(CATEGORIES[oc].base_size * b.unit, (tw + 45 * b.unit) / aw, th * 1.2 / ah)
        options.append((need / CATEGORIES[oc].base_size, oc, need))
    if not options:
        return
    options.sort()  # the occluder that needs the least enlarging hides the target for the fewest frames
    _, occ, osize = options[0] if b.rng.random() < 0.75 else options[int(b.rng.integers(len(options)))]
    b.used.add(occ)
    ow, oh = (osize * a for a in CATEGORIES[occ].aspect)
    cols = b.colours(cat, 2)
    occ_col = str(b.rng.choice([c for c in CATEGORIES[occ].colours if c not in cols[:1]]))
    # Fast enough to come out again before the end, and hidden for at most ~30 % of the video.
    speed = max(b.speed("normal"), (ow + tw + 30 * b.unit) / max(b.T - 1, 1), (ow - tw) / (0.3 * b.T))
    speed = min(speed, 6.0 * b.unit)
    spare = speed * (b.T - 1) - ow - tw

    def sample() -> list[_Draft]:
        opos = b.point((ow / 2 + tw, oh / 2), central=0.6)
        side = 1.0 if b.rng.random() < 0.5 else -1.0
        before = spare * float(b.rng.uniform(0.3, 0.6))
        y = opos[1] + float(b.rng.uniform(-0.3, 0.6)) * (oh - th) / 2
        start = np.array([opos[0] - side * (ow / 2 + tw / 2 + before), y])
        rel = scripted_path("straight", (side * speed, 0.0), b.T, 0)
        out = [_Draft(occ, occ_col, osize, "static", np.tile(opos, (b.T, 1)), layer=0.0),
               _Draft(cat, cols[0], tsize, "passes_behind", start + rel, ref=0, layer=3.0)]
        motion = "static" if b.rng.random() < 0.4 else "straight"
        out.append(b.mover(cat, cols[1], b.size(cat), motion, b.direction(cat), b.speed()))
        return out

    b.add_group(sample, allowed={(0, 1)})


def _story_unique(b: _Builder) -> None:
    cat = b.category(tuple(CATEGORIES))
    if cat is None:
        return
    col = b.colours(cat, 1)[0]
    size = b.size(cat)
    motion = str(b.rng.choice(["static", "straight", "stops", "starts_late"])) if CATEGORIES[cat].mover else "static"

    def sample() -> list[_Draft]:
        return [b.mover(cat, col, size, motion, b.direction(cat), b.speed() if motion != "static" else 0.0)]

    b.add_group(sample)


_STORY_FUNCS: dict[str, Callable[[_Builder], None]] = {
    "direction": _story_direction,
    "speed": _story_speed,
    "stops": lambda b: _story_contrast(b, "stops"),
    "starts_late": lambda b: _story_contrast(b, "starts_late"),
    "turns_back": lambda b: _story_contrast(b, "turns_back"),
    "approach": _story_approach,
    "occlusion": _story_occlusion,
    "static_mix": _story_static_mix,
    "size": _story_size,
    "unique": _story_unique,
}


def _camera(rng: np.random.Generator, width: int, height: int, num_frames: int,
            world: tuple[int, int]) -> CameraPath:
    kind = str(rng.choice(["static", "pan", "zoom", "pan_zoom"], p=[0.4, 0.35, 0.1, 0.15]))
    t = np.linspace(0.0, 1.0, num_frames)
    zooms = np.ones(num_frames)
    if kind in ("zoom", "pan_zoom"):
        z = float(rng.uniform(1.15, 1.3))
        zooms = 1.0 + (z - 1.0) * (t if rng.random() < 0.5 else 1.0 - t)
    centre = np.array([world[0] / 2, world[1] / 2])
    shift = np.zeros(2)
    if kind in ("pan", "pan_zoom"):
        a = float(rng.uniform(-0.35, 0.35)) + (np.pi if rng.random() < 0.5 else 0.0)
        if rng.random() < 0.15:
            a += np.pi / 2
        margin = np.array([(world[0] - width) / 2, (world[1] - height) / 2]) - 4.0
        speed = float(rng.uniform(0.8, 2.2)) * width / 480.0
        shift = np.array([np.cos(a), np.sin(a)]) * speed * (num_frames - 1)
        shift = shift * min(1.0, float(np.min(2 * margin / np.maximum(np.abs(shift), 1e-6))))
    centers = centre - shift / 2 + shift * t[:, None]
    return CameraPath(tuple((float(x), float(y)) for x, y in centers), tuple(float(z) for z in zooms), kind)


def make_scene(rng_or_seed: np.random.Generator | int, index: int, width: int = 480, height: int = 360,
               num_frames: int = 60, fps: float = 15.0) -> SceneSpec:
    """Build scene number ``index`` (named ``s000``, ``s001``, ...).

    An integer seed is combined with ``index`` (the same pair always gives the same scene); a Generator is
    used as is. Raises InputError for a view smaller than 64x64 px, fewer than 8 frames or fps <= 0.
    """
    if width < 64 or height < 64:
        raise InputError(f"synthetic view {width}x{height} is too small; use at least 64x64 px (e.g. 480x360)")
    if num_frames < 8:
        raise InputError(f"num_frames={num_frames} is too short for scripted motions; use at least 8 (e.g. 60)")
    if not fps > 0:
        raise InputError(f"fps={fps} must be positive (e.g. 15)")
    rng = rng_or_seed if isinstance(rng_or_seed, np.random.Generator) else np.random.default_rng([rng_or_seed, index])
    world = (int(width * 1.7), int(height * 1.7))
    camera = _camera(rng, width, height, num_frames, world)
    b = _Builder(rng, width, height, num_frames, camera)
    stories = [STORIES[index % len(STORIES)]]
    extra = [s for s in STORIES if s != stories[0]]
    stories += [str(s) for s in rng.choice(extra, size=int(rng.integers(1, 3)), replace=False)]
    for story in stories:
        if len(b.drafts) >= 6:  # keep scenes readable
            break
        _STORY_FUNCS[story](b)
    if len(b.drafts) < 6 and rng.random() < 0.35:
        _story_unique(b)
    ids = [int(i) + 1 for i in rng.permutation(len(b.drafts))]
    layers = [d.layer if d.layer != 1.0 else 1.0 + float(rng.random()) for d in b.drafts]
    depth = {int(i): r for r, i in enumerate(np.argsort(layers, kind="stable"))}
    objects = tuple(
        SceneObject(ids[i], d.category, d.colour, round(d.size, 3), depth[i], d.motion,
                    tuple((round(float(x), 3), round(float(y), 3)) for x, y in d.path),
                    ids[d.ref] if d.ref is not None else None, int(rng.integers(2**31)))
        for i, d in enumerate(b.drafts))
    objects = tuple(sorted(objects, key=lambda o: o.obj_id))
    return SceneSpec(f"s{index:03d}", width, height, num_frames, float(fps), world, int(rng.integers(2**31)),
                     camera, objects, tuple(stories))
