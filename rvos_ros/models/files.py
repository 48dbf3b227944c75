"""Where model weights come from: hub ids, local folders, checkpoint files, and the torch device.

Nothing downloads at run time: a hub id is loaded from the local Hugging Face
cache (``rvos-ros models pull`` fills it on a machine with internet) or from a
folder of the same name under ``perception.models_dir``. A relative name never
resolves against the working directory (a launch from another folder, or a
systemd service, would not find it): only absolute paths (or ``~/...``) are
taken as they are. A missing model is a :class:`~rvos_ros.errors.ConfigError`
that says how to get it and names the absolute paths searched.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rvos_ros.errors import ConfigError

__all__ = ["hub_folder_name", "resolve_checkpoint", "resolve_model", "torch_device"]


def hub_folder_name(hub_id: str) -> str:
    """The folder ``models pull`` saves a hub model in: ``org/name`` → ``org--name``."""
    return hub_id.strip("/").replace("/", "--")


def resolve_model(name: str, models_dir: str | Path) -> str:
    """A local folder for ``name`` if there is one, else ``name`` itself (a hub id for the local cache).

    Order: ``name`` as an absolute path (or ``~/...``); ``models_dir/name``; ``models_dir/org--name``.
    """
    if not name or not name.strip():
        raise ConfigError("model name is empty; set a hub id (org/name) or a local folder in the config")
    given = Path(name).expanduser()
    root = Path(models_dir)
    candidates = (given,) if given.is_absolute() else (root / name, root / hub_folder_name(name))
    for candidate in candidates:
        if candidate.is_dir():
            return str(candidate)
    return name


def resolve_checkpoint(path: str, models_dir: str | Path) -> Path:
    """An existing checkpoint file: ``path`` when absolute (or ``~/...``), else ``models_dir/path``."""
    p = Path(path).expanduser()
    candidate = (p if p.is_absolute() else Path(models_dir) / p).absolute()
    if candidate.is_file():
        return candidate
    raise ConfigError(f"checkpoint {path!r} not found at {str(candidate)!r}; run `rvos-ros models pull` on a "
                      "machine with internet, or set perception.tracker.checkpoint (or perception.models_dir)")


def torch_device(spec: str) -> Any:
    """``auto`` → cuda when available, else cpu; anything else is checked and passed to torch."""
    import torch

    if spec == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(spec)
    except RuntimeError as err:
        raise ConfigError(f"perception.device {spec!r} is not a torch device ({err}); use auto, cpu or cuda") from err
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ConfigError(f"perception.device is {spec!r} but CUDA is not available here; use auto or cpu")
    return dev
