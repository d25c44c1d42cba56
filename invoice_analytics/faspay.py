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

>>> from invoice_analytics.emulator import Emulator
>>> with Emulator() as emu:
...     df = load_faspay(**emu.faspay_kwargs, progress=False)
>>> df.columns[:4].tolist()
['provider', 'invoice_id', 'customer_id', 'customer_name']
>>> df["invoice_id"].is_unique
True
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import threading
import warnings
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pyarrow as pa
import requests

from invoice_analytics import _columns as col
from invoice_analytics._http import Caller, Progress, check_origin, log, make_session, payload_words
from invoice_analytics.errors import (
    AuthenticationError,
    MissingCredentialsError,
    PagingWarning,
    ResponseError,
)
from invoice_analytics.schema import CORE_COLUMNS, CURRENCY_DTYPE, JAKARTA, PROVIDER_DTYPE, empty_frame

__all__ = [
    "FASPAY_DEV_URL",
    "FASPAY_PATH",
    "FASPAY_STATUS_CODES",
    "faspay_frame",
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

#: Labels as sent in ``invoice_status`` (compared lower-cased, spaces folded).
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
#: Sweeps of one status before giving up on a stable count.
MAX_PASSES = 3

_REQUIRED_KEYS = ("response_code", "data", "total_pages", "total_data")


def faspay_signature(username: str, password: str) -> str:
    """Faspay's static credential: SHA1 hex of the MD5 hex of username+password.

    >>> faspay_signature("demo", "demo-password")
    'e3d844e158901dd84fb3254ba17ae3a6327c6d7d'
    """
    md5 = hashlib.md5((username + password).encode()).hexdigest()
    return hashlib.sha1(md5.encode()).hexdigest()


def load_faspay(
    *,
    username: str | None = None,
    password: str | None = None,
    signature: str | None = None,
    start: str | dt.date | None = None,
    end: str | dt.date | None = None,
    statuses: Iterable[int | str] | None = None,
    customer_id: str | int | None = None,
    due_date: str | dt.date | None = None,
    base_url: str = FASPAY_DEV_URL,
    session: requests.Session | None = None,
    timeout: float = 30,
    max_workers: int = 4,
    max_retries: int = 5,
    progress: bool | None = None,
) -> pd.DataFrame:
    """Load every Faspay Billing invoice of the account as a typed DataFrame.

    Credentials: ``username`` + ``password``, or ``signature``; else the
    environment's ``FASPAY_USERNAME`` + ``FASPAY_PASSWORD``, or ``FASPAY_SIGNATURE``.
    ``statuses``: codes (0, 1, 2, 3, 4, 5, 7) or shared status names
    ("overdue"); None sweeps every documented code. ``start``/``end`` bound the
    invoice period (inclusive dates); by default 2000-01-01 to a year after
    today, the account's whole history. ``base_url`` is the origin only.
    ``session``: a :class:`requests.Session` used as given (its adapters decide
    retries); by default one with urllib3 retries up to ``max_retries``.
    Pages after the first of each sweep are fetched ``max_workers`` at a time.
    ``progress``: None shows a tqdm bar when interactive and the load takes
    more than one request.

    Raises :class:`~invoice_analytics.errors.InvoiceAPIError` (typed) on any
    failure; never returns a partial list.
    """
    signature = _signature(username, password, signature)
    url = check_origin(base_url, "faspay") + FASPAY_PATH
    codes = _codes(statuses)
    start_d = _date(start, "start") if start is not None else DEFAULT_START
    end_d = (
        _date(end, "end")
        if end is not None
        else pd.Timestamp.now(tz=JAKARTA).date() + dt.timedelta(days=DEFAULT_END_DAYS_AHEAD)
    )
    if end_d < start_d:
        raise ValueError(f"faspay: end ({end_d}) is before start ({start_d})")
    if max_workers < 1:
        raise ValueError("faspay: max_workers must be at least 1")
    body: dict[str, Any] = {
        "signature": signature,
        "start_period": start_d.isoformat(),
        "end_period": end_d.isoformat(),
    }
    if customer_id is not None:
        body["customer_id"] = customer_id
    if due_date is not None:
        body["due_date"] = _date(due_date, "due_date").isoformat()

    own_session = session is None
    http = session if session is not None else make_session(max_retries, pool_size=max(max_workers, 4))
    caller = Caller("faspay", http, timeout=timeout, secrets=[password, signature])  # a username is no secret
    sweeper = _Sweeper(caller, url, body, Progress("faspay", progress))
    try:
        with ThreadPoolExecutor(max_workers, thread_name_prefix="faspay-page") as pages, \
                ThreadPoolExecutor(len(codes), thread_name_prefix="faspay-sweep") as sweeps:
            sweeper.run(codes, pages, sweeps)
    finally:
        sweeper.progress.close()
        if own_session:
            http.close()
    for message in sweeper.count_warnings():
        warnings.warn(message, PagingWarning, stacklevel=2)
    rows = sorted(sweeper.kept.values(), key=lambda kept: kept.arrival)
    return faspay_frame([kept.row for kept in rows], sources=[kept.request for kept in rows])


@dataclass(frozen=True)
class _Kept:
    arrival: int  # the order in which the answers came back: a later one wins
    row: dict[str, Any]
    request: str
    code: int


@dataclass
class _Page:
    rows: list[_Kept]
    total_data: int
    total_pages: int


class _Sweeper:
    """One load: a paged sweep per status code, run side by side, then re-checked.

    A pass over a status is repeated while its pages shift under it (the
    announced total moves, an invoice repeats, or the count comes up short),
    keeping the union. Once every status is swept, page 1 of each is asked
    again; a status whose total or first page changed meanwhile (an invoice
    moved into it after its sweep) is swept again. Rows are merged by invoice
    number, the copy from the later answer winning.
    """

    def __init__(self, caller: Caller, url: str, body: dict[str, Any], progress: Progress) -> None:
        self.caller = caller
        self.url = url
        self.body = body
        self.progress = progress
        self.kept: dict[str, _Kept] = {}
        self.totals: dict[int, int] = {}
        self.unsettled: list[int] = []
        self._pages: ThreadPoolExecutor | None = None
        self._cancelled = threading.Event()
        self._arrivals = 0
        self._lock = threading.Lock()

    def run(self, codes: list[int], pages: ThreadPoolExecutor, sweeps: ThreadPoolExecutor) -> None:
        """Sweep ``codes`` (at most ``pages``' workers in flight), then re-check until stable."""
        self._pages = pages
        todo = codes
        for _ in range(MAX_PASSES):
            self._all(sweeps, self._sweep, todo)
            changed = self._all(sweeps, self._changed, codes)
            todo = [code for code, moved in zip(codes, changed) if moved]
            if not todo:
                return
            log.info("faspay: status(es) %s changed after their sweep; sweeping again", todo)
        self.unsettled = todo

    def _all(self, sweeps: ThreadPoolExecutor, task, codes: list[int]) -> list[Any]:
        """``task(code)`` for every code side by side; the first real failure is raised."""
        futures = [sweeps.submit(self._guarded, task, code) for code in codes]
        errors = [error for error in (future.exception() for future in futures) if error is not None]
        if errors:  # the failure itself, not the requests it cancelled
            raise next((e for e in errors if not isinstance(e, _Cancelled)), errors[0])
        return [future.result() for future in futures]

    def _guarded(self, task, code: int) -> Any:
        try:
            return task(code)
        except BaseException:
            self._cancelled.set()  # the other sweeps stop sending
            raise

    def _sweep(self, code: int) -> None:
        for attempt in range(1, MAX_PASSES + 1):
            pages = self._pass(code)
            got = [kept for page in pages for kept in page.rows]
            ids = {kept.row["invoice_no"] for kept in got}
            total = pages[-1].total_data
            self._merge(got, code, total)
            if len({page.total_data for page in pages}) == 1 and len(got) == len(ids) == total:
                return
            log.info("faspay: status %s shifted during pass %d; sweeping again", code, attempt)

    def _changed(self, code: int) -> bool:
        """Whether a status moved since its sweep: page 1 again, compared."""
        page = self._page_of(code, 1)
        with self._lock:
            before = self.totals[code]
            unseen = any(kept.row["invoice_no"] not in self.kept for kept in page.rows)
        self._merge(page.rows, code, page.total_data)
        return page.total_data != before or unseen

    def _merge(self, got: list[_Kept], code: int, total: int) -> None:
        with self._lock:
            self.totals[code] = total
            for kept in got:
                invoice_no = kept.row["invoice_no"]
                if invoice_no not in self.kept or self.kept[invoice_no].arrival < kept.arrival:
                    self.kept[invoice_no] = kept

    def count_warnings(self) -> list[str]:
        """A message for every status whose final count differs from its announced total or never settled."""
        counts = dict.fromkeys(self.totals, 0)
        for kept in self.kept.values():
            counts[kept.code] += 1
        unsettled = [
            f"faspay: status {code} ({FASPAY_STATUS_CODES[code]}) was still changing after {MAX_PASSES} sweeps "
            f"(got {counts[code]} distinct invoices, last total_data={self.totals[code]}); invoices created or "
            "changed during the load may be missing"
            for code in self.unsettled
        ]
        return unsettled + [
            f"faspay: status {code} ({FASPAY_STATUS_CODES[code]}): got {counts[code]} distinct invoices but the "
            f"server announced total_data={total}; invoices were created or changed status during the load"
            for code, total in self.totals.items()
            if counts[code] != total
        ]

    def _pass(self, code: int) -> list[_Page]:
        first = self._page_of(code, 1)
        self.progress.add_total(max(first.total_pages, 1))
        futures = [self._pages.submit(self._page, code, page) for page in range(2, first.total_pages + 1)]
        try:
            return [first] + [future.result() for future in futures]
        except BaseException:
            for future in futures:
                future.cancel()
            raise

    def _page_of(self, code: int, page: int) -> _Page:
        return self._pages.submit(self._page, code, page).result()

    def _page(self, code: int, page: int) -> _Page:
        """One page, checked: its rows (with arrival order), total_data and total_pages."""
        request = f"GET {FASPAY_PATH} status={code} ({FASPAY_STATUS_CODES[code]}) page={page}"
        if self._cancelled.is_set():
            raise _Cancelled(request)
        payload = self.caller.get_json(self.url, request, json={**self.body, "status": str(code), "page": page})
        with self._lock:
            self._arrivals += 1
            arrival = self._arrivals
        self.progress.step(f"status {code} page {page}")
        message = payload_words(payload)
        if "response_code" in payload and str(payload["response_code"]) != "00":
            words = message if message is not None else f"response_code {payload['response_code']}"
            cls = AuthenticationError if _is_auth_failure(words) else ResponseError
            raise self.caller.error(cls, request, words, detail=f"response_code {payload['response_code']}")
        missing = [key for key in _REQUIRED_KEYS if key not in payload]
        if missing:
            raise self.caller.error(ResponseError, request, message, detail=f"missing key(s) {missing}")
        data = payload["data"]
        if not isinstance(data, list) or not all(isinstance(row, dict) for row in data):
            raise self.caller.error(ResponseError, request, message, detail="'data' is not a list of objects")
        for row in data:
            if not isinstance(row.get("invoice_no"), (str, int)) or row.get("invoice_no") == "":
                raise self.caller.error(ResponseError, request, message,
                                        detail=f"a row has no invoice_no: {sorted(row)}")
            row["invoice_no"] = str(row["invoice_no"])
        try:
            total_pages = int(payload["total_pages"])
            total_data = int(payload["total_data"])
        except (TypeError, ValueError):
            raise self.caller.error(
                ResponseError, request, message,
                detail=f"total_pages/total_data not numbers: {payload['total_pages']!r}/{payload['total_data']!r}",
            ) from None
        return _Page([_Kept(arrival, row, request, code) for row in data], total_data, total_pages)


class _Cancelled(Exception):
    """Another request of the load failed; this one was not sent."""


def _is_auth_failure(message: str) -> bool:
    lowered = message.lower()
    return any(word in lowered for word in ("signature", "unauthori", "credential", "forbidden"))


def faspay_frame(rows: Sequence[dict[str, Any]], *, sources: Sequence[str] | None = None) -> pd.DataFrame:
    """The typed frame of raw ``get-all-billing`` rows (core columns, then ``period``).

    ``sources`` (one request description per row) only sharpens error messages.

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
            "customer_name": typed["customer_name"],
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
    """"YYYYMM" texts (or numbers) as monthly periods; each distinct value parsed once."""
    codes, uniques = pd.factorize(col.strings(values))
    try:
        parsed = pd.to_datetime(pd.Series(uniques, dtype=object), format="%Y%m")
    except ValueError:
        values = values.to_pylist() if isinstance(values, pa.Array) else values
        bad = next(i for i, v in enumerate(values) if v is not None and not (len(str(v)) == 6 and str(v).isdigit()))
        raise col.BadValue(bad, values[bad], "a YYYYMM period") from None
    return parsed.dt.to_period("M").array.take(codes, allow_fill=True)


#: The fields that should be text; when all of them are, Arrow reads them in one pass.
_TEXT = ("invoice_no", "customer_name", "invoice_status", "invoice_date", "due_date", "period")
_ROW_TYPE = pa.struct([(name, pa.large_string()) for name in _TEXT])


def _fast_texts(rows: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    try:
        return dict(zip(_TEXT, pa.array(rows, type=_ROW_TYPE).flatten()))
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None  # a number where text belongs: the field-by-field path converts it


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


def _signature(username: str | None, password: str | None, signature: str | None) -> str:
    if signature:
        return signature
    if username and password:
        return faspay_signature(username, password)
    env = os.environ
    if env.get("FASPAY_USERNAME") and env.get("FASPAY_PASSWORD"):
        return faspay_signature(env["FASPAY_USERNAME"], env["FASPAY_PASSWORD"])
    if env.get("FASPAY_SIGNATURE"):
        return env["FASPAY_SIGNATURE"]
    raise MissingCredentialsError(
        "faspay", "load_faspay", None,
        detail="no credential: pass username and password (or signature), or set FASPAY_USERNAME and "
        "FASPAY_PASSWORD (or FASPAY_SIGNATURE)",
    )


def _codes(statuses: Iterable[int | str] | None) -> list[int]:
    if statuses is None:
        return list(FASPAY_STATUS_CODES)
    by_name = {name: code for code, name in FASPAY_STATUS_CODES.items()}
    codes: list[int] = []
    for status in statuses:
        if isinstance(status, str) and not status.strip().isdigit():
            key = _LABELS.get(" ".join(status.lower().replace("_", " ").split()))
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
    return codes


def _date(value: str | dt.date, name: str) -> dt.date:
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise ValueError(f"faspay: {name} must be a date like '2024-01-31', got {value!r}") from None
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert(JAKARTA)
    return stamp.date()
