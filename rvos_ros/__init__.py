"""rvos_ros: online referring video object segmentation for ROS 2 robots.

The layers, lowest first (docs/architecture.md): ``types``/``config``/``errors``,
``models/`` (network wrappers), ``llm/``, ``engines/``, ``perception/`` (candidates
and their tracks), ``reasoning/`` (which one the command means), ``runtime/``
(one stream and its commands), ``interface/``, ``eval/``, ``bag/``, ``ros/``, and
``cli.py``. Every import points down that list.
"""

__version__ = "0.1.0"
