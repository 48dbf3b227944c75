"""rvos_ros: online referring video object segmentation for ROS 2 robots.

The package follows DESIGN.md: ``perception/`` grounds candidates,
``reasoning/`` identifies the target, ``runtime.py`` runs the stream, and
``ros/``, ``bag/`` and ``cli.py`` are the three ways in.
"""

__version__ = "0.1.0"
