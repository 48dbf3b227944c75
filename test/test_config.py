"""config/rvos.yaml is the typed Config; every mistake names its key."""

from pathlib import Path

import pytest

from rvos_ros.config import Config, from_dict, load_config, to_dict
from rvos_ros.errors import ConfigError


def test_packaged_yaml_equals_the_dataclass_defaults():
    # config/ must stay true to the code: the shipped file holds exactly the defaults
    assert load_config() == Config()


def test_yaml_lists_every_key_of_the_config():
    import yaml

    shipped = yaml.safe_load((Path(__file__).parents[1] / "config" / "rvos.yaml").read_text())
    assert shipped == to_dict(Config())


def test_partial_file_keeps_defaults(tmp_path):
    p = tmp_path / "c.yaml"
    p.write_text("runtime:\n  reason_every: 3\n")
    cfg = load_config(p)
    assert cfg.runtime.reason_every == 3
    assert cfg.reasoning == Config().reasoning


def test_replace_with_dotted_keys():
    cfg = Config().replace(**{"perception.noise.miss_rate": 0.1, "runtime.mode": "live"})
    assert cfg.perception.noise.miss_rate == 0.1
    assert cfg.runtime.mode == "live"


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ({"runtime": {"reason_evry": 3}}, r"unknown config key 'runtime.reason_evry'"),
        ({"bogus": {}}, r"unknown config key 'bogus'"),
        ({"runtime": {"reason_every": 0}}, r"'runtime.reason_every': must be >= 1"),
        ({"runtime": {"reason_every": "5"}}, r"'runtime.reason_every': must be an integer"),
        ({"runtime": {"mode": "fast"}}, r"'runtime.mode': must be one of \['deterministic', 'live'\]"),
        ({"perception": {"noise": {"miss_rate": 1.5}}}, r"'perception.noise.miss_rate': must be in \[0, 1\)"),
        ({"perception": {"noise": 3}}, r"'perception.noise': must be a mapping"),
        ({"camera_motion": {"enabled": "yes"}}, r"'camera_motion.enabled': must be true or false"),
        ({"reasoning": {"lock_confidence": 0}}, r"'reasoning.lock_confidence'"),
        ({"output": {"max_command_chars": 0}}, r"'output.max_command_chars'"),
    ],
)
def test_bad_values_name_the_key(data, match):
    with pytest.raises(ConfigError, match=match):
        from_dict(data)


def test_missing_file_and_bad_yaml(tmp_path):
    with pytest.raises(ConfigError, match=r"does not exist"):
        load_config(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("runtime: [1, 2\n")
    with pytest.raises(ConfigError, match=r"not valid YAML"):
        load_config(bad)
    top = tmp_path / "list.yaml"
    top.write_text("- 1\n- 2\n")
    with pytest.raises(ConfigError, match=r"must be a mapping of sections"):
        load_config(top)


def test_replace_unknown_key():
    with pytest.raises(ConfigError, match=r"unknown key"):
        Config().replace(**{"runtime.nope": 1})
