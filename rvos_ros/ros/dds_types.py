"""ROS 2 message types as Cyclone DDS IDL structs, in the ROS 2 wire format.

ROS 2 maps ``pkg/msg/Name`` to the DDS type ``pkg::msg::dds_::Name_`` and
serializes it as XCDR1 (plain CDR, little endian, 4-byte encapsulation header):
the same bytes that ``rosbags``' ``serialize_cdr`` writes into a bag. The
structs below declare exactly the fields of the ROS messages, in order, so
their serialization is byte-identical (checked in test/ros/test_dds.py).
Only the types the transport needs are here: Time, Header, Image,
CompressedImage, String, Detection2DArray with its nested types (vision_msgs
4.x) and DiagnosticArray.

``uint8[]`` fields are declared ``sequence[uint8]`` (so the type information
Cyclone announces is ROS's) but carried as ``bytes``: cyclonedds would pack and
unpack them one Python int per byte (~45 ms per VGA frame), so
:func:`_as_octets` swaps in its bytes codec, which writes the same wire bytes
(4-byte length, then the raw bytes) with one copy.
Builders turn our plain data into these structs, mirroring
``rvos_ros.interface.messages`` for bags.
"""

# No ``from __future__ import annotations``: cyclonedds resolves field annotations at run time.
from dataclasses import dataclass, field

import numpy as np
from cyclonedds.idl import IdlStruct
from cyclonedds.idl._machinery import BytesMachine
from cyclonedds.idl.types import array, byte, float64, int32, sequence, uint8, uint32

from rvos_ros.interface.images import image_fields
from rvos_ros.types import FrameResult, Track

# cyclonedds declares ``sequence`` and ``array`` as plain classes whose subscripts are IDL arguments (a length
# is no type), which mypy cannot read without cyclonedds' own plugin: the IDL fields below and the builders
# that fill them with lists carry ``type: ignore`` for exactly those errors.

__all__ = [
    "CompressedImage",
    "Detection2DArray",
    "DiagnosticArray",
    "Header",
    "Image",
    "String",
    "Time",
    "detections_out",
    "diagnostics_out",
    "header_out",
    "image_out",
    "result_header",
    "stamp_of",
]


@dataclass
class Time(IdlStruct, typename="builtin_interfaces::msg::dds_::Time_"):
    sec: int32 = 0
    nanosec: uint32 = 0


@dataclass
class Header(IdlStruct, typename="std_msgs::msg::dds_::Header_"):
    stamp: Time = field(default_factory=Time)
    frame_id: str = ""


@dataclass
class Image(IdlStruct, typename="sensor_msgs::msg::dds_::Image_"):
    header: Header = field(default_factory=Header)
    height: uint32 = 0
    width: uint32 = 0
    encoding: str = ""
    is_bigendian: uint8 = 0
    step: uint32 = 0
    data: sequence[uint8] = b""  # type: ignore[type-arg, assignment]  # bytes on the wire, see _as_octets


@dataclass
class CompressedImage(IdlStruct, typename="sensor_msgs::msg::dds_::CompressedImage_"):
    header: Header = field(default_factory=Header)
    format: str = ""
    data: sequence[uint8] = b""  # type: ignore[type-arg, assignment]  # bytes on the wire, see _as_octets


@dataclass
class String(IdlStruct, typename="std_msgs::msg::dds_::String_"):
    data: str = ""


@dataclass
class Point(IdlStruct, typename="geometry_msgs::msg::dds_::Point_"):
    x: float64 = 0.0
    y: float64 = 0.0
    z: float64 = 0.0


@dataclass
class Quaternion(IdlStruct, typename="geometry_msgs::msg::dds_::Quaternion_"):
    x: float64 = 0.0
    y: float64 = 0.0
    z: float64 = 0.0
    w: float64 = 1.0


@dataclass
class Pose(IdlStruct, typename="geometry_msgs::msg::dds_::Pose_"):
    position: Point = field(default_factory=Point)
    orientation: Quaternion = field(default_factory=Quaternion)


@dataclass
class PoseWithCovariance(IdlStruct, typename="geometry_msgs::msg::dds_::PoseWithCovariance_"):
    pose: Pose = field(default_factory=Pose)
    covariance: array[float64, 36] = field(  # type: ignore[type-arg, valid-type]  # IDL type, see the note on top
        default_factory=lambda: [0.0] * 36)  # type: ignore[assignment]  # IDL type, see the note on top


@dataclass
class Point2D(IdlStruct, typename="vision_msgs::msg::dds_::Point2D_"):
    x: float64 = 0.0
    y: float64 = 0.0


@dataclass
class Pose2D(IdlStruct, typename="vision_msgs::msg::dds_::Pose2D_"):
    position: Point2D = field(default_factory=Point2D)
    theta: float64 = 0.0


@dataclass
class BoundingBox2D(IdlStruct, typename="vision_msgs::msg::dds_::BoundingBox2D_"):
    center: Pose2D = field(default_factory=Pose2D)
    size_x: float64 = 0.0
    size_y: float64 = 0.0


@dataclass
class ObjectHypothesis(IdlStruct, typename="vision_msgs::msg::dds_::ObjectHypothesis_"):
    class_id: str = ""
    score: float64 = 0.0


@dataclass
class ObjectHypothesisWithPose(IdlStruct, typename="vision_msgs::msg::dds_::ObjectHypothesisWithPose_"):
    hypothesis: ObjectHypothesis = field(default_factory=ObjectHypothesis)
    pose: PoseWithCovariance = field(default_factory=PoseWithCovariance)


@dataclass
class Detection2D(IdlStruct, typename="vision_msgs::msg::dds_::Detection2D_"):
    header: Header = field(default_factory=Header)
    results: sequence[ObjectHypothesisWithPose] = field(  # type: ignore[type-arg, assignment]  # IDL type
        default_factory=list)
    bbox: BoundingBox2D = field(default_factory=BoundingBox2D)
    id: str = ""


@dataclass
class Detection2DArray(IdlStruct, typename="vision_msgs::msg::dds_::Detection2DArray_"):
    header: Header = field(default_factory=Header)
    detections: sequence[Detection2D] = field(default_factory=list)  # type: ignore[type-arg, assignment]  # IDL type


@dataclass
class KeyValue(IdlStruct, typename="diagnostic_msgs::msg::dds_::KeyValue_"):
    key: str = ""
    value: str = ""


@dataclass
class DiagnosticStatus(IdlStruct, typename="diagnostic_msgs::msg::dds_::DiagnosticStatus_"):
    level: byte = 0
    name: str = ""
    message: str = ""
    hardware_id: str = ""
    values: sequence[KeyValue] = field(default_factory=list)  # type: ignore[type-arg, assignment]  # IDL type


@dataclass
class DiagnosticArray(IdlStruct, typename="diagnostic_msgs::msg::dds_::DiagnosticArray_"):
    header: Header = field(default_factory=Header)
    status: sequence[DiagnosticStatus] = field(default_factory=list)  # type: ignore[type-arg, assignment]  # IDL type


def _as_octets(cls: type, member: str) -> None:
    """Serialize ``cls.member`` (a ``sequence[uint8]``) from/to ``bytes`` with one copy instead of per element.

    Relies on cyclonedds' machine layout (checked in 11.0): fails loudly if it changes.
    """
    idl = cls.__idl__  # type: ignore[attr-defined]
    idl.populate()
    for machine in (idl.v1_machine, idl.v2_machine):
        members = machine.members_machines
        if member not in members:
            raise ImportError(f"cyclonedds internals changed: {cls.__name__} has no member machine {member!r}")
        members[member] = BytesMachine()


_as_octets(Image, "data")
_as_octets(CompressedImage, "data")


def header_out(stamp_ns: int, frame_id: str) -> Header:
    """A Header for a stamp in nanoseconds."""
    return Header(Time(stamp_ns // 1_000_000_000, stamp_ns % 1_000_000_000), frame_id)


def stamp_of(hdr: Header) -> int:
    """Nanoseconds of a Header's stamp."""
    return int(hdr.stamp.sec) * 1_000_000_000 + int(hdr.stamp.nanosec)


def result_header(result: FrameResult) -> Header:
    """The input frame's header, which every output of that frame carries."""
    return header_out(result.stamp_ns, result.frame_id)


def image_out(hdr: Header, pixels: np.ndarray, encoding: str) -> Image:
    """An Image of an (H, W[, C]) uint8 array in ``encoding`` (mono8, rgb8, ...); no row padding."""
    f = image_fields(pixels, encoding, as_numpy=True)
    return Image(hdr, f["height"], f["width"], encoding, 0, f["step"], f["data"].tobytes())


def _detection(hdr: Header, t: Track) -> Detection2D:
    x1, y1, x2, y2 = t.box
    bbox = BoundingBox2D(Pose2D(Point2D((x1 + x2) / 2.0, (y1 + y2) / 2.0), 0.0), float(x2 - x1), float(y2 - y1))
    hyp = ObjectHypothesisWithPose(ObjectHypothesis(t.label, float(t.score)), PoseWithCovariance())
    return Detection2D(hdr, [hyp], bbox, str(t.id))  # type: ignore[arg-type]  # IDL sequence, see the note on top


def detections_out(hdr: Header, tracks: tuple[Track, ...]) -> Detection2DArray:
    """Detection2DArray: one Detection2D per track, ``id`` = track id, class = label (as in bags)."""
    return Detection2DArray(hdr, [_detection(hdr, t) for t in tracks])  # type: ignore[arg-type]  # IDL sequence


def diagnostics_out(stamp_ns: int, name: str, level: int, message: str, values: dict[str, str]) -> DiagnosticArray:
    """A DiagnosticArray with one status (levels as diagnostic_msgs: 0 OK, 1 WARN, 2 ERROR)."""
    kv = [KeyValue(k, v) for k, v in values.items()]
    status = DiagnosticStatus(level, name, message, "", kv)  # type: ignore[arg-type]  # IDL sequence
    return DiagnosticArray(header_out(stamp_ns, ""), [status])  # type: ignore[arg-type]  # IDL sequence
