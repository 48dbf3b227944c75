"""The track book: every candidate's trajectory over a bounded window.

Per frame it appends one row per known track and one camera homography, so
its work and memory are O(1) in stream length: deques of ``window_frames``
rows, at most ``keyframes`` full-resolution keyframes. A reasoning pass asks
for a frozen :class:`~rvos_ros.types.TrajectoryWindow` snapshot.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from rvos_ros.types import Keyframe, Track, TrackTrajectory, TrajectoryWindow

__all__ = ["TrackBook", "TrackEvents"]


@dataclass(frozen=True)
class TrackEvents:
    """Tracks that became visible (new or re-appearing) or stopped being visible on a frame."""

    appeared: frozenset[int] = frozenset()
    vanished: frozenset[int] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.appeared or self.vanished)


@dataclass
class _Entry:
    label: str
    score: float
    rows: deque[tuple[int, float, float, float, float, int]]
    last_seen: int
    visible: bool = False


class TrackBook:
    """Bounded trajectories of every track, camera motion and a few keyframes.

    Frame indices are stream indices; a window snapshot re-bases them so that
    the oldest kept frame is window frame 0.
    """

    def __init__(self, window_frames: int = 150, keyframes: int = 4, keyframe_every: int = 10) -> None:
        self.window_frames = window_frames
        self.keyframe_every = keyframe_every
        self._tracks: dict[int, _Entry] = {}
        self._camera: deque[tuple[int, np.ndarray]] = deque(maxlen=window_frames)
        self._keyframes: deque[Keyframe] = deque(maxlen=max(keyframes, 0)) if keyframes > 0 else deque(maxlen=0)
        self._last_frame = -1
        self.width = 0
        self.height = 0

    def reset(self) -> None:
        self._tracks.clear()
        self._camera.clear()
        self._keyframes.clear()
        self._last_frame = -1

    @property
    def last_frame(self) -> int:
        return self._last_frame

    def track_ids(self) -> list[int]:
        return sorted(self._tracks)

    def visible_ids(self) -> list[int]:
        return sorted(i for i, e in self._tracks.items() if e.visible)

    def last_seen(self, track_id: int) -> int | None:
        e = self._tracks.get(track_id)
        return None if e is None else e.last_seen

    def update(self, frame_index: int, tracks: Iterable[Track], homography: np.ndarray,
               image: np.ndarray | None = None) -> TrackEvents:
        """Record one frame: the tracks perception reported and the camera step homography (t-1 → t)."""
        tracks = tuple(tracks)
        self._last_frame = frame_index
        if image is not None:
            self.height, self.width = int(image.shape[0]), int(image.shape[1])
        self._camera.append((frame_index, np.asarray(homography, dtype=np.float64)))
        appeared: set[int] = set()
        vanished: set[int] = set()
        seen: set[int] = set()
        for t in tracks:
            seen.add(t.id)
            e = self._tracks.get(t.id)
            if e is None:
                e = _Entry(t.label, t.score, deque(maxlen=self.window_frames), frame_index)
                self._tracks[t.id] = e
            e.label = t.label
            e.score = max(e.score, t.score) if e.rows else t.score
            if t.visible and not e.visible:
                appeared.add(t.id)
            if not t.visible and e.visible:
                vanished.add(t.id)
            e.visible = t.visible
            x1, y1, x2, y2 = (float(v) for v in t.box)
            if t.visible:
                e.last_seen = frame_index
            # an occluded track keeps its last box with visible=0: "tracked but hidden",
            # which occlusion reasoning needs; frames with no report at all stay absent
            e.rows.append((frame_index, x1, y1, x2, y2, int(t.visible)))
        for tid, e in list(self._tracks.items()):
            if tid not in seen and e.visible:
                e.visible = False
                vanished.add(tid)
            if frame_index - e.last_seen >= self.window_frames:
                del self._tracks[tid]  # retired: no row left inside the window
        if image is not None and self._keyframes.maxlen and frame_index % self.keyframe_every == 0:
            masks = {t.id: t.mask.copy() for t in tracks if t.visible and t.mask is not None}
            if masks:
                self._keyframes.append(Keyframe(frame_index, image.copy(), masks))
        return TrackEvents(frozenset(appeared), frozenset(vanished))

    def window(self, query: str, fps: float) -> TrajectoryWindow:
        """Frozen snapshot of the window, frame indices re-based to its oldest kept frame."""
        if not self._camera:
            return TrajectoryWindow(query, fps, self.width, self.height, 0, ())
        first = self._camera[0][0]
        num_frames = self._last_frame - first + 1
        camera = np.tile(np.eye(3), (num_frames, 1, 1))
        for idx, h in self._camera:
            if idx > first:
                camera[idx - first] = h
        tracks = []
        for tid in sorted(self._tracks):
            e = self._tracks[tid]
            rows = [r for r in e.rows if r[0] >= first]
            if not rows:
                continue
            arr = np.asarray(rows, dtype=np.float64)
            arr[:, 0] -= first
            tracks.append(TrackTrajectory(tid, e.label, e.score, arr))
        keyframes = tuple(
            Keyframe(k.frame_index - first, k.image, k.masks) for k in self._keyframes if k.frame_index >= first
        )
        return TrajectoryWindow(query, fps, self.width, self.height, num_frames, tuple(tracks), camera,
                                keyframes, first)
