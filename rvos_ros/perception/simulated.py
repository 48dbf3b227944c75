"""Simulated perception: the ground-truth oracle (docs/architecture.md, "The oracle and synthetic data").

Reads ground-truth object-index maps (``sim/labels`` in a synthetic bag, the
``Annotations`` PNGs of a dataset folder) instead of running a detector and a
tracker, so that everything downstream of perception can be evaluated alone.
Optional noise (``perception.noise``) imitates a real front end: missed
detections, a wrong category for a track's whole life (another object's
category, ``label_swap_rate``, or a similar one, ``confusion_rate``),
mask/box jitter, new track ids after occlusions (``id_switch_rate``) and, with
``report: named``, only the objects the command names, labelled with the
phrase that found them, as an open-vocabulary detector prompted with the
command's phrases reports them.

Conventions:

- A label map is a (H, W) ``uint8`` array; pixel value = object id, 0 = background.
- Boxes are ``(x1, y1, x2, y2)`` in pixels with an exclusive far corner: a mask
  whose pixels span columns ``c0..c1`` and rows ``r0..r1`` (inclusive) has the
  box ``(c0, r0, c1 + 1, r1 + 1)``, so ``x2 - x1`` is the width in pixels.
- Every random draw comes from generators seeded with ``noise.seed``, one per
  kind of noise: the same inputs and seed give the same tracks, and turning
  one kind on leaves the others' draws as they were.
- Track ids are object ids unless ``id_switch_rate`` > 0: an object that
  switched comes back under a new id from 256 up (object ids are 1..255); its
  swap or confusion stays with the object (drawn once per object, as before).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from rvos_ros.config import PerceptionConfig
from rvos_ros.errors import InputError
from rvos_ros.geometry import mask_box
from rvos_ros.perception.base import GroundTruth
from rvos_ros.perception.phrases import ANY_OBJECT_PHRASE, query_phrases
from rvos_ros.types import Box, Frame, ParsedQuery, Track

__all__ = ["CONFUSABLE", "FIRST_SWITCHED_ID", "SimulatedPerception", "UNKNOWN_LABEL", "confusable_with",
           "same_category", "shift_mask"]

UNKNOWN_LABEL = "object"
"""Label of an object whose category is not (yet) known."""
_SWAP_FALLBACK = ("object", "thing")
"""Swapped-label alternatives when ``categories`` offers no other category."""

CONFUSABLE: tuple[tuple[str, ...], ...] = (
    ("cat", "dog"),
    ("cow", "horse", "sheep"),
    ("bus", "car", "truck"),
    ("bicycle", "motorcycle"),
    ("airplane", "bird", "kite"),
    ("bottle", "cup", "vase"),
    ("bench", "chair", "couch"),
    ("box", "suitcase"),
    ("ball", "frisbee"),
)
"""Groups of categories a detector confuses with each other (``noise.confusion_rate``)."""

FIRST_SWITCHED_ID = 256
"""The first track id given to an object that comes back from an occlusion under a new id (above every object id)."""


def _norm(text: str) -> str:
    return " ".join(str(text).lower().split())


def same_category(phrase: str, category: str) -> bool:
    """The oracle's default phrase matching: ``"object"`` matches anything, else equal up to case and spaces.

    The eval runner passes the reasoning's ``category_matches`` instead (perception cannot import reasoning), which
    also matches synonyms and super-categories ("animal" finds dogs and cats).
    """
    p = _norm(phrase)
    return p == ANY_OBJECT_PHRASE or p == _norm(category)


def confusable_with(category: str, scene: Mapping[int, str] | None = None) -> tuple[str, ...]:
    """The categories ``category`` can be confused with: the other members of its groups in :data:`CONFUSABLE`;
    for a category outside the table, the other categories of ``scene`` (sorted); possibly none."""
    c = _norm(category)
    similar = sorted({m for group in CONFUSABLE if c in group for m in group} - {c})
    if similar:
        return tuple(similar)
    return tuple(sorted({v for v in (scene or {}).values() if _norm(v) != c}))


@dataclass
class _ObjectState:
    """What the oracle remembers of one object id (bounded: ids are uint8)."""

    last_box: Box | None
    last_seen_ns: int
    swapped: bool
    swap_pick: float  # in [0, 1): which other category a swapped label takes
    confused: bool = False
    confuse_pick: float = 0.0  # in [0, 1): which similar category a confused label takes


@dataclass
class _Identity:
    """The track id an object is reported under and the frames it has been absent from the labels since."""

    track_id: int
    absent: int = 0


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

    With ``noise.report: all`` (the default) it reports every object whatever
    the command, so it is ``query_independent``. With ``report: named`` it
    reports only the objects whose (perceived) category a phrase of the command
    names (:func:`~rvos_ros.perception.phrases.query_phrases`, as the models
    backend prompts its detector), labelled with that phrase (the one equal to
    the category when there is one, else the first that matches, e.g.
    ``"animal"`` or ``"object"``); ``category_match(phrase, category)`` decides
    what a phrase names (default :func:`same_category`).
    """

    reads_truth = True

    def __init__(
        self,
        config: PerceptionConfig | None = None,
        categories: Mapping[int, str] | Mapping[str, str] | None = None,
        *,
        forget_after_s: float = 2.0,
        max_pending: int = 64,
        category_match: Callable[[str, str], bool] | None = None,
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
        self.category_match = category_match
        """What a command phrase names with ``report: named``: ``(phrase, category) -> bool``; None:
        :func:`same_category`."""
        self._phrases: tuple[str, ...] = ()
        self._pending: OrderedDict[int, np.ndarray] = OrderedDict()
        self.reset()

    @property
    def query_independent(self) -> bool:
        """True unless ``noise.report`` is ``named`` (then what is reported depends on the command)."""
        return self.config.noise.report == "all"

    @property
    def ids_are_object_ids(self) -> bool:
        """True when every track id is its ground-truth object id: no id switches (``noise.id_switch_rate`` 0)."""
        return self.config.noise.id_switch_rate == 0

    NO_TRUTH_FRAMES = 30
    """Frames without any ground truth after which :attr:`problem` says so (2 s at 15 fps)."""

    @property
    def problem(self) -> str:
        """Set when frames keep arriving and no label map ever came: the oracle has nothing to read."""
        if self._current is None and self.frames_without_labels >= self.NO_TRUTH_FRAMES:
            return (f"perception.backend is 'simulated', the ground-truth oracle, and no ground truth came with "
                    f"{self.frames_without_labels} frames (it reads sim/labels and sim/objects, which only synthetic "
                    "and annotated bags carry); on a real camera set perception.backend: models")
        return ""

    def feed_truth(self, truth: GroundTruth) -> None:
        """Take the categories (first) and the label map that ``truth`` carries (see :meth:`set_categories`,
        :meth:`feed_labels`); raises :class:`~rvos_ros.errors.InputError` for either when malformed."""
        if truth.categories is not None:
            self.set_categories(truth.categories)
        if truth.labels is not None:
            self.feed_labels(truth.stamp_ns, truth.labels)

    def set_query(self, query: ParsedQuery | None) -> None:
        """Keep the command's phrases; only ``report: named`` uses them (None: no command, nothing is reported)."""
        self._phrases = query_phrases(query) if query is not None else ()

    @property
    def phrases(self) -> tuple[str, ...]:
        """The current command's detector phrases (empty without a command)."""
        return self._phrases

    def reset(self) -> None:
        """Forget pending labels, objects, counters; reseed the noise (categories and the command's phrases are
        kept)."""
        self._pending.clear()
        self._current: tuple[int, np.ndarray] | None = None  # (stamp_ns, labels) last used
        self._objects: dict[int, _ObjectState] = {}
        self._ids: dict[int, _Identity] = {}  # object id -> its track id (kept when the object is forgotten)
        self._next_track_id = FIRST_SWITCHED_ID
        # One generator per kind of noise, so that turning one on does not change the others' draws. Children of
        # a SeedSequence depend only on their index: the first three are those of the original three kinds.
        miss, swap, jitter, confusion, id_switch, _spare = np.random.SeedSequence(self.config.noise.seed).spawn(6)
        self._rng_miss = np.random.default_rng(miss)
        self._rng_swap = np.random.default_rng(swap)
        self._rng_jitter = np.random.default_rng(jitter)
        self._rng_confusion = np.random.default_rng(confusion)
        self._rng_id_switch = np.random.default_rng(id_switch)
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
        """Tracks of every known (and, with ``report: named``, named) object on ``frame``, sorted by track id."""
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
        self._update_ids(present)
        tracks: dict[int, Track] = {}  # by track id
        seen: set[int] = set()  # object ids reported visible on this frame
        for oid in present:
            state = self._objects.get(oid)
            if state is None:
                swapped = bool(self._rng_swap.random() < noise.label_swap_rate)
                state = _ObjectState(None, stamp, swapped, float(self._rng_swap.random()))
                if noise.confusion_rate > 0:
                    state.confused = bool(self._rng_confusion.random() < noise.confusion_rate)
                    state.confuse_pick = float(self._rng_confusion.random())
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
            seen.add(oid)
            label = self._label(oid, state)
            if label is not None:
                tid = self._ids[oid].track_id
                tracks[tid] = Track(id=tid, label=label, score=1.0, box=box, visible=True, mask=mask)
        for oid in list(self._objects):
            if oid in seen:
                continue
            state = self._objects[oid]
            if stamp - state.last_seen_ns > self._forget_after_ns:
                del self._objects[oid]
            elif state.last_box is not None and (label := self._label(oid, state)) is not None:
                tid = self._ids[oid].track_id
                tracks[tid] = Track(id=tid, label=label, score=1.0, box=state.last_box, visible=False, mask=None)
        return tuple(tracks[k] for k in sorted(tracks))

    def _update_ids(self, present: list[int]) -> None:
        """Count frames of absence from the labels; an object back after ``id_switch_min_gap`` or more may switch."""
        noise = self.config.noise
        here = set(present)
        for oid, ident in self._ids.items():
            if oid not in here:
                ident.absent += 1
        for oid in present:
            known = self._ids.get(oid)
            if known is None:
                self._ids[oid] = _Identity(oid)
                continue
            ident = known
            if (ident.absent >= noise.id_switch_min_gap and noise.id_switch_rate > 0
                    and self._rng_id_switch.random() < noise.id_switch_rate):
                ident.track_id = self._next_track_id
                self._next_track_id += 1
            ident.absent = 0

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

    def _perceived(self, oid: int, state: _ObjectState) -> str:
        """The category a detector would see: another object's if swapped, else a similar one if confused."""
        true = self._categories.get(oid, UNKNOWN_LABEL)
        if state.swapped:
            others = sorted({c for c in self._categories.values() if c != true})
            if not others:
                others = [c for c in _SWAP_FALLBACK if c != true]
            return others[int(state.swap_pick * len(others))]
        if state.confused:
            similar = confusable_with(true, self._categories)
            if similar:  # nothing to confuse it with: it keeps its category
                return similar[int(state.confuse_pick * len(similar))]
        return true

    def _label(self, oid: int, state: _ObjectState) -> str | None:
        """The track's label: its perceived category (``report: all``), or the phrase naming it (``named``; None:
        the command does not name it and it is not reported)."""
        category = self._perceived(oid, state)
        if self.config.noise.report == "all":
            return category
        match = self.category_match or same_category
        named = [p for p in self._phrases if match(p, category)]
        if not named:
            return None
        exact = [p for p in named if _norm(p) == _norm(category)]
        return (exact or named)[0]
