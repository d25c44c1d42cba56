"""A local HTTP emulator of both providers' invoice-list endpoints on one origin, over the packaged samples, with
faults, latency, changes mid-sweep and a request log for the tests (:doc:`/guide/emulator`)."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

from invoice_analytics.emulator._bounded import HEADER_TIMEOUT, MAX_CONNECTIONS, BoundedServer, DeadlineHandler
from invoice_analytics.emulator._faspay import FaspayAPI, faspay_request
from invoice_analytics.emulator._mayar import MayarAPI
from invoice_analytics.emulator._records import (
    REQUEST_LOG_SIZE,
    RequestRecord,
    content_length,
    default_dataset,
)
from invoice_analytics.emulator._replies import fault_reply, json_reply
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
_PROVIDERS = {FASPAY_PATH: "faspay", MAYAR_PATH: "mayar"}


class _Server(BoundedServer):
    emulator: Emulator


class _Handler(DeadlineHandler):
    server: _Server
    server_version = "InvoiceEmulator/1.0"

    def do_GET(self) -> None:  # http.server naming
        self.server.emulator._handle(self)

    do_POST = do_GET

    def log_message(self, format: str, *args: Any) -> None:  # silence stderr
        pass


class Emulator:
    """Both providers' invoice-list APIs on one local origin (what they answer: :doc:`/guide/emulator`).

    It serves on a daemon thread from :meth:`start` (or entering a ``with`` block) to :meth:`stop` (or leaving
    it); :func:`load_invoices` loads from one when no credentials are set.

    Parameters
    ----------
    faspay_invoices, mayar_invoices : list of dict or None, default None
        Each account's invoices as raw rows in the provider's JSON shape (copied); None loads the sample
        dataset, ``[]`` is an empty account.
    host, port : str and int, default "127.0.0.1" and 0
        The address to listen on; port 0 picks a free one when started.
    faspay_page_size : int, default 50
        Invoices per Faspay page.
    faspay_username, faspay_password, mayar_api_key : str, default "demo", "demo-password", "demo-mayar-key"
        The credentials accepted: Faspay's as their signature, Mayar's Bearer key.
    mayar_rate_limit_per_minute : int or None, default 20
        Mayar requests per client IP in any sliding minute (more get a 429, ``Retry-After``); None: no limit.
    mayar_cursor : {"strict", "inclusive"}, default "strict"
        How ``startingAfter`` is read: ``createdAt < cursor`` or ``<=``.
    latency : float, default 0.0
        Seconds to wait before each answer (like ``retry_after``, may be changed while running).
    retry_after : int, default 1
        The ``Retry-After`` of an injected 429, in seconds (0: retry at once).
    max_connections : int, default 64
        Connections served at once, each on a thread; more are answered 503 and closed at once.
    header_timeout : float, default 10.0
        Seconds a request has for its request line and headers; a slower (or silent) connection is closed.

    Attributes
    ----------
    url, faspay_kwargs, mayar_kwargs
        The origin (e.g. ``http://127.0.0.1:54321``; known once started, or when ``port`` is fixed), and the
        keyword arguments of :func:`~invoice_analytics.load_faspay` and :func:`~invoice_analytics.load_mayar`.
    requests : collections.deque of RequestRecord
        Every request answered, oldest first (the last :data:`REQUEST_LOG_SIZE`).
    on_request : callable or None
        Called as ``on_request(provider, n)`` before answering a provider's n-th request (to change data).
    faspay, mayar
        The emulated accounts: their ``invoices``, credentials and settings.

    Raises
    ------
    ValueError
        For a ``mayar_cursor`` not "strict" or "inclusive", or a rate limit not a positive integer or None.

    Examples
    --------
    Served once started, e.g. ``with Emulator() as emu: df = load_mayar(**emu.mayar_kwargs)``:

    >>> emu = Emulator(faspay_invoices=[], port=8765)  # the Mayar sample dataset, an empty Faspay account
    >>> emu.mayar_kwargs, len(emu.mayar.invoices), len(emu.faspay.invoices)
    ({'base_url': 'http://127.0.0.1:8765', 'api_key': 'demo-mayar-key'}, 2500, 0)
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
        max_connections: int = MAX_CONNECTIONS,
        header_timeout: float = HEADER_TIMEOUT,
    ) -> None:
        self._lock = threading.Lock()
        self.faspay = FaspayAPI(
            list(default_dataset("faspay")) if faspay_invoices is None else faspay_invoices,
            username=faspay_username, password=faspay_password, page_size=faspay_page_size, lock=self._lock,
        )
        self.mayar = MayarAPI(
            list(default_dataset("mayar")) if mayar_invoices is None else mayar_invoices,
            api_key=mayar_api_key, rate_limit_per_minute=mayar_rate_limit_per_minute, cursor=mayar_cursor,
            lock=self._lock,
        )
        self.host, self.port = host, port
        self.latency = latency
        self.retry_after = retry_after
        self.max_connections, self.header_timeout = max_connections, header_timeout
        self.on_request: Callable[[str, int], None] | None = None
        self.requests: deque[RequestRecord] = deque(maxlen=REQUEST_LOG_SIZE)
        self._faults: list[list[Any]] = []  # [fault, provider or None, remaining]
        self._counts = {"faspay": 0, "mayar": 0}
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------

    @property
    def url(self) -> str:
        """The origin ``http://{host}:{port}``, known once started or when ``port`` is fixed (else ``RuntimeError``)."""
        if self._server is not None:
            return f"http://{self.host}:{self._server.server_address[1]}"
        if self.port:
            return f"http://{self.host}:{self.port}"
        raise RuntimeError("the emulator is not started: call start() or use it as a context manager")

    @property
    def faspay_kwargs(self) -> dict[str, str]:
        """``load_faspay`` keyword arguments for this emulator: ``base_url``, ``username`` and ``password``
        (``RuntimeError`` while the origin is not known, see :attr:`url`)."""
        return {"base_url": self.url, "username": self.faspay.username, "password": self.faspay.password}

    @property
    def mayar_kwargs(self) -> dict[str, str]:
        """``load_mayar`` keyword arguments for this emulator: ``base_url`` and ``api_key`` (``RuntimeError`` while
        the origin is not known, see :attr:`url`). Without the emulator's rate limit, pass the loader
        ``rate_limit_per_minute=None`` too."""
        return {"base_url": self.url, "api_key": self.mayar.api_key}

    def start(self) -> Emulator:
        """Start serving on a background thread (not again when started); return the emulator itself. Raises
        ``OSError`` when the address cannot be bound (e.g. the port is taken)."""
        if self._server is None:
            self._server = _Server((self.host, self.port), _Handler, max_connections=self.max_connections,
                                   header_timeout=self.header_timeout)
            self._server.emulator = self
            self._thread = threading.Thread(  # a short poll interval makes stop() quick
                target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, name="invoice-emulator", daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket (nothing happens when not started)."""
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
        """Answer the next ``times`` requests to ``provider`` with ``fault``; faults are used in the order injected.

        Parameters
        ----------
        fault : str
            One of :data:`FAULTS`: "429" (with ``Retry-After``), "500", "502" (an HTML page), "503" (plain
            text), "drop" (the connection is closed without an answer), "malformed" (truncated JSON),
            "missing-keys", "failed" (a failure sent as data: Faspay's ``response_code`` "01", Mayar's
            ``"messages": "failed"``), "401" and "403".
        provider, times : {"faspay", "mayar", None} and int, default None and 1
            The provider whose next ``times`` requests get the fault (None: either).

        Raises
        ------
        ValueError
            When ``fault`` or ``provider`` is unknown.
        """
        if fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; expected one of {sorted(FAULTS)}")
        if provider not in (None, "faspay", "mayar"):
            raise ValueError(f"provider must be 'faspay', 'mayar' or None, not {provider!r}")
        with self._lock:
            self._faults.append([fault, provider, times])

    def add_faspay_invoice(self, record: dict[str, Any]) -> None:
        """Add a Faspay invoice ``record``, e.g. during a load: a raw ``get-all-billing`` row (copied), listed
        under its ``invoice_status`` label (e.g. "Unpaid") and by its ``invoice_date``."""
        self.faspay.add(record)

    def set_faspay_status(self, invoice_no: str, label: str) -> None:
        """Move invoice ``invoice_no`` to the Faspay status ``label`` ("Draft", "Unpaid", "Paid", "Cancelled",
        "Overdue", "Partial Paid", "Proforma", else ``ValueError``); outstanding is kept. ``KeyError`` when absent."""
        self.faspay.set_status(invoice_no, label)

    def update_faspay_invoice(self, invoice_no: str, **fields: Any) -> None:
        """Change fields of a Faspay invoice (e.g. ``invoice_status="Paid"``); ``KeyError`` when absent."""
        self.faspay.update(invoice_no, **fields)

    def remove_faspay_invoice(self, invoice_no: str) -> None:
        """Delete one Faspay invoice (it vanishes from every list); ``KeyError`` when absent."""
        self.faspay.remove(invoice_no)

    def update_mayar_invoice(self, invoice_id: str, **fields: Any) -> None:
        """Change fields of one Mayar invoice, e.g. ``status="paid"``; ``KeyError`` when absent."""
        self.mayar.update(invoice_id, **fields)

    def remove_mayar_invoice(self, invoice_id: str) -> None:
        """Delete one Mayar invoice (it vanishes from every list); ``KeyError`` when absent."""
        self.mayar.remove(invoice_id)

    def add_mayar_invoice(self, record: dict[str, Any]) -> None:
        """Add a Mayar invoice ``record``, e.g. during a load: a raw ``/hl/v2/invoices`` row (copied) with a
        ``createdAt`` (epoch milliseconds), by which the list is ordered and paged."""
        self.mayar.add(record)

    # -- request handling ----------------------------------------------------------

    def _handle(self, h: _Handler) -> None:
        split = urlsplit(h.path)
        path = split.path.rstrip("/") or "/"
        query = {k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        length = content_length(h.headers.get("Content-Length"))
        body = h.rfile.read(length) if length is not None else b""
        provider = _PROVIDERS.get(path, "unknown")
        params: dict[str, Any] = query
        try:
            if length is None:
                h.close_connection = True  # the rest of the request cannot be read reliably
                reply = json_reply(400, {"statusCode": 400, "messages": "Bad Content-Length"})
            elif provider == "unknown":
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
                    reply = fault_reply(fault, provider, self.retry_after) if fault else self.faspay.reply(request)
                else:
                    reply = fault_reply(fault, provider, self.retry_after) if fault else self.mayar.reply(
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
