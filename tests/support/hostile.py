"""A small stdlib HTTP server whose answers a test writes, for the loaders' hostile cases.

It listens on a loopback address (127.0.0.2 stands for "another host"),
records every request it gets (method, path, headers, body) and hands each
one to the test's ``answer(handler, n)`` (``n`` counts from 1).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class Handler(BaseHTTPRequestHandler):
    """``seen`` is the request being answered."""

    protocol_version = "HTTP/1.1"
    server: _Server
    seen: Seen

    def do_GET(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.seen = Seen(self.command, self.path, dict(self.headers), body)
        n = self.server.hostile.record(self.seen)
        self.server.hostile.answer(self, n)

    def log_message(self, *args: Any) -> None:
        pass

    def reply(self, status: int, payload: Any = None, *, body: bytes | None = None,
              headers: dict[str, str] | None = None) -> None:
        """Send ``payload`` as JSON (or ``body`` as it is) with ``headers``."""
        data = body if body is not None else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def drop(self) -> None:
        """Close the connection without an answer."""
        self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    hostile: Hostile


class Hostile:
    """``with Hostile(answer) as server:`` serves on ``server.url``; ``server.requests`` lists what came."""

    def __init__(self, answer: Callable[[Handler, int], None] | None = None, *, host: str = "127.0.0.1") -> None:
        self.answer = answer or (lambda handler, n: handler.reply(500, {"message": "unexpected"}))
        self.requests: list[Seen] = []
        self.stop = threading.Event()  # set when the test ends: slow answers stop sending
        self._lock = threading.Lock()
        self._server = _Server((host, 0), Handler)
        self._server.hostile = self
        self.host, self.port = self._server.server_address[:2]
        self.url = f"http://{self.host}:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)

    def record(self, seen: Seen) -> int:
        with self._lock:
            self.requests.append(seen)
            return len(self.requests)

    def __enter__(self) -> Hostile:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self._server.shutdown()
        self._server.server_close()
