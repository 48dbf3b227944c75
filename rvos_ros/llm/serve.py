"""A real OpenAI-compatible server for a local GGUF model: ``transformers serve`` on loopback, started and stopped here.

For the tests and benches, and to try ``llm.backend: openai`` on a machine without an LLM server::

    with TransformersServer(smollm2_gguf()) as server:
        config = LLMConfig(backend="openai", base_url=server.base_url, model=server.model)

It needs ``fastapi`` and ``uvicorn`` (the ``smollm`` extra) and never downloads (``HF_HUB_OFFLINE=1``: the
model is the file given). Note what the server does not do: transformers serve (transformers 5) ignores the
request's ``response_format``, so nothing holds the model to the answer schema; a small model may answer in
prose, which the client refuses (:class:`~rvos_ros.errors.LLMError`, then the rules answer, stage
``fallback``). The in-process backend (``llm.backend: local``) decodes under the schema instead.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from types import TracebackType

from rvos_ros.errors import ModelError

__all__ = ["TransformersServer"]

_SERVE = "import sys; from transformers.cli.transformers import main; sys.argv[0] = 'transformers'; sys.exit(main())"
_LOOPBACK = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through a proxy


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class TransformersServer:
    """``transformers serve`` with ``gguf`` preloaded, on ``127.0.0.1``; a context manager.

    ``threads`` sets ``OMP_NUM_THREADS`` of the server process (one by default: on a shared 2-core machine one
    thread answered about ten times faster than two). ``startup_s`` is how long it took to answer ``/health``.
    """

    def __init__(self, gguf: str | Path, *, port: int = 0, threads: int | None = 1,
                 start_timeout_s: float = 240.0) -> None:
        path = Path(gguf).expanduser().absolute()
        if not path.is_file() or path.suffix != ".gguf":
            raise ModelError(f"transformers serve needs a .gguf file, got {str(path)!r}")
        self.model = f"{path.parent}:{path.name}"
        """The model name requests use: transformers serve names a local GGUF file ``<folder>:<file>.gguf``."""
        self.port = port or _free_port()
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self.threads = threads
        self.start_timeout_s = start_timeout_s
        self.startup_s = 0.0
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: Path | None = None

    def healthy(self) -> bool:
        try:
            with _LOOPBACK.open(f"http://127.0.0.1:{self.port}/health", timeout=2) as r:
                return bool(r.status == 200)
        except OSError:
            return False

    def log_tail(self, chars: int = 2000) -> str:
        return self._log.read_text(errors="replace")[-chars:] if self._log and self._log.is_file() else ""

    def start(self) -> TransformersServer:
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_NO_ADVISORY_WARNINGS": "1"}
        if self.threads:
            env["OMP_NUM_THREADS"] = str(self.threads)
        cmd = [sys.executable, "-c", _SERVE, "serve", "--host", "127.0.0.1", "--port", str(self.port),
               "--device", "cpu", "--log-level", "warning", self.model]
        fd, name = tempfile.mkstemp(prefix="rvos_transformers_serve_", suffix=".log")
        self._log = Path(name)
        t0 = time.perf_counter()
        with os.fdopen(fd, "wb") as out:
            self._proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
        while not self.healthy():
            if self._proc.poll() is not None or time.perf_counter() - t0 > self.start_timeout_s:
                code = self._proc.poll()
                tail = self.log_tail()
                self.stop()
                why = f"exited with {code}" if code is not None else f"not up within {self.start_timeout_s:g} s"
                raise ModelError(f"transformers serve {why} (needs fastapi and uvicorn: pip install "
                                 f"'rvos_ros[smollm]'); its log ends:\n{tail}")
            time.sleep(0.5)
        self.startup_s = time.perf_counter() - t0
        return self

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if self._log is not None:
            self._log.unlink(missing_ok=True)
            self._log = None

    def __enter__(self) -> TransformersServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
