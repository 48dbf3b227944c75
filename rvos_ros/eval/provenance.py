"""What made a prediction folder or a report: backend, mode, config, package version, git commit, date.

``decisions.json`` carries the run's provenance (:func:`run_provenance`),
``report.json`` and the HTML report repeat it next to the evaluation's own
(:func:`evaluation_provenance`). The config is recorded whole, with the
sha256 of its canonical JSON (keys sorted, no spaces, UTF-8) so two runs
can be compared by one string. The git commit is that of the checkout the
package runs from, when there is one; it is left out otherwise, never an error.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
from pathlib import Path
from typing import Any

import rvos_ros
from rvos_ros.config import Config, to_dict

__all__ = ["canonical_json", "config_sha256", "evaluation_provenance", "git_commit", "run_provenance"]


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no whitespace (non-JSON values, e.g. paths, as strings)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def config_sha256(config: Config) -> str:
    """sha256 (hex) of the config's canonical JSON."""
    return hashlib.sha256(canonical_json(to_dict(config)).encode("utf-8")).hexdigest()


def git_commit(path: str | Path | None = None) -> str | None:
    """``git rev-parse HEAD`` in ``path`` (default: the package's folder); None when there is no git or checkout."""
    where = Path(path) if path is not None else Path(rvos_ros.__file__).resolve().parent
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=where, capture_output=True, text=True, timeout=5,
                             check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    commit = out.stdout.strip()
    return commit if out.returncode == 0 and len(commit) in (40, 64) else None


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _package() -> dict[str, Any]:
    info: dict[str, Any] = {"package_version": rvos_ros.__version__}
    commit = git_commit()
    if commit is not None:
        info["git_commit"] = commit
    info["date"] = _now()
    return info


def run_provenance(config: Config, *, mode: str, track_ids: str, dataset: str | Path | None = None,
                   layout: str | None = None) -> dict[str, Any]:
    """The provenance of a run: ``backend`` (``perception.backend``), ``mode``, ``track_ids`` (``object_ids`` when
    the backend's track ids are the dataset's object ids, as the oracle's are; ``stream`` otherwise), the dataset
    folder and its layout, ``config`` and ``config_sha256``, ``package_version``, ``git_commit`` (when known),
    ``date`` (UTC, ISO 8601)."""
    info: dict[str, Any] = {"backend": config.perception.backend, "mode": mode, "track_ids": track_ids}
    if dataset is not None:
        info["dataset"] = str(dataset)
    if layout is not None:
        info["layout"] = layout
    info["config_sha256"] = config_sha256(config)
    info["config"] = json.loads(canonical_json(to_dict(config)))
    info.update(_package())
    return info


def evaluation_provenance() -> dict[str, Any]:
    """The evaluation's own: ``package_version``, ``git_commit`` (when known), ``date``."""
    return _package()
