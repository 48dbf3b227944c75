"""TensorRT engines from the verified ONNX parts: profiles from the graphs' named axes, a check against ONNX Runtime.

Every exported graph names its dynamic axes (``n`` tracks, ``points``,
``phrases``, ``queries``, ``prompts``, ``tokens``, ``crops``, ``batch``);
:func:`dim_ranges` gives each name its (min, opt, max) for a configuration and
:func:`profile_for` turns a graph's inputs into one optimization profile, so
no part needs a hand-written profile. :func:`build_tensorrt_part` builds the
engine (:func:`rvos_ros.engines.tensorrt_build.build_engine`), runs it and the
ONNX graph on the same random inputs at the profile's optimal shapes, and
records it in the cache under the ONNX part's key plus precision, TensorRT
version and GPU name. Reduced precision changes the numbers, so the difference
is reported (``engines build`` prints it), and only a non-finite output is
refused.

Needs NVIDIA TensorRT and a CUDA GPU; without them every entry point that
builds raises the :class:`~rvos_ros.errors.EngineError` of
:mod:`rvos_ros.engines.tensorrt_build` (what to install, or use onnx).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from rvos_ros.config import Config
from rvos_ros.engines.cache import EngineCache, EngineKey
from rvos_ros.errors import EngineError

__all__ = ["dim_ranges", "engine_key", "example_feeds", "profile_for", "build_tensorrt_part"]

Range = tuple[int, int, int]
Shapes = tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]
"""(min, opt, max) shape of one input."""


def dim_ranges(config: Config, *, clip_tokens: int = 77) -> dict[str, Range]:
    """(min, opt, max) per named dynamic axis of the exported graphs, for ``config``.

    Tracks go up to ``perception.grounding.max_tracks``; CLIP's token axis up
    to ``clip_tokens`` (its ``max_position_embeddings``).
    """
    tracks = config.perception.grounding.max_tracks
    return {"n": (1, min(4, tracks), tracks), "points": (1, 2, 8), "phrases": (1, 4, 16), "queries": (1, 4, 16),
            "batch": (1, 1, 1), "prompts": (1, 8, 64), "tokens": (1, min(16, clip_tokens), clip_tokens),
            "crops": (1, 8, 64)}


def _inputs(onnx_path: Path) -> list[tuple[str, list[int | str], Any]]:
    """(name, dims (an int or the axis name), numpy dtype) of each graph input."""
    import onnx
    from onnx import helper

    model = onnx.load(str(onnx_path), load_external_data=False)
    weights = {i.name for i in model.graph.initializer}
    out = []
    for inp in model.graph.input:
        if inp.name in weights:
            continue
        t = inp.type.tensor_type
        dims: list[int | str] = [d.dim_value if d.HasField("dim_value") else d.dim_param for d in t.shape.dim]
        out.append((inp.name, dims, helper.tensor_dtype_to_np_dtype(t.elem_type)))
    return out


def profile_for(onnx_path: str | Path, ranges: Mapping[str, Range]) -> dict[str, Shapes]:
    """Input name → (min, opt, max) shape for every input with a dynamic axis; {} for a static graph.

    Raises :class:`EngineError` naming an axis that ``ranges`` does not cover.
    """
    profile: dict[str, Shapes] = {}
    for name, dims, _ in _inputs(Path(onnx_path)):
        if all(isinstance(d, int) and d > 0 for d in dims):
            continue
        shapes: list[list[int]] = [[], [], []]
        for d in dims:
            if isinstance(d, int) and d > 0:
                for s in shapes:
                    s.append(d)
            elif d not in ranges:
                raise EngineError(f"{Path(onnx_path).name}: input {name!r} has a dynamic axis {d!r} with no range "
                                  f"(known: {sorted(ranges)}); re-export it with `rvos-ros engines build`")
            else:
                for s, v in zip(shapes, ranges[str(d)], strict=True):
                    s.append(v)
        profile[name] = (tuple(shapes[0]), tuple(shapes[1]), tuple(shapes[2]))
    return profile


def example_feeds(onnx_path: str | Path, profile: Mapping[str, Shapes], seed: int = 0
                  ) -> dict[str, np.ndarray]:
    """Random inputs at the profile's optimal shapes: floats N(0, 1); integers 1 (a valid token, label, mask)."""
    rng = np.random.default_rng(seed)
    feeds = {}
    for name, dims, dtype in _inputs(Path(onnx_path)):
        shape = profile[name][1] if name in profile else tuple(int(d) for d in dims)
        if np.issubdtype(dtype, np.floating):
            feeds[name] = rng.standard_normal(shape).astype(dtype)
        else:
            feeds[name] = np.ones(shape, dtype)
    return feeds


def engine_key(onnx_key: EngineKey, precision: str) -> EngineKey:
    """The key of the TensorRT engine built from the ONNX part ``onnx_key`` here (this TensorRT, this GPU)."""
    from rvos_ros.engines.tensorrt_build import gpu_name, tensorrt_version

    return dataclasses.replace(onnx_key, precision=precision, tensorrt=tensorrt_version(), gpu=gpu_name())


def build_tensorrt_part(onnx_path: str | Path, onnx_key: EngineKey, cache: EngineCache, *, precision: str,
                        ranges: Mapping[str, Range], timing_cache: str | Path | None = None) -> tuple[Path, float]:
    """Build, check and record the engine for one verified ONNX part; returns (engine path, max |TRT - ORT|)."""
    from rvos_ros.engines.onnx_runtime import OrtPart
    from rvos_ros.engines.tensorrt_build import TrtRunner, build_engine

    if precision not in ("fp16", "fp32"):
        raise EngineError(f"unknown precision {precision!r}; use fp16 or fp32")
    key = engine_key(onnx_key, precision)
    path = cache.path_for(key, ".engine")
    profile = profile_for(onnx_path, ranges)
    build_engine(onnx_path, path, fp16=precision == "fp16", profile=profile or None, timing_cache=timing_cache)
    feeds = example_feeds(onnx_path, profile)
    want, got = OrtPart(onnx_path)(feeds), TrtRunner(path)(feeds)
    diff = 0.0
    for name, ref in want.items():
        out = np.asarray(got[name], np.float64)
        ref64 = np.asarray(ref, np.float64)
        if np.isfinite(ref64).all() and not np.isfinite(out).all():
            path.unlink(missing_ok=True)
            raise EngineError(f"the {precision} TensorRT engine for {key.part} gives non-finite {name!r} where ONNX "
                              "Runtime does not; build it with --precision fp32")
        diff = max(diff, float(np.abs(out - ref64).max()) if out.size else 0.0)
    cache.store(path, key)
    return path, diff
