"""Small deterministic stand-ins for a Detector and a Tracker (the rvos_ros.perception.base protocols).

The scene is a set of rectangles. ``FakeTracker`` reports each prompted
object's mask as the rectangle in ``tracker.boxes`` (tests move, drift or hide
them by editing that dict; ``None`` means occluded). ``FakeDetector`` returns
``detector.boxes`` (phrase -> boxes) on every ``detect`` call, scores falling
with their order, and logs the frame index the image carries in pixel (0, 0).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from rvos_ros.perception.base import TrackState
from rvos_ros.types import Detection, Frame

H, W = 60, 80


def frame(i: int, fps: float = 10.0) -> Frame:
    """Frame ``i`` of a 10 fps stream; its index is written into pixel (0, 0) for the fakes' logs."""
    image = np.zeros((H, W, 3), np.uint8)
    image[0, 0, 0] = i % 256
    return Frame(image, round(i * 1e9 / fps), "camera", i)


def rect_mask(box, shape: tuple[int, int] = (H, W)) -> np.ndarray:
    m = np.zeros(shape, bool)
    x1, y1, x2, y2 = (round(v) for v in box)
    m[max(y1, 0):max(y2, 0), max(x1, 0):max(x2, 0)] = True
    return m


class FakeTracker:
    """Reports each object at ``boxes[id]`` (None = occluded); logs every call in ``calls``."""

    def __init__(self) -> None:
        self.boxes: dict[int, tuple[float, float, float, float] | None] = {}
        self.calls: list[tuple] = []
        self.steps = 0
        self.shape = (H, W)
        """Size of the last stepped image: the masks'."""

    def _state(self, box) -> TrackState:
        if box is None:
            return TrackState(np.zeros(self.shape, bool), -5.0, False)
        return TrackState(rect_mask(box, self.shape), 5.0, True)

    def step(self, image: np.ndarray) -> dict[int, TrackState]:
        self.steps += 1
        self.shape = image.shape[:2]
        self.calls.append(("step", int(image[0, 0, 0])))
        return {i: self._state(b) for i, b in self.boxes.items()}

    def add(self, track_id: int, *, box=None, mask=None) -> TrackState:
        self.calls.append(("add", track_id, tuple(box)))
        self.boxes[track_id] = tuple(box)
        return self._state(box)

    def remove(self, track_id: int) -> None:
        self.calls.append(("remove", track_id))
        self.boxes.pop(track_id, None)

    def reset(self) -> None:
        self.calls.append(("reset",))
        self.boxes.clear()

    def adds(self) -> list[tuple]:
        return [c[1:] for c in self.calls if c[0] == "add"]


class FakeDetector:
    """Returns ``boxes`` (phrase -> list of boxes) for the phrases asked for, best first."""

    def __init__(self, boxes: dict[str, list] | None = None) -> None:
        self.boxes: dict[str, list] = dict(boxes or {})
        self.phrases: tuple[str, ...] = ()
        self.phrase_calls: list[tuple[str, ...]] = []
        self.frames: list[int] = []
        """Frame index of every image ``detect`` saw."""

    def set_phrases(self, phrases: Sequence[str]) -> None:
        self.phrases = tuple(phrases)
        self.phrase_calls.append(self.phrases)

    def detect(self, image: np.ndarray) -> list[Detection]:
        self.frames.append(int(image[0, 0, 0]))
        out = [(b, p) for p in self.phrases for b in self.boxes.get(p, [])]
        return [Detection(box=tuple(map(float, b)), score=round(0.9 - 0.05 * k, 4), phrase=p)
                for k, (b, p) in enumerate(out)]
