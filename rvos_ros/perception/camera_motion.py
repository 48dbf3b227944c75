"""Camera motion: frame-to-frame homographies of the background, measured from pixels.

Convention (docs/contracts.md, trajectory window): ``H[t]`` maps pixel
coordinates of frame t-1 to frame t (``H[0]`` is the identity); the
compensation of trajectories with them is in :mod:`rvos_ros.geometry`.

:class:`CameraMotionEstimator` measures those per-step homographies from pixels
(PARSE-VOS's camera-motion prior): corners on a downscaled grey copy, pyramidal
Lucas-Kanade with a forward-backward check, RANSAC homography (similarity
fallback), features on tracked objects ignored.
"""

from __future__ import annotations

import cv2
import numpy as np

from rvos_ros.config import CameraMotionConfig
from rvos_ros.errors import InputError

__all__ = ["CameraMotionEstimator"]


# Tracking parameters, in pixels of the downscaled image.
_LK_WIN = (15, 15)
_LK_LEVELS = 3  # 4 pyramid levels: follows motions of ~50 px of the downscaled image
_LK_CRITERIA = (cv2.TERM_CRITERIA_COUNT | cv2.TERM_CRITERIA_EPS, 10, 0.03)
_FB_MAX_ERR_PX = 1.0
"""A feature whose forward-then-backward track misses its start by more than this is dropped."""
_EXCLUDE_DILATE_FRAC = 0.02
"""Exclusion masks grow by this fraction of the longer side: corners on an object's edge move with it."""
_MIN_HOMOGRAPHY_INLIERS = 15
_MIN_SIMILARITY_INLIERS = 6
_MAX_SCALE_CHANGE = 4.0
"""A per-frame estimate whose area scale leaves [1/4, 4] is rejected as a failure."""
_MAX_PERSPECTIVE = 5e-3
"""Largest |h20|, |h21| (downscaled pixels) accepted; a bigger one means a degenerate fit."""


class CameraMotionEstimator:
    """Frame-to-frame camera homography from pixels, O(1) state per stream.

    ``update(image)`` returns the 3x3 float64 homography mapping full-resolution
    pixel coordinates of the previous frame to this frame (``H[2, 2] == 1``),
    the convention of :func:`cumulative_homographies`. It returns the identity
    on the first frame, after :meth:`reset`, when the image size changes, when
    the config disables estimation, and when estimation fails; :attr:`failed`
    is True only in the last case. Never raises on image content (flat,
    dark, noisy); raises ``InputError`` on arrays of the wrong shape or type.

    State is the previous downscaled grey image and its corners only; corners
    are re-detected on every frame.
    """

    def __init__(self, config: CameraMotionConfig | None = None) -> None:
        self.config = config if config is not None else CameraMotionConfig()
        self._prev_gray: np.ndarray | None = None
        self._prev_pts: np.ndarray | None = None  # (N, 1, 2) float32, downscaled pixels
        self._full_shape: tuple[int, int] | None = None
        self.failed = False
        """True when the last :meth:`update` could not estimate the motion and returned the identity."""
        self.method = "first"
        """How the last estimate was made: first | homography | similarity | failed | disabled."""
        self.num_inliers = 0
        """RANSAC inliers of the last estimate (0 when none was made)."""
        self.failures = 0
        """Updates that failed since construction or :meth:`reset`."""

    def reset(self) -> None:
        """Forget the previous frame: the next update returns the identity."""
        self._prev_gray = None
        self._prev_pts = None
        self._full_shape = None
        self.failed = False
        self.method = "first"
        self.num_inliers = 0
        self.failures = 0

    def update(self, image_rgb: np.ndarray, exclude: np.ndarray | None = None) -> np.ndarray:
        """Homography (3, 3) mapping pixels of the previous frame to ``image_rgb``'s pixels.

        ``image_rgb``: (H, W, 3) uint8 RGB (a (H, W) uint8 grey image is accepted too).
        ``exclude``: optional boolean (H, W) mask of moving objects whose corners must
        not vote for the camera motion (slightly dilated here).
        """
        gray_full = _as_gray(image_rgb)
        h, w = gray_full.shape
        excl = _check_exclude(exclude, (h, w))
        self.failed = False
        self.num_inliers = 0
        if not self.config.enabled:
            self.method = "disabled"
            return np.eye(3)

        scale = min(1.0, self.config.max_side_px / float(max(h, w)))
        if scale < 1.0:
            small_size = (max(1, round(w * scale)), max(1, round(h * scale)))
            gray = cv2.resize(gray_full, small_size, interpolation=cv2.INTER_AREA)
        else:
            gray = gray_full
        sh, sw = gray.shape
        allowed = _allowed_mask(excl, (sh, sw))

        result = np.eye(3)
        if self._prev_gray is None or self._full_shape != (h, w):
            self.method = "first"
        else:
            small_h = self._estimate(gray, allowed, scale)
            if small_h is None:
                self.failed = True
                self.failures += 1
                self.method = "failed"
            else:
                result = _to_full_resolution(small_h, (sw / w, sh / h))

        self._prev_gray = gray
        self._prev_pts = self._detect(gray, allowed, scale)
        self._full_shape = (h, w)
        return result

    def _detect(self, gray: np.ndarray, allowed: np.ndarray | None, scale: float) -> np.ndarray | None:
        min_dist = max(1.0, self.config.min_distance_px * scale)
        pts = cv2.goodFeaturesToTrack(
            gray, maxCorners=self.config.max_corners, qualityLevel=self.config.quality_level,
            minDistance=min_dist, mask=allowed, blockSize=5,
        )
        if pts is None or len(pts) == 0:
            return None
        return pts.astype(np.float32)

    def _estimate(self, gray: np.ndarray, allowed: np.ndarray | None, scale: float) -> np.ndarray | None:
        """Homography in downscaled pixels (previous → current), or None on failure."""
        p0, prev = self._prev_pts, self._prev_gray
        if p0 is None or prev is None or len(p0) < _MIN_SIMILARITY_INLIERS:
            return None
        p1, st1, _ = cv2.calcOpticalFlowPyrLK(prev, gray, p0, None, winSize=_LK_WIN, maxLevel=_LK_LEVELS,
                                              criteria=_LK_CRITERIA)
        if p1 is None:
            return None
        src, dst = p0.reshape(-1, 2), p1.reshape(-1, 2)
        sh, sw = gray.shape
        ok = (st1.ravel() == 1) & (dst[:, 0] >= 0) & (dst[:, 1] >= 0) & (dst[:, 0] <= sw - 1) & (dst[:, 1] <= sh - 1)
        if allowed is not None:
            # A background corner that an object now covers is no longer background.
            xi = np.clip(np.round(dst[:, 0]).astype(np.int64), 0, sw - 1)
            yi = np.clip(np.round(dst[:, 1]).astype(np.int64), 0, sh - 1)
            ok &= allowed[yi, xi] > 0
        src, dst = src[ok], dst[ok]
        if len(src) < _MIN_SIMILARITY_INLIERS:
            return None
        # Forward-backward check, only on the survivors: a track that does not lead back is unreliable.
        back, st0, _ = cv2.calcOpticalFlowPyrLK(gray, prev, dst.reshape(-1, 1, 2), None, winSize=_LK_WIN,
                                                maxLevel=_LK_LEVELS, criteria=_LK_CRITERIA)
        if back is None:
            return None
        fb_err = np.linalg.norm(back.reshape(-1, 2) - src, axis=1)
        ok = (st0.ravel() == 1) & (fb_err < _FB_MAX_ERR_PX)
        src, dst = src[ok], dst[ok]
        if len(src) < _MIN_SIMILARITY_INLIERS:
            return None
        thr = max(self.config.ransac_threshold_px * scale, 0.25)
        if len(src) >= _MIN_HOMOGRAPHY_INLIERS:
            hmat, inl = cv2.findHomography(src, dst, cv2.RANSAC, thr, maxIters=500, confidence=0.995)
            if hmat is not None and inl is not None and int(inl.sum()) >= _MIN_HOMOGRAPHY_INLIERS \
                    and _plausible(hmat):
                self.method = "homography"
                self.num_inliers = int(inl.sum())
                return hmat / hmat[2, 2]
        amat, inl = cv2.estimateAffinePartial2D(src, dst, method=cv2.RANSAC, ransacReprojThreshold=thr)
        if amat is None or inl is None or int(inl.sum()) < _MIN_SIMILARITY_INLIERS:
            return None
        hmat = np.vstack([amat, [0.0, 0.0, 1.0]])
        if not _plausible(hmat):
            return None
        self.method = "similarity"
        self.num_inliers = int(inl.sum())
        return hmat


def _as_gray(image: np.ndarray) -> np.ndarray:
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8 or not (
        image.ndim == 2 or (image.ndim == 3 and image.shape[2] == 3)
    ) or image.shape[0] < 2 or image.shape[1] < 2:
        shape = getattr(image, "shape", None)
        dtype = getattr(image, "dtype", type(image).__name__)
        raise InputError(
            f"camera-motion image must be an HxWx3 uint8 RGB (or HxW uint8 grey) array of at least 2x2, "
            f"got shape {shape} dtype {dtype}; convert the frame before estimating camera motion"
        )
    if image.ndim == 2:
        return image
    return cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)


def _check_exclude(exclude: np.ndarray | None, shape: tuple[int, int]) -> np.ndarray | None:
    if exclude is None:
        return None
    if not isinstance(exclude, np.ndarray) or exclude.shape != shape:
        got = getattr(exclude, "shape", type(exclude).__name__)
        raise InputError(
            f"camera-motion exclude mask must be a boolean array of the image's shape {shape}, got {got}; "
            "pass the union of the tracked objects' masks on this frame, or None"
        )
    return exclude.astype(bool, copy=False)


def _allowed_mask(exclude: np.ndarray | None, small_shape: tuple[int, int]) -> np.ndarray | None:
    """uint8 mask (255 = background, may hold camera features) at the downscaled size, or None."""
    if exclude is None or not exclude.any():
        return None
    sh, sw = small_shape
    ex: np.ndarray = exclude.view(np.uint8) if exclude.dtype == np.bool_ else exclude.astype(np.uint8)
    if ex.shape != (sh, sw):
        # INTER_AREA keeps any covered pixel (> 0) so thin objects survive downscaling.
        ex = cv2.resize(ex * 255, (sw, sh), interpolation=cv2.INTER_AREA)
    r = max(1, round(_EXCLUDE_DILATE_FRAC * max(sh, sw)))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    ex = cv2.dilate((ex > 0).view(np.uint8), kernel)
    return np.where(ex > 0, 0, 255).astype(np.uint8)


def _plausible(hmat: np.ndarray) -> bool:
    if not np.all(np.isfinite(hmat)) or abs(hmat[2, 2]) < 1e-12:
        return False
    hn = hmat / hmat[2, 2]
    det = float(np.linalg.det(hn[:2, :2]))
    return (1.0 / _MAX_SCALE_CHANGE) < det < _MAX_SCALE_CHANGE and float(np.abs(hn[2, :2]).max()) < _MAX_PERSPECTIVE


def _to_full_resolution(small_h: np.ndarray, scale_xy: tuple[float, float]) -> np.ndarray:
    """Conjugate a downscaled-image homography into full-resolution pixel coordinates.

    ``cv2.resize`` maps pixel centres as ``x_small = (x + 0.5) * s - 0.5``; using
    the same map keeps sub-pixel estimates unbiased.
    """
    sx, sy = scale_xy
    down = np.array([[sx, 0.0, 0.5 * sx - 0.5], [0.0, sy, 0.5 * sy - 0.5], [0.0, 0.0, 1.0]])
    full = np.linalg.inv(down) @ small_h @ down
    return full / full[2, 2]
