"""The engine cache: keys differ when anything they record differs, and a mismatched engine is refused."""

import dataclasses
import json

import pytest

from rvos_ros.engines.cache import EngineCache, EngineKey, file_hash
from rvos_ros.errors import EngineError

KEY = EngineKey(part="sam2.image_encoder", model_hash="0123456789abcdef", input_shape=(1, 3, 512, 512),
                precision="fp16", tensorrt="10.3.0", gpu="Orin")


def built(tmp_path, key=KEY):
    cache = EngineCache(tmp_path)
    path = cache.path_for(key, ".engine")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"serialized engine")
    cache.store(path, key)
    return cache, path


@pytest.mark.parametrize("field, value", [("part", "clip.text"), ("model_hash", "fedcba9876543210"),
                                          ("input_shape", (1, 3, 1024, 1024)), ("precision", "fp32"),
                                          ("tensorrt", "10.4.0"), ("gpu", "RTX 4090")])
def test_every_key_field_changes_the_file_name_and_a_mismatch_is_refused_with_the_rebuild_command(tmp_path, field,
                                                                                                   value):
    cache, path = built(tmp_path)
    other = dataclasses.replace(KEY, **{field: value})
    assert cache.path_for(other, ".engine") != path
    with pytest.raises(EngineError, match=rf"built for something else \({field} .*rvos-ros engines build"):
        cache.lookup(path, other)


def test_a_matching_engine_is_found_and_listed(tmp_path):
    cache, path = built(tmp_path)
    assert cache.lookup(path, KEY) == path
    assert cache.entries() == [(path, KEY, "")]


def test_missing_sidecar_changed_file_and_bad_sidecar_are_refused(tmp_path):
    cache, path = built(tmp_path)
    path.write_bytes(b"another engine")
    with pytest.raises(EngineError, match="changed since it was built"):
        cache.lookup(path, KEY)
    sidecar = path.with_suffix(".engine.json")
    sidecar.write_text("{not json")
    with pytest.raises(EngineError, match="unreadable"):
        cache.lookup(path, KEY)
    sidecar.write_text(json.dumps({"version": 99}))
    with pytest.raises(EngineError, match="unknown version"):
        cache.lookup(path, KEY)
    sidecar.unlink()
    with pytest.raises(EngineError, match="has no sidecar .*--backend tensorrt --precision fp16"):
        cache.lookup(path, KEY)
    assert cache.entries()[0][1] is None
    with pytest.raises(EngineError, match="does not exist"):
        cache.lookup(tmp_path / "nope.engine", KEY)


def test_onnx_keys_are_portable_and_say_so_in_the_hint(tmp_path):
    key = EngineKey("clip.text", "0123456789abcdef", (-1, 16))
    assert key.slug == "clip.text_01234567_Nx16_fp32"
    cache = EngineCache(tmp_path)
    with pytest.raises(EngineError, match="--backend onnx --precision fp32"):
        cache.lookup(tmp_path / "x.onnx", key)


def test_file_hash_is_stable_and_content_sensitive(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_bytes(b"weights")
    b.write_bytes(b"weightz")
    assert file_hash(a) == file_hash(a) != file_hash(b) and len(file_hash(a)) == 16
