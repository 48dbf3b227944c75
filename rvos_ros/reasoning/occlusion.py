"""Occlusion relations between tracks: who is hidden by whom, and when.

Full occlusion (from boxes and visibility): a track that becomes invisible
(a ``visible=0`` row or a gap of at least ``min_hidden_frames`` between
visible rows) while its last box before, or its first box after, the hidden
run overlaps the box of another track visible at that time is occluded by
that track. Boxes of one frame share one image, so no camera compensation is
needed here.

Partial occlusion (from keyframe masks): where two tracks' mask boxes
overlap, the one whose mask covers the shared region is in front and the one
whose mask is missing there is partly hidden.

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


def _full_events(window: TrajectoryWindow, min_overlap: float, min_hidden_frames: int) -> list[OcclusionEvent]:
    n = window.num_frames
    grids = {t.id: _grid(np.asarray(t.boxes, dtype=np.float64).reshape(-1, 6), n) for t in window.tracks}
    events = []
    for tid, (boxes, seen, vis) in grids.items():
        vis_idx = np.nonzero(vis)[0]
        for s, e in hidden_runs(vis, seen, min_hidden_frames):
            before = vis_idx[vis_idx < s]
            after = vis_idx[vis_idx > e]
            refs = []  # (frame of the occluded box, box, frames where an occluder is looked for)
            if before.size:
                refs.append((boxes[before[-1]], range(int(before[-1]), min(e, s + 2) + 1)))
            if after.size:
                refs.append((boxes[after[0]], range(max(s, e - 2), int(after[0]) + 1)))
            best: tuple[float, int] = (0.0, -1)
            for oid, (oboxes, _oseen, ovis) in grids.items():
                if oid == tid or not ovis[s:e + 1].any():
                    continue
                for box, frames in refs:
                    for g in frames:
                        if ovis[g]:
                            best = max(best, (box_ioa(box, oboxes[g]), oid))
            if best[1] >= 0 and best[0] >= min_overlap:
                events.append(OcclusionEvent(tid, best[1], s, e, True, 1.0, best[0]))
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
) -> tuple[OcclusionEvent, ...]:
    """All occlusion events of the window, full ones first, each ordered by start frame."""
    full = sorted(_full_events(window, min_overlap, min_hidden_frames), key=lambda e: (e.start, e.occluded))
    part = sorted(_partial_events(window, min_partial_region), key=lambda e: (e.start, e.occluded))
    return tuple(full + part)
