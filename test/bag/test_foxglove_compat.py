"""The output bag is what Foxglove opens: MCAP with ros2msg schemas, CDR messages and standard ROS types only."""

from dog_ball_scene import CATEGORIES, FPS, N, scene

from rvos_ros.bag.replay import replay
from rvos_ros.bag.scene_bag import write_scene_bag
from rvos_ros.config import Config

ORACLE = Config().replace(**{"perception.backend": "simulated", "output.overlay": True})
"""Synthetic data carries ground truth: these tests run the simulated oracle."""

STANDARD = {"sensor_msgs/msg/Image", "std_msgs/msg/String", "vision_msgs/msg/Detection2DArray"}


def test_output_mcap_uses_ros2msg_schemas_cdr_and_standard_types(tmp_path):
    from mcap.reader import make_reader

    bag = tmp_path / "in"
    write_scene_bag(bag, (scene(i) for i in range(N)), fps=FPS, categories=CATEGORIES, commands=[(0.0, "the ball")])
    replay(bag, tmp_path / "out", ORACLE)
    (mcap,) = (tmp_path / "out").glob("*.mcap")
    with open(mcap, "rb") as f:
        summary = make_reader(f).get_summary()
    assert summary is not None  # a complete file: summary and index at the end, so players can seek
    schemas = {s.id: s for s in summary.schemas.values()}
    channels = list(summary.channels.values())
    topics = {c.topic: schemas[c.schema_id].name for c in channels}
    assert set(topics.values()) <= STANDARD
    assert {"/target/mask", "/target/overlay", "/target/detections", "/candidates/detections", "/status"} <= set(topics)
    assert all(c.message_encoding == "cdr" for c in channels)
    assert all(s.encoding == "ros2msg" and b"MSG: " in s.data for s in schemas.values()
               if s.name == "vision_msgs/msg/Detection2DArray")  # nested definitions embedded for decoders
    assert summary.statistics.message_count >= 5 * N
