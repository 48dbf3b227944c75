"""Fine verification from pixels: colour naming of candidates on a few keyframes.

Colour model: masked pixels (eroded a little so a leaking border does not
count) are converted to HSV. Chromatic pixels (saturated and not dark) are
named by hue, with brown (dark orange/red-orange) and pink (light, pale red
to magenta) from saturation/value; achromatic pixels are black, gray or white
by value. The object's probability per colour word mixes the chromatic and
achromatic histograms by the share of chromatic pixels, so shading, texture
and some background leak shift the histogram without flipping its mode.

Keyframe choice follows VideoLISA's sparse/dense idea: only the few keyframes
where the remaining candidates look most different are examined.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import cv2
import numpy as np

from rvos_ros.types import Keyframe, TrajectoryWindow

__all__ = ["COLOURS", "candidate_colours", "colour_match", "colour_probabilities", "select_keyframes"]

COLOURS = ("red", "orange", "yellow", "green", "blue", "purple", "pink", "brown", "black", "white", "gray")
_CHROMATIC = COLOURS[:8]
_MIN_PIXELS = 20

# Hue bins in degrees [0, 360): (upper bound, colour), checked in order; wraps to red.
_HUES = ((15.0, "red"), (40.0, "orange"), (70.0, "yellow"), (165.0, "green"), (255.0, "blue"),
         (305.0, "purple"), (340.0, "pink"), (360.0, "red"))


def _masked_pixels(image: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """(N, 3) uint8 RGB pixels under ``mask``, eroded by ~2 px when the mask is large enough."""
    m = np.asarray(mask, dtype=bool)
    if m.shape != image.shape[:2]:
        return np.zeros((0, 3), dtype=np.uint8)
    if m.sum() > 400:
        eroded = cv2.erode(m.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
        if eroded.sum() >= 0.3 * m.sum():
            m = eroded
    return image[m]


def _name_pixels(rgb: np.ndarray) -> np.ndarray:
    """Colour index (into COLOURS) of each (N, 3) uint8 RGB pixel."""
    hsv = cv2.cvtColor(rgb.reshape(-1, 1, 3), cv2.COLOR_RGB2HSV_FULL).reshape(-1, 3).astype(np.float64)
    h = hsv[:, 0] * 360.0 / 256.0
    s, v = hsv[:, 1] / 255.0, hsv[:, 2] / 255.0
    idx = np.empty(h.shape[0], dtype=np.int64)
    lower = 0.0
    for upper, name in _HUES:
        sel = (h >= lower) & (h < upper)
        idx[sel] = COLOURS.index(name)
        lower = upper
    brown = (h >= 8.0) & (h < 45.0) & ((v < 0.62) | ((s < 0.55) & (v < 0.85)))
    idx[brown] = COLOURS.index("brown")
    reddish = (h >= 340.0) | (h < 8.0)
    idx[reddish & (s < 0.5) & (v > 0.7)] = COLOURS.index("pink")
    chromatic = (s >= 0.2) & (v >= 0.2)
    achro = ~chromatic
    idx[achro & (v < 0.25)] = COLOURS.index("black")
    idx[achro & (v >= 0.25) & (v < 0.75)] = COLOURS.index("gray")
    idx[achro & (v >= 0.75)] = COLOURS.index("white")
    return idx


def colour_probabilities(image: np.ndarray, mask: np.ndarray) -> dict[str, float] | None:
    """Probability of each colour word for the object under ``mask`` on an RGB ``image``; None if too few pixels."""
    px = _masked_pixels(image, mask)
    if px.shape[0] < _MIN_PIXELS:
        return None
    counts = np.bincount(_name_pixels(px), minlength=len(COLOURS)).astype(np.float64)
    n_chrom = counts[: len(_CHROMATIC)].sum()
    n_achro = counts[len(_CHROMATIC):].sum()
    share = n_chrom / max(n_chrom + n_achro, 1.0)
    # A coloured object keeps its colour name even when shading makes a good part of it dark or grey.
    w = float(np.clip((share - 0.1) / 0.3, 0.0, 1.0))
    p = np.zeros(len(COLOURS))
    if n_chrom > 0:
        p[: len(_CHROMATIC)] += w * counts[: len(_CHROMATIC)] / n_chrom
    if n_achro > 0:
        p[len(_CHROMATIC):] += (1.0 - w) * counts[len(_CHROMATIC):] / n_achro
    p = 0.98 * p / max(p.sum(), 1e-9) + 0.02 / len(COLOURS)
    return {c: float(v) for c, v in zip(COLOURS, p, strict=True)}


def _mean_lab(image: np.ndarray, mask: np.ndarray) -> np.ndarray | None:
    px = _masked_pixels(image, mask)
    if px.shape[0] < _MIN_PIXELS:
        return None
    lab = cv2.cvtColor(px.reshape(-1, 1, 3), cv2.COLOR_RGB2LAB).reshape(-1, 3).astype(np.float64)
    return np.median(lab, axis=0)


def select_keyframes(keyframes: Iterable[Keyframe], track_ids: Iterable[int], max_frames: int = 3) -> list[Keyframe]:
    """The keyframes (at most ``max_frames``) where the candidates are best seen and differ most.

    A keyframe's score is the number of candidates with a usable mask times
    (1 + mean pairwise Lab distance of their median colours / 50).
    """
    ids = list(track_ids)
    scored = []
    for order, kf in enumerate(keyframes):
        labs = [lab for tid in ids if tid in kf.masks
                for lab in [_mean_lab(kf.image, kf.masks[tid])] if lab is not None]
        if not labs:
            continue
        dists = [float(np.linalg.norm(a - b)) for i, a in enumerate(labs) for b in labs[i + 1:]]
        spread = float(np.mean(dists)) if dists else 0.0
        scored.append((len(labs) * (1.0 + spread / 50.0), order, kf))
    scored.sort(key=lambda s: (-s[0], -s[1]))
    return [kf for _, _, kf in scored[:max_frames]]


def candidate_colours(
    window: TrajectoryWindow, track_ids: Iterable[int], max_frames: int = 3
) -> dict[int, dict[str, float]]:
    """Colour probabilities per track, averaged over the selected keyframes; tracks never seen are absent."""
    ids = list(track_ids)
    out: dict[int, dict[str, float]] = {}
    frames = select_keyframes(window.keyframes, ids, max_frames)
    for tid in ids:
        probs = [p for kf in frames if tid in kf.masks
                 for p in [colour_probabilities(kf.image, kf.masks[tid])] if p is not None]
        if probs:
            out[tid] = {c: float(np.mean([p[c] for p in probs])) for c in COLOURS}
    return out


def colour_match(probs: Mapping[str, float], colour: str) -> float:
    """Soft score in [0, 1] that an object with colour probabilities ``probs`` is ``colour``."""
    p = float(probs.get(colour, 0.0))
    best = max(probs.values()) if probs else 0.0
    # Relative to the dominant colour, so a two-tone object still matches its main colours.
    return float(np.clip(0.5 * p / max(best, 1e-9) + 0.5 * min(1.0, 2.0 * p), 0.0, 1.0))
