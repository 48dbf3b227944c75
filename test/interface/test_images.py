"""Image messages ↔ numpy for every supported encoding, padded rows included."""

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
        ({"encoding": "yuv422"}, r"unknown image encoding 'yuv422'"),
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
