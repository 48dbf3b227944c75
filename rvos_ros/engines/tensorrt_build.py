"""TensorRT engines from the exported ONNX files, on the ``tensorrt`` Python API (TensorRT 10), and a runner.

:func:`build_engine` parses an ONNX file, enables FP16 when asked, adds one
optimization profile (min/opt/max shape per dynamic input: e.g. 1, 4 and 16
tracks for a per-track part) and reuses a timing cache file across builds (a
rebuild after a small change takes seconds, not minutes). :class:`TrtRunner`
runs a serialized engine with numpy in and out, through torch CUDA tensors.

``tensorrt`` is imported inside the functions only: without it (no GPU, a
desktop without TensorRT) every entry point raises an
:class:`~rvos_ros.errors.EngineError` that says what to install, and nothing
else in rvos_ros is affected. Engines are bound to the TensorRT version and
GPU that built them: record them in :class:`~rvos_ros.engines.cache.EngineCache`
with :func:`tensorrt_version` and :func:`gpu_name` in the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from rvos_ros.errors import EngineError

__all__ = ["TrtRunner", "build_engine", "gpu_name", "tensorrt_version"]

Profile = Mapping[str, tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]]
"""Input name → (min shape, optimal shape, max shape)."""


def _trt() -> Any:
    try:
        import tensorrt
    except ImportError as err:
        raise EngineError(f"--backend tensorrt needs NVIDIA TensorRT's Python package ({err}); on a Jetson it comes "
                          "with JetPack, elsewhere `pip install tensorrt` on a machine with an NVIDIA GPU; or use "
                          "--backend onnx") from err
    return tensorrt


def tensorrt_version() -> str:
    """The installed TensorRT version (EngineError without TensorRT)."""
    return str(_trt().__version__)


def gpu_name(device: int = 0) -> str:
    """The CUDA GPU's name, e.g. "NVIDIA H100 80GB HBM3" or "Orin" (EngineError without a CUDA GPU)."""
    try:
        import torch
    except ImportError as err:
        raise EngineError(f"TensorRT engines need torch with CUDA to find the GPU ({err})") from err
    if not torch.cuda.is_available():
        raise EngineError("TensorRT engines need a CUDA GPU, and none is visible here; use --backend onnx")
    return str(torch.cuda.get_device_name(device))


def build_engine(onnx_path: str | Path, engine_path: str | Path, *, fp16: bool = True, profile: Profile | None = None,
                 timing_cache: str | Path | None = None, workspace_mb: int = 2048) -> Path:
    """Build a serialized TensorRT engine from an ONNX file; returns ``engine_path``.

    ``profile`` is required when the ONNX graph has dynamic inputs (-1 axes);
    ``timing_cache``: a file read before and written after the build.
    Raises :class:`EngineError` when TensorRT is missing, the ONNX does not
    parse, or the build fails.
    """
    trt = _trt()
    logger = trt.Logger(trt.Logger.WARNING)
    builder = trt.Builder(logger)
    network = builder.create_network(0)  # TensorRT 10: explicit batch is the only mode
    parser = trt.OnnxParser(network, logger)
    if not parser.parse(Path(onnx_path).read_bytes()):
        errors = "; ".join(str(parser.get_error(i)) for i in range(parser.num_errors))
        raise EngineError(f"TensorRT cannot parse {str(onnx_path)!r} ({errors[:400]}); re-export it with "
                          "`rvos-ros engines build --backend onnx`")
    config = builder.create_builder_config()
    config.set_memory_pool_limit(trt.MemoryPoolType.WORKSPACE, int(workspace_mb) << 20)
    if fp16:
        config.set_flag(trt.BuilderFlag.FP16)
    dynamic = [network.get_input(i) for i in range(network.num_inputs) if -1 in tuple(network.get_input(i).shape)]
    if dynamic:
        missing = [t.name for t in dynamic if not profile or t.name not in profile]
        if missing:
            raise EngineError(f"{str(onnx_path)!r} has dynamic inputs {missing}: give their (min, opt, max) shapes")
        opt = builder.create_optimization_profile()
        for t in dynamic:
            lo, mid, hi = profile[t.name]  # type: ignore[index]
            opt.set_shape(t.name, lo, mid, hi)
        config.add_optimization_profile(opt)
    cache = None
    if timing_cache is not None:
        blob = Path(timing_cache).read_bytes() if Path(timing_cache).is_file() else b""
        cache = config.create_timing_cache(blob)
        config.set_timing_cache(cache, ignore_mismatch=False)
    serialized = builder.build_serialized_network(network, config)
    if serialized is None:
        raise EngineError(f"TensorRT failed to build an engine from {str(onnx_path)!r} (see the TensorRT log above)")
    out = Path(engine_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(bytes(serialized))
    if cache is not None:
        Path(timing_cache).write_bytes(bytes(cache.serialize()))  # type: ignore[arg-type]
    return out


class TrtRunner:
    """A deserialized TensorRT engine: ``runner(name=array, ...) -> {output name: array}`` on CUDA device 0."""

    def __init__(self, engine_path: str | Path) -> None:
        trt = _trt()
        gpu_name()
        import torch

        self._torch = torch
        self._runtime = trt.Runtime(trt.Logger(trt.Logger.WARNING))
        self.engine = self._runtime.deserialize_cuda_engine(Path(engine_path).read_bytes())
        if self.engine is None:
            raise EngineError(f"TensorRT cannot load {str(engine_path)!r} (built by another TensorRT version or for "
                              "another GPU?); rebuild it with `rvos-ros engines build --backend tensorrt`")
        self.context = self.engine.create_execution_context()
        names = [self.engine.get_tensor_name(i) for i in range(self.engine.num_io_tensors)]
        self.input_names = [n for n in names if self.engine.get_tensor_mode(n) == trt.TensorIOMode.INPUT]
        self.output_names = [n for n in names if self.engine.get_tensor_mode(n) == trt.TensorIOMode.OUTPUT]
        self._dtypes = {n: trt.nptype(self.engine.get_tensor_dtype(n)) for n in names}

    def __call__(self, feeds: Mapping[str, Any] | None = None, **named: Any) -> dict[str, np.ndarray]:
        """Run once on numpy inputs (cast to the engine's dtypes); returns numpy outputs."""
        torch = self._torch
        given = {**(feeds or {}), **named}
        keep = []
        for name in self.input_names:
            if name not in given:
                raise EngineError(f"TensorRT engine needs input {name!r} (got {sorted(given)})")
            t = torch.from_numpy(np.ascontiguousarray(np.asarray(given[name]).astype(self._dtypes[name]))).cuda()
            keep.append(t)
            self.context.set_input_shape(name, tuple(t.shape))
            self.context.set_tensor_address(name, t.data_ptr())
        outs = {}
        for name in self.output_names:
            shape = tuple(self.context.get_tensor_shape(name))
            t = torch.empty(shape, dtype=torch.from_numpy(np.zeros(0, self._dtypes[name])).dtype, device="cuda")
            outs[name] = t
            self.context.set_tensor_address(name, t.data_ptr())
        stream = torch.cuda.current_stream()
        if not self.context.execute_async_v3(stream.cuda_stream):
            raise EngineError("TensorRT execution failed (see the TensorRT log above)")
        stream.synchronize()
        return {k: v.cpu().numpy() for k, v in outs.items()}
