"""Property tests of the frame builders: whatever JSON a page holds, a typed frame or a ResponseError.

Random rows (every field a random JSON-ish value: None, booleans, integers of
any size, floats with NaN and infinities, text with lone surrogates and
control characters, lists and objects, or a value of the field's own kind)
go into ``faspay_frame`` and ``mayar_frame``. The only exception allowed out
is a :class:`~invoice_analytics.ResponseError`; a frame that comes back has
the schema's columns and dtypes, one row per input row, and the values that
were sent exactly (integers, ids, raw statuses).

In CI (``CI`` set) the examples are derandomised, so a run is repeatable;
elsewhere each run explores new ones.
"""

from __future__ import annotations

import datetime as dt
import os
import warnings
from typing import Any
from unittest import mock

import pandas as pd
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from invoice_analytics import CORE_SCHEMA, ResponseError
from invoice_analytics.providers import _columns as col
from invoice_analytics.providers.faspay import faspay_frame
from invoice_analytics.providers.mayar import EXTRA_SCHEMA, mayar_frame

SETTINGS = settings(
    max_examples=120,  # a one-off run of 6,000 per builder passed; 120 keeps the suite quick
    deadline=None,  # no timed assertions
    database=None,  # nothing written to the work tree
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.too_slow],
)

ODD_TEXTS = ["", " ", "\x00", "\t\n", "\ud800", "a\udfffb", "\u202e", "Cafe\u0301", "١٢", "NaT", "nan", "None",
             "12.5", "12.00", "-0", "1e3", "99999999999999999999", "202613", "2026-01", "abcdef",
             "2026-01-01 00:00:00", "0000-00-00 00:00:00", "2026-01-01T00:00:00+07:00", "Active ", "ACTIVE", "Paid"]

texts = st.one_of(st.text(st.characters(), max_size=12), st.sampled_from(ODD_TEXTS))
leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),  # unbounded: past int64 too
    st.sampled_from([2**63 - 1, 2**63, -(2**63), -(2**63) - 1, 2**53 + 1, 0]),
    st.floats(allow_nan=True, allow_infinity=True),
    texts,
)
json_values = st.recursive(
    leaves,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(texts, children, max_size=3),
    max_leaves=6,
)


def datetimes_as_text(fmt: str) -> st.SearchStrategy[str]:
    """Dates around the plausible range (2000 to 2100), now and then far from it."""
    near = st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2110, 12, 31))
    far = st.datetimes(min_value=dt.datetime(1000, 1, 1), max_value=dt.datetime(9999, 12, 31))
    return st.one_of(near, near, far).map(lambda d: d.strftime(fmt))


FASPAY_FIELDS = {
    "invoice_no": st.text(min_size=1, max_size=8),
    "customer_id": st.integers(0, 10**6) | st.text(max_size=6),
    "customer_name": texts,
    "invoice_date": datetimes_as_text("%Y-%m-%d %H:%M:%S"),
    "due_date": datetimes_as_text("%Y-%m-%d %H:%M:%S") | st.just("") | datetimes_as_text("%Y-%m-%dT%H:%M:%S+09:00"),
    "invoice_status": st.sampled_from(["Paid", "Unpaid", " overdue ", "Partial_Paid", "Refunded"]),
    "outstanding_amount": st.integers(-(10**9), 10**9) | st.integers(-(10**9), 10**9).map(str),
    "period": st.integers(1990, 2110).flatmap(lambda y: st.integers(0, 13).map(lambda m: f"{y:04d}{m:02d}")),
}
MAYAR_FIELDS = {
    "id": st.uuids().map(str),
    "amount": st.integers(0, 10**9),
    "createdAt": st.integers(0, 5 * 10**12) | st.integers(0, 5 * 10**12).map(str),
    "status": st.sampled_from(["active", "Active ", "PAID", "closed", "expired"]),
    "customerId": st.text(max_size=6),
    "name": texts,
    "description": texts,
    "category": texts,
    "link": texts,
    "type": st.sampled_from(["invoice", "INVOICE", "payment"]),
    "redirectUrl": texts,
    "customer": st.fixed_dictionaries({}, optional={"name": texts, "email": texts, "mobile": texts}),
    "transactions": st.lists(st.fixed_dictionaries({}, optional={
        "status": st.sampled_from(["paid", "created", "failed"]), "id": json_values}), max_size=3),
}


def rows_of(fields: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[list[dict[str, Any]]]:
    """Rows with any of the fields (each may be absent) and a few extra keys of any characters.

    A row is clean (every field of its own kind) or messy (any field may be any JSON value, nested
    values too), so that both frames and errors come up often.
    """
    messy = {name: st.one_of(own, json_values) for name, own in fields.items()}
    messy["customer"] = st.one_of(json_values, st.fixed_dictionaries(
        {}, optional={name: st.one_of(texts, json_values) for name in ("name", "email", "mobile")}))
    extra = st.dictionaries(texts, json_values, max_size=2)
    row = st.tuples(st.fixed_dictionaries({}, optional=fields) | st.fixed_dictionaries({}, optional=messy), extra)
    return st.lists(row.map(lambda parts: {**parts[1], **parts[0]}), max_size=6)


def check_frame(df: pd.DataFrame, rows: list[dict[str, Any]], extra: dict[str, Any]) -> None:
    assert len(df) == len(rows)
    assert list(df.columns) == [*CORE_SCHEMA, *extra]
    for name, dtype in {**CORE_SCHEMA, **extra}.items():
        if name == "type":  # Mayar's type: "invoice" first, other values sent widen the categories
            assert isinstance(df[name].dtype, pd.CategoricalDtype) and df[name].cat.categories[0] == "invoice"
        else:
            assert df[name].dtype == dtype, (name, df[name].dtype)


def build(builder: Any, rows: list[dict[str, Any]], chunk_rows: int) -> pd.DataFrame | None:
    """The frame, or None for a ResponseError (any other exception fails the test)."""
    with mock.patch.object(col, "CHUNK_ROWS", chunk_rows), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # UnknownStatusWarning for the random statuses
        try:
            return builder(rows)
        except ResponseError:
            return None


@SETTINGS
@given(rows=rows_of(FASPAY_FIELDS), chunk_rows=st.sampled_from([2, col.CHUNK_ROWS]))
def test_faspay_frame_gives_a_typed_frame_or_a_response_error(rows, chunk_rows):
    df = build(faspay_frame, rows, chunk_rows)
    event("frame" if df is not None else "ResponseError")
    if df is None:
        return
    check_frame(df, rows, {"period": pd.PeriodDtype("M")})
    for i, row in enumerate(rows):
        sent = row.get("outstanding_amount")
        if type(sent) is int:
            assert df["outstanding"].iloc[i] == sent
        if type(row.get("invoice_no")) is str:
            assert df["invoice_id"].iloc[i] == row["invoice_no"]
        if type(row.get("invoice_status")) is str:
            assert df["provider_status"].iloc[i] == row["invoice_status"]


@SETTINGS
@given(rows=rows_of(MAYAR_FIELDS), chunk_rows=st.sampled_from([2, col.CHUNK_ROWS]))
def test_mayar_frame_gives_a_typed_frame_or_a_response_error(rows, chunk_rows):
    df = build(mayar_frame, rows, chunk_rows)
    event("frame" if df is not None else "ResponseError")
    if df is None:
        return
    check_frame(df, rows, EXTRA_SCHEMA)
    for i, row in enumerate(rows):
        sent = row.get("amount")
        if type(sent) is int:
            assert df["amount"].iloc[i] == sent
            active = type(row.get("status")) is str and col.fold_status(row["status"]) == "active"
            assert df["outstanding"].iloc[i] == (sent if active else 0)
        if type(row.get("createdAt")) is int:
            assert df["issued_at"].iloc[i] == pd.Timestamp(row["createdAt"], unit="ms", tz="UTC")
