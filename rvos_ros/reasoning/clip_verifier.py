"""PARSE-VOS fine verification with CLIP: which remaining candidate looks like "the sitting dog".

The rules judge motion from trajectories and colour from pixels, but not a
posture or an appearance phrase ("sitting", "lying down", "wearing a hat").
When such a phrase is left unjudged and more candidates remain within
:data:`VERIFY_BAND` of the best than the command asks for, :func:`verify_appearance`
asks an appearance verifier (duck-typed: anything with :meth:`ClipVerifier.score`)
to compare the remaining candidates on the few keyframes where they differ most
(:func:`~rvos_ros.reasoning.verify.select_keyframes`, VideoLISA's sparse dense
frames), and re-scores the candidates with that evidence.

Scoring (:meth:`ClipVerifier.score`): each candidate's crop (:func:`crop_candidate`)
is embedded once per keyframe; each phrase becomes a prompt with the candidates'
category (:func:`prompt_text`), next to a neutral prompt of the category alone.
A crop's evidence for a phrase is its cosine similarity to the phrase prompt
minus its similarity to the neutral prompt, so a sharper or larger crop (which
matches every "a photo of a dog ..." prompt better) does not win by itself.
The evidence is averaged over the keyframes where the candidate is seen, scaled
by CLIP's learned logit scale and soft-maxed over the candidates: the question
is which candidate is "the sitting dog", so they are contrasted with each other.

Colour words stay with the pixel verifier (:mod:`rvos_ros.reasoning.verify`),
whose score is absolute (a red car is red whether or not another car is);
CLIP judges colour only where pixels gave no answer. Size and speed are never
asked of CLIP: crops are rescaled and a still shows no speed.

The CLIP model itself (loading, the two towers, the per-command text cache)
is :class:`rvos_ros.models.clip.ClipModel`; the runtime's model registry
(:mod:`rvos_ros.runtime.models`) loads it and builds the verifier. torch is
imported only when a verifier scores.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Protocol

import numpy as np

from rvos_ros.config import ReasoningConfig, VerifierConfig
from rvos_ros.models.clip import ClipModel
from rvos_ros.reasoning.descriptors import MOTION_KINDS, TRAJECTORY_REASONS, appearance_key, descriptor_key
from rvos_ros.reasoning.ranking import soft
from rvos_ros.reasoning.rules import CategoryMatcher, RuleResult, score_candidates
from rvos_ros.reasoning.verify import select_keyframes
from rvos_ros.types import Descriptor, ParsedQuery, TrajectoryWindow

__all__ = ["VERIFY_BAND", "AppearanceVerifier", "ClipVerifier", "appearance_descriptors", "appearance_evidence",
           "crop_candidate", "prompt_text", "remaining_candidates", "verify_appearance"]

VERIFY_BAND = 0.3
"""Candidates within this score of the best one remain for fine verification."""
_TRAJECTORY_KINDS = MOTION_KINDS | {"size", "speed"}
"""Judged from trajectories only: a crop is rescaled and a still frame shows no speed."""
_GREY = np.array([124.0, 116.0, 104.0])
"""Roughly CLIP's mean pixel (RGB): the dimmed background and the square padding fade towards it."""
_KEEP_BACKGROUND = 0.35
"""Share of the background's own contrast kept around the candidate."""
_PAD = 0.1
"""Crop padding as a share of the mask box's longer side."""
_MIN_MASK_PX = 16
_SCORE_SCALE = 0.3
"""log(candidates x probability) at which a descriptor score reaches ~0.73 (0.5 = no better than chance)."""


class AppearanceVerifier(Protocol):
    """What :func:`verify_appearance` needs of a verifier (a :class:`ClipVerifier` or a test stub)."""

    def score(self, window: TrajectoryWindow, track_ids: Sequence[int], phrases: Sequence[str], *,
              category: str = "object") -> dict[int, dict[str, float]]: ...


def prompt_text(phrase: str, category: str) -> str:
    """The CLIP prompt for an attribute phrase of a category: "a photo of a sitting dog", "a photo of a dog
    lying down"; an empty phrase gives the neutral "a photo of a dog".

    One word reads as an adjective before the noun; a longer phrase (a verb or preposition phrase) follows it.
    """
    cat = " ".join(category.split()) or "object"
    words = phrase.split()
    text = cat if not words else f"{words[0]} {cat}" if len(words) == 1 else f"{cat} {' '.join(words)}"
    return f"a photo of {'an' if text[0].lower() in 'aeiou' else 'a'} {text}"


def crop_candidate(image: np.ndarray, mask: np.ndarray | None) -> np.ndarray | None:
    """A square RGB uint8 crop of the object under ``mask``; None when the mask is missing, empty or tiny.

    The crop is the mask's box padded by 10 % of its longer side. Outside the
    mask the pixels are dimmed towards grey, not removed: posture and appearance
    phrases often need the context just outside the mask (the chair it sits on,
    the racket it holds, the ground it lies on) and a hard cut-out looks nothing
    like CLIP's training photos, while dimming still keeps a neighbouring
    candidate inside the box from answering for this one. The crop is padded to a
    square with grey so CLIP's centre crop does not cut off a tall or wide object.
    """
    if mask is None:
        return None
    m = np.asarray(mask, dtype=bool)
    if m.shape != image.shape[:2] or int(m.sum()) < _MIN_MASK_PX:
        return None
    ys, xs = np.nonzero(m)
    y0, y1, x0, x1 = int(ys.min()), int(ys.max()) + 1, int(xs.min()), int(xs.max()) + 1
    pad = max(2, round(_PAD * max(y1 - y0, x1 - x0)))
    h, w = m.shape
    y0, y1, x0, x1 = max(0, y0 - pad), min(h, y1 + pad), max(0, x0 - pad), min(w, x1 + pad)
    crop = image[y0:y1, x0:x1].astype(np.float64)
    inside = m[y0:y1, x0:x1, None]
    crop = np.where(inside, crop, _KEEP_BACKGROUND * crop + (1.0 - _KEEP_BACKGROUND) * _GREY)
    side = max(crop.shape[0], crop.shape[1])
    square = np.broadcast_to(_GREY, (side, side, 3)).copy()
    top, left = (side - crop.shape[0]) // 2, (side - crop.shape[1]) // 2
    square[top:top + crop.shape[0], left:left + crop.shape[1]] = crop
    return np.clip(np.rint(square), 0, 255).astype(np.uint8)


class ClipVerifier:
    """The appearance verifier on a :class:`~rvos_ros.models.clip.ClipModel` (torch or an engine).

    ``config.keyframes`` keyframes are looked at per decision. Deterministic:
    the same inputs give the same scores.
    """

    def __init__(self, clip: ClipModel, config: VerifierConfig) -> None:
        self.clip = clip
        self.config = config

    def score(self, window: TrajectoryWindow, track_ids: Sequence[int], phrases: Sequence[str], *,
              category: str = "object") -> dict[int, dict[str, float]]:
        """Per candidate, per phrase: probability in [0, 1] that this candidate is the "{phrase} {category}".

        Probabilities sum to 1 over the candidates returned (the candidates are
        contrasted with each other). Only ``window.keyframes`` chosen by
        :func:`~rvos_ros.reasoning.verify.select_keyframes` (``config.keyframes``
        of them) are looked at; a candidate whose mask is missing or empty on a
        keyframe is skipped there, and one seen on none of them is absent.
        """
        import torch

        ids = sorted(dict.fromkeys(int(t) for t in track_ids))
        names = list(dict.fromkeys(phrases))
        crops, owners = [], []
        for kf in select_keyframes(window.keyframes, ids, self.config.keyframes):
            for tid in ids:
                crop = crop_candidate(kf.image, kf.masks.get(tid))
                if crop is not None:
                    crops.append(crop)
                    owners.append(tid)
        if not crops or not names:
            return {}
        prompts = [prompt_text("", category)] + [prompt_text(p, category) for p in names]
        with self.clip.lock:
            text = self.clip.text_features(window.query, prompts)
            image = self.clip.image_features(crops)
        sims = image @ text.T  # (crops, 1 + phrases) cosine similarities
        evidence = sims[:, 1:] - sims[:, :1]
        seen = sorted(set(owners))
        owner = torch.tensor(owners)
        mean = torch.stack([evidence[owner == tid].mean(dim=0) for tid in seen])  # (candidates, phrases)
        probs = torch.softmax(self.clip.logit_scale * mean.double(), dim=0)
        return {tid: {p: float(probs[i, j]) for j, p in enumerate(names)} for i, tid in enumerate(seen)}


def remaining_candidates(result: RuleResult, band: float = VERIFY_BAND) -> list[int]:
    """Candidates scoring within ``band`` of the best one, best first."""
    if not result.ranking:
        return []
    best = result.ranking[0].score
    return [c.track_id for c in result.ranking if c.score >= best - band]


def appearance_descriptors(query: ParsedQuery, result: RuleResult, track_ids: Iterable[int]) -> list[Descriptor]:
    """The query's attribute descriptors that the rules left unjudged for one of ``track_ids`` for a reason a look
    at the candidate can fix (posture, unsupported words, no colour from pixels), one per appearance key."""
    ids = set(track_ids)
    open_keys = {p.key for c in result.ranking if c.track_id in ids for p in c.parts
                 if p.score is None and p.reason not in TRAJECTORY_REASONS}
    out: dict[str, Descriptor] = {}
    for d in query.attributes:
        if d.kind not in _TRAJECTORY_KINDS and descriptor_key(d) in open_keys:
            out.setdefault(appearance_key(d), d)
    return list(out.values())


def _phrase(d: Descriptor) -> str:
    return d.value.replace("_", " ") or d.kind


def appearance_evidence(verifier: AppearanceVerifier, window: TrajectoryWindow, track_ids: Sequence[int],
                        descriptors: Sequence[Descriptor]) -> dict[int, dict[str, float]]:
    """Track id → {appearance key: descriptor score in [0, 1]} from the verifier, for ``Evidence.appearance``.

    A probability p among n candidates scores ``soft(log(n p), 0.3)``: 0.5 for
    a candidate no likelier than chance, near 1 for a clear winner. Scores are in
    the descriptor's positive sense (the rules invert negated ones). Empty when
    fewer than two candidates could be compared.
    """
    labels = Counter(window.track(t).label for t in track_ids)
    category = min(labels, key=lambda name: (-labels[name], name)) if labels else "object"
    raw = verifier.score(window, list(track_ids), [_phrase(d) for d in descriptors], category=category)
    if len(raw) < 2:
        return {}
    n = len(raw)
    return {tid: {appearance_key(d): soft(math.log(max(n * probs[_phrase(d)], 1e-9)), _SCORE_SCALE)
                  for d in descriptors if _phrase(d) in probs}
            for tid, probs in raw.items()}


def verify_appearance(
    verifier: AppearanceVerifier | None,
    window: TrajectoryWindow,
    query: ParsedQuery,
    config: ReasoningConfig,
    current: RuleResult,
    *,
    match: CategoryMatcher | None = None,
    colours: dict[int, dict[str, float]] | None = None,
) -> RuleResult | None:
    """Re-score the candidates with appearance evidence; None when there is nothing to verify.

    Runs only with a verifier, keyframes, and more candidates within
    :data:`VERIFY_BAND` of the best one than the command asks for (any two or
    more for "all" commands), when the query has attribute descriptors the
    rules could not judge for them. ``current`` is the latest answer (after
    colour verification, whose ``colours`` are kept in the re-scoring).
    """
    if verifier is None or not window.keyframes:
        return None
    remaining = remaining_candidates(current)
    if len(remaining) < 2 or (query.count >= 1 and len(remaining) <= query.count):
        return None
    descriptors = appearance_descriptors(query, current, remaining)
    if not descriptors:
        return None
    evidence = appearance_evidence(verifier, window, remaining, descriptors)
    if not evidence:
        return None
    result = score_candidates(window, query, config, colours=colours, appearance=evidence, match=match)
    return result if result.appearance_used else None
