"""The rclpy node (console script ``rvos_node``).

Not built yet: the thin rclpy adapter over :class:`rvos_ros.runtime.Runtime`
arrives with the ROS interface work (topics and QoS in DESIGN.md). Until then
this entry point says so plainly instead of pretending to run.
"""

from __future__ import annotations

import sys

__all__ = ["main"]


def main() -> None:
    sys.stderr.write(
        "error: rvos_node is not implemented yet in this version; use `rvos-ros run` or `rvos-ros demo` "
        "(see README.md, 'What works today')\n"
    )
    sys.exit(2)
