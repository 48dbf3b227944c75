"""The rclpy node against an in-test stand-in of rclpy (test/ros/fake_rclpy.py): parameters, topics, shutdown.

Subscription callbacks are called the way an executor would call them; the
node's own processing thread does the rest, so the tests wait for outputs.
Perception is simulated: ground truth arrives on ``sim/labels``/``sim/objects``.
"""

import array
import importlib
import importlib.util
import json
import py_compile
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from dog_ball_scene import H, W, scene, stamp

from rvos_ros.errors import ConfigError
from rvos_ros.interface.images import image_fields, rgb_to_compressed_data

ROOT = Path(__file__).resolve().parents[2]
OBJECTS = json.dumps({"objects": {"1": {"category": "dog"}, "2": {"category": "ball"}}})


def _load_fake():
    spec = importlib.util.spec_from_file_location("rvos_test_fake_rclpy", Path(__file__).with_name("fake_rclpy.py"))
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


fake = _load_fake()


@pytest.fixture
def ros(monkeypatch):
    """The fake rclpy installed and rvos_ros.ros.node imported against it."""
    ns = fake.install(monkeypatch)
    sys.modules.pop("rvos_ros.ros.node", None)
    ns.node = importlib.import_module("rvos_ros.ros.node")
    yield ns
    sys.modules.pop("rvos_ros.ros.node", None)


@pytest.fixture
def make_node(ros):
    nodes = []

    def make(**params):
        node = ros.node.RvosNode(parameter_overrides=[fake.Parameter(k, value=v) for k, v in params.items()])
        nodes.append(node)
        return node

    yield make
    for n in nodes:
        n.destroy_node()


# -- a scene: a static dog (id 1) and a ball (id 2) rolling right --------------------------------------


def header(i: int, frame_id: str = "camera_optical"):
    s = stamp(i)
    return fake.Header(stamp=fake.Time(sec=s // 1_000_000_000, nanosec=s % 1_000_000_000), frame_id=frame_id)


def image(i: int, encoding: str = "rgb8"):
    return fake.Image(header=header(i), **image_fields(scene(i)[0], encoding, as_numpy=False))


def labels(i: int):
    return fake.Image(header=header(i), **image_fields(scene(i)[1], "mono8", as_numpy=False))


def wait_for(cond, timeout: float = 5.0) -> None:
    end = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < end, "timed out waiting for the node"
        time.sleep(0.002)


def send(node, topic: str, msg) -> None:
    node.subscriptions[topic].deliver(msg)


def out(node, topic: str) -> list:
    return node.publishers[topic].messages


def statuses(node) -> list[dict]:
    return [json.loads(m.data) for m in out(node, "status")]


def play(node, frames, *, with_labels: bool = True) -> None:
    """Send frames one at a time, each after the previous one's mask came out (so none is dropped)."""
    for i in frames:
        if with_labels:
            send(node, "sim/labels", labels(i))
        n = len(out(node, "target/mask"))
        send(node, "image", image(i))
        wait_for(lambda n=n: len(out(node, "target/mask")) > n)


def diagnostics(node):
    node.publish_diagnostics()
    status = out(node, "/diagnostics")[-1].status[0]
    return status, {kv.key: kv.value for kv in status.values}


# -- parameters ---------------------------------------------------------------------------------------


def test_every_config_key_is_a_parameter_with_the_config_files_value_and_a_description(make_node, tmp_path):
    from rvos_ros.config import Config, to_dict

    cfg = tmp_path / "rvos.yaml"
    cfg.write_text("runtime:\n  reason_every: 3\nreasoning:\n  lock_confidence: 0.7\noutput:\n  overlay: false\n")
    node = make_node(config_file=str(cfg))

    def leaves(d, prefix=""):
        for k, v in d.items():
            yield from leaves(v, prefix + k + ".") if isinstance(v, dict) else [(prefix + k, v)]

    expected = dict(leaves(to_dict(Config())))
    expected.update({"runtime.reason_every": 3, "reasoning.lock_confidence": 0.7, "output.overlay": False,
                     "runtime.mode": "live"})
    assert {k: node.get_parameter(k).value for k in expected} == expected
    assert node.get_parameter("config_file").value == str(cfg)
    assert node.config.runtime.reason_every == 3 and node.runtime.config.reasoning.lock_confidence == 0.7
    assert "Frames between periodic reasoning" in node.describe_parameter("runtime.reason_every").description
    assert node.describe_parameter("perception.backend").additional_constraints == "one of: simulated, models"
    assert "after restart" in node.describe_parameter("perception.noise.seed").description
    assert node.describe_parameter("runtime.mode").read_only
    assert "target/overlay" not in node.publishers  # output.overlay: false


def test_parameters_given_at_start_win_over_the_config_file_and_floats_take_integers(make_node):
    node = make_node(**{"runtime.reason_every": 7, "runtime.fps": 30, "runtime.mode": "deterministic"})
    assert node.config.runtime.reason_every == 7 and node.config.runtime.fps == 30.0
    assert node.get_parameter("runtime.mode").value == "live" and node.config.runtime.mode == "live"


def test_an_invalid_start_value_or_config_file_stops_the_node_with_the_reason(ros):
    with pytest.raises(ConfigError, match=r"reasoning.lock_confidence.*must be in \(0, 1\]"):
        ros.node.RvosNode(parameter_overrides=[fake.Parameter("reasoning.lock_confidence", value=5.0)])
    with pytest.raises(ConfigError, match="does not exist"):
        ros.node.RvosNode(parameter_overrides=[fake.Parameter("config_file", value="/nonexistent/rvos.yaml")])


def test_a_bad_parameter_change_is_rejected_with_the_config_error_and_nothing_changes(make_node):
    node = make_node()
    [result] = node.set_parameters([fake.Parameter("reasoning.lock_confidence", value=1.5)])
    assert not result.successful
    assert "reasoning.lock_confidence" in result.reason and "must be in (0, 1], got 1.5" in result.reason
    [result] = node.set_parameters([fake.Parameter("perception.backend", value="lidar")])
    assert not result.successful and "must be one of ['simulated', 'models']" in result.reason
    assert node.get_parameter("reasoning.lock_confidence").value == 0.6
    assert node.config.reasoning.lock_confidence == 0.6
    assert node.get_parameter("perception.backend").value == "simulated"


def test_a_live_parameter_change_applies_between_frames(make_node):
    node = make_node()
    [result] = node.set_parameters([fake.Parameter("reasoning.lock_confidence", value=0.8)])
    assert result.successful and "next frame" in result.reason
    result = node.set_parameters_atomically([fake.Parameter("runtime.reason_every", value=2),
                                             fake.Parameter("output.max_command_chars", value=10)])
    assert result.successful
    assert node.get_parameter("reasoning.lock_confidence").value == 0.8
    play(node, [0])
    rt = node.runtime
    assert rt.session.identifier.config.lock_confidence == 0.8 and rt.config.runtime.reason_every == 2
    send(node, "command", fake.String(data="the ball that rolls to the right"))  # 32 characters > 10
    play(node, [1])
    assert "over the limit of 10" in statuses(node)[-1]["error"]


def test_a_change_that_needs_a_restart_is_accepted_and_says_so(make_node):
    node = make_node()
    [result] = node.set_parameters([fake.Parameter("runtime.window_frames", value=300)])
    assert result.successful and "runtime.window_frames: accepted; takes effect after restart" == result.reason
    assert node.config.runtime.window_frames == 300 and node.running.runtime.window_frames == 150
    play(node, [0])
    assert node.runtime.config.runtime.window_frames == 150
    assert ("warning", result.reason) in node.logger.records


def test_parameters_that_are_not_config_keys_pass_through_and_read_only_ones_stay(make_node):
    node = make_node()
    assert node.set_parameters([fake.Parameter("use_sim_time", value=True)])[0].successful
    assert not node.set_parameters([fake.Parameter("config_file", value="other.yaml")])[0].successful


def test_turning_the_overlay_on_creates_its_publisher_and_publishes_rgb8(make_node):
    node = make_node(**{"output.overlay": False})
    play(node, [0])
    assert "target/overlay" not in node.publishers
    assert node.set_parameters([fake.Parameter("output.overlay", value=True)])[0].successful
    play(node, [1, 2])
    overlay = out(node, "target/overlay")[-1]
    assert overlay.encoding == "rgb8" and (overlay.height, overlay.width) == (H, W) and overlay.header == header(2)


# -- topics -------------------------------------------------------------------------------------------


def test_topics_and_qos_follow_the_design(make_node, ros):
    node = make_node()
    qos = ros.rclpy_qos
    assert node.subscriptions["image"].qos is qos.qos_profile_sensor_data
    assert node.subscriptions["image"].msg_type is fake.Image
    assert {"command", "sim/labels", "sim/objects"} <= set(node.subscriptions)
    assert set(node.publishers) == {"target/mask", "target/overlay", "target/detections", "candidates/detections",
                                    "status", "/diagnostics"}
    for pub in node.publishers.values():
        assert pub.qos.reliability == qos.ReliabilityPolicy.RELIABLE and pub.qos.depth == 10


def test_a_command_locks_the_target_and_the_mask_carries_the_input_header(make_node):
    node = make_node(**{"output.overlay": False})
    send(node, "sim/objects", fake.String(data=OBJECTS))
    send(node, "command", fake.String(data="the ball"))
    play(node, range(12))
    mask = out(node, "target/mask")[-1]
    assert mask.header == header(11) and mask.header.frame_id == "camera_optical"
    assert mask.encoding == "mono8" and isinstance(mask.data, array.array) and mask.data.typecode == "B"
    pixels = np.frombuffer(mask.data, np.uint8).reshape(mask.height, mask.step)
    assert set(np.unique(pixels)) == {0, 255} and np.array_equal(pixels == 255, scene(11)[1] == 2)
    status = statuses(node)[-1]
    assert status["state"] == "locked" and status["targets"] == [2] and "timing" in status
    targets = out(node, "target/detections")[-1]
    assert targets.header == header(11) and [d.id for d in targets.detections] == ["2"]
    assert targets.detections[0].results[0].hypothesis.class_id == "ball"
    box = targets.detections[0].bbox
    assert (box.center.position.x, box.size_x) == (60 + 22 + 10, 20.0)
    assert sorted(d.id for d in out(node, "candidates/detections")[-1].detections) == ["1", "2"]


def test_a_new_command_changes_the_target_and_an_empty_one_clears_it(make_node):
    node = make_node(**{"output.overlay": False})
    send(node, "sim/objects", fake.String(data=OBJECTS))
    send(node, "command", fake.String(data="the ball"))
    play(node, range(10))
    assert statuses(node)[-1]["targets"] == [2]
    send(node, "command", fake.String(data="the dog"))
    play(node, range(10, 20))
    assert statuses(node)[-1]["targets"] == [1]
    send(node, "command", fake.String(data=""))
    play(node, [20])
    assert statuses(node)[-1]["state"] == "no_command" and statuses(node)[-1]["targets"] == []
    assert not any(out(node, "target/mask")[-1].data) and out(node, "target/detections")[-1].detections == []


def test_a_bad_image_is_reported_and_the_next_frame_is_processed(make_node):
    node = make_node()
    bad = image(0)
    bad.encoding = "yuv422"
    send(node, "image", bad)
    wait_for(lambda: any("error" in s for s in statuses(node)))
    assert "unknown image encoding 'yuv422'" in statuses(node)[-1]["error"]
    assert out(node, "target/mask") == []
    play(node, [1])
    assert out(node, "target/mask")[-1].header == header(1)
    status, values = diagnostics(node)
    assert status.level == fake.DiagnosticStatus.WARN and "yuv422" in values["last error"]


def test_diagnostics_report_state_rate_drops_and_the_last_error(make_node):
    node = make_node()
    assert len(node.timers) == 1 and node.timers[0].period == 1.0
    play(node, range(3))
    node.timers[0].fire()
    status = out(node, "/diagnostics")[-1].status[0]
    values = {kv.key: kv.value for kv in status.values}
    assert status.level == fake.DiagnosticStatus.OK and status.name == "rvos: segmentation"
    assert values["state"] == "no_command" and values["processed"] == "3" and float(values["fps"]) > 0
    assert values["dropped"] == "0" and values["last error"] == "" and values["backend"] == "simulated"


def test_frames_published_faster_than_processed_are_dropped_and_counted(make_node):
    node = make_node()
    step = node.runtime.step

    def slow_step(frame):
        time.sleep(0.05)
        return step(frame)

    node.runtime.step = slow_step
    for i in range(8):
        send(node, "image", image(i))
    wait_for(lambda: out(node, "target/mask") and out(node, "target/mask")[-1].header == header(7))
    assert statuses(node)[-1]["dropped"] > 0
    assert len(out(node, "target/mask")) + statuses(node)[-1]["dropped"] == 8
    assert int(diagnostics(node)[1]["dropped"]) > 0


def test_compressed_input_reads_image_compressed(make_node, ros):
    node = make_node(compressed=True)
    sub = node.subscriptions["image/compressed"]
    assert "image" not in node.subscriptions and sub.qos is ros.rclpy_qos.qos_profile_sensor_data
    data = array.array("B", rgb_to_compressed_data(scene(0)[0], "png").tobytes())
    sub.deliver(fake.CompressedImage(header=header(0), format="png", data=data))
    wait_for(lambda: out(node, "target/mask"))
    assert out(node, "target/mask")[-1].header == header(0)


def test_the_models_backend_without_weights_reports_a_clear_error_instead_of_crashing(make_node, tmp_path):
    pytest.importorskip("torch")
    pytest.importorskip("sam2")
    node = make_node(**{"perception.backend": "models", "perception.models_dir": str(tmp_path),
                        "perception.device": "cpu"})
    assert node.processing_thread is None and "image" not in node.subscriptions
    status = statuses(node)[-1]
    assert "rvos-ros models pull" in status["error"] and status["state"] == "no_command"
    assert any(level == "error" and "models pull" in msg for level, msg in node.logger.records)
    diag, values = diagnostics(node)
    assert diag.level == fake.DiagnosticStatus.ERROR and "models pull" in values["last error"]
    assert len(statuses(node)) == 2  # repeated with each diagnostics tick for late subscribers


def test_the_models_backend_tracks_what_the_command_names_without_ground_truth(make_node, monkeypatch):
    from perception.fake_models import FakeDetector, FakeTracker

    from rvos_ros.perception.models import ModelPerception

    # stand-ins for the detector and SAM2: the ball as it is on frame 0, the tracker keeps that box
    detector = FakeDetector({"ball": [(60.0, 50.0, 80.0, 70.0)], "dog": [(10.0, 40.0, 40.0, 80.0)]})
    monkeypatch.setattr(ModelPerception, "from_config",
                        classmethod(lambda cls, cfg: cls(detector, FakeTracker(), cfg.perception)))
    node = make_node(**{"perception.backend": "models", "output.overlay": False})
    assert node.processing_thread is not None and "image" in node.subscriptions
    assert "sim/labels" not in node.subscriptions and "sim/objects" not in node.subscriptions
    send(node, "command", fake.String(data="the ball"))
    play(node, range(12), with_labels=False)
    assert detector.phrase_calls == [("ball",)]
    status = statuses(node)[-1]
    assert not status.get("error") and status["targets"] == [1]
    pixels = np.frombuffer(out(node, "target/mask")[-1].data, np.uint8).reshape(H, W)
    assert np.count_nonzero(pixels[50:70, 60:80]) == 400 and np.count_nonzero(pixels) == 400


# -- lifecycle ----------------------------------------------------------------------------------------


def test_destroying_the_node_joins_the_processing_thread(make_node):
    node = make_node()
    thread = node.processing_thread
    assert thread.is_alive()
    node.destroy_node()
    assert not thread.is_alive() and node.destroyed


@pytest.mark.parametrize("interrupt", [KeyboardInterrupt(), fake.ExternalShutdownException()])
def test_main_spins_and_shuts_down_cleanly_on_interrupt(ros, interrupt):
    ros.state.spin_raises = interrupt
    assert ros.node.main([]) == 0
    [node] = ros.state.spun
    assert node.destroyed and not node.processing_thread.is_alive()
    assert ros.state.shutdowns == 1 and not ros.state.initialized


def test_main_exits_2_with_one_line_on_a_bad_config(ros, capsys):
    assert ros.node.main(["--ros-args", "-p", "reasoning.switch_patience:=0"]) == 2
    assert capsys.readouterr().err.startswith("error: config key 'reasoning.switch_patience': must be >= 1")
    assert ros.state.shutdowns == 1


# -- launch file --------------------------------------------------------------------------------------


def test_the_launch_file_declares_its_arguments_and_starts_rvos_node(monkeypatch):
    path = ROOT / "launch" / "rvos.launch.py"
    py_compile.compile(str(path), doraise=True)
    cls = fake.install_launch(monkeypatch)
    spec = importlib.util.spec_from_file_location("rvos_launch_under_test", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    desc = mod.generate_launch_description()
    [entities] = desc.args
    args = [e.args[0] for e in entities if isinstance(e, cls["DeclareLaunchArgument"])]
    assert args == ["image_topic", "config_file", "namespace", "use_sim_time"]
    [node] = [e for e in entities if isinstance(e, cls["Node"])]
    kw = node.kwargs
    assert (kw["package"], kw["executable"]) == ("rvos_ros", "rvos_node")
    assert kw["namespace"] == cls["LaunchConfiguration"]("namespace")
    assert ("image", cls["LaunchConfiguration"]("image_topic")) in kw["remappings"]
    [params] = kw["parameters"]
    assert params["use_sim_time"] == cls["ParameterValue"](cls["LaunchConfiguration"]("use_sim_time"), value_type=bool)
    assert params["config_file"].args[0] == cls["LaunchConfiguration"]("config_file")
