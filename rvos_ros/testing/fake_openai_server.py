"""A scripted OpenAI-compatible chat-completions server on loopback, for the LLM tests.

Each request pops the next scripted reply: ``("json", text)`` answers 200 with
``text`` as the message content, ``("status", code)`` answers that HTTP status,
``("sleep", seconds, text)`` answers after a delay, ``("raw", body)`` sends a
body that is not a chat completion. Requests are recorded (path, JSON body,
headers) so tests can check what the client sent.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeOpenAIServer:
    def __init__(self, port: int = 0) -> None:
        self.replies: deque[tuple[Any, ...]] = deque()
        self.requests: list[dict[str, Any]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                server.requests.append({"path": self.path, "body": body, "headers": dict(self.headers)})
                reply = server.replies.popleft() if server.replies else ("status", 503)
                if reply[0] == "sleep":
                    time.sleep(reply[1])
                    reply = ("json", reply[2])
                if reply[0] == "status":
                    self._send(reply[1], {"error": {"message": "scripted failure", "type": "server_error"}})
                elif reply[0] == "raw":
                    self._send(200, reply[1])
                else:
                    self._send(200, {"id": "x", "object": "chat.completion", "created": 0, "model": "fake",
                                     "choices": [{"index": 0, "finish_reason": "stop",
                                                  "message": {"role": "assistant", "content": reply[1]}}]})

            def _send(self, code: int, payload: Any) -> None:
                data = json.dumps(payload).encode()
                try:
                    self.send_response(code)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client timed out and left
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def __enter__(self) -> FakeOpenAIServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
