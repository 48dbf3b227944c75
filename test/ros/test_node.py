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
    ns.state.clock_ns = lambda: stamp(0)  # a simulated /clock at the scene's start: frames are never stale
    sys.modules.pop("rvos_ros.ros.node", None)
    ns.node = importlib.import_module("rvos_ros.ros.node")
    yield ns
    sys.modules.pop("rvos_ros.ros.node", None)


@pytest.fixture
def context(ros):
    """The fake rclpy with an initialized context: nodes need one, as under main()."""
    ros.rclpy.init(args=[])
    yield ros
    ros.rclpy.try_shutdown()


@pytest.fixture
def make_node(context):
    ros = context
    nodes = []

    def make(**params):
        # these tests feed ground truth on sim/*: the oracle, unless a test asks for the models
        params.setdefault("perception.backend", "simulated")
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
                     "runtime.mode": "live", "perception.backend": "simulated"})
    assert {k: node.get_parameter(k).value for k in expected} == expected
    assert node.get_parameter("config_file").value == str(cfg)
    assert node.config.runtime.reason_every == 3 and node.runtime.config.reasoning.lock_confidence == 0.7
    assert "Frames between periodic reasoning" in node.describe_parameter("runtime.reason_every").description
    assert node.describe_parameter("perception.backend").additional_constraints == "one of: simulated, models"
    assert "Read-only at run time" in node.describe_parameter("perception.noise.seed").description
    assert node.describe_parameter("perception.noise.seed").read_only
    assert not node.describe_parameter("reasoning.lock_confidence").read_only
    assert node.describe_parameter("runtime.mode").read_only
    assert "target/overlay" not in node.publishers  # output.overlay: false


def test_parameters_given_at_start_win_over_the_config_file_and_floats_take_integers(make_node):
    node = make_node(**{"runtime.reason_every": 7, "runtime.fps": 30, "runtime.mode": "deterministic"})
    assert node.config.runtime.reason_every == 7 and node.config.runtime.fps == 30.0
    assert node.get_parameter("runtime.mode").value == "live" and node.config.runtime.mode == "live"


def test_numbers_carry_their_range_for_rqt_sliders(make_node):
    from rvos_ros.config import RANGES

    node = make_node()
    [fp] = node.describe_parameter("reasoning.lock_confidence").floating_point_range
    assert (fp.from_value, fp.to_value) == RANGES["reasoning.lock_confidence"] == (0.0, 1.0)
    [ir] = node.describe_parameter("perception.grounding.max_tracks").integer_range
    assert (ir.from_value, ir.to_value, ir.step) == (1, 64, 1)
    assert not node.describe_parameter("perception.backend").floating_point_range


def test_an_invalid_start_value_or_config_file_stops_the_node_with_the_reason(context):
    ros = context
    with pytest.raises(ConfigError, match=r"reasoning.lock_confidence.*must be in \[0.0, 1.0\], got 5.0"):
        ros.node.RvosNode(parameter_overrides=[fake.Parameter("reasoning.lock_confidence", value=5.0)])
    with pytest.raises(ConfigError, match="does not exist"):
        ros.node.RvosNode(parameter_overrides=[fake.Parameter("config_file", value="/nonexistent/rvos.yaml")])


def test_a_bad_parameter_change_is_rejected_with_the_config_error_and_nothing_changes(make_node):
    node = make_node()
    [result] = node.set_parameters([fake.Parameter("reasoning.lock_confidence", value=1.5)])
    assert not result.successful and "reasoning.lock_confidence out of range" in result.reason  # the descriptor
    [result] = node.set_parameters([fake.Parameter("reasoning.lock_confidence", value=0.0)])  # in range, but open
    assert not result.successful
    assert "reasoning.lock_confidence" in result.reason and "must be in (0, 1], got 0.0" in result.reason
    [result] = node.set_parameters([fake.Parameter("output.overlay", value="yes")])
    assert not result.successful and "Wrong parameter type" in result.reason
    [result] = node.set_parameters([fake.Parameter("perception.backend", value="lidar")])
    assert not result.successful and "read-only" in result.reason
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


def test_a_key_that_needs_a_restart_is_read_only_at_run_time_so_param_get_shows_what_runs(make_node):
    node = make_node()
    [result] = node.set_parameters([fake.Parameter("runtime.window_frames", value=300)])
    assert not result.successful and "read-only" in result.reason
    assert node.get_parameter("runtime.window_frames").value == 150 == node.config.runtime.window_frames
    play(node, [0])
    assert node.runtime.config.runtime.window_frames == 150


def test_a_wrong_typed_start_value_stops_the_node_with_one_line_naming_the_key(context):
    ros = context
    with pytest.raises(ConfigError, match=r"'runtime.reason_every'.*must be an integer, got 'abc'"):
        ros.node.RvosNode(parameter_overrides=[fake.Parameter("runtime.reason_every", value="abc")])
    with pytest.raises(ConfigError, match=r"'output.overlay'.*must be true or false"):
        ros.node.RvosNode(parameter_overrides=[fake.Parameter("output.overlay", value=3)])


def test_an_out_of_range_start_value_stops_the_node_naming_the_key_and_the_range(context):
    ros = context
    with pytest.raises(ConfigError, match=r"'perception.grounding.max_tracks': must be in \[1, 64\], got 10000"):
        ros.node.RvosNode(parameter_overrides=[fake.Parameter("perception.grounding.max_tracks", value=10000)])
    with pytest.raises(ConfigError, match=r"'perception.device': must be auto, cpu, mps, cuda or cuda:N"):
        ros.node.RvosNode(parameter_overrides=[fake.Parameter("perception.device", value="gpu0")])


def test_a_misspelt_start_value_is_refused_naming_the_closest_key(context):
    ros = context
    with pytest.raises(ConfigError, match=r"unknown parameter 'reasoning.lock_confidnce'.*'reasoning.lock_confidence'"):
        ros.node.RvosNode(parameter_overrides=[fake.Parameter("reasoning.lock_confidnce", value=0.7)])
    with pytest.raises(ConfigError, match=r"unknown parameter 'zzz' given at start; `ros2 param list`"):
        ros.node.RvosNode(parameter_overrides=[fake.Parameter("zzz", value=1)])


def test_parameters_rclpy_owns_are_not_refused_as_unknown(make_node):
    node = make_node(**{"qos_overrides./image.subscription.depth": 3, "use_sim_time": True})
    assert node.get_parameter("use_sim_time").value is True


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
    assert set(node.publishers) == {"target/mask", "target/detections", "candidates/detections", "status",
                                    "/diagnostics"}  # target/overlay only when output.overlay is on
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
    bad.encoding = "bogus8"
    send(node, "image", bad)
    wait_for(lambda: any("error" in s for s in statuses(node)))
    assert "unknown image encoding 'bogus8'" in statuses(node)[-1]["error"]
    assert out(node, "target/mask") == []
    play(node, [1])
    assert out(node, "target/mask")[-1].header == header(1)
    status, values = diagnostics(node)
    assert status.level == fake.DiagnosticStatus.WARN and "bogus8" in values["last error"]


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
    status = statuses(node)[-1]
    assert "rvos-ros models pull" in status["error"] and status["state"] == "no_command"
    assert any(level == "error" and "models pull" in msg for level, msg in node.logger.records)
    diag, values = diagnostics(node)
    assert diag.level == fake.DiagnosticStatus.ERROR and "models pull" in diag.message
    assert len(statuses(node)) == 2  # repeated with each diagnostics tick for late subscribers
    # it keeps running: commands are taken, every frame gets an empty mask with its header and the reason
    send(node, "command", fake.String(data="the dog"))
    play(node, [0, 1], with_labels=False)
    mask = out(node, "target/mask")[-1]
    assert mask.header == header(1) and not any(mask.data)
    assert "models pull" in statuses(node)[-1]["error"] and statuses(node)[-1]["frame_id"] == "camera_optical"


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


def test_diagnostics_name_the_host_and_device_and_carry_per_stage_latency(make_node):
    node = make_node(**{"perception.device": "cpu"})
    send(node, "sim/objects", fake.String(data=OBJECTS))
    play(node, range(3))
    diag, values = diagnostics(node)
    assert diag.hardware_id.endswith("/cpu") and len(diag.hardware_id) > len("/cpu")
    assert float(values["latency perception ms"]) >= 0 and float(values["latency total ms"]) > 0


def test_the_oracle_without_ground_truth_is_an_error_on_diagnostics(make_node):
    node = make_node()
    play(node, range(31), with_labels=False)
    diag, _ = diagnostics(node)
    assert diag.level == fake.DiagnosticStatus.ERROR
    assert "ground-truth oracle" in diag.message and "perception.backend: models" in diag.message


def test_no_camera_input_is_an_error_and_stale_frames_a_warning(make_node, ros):
    node = make_node(**{"diagnostics.no_input_s": 0.1, "diagnostics.min_fps": 0.0})
    time.sleep(0.15)
    diag, _ = diagnostics(node)
    assert diag.level == fake.DiagnosticStatus.ERROR and "no camera frame for" in diag.message
    ros.state.clock_ns = lambda: stamp(0) + 5_000_000_000  # the node's clock is 5 s ahead of the camera's stamps
    node.set_parameters([fake.Parameter("diagnostics.no_input_s", value=60.0)])
    send(node, "sim/objects", fake.String(data=OBJECTS))
    play(node, [0])
    diag, values = diagnostics(node)
    assert diag.level == fake.DiagnosticStatus.WARN and "stale frames" in diag.message
    assert float(values["stamp age max s"]) == pytest.approx(5.0, abs=0.01)


def test_the_status_carries_the_frame_stamp_and_frame_id_to_match_its_mask(make_node):
    node = make_node()
    play(node, [4])
    status = statuses(node)[-1]
    s = stamp(4)
    assert status["stamp"] == {"sec": s // 1_000_000_000, "nanosec": s % 1_000_000_000}
    assert status["frame_id"] == out(node, "target/mask")[-1].header.frame_id == "camera_optical"


def test_masks_only_when_locked_hides_a_provisional_target(make_node):
    node = make_node(**{"output.masks_only_when_locked": True})
    send(node, "sim/objects", fake.String(data=OBJECTS))
    send(node, "command", fake.String(data="the sitting ball"))  # posture: rules alone stay below lock
    play(node, range(10))
    assert statuses(node)[-1]["targets"] == [2] and statuses(node)[-1]["state"] != "locked"
    assert not any(out(node, "target/mask")[-1].data)
    node.set_parameters([fake.Parameter("output.masks_only_when_locked", value=False)])
    play(node, [10, 11])
    assert any(out(node, "target/mask")[-1].data)  # the provisional target, state named in the status


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


def test_main_spins_until_the_context_shuts_down(ros, monkeypatch):
    import threading

    monkeypatch.setenv("RVOS_ROS_HOME", "/nonexistent-rvos-home")  # the models backend finds no weights: it says so
    stopper = threading.Timer(0.5, ros.rclpy.shutdown)
    stopper.start()
    assert ros.node.main([]) == 0
    [node] = ros.state.spun
    assert node.destroyed and ros.state.shutdowns == 1


def test_a_context_shut_down_while_processing_ends_the_processing_quietly(make_node, ros):
    node = make_node()
    play(node, [0])
    ros.rclpy.shutdown()  # what rclpy's SIGINT handler does before spin returns
    send(node, "image", image(1))  # a frame already in the mailbox: publishing it fails
    node.processing_thread.join(timeout=5.0)
    assert not node.processing_thread.is_alive()
    assert not any("processing failed" in msg for _, msg in node.logger.records)


def test_main_exits_2_with_one_line_on_a_bad_config(ros, capsys):
    assert ros.node.main(["--ros-args", "-p", "reasoning.switch_patience:=0"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: config key 'reasoning.switch_patience': must be in [1, 100], got 0")
    assert ros.state.shutdowns == 1


# -- launch file --------------------------------------------------------------------------------------


def _launch(monkeypatch, **given):
    """Run launch/rvos.launch.py's description against fake launch modules: (declared arguments, the node, classes)."""
    from types import SimpleNamespace

    path = ROOT / "launch" / "rvos.launch.py"
    py_compile.compile(str(path), doraise=True)
    cls = fake.install_launch(monkeypatch)
    spec = importlib.util.spec_from_file_location("rvos_launch_under_test", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    [entities] = mod.generate_launch_description().args
    declared = {e.args[0]: e.kwargs["default_value"] for e in entities if isinstance(e, cls["DeclareLaunchArgument"])}
    [opaque] = [e for e in entities if isinstance(e, cls["OpaqueFunction"])]
    context = SimpleNamespace(launch_configurations={**declared, **given})
    [node] = opaque.kwargs["function"](context)
    return declared, node, cls


def test_the_launch_file_declares_its_arguments_and_starts_rvos_node(monkeypatch):
    declared, node, cls = _launch(monkeypatch)
    assert {"image_topic", "compressed", "command_topic", "backend", "preset", "config_file", "params_file",
            "node_name", "namespace", "log_level", "use_sim_time"} == set(declared)
    kw = node.kwargs
    assert (kw["package"], kw["executable"], kw["name"], kw["namespace"]) == ("rvos_ros", "rvos_node", "rvos", "")
    assert kw["remappings"] == [("image", "image"), ("image/compressed", "image/compressed"), ("command", "command")]
    [params] = kw["parameters"]
    assert params["use_sim_time"] == cls["ParameterValue"]("false", value_type=bool)
    assert params["compressed"] == cls["ParameterValue"]("false", value_type=bool)
    assert params["config_file"] == cls["ParameterValue"]("/opt/ros/jazzy/share/rvos_ros/config/rvos.yaml",
                                                          value_type=str)
    assert kw["arguments"] == ["--ros-args", "--log-level", "info"]


def test_the_launch_arguments_reach_the_node(monkeypatch):
    _, node, cls = _launch(monkeypatch, image_topic="/cam/image_raw", compressed="true", command_topic="/say",
                           backend="simulated", preset="orin", params_file="/tmp/p.yaml", node_name="left",
                           namespace="robot", log_level="debug")
    kw = node.kwargs
    assert (kw["name"], kw["namespace"]) == ("left", "robot")
    assert ("image/compressed", "/cam/image_raw/compressed") in kw["remappings"]  # compressed follows the camera
    assert ("command", "/say") in kw["remappings"]
    base, backend, params_file = kw["parameters"]
    orin = "/opt/ros/jazzy/share/rvos_ros/config/orin.yaml"
    assert base["config_file"] == cls["ParameterValue"](orin, value_type=str)
    assert base["compressed"] == cls["ParameterValue"]("true", value_type=bool)
    assert backend == {"perception.backend": cls["ParameterValue"]("simulated", value_type=str)}
    assert params_file == "/tmp/p.yaml" and kw["arguments"][-1] == "debug"
    _, node, cls = _launch(monkeypatch, config_file="/etc/rvos.yaml", preset="rtx")
    assert node.kwargs["parameters"][0]["config_file"] == cls["ParameterValue"]("/etc/rvos.yaml", value_type=str)
