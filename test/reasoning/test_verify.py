"""Colour naming from pixels and keyframe choice."""

from __future__ import annotations

import numpy as np
import pytest

from rvos_ros.reasoning.verify import (
    COLOURS,
    candidate_colours,
    colour_match,
    colour_probabilities,
    select_keyframes,
)
from rvos_ros.types import Keyframe, TrackTrajectory, TrajectoryWindow

H, W = 120, 160


def disc(cx=80, cy=60, r=30):
    yy, xx = np.mgrid[:H, :W]
    return (xx - cx) ** 2 + (yy - cy) ** 2 <= r * r


def painted(rgb, mask, background=(40, 140, 60), shading=0.0, noise=0.0, seed=0):
    """An image with ``mask`` painted ``rgb``; ``shading`` darkens towards the bottom, ``noise`` adds texture."""
    rng = np.random.default_rng(seed)
    img = np.empty((H, W, 3), float)
    img[:] = background
    yy = np.mgrid[:H, :W][0] / H
    obj = np.asarray(rgb, float)[None, None] * (1 - shading * yy)[..., None]
    img[mask] = obj[mask]
    img += rng.normal(0, noise, img.shape)
    return np.clip(img, 0, 255).astype(np.uint8)


def top(probs):
    return max(probs, key=probs.get)


@pytest.mark.parametrize("rgb,name", [
    ((220, 30, 30), "red"), ((250, 140, 0), "orange"), ((240, 220, 30), "yellow"), ((30, 170, 50), "green"),
    ((30, 60, 220), "blue"), ((120, 40, 160), "purple"), ((250, 150, 190), "pink"), ((120, 70, 30), "brown"),
    ((15, 15, 15), "black"), ((240, 240, 240), "white"), ((128, 128, 128), "gray"),
])
def test_flat_colours_are_named(rgb, name):
    probs = colour_probabilities(painted(rgb, disc()), disc())
    assert top(probs) == name
    assert sum(probs.values()) == pytest.approx(1.0)
    assert set(probs) == set(COLOURS)


def test_shading_and_texture_keep_the_colour():
    img = painted((200, 30, 30), disc(), shading=0.6, noise=12)
    assert top(colour_probabilities(img, disc())) == "red"
    img = painted((30, 60, 220), disc(), shading=0.7, noise=15)
    assert top(colour_probabilities(img, disc())) == "blue"


def test_background_leaking_into_the_mask_does_not_flip_the_colour():
    leaky = disc(r=34)  # 28 % more area than the object: a ring of green grass
    img = painted((240, 240, 240), disc(r=30), background=(40, 160, 40))
    probs = colour_probabilities(img, leaky)
    assert top(probs) == "white"
    img = painted((220, 30, 30), disc(r=30), background=(40, 160, 40))
    assert top(colour_probabilities(img, leaky)) == "red"


def test_too_few_pixels_gives_none():
    m = np.zeros((H, W), bool)
    m[0, :5] = True
    assert colour_probabilities(painted((200, 0, 0), m), m) is None


def test_colour_match_prefers_the_dominant_colour():
    red = colour_probabilities(painted((220, 30, 30), disc()), disc())
    assert colour_match(red, "red") > 0.9
    assert colour_match(red, "blue") < 0.1


def _keyframe(index, colours):
    """Two discs side by side with the given colours (None = the track is not seen)."""
    masks, img = {}, np.zeros((H, W, 3), np.uint8)
    for tid, (rgb, cx) in enumerate(zip(colours, (40, 120), strict=True), start=1):
        if rgb is None:
            continue
        m = disc(cx=cx, r=25)
        img[m] = rgb
        masks[tid] = m
    return Keyframe(index, img, masks)


def test_keyframes_where_candidates_differ_most_are_chosen():
    same = _keyframe(0, [(200, 30, 30), (200, 30, 30)])
    differ = _keyframe(10, [(200, 30, 30), (30, 60, 220)])
    one_missing = _keyframe(20, [(200, 30, 30), None])
    chosen = select_keyframes([same, differ, one_missing], [1, 2], max_frames=1)
    assert [k.frame_index for k in chosen] == [10]
    assert len(select_keyframes([same, differ, one_missing], [1, 2], max_frames=5)) == 3


def test_candidate_colours_average_over_keyframes():
    w = TrajectoryWindow("q", 15.0, W, H, 30, (TrackTrajectory(1, "ball", 1.0, np.zeros((0, 6))),
                                               TrackTrajectory(2, "ball", 1.0, np.zeros((0, 6)))),
                         keyframes=(_keyframe(0, [(200, 30, 30), (30, 60, 220)]),
                                    _keyframe(10, [(210, 40, 30), None])))
    probs = candidate_colours(w, [1, 2, 3])
    assert top(probs[1]) == "red" and top(probs[2]) == "blue"
    assert 3 not in probs
