"""Faspay Billing: the account's whole invoice list as one typed DataFrame.

The ``get-all-billing`` endpoint takes one status code per call and pages by
page number, so a full list is one paged sweep per status code. Page numbers
shift when invoices are created or change status during a sweep; the loader
notices (the announced ``total_data`` moves, or a pass repeats an invoice or
comes up short) and sweeps that status again, keeping the union, so that no
invoice that existed throughout is lost and none is duplicated. When the count
still differs from ``total_data`` it says so with a
:class:`~invoice_analytics.errors.PagingWarning`.

Example, against the embedded emulator:

>>> from invoice_analytics.emulator import Emulator  # doctest: +SKIP
>>> with Emulator() as emu:  # doctest: +SKIP
...     df = load_faspay(**emu.faspay_kwargs, progress=False)
>>> df.columns[:4].tolist()  # doctest: +SKIP
['provider', 'invoice_id', 'customer_id', 'customer_name']
>>> df["invoice_id"].is_unique  # doctest: +SKIP
True
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import threading
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import requests

from invoice_analytics._dates import jakarta_date, jakarta_today
from invoice_analytics._docs import doc
from invoice_analytics.errors import (
    AuthenticationError,
    InvoiceAPIError,
    MissingCredentialsError,
    PagingWarning,
    ResponseError,
)
from invoice_analytics.providers import _columns as col
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
from invoice_analytics.schema import CORE_COLUMNS, CURRENCY_DTYPE, PROVIDER_DTYPE, empty_frame

__all__ = [
    "FASPAY_DEV_URL",
    "FASPAY_PATH",
    "FASPAY_STATUS_CODES",
    "FASPAY_STATUS_LABELS",
    "FaspayConnection",
    "checked_faspay_page",
    "faspay_connection",
    "faspay_frame",
    "faspay_secrets",
    "faspay_signature",
    "load_faspay",
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

#: Code -> the label Faspay sends in ``invoice_status`` for it.
FASPAY_STATUS_LABELS: dict[int, str] = {
    0: "Draft",
    1: "Unpaid",
    2: "Paid",
    3: "Cancelled",
    4: "Overdue",
    5: "Partial Paid",
    7: "Proforma",
}

#: Labels as sent in ``invoice_status`` (compared folded: see ``_columns.fold_status``).
_LABELS = {
    "draft": "draft",
    "unpaid": "unpaid",
    "paid": "paid",
    "cancelled": "cancelled",
    "canceled": "cancelled",
    "overdue": "overdue",
    "partial paid": "partially_paid",
    "partially paid": "partially_paid",
    "partial": "partially_paid",
    "proforma": "proforma",
    "pro forma": "proforma",
}

#: The default window covers an account's whole history: periods from this date...
DEFAULT_START = dt.date(2000, 1, 1)
#: ...to this many days after today (Asia/Jakarta), for invoices issued ahead.
DEFAULT_END_DAYS_AHEAD = 366
_REQUIRED_KEYS = ("response_code", "data", "total_pages", "total_data")


def faspay_signature(username: str, password: str) -> str:
    """Faspay's static credential: SHA1 hex of the MD5 hex of username+password.

    >>> faspay_signature("demo", "demo-password")
    'e3d844e158901dd84fb3254ba17ae3a6327c6d7d'
    """
    md5 = hashlib.md5((username + password).encode()).hexdigest()
    return hashlib.sha1(md5.encode()).hexdigest()


@doc()
def load_faspay(
    *,
    username: str | None = None,
    password: str | None = None,
    signature: str | None = None,
    start: str | dt.date | None = None,
    end: str | dt.date | None = None,
    statuses: int | str | Iterable[int | str] | None = None,
    customer_id: str | int | None = None,
    due_date: str | dt.date | None = None,
    base_url: str = FASPAY_DEV_URL,
    session: requests.Session | None = None,
    timeout: float = 30,
    max_workers: int = 4,
    max_retries: int = 5,
    backoff_factor: float = BACKOFF_FACTOR,
    max_pages: int | None = None,
    max_wait: float = MAX_WAIT,
    max_response_bytes: int = MAX_RESPONSE_BYTES,
    progress: bool | None = None,
) -> pd.DataFrame:
    """Load every Faspay Billing invoice of the account as a typed DataFrame.

    One paged sweep of ``get-all-billing`` per status code, the sweeps side
    by side; sweeps whose pages shifted during the load are run again and
    the union kept (see the module docstring). Raises
    :class:`~invoice_analytics.errors.InvoiceAPIError` (typed) on any
    failure; never returns a partial list.

    Parameters
    ----------
    username, password : str or None, default None
        The account's credentials; the request carries only their
        :func:`faspay_signature`. Used when ``signature`` is not given.
    signature : str or None, default None
        The static signature itself, instead of ``username`` + ``password``.
        With no credential argument, the environment's ``FASPAY_USERNAME`` +
        ``FASPAY_PASSWORD``, else ``FASPAY_SIGNATURE``, is used. Every
        credential is stripped of surrounding whitespace; one holding a
        control character or a character outside Latin-1 is refused. The
        signature is put into each request's body only as it is sent.
    start, end : str, datetime.date or None, default None
        Bounds of the invoice period (inclusive dates, read as
        Asia/Jakarta calendar dates); by default 2000-01-01 to a year
        after today, the account's whole history.
    statuses : int, str, Iterable[int or str] or None, default None
        Status codes (0, 1, 2, 3, 4, 5, 7) or shared status names such as
        "overdue" (Faspay's labels such as "Partial Paid" work too), e.g.
        ``[4]``, ``"overdue"`` (one status) or ``["overdue", "unpaid"]``;
        None sweeps every documented code. An empty list is refused.
    customer_id : str, int or None, default None
        Passed to the API's ``customer_id`` filter.
    due_date : str, datetime.date or None, default None
        Passed to the API's ``due_date`` filter (one date).
    base_url : str, default FASPAY_DEV_URL
        The origin only (``scheme://host[:port]``); the loader appends the
        documented path. Production must be passed here. Plain http is
        refused unless the host is loopback.
    {loader_session}
    {loader_timeout}
    max_workers : int, default 4
        Page requests in flight at once, over every sweep (pages after the
        first of each sweep are fetched ``max_workers`` at a time).
    {loader_retries}
    max_pages : int or None, default None
        The most page requests the load may send (the re-checks of page 1
        included); past it a
        :class:`~invoice_analytics.errors.ResponseError` says so before the
        pages are asked. None: derived from the announced totals, each
        status at most the pages its page 1 announced times the passes
        allowed (3 rounds of 3 passes), plus a re-check of page 1 each
        round.
    {loader_limits}

    Returns
    -------
    pandas.DataFrame
        One row per invoice number, in the order the answers came back: the
        core columns of :mod:`invoice_analytics.schema` (``amount`` is
        always missing, Faspay sends none; ``outstanding`` < 0 is a credit),
        then ``period`` (``period[M]``). No invoice gives an empty frame with
        the same columns and dtypes.

    Raises
    ------
    invoice_analytics.errors.MissingCredentialsError
        When no credential is given or set in the environment.
    invoice_analytics.errors.CredentialError
        When a credential holds a control character or a character outside
        Latin-1 (it is not shown).
    ValueError
        For a bad argument: ``base_url`` not an origin (or plain http to a
        host that is not loopback), an unknown status or none at all, a
        ``start``, ``end`` or ``due_date`` that is not a date, ``end``
        before ``start``, ``max_workers`` < 1, or a limit (``timeout``,
        ``max_pages``, ``max_wait``, ``max_response_bytes``) out of range.
    invoice_analytics.errors.AuthenticationError
        HTTP 401/403, or a failed ``response_code`` naming the signature.
    invoice_analytics.errors.RateLimitError, invoice_analytics.errors.ServerError
        HTTP 429 or 5xx through every retry, or at once when waiting as it
        asks would pass ``max_wait`` (the load's total).
    invoice_analytics.errors.TransportError
        No answer (connection failed, dropped or timed out) through every
        retry, or a body that did not arrive whole within ``timeout``.
    invoice_analytics.errors.ResponseError
        Any other failure: ``response_code`` not "00", a redirect (never
        followed), malformed or too deeply nested JSON, an answer larger
        than ``max_response_bytes``, missing keys, ``total_pages`` that does
        not fit ``total_data``, more pages than ``max_pages``, or a value
        that does not fit its column.

    Warns
    -----
    invoice_analytics.errors.PagingWarning
        When a status's final count differs from its announced
        ``total_data``, or it was still changing after the last sweep.
    invoice_analytics.errors.UnknownStatusWarning
        When an ``invoice_status`` label is unknown (its ``status`` is left
        missing).

    See Also
    --------
    load_mayar : The Mayar loader.
    load_invoices : Load every configured provider, or the emulator.

    Examples
    --------
    >>> from invoice_analytics.emulator import Emulator  # doctest: +SKIP
    >>> with Emulator() as emu:  # doctest: +SKIP
    ...     df = load_faspay(**emu.faspay_kwargs, progress=False)
    ...     overdue = load_faspay(**emu.faspay_kwargs, statuses=["overdue"], progress=False)
    >>> len(df), df["invoice_id"].is_unique, bool(df["amount"].isna().all())  # doctest: +SKIP
    (6000, True, True)
    >>> len(overdue), overdue["provider_status"].unique().tolist()  # doctest: +SKIP
    (158, ['Overdue'])
    >>> str(df["period"].dtype)  # doctest: +SKIP
    'period[M]'

    A wrong credential:

    >>> with Emulator() as emu:  # doctest: +SKIP
    ...     try:
    ...         load_faspay(base_url=emu.url, username="demo", password="wrong", statuses=[4], progress=False)
    ...     except AuthenticationError as err:
    ...         print(err.request, "->", err.server_message)
    GET /billingbackendapi/web/billing/get-all-billing status=4 (overdue) page=1 -> Invalid signature
    """
    conn = faspay_connection(username=username, password=password, signature=signature, base_url=base_url,
                             timeout=timeout, max_workers=max_workers, max_retries=max_retries,
                             backoff_factor=backoff_factor, max_pages=max_pages, max_wait=max_wait,
                             max_response_bytes=max_response_bytes)
    del password, signature  # no local of a failed load's traceback holds a credential
    url = conn.origin + FASPAY_PATH
    codes = _codes(statuses)
    start_d = _date(start, "start") if start is not None else DEFAULT_START
    end_d = _date(end, "end") if end is not None else jakarta_today() + dt.timedelta(days=DEFAULT_END_DAYS_AHEAD)
    if end_d < start_d:
        raise ValueError(f"faspay: end ({end_d}) is before start ({start_d})")
    body: dict[str, Any] = {  # the signature is added as each request is sent (FaspaySignatureAuth)
        "start_period": start_d.isoformat(),
        "end_period": end_d.isoformat(),
    }
    if customer_id is not None:
        body["customer_id"] = customer_id
    if due_date is not None:
        body["due_date"] = _date(due_date, "due_date").isoformat()

    own_session = session is None
    http = session if session is not None else conn.session()
    caller = conn.caller(http)
    sweep = FaspaySweep(codes, FASPAY_STATUS_CODES)
    progress_bar = Progress("faspay", progress)
    auth = conn.auth()
    try:
        with ThreadPoolExecutor(max_workers, thread_name_prefix="faspay-page") as pages, \
                ThreadPoolExecutor(len(codes), thread_name_prefix="faspay-sweep") as sweeps:
            _Sweeper(caller, url, body, auth, progress_bar, sweep, PageBudget(max_pages), pages, sweeps,
                     window=2 * max_workers).run()
    finally:
        progress_bar.close()
        if own_session:
            http.close()
    for message in sweep.count_warnings():
        warnings.warn(f"faspay: {message}", PagingWarning, stacklevel=2)
    kept = sweep.ordered()
    return faspay_frame([k.row for k in kept], sources=[k.request for k in kept])


class _Sweeper:
    """The HTTP side of one load: the sweeps of :class:`~._paging.FaspaySweep`, side by side.

    Each status's first page is asked on the ``sweeps`` pool; its later pages
    go to the ``pages`` pool, shared by every sweep, so at most that pool's
    workers are in flight, and each sweep queues at most ``window`` pages
    at a time (so an announced count never builds a large queue). Every request is counted against the
    :class:`~._paging.PageBudget`; page 1's totals are checked before the
    other pages of a pass are asked. The first failure stops every other
    sweep.
    """

    def __init__(self, caller: Caller, url: str, body: dict[str, Any], auth: FaspaySignatureAuth,
                 progress: Progress, sweep: FaspaySweep, budget: PageBudget,
                 pages: ThreadPoolExecutor, sweeps: ThreadPoolExecutor, *, window: int) -> None:
        self.caller = caller
        self.url = url
        self.body = body
        self.auth = auth
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
        payload = self.caller.get_json(self.url, request, json={**self.body, "status": str(code), "page": page},
                                       auth=self.auth)
        arrival = self.sweep.arrival()
        self.progress.step(f"status {code} page {page}")
        checked = checked_faspay_page(self.caller, request, payload, code, arrival, first=page == 1)
        if page == 1:
            self.budget.announce(code, checked.total_pages)
        return checked


def _request(code: int, page: int) -> str:
    return f"GET {FASPAY_PATH} status={code} ({FASPAY_STATUS_CODES[code]}) page={page}"


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


def faspay_frame(rows: Sequence[dict[str, Any]], *, sources: Sequence[str] | None = None) -> pd.DataFrame:
    """The typed frame of raw ``get-all-billing`` rows (core columns, then ``period``).

    ``sources`` (one request description per row) only sharpens error messages.
    The label is folded once (trimmed, case-folded) to give ``status``;
    ``customer_name`` is NFC-normalised; a value that cannot be read exactly
    (see :mod:`~invoice_analytics.providers._columns`) raises a
    :class:`~invoice_analytics.errors.ResponseError` naming the invoice, the
    field and the value.

    >>> df = faspay_frame([{"customer_id": 32, "customer_name": "PT. Media", "invoice_date": "2023-02-07 00:00:00",
    ...     "invoice_no": "INV-FPY-022300178", "due_date": "2023-02-08 10:04:00", "invoice_status": "Paid",
    ...     "outstanding_amount": -400800, "period": "202302"}])
    >>> df.loc[0, "status"], int(df.loc[0, "outstanding"]), df.loc[0, "period"]
    ('paid', -400800, Period('2023-02', 'M'))
    """
    if not rows:
        return empty_frame({"period": pd.PeriodDtype("M")})
    frame = pd.DataFrame(col.in_chunks(_faspay_columns, rows, sources, "faspay"), copy=False)
    assert tuple(frame.columns[: len(CORE_COLUMNS)]) == CORE_COLUMNS
    return frame


def _faspay_columns(rows: Sequence[dict[str, Any]], sources: Sequence[str] | None) -> dict[str, Any]:
    """The typed columns of some rows."""
    fields = _fast_texts(rows) or {key: [row.get(key) for row in rows] for key in _TEXT}
    fields.update({key: [row.get(key) for row in rows] for key in _FIELDS if key not in _TEXT})
    convert = col.field_converter("faspay", "invoice_no", f"GET {FASPAY_PATH}", rows, sources)
    typed = {key: convert(key, builder, fields[key]) for key, builder in _FIELDS.items()}
    n = len(rows)
    raw_status = typed["invoice_status"]
    return {
            "provider": col.constant_category("faspay", n, PROVIDER_DTYPE),
            "invoice_id": typed["invoice_no"],
            "customer_id": typed["customer_id"],
            "customer_name": col.nfc_strings(typed["customer_name"]),
            "status": col.statuses(raw_status, _LABELS, "faspay"),
            "provider_status": raw_status,
            "issued_at": typed["invoice_date"],
            "due_at": typed["due_date"],
            "amount": pd.array([None] * n, dtype="Int64"),
            "outstanding": typed["outstanding_amount"],
            "currency": col.constant_category("IDR", n, CURRENCY_DTYPE),
            "period": typed["period"],
    }


def _periods(values: Sequence[Any]) -> pd.arrays.PeriodArray:
    """"YYYYMM" texts (or numbers) as monthly periods; each distinct value read once.

    Exactly six ASCII digits, a year from 0001 and a month 01 to 12; anything
    else ("202613", "2026-01", "20261") is a :class:`~._columns.BadValue`.

    >>> [str(period) for period in _periods(["202302", None, 202612])]
    ['2023-02', 'NaT', '2026-12']
    >>> _periods(["202613"])
    Traceback (most recent call last):
    ...
    invoice_analytics.providers._columns.BadValue: '202613' is not a YYYYMM period (month 01 to 12)
    """
    codes, uniques = pd.factorize(col.strings(values))  # missing -> -1
    ordinals = []
    for k, text in enumerate(uniques):
        match = _PERIOD.fullmatch(text)
        if match is None or int(match[1]) < 1:
            bad = int(np.argmax(codes == k))
            raw = values[bad].as_py() if isinstance(values, pa.Array) else values[bad]
            raise col.BadValue(bad, raw, "a YYYYMM period (month 01 to 12)")
        ordinals.append((int(match[1]) - 1970) * 12 + int(match[2]) - 1)  # months since 1970-01
    periods = pd.PeriodIndex.from_ordinals(ordinals, freq="M").array
    return periods.take(codes, allow_fill=True)


_PERIOD = re.compile(r"([0-9]{4})(0[1-9]|1[0-2])")


#: The fields that should be text; when all of them are, Arrow reads them in one pass.
_TEXT = ("invoice_no", "customer_name", "invoice_status", "invoice_date", "due_date", "period")
_ROW_TYPE = pa.struct([(name, pa.large_string()) for name in _TEXT])


def _fast_texts(rows: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    try:
        return dict(zip(_TEXT, pa.array(rows, type=_ROW_TYPE).flatten(), strict=True))
    except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeEncodeError):
        # a number where text belongs: the field-by-field path converts it (or names a value that is not text)
        return None


_FIELDS = {
    "invoice_no": col.strings,
    "customer_id": col.strings,
    "customer_name": col.strings,
    "invoice_status": col.strings,
    "invoice_date": col.wib_datetimes,
    "due_date": col.wib_datetimes,
    "outstanding_amount": col.money,
    "period": _periods,
}


@dataclass(frozen=True)
class FaspayConnection:
    """Faspay's connection arguments, checked: the one reading of them by :func:`load_faspay` and by the
    history store's refresh (so both accept and refuse the same values)."""

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
    """Check :func:`load_faspay`'s connection arguments (its defaults).

    >>> faspay_connection(signature="s", max_workers=0)
    Traceback (most recent call last):
    ...
    ValueError: faspay: max_workers must be at least 1
    """
    secrets = faspay_secrets(username, password, signature)  # (signature, password): Secrets, shown as ***
    origin = check_origin(base_url, "faspay")
    if max_workers < 1:
        raise ValueError("faspay: max_workers must be at least 1")
    check_limits("faspay", timeout=timeout, max_wait=max_wait, max_response_bytes=max_response_bytes,
                 max_pages=max_pages)
    return FaspayConnection(secrets, origin, timeout, max_workers, max_retries, backoff_factor, max_pages, max_wait,
                            max_response_bytes)


def faspay_secrets(username: str | None, password: str | None, signature: str | None) -> tuple[Secret, Secret | None]:
    """The checked signature to send and the password it came from (to scrub), each in a :class:`Secret`
    (the loader's and the history store's one reading of the credential arguments).

    Arguments first (``signature``, else ``username`` + ``password``), then the environment.
    """
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


def _codes(statuses: int | str | Iterable[int | str] | None) -> list[int]:
    if statuses is None:
        return list(FASPAY_STATUS_CODES)
    if isinstance(statuses, (str, int)):
        statuses = [statuses]  # one status, not its characters
    by_name = {name: code for code, name in FASPAY_STATUS_CODES.items()}
    codes: list[int] = []
    for status in statuses:
        if isinstance(status, str) and not status.strip().isdigit():
            key = _LABELS.get(col.fold_status(status))
            if key is None:
                raise ValueError(f"faspay: unknown status {status!r}; use a code {list(FASPAY_STATUS_CODES)} "
                                 f"or a name {list(by_name)}")
            code = by_name[key]
        else:
            code = int(status)
            if code not in FASPAY_STATUS_CODES:
                raise ValueError(f"faspay: unknown status code {code}; documented: {list(FASPAY_STATUS_CODES)}")
        if code not in codes:
            codes.append(code)
    if not codes:
        raise ValueError(f"faspay: statuses is empty; pass None for every status, or codes {list(FASPAY_STATUS_CODES)} "
                         f"or names {list(by_name)}")
    return codes


def _date(value: str | dt.date, name: str) -> dt.date:
    try:
        return jakarta_date(value, name=name)
    except ValueError as exc:
        raise ValueError(f"faspay: {exc}") from None
