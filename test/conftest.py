"""Shared fixtures: a small synthetic dataset made once per test session."""

import os
import sys
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
# Model and engine folders default to the per-user data directory: keep the suite out of the real one.
os.environ["RVOS_ROS_HOME"] = tempfile.mkdtemp(prefix="rvos_ros_home_")


@pytest.fixture(scope="session")
def small_dataset(tmp_path_factory):
    """Three synthetic scenes, 320x240, 30 frames at 15 fps."""
    from rvos_ros.eval.synth import synthesize

    root = tmp_path_factory.mktemp("synth")
    synthesize(root, 3, seed=5, width=320, height=240, num_frames=30, fps=15.0)
    return root

# shared test scenes (test/dog_ball_scene.py) import as plain modules
sys.path.insert(0, str(Path(__file__).resolve().parent))
