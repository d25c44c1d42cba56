"""Open and overdue amounts per group: :func:`overdue_totals`, :func:`average_days_past_due`, :func:`top_debtors`
(public from :mod:`invoice_analytics.analytics.aging`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from invoice_analytics._dates import as_of_day, days_to_timestamps
from invoice_analytics._docs import doc, substitute
from invoice_analytics._types import AsOf, Basis, By, SortBy, Terms
from invoice_analytics.analytics._groupby import checked_sum, exact_sums, finish, group_codes, ratios, require_by
from invoice_analytics.analytics._rules import due_and_age, overdue_mask, require, select_rows
from invoice_analytics.analytics.customers import CUSTOMER

__all__ = ["AGING_DOCS", "average_days_past_due", "checked_rows", "overdue_totals", "rank_debtors", "top_debtors"]

#: Docstring sections every aging function shares, written once (``@doc(**AGING_DOCS)``).
AGING_DOCS = {
    "aging_parameters": substitute("{conventions}\n\nParameters\n----------\n{df}\n{as_of}"),
    "aging_options": substitute("{edges}\n{basis}\n{terms_days}"),
    "aging_raises": substitute("Raises\n------\n{raises_aging}"),
    "aging_see_also": "See Also\n--------\naging_buckets, overdue_invoices, aging_report, credit_invoices\n"
                      "overdue_totals, average_days_past_due, top_debtors\n"
                      "format_report_table, plot_top_overdue : The aging report as an HTML table; the customers "
                      "most overdue, as a chart.",
}


def checked_rows(
    df: pd.DataFrame, func: str, *, sign: Literal["open", "credit", "nonzero"], by: By = None,
    basis: Basis | None = "due", day: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`~._rules.select_rows` (as of Jakarta day number ``day``), after checking the ``by`` keys."""
    rows = select_rows(df, func, sign=sign, basis=basis, day=day)
    require_by(df, by, func)
    return rows


@dataclass
class _OpenCounts:
    """Open invoices grouped by ``by``: their counts and amounts, open and overdue."""

    rows: np.ndarray  # positions of the open invoices in the frame
    days: np.ndarray  # their days past due
    due: np.ndarray  # their due day numbers
    late: np.ndarray  # overdue (days past due >= 1, known)
    group: np.ndarray  # their group codes
    index: pd.Index
    columns: dict[str, np.ndarray]


def _open_and_overdue(df: pd.DataFrame, func: str, as_of: AsOf, by: By, terms_days: Terms,
                      basis: Basis = "due") -> _OpenCounts:
    day = as_of_day(as_of)
    rows, amounts = checked_rows(df, func, sign="open", by=by, basis=basis, day=day)
    days, due, known = due_and_age(df, rows, day, basis, terms_days)
    late = overdue_mask(days, known)
    group, index = group_codes(df, by, rows)
    n = len(index)
    columns = {
        "open_count": np.bincount(group, minlength=n).astype(np.int64),
        "open_amount": exact_sums(group, amounts, n),
        "overdue_count": np.bincount(group[late], minlength=n).astype(np.int64),
        "overdue_amount": exact_sums(group[late], amounts[late], n),
    }
    return _OpenCounts(rows, days, due, late, group, index, columns)


@doc(**AGING_DOCS)
def overdue_totals(
    df: pd.DataFrame,
    as_of: AsOf = None,
    *,
    by: By = None,
    terms_days: Terms = 0,
    totals: bool = False,
) -> pd.DataFrame:
    """Open and overdue (days past due >= 1) counts and amounts per ``by``, aged from the due date; credits left out.

    {aging_parameters}
    {by_none}
    {terms_days}
    {totals}

    Returns
    -------
    pandas.DataFrame
        One row per ``by`` value with an open invoice, sorted by overdue_amount, then open_amount, descending;
        columns ``open_count``, ``open_amount``, ``overdue_count``, ``overdue_amount`` (``int64``) and
        ``overdue_share`` = overdue_amount / open_amount (``Float64``).

    {aging_raises}

    {aging_see_also}

    Examples
    --------
    >>> df = pd.DataFrame({"status": ["unpaid", "overdue", "unpaid", "paid"],
    ...                    "issued_at": pd.to_datetime(["2024-01-01"] * 4),
    ...                    "due_at": pd.to_datetime(["2024-02-15", "2024-01-10", None, None]),
    ...                    "outstanding": [100_000, 250_000, 150_000, 0]})
    >>> overdue_totals(df, "2024-02-15")  # doctest: +NORMALIZE_WHITESPACE
           open_count  open_amount  overdue_count  overdue_amount  overdue_share
    Total           3       500000              2          400000            0.8
    >>> overdue_totals(df, "2024-02-15", by="status", totals=False)["overdue_share"].tolist()
    [1.0, 0.6]
    """
    counts = _open_and_overdue(df, "overdue_totals", as_of, by, terms_days)
    index, columns = counts.index, counts.columns
    columns["overdue_share"] = ratios(columns["overdue_amount"], columns["open_amount"])
    grand = None
    if totals:
        grand = {k: checked_sum(v) for k, v in columns.items() if k != "overdue_share"}
        grand["overdue_share"] = ratios(np.array([grand["overdue_amount"]]), np.array([grand["open_amount"]]))[0]
    return finish(
        index, columns, by=by, sort_by=["overdue_amount", "open_amount"], totals=grand
    )


@doc(**AGING_DOCS)
def average_days_past_due(
    df: pd.DataFrame,
    as_of: AsOf = None,
    *,
    by: By = None,
    basis: Basis = "due",
    terms_days: Terms = 0,
    totals: bool = False,
) -> pd.DataFrame:
    """Outstanding-weighted average days past due of the open invoices.

    {aging_parameters}
    {by_none}
    {basis}
    {terms_days}
    {totals}

    Returns
    -------
    pandas.DataFrame
        Indexed by ``by``, sorted by open_amount descending; columns ``open_amount``,
        ``average_days_past_due`` (not yet due counts as 0 days), ``overdue_amount`` and
        ``average_days_overdue`` (overdue invoices only). Unknown ages are left out of the averages.

    {aging_raises}

    {aging_see_also}

    Examples
    --------
    >>> df = pd.DataFrame({"status": ["unpaid", "overdue", "unpaid"], "issued_at": pd.to_datetime(["2024-01-01"] * 3),
    ...                    "due_at": pd.to_datetime(["2024-03-01", "2024-02-05", "2024-01-06"]),
    ...                    "outstanding": [200_000, 100_000, 100_000]})
    >>> average_days_past_due(df, "2024-02-15")  # doctest: +NORMALIZE_WHITESPACE
           open_amount  average_days_past_due  overdue_amount  average_days_overdue
    Total       400000                   12.5          200000                  25.0
    """
    day = as_of_day(as_of)
    rows, amounts = checked_rows(df, "average_days_past_due", sign="open", by=by, basis=basis, day=day)
    days, _, known = due_and_age(df, rows, day, basis, terms_days)
    late = overdue_mask(days, known)
    group, index = group_codes(df, by, rows)
    n = len(index)
    weights = amounts.astype(np.float64)
    late_days = np.maximum(days, 0).astype(np.float64)
    known_w = np.bincount(group[known], weights=weights[known], minlength=n)
    known_wd = np.bincount(group[known], weights=(weights * late_days)[known], minlength=n)
    late_w = np.bincount(group[late], weights=weights[late], minlength=n)
    late_wd = np.bincount(group[late], weights=(weights * late_days)[late], minlength=n)

    columns = {
        "open_amount": exact_sums(group, amounts, n),
        "average_days_past_due": ratios(known_wd, known_w),
        "overdue_amount": exact_sums(group[late], amounts[late], n),
        "average_days_overdue": ratios(late_wd, late_w),
    }
    grand = None
    if totals:
        grand = {
            "open_amount": checked_sum(columns["open_amount"]),
            "average_days_past_due": ratios(known_wd.sum(keepdims=True), known_w.sum(keepdims=True))[0],
            "overdue_amount": checked_sum(columns["overdue_amount"]),
            "average_days_overdue": ratios(late_wd.sum(keepdims=True), late_w.sum(keepdims=True))[0],
        }
    return finish(index, columns, by=by, sort_by=["open_amount"], totals=grand)


@doc(**AGING_DOCS)
def top_debtors(
    df: pd.DataFrame,
    as_of: AsOf = None,
    *,
    n: int = 10,
    by: By = CUSTOMER,
    basis: Basis = "due",
    terms_days: Terms = 0,
    sort_by: SortBy = "open_amount",
) -> pd.DataFrame:
    """The ``n`` customers owing (or overdue) most, with their oldest overdue invoice (``df`` needs ``invoice_id``).

    Credits are ignored. The bars of :func:`~invoice_analytics.plot_top_overdue` are its rows with
    ``sort_by="overdue_amount"``.
    {aging_parameters}
    n : int, default 10
        How many customers (keyword only); 0 or less gives none.
    {by_customer}
    {basis}
    {terms_days}
    sort_by : {"open_amount", "overdue_amount"}, default "open_amount"
        Rank by this amount, then by the other, both descending; ties keep the key order.

    Returns
    -------
    pandas.DataFrame
        At most ``n`` rows indexed by ``by``, customers with an open invoice only; columns ``open_count``,
        ``open_amount``, ``overdue_count``, ``overdue_amount`` (``int64``), then of the overdue invoice with the
        most days past due (first in frame order on ties; missing when nothing is overdue) ``oldest_invoice_id``
        (string), ``oldest_due_date`` (``datetime64[us, Asia/Jakarta]``, its due day's midnight) and
        ``oldest_days_past_due`` (``Int64``).

    {aging_raises}
        Also when ``sort_by`` is not "open_amount" or "overdue_amount".

    {aging_see_also}

    Examples
    --------
    >>> df = pd.DataFrame({
    ...     "invoice_id": ["A1", "A2", "B1", "A3"], "provider": ["faspay", "faspay", "faspay", "mayar"],
    ...     "customer_id": ["C1", "C1", "C2", "m-7"], "customer_name": ["Ani", "Ani", "Budi", "Ani"],
    ...     "status": ["unpaid", "overdue", "unpaid", "unpaid"], "issued_at": pd.to_datetime(["2024-01-01"] * 4),
    ...     "due_at": pd.to_datetime(["2024-01-31", "2024-01-10", "2024-03-01", "2024-02-01"]),
    ...     "outstanding": [100_000, 250_000, 500_000, 40_000]})
    >>> top = top_debtors(df, "2024-02-15", n=2)
    >>> top[["open_amount", "oldest_days_past_due"]]  # doctest: +NORMALIZE_WHITESPACE
                                        open_amount  oldest_days_past_due
    customer_name customer_id provider
    Budi          C2          faspay         500000                  <NA>
    Ani           C1          faspay         350000                    36
    >>> top_debtors(df, "2024-02-15", sort_by="overdue_amount")["overdue_amount"].tolist()
    [350000, 40000, 0]
    """
    require(df, ["invoice_id"], "top_debtors")
    return rank_debtors(df, as_of, n=n, by=by, basis=basis, terms_days=terms_days, sort_by=sort_by)


def rank_debtors(df: pd.DataFrame, as_of: AsOf, *, n: int, by: By, basis: Basis, terms_days: Terms,
                 sort_by: SortBy, func: str = "top_debtors") -> pd.DataFrame:
    """:func:`top_debtors`, also for a frame without ``invoice_id`` (its ``oldest_invoice_id`` is then
    missing): the rows :func:`~invoice_analytics.plot_top_overdue` draws."""
    if sort_by not in ("open_amount", "overdue_amount"):
        raise ValueError(f"sort_by must be 'open_amount' or 'overdue_amount', not {sort_by!r}")
    counts = _open_and_overdue(df, func, as_of, by, terms_days, basis)
    rows, days, due, late, group, index = counts.rows, counts.days, counts.due, counts.late, counts.group, counts.index
    g = len(index)
    columns = {**counts.columns, "_group": np.arange(g)}
    order = [sort_by] + [c for c in ("open_amount", "overdue_amount") if c != sort_by]
    ranked = finish(index, columns, by=by, sort_by=order).head(max(int(n), 0))
    top = ranked.pop("_group").to_numpy()
    # The oldest overdue invoice, looked for among the top groups only.
    wanted = np.zeros(g, dtype=bool)
    wanted[top] = True
    cand = np.flatnonzero(late & wanted[group])
    cand = cand[np.lexsort((-days[cand], group[cand]))]
    first = cand[np.r_[True, group[cand][1:] != group[cand][:-1]]] if len(cand) else cand
    oldest = np.full(g, -1, dtype=np.int64)
    oldest[group[first]] = first
    pick = oldest[top]  # position among rows, -1 when nothing is overdue
    has = pick >= 0
    safe = np.where(has, pick, 0)
    if "invoice_id" in df.columns:
        ids = df["invoice_id"].array.take(np.where(has, rows[safe], -1), allow_fill=True)
        ranked["oldest_invoice_id"] = pd.Series(ids, index=ranked.index)
    else:
        ranked["oldest_invoice_id"] = pd.Series([None] * len(ranked), index=ranked.index, dtype="string")
    ranked["oldest_due_date"] = days_to_timestamps(due[safe], has).set_axis(ranked.index)
    ranked["oldest_days_past_due"] = pd.arrays.IntegerArray(days[safe], ~has)
    return ranked
