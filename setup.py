"""ament_python package setup; also a plain pip-installable Python package.

Ranges only: robots bring their own torch. The exact dev/CI pins live in
constraints-dev.txt.
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
        "opencv-python-headless>=4.8",
        "pillow>=10",
        "pyyaml>=6",
        "pydantic>=2.5",
        "scipy>=1.10",
        "typer>=0.12",
        "rich>=13",
        "rosbags>=0.10",
        "mcap>=1.1",  # reading truncated MCAP bags from the start (rosbags needs the summary at the end)
    ],
    extras_require={
        "models": ["torch>=2.3", "torchvision>=0.18", "transformers>=4.45", "sam2>=1.0"],
        "onnx": ["onnx>=1.16", "onnxruntime>=1.18", "onnxscript>=0.1"],
        "dds": ["cyclonedds>=11.0.1,<12"],
        "llm": ["openai>=1.40"],
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
