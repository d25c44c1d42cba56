"""Accounts-receivable aging: who owes us what, and how late is it.

Open, credit, days past due, buckets, overdue, ``as_of`` and the ``by`` keys follow the analytics
conventions, stated once in the "Conventions" of :doc:`/guide/analytics`. No function mutates its input.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from invoice_analytics._dates import as_of_day, days_to_timestamps
from invoice_analytics._docs import doc
from invoice_analytics._types import AsOf, Basis, By, SortBy, Terms
from invoice_analytics.analytics._groupby import (
    checked_sum,
    exact_sums,
    finish,
    group_codes,
    ratios,
    require_by,
    row_sums,
)
from invoice_analytics.analytics._rules import (
    CREDIT,
    DEFAULT_EDGES,
    TOTAL,
    bucket_codes,
    bucket_labels,
    check_edges,
    due_and_age,
    overdue_mask,
    require,
    select_rows,
)
from invoice_analytics.analytics.customers import CUSTOMER

__all__ = [
    "aging_buckets",
    "aging_report",
    "average_days_past_due",
    "credit_invoices",
    "overdue_invoices",
    "overdue_totals",
    "top_debtors",
]


def _rows(
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
    rows, amounts = _rows(df, func, sign="open", by=by, basis=basis, day=day)
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


@doc()
def aging_buckets(
    df: pd.DataFrame,
    as_of: AsOf = None,
    *,
    edges: Iterable[int] = DEFAULT_EDGES,
    basis: Basis = "due",
    terms_days: Terms = 0,
) -> pd.DataFrame:
    """The open invoices of ``df`` with their days past due and aging bucket.

    {conventions}

    Parameters
    ----------
    {df}
    {as_of}
    {edges}
    {basis}
    {terms_days}

    Returns
    -------
    pandas.DataFrame
        The open rows in frame order (index labels kept), every column of
        ``df``, then ``days_past_due`` (``Int64``; negative when not yet due,
        ``<NA>`` when neither date is known) and ``bucket`` (ordered
        ``category`` of every bucket label; unknown age is "Current").

    Raises
    ------
    {raises_aging}

    See Also
    --------
    overdue_invoices : Only those at least one day past due.
    aging_report : The amounts per bucket, per customer.

    Examples
    --------
    >>> df = pd.DataFrame({
    ...     "invoice_id": ["A1", "A2", "B1", "C1"],
    ...     "status": ["unpaid", "overdue", "unpaid", "draft"],
    ...     "issued_at": pd.to_datetime(["2024-01-01"] * 4),
    ...     "due_at": pd.to_datetime(["2024-02-15 23:00", "2024-01-15 00:00", None, None]),
    ...     "outstanding": [100_000, 250_000, 75_000, 999],
    ... })
    >>> aging_buckets(df, "2024-02-15")[["invoice_id", "days_past_due", "bucket"]]
      invoice_id  days_past_due   bucket
    0         A1              0  Current
    1         A2             31    31-60
    2         B1             45    31-60

    B1 has no due date: with 30 days' terms it is due on 2024-01-31. Other
    edges give other buckets:

    >>> aged = aging_buckets(df, "2024-02-15", edges=[15, 30], terms_days=30)
    >>> aged["days_past_due"].tolist(), aged["bucket"].tolist()
    ([0, 31, 15], ['Current', '>30', '1-15'])
    >>> aged["bucket"].cat.categories.tolist()
    ['Current', '1-15', '16-30', '>30']
    """
    edges = check_edges(edges)
    labels = bucket_labels(edges)
    day = as_of_day(as_of)
    rows, _ = _rows(df, "aging_buckets", sign="open", basis=basis, day=day)
    days, _, known = due_and_age(df, rows, day, basis, terms_days)
    result = df.take(rows)
    result["days_past_due"] = pd.arrays.IntegerArray(days, ~known)
    result["bucket"] = pd.Categorical.from_codes(
        bucket_codes(days, edges), categories=labels, ordered=True
    )
    return result


@doc()
def overdue_invoices(
    df: pd.DataFrame,
    as_of: AsOf = None,
    *,
    edges: Iterable[int] = DEFAULT_EDGES,
    basis: Basis = "due",
    terms_days: Terms = 0,
) -> pd.DataFrame:
    """The overdue invoices of ``df`` (open, >= 1 day past due; unknown age never is), most days past due first.

    Parameters
    ----------
    {df}
    {as_of}
    {edges}
    {basis}
    {terms_days}

    Returns
    -------
    pandas.DataFrame
        The rows of :func:`aging_buckets` with ``days_past_due >= 1``, index
        labels kept, sorted by ``days_past_due`` then ``outstanding``,
        both descending (stable).

    Raises
    ------
    {raises_aging}

    See Also
    --------
    aging_buckets : Every open invoice, with its bucket.
    overdue_totals : Overdue counts and amounts per group.

    Examples
    --------
    >>> df = pd.DataFrame({
    ...     "invoice_id": ["A1", "A2", "B1"],
    ...     "status": ["unpaid", "overdue", "unpaid"],
    ...     "issued_at": pd.to_datetime(["2024-01-01"] * 3),
    ...     "due_at": pd.to_datetime(["2024-02-15", "2024-01-15", "2024-02-01"]),
    ...     "outstanding": [100_000, 250_000, 75_000],
    ... })
    >>> overdue_invoices(df, "2024-02-15")[["invoice_id", "days_past_due"]]
      invoice_id  days_past_due
    1         A2             31
    2         B1             14
    >>> len(overdue_invoices(df, "2024-01-15"))  # due that day: not yet overdue
    0
    """
    aged = aging_buckets(df, as_of, edges=edges, basis=basis, terms_days=terms_days)
    days = aged["days_past_due"]
    late = overdue_mask(days.to_numpy(dtype=np.int64, na_value=0), days.notna().to_numpy())
    return aged[late].sort_values(["days_past_due", "outstanding"], ascending=False, kind="stable")


@doc()
def aging_report(
    df: pd.DataFrame,
    as_of: AsOf = None,
    *,
    by: By = CUSTOMER,
    edges: Iterable[int] = DEFAULT_EDGES,
    basis: Basis = "due",
    terms_days: Terms = 0,
    totals: bool = False,
) -> pd.DataFrame:
    """Accounts-receivable aging: open amounts per bucket, credits and net balance per ``by``.

    Credits go to "Credit" whatever their age.
    {conventions}

    Parameters
    ----------
    {df}
    {as_of}
    {by_customer}
    {edges}
    {basis}
    {terms_days}
    {totals}

    Returns
    -------
    pandas.DataFrame
        One row per ``by`` value with an open invoice or a credit, sorted by
        Total descending (ties by key); columns every bucket label, then
        "Credit" (<= 0) and "Total" (the net balance), all ``int64``.

    Raises
    ------
    {raises_aging}

    See Also
    --------
    aging_buckets : The invoices behind each cell.
    overdue_totals : Open and overdue counts and amounts.
    format_report_table : The report as an HTML table.

    Examples
    --------
    One row per customer (provider and customer id, shown with the name):

    >>> df = pd.DataFrame({
    ...     "provider": ["faspay", "faspay", "mayar", "mayar", "mayar", "faspay"],
    ...     "customer_id": ["C1", "C1", "M7", "M7", "M8", "C2"],
    ...     "customer_name": ["Ani", "Ani", "Budi", "Budi", "Citra", "Ani"],
    ...     "status": ["unpaid", "overdue", "unpaid", "paid", "draft", "unpaid"],
    ...     "issued_at": pd.to_datetime(["2024-01-01"] * 6),
    ...     "due_at": pd.to_datetime(["2024-01-31", "2024-01-10", None, None, None, "2024-02-01"]),
    ...     "outstanding": [100_000, 250_000, 75_000, -5_000, 999, 20_000],
    ... })
    >>> aging_report(df, "2024-02-15")[["1-30", "31-60", "Credit", "Total"]]  # doctest: +NORMALIZE_WHITESPACE
                                         1-30   31-60  Credit   Total
    customer_name customer_id provider
    Ani           C1          faspay   100000  250000       0  350000
    Budi          M7          mayar         0   75000   -5000   70000
    Ani           C2          faspay    20000       0       0   20000

    By the name alone (the two customers named Ani in one row):

    >>> aging_report(df, "2024-02-15", by="customer_name")["Total"].to_dict()
    {'Ani': 370000, 'Budi': 70000}

    One row for everything, with other edges:

    >>> aging_report(df, "2024-02-15", by=None, edges=[60])
           Current    1-60  >60  Credit   Total
    Total        0  445000    0   -5000  440000
    """
    edges = check_edges(edges)
    labels = bucket_labels(edges)
    nb = len(labels)
    day = as_of_day(as_of)
    rows, amounts = _rows(df, "aging_report", sign="nonzero", by=by, basis=basis, day=day)
    days, _, _ = due_and_age(df, rows, day, basis, terms_days)
    group, index = group_codes(df, by, rows)
    cell = group * (nb + 1)
    cell += bucket_codes(days, edges)
    credit = amounts < 0
    cell[credit] = group[credit] * (nb + 1) + nb  # the Credit column
    sums = exact_sums(cell, amounts, len(index) * (nb + 1))
    sums = sums.reshape(len(index), nb + 1)
    columns = {label: sums[:, i] for i, label in enumerate([*labels, CREDIT])}
    columns[TOTAL] = row_sums(sums)
    grand = {k: checked_sum(v) for k, v in columns.items()} if totals else None
    return finish(index, columns, by=by, sort_by=[TOTAL], totals=grand)


@doc()
def overdue_totals(
    df: pd.DataFrame,
    as_of: AsOf = None,
    *,
    by: By = None,
    terms_days: Terms = 0,
    totals: bool = False,
) -> pd.DataFrame:
    """Open and overdue (days past due >= 1) counts and amounts per ``by``.

    Aged from the due date (``basis="due"``); credits are left out.

    Parameters
    ----------
    {df}
    {as_of}
    {by_none}
    {terms_days}
    {totals}

    Returns
    -------
    pandas.DataFrame
        One row per ``by`` value with an open invoice, sorted by
        overdue_amount, then open_amount, descending; columns ``open_count``,
        ``open_amount``, ``overdue_count``, ``overdue_amount`` (``int64``) and
        ``overdue_share`` = overdue_amount / open_amount (``Float64``).

    Raises
    ------
    {raises_aging}

    See Also
    --------
    overdue_invoices : The overdue invoices themselves.
    aging_report : The amounts per bucket.

    Examples
    --------
    >>> df = pd.DataFrame({
    ...     "status": ["unpaid", "overdue", "unpaid", "paid"],
    ...     "issued_at": pd.to_datetime(["2024-01-01"] * 4),
    ...     "due_at": pd.to_datetime(["2024-02-15", "2024-01-10", None, None]),
    ...     "outstanding": [100_000, 250_000, 150_000, 0],
    ... })
    >>> overdue_totals(df, "2024-02-15")  # doctest: +NORMALIZE_WHITESPACE
           open_count  open_amount  overdue_count  overdue_amount  overdue_share
    Total           3       500000              2          400000            0.8
    >>> by_status = overdue_totals(df, "2024-02-15", by="status", totals=False)
    >>> by_status[["open_amount", "overdue_amount", "overdue_share"]]  # doctest: +NORMALIZE_WHITESPACE
             open_amount  overdue_amount  overdue_share
    status
    overdue       250000          250000            1.0
    unpaid        250000          150000            0.6
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


@doc()
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

    Parameters
    ----------
    {df}
    {as_of}
    {by_none}
    {basis}
    {terms_days}
    {totals}

    Returns
    -------
    pandas.DataFrame
        Indexed by ``by``, sorted by open_amount descending; columns
        ``open_amount``, ``average_days_past_due`` (not yet due counts as 0
        days), ``overdue_amount`` and ``average_days_overdue`` (overdue
        invoices only). Unknown ages are left out of the averages.

    Raises
    ------
    {raises_aging}

    See Also
    --------
    aging_buckets : Each open invoice's days past due.

    Examples
    --------
    >>> df = pd.DataFrame({
    ...     "status": ["unpaid", "overdue", "unpaid"],
    ...     "issued_at": pd.to_datetime(["2024-01-01"] * 3),
    ...     "due_at": pd.to_datetime(["2024-03-01", "2024-02-05", "2024-01-06"]),
    ...     "outstanding": [200_000, 100_000, 100_000],
    ... })
    >>> average_days_past_due(df, "2024-02-15")  # doctest: +NORMALIZE_WHITESPACE
           open_amount  average_days_past_due  overdue_amount  average_days_overdue
    Total       400000                   12.5          200000                  25.0
    >>> average_days_past_due(df, "2024-02-15", basis="issued")["average_days_past_due"].tolist()
    [45.0]
    """
    day = as_of_day(as_of)
    rows, amounts = _rows(df, "average_days_past_due", sign="open", by=by, basis=basis, day=day)
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


@doc()
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
    """The ``n`` customers owing (or overdue) most, with their oldest overdue invoice.

    Credits are ignored. The bars of :func:`~invoice_analytics.plot_top_overdue`
    are its rows with ``sort_by="overdue_amount"``.
    {conventions}

    Parameters
    ----------
    df : pandas.DataFrame
        Invoices in the core schema: one loader's frame or
        :func:`~invoice_analytics.combine` of several. Needs ``invoice_id``,
        ``status``, ``outstanding``, ``issued_at``, ``due_at`` and the ``by``
        columns.
    {as_of}
    n : int, default 10
        How many customers (keyword only); 0 or less gives none.
    {by_customer}
    {basis}
    {terms_days}
    sort_by : {"open_amount", "overdue_amount"}, default "open_amount"
        Rank by this amount, then by the other, both descending; ties keep
        the key order.

    Returns
    -------
    pandas.DataFrame
        At most ``n`` rows indexed by ``by``, customers with an open invoice
        only; columns ``open_count``, ``open_amount``, ``overdue_count``,
        ``overdue_amount`` (``int64``), then of the overdue invoice with the
        most days past due (first in frame order on ties; missing when
        nothing is overdue) ``oldest_invoice_id`` (string),
        ``oldest_due_date`` (``datetime64[us, Asia/Jakarta]``, its due day's
        midnight) and ``oldest_days_past_due`` (``Int64``).

    Raises
    ------
    {raises_aging}
        Also when ``sort_by`` is not "open_amount" or "overdue_amount".

    See Also
    --------
    overdue_totals : Open and overdue amounts of every group.
    plot_top_overdue : The customers most overdue, as a chart.

    Examples
    --------
    >>> df = pd.DataFrame({
    ...     "invoice_id": ["A1", "A2", "B1", "A3"],
    ...     "provider": ["faspay", "faspay", "faspay", "mayar"],
    ...     "customer_id": ["C1", "C1", "C2", "m-7"],
    ...     "customer_name": ["Ani", "Ani", "Budi", "Ani"],
    ...     "status": ["unpaid", "overdue", "unpaid", "unpaid"],
    ...     "issued_at": pd.to_datetime(["2024-01-01"] * 4),
    ...     "due_at": pd.to_datetime(["2024-01-31", "2024-01-10", "2024-03-01", "2024-02-01"]),
    ...     "outstanding": [100_000, 250_000, 500_000, 40_000],
    ... })
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


@doc()
def credit_invoices(df: pd.DataFrame) -> pd.DataFrame:
    """The credit rows of ``df``: a negative outstanding on a counted invoice.

    {conventions}

    Parameters
    ----------
    df : pandas.DataFrame
        Invoices in the core schema. Needs ``status``, ``outstanding`` and
        ``issued_at``.

    Returns
    -------
    pandas.DataFrame
        The credit rows in frame order, every column and index label of ``df``.

    Raises
    ------
    KeyError
        When ``df`` lacks a column it needs; the message names them.

    See Also
    --------
    aging_report : Sums credits in its "Credit" column.

    Examples
    --------
    >>> df = pd.DataFrame({"invoice_id": ["A", "B", "C"],
    ...                    "status": ["paid", "cancelled", None],
    ...                    "issued_at": pd.to_datetime(["2024-01-01"] * 3),
    ...                    "outstanding": [-5_000, -1_000, -7]})
    >>> credit_invoices(df)["invoice_id"].tolist()
    ['A', 'C']
    """
    rows, _ = _rows(df, "credit_invoices", sign="credit", basis=None)
    return df.take(rows)
