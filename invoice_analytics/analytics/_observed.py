"""What the history analytics share: the store they read, dates as day ends, the states of a version (private).

They only read a :class:`HistoryLike`; the conventions are :doc:`/guide/history-analytics`'s.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

import numpy as np
import pandas as pd

from invoice_analytics._dates import day_numbers
from invoice_analytics.analytics._rules import (
    counted_mask,
    money,
    paid_mask,
    require,
)
from invoice_analytics.schema import DATETIME_DTYPE, JAKARTA, STATUSES

__all__ = ["DATE", "HistoryLike"]

#: Name of the index of :func:`aging_trend` (Jakarta midnight of each date).
DATE = "date"

# The states of an invoice version (see the module docstring).
_OPEN, _CREDIT, _PAID, _EXCLUDED, _UNKNOWN = range(5)
_KEYS = ["provider", "invoice_id"]


class HistoryLike(Protocol):
    """What the history analytics read from a store (``InvoiceStore`` has it).

    ``history()``: one row per invoice *version*: the core columns plus ``valid_from``, ``valid_to`` (NaT
    while current) and ``last_seen``, all ``datetime64[us, Asia/Jakarta]``. ``as_of(when)``: the typed frame
    known at the instant ``when`` (a timezone-aware Timestamp). ``refreshes()``: at least ``observed_at`` and
    ``provider``, one row per provider per refresh.
    """

    def history(self) -> pd.DataFrame: ...

    def as_of(self, when: pd.Timestamp, /) -> pd.DataFrame: ...

    def refreshes(self) -> pd.DataFrame: ...


class _ExampleStore:
    """A three-invoice history for the examples (refreshes on 2026-01-01, 03 and 05 at 09:00 WIB).

    ====  ======  ==========  ==========  =======================================================
    id    source  issued      due         versions
    ====  ======  ==========  ==========  =======================================================
    F1    faspay  2025-12-01  2025-12-20  overdue 1,000,000 (seen Jan 1), paid 0 (from Jan 3)
    F2    faspay  2025-11-01  2025-11-30  overdue 200,000 (Jan 1), partially_paid 50,000 (from Jan 3)
    M1    mayar   2025-12-28              amount 100,000: unpaid (Jan 1, 3), paid (from Jan 5)
    ====  ======  ==========  ==========  =======================================================
    """

    def __init__(self) -> None:
        def at(day: int) -> pd.Timestamp:
            return pd.Timestamp(2026, 1, day, 9).tz_localize(JAKARTA)

        rows = [  # invoice_id, status, outstanding, valid_from, valid_to, last_seen
            ("F1", "overdue", 1_000_000, at(1), at(3), at(1)),
            ("F1", "paid", 0, at(3), None, at(5)),
            ("F2", "overdue", 200_000, at(1), at(3), at(1)),
            ("F2", "partially_paid", 50_000, at(3), None, at(5)),
            ("M1", "unpaid", 100_000, at(1), at(5), at(3)),
            ("M1", "paid", 0, at(5), None, at(5)),
        ]
        ids = [r[0] for r in rows]
        faspay = [i.startswith("F") for i in ids]
        issued = {"F1": "2025-12-01", "F2": "2025-11-01", "M1": "2025-12-28 10:00"}
        due = {"F1": "2025-12-20", "F2": "2025-11-30", "M1": None}

        def stamps(values: list[Any]) -> pd.Series:
            index = pd.DatetimeIndex([pd.NaT if v is None else pd.Timestamp(v) for v in values])
            return pd.Series(index.tz_localize(JAKARTA) if index.tz is None else index).astype(DATETIME_DTYPE)

        self.versions = pd.DataFrame({
            "provider": pd.Categorical(["faspay" if f else "mayar" for f in faspay], categories=["faspay", "mayar"]),
            "invoice_id": pd.array(ids, dtype="string"),
            "customer_id": pd.array(["C1" if f else "c9" for f in faspay], dtype="string"),
            "customer_name": pd.array(["PT Maju" if f else "Budi" for f in faspay], dtype="string"),
            "status": pd.Categorical([r[1] for r in rows], categories=STATUSES),
            "issued_at": stamps([issued[i] for i in ids]),
            "due_at": stamps([due[i] for i in ids]),
            "amount": pd.array([None if f else 100_000 for f in faspay], dtype="Int64"),
            "outstanding": pd.array([r[2] for r in rows], dtype="Int64"),
            "valid_from": stamps([r[3] for r in rows]),
            "valid_to": stamps([r[4] for r in rows]),
            "last_seen": stamps([r[5] for r in rows]),
        })
        self.observed = stamps([at(d) for d in (1, 1, 3, 3, 5, 5)])

    def history(self) -> pd.DataFrame:
        return self.versions.copy()

    def as_of(self, when: pd.Timestamp, /) -> pd.DataFrame:
        v = self.versions
        live = (v["valid_from"] <= when) & (v["valid_to"].isna() | (v["valid_to"] > when)) & (v["issued_at"] <= when)
        return v[live.to_numpy(dtype=bool)].drop(columns=["valid_from", "valid_to", "last_seen"])

    def refreshes(self) -> pd.DataFrame:
        return pd.DataFrame({"observed_at": self.observed, "provider": ["faspay", "mayar"] * 3})


# ---------------------------------------------------------------------------
# helpers


def _end_of_day(day: dt.date) -> pd.Timestamp:
    """The last microsecond of ``day`` in Asia/Jakarta."""
    return pd.Timestamp(day + dt.timedelta(days=1)).tz_localize(JAKARTA) - pd.Timedelta(1, unit="us")


def _snapshot(store: HistoryLike, day: dt.date) -> pd.DataFrame:
    """What ``store`` knew at the end of ``day``."""
    return store.as_of(_end_of_day(day))


def _day_number(day: dt.date) -> int:
    return (day - dt.date(1970, 1, 1)).days


def _refresh_days(store: HistoryLike) -> np.ndarray:
    """The sorted distinct Jakarta days of the store's refreshes."""
    refreshes = store.refreshes()
    require(refreshes, ["observed_at"], "refreshes")
    days, known = day_numbers(refreshes["observed_at"])
    return np.unique(days[known])


def _states(df: pd.DataFrame) -> np.ndarray:
    """The state of each row (``_OPEN``, ``_CREDIT``, ``_PAID``, ``_EXCLUDED``, ``_UNKNOWN``)."""
    counted = counted_mask(df["status"])
    out, missing = money(df["outstanding"])
    known = np.ones(len(df), dtype=bool) if missing is None else ~missing
    state = np.full(len(df), _UNKNOWN, dtype=np.int8)
    state[known & (out == 0)] = _PAID
    state[~known & paid_mask(df["status"])] = _PAID
    state[known & (out > 0)] = _OPEN
    state[known & (out < 0)] = _CREDIT
    state[~counted] = _EXCLUDED
    return state


def _keys(df: pd.DataFrame, rows: np.ndarray | None = None) -> pd.MultiIndex:
    """(provider, invoice_id) of ``df`` (or of its ``rows``) as text, for matching across frames."""
    parts = [df[k].astype("string") for k in _KEYS]
    if rows is not None:
        parts = [p.take(rows) for p in parts]
    return pd.MultiIndex.from_arrays([p.array for p in parts], names=_KEYS)


def _int_array(values: np.ndarray, known: np.ndarray) -> pd.arrays.IntegerArray:
    return pd.arrays.IntegerArray(np.where(known, values, 0).astype(np.int64), ~known)


def _group_quantile(codes: np.ndarray, values: np.ndarray, n: int, q: float) -> pd.arrays.FloatingArray:
    """The ``q`` quantile of ``values`` per group (linearly interpolated, as numpy does); ``<NA>`` when empty."""
    counts = np.bincount(codes, minlength=n)
    order = np.lexsort((values, codes))
    ordered = np.asarray(values, dtype=np.float64)[order]
    starts = np.cumsum(counts) - counts
    has = counts > 0
    h = np.where(has, counts - 1, 0) * q
    lo = np.floor(h).astype(np.int64)
    hi = np.ceil(h).astype(np.int64)
    if len(ordered) == 0:
        return pd.arrays.FloatingArray(np.zeros(n), np.ones(n, dtype=bool))
    at_lo = ordered[np.minimum(starts + lo, len(ordered) - 1)]
    at_hi = ordered[np.minimum(starts + hi, len(ordered) - 1)]
    result = at_lo + (h - lo) * (at_hi - at_lo)
    return pd.arrays.FloatingArray(np.where(has, result, 0.0), ~has)
