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
from typing import Any

import pandas as pd
import requests

from invoice_analytics import _columns as col
from invoice_analytics._http import Caller, Progress, check_origin, log, make_session
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
    caller = Caller("faspay", http, timeout=timeout, secrets=[username, password, signature])
    sweeper = _Sweeper(caller, url, body, max_workers, Progress("faspay", progress))
    try:
        for code in codes:
            sweeper.sweep(code)
    finally:
        sweeper.progress.close()
        if own_session:
            http.close()
    rows = sorted(sweeper.kept.values(), key=lambda kept: kept[0])
    return faspay_frame([row for _, row, _ in rows], sources=[source for _, _, source in rows])


class _Sweeper:
    """Collects one load's rows: invoice_no -> (arrival order, row, request)."""

    def __init__(self, caller: Caller, url: str, body: dict[str, Any], workers: int, progress: Progress) -> None:
        self.caller = caller
        self.url = url
        self.body = body
        self.workers = workers
        self.progress = progress
        self.kept: dict[str, tuple[int, dict[str, Any], str]] = {}
        self._arrivals = 0
        self._lock = threading.Lock()

    def sweep(self, code: int) -> None:
        """Every page of one status code, again while the pages were shifting."""
        seen: dict[str, tuple[int, dict[str, Any], str]] = {}
        for attempt in range(1, MAX_PASSES + 1):
            pages = self._pass(code)
            totals = {total for _, total, _ in pages}
            got = [row for rows, _, _ in pages for row in rows]
            for kept in got:  # arrival order: a later answer replaces an earlier copy
                invoice_no = kept[1]["invoice_no"]
                if invoice_no not in seen or seen[invoice_no][0] < kept[0]:
                    seen[invoice_no] = kept
            total = pages[-1][1]
            ids = {row["invoice_no"] for _, row, _ in got}
            if len(totals) == 1 and len(got) == len(ids) == total:
                break
            log.info("faspay: status %s shifted during pass %d (totals %s, %d rows, %d unique); sweeping again",
                     code, attempt, sorted(totals), len(got), len(ids))
        if len(seen) != total:
            warnings.warn(
                f"faspay: status {code} ({FASPAY_STATUS_CODES[code]}): got {len(seen)} distinct invoices but the "
                f"server announced total_data={total}; invoices were created or changed status during the load",
                PagingWarning,
                stacklevel=3,
            )
        with self._lock:
            for invoice_no, kept in seen.items():
                if invoice_no not in self.kept or self.kept[invoice_no][0] < kept[0]:
                    self.kept[invoice_no] = kept

    def _pass(self, code: int) -> list[tuple[list[tuple[int, dict[str, Any], str]], int, int]]:
        first = self._page(code, 1)
        total_pages = first[2]
        self.progress.add_total(total_pages if total_pages > 0 else 1)
        rest = range(2, total_pages + 1)
        if not rest:
            return [first]
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            futures = [pool.submit(self._page, code, page) for page in rest]
            try:
                return [first] + [future.result() for future in futures]
            except BaseException:
                for future in futures:
                    future.cancel()
                raise

    def _page(self, code: int, page: int) -> tuple[list[tuple[int, dict[str, Any], str]], int, int]:
        """One page: (rows with arrival order and request, total_data, total_pages)."""
        request = f"GET {FASPAY_PATH} status={code} ({FASPAY_STATUS_CODES[code]}) page={page}"
        payload = self.caller.get_json(self.url, request, json={**self.body, "status": str(code), "page": page})
        with self._lock:
            self._arrivals += 1
            arrival = self._arrivals
        self.progress.step(f"status {code} page {page}")
        message = payload.get("message")
        if "response_code" in payload and str(payload["response_code"]) != "00":
            words = str(message) if message is not None else f"response_code {payload['response_code']}"
            cls = AuthenticationError if _is_auth_failure(words) else ResponseError
            raise self.caller.error(cls, request, words, detail=f"response_code {payload['response_code']}")
        missing = [key for key in _REQUIRED_KEYS if key not in payload]
        if missing:
            raise self.caller.error(ResponseError, request, _words(message), detail=f"missing key(s) {missing}")
        data = payload["data"]
        if not isinstance(data, list) or not all(isinstance(row, dict) for row in data):
            raise self.caller.error(ResponseError, request, _words(message), detail="'data' is not a list of objects")
        for row in data:
            if not isinstance(row.get("invoice_no"), (str, int)) or row.get("invoice_no") == "":
                raise self.caller.error(ResponseError, request, _words(message),
                                        detail=f"a row has no invoice_no: {sorted(row)}")
            row["invoice_no"] = str(row["invoice_no"])
        try:
            total_pages = int(payload["total_pages"])
            total_data = int(payload["total_data"])
        except (TypeError, ValueError):
            raise self.caller.error(
                ResponseError, request, _words(message),
                detail=f"total_pages/total_data not numbers: {payload['total_pages']!r}/{payload['total_data']!r}",
            ) from None
        return [(arrival, row, request) for row in data], total_data, total_pages


def _words(message: Any) -> str | None:
    return None if message is None else str(message)


def _is_auth_failure(message: str) -> bool:
    lowered = message.lower()
    return any(word in lowered for word in ("signature", "unauthori", "credential", "forbidden"))


def faspay_frame(rows: Sequence[dict[str, Any]], *, sources: Sequence[str] | None = None) -> pd.DataFrame:
    """The typed frame of raw ``get-all-billing`` rows (core columns, then ``period``).

    ``sources`` (one request description per row) only sharpens error messages.

    >>> df = faspay_frame([{"customer_id": 32, "customer_name": "PT. Media", "invoice_date": "2023-02-07 00:00:00",
    ...     "invoice_no": "INV-FPY-022300178", "due_date": "2023-02-08 10:04:00", "invoice_status": "Paid",
    ...     "outstanding_amount": -400800, "period": "202302"}])
    >>> df.loc[0, ["status", "outstanding", "period"]].tolist()
    ['paid', -400800, Period('2023-02', 'M')]
    """
    if not rows:
        return empty_frame({"period": pd.PeriodDtype("M")})
    fields = {key: [row.get(key) for row in rows] for key in _FIELDS}
    try:
        typed = {key: convert(fields[key]) for key, convert in _FIELDS.items()}
    except _FieldError as exc:
        row = rows[exc.bad.index]
        source = sources[exc.bad.index] if sources is not None else f"GET {FASPAY_PATH}"
        raise ResponseError(
            "faspay", source, None,
            detail=f"invoice {row.get('invoice_no')!r}: field {exc.field!r}: {exc.bad}",
        ) from None
    n = len(rows)
    raw_status = typed["invoice_status"]
    frame = pd.DataFrame(
        {
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
        },
        copy=False,
    )
    assert tuple(frame.columns[: len(CORE_COLUMNS)]) == CORE_COLUMNS
    return frame


class _FieldError(Exception):
    def __init__(self, field: str, bad: col.BadValue) -> None:
        self.field = field
        self.bad = bad


def _field(name: str, convert):
    def run(values):
        try:
            return convert(values)
        except col.BadValue as bad:
            raise _FieldError(name, bad) from None

    return run


def _periods(values: Sequence[Any]) -> pd.arrays.PeriodArray:
    text = col.strings(values)
    try:
        parsed = pd.to_datetime(pd.Series(text), format="%Y%m")
    except ValueError:
        bad = next(i for i, v in enumerate(text) if v is not pd.NA and not (len(v) == 6 and v.isdigit()))
        raise col.BadValue(bad, values[bad], "a YYYYMM period") from None
    return parsed.dt.to_period("M").array


_FIELDS = {
    "invoice_no": _field("invoice_no", col.strings),
    "customer_id": _field("customer_id", col.strings),
    "customer_name": _field("customer_name", col.strings),
    "invoice_status": _field("invoice_status", col.strings),
    "invoice_date": _field("invoice_date", col.wib_datetimes),
    "due_date": _field("due_date", col.wib_datetimes),
    "outstanding_amount": _field("outstanding_amount", col.money),
    "period": _field("period", _periods),
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
