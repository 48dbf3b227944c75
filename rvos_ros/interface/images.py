"""``sensor_msgs/Image`` and ``CompressedImage`` ↔ numpy, for rclpy and rosbags messages alike.

Messages are duck-typed: anything with the fields of ``sensor_msgs/msg/Image``
(``height``, ``width``, ``encoding``, ``is_bigendian``, ``step``, ``data``)
works, so the same code serves the rclpy node, bag replay and the DDS
transport. Row padding (``step`` > width × bytes per pixel) is honoured.
"""

from __future__ import annotations

import array
from typing import Any

import cv2
import numpy as np

from rvos_ros.errors import InputError

__all__ = [
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


def image_to_array(msg: Any) -> tuple[np.ndarray, str]:
    """Decode an Image message into an (H, W[, C]) array in its own encoding; returns (array, encoding)."""
    enc = str(getattr(msg, "encoding", "")).lower()
    if enc == "mono16" or enc == "16uc1":
        raise InputError(f"image encoding {enc!r} is not supported for camera or mask input; publish "
                         "mono8 masks or rgb8/bgr8 camera images")
    if enc not in ENCODINGS:
        raise InputError(f"unknown image encoding {enc!r}; supported: {', '.join(ENCODINGS)}")
    channels, dtype = ENCODINGS[enc]
    h, w, step = _size_field(msg, "height"), _size_field(msg, "width"), _size_field(msg, "step")
    if h <= 0 or w <= 0:
        raise InputError(f"image has zero size ({w}x{h}); drop empty images at the source")
    row = w * channels * dtype.itemsize
    if step < row:
        raise InputError(f"image step {step} is smaller than width*bytes per pixel = {row} for {enc} {w}x{h}")
    buf = _buffer(msg.data)
    if buf.size < h * step:
        raise InputError(f"image data has {buf.size} bytes, expected height*step = {h}*{step} = {h * step}")
    rows = buf[: h * step].reshape(h, step)[:, :row]
    arr = np.ascontiguousarray(rows).view(dtype).reshape((h, w, channels) if channels > 1 else (h, w))
    return arr, enc


def image_to_rgb(msg: Any) -> np.ndarray:
    """Decode a camera Image message into an RGB uint8 (H, W, 3) array."""
    arr, enc = image_to_array(msg)
    if enc == "rgb8":
        return arr
    if enc == "bgr8":
        return cv2.cvtColor(arr, cv2.COLOR_BGR2RGB)
    if enc == "rgba8":
        return cv2.cvtColor(arr, cv2.COLOR_RGBA2RGB)
    if enc == "bgra8":
        return cv2.cvtColor(arr, cv2.COLOR_BGRA2RGB)
    return cv2.cvtColor(arr, cv2.COLOR_GRAY2RGB)


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
