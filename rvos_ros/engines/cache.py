"""The engine cache: every exported ONNX file or built TensorRT engine carries a JSON sidecar saying what it is.

An engine is only valid for the model weights, input shape, precision,
TensorRT version and GPU it was built for. The sidecar (``<file>.json``)
records those as an :class:`EngineKey`; :meth:`EngineCache.lookup` refuses a
file whose sidecar is missing or differs, with an :class:`EngineError` that
names the difference and the command that rebuilds it. Nothing here imports
TensorRT: the key's ``tensorrt`` and ``gpu`` fields are filled by the caller
("" for ONNX files, which are portable).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rvos_ros.errors import EngineError

__all__ = ["EngineCache", "EngineKey", "file_hash", "state_dict_hash"]

SIDECAR_VERSION = 1


@dataclass(frozen=True)
class EngineKey:
    """What an engine file was made from and for."""

    part: str
    """Which model part: e.g. ``sam2.image_encoder``, ``clip.text``."""
    model_hash: str
    """Hash of the source weights (:func:`state_dict_hash` or :func:`file_hash`), 16 hex digits."""
    input_shape: tuple[int, ...]
    """The fixed input shape (batch dimensions that are dynamic are recorded as -1)."""
    precision: str = "fp32"
    tensorrt: str = ""
    """TensorRT version for a ``.engine``; "" for a portable ONNX file."""
    gpu: str = ""
    """GPU name for a ``.engine``; "" for ONNX."""

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["input_shape"] = list(self.input_shape)
        return d

    @classmethod
    def from_dict(cls, data: Any) -> EngineKey:
        if not isinstance(data, dict):
            raise EngineError("engine sidecar key must be a JSON object")
        try:
            return cls(part=str(data["part"]), model_hash=str(data["model_hash"]),
                       input_shape=tuple(int(x) for x in data["input_shape"]),
                       precision=str(data.get("precision", "fp32")), tensorrt=str(data.get("tensorrt", "")),
                       gpu=str(data.get("gpu", "")))
        except (KeyError, TypeError, ValueError) as err:
            raise EngineError(f"engine sidecar key is incomplete or malformed ({err!r})") from None

    @property
    def slug(self) -> str:
        """A file-name stem unique to this key."""
        shape = "x".join(str(s) if s >= 0 else "N" for s in self.input_shape)
        extra = f"_trt{self.tensorrt}_{self.gpu}" if self.tensorrt else ""
        safe = "".join(c if c.isalnum() or c in "._-" else "-" for c in extra)
        return f"{self.part}_{self.model_hash[:8]}_{shape}_{self.precision}{safe}"


def file_hash(path: str | Path) -> str:
    """16 hex digits of the SHA-256 of a file (a checkpoint, a weights file)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()[:16]


def state_dict_hash(state: dict[str, Any]) -> str:
    """16 hex digits identifying a torch state dict by names, shapes, dtypes and values."""
    h = hashlib.sha256()
    for name in sorted(state):
        t = state[name]
        h.update(name.encode())
        h.update(str(tuple(t.shape)).encode() + str(t.dtype).encode())
        h.update(t.detach().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()[:16]


def _rebuild_hint(key: EngineKey) -> str:
    backend = "tensorrt" if key.tensorrt else "onnx"
    return f"rebuild it with `rvos-ros engines build --backend {backend} --precision {key.precision}`"


class EngineCache:
    """A folder of engine files with sidecars (``engines/`` by default)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def path_for(self, key: EngineKey, suffix: str) -> Path:
        """Where the file for ``key`` lives (``suffix``: ``.onnx`` or ``.engine``)."""
        return self.root / f"{key.slug}{suffix}"

    def store(self, path: str | Path, key: EngineKey) -> Path:
        """Write the sidecar of an existing engine file; returns the sidecar path."""
        p = Path(path)
        if not p.is_file():
            raise EngineError(f"engine file {str(p)!r} does not exist; export or build it first")
        sidecar = p.with_suffix(p.suffix + ".json")
        sidecar.write_text(json.dumps({"version": SIDECAR_VERSION, "key": key.to_dict(),
                                       "file_sha256": file_hash(p)}, indent=2))
        return sidecar

    def lookup(self, path: str | Path, expected: EngineKey) -> Path:
        """``path`` if its sidecar matches ``expected`` (and the file is the one recorded); else EngineError."""
        p = Path(path)
        sidecar = p.with_suffix(p.suffix + ".json")
        if not p.is_file():
            raise EngineError(f"engine {str(p)!r} does not exist; {_rebuild_hint(expected)}")
        if not sidecar.is_file():
            raise EngineError(f"engine {str(p)!r} has no sidecar {sidecar.name!r}, so what it was built for is "
                              f"unknown; {_rebuild_hint(expected)}")
        try:
            data = json.loads(sidecar.read_text())
        except (OSError, json.JSONDecodeError) as err:
            raise EngineError(f"engine sidecar {str(sidecar)!r} is unreadable ({err}); {_rebuild_hint(expected)}"
                              ) from None
        if not isinstance(data, dict) or data.get("version") != SIDECAR_VERSION:
            raise EngineError(f"engine sidecar {str(sidecar)!r} has an unknown version; {_rebuild_hint(expected)}")
        have = EngineKey.from_dict(data.get("key"))
        diffs = [f"{f.name} {getattr(have, f.name)!r} != {getattr(expected, f.name)!r}"
                 for f in dataclasses.fields(EngineKey) if getattr(have, f.name) != getattr(expected, f.name)]
        if diffs:
            raise EngineError(f"engine {str(p)!r} was built for something else ({'; '.join(diffs)}); "
                              f"{_rebuild_hint(expected)}")
        if data.get("file_sha256") != file_hash(p):
            raise EngineError(f"engine {str(p)!r} changed since it was built (hash mismatch); "
                              f"{_rebuild_hint(expected)}")
        return p

    def records(self) -> list[tuple[str, EngineKey | None, str]]:
        """(file name, key, problem) of every file in the folder that has a sidecar (any suffix), e.g. a SAM2
        parts folder's metadata record and the TensorRT engines built beside its graphs."""
        out: list[tuple[str, EngineKey | None, str]] = []
        for sidecar in sorted(self.root.glob("*.json.json")) + sorted(self.root.glob("*.engine.json")):
            name = sidecar.name[: -len(".json")]
            try:
                out.append((name, EngineKey.from_dict(json.loads(sidecar.read_text()).get("key")), ""))
            except (OSError, json.JSONDecodeError, EngineError, AttributeError) as err:
                out.append((name, None, f"no usable sidecar ({type(err).__name__})"))
        return out

    def entries(self) -> list[tuple[Path, EngineKey | None, str]]:
        """Every engine file in the folder with its key (None and the reason when the sidecar is bad)."""
        out: list[tuple[Path, EngineKey | None, str]] = []
        if not self.root.is_dir():
            return out
        for p in sorted(self.root.iterdir()):
            if p.suffix not in (".onnx", ".engine"):
                continue
            sidecar = p.with_suffix(p.suffix + ".json")
            try:
                key = EngineKey.from_dict(json.loads(sidecar.read_text()).get("key"))
                out.append((p, key, ""))
            except (OSError, json.JSONDecodeError, EngineError, AttributeError) as err:
                out.append((p, None, f"no usable sidecar ({type(err).__name__})"))
        return out
