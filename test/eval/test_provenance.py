"""Provenance: what made a prediction folder or a report, recorded without ever failing."""

import json
import shutil
import subprocess
from datetime import datetime

import pytest

import rvos_ros
from rvos_ros.config import Config
from rvos_ros.eval.provenance import canonical_json, config_sha256, evaluation_provenance, git_commit, run_provenance


def test_the_config_hash_is_of_its_canonical_json_and_follows_its_values():
    a, b = Config(), Config().replace(**{"runtime.fps": 20.0})
    assert config_sha256(a) == config_sha256(Config())
    assert config_sha256(a) != config_sha256(b)
    assert canonical_json({"b": 1, "a": [1, 2]}) == '{"a":[1,2],"b":1}'


def test_a_run_records_backend_mode_config_version_and_date():
    cfg = Config().replace(**{"perception.backend": "simulated"})
    prov = run_provenance(cfg, mode="offline", track_ids="object_ids", dataset="/data/x", layout="mevis")
    assert prov["backend"] == "simulated" and prov["mode"] == "offline" and prov["track_ids"] == "object_ids"
    assert (prov["dataset"], prov["layout"]) == ("/data/x", "mevis")
    assert prov["config"]["perception"]["backend"] == "simulated" and prov["config_sha256"] == config_sha256(cfg)
    assert prov["package_version"] == rvos_ros.__version__
    assert datetime.fromisoformat(prov["date"]).utcoffset().total_seconds() == 0
    json.dumps(prov)  # JSON-ready as it is


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_the_git_commit_is_that_of_the_checkout_and_absent_outside_one(tmp_path):
    assert git_commit(tmp_path) is None
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run(["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q",
                    "--allow-empty", "-m", "x"], check=True)
    head = subprocess.run(["git", "-C", str(tmp_path), "rev-parse", "HEAD"], capture_output=True, text=True,
                          check=True).stdout.strip()
    assert git_commit(tmp_path) == head


def test_without_git_the_commit_is_left_out_never_an_error(monkeypatch):
    monkeypatch.setenv("PATH", "")
    assert git_commit() is None
    assert "git_commit" not in evaluation_provenance()
    assert set(evaluation_provenance()) == {"package_version", "date"}
