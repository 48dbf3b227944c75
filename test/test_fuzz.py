"""Fuzzing the three doors outside data comes through: commands, trajectory windows, image headers.

Whatever comes in, the answer is a result or our InputError (a clear message), never another exception.
"""

import json
from types import SimpleNamespace

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rvos_ros.errors import InputError
from rvos_ros.interface.images import compressed_to_rgb, image_to_rgb
from rvos_ros.reasoning.query_parser import QueryParser
from rvos_ros.reasoning.window_io import window_from_dict

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.text(max_size=400))
def test_any_text_is_a_parsed_query_or_an_input_error(text):
    try:
        q = QueryParser(max_chars=300).parse(text)
    except InputError as err:
        assert str(err)
        return
    assert isinstance(q.text, str) and len(q.text) <= 300 and q.count >= 0


_number = st.one_of(st.integers(-5, 300), st.floats(allow_nan=True, allow_infinity=True), st.none(),
                    st.text(max_size=3))
_row = st.lists(_number, min_size=0, max_size=7)
_track = st.fixed_dictionaries({}, optional={
    "id": _number, "label": st.one_of(st.text(max_size=8), st.integers()), "score": _number,
    "attributes": st.one_of(st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2), st.integers()),
    "boxes": st.one_of(st.lists(_row, max_size=5), st.text(max_size=3))})
_window = st.fixed_dictionaries({}, optional={
    "version": st.one_of(st.just(1), _number), "query": st.one_of(st.text(max_size=20), st.integers()),
    "fps": _number, "width": _number, "height": _number, "num_frames": _number,
    "camera": st.one_of(st.lists(st.lists(_number, max_size=10), max_size=3), st.text(max_size=2)),
    "tracks": st.one_of(st.lists(_track, max_size=3), st.integers())})


@FUZZ
@given(st.one_of(_window, st.lists(st.integers(), max_size=2), st.text(max_size=5), st.none()))
def test_any_json_window_is_a_window_or_an_input_error(data):
    json.dumps(data, allow_nan=True)  # only what a JSON file can hold
    try:
        w = window_from_dict(data)
    except InputError as err:
        assert str(err)
        return
    assert w.num_frames >= 1 and all(np.isfinite(np.asarray(t.boxes, dtype=float)).all() for t in w.tracks)


_enc = st.sampled_from(["rgb8", "bgr8", "rgba8", "bgra8", "mono8", "mono16", "yuv422", "", "RGB8", "32FC1"])
_dim = st.one_of(st.integers(-3, 12), st.just(2**31), st.text(max_size=2), st.none(), st.floats(allow_nan=True))


@FUZZ
@given(height=_dim, width=_dim, step=_dim, encoding=_enc, is_bigendian=st.integers(0, 1),
       data=st.one_of(st.binary(max_size=600), st.lists(st.integers(0, 255), max_size=50), st.none()))
def test_any_image_header_is_an_image_or_an_input_error(height, width, step, encoding, is_bigendian, data):
    msg = SimpleNamespace(height=height, width=width, step=step, encoding=encoding, is_bigendian=is_bigendian,
                          data=data)
    try:
        rgb = image_to_rgb(msg)
    except InputError as err:
        assert str(err)
        return
    assert rgb.dtype == np.uint8 and rgb.ndim == 3 and rgb.shape[2] == 3 and rgb.shape[:2] == (height, width)


@FUZZ
@given(fmt=st.one_of(st.sampled_from(["jpeg", "png", "rgb8; jpeg compressed bgr8", "bmp", ""]), st.text(max_size=6)),
       data=st.one_of(st.binary(max_size=300), st.none()))
def test_any_compressed_image_is_an_image_or_an_input_error(fmt, data):
    try:
        rgb = compressed_to_rgb(SimpleNamespace(format=fmt, data=data))
    except InputError as err:
        assert str(err)
        return
    assert rgb.dtype == np.uint8 and rgb.ndim == 3
