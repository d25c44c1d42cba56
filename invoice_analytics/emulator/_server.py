"""A local HTTP emulator of both providers' invoice-list endpoints, on one origin.

Faspay Billing ``get-all-billing`` (JSON body, signature, page numbers, one
status code per call) and Mayar ``GET /hl/v2/invoices`` (Bearer key,
``createdAt`` cursor, 20 requests a minute per IP) answer as the reference
pages describe, over the sample datasets in ``data-samples/`` (or generated in
memory when the package is installed without them). Tests can inject faults,
add latency, mutate the data mid-sweep, and read a log of every request.

>>> import requests
>>> from invoice_analytics.providers.faspay import FASPAY_PATH, faspay_signature
>>> from invoice_analytics.providers.mayar import MAYAR_PATH
>>> with Emulator(mayar_rate_limit_per_minute=None) as emu:
...     mayar = requests.get(emu.url + MAYAR_PATH, params={"limit": 2}, timeout=5,
...                          headers={"Authorization": "Bearer " + DEMO_MAYAR_API_KEY}).json()
...     faspay = requests.get(emu.url + FASPAY_PATH, timeout=5, json={
...         "signature": faspay_signature(DEMO_FASPAY_USERNAME, DEMO_FASPAY_PASSWORD), "page": "1",
...         "status": 4, "start_period": "2025-01-01", "end_period": "2026-12-31"}).json()
>>> mayar["messages"], len(mayar["data"]), mayar["hasMore"]
('success', 2, True)
>>> faspay["response_code"], faspay["current_page"], len(faspay["data"]), faspay["data"][0]["invoice_status"]
('00', '1', 50, 'Overdue')
"""

from __future__ import annotations

import functools
import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

from invoice_analytics.emulator import _samples
from invoice_analytics.emulator._faspay import FaspayAPI, faspay_request
from invoice_analytics.emulator._mayar import MayarAPI
from invoice_analytics.emulator._replies import Reply, json_reply
from invoice_analytics.providers.faspay import FASPAY_PATH
from invoice_analytics.providers.mayar import MAYAR_PATH

__all__ = [
    "DEMO_FASPAY_PASSWORD",
    "DEMO_FASPAY_USERNAME",
    "DEMO_MAYAR_API_KEY",
    "FAULTS",
    "REQUEST_LOG_SIZE",
    "Emulator",
    "RequestRecord",
]

DEMO_FASPAY_USERNAME = "demo"
DEMO_FASPAY_PASSWORD = "demo-password"
DEMO_MAYAR_API_KEY = "demo-mayar-key"
#: Fault kinds accepted by :meth:`Emulator.inject`.
FAULTS = frozenset({"429", "500", "502", "503", "drop", "malformed", "missing-keys", "failed", "401", "403"})
#: Requests kept in :attr:`Emulator.requests` (the oldest are forgotten first).
REQUEST_LOG_SIZE = 100_000

SAMPLES_DIR = Path(__file__).resolve().parents[2] / "data-samples"
_PROVIDERS = {FASPAY_PATH: "faspay", MAYAR_PATH: "mayar"}


@dataclass(frozen=True)
class RequestRecord:
    """One request the emulator answered. ``params`` never holds the signature;
    ``status_code`` 0 means the connection was dropped without an answer."""

    provider: str  # "faspay", "mayar", or "unknown"
    method: str
    path: str
    params: dict[str, Any]
    status_code: int
    at: float  # time.monotonic()


@functools.lru_cache(maxsize=None)
def _default_dataset(provider: str) -> tuple[dict[str, Any], ...]:
    path = SAMPLES_DIR / f"{provider}-invoices.json"
    if path.is_file():
        return tuple(json.loads(path.read_text(encoding="utf-8")))
    return tuple(_samples.generate_faspay() if provider == "faspay" else _samples.generate_mayar())


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    emulator: Emulator


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "InvoiceEmulator/1.0"

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        self.server.emulator._handle(self)

    do_POST = do_GET

    def log_message(self, format: str, *args: Any) -> None:  # silence stderr
        pass


class Emulator:
    """Both providers' invoice-list APIs on one local origin (see the module docstring).

    ``None`` datasets load ``data-samples/*.json`` (or generate them); ``[]`` is an
    empty account. ``url`` and the ``*_kwargs`` are available once started.
    ``retry_after`` is the ``Retry-After`` of an injected 429 (0: retry at once).
    """

    def __init__(
        self,
        faspay_invoices: list[dict[str, Any]] | None = None,
        mayar_invoices: list[dict[str, Any]] | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        faspay_page_size: int = 50,
        faspay_username: str = DEMO_FASPAY_USERNAME,
        faspay_password: str = DEMO_FASPAY_PASSWORD,
        mayar_api_key: str = DEMO_MAYAR_API_KEY,
        mayar_rate_limit_per_minute: int | None = 20,
        mayar_cursor: Literal["strict", "inclusive"] = "strict",
        latency: float = 0.0,
        retry_after: int = 1,
    ) -> None:
        self._lock = threading.Lock()
        self.faspay = FaspayAPI(
            list(_default_dataset("faspay")) if faspay_invoices is None else faspay_invoices,
            username=faspay_username, password=faspay_password, page_size=faspay_page_size, lock=self._lock,
        )
        self.mayar = MayarAPI(
            list(_default_dataset("mayar")) if mayar_invoices is None else mayar_invoices,
            api_key=mayar_api_key, rate_limit_per_minute=mayar_rate_limit_per_minute, cursor=mayar_cursor,
            lock=self._lock,
        )
        self.host, self.port = host, port
        self.latency = latency
        self.retry_after = retry_after
        self.on_request: Callable[[str, int], None] | None = None
        self.requests: deque[RequestRecord] = deque(maxlen=REQUEST_LOG_SIZE)
        self._faults: list[list[Any]] = []  # [fault, provider or None, remaining]
        self._counts = {"faspay": 0, "mayar": 0}
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------

    @property
    def url(self) -> str:
        """The origin, e.g. ``http://127.0.0.1:54321`` (known once started, or when ``port`` is fixed)."""
        if self._server is not None:
            return f"http://{self.host}:{self._server.server_address[1]}"
        if self.port:
            return f"http://{self.host}:{self.port}"
        raise RuntimeError("the emulator is not started: call start() or use it as a context manager")

    @property
    def faspay_kwargs(self) -> dict[str, str]:
        """``load_faspay`` keyword arguments for this emulator (origin and demo credentials)."""
        return {"base_url": self.url, "username": self.faspay.username, "password": self.faspay.password}

    @property
    def mayar_kwargs(self) -> dict[str, str]:
        """``load_mayar`` keyword arguments for this emulator (origin and demo key)."""
        return {"base_url": self.url, "api_key": self.mayar.api_key}

    def start(self) -> Emulator:
        if self._server is None:
            self._server = _Server((self.host, self.port), _Handler)
            self._server.emulator = self
            self._thread = threading.Thread(  # a short poll interval makes stop() quick
                target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, name="invoice-emulator", daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- test controls -----------------------------------------------------------

    def inject(self, fault: str, *, provider: str | None = None, times: int = 1) -> None:
        """Answer the next ``times`` requests to ``provider`` (None: either) with ``fault`` (one of :data:`FAULTS`)."""
        if fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; expected one of {sorted(FAULTS)}")
        if provider not in (None, "faspay", "mayar"):
            raise ValueError(f"provider must be 'faspay', 'mayar' or None, not {provider!r}")
        with self._lock:
            self._faults.append([fault, provider, times])

    def add_faspay_invoice(self, record: dict[str, Any]) -> None:
        self.faspay.add(record)

    def set_faspay_status(self, invoice_no: str, label: str) -> None:
        """Move an invoice to another status label (the outstanding amount is left as is)."""
        self.faspay.set_status(invoice_no, label)

    def add_mayar_invoice(self, record: dict[str, Any]) -> None:
        self.mayar.add(record)

    # -- request handling ----------------------------------------------------------

    def _handle(self, h: _Handler) -> None:
        split = urlsplit(h.path)
        path = split.path.rstrip("/") or "/"
        query = {k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        body = h.rfile.read(int(h.headers.get("Content-Length") or 0))
        provider = _PROVIDERS.get(path, "unknown")
        params: dict[str, Any] = query
        try:
            if provider == "unknown":
                reply = json_reply(404, {"statusCode": 404, "messages": "Not Found"})
            else:
                with self._lock:
                    self._counts[provider] += 1
                    n = self._counts[provider]
                if self.on_request is not None:
                    self.on_request(provider, n)
                fault = self._take_fault(provider)
                if provider == "faspay":
                    request = faspay_request(query, body)
                    params = {k: v for k, v in (request or query).items() if k != "signature"}
                    reply = self._fault(fault, provider) if fault else self.faspay.reply(request)
                else:
                    reply = self._fault(fault, provider) if fault else self.mayar.reply(
                        h.client_address[0], h.command, h.headers.get("Authorization", ""), query)
        except Exception as exc:  # a bug here should reach the client, not hang it
            reply = json_reply(500, {"statusCode": 500, "messages": f"emulator error: {type(exc).__name__}"})
        if self.latency > 0:
            time.sleep(self.latency)
        record = RequestRecord(provider, h.command, path, params, reply.status if reply.body is not None else 0,
                               time.monotonic())
        with self._lock:
            self.requests.append(record)
        if reply.body is None:
            h.close_connection = True
            return
        h.send_response(reply.status)
        h.send_header("Content-Type", reply.content_type)
        h.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers.items():
            h.send_header(name, value)
        h.end_headers()
        h.wfile.write(reply.body)

    def _take_fault(self, provider: str) -> str | None:
        with self._lock:
            for entry in self._faults:
                if entry[1] in (None, provider):
                    entry[2] -= 1
                    if entry[2] <= 0:
                        self._faults.remove(entry)
                    return str(entry[0])
        return None

    def _fault(self, fault: str, provider: str) -> Reply:
        faspay = provider == "faspay"
        if fault == "429":
            return json_reply(429, {"statusCode": 429, "messages": "Too Many Requests"}, **{"Retry-After": str(self.retry_after)})
        if fault == "500":
            return json_reply(500, {"statusCode": 500, "messages": "Internal Server Error"})
        if fault == "502":
            return Reply(502, b"<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html")
        if fault == "503":
            return Reply(503, b"503 Service Unavailable", "text/plain")
        if fault == "drop":
            return Reply(0, None)
        if fault == "malformed":
            text = '{"response_code": "00", "data": [{"invoice_no": ' if faspay else '{"statusCode": 200, "data": [{"id": '
            return Reply(200, text.encode())
        if fault == "missing-keys":
            if faspay:
                return json_reply(200, {"response_code": "00", "message": "Success get billing"})
            return json_reply(200, {"statusCode": 200, "messages": "success"})
        if fault == "failed":
            if faspay:
                return json_reply(200, {"response_code": "01", "message": "Failed get billing: internal error"})
            return json_reply(200, {"statusCode": 400, "messages": "failed", "data": None})
        words = "Unauthorized" if fault == "401" else "Forbidden"
        if faspay:
            return json_reply(int(fault), {"response_code": "01", "message": words})
        return json_reply(int(fault), {"statusCode": int(fault), "messages": words})
