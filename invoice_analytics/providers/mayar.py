"""Mayar: the whole invoice list as one typed DataFrame, through ``GET /hl/v2/invoices``' ``createdAt`` cursor
("Mayar's cursor is a millisecond" in :doc:`/guide/real-apis`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import requests

from invoice_analytics._docs import doc
from invoice_analytics.providers import _columns as col
from invoice_analytics.providers._http import BACKOFF_FACTOR, MAX_RESPONSE_BYTES, MAX_WAIT
from invoice_analytics.providers._mayar_client import (
    MAYAR_MAX_PAGES,
    MAYAR_PAGE_SIZE,
    MAYAR_PATH,
    MAYAR_PRODUCTION_URL,
    MAYAR_SANDBOX_URL,
    MayarClient,
    MayarConnection,
    checked_mayar_page,
    mayar_connection,
    mayar_origin,
    mayar_pages,
)
from invoice_analytics.providers._pacing import MinuteRateLimiter
from invoice_analytics.providers._paging import MayarCursor
from invoice_analytics.providers._progress import Progress
from invoice_analytics.schema import (
    CORE_COLUMNS,
    CURRENCY_DTYPE,
    DATETIME_DTYPE,
    MONEY_DTYPE,
    PROVIDER_DTYPE,
    STATUS_DTYPE,
    STRING_DTYPE,
    empty_frame,
)

__all__ = [
    "EXTRA_SCHEMA",
    "MAYAR_MAX_PAGES",
    "MAYAR_PAGE_SIZE",
    "MAYAR_PATH",
    "MAYAR_PRODUCTION_URL",
    "MAYAR_SANDBOX_URL",
    "MayarClient",
    "MayarConnection",
    "checked_mayar_page",
    "load_mayar",
    "mayar_connection",
    "mayar_frame",
    "mayar_invoices",
    "mayar_origin",
    "mayar_pages",
]

#: Mayar status -> shared status.
_STATUSES = {"active": "unpaid", "paid": "paid", "closed": "cancelled"}

#: Mayar's extra fields, in the order they follow the core columns.
EXTRA_SCHEMA: dict[str, object] = {
    "name": STRING_DTYPE,
    "description": STRING_DTYPE,
    "category": STRING_DTYPE,
    "link": STRING_DTYPE,
    "type": pd.CategoricalDtype(["invoice"]),
    "redirect_url": STRING_DTYPE,
    "customer_email": STRING_DTYPE,
    "customer_mobile": STRING_DTYPE,
    "transaction_count": MONEY_DTYPE,
    "paid_transaction_count": MONEY_DTYPE,
    "last_transaction_status": STRING_DTYPE,
}


@doc()
def load_mayar(
    *,
    api_key: str | None = None,
    status: str | None = None,
    search: str | None = None,
    base_url: str = MAYAR_PRODUCTION_URL,
    session: requests.Session | None = None,
    timeout: float = 30,
    rate_limit_per_minute: int | None = 20,
    max_retries: int = 5,
    backoff_factor: float = BACKOFF_FACTOR,
    max_pages: int | None = None,
    max_wait: float = MAX_WAIT,
    max_response_bytes: int = MAX_RESPONSE_BYTES,
    progress: bool | None = None,
) -> pd.DataFrame:
    """Load every Mayar invoice of the account as a typed DataFrame.

    Pages of 50 through the ``startingAfter`` cursor until ``hasMore`` is false, one request at a time; the
    cursor asks ``createdAt + 1`` ms (invoices seen twice dropped by id) and must go down, so paging ends
    (:doc:`/guide/real-apis`). Any failure raises a typed :class:`~invoice_analytics.errors.InvoiceAPIError`,
    never a partial list.

    Parameters
    ----------
    api_key : str or None, default None
        The account's API key (sent as a Bearer token, added to each request only as it is sent); None (or
        empty) reads the environment's ``MAYAR_API_KEY``. Surrounding whitespace is stripped (a trailing
        newline works); a key holding a control character or a character outside Latin-1 is refused.
    status : str or None, default None
        Passed to the API's status filter: "active", "paid" or "closed".
    search : str or None, default None
        Passed to the API's search filter.
    base_url : str, default MAYAR_PRODUCTION_URL
        The origin: :data:`MAYAR_PRODUCTION_URL` (default), :data:`MAYAR_SANDBOX_URL`, the shorthands
        "production"/"sandbox", or another ``scheme://host[:port]`` (plain http only on loopback).
    {loader_session}
    {loader_timeout}
    rate_limit_per_minute : int or None, default 20
        Requests are paced to at most this many in any sliding minute (Mayar allows 20 a minute); None: no
        pacing. A 429 still waits out its ``Retry-After``.
    {loader_retries}
    max_pages : int or None, default None
        The most pages the load asks; when ``hasMore`` is still true past
        them, a :class:`~invoice_analytics.errors.ResponseError` says so.
        None: :data:`MAYAR_MAX_PAGES` (20,000 pages, 1,000,000 invoices).
    {loader_limits}

    Returns
    -------
    pandas.DataFrame
        One row per invoice id, newest ``createdAt`` first (ties by id, descending): the core columns of
        :mod:`invoice_analytics.schema` (``due_at`` is always missing, Mayar has no due date; ``outstanding``
        is ``amount`` while the status is "active", else 0), then Mayar's own columns (:data:`EXTRA_SCHEMA`:
        ``name``, ``description``, ``category``, ``link``, ``type``, ``redirect_url``, ``customer_email``,
        ``customer_mobile``, ``transaction_count``, ``paid_transaction_count``, ``last_transaction_status``).
        No invoice gives an empty frame with the same columns and dtypes.

    Raises
    ------
    {loader_raises_credentials}
    ValueError
        When ``base_url`` is not an origin (or is plain http to a host that is not loopback),
        ``rate_limit_per_minute`` is not a positive integer or None, or a limit (``timeout``, ``max_pages``,
        ``max_wait``, ``max_response_bytes``) is out of range.
    invoice_analytics.errors.AuthenticationError
        HTTP 401 or 403.
    {loader_raises_http}
    invoice_analytics.errors.ResponseError
        Any other failure: ``"messages": "failed"`` or a ``statusCode`` other than 200/201, a redirect (never
        followed), malformed or too deeply nested JSON, an answer larger than ``max_response_bytes``, missing
        ``data``/``hasMore``, a row without ``id``, a value that does not fit its column, a cursor that does
        not go down, or more pages than ``max_pages``.

    Warns
    -----
    invoice_analytics.errors.PagingWarning
        When a whole page shares one ``createdAt`` millisecond (invoices past it may be missing).
    invoice_analytics.errors.UnknownStatusWarning
        When a status is not "active", "paid" or "closed" (its ``status`` is left missing).

    See Also
    --------
    load_faspay : The Faspay Billing loader.
    load_invoices : Load every configured provider, or the emulator.

    Examples
    --------
    >>> from invoice_analytics.emulator import Emulator  # doctest: +SKIP
    >>> with Emulator(mayar_rate_limit_per_minute=None) as emu:  # doctest: +SKIP
    ...     df = load_mayar(**emu.mayar_kwargs, rate_limit_per_minute=None, progress=False)
    >>> df["status"].value_counts()[["unpaid", "paid", "cancelled"]].tolist()  # doctest: +SKIP
    [613, 1490, 397]
    """
    client = MayarClient(mayar_connection(api_key=api_key, base_url=base_url, timeout=timeout,
                                          rate_limit_per_minute=rate_limit_per_minute, max_retries=max_retries,
                                          backoff_factor=backoff_factor, max_pages=max_pages, max_wait=max_wait,
                                          max_response_bytes=max_response_bytes), session)
    del api_key  # no local of a failed load's traceback holds the key: it travels in a Secret
    with client:
        return mayar_invoices(client, status=status, search=search, rate_limit_per_minute=rate_limit_per_minute,
                              progress=progress, stacklevel=4)


def mayar_invoices(client: MayarClient, *, status: str | None = None, search: str | None = None,
                   rate_limit_per_minute: int | None = None, progress: bool | None = False,
                   stacklevel: int = 2) -> pd.DataFrame:
    """The typed frame of the whole list through ``client``'s page loop, paced to ``rate_limit_per_minute``
    (None: not here): :func:`load_mayar`'s body and the history store's whole load."""
    bar = Progress("mayar", progress)
    limiter = MinuteRateLimiter(rate_limit_per_minute, on_wait=bar.waiting)
    cursor = MayarCursor()
    try:
        for _data, _more in client.pages(status=status, search=search, cursor=cursor, before=limiter.wait,
                                         stacklevel=stacklevel + 1):
            bar.step(f"{len(cursor.rows)} invoices")  # after the page is taken: the last count is the load's
    finally:
        bar.close()
    ordered = cursor.ordered()
    return mayar_frame(ordered, sources=[cursor.sources[row["id"]] for row in ordered])


def mayar_frame(rows: Sequence[dict[str, Any]], *, sources: Sequence[str] | None = None) -> pd.DataFrame:
    """The typed frame of raw ``/hl/v2/invoices`` rows; ``sources`` (a request label per row) names the request
    in a ResponseError. The folded status gives ``status`` and ``outstanding`` (the amount while active, else 0).

    >>> df = mayar_frame([{"id": "6f8c", "amount": 110000, "createdAt": 1768375011056, "status": "active",
    ...     "customerId": "21d8", "customer": {"name": "Budi Santoso"}, "transactions": []}])
    >>> df.loc[0, "status"], int(df.loc[0, "amount"]), int(df.loc[0, "outstanding"])
    ('unpaid', 110000, 110000)
    """
    if not rows:
        return empty_frame(EXTRA_SCHEMA)
    frame = pd.DataFrame(col.in_chunks(_mayar_columns, rows, sources, "mayar"), copy=False)
    assert tuple(frame.columns[: len(CORE_COLUMNS)]) == CORE_COLUMNS
    return frame


def _mayar_columns(rows: Sequence[dict[str, Any]], sources: Sequence[str] | None) -> dict[str, Any]:
    """The typed columns of some rows."""
    typed = col.field_converter("mayar", "id", f"GET {MAYAR_PATH}", rows, sources)

    n = len(rows)
    text, tx_count, tx_paid, tx_last = _fast_texts(rows) or _texts(rows, typed)
    raw_status = text["status"]
    # One folded status drives both columns: status, and outstanding (the amount while unpaid, i.e. "active").
    status = col.statuses(raw_status, _STATUSES, "mayar")
    amount = typed("amount", col.money, [row.get("amount") for row in rows])
    outstanding = amount.copy()
    outstanding[np.asarray(status.codes) != _UNPAID] = 0
    return {
            "provider": col.constant_category("mayar", n, PROVIDER_DTYPE),
            "invoice_id": text["id"],
            "customer_id": text["customerId"],
            "customer_name": col.nfc_strings(text["customer.name"]),
            "status": status,
            "provider_status": raw_status,
            "issued_at": typed("createdAt", col.epoch_ms_datetimes, [row.get("createdAt") for row in rows]),
            "due_at": pd.array([None] * n, dtype=DATETIME_DTYPE),
            "amount": amount,
            "outstanding": outstanding,
            "currency": col.constant_category("IDR", n, CURRENCY_DTYPE),
            "name": text["name"],
            "description": text["description"],
            "category": text["category"],
            "link": text["link"],
            "type": pd.Categorical(text["type"], dtype=_type_dtype(text["type"])),
            "redirect_url": text["redirectUrl"],
            "customer_email": text["customer.email"],
            "customer_mobile": text["customer.mobile"],
            "transaction_count": pd.array(tx_count, dtype=MONEY_DTYPE),
            "paid_transaction_count": pd.array(tx_paid, dtype=MONEY_DTYPE),
            "last_transaction_status": tx_last,
    }


#: The code of the shared status "unpaid" (Mayar's "active", the only status with an outstanding amount).
_UNPAID = list(STATUS_DTYPE.categories).index("unpaid")
_TOP_TEXT = ("id", "customerId", "status", "name", "description", "category", "link", "type", "redirectUrl")
_CUSTOMER_TEXT = ("name", "email", "mobile")
_ROW_TYPE = pa.struct(
    [(name, pa.large_string()) for name in _TOP_TEXT]  # pandas' Arrow strings are large_string: no copy
    + [("customer", pa.struct([(name, pa.large_string()) for name in _CUSTOMER_TEXT])),
       ("transactions", pa.list_(pa.struct([("status", pa.large_string())])))]
)
_Texts = tuple[dict[str, Any], np.ndarray, np.ndarray, Any]


def _fast_texts(rows: Sequence[dict[str, Any]]) -> _Texts | None:
    """Every text field and the transaction summary in one Arrow pass (None if a value is not text)."""
    try:
        table = pa.array(rows, type=_ROW_TYPE)
    except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeEncodeError):
        return None
    top = dict(zip(_ROW_TYPE.names, table.flatten(), strict=True))
    text = {name: pd.array(top[name], dtype=STRING_DTYPE) for name in _TOP_TEXT}
    for name, child in zip(_CUSTOMER_TEXT, top["customer"].flatten(), strict=True):
        text[f"customer.{name}"] = pd.array(child, dtype=STRING_DTYPE)
    tx = top["transactions"]
    offsets = tx.offsets.to_numpy()
    count = np.diff(offsets)  # a null list has equal offsets: 0 transactions
    statuses = pc.list_flatten(tx).flatten()[0]
    parents = pc.list_parent_indices(tx).to_numpy()
    paid = np.bincount(parents[pc.fill_null(pc.equal(statuses, "paid"), False).to_numpy(zero_copy_only=False)],
                       minlength=len(rows))
    last_index = pa.array(np.where(count > 0, offsets[1:] - 1 - offsets[0], 0), mask=count == 0)
    last = pd.array(statuses.take(last_index), dtype=STRING_DTYPE)
    return text, count, paid, last


def _texts(rows: Sequence[dict[str, Any]], typed: Callable[..., Any]) -> _Texts:
    """The same, field by field, for values drifting from text (numbers become text; wrong shapes are bad values)."""
    customers: list[dict[str, Any]] = typed("customer", _objects, [row.get("customer") for row in rows])
    text = {name: typed(name, col.strings, [row.get(name) for row in rows]) for name in _TOP_TEXT}
    for name in _CUSTOMER_TEXT:
        text[f"customer.{name}"] = typed(f"customer.{name}", col.strings, [c.get(name) for c in customers])
    transactions: list[list[Any]] = typed("transactions", _lists_of_objects, [row.get("transactions") for row in rows])
    tx_status = [[t.get("status") if t is not None else None for t in tx] for tx in transactions]
    count = np.array([len(tx) for tx in transactions], dtype=np.int64)
    paid = np.array([sum(s == "paid" for s in st) for st in tx_status], dtype=np.int64)
    last = typed("transactions.status", col.strings, [st[-1] if st else None for st in tx_status])
    return text, count, paid, last


def _objects(values: Sequence[Any]) -> list[dict[str, Any]]:
    """Objects as they are, null as an empty object; anything else is a bad value."""
    for i, v in enumerate(values):
        if v is not None and not isinstance(v, dict):
            raise col.BadValue(i, v, "an object")
    return [v if v is not None else {} for v in values]


def _lists_of_objects(values: Sequence[Any]) -> list[list[Any]]:
    """Lists of objects (or nulls) as they are, null as an empty list; anything else is a bad value."""
    for i, v in enumerate(values):
        if v is not None and not (isinstance(v, list) and all(t is None or isinstance(t, dict) for t in v)):
            raise col.BadValue(i, v, "a list of objects")
    return [v if v is not None else [] for v in values]


def _type_dtype(values: pd.api.extensions.ExtensionArray) -> pd.CategoricalDtype:
    """``type`` is always "invoice" on this endpoint; other values widen the categories."""
    extra = sorted({str(v) for v in pd.unique(pd.Series(values).dropna()) if v != "invoice"})
    return pd.CategoricalDtype(["invoice", *extra])
