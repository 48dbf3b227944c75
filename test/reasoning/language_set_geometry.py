"""Plain geometry over a language-set case's window, for the data checks of batches v2 to v4: the tests judge
each scene by what its roles do (who is ahead, who stops first, which phases a track goes through), not by the
reasoner."""

from __future__ import annotations

import json

import numpy as np

__all__ = ["ahead", "aside", "assert_scenes_hold", "common", "dist", "moving", "onset", "phases", "stop",
           "templates", "tracks", "velocity"]


def tracks(case: dict) -> tuple[dict[str, dict], int]:
    window = json.loads(case["path"].read_text())
    by_id = {t["id"]: t for t in window["tracks"]}
    out = {}
    for role, tid in case["roles"].items():
        b = np.array(by_id[tid]["boxes"], float)
        out[role] = {
            "f": b[:, 0].astype(int),
            "c": np.c_[(b[:, 1] + b[:, 3]) / 2, (b[:, 2] + b[:, 4]) / 2],
            "w": float(np.median(b[:, 3] - b[:, 1])),
        }
    return out, window["num_frames"]


def common(a: dict, b: dict) -> tuple[np.ndarray, np.ndarray]:
    fs = sorted(set(a["f"]) & set(b["f"]))
    ia, ib = np.searchsorted(a["f"], fs), np.searchsorted(b["f"], fs)
    return a["c"][ia], b["c"][ib]


def dist(a: dict, b: dict) -> np.ndarray:
    pa, pb = common(a, b)
    return np.linalg.norm(pa - pb, axis=1)


def ahead(t: dict, a: dict) -> np.ndarray:
    """How far ``t`` is ahead of ``a`` along ``a``'s motion (negative: behind)."""
    pt, pa = common(t, a)
    u = a["c"][-1] - a["c"][0]
    return (pt - pa) @ (u / np.linalg.norm(u))


def aside(t: dict, a: dict) -> np.ndarray:
    """How far ``t`` is to the side of ``a``'s line of motion."""
    pt, pa = common(t, a)
    u = a["c"][-1] - a["c"][0]
    return np.abs((pt - pa) @ (np.array([-u[1], u[0]]) / np.linalg.norm(u)))


def velocity(t: dict, k: int = 2) -> np.ndarray:
    c, f = t["c"], t["f"]
    lo, hi = np.maximum(np.arange(len(c)) - k, 0), np.minimum(np.arange(len(c)) + k, len(c) - 1)
    return (c[hi] - c[lo]) / np.maximum(f[hi] - f[lo], 1)[:, None]


def moving(t: dict) -> np.ndarray:
    return np.linalg.norm(velocity(t), axis=1) > 1.5


def onset(t: dict) -> int:
    m = moving(t)
    return next((int(t["f"][i]) for i in range(len(m) - 2) if m[i] and m[i + 1] and m[i + 2]), 10**6)


def stop(t: dict) -> int:
    idx = np.nonzero(moving(t))[0]
    return int(t["f"][idx[-1]]) if len(idx) else -1


def phases(t: dict, sign: int) -> list[str]:
    """Runs of at least 4 frames of still / slow / walk / fast, with "-" against the direction ``sign``."""
    labels = []
    for v in velocity(t)[:, 0]:
        s = abs(v)
        name = "still" if s < 1.0 else "slow" if s < 4.0 else "walk" if s < 8.5 else "fast"
        labels.append(name if name == "still" or v * sign > 0 else name + "-")
    runs: list[list] = []
    for x in labels:
        if runs and runs[-1][0] == x:
            runs[-1][1] += 1
        else:
            runs.append([x, 1])
    out: list[str] = []
    for x, n in runs:
        if n >= 4 and (not out or out[-1] != x):
            out.append(x)
    return out


def templates(*sets: dict) -> set[str]:
    return {t for forms_by_kind in sets for kind in forms_by_kind.values() for forms in kind.values() for t in forms}


def assert_scenes_hold(cases: list[dict], holds) -> None:
    """Every case's target does what its query says, by ``holds(case, tracks, num_frames, role)``, and no
    distractor does when swapped in for the target."""
    for c in cases:
        T, n = tracks(c)
        assert holds(c, T, n, "target"), c["id"]
        for r in T:
            if r.startswith("distractor"):  # as the target, every distractor fails the query
                swapped = {**T, "target": T[r], r: T["target"]}
                assert not holds(c, swapped, n, "target"), (c["id"], r)
