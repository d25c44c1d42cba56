"""Faspay Billing: the whole invoice list as one typed DataFrame, one paged ``get-all-billing`` sweep per status,
swept again while its pages shift ("Faspay's pages shift" in :doc:`/guide/real-apis`)."""

from __future__ import annotations

import datetime as dt
import re
import warnings
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import requests

from invoice_analytics._dates import jakarta_date
from invoice_analytics._docs import doc
from invoice_analytics.errors import AuthenticationError, PagingWarning  # noqa: F401 (the first: load_faspay's example)
from invoice_analytics.providers import _columns as col
from invoice_analytics.providers._faspay_client import (
    DEFAULT_END_DAYS_AHEAD,
    DEFAULT_START,
    FASPAY_DEV_URL,
    FASPAY_PATH,
    FASPAY_STATUS_CODES,
    FaspayClient,
    FaspayConnection,
    checked_faspay_page,
    default_window,
    faspay_connection,
    faspay_secrets,
    faspay_signature,
)
from invoice_analytics.providers._http import BACKOFF_FACTOR, MAX_RESPONSE_BYTES, MAX_WAIT
from invoice_analytics.providers._progress import Progress
from invoice_analytics.schema import CORE_COLUMNS, CURRENCY_DTYPE, PROVIDER_DTYPE, empty_frame

__all__ = [
    "DEFAULT_END_DAYS_AHEAD",
    "DEFAULT_START",
    "FASPAY_DEV_URL",
    "FASPAY_PATH",
    "FASPAY_STATUS_CODES",
    "FASPAY_STATUS_LABELS",
    "FaspayClient",
    "FaspayConnection",
    "checked_faspay_page",
    "faspay_connection",
    "faspay_frame",
    "faspay_invoices",
    "faspay_secrets",
    "faspay_signature",
    "load_faspay",
]

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

    One paged sweep of ``get-all-billing`` per status code, side by side; a sweep whose pages shifted during
    the load is run again and the union kept (:doc:`/guide/real-apis`). Any failure raises a typed
    :class:`~invoice_analytics.errors.InvoiceAPIError`, never a partial list.

    Parameters
    ----------
    username, password : str or None, default None
        The account's credentials; the request carries only their :func:`faspay_signature`. Used when
        ``signature`` is not given.
    signature : str or None, default None
        The static signature itself, instead of ``username`` + ``password``. With no credential argument, the
        environment's ``FASPAY_USERNAME`` + ``FASPAY_PASSWORD``, else ``FASPAY_SIGNATURE``, is used. Every
        credential is stripped of surrounding whitespace; one holding a control character or a character
        outside Latin-1 is refused. The signature is put into each request's body only as it is sent.
    start, end : str, datetime.date or None, default None
        Bounds of the invoice period (inclusive dates, read as Asia/Jakarta calendar dates); by default
        2000-01-01 to a year after today, the account's whole history.
    statuses : int, str, Iterable[int or str] or None, default None
        Status codes (0, 1, 2, 3, 4, 5, 7) or shared status names such as "overdue" (Faspay's labels such as
        "Partial Paid" work too), e.g. ``[4]``, ``"overdue"`` (one status) or ``["overdue", "unpaid"]``; None
        sweeps every documented code. An empty list is refused.
    customer_id : str, int or None, default None
        Passed to the API's ``customer_id`` filter.
    due_date : str, datetime.date or None, default None
        Passed to the API's ``due_date`` filter (one date).
    base_url : str, default FASPAY_DEV_URL
        The origin only (``scheme://host[:port]``); the loader appends the documented path. Production must be
        passed here. Plain http is refused unless the host is loopback.
    {loader_session}
    {loader_timeout}
    max_workers : int, default 4
        Page requests in flight at once, over every sweep (pages after the
        first of each sweep are fetched ``max_workers`` at a time).
    {loader_retries}
    max_pages : int or None, default None
        The most page requests the load may send (the re-checks of page 1 included); past it a
        :class:`~invoice_analytics.errors.ResponseError` says so before the pages are asked. None: derived
        from the announced totals, each status at most the pages its page 1 announced times the passes allowed
        (3 rounds of 3 passes), plus a re-check of page 1 each round.
    {loader_limits}

    Returns
    -------
    pandas.DataFrame
        One row per invoice number, in the order the answers came back: the core columns of
        :mod:`invoice_analytics.schema` (``amount`` is always missing, Faspay sends none; ``outstanding`` < 0
        is a credit), then ``period`` (``period[M]``). No invoice gives an empty frame with the same columns
        and dtypes.

    Raises
    ------
    {loader_raises_credentials}
    ValueError
        For a bad argument: ``base_url`` not an origin (or plain http to a host that is not loopback), an
        unknown status or none at all, a ``start``, ``end`` or ``due_date`` that is not a date, ``end`` before
        ``start``, ``max_workers`` < 1, or a limit (``timeout``, ``max_pages``, ``max_wait``,
        ``max_response_bytes``) out of range.
    invoice_analytics.errors.AuthenticationError
        HTTP 401/403, or a failed ``response_code`` naming the signature.
    {loader_raises_http}
    invoice_analytics.errors.ResponseError
        Any other failure: ``response_code`` not "00", a redirect (never followed), malformed or too deeply
        nested JSON, an answer larger than ``max_response_bytes``, missing keys, ``total_pages`` that does not
        fit ``total_data``, more pages than ``max_pages``, or a value that does not fit its column.

    Warns
    -----
    invoice_analytics.errors.PagingWarning
        When a status's final count differs from its announced ``total_data``, or it was still changing after
        the last sweep.
    {loader_warns_status}

    See Also
    --------
    load_mayar : The Mayar loader.
    load_invoices : Load every configured provider, or the emulator.

    Examples
    --------
    >>> from invoice_analytics.emulator import Emulator  # doctest: +SKIP
    >>> with Emulator() as emu:  # doctest: +SKIP
    ...     overdue = load_faspay(**emu.faspay_kwargs, statuses=["overdue"], progress=False)
    >>> len(overdue), overdue["provider_status"].unique().tolist()  # doctest: +SKIP
    (158, ['Overdue'])
    """
    conn = faspay_connection(username=username, password=password, signature=signature, base_url=base_url,
                             timeout=timeout, max_workers=max_workers, max_retries=max_retries,
                             backoff_factor=backoff_factor, max_pages=max_pages, max_wait=max_wait,
                             max_response_bytes=max_response_bytes)
    del password, signature  # no local of a failed load's traceback holds a credential
    _filters(statuses, start, end, due_date)  # checked before a session exists
    with FaspayClient(conn, session) as client:
        return faspay_invoices(client, statuses=statuses, start=start, end=end, customer_id=customer_id,
                               due_date=due_date, progress=progress, stacklevel=3)


def faspay_invoices(client: FaspayClient, *, statuses: int | str | Iterable[int | str] | None = None,
                    start: str | dt.date | None = None, end: str | dt.date | None = None,
                    customer_id: str | int | None = None, due_date: str | dt.date | None = None,
                    progress: bool | None = False, stacklevel: int = 2) -> pd.DataFrame:
    """The typed frame of the whole list through ``client``'s page loop, filters checked as the loader does:
    :func:`load_faspay`'s body and the history store's whole load (``stacklevel`` places its warnings)."""
    codes, start_d, end_d, due = _filters(statuses, start, end, due_date, client.window())
    bar = Progress("faspay", progress)
    try:
        sweep = client.sweep(codes, start=start_d, end=end_d, customer_id=customer_id, due_date=due, progress=bar)
    finally:
        bar.close()
    for message in sweep.count_warnings():
        warnings.warn(f"faspay: {message}", PagingWarning, stacklevel=stacklevel)
    kept = sweep.ordered()
    return faspay_frame([k.row for k in kept], sources=[k.request for k in kept])


def _filters(statuses: int | str | Iterable[int | str] | None, start: str | dt.date | None,
             end: str | dt.date | None, due_date: str | dt.date | None,
             window: tuple[dt.date, dt.date] | None = None) -> tuple[list[int], dt.date, dt.date, dt.date | None]:
    """The checked status codes, window (``window``'s bounds, else the loader's, for those not given), due date."""
    codes = _codes(statuses)
    start_d, end_d = window if window is not None else default_window()
    start_d = _date(start, "start") if start is not None else start_d
    end_d = _date(end, "end") if end is not None else end_d
    if end_d < start_d:
        raise ValueError(f"faspay: end ({end_d}) is before start ({start_d})")
    return codes, start_d, end_d, _date(due_date, "due_date") if due_date is not None else None


def faspay_frame(rows: Sequence[dict[str, Any]], *, sources: Sequence[str] | None = None) -> pd.DataFrame:
    """The typed frame of raw ``get-all-billing`` rows (core columns, then ``period``); ``sources`` (a request
    label per row) names the request in a ResponseError.

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
    """"YYYYMM" texts (or numbers) as monthly periods, each distinct value read once; anything else ("202613",
    "2026-01") is a :class:`~._columns.BadValue`."""
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
