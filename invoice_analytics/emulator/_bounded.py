"""A threading HTTP server whose threads are bounded: a connection limit and a header deadline (private).

A connection past ``max_connections`` is answered ``503`` (``Retry-After: 1``) and closed by the accepting
thread, so no thread is made for it. :class:`DeadlineHandler` gives each request ``header_timeout`` seconds
for its request line and headers together (a client sending nothing, or a byte at a time, is cut off), and the
same of silence on any read.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["HEADER_TIMEOUT", "MAX_CONNECTIONS", "BoundedServer", "DeadlineHandler"]

#: The most connections served at once; more are answered 503 and closed.
MAX_CONNECTIONS = 64
#: Seconds a request has for its request line and headers (and the most silence on a connection).
HEADER_TIMEOUT = 10.0

_BUSY = (b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Type: text/plain\r\n"
         b"Content-Length: 28\r\nConnection: close\r\n\r\ntoo many connections at once")


class BoundedServer(ThreadingHTTPServer):
    """:class:`~http.server.ThreadingHTTPServer` with at most ``max_connections`` threads serving.

    ``active`` counts the connections being served, ``peak`` the most at once, ``refused`` those answered 503.
    """

    daemon_threads = True
    request_queue_size = 128  # the listen backlog: a burst of connections is accepted, then refused or served

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], *,
                 max_connections: int = MAX_CONNECTIONS, header_timeout: float = HEADER_TIMEOUT) -> None:
        if max_connections < 1 or not header_timeout > 0:
            raise ValueError("max_connections must be at least 1 and header_timeout more than 0 seconds")
        super().__init__(address, handler)
        self.max_connections = max_connections
        self.header_timeout = header_timeout
        self.active = self.peak = self.refused = 0
        self._slots = threading.BoundedSemaphore(max_connections)
        self._count = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            with self._count:
                self.refused += 1
            with contextlib.suppress(OSError):
                request.settimeout(0.5)
                request.sendall(_BUSY)
            self.shutdown_request(request)
            return
        with self._count:
            self.active += 1
            self.peak = max(self.peak, self.active)
        try:
            super().process_request(request, client_address)  # starts the connection's thread
        except BaseException:
            self._release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._release()

    def _release(self) -> None:
        with self._count:
            self.active -= 1
        self._slots.release()


class DeadlineHandler(BaseHTTPRequestHandler):
    """A request handler that cuts a connection whose request line and headers take too long."""

    server: BoundedServer
    _timer: threading.Timer | None = None

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.header_timeout)  # the most silence on any read

    def handle_one_request(self) -> None:
        self._timer = threading.Timer(self.server.header_timeout, self._cut)
        self._timer.daemon = True
        self._timer.start()
        try:
            super().handle_one_request()
        finally:
            self._timer.cancel()

    def parse_request(self) -> bool:
        try:
            return super().parse_request()  # reads the headers
        finally:
            if self._timer is not None:
                self._timer.cancel()

    def _cut(self) -> None:
        """The headers did not come in time: shut the connection (the blocked read returns at once)."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)
