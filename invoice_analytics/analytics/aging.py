"""Accounts-receivable aging: who owes us what, and how late (the conventions: :doc:`/guide/analytics`). No
function mutates its input. The summaries per group (:func:`overdue_totals`, :func:`average_days_past_due`,
:func:`top_debtors`) are written in the private ``_debtors``."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from invoice_analytics._dates import as_of_day
from invoice_analytics._docs import doc
from invoice_analytics._types import AsOf, Basis, By, Terms
from invoice_analytics.analytics._debtors import AGING_DOCS, checked_rows
from invoice_analytics.analytics._debtors import average_days_past_due as average_days_past_due
from invoice_analytics.analytics._debtors import overdue_totals as overdue_totals
from invoice_analytics.analytics._debtors import rank_debtors as rank_debtors
from invoice_analytics.analytics._debtors import top_debtors as top_debtors
from invoice_analytics.analytics._groupby import checked_sum, exact_sums, finish, group_codes, row_sums
from invoice_analytics.analytics._rules import (
    CREDIT,
    DEFAULT_EDGES,
    TOTAL,
    bucket_codes,
    bucket_labels,
    check_edges,
    due_and_age,
    overdue_mask,
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


@doc(**AGING_DOCS)
def aging_buckets(
    df: pd.DataFrame,
    as_of: AsOf = None,
    *,
    edges: Iterable[int] = DEFAULT_EDGES,
    basis: Basis = "due",
    terms_days: Terms = 0,
) -> pd.DataFrame:
    """The open invoices of ``df`` with their days past due and aging bucket.

    {aging_parameters}
    {aging_options}

    Returns
    -------
    pandas.DataFrame
        The open rows in frame order (index labels kept), every column of ``df``, then ``days_past_due``
        (``Int64``; negative when not yet due, ``<NA>`` when neither date is known) and ``bucket`` (ordered
        ``category`` of every bucket label; unknown age is "Current").

    {aging_raises}

    {aging_see_also}

    Examples
    --------
    >>> df = pd.DataFrame({"invoice_id": ["A1", "A2", "B1", "C1"], "status": ["unpaid", "overdue", "unpaid", "draft"],
    ...                    "issued_at": pd.to_datetime(["2024-01-01"] * 4),
    ...                    "due_at": pd.to_datetime(["2024-02-15 23:00", "2024-01-15 00:00", None, None]),
    ...                    "outstanding": [100_000, 250_000, 75_000, 999]})
    >>> aging_buckets(df, "2024-02-15")[["invoice_id", "days_past_due", "bucket"]]
      invoice_id  days_past_due   bucket
    0         A1              0  Current
    1         A2             31    31-60
    2         B1             45    31-60
    """
    edges = check_edges(edges)
    labels = bucket_labels(edges)
    day = as_of_day(as_of)
    rows, _ = checked_rows(df, "aging_buckets", sign="open", basis=basis, day=day)
    days, _, known = due_and_age(df, rows, day, basis, terms_days)
    result = df.take(rows)
    result["days_past_due"] = pd.arrays.IntegerArray(days, ~known)
    result["bucket"] = pd.Categorical.from_codes(
        bucket_codes(days, edges), categories=labels, ordered=True
    )
    return result


@doc(**AGING_DOCS)
def overdue_invoices(
    df: pd.DataFrame,
    as_of: AsOf = None,
    *,
    edges: Iterable[int] = DEFAULT_EDGES,
    basis: Basis = "due",
    terms_days: Terms = 0,
) -> pd.DataFrame:
    """The overdue invoices of ``df`` (open, >= 1 day past due; unknown age never is), most days past due first.

    {aging_parameters}
    {aging_options}

    Returns
    -------
    pandas.DataFrame
        The rows of :func:`aging_buckets` with ``days_past_due >= 1``, index labels kept, sorted by
        ``days_past_due`` then ``outstanding``, both descending (stable).

    {aging_raises}

    {aging_see_also}

    Examples
    --------
    >>> df = pd.DataFrame({"invoice_id": ["A1", "A2", "B1"], "status": ["unpaid", "overdue", "unpaid"],
    ...                    "issued_at": pd.to_datetime(["2024-01-01"] * 3),
    ...                    "due_at": pd.to_datetime(["2024-02-15", "2024-01-15", "2024-02-01"]),
    ...                    "outstanding": [100_000, 250_000, 75_000]})
    >>> overdue_invoices(df, "2024-02-15")[["invoice_id", "days_past_due"]]
      invoice_id  days_past_due
    1         A2             31
    2         B1             14
    """
    aged = aging_buckets(df, as_of, edges=edges, basis=basis, terms_days=terms_days)
    days = aged["days_past_due"]
    late = overdue_mask(days.to_numpy(dtype=np.int64, na_value=0), days.notna().to_numpy())
    return aged[late].sort_values(["days_past_due", "outstanding"], ascending=False, kind="stable")


@doc(**AGING_DOCS)
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
    """Accounts-receivable aging per ``by``: open amounts per bucket, credits (in "Credit", any age), net balance.

    {aging_parameters}
    {by_customer}
    {aging_options}
    {totals}

    Returns
    -------
    pandas.DataFrame
        One row per ``by`` value with an open invoice or a credit, sorted by Total descending (ties by key);
        columns every bucket label, then "Credit" (<= 0) and "Total" (the net balance), all ``int64``.

    {aging_raises}

    {aging_see_also}

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
    ...     "outstanding": [100_000, 250_000, 75_000, -5_000, 999, 20_000]})
    >>> aging_report(df, "2024-02-15")[["1-30", "31-60", "Credit", "Total"]]  # doctest: +NORMALIZE_WHITESPACE
                                         1-30   31-60  Credit   Total
    customer_name customer_id provider
    Ani           C1          faspay   100000  250000       0  350000
    Budi          M7          mayar         0   75000   -5000   70000
    Ani           C2          faspay    20000       0       0   20000
    """
    edges = check_edges(edges)
    labels = bucket_labels(edges)
    nb = len(labels)
    day = as_of_day(as_of)
    rows, amounts = checked_rows(df, "aging_report", sign="nonzero", by=by, basis=basis, day=day)
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


@doc(**AGING_DOCS)
def credit_invoices(df: pd.DataFrame) -> pd.DataFrame:
    """The credit rows of ``df``: a negative outstanding on a counted invoice.

    {conventions}

    Parameters
    ----------
    df : pandas.DataFrame
        Invoices in the core schema. Needs ``status``, ``outstanding`` and ``issued_at``.

    Returns
    -------
    pandas.DataFrame
        The credit rows in frame order, every column and index label of ``df``.

    Raises
    ------
    KeyError
        When ``df`` lacks a column it needs; the message names them.

    {aging_see_also}

    Examples
    --------
    >>> df = pd.DataFrame({"invoice_id": ["A", "B", "C"], "status": ["paid", "cancelled", None],
    ...                    "issued_at": pd.to_datetime(["2024-01-01"] * 3), "outstanding": [-5_000, -1_000, -7]})
    >>> credit_invoices(df)["invoice_id"].tolist()
    ['A', 'C']
    """
    rows, _ = checked_rows(df, "credit_invoices", sign="credit", basis=None)
    return df.take(rows)
