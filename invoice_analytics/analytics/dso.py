"""History analytics of balances: DSO by countback, and Faspay amounts observed (conventions: :mod:`._observed`)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from invoice_analytics._dates import NAT, jakarta_date, month_ordinals
from invoice_analytics._docs import doc
from invoice_analytics._types import AsOf, By
from invoice_analytics.analytics._groupby import (
    empty_index,
    exact_sums,
    finish,
    group_codes,
    require_by,
)
from invoice_analytics.analytics._observed import (
    _KEYS,
    _OPEN,
    HistoryLike,
    _ExampleStore,  # noqa: F401  (the examples' store)
    _keys,
    _snapshot,
    _states,
)
from invoice_analytics.analytics._rules import (
    TOTAL,
    counted_mask,
    money,
    require,
)

__all__ = ["dso", "observed_amount", "with_observed_amount"]

# ---------------------------------------------------------------------------
# DSO


def _countback(
    receivables: np.ndarray, sales: np.ndarray, days: np.ndarray
) -> tuple[pd.arrays.FloatingArray, np.ndarray, np.ndarray, np.ndarray]:
    """Countback DSO per row: ``(dso_days, months_counted, billed_amount, is_lower_bound)``; ``sales[g, k]``:
    billed k months back (k = 0: as_of's month up to as_of), ``days[k]``: its days counted."""
    cum = np.cumsum(sales, axis=1)
    before = cum - sales
    cum_days = np.cumsum(days)
    days_before = cum_days - days
    reached = cum >= receivables[:, None]
    has = reached.any(axis=1)
    k = np.argmax(reached, axis=1)
    rows = np.arange(len(receivables))
    month_sales = sales[rows, k]
    fraction = (receivables - before[rows, k]) / np.where(month_sales == 0, 1, month_sales)
    dso = np.where(has, days_before[k] + days[k] * fraction, cum_days[-1])
    zero = receivables <= 0
    dso = np.where(zero, 0.0, dso)
    months = np.where(zero, 0, np.where(has, k + 1, len(days))).astype(np.int64)
    billed = np.where(zero, 0, np.where(has, cum[rows, k], cum[:, -1])).astype(np.int64)
    lower = ~zero & ~has
    return pd.arrays.FloatingArray(dso.astype(np.float64), np.zeros(len(dso), dtype=bool)), months, billed, lower


@doc()
def dso(
    store: HistoryLike,
    as_of: AsOf,
    *,
    months: int = 3,
    by: By = None,
    observed_amounts: bool = False,
    totals: bool = False,
) -> pd.DataFrame:
    """Days sales outstanding at ``as_of`` by the countback method.

    The formula, and why it is Mayar's DSO unless ``observed_amounts`` (then Faspay's is an overestimate):
    "DSO by the countback method" of :doc:`/guide/history-analytics`. Nothing open (``R = 0``) gives 0.

    Parameters
    ----------
    {store}
    as_of : date-like
        An Asia/Jakarta calendar day (its end is read).
    months : int, default 3
        The most months walked back, ``as_of``'s own month counted as the first.
    by : Hashable, list of Hashable or None, default None
        Groups (e.g. "provider"), each with its own countback; None: one row "Total", named for what it covers
        when a provider has no amounts ("Total (mayar only; faspay has no amounts)").
    observed_amounts : bool, default False
        Fill missing amounts by :func:`with_observed_amount` (with all the store saw, also after ``as_of``).
    totals : bool, default False
        Append a "Total" row (the countback of everything, named as for ``by=None``) to a grouped result.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``by``; columns ``receivables`` (``int64``), ``dso_days`` (``Float64``), ``months_counted``
        (``int64``: months whose sales were used, 0 when ``R = 0``), ``billed_amount`` (``int64``: their
        sales) and ``is_lower_bound`` (``bool``). A group with nothing open or billed in them has no row.

    Raises
    ------
    ValueError
        When ``months`` is not a whole number >= 1 or ``as_of`` is not a date.
    {raises_history}

    Examples
    --------
    On Jan 3, M1 (100,000, billed in December) is open, nothing billed in January: 3 days, then December's 31:

    >>> got = dso(_ExampleStore(), "2026-01-03")
    >>> got.index.tolist(), got["receivables"].tolist(), got["dso_days"].tolist()
    (['Total (mayar only; faspay has no amounts)'], [100000], [34.0])
    """
    if int(months) != months or months < 1:
        raise ValueError(f"months must be a whole number >= 1, got {months!r}")
    months = int(months)
    day = jakarta_date(as_of)
    frame = _snapshot(store, day)
    require(frame, ["status", "outstanding", "amount", "issued_at"], "dso")
    require_by(frame, by, "dso")
    if observed_amounts:
        frame = with_observed_amount(frame, store)
    amount, amount_missing = money(frame["amount"])
    outstanding, out_missing = money(frame["outstanding"])
    usable = counted_mask(frame["status"])
    if amount_missing is not None:
        usable &= ~amount_missing
    open_ = outstanding > 0
    if out_missing is not None:
        open_ &= ~out_missing
    this_month = int(np.datetime64(day, "M").astype(np.int64))
    issued_month = month_ordinals(frame["issued_at"])
    back = np.where(issued_month == NAT, -1, this_month - issued_month)
    in_window = (back >= 0) & (back < months)
    rows = np.flatnonzero(usable & (open_ | in_window))
    first = np.datetime64(day, "M") - np.arange(months)
    days = ((first + 1).astype("datetime64[D]") - first.astype("datetime64[D]")).astype(np.int64)
    days[0] = day.day

    def countback(codes: np.ndarray, n: int) -> dict[str, Any]:
        r = rows[open_[rows]]
        receivables = exact_sums(codes[open_[rows]], outstanding[r], n)
        w = in_window[rows]
        sales = exact_sums(codes[w] * months + back[rows[w]], amount[rows[w]], n * months).reshape(n, months)
        d, m, b, lower = _countback(receivables, sales, days)
        return {"receivables": receivables, "dso_days": d, "months_counted": m, "billed_amount": b,
                "is_lower_bound": lower}

    group, index = group_codes(frame, by, rows)
    columns = countback(group, len(index))
    grand = None
    if totals and by is not None:
        overall = countback(np.zeros(len(rows), dtype=np.int64), 1)
        grand = {k: v[0] for k, v in overall.items()}
    if len(index) == 0:
        index = empty_index(by)
    result = finish(index, columns, by=by, totals=grand)
    covered = _coverage_label(frame, usable, counted_mask(frame["status"]))
    if covered is None:
        return result
    if isinstance(result.index, pd.MultiIndex):  # a totals row (TOTAL, "", ...) under several keys
        return result.rename(index={TOTAL: covered}, level=0)
    return result.rename(index={TOTAL: covered})


def _coverage_label(frame: pd.DataFrame, usable: np.ndarray, counted: np.ndarray) -> str | None:
    """The label of a row over every invoice when a provider has no amounts (Faspay's lists), else None."""
    if "provider" not in frame.columns:
        return None
    providers = frame["provider"].astype(object).to_numpy()
    present = {str(p) for p in providers[counted] if isinstance(p, str)}
    covered = {str(p) for p in providers[usable] if isinstance(p, str)}
    left_out = sorted(present - covered)
    if not left_out or not covered:
        return None
    return f"{TOTAL} ({', '.join(sorted(covered))} only; {', '.join(left_out)} has no amounts)"


# ---------------------------------------------------------------------------
# observed amounts


@doc()
def observed_amount(store: HistoryLike) -> pd.Series:
    """The largest outstanding the store saw while each invoice was open: a lower bound of its amount.

    Faspay lists carry no amount; a part payment only lowers the outstanding, so the bound equals the amount
    when the invoice was seen open before any part payment (the usual case with daily refreshes).

    Parameters
    ----------
    {store}

    Returns
    -------
    pandas.Series
        ``Int64`` "observed_amount" by (``provider``, ``invoice_id``), per invoice ever seen open, sorted.

    Raises
    ------
    {raises_history}

    Examples
    --------
    >>> observed_amount(_ExampleStore()).tolist()  # F1, F2 (first seen before its part payment), M1
    [1000000, 200000, 100000]
    """
    history = store.history()
    require(history, [*_KEYS, "status", "outstanding"], "observed_amount")
    rows = np.flatnonzero(_states(history) == _OPEN)
    group, index = group_codes(history, _KEYS, rows)
    out, _ = money(history["outstanding"])
    largest = np.zeros(len(index), dtype=np.int64)
    np.maximum.at(largest, group, out[rows])
    if len(index) == 0:
        index = pd.MultiIndex.from_arrays([history[k].iloc[:0].array for k in _KEYS], names=_KEYS)
    bound = pd.Series(pd.array(largest, dtype="Int64"), index=index, name="observed_amount")
    return bound.sort_index()


@doc()
def with_observed_amount(df: pd.DataFrame, store: HistoryLike) -> pd.DataFrame:
    """``df`` with a missing ``amount`` filled from :func:`observed_amount`, flagged.

    Amount-weighted figures (``paid_ratio(..., weight="amount")``, :func:`dso`) then cover the Faspay invoices the
    store saw open, and understate what was billed (see :doc:`/guide/history-analytics`).

    Parameters
    ----------
    df : pandas.DataFrame
        Invoices with ``provider``, ``invoice_id`` and ``amount`` (a load, or ``store.as_of(...)``).
    {store}

    Returns
    -------
    pandas.DataFrame
        A copy: ``df``'s columns (``amount`` as ``Int64``, known amounts kept) and index, plus
        ``amount_is_lower_bound`` (``bool``: filled).

    Raises
    ------
    KeyError
        When ``df`` or ``history()`` lacks a column needed.

    Examples
    --------
    >>> store = _ExampleStore()
    >>> now = with_observed_amount(store.as_of(pd.Timestamp("2026-01-05 23:00", tz="Asia/Jakarta")), store)
    >>> now[["invoice_id", "amount", "amount_is_lower_bound"]]
      invoice_id   amount  amount_is_lower_bound
    1         F1  1000000                   True
    3         F2   200000                   True
    5         M1   100000                  False
    """
    require(df, [*_KEYS, "amount"], "with_observed_amount")
    bound = observed_amount(store)
    out = df.copy()
    amount = out["amount"].astype("Int64")
    missing = amount.isna().to_numpy()
    filled = np.zeros(len(out), dtype=bool)
    if missing.any() and len(bound):
        rows = np.flatnonzero(missing)
        bound_keys = pd.MultiIndex.from_arrays(
            [bound.index.get_level_values(k).astype("string").array for k in _KEYS], names=_KEYS
        )
        where = bound_keys.get_indexer(_keys(out, rows))
        hit = where >= 0
        values = amount.to_numpy(dtype=np.int64, na_value=0)
        values[rows[hit]] = bound.to_numpy(dtype=np.int64, na_value=0)[where[hit]]
        filled[rows[hit]] = True
        amount = pd.Series(pd.arrays.IntegerArray(values, missing & ~filled), index=out.index, name="amount")
    out["amount"] = amount
    out["amount_is_lower_bound"] = filled
    return out
