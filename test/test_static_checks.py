"""Code checks in the spirit of ament's test_flake8: ruff on everything, mypy on the whole package."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


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


def test_mypy_is_clean_on_the_whole_package():
    proc = subprocess.run([sys.executable, "-m", "mypy", "--ignore-missing-imports", "rvos_ros"], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
