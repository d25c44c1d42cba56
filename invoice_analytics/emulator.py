"""A local HTTP emulator of both providers' invoice-list endpoints, on one origin.

Faspay Billing ``get-all-billing`` (JSON body, signature, page numbers, one
status code per call) and Mayar ``GET /hl/v2/invoices`` (Bearer key,
``createdAt`` cursor, 20 requests a minute per IP) answer as the reference
pages describe, over the sample datasets in ``data-samples/`` (or generated in
memory when the package is installed without them). Tests can inject faults,
add latency, mutate the data mid-sweep, and read a log of every request.

>>> import requests
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

import argparse
import functools
import hmac
import json
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

from invoice_analytics import _samples
from invoice_analytics.faspay import faspay_signature

__all__ = [
    "DEMO_FASPAY_PASSWORD",
    "DEMO_FASPAY_USERNAME",
    "DEMO_MAYAR_API_KEY",
    "FASPAY_PATH",
    "FASPAY_STATUS_LABELS",
    "FAULTS",
    "MAYAR_PATH",
    "Emulator",
    "RequestRecord",
    "faspay_signature",
    "main_serve",
    "serve",
]

DEMO_FASPAY_USERNAME = "demo"
DEMO_FASPAY_PASSWORD = "demo-password"
DEMO_MAYAR_API_KEY = "demo-mayar-key"
FASPAY_PATH = "/billingbackendapi/web/billing/get-all-billing"
MAYAR_PATH = "/hl/v2/invoices"
FASPAY_STATUS_LABELS = {0: "Draft", 1: "Unpaid", 2: "Paid", 3: "Cancelled", 4: "Overdue", 5: "Partial Paid", 7: "Proforma"}
#: Fault kinds accepted by :meth:`Emulator.inject`.
FAULTS = frozenset({"429", "500", "502", "503", "drop", "malformed", "missing-keys", "failed", "401", "403"})

SAMPLES_DIR = Path(__file__).resolve().parents[1] / "data-samples"
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


@dataclass
class _Reply:
    status: int
    body: bytes | None  # None: drop the connection
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


def _json(status: int, payload: Any, **headers: str) -> _Reply:
    return _Reply(status, json.dumps(payload).encode(), headers=headers)


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
        if mayar_cursor not in ("strict", "inclusive"):
            raise ValueError(f"mayar_cursor must be 'strict' or 'inclusive', not {mayar_cursor!r}")
        if faspay_invoices is None:
            faspay_invoices = list(_default_dataset("faspay"))
        if mayar_invoices is None:
            mayar_invoices = list(_default_dataset("mayar"))
        self._faspay = [dict(r) for r in faspay_invoices]
        self._faspay_lists: dict[tuple[Any, ...], list[dict[str, Any]]] = {}  # filtered, sorted; reset on change
        self._mayar = [dict(r) for r in mayar_invoices]
        self.host, self.port = host, port
        self.faspay_page_size = faspay_page_size
        self.faspay_username, self.faspay_password = faspay_username, faspay_password
        self.mayar_api_key = mayar_api_key
        self.mayar_rate_limit_per_minute = mayar_rate_limit_per_minute
        self.mayar_cursor = mayar_cursor
        self.latency = latency
        self.retry_after = retry_after
        self.on_request: Callable[[str, int], None] | None = None
        self.requests: list[RequestRecord] = []
        self._lock = threading.Lock()
        self._faults: list[list[Any]] = []  # [fault, provider or None, remaining]
        self._counts = {"faspay": 0, "mayar": 0}
        self._windows: dict[str, deque[float]] = {}
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
        return {"base_url": self.url, "username": self.faspay_username, "password": self.faspay_password}

    @property
    def mayar_kwargs(self) -> dict[str, str]:
        return {"base_url": self.url, "api_key": self.mayar_api_key}

    def start(self) -> Emulator:
        if self._server is None:
            self._server = _Server((self.host, self.port), _Handler)
            self._server.emulator = self
            self._thread = threading.Thread(  # a short poll interval makes stop() quick
                target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="invoice-emulator", daemon=True
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
        with self._lock:
            self._faspay.append(dict(record))
            self._faspay_lists.clear()

    def set_faspay_status(self, invoice_no: str, label: str) -> None:
        """Move an invoice to another status label (the outstanding amount is left as is)."""
        if label not in FASPAY_STATUS_LABELS.values():
            raise ValueError(f"unknown Faspay status label {label!r}")
        with self._lock:
            for i, record in enumerate(self._faspay):
                if record.get("invoice_no") == invoice_no:
                    self._faspay[i] = {**record, "invoice_status": label}
                    self._faspay_lists.clear()
                    return
        raise KeyError(invoice_no)

    def add_mayar_invoice(self, record: dict[str, Any]) -> None:
        with self._lock:
            self._mayar.append(dict(record))

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
                reply = _json(404, {"statusCode": 404, "messages": "Not Found"})
            else:
                with self._lock:
                    self._counts[provider] += 1
                    n = self._counts[provider]
                if self.on_request is not None:
                    self.on_request(provider, n)
                fault = self._take_fault(provider)
                if provider == "faspay":
                    request = _faspay_request(query, body)
                    params = {k: v for k, v in (request or query).items() if k != "signature"}
                    reply = self._fault(fault, provider) if fault else self._faspay_reply(request)
                else:
                    reply = self._fault(fault, provider) if fault else self._mayar_reply(h, query)
        except Exception as exc:  # a bug here should reach the client, not hang it
            reply = _json(500, {"statusCode": 500, "messages": f"emulator error: {type(exc).__name__}"})
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

    def _fault(self, fault: str, provider: str) -> _Reply:
        faspay = provider == "faspay"
        if fault == "429":
            return _json(429, {"statusCode": 429, "messages": "Too Many Requests"}, **{"Retry-After": str(self.retry_after)})
        if fault == "500":
            return _json(500, {"statusCode": 500, "messages": "Internal Server Error"})
        if fault == "502":
            return _Reply(502, b"<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html")
        if fault == "503":
            return _Reply(503, b"503 Service Unavailable", "text/plain")
        if fault == "drop":
            return _Reply(0, None)
        if fault == "malformed":
            text = '{"response_code": "00", "data": [{"invoice_no": ' if faspay else '{"statusCode": 200, "data": [{"id": '
            return _Reply(200, text.encode())
        if fault == "missing-keys":
            if faspay:
                return _json(200, {"response_code": "00", "message": "Success get billing"})
            return _json(200, {"statusCode": 200, "messages": "success"})
        if fault == "failed":
            if faspay:
                return _json(200, {"response_code": "01", "message": "Failed get billing: internal error"})
            return _json(200, {"statusCode": 400, "messages": "failed", "data": None})
        words = "Unauthorized" if fault == "401" else "Forbidden"
        if faspay:
            return _json(int(fault), {"response_code": "01", "message": words})
        return _json(int(fault), {"statusCode": int(fault), "messages": words})

    # -- Faspay Billing -------------------------------------------------------------

    def _faspay_reply(self, request: dict[str, Any] | None) -> _Reply:
        if request is None:
            return _faspay_failure("Invalid request")
        expected = faspay_signature(self.faspay_username, self.faspay_password)
        if not hmac.compare_digest(str(request.get("signature") or "").encode(), expected.encode()):
            return _faspay_failure("Invalid signature")
        page = _as_int(request.get("page"))
        if page is None or page < 1:
            return _faspay_failure("Invalid page: minimal value is 1")
        code = _as_int(request.get("status"))
        if code not in FASPAY_STATUS_LABELS:
            return _faspay_failure("Invalid status")
        start, end = _day(request.get("start_period")), _day(request.get("end_period"))
        if start is None:
            return _faspay_failure("Invalid start_period: format yyyy-mm-dd")
        if end is None:
            return _faspay_failure("Invalid end_period: format yyyy-mm-dd")
        due = request.get("due_date")
        due_day = _day(due) if due not in (None, "") else ""
        if due_day is None:
            return _faspay_failure("Invalid due_date: format yyyy-mm-dd")
        customer = request.get("customer_id")
        customer = None if customer in (None, "") else str(customer)

        rows = self._faspay_list(FASPAY_STATUS_LABELS[code], start, end, due_day, customer)
        size = self.faspay_page_size
        return _json(200, {
            "current_page": str(page),
            "total_pages": math.ceil(len(rows) / size),
            "total_data": len(rows),
            "response_code": "00",
            "data": rows[(page - 1) * size : page * size],
            "message": "Success get billing",
        })

    def _faspay_list(self, label: str, start: str, end: str, due_day: str, customer: str | None) -> list[dict]:
        """One status's filtered list, newest first, computed once per state of the data."""
        key = (label, start, end, due_day, customer)
        with self._lock:
            if key not in self._faspay_lists:
                rows = [
                    r
                    for r in self._faspay
                    if r.get("invoice_status") == label
                    and start <= str(r.get("invoice_date"))[:10] <= end
                    and (not due_day or str(r.get("due_date"))[:10] == due_day)
                    and (customer is None or (r.get("customer_id") is not None and str(r.get("customer_id")) == customer))
                ]
                rows.sort(key=lambda r: (str(r.get("invoice_date")), str(r.get("invoice_no"))), reverse=True)
                self._faspay_lists[key] = rows
            return self._faspay_lists[key]

    # -- Mayar -------------------------------------------------------------------------

    def _mayar_reply(self, h: _Handler, query: dict[str, str]) -> _Reply:
        limited = self._rate_limited(h.client_address[0])
        if limited is not None:
            return limited
        if not hmac.compare_digest(h.headers.get("Authorization", "").encode(), f"Bearer {self.mayar_api_key}".encode()):
            return _json(401, {"statusCode": 401, "messages": "Unauthorized"})
        if h.command != "GET":
            return _json(405, {"statusCode": 405, "messages": "Method Not Allowed"})
        limit = _as_int(query.get("limit", 10))
        if limit is None:
            return _json(400, {"statusCode": 400, "messages": "limit must be an integer"})
        limit = min(max(limit, 1), 50)
        cursor: int | None = None
        if query.get("startingAfter"):
            cursor = _as_int(query["startingAfter"])
            if cursor is None:
                return _json(400, {"statusCode": 400, "messages": "startingAfter must be epoch milliseconds"})
        status, search = query.get("status") or None, (query.get("search") or "").lower()

        with self._lock:
            records = list(self._mayar)
        inclusive = self.mayar_cursor == "inclusive"
        rows = [
            r
            for r in records
            if (cursor is None or int(r["createdAt"]) < cursor or (inclusive and int(r["createdAt"]) == cursor))
            and (status is None or r.get("status") == status)
            and (not search or search in _mayar_text(r))
        ]
        rows.sort(key=lambda r: (-int(r["createdAt"]), str(r.get("id"))))
        page, more = rows[:limit], len(rows) > limit
        return _json(200, {
            "statusCode": 200,
            "messages": "success",
            "data": page,
            "hasMore": more,
            "nextStartingAfter": str(page[-1]["createdAt"]) if more else None,
        })

    def _rate_limited(self, client: str) -> _Reply | None:
        """Sliding 60 s window per client IP of admitted requests; refused ones do not count."""
        limit = self.mayar_rate_limit_per_minute
        if limit is None:
            return None
        now = time.monotonic()
        with self._lock:
            window = self._windows.setdefault(client, deque())
            while window and window[0] <= now - 60:
                window.popleft()
            if len(window) < limit:
                window.append(now)
                return None
            wait = max(1, math.ceil(window[0] + 60 - now)) if window else 60
        return _json(429, {"statusCode": 429, "messages": "Too Many Requests"}, **{"Retry-After": str(wait)})


def _faspay_failure(message: str) -> _Reply:
    return _json(200, {"response_code": "01", "message": message})


def _faspay_request(query: dict[str, str], body: bytes) -> dict[str, Any] | None:
    """The JSON body, or the query string when there is no body; None when the body is not a JSON object."""
    if not body.strip():
        return dict(query)
    try:
        request = json.loads(body)
    except ValueError:
        return None
    return request if isinstance(request, dict) else None


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def _day(value: Any) -> str | None:
    """``yyyy-mm-dd`` or ``yyyy-mm-dd hh:mm:ss`` -> the ISO day, else None."""
    if isinstance(value, str):
        for fmt in ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S"):
            try:
                return datetime.strptime(value.strip(), fmt).date().isoformat()
            except ValueError:
                pass
    return None


def _mayar_text(record: dict[str, Any]) -> str:
    customer = record.get("customer") or {}
    parts = (record.get("name"), record.get("description"), customer.get("name"), customer.get("email"))
    return "\n".join(str(p) for p in parts if p).lower()


# -- CLI -------------------------------------------------------------------------------


def serve(host: str = "127.0.0.1", port: int = 8765, **options: Any) -> None:
    """Serve both APIs until Ctrl-C; ``options`` go to :class:`Emulator`."""
    emulator = Emulator(host=host, port=port, **options).start()
    limit = emulator.mayar_rate_limit_per_minute
    print(f"Faspay Billing + Mayar emulator on {emulator.url}", flush=True)
    print(f"  Faspay: base_url={emulator.url}  username={emulator.faspay_username}  "
          f"password={emulator.faspay_password}  ({len(emulator._faspay)} invoices)", flush=True)
    print(f"  Mayar:  base_url={emulator.url}  api_key={emulator.mayar_api_key}  ({len(emulator._mayar)} invoices, "
          f"{'no rate limit' if limit is None else f'{limit} requests/min'})", flush=True)
    print("Ctrl-C to stop.", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop()


def main_serve(argv: Sequence[str] | None = None) -> int:
    """``python -m invoice_analytics.emulator [--host H] [--port P] [--rate-limit N|0] [--latency S] [--cursor C]``."""
    parser = argparse.ArgumentParser(prog="invoice-analytics-emulator", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--rate-limit", type=int, default=20, help="Mayar requests per minute per IP; 0 = none")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds to wait before each answer")
    parser.add_argument("--cursor", choices=("strict", "inclusive"), default="strict")
    args = parser.parse_args(argv)
    serve(args.host, args.port, mayar_rate_limit_per_minute=args.rate_limit or None,
          latency=args.latency, mayar_cursor=args.cursor)
    return 0


if __name__ == "__main__":
    raise SystemExit(main_serve())
