"""What the detector looks for when a command comes: the command's categories and context entities."""

from __future__ import annotations

from rvos_ros.models.detection import normalize_phrases
from rvos_ros.types import ParsedQuery

__all__ = ["ANY_OBJECT_PHRASE", "query_phrases"]

ANY_OBJECT_PHRASE = "object"
"""What the detector looks for when a command names no category ("the thing moving left")."""


def query_phrases(query: ParsedQuery) -> tuple[str, ...]:
    """The detector phrases of a command: its candidate categories, then its context entities, deduplicated.

    A command that names no category ("something moving left") looks for
    ``"object"`` first. Attributes ("red", "big", "sitting") are deliberately
    not baked into the phrases: open-vocabulary detectors score attribute words
    weakly and unevenly, so "red dog" could drop the true target before
    reasoning ever sees it, and many attributes are comparisons between
    candidates ("the bigger dog", "the left one") that need every dog tracked.
    The reasoner and the CLIP/pixel verifier judge attributes on the tracks.
    """
    phrases = list(query.categories) if query.categories else [ANY_OBJECT_PHRASE]
    phrases.extend(query.context)
    return normalize_phrases(phrases)
