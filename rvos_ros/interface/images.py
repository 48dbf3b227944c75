"""``sensor_msgs/Image`` and ``CompressedImage`` ↔ numpy, for rclpy and rosbags messages alike.

Messages are duck-typed: anything with the fields of ``sensor_msgs/msg/Image``
(``height``, ``width``, ``encoding``, ``is_bigendian``, ``step``, ``data``)
works, so the same code serves the rclpy node, bag replay and the DDS
transport. Row padding (``step`` > width × bytes per pixel) is honoured for
every encoding.

Camera input also takes what robot cameras publish besides rgb8/bgr8, each
turned into RGB by OpenCV: YUV 4:2:2 (``yuv422`` is UYVY in ROS 2's
``sensor_msgs/image_encodings``, ``uyvy`` the same; ``yuv422_yuy2`` and
``yuyv`` are YUYV), YUV 4:2:0 semi-planar (``nv12``, ``nv21``: ``height`` is
the image's, the data holds height × 3/2 rows of ``step`` bytes) and 8-bit
Bayer mosaics (``bayer_rggb8``, ``bayer_bggr8``, ``bayer_gbrg8``,
``bayer_grbg8``). Depth and 16-bit images are refused: the node segments an
8-bit colour stream.
"""

from __future__ import annotations

import array
import re
from typing import Any

import cv2
import numpy as np

from rvos_ros.errors import InputError

__all__ = [
    "CAMERA_ENCODINGS",
    "ENCODINGS",
    "compressed_to_rgb",
    "image_fields",
    "image_to_array",
    "image_to_rgb",
    "rgb_to_compressed_data",
]

# encoding -> (channels, dtype)
ENCODINGS: dict[str, tuple[int, np.dtype]] = {
    "rgb8": (3, np.dtype(np.uint8)),
    "bgr8": (3, np.dtype(np.uint8)),
    "rgba8": (4, np.dtype(np.uint8)),
    "bgra8": (4, np.dtype(np.uint8)),
    "mono8": (1, np.dtype(np.uint8)),
}
"""Encodings that are read and written (masks, overlays, camera frames)."""

_YUV422: dict[str, int] = {  # two bytes per pixel, a U/V pair shared by two neighbouring pixels
    "yuv422": cv2.COLOR_YUV2RGB_UYVY,  # ROS 2 sensor_msgs: "yuv422" is UYVY
    "uyvy": cv2.COLOR_YUV2RGB_UYVY,
    "yuv422_yuy2": cv2.COLOR_YUV2RGB_YUY2,  # YUYV
    "yuyv": cv2.COLOR_YUV2RGB_YUY2,
}
_YUV420SP: dict[str, int] = {  # a Y plane, then an interleaved half-resolution UV (nv12) or VU (nv21) plane
    "nv12": cv2.COLOR_YUV2RGB_NV12,
    "nv21": cv2.COLOR_YUV2RGB_NV21,
}
# OpenCV names a Bayer pattern by the second row's second and third pixels, ROS by the top-left 2x2 block read
# row by row: ROS rggb is OpenCV's BG (test_images.py checks it on a mosaic built from a known image).
_BAYER: dict[str, int] = {
    "bayer_rggb8": cv2.COLOR_BayerBG2RGB,
    "bayer_bggr8": cv2.COLOR_BayerRG2RGB,
    "bayer_gbrg8": cv2.COLOR_BayerGR2RGB,
    "bayer_grbg8": cv2.COLOR_BayerGB2RGB,
}
CAMERA_ENCODINGS: tuple[str, ...] = (*ENCODINGS, *_YUV422, *_YUV420SP, *_BAYER)
"""Every encoding :func:`image_to_rgb` takes."""

_DEEP = re.compile(r"(mono|rgb|bgr|rgba|bgra)16|bayer_[rgb]{4}16|(16|32|64)[usf]c[1-4]?")
"""Depth and 16-bit encodings, lower case (``mono16``, ``16UC1``, ``bayer_rggb16``, ``rgb16``, ``32FC1``...)."""


def _buffer(data: Any) -> np.ndarray:
    try:
        if isinstance(data, np.ndarray):
            return data.reshape(-1).view(np.uint8)
        if isinstance(data, (bytes, bytearray, memoryview, array.array)):
            return np.frombuffer(data, dtype=np.uint8)
        if isinstance(data, (list, tuple)):
            return np.asarray(data, dtype=np.uint8).reshape(-1)  # a list: slow, but correct
    except (ValueError, TypeError, OverflowError) as err:
        raise InputError(f"image data cannot be read as bytes ({err})") from None
    raise InputError(f"image data must be bytes or a uint8 sequence, got {type(data).__name__}")


def _size_field(msg: Any, name: str) -> int:
    """A non-negative integer header field (height, width, step); InputError for anything else."""
    value = getattr(msg, name, None)
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise InputError(f"image {name} must be an integer, got {value!r}")
    if not 0 <= int(value) < 2**31:
        raise InputError(f"image {name} {int(value)} is out of range")
    return int(value)


def _layout(enc: str, h: int, w: int) -> tuple[int, int, int]:
    """(rows of bytes, bytes per row without padding, channels of the array) of an image in ``enc``."""
    if enc in ENCODINGS:
        channels, dtype = ENCODINGS[enc]
        return h, w * channels * dtype.itemsize, channels
    if enc in _YUV422:
        if w % 2:
            raise InputError(f"image encoding {enc!r} needs an even width, got {w}x{h} (YUV 4:2:2 shares one U/V "
                             "pair between two pixels); set the camera to an even width")
        return h, w * 2, 2
    if enc in _YUV420SP:
        if w % 2 or h % 2:
            raise InputError(f"image encoding {enc!r} needs an even width and height, got {w}x{h} (YUV 4:2:0 "
                             "shares one U/V pair between 2x2 pixels); set the camera to an even size")
        return h * 3 // 2, w, 1
    return h, w, 1  # Bayer: one byte per pixel


def image_to_array(msg: Any) -> tuple[np.ndarray, str]:
    """Decode an Image message into an array in its own encoding; returns (array, encoding).

    The array is (H, W, C) or (H, W) for the encodings of :data:`ENCODINGS`
    and Bayer mosaics, (H, W, 2) for YUV 4:2:2 and (H × 3/2, W) for nv12/nv21,
    as OpenCV's colour conversions take them; row padding is removed.
    """
    enc = str(getattr(msg, "encoding", "")).lower()
    if _DEEP.fullmatch(enc):
        raise InputError(f"image encoding {enc!r} is not supported: it is a depth or 16-bit image, and the node needs "
                         "an 8-bit colour camera stream (rgb8, bgr8, yuv422, bayer_rggb8, ...; mono8 for labels); "
                         "point the image topic at the camera's colour stream")
    if enc not in CAMERA_ENCODINGS:
        raise InputError(f"unknown image encoding {enc!r}; supported: {', '.join(CAMERA_ENCODINGS)}")
    h, w, step = _size_field(msg, "height"), _size_field(msg, "width"), _size_field(msg, "step")
    if h <= 0 or w <= 0:
        raise InputError(f"image has zero size ({w}x{h}); drop empty images at the source")
    rows, row, channels = _layout(enc, h, w)
    if step < row:
        raise InputError(f"image step {step} is smaller than width*bytes per pixel = {row} for {enc} {w}x{h}")
    buf = _buffer(msg.data)
    if buf.size < rows * step:
        expected = f"height*step = {h}*{step}" if rows == h else f"height*3/2*step = {rows}*{step}"
        raise InputError(f"image data has {buf.size} bytes, expected {expected} = {rows * step} for {enc} {w}x{h}")
    data = np.ascontiguousarray(buf[: rows * step].reshape(rows, step)[:, :row])
    if enc in ENCODINGS:
        dtype = ENCODINGS[enc][1]
        return data.view(dtype).reshape((h, w, channels) if channels > 1 else (h, w)), enc
    return data.reshape((rows, w, channels) if channels > 1 else (rows, w)), enc


_TO_RGB: dict[str, int] = {
    "bgr8": cv2.COLOR_BGR2RGB,
    "rgba8": cv2.COLOR_RGBA2RGB,
    "bgra8": cv2.COLOR_BGRA2RGB,
    "mono8": cv2.COLOR_GRAY2RGB,
    **_YUV422,
    **_YUV420SP,
    **_BAYER,
}


def image_to_rgb(msg: Any) -> np.ndarray:
    """Decode a camera Image message (any of :data:`CAMERA_ENCODINGS`) into an RGB uint8 (H, W, 3) array."""
    arr, enc = image_to_array(msg)
    if enc == "rgb8":
        return arr
    return cv2.cvtColor(arr, _TO_RGB[enc])


def image_fields(array_: np.ndarray, encoding: str, *, as_numpy: bool) -> dict[str, Any]:
    """The Image fields (no header) for an array: height, width, encoding, is_bigendian, step, data.

    ``as_numpy=True`` gives ``data`` as a numpy uint8 array (rosbags);
    otherwise an ``array.array('B')``, which rclpy's setter takes without a
    per-element copy (a Python list would be orders of magnitude slower).
    """
    if encoding not in ENCODINGS:
        raise InputError(f"unknown image encoding {encoding!r}; supported: {', '.join(ENCODINGS)}")
    channels, _ = ENCODINGS[encoding]
    a = np.ascontiguousarray(array_, dtype=np.uint8)
    if (channels == 1 and a.ndim != 2) or (channels > 1 and (a.ndim != 3 or a.shape[2] != channels)):
        raise InputError(f"array of shape {a.shape} does not fit encoding {encoding!r}")
    h, w = a.shape[:2]
    flat = a.reshape(-1)
    data: Any = flat if as_numpy else array.array("B", flat.tobytes())
    return {"height": h, "width": w, "encoding": encoding, "is_bigendian": 0, "step": w * channels, "data": data}


def compressed_to_rgb(msg: Any) -> np.ndarray:
    """Decode a CompressedImage (jpeg/png) into an RGB uint8 array."""
    buf = _buffer(msg.data)
    if buf.size == 0:
        raise InputError("compressed image has no data")
    bgr = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    if bgr is None:
        fmt = getattr(msg, "format", "?")
        raise InputError(f"compressed image (format {fmt!r}) could not be decoded; publish jpeg or png")
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def rgb_to_compressed_data(rgb: np.ndarray, fmt: str = "jpeg", quality: int = 90) -> np.ndarray:
    """Encode an RGB array as jpeg or png bytes (uint8 array) for a CompressedImage."""
    ext = {"jpeg": ".jpg", "jpg": ".jpg", "png": ".png"}.get(fmt.lower())
    if ext is None:
        raise InputError(f"unknown compressed format {fmt!r}; use jpeg or png")
    params = [cv2.IMWRITE_JPEG_QUALITY, quality] if ext == ".jpg" else []
    ok, enc = cv2.imencode(ext, cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), params)
    if not ok:
        raise InputError(f"could not encode image as {fmt}")
    return enc.reshape(-1)
