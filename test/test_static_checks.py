"""Code checks in the spirit of ament's test_flake8: ruff on everything, mypy on the core modules."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORE = ["rvos_ros/types.py", "rvos_ros/config.py", "rvos_ros/errors.py", "rvos_ros/runtime", "rvos_ros/llm",
        "rvos_ros/reasoning/worker.py", "rvos_ros/reasoning/llm_stage.py", "rvos_ros/perception/grounding.py",
        "rvos_ros/perception/models.py", "rvos_ros/perception/tracker.py", "rvos_ros/perception/sam2_memory.py",
        "rvos_ros/models", "rvos_ros/bag/mcap_salvage.py", "rvos_ros/engines/select.py",
        "rvos_ros/engines/tensorrt_parts.py", "rvos_ros/engines/build.py"]


def _tool(name: str) -> list[str]:
    exe = Path(sys.executable).parent / name
    if exe.exists():
        return [str(exe)]
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (make test installs it)")
    return [found]


def test_ruff_is_clean():
    proc = subprocess.run([*_tool("ruff"), "check", "rvos_ros", "test", "bench"], cwd=ROOT, capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_is_clean_on_the_core():
    proc = subprocess.run([sys.executable, "-m", "mypy", "--ignore-missing-imports", "--follow-imports=silent",
                           *CORE], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
