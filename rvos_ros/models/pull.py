"""``rvos-ros models pull`` / ``models list``: fetch the configured weights once, on a machine with internet.

What the config uses is fetched into ``perception.models_dir`` (relative to
the working directory, as the runtime resolves it):

- the detector (``perception.detector.backend``'s hub id) and, when
  ``verifier.backend`` is ``clip``, the CLIP model: ``huggingface_hub``
  snapshots into ``models_dir/org--name``, the folder
  :func:`~rvos_ros.models.files.resolve_model` looks in;
- the SAM2 checkpoint for ``perception.tracker.model_config`` from Meta's
  public URL (:data:`SAM2_CHECKPOINTS`) into ``perception.tracker.checkpoint``
  (under ``models_dir`` when relative).

``everything=True`` adds the other detector backend and CLIP. A model given
as an existing local folder or file is left alone. ``HF_HUB_OFFLINE=1`` means
nothing may touch the network: every download that would is reported as
failed (``file://`` URLs still work). Nothing here runs at run time.
"""

from __future__ import annotations

import os
import shutil
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from rvos_ros.config import Config
from rvos_ros.errors import ModelError
from rvos_ros.models.files import hub_folder_name, resolve_model

__all__ = ["SAM2_CHECKPOINTS", "ModelItem", "PullResult", "check_pulled", "configured_models", "offline", "pull_models"]

_SAM2_BASE = "https://dl.fbaipublicfiles.com/segment_anything_2/092824/"
SAM2_CHECKPOINTS = {
    "sam2.1_hiera_t.yaml": _SAM2_BASE + "sam2.1_hiera_tiny.pt",
    "sam2.1_hiera_s.yaml": _SAM2_BASE + "sam2.1_hiera_small.pt",
    "sam2.1_hiera_b+.yaml": _SAM2_BASE + "sam2.1_hiera_base_plus.pt",
    "sam2.1_hiera_l.yaml": _SAM2_BASE + "sam2.1_hiera_large.pt",
}
"""SAM2.1 config file name → Meta's public checkpoint URL."""

_HUB_IGNORE = ["*.msgpack", "*.h5", "*.ot", "*.onnx", "flax_model*", "tf_model*", "rust_model*", "onnx/*",
               "openvino/*", "coreml/*"]
"""Other frameworks' weights in a hub repository: never loaded here, so not fetched."""


@dataclass(frozen=True)
class ModelItem:
    """One configured model: ``role`` (config key), ``name`` as configured, and where it is or would go.

    ``source`` is a hub id (``kind`` "hub") or a URL (``kind`` "url"), empty
    when there is nothing to fetch (``problem`` then says why, unless it is a
    local path that exists). ``ready`` is where it is usable from now ("" when missing).
    """

    role: str
    name: str
    kind: str
    source: str
    dest: Path
    ready: str = ""
    problem: str = ""


@dataclass(frozen=True)
class PullResult:
    """What ``pull_models`` did per item: "present at ...", "downloaded to ...", or the failure."""

    item: ModelItem
    outcome: str
    ok: bool


def offline() -> bool:
    """True when ``HF_HUB_OFFLINE`` is set to a true value: nothing may touch the network."""
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def _looks_like_hub_id(name: str) -> bool:
    parts = name.strip().split("/")
    return len(parts) == 2 and all(parts) and not name.startswith((".", "~", "/"))


def _in_hub_cache(repo_id: str) -> str:
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:
        return ""
    try:
        found = try_to_load_from_cache(repo_id, "config.json")
    except Exception:  # a malformed id or cache: just "not cached"
        return ""
    return str(Path(found).parent) if isinstance(found, str) else ""


def _hub_item(role: str, name: str, models_dir: Path) -> ModelItem:
    dest = models_dir / hub_folder_name(name)
    local = resolve_model(name, models_dir)
    if Path(local).is_dir():
        return ModelItem(role, name, "local", "", Path(local), ready=local)
    if not _looks_like_hub_id(name):
        return ModelItem(role, name, "local", "", Path(name), problem=f"local folder {name!r} does not exist "
                         f"and is not a hub id (org/name); fix {role}")
    return ModelItem(role, name, "hub", name, dest, ready=_in_hub_cache(name))


def _checkpoint_item(config: Config) -> ModelItem:
    tc, models_dir = config.perception.tracker, Path(config.perception.models_dir)
    p = Path(tc.checkpoint).expanduser()
    dest = p if p.is_absolute() else models_dir / p
    role = "perception.tracker.checkpoint"
    for candidate in ((p,) if p.is_absolute() else (p, dest)):
        if candidate.is_file():
            return ModelItem(role, tc.checkpoint, "url", "", dest, ready=str(candidate))
    url = SAM2_CHECKPOINTS.get(Path(tc.model_config).name, "")
    if not url:
        known = ", ".join(sorted(SAM2_CHECKPOINTS))
        return ModelItem(role, tc.checkpoint, "url", "", dest, problem=(
            f"no known download for perception.tracker.model_config {tc.model_config!r} (known: {known}); "
            f"put its checkpoint at {str(dest)!r} yourself"))
    return ModelItem(role, tc.checkpoint, "url", url, dest)


def configured_models(config: Config, *, everything: bool = False) -> list[ModelItem]:
    """The models ``config`` uses (``everything``: both detectors and CLIP too), with where each is now."""
    pc, models_dir = config.perception, Path(config.perception.models_dir)
    items: list[ModelItem] = []
    if everything or pc.detector.backend == "grounding_dino":
        items.append(_hub_item("perception.detector.grounding_dino_model", pc.detector.grounding_dino_model,
                               models_dir))
    if everything or pc.detector.backend == "owlv2":
        items.append(_hub_item("perception.detector.owlv2_model", pc.detector.owlv2_model, models_dir))
    items.append(_checkpoint_item(config))
    if everything or config.verifier.backend == "clip":
        items.append(_hub_item("verifier.clip_model", config.verifier.clip_model, models_dir))
    return items


def _hub_download(repo_id: str, dest: Path) -> None:
    """Snapshot a hub repository into ``dest`` (resumes a partial download)."""
    from huggingface_hub import snapshot_download

    snapshot_download(repo_id, local_dir=dest, ignore_patterns=_HUB_IGNORE)


def _fetch_url(url: str, dest: Path, *, timeout_s: float = 60.0) -> None:
    """Download ``url`` to ``dest`` through a ``.part`` file, so an interrupted download leaves no checkpoint."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response, open(part, "wb") as f:
            shutil.copyfileobj(response, f, length=1 << 20)
        if part.stat().st_size == 0:
            raise OSError("the download is empty")
        os.replace(part, dest)
    finally:
        part.unlink(missing_ok=True)


def _pull_one(item: ModelItem) -> PullResult:
    if item.problem:
        return PullResult(item, item.problem, False)
    if not item.source:
        return PullResult(item, f"present at {item.ready}", True)
    if item.kind == "hub" and (item.dest / "config.json").is_file():
        return PullResult(item, f"present at {item.dest}", True)
    network = item.kind == "hub" or urllib.parse.urlparse(item.source).scheme != "file"
    if network and offline():
        return PullResult(item, f"{item.source} not fetched: offline (HF_HUB_OFFLINE is set); unset it", False)
    try:
        if item.kind == "hub":
            _hub_download(item.source, item.dest)
        else:
            _fetch_url(item.source, item.dest)
    except Exception as err:  # urllib, requests and huggingface_hub each raise their own family
        reason = " ".join(str(err).split())[:200]
        return PullResult(item, f"{item.source} could not be fetched ({type(err).__name__}: {reason})", False)
    return PullResult(item, f"downloaded to {item.dest}", True)


def pull_models(config: Config, *, everything: bool = False) -> list[PullResult]:
    """Fetch every configured model that is missing; returns one result per model (every model is tried)."""
    return [_pull_one(item) for item in configured_models(config, everything=everything)]


def check_pulled(results: list[PullResult]) -> None:
    """Raise :class:`ModelError` naming every failed pull (one line), if any failed."""
    failed = [r for r in results if not r.ok]
    if failed:
        what = "; ".join(f"{r.item.role}: {r.outcome}" for r in failed)
        raise ModelError(f"models pull: {len(failed)} of {len(results)} failed: {what}; "
                         "run it again on a machine with internet")
