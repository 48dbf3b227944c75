"""ONNX Runtime sessions for the exported parts: CPU, CUDA or TensorRT execution provider, chosen by config.

:func:`make_session` opens one ``.onnx`` file on the providers a runtime name
asks for (:func:`providers_for`): ``cpu``; ``cuda`` (CUDA, then CPU for the
few ops CUDA lacks); ``tensorrt`` (ONNX Runtime's TensorRT provider with its
own engine cache folder, then CUDA, then CPU). A provider this onnxruntime
build does not have is an :class:`~rvos_ros.errors.EngineError` naming the
providers it has and the package to install; it never silently falls back to
the CPU, because a robot configured for the GPU must not run 20x slower
without saying so.

:class:`OrtPart` wraps a session as a callable taking and returning numpy
arrays by name. onnxruntime is imported only inside these functions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from rvos_ros.errors import EngineError

__all__ = ["OrtPart", "PROVIDER_NAMES", "available_providers", "make_session", "providers_for"]

PROVIDER_NAMES = {"cpu": "CPUExecutionProvider", "cuda": "CUDAExecutionProvider",
                  "tensorrt": "TensorrtExecutionProvider"}
"""Our runtime names → onnxruntime execution provider names."""


def _ort() -> Any:
    try:
        import onnxruntime
    except ImportError as err:
        raise EngineError(f"the onnxruntime backend needs the onnxruntime package ({err}); install it with "
                          "`pip install onnxruntime` (CPU) or `pip install onnxruntime-gpu` (CUDA/TensorRT)") from err
    return onnxruntime


def available_providers() -> list[str]:
    """The execution providers this onnxruntime build offers (empty without onnxruntime)."""
    try:
        return list(_ort().get_available_providers())
    except EngineError:
        return []


def providers_for(runtime: str, *, device_id: int = 0, trt_cache_dir: str | Path | None = None,
                  fp16: bool = False) -> list[Any]:
    """The provider list for a runtime name (``cpu``, ``cuda``, ``tensorrt``), fastest first, CPU last.

    ``device_id``: the CUDA device; ``trt_cache_dir``: where ONNX Runtime's
    TensorRT provider keeps its engines and timing cache (it rebuilds them
    itself when TensorRT or the GPU change); ``fp16``: let TensorRT use FP16.
    Raises :class:`EngineError` for an unknown name.
    """
    name = runtime.strip().lower()
    if name == "cpu":
        return ["CPUExecutionProvider"]
    cuda = ("CUDAExecutionProvider", {"device_id": device_id})
    if name == "cuda":
        return [cuda, "CPUExecutionProvider"]
    if name == "tensorrt":
        opts: dict[str, Any] = {"device_id": device_id, "trt_fp16_enable": bool(fp16)}
        if trt_cache_dir is not None:
            Path(trt_cache_dir).mkdir(parents=True, exist_ok=True)
            opts.update(trt_engine_cache_enable=True, trt_engine_cache_path=str(trt_cache_dir),
                        trt_timing_cache_enable=True, trt_timing_cache_path=str(trt_cache_dir))
        return [("TensorrtExecutionProvider", opts), cuda, "CPUExecutionProvider"]
    raise EngineError(f"unknown onnxruntime provider {runtime!r}; use one of {sorted(PROVIDER_NAMES)}")


def make_session(path: str | Path, *, providers: str | Sequence[Any] = "cpu", threads: int = 0) -> Any:
    """An ``onnxruntime.InferenceSession`` on ``path`` with the asked providers (a runtime name or a list).

    ``threads``: intra-op threads (0 = onnxruntime's default). Raises
    :class:`EngineError` when the file is missing or invalid, or when a
    requested provider is not available in this onnxruntime build.
    """
    ort = _ort()
    p = Path(path)
    if not p.is_file():
        raise EngineError(f"ONNX file {str(p)!r} does not exist; build it with `rvos-ros engines build --backend onnx`")
    wanted = providers_for(providers) if isinstance(providers, str) else list(providers)
    have = set(ort.get_available_providers())
    missing = [n for n in (w[0] if isinstance(w, tuple) else w for w in wanted) if n not in have]
    if missing:
        raise EngineError(f"onnxruntime provider(s) {missing} are not available in this onnxruntime build (it has "
                          f"{sorted(have)}); install `onnxruntime-gpu` with CUDA/TensorRT libraries, or choose the "
                          "cpu provider")
    opts = ort.SessionOptions()
    if threads:
        opts.intra_op_num_threads = int(threads)
        opts.inter_op_num_threads = 1
    try:
        return ort.InferenceSession(str(p), sess_options=opts, providers=wanted)
    # onnxruntime raises its own exception classes (Fail, InvalidGraph, NoSuchFile, ...) without a common base
    except Exception as err:
        cause = " ".join(str(err).split())[:300]
        raise EngineError(f"onnxruntime cannot open {str(p)!r} ({type(err).__name__}: {cause}); rebuild it with "
                          "`rvos-ros engines build --backend onnx`") from err


class OrtPart:
    """One exported part on an ONNX Runtime session: ``part(name=array, ...) -> {output name: array}``.

    Inputs are cast to the dtypes the graph declares (float32 / int64), so
    callers may pass float64 or int32 arrays. Outputs are numpy arrays.
    """

    _DTYPES = {"tensor(float)": np.float32, "tensor(float16)": np.float16, "tensor(int64)": np.int64,
               "tensor(int32)": np.int32, "tensor(bool)": np.bool_}

    def __init__(self, path: str | Path, *, providers: str | Sequence[Any] = "cpu", threads: int = 0) -> None:
        self.path = Path(path)
        self.session = make_session(path, providers=providers, threads=threads)
        self.input_names = [i.name for i in self.session.get_inputs()]
        self.output_names = [o.name for o in self.session.get_outputs()]
        self._types = {i.name: self._DTYPES.get(i.type) for i in self.session.get_inputs()}

    def __call__(self, feeds: Mapping[str, Any] | None = None, **named: Any) -> dict[str, np.ndarray]:
        """Run the part; every graph input must be given (by keyword or in ``feeds``)."""
        given = {**(feeds or {}), **named}
        missing = [n for n in self.input_names if n not in given]
        if missing:
            raise EngineError(f"ONNX part {self.path.name!r} needs inputs {missing} (got {sorted(given)})")
        arrays = {}
        for name in self.input_names:
            a = np.asarray(given[name])
            dtype = self._types.get(name)
            arrays[name] = np.ascontiguousarray(a if dtype is None else a.astype(dtype, copy=False))
        try:
            outs = self.session.run(self.output_names, arrays)
        except Exception as err:  # onnxruntime's exceptions have no common base class
            shapes = {k: tuple(v.shape) for k, v in arrays.items()}
            raise EngineError(f"ONNX part {self.path.name!r} failed on inputs {shapes} "
                              f"({type(err).__name__}: {' '.join(str(err).split())[:300]})") from err
        return dict(zip(self.output_names, outs, strict=True))
