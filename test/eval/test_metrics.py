"""J and F follow the DAVIS 2017 definitions (docs/contracts.md, "Evaluation report")."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import ndimage

from rvos_ros.errors import InputError
from rvos_ros.eval.metrics import (
    boundary_f_measure,
    boundary_radius,
    disk_kernel,
    jf,
    mean_jf,
    region_similarity,
    seg2bmap,
    sequence_jf,
)


def square(shape: tuple[int, int], r0: int, r1: int, c0: int, c1: int) -> np.ndarray:
    """Boolean mask with rows r0..r1 and columns c0..c1 (inclusive) set."""
    m = np.zeros(shape, bool)
    m[r0:r1 + 1, c0:c1 + 1] = True
    return m


# ---------------------------------------------------------------- an independent reference implementation
# Written differently on purpose: per-pixel loops for the boundary map and scipy's binary dilation.

def ref_seg2bmap(seg: np.ndarray) -> np.ndarray:
    h, w = seg.shape
    out = np.zeros((h, w), bool)

    def at(r: int, c: int) -> bool:
        return bool(seg[r, c]) if r < h and c < w else False

    for r in range(h):
        for c in range(w):
            here = bool(seg[r, c])
            if r == h - 1 and c == w - 1:
                out[r, c] = False
            elif r == h - 1:
                out[r, c] = here != at(r, c + 1)
            elif c == w - 1:
                out[r, c] = here != at(r + 1, c)
            else:
                out[r, c] = here != at(r, c + 1) or here != at(r + 1, c) or here != at(r + 1, c + 1)
    return out


def ref_f(pred: np.ndarray, gt: np.ndarray, bound_th: float = 0.008) -> float:
    h, w = gt.shape
    radius = bound_th if bound_th >= 1 else math.ceil(bound_th * math.sqrt(h * h + w * w))
    n = int(radius)
    ys, xs = np.mgrid[-n:n + 1, -n:n + 1]
    disk = xs**2 + ys**2 <= radius**2
    pb, gb = ref_seg2bmap(pred), ref_seg2bmap(gt)
    if not pb.any() and not gb.any():
        return 1.0
    if not pb.any() or not gb.any():
        return 0.0
    precision = (pb & ndimage.binary_dilation(gb, structure=disk)).sum() / pb.sum()
    recall = (gb & ndimage.binary_dilation(pb, structure=disk)).sum() / gb.sum()
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def ref_j(pred: np.ndarray, gt: np.ndarray) -> float:
    union = np.logical_or(pred, gt).sum()
    return 1.0 if union == 0 else np.logical_and(pred, gt).sum() / union


def random_masks(rng: np.random.Generator, shape: tuple[int, int], kind: str) -> np.ndarray:
    h, w = shape
    if kind == "noise":
        return rng.random(shape) < rng.uniform(0.1, 0.6)
    if kind == "blob":  # smoothed noise thresholded: a few irregular blobs
        field = ndimage.gaussian_filter(rng.standard_normal(shape), sigma=max(1.0, min(h, w) / 8))
        return field > np.quantile(field, rng.uniform(0.4, 0.9))
    yy, xx = np.mgrid[0:h, 0:w]  # "ellipses": a union of random ellipses, some cut by the image edge
    m = np.zeros(shape, bool)
    for _ in range(rng.integers(1, 4)):
        cy, cx = rng.uniform(-0.1, 1.1) * h, rng.uniform(-0.1, 1.1) * w
        ay, ax = rng.uniform(0.1, 0.5) * h, rng.uniform(0.1, 0.5) * w
        m |= ((yy - cy) / ay) ** 2 + ((xx - cx) / ax) ** 2 <= 1
    return m


def perturb(rng: np.random.Generator, m: np.ndarray) -> np.ndarray:
    """A plausible prediction of ``m``: shifted, grown or shrunk, with a few flipped pixels."""
    out = np.roll(m, (int(rng.integers(-3, 4)), int(rng.integers(-3, 4))), axis=(0, 1))
    op = rng.integers(0, 3)
    if op == 1:
        out = ndimage.binary_dilation(out, iterations=int(rng.integers(1, 3)))
    elif op == 2:
        out = ndimage.binary_erosion(out, iterations=1)
    flips = rng.random(m.shape) < 0.01
    return out ^ flips


# ---------------------------------------------------------------- hand-worked cases

def test_both_empty_scores_one_and_one_empty_scores_zero():
    empty = np.zeros((20, 20), bool)
    sq = square((20, 20), 5, 9, 5, 9)
    assert jf(empty, empty) == (1.0, 1.0)
    # Nothing predicted for a present object: J=0; F has P=1, R=0 -> 0.
    assert jf(empty, sq) == (0.0, 0.0)
    # Something predicted where nothing is: J=0; F has P=0, R=1 -> 0.
    assert jf(sq, empty) == (0.0, 0.0)


def test_boundary_map_of_a_square_matches_hand_count():
    # For rows 5..9 x cols 5..9, seg2bmap marks the square's own right column and bottom row
    # (9 pixels) and the outside column left of it and row above it, corner included (11 pixels).
    b = seg2bmap(square((20, 20), 5, 9, 5, 9))
    expected = np.zeros((20, 20), bool)
    expected[5:10, 9] = True
    expected[9, 5:10] = True
    expected[4:10, 4] = True
    expected[4, 5:10] = True
    np.testing.assert_array_equal(b, expected)
    assert b.sum() == 20


def test_one_pixel_shift_of_a_square_loses_area_but_not_boundary():
    # 20x20 image: diagonal 28.28 px, radius ceil(0.008 * 28.28) = 1 (a plus-shaped disk).
    # GT cols 5..9, prediction cols 6..10 (rows 5..9 both): overlap 5x4 = 20, union 5x6 = 30 -> J = 2/3.
    # Every boundary pixel of one lies on, or 4-adjacent to, a boundary pixel of the other -> P = R = 1, F = 1.
    gt = square((20, 20), 5, 9, 5, 9)
    pred = square((20, 20), 5, 9, 6, 10)
    assert boundary_radius(gt.shape) == 1
    assert region_similarity(pred, gt) == pytest.approx(2 / 3)
    assert boundary_f_measure(pred, gt) == pytest.approx(1.0)


def test_two_pixel_shift_of_a_square_by_hand():
    # GT cols 5..9, prediction cols 7..11: overlap 5x3 = 15, union 5x7 = 35 -> J = 3/7.
    # Precision over the 20 predicted boundary pixels (radius 1):
    #   own right column (c=11, rows 5..9): 2 px from any GT boundary -> 0/5
    #   own bottom row (r=9, c=7..10): on or next to GT's bottom row -> 4/4
    #   outside left column (c=6, rows 4..9): rows 4, 5 (touch GT's top row), 8, 9 (touch GT's bottom row) -> 4/6
    #   outside top row (r=4, c=7..11): c=7..9 on GT's top row, c=10 next to it, c=11 not -> 4/5
    #   P = 12/20. By the same count the other way, R = 12/20 (right col 3/5, bottom 4/4, left 0/6, top 5/5).
    #   F = 2PR/(P+R) = 0.6.
    gt = square((20, 20), 5, 9, 5, 9)
    pred = square((20, 20), 5, 9, 7, 11)
    assert region_similarity(pred, gt) == pytest.approx(3 / 7)
    assert boundary_f_measure(pred, gt) == pytest.approx(0.6)


def test_mask_touching_the_image_edge_has_no_boundary_along_the_border():
    # A full-height strip at the right edge: seg2bmap marks only the column just left of it.
    gt = np.zeros((20, 20), bool)
    gt[:, 15:] = True
    expected = np.zeros((20, 20), bool)
    expected[:, 14] = True
    np.testing.assert_array_equal(seg2bmap(gt), expected)
    # Strip one column narrower: boundaries 1 px apart -> F = 1; J = 80/100.
    near = np.zeros((20, 20), bool)
    near[:, 16:] = True
    assert jf(near, gt) == (pytest.approx(0.8), pytest.approx(1.0))
    # Two columns narrower: boundaries 2 px apart, beyond the radius of 1 -> F = 0; J = 60/100.
    far = np.zeros((20, 20), bool)
    far[:, 17:] = True
    assert jf(far, gt) == (pytest.approx(0.6), pytest.approx(0.0))


def test_full_frame_masks_have_no_boundary():
    full = np.ones((12, 16), bool)
    empty = np.zeros((12, 16), bool)
    assert not seg2bmap(full).any()
    assert jf(full, full) == (1.0, 1.0)
    # DAVIS quirk kept for comparability: no boundary on either side scores F = 1 even though J = 0.
    assert jf(full, empty) == (0.0, 1.0)


def test_radius_grows_with_the_diagonal_and_bound_th_from_one_is_pixels():
    assert boundary_radius((480, 854)) == math.ceil(0.008 * math.hypot(480, 854)) == 8
    assert boundary_radius((480, 854), 3) == 3.0
    # Radius 2 (absolute) matches the two-pixel shift fully.
    gt = square((20, 20), 5, 9, 5, 9)
    pred = square((20, 20), 5, 9, 7, 11)
    assert boundary_f_measure(pred, gt, bound_th=2) == pytest.approx(1.0)


def test_disk_kernel_is_skimage_disk_not_an_opencv_ellipse():
    np.testing.assert_array_equal(disk_kernel(1), [[0, 1, 0], [1, 1, 1], [0, 1, 0]])
    k = disk_kernel(2)
    assert k.shape == (5, 5)
    # (±1, ±2): 1 + 4 > 4 -> outside, unlike an ellipse filling the 5x5 box more; (±2, 0): 4 <= 4 -> inside.
    np.testing.assert_array_equal(k, [[0, 0, 1, 0, 0],
                                      [0, 1, 1, 1, 0],
                                      [1, 1, 1, 1, 1],
                                      [0, 1, 1, 1, 0],
                                      [0, 0, 1, 0, 0]])


def test_metrics_accept_uint8_masks():
    gt = square((20, 20), 5, 9, 5, 9).astype(np.uint8) * 255
    pred = square((20, 20), 5, 9, 7, 11).astype(np.uint8)
    assert jf(pred, gt) == (pytest.approx(3 / 7), pytest.approx(0.6))


# ---------------------------------------------------------------- agreement with the reference

def test_metrics_agree_with_an_independent_reference_on_random_masks():
    rng = np.random.default_rng(2017)
    kinds = ["blob"] * 12 + ["ellipses"] * 12 + ["noise"] * 6
    for i, kind in enumerate(kinds):
        shape = (int(rng.integers(6, 70)), int(rng.integers(6, 90)))
        gt = random_masks(rng, shape, kind)
        pred = perturb(rng, gt) if i % 3 else random_masks(rng, shape, kind)
        bound_th = [0.008, 0.03, 2][i % 3]
        j, f = jf(pred, gt, bound_th)
        assert j == pytest.approx(ref_j(pred, gt), abs=1e-4), (i, kind, shape)
        assert f == pytest.approx(ref_f(pred, gt, bound_th), abs=1e-4), (i, kind, shape)


# ---------------------------------------------------------------- sequences

def test_sequence_jf_averages_frames_and_mean_jf_averages_sequences():
    gt = square((20, 20), 5, 9, 5, 9)
    shifted = square((20, 20), 5, 9, 7, 11)
    j, f = sequence_jf([gt, shifted], [gt, gt])
    assert j == pytest.approx((1 + 3 / 7) / 2)
    assert f == pytest.approx((1 + 0.6) / 2)
    assert mean_jf([(1.0, 0.5), (0.5, 0.5)]) == (0.75, 0.5, 0.625)


def test_sequence_jf_consumes_generators():
    gt = square((20, 20), 5, 9, 5, 9)
    assert sequence_jf((gt for _ in range(3)), iter([gt, gt, gt])) == (1.0, 1.0)


# ---------------------------------------------------------------- errors

def test_mismatched_shapes_are_rejected():
    with pytest.raises(InputError, match="resize the prediction"):
        jf(np.zeros((4, 5), bool), np.zeros((5, 4), bool))


def test_non_2d_masks_are_rejected():
    with pytest.raises(InputError, match="must be 2-D"):
        region_similarity(np.zeros((4, 5, 3), bool), np.zeros((4, 5, 3), bool))


@pytest.mark.parametrize("bad", [0, -0.1, float("nan"), float("inf")])
def test_bad_bound_th_is_rejected(bad):
    with pytest.raises(InputError, match="bound_th must be a positive number"):
        boundary_f_measure(np.zeros((4, 4), bool), np.ones((4, 4), bool), bound_th=bad)


def test_sequences_of_different_lengths_are_rejected():
    m = np.zeros((4, 4), bool)
    with pytest.raises(InputError, match="different numbers of frames"):
        sequence_jf([m, m], [m])
    with pytest.raises(InputError, match="different numbers of frames"):
        sequence_jf([m], [m, m])


def test_empty_sequences_are_rejected():
    with pytest.raises(InputError, match="no frames"):
        sequence_jf([], [])
    with pytest.raises(InputError, match="no sequences"):
        mean_jf([])
