"""A tiny HTTPS proxy on 127.0.0.1 that refuses every tunnel and records where it was asked to go.

There is no internet here, so a test proves which origin a loader addresses by handing it a
``requests.Session`` that sends HTTPS through this proxy: the client's ``CONNECT host:port``
line names the real origin, and the refusal makes the load fail with a typed error.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests


@dataclass
class RefusingProxy:
    url: str
    #: ``CONNECT`` targets ("host:port") in the order they were asked.
    connects: list[str] = field(default_factory=list)
    #: Every request line and header the proxy saw, as text.
    seen: list[str] = field(default_factory=list)

    def session(self) -> requests.Session:
        """A session sending https through this proxy (and ignoring any proxy of the environment)."""
        session = requests.Session()
        session.trust_env = False  # HTTPS_PROXY / NO_PROXY of the machine must not take over
        session.proxies = {"https": self.url, "http": self.url}
        return session


@contextmanager
def refusing_proxy(status: int = 502) -> Iterator[RefusingProxy]:
    """Run a proxy answering every ``CONNECT`` with ``status`` (502 or 403, say)."""
    proxy = RefusingProxy("")

    class Handler(BaseHTTPRequestHandler):
        def do_CONNECT(self) -> None:
            proxy.connects.append(self.path)
            proxy.seen.append(f"{self.requestline}\n{self.headers}")
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True

        def do_GET(self) -> None:
            proxy.seen.append(f"{self.requestline}\n{self.headers}")
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    proxy.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
