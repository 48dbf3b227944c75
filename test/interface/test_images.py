"""Image messages ↔ numpy for every supported encoding, padded rows included; robot camera encodings to RGB."""

import array
from types import SimpleNamespace

import cv2
import numpy as np
import pytest
from rosbags.typesys import Stores, get_typestore

from rvos_ros.errors import InputError
from rvos_ros.interface.images import (
    compressed_to_rgb,
    image_fields,
    image_to_array,
    image_to_rgb,
    rgb_to_compressed_data,
)

TS = get_typestore(Stores.ROS2_HUMBLE)
Image = TS.types["sensor_msgs/msg/Image"]
Header = TS.types["std_msgs/msg/Header"]
Time = TS.types["builtin_interfaces/msg/Time"]
RNG = np.random.default_rng(0)
RGB = RNG.integers(0, 256, (5, 7, 3), dtype=np.uint8)


def _as(enc):
    return {
        "rgb8": RGB,
        "bgr8": RGB[..., ::-1],
        "rgba8": np.dstack([RGB, np.full((5, 7), 255, np.uint8)]),
        "bgra8": np.dstack([RGB[..., ::-1], np.full((5, 7), 9, np.uint8)]),
        "mono8": RGB[..., 0],
    }[enc]


def _padded(arr, pad):
    h = arr.shape[0]
    flat = arr.reshape(h, -1)
    return np.hstack([flat, np.full((h, pad), 77, np.uint8)]), flat.shape[1] + pad


@pytest.mark.parametrize("enc", ["rgb8", "bgr8", "rgba8", "bgra8", "mono8"])
@pytest.mark.parametrize("pad", [0, 3, 16])
@pytest.mark.parametrize("flavour", ["rosbags", "rclpy"])
def test_every_encoding_round_trips_with_padding(enc, pad, flavour):
    arr = _as(enc)
    rows, step = _padded(arr, pad)
    data = rows.reshape(-1) if flavour == "rosbags" else array.array("B", rows.tobytes())
    msg = SimpleNamespace(height=5, width=7, encoding=enc, is_bigendian=0, step=step, data=data)
    got, got_enc = image_to_array(msg)
    assert got_enc == enc and np.array_equal(got, arr)
    expected_rgb = RGB if enc != "mono8" else np.repeat(RGB[..., :1], 3, axis=2)
    assert np.array_equal(image_to_rgb(msg), expected_rgb)


@pytest.mark.parametrize("enc", ["rgb8", "mono8"])
def test_fields_build_real_rosbags_messages_and_rclpy_friendly_data(enc):
    arr = _as(enc)
    fields = image_fields(arr, enc, as_numpy=True)
    msg = Image(header=Header(stamp=Time(sec=1, nanosec=2), frame_id="cam"), **fields)
    back, _ = image_to_array(msg)
    assert np.array_equal(back, arr)
    rcl = image_fields(arr, enc, as_numpy=False)
    assert isinstance(rcl["data"], array.array) and rcl["data"].typecode == "B"
    assert rcl["step"] == arr.shape[1] * (1 if enc == "mono8" else 3)


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"encoding": "mono16"}, r"'mono16' is not supported"),
        ({"encoding": "nv24"}, r"unknown image encoding 'nv24'; supported: .*yuv422, .*bayer_rggb8"),
        ({"height": 0}, r"zero size"),
        ({"step": 20}, r"step 20 is smaller than width\*bytes per pixel = 21"),
        ({"data": np.zeros(50, np.uint8)}, r"image data has 50 bytes, expected height\*step = 5\*21 = 105"),
    ],
)
def test_bad_images_are_refused_with_a_reason(kw, match):
    fields = dict(height=5, width=7, encoding="rgb8", is_bigendian=0, step=21, data=RGB.reshape(-1))
    fields.update(kw)
    with pytest.raises(InputError, match=match):
        image_to_rgb(SimpleNamespace(**fields))


def test_fields_refuse_mismatched_arrays():
    with pytest.raises(InputError, match=r"does not fit encoding 'rgb8'"):
        image_fields(RGB[..., 0], "rgb8", as_numpy=True)
    with pytest.raises(InputError, match=r"unknown image encoding"):
        image_fields(RGB, "rgb16", as_numpy=True)


@pytest.mark.parametrize("fmt", ["png", "jpeg"])
def test_compressed_round_trip(fmt):
    smooth = cv2.GaussianBlur(RGB, (5, 5), 0)
    data = rgb_to_compressed_data(smooth, fmt, quality=100)
    got = compressed_to_rgb(SimpleNamespace(format=fmt, data=data))
    if fmt == "png":
        assert np.array_equal(got, smooth)
    else:
        assert np.abs(got.astype(int) - smooth).mean() < 6


def test_compressed_garbage_is_refused():
    with pytest.raises(InputError, match=r"could not be decoded"):
        compressed_to_rgb(SimpleNamespace(format="jpeg", data=np.arange(30, dtype=np.uint8)))
    with pytest.raises(InputError, match=r"no data"):
        compressed_to_rgb(SimpleNamespace(format="jpeg", data=b""))
    with pytest.raises(InputError, match=r"unknown compressed format"):
        rgb_to_compressed_data(RGB, "webp2")


# -- robot camera encodings: YUV 4:2:2, NV12/NV21, Bayer --------------------------------------------------------
#
# The messages below are built by encoders written here from the formats' definitions (BT.601 studio range
# for YUV, as V4L2 cameras and OpenCV use; the ROS pattern name read row by row for Bayer), not by OpenCV, so a
# swapped byte order or a misnamed Bayer pattern shows up as a wrong colour.

COLOURS = [(200, 40, 40), (40, 200, 40), (40, 40, 200), (200, 200, 40),
           (40, 200, 200), (200, 40, 200), (128, 128, 128), (230, 120, 20)]
PATCH = 8
PATCHES = np.kron(np.array(COLOURS, np.uint8).reshape(2, 4, 3),
                  np.ones((PATCH, PATCH, 1), np.uint8))  # 16x32: two rows of four flat colour patches


def _centres(rgb):
    return [tuple(int(v) for v in rgb[r * PATCH + PATCH // 2, c * PATCH + PATCH // 2]) for r in range(2)
            for c in range(4)]


def _yuv(rgb):
    r, g, b = (rgb[..., i].astype(np.float64) for i in range(3))
    y = 16 + 0.257 * r + 0.504 * g + 0.098 * b
    u = 128 - 0.148 * r - 0.291 * g + 0.439 * b
    v = 128 + 0.439 * r - 0.368 * g - 0.071 * b
    return y, u, v


def _u8(a):
    return np.clip(np.round(a), 0, 255).astype(np.uint8)


def _yuv422(rgb, order):
    """One row of bytes per image row; each pixel pair shares the pair's mean U and V."""
    y, u, v = _yuv(rgb)
    u2, v2 = (u[:, 0::2] + u[:, 1::2]) / 2, (v[:, 0::2] + v[:, 1::2]) / 2
    planes = {"Y0": y[:, 0::2], "Y1": y[:, 1::2], "U": u2, "V": v2}
    return _u8(np.stack([planes[k] for k in order], axis=2).reshape(rgb.shape[0], -1))


def _yuv420sp(rgb, uv_order):
    """The Y plane, then one interleaved chroma row per two image rows, each value the mean of a 2x2 block."""
    y, u, v = _yuv(rgb)

    def half(a):
        return (a[0::2, 0::2] + a[0::2, 1::2] + a[1::2, 0::2] + a[1::2, 1::2]) / 4

    chroma = {"U": half(u), "V": half(v)}
    uv = np.stack([chroma[k] for k in uv_order], axis=2).reshape(rgb.shape[0] // 2, -1)
    return _u8(np.vstack([y, uv]))


def _bayer(rgb, pattern):
    """``pattern`` as ROS names it: the colours of the top-left 2x2 block, row by row ("rggb")."""
    mosaic = np.empty(rgb.shape[:2], np.uint8)
    for i, colour in enumerate(pattern):
        dy, dx = divmod(i, 2)
        mosaic[dy::2, dx::2] = rgb[dy::2, dx::2, "rgb".index(colour)]
    return mosaic


CAMERA = {  # ROS 2 encoding -> bytes of the image, rows of bytes
    "yuv422": lambda rgb: _yuv422(rgb, ("U", "Y0", "V", "Y1")),  # ROS 2 sensor_msgs: yuv422 is UYVY
    "uyvy": lambda rgb: _yuv422(rgb, ("U", "Y0", "V", "Y1")),
    "yuv422_yuy2": lambda rgb: _yuv422(rgb, ("Y0", "U", "Y1", "V")),  # YUYV
    "yuyv": lambda rgb: _yuv422(rgb, ("Y0", "U", "Y1", "V")),
    "nv12": lambda rgb: _yuv420sp(rgb, ("U", "V")),
    "nv21": lambda rgb: _yuv420sp(rgb, ("V", "U")),
    "bayer_rggb8": lambda rgb: _bayer(rgb, "rggb"),
    "bayer_bggr8": lambda rgb: _bayer(rgb, "bggr"),
    "bayer_gbrg8": lambda rgb: _bayer(rgb, "gbrg"),
    "bayer_grbg8": lambda rgb: _bayer(rgb, "grbg"),
}


def _camera_msg(enc, rgb=PATCHES, pad=0, **kw):
    rows = CAMERA[enc](rgb)
    rows = np.hstack([rows, np.full((rows.shape[0], pad), 77, np.uint8)])  # padding bytes in every row
    fields = dict(height=rgb.shape[0], width=rgb.shape[1], encoding=enc, is_bigendian=0, step=rows.shape[1],
                  data=rows.reshape(-1))
    fields.update(kw)
    return SimpleNamespace(**fields)


@pytest.mark.parametrize("enc", list(CAMERA))
@pytest.mark.parametrize("pad", [0, 6])
@pytest.mark.parametrize("flavour", ["rosbags", "rclpy"])
def test_camera_encodings_decode_to_the_colours_the_camera_saw(enc, pad, flavour):
    msg = _camera_msg(enc, pad=pad)
    if flavour == "rclpy":
        msg.data = array.array("B", msg.data.tobytes())
    rgb = image_to_rgb(msg)
    assert rgb.dtype == np.uint8 and rgb.shape == PATCHES.shape
    got = np.array(_centres(rgb), int)
    assert np.abs(got - np.array(COLOURS)).max() <= 3, f"{enc}: {_centres(rgb)} != {COLOURS}"


@pytest.mark.parametrize("pattern", ["rggb", "bggr", "gbrg", "grbg"])
def test_bayer_patterns_follow_ros_naming_not_opencvs(pattern):
    """ROS names the top-left 2x2 block row by row; OpenCV's Bayer codes name the second row's 2nd and 3rd pixels.

    A flat red patch mosaicked as ``bayer_<pattern>8`` comes back red (not blue, not green).
    """
    red = np.zeros((8, 8, 3), np.uint8)
    red[..., 0] = 220
    rgb = image_to_rgb(_camera_msg(f"bayer_{pattern}8", red))
    assert tuple(int(v) for v in rgb[4, 4]) == (220, 0, 0)


def test_yuv422_is_uyvy_and_yuv422_yuy2_is_yuyv():
    """The same bytes mean different colours in the two byte orders; ROS 2's ``yuv422`` is UYVY."""
    uyvy = CAMERA["yuv422"](PATCHES).reshape(-1)
    as_uyvy = image_to_rgb(SimpleNamespace(height=16, width=32, encoding="yuv422", is_bigendian=0, step=64,
                                           data=uyvy))
    as_yuyv = image_to_rgb(SimpleNamespace(height=16, width=32, encoding="yuv422_yuy2", is_bigendian=0, step=64,
                                           data=uyvy))
    assert np.abs(np.array(_centres(as_uyvy), int) - np.array(COLOURS)).max() <= 3
    assert np.abs(np.array(_centres(as_yuyv), int) - np.array(COLOURS)).max() > 30


@pytest.mark.parametrize(("enc", "shape"), [
    ("yuv422", (16, 32, 2)), ("yuv422_yuy2", (16, 32, 2)), ("nv12", (24, 32)), ("nv21", (24, 32)),
    ("bayer_gbrg8", (16, 32)),
])
def test_image_to_array_gives_the_raw_layout_opencv_converts_without_padding(enc, shape):
    msg = _camera_msg(enc, pad=5)
    arr, got_enc = image_to_array(msg)
    assert got_enc == enc and arr.shape == shape and arr.dtype == np.uint8
    assert np.array_equal(arr.reshape(arr.shape[0], -1), CAMERA[enc](PATCHES))


@pytest.mark.parametrize("enc", ["mono16", "16UC1", "16uc1", "bayer_rggb16", "bayer_grbg16", "rgb16", "bgra16",
                                 "32FC1"])
def test_depth_and_16_bit_images_are_refused_naming_the_stream_to_use(enc):
    msg = SimpleNamespace(height=2, width=2, encoding=enc, is_bigendian=0, step=4, data=np.zeros(8, np.uint8))
    with pytest.raises(InputError, match=rf"'{enc.lower()}' is not supported: it is a depth or 16-bit image, "
                                         r"and the node needs an 8-bit colour camera stream"):
        image_to_rgb(msg)


@pytest.mark.parametrize(("enc", "kw", "match"), [
    ("yuv422", {"width": 31, "step": 62}, r"'yuv422' needs an even width, got 31x16"),
    ("yuv422_yuy2", {"width": 31, "step": 62}, r"'yuv422_yuy2' needs an even width, got 31x16"),
    ("nv12", {"width": 31}, r"'nv12' needs an even width and height, got 31x16"),
    ("nv21", {"height": 15}, r"'nv21' needs an even width and height, got 32x15"),
    ("yuv422", {"step": 63}, r"step 63 is smaller than width\*bytes per pixel = 64 for yuv422 32x16"),
    ("nv12", {"data": np.zeros(32 * 16, np.uint8)},
     r"image data has 512 bytes, expected height\*3/2\*step = 24\*32 = 768 for nv12 32x16"),
    ("bayer_rggb8", {"data": np.zeros(100, np.uint8)}, r"expected height\*step = 16\*32 = 512"),
])
def test_camera_images_that_do_not_fit_their_encoding_are_refused(enc, kw, match):
    with pytest.raises(InputError, match=match):
        image_to_rgb(_camera_msg(enc, **kw))


def test_camera_encodings_are_input_only():
    with pytest.raises(InputError, match=r"unknown image encoding 'yuv422'; supported: rgb8"):
        image_fields(np.zeros((2, 2, 2), np.uint8), "yuv422", as_numpy=True)


@pytest.mark.parametrize(("enc", "h", "w"), [("bayer_rggb8", 1, 1), ("bayer_bggr8", 1, 3), ("yuv422", 1, 2),
                                             ("nv12", 2, 2)])
def test_the_smallest_camera_images_decode(enc, h, w):
    rgb = np.full((h, w, 3), 90, np.uint8)
    assert image_to_rgb(_camera_msg(enc, rgb)).shape == (h, w, 3)
