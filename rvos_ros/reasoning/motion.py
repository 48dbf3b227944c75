"""Motion features of camera-compensated trajectories (PARSE-VOS coarse motion reasoning).

Every trajectory is first mapped into frame-0 coordinates with the window's
camera homographies, so a static object under camera pan or zoom stays static.
Only visible rows are used for motion. Positions are resampled onto the window
frame grid between a track's first and last visible frame (short gaps are
interpolated), median- then box-filtered against jitter, and differentiated.

Motion is judged against each track's own positional noise (adaptive, no fixed
speed for "moving"): the noise ``noise_px`` is a robust (MAD) estimate from the
second differences of the raw centres, and a displacement is significant when it
exceeds ``significance_px`` = max(z × noise, an absolute floor in px, a share of
the box diagonal). A sample is moving when the displacement over a ~1 s window
around it is significant (hysteresis), so a horse walking 0.1 diagonals/s is
moving while 2–3 px of detector jitter on a parked car is not.

Units: positions and lengths in pixels of frame 0 (``_px``), speeds in pixels
per second (``_px_s``) or box diagonals per second (``_diag_s``), durations in
seconds (``_s``), frame indices relative to the window start.

Every feature that needs a trajectory returns ``None`` when the track was
observed for less than ``min_observed_s`` (too little evidence to judge).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy.ndimage import median_filter, uniform_filter1d

from rvos_ros.geometry import compensate_boxes, cumulative_homographies
from rvos_ros.reasoning.view import Position, ViewChange, frame_position, view_change
from rvos_ros.types import TrackTrajectory, TrajectoryWindow

__all__ = [
    "DIRECTIONS",
    "MotionParams",
    "Position",
    "Segment",
    "TrackMotion",
    "ViewChange",
    "Approach",
    "approach_stats",
    "frame_position",
    "gap_sizes",
    "lead_stats",
    "mean_gap_sizes",
    "noise_sigma",
    "significance_px",
    "seconds_since_motion",
    "size_change",
    "start_after_still_s",
    "stop_after_motion_s",
    "to_first_homographies",
    "track_motion",
    "turn_back_px",
    "view_change",
    "window_motion",
]

DIRECTIONS = {"left": (-1.0, 0.0), "right": (1.0, 0.0), "up": (0.0, -1.0), "down": (0.0, 1.0)}


@dataclass(frozen=True)
class MotionParams:
    """Thresholds of the moving/stopped segmentation; relative ones are in box diagonals."""

    smooth_s: float = 0.27
    """Width of the median and box filters on positions (s)."""
    window_s: float = 1.0
    """Span over which a sample's displacement is measured for the moving/stopped label (s)."""
    noise_z: float = 4.0
    """A displacement is significant above this many noise sigmas ..."""
    min_disp_px: float = 4.0
    """... and above this absolute floor (px) ..."""
    min_disp_diag: float = 0.06
    """... and above this share of the box diagonal (against slow drift of boxes)."""
    off_ratio: float = 0.5
    """A moving sample stays moving while its window displacement is above this share of the threshold."""
    min_segment_s: float = 0.3
    """Moving or stopped runs shorter than this merge into their neighbours (s)."""
    min_run_diag: float = 0.2
    """A moving run must carry the object this many diagonals from where it started ..."""
    min_run_px: float = 8.0
    """... and at least this many pixels (and the significance threshold)."""
    significant_leg_diag: float = 0.2
    """A leg of a turn-back (before and after the reversal) must be at least this many diagonals."""


@dataclass(frozen=True)
class Segment:
    """A maximal run of moving or stopped samples (window frames, inclusive)."""

    moving: bool
    start: int
    end: int
    duration_s: float
    travel_px: float
    """Largest distance from the run's first position reached during the run (px)."""


@dataclass(frozen=True)
class TrackMotion:
    """Motion summary of one track; arrays are on the grid ``frames`` (window frame indices)."""

    track_id: int
    fps: float
    frames: np.ndarray
    centers: np.ndarray
    """(N, 2) smoothed compensated box centres (px, frame-0 coordinates)."""
    diag: np.ndarray
    """(N,) smoothed compensated box diagonals (px)."""
    speed_px_s: np.ndarray
    moving: np.ndarray
    segments: tuple[Segment, ...]
    observed_s: float
    """Time between the first and the last visible observation (s)."""
    enough: bool
    """True when ``observed_s >= min_observed_s``: motion words can be judged."""
    noise_px: float = 0.0
    """Robust per-axis sigma of the raw centre positions (px)."""
    run_px: float = 8.0
    """Reach a moving run needs to count (px): max(z × noise, ``min_run_px``, ``min_run_diag`` × diagonal)."""

    @cached_property
    def size_px(self) -> float:
        """Median box diagonal (px)."""
        return float(np.median(self.diag)) if self.diag.size else 0.0

    @property
    def displacement_px(self) -> np.ndarray:
        """Net displacement first → last smoothed centre (px, (dx, dy))."""
        if self.centers.shape[0] < 2:
            return np.zeros(2)
        return self.centers[-1] - self.centers[0]

    @property
    def path_length_px(self) -> float:
        if self.centers.shape[0] < 2:
            return 0.0
        return float(np.linalg.norm(np.diff(self.centers, axis=0), axis=1).sum())

    @property
    def moved(self) -> bool | None:
        """Whether any moving run exists; None with too little evidence."""
        if not self.enough:
            return None
        return bool(self.moving.any())

    @property
    def strength(self) -> float:
        """Reach of the longest moving run over ``run_px``: >= 1 for a mover, < 1 (half the drift) when static."""
        reach = [sg.travel_px for sg in self.segments if sg.moving]
        if reach:
            return max(reach) / max(self.run_px, 1e-6)
        if self.centers.shape[0] < 2:
            return 0.0
        drift = float(np.linalg.norm(self.centers - self.centers[0], axis=1).max())
        return min(0.5 * drift / max(self.run_px, 1e-6), 0.9)

    @property
    def moving_s(self) -> float:
        return float(sum(s.duration_s for s in self.segments if s.moving))

    @property
    def speed_robust_px_s(self) -> float:
        """Median smoothed speed over moving samples (px/s); 0 for a static track."""
        return float(np.median(self.speed_px_s[self.moving])) if self.moving.any() else 0.0

    @property
    def speed_robust_diag_s(self) -> float:
        """``speed_robust_px_s`` in box diagonals per second."""
        return self.speed_robust_px_s / max(self.size_px, 1.0)

    def travel_px(self) -> dict[str, float]:
        """Distance travelled towards each image direction while moving (px)."""
        out = dict.fromkeys(DIRECTIONS, 0.0)
        if self.centers.shape[0] < 2:
            return out
        step = np.diff(self.centers, axis=0)
        keep = self.moving[1:] | self.moving[:-1]
        step = step[keep]
        for name, (ux, uy) in DIRECTIONS.items():
            proj = step[:, 0] * ux + step[:, 1] * uy
            out[name] = float(np.clip(proj, 0.0, None).sum())
        return out

    def dominant_direction(self) -> tuple[str | None, float]:
        """(direction, confidence in [0, 1]) of the net motion; (None, 0) when it did not move."""
        if not self.moved:
            return None, 0.0
        travel = self.travel_px()
        total = sum(travel.values())
        if total <= 0:
            return None, 0.0
        best = max(travel, key=lambda k: travel[k])
        return best, travel[best] / total


def to_first_homographies(window: TrajectoryWindow) -> np.ndarray:
    """(num_frames, 3, 3) homographies mapping window frame t → frame 0 (identity without camera data)."""
    if window.camera is None:
        return np.repeat(np.eye(3)[None], max(window.num_frames, 1), axis=0)
    cam = np.asarray(window.camera, dtype=np.float64).reshape(-1, 3, 3)
    return cumulative_homographies(cam)


def _runs(labels: np.ndarray) -> list[tuple[bool, int, int]]:
    """Maximal runs of equal booleans as (value, start, end inclusive)."""
    if labels.size == 0:
        return []
    cuts = np.nonzero(labels[1:] != labels[:-1])[0] + 1
    starts = np.r_[0, cuts]
    ends = np.r_[cuts - 1, labels.size - 1]
    return [(bool(labels[a]), int(a), int(b)) for a, b in zip(starts, ends, strict=True)]


def _merge_short(labels: np.ndarray, value: bool, min_len: int) -> np.ndarray:
    """Flip interior runs of ``value`` shorter than ``min_len`` samples to their neighbours' value."""
    out = labels.copy()
    runs = _runs(out)
    for k, (v, s, e) in enumerate(runs):
        if v == value and e - s + 1 < min_len and 0 < k < len(runs) - 1:
            out[s:e + 1] = not value
    return out


def noise_sigma(x: np.ndarray, y: np.ndarray) -> float:
    """Robust per-axis sigma of position noise (px) from the MAD of second differences of raw positions.

    A second difference of white noise has variance 6 sigma^2; smooth motion (constant speed) adds
    nothing to it, so the estimate ignores the motion itself.
    """
    if x.size < 4:
        return 0.0
    d2 = np.concatenate([np.diff(x, 2), np.diff(y, 2)])
    mad = float(np.median(np.abs(d2 - np.median(d2))))
    return 1.4826 * mad / math.sqrt(6.0)


def significance_px(noise: float, diag: float, p: MotionParams) -> float:
    """Smallest displacement (px) that is not noise for a track of this noise and box diagonal."""
    return max(p.noise_z * noise, p.min_disp_px, p.min_disp_diag * diag)


def _window_disp(centers: np.ndarray, half: int) -> np.ndarray:
    """Per sample, the displacement (px) between the positions ``half`` samples before and after it."""
    n = centers.shape[0]
    idx = np.arange(n)
    a, b = np.clip(idx - half, 0, n - 1), np.clip(idx + half, 0, n - 1)
    return np.linalg.norm(centers[b] - centers[a], axis=1)


def _segment(centers: np.ndarray, diag: np.ndarray, speed: np.ndarray, fps: float, p: MotionParams,
             noise: float, run_px: float) -> np.ndarray:
    """Moving/stopped label per sample: hysteresis on the window displacement against the track's own noise,
    run edges trimmed where the object is already still, short runs merged, runs that go nowhere dropped."""
    n = speed.size
    half = max(1, int(round(p.window_s * fps / 2)))
    disp = _window_disp(centers, half)
    on = np.array([significance_px(noise, d, p) for d in diag])
    moving = np.zeros(n, dtype=bool)
    state = False
    for i in range(n):
        state = disp[i] >= on[i] if not state else disp[i] >= p.off_ratio * on[i]
        moving[i] = state
    # the window blurs onsets and stops by up to half a window: trim edge samples that are not moving now
    still_speed = p.off_ratio * on * fps / max(2 * half, 1)
    for v, s, e in _runs(moving):
        if not v:
            continue
        while s <= e and speed[s] < still_speed[s]:
            moving[s] = False
            s += 1
        while e >= s and speed[e] < still_speed[e]:
            moving[e] = False
            e -= 1
    min_len = max(2, int(round(p.min_segment_s * fps)))
    moving = _merge_short(moving, False, min_len)  # brief pauses inside a motion
    moving = _merge_short(moving, True, min_len)  # brief twitches inside a stop
    for v, s, e in _runs(moving):
        if not v:
            continue
        reach = float(np.linalg.norm(centers[s:e + 1] - centers[s], axis=1).max())
        if reach < max(run_px, p.min_run_diag * float(np.median(diag[s:e + 1]))):
            moving[s:e + 1] = False
    return moving


def track_motion(
    traj: TrackTrajectory,
    fps: float,
    to_first: np.ndarray,
    min_observed_s: float,
    params: MotionParams | None = None,
) -> TrackMotion:
    """Motion summary of one trajectory; ``to_first`` comes from :func:`to_first_homographies`."""
    p = params or MotionParams()
    rows = np.asarray(traj.boxes, dtype=np.float64).reshape(-1, 6)
    rows = rows[rows[:, 5] > 0.5]
    rows = rows[(rows[:, 0] >= 0) & (rows[:, 0] < to_first.shape[0])]
    empty = np.zeros(0)
    if rows.shape[0] == 0:
        return TrackMotion(traj.id, fps, empty.astype(int), np.zeros((0, 2)), empty, empty,
                           empty.astype(bool), (), 0.0, False)
    comp = compensate_boxes(rows, to_first)
    f = comp[:, 0]
    cx, cy = (comp[:, 1] + comp[:, 3]) / 2, (comp[:, 2] + comp[:, 4]) / 2
    dg = np.hypot(comp[:, 3] - comp[:, 1], comp[:, 4] - comp[:, 2])
    frames = np.arange(int(f[0]), int(f[-1]) + 1)
    gx, gy, gd = np.interp(frames, f, cx), np.interp(frames, f, cy), np.interp(frames, f, dg)
    noise = noise_sigma(cx, cy)
    run_px = max(p.noise_z * noise, p.min_run_px, p.min_run_diag * float(np.median(dg)))
    k = max(1, int(round(p.smooth_s * fps)))
    if frames.size >= 3 and k > 1:
        k = min(k, frames.size)
        gx, gy, gd = (uniform_filter1d(median_filter(a, size=k, mode="nearest"), size=k, mode="nearest")
                      for a in (gx, gy, gd))
    centers = np.stack([gx, gy], axis=1)
    if frames.size >= 2:
        speed = np.linalg.norm(np.gradient(centers, axis=0), axis=1) * fps
    else:
        speed = np.zeros(frames.size)
    moving = (_segment(centers, gd, speed, fps, p, noise, run_px) if frames.size >= 2
              else np.zeros(frames.size, dtype=bool))
    segs = []
    for v, s, e in _runs(moving) if frames.size else []:
        reach = float(np.linalg.norm(centers[s:e + 1] - centers[s], axis=1).max())
        segs.append(Segment(v, int(frames[s]), int(frames[e]), (e - s + 1) / fps, reach))
    observed_s = float(f[-1] - f[0]) / fps
    enough = observed_s >= min_observed_s and rows.shape[0] >= 2
    return TrackMotion(traj.id, fps, frames, centers, gd, speed, moving, tuple(segs), observed_s, enough, noise,
                       run_px)


def window_motion(
    window: TrajectoryWindow, min_observed_s: float, params: MotionParams | None = None
) -> dict[int, TrackMotion]:
    """:func:`track_motion` for every track of the window, keyed by track id."""
    to_first = to_first_homographies(window)
    return {t.id: track_motion(t, window.fps, to_first, min_observed_s, params) for t in window.tracks}


def stop_after_motion_s(m: TrackMotion) -> tuple[float, bool] | None:
    """Longest stop that follows a moving run (s) and whether the track is still stopped at the end."""
    if not m.enough:
        return None
    best, at_end = 0.0, False
    for prev, seg in zip(m.segments, m.segments[1:], strict=False):
        if prev.moving and not seg.moving and seg.duration_s >= best:
            best, at_end = seg.duration_s, seg is m.segments[-1]
    return best, at_end


def start_after_still_s(m: TrackMotion) -> float | None:
    """Duration of the initial stop when the track was still first and moved later (s); 0 otherwise."""
    if not m.enough:
        return None
    if len(m.segments) >= 2 and not m.segments[0].moving and m.segments[1].moving:
        return m.segments[0].duration_s
    return 0.0


def _zigzag_legs(pos: np.ndarray, threshold: float) -> list[float]:
    """Signed legs between reversal points of a 1-D position whose retrace exceeds ``threshold``."""
    if pos.size < 2:
        return []
    pivots = [float(pos[0])]
    ext, trend = float(pos[0]), 0
    for v in pos[1:]:
        v = float(v)
        if trend >= 0 and v > ext or trend <= 0 and v < ext:
            ext = v
        if trend >= 0 and ext - v >= threshold and ext - pivots[-1] >= threshold:
            pivots.append(ext)
            trend, ext = -1, v
        elif trend <= 0 and v - ext >= threshold and pivots[-1] - ext >= threshold:
            pivots.append(ext)
            trend, ext = 1, v
        elif trend == 0 and abs(v - pivots[0]) >= threshold:
            trend = 1 if v > pivots[0] else -1
            ext = v
    pivots.append(ext if abs(ext - pivots[-1]) >= threshold else float(pos[-1]))
    return [b - a for a, b in zip(pivots, pivots[1:], strict=False) if b != a]


def turn_back_px(m: TrackMotion, params: MotionParams | None = None) -> tuple[float, str] | None:
    """Shorter leg (px) of the strongest reversal along x or y, and the axis; (0, "") without one."""
    if not m.enough:
        return None
    best, axis = 0.0, ""
    for a, name in ((0, "x"), (1, "y")):
        for l1, l2 in _leg_pairs(m, a, params)[0]:
            if l1 * l2 < 0 and min(abs(l1), abs(l2)) > best:
                best, axis = min(abs(l1), abs(l2)), name
    return best, axis


def _leg_pairs(m: TrackMotion, axis: int, params: MotionParams | None) -> tuple[list[tuple[float, float]], float]:
    """Consecutive pairs of signed legs along ``axis`` (see :func:`_zigzag_legs`) and the leg threshold: the
    turn-back threshold, ``significant_leg_diag`` box diagonals and at least ``run_px``."""
    p = params or MotionParams()
    thr = max(p.significant_leg_diag * m.size_px, m.run_px)
    legs = _zigzag_legs(m.centers[:, axis], thr)
    return list(zip(legs, legs[1:], strict=False)), thr


def reversals(m: TrackMotion, axis: int, params: MotionParams | None = None) -> int:
    """Reversals of direction along ``axis`` (0: x, 1: y) between legs of at least the turn-back threshold."""
    if m.centers.shape[0] < 2:
        return 0
    pairs, thr = _leg_pairs(m, axis, params)
    return sum(1 for a, b in pairs if a * b < 0 and min(abs(a), abs(b)) >= thr)


def upward_legs(m: TrackMotion, params: MotionParams | None = None) -> int:
    """Significant upward movements followed by a way down (jumps, bounces): up-then-down pairs along y."""
    if m.centers.shape[0] < 2:
        return 0
    pairs, thr = _leg_pairs(m, 1, params)
    return sum(1 for a, b in pairs if a < 0 < b and min(-a, b) >= thr)


def pause_starts_s(m: TrackMotion, slow_share: float = 0.3, min_s: float = 0.3) -> list[float]:
    """Window times (s) at which pauses after motion begin: runs of at least ``min_s`` below ``slow_share`` of
    the track's fast speed, each preceded by a fast sample (short stops the moving/stopped segmentation smooths
    over count too)."""
    if m.centers.shape[0] < 3 or not m.moving.any():  # a track that never moved makes no pause
        return []
    speed = np.linalg.norm(np.diff(m.centers, axis=0), axis=1) * m.fps
    fast = float(np.percentile(speed, 90))
    slow = speed < slow_share * fast
    starts: list[float] = []
    run, seen_fast = 0, False
    for i, v in enumerate(slow):
        if v:
            run += 1
            continue
        if seen_fast and run / m.fps >= min_s:
            starts.append(float(m.frames[i - run]) / m.fps)
        seen_fast, run = True, 0
    if seen_fast and run / m.fps >= min_s:
        starts.append(float(m.frames[len(slow) - run]) / m.fps)
    return starts


def pauses(m: TrackMotion) -> int:
    """How many pauses after motion the track makes (:func:`pause_starts_s`)."""
    return len(pause_starts_s(m))


def turning_turns(m: TrackMotion, min_speed_px_s: float | None = None) -> float:
    """Net turning of the heading over the moving samples, in full turns (a circle is 1; reversals excluded)."""
    if m.centers.shape[0] < 3:
        return 0.0
    step = np.diff(m.centers, axis=0)
    speed = np.linalg.norm(step, axis=1) * m.fps
    floor = min_speed_px_s if min_speed_px_s is not None else max(0.25 * float(np.percentile(speed, 90)), 1.0)
    ok = speed >= floor
    if ok.sum() < 3:
        return 0.0
    angle = np.arctan2(step[ok, 1], step[ok, 0])
    d = np.angle(np.exp(1j * np.diff(angle)))  # wrapped to (-pi, pi]
    d = d[np.abs(d) < 2.0]  # a reversal is not a turn
    return float(abs(d.sum()) / (2 * np.pi))


@dataclass(frozen=True)
class Approach:
    """Distance between two tracks over their common frames (px, frame-0 coordinates)."""

    start_px: float
    end_px: float
    own_px: float
    """Distance the first track itself covered towards the second (negative: away from it)."""
    scale_px: float
    """Mean of the two median box diagonals (px)."""
    overlap_s: float


def approach_stats(a: TrackMotion, b: TrackMotion) -> Approach | None:
    """How ``a`` moved relative to ``b``; None when they were seen together for too little time."""
    if a.frames.size == 0 or b.frames.size == 0:
        return None
    common, ia, ib = np.intersect1d(a.frames, b.frames, return_indices=True)
    overlap_s = common.size / a.fps
    if common.size < 3 or not (a.enough and b.enough):
        return None
    ca, cb = a.centers[ia], b.centers[ib]
    rel = cb - ca
    dist = np.linalg.norm(rel, axis=1)
    unit = rel / np.maximum(dist, 1e-6)[:, None]
    step = np.diff(ca, axis=0)
    own = float((step * unit[:-1]).sum())
    q = max(2, common.size // 6)
    scale = 0.5 * (a.size_px + b.size_px)
    return Approach(float(np.median(dist[:q])), float(np.median(dist[-q:])), own, scale, overlap_s)


@dataclass(frozen=True)
class Lead:
    """Where ``a`` is relative to ``b`` along ``a``'s own heading over their common frames (px, + = ahead)."""

    start_px: float
    end_px: float
    behind_share: float
    """Share of the common frames on which ``a`` is behind ``b`` (along ``a``'s heading)."""
    cos_heading: float
    """Cosine between the two tracks' net headings (0 when either does not move)."""
    scale_px: float
    gap_sizes: float = 0.0
    """Mean distance between the two over the common frames, in ``scale_px``."""


def lead_stats(a: TrackMotion, b: TrackMotion) -> Lead | None:
    """How far ``a`` is ahead of ``b`` along ``a``'s heading at the start and the end (passing, following)."""
    if a.frames.size == 0 or b.frames.size == 0 or not (a.enough and b.enough):
        return None
    common, ia, ib = np.intersect1d(a.frames, b.frames, return_indices=True)
    if common.size < 3:
        return None
    ca, cb = a.centers[ia], b.centers[ib]
    heading = ca[-1] - ca[0]
    norm = float(np.linalg.norm(heading))
    if norm < 1e-6:
        return None
    u = heading / norm
    lead = (ca - cb) @ u
    q = max(2, common.size // 6)
    hb = cb[-1] - cb[0]
    nb = float(np.linalg.norm(hb))
    cos = float(hb @ u / nb) if nb > max(b.run_px, 1e-6) else 0.0
    scale = 0.5 * (a.size_px + b.size_px)
    gap = float(np.linalg.norm(ca - cb, axis=1).mean()) / max(scale, 1.0)
    return Lead(float(np.median(lead[:q])), float(np.median(lead[-q:])), float((lead < 0).mean()), cos, scale, gap)


def gap_sizes(a: TrackMotion, b: TrackMotion) -> tuple[np.ndarray, np.ndarray] | None:
    """The frames both tracks are seen on and the distance between their centres there, in mean box diagonals;
    None when they share fewer than 3 frames."""
    common, ia, ib = np.intersect1d(a.frames, b.frames, return_indices=True)
    if common.size < 3:
        return None
    return common, np.linalg.norm(a.centers[ia] - b.centers[ib], axis=1) / max(0.5 * (a.size_px + b.size_px), 1.0)


def mean_gap_sizes(a: TrackMotion, b: TrackMotion) -> float | None:
    """Mean distance between the two tracks' centres over the frames both are seen, in mean box diagonals."""
    gaps = gap_sizes(a, b) if a.enough and b.enough else None
    return None if gaps is None else float(gaps[1].mean())


def size_change(m: TrackMotion) -> float | None:
    """Natural log of (final / initial) box diagonal; > 0 grows (closer), < 0 shrinks (farther)."""
    if not m.enough or m.diag.size < 2:
        return None
    q = max(2, m.diag.size // 5)
    return float(np.log(max(np.median(m.diag[-q:]), 1e-3) / max(np.median(m.diag[:q]), 1e-3)))


def seconds_since_motion(m: TrackMotion, num_frames: int) -> float | None:
    """Seconds from the last moving sample to the window's last frame; inf if it never moved."""
    if not m.enough:
        return None
    if not m.moving.any():
        return float("inf")
    last = int(m.frames[np.nonzero(m.moving)[0][-1]])
    return max(0.0, (num_frames - 1 - last) / m.fps)
