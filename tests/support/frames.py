"""Small core-schema frames for the analytics tests, built row by row."""

from __future__ import annotations

from typing import Any

import pandas as pd

from invoice_analytics.schema import CORE_SCHEMA, DATETIME_DTYPE, JAKARTA

_DEFAULTS: dict[str, Any] = {
    "provider": "faspay",
    "customer_id": "C1",
    "customer_name": "Ani",
    "status": "unpaid",
    "provider_status": None,
    "issued_at": "2024-01-01",
    "due_at": None,
    "amount": None,
    "outstanding": 0,
    "currency": "IDR",
}


def _datetimes(values: list[Any]) -> pd.Series:
    """Strings/Timestamps -> ``datetime64[us, Asia/Jakarta]``; naive = Jakarta wall time."""
    out = []
    for v in values:
        if v is None or v is pd.NaT:
            out.append(pd.NaT)
            continue
        ts = pd.Timestamp(v)
        out.append(ts.tz_localize(JAKARTA) if ts.tzinfo is None else ts.tz_convert(JAKARTA))
    return pd.Series(pd.DatetimeIndex(out, tz=JAKARTA)).astype(DATETIME_DTYPE)


def frame(*rows: dict[str, Any], **defaults: Any) -> pd.DataFrame:
    """A frame in the core schema (``CORE_SCHEMA`` dtypes): one dict per row,
    missing keys from ``defaults`` then from a Faspay-like unpaid invoice.
    ``invoice_id`` defaults to ``"INV-<n>"``.

    >>> df = frame({"outstanding": 5}, {"status": None, "due_at": "2024-02-01 23:00"})
    >>> df["invoice_id"].tolist(), str(df["due_at"].dtype), df["status"].isna().tolist()
    (['INV-0', 'INV-1'], 'datetime64[us, Asia/Jakarta]', [False, True])
    """
    base = {**_DEFAULTS, **defaults}
    records = [{"invoice_id": f"INV-{i}", **base, **row} for i, row in enumerate(rows)]
    columns: dict[str, Any] = {}
    for name, dtype in CORE_SCHEMA.items():
        values = [r[name] for r in records]
        if dtype == DATETIME_DTYPE:
            columns[name] = _datetimes(values)
        else:
            columns[name] = pd.Series(pd.array(values, dtype=dtype) if values else [], dtype=dtype)
    return pd.DataFrame(columns)


def faspay(*rows: dict[str, Any], **defaults: Any) -> pd.DataFrame:
    """Faspay-like rows: a due date, no amount."""
    return frame(*rows, **{"provider": "faspay", "due_at": "2024-01-31", **defaults})


def mayar(*rows: dict[str, Any], **defaults: Any) -> pd.DataFrame:
    """Mayar-like rows: no due date, an amount; outstanding = amount while unpaid, else 0."""
    out = []
    for i, row in enumerate(rows):
        row = {"provider": "mayar", "due_at": None, "invoice_id": f"MYR-{i}", **defaults, **row}
        row.setdefault("amount", 100_000)
        row.setdefault("outstanding", row["amount"] if row.get("status", "unpaid") == "unpaid" else 0)
        out.append(row)
    return frame(*out)
