"""Occlusion relations between tracks: who is hidden by whom, and when.

Hidden or shrunk (from boxes and visibility): a track is *degraded* on frames
where it is invisible (a ``visible=0`` row, whose box is usually the last
sliver seen at the occluder's edge, or a missing row inside its life) or where
its visible box has shrunk below ``shrink`` × its robust full size while not
touching the image border (partly behind something). Over each degraded run,
the track's full-size box is interpolated between the last full-size box
before the run and the first after it (or extrapolated with the velocity
before / after it when the run starts or ends the track); another track whose
visible box covers that path is the occluder. Runs with an invisible frame are
full occlusions, the others partial.

In front (from boxes): a track whose full-size box lies on another track's box
for a while without ever shrinking or vanishing there passes in front of it
(the other one is partly occluded), unless it is seen going behind that track.

Partial occlusion (from keyframe masks): where two tracks' mask boxes
overlap, the one whose mask covers the shared region is in front and the one
whose mask is missing there is partly hidden.

Boxes of one frame share one image, so no camera compensation is needed.
Frame indices of events and of keyframes are window frames.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rvos_ros.types import TrajectoryWindow

__all__ = ["OcclusionEvent", "occlusion_events", "box_ioa", "hidden_runs"]


@dataclass(frozen=True)
class OcclusionEvent:
    """``occluded`` was hidden by ``occluder`` from window frame ``start`` to ``end`` (inclusive)."""

    occluded: int
    occluder: int
    start: int
    end: int
    full: bool
    """True when the occluded track was invisible; False for a partial occlusion seen on a keyframe."""
    fraction: float
    """Share of the occluded object's box that was hidden (1.0 for a full occlusion)."""
    overlap: float
    """Intersection of the occluded box with the occluder's box over the occluded box's area."""


def box_ioa(a: np.ndarray, b: np.ndarray) -> float:
    """Area of the intersection of boxes ``a`` and ``b`` over the area of ``a`` (boxes x1, y1, x2, y2 px)."""
    iw = min(a[2], b[2]) - max(a[0], b[0])
    ih = min(a[3], b[3]) - max(a[1], b[1])
    area = max(a[2] - a[0], 0.0) * max(a[3] - a[1], 0.0)
    if iw <= 0 or ih <= 0 or area <= 0:
        return 0.0
    return float(iw * ih / area)


def _grid(rows: np.ndarray, num_frames: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per window frame: box (NaN if unobserved), observed flag, visible flag."""
    boxes = np.full((num_frames, 4), np.nan)
    seen = np.zeros(num_frames, dtype=bool)
    vis = np.zeros(num_frames, dtype=bool)
    f = rows[:, 0].astype(int)
    ok = (f >= 0) & (f < num_frames)
    boxes[f[ok]] = rows[ok, 1:5]
    seen[f[ok]] = True
    vis[f[ok]] = rows[ok, 5] > 0.5
    return boxes, seen, vis


def hidden_runs(vis: np.ndarray, seen: np.ndarray, min_hidden_frames: int = 2) -> list[tuple[int, int]]:
    """Runs (start, end inclusive) after the first visible frame where the track is not visible.

    A run counts if it has an explicit ``visible=0`` row, or is an interior
    gap of at least ``min_hidden_frames`` frames between visible rows.
    """
    idx = np.nonzero(vis)[0]
    if idx.size == 0:
        return []
    last_seen = int(np.nonzero(seen)[0][-1])
    out = []
    f = int(idx[0]) + 1
    while f <= last_seen:
        if vis[f]:
            f += 1
            continue
        s = f
        while f <= last_seen and not vis[f]:
            f += 1
        e = f - 1
        interior = f <= last_seen
        explicit = bool((seen[s:e + 1] & ~vis[s:e + 1]).any())
        if explicit or (interior and e - s + 1 >= min_hidden_frames):
            out.append((s, e))
    return out


@dataclass
class _Track:
    """One track on the window frame grid, with its robust full size and its degraded frames."""

    boxes: np.ndarray
    seen: np.ndarray
    vis: np.ndarray
    full: np.ndarray
    """Visible at (nearly) full size."""
    degraded: np.ndarray
    """Inside the track's life and hidden, missing, or shrunk away from the image border."""


def _track_grid(rows: np.ndarray, n: int, width: float, height: float, shrink: float) -> _Track:
    boxes, seen, vis = _grid(rows, n)
    area = np.where(vis, (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1]), 0.0)
    m = 2.0  # px: a box this close to the image edge is cut by the frame, not by an object
    border = vis & ((boxes[:, 0] <= m) | (boxes[:, 1] <= m) | (boxes[:, 2] >= width - m) | (boxes[:, 3] >= height - m))
    inner = vis & ~border
    ref = float(np.percentile(area[inner], 80)) if inner.any() else float(np.percentile(area[vis], 80)) \
        if vis.any() else 0.0
    full = vis & (area >= shrink * ref)
    life = np.zeros(n, dtype=bool)
    if seen.any():
        idx = np.nonzero(seen)[0]
        life[idx[0]:idx[-1] + 1] = True
    degraded = life & (~vis | (vis & ~full & ~border))
    return _Track(boxes, seen, vis, full, degraded)


def _path(tr: _Track, s: int, e: int) -> np.ndarray | None:
    """Full-size boxes of frames s..e: interpolated between the full boxes around the run, else extrapolated."""
    fidx = np.nonzero(tr.full)[0]
    before, after = fidx[fidx < s], fidx[fidx > e]
    frames = np.arange(s, e + 1, dtype=float)
    if before.size and after.size:
        a, b = int(before[-1]), int(after[0])
        w = ((frames - a) / (b - a))[:, None]
        return (1 - w) * tr.boxes[a] + w * tr.boxes[b]
    ref = before if before.size else after
    if ref.size == 0:
        return None
    k = int(ref[-1] if before.size else ref[0])
    near = ref[np.abs(ref - k) <= 8]  # velocity from up to ~0.5 s of full boxes next to the run
    j = int(near[0] if before.size else near[-1])
    v = (tr.boxes[k] - tr.boxes[j]) / (k - j) if j != k else np.zeros(4)
    return tr.boxes[k] + (frames - k)[:, None] * v


def _runs_of(mask: np.ndarray) -> list[tuple[int, int]]:
    idx = np.nonzero(mask)[0]
    if idx.size == 0:
        return []
    cuts = np.nonzero(np.diff(idx) > 1)[0]
    return [(int(a), int(b)) for a, b in zip(np.r_[idx[0], idx[cuts + 1]], np.r_[idx[cuts], idx[-1]], strict=True)]


def _hidden_events(grids: dict[int, _Track], min_overlap: float, min_hidden_frames: int) -> list[OcclusionEvent]:
    events = []
    for tid, tr in grids.items():
        hidden = set(hidden_runs(tr.vis, tr.seen, min_hidden_frames))
        for s, e in _runs_of(tr.degraded):
            invisible = any(a <= e and b >= s for a, b in hidden)
            if not invisible and e - s + 1 < min_hidden_frames:
                continue  # a one-frame dip in box size is detector noise
            path = _path(tr, s, e)
            if path is None:
                continue
            best: tuple[float, int] = (0.0, -1)
            for oid, other in grids.items():
                if oid == tid:
                    continue
                for k, g in enumerate(range(s, e + 1)):
                    if other.vis[g]:
                        best = max(best, (box_ioa(path[k], other.boxes[g]), oid))
            if best[1] < 0 or best[0] < min_overlap:
                continue
            if invisible:
                events.append(OcclusionEvent(tid, best[1], s, e, True, 1.0, best[0]))
            else:
                seen_area = [max(tr.boxes[g, 2] - tr.boxes[g, 0], 0) * max(tr.boxes[g, 3] - tr.boxes[g, 1], 0)
                             for g in range(s, e + 1)]
                full_area = max((path[:, 2] - path[:, 0]).mean() * (path[:, 3] - path[:, 1]).mean(), 1e-6)
                hidden_share = float(np.clip(1.0 - min(seen_area) / full_area, 0.0, 1.0))
                events.append(OcclusionEvent(tid, best[1], s, e, False, hidden_share, best[0]))
    return events


def _front_events(grids: dict[int, _Track], behind: set[tuple[int, int]], min_overlap: float,
                  min_frames: int) -> list[OcclusionEvent]:
    """A full-size track lying on another's box for ``min_frames`` without shrinking there is in front of it."""
    events = []
    for a, ta in grids.items():
        for b, tb in grids.items():
            if a == b or (a, b) in behind:
                continue
            both = np.nonzero(ta.vis & tb.vis)[0]
            on = np.zeros(ta.vis.size, dtype=bool)
            for g in both:
                on[g] = box_ioa(ta.boxes[g], tb.boxes[g]) >= min_overlap
            for s, e in _runs_of(on):
                edge = ta.degraded[max(s - 1, 0)] or ta.degraded[min(e + 1, on.size - 1)]
                if e - s + 1 < min_frames or not ta.full[s:e + 1].all() or edge:
                    continue
                ioa = max(box_ioa(ta.boxes[g], tb.boxes[g]) for g in range(s, e + 1))
                share = max(box_ioa(tb.boxes[g], ta.boxes[g]) for g in range(s, e + 1))
                events.append(OcclusionEvent(b, a, s, e, False, float(share), float(ioa)))
    return events


def _mask_box(mask: np.ndarray) -> np.ndarray | None:
    ys, xs = np.nonzero(mask)
    if xs.size == 0:
        return None
    return np.array([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1], dtype=np.float64)


def _partial_events(window: TrajectoryWindow, min_region: float) -> list[OcclusionEvent]:
    events = []
    for kf in window.keyframes:
        f = int(kf.frame_index)
        masks = {int(k): np.asarray(m, dtype=bool) for k, m in kf.masks.items()}
        boxes = {k: _mask_box(m) for k, m in masks.items()}
        for a, ma in masks.items():
            ba = boxes[a]
            if ba is None:
                continue
            for b, mb in masks.items():
                bb = boxes[b]
                if b == a or bb is None or mb.shape != ma.shape:
                    continue
                x1, y1 = int(max(ba[0], bb[0])), int(max(ba[1], bb[1]))
                x2, y2 = int(min(ba[2], bb[2])), int(min(ba[3], bb[3]))
                if x2 <= x1 or y2 <= y1:
                    continue
                region = (x2 - x1) * (y2 - y1)
                share = region / max((ba[2] - ba[0]) * (ba[3] - ba[1]), 1.0)
                if share < min_region:
                    continue
                cov_a = float(ma[y1:y2, x1:x2].mean())
                cov_b = float(mb[y1:y2, x1:x2].mean())
                # b in front: its mask fills the shared region where a's is missing.
                if cov_b >= 0.5 and cov_a <= 0.2:
                    events.append(OcclusionEvent(a, b, f, f, False, float(share * cov_b), float(share)))
    return events


def occlusion_events(
    window: TrajectoryWindow,
    min_overlap: float = 0.3,
    min_hidden_frames: int = 2,
    min_partial_region: float = 0.1,
    shrink: float = 0.5,
    min_front_s: float = 0.3,
) -> tuple[OcclusionEvent, ...]:
    """All occlusion events of the window, full ones first, each ordered by start frame.

    ``min_overlap``: share of the hidden track's (interpolated) box an occluder must cover; ``shrink``: a
    visible box under this share of the track's robust full area counts as partly hidden; ``min_front_s``:
    how long (s) a track must lie on another without shrinking to be in front of it.
    """
    grids = {t.id: _track_grid(np.asarray(t.boxes, dtype=np.float64).reshape(-1, 6), window.num_frames,
                               window.width, window.height, shrink) for t in window.tracks}
    hidden = _hidden_events(grids, min_overlap, min_hidden_frames)
    behind = {(e.occluded, e.occluder) for e in hidden}
    front = _front_events(grids, behind, min_overlap, max(2, int(round(min_front_s * window.fps))))
    full = sorted((e for e in hidden if e.full), key=lambda e: (e.start, e.occluded))
    part = sorted([e for e in hidden if not e.full] + front + _partial_events(window, min_partial_region),
                  key=lambda e: (e.start, e.occluded))
    return tuple(full + part)
