"""The DDS transport: ROS 2 wire bytes, and `serve`/`play` over real Cyclone DDS in separate processes.

Every DDS test stays on the loopback interface (``loopback_uri``) on a random
domain, so parallel runs neither mix nor leave this machine.
"""

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
from dog_ball_scene import FPS, START, H, N, W, scene, stamp

from rvos_ros.cli import main
from rvos_ros.errors import ConfigError, InputError
from rvos_ros.interface.messages import (
    COMPRESSED,
    DETECTIONS,
    IMAGE,
    STRING,
    detections_msg,
    header,
    image_msg,
    string_msg,
    typestore,
)
from rvos_ros.ros.dds import domain_id, loopback_uri, ros_topic
from rvos_ros.types import Track

try:
    import cyclonedds  # noqa: F401

    HAVE_DDS = True
except ImportError:
    HAVE_DDS = False
needs_dds = pytest.mark.skipif(not HAVE_DDS,
                               reason="cyclonedds is not installed (pip install cyclonedds: the dds extra)")


@pytest.fixture
def domain():
    return random.SystemRandom().randint(50, 200)


def cli(domain: int, *args: str) -> subprocess.Popen:
    env = dict(os.environ, ROS_DOMAIN_ID=str(domain), CYCLONEDDS_URI=loopback_uri())
    return subprocess.Popen([sys.executable, "-m", "rvos_ros.cli", *args, "--loopback"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen, sig: int | None = None, timeout: float = 20.0) -> tuple[int, str]:
    if sig is not None and proc.poll() is None:
        proc.send_signal(sig)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    return proc.returncode, out + err


class Outputs:
    """The test's subscriber to serve's outputs."""

    def __init__(self, node):
        from rvos_ros.ros.dds_types import Detection2DArray, Image, String, stamp_of

        self.lock = threading.Lock()
        self.masks: list[tuple[int, str, np.ndarray, float]] = []
        self.status: list[dict] = []
        self.targets: dict[int, list[str]] = {}

        def on_mask(m):
            arr = np.frombuffer(m.data, np.uint8).reshape(m.height, m.width)
            with self.lock:
                self.masks.append((stamp_of(m.header), m.header.frame_id, arr, time.monotonic()))

        def on_targets(m):
            with self.lock:
                self.targets[stamp_of(m.header)] = [d.id for d in m.detections]

        self.subs = [node.subscribe("target/mask", Image, on_mask),
                     node.subscribe("status", String, lambda m: self.status.append(json.loads(m.data))),
                     node.subscribe("target/detections", Detection2DArray, on_targets)]

    def wait_matched(self, timeout=20.0) -> bool:
        return all(s.wait_matched(1, timeout) for s in self.subs)

    def wait_quiet(self, quiet_s=1.0, timeout=20.0) -> None:
        """Until no mask arrived for ``quiet_s`` seconds."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            with self.lock:
                last = self.masks[-1][3] if self.masks else 0.0
            if self.masks and time.monotonic() - last > quiet_s:
                return
            time.sleep(0.05)


# -- wire format -------------------------------------------------------------------------------


def test_topic_names_domain_and_loopback_config():
    assert ros_topic("image") == "rt/image" and ros_topic("/sim/labels") == "rt/sim/labels"
    assert ros_topic("target/mask/") == "rt/target/mask"
    with pytest.raises(InputError, match=r"not a valid ROS topic"):
        ros_topic("/")
    with pytest.raises(InputError, match=r"not a valid ROS topic"):
        ros_topic("a//b")
    assert domain_id({}) == 0 and domain_id({"ROS_DOMAIN_ID": " 42 "}) == 42
    with pytest.raises(ConfigError, match=r"ROS_DOMAIN_ID='x' is not an integer"):
        domain_id({"ROS_DOMAIN_ID": "x"})
    with pytest.raises(ConfigError, match=r"ROS_DOMAIN_ID=300 is out of range"):
        domain_id({"ROS_DOMAIN_ID": "300"})
    uri = loopback_uri()
    assert '<NetworkInterface name="lo"/>' in uri and "<AllowMulticast>false</AllowMulticast>" in uri
    assert '<Peer address="127.0.0.1"/>' in uri


@needs_dds
def test_serialization_is_byte_identical_to_rosbags_cdr():
    from rvos_ros.ros.dds_types import (
        CompressedImage,
        Detection2DArray,
        DiagnosticArray,
        Header,
        Image,
        String,
        detections_out,
        diagnostics_out,
        header_out,
        image_out,
    )

    store = typestore()
    rgb = np.random.default_rng(0).integers(0, 255, (7, 5, 3), dtype=np.uint8)
    for arr, enc in [(rgb, "rgb8"), (rgb[:, :, 0].copy(), "mono8")]:
        ours = image_out(header_out(1_234_567_890_123, "cam"), arr, enc).serialize()
        theirs = store.serialize_cdr(image_msg(header(1_234_567_890_123, "cam"), arr, enc), IMAGE).tobytes()
        assert ours == theirs and ours[:4] == b"\x00\x01\x00\x00"  # CDR little endian, as ROS 2 sends
    padded = store.serialize_cdr(type(image_msg(header(5, "c"), rgb, "rgb8"))(
        header=header(5, "c"), height=7, width=5, encoding="bgr8", is_bigendian=0, step=18,
        data=np.arange(7 * 18, dtype=np.uint8)), IMAGE).tobytes()
    msg = Image.deserialize(padded)
    assert (msg.step, msg.encoding, msg.data) == (18, "bgr8", bytes(range(7 * 18)))
    assert msg.serialize() == padded
    for text in ["", "the ball", "der Hund, der nach links läuft 🐕"]:
        assert String(text).serialize() == store.serialize_cdr(string_msg(text), STRING).tobytes()
    tracks = (Track(id=1, label="dog", score=0.5, box=(10.0, 40.0, 40.0, 80.0), visible=True),
              Track(id=27, label="red ball", score=0.8125, box=(61.5, 50.25, 81.0, 70.0), visible=True))
    for ts in [(), tracks]:
        ours = detections_out(header_out(START, "camera"), ts).serialize()
        theirs = store.serialize_cdr(detections_msg(header(START, "camera"), ts), DETECTIONS).tobytes()
        assert ours == theirs
        back = Detection2DArray.deserialize(theirs)
        assert [d.id for d in back.detections] == [str(t.id) for t in ts]
    ci = store.types[COMPRESSED](header=header(7, "cam"), format="png", data=np.arange(13, dtype=np.uint8))
    raw = store.serialize_cdr(ci, COMPRESSED).tobytes()
    assert CompressedImage(header_out(7, "cam"), "png", bytes(range(13))).serialize() == raw
    assert CompressedImage.deserialize(raw).data == bytes(range(13))
    diag = diagnostics_out(START, "rvos: segmentation", 1, "1 bad message(s) dropped", {"state": "locked"})
    t = store.types
    theirs = store.serialize_cdr(t[DIAGNOSTICS](header=header(START, ""), status=[t[DIAG_STATUS](
        level=1, name="rvos: segmentation", message="1 bad message(s) dropped", hardware_id="",
        values=[t[KEY_VALUE](key="state", value="locked")])]), DIAGNOSTICS).tobytes()
    assert diag.serialize() == theirs
    assert DiagnosticArray.__idl_typename__ == "diagnostic_msgs::msg::dds_::DiagnosticArray_"
    assert Header.__idl_typename__ == "std_msgs::msg::dds_::Header_"
    assert Image.__idl_typename__ == "sensor_msgs::msg::dds_::Image_"
    assert Detection2DArray.__idl_typename__ == "vision_msgs::msg::dds_::Detection2DArray_"


@needs_dds
def test_a_domain_opens_once_per_process_with_loopback(domain):
    from rvos_ros.ros.dds import DdsNode

    with DdsNode(domain, loopback=True) as node:
        assert node.domain_id == domain
        with pytest.raises(ConfigError, match=rf"DDS domain {domain} is already open"):
            DdsNode(domain, loopback=True)


# -- serve and play, two processes ------------------------------------------------------------------


@needs_dds
def test_serve_segments_the_commanded_object_live(domain):
    from rvos_ros.ros.dds import DdsNode
    from rvos_ros.ros.dds_types import Image, String, header_out, image_out

    proc = cli(domain, "serve", "--perception", "simulated", "--max-frames", str(N), "--duration", "60")
    try:
        with DdsNode(domain, loopback=True) as node:
            outputs = Outputs(node)
            image = node.publisher("image", Image, "sensor")
            command = node.publisher("command", String)
            labels = node.publisher("sim/labels", Image)
            objects = node.publisher("sim/objects", String, "latched")
            assert all(p.wait_matched(1, 30.0) for p in (image, command, labels, objects)), finish(proc, signal.SIGINT)
            assert outputs.wait_matched(), "serve's outputs were not discovered"
            time.sleep(0.3)  # let serve's writers see our readers too
            objects.write(String(json.dumps({"objects": {"1": {"category": "dog"}, "2": {"category": "ball"}}})))
            command.write(String("the ball"))
            bad = image_out(header_out(START - 1, "camera"), scene(0)[0], "rgb8")
            bad.encoding = "nv24"
            image.write(bad)  # dropped and reported; the loop goes on
            time.sleep(0.2)
            t0 = time.monotonic()
            for i in range(N):
                img, ids = scene(i)
                labels.write(image_out(header_out(stamp(i), "camera"), ids, "mono8"))
                image.write(image_out(header_out(stamp(i), "camera"), img, "rgb8"))
                time.sleep(max(0.0, t0 + (i + 1) / FPS - time.monotonic()))
            outputs.wait_quiet()
            rc, log = finish(proc, signal.SIGINT)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert rc == 0, log
    assert "frames processed" in log
    masks = outputs.masks
    stamps = {stamp(i): i for i in range(N)}
    assert int(0.6 * N) <= len(masks) <= N, f"{len(masks)} masks for {N} frames"
    assert all(s in stamps and fid == "camera" and m.shape == (H, W) for s, fid, m, _ in masks)
    assert len({s for s, *_ in masks}) == len(masks)  # one mask per processed frame
    assert any(s["state"] == "locked" and s["targets"] == [2] for s in outputs.status)
    assert all("dropped" in s for s in outputs.status)
    assert any("nv24" in s.get("error", "") for s in outputs.status)
    on_ball = 0
    for s, _, m, _ in masks:
        got = m > 0
        assert set(np.unique(m)) <= {0, 255}
        assert not (got & (scene(stamps[s])[1] == 1)).any()  # never the dog
        if outputs.targets.get(s) == ["2"]:
            ball = scene(stamps[s])[1] == 2
            assert (got & ball).sum() / (got | ball).sum() >= 0.8
            on_ball += 1
    assert on_ball >= 10


DIAGNOSTICS, DIAG_STATUS, KEY_VALUE = ("diagnostic_msgs/msg/DiagnosticArray", "diagnostic_msgs/msg/DiagnosticStatus",
                                      "diagnostic_msgs/msg/KeyValue")


@needs_dds
def test_serve_takes_compressed_frames_and_reports_health_on_diagnostics(domain):
    import cv2

    from rvos_ros.ros.dds import DdsNode
    from rvos_ros.ros.dds_types import CompressedImage, DiagnosticArray, header_out, stamp_of

    frames = 20
    diags: list = []
    proc = cli(domain, "serve", "--perception", "simulated", "--compressed", "--image-topic", "cam",
               "--max-frames", str(frames), "--duration", "60")
    try:
        with DdsNode(domain, loopback=True) as node:
            outputs = Outputs(node)
            node.subscribe("/diagnostics", DiagnosticArray, diags.append)
            image = node.publisher("cam/compressed", CompressedImage, "sensor")
            assert image.wait_matched(1, 30.0), finish(proc, signal.SIGINT)
            assert outputs.wait_matched()
            time.sleep(0.3)
            image.write(CompressedImage(header_out(START - 1, "camera"), "png", b"not a png"))
            time.sleep(1.5)  # at least one diagnostics tick sees the bad frame
            for i in range(frames):
                ok, png = cv2.imencode(".png", cv2.cvtColor(scene(i)[0], cv2.COLOR_RGB2BGR))
                image.write(CompressedImage(header_out(stamp(i), "camera"), "png", png.tobytes()))
                time.sleep(1.0 / FPS)
            outputs.wait_quiet()
            rc, log = finish(proc, signal.SIGINT)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert rc == 0, log
    stamps = {stamp(i) for i in range(frames)}
    assert int(0.6 * frames) <= len(outputs.masks) <= frames
    assert all(s in stamps and m.shape == (H, W) for s, _, m, _ in outputs.masks)
    assert diags, "no /diagnostics published"
    statuses = [d.status[0] for d in diags]
    assert all(s.name == "rvos_serve: segmentation" and s.level in (0, 1) for s in statuses)
    warn = [s for s in statuses if s.level == 1]
    assert warn and "bad message" in warn[0].message
    values = {kv.key: kv.value for kv in statuses[-1].values}
    assert {"state", "fps", "processed", "dropped", "last error", "backend"} <= set(values)
    assert values["backend"] == "simulated" and stamp_of(diags[-1].header) > 0


@needs_dds
def test_serve_drops_what_it_cannot_keep_up_with_instead_of_queueing(domain):
    from rvos_ros.ros.dds import DdsNode
    from rvos_ros.ros.dds_types import Image, header_out, image_out

    frames = 200
    proc = cli(domain, "serve", "--perception", "simulated", "--duration", "60")
    try:
        with DdsNode(domain, loopback=True) as node:
            outputs = Outputs(node)
            image = node.publisher("image", Image, "sensor")
            assert image.wait_matched(1, 30.0), finish(proc, signal.SIGTERM)
            assert outputs.wait_matched()
            time.sleep(0.3)
            rng = np.random.default_rng(3)
            pixels = [rng.integers(0, 255, (480, 640, 3), dtype=np.uint8) for _ in range(4)]
            t0 = time.monotonic()
            for i in range(frames):  # 200 Hz
                image.write(image_out(header_out(stamp(i), "camera"), pixels[i % 4], "rgb8"))
                time.sleep(max(0.0, t0 + (i + 1) / 200.0 - time.monotonic()))
            time.sleep(0.5)
            after_half_s = len(outputs.masks)
            time.sleep(1.0)
            after_1_5_s = len(outputs.masks)
            rc, log = finish(proc, signal.SIGTERM)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert rc == 0, log
    dropped = max(s["dropped"] for s in outputs.status)
    assert dropped > 0
    assert 0 < len(outputs.masks) <= frames and len(outputs.masks) + dropped <= frames
    assert after_1_5_s - after_half_s <= 1, "a backlog kept draining after the camera stopped"


@needs_dds
def test_play_publishes_a_bag_live_with_its_headers(tmp_path, domain):
    from rvos_ros.bag.scene_bag import write_scene_bag
    from rvos_ros.ros.dds import DdsNode
    from rvos_ros.ros.dds_types import Image, String, stamp_of

    bag = tmp_path / "scene"
    write_scene_bag(bag, (scene(i) for i in range(N)), fps=FPS, categories={1: "dog", 2: "ball"},
                    commands=[(0.0, "the ball")], start_ns=START)
    got: dict[str, list] = {"image": [], "labels": [], "command": [], "objects": []}
    proc = cli(domain, "play", str(bag), "--rate", "2", "--wait", "20")
    try:
        with DdsNode(domain, loopback=True) as node:
            def keep(kind):
                return lambda m: got[kind].append((m, time.monotonic()))
            node.subscribe("image", Image, keep("image"), "sensor")
            node.subscribe("sim/labels", Image, keep("labels"))
            node.subscribe("command", String, keep("command"))
            node.subscribe("sim/objects", String, keep("objects"), "latched")
            rc, log = finish(proc, timeout=40.0)
            time.sleep(0.2)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert rc == 0, log
    stamps = {stamp(i): i for i in range(N)}
    images = got["image"]
    assert int(0.8 * N) <= len(images) <= N
    for m, _ in images:
        i = stamps[stamp_of(m.header)]
        assert m.header.frame_id == "camera" and m.encoding == "rgb8"
        assert np.array_equal(np.frombuffer(m.data, np.uint8).reshape(H, W, 3), scene(i)[0])
    assert sorted(stamp_of(m.header) for m, _ in got["labels"]) == sorted(stamps)  # reliable: all of them
    assert [m.data for m, _ in got["command"]] == ["the ball"]
    assert json.loads(got["objects"][0][0].data)["objects"]["2"]["category"] == "ball"
    span = images[-1][1] - images[0][1]
    assert 1.0 <= span <= 4.0, f"{N} frames at 15 Hz played at rate 2 took {span:.2f} s"


@needs_dds
def test_play_publishes_a_compressed_camera_topic_as_recorded(tmp_path, domain):
    import cv2

    from rvos_ros.bag.reader import BagTopics
    from rvos_ros.bag.scene_bag import write_scene_bag
    from rvos_ros.ros.dds import DdsNode
    from rvos_ros.ros.dds_types import CompressedImage, stamp_of

    bag = tmp_path / "scene"
    write_scene_bag(bag, (scene(i) for i in range(5)), fps=FPS, topics=BagTopics(image="/cam/compressed"),
                    encoding="png", start_ns=START)
    got: list = []
    proc = cli(domain, "play", str(bag), "--image-topic", "/cam/compressed", "--rate", "4", "--wait", "20")
    try:
        with DdsNode(domain, loopback=True) as node:
            node.subscribe("cam/compressed", CompressedImage, got.append, "sensor")
            rc, log = finish(proc, timeout=40.0)
            time.sleep(0.2)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert rc == 0, log
    assert 3 <= len(got) <= 5 and all(m.format.endswith("png compressed bgr8") for m in got)
    for m in got:
        i = round((stamp_of(m.header) - START) * FPS / 1e9)
        bgr = cv2.imdecode(np.frombuffer(m.data, np.uint8), cv2.IMREAD_COLOR)
        assert np.array_equal(bgr[:, :, ::-1], scene(int(i))[0])


def test_serve_and_play_give_clear_errors(tmp_path, capsys):
    config = tmp_path / "no_weights.yaml"
    config.write_text(f"perception: {{models_dir: {str(tmp_path)!r}, device: cpu}}\n")
    assert main(["serve", "--perception", "models", "--loopback", "--config", str(config)]) == 2
    err = capsys.readouterr().err  # the weights are missing (or, without the models extra, torch is)
    assert "rvos-ros models pull" in err or "pip install rvos_ros[models]" in err
    assert main(["play", str(tmp_path / "missing"), "--loopback"]) == 2
    assert "does not exist" in capsys.readouterr().err


@needs_dds
def test_serve_outlives_a_camera_process_that_goes_away_and_comes_back(tmp_path, domain):
    from rvos_ros.bag.scene_bag import write_scene_bag
    from rvos_ros.ros.dds import DdsNode

    bags = []
    for k, start in enumerate((START, START + 100 * 1_000_000_000)):
        bag = tmp_path / f"cam{k}"
        write_scene_bag(bag, (scene(i) for i in range(12)), fps=FPS, start_ns=start)
        bags.append(bag)
    proc = cli(domain, "serve", "--perception", "simulated", "--duration", "90")
    try:
        with DdsNode(domain, loopback=True) as node:
            outputs = Outputs(node)
            assert outputs.wait_matched(30.0)
            for bag in bags:  # each `play` is a camera process that appears, publishes and exits
                rc_play, log_play = finish(cli(domain, "play", str(bag), "--wait", "20"), timeout=60.0)
                assert rc_play == 0, log_play
                time.sleep(0.5)
            outputs.wait_quiet()
            rc, log = finish(proc, signal.SIGINT)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert rc == 0, log
    got = {s for s, *_ in outputs.masks}
    assert any(s < START + 50 * 1_000_000_000 for s in got), "no mask from the first camera"
    assert any(s >= START + 100 * 1_000_000_000 for s in got), "no mask after the camera came back"
