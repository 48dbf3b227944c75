"""The perception factory: ``perception.backend`` → a :class:`~rvos_ros.perception.base.Perception`.

Every caller (the node, ``serve``, the bag replay, the eval runner) builds its
perception here and treats it through the protocol alone: ground truth goes to
``feed_truth`` whatever the backend, and ``reads_truth`` says whether a
transport needs to subscribe to it.
"""

from __future__ import annotations

from collections.abc import Callable

from rvos_ros.config import Config
from rvos_ros.errors import ModelError
from rvos_ros.perception.base import GroundTruth, Perception
from rvos_ros.perception.simulated import SimulatedPerception
from rvos_ros.types import Frame, ParsedQuery, Track

__all__ = ["UnavailablePerception", "build_perception"]


def build_perception(config: Config, *, category_match: Callable[[str, str], bool] | None = None) -> Perception:
    """The configured backend, loaded: ``models`` (detector + SAM2, weights from ``perception.models_dir``)
    or ``simulated`` (the ground-truth oracle, fed through ``feed_truth``; ``category_match`` is how it reads a
    command's phrases with ``noise.report: named``: the runtime passes the reasoning's own).

    Raises :class:`~rvos_ros.errors.ModelError` / :class:`~rvos_ros.errors.ConfigError`
    naming the missing weights or package and the fix.
    """
    if config.perception.backend == "models":
        from rvos_ros.perception.models import ModelPerception

        return ModelPerception.from_config(config)
    return SimulatedPerception(config.perception, {}, category_match=category_match)


class UnavailablePerception:
    """Stands in for a backend that could not start (weights missing, a model failing to load).

    The node keeps running with it: commands are accepted, every frame fails
    with ``reason`` (so each frame's status carries it and its mask is empty),
    and :attr:`problem` makes ``/diagnostics`` an ERROR naming the fix.
    """

    query_independent = True
    reads_truth = False
    ids_are_object_ids = False

    def __init__(self, reason: str) -> None:
        self.problem = reason

    def feed_truth(self, truth: GroundTruth) -> None:
        """Nothing to feed."""

    def set_query(self, query: ParsedQuery | None) -> None:
        """Accepted and kept by the runtime; nothing can be detected."""

    def step(self, frame: Frame) -> tuple[Track, ...]:
        raise ModelError(self.problem)

    def reset(self) -> None:
        """Nothing to forget."""
