"""Write the held-out trajectory-window cases (red-team set) next to this script.

Each case is a trajectory window of docs/contracts.md (``windows/NNN_kind.json``, readable by
``rvos-ros reason``) plus its known answer in ``cases.json``
(``[{"file", "kind", "query", "expected"}]``, expected = track ids).

Scenes are written by hand the way an outside user would describe them; this
script only turns each description into boxes: world paths are given in frame-0
pixel coordinates (640x480) as waypoints ``(fraction of window, x, y)`` of the box
centre, the camera (pan in pixels over the window, zoom factor over the window)
maps them into each frame, then every box gets 1-3 px uniform jitter and ~3 % of
rows go missing. Deterministic: run ``python make_cases.py`` to regenerate.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # the scene tables sit beside this script

from scene_spec import SIZE, Case, H, W  # noqa: E402
from scenes_common import cases as common_cases  # noqa: E402
from scenes_hard import add_combined, add_harder  # noqa: E402


def _interp(path: list[tuple[float, float, float]], f: float) -> tuple[float, float]:
    if len(path) == 1 or f <= path[0][0]:
        return path[0][1], path[0][2]
    for (f0, x0, y0), (f1, x1, y1) in zip(path, path[1:], strict=False):
        if f <= f1:
            a = (f - f0) / (f1 - f0) if f1 > f0 else 1.0
            return x0 + a * (x1 - x0), y0 + a * (y1 - y0)
    return path[-1][1], path[-1][2]


def _per_frame_h(n: int, pan: tuple[float, float], zoom: float) -> np.ndarray:
    """Constant per-frame homography (frame t-1 -> t): zoom about the centre, then translate."""
    s = zoom ** (1.0 / (n - 1))
    cx, cy = W / 2, H / 2
    z = np.array([[s, 0, cx * (1 - s)], [0, s, cy * (1 - s)], [0, 0, 1.0]])
    t = np.array([[1, 0, pan[0] / (n - 1)], [0, 1, pan[1] / (n - 1)], [0, 0, 1.0]])
    return t @ z


def build(case: Case, seed: int) -> tuple[dict, list[int]]:
    """Turn one Case into a window dict and its expected track ids."""
    rng = random.Random(seed)
    fps = rng.choice([10.0, 12.0, 15.0, 20.0, 24.0, 25.0, 30.0])
    dur = case.duration if case.duration is not None else rng.uniform(2.5, 6.0)
    n = int(min(150, max(30, round(dur * fps))))
    jit = rng.choice([1.0, 2.0, 3.0])
    moving_cam = case.pan != (0.0, 0.0) or case.zoom != 1.0
    hstep = _per_frame_h(n, case.pan, case.zoom)
    cams, cum = [], np.eye(3)
    for i in range(n):
        if i > 0:
            cum = hstep @ cum
        cams.append(cum.copy())
    ids = rng.sample(range(1, 60), len(case.tracks))
    tracks = []
    for k, tr in enumerate(case.tracks):
        w0, h0 = tr.size or SIZE[tr.label]
        rows = []
        for i in range(n):
            f = i / (n - 1)
            w, h = w0 * (1 + (tr.grow - 1) * f), h0 * (1 + (tr.grow - 1) * f)
            hidden = any(a <= f <= b for a, b in tr.hide)
            if hidden and tr.hide_mode == "missing":
                continue
            if 2 <= i < n - 2 and rng.random() < 0.03:
                continue  # tracker dropout
            x, y = _interp(tr.path, f)
            corners = np.array([[x - w / 2, y - h / 2, 1.0], [x + w / 2, y + h / 2, 1.0]]).T
            img = cams[i] @ corners
            x1, y1, x2, y2 = img[0, 0], img[1, 0], img[0, 1], img[1, 1]
            x1, y1, x2, y2 = (v + rng.uniform(-jit, jit) for v in (x1, y1, x2, y2))
            cxi, cyi = (x1 + x2) / 2, (y1 + y2) / 2
            if not (0 <= cxi <= W and 0 <= cyi <= H):
                if tr.may_leave:
                    continue
                raise ValueError(f"case {case.query!r}: {tr.label} centre leaves the image at frame {i}")
            x1, x2 = max(0.0, x1), min(float(W), x2)
            y1, y2 = max(0.0, y1), min(float(H), y2)
            rows.append([i, round(x1, 1), round(y1, 1), round(x2, 1), round(y2, 1), 0 if hidden else 1])
        t = {"id": ids[k], "label": tr.label, "score": round(rng.uniform(0.45, 0.95), 2), "boxes": rows}
        if tr.color:
            t["attributes"] = {"color": tr.color}
        tracks.append(t)
    rng.shuffle(tracks)
    win = {"version": 1, "query": case.query, "fps": fps, "width": W, "height": H, "num_frames": n}
    if moving_cam:
        win["camera"] = [[round(float(v), 8) for v in c.reshape(9)] for c in [np.eye(3)] + [hstep] * (n - 1)]
    win["tracks"] = tracks
    return win, sorted(ids[k] for k in case.expected)


def cases() -> list[Case]:
    """Every case, in a fixed order (the order fixes file names and seeds)."""
    c = common_cases()
    add_harder(c)
    add_combined(c)
    return c


def main() -> None:
    out = HERE / "windows"
    out.mkdir(exist_ok=True)
    for old in out.glob("*.json"):
        old.unlink()
    index = []
    for i, case in enumerate(cases()):
        win, expected = build(case, seed=1000 + i)
        name = f"{i:03d}_{case.kind}.json"
        (out / name).write_text(json.dumps(win, separators=(",", ":")) + "\n")
        index.append({"file": f"windows/{name}", "kind": case.kind, "query": case.query, "expected": expected})
    (HERE / "cases.json").write_text(json.dumps(index, indent=1) + "\n")
    print(f"wrote {len(index)} cases to {HERE}")


if __name__ == "__main__":
    main()
