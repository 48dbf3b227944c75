"""The perception factory: ``perception.backend`` → a :class:`~rvos_ros.perception.base.Perception`.

Every caller (the node, ``serve``, the bag replay, the eval runner) builds its
perception here and treats it through the protocol alone: ground truth goes to
``feed_truth`` whatever the backend, and ``reads_truth`` says whether a
transport needs to subscribe to it.
"""

from __future__ import annotations

from rvos_ros.config import Config
from rvos_ros.perception.base import Perception
from rvos_ros.perception.simulated import SimulatedPerception

__all__ = ["build_perception"]


def build_perception(config: Config) -> Perception:
    """The configured backend, loaded: ``models`` (detector + SAM2, weights from ``perception.models_dir``)
    or ``simulated`` (the ground-truth oracle, fed through ``feed_truth``).

    Raises :class:`~rvos_ros.errors.ModelError` / :class:`~rvos_ros.errors.ConfigError`
    naming the missing weights or package and the fix.
    """
    if config.perception.backend == "models":
        from rvos_ros.perception.models import ModelPerception

        return ModelPerception.from_config(config)
    return SimulatedPerception(config.perception, {})
