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
    # the folders ship empty (the per-user data directory); the Config holds them resolved
    assert shipped["perception"].pop("models_dir") == "" and shipped["engines"].pop("dir") == ""
    expected = to_dict(Config())
    del expected["perception"]["models_dir"], expected["engines"]["dir"]
    assert shipped == expected


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
        ({"runtime": {"reason_every": 0}}, r"'runtime.reason_every': must be in \[1, 1000\], got 0"),
        ({"runtime": {"window_frames": 10_000_000}}, r"'runtime.window_frames': must be in \[2, 3000\]"),
        ({"perception": {"grounding": {"max_tracks": 10_000}}}, r"'perception.grounding.max_tracks': must be in"),
        ({"perception": {"tracker": {"image_size": 4096}}}, r"'perception.tracker.image_size': must be in \[64, 2048"),
        ({"perception": {"tracker": {"image_size": 500}}}, r"'perception.tracker.image_size': must be a multiple"),
        ({"perception": {"device": "gpu0"}}, r"'perception.device': must be auto, cpu, mps, cuda or cuda:N"),
        ({"perception": {"grounding": {"match_iou": 0.5, "reprompt_iou": 0.4}}},
         r"'perception.grounding.reprompt_iou': must be >= perception.grounding.match_iou"),
        ({"camera_motion": {"min_distance_px": -1.0}}, r"'camera_motion.min_distance_px': must be in \[0.0"),
        ({"llm": {"base_url": "localhost:8000"}}, r"'llm.base_url': must be an http\(s\) URL"),
        ({"diagnostics": {"max_drop_rate": 2.0}}, r"'diagnostics.max_drop_rate': must be in \[0.0, 1.0\]"),
        ({"runtime": {"reason_every": "5"}}, r"'runtime.reason_every': must be an integer"),
        ({"runtime": {"mode": "fast"}}, r"'runtime.mode': must be one of \['deterministic', 'live'\]"),
        ({"perception": {"noise": {"miss_rate": 1.0}}}, r"'perception.noise.miss_rate': must be in \[0.0, 0.99\]"),
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


def test_every_range_is_enforced_at_both_ends():
    from rvos_ros.config import RANGES

    companions = {"perception.grounding.match_iou": {"perception.grounding.reprompt_iou": 1.0}}
    for key, (lo, hi) in RANGES.items():
        Config().replace(**{key: hi, **companions.get(key, {})})  # the upper end is accepted
        for bad in (lo - 1 if isinstance(lo, int) and isinstance(hi, int) else lo - 0.01, hi + 1):
            with pytest.raises(ConfigError, match=f"'{key}'"):
                Config().replace(**{key: bad})


def test_folders_resolve_under_the_per_user_data_directory_never_the_working_directory(monkeypatch, tmp_path):
    monkeypatch.setenv("RVOS_ROS_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    cfg = Config()
    assert cfg.perception.models_dir == str((tmp_path / "home" / "models").resolve())
    assert cfg.engines.dir == str((tmp_path / "home" / "engines").resolve())
    rel = Config().replace(**{"perception.models_dir": "weights", "engines.dir": "/opt/engines"})
    assert rel.perception.models_dir == str((tmp_path / "home" / "weights").resolve())
    assert rel.engines.dir == "/opt/engines"
    monkeypatch.delenv("RVOS_ROS_HOME")
    assert Config().perception.models_dir == str(Path.home() / ".cache" / "rvos_ros" / "models")
    assert Config().replace(**{"perception.models_dir": "~/w"}).perception.models_dir == str(Path.home() / "w")
