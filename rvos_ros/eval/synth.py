"""Synthetic datasets: seeded scenes rendered to a dataset folder with referring expressions whose answers are
known (docs/architecture.md, "The oracle and synthetic data").

Scenes come from :mod:`rvos_ros.eval.synth_stories` (data in :mod:`rvos_ros.eval.synth_scene`), pixels
from :mod:`rvos_ros.eval.synth_render`, wording from :mod:`rvos_ros.eval.synth_text`. Here we decide which
expressions are true *and unambiguous*, from the scripted trajectories (world px, i.e. camera-compensated)
and from the rendered labels (visibility, occlusion, size): an expression is emitted only when exactly the
objects it names satisfy it among the objects of its category.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from rvos_ros.errors import InputError
from rvos_ros.eval.dataset import DatasetWriter
from rvos_ros.eval.synth_render import background_canvas, render_frames, render_labels_with_stats
from rvos_ros.eval.synth_scene import CameraPath, SceneObject, SceneSpec
from rvos_ros.eval.synth_stories import make_scene
from rvos_ros.eval.synth_text import phrase

__all__ = [
    "EXPRESSION_CATEGORIES",
    "CameraPath",
    "SceneObject",
    "SceneSpec",
    "SynthExpression",
    "SynthSummary",
    "background_canvas",
    "expressions_for",
    "make_scene",
    "objects_payload",
    "render_frames",
    "synthesize",
]

EXPRESSION_CATEGORIES = ("category", "colour", "size", "spatial", "direction", "speed", "stops", "starts_late",
                         "turns_back", "approaches", "moves_away", "static_vs_moving", "occlusion", "multi")
_MOTION_KINDS = {"direction", "speed", "stops", "starts_late", "turns_back", "approaches", "moves_away",
                 "static_vs_moving", "occlusion"}
_ACHROMATIC = ("black", "white", "gray")
_UNIT = {"left": (-1.0, 0.0), "right": (1.0, 0.0), "up": (0.0, -1.0), "down": (0.0, 1.0)}
_OPPOSITE = {"left": "right", "right": "left", "up": "down", "down": "up"}
# Expression kinds a scene's stories were built for are preferred when choosing among the true ones.
_STORY_KINDS = {"direction": ("direction",), "speed": ("speed",), "stops": ("stops",), "starts_late": ("starts_late",),
                "turns_back": ("turns_back",), "approach": ("approaches", "moves_away"), "occlusion": ("occlusion",),
                "static_mix": ("static_vs_moving",), "size": ("size",), "unique": ("category",)}


@dataclass(frozen=True)
class SynthExpression:
    """A referring expression, the ids of the objects it means, and its kind (one of EXPRESSION_CATEGORIES)."""

    text: str
    obj_ids: tuple[int, ...]
    category: str


@dataclass(frozen=True)
class SynthSummary:
    """What :func:`synthesize` wrote: counts of videos, frames and expressions, expressions per category."""

    out: Path
    videos: int
    frames: int
    expressions: int
    per_category: Mapping[str, int] = field(default_factory=dict)


class _Facts:
    """Per-object measurements of one scene; index i is ``spec.objects[i]``."""

    def __init__(self, spec: SceneSpec, stats: Mapping[str, np.ndarray]) -> None:
        self.spec, self.objs = spec, spec.objects
        self.T, self.unit = spec.num_frames, spec.width / 480.0
        self.min_travel = 24.0 * self.unit
        self.pos = np.array([o.path for o in self.objs], np.float64).transpose(1, 0, 2)  # (T, N, 2) world px
        vel = np.diff(self.pos, axis=0)
        self.step = np.linalg.norm(vel, axis=2)
        self.travel = self.step.sum(axis=0)
        self.moving = self.step > 0.3 * self.unit
        self.amount = {"left": np.clip(-vel[..., 0], 0, None).sum(0), "right": np.clip(vel[..., 0], 0, None).sum(0),
                       "up": np.clip(-vel[..., 1], 0, None).sum(0), "down": np.clip(vel[..., 1], 0, None).sum(0)}
        self.full, self.onscreen = stats["full"], stats["onscreen"]
        self.visible, self.cover = stats["visible"], stats["cover"]
        self.seen = self.visible >= np.maximum(20.0, 0.2 * self.full)
        zoom2 = np.asarray(spec.camera.zooms)[:, None] ** 2
        self.area = np.median(self.full / zoom2, axis=0)  # world px^2
        self.categories = tuple(sorted({o.category for o in self.objs}))

    def candidates(self, category: str) -> list[int]:
        """Objects of the category with any pixel in the annotations (even a sliver can make a phrase ambiguous)."""
        return [i for i, o in enumerate(self.objs) if o.category == category and self.visible[:, i].max() > 0]

    def wholly_seen(self, i: int) -> bool:
        return bool((self.visible[:, i] >= 0.95 * self.full[:, i]).any())

    def target_ok(self, i: int) -> bool:
        """Seen in 30 % of the frames, and wholly in view and unhidden in 15 % of them."""
        whole = self.visible[:, i] >= 0.95 * self.full[:, i]
        return bool(self.seen[:, i].mean() >= 0.3 and whole.mean() >= 0.15)

    # motion ----------------------------------------------------------------------------------------------------
    def is_static(self, i: int) -> bool:
        return bool(self.travel[i] < 1.0)

    def is_moving(self, i: int) -> bool:
        return bool(self.travel[i] >= self.min_travel)

    def moves_dir(self, i: int, d: str) -> bool:
        a = self.amount
        perp = a["up"][i] + a["down"][i] if d in ("left", "right") else a["left"][i] + a["right"][i]
        return bool(a[d][i] >= self.min_travel and a[_OPPOSITE[d]][i] <= 0.1 * a[d][i] and a[d][i] >= 1.5 * perp)

    def seen_moving(self, i: int, d: str) -> bool:
        """The motion towards d shows while the object is wholly in view (between such frames)."""
        whole = np.flatnonzero(self.visible[:, i] >= 0.95 * self.full[:, i])
        if len(whole) < 2:
            return False
        step = self.pos[whole[-1], i] - self.pos[whole[0], i]
        return bool(step @ np.array(_UNIT[d]) >= 0.5 * self.min_travel)

    def touches_dir(self, i: int, d: str) -> bool:
        return bool(self.amount[d][i] > 8.0 * self.unit)

    def speed(self, i: int) -> float:
        return float(self.travel[i] / max(1, int(self.moving[:, i].sum())))

    def stops(self, i: int) -> bool:
        m, tail = self.moving[:, i], int(0.2 * (self.T - 1))
        if not m[0] or m.all():
            return False
        k = int(np.argmin(m))
        return bool(k >= tail and not m[k:].any() and len(m) - k >= tail and self.is_moving(i))

    def maybe_stops(self, i: int) -> bool:
        m, n = self.moving[:, i], max(1, int(0.15 * (self.T - 1)))
        return bool(self.travel[i] > 8.0 * self.unit and not m[-n:].any())

    def starts_late(self, i: int) -> bool:
        m, head = self.moving[:, i], int(0.2 * (self.T - 1))
        if m[0] or not m.any():
            return False
        k = int(np.argmax(m))
        return bool(k >= head and m[k:].all() and self.is_moving(i))

    def maybe_starts_late(self, i: int) -> bool:
        m, n = self.moving[:, i], max(1, int(0.15 * (self.T - 1)))
        return bool(self.travel[i] > 8.0 * self.unit and not m[:n].any())

    def _out_and_back(self, i: int) -> tuple[float, float]:
        dist = np.linalg.norm(self.pos[:, i] - self.pos[0, i], axis=1)
        return float(dist.max()), float(dist[-1])

    def turns_back(self, i: int) -> bool:
        dmax, dend = self._out_and_back(i)
        return dmax >= self.min_travel and dmax - dend >= 0.5 * dmax

    def maybe_turns_back(self, i: int) -> bool:
        dmax, dend = self._out_and_back(i)
        return dmax - dend > 0.1 * dmax + 2.0 * self.unit

    def _dist(self, i: int, j: int) -> np.ndarray:
        return np.linalg.norm(self.pos[:, i] - self.pos[:, j], axis=1)

    def approaches(self, i: int, j: int) -> bool:
        d = self._dist(i, j)
        return bool(d[0] - d[-1] >= max(40 * self.unit, 0.3 * d[0]) and np.diff(d).max() <= 0.5)

    def maybe_approaches(self, i: int, j: int) -> bool:
        d = self._dist(i, j)
        return bool(d.min() < d[0] - 12 * self.unit)

    def moves_away(self, i: int, j: int) -> bool:
        d = self._dist(i, j)
        return bool(d[-1] - d[0] >= max(40 * self.unit, 0.3 * d[-1]) and np.diff(d).min() >= -0.5)

    def maybe_moves_away(self, i: int, j: int) -> bool:
        d = self._dist(i, j)
        return bool(d.max() > d[0] + 12 * self.unit)

    # pixels ----------------------------------------------------------------------------------------------------
    def hidden_behind(self, i: int, j: int) -> bool:
        """Fully in view but at least 70 % covered by j for 3+ frames, and clearly visible before and after."""
        on, full = self.onscreen[:, i], self.full[:, i]
        hidden = (on >= 0.8 * full) & (self.cover[:, i, j] >= 0.7 * np.maximum(on, 1))
        if hidden.sum() < 3:
            return False
        first, last = int(np.argmax(hidden)), len(hidden) - 1 - int(np.argmax(hidden[::-1]))
        clear = self.visible[:, i] >= 0.75 * full
        return bool(clear[:first].any() and clear[last + 1:].any())

    def maybe_hidden_behind(self, i: int, j: int) -> bool:
        return bool((self.cover[:, i, j] > 0.1 * np.maximum(self.onscreen[:, i], 1)).any())

    def extent(self, i: int) -> tuple[float, float]:
        return self.objs[i].extent

    def clearly(self, i: int, o: int, axis: int, sign: float, margin_scale: float = 0.25) -> bool:
        """i is clearly before o along ``axis`` (sign -1: smaller coordinate) in every frame both are seen."""
        both = self.seen[:, i] & self.seen[:, o]
        if both.mean() < 0.4:
            return False
        margin = (self.extent(i)[axis] + self.extent(o)[axis]) * margin_scale + 10 * self.unit
        gap = (self.pos[both, o, axis] - self.pos[both, i, axis]) * -sign
        return bool((gap > margin).all())


def _options(f: _Facts) -> list[tuple[str, str, tuple[int, ...], dict[str, Any]]]:
    """Every (expression category, phrase kind, object indices, phrase slots) that is true and unambiguous."""
    out: list[tuple[str, str, tuple[int, ...], dict[str, Any]]] = []
    objs = f.objs
    unique_refs = [j for j, o in enumerate(objs) if len(f.candidates(o.category)) == 1 and f.seen[:, j].mean() >= 0.5]
    for cat in f.categories:
        cands = f.candidates(cat)
        if not cands:
            continue
        ok = [i for i in cands if f.target_ok(i)]
        if len(cands) == 1 and ok:
            out.append(("category", "category", (ok[0],), {}))
        for i in ok:
            others = [o for o in cands if o != i]
            col = objs[i].colour
            if others and all(objs[o].colour != col for o in others):
                out.append(("colour", "colour", (i,), {"colour": col}))
            # "the red one" names no category: only for chromatic colours, which the muted ground never has
            if col not in _ACHROMATIC and all(objs[o].colour != col for o in range(len(objs))
                                              if o != i and f.seen[:, o].any()):
                out.append(("colour", "colour_any", (i,), {"colour": col}))
            if not others:
                continue
            two = len(others) == 1
            whole = all(f.wholly_seen(o) for o in cands)  # sizes are compared on whole silhouettes
            if whole and all(f.area[i] >= 1.5 * f.area[o] for o in others):
                out.append(("size", "bigger" if two else "biggest", (i,), {}))
            if whole and all(f.area[o] >= 1.5 * f.area[i] for o in others):
                out.append(("size", "smaller" if two else "smallest", (i,), {}))
            for kind, axis, sign in (("leftmost", 0, -1.0), ("rightmost", 0, 1.0), ("top", 1, -1.0),
                                     ("bottom", 1, 1.0)):
                if all(f.clearly(i, o, axis, sign) for o in others):
                    out.append(("spatial", kind, (i,), {}))
            for d in ("left", "right", "up", "down"):
                if f.moves_dir(i, d) and f.seen_moving(i, d) and not any(f.touches_dir(o, d) for o in others):
                    out.append(("direction", "direction", (i,), {"direction": d}))
            if all(f.is_moving(o) and f.moving[:, o].mean() >= 0.6 for o in cands):
                fast = "faster" if two else "fastest"
                if all(f.speed(i) >= 1.6 * f.speed(o) for o in others):
                    out.append(("speed", fast, (i,), {"fast": True}))
                if all(f.speed(o) >= 1.6 * f.speed(i) for o in others):
                    out.append(("speed", "slower" if two else "slowest", (i,), {}))
            if f.stops(i) and not any(f.maybe_stops(o) for o in others):
                out.append(("stops", "stops", (i,), {}))
            if f.starts_late(i) and not any(f.maybe_starts_late(o) for o in others):
                out.append(("starts_late", "starts_late", (i,), {}))
            if f.turns_back(i) and not any(f.maybe_turns_back(o) for o in others):
                out.append(("turns_back", "turns_back", (i,), {}))
            if f.is_static(i) and all(f.is_moving(o) for o in others):
                out.append(("static_vs_moving", "static", (i,), {}))
            if f.is_moving(i) and all(f.is_static(o) for o in others):
                out.append(("static_vs_moving", "moving", (i,), {}))
            for j in unique_refs:
                ref = objs[j].category
                if ref == cat:
                    continue
                if f.is_static(j) and f.approaches(i, j) and not any(f.maybe_approaches(o, j) for o in others):
                    out.append(("approaches", "approaches", (i,), {"ref": ref}))
                if f.is_static(j) and f.moves_away(i, j) and not any(f.maybe_moves_away(o, j) for o in others):
                    out.append(("moves_away", "moves_away", (i,), {"ref": ref}))
                if f.hidden_behind(i, j) and not any(f.maybe_hidden_behind(o, j) for o in others):
                    out.append(("occlusion", "occlusion", (i,), {"ref": ref}))
                for kind, axis, sign in (("left_of", 0, -1.0), ("right_of", 0, 1.0), ("above", 1, -1.0),
                                         ("below", 1, 1.0)):
                    if f.clearly(i, j, axis, sign, 0.5) and not any(
                            f.seen[:, o].any() and not f.clearly(j, o, axis, sign, 0.0) for o in others):
                        out.append(("spatial", kind, (i,), {"ref": ref}))
        if len(ok) >= 2 and len(ok) == len(cands):
            kind = "multi_two" if len(ok) == 2 else "multi_all"
            out.append(("multi", kind, tuple(ok), {"count": len(ok)}))
        for d in ("left", "right", "up", "down"):
            group = [i for i in ok if f.moves_dir(i, d)]
            rest = [o for o in cands if o not in group]
            if len(group) >= 2 and not any(f.touches_dir(o, d) for o in rest):
                out.append(("multi", "multi_dir", tuple(group), {"direction": d, "count": len(group)}))
        still = [i for i in cands if f.is_static(i)]
        moving = [i for i in cands if f.is_moving(i)]
        split = len(still) + len(moving) == len(cands) and still and moving
        if split and len(still) >= 2 and all(f.target_ok(i) for i in still):
            out.append(("multi", "multi_static", tuple(still), {"count": len(still)}))
        if split and len(moving) >= 2 and all(f.target_ok(i) for i in moving):
            out.append(("multi", "multi_moving", tuple(moving), {"count": len(moving)}))
    return out


def expressions_for(spec: SceneSpec, rng: np.random.Generator | int, *,
                    stats: Mapping[str, np.ndarray] | None = None) -> list[SynthExpression]:
    """Several (usually 4-8) true, unambiguous expressions of different kinds for a scene.

    ``stats`` is :func:`render_labels_with_stats` of the scene when the caller already has it.
    """
    rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    facts = _Facts(spec, stats if stats is not None else render_labels_with_stats(spec))
    by_kind: dict[str, list[tuple[str, tuple[int, ...], dict[str, Any]]]] = {}
    for category, kind, idx, slots in _options(facts):
        by_kind.setdefault(category, []).append((kind, idx, slots))
    kinds = sorted(by_kind, key=EXPRESSION_CATEGORIES.index)
    built_for = {k for story in spec.stories for k in _STORY_KINDS.get(story, ())}
    weights = np.array([(3.0 if k in _MOTION_KINDS else 2.0 if k == "multi" else 1.0) * (8.0 if k in built_for else 1.0)
                        for k in kinds])
    order = [kinds[i] for i in rng.choice(len(kinds), size=len(kinds), replace=False, p=weights / weights.sum())] \
        if kinds else []
    want = int(rng.integers(4, 9))
    picks: list[tuple[str, tuple[str, tuple[int, ...], dict[str, Any]]]] = []
    for rounds in range(2):  # a second expression of a kind only when too few kinds are true
        for k in order:
            if len(picks) >= want:
                break
            pool = [o for o in by_kind[k] if all(o is not p[1] for p in picks)]
            if pool and (rounds == 0 or len(by_kind[k]) > 1):
                picks.append((k, pool[int(rng.integers(len(pool)))]))
    out: list[SynthExpression] = []
    texts: set[str] = set()
    for category, (kind, idx, slots) in picks:
        cat = facts.objs[idx[0]].category
        for _ in range(5):  # re-word a duplicate text
            text = phrase(kind, cat, rng, facts.categories, **slots)
            if text not in texts:
                break
        if text in texts:
            continue
        texts.add(text)
        out.append(SynthExpression(text, tuple(sorted(facts.objs[i].obj_id for i in idx)), category))
    return out


def objects_payload(spec: SceneSpec) -> dict[str, Any]:
    """The ``sim/objects`` message body of a synthetic bag: ``{"objects": {"1": {"category": "dog"}}}``."""
    return {"objects": {str(o.obj_id): {"category": o.category, "colour": o.colour} for o in spec.objects}}


def synthesize(out: Path, scenes: int, seed: int, *, width: int = 480, height: int = 360, num_frames: int = 60,
               fps: float = 15.0, overwrite: bool = False) -> SynthSummary:
    """Render ``scenes`` seeded scenes (videos ``s000``, ``s001``, ...) into the dataset folder ``out``.

    The same arguments always give byte-identical files. ``out`` must be empty or missing unless
    ``overwrite`` is set, which first removes the files a previous run wrote there.
    """
    out = Path(out)
    if scenes < 1:
        raise InputError(f"scenes={scenes}: ask for at least 1 scene (e.g. --scenes 20)")
    if out.exists() and not out.is_dir():
        raise InputError(f"output {str(out)!r} is a file; give a folder path for the dataset")
    if out.is_dir() and any(out.iterdir()):
        if not overwrite:
            raise InputError(f"output folder {str(out)!r} is not empty; choose a new folder or pass overwrite")
        for sub in ("JPEGImages", "Annotations"):
            shutil.rmtree(out / sub, ignore_errors=True)
        for name in ("meta_expressions.json", "meta.json"):
            (out / name).unlink(missing_ok=True)
    writer = DatasetWriter(out)
    frames, counts = 0, {k: 0 for k in EXPRESSION_CATEGORIES}
    n_exp = 0
    for index in range(scenes):
        spec = make_scene(seed, index, width, height, num_frames, fps)
        writer.add_video(spec.name, {o.obj_id: o.category for o in spec.objects}, fps)
        stats: dict[str, np.ndarray] = {}
        for t, (rgb, labels) in enumerate(render_frames(spec, stats=stats)):
            writer.write_frame(spec.name, f"{t:05d}", rgb, labels)
            frames += 1
        for k, e in enumerate(expressions_for(spec, np.random.default_rng([seed, index, 1]), stats=stats)):
            writer.add_expression(spec.name, str(k), e.text, e.obj_ids, e.category)
            counts[e.category] += 1
            n_exp += 1
    writer.close()
    return SynthSummary(out, scenes, frames, n_exp, counts)
