"""What the descriptor scorers share: the window's features, computed on first use, and the scoring context.

A scorer is a function ``(ctx, descriptor) -> {track id: (score | None, note, reason)}``
(:data:`Scorer`); :mod:`rvos_ros.reasoning.descriptors` and
:mod:`rvos_ros.reasoning.temporal` define them, and
:data:`rvos_ros.reasoning.descriptors.SCORERS` maps each descriptor kind to its scorer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from rvos_ros.config import ReasoningConfig
from rvos_ros.reasoning import motion as mo
from rvos_ros.reasoning.occlusion import OcclusionEvent, occlusion_events
from rvos_ros.reasoning.ranking import rank_scores, soft
from rvos_ros.reasoning.size import robust_area
from rvos_ros.types import Descriptor, ParsedQuery, TrajectoryWindow

__all__ = ["APPEARANCE_SOURCE", "CategoryMatcher", "DescriptorScore", "Evidence", "RawScores", "Scorer",
           "ScoringContext", "appearance_key"]

CategoryMatcher = Callable[[str, str], bool]
RawScores = dict[int, tuple[float | None, str, str]]
"""Track id → (score in [0, 1] or None when not judged, a note for the rationale, the reason it was not judged)."""
APPEARANCE_SOURCE = "appearance"
"""``DescriptorScore.source`` of a score taken from appearance evidence (CLIP) instead of a rule."""


def appearance_key(d: Descriptor) -> str:
    """Key of a descriptor's appearance evidence: its descriptor key without negation."""
    core = f"{d.kind}:{d.value}" if d.value else d.kind
    return f"{core}({d.ref})" if d.ref else core


@dataclass(frozen=True)
class DescriptorScore:
    """One descriptor judged for one candidate; ``score`` None means not judged (see ``reason``)."""

    key: str
    score: float | None
    note: str = ""
    reason: str = ""
    """Why it was not judged: "insufficient" (too little trajectory), "no_context", "no_pixels", "unsupported"."""
    source: str = ""
    """Where the score came from: "" for the rules, :data:`APPEARANCE_SOURCE` for appearance evidence."""


class _LazyMotion(dict):
    """A dict of TrackMotion that computes each entry on first access (only candidates and context)."""

    def __init__(self, window: TrajectoryWindow, min_observed_s: float) -> None:
        super().__init__()
        self._window, self._min_observed_s = window, min_observed_s
        self._to_first = mo.to_first_homographies(window)

    def __missing__(self, tid: int) -> mo.TrackMotion:
        m = mo.track_motion(self._window.track(tid), self._window.fps, self._to_first, self._min_observed_s)
        self[tid] = m
        return m


class Evidence:
    """Per-window features shared by all descriptor scorers; each is computed on first use."""

    def __init__(self, window: TrajectoryWindow, config: ReasoningConfig,
                 colours: Mapping[int, Mapping[str, float]] | None = None,
                 appearance: Mapping[int, Mapping[str, float]] | None = None) -> None:
        self.window = window
        self.config = config
        self.colours = colours or {}
        self.appearance = appearance or {}
        """Track id → {appearance_key: score in [0, 1]} from CLIP (positive sense: negation applies later)."""
        self.labels = {t.id: t.label for t in window.tracks}

    @cached_property
    def motion(self) -> _LazyMotion:
        """Track id → TrackMotion, computed for a track only when a scorer asks for it."""
        return _LazyMotion(self.window, self.config.min_observed_s)

    @cached_property
    def position(self) -> dict[int, mo.Position | None]:
        w = self.window
        return {t.id: mo.frame_position(t, w.width, w.height) for t in w.tracks}

    @cached_property
    def position_at_start(self) -> dict[int, mo.Position | None]:
        """Where each track was when first seen in the window ("on the left at the start")."""
        w = self.window
        return {t.id: mo.frame_position(t, w.width, w.height, at_start=True) for t in w.tracks}

    @cached_property
    def size(self) -> dict[int, float | None]:
        """Track id → robust box area (share of the image; :func:`~rvos_ros.reasoning.size.robust_area`)."""
        w, to_first = self.window, mo.to_first_homographies(self.window)
        return {t.id: robust_area(t, w.width, w.height, to_first) for t in w.tracks}

    @cached_property
    def occlusions(self) -> tuple[OcclusionEvent, ...]:
        return occlusion_events(self.window)

    def alive(self, tid: int) -> bool:
        """Visible in the last ``min_observed_s`` of the window (a track that may still gain evidence)."""
        rows = np.asarray(self.window.track(tid).boxes).reshape(-1, 6)
        rows = rows[rows[:, 5] > 0.5]
        if rows.shape[0] == 0:
            return False
        recent = self.window.num_frames - 1 - self.config.min_observed_s * self.window.fps
        return bool(rows[-1, 0] >= recent)



class ScoringContext:
    """What every scorer reads: the window's evidence, the candidates, the query, the category matcher."""

    def __init__(self, ev: Evidence, cands: Sequence[int], query: ParsedQuery, match: CategoryMatcher) -> None:
        self.ev, self.cands, self.query, self.match = ev, list(cands), query, match

    def context(self, ref: str, tid: int) -> list[int]:
        return [t.id for t in self.ev.window.tracks if t.id != tid and (not ref or self.match(ref, t.label))]

    def looks(self, d: Descriptor) -> dict[int, float]:
        """Appearance evidence for ``d`` per candidate (only candidates the verifier looked at)."""
        k = appearance_key(d)
        return {t: float(self.ev.appearance[t][k]) for t in self.cands if k in self.ev.appearance.get(t, {})}

    def motions(self, fn: Callable[[mo.TrackMotion], tuple[float, str]]) -> RawScores:
        out: RawScores = {}
        for tid in self.cands:
            m = self.ev.motion[tid]
            if not m.enough:
                out[tid] = (None, f"seen {m.observed_s:.1f} s only", "insufficient")
            else:
                out[tid] = (*fn(m), "")
        return out

    @staticmethod
    def moving_score(m: mo.TrackMotion) -> float:
        """How clearly the track moves: its longest moving run against its own significance threshold."""
        return soft(m.strength - 1.0, 0.25)

    def ranked(self, values: dict[int, float], top: int, scale: float) -> dict[int, float]:
        """Rank scores of ``values`` (best ``top`` high); a single value scores 0.9."""
        return rank_scores(values, 1, top, scale) if len(values) > 1 else dict.fromkeys(values, 0.9)


Scorer = Callable[[ScoringContext, Descriptor], RawScores]
