"""A minimal in-test stand-in for the parts of rclpy (and ROS message packages) that rvos_ros.ros.node uses.

``install(monkeypatch)`` puts modules named like the real ones into
``sys.modules`` (rclpy, rclpy.node, rclpy.qos, rclpy.executors,
rclpy.parameter, rcl_interfaces.msg, builtin_interfaces.msg, std_msgs.msg,
sensor_msgs.msg, vision_msgs.msg, diagnostic_msgs.msg) and returns a
namespace of them plus ``state`` (what init/spin/shutdown saw).

It follows rclpy where a mistake would otherwise go unnoticed: message
fields are type-checked on assignment (floats must be floats, ``byte`` is
``bytes`` of length 1, ``uint8[]`` takes ``array.array('B')``), unknown
constructor arguments fail, parameter overrides win over declared defaults,
read-only parameters and type changes are refused (a wrong-typed override
raises InvalidParameterTypeException on declaration), integer and
floating-point ranges are enforced on declaration and on set (bounds
included, the other number type unchecked, as rclpy's ``_apply_descriptor``),
overrides live in ``_parameter_overrides`` as in rclpy, on-set callbacks also
run for declarations made after they were registered, and ``spin`` blocks
until the context shuts down. Nothing here talks to a
middleware: tests call subscription callbacks and timers directly.
"""

from __future__ import annotations

import array
import itertools
import sys
import threading
import time
import types
from types import SimpleNamespace
from typing import Any

import yaml

# -- messages -------------------------------------------------------------------------------------------


class FakeMsg:
    """Base of fake messages: ``_fields`` maps name -> (type check, default factory)."""

    _fields: dict[str, tuple[Any, Any]] = {}

    def __init__(self, **kwargs: Any) -> None:
        for name, (_, default) in self._fields.items():
            object.__setattr__(self, name, default())
        for name, value in kwargs.items():
            if name not in self._fields:
                raise AssertionError(f"Invalid arguments passed to constructor: {name}")
            setattr(self, name, value)

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in self._fields:
            raise AttributeError(f"{type(self).__name__} has no field {name!r}")
        check = self._fields[name][0]
        if check is not None:
            ok = check(value) if callable(check) and not isinstance(check, type) else isinstance(value, check)
            assert ok, f"The '{name}' field of {type(self).__name__} got {type(value).__name__} {value!r:.60}"
        object.__setattr__(self, name, value)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and all(getattr(self, n) == getattr(other, n) for n in self._fields)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{n}={getattr(self, n)!r:.40}' for n in self._fields)})"


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_float(v: Any) -> bool:
    return isinstance(v, float)


def _is_byte(v: Any) -> bool:
    return isinstance(v, bytes) and len(v) == 1


def _is_uint8_array(v: Any) -> bool:
    return (isinstance(v, array.array) and v.typecode == "B") or isinstance(v, (bytes, list))


def _seq_of(cls: type) -> Any:
    return lambda v: isinstance(v, list) and all(isinstance(x, cls) for x in v)


def _msg(name: str, fields: dict[str, tuple[Any, Any]], **constants: Any) -> type:
    return type(name, (FakeMsg,), {"_fields": fields, "__slots__": (), **constants})


def _field(cls: type) -> tuple[Any, Any]:
    return (cls, cls)


Time = _msg("Time", {"sec": (_is_int, int), "nanosec": (_is_int, int)})
Header = _msg("Header", {"stamp": _field(Time), "frame_id": (str, str)})
Image = _msg("Image", {"header": _field(Header), "height": (_is_int, int), "width": (_is_int, int),
                       "encoding": (str, str), "is_bigendian": (_is_int, int), "step": (_is_int, int),
                       "data": (_is_uint8_array, lambda: array.array("B"))})
CompressedImage = _msg("CompressedImage", {"header": _field(Header), "format": (str, str),
                                           "data": (_is_uint8_array, lambda: array.array("B"))})
String = _msg("String", {"data": (str, str)})
Point2D = _msg("Point2D", {"x": (_is_float, float), "y": (_is_float, float)})
Pose2D = _msg("Pose2D", {"position": _field(Point2D), "theta": (_is_float, float)})
BoundingBox2D = _msg("BoundingBox2D", {"center": _field(Pose2D), "size_x": (_is_float, float),
                                       "size_y": (_is_float, float)})
ObjectHypothesis = _msg("ObjectHypothesis", {"class_id": (str, str), "score": (_is_float, float)})
PoseWithCovariance = _msg("PoseWithCovariance", {})
ObjectHypothesisWithPose = _msg("ObjectHypothesisWithPose", {"hypothesis": _field(ObjectHypothesis),
                                                             "pose": _field(PoseWithCovariance)})
Detection2D = _msg("Detection2D", {"header": _field(Header), "results": (_seq_of(ObjectHypothesisWithPose), list),
                                   "bbox": _field(BoundingBox2D), "id": (str, str)})
Detection2DArray = _msg("Detection2DArray", {"header": _field(Header), "detections": (_seq_of(Detection2D), list)})
KeyValue = _msg("KeyValue", {"key": (str, str), "value": (str, str)})
DiagnosticStatus = _msg("DiagnosticStatus", {"level": (_is_byte, lambda: b"\x00"), "name": (str, str),
                                             "message": (str, str), "hardware_id": (str, str),
                                             "values": (_seq_of(KeyValue), list)},
                        OK=b"\x00", WARN=b"\x01", ERROR=b"\x02", STALE=b"\x03")
DiagnosticArray = _msg("DiagnosticArray", {"header": _field(Header), "status": (_seq_of(DiagnosticStatus), list)})
SetParametersResult = _msg("SetParametersResult", {"successful": (bool, bool), "reason": (str, str)})
FloatingPointRange = _msg("FloatingPointRange", {"from_value": (_is_float, float), "to_value": (_is_float, float),
                                                 "step": (_is_float, float)})
IntegerRange = _msg("IntegerRange", {"from_value": (_is_int, int), "to_value": (_is_int, int), "step": (_is_int, int)})
ParameterDescriptor = _msg("ParameterDescriptor", {
    "name": (str, str), "type": (_is_int, int), "description": (str, str), "additional_constraints": (str, str),
    "read_only": (bool, bool), "dynamic_typing": (bool, bool),
    "floating_point_range": (_seq_of(FloatingPointRange), list), "integer_range": (_seq_of(IntegerRange), list)})


# -- qos ------------------------------------------------------------------------------------------------


class HistoryPolicy:
    KEEP_LAST = "keep_last"
    KEEP_ALL = "keep_all"


class ReliabilityPolicy:
    RELIABLE = "reliable"
    BEST_EFFORT = "best_effort"


class DurabilityPolicy:
    VOLATILE = "volatile"
    TRANSIENT_LOCAL = "transient_local"


class QoSProfile:
    def __init__(self, *, depth: int, history: str = HistoryPolicy.KEEP_LAST,
                 reliability: str = ReliabilityPolicy.RELIABLE, durability: str = DurabilityPolicy.VOLATILE) -> None:
        self.depth, self.history, self.reliability, self.durability = depth, history, reliability, durability

    def __repr__(self) -> str:
        return f"QoSProfile({self.reliability}, {self.durability}, {self.history} {self.depth})"


qos_profile_sensor_data = QoSProfile(depth=5, reliability=ReliabilityPolicy.BEST_EFFORT)


# -- parameters -----------------------------------------------------------------------------------------


class ParameterNotDeclaredException(Exception):
    pass


class ParameterAlreadyDeclaredException(Exception):
    pass


class InvalidParameterTypeException(Exception):
    pass


class InvalidParameterValueException(Exception):
    pass


class Parameter:
    """name, value and a type inferred from the value (bool, int, float, str or None)."""

    def __init__(self, name: str, type_: Any = None, value: Any = None) -> None:
        self.name, self.value = name, value
        self.type_ = type_ if type_ is not None else (type(value) if value is not None else None)


def _same_type(old: Any, new: Any) -> bool:
    return old is None or type(old) is type(new)


def _out_of_range(name: str, value: Any, descriptor: Any) -> str:
    """rclpy's range check: an integer against ``integer_range``, a float against ``floating_point_range``
    (bounds included; a value of the other type is not checked); "" when in range."""
    if isinstance(value, bool):
        return ""
    if isinstance(value, int) and descriptor.integer_range:
        r = descriptor.integer_range[0]
    elif isinstance(value, float) and descriptor.floating_point_range:
        r = descriptor.floating_point_range[0]
    else:
        return ""
    lo, hi = min(r.from_value, r.to_value), max(r.from_value, r.to_value)
    if lo <= value <= hi:
        return ""
    return f"Parameter {name} out of range. Min: {lo}, Max: {hi}, value: {value}"


# -- node -----------------------------------------------------------------------------------------------


class Publisher:
    def __init__(self, msg_type: type, topic: str, qos: Any) -> None:
        self.msg_type, self.topic, self.qos = msg_type, topic, qos
        self.messages: list[Any] = []
        self._lock = threading.Lock()

    def publish(self, msg: Any) -> None:
        if not state.initialized:  # rclpy raises RCLError once the context is shut down (Ctrl-C, ros2 lifecycle)
            raise RuntimeError("Failed to publish: publisher's context is invalid")
        assert isinstance(msg, self.msg_type), f"{self.topic} carries {self.msg_type.__name__}, got {type(msg)}"
        with self._lock:
            self.messages.append(msg)


class Subscription:
    def __init__(self, msg_type: type, topic: str, callback: Any, qos: Any) -> None:
        self.msg_type, self.topic, self.callback, self.qos = msg_type, topic, callback, qos

    def deliver(self, msg: Any) -> None:
        """What the executor does when a message arrives."""
        assert isinstance(msg, self.msg_type), f"{self.topic} takes {self.msg_type.__name__}, got {type(msg)}"
        self.callback(msg)


class Timer:
    def __init__(self, period: float, callback: Any) -> None:
        self.period, self.callback = period, callback

    def fire(self) -> None:
        self.callback()


class Logger:
    def __init__(self) -> None:
        self.records: list[tuple[str, str]] = []

    def _log(self, level: str, msg: str, **_: Any) -> None:
        self.records.append((level, msg))

    def debug(self, msg: str, **kw: Any) -> None:
        self._log("debug", msg, **kw)

    def info(self, msg: str, **kw: Any) -> None:
        self._log("info", msg, **kw)

    def warning(self, msg: str, **kw: Any) -> None:
        self._log("warning", msg, **kw)

    warn = warning

    def error(self, msg: str, **kw: Any) -> None:
        self._log("error", msg, **kw)


class _Now:
    def __init__(self) -> None:
        self.nanoseconds = state.clock_ns() if state.clock_ns is not None else time.time_ns()

    def to_msg(self) -> Any:
        ns = self.nanoseconds
        return Time(sec=ns // 1_000_000_000, nanosec=ns % 1_000_000_000)


class Clock:
    def now(self) -> _Now:
        return _Now()


class Node:
    """Publishers, subscriptions and timers by topic; parameters with overrides, descriptors and callbacks."""

    def __init__(self, node_name: str, *, namespace: str = "", parameter_overrides: list[Parameter] | None = None,
                 **_: Any) -> None:
        if not state.initialized:  # rclpy raises NotInitializedException
            raise RuntimeError("rclpy.init() has not been called")
        self._name, self.namespace = node_name, namespace
        overrides = parameter_overrides if parameter_overrides is not None else state.cli_overrides
        self._parameter_overrides = {p.name: p for p in overrides}  # rclpy's attribute name
        self._params: dict[str, Any] = {}
        self._descriptors: dict[str, Any] = {}
        self._callbacks: list[Any] = []
        self.publishers: dict[str, Publisher] = {}
        self.subscriptions: dict[str, Subscription] = {}
        self.timers: list[Timer] = []
        self.logger = Logger()
        self.destroyed = False
        self.declare_parameter("use_sim_time", False)

    def get_name(self) -> str:
        return self._name

    def get_logger(self) -> Logger:
        return self.logger

    def get_clock(self) -> Clock:
        return Clock()

    def declare_parameter(self, name: str, value: Any = None, descriptor: Any = None,
                          ignore_override: bool = False) -> Parameter:
        if name in self._params:
            raise ParameterAlreadyDeclaredException(name)
        descriptor = descriptor if descriptor is not None else ParameterDescriptor()
        if name in self._parameter_overrides and not ignore_override:
            given = self._parameter_overrides[name].value
            if not descriptor.dynamic_typing and not _same_type(value, given):
                raise InvalidParameterTypeException(f"{name}: expected {type(value).__name__}, got {given!r}")
            value = given
        reason = _out_of_range(name, value, descriptor)
        if reason:
            raise InvalidParameterValueException(name, value, reason)
        for cb in self._callbacks:
            result = cb([Parameter(name, value=value)])
            if not result.successful:
                raise InvalidParameterValueException(f"{name}: {result.reason}")
        self._params[name], self._descriptors[name] = value, descriptor
        return Parameter(name, value=value)

    def get_parameter(self, name: str) -> Parameter:
        if name not in self._params:
            raise ParameterNotDeclaredException(name)
        return Parameter(name, value=self._params[name])

    def describe_parameter(self, name: str) -> Any:
        return self._descriptors[name]

    @property
    def parameter_names(self) -> list[str]:
        return list(self._params)

    def add_on_set_parameters_callback(self, callback: Any) -> None:
        self._callbacks.insert(0, callback)

    def set_parameters(self, parameters: list[Parameter]) -> list[Any]:
        """Each parameter on its own, as rclpy's set_parameters does."""
        return [self.set_parameters_atomically([p]) for p in parameters]

    def set_parameters_atomically(self, parameters: list[Parameter]) -> Any:
        for p in parameters:
            if p.name not in self._params:
                return SetParametersResult(successful=False, reason=f"parameter {p.name!r} is not declared")
            d = self._descriptors[p.name]
            if d.read_only:
                return SetParametersResult(successful=False, reason="Trying to set a read-only parameter")
            if not d.dynamic_typing and not _same_type(self._params[p.name], p.value):
                return SetParametersResult(successful=False, reason="Wrong parameter type")
            reason = _out_of_range(p.name, p.value, d)
            if reason:
                return SetParametersResult(successful=False, reason=reason)
        result = SetParametersResult(successful=True)
        for cb in self._callbacks:
            result = cb(list(parameters))
            if not result.successful:
                return result
        for p in parameters:
            self._params[p.name] = p.value
        return result

    def create_publisher(self, msg_type: type, topic: str, qos: Any) -> Publisher:
        assert topic not in self.publishers, f"{topic} already has a publisher on this node"
        self.publishers[topic] = Publisher(msg_type, topic, qos)
        return self.publishers[topic]

    def create_subscription(self, msg_type: type, topic: str, callback: Any, qos: Any) -> Subscription:
        assert topic not in self.subscriptions, f"{topic} already has a subscription on this node"
        self.subscriptions[topic] = Subscription(msg_type, topic, callback, qos)
        return self.subscriptions[topic]

    def create_timer(self, period: float, callback: Any) -> Timer:
        self.timers.append(Timer(period, callback))
        return self.timers[-1]

    def destroy_node(self) -> None:
        self.destroyed = True


# -- rclpy top level ------------------------------------------------------------------------------------


class ExternalShutdownException(Exception):
    pass


state = SimpleNamespace(initialized=False, inits=0, shutdowns=0, spun=[], spin_raises=None, cli_overrides=[],
                        shutdown_event=threading.Event(), clock_ns=None)
"""What the fake saw: ``spin_raises`` is the exception ``spin`` raises (None: block until ``shutdown``, as rclpy's
spin blocks until the context shuts down); ``clock_ns`` (None: wall time) is what node clocks read, as a
simulated /clock would be."""


def _parse_ros_args(args: list[str] | None) -> list[Parameter]:
    """``--ros-args -p name:=value`` as rclpy reads it (values parsed as YAML)."""
    args = list(args or [])
    if "--ros-args" not in args:
        return []
    rest = args[args.index("--ros-args") + 1:]
    out = []
    for flag, value in itertools.pairwise(rest):
        if flag == "-p":
            name, _, text = value.partition(":=")
            out.append(Parameter(name, value=yaml.safe_load(text)))
    return out


class _InitContext:
    def __enter__(self) -> _InitContext:
        return self

    def __exit__(self, *exc: object) -> None:
        try_shutdown()


def init(*, args: list[str] | None = None, context: Any = None) -> _InitContext:
    assert not state.initialized, "rclpy.init called twice without shutdown"
    state.initialized, state.inits = True, state.inits + 1
    state.shutdown_event = threading.Event()
    state.cli_overrides = _parse_ros_args(args)
    return _InitContext()


def ok() -> bool:
    return bool(state.initialized)


def shutdown() -> None:
    assert state.initialized, "rclpy.shutdown without init"
    state.initialized, state.shutdowns = False, state.shutdowns + 1
    state.shutdown_event.set()


def try_shutdown() -> None:
    if state.initialized:
        shutdown()


def spin(node: Node, executor: Any = None) -> None:
    """Block until the context shuts down (rclpy.shutdown from another thread, a signal handler's job), or raise
    ``state.spin_raises`` (a Ctrl-C, an external shutdown) at once."""
    assert state.initialized, "rclpy.spin before rclpy.init"
    state.spun.append(node)
    if state.spin_raises is not None:
        raise state.spin_raises
    if not state.shutdown_event.wait(timeout=30.0):
        raise AssertionError("spin blocked for 30 s: nothing shut the context down")
    raise ExternalShutdownException()


# -- installation ---------------------------------------------------------------------------------------


def _module(name: str, **attrs: Any) -> types.ModuleType:
    mod = types.ModuleType(name)
    mod.__dict__.update(attrs)
    return mod


def install(monkeypatch: Any) -> SimpleNamespace:
    """Install the fake modules for one test (monkeypatch undoes it) and reset ``state``."""
    state.initialized, state.inits, state.shutdowns, state.spun, state.spin_raises = False, 0, 0, [], None
    state.shutdown_event = threading.Event()
    state.clock_ns = None
    state.cli_overrides = []
    me = sys.modules[__name__]
    mods = {
        "rclpy": _module("rclpy", init=init, ok=ok, shutdown=shutdown, try_shutdown=try_shutdown, spin=spin),
        "rclpy.node": _module("rclpy.node", Node=Node),
        "rclpy.executors": _module("rclpy.executors", ExternalShutdownException=ExternalShutdownException),
        "rclpy.exceptions": _module("rclpy.exceptions", InvalidParameterTypeException=InvalidParameterTypeException,
                                    InvalidParameterValueException=InvalidParameterValueException,
                                    ParameterNotDeclaredException=ParameterNotDeclaredException,
                                    ParameterAlreadyDeclaredException=ParameterAlreadyDeclaredException),
        "rclpy.parameter": _module("rclpy.parameter", Parameter=Parameter),
        "rclpy.qos": _module("rclpy.qos", QoSProfile=QoSProfile, HistoryPolicy=HistoryPolicy,
                             ReliabilityPolicy=ReliabilityPolicy, DurabilityPolicy=DurabilityPolicy,
                             qos_profile_sensor_data=qos_profile_sensor_data),
        "rcl_interfaces": _module("rcl_interfaces"),
        "rcl_interfaces.msg": _module("rcl_interfaces.msg", SetParametersResult=SetParametersResult,
                                      ParameterDescriptor=ParameterDescriptor, FloatingPointRange=FloatingPointRange,
                                      IntegerRange=IntegerRange),
        "builtin_interfaces": _module("builtin_interfaces"),
        "builtin_interfaces.msg": _module("builtin_interfaces.msg", Time=Time),
        "std_msgs": _module("std_msgs"),
        "std_msgs.msg": _module("std_msgs.msg", String=String, Header=Header),
        "sensor_msgs": _module("sensor_msgs"),
        "sensor_msgs.msg": _module("sensor_msgs.msg", Image=Image, CompressedImage=CompressedImage),
        "vision_msgs": _module("vision_msgs"),
        "vision_msgs.msg": _module("vision_msgs.msg", Detection2DArray=Detection2DArray, Detection2D=Detection2D,
                                   ObjectHypothesisWithPose=ObjectHypothesisWithPose,
                                   ObjectHypothesis=ObjectHypothesis, BoundingBox2D=BoundingBox2D, Pose2D=Pose2D,
                                   Point2D=Point2D),
        "diagnostic_msgs": _module("diagnostic_msgs"),
        "diagnostic_msgs.msg": _module("diagnostic_msgs.msg", DiagnosticArray=DiagnosticArray,
                                       DiagnosticStatus=DiagnosticStatus, KeyValue=KeyValue),
    }
    for name, mod in mods.items():
        monkeypatch.setitem(sys.modules, name, mod)
    return SimpleNamespace(state=state, module=me, **{n.replace(".", "_"): m for n, m in mods.items()})


# -- launch (for importing launch/rvos.launch.py without ROS) -------------------------------------------


class Recorded:
    """A launch entity or substitution that only records how it was built."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.args, self.kwargs = args, kwargs

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and (self.args, self.kwargs) == (other.args, other.kwargs)  # type: ignore

    def __repr__(self) -> str:
        return f"{type(self).__name__}{self.args}{self.kwargs}"


def _perform(sub: Any, context: Any) -> str:
    return sub if isinstance(sub, str) else sub.perform(context)


_PERFORM = {
    # as launch does: a launch configuration reads the context, a path join joins what its parts perform to
    "LaunchConfiguration": lambda self, context: context.launch_configurations[self.args[0]],
    "PathJoinSubstitution": lambda self, context: "/".join(_perform(p, context) for p in self.args[0]),
    "FindPackageShare": lambda self, context: f"/opt/ros/jazzy/share/{self.args[0]}",
}


def install_launch(monkeypatch: Any) -> dict[str, type]:
    """Fake ``launch`` and ``launch_ros`` modules whose classes record their arguments; returns the classes.

    Substitutions perform against a context with ``launch_configurations`` (a dict), as launch's do.
    """
    names = {
        "launch": ["LaunchDescription"],
        "launch.actions": ["DeclareLaunchArgument", "OpaqueFunction"],
        "launch.substitutions": ["LaunchConfiguration", "PathJoinSubstitution"],
        "launch_ros": [],
        "launch_ros.actions": ["Node"],
        "launch_ros.substitutions": ["FindPackageShare"],
        "launch_ros.parameter_descriptions": ["ParameterValue"],
    }
    classes: dict[str, type] = {}
    for mod_name, cls_names in names.items():
        attrs = {c: type(c, (Recorded,), {"perform": _PERFORM[c]} if c in _PERFORM else {}) for c in cls_names}
        classes.update(attrs)
        monkeypatch.setitem(sys.modules, mod_name, _module(mod_name, **attrs))
    return classes
