"""Bag replay: one mask per camera frame with that frame's stamp; commands switch and clear the target."""

import numpy as np
import pytest
from dog_ball_scene import FPS, H, N, W, scene
from rosbags.highlevel import AnyReader

from rvos_ros.bag.reader import BagInput, BagTopics
from rvos_ros.bag.replay import replay
from rvos_ros.bag.scene_bag import write_scene_bag
from rvos_ros.config import Config
from rvos_ros.errors import BagError
from rvos_ros.interface.images import image_to_array
from rvos_ros.interface.messages import stamp_ns, typestore

ORACLE = Config().replace(**{"perception.backend": "simulated", "output.overlay": True})
"""Synthetic data carries ground truth: these tests run the simulated oracle."""


def _scene():
    """A static dog (id 1) on the left, a ball (id 2) rolling right; textured background."""
    return (scene(i) for i in range(N))


def _outputs(bag):
    with AnyReader([bag], default_typestore=typestore()) as r:
        masks, status = [], []
        for c, _, raw in r.messages():
            msg = r.deserialize(raw, c.msgtype)
            if c.topic == "/target/mask":
                masks.append((stamp_ns(msg.header), msg.header.frame_id, image_to_array(msg)[0]))
            if c.topic == "/status":
                status.append(msg.data)
    return masks, status


@pytest.mark.parametrize("storage", ["mcap", "sqlite3"])
def test_one_mask_per_frame_with_its_stamp_and_commands_switch_and_clear(tmp_path, storage):
    bag = tmp_path / "in"
    write_scene_bag(bag, _scene(), fps=FPS, categories={1: "dog", 2: "ball"}, storage=storage,
                    commands=[(0.0, "the dog"), (1.0, "the ball"), (2.0, "")])
    with BagInput(bag) as src:
        in_stamps = [e.frame.stamp_ns for e in src.events() if e.kind == "image"]
    summary = replay(bag, tmp_path / "out", ORACLE)
    masks, status = _outputs(tmp_path / "out")
    assert summary.frames == N and summary.commands == 3 and len(status) == N
    assert [m[0] for m in masks] == in_stamps and all(m[1] == "camera" for m in masks)
    dog = np.zeros((H, W), bool)
    dog[40:80, 10:40] = True
    assert np.array_equal(masks[10][2] > 0, dog)  # "the dog" after lock
    ball = masks[25][2] > 0  # "the ball" from 1 s on
    assert ball.sum() == 20 * 20 and not (ball & dog).any()
    assert all(not m[2].any() for m in masks[31:])  # cleared at 2 s


def test_a_bag_we_did_not_make(tmp_path):
    """Other topic names, bgr8 with padded rows, a command change and a clear mid-bag."""
    topics = BagTopics(image="/robot/front/image_color", command="/voice/text", labels="/gt/ids",
                       objects="/gt/objects")
    bag = tmp_path / "foreign"
    write_scene_bag(bag, _scene(), fps=FPS, categories={1: "dog", 2: "ball"}, topics=topics, encoding="bgr8",
                    row_padding=7, frame_id="front_cam", commands=[(0.0, "the ball"), (1.0, "the dog"), (2.0, "")])
    summary = replay(bag, tmp_path / "out", ORACLE, topics=topics)
    masks, _ = _outputs(tmp_path / "out")
    assert summary.frames == N == len(masks) and all(m[1] == "front_cam" for m in masks)
    assert (masks[10][2] > 0).sum() == 400
    assert (masks[25][2] > 0)[40:80, 10:40].all()
    assert not any(m[2].any() for m in masks[31:])


def test_a_compressed_camera_topic(tmp_path):
    topics = BagTopics(image="/cam/image_raw/compressed")
    bag = tmp_path / "png"
    write_scene_bag(bag, _scene(), fps=FPS, categories={1: "dog", 2: "ball"}, topics=topics, encoding="png",
                    commands=[(0.0, "the ball")])
    summary = replay(bag, tmp_path / "out", ORACLE, topics=topics)
    masks, _ = _outputs(tmp_path / "out")
    assert summary.frames == N == len(masks) and (masks[10][2] > 0).sum() == 400


def test_command_option_overrides_the_bag(tmp_path):
    bag = tmp_path / "in"
    write_scene_bag(bag, _scene(), fps=FPS, categories={1: "dog", 2: "ball"}, commands=[(0.0, "the dog")])
    replay(bag, tmp_path / "out", ORACLE, command="the ball")
    masks, _ = _outputs(tmp_path / "out")
    assert (masks[20][2] > 0).sum() == 400


def test_bad_bags_get_clear_errors(tmp_path):
    with pytest.raises(BagError, match=r"does not exist"):
        replay(tmp_path / "missing", tmp_path / "o1", ORACLE)
    bag = tmp_path / "in"
    write_scene_bag(bag, _scene(), fps=FPS)
    with pytest.raises(BagError, match=r"no camera topic '/camera/image'.*--image-topic"):
        replay(bag, tmp_path / "o2", ORACLE, topics=BagTopics(image="camera/image"))
    with pytest.raises(BagError, match=r"carries std_msgs/msg/String, expected"):
        replay(bag, tmp_path / "o3", ORACLE, topics=BagTopics(image="/command"))
    (tmp_path / "o4").mkdir()
    with pytest.raises(BagError, match=r"already exists"):
        replay(bag, tmp_path / "o4", ORACLE)
