"""Cyclone DDS transport speaking the ROS 2 wire format, for machines and tests without a ROS install.

A ROS topic ``name`` is the DDS topic ``rt/name`` (``/sim/labels`` →
``rt/sim/labels``); message types are the structs of
:mod:`rvos_ros.ros.dds_types`, serialized as XCDR1 like a ROS 2 node does.
QoS follows docs/contracts.md: cameras use the sensor-data profile (best effort,
keep last 1), everything else is reliable with depth 10. Every subscriber is
volatile (what every publisher offers: a transient-local reader never matches
a volatile writer such as ``ros2 bag play``); ``play`` publishes
``sim/objects`` transient-local, so a transient-local reader that comes late
still gets it. The domain is ``ROS_DOMAIN_ID`` (default 0).

``loopback_uri()`` is a Cyclone configuration that keeps every packet on this
machine (the ``lo`` interface, no multicast, the only peer 127.0.0.1); tests,
benchmarks and demos always use it.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from rvos_ros.errors import ConfigError, InputError

__all__ = [
    "OUTPUT_TOPICS",
    "DdsNode",
    "DdsPublisher",
    "DdsSubscription",
    "PlaySummary",
    "QosKind",
    "domain_id",
    "loopback_uri",
    "play",
    "ros_topic",
    "serve",
]

QosKind = Literal["sensor", "reliable", "latched"]

_LOOPBACK = (
    "<CycloneDDS><Domain><General><Interfaces><NetworkInterface name=\"lo\"/></Interfaces>"
    "<AllowMulticast>false</AllowMulticast></General>"
    "<Discovery><Peers><Peer address=\"127.0.0.1\"/></Peers><ParticipantIndex>auto</ParticipantIndex>"
    "<MaxAutoParticipantIndex>30</MaxAutoParticipantIndex></Discovery></Domain></CycloneDDS>"
)


def loopback_uri() -> str:
    """Cyclone DDS XML configuration confining all traffic to the loopback interface (for CYCLONEDDS_URI)."""
    return _LOOPBACK


def ros_topic(name: str) -> str:
    """The DDS topic of a ROS topic name: ``image`` → ``rt/image``, ``/sim/labels`` → ``rt/sim/labels``."""
    clean = name.strip().strip("/")
    if not clean or "//" in clean or any(c.isspace() for c in clean):
        raise InputError(f"topic name {name!r} is not a valid ROS topic; use names like 'image' or '/sim/labels'")
    return "rt/" + clean


def domain_id(env: Mapping[str, str] | None = None) -> int:
    """The DDS domain from ``ROS_DOMAIN_ID`` (default 0), as ROS 2 uses it."""
    raw = (os.environ if env is None else env).get("ROS_DOMAIN_ID", "").strip()
    if not raw:
        return 0
    try:
        value = int(raw)
    except ValueError as err:
        raise ConfigError(f"ROS_DOMAIN_ID={raw!r} is not an integer; set it to 0..232 or unset it") from err
    if not 0 <= value <= 232:
        raise ConfigError(f"ROS_DOMAIN_ID={value} is out of range; ROS 2 uses 0..232")
    return value


def _qos(kind: QosKind) -> Any:
    from cyclonedds.core import Policy, Qos
    from cyclonedds.util import duration

    # ROS 2 nodes use XCDR1; pinning it keeps the bytes identical to a bag's CDR.
    xcdr1 = Policy.DataRepresentation(use_cdrv0_representation=True)
    if kind == "sensor":
        return Qos(Policy.Reliability.BestEffort, Policy.History.KeepLast(1), Policy.Durability.Volatile, xcdr1)
    durability = Policy.Durability.TransientLocal if kind == "latched" else Policy.Durability.Volatile
    return Qos(Policy.Reliability.Reliable(duration(seconds=1)), Policy.History.KeepLast(10), durability, xcdr1)


class DdsPublisher:
    """A writer of one ROS topic."""

    def __init__(self, writer: Any, topic: str) -> None:
        self._writer = writer
        self.topic = topic

    def write(self, msg: Any) -> None:
        """Publish one message (a :mod:`dds_types` struct of this topic's type)."""
        self._writer.write(msg)

    @property
    def matched(self) -> int:
        """Number of subscriptions currently matched."""
        return int(self._writer.get_publication_matched_status().current_count)

    def wait_matched(self, count: int = 1, timeout: float = 10.0) -> bool:
        """Wait up to ``timeout`` seconds until at least ``count`` subscriptions are matched."""
        return _wait(lambda: self.matched >= count, timeout)

    def flush(self, timeout: float = 2.0) -> bool:
        """Wait up to ``timeout`` seconds until reliable subscribers acknowledged everything written."""
        return bool(self._writer.wait_for_acks(int(timeout * 1e9)))


class DdsSubscription:
    """A reader of one ROS topic (its callback runs on Cyclone's listener thread)."""

    def __init__(self, reader: Any, topic: str) -> None:
        self._reader = reader
        self.topic = topic

    @property
    def matched(self) -> int:
        """Number of publications currently matched."""
        return int(self._reader.get_subscription_matched_status().current_count)

    def wait_matched(self, count: int = 1, timeout: float = 10.0) -> bool:
        """Wait up to ``timeout`` seconds until at least ``count`` publications are matched."""
        return _wait(lambda: self.matched >= count, timeout)


def _wait(cond: Callable[[], bool], timeout: float) -> bool:
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            return False
        time.sleep(0.02)
    return True


class DdsNode:
    """One DDS participant: publishers and subscriptions by ROS topic name.

    ``loopback=True`` creates the domain with :func:`loopback_uri` (nothing
    leaves this machine). Otherwise Cyclone reads ``CYCLONEDDS_URI`` as usual.
    Subscription callbacks run on Cyclone's listener thread: they must not
    block (hand the message over and return).
    """

    def __init__(self, domain: int | None = None, *, loopback: bool = False) -> None:
        try:
            from cyclonedds.domain import Domain, DomainParticipant
        except ImportError as err:
            raise ConfigError("the DDS transport needs the cyclonedds package; install it with "
                              "`pip install cyclonedds` (the `dds` extra)") from err
        self.domain_id = domain_id() if domain is None else int(domain)
        self._domain = None
        if loopback:
            try:
                # Keep a reference: the domain (and its config) lives as long as this object.
                self._domain = Domain(self.domain_id, loopback_uri())
            except Exception as err:  # the domain already exists in this process with another config
                raise ConfigError(f"DDS domain {self.domain_id} is already open in this process; "
                                  "open loopback nodes on a fresh domain") from err
        self.participant = DomainParticipant(self.domain_id)
        self._topics: dict[str, Any] = {}
        self._entities: list[Any] = []
        self._lock = threading.Lock()

    def _topic(self, name: str, msg_type: type) -> Any:
        from cyclonedds.topic import Topic

        dds_name = ros_topic(name)
        with self._lock:
            topic = self._topics.get(dds_name)
            if topic is None:
                topic = Topic(self.participant, dds_name, msg_type)
                self._topics[dds_name] = topic
            elif topic.data_type is not msg_type:
                raise InputError(f"topic {name!r} is already used with type {topic.data_type.__name__}, "
                                 f"not {msg_type.__name__}; remap one of them")
            return topic

    def publisher(self, name: str, msg_type: type, qos: QosKind = "reliable") -> DdsPublisher:
        """A writer of ROS topic ``name`` carrying ``msg_type``."""
        from cyclonedds.pub import DataWriter

        writer = DataWriter(self.participant, self._topic(name, msg_type), qos=_qos(qos))
        self._entities.append(writer)
        return DdsPublisher(writer, name)

    def subscribe(self, name: str, msg_type: type, callback: Callable[[Any], None],
                  qos: QosKind = "reliable") -> DdsSubscription:
        """Call ``callback(msg)`` for every message on ROS topic ``name`` (from Cyclone's listener thread)."""
        from cyclonedds.core import Listener
        from cyclonedds.sub import DataReader

        def on_data(reader: Any) -> None:
            for msg in reader.take(64):
                if isinstance(msg, msg_type):  # not an InvalidSample (a disposal notice)
                    callback(msg)

        reader = DataReader(self.participant, self._topic(name, msg_type), qos=_qos(qos),
                            listener=Listener(on_data_available=on_data))
        self._entities.append(reader)
        return DdsSubscription(reader, name)

    def close(self) -> None:
        """Delete every entity of this node (idempotent)."""
        with self._lock:
            entities, self._entities = self._entities, []
            self._topics.clear()
        # Readers first, so no listener fires while the rest goes; cyclonedds has no public delete().
        for e in sorted(entities, key=lambda e: not hasattr(e, "take")):
            e.__del__()
        self.participant.__del__()
        if self._domain is not None:
            self._domain.__del__()
            self._domain = None

    def __enter__(self) -> DdsNode:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# -- serve: the live runtime on DDS topics ----------------------------------------------

OUTPUT_TOPICS = {
    "mask": "target/mask",
    "overlay": "target/overlay",
    "target_detections": "target/detections",
    "candidate_detections": "candidates/detections",
    "status": "status",
}
"""ROS names of the outputs (docs/contracts.md, "ROS interface")."""


class _Outputs:
    """The output publishers; ``publish`` is the live loop's callback (processing thread)."""

    def __init__(self, node: DdsNode, overlay: bool) -> None:
        from rvos_ros.ros.dds_types import Detection2DArray, Image, String

        self.mask = node.publisher(OUTPUT_TOPICS["mask"], Image)
        self.overlay = node.publisher(OUTPUT_TOPICS["overlay"], Image) if overlay else None
        self.targets = node.publisher(OUTPUT_TOPICS["target_detections"], Detection2DArray)
        self.candidates = node.publisher(OUTPUT_TOPICS["candidate_detections"], Detection2DArray)
        self.status = node.publisher(OUTPUT_TOPICS["status"], String)

    def publish(self, out: Any) -> None:
        import numpy as np

        from rvos_ros.ros.dds_types import String, detections_out, image_out, result_header

        r = out.result
        if r is not None:
            hdr = result_header(r)
            self.mask.write(image_out(hdr, r.mask.astype(np.uint8) * np.uint8(255), "mono8"))
            if self.overlay is not None and out.overlay is not None:
                self.overlay.write(image_out(hdr, out.overlay, "rgb8"))
            targets = set(r.decision.targets)
            self.targets.write(detections_out(hdr, tuple(t for t in r.tracks if t.id in targets)))
            self.candidates.write(detections_out(hdr, r.tracks))
        self.status.write(String(out.status))


def serve(config: Any, *, topics: Any = None, loopback: bool = False, domain: int | None = None,
          max_frames: int | None = None, duration: float | None = None,
          stop: threading.Event | None = None, compressed: bool = False,
          diagnostics_period_s: float = 1.0) -> Any:
    """Run the runtime live on DDS until ``stop``, ``max_frames`` processed frames or ``duration`` seconds.

    Subscribes to the camera (sensor QoS; with ``compressed``,
    ``<image>/compressed`` carrying ``sensor_msgs/CompressedImage`` jpeg/png),
    command, and, with the simulated perception, ``sim/labels`` and
    ``sim/objects`` (transient-local) topics named in ``topics`` (a
    :class:`~rvos_ros.bag.reader.BagTopics`); ``perception.backend: models``
    loads the detector and SAM2 before subscribing. Publishes
    :data:`OUTPUT_TOPICS` and, every ``diagnostics_period_s``, ``/diagnostics``.
    Returns the :class:`~rvos_ros.ros.live.LiveSummary`.
    """
    from rvos_ros.bag.reader import BagTopics
    from rvos_ros.ros.dds_types import CompressedImage, Image, String
    from rvos_ros.ros.live import Health, LiveLoop
    from rvos_ros.runtime import Runtime, load_perception

    t = topics or BagTopics("image", "command", "sim/labels", "sim/objects")
    config = config.replace(**{"runtime.mode": "live"})  # live: reasoning in its worker, never on the frame path
    perception = load_perception(config)  # models load before subscribing: no frame waits on them
    runtime = Runtime(config, perception)
    health = Health(config.perception.backend)
    with DdsNode(domain, loopback=loopback) as node:
        outputs = _Outputs(node, config.output.overlay)

        def publish(out: Any) -> None:
            outputs.publish(out)
            health.observe(out)

        loop = LiveLoop(runtime, publish, overlay=config.output.overlay)
        if compressed:
            node.subscribe(compressed_topic(t.image), CompressedImage, loop.put_image, "sensor")
        else:
            node.subscribe(t.image, Image, loop.put_image, "sensor")
        node.subscribe(t.command, String, lambda m: loop.put_command(m.data))
        if perception.reads_truth:  # the ground truth only feeds the simulated oracle
            node.subscribe(t.labels, Image, loop.put_labels)
            # volatile, as every subscriber here: a transient-local reader never matches a volatile writer
            # (`ros2 bag play`, `ros2 topic pub`); start serve before the publisher to hear sim/objects
            node.subscribe(t.objects, String, lambda m: loop.put_objects(m.data), "reliable")
        done = threading.Event()
        diag = threading.Thread(target=_diagnostics, args=(node, health, loop, done, diagnostics_period_s),
                                name="rvos_diagnostics", daemon=True)
        diag.start()
        try:
            return loop.run(max_frames=max_frames, duration=duration, stop=stop)
        finally:
            loop.close()
            done.set()
            diag.join(timeout=2.0)


DIAGNOSTICS_NAME = "rvos_serve: segmentation"


def _diagnostics(node: DdsNode, health: Any, loop: Any, done: threading.Event, period_s: float) -> None:
    """Publish ``/diagnostics`` every ``period_s`` until ``done`` (its own thread; the frame loop never waits)."""
    from rvos_ros.ros.dds_types import DiagnosticArray, diagnostics_out

    pub = node.publisher("/diagnostics", DiagnosticArray)
    while not done.wait(period_s):
        h = health.tick(loop)
        pub.write(diagnostics_out(time.time_ns(), DIAGNOSTICS_NAME, h.level, h.message, h.values))


def compressed_topic(image_topic: str) -> str:
    """``<image>/compressed``, image_transport's name for the compressed camera topic."""
    name = image_topic.rstrip("/")
    return name if name.endswith("/compressed") else name + "/compressed"


# -- play: a bag's topics, live, at the recorded rate ----------------------------------------


@dataclass
class PlaySummary:
    """What ``play`` published."""

    messages: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def rows(self) -> list[tuple[str, object]]:
        rows: list[tuple[str, object]] = [(topic, n) for topic, n in sorted(self.messages.items())]
        rows += [("bad messages", len(self.errors)), ("seconds", round(self.seconds, 2))]
        if self.unmatched:
            rows.append(("no subscriber when starting", ", ".join(self.unmatched)))
        return rows


# Within one log time: categories, then commands, then labels, then the frame they belong to.
_PLAY_ORDER = {"objects": 0, "command": 1, "labels": 2, "image": 3}


def play(bag: str | Path, *, topics: Any = None, rate: float = 1.0, loopback: bool = False,
         domain: int | None = None, wait_s: float = 5.0, stop: threading.Event | None = None) -> PlaySummary:
    """Publish a bag's camera, command and ground-truth topics live, at ``rate`` × the recorded pace.

    Messages go out byte-for-byte as recorded (headers preserved), under the
    bag's own topic names. Before starting, waits up to ``wait_s`` seconds for
    every topic to have a subscriber.
    """
    from rvos_ros.bag.reader import BagTopics, open_bag
    from rvos_ros.errors import BagError
    from rvos_ros.interface.messages import COMPRESSED, IMAGE, STRING
    from rvos_ros.ros.dds_types import CompressedImage, Image, String

    if not rate > 0:
        raise InputError(f"play --rate must be > 0, got {rate}")
    t = topics or BagTopics()
    path = Path(bag)
    summary = PlaySummary()
    wanted: dict[str, tuple[str, str, QosKind]] = {
        _norm(t.image): ("image", IMAGE, "sensor"), _norm(t.command): ("command", STRING, "reliable"),
        _norm(t.labels): ("labels", IMAGE, "reliable"), _norm(t.objects): ("objects", STRING, "latched")}
    reader = open_bag(path)
    try:
        conns = [c for c in reader.connections if _norm(c.topic) in wanted]
        if not any(_norm(c.topic) == _norm(t.image) for c in conns):
            have = ", ".join(sorted({c.topic for c in reader.connections})) or "none"
            raise BagError(f"bag {str(path)!r} has no camera topic {_norm(t.image)!r} (topics: {have}); "
                           "pass --image-topic")
        idl_of = {IMAGE: Image, COMPRESSED: CompressedImage, STRING: String}
        for c in conns:
            kind, msgtype, _ = wanted[_norm(c.topic)]
            allowed = (IMAGE, COMPRESSED) if kind == "image" else (msgtype,)
            if c.msgtype not in allowed:
                raise BagError(f"topic {c.topic!r} carries {c.msgtype}, expected {' or '.join(allowed)} for {kind}")
        with DdsNode(domain, loopback=loopback) as node:
            pubs: dict[str, tuple[str, type, DdsPublisher]] = {}
            for c in conns:
                kind, _, qos = wanted[_norm(c.topic)]
                if c.topic not in pubs:
                    idl = idl_of[c.msgtype]
                    pubs[c.topic] = (kind, idl, node.publisher(c.topic, idl, qos))
            for topic, (_, _, pub) in pubs.items():
                if not pub.wait_matched(1, wait_s / len(pubs)):
                    summary.unmatched.append(topic)
            _play_messages(reader, conns, pubs, rate, stop, summary)
            for kind, _, pub in pubs.values():
                if kind != "image":
                    pub.flush(2.0)
    finally:
        reader.close()
    return summary


def _play_messages(reader: Any, conns: list[Any], pubs: dict[str, tuple[str, type, DdsPublisher]], rate: float,
                   stop: threading.Event | None, summary: PlaySummary) -> None:
    t0 = time.monotonic()
    first: int | None = None
    group: list[tuple[Any, bytes]] = []
    group_ns = 0

    def flush_group() -> None:
        for conn, raw in sorted(group, key=lambda g: _PLAY_ORDER[pubs[g[0].topic][0]]):
            _, idl, pub = pubs[conn.topic]
            try:
                msg = idl.deserialize(raw)  # type: ignore[attr-defined]
            except Exception as err:  # a corrupt record: skip it, say so
                summary.errors.append(f"{conn.topic}: cannot decode a message: {err}")
                continue
            pub.write(msg)
            summary.messages[conn.topic] = summary.messages.get(conn.topic, 0) + 1
        group.clear()

    for conn, log_ns, raw in reader.messages(connections=conns):
        if stop is not None and stop.is_set():
            break
        if first is None:
            first = log_ns
        if group and log_ns != group_ns:
            flush_group()
        if not group:
            group_ns = log_ns
            delay = t0 + (log_ns - first) / 1e9 / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        group.append((conn, bytes(raw)))
    if group:
        flush_group()
    summary.seconds = time.monotonic() - t0


def _norm(topic: str) -> str:
    return "/" + topic.strip().strip("/")
