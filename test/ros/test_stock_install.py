"""The node starts on a stock ROS 2 install: only package.xml's dependencies, nothing from pip.

A fresh interpreter gets the rclpy stand-in (test/ros/fake_rclpy.py) and an import hook that refuses every
package a ROS install does not bring through package.xml (pydantic 2, rosbags, typer, rich, torch, ...), as
on Ubuntu's Humble or Jazzy where `pip install` into the system Python is refused. The node must import,
answer frames, and say what to install when a backend needs more.
"""

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

NOT_ON_A_ROS_INSTALL = ("pydantic", "pydantic_core", "rosbags", "typer", "rich", "mcap", "torch", "torchvision",
                        "transformers", "sam2", "openai", "cyclonedds", "onnxruntime", "onnx", "hydra", "omegaconf",
                        "huggingface_hub", "click", "PIL")

SCRIPT = textwrap.dedent("""
    import importlib.abc, importlib.util, json, sys, time

    BLOCKED = set(sys.argv[1].split(","))

    class Refuse(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                raise ImportError(f"No module named {name!r} (not on a stock ROS install)")
            return None

    sys.meta_path.insert(0, Refuse())
    spec = importlib.util.spec_from_file_location("fake_rclpy", sys.argv[2])
    fake = importlib.util.module_from_spec(spec)
    sys.modules["fake_rclpy"] = fake
    spec.loader.exec_module(fake)

    class Patch:
        def setitem(self, mapping, key, value):
            mapping[key] = value

    fake.install(Patch())
    fake.init(args=[])
    from rvos_ros.ros.node import RvosNode
    from rvos_ros.interface.images import image_fields
    import numpy as np

    node = RvosNode(parameter_overrides=[fake.Parameter("perception.backend", value=sys.argv[3])])
    img = np.zeros((48, 64, 3), np.uint8)
    hdr = fake.Header(stamp=fake.Time(sec=1, nanosec=0), frame_id="cam")
    node.subscriptions["image"].deliver(fake.Image(header=hdr, **image_fields(img, "rgb8", as_numpy=False)))
    deadline = time.monotonic() + 10
    while not node.publishers["target/mask"].messages and time.monotonic() < deadline:
        time.sleep(0.02)
    status = json.loads(node.publishers["status"].messages[-1].data)
    node.destroy_node()
    print(json.dumps({"masks": len(node.publishers["target/mask"].messages), "error": status.get("error", ""),
                      "leaked": sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED)}))
""")


def run_node(backend: str) -> dict:
    import json

    proc = subprocess.run([sys.executable, "-c", SCRIPT, ",".join(NOT_ON_A_ROS_INSTALL),
                           str(Path(__file__).with_name("fake_rclpy.py")), backend],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_the_node_imports_and_answers_frames_with_only_package_xml_dependencies():
    got = run_node("simulated")
    assert got["masks"] == 1 and got["leaked"] == []


def test_the_models_backend_without_its_packages_says_what_to_install_and_keeps_answering():
    got = run_node("models")
    assert got["masks"] == 1
    assert "pip install" in got["error"] and "rvos_ros[models]" in got["error"]


def test_package_xml_names_what_the_node_imports():
    xml = (ROOT / "package.xml").read_text()
    for key in ("rclpy", "sensor_msgs", "std_msgs", "vision_msgs", "diagnostic_msgs", "python3-numpy",
                "python3-opencv", "python3-yaml", "python3-scipy"):
        assert f"<exec_depend>{key}</exec_depend>" in xml
