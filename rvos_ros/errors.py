"""One exception family for rvos_ros.

Every message names the input that was wrong and how to fix it. The CLI turns
any ``RvosError`` into a one-line ``error: ...`` with exit code 2; the node and
the DDS server report it on ``status``/``/diagnostics`` and keep running.
Foreign errors are re-raised as ours (``raise InputError(msg) from err``).
"""

from __future__ import annotations

__all__ = [
    "BagError",
    "ConfigError",
    "EngineError",
    "InputError",
    "LLMError",
    "ModelError",
    "RvosError",
]


class RvosError(Exception):
    """Base of every error rvos_ros raises on purpose."""


class ConfigError(RvosError):
    """A configuration file or value is invalid (names the key)."""


class InputError(RvosError):
    """A user input is invalid: a command, an image, a window, a dataset folder."""


class ModelError(RvosError):
    """A model could not be loaded or run."""


class EngineError(RvosError):
    """An ONNX/TensorRT engine is missing, stale or cannot be built."""


class BagError(RvosError):
    """A rosbag2 could not be read or written."""


class LLMError(RvosError):
    """An LLM request failed (timeout, HTTP error, invalid answer)."""
