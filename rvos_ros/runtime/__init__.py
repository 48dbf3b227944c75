"""The runtime: one camera stream and the commands given on it, without ROS.

- :mod:`~rvos_ros.runtime.observer`: per stream, perception and camera motion;
- :mod:`~rvos_ros.runtime.session`: per command, track book, identification, target mask;
- :mod:`~rvos_ros.runtime.models`: the reasoning models a runtime owns;
- :mod:`~rvos_ros.runtime.budget`: the frame budget and its degrade steps (live mode);
- :mod:`~rvos_ros.runtime.stream`: :class:`Runtime`, the two composed.
"""

from rvos_ros.runtime.budget import FrameBudget
from rvos_ros.runtime.models import ModelRegistry, load_perception
from rvos_ros.runtime.observer import Observation, StreamObserver
from rvos_ros.runtime.session import CommandSession, FrameClock, target_mask
from rvos_ros.runtime.stream import Runtime

__all__ = ["CommandSession", "FrameBudget", "ModelRegistry", "FrameClock", "Observation", "Runtime", "StreamObserver",
           "load_perception", "target_mask"]
