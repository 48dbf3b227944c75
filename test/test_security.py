"""Security rules checked on the source: no code from data, checkpoints as weights only, secrets from the
environment and never logged, commands capped."""

import ast
from pathlib import Path

import pytest

from rvos_ros.config import Config, LLMConfig
from rvos_ros.errors import InputError
from rvos_ros.reasoning.query_parser import QueryParser

SOURCES = sorted(Path(__file__).resolve().parent.parent.joinpath("rvos_ros").rglob("*.py"))


def calls(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
            owner = f.value.id if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) else ""
            yield node, owner, name


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_no_eval_exec_pickle_or_unsafe_loading(path):
    tree = ast.parse(path.read_text(), str(path))
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] + [getattr(node, "module", "") or ""]
            assert not any(n.split(".")[0] in ("pickle", "dill", "marshal", "shelve") for n in names), path
    for node, owner, name in calls(tree):
        builtin = isinstance(node.func, ast.Name)
        assert not (builtin and name in ("eval", "exec", "compile")), f"{path}:{node.lineno} {name}()"
        if owner == "yaml":
            assert name != "load", f"{path}:{node.lineno}: use yaml.safe_load"
        if owner == "torch" and name == "load":
            kw = {k.arg: k.value for k in node.keywords}
            ok = isinstance(kw.get("weights_only"), ast.Constant) and kw["weights_only"].value is True
            assert ok, f"{path}:{node.lineno}: torch.load without weights_only=True"
        if owner == "np" and name == "load":
            kw = {k.arg: k.value for k in node.keywords}
            assert not (isinstance(kw.get("allow_pickle"), ast.Constant) and kw["allow_pickle"].value), path


def test_the_api_key_is_read_only_from_the_environment_and_never_shown(monkeypatch, caplog):
    pytest.importorskip("openai")
    from rvos_ros.llm.client import OpenAICompatibleClient

    assert "api_key" not in {f for f in LLMConfig.__dataclass_fields__}  # no key field in config or YAML
    monkeypatch.setenv("RVOS_KEY_UNDER_TEST", "sk-very-secret")
    c = OpenAICompatibleClient(LLMConfig(backend="openai", api_key_env="RVOS_KEY_UNDER_TEST"))
    assert "sk-very-secret" not in repr(c) and "sk-very-secret" not in str(c.config)
    assert "sk-very-secret" not in caplog.text


def test_commands_are_capped_in_length():
    cap = Config().output.max_command_chars
    with pytest.raises(InputError, match=r"over the limit of \d+; shorten it"):
        QueryParser(max_chars=cap).parse("the dog " * (cap // 4))
