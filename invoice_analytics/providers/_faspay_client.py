"""Faspay Billing's client: the checked connection, the session, the signed page request and the page loops
(the loader's sweeps, the store's :meth:`FaspayClient.query`), driven by ``load_faspay`` and the history store
(public in :mod:`invoice_analytics.providers.clients`, which says why)."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import requests

from invoice_analytics._dates import jakarta_today
from invoice_analytics._docs import doc
from invoice_analytics.errors import AuthenticationError, InvoiceAPIError, MissingCredentialsError, ResponseError
from invoice_analytics.providers._credentials import FaspaySignatureAuth, Secret, credential
from invoice_analytics.providers._http import (
    BACKOFF_FACTOR,
    MAX_RESPONSE_BYTES,
    MAX_WAIT,
    Caller,
    check_limits,
    check_origin,
    log,
    make_session,
)
from invoice_analytics.providers._paging import (
    MAX_PASSES,
    FaspayPage,
    FaspaySweep,
    Kept,
    PageBudget,
    totals_problem,
)
from invoice_analytics.providers._payload import PageProblem, page_rows, payload_words, require_keys, whole_number
from invoice_analytics.providers._progress import Progress

__all__ = [
    "DEFAULT_END_DAYS_AHEAD",
    "DEFAULT_START",
    "FASPAY_DEV_URL",
    "FASPAY_PATH",
    "FASPAY_STATUS_CODES",
    "FaspayClient",
    "FaspayConnection",
    "checked_faspay_page",
    "default_window",
    "faspay_connection",
    "faspay_secrets",
    "faspay_signature",
]

#: The only published origin (development). Production must be passed as ``base_url``.
FASPAY_DEV_URL = "https://fasbill-dev.faspay.co.id"
FASPAY_PATH = "/billingbackendapi/web/billing/get-all-billing"

#: Documented status codes (there is no 6) and the shared status each stands for.
FASPAY_STATUS_CODES: dict[int, str] = {
    0: "draft",
    1: "unpaid",
    2: "paid",
    3: "cancelled",
    4: "overdue",
    5: "partially_paid",
    7: "proforma",
}

#: The default window covers an account's whole history: periods from this date...
DEFAULT_START = dt.date(2000, 1, 1)
#: ...to this many days after today (Asia/Jakarta), for invoices issued ahead.
DEFAULT_END_DAYS_AHEAD = 366
_REQUIRED_KEYS = ("response_code", "data", "total_pages", "total_data")




def faspay_signature(username: str, password: str) -> str:
    """Faspay's static credential: SHA1 hex of the MD5 hex of username+password."""
    md5 = hashlib.md5((username + password).encode()).hexdigest()
    return hashlib.sha1(md5.encode()).hexdigest()


@dataclass(frozen=True)
class FaspayConnection:
    """Faspay's connection arguments, checked: the one reading of them by the loader and the store's refresh."""

    secrets: tuple[Secret, Secret | None]  # the signature sent, the password it came from (to scrub)
    origin: str
    timeout: float
    max_workers: int
    max_retries: int
    backoff_factor: float
    max_pages: int | None
    max_wait: float
    max_response_bytes: int

    def session(self) -> requests.Session:
        """A new session with the loader's retries and a connection per worker."""
        return make_session(self.max_retries, pool_size=max(self.max_workers, 4), backoff_factor=self.backoff_factor,
                            max_wait=self.max_wait)

    def caller(self, http: requests.Session) -> Caller:
        return Caller("faspay", http, timeout=self.timeout, secrets=self.secrets,  # a username is no secret
                      max_wait=self.max_wait, max_response_bytes=self.max_response_bytes)

    def auth(self) -> FaspaySignatureAuth:
        return FaspaySignatureAuth(self.secrets[0])


def faspay_connection(*, username: str | None = None, password: str | None = None, signature: str | None = None,
                      base_url: str = FASPAY_DEV_URL, timeout: float = 30, max_workers: int = 4, max_retries: int = 5,
                      backoff_factor: float = BACKOFF_FACTOR, max_pages: int | None = None, max_wait: float = MAX_WAIT,
                      max_response_bytes: int = MAX_RESPONSE_BYTES) -> FaspayConnection:
    """Check :func:`load_faspay`'s connection arguments."""
    secrets = faspay_secrets(username, password, signature)  # (signature, password): Secrets, shown as ***
    origin = check_origin(base_url, "faspay")
    if max_workers < 1:
        raise ValueError("faspay: max_workers must be at least 1")
    check_limits("faspay", timeout=timeout, max_wait=max_wait, max_response_bytes=max_response_bytes,
                 max_pages=max_pages)
    return FaspayConnection(secrets, origin, timeout, max_workers, max_retries, backoff_factor, max_pages, max_wait,
                            max_response_bytes)


def faspay_secrets(username: str | None, password: str | None, signature: str | None) -> tuple[Secret, Secret | None]:
    """The checked signature to send and the password it came from (to scrub), each a :class:`Secret`: from
    ``signature``, else ``username`` + ``password``, else the environment."""
    sig = credential(signature, provider="faspay", name="signature")
    if sig is not None:
        return sig, None
    user = credential(username, provider="faspay", name="username")
    secret = credential(password, provider="faspay", name="password")
    if user is not None and secret is not None:
        return Secret(faspay_signature(user.reveal(), secret.reveal())), secret
    env = os.environ
    user = credential(env.get("FASPAY_USERNAME"), provider="faspay", name="FASPAY_USERNAME")
    secret = credential(env.get("FASPAY_PASSWORD"), provider="faspay", name="FASPAY_PASSWORD")
    if user is not None and secret is not None:
        return Secret(faspay_signature(user.reveal(), secret.reveal())), secret
    sig = credential(env.get("FASPAY_SIGNATURE"), provider="faspay", name="FASPAY_SIGNATURE")
    if sig is not None:
        return sig, None
    raise MissingCredentialsError(
        "faspay", "load_faspay", None,
        detail="no credential: pass username and password (or signature), or set FASPAY_USERNAME and "
        "FASPAY_PASSWORD (or FASPAY_SIGNATURE)",
    )


def default_window() -> tuple[dt.date, dt.date]:
    """The loader's default window, the whole history: :data:`DEFAULT_START` to :data:`DEFAULT_END_DAYS_AHEAD`
    days after today (Asia/Jakarta)."""
    return DEFAULT_START, jakarta_today() + dt.timedelta(days=DEFAULT_END_DAYS_AHEAD)


@doc()
class FaspayClient:
    """Faspay's client: one checked connection and the session every request of a load or refresh goes through.

    {client_session}
    """

    def __init__(self, connection: FaspayConnection, session: requests.Session | None = None) -> None:
        self.connection = connection
        self.origin = connection.origin
        self.url = connection.origin + FASPAY_PATH
        self._own = session is None
        self.session = session if session is not None else connection.session()
        self.caller = connection.caller(self.session)
        self._auth = connection.auth()  # puts the signature into each body as it is sent
        #: The default window (:func:`default_window`), fixed for the client's life.
        self.start, self.end = default_window()

    @classmethod
    def from_options(cls, *, session: requests.Session | None = None, **options: Any) -> FaspayClient:
        """A client from :func:`~invoice_analytics.load_faspay`'s connection arguments, checked as it checks them."""
        return cls(faspay_connection(**options), session)

    def __repr__(self) -> str:
        return f"FaspayClient(origin={self.origin!r}, signature=***)"

    def credential(self) -> str:
        """The signature itself (for the history store's keyed fingerprint of it; never written or shown)."""
        return str(self.connection.secrets[0].reveal())

    def window(self, start: dt.date | None = None, end: dt.date | None = None) -> tuple[dt.date, dt.date]:
        """The invoice-period window: :attr:`start` and :attr:`end` for a bound not given."""
        return (start if start is not None else self.start, end if end is not None else self.end)

    @staticmethod
    def body(code: int, page: int, *, start: dt.date, end: dt.date, customer_id: str | int | None = None,
             due_date: dt.date | None = None) -> dict[str, Any]:
        """The request body of one page, without the signature (added as the request is sent)."""
        body: dict[str, Any] = {"start_period": start.isoformat(), "end_period": end.isoformat()}
        if customer_id is not None:
            body["customer_id"] = customer_id
        if due_date is not None:
            body["due_date"] = due_date.isoformat()
        return body | {"status": str(code), "page": page}

    def ask(self, code: int, page: int, request: str, *, start: dt.date, end: dt.date,
            customer_id: str | int | None = None, due_date: dt.date | None = None) -> dict[str, Any]:
        """One page's answer, as sent (a typed error names ``request`` for any failure of the exchange)."""
        body = self.body(code, page, start=start, end=end, customer_id=customer_id, due_date=due_date)
        return self.caller.get_json(self.url, request, json=body, auth=self._auth)

    def page(self, code: int, page: int, *, customer_id: str | None = None, start: dt.date | None = None,
             end: dt.date | None = None) -> FaspayPage:
        """One checked page of one status, over the default window or a narrower one (the store's)."""
        first, last = self.window(start, end)
        request = _request(code, page, customer_id=customer_id,
                           period=f"{first.isoformat()}..{last.isoformat()}" if start or end else None)
        payload = self.ask(code, page, request, start=first, end=last, customer_id=customer_id)
        return checked_faspay_page(self.caller, request, payload, code, 0, first=page == 1)

    def query(self, code: int, *, customer_id: str | None = None, start: dt.date | None = None,
              end: dt.date | None = None) -> list[dict[str, Any]]:
        """Every row of one status under a filter, page by page (a pass whose total moved is run once more)."""
        rows: dict[str, dict[str, Any]] = {}
        for _attempt in range(2):
            first = self.page(code, 1, customer_id=customer_id, start=start, end=end)
            pages = [first] + [self.page(code, n, customer_id=customer_id, start=start, end=end)
                               for n in range(2, first.total_pages + 1)]
            for kept in (k for p in pages for k in p.rows):
                rows[kept.row["invoice_no"]] = kept.row
            if len({p.total_data for p in pages}) == 1 and len(rows) >= first.total_data:
                break
        return list(rows.values())

    def sweep(self, codes: list[int], *, start: dt.date, end: dt.date, customer_id: str | int | None = None,
              due_date: dt.date | None = None, progress: Progress) -> FaspaySweep:
        """The loader's page loop (:class:`_Sweeper`); returns the settled :class:`~._paging.FaspaySweep`."""
        sweep = FaspaySweep(codes, FASPAY_STATUS_CODES)
        workers = self.connection.max_workers
        filters = {"start": start, "end": end, "customer_id": customer_id, "due_date": due_date}
        with ThreadPoolExecutor(workers, thread_name_prefix="faspay-page") as pages, \
                ThreadPoolExecutor(len(codes), thread_name_prefix="faspay-sweep") as sweeps:
            _Sweeper(self, filters, progress, sweep, PageBudget(self.connection.max_pages), pages, sweeps,
                     window=2 * workers).run()
        return sweep

    def close(self) -> None:
        """Close the session if the client made it."""
        if self._own:
            self.session.close()

    def __enter__(self) -> FaspayClient:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()


class _Sweeper:
    """The HTTP side of one load: the sweeps of :class:`~._paging.FaspaySweep`, side by side.

    Page 1 of each status goes to the ``sweeps`` pool, later pages to the shared ``pages`` pool, at most
    ``window`` queued per sweep (an announced count never builds a large queue); every request is counted
    against the :class:`~._paging.PageBudget`, page 1's totals checked first; the first failure stops all."""

    def __init__(self, client: FaspayClient, filters: dict[str, Any], progress: Progress, sweep: FaspaySweep,
                 budget: PageBudget, pages: ThreadPoolExecutor, sweeps: ThreadPoolExecutor, *, window: int) -> None:
        self.client = client
        self.caller = client.caller
        self.filters = filters
        self.progress = progress
        self.sweep = sweep
        self.budget = budget
        self._pages = pages
        self._sweeps = sweeps
        self._window = window
        self._cancelled = threading.Event()

    def run(self) -> None:
        """Sweep every status, then re-check page 1 of each until nothing moved (at most MAX_PASSES rounds)."""
        codes = self.sweep.codes
        todo = codes
        for _ in range(MAX_PASSES):
            self._all(self._sweep, todo)
            moved = self._all(lambda code: self.sweep.first_page_moved(code, self._page_of(code, 1)), codes)
            todo = [code for code, changed in zip(codes, moved, strict=True) if changed]
            if not todo:
                return
            log.info("faspay: status(es) %s changed after their sweep; sweeping again", todo)
        self.sweep.unsettled = todo

    def _all(self, task: Callable[[int], Any], codes: list[int]) -> list[Any]:
        """``task(code)`` for every code side by side; the first real failure is raised."""
        futures = [self._sweeps.submit(self._guarded, task, code) for code in codes]
        errors = [error for error in (future.exception() for future in futures) if error is not None]
        if errors:  # the failure itself, not the requests it cancelled
            raise next((e for e in errors if not isinstance(e, _Cancelled)), errors[0])
        return [future.result() for future in futures]

    def _guarded(self, task: Callable[[int], Any], code: int) -> Any:
        try:
            return task(code)
        except BaseException:
            self._cancelled.set()  # the other sweeps stop sending
            raise

    def _sweep(self, code: int) -> None:
        for attempt in range(1, MAX_PASSES + 1):
            if self.sweep.pass_settled(code, self._pass(code)):
                return
            log.info("faspay: status %s shifted during pass %d; sweeping again", code, attempt)

    def _pass(self, code: int) -> list[FaspayPage]:
        first = self._page_of(code, 1)
        total = first.total_pages
        problem = self.budget.claim(code, max(total - 1, 0))
        if problem is not None:
            raise self.caller.error(ResponseError, _request(code, 1), detail=problem)
        self.progress.add_total(max(total, 1))
        pages = [first]
        queued: deque[Future[FaspayPage]] = deque()
        following = iter(range(2, total + 1))
        try:
            while True:
                while len(queued) < self._window and (page := next(following, None)) is not None:
                    queued.append(self._pages.submit(self._page, code, page))
                if not queued:
                    return pages
                pages.append(queued.popleft().result())
        except BaseException:
            for future in queued:
                future.cancel()
            raise

    def _page_of(self, code: int, page: int) -> FaspayPage:
        problem = self.budget.claim(code, 1)
        if problem is not None:
            raise self.caller.error(ResponseError, _request(code, page), detail=problem)
        return self._pages.submit(self._page, code, page).result()

    def _page(self, code: int, page: int) -> FaspayPage:
        """One page, checked: its rows (with arrival order), total_data and total_pages."""
        request = _request(code, page)
        if self._cancelled.is_set():
            raise _Cancelled(request)
        payload = self.client.ask(code, page, request, **self.filters)
        arrival = self.sweep.arrival()
        self.progress.step(f"status {code} page {page}")
        checked = checked_faspay_page(self.caller, request, payload, code, arrival, first=page == 1)
        if page == 1:
            self.budget.announce(code, checked.total_pages)
        return checked


def _request(code: int, page: int, *, customer_id: str | int | None = None, period: str | None = None) -> str:
    """The request's label in errors and logs (the store's narrowed pages name their filter)."""
    return (f"GET {FASPAY_PATH} status={code} ({FASPAY_STATUS_CODES[code]}) page={page}"
            + (f" customer_id={customer_id}" if customer_id is not None else "")
            + (f" period {period}" if period is not None else ""))


def checked_faspay_page(caller: Caller, request: str, payload: dict[str, Any], code: int, arrival: int, *,
                        first: bool) -> FaspayPage:
    """The page's rows, total_data and total_pages, or a typed error for a failure or a bad shape
    (also the history store's check of the single pages it asks for)."""
    message = payload_words(payload)
    if "response_code" in payload and str(payload["response_code"]) != "00":
        words = message if message is not None else f"response_code {payload['response_code']}"
        cls: type[InvoiceAPIError] = AuthenticationError if _is_auth_failure(words) else ResponseError
        raise caller.error(cls, request, words, detail=f"response_code {payload['response_code']}")
    page, problem = _read_page(payload, code, arrival, request)
    if page is not None and problem is None:
        problem = totals_problem(page, first=first)
    if page is None or problem is not None:
        raise caller.error(ResponseError, request, message, detail=problem)
    return page


def _read_page(payload: dict[str, Any], code: int, arrival: int, request: str) -> tuple[FaspayPage | None, str | None]:
    """The page, or what is wrong with its shape (never raises: the error is raised outside any except)."""
    try:
        require_keys(payload, _REQUIRED_KEYS)
        data = page_rows(payload, "invoice_no")
        total_pages = whole_number(payload["total_pages"], "total_pages")
        total_data = whole_number(payload["total_data"], "total_data")
    except PageProblem as problem:
        return None, str(problem)
    return FaspayPage([Kept(arrival, row, request, code) for row in data], total_data, total_pages), None


class _Cancelled(Exception):
    """Another request of the load failed; this one was not sent."""


def _is_auth_failure(message: str) -> bool:
    lowered = message.lower()
    return any(word in lowered for word in ("signature", "unauthori", "credential", "forbidden"))
