"""Held-out referring-video dataset, written apart from the project's own scene generator.

    python bench/heldout_videos.py --out DIR --videos N --seed S [--frames 60 --width 480 --height 360]

Writes a dataset folder in the layout of docs/contracts.md (``JPEGImages/<video>/<00000>.jpg``, palette
``Annotations/<video>/<00000>.png`` with object ids, ``meta.json`` with categories and ``fps``,
``meta_expressions.json`` with 1-6 expressions per video and their kind under ``"category"``).

Rendering: a world canvas (2x the view width, 1.6x its height) with a value-noise / tiled
background and a sky-to-ground gradient; objects are shaded, textured sprites (stick people,
cars with wheels, four-legged animals, birds, balls, cups, bottles, couches) pasted in depth
order with soft edges and a shadow; the camera crops the world with pan, zoom and hand shake;
then vignette, sensor noise and JPEG. Colour lives only in the pixels. Motions are scripted in
world pixels (static, straight, stop, late start, turn-back, approach/leave, enter/exit), with
answer margins far above what a careful person needs (fastest >= 1.8x the next, the big one
>= 1.6x the next one's height, left/right separations >= 15 % of the width). Everything is
drawn from ``numpy.random.default_rng(seed)``: the same seed gives byte-identical files.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

COLOURS = {
    "red": (205, 32, 38), "green": (40, 158, 62), "blue": (36, 72, 205), "yellow": (232, 204, 44),
    "orange": (240, 128, 30), "purple": (128, 52, 162), "pink": (238, 122, 172), "white": (236, 236, 230),
    "black": (30, 30, 34), "brown": (118, 74, 40), "grey": (130, 130, 130),
}
FUR = ("brown", "black", "white", "grey", "orange")
NOUNS = {  # what an outside user might type for each COCO category (first = plain word), and plurals
    "person": (["person", "person", "man", "woman", "guy", "pedestrian"], "people"),
    "dog": (["dog", "dog", "puppy"], "dogs"), "cat": (["cat", "cat", "kitten"], "cats"),
    "car": (["car", "car", "vehicle"], "cars"), "horse": (["horse", "horse", "pony"], "horses"),
    "sheep": (["sheep", "lamb"], "sheep"), "bird": (["bird"], "birds"),
    "sports ball": (["ball"], "balls"), "cup": (["cup", "mug"], "cups"), "bottle": (["bottle"], "bottles"),
    "couch": (["couch", "sofa"], "couches"),
}
VERBS = {"person": ["walking", "running"], "dog": ["running", "trotting"], "cat": ["walking", "sneaking"],
         "car": ["driving"], "horse": ["galloping", "trotting"], "sheep": ["walking"], "bird": ["flying"],
         "sports ball": ["rolling"]}
MOVERS = ("person", "dog", "cat", "car", "horse", "sheep", "sports ball")
HEIGHT = {"person": 0.30, "dog": 0.15, "cat": 0.12, "car": 0.17, "horse": 0.26, "sheep": 0.15, "bird": 0.08,
          "sports ball": 0.10, "cup": 0.12, "bottle": 0.20, "couch": 0.30}  # fraction of the view height
ASPECT = {"person": 0.55, "dog": 1.5, "cat": 1.5, "car": 2.3, "horse": 1.3, "sheep": 1.4, "bird": 1.6,
          "sports ball": 1.0, "cup": 1.1, "bottle": 0.45, "couch": 2.1}  # width / height
PARTS = {2: (34, 34, 38), 3: (222, 178, 140), 4: (225, 225, 220), 5: (70, 78, 86)}  # dark, skin, light, glass


@dataclass
class Obj:
    """One object: category, named colour, height (world px), bottom-centre path (n, 2) world px, depth."""

    oid: int
    category: str
    colour: str
    height: float
    path: np.ndarray
    depth: float | None = None  # None: by the path's mean y (lower on screen = nearer)


@dataclass
class Scene:
    """A video's objects, camera (centre x, y and zoom per frame) and expressions (text, ids, kind)."""

    objects: list[Obj] = field(default_factory=list)
    exps: list[tuple[str, list[int], str]] = field(default_factory=list)


class Ctx:
    """Per-video drawing context: view size, timing, camera, and helpers from view fractions to world px."""

    def __init__(self, rng: np.random.Generator, w: int, h: int, n: int, fps: float) -> None:
        self.rng, self.w, self.h, self.n, self.fps = rng, w, h, n, fps
        self.t = np.arange(n) / fps
        self.T = float(self.t[-1])
        self.ww, self.wh = 2 * w, int(1.6 * h)
        self.cam = np.tile([self.ww / 2, self.wh / 2, 1.0], (n, 1))
        self.scene = Scene()

    def at(self, xf: float, yf: float) -> np.ndarray:
        """World point seen at view fraction (xf, yf) on frame 0."""
        cx, cy, s = self.cam[0]
        return np.array([cx + (xf - 0.5) * self.w / s, cy + (yf - 0.5) * self.h / s])

    def dist(self, frac: float) -> float:
        """World pixels of ``frac`` view widths (at frame-0 zoom)."""
        return frac * self.w / self.cam[0, 2]

    def add(self, cat: str, colour: str, path: np.ndarray, scale: float = 1.0, depth: float | None = None) -> int:
        oid = len(self.scene.objects) + 1
        self.scene.objects.append(Obj(oid, cat, colour, HEIGHT[cat] * self.h * scale / self.cam[0, 2], path, depth))
        return oid

    def exp(self, text: str, ids: list[int], kind: str) -> None:
        self.scene.exps.append((text, sorted(ids), kind))

    def pick(self, seq):
        return seq[int(self.rng.integers(len(seq)))]

    def noun(self, cat: str) -> str:
        return self.pick(NOUNS[cat][0])

    def colours(self, k: int, pool=tuple(COLOURS)) -> list[str]:
        return [str(c) for c in self.rng.choice(list(pool), size=k, replace=False)]

    # Paths (world px, bottom-centre), over self.t seconds; v in world px/s.
    def still(self, p) -> np.ndarray:
        return np.tile(np.asarray(p, float), (self.n, 1))

    def moving(self, p, v, start: float = 0.0, stop: float | None = None, turn: float | None = None) -> np.ndarray:
        t = np.clip(self.t - start, 0, None) if stop is None else np.clip(np.minimum(self.t, stop) - start, 0, None)
        if turn is not None:
            t = np.where(self.t < turn, self.t, 2 * turn - self.t)
        return np.asarray(p, float) + np.outer(t, v)


# ---------------------------------------------------------------- scenarios (each writes objects + expressions)

def _side(c: Ctx) -> tuple[int, str, str]:
    return (1, "right", "left") if c.rng.random() < 0.5 else (-1, "left", "right")


def sc_directions(c: Ctx) -> None:
    cat = c.pick(MOVERS)
    other = c.pick([m for m in MOVERS if m != cat])
    cols = c.colours(4, FUR if cat in ("dog", "cat", "horse") else tuple(COLOURS))
    rows = c.rng.permutation([0.55, 0.72, 0.9])
    v = c.dist(0.5) / c.T
    a = c.add(cat, cols[0], c.moving(c.at(0.82, rows[0]), (-v, 0)))
    b = c.add(cat, cols[1], c.moving(c.at(0.18, rows[1]), (v, 0)))
    s = c.add(cat, cols[2], c.still(c.at(c.rng.uniform(0.35, 0.65), rows[2])))
    d = c.add(other, cols[3], c.moving(c.at(0.8, 0.35 if other != "car" else 0.42), (-v * 0.8, 0)), scale=0.8)
    n, verb = c.noun(cat), c.pick(VERBS[cat])
    c.exp(c.pick([f"the {n} {verb} to the left", f"the {n} heading left", f"{n} going from right to left",
                  f"the {n} that moves leftward"]), [a], "direction")
    c.exp(c.pick([f"the {n} {verb} to the right", f"the {n} moving right", f"the {n} going left to right"]),
          [b], "direction")
    still = {"car": "the parked car", "sports ball": "the ball lying still"}.get(cat)
    c.exp(still or c.pick([f"the {n} that doesn't move", f"the {n} standing still", f"the {n} staying in place"]),
          [s], "static_moving")
    c.exp(c.pick([f"all the moving {NOUNS[cat][1]}", f"the {NOUNS[cat][1]} that are moving",
                  f"both {NOUNS[cat][1]} in motion"]), [a, b], "multi")
    c.exp(f"the {c.noun(other)}", [d], "category")


def sc_speed(c: Ctx) -> None:
    cat = c.pick(("person", "dog", "horse", "car", "sports ball"))
    sign, right, _ = _side(c)
    fracs = c.rng.permutation([0.72, 0.38, 0.18])
    rows = c.rng.permutation([0.55, 0.72, 0.9])
    cols = c.colours(3, FUR if cat in ("dog", "horse") else tuple(COLOURS))
    ids = [c.add(cat, cols[i], c.moving(c.at(0.5 - sign * 0.4, rows[i]), (sign * c.dist(f) / c.T, 0)))
           for i, f in enumerate(fracs)]
    fast, slow = ids[int(np.argmax(fracs))], ids[int(np.argmin(fracs))]
    n = c.noun(cat)
    fastn = "runner" if cat == "person" else n
    c.exp(c.pick([f"the fastest {fastn}", f"the quickest {n}", f"the {n} moving the fastest",
                  f"the {n} that is fastest"]), [fast], "speed")
    c.exp(c.pick([f"the slowest {n}", f"the {n} that moves most slowly", f"the {n} lagging behind"]), [slow], "speed")
    mid = [i for i in ids if i not in (fast, slow)][0]
    c.exp(f"the {cols[ids.index(mid)]} {n}", [mid], "colour")


def sc_stop_start(c: Ctx) -> None:
    cat = c.pick(("car", "person", "dog", "sports ball", "sheep"))
    sign, _, _ = _side(c)
    rows = c.rng.permutation([0.55, 0.72, 0.9])
    cols = c.colours(3)
    v = sign * c.dist(0.55) / c.T
    x0 = 0.5 - sign * 0.38
    stop = c.add(cat, cols[0], c.moving(c.at(x0, rows[0]), (v, 0), stop=0.45 * c.T))
    keep = c.add(cat, cols[1], c.moving(c.at(x0, rows[1]), (v * 0.8, 0)))
    late = c.add(cat, cols[2], c.moving(c.at(x0 + sign * 0.1, rows[2]), (v, 0), start=0.5 * c.T))
    n = c.noun(cat)
    c.exp(c.pick([f"the {n} that stops", f"the {n} that comes to a halt", f"the {n} that stops halfway",
                  f"{n} which stops moving"]), [stop], "stops")
    c.exp(c.pick([f"the {n} that keeps moving the whole time", f"the {n} that never stops",
                  f"the {n} that keeps going"]), [keep], "stops")
    c.exp(c.pick([f"the {n} that starts moving later", f"the {n} that only begins to move halfway through",
                  f"the {n} that waits and then goes", f"the {n} that starts late"]), [late], "starts_late")


def sc_turn(c: Ctx) -> None:
    cat = c.pick(("sports ball", "dog", "person", "car", "cat"))
    sign, right, left = _side(c)
    rows = c.rng.permutation([0.6, 0.85])
    cols = c.colours(3)
    v = sign * c.dist(0.6) / c.T
    turn = c.add(cat, cols[0], c.moving(c.at(0.5 - sign * 0.35, rows[0]), (v, 0), turn=0.5 * c.T))
    keep = c.add(cat, cols[1], c.moving(c.at(0.5 - sign * 0.4, rows[1]), (v, 0)))
    n = c.noun(cat)
    back = "the ball that bounces back" if cat == "sports ball" else f"the {n} that goes {right} and comes back"
    c.exp(c.pick([f"the {n} that turns around", back, f"the {n} that changes direction",
                  f"the {n} that turns back"]), [turn], "turns_back")
    c.exp(c.pick([f"the {n} that keeps going {right}", f"the {n} moving {right} the whole time"]), [keep],
          "direction")


def sc_approach(c: Ctx) -> None:
    anchor = c.pick(("person", "car", "couch"))
    cat = c.pick([m for m in ("dog", "cat", "sports ball", "sheep", "person") if m != anchor])
    sign, _, _ = _side(c)
    cols = c.colours(3, FUR if cat in ("dog", "cat") else tuple(COLOURS))
    ax = 0.5 - sign * 0.05
    a = c.add(anchor, c.pick(["grey", "brown", "blue", "red"]), c.still(c.at(ax, 0.68)))
    v = sign * c.dist(0.3) / c.T
    come = c.add(cat, cols[0], c.moving(c.at(ax - sign * 0.42, 0.82), (v, 0)))
    go = c.add(cat, cols[1], c.moving(c.at(ax + sign * 0.15, 0.9), (v, 0)))
    n, an = c.noun(cat), c.noun(anchor)
    c.exp(c.pick([f"the {n} moving towards the {an}", f"the {n} that approaches the {an}",
                  f"the {n} coming closer to the {an}", f"{n} going to the {an}"]), [come], "approach")
    c.exp(c.pick([f"the {n} moving away from the {an}", f"the {n} that leaves the {an}",
                  f"the {n} getting farther from the {an}"]), [go], "approach")
    c.exp(f"the {an}", [a], "category")


def _pan(c: Ctx, zoom: bool) -> None:
    sign = 1 if c.rng.random() < 0.5 else -1
    pan = c.dist(0.35)
    c.cam[:, 0] -= sign * pan / 2
    c.cam[:, 0] += sign * pan * c.t / c.T
    if zoom:
        c.cam[:, 2] = 1.0 + 0.4 * c.t / c.T
        c.cam[:, 0] = c.cam[0, 0] + (c.cam[:, 0] - c.cam[0, 0]) * 0.3


def sc_pan(c: Ctx) -> None:
    zoom = c.rng.random() < 0.35
    _pan(c, zoom)
    k = 1 if c.rng.random() < 0.5 else -1  # world direction of the movers
    cols = c.colours(4)
    v = k * c.dist(0.45) / c.T
    ys = c.rng.permutation([0.62, 0.9])
    parked = c.add("car", cols[0], c.still(c.at(0.35 + 0.3 * c.rng.random(), ys[0])))
    driving = c.add("car", cols[1], c.moving(c.at(0.5 - k * 0.3, ys[1]), (v, 0)))
    yp = c.rng.permutation([0.5, 0.76])
    standing = c.add("person", cols[2], c.still(c.at(0.25 + 0.5 * c.rng.random(), yp[0])))
    walking = c.add("person", cols[3], c.moving(c.at(0.5 - k * 0.3, yp[1]), (0.6 * v, 0)))
    c.exp(c.pick(["the parked car", "the car that isn't moving", "the stationary car"]), [parked], "static_moving")
    c.exp(c.pick(["the car that is driving", "the moving car", "the car on the move"]), [driving], "static_moving")
    p = c.noun("person")
    c.exp(c.pick([f"the {p} who is walking", f"the walking {p}"]), [walking], "static_moving")
    c.exp(c.pick([f"the {p} standing still", f"the {p} who stays in one spot"]), [standing], "static_moving")


def sc_occlusion(c: Ctx) -> None:
    cat = c.pick(("cat", "dog", "sports ball", "person"))
    sign, _, _ = _side(c)
    cols = c.colours(2, FUR if cat in ("dog", "cat") else ("red", "green", "blue", "yellow", "orange", "pink"))
    couch = c.add("couch", c.pick(["brown", "grey", "purple"]), c.still(c.at(0.5, 0.72)), depth=1e6)
    hid_h = {"person": 0.55, "sports ball": 0.9}.get(cat, 1.0)
    v = sign * c.dist(0.8) / c.T
    behind = c.add(cat, cols[0], c.moving(c.at(0.5 - sign * 0.42, 0.64), (v, 0)), scale=hid_h, depth=0.0)
    # The near one's box overlaps the couch's lower half, so it visibly covers part of the couch.
    front = c.add(cat, cols[1], c.moving(c.at(0.5 + sign * 0.4, 0.72 + 0.45 * HEIGHT[cat]), (-v * 0.8, 0)),
                  depth=2e6)
    n, cn = c.noun(cat), c.noun("couch")
    c.exp(c.pick([f"the {n} that goes behind the {cn}", f"the {n} that disappears behind the {cn}",
                  f"the {n} hidden by the {cn} for a while", f"the {n} passing behind the {cn}"]),
          [behind], "occlusion")
    c.exp(c.pick([f"the {n} that passes in front of the {cn}", f"the {n} walking in front of the {cn}"]),
          [front], "occlusion")
    c.exp(f"the {cn}", [couch], "category")


def sc_still_life(c: Ctx) -> None:
    c.cam[:, :2] += np.cumsum(c.rng.normal(0, 0.6, (c.n, 2)), 0) * 0.5  # hand-held drift
    main, other = c.rng.permutation(["cup", "bottle", "dog", "cat", "sports ball"])[:2]
    xs = c.rng.permutation([0.12, 0.34, 0.56, 0.8])
    cols = c.colours(4, FUR if main in ("dog", "cat") else tuple(COLOURS))
    scales = c.rng.permutation([1.7, 1.0, 0.85])
    y = 0.8
    ids = [c.add(main, cols[i], c.still(c.at(xs[i], y + 0.04 * i)), scale=float(scales[i])) for i in range(3)]
    odd = c.add(other, cols[3], c.still(c.at(xs[3], y)))
    n, pl = c.noun(main), NOUNS[main][1]
    xo = [xs[i] for i in range(3)]
    c.exp(c.pick([f"the leftmost {n}", f"the {n} furthest to the left", f"the {n} on the far left"]),
          [ids[int(np.argmin(xo))]], "spatial")
    c.exp(c.pick([f"the rightmost {n}", f"the {n} on the far right"]), [ids[int(np.argmax(xo))]], "spatial")
    c.exp(c.pick([f"the biggest {n}", f"the large {n}", f"the {n} that is largest"]),
          [ids[int(np.argmax(scales))]], "size")
    k = int(c.rng.integers(3))
    c.exp(c.pick([f"the {cols[k]} {n}", f"the {n} that is {cols[k]}", f"{cols[k]} {n}"]), [ids[k]], "colour")
    c.exp(c.pick([f"all the {pl}", f"every {n}", f"the three {pl}"]), ids, "multi")
    c.exp(f"the {c.noun(other)}", [odd], "category")


def sc_enter_exit(c: Ctx) -> None:
    cat = c.pick(("person", "dog", "horse", "car"))
    sign, _, _ = _side(c)
    cols = c.colours(3)
    v = sign * c.dist(0.75) / c.T
    enter = c.add(cat, cols[0], c.moving(c.at(0.5 - sign * 0.75, 0.62), (v, 0)))
    leave = c.add(cat, cols[1], c.moving(c.at(0.5 + sign * 0.2, 0.9), (v, 0)))
    stay = c.add(cat, cols[2], c.still(c.at(0.5 - sign * 0.05, 0.76)))
    n = c.noun(cat)
    c.exp(c.pick([f"the {n} that comes into view", f"the {n} entering the scene", f"the {n} that shows up later"]),
          [enter], "enter_exit")
    c.exp(c.pick([f"the {n} that leaves the frame", f"the {n} that goes out of view", f"the {n} exiting the scene"]),
          [leave], "enter_exit")
    c.exp(c.pick([f"the {n} that stays put", f"the {n} that is not moving"]), [stay], "static_moving")


def sc_birds(c: Ctx) -> None:
    sign, right, left = _side(c)
    cols = c.colours(3, ("red", "blue", "yellow", "black", "white", "orange"))
    v = sign * c.dist(0.6) / c.T
    fly = c.add("bird", cols[0], c.moving(c.at(0.5 - sign * 0.4, 0.25), (v, -c.dist(0.05) / c.T)))
    perch = c.add("bird", cols[1], c.still(c.at(0.3 + 0.4 * c.rng.random(), 0.5)))
    fly2 = c.add("bird", cols[2], c.moving(c.at(0.5 + sign * 0.4, 0.18), (-v * 0.9, 0)))
    c.exp(c.pick([f"the bird flying to the {right}", f"bird heading {right}"]), [fly], "direction")
    c.exp(c.pick(["the bird that is sitting still", "the perched bird", "the bird that doesn't fly"]), [perch],
          "static_moving")
    c.exp(c.pick(["both flying birds", "the two birds in flight", "all birds that are flying"]), [fly, fly2], "multi")


SCENARIOS = (sc_directions, sc_speed, sc_stop_start, sc_turn, sc_approach, sc_pan, sc_occlusion, sc_still_life,
             sc_enter_exit, sc_birds)


# ---------------------------------------------------------------- rendering

def sprite(cat: str, h: float) -> np.ndarray:
    """Part map (uint8: 0 none, 1 body colour, 2 dark, 3 skin, 4 light, 5 glass), facing right, bottom = feet."""
    H = max(8, int(round(h)))
    W = max(6, int(round(h * ASPECT[cat])))
    m = np.zeros((H, W), np.uint8)

    def P(x: float, y: float) -> tuple[int, int]:
        return int(round(x * (W - 1))), int(round(y * (H - 1)))

    def line(a, b, th, part):
        cv2.line(m, P(*a), P(*b), part, max(1, int(th * H)))

    def ell(cx, cy, ax, ay, part, ang=0):
        cv2.ellipse(m, P(cx, cy), (max(1, int(ax * W)), max(1, int(ay * H))), ang, 0, 360, part, -1)

    def poly(pts, part):
        cv2.fillPoly(m, [np.array([P(*p) for p in pts], np.int32)], part)

    if cat == "person":
        line((0.4, 0.58), (0.22, 1.0), 0.09, 2), line((0.6, 0.58), (0.8, 1.0), 0.09, 2)
        poly([(0.22, 0.2), (0.78, 0.2), (0.72, 0.62), (0.28, 0.62)], 1)
        line((0.26, 0.24), (0.06, 0.55), 0.07, 1), line((0.74, 0.24), (0.94, 0.55), 0.07, 1)
        ell(0.5, 0.1, 0.2, 0.095, 3)
    elif cat == "car":
        poly([(0.26, 0.45), (0.34, 0.05), (0.7, 0.05), (0.82, 0.45)], 1)
        poly([(0.33, 0.42), (0.39, 0.13), (0.5, 0.13), (0.5, 0.42)], 5)
        poly([(0.54, 0.42), (0.54, 0.13), (0.66, 0.13), (0.74, 0.42)], 5)
        cv2.rectangle(m, P(0.0, 0.4), P(1.0, 0.82), 1, -1)
        for wx in (0.22, 0.78):
            ell(wx, 0.8, 0.09, 0.2, 2), ell(wx, 0.8, 0.04, 0.09, 4)
    elif cat in ("dog", "cat", "horse", "sheep"):
        legs, body = {"dog": (0.42, 0.5), "cat": (0.35, 0.55), "horse": (0.48, 0.4), "sheep": (0.35, 0.5)}[cat]
        for lx in (0.22, 0.32, 0.66, 0.76):
            line((lx, body), (lx + 0.02, 1.0), 0.07 if cat != "horse" else 0.06, 2 if cat == "sheep" else 1)
        ell(0.48, body, 0.34, 0.2 if cat != "sheep" else 0.27, 1)
        if cat == "sheep":
            for bx, by in ((0.25, 0.32), (0.45, 0.25), (0.65, 0.3), (0.3, 0.6), (0.6, 0.62)):
                ell(bx, by, 0.12, 0.16, 1)
            ell(0.86, 0.32, 0.1, 0.15, 2)
        elif cat == "horse":
            poly([(0.68, 0.3), (0.8, 0.0), (0.9, 0.0), (0.82, 0.42)], 1)
            ell(0.9, 0.1, 0.1, 0.08, 1, -20), line((0.72, 0.3), (0.8, 0.02), 0.05, 2)
            line((0.15, body - 0.1), (0.06, body + 0.3), 0.05, 2)
        else:
            ell(0.84, 0.3, 0.15, 0.22, 1), ell(0.96, 0.36, 0.05, 0.08, 1)
            if cat == "cat":
                poly([(0.74, 0.18), (0.78, 0.0), (0.84, 0.14)], 1), poly([(0.86, 0.14), (0.92, 0.0), (0.95, 0.2)], 1)
                line((0.14, body), (0.02, 0.1), 0.06, 1)
            else:
                ell(0.78, 0.32, 0.05, 0.16, 2), line((0.14, body), (0.04, 0.25), 0.07, 1)
            ell(0.88, 0.26, 0.02, 0.03, 2)
    elif cat == "bird":
        ell(0.45, 0.55, 0.32, 0.25, 1), ell(0.8, 0.4, 0.14, 0.2, 1)
        poly([(0.3, 0.45), (0.55, 0.45), (0.35, 0.0)], 1), poly([(0.92, 0.35), (1.0, 0.45), (0.92, 0.5)], 4)
        poly([(0.15, 0.5), (0.0, 0.35), (0.0, 0.75)], 1)
    elif cat == "sports ball":
        ell(0.5, 0.5, 0.49, 0.49, 1)
        cv2.ellipse(m, P(0.5, 0.5), (int(0.3 * W), int(0.49 * H)), 0, -90, 90, 4, max(1, H // 10))
    elif cat == "cup":
        poly([(0.05, 0.08), (0.8, 0.08), (0.72, 1.0), (0.13, 1.0)], 1)
        cv2.ellipse(m, P(0.82, 0.48), (int(0.14 * W), int(0.22 * H)), 0, -90, 90, 1, max(2, H // 8))
        ell(0.43, 0.08, 0.37, 0.06, 2)
    elif cat == "bottle":
        poly([(0.35, 0.0), (0.65, 0.0), (0.65, 0.22), (0.95, 0.4), (0.95, 1.0), (0.05, 1.0), (0.05, 0.4),
              (0.35, 0.22)], 1)
        cv2.rectangle(m, P(0.33, 0.0), P(0.67, 0.07), 2, -1)
        cv2.rectangle(m, P(0.05, 0.6), P(0.95, 0.72), 4, -1)
    elif cat == "couch":
        cv2.rectangle(m, P(0.08, 0.0), P(0.92, 0.6), 1, -1), cv2.rectangle(m, P(0.0, 0.3), P(1.0, 0.9), 1, -1)
        for lx in (0.1, 0.9):
            cv2.rectangle(m, P(lx - 0.03, 0.9), P(lx + 0.03, 1.0), 2, -1)
        line((0.1, 0.58), (0.9, 0.58), 0.02, 2), line((0.5, 0.05), (0.5, 0.56), 0.02, 2)
    return m


def value_noise(rng: np.random.Generator, shape: tuple[int, int], cells: int, octaves: int = 4) -> np.ndarray:
    """Fractal value noise in [0, 1] (shape (h, w)); ``cells`` = coarsest grid cells across the width."""
    h, w = shape
    out = np.zeros(shape, np.float32)
    amp, tot = 1.0, 0.0
    for o in range(octaves):
        k = cells * 2 ** o
        grid = rng.random((max(2, k * h // w), k)).astype(np.float32)
        out += amp * cv2.resize(grid, (w, h), interpolation=cv2.INTER_CUBIC)
        tot += amp
        amp *= 0.55
    return np.clip(out / tot, 0, 1)


def background(c: Ctx) -> np.ndarray:
    """World canvas (wh, ww, 3) float32 RGB: sky or wall above the horizon, textured ground below."""
    rng, ww, wh = c.rng, c.ww, c.wh
    style = c.pick(["grass", "sand", "asphalt", "floor", "gravel"])
    ground = {"grass": (96, 122, 74), "sand": (176, 156, 120), "asphalt": (92, 92, 96), "floor": (142, 108, 74),
              "gravel": (128, 120, 110)}[style]
    horizon = int(c.cam[0, 1] + (rng.uniform(0.3, 0.42) - 0.5) * c.h)
    yy = np.linspace(0, 1, wh, dtype=np.float32)[:, None, None]
    n1 = value_noise(rng, (wh, ww), 6)[..., None]
    n2 = value_noise(rng, (wh, ww), 40, 2)[..., None]
    img = np.asarray(ground, np.float32) * (0.75 + 0.5 * n1) + 40 * (n2 - 0.5)
    if style == "floor":  # planks: seams every ~5 % of the world height, staggered joints
        pitch = max(8, wh // 22)
        for r, y0 in enumerate(range(horizon, wh, pitch)):
            img[y0:y0 + 2] *= 0.55
            for x0 in range((r * 97) % 180, ww, 180):
                img[y0:y0 + pitch, x0:x0 + 2] *= 0.6
    if style == "asphalt":
        for x0 in range(0, ww, 120):
            img[int(wh * 0.93):int(wh * 0.94), x0:x0 + 60] = 210
    top = (np.array([150, 176, 204], np.float32) if style != "floor" else np.array([198, 186, 164], np.float32))
    sky = top * (0.85 + 0.25 * yy) + 25 * (value_noise(rng, (wh, ww), 3)[..., None] - 0.5)
    if style == "floor":
        sky = sky * (1 - 0.08 * ((np.arange(ww) // 30) % 2))[None, :, None]
    img[:horizon] = sky[:horizon]
    return img


def paste(img: np.ndarray, lab: np.ndarray, parts: np.ndarray, colour: np.ndarray, tex: np.ndarray,
          x: float, y: float, oid: int, shadow: bool) -> None:
    """Composite a part map with bottom-centre at world (x, y): soft edges in the image, hard ids in the labels."""
    h, w = parts.shape
    x0, y0 = int(round(x - w / 2)), int(round(y - h))
    ax0, ay0, ax1, ay1 = max(x0, 0), max(y0, 0), min(x0 + w, img.shape[1]), min(y0 + h, img.shape[0])
    if ax0 >= ax1 or ay0 >= ay1:
        return
    if shadow:
        sh = np.zeros(img.shape[:2], np.float32)
        cv2.ellipse(sh, (int(x), int(y)), (max(2, int(0.45 * w)), max(2, int(0.05 * h) + 2)), 0, 0, 360, 1.0, -1)
        img *= (1 - 0.35 * cv2.GaussianBlur(sh, (0, 0), 3))[..., None]
    sl = (slice(ay0, ay1), slice(ax0, ax1))
    p = parts[ay0 - y0:ay1 - y0, ax0 - x0:ax1 - x0]
    shade = np.linspace(1.12, 0.8, h, dtype=np.float32)[ay0 - y0:ay1 - y0, None, None]
    rgb = np.zeros(p.shape + (3,), np.float32)
    rgb[p == 1] = colour
    for k, v in PARTS.items():
        rgb[p == k] = v
    rgb = rgb * shade * tex[ay0 - y0:ay1 - y0, ax0 - x0:ax1 - x0, None]
    alpha = cv2.GaussianBlur((p > 0).astype(np.float32), (3, 3), 0)[..., None]
    img[sl] = img[sl] * (1 - alpha) + np.clip(rgb, 0, 255) * alpha
    lab[sl][p > 0] = oid


def render(c: Ctx) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Frames (RGB uint8) and label maps (uint8 object ids) of the scene in ``c``."""
    bg = background(c)
    objs = c.scene.objects
    looks = {}
    for o in objs:
        parts = sprite(o.category, o.height)
        tex = 0.93 + 0.14 * value_noise(c.rng, parts.shape, 3, 2)
        looks[o.oid] = (parts, np.asarray(COLOURS[o.colour], np.float32), tex)
    order = sorted(objs, key=lambda o: (o.depth if o.depth is not None else float(o.path[:, 1].mean()), o.oid))
    facing = {o.oid: 1 for o in objs}
    yy, xx = np.mgrid[0:c.h, 0:c.w].astype(np.float32)
    vignette = 1 - 0.28 * (((xx / c.w - 0.5) ** 2 + (yy / c.h - 0.5) ** 2) / 0.5)
    shake = np.cumsum(c.rng.normal(0, 0.4, (c.n, 2)), 0)
    frames, labels = [], []
    for f in range(c.n):
        img, lab = bg.copy(), np.zeros((c.wh, c.ww), np.uint8)
        for o in order:
            dx = o.path[min(f + 1, c.n - 1), 0] - o.path[max(f - 1, 0), 0]
            if abs(dx) > 0.05:
                facing[o.oid] = 1 if dx > 0 else -1
            parts, col, tex = looks[o.oid]
            if facing[o.oid] < 0:
                parts, tex = parts[:, ::-1], tex[:, ::-1]
            paste(img, lab, parts, col, tex, o.path[f, 0], o.path[f, 1], o.oid,
                  shadow=o.category != "bird" and o.depth is None)
        cx, cy, s = c.cam[f]
        cx, cy = cx + shake[f, 0], cy + shake[f, 1]
        M = np.array([[s, 0, c.w / 2 - s * cx], [0, s, c.h / 2 - s * cy]], np.float32)
        view: np.ndarray = cv2.warpAffine(img, M, (c.w, c.h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
        labels.append(cv2.warpAffine(lab, M, (c.w, c.h), flags=cv2.INTER_NEAREST, borderValue=0))
        view = view * vignette[..., None] + c.rng.normal(0, 3.0, view.shape).astype(np.float32)
        frames.append(np.clip(view, 0, 255).astype(np.uint8))
    return frames, labels


def palette() -> list[int]:
    """PASCAL/DAVIS-style bit-interleaved palette (flattened RGB x 256)."""
    out = []
    for i in range(256):
        r = g = b = 0
        for j in range(8):
            r |= ((i >> (3 * j)) & 1) << (7 - j)
            g |= ((i >> (3 * j + 1)) & 1) << (7 - j)
            b |= ((i >> (3 * j + 2)) & 1) << (7 - j)
        out += [r, g, b]
    return out


def check(c: Ctx, labels: list[np.ndarray]) -> str | None:
    """Why the rendered scene is unfit (a target seen on < 30 % of frames), or None."""
    for text, ids, _ in c.scene.exps:
        for i in ids:
            seen = sum(int((lab == i).sum() > 20) for lab in labels)
            if seen < 0.3 * c.n:
                return f"{text!r}: object {i} visible on {seen}/{c.n} frames"
    return None


def generate(out: Path, videos: int, seed: int, frames: int = 60, width: int = 480, height: int = 360) -> int:
    """Write ``videos`` videos into ``out``; returns the number of expressions written."""
    root = Path(out)
    meta, mexp, pal, total = {}, {}, palette(), 0
    order = np.random.default_rng(seed).permutation(len(SCENARIOS))
    for v in range(videos):
        scenario = SCENARIOS[int(order[v % len(SCENARIOS)])]
        for attempt in range(20):
            rng = np.random.default_rng([seed, v, attempt])
            c = Ctx(rng, width, height, frames, float(rng.choice([8, 10, 12, 15, 20, 25])))
            scenario(c)
            imgs, labels = render(c)
            if check(c, labels) is None:
                break
        else:
            raise RuntimeError(f"video {v} ({scenario.__name__}): {check(c, labels)}")
        name = f"hv{seed}_{v:03d}_{scenario.__name__[3:]}"
        names = [f"{f:05d}" for f in range(frames)]
        (root / "JPEGImages" / name).mkdir(parents=True, exist_ok=True)
        (root / "Annotations" / name).mkdir(parents=True, exist_ok=True)
        for fname, img, lab in zip(names, imgs, labels, strict=True):
            cv2.imwrite(str(root / "JPEGImages" / name / f"{fname}.jpg"), cv2.cvtColor(img, cv2.COLOR_RGB2BGR),
                        [cv2.IMWRITE_JPEG_QUALITY, 88])
            png = Image.fromarray(lab, mode="P")
            png.putpalette(pal)
            png.save(root / "Annotations" / name / f"{fname}.png")
        meta[name] = {"fps": c.fps, "objects": {
            str(o.oid): {"category": o.category,
                         "frames": [n for n, lab in zip(names, labels, strict=True) if (lab == o.oid).any()]}
            for o in c.scene.objects}}
        exps = {str(k): {"exp": t, "obj_id": [str(i) for i in ids], "category": kind}
                for k, (t, ids, kind) in enumerate(c.scene.exps[:6])}
        mexp[name] = {"frames": names, "expressions": exps}
        total += len(exps)
    root.mkdir(parents=True, exist_ok=True)
    (root / "meta.json").write_text(json.dumps({"videos": meta}, indent=1) + "\n")
    (root / "meta_expressions.json").write_text(json.dumps({"videos": mexp}, indent=1) + "\n")
    return total


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True, help="dataset folder to write")
    ap.add_argument("--videos", type=int, default=30, help="number of videos")
    ap.add_argument("--seed", type=int, default=0, help="random seed (same seed, same bytes)")
    ap.add_argument("--frames", type=int, default=60, help="frames per video")
    ap.add_argument("--width", type=int, default=480, help="frame width, pixels")
    ap.add_argument("--height", type=int, default=360, help="frame height, pixels")
    a = ap.parse_args(argv)
    n = generate(a.out, a.videos, a.seed, a.frames, a.width, a.height)
    print(f"wrote {a.videos} videos, {n} expressions to {a.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
