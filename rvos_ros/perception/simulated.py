"""Simulated perception: the ground-truth oracle (docs/architecture.md, "The oracle and synthetic data").

Reads ground-truth object-index maps (``sim/labels`` in a synthetic bag, the
``Annotations`` PNGs of a dataset folder) instead of running a detector and a
tracker, so that everything downstream of perception can be evaluated alone.
Optional noise (``perception.noise``) imitates a real front end: missed
detections, a wrong category for a track's whole life, and mask/box jitter.

Conventions:

- A label map is a (H, W) ``uint8`` array; pixel value = object id, 0 = background.
- Boxes are ``(x1, y1, x2, y2)`` in pixels with an exclusive far corner: a mask
  whose pixels span columns ``c0..c1`` and rows ``r0..r1`` (inclusive) has the
  box ``(c0, r0, c1 + 1, r1 + 1)``, so ``x2 - x1`` is the width in pixels.
- Every random draw comes from generators seeded with ``noise.seed``: the same
  inputs and seed give the same tracks.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from rvos_ros.config import PerceptionConfig
from rvos_ros.errors import InputError
from rvos_ros.geometry import mask_box
from rvos_ros.perception.base import GroundTruth
from rvos_ros.types import Box, Frame, ParsedQuery, Track

__all__ = ["SimulatedPerception", "UNKNOWN_LABEL", "shift_mask"]

UNKNOWN_LABEL = "object"
"""Label of an object whose category is not (yet) known."""
_SWAP_FALLBACK = ("object", "thing")
"""Swapped-label alternatives when ``categories`` offers no other category."""


@dataclass
class _ObjectState:
    """What the oracle remembers of one object id (bounded: ids are uint8)."""

    last_box: Box | None
    last_seen_ns: int
    swapped: bool
    swap_pick: float  # in [0, 1): which other category a swapped label takes


def shift_mask(mask: np.ndarray, dx: int, dy: int) -> np.ndarray:
    """Shift a (H, W) mask by ``dx`` columns right and ``dy`` rows down; pixels leaving the frame are lost."""
    h, w = mask.shape
    out = np.zeros_like(mask)
    if abs(dx) >= w or abs(dy) >= h:
        return out
    src_y, dst_y = (slice(0, h - dy), slice(dy, h)) if dy >= 0 else (slice(-dy, h), slice(0, h + dy))
    src_x, dst_x = (slice(0, w - dx), slice(dx, w)) if dx >= 0 else (slice(-dx, w), slice(0, w + dx))
    out[dst_y, dst_x] = mask[src_y, src_x]
    return out


class SimulatedPerception:
    """Ground-truth perception with optional seeded noise.

    Feed label maps with :meth:`feed_labels` (keyed by the camera frame's stamp),
    then call :meth:`step` per frame. ``step`` reports every object id present
    as a visible :class:`Track` (``score`` 1.0, ``mask`` a boolean (H, W) array);
    an object seen before but absent (or missed) now is reported with
    ``visible=False``, its last box and ``mask=None`` for up to
    ``forget_after_s`` seconds of stamps after it was last reported visible,
    then forgotten.

    Bounded state: at most ``max_pending`` label maps wait for their frame
    (the oldest are dropped and counted in :attr:`dropped_labels`), plus one
    small record per object id (at most 255).

    It reports every object whatever the command, so it is
    ``query_independent`` and ``set_query`` has nothing to do.
    """

    query_independent = True
    reads_truth = True

    def __init__(
        self,
        config: PerceptionConfig | None = None,
        categories: Mapping[int, str] | Mapping[str, str] | None = None,
        *,
        forget_after_s: float = 2.0,
        max_pending: int = 64,
    ) -> None:
        if not forget_after_s > 0:
            raise InputError(f"forget_after_s must be > 0 seconds, got {forget_after_s}; pass e.g. 2.0")
        if max_pending < 1:
            raise InputError(f"max_pending must be >= 1, got {max_pending}; pass e.g. 64")
        self.config = config if config is not None else PerceptionConfig()
        self._forget_after_ns = int(forget_after_s * 1e9)
        self._max_pending = int(max_pending)
        self._categories: dict[int, str] = {}
        self.set_categories(categories or {})
        self._pending: OrderedDict[int, np.ndarray] = OrderedDict()
        self.reset()

    def feed_truth(self, truth: GroundTruth) -> None:
        """Take the categories (first) and the label map that ``truth`` carries (see :meth:`set_categories`,
        :meth:`feed_labels`); raises :class:`~rvos_ros.errors.InputError` for either when malformed."""
        if truth.categories is not None:
            self.set_categories(truth.categories)
        if truth.labels is not None:
            self.feed_labels(truth.stamp_ns, truth.labels)

    def set_query(self, query: ParsedQuery | None) -> None:
        """The oracle reports every object; the command does not change what it sees."""

    def reset(self) -> None:
        """Forget pending labels, objects, counters; reseed the noise (categories are kept)."""
        self._pending.clear()
        self._current: tuple[int, np.ndarray] | None = None  # (stamp_ns, labels) last used
        self._objects: dict[int, _ObjectState] = {}
        # One generator per kind of noise, so that turning one on does not change the others' draws.
        miss, swap, jitter = np.random.SeedSequence(self.config.noise.seed).spawn(3)
        self._rng_miss = np.random.default_rng(miss)
        self._rng_swap = np.random.default_rng(swap)
        self._rng_jitter = np.random.default_rng(jitter)
        self.frames_without_labels = 0
        """Frames for which no label map (for that stamp or earlier) was ever fed: ``step`` returned ()."""
        self.frames_with_stale_labels = 0
        """Frames that reused the most recent earlier label map because none had their exact stamp."""
        self.dropped_labels = 0
        """Label maps dropped because more than ``max_pending`` were waiting for their frame."""

    def set_categories(self, categories: Mapping[int, str] | Mapping[str, str]) -> None:
        """Set object id → category (meta.json / ``sim/objects`` keys may be strings like ``"1"``)."""
        parsed: dict[int, str] = {}
        for key, value in categories.items():
            try:
                oid = int(key)
            except (TypeError, ValueError) as err:
                raise InputError(
                    f"category key {key!r} is not an object id; use integer ids 1..255 as in meta.json"
                ) from err
            if not 0 < oid < 256 or not isinstance(value, str) or not value:
                raise InputError(
                    f"category entry {key!r}: {value!r} is invalid; ids must be 1..255 and categories non-empty strings"
                )
            parsed[oid] = value
        self._categories = parsed

    @property
    def categories(self) -> Mapping[int, str]:
        return dict(self._categories)

    def feed_labels(self, stamp_ns: int, labels: np.ndarray) -> None:
        """Store the ground-truth object-index map (uint8 (H, W)) of the frame stamped ``stamp_ns``."""
        if not isinstance(labels, np.ndarray) or labels.ndim != 2 or labels.dtype != np.uint8:
            shape = getattr(labels, "shape", None)
            dtype = getattr(labels, "dtype", type(labels).__name__)
            raise InputError(
                f"ground-truth labels must be an HxW uint8 object-index map, got shape {shape} dtype {dtype}; "
                "decode sim/labels as mono8 (or read the Annotations PNG as an index map)"
            )
        stamp = int(stamp_ns)
        self._pending.pop(stamp, None)  # a re-sent stamp replaces the old map
        self._pending[stamp] = labels.copy()  # the caller may reuse its buffer
        while len(self._pending) > self._max_pending:
            self._pending.popitem(last=False)
            self.dropped_labels += 1

    @property
    def pending(self) -> int:
        """Number of label maps waiting for their frame (at most ``max_pending``)."""
        return len(self._pending)

    def step(self, frame: Frame) -> tuple[Track, ...]:
        """Tracks of every known object on ``frame``, sorted by id."""
        labels = self._labels_for(frame.stamp_ns)
        if labels is None:
            self.frames_without_labels += 1
            return ()
        if labels.shape != (frame.height, frame.width):
            raise InputError(
                f"ground-truth labels of stamp {frame.stamp_ns} have shape {labels.shape}, but the frame is "
                f"{(frame.height, frame.width)}; feed label maps of the camera image's size"
            )
        stamp = int(frame.stamp_ns)
        noise = self.config.noise
        present = [int(v) for v in np.unique(labels) if v != 0]
        tracks: dict[int, Track] = {}
        for oid in present:
            state = self._objects.get(oid)
            if state is None:
                swapped = bool(self._rng_swap.random() < noise.label_swap_rate)
                state = _ObjectState(None, stamp, swapped, float(self._rng_swap.random()))
                self._objects[oid] = state
            missed = noise.miss_rate > 0 and bool(self._rng_miss.random() < noise.miss_rate)
            mask = labels == oid
            if noise.jitter_px > 0:
                dx, dy = np.rint(self._rng_jitter.normal(0.0, noise.jitter_px, size=2)).astype(int)
                mask = shift_mask(mask, int(dx), int(dy))
            box = mask_box(mask)
            if missed or box is None:  # jittered out of the frame counts as missed
                continue
            state.last_box = box
            state.last_seen_ns = stamp
            tracks[oid] = Track(id=oid, label=self._label(oid, state), score=1.0, box=box, visible=True, mask=mask)
        for oid in list(self._objects):
            if oid in tracks:
                continue
            state = self._objects[oid]
            if stamp - state.last_seen_ns > self._forget_after_ns:
                del self._objects[oid]
            elif state.last_box is not None:
                tracks[oid] = Track(id=oid, label=self._label(oid, state), score=1.0, box=state.last_box,
                                    visible=False, mask=None)
        return tuple(tracks[k] for k in sorted(tracks))

    def _labels_for(self, stamp_ns: int) -> np.ndarray | None:
        """The label map with this stamp, else the most recent earlier one, else None."""
        earlier = [s for s in self._pending if s <= stamp_ns]
        if earlier:
            best = max(earlier)
            for s in earlier:  # everything at or before this frame is consumed
                labels = self._pending.pop(s)
                if s == best:
                    self._current = (s, labels)
        if self._current is None or self._current[0] > stamp_ns:
            return None
        if self._current[0] != stamp_ns:
            self.frames_with_stale_labels += 1
        return self._current[1]

    def _label(self, oid: int, state: _ObjectState) -> str:
        true = self._categories.get(oid, UNKNOWN_LABEL)
        if not state.swapped:
            return true
        others = sorted({c for c in self._categories.values() if c != true})
        if not others:
            others = [c for c in _SWAP_FALLBACK if c != true]
        return others[int(state.swap_pick * len(others))]
