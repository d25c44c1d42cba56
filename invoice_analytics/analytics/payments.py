"""History analytics of payments: when each invoice was paid, and days to pay (conventions: :mod:`._observed`)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from invoice_analytics._dates import day_numbers
from invoice_analytics._docs import doc
from invoice_analytics._types import By
from invoice_analytics.analytics._groupby import (
    finish,
    group_codes,
    require_by,
)
from invoice_analytics.analytics._observed import (
    _CREDIT,
    _KEYS,
    _OPEN,
    _PAID,
    HistoryLike,
    _ExampleStore,  # noqa: F401  (the examples' store)
    _group_quantile,
    _int_array,
    _states,
)
from invoice_analytics.analytics._rules import (
    money,
    require,
)
from invoice_analytics.schema import DATETIME_DTYPE

__all__ = ["days_to_pay", "payment_windows"]

# ---------------------------------------------------------------------------
# payment windows and days to pay

_WINDOW_COLUMNS = (
    "provider", "invoice_id", "customer_id", "customer_name", "issued_at", "due_at", "open_amount",
    "last_seen_open", "first_seen_paid", "window_days", "days_to_pay_min", "days_to_pay_max",
)


@doc()
def payment_windows(store: HistoryLike) -> pd.DataFrame:
    """For each invoice seen open and later seen settled, the window in which it was paid.

    The payment happened in ``(last_seen_open, first_seen_paid]``: the last observation showing it open, then the
    first showing it settled (the brackets of the "Conventions" of :doc:`/guide/history-analytics`; a part payment
    in between does not move them).

    Parameters
    ----------
    {store}

    Returns
    -------
    pandas.DataFrame
        One row per invoice, sorted by ``first_seen_paid`` then provider and invoice id; columns ``provider``,
        ``invoice_id``, ``customer_id``, ``customer_name``, ``issued_at``, ``due_at`` (as in the last open
        version), ``open_amount`` (``int64``: the outstanding last seen open), ``last_seen_open``,
        ``first_seen_paid`` (``datetime64[us, Asia/Jakarta]``), then Jakarta day counts (``Int64``)
        ``window_days`` between those two days, ``days_to_pay_min`` and ``days_to_pay_max`` from the issue day
        to each (missing without ``issued_at``).

    Raises
    ------
    {raises_history}

    Examples
    --------
    F1 was last seen open on Jan 1, first seen paid on Jan 3; M1 open on Jan 3, paid on Jan 5 (F2 in part):

    >>> pw = payment_windows(_ExampleStore())
    >>> pw[["invoice_id", "open_amount", "window_days", "days_to_pay_min", "days_to_pay_max"]]
      invoice_id  open_amount  window_days  days_to_pay_min  days_to_pay_max
    0         F1      1000000            2               31               33
    1         M1       100000            2                6                8
    """
    history = store.history()
    require(history, [*_WINDOW_COLUMNS[:6], "status", "outstanding", "valid_from", "last_seen"], "payment_windows")
    n = len(history)
    if n == 0:
        return _empty_windows(history)
    group, _ = group_codes(history, _KEYS, np.arange(n))
    since, since_known = day_numbers(history["valid_from"])
    raw_since = history["valid_from"].astype(DATETIME_DTYPE).to_numpy(dtype="datetime64[us]").view(np.int64)
    order = np.lexsort((raw_since, group))
    group = group[order]
    state = _states(history)[order]
    position = np.arange(n)
    group_start = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    start_of = np.repeat(group_start, np.diff(np.r_[group_start, n]))
    last_open = np.maximum.accumulate(np.where(state == _OPEN, position, -1))
    candidate = ((state == _PAID) | (state == _CREDIT)) & (last_open >= start_of)
    chosen = np.flatnonzero(candidate)
    if len(chosen):
        chosen = chosen[np.r_[True, group[chosen][1:] != group[chosen][:-1]]]
    paid_rows = order[chosen]
    open_rows = order[last_open[chosen]]
    if len(paid_rows) == 0:
        return _empty_windows(history)

    opened = history.take(open_rows)
    out = pd.DataFrame({name: opened[name].array for name in _WINDOW_COLUMNS[:6]})
    out["open_amount"] = money(opened["outstanding"])[0]
    out["last_seen_open"] = opened["last_seen"].astype(DATETIME_DTYPE).array
    out["first_seen_paid"] = history["valid_from"].astype(DATETIME_DTYPE).array.take(paid_rows)
    seen, seen_known = day_numbers(history["last_seen"], open_rows)
    paid_day, paid_known = since[paid_rows], since_known[paid_rows]
    issued, issued_known = day_numbers(history["issued_at"], open_rows)
    out["window_days"] = _int_array(paid_day - seen, seen_known & paid_known)
    out["days_to_pay_min"] = _int_array(seen - issued, seen_known & issued_known)
    out["days_to_pay_max"] = _int_array(paid_day - issued, paid_known & issued_known)
    out = out.sort_values(["first_seen_paid", "provider", "invoice_id"], kind="stable", na_position="last")
    return out.reset_index(drop=True)


def _empty_windows(history: pd.DataFrame) -> pd.DataFrame:
    columns: dict[str, Any] = {name: history[name].iloc[:0].array for name in _WINDOW_COLUMNS[:6]}
    columns["open_amount"] = np.zeros(0, dtype=np.int64)
    for name in ("last_seen_open", "first_seen_paid"):
        columns[name] = pd.array([], dtype=DATETIME_DTYPE)
    for name in _WINDOW_COLUMNS[-3:]:
        columns[name] = pd.array([], dtype="Int64")
    return pd.DataFrame(columns)


#: The statistics of :func:`days_to_pay`: name -> quantile.
_STATISTICS = {"median": 0.5, "p90": 0.9}


@doc()
def days_to_pay(store: HistoryLike, *, by: By = None, totals: bool = False) -> pd.DataFrame:
    """Median and 90th percentile of days from issue to payment, as ranges, per ``by``.

    Each invoice of :func:`payment_windows` (with an ``issued_at``) paid within ``[days_to_pay_min,
    days_to_pay_max]``; a quantile is monotone in every value, so the true one lies between the quantile of the
    minima (``*_low``) and of the maxima (``*_high``), linearly interpolated. They lean long
    (:doc:`/guide/history-analytics`).

    Parameters
    ----------
    {store}
    by : Hashable, list of Hashable or None, default None
        A column of :func:`payment_windows` (``provider``, ``customer_name``...), a list, "issue_month", or
        None for one row "Total".
    totals : bool, default False
        Append a "Total" row to a grouped result.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``by``; columns ``paid_count`` (``int64``), ``median_days_to_pay_low``,
        ``median_days_to_pay_high``, ``p90_days_to_pay_low``, ``p90_days_to_pay_high`` and
        ``median_window_days`` (``Float64``: how wide the brackets are).

    Raises
    ------
    KeyError
        When ``history()`` lacks a column needed or ``by`` is not a column.

    Examples
    --------
    Two invoices, paid after 31-33 and 6-8 days: the median lies between 18.5 and 20.5 days.

    >>> days_to_pay(_ExampleStore()).loc["Total"].tolist()  # paid_count, then the ranges
    [2.0, 18.5, 20.5, 28.5, 30.5, 2.0]
    """
    windows = payment_windows(store)
    require_by(windows, by, "days_to_pay")
    known = windows["days_to_pay_min"].notna().to_numpy() & windows["days_to_pay_max"].notna().to_numpy()
    rows = np.flatnonzero(known)
    low = windows["days_to_pay_min"].to_numpy(dtype=np.int64, na_value=0)[rows]
    high = windows["days_to_pay_max"].to_numpy(dtype=np.int64, na_value=0)[rows]
    width = windows["window_days"].to_numpy(dtype=np.int64, na_value=0)[rows]

    def stats(codes: np.ndarray, n: int) -> dict[str, Any]:
        columns: dict[str, Any] = {"paid_count": np.bincount(codes, minlength=n).astype(np.int64)}
        for name, q in _STATISTICS.items():
            columns[f"{name}_days_to_pay_low"] = _group_quantile(codes, low, n, q)
            columns[f"{name}_days_to_pay_high"] = _group_quantile(codes, high, n, q)
        columns["median_window_days"] = _group_quantile(codes, width, n, 0.5)
        return columns

    group, index = group_codes(windows, by, rows)
    columns = stats(group, len(index))
    grand = None
    if totals and by is not None:
        overall = stats(np.zeros(len(rows), dtype=np.int64), 1)
        grand = {k: v[0] for k, v in overall.items()}
    return finish(index, columns, by=by, totals=grand)
