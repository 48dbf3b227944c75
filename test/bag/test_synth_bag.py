"""Synthetic bags replay into one mask per frame; the scripted change and clear take effect; render and demo work."""

import json

import cv2
import numpy as np
from rosbags.highlevel import AnyReader

from rvos_ros.bag.reader import BagInput
from rvos_ros.bag.render import render_video
from rvos_ros.bag.replay import replay
from rvos_ros.bag.synth_bag import write_dataset_bags
from rvos_ros.config import Config
from rvos_ros.demo import run_demo
from rvos_ros.eval.synth import synthesize
from rvos_ros.interface.images import image_to_array
from rvos_ros.interface.messages import stamp_ns, typestore

ORACLE = Config().replace(**{"perception.backend": "simulated", "output.overlay": True})
"""Synthetic data carries ground truth: these tests run the simulated oracle."""


def test_synthetic_bag_replays_with_its_command_script(tmp_path):
    synthesize(tmp_path / "ds", 1, seed=4, width=240, height=180, num_frames=30)
    bag = write_dataset_bags(tmp_path / "ds")[0]
    script = json.loads((tmp_path / "ds" / "bags" / "s000.commands.json").read_text())
    assert [c["time_s"] for c in script] == [0.0, 1.0, 1.6] and script[-1]["text"] == ""
    with BagInput(bag) as src:
        kinds = [e.kind for e in src.events()]
    assert kinds.count("image") == 30 and kinds.count("labels") == 30 and kinds.count("command") == 3
    summary = replay(bag, tmp_path / "out", ORACLE)
    assert summary.frames == 30 and summary.commands == 3
    masks, states = [], []
    with AnyReader([tmp_path / "out"], default_typestore=typestore()) as r:
        for c, _, raw in r.messages():
            msg = r.deserialize(raw, c.msgtype)
            if c.topic == "/target/mask":
                masks.append((stamp_ns(msg.header), image_to_array(msg)[0]))
            elif c.topic == "/status":
                states.append(json.loads(msg.data)["state"])
    assert len(masks) == 30 == len(states)
    assert [s for s, _ in masks] == sorted(s for s, _ in masks)
    clear_frame = round(1.6 * 15)
    assert all(not m.any() for _, m in masks[clear_frame:])
    assert set(states[clear_frame:]) == {"no_command"} and "no_command" not in states[:clear_frame]
    n = render_video(tmp_path / "out", tmp_path / "o.mp4")
    cap = cv2.VideoCapture(str(tmp_path / "o.mp4"))
    assert n == 30 and int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == 30


def test_demo_writes_bag_video_and_report(tmp_path, capsys):
    report = run_demo(tmp_path / "demo", seed=3)
    out = capsys.readouterr().out
    assert "J&F" in out and "decision timeline" in out
    assert 0.0 <= report["J&F"] <= 1.0 and report["per_expression"]
    cap = cv2.VideoCapture(str(tmp_path / "demo" / "overlay.mp4"))
    ok, frame = cap.read()
    assert ok and frame.shape[:2] == (360, 480) and np.asarray(frame).std() > 0
    assert (tmp_path / "demo" / "replay" / "metadata.yaml").is_file()
