"""The rclpy node (console script ``rvos_node``): a thin adapter over the live loop.

Topics follow docs/contracts.md, "ROS interface" (every name relative, so namespaces
and remaps apply): ``image`` (or ``image/compressed`` with parameter
``compressed``) with the sensor-data QoS and ``command`` in; ``target/mask``
(mono8, the input frame's header), ``target/overlay`` (rgb8, when
``output.overlay``), ``target/detections``, ``candidates/detections``,
``status`` (the Decision JSON plus timing) and ``/diagnostics`` (1 Hz) out,
reliable with depth 10. With ``perception.backend: simulated`` the node also
reads the ground truth on ``sim/labels`` and ``sim/objects``, as ``rvos-ros
serve`` does; with ``models`` it loads the detector and SAM2 at start, and
when they cannot load it says why on ``status`` and ``/diagnostics``.

Subscriber callbacks only hand messages to :class:`~rvos_ros.ros.live.LiveLoop`
and return; one processing thread runs the loop and publishes. Every
:class:`~rvos_ros.config.Config` key is a parameter under its dotted name
(``reasoning.lock_confidence``), its default taken from the file named by
parameter ``config_file``, with its description and, for numbers, the range
of :data:`rvos_ros.config.RANGES` (rqt shows sliders). Values given at start
(``-p``, a params file, launch) are validated as the config file's are: a
wrong type, a value out of range or an unknown name (a typo) stops the node
with one line naming the key (the closest known key for a typo). At run
time, changes to ``reasoning.*``, ``camera_motion.*``, ``output.*``,
``diagnostics.*``, ``runtime.reason_every`` and ``runtime.fps`` are
validated by ``Config.replace`` and apply between two frames; every other key
is read-only at run time (set it at start), so ``ros2 param get`` always
shows what runs.

When the perception backend cannot start (weights missing, a model failing
to load) the node keeps running: it answers every camera frame with an empty
mask and a status whose ``error`` says why, and ``/diagnostics`` is an ERROR
naming the fix.
"""

from __future__ import annotations

import ast
import dataclasses
import difflib
import inspect
import json
import socket
import sys
import threading
import typing
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any, Literal

import numpy as np
import rclpy
from builtin_interfaces.msg import Time
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus, KeyValue
from rcl_interfaces.msg import FloatingPointRange, IntegerRange, ParameterDescriptor, SetParametersResult
from rclpy.exceptions import InvalidParameterTypeException, InvalidParameterValueException
from rclpy.executors import ExternalShutdownException
from rclpy.node import Node
from rclpy.qos import DurabilityPolicy, HistoryPolicy, QoSProfile, ReliabilityPolicy, qos_profile_sensor_data
from sensor_msgs.msg import CompressedImage, Image
from std_msgs.msg import Header, String
from vision_msgs.msg import (
    BoundingBox2D,
    Detection2D,
    Detection2DArray,
    ObjectHypothesis,
    ObjectHypothesisWithPose,
    Point2D,
    Pose2D,
)

from rvos_ros import config as config_module
from rvos_ros.config import RANGES, Config, load_config
from rvos_ros.errors import ConfigError, RvosError
from rvos_ros.interface.images import image_fields
from rvos_ros.perception.backends import UnavailablePerception
from rvos_ros.ros.live import Health, LiveLoop, LiveOutput
from rvos_ros.runtime import Runtime, load_perception
from rvos_ros.types import Decision, Track

__all__ = ["LIVE_KEYS", "NODE_NAME", "RvosNode", "main"]

NODE_NAME = "rvos"

LIVE_KEYS = ("runtime.reason_every", "runtime.fps", "camera_motion.", "reasoning.", "output.", "diagnostics.",
             "budget.")
"""Config keys (or key prefixes) whose changes apply between frames; the others are read-only at run time."""
ROS_OWN_PARAMETERS = ("use_sim_time", "start_type_description_service", "qos_overrides.")
"""Parameters (or prefixes) that rclpy itself declares or reads; never refused as unknown."""

_OUTPUT_QOS = QoSProfile(history=HistoryPolicy.KEEP_LAST, depth=10, reliability=ReliabilityPolicy.RELIABLE,
                         durability=DurabilityPolicy.VOLATILE)
# Volatile, not transient-local: `ros2 bag play` offers volatile unless the bag recorded otherwise, and a
# transient-local reader would never match it. Start the node before the bag so it sees sim/objects.
_TRUTH_QOS = QoSProfile(history=HistoryPolicy.KEEP_LAST, depth=64, reliability=ReliabilityPolicy.RELIABLE,
                        durability=DurabilityPolicy.VOLATILE)


def _is_live(key: str) -> bool:
    return any(key == k or (k.endswith(".") and key.startswith(k)) for k in LIVE_KEYS)


# -- parameters from the Config dataclasses --------------------------------------------------------


def _attribute_docs() -> dict[tuple[str, str], str]:
    """``(class name, field) -> docstring`` of the config dataclasses (the string under each field)."""
    try:
        tree = ast.parse(inspect.getsource(config_module))
    except (OSError, TypeError, SyntaxError):  # no source shipped (a zipped install): no descriptions
        return {}
    docs: dict[tuple[str, str], str] = {}
    for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
        for field_node, doc in zip(cls.body, cls.body[1:], strict=False):
            if (isinstance(field_node, ast.AnnAssign) and isinstance(field_node.target, ast.Name)
                    and isinstance(doc, ast.Expr) and isinstance(doc.value, ast.Constant)
                    and isinstance(doc.value.value, str)):
                docs[(cls.name, field_node.target.id)] = " ".join(doc.value.value.split())
    return docs


@dataclasses.dataclass(frozen=True)
class _Key:
    name: str
    value: Any
    descriptor: Any


def _config_keys(cfg: Config) -> Iterator[_Key]:
    """Every leaf of ``cfg`` as a parameter: dotted name, value and a descriptor with a description."""
    docs = _attribute_docs()

    def walk(obj: Any, prefix: str) -> Iterator[_Key]:
        hints = typing.get_type_hints(type(obj))
        for f in dataclasses.fields(obj):
            value, hint, name = getattr(obj, f.name), hints[f.name], prefix + f.name
            if dataclasses.is_dataclass(value):
                yield from walk(value, name + ".")
                continue
            text = docs.get((type(obj).__name__, f.name)) or (inspect.getdoc(type(obj)) or "").split("\n")[0]
            constraints = ""
            if typing.get_origin(hint) is Literal:
                constraints = "one of: " + ", ".join(str(c) for c in typing.get_args(hint))
            if name == "runtime.mode":  # the node always runs live; deterministic mode is for replay and eval
                yield _Key(name, "live", ParameterDescriptor(
                    description="The node always runs live (newest frame only, drops counted).", read_only=True))
                continue
            live = _is_live(name)
            text += " Applies between frames." if live else " Read-only at run time: set it at start (-p, launch)."
            # Floats take integers too (Config turns 15 into 15.0), so a YAML `fps: 15` does not fail the type check.
            descriptor = ParameterDescriptor(description=text.strip(), additional_constraints=constraints,
                                             dynamic_typing=hint is float, read_only=not live)
            bounds = RANGES.get(name)
            if bounds is not None and hint is float:
                descriptor.floating_point_range = [FloatingPointRange(from_value=float(bounds[0]),
                                                                      to_value=float(bounds[1]), step=0.0)]
            elif bounds is not None and hint is int:
                descriptor.integer_range = [IntegerRange(from_value=int(bounds[0]), to_value=int(bounds[1]), step=1)]
            yield _Key(name, value, descriptor)

    yield from walk(cfg, "")


# -- messages ----------------------------------------------------------------------------------------


def _header(stamp_ns: int, frame_id: str) -> Header:
    return Header(stamp=Time(sec=stamp_ns // 1_000_000_000, nanosec=stamp_ns % 1_000_000_000), frame_id=frame_id)


def _image(hdr: Header, pixels: np.ndarray, encoding: str) -> Image:
    return Image(header=hdr, **image_fields(pixels, encoding, as_numpy=False))  # data: array('B'), no per-byte copy


def _detections(hdr: Header, tracks: tuple[Track, ...]) -> Detection2DArray:
    out = []
    for t in tracks:
        x1, y1, x2, y2 = (float(v) for v in t.box)
        bbox = BoundingBox2D(center=Pose2D(position=Point2D(x=(x1 + x2) / 2.0, y=(y1 + y2) / 2.0), theta=0.0),
                             size_x=x2 - x1, size_y=y2 - y1)
        hyp = ObjectHypothesisWithPose(hypothesis=ObjectHypothesis(class_id=t.label, score=float(t.score)))
        out.append(Detection2D(header=hdr, results=[hyp], bbox=bbox, id=str(t.id)))
    return Detection2DArray(header=hdr, detections=out)


class _NodeLoop(LiveLoop):
    """The live loop plus changes queued by the parameter callback, applied on the processing thread."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._changes: deque[Callable[[], None]] = deque()
        self._changes_lock = threading.Lock()

    def between_frames(self, change: Callable[[], None]) -> None:
        """Run ``change`` on the processing thread before the next step (any thread may call this)."""
        with self._changes_lock:
            self._changes.append(change)

    def step(self, timeout: float | None = 0.1) -> LiveOutput | None:
        with self._changes_lock:
            changes, self._changes = list(self._changes), deque()
        for change in changes:
            change()
        return super().step(timeout)


class RvosNode(Node):
    """Segments, per camera frame, the object the latest command refers to.

    ``node_kwargs`` go to ``rclpy.node.Node`` (``namespace``,
    ``parameter_overrides``, ...). Raises ConfigError when the config file or
    a parameter given at start-up is invalid.
    """

    def __init__(self, node_name: str = NODE_NAME, **node_kwargs: Any) -> None:
        super().__init__(node_name, **node_kwargs)
        self.declare_parameter("config_file", "", ParameterDescriptor(
            description="YAML config whose values are the defaults of every other parameter ('' = packaged "
                        "defaults).", read_only=True))
        self.declare_parameter("compressed", False, ParameterDescriptor(
            description="Subscribe to image/compressed (sensor_msgs/CompressedImage, jpeg or png) instead of "
                        "image.", read_only=True))
        path = str(self.get_parameter("config_file").value or "") or None
        # The node always runs live (newest frame only); runtime.mode is for replay and evaluation.
        file_cfg = load_config(path).replace(**{"runtime.mode": "live"})
        self._keys = {k.name: k for k in _config_keys(file_cfg)}
        self._refuse_unknown_overrides()
        for key in self._keys.values():
            try:
                self.declare_parameter(key.name, key.value, key.descriptor, ignore_override=key.name == "runtime.mode")
            except (InvalidParameterTypeException, InvalidParameterValueException) as err:
                raise self._override_error(file_cfg, key, err) from None
        # Overrides given at start-up (-p, launch parameters) win over the file; check them all at once.
        given = {name: self.get_parameter(name).value for name in self._keys if name != "runtime.mode"}
        self.config = file_cfg.replace(**given)
        """The configuration in effect (what the parameters hold)."""
        self.fatal = ""
        """Why the node cannot process frames at all ("" when it can)."""

        self.health = Health(self.config.perception.backend, self.config.diagnostics,
                             clock_ns=lambda: int(self.get_clock().now().nanoseconds))
        self.hardware_id = f"{socket.gethostname()}/{self.config.perception.device}"
        self._stop = threading.Event()
        self.runtime: Runtime | None = None
        self.loop: _NodeLoop | None = None
        self.processing_thread: threading.Thread | None = None

        self._mask_pub = self.create_publisher(Image, "target/mask", _OUTPUT_QOS)
        self._overlay_pub = self.create_publisher(Image, "target/overlay", _OUTPUT_QOS) \
            if self.config.output.overlay else None
        self._targets_pub = self.create_publisher(Detection2DArray, "target/detections", _OUTPUT_QOS)
        self._candidates_pub = self.create_publisher(Detection2DArray, "candidates/detections", _OUTPUT_QOS)
        self._status_pub = self.create_publisher(String, "status", _OUTPUT_QOS)
        self._diag_pub = self.create_publisher(DiagnosticArray, "/diagnostics", _OUTPUT_QOS)

        self._start()
        self.add_on_set_parameters_callback(self._on_set_parameters)
        self._diag_timer = self.create_timer(1.0, self.publish_diagnostics)

    # -- setup --------------------------------------------------------------------------------------
    def _refuse_unknown_overrides(self) -> None:
        """A value given at start for a name that is no parameter (a typo) stops the node, naming the closest key."""
        # rclpy keeps this node's overrides (-p, params files, launch) in this attribute (Humble and Jazzy alike);
        # it has no public accessor, and an ignored typo would leave the default running without a word.
        overrides = getattr(self, "_parameter_overrides", {}) or {}
        known = [*self._keys, "config_file", "compressed"]
        for name in sorted(overrides):
            if name in known or any(name == p or (p.endswith(".") and name.startswith(p)) for p in ROS_OWN_PARAMETERS):
                continue
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else "; `ros2 param list` shows every parameter"
            raise ConfigError(f"unknown parameter {name!r} given at start{hint}")

    def _override_error(self, file_cfg: Config, key: _Key, err: Exception) -> ConfigError:
        """Our one-line error for a value that rclpy refused when declaring ``key`` (wrong type or out of range)."""
        overrides = getattr(self, "_parameter_overrides", {}) or {}
        given = getattr(overrides.get(key.name), "value", None)
        try:
            file_cfg.replace(**{key.name: given})
        except ConfigError as ours:
            return ours
        return ConfigError(f"parameter {key.name!r}: expected a {type(key.value).__name__} like {key.value!r}, "
                           f"got {given!r} ({type(err).__name__})")

    def _start(self) -> None:
        cfg = self.config
        try:
            perception = load_perception(cfg)  # models load before subscribing: no frame waits on them
        except RvosError as err:  # the models' weights missing, say: keep running, say why on every output
            self.fatal = (f"perception.backend {cfg.perception.backend!r} cannot start: {err}; "
                          "fix it and restart the node")
            self.get_logger().error(self.fatal)
            self._publish_fatal_status()
            perception = UnavailablePerception(self.fatal)
        self.runtime = Runtime(cfg, perception)
        self.loop = _NodeLoop(self.runtime, self._publish, overlay=cfg.output.overlay)
        loop = self.loop
        if self.get_parameter("compressed").value:
            self.create_subscription(CompressedImage, "image/compressed", loop.put_image, qos_profile_sensor_data)
        else:
            self.create_subscription(Image, "image", loop.put_image, qos_profile_sensor_data)
        self.create_subscription(String, "command", lambda m: loop.put_command(m.data), _OUTPUT_QOS)
        if perception.reads_truth:  # the ground truth only feeds the simulated oracle
            self.create_subscription(Image, "sim/labels", loop.put_labels, _TRUTH_QOS)
            self.create_subscription(String, "sim/objects", lambda m: loop.put_objects(m.data), _TRUTH_QOS)
        self.processing_thread = threading.Thread(target=self._process, name="rvos_processing", daemon=True)
        self.processing_thread.start()

    def _process(self) -> None:
        assert self.loop is not None
        while not self._stop.is_set():
            try:
                self.loop.run(stop=self._stop)
            except Exception as err:
                if not rclpy.ok():  # the context shut down under us (Ctrl-C): nothing can be published any more
                    return
                # a bug, not a bad message: report it, keep serving the next frames
                self.get_logger().error(f"processing failed: {type(err).__name__}: {err}")
                self.loop.report(f"internal error: {type(err).__name__}: {err}")
                self._stop.wait(0.1)

    # -- parameters ---------------------------------------------------------------------------------
    def _on_set_parameters(self, params: list[Any]) -> SetParametersResult:
        mine = {p.name: p.value for p in params if p.name in self._keys}
        if not mine:
            return SetParametersResult(successful=True)  # use_sim_time and friends are rclpy's
        fixed = sorted(k for k in mine if not _is_live(k))
        if fixed:  # read-only descriptors make rclpy refuse these first; this guards a transport that does not
            return SetParametersResult(successful=False, reason=f"{', '.join(fixed)}: read-only at run time; "
                                                                "set it at start (-p, launch) and restart")
        try:
            accepted = self.config.replace(**mine)
        except ConfigError as err:
            return SetParametersResult(successful=False, reason=str(err))
        self.config = accepted
        if accepted.output.overlay and self._overlay_pub is None:
            self._overlay_pub = self.create_publisher(Image, "target/overlay", _OUTPUT_QOS)
        self.health.config = accepted.diagnostics
        if self.loop is not None:
            self.loop.between_frames(lambda: self._apply(accepted))
        return SetParametersResult(successful=True, reason="applies from the next frame")

    def _apply(self, cfg: Config) -> None:
        """Put a live change into effect (processing thread, between two frames)."""
        rt, loop = self.runtime, self.loop
        assert rt is not None and loop is not None
        rt.reconfigure(cfg)
        loop.overlay = cfg.output.overlay

    # -- outputs (processing thread) ----------------------------------------------------------------
    def _publish(self, out: LiveOutput) -> None:
        r = out.result
        if r is not None:
            hdr = _header(r.stamp_ns, r.frame_id)
            self._mask_pub.publish(_image(hdr, r.mask.astype(np.uint8) * np.uint8(255), "mono8"))
            overlay_pub = self._overlay_pub
            if overlay_pub is not None and out.overlay is not None:
                overlay_pub.publish(_image(hdr, out.overlay, "rgb8"))
            targets = set(r.decision.targets)
            self._targets_pub.publish(_detections(hdr, tuple(t for t in r.tracks if t.id in targets)))
            self._candidates_pub.publish(_detections(hdr, r.tracks))
        self._status_pub.publish(String(data=out.status))
        self.health.observe(out)
        error = json.loads(out.status).get("error")
        if error:
            self.get_logger().warning(f"dropped a bad message: {error}", throttle_duration_sec=5.0)

    def _publish_fatal_status(self) -> None:
        d = Decision().to_dict()
        d.update(timing={}, dropped=0, frame=-1, error=self.fatal)
        self._status_pub.publish(String(data=json.dumps(d)))

    def publish_diagnostics(self) -> None:
        """Publish one DiagnosticArray: state, processing rate (frames/s), dropped frames, last error."""
        if self.fatal:
            self._publish_fatal_status()  # the status topic is not latched: repeat it for late subscribers
        thread = self.processing_thread
        alive = thread is None or thread.is_alive() or self._stop.is_set()
        h = self.health.tick(self.loop, fatal=self.fatal, thread_alive=alive)
        status = DiagnosticStatus(level=bytes([h.level]), name=f"{self.get_name()}: segmentation",
                                  message=h.message, hardware_id=self.hardware_id,
                                  values=[KeyValue(key=k, value=v) for k, v in h.values.items()])
        self._diag_pub.publish(DiagnosticArray(header=Header(stamp=self.get_clock().now().to_msg()),
                                               status=[status]))

    # -- shutdown -----------------------------------------------------------------------------------
    def destroy_node(self) -> Any:
        """Stop and join the processing thread, then destroy the node."""
        self._stop.set()
        if self.loop is not None:
            self.loop.close()
        if self.processing_thread is not None:
            self.processing_thread.join(timeout=5.0)
            if self.processing_thread.is_alive():
                self.get_logger().warning("processing thread did not stop within 5 s")
        return super().destroy_node()


def main(args: list[str] | None = None) -> int:
    """Run the node until Ctrl-C or an external shutdown; 2 on a bad configuration."""
    # try/finally rather than `with rclpy.init():`, which Humble's rclpy does not support.
    rclpy.init(args=args)
    node: RvosNode | None = None
    try:
        node = RvosNode()
        rclpy.spin(node)
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    except RvosError as err:
        sys.stderr.write(f"error: {err}\n")
        return 2
    finally:
        if node is not None:
            node.destroy_node()
        rclpy.try_shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
