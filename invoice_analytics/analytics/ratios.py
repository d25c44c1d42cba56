"""Paid ratios: how much of what we billed has been paid (the "Conventions" of :doc:`/guide/analytics`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from invoice_analytics._dates import month_ordinals
from invoice_analytics._docs import doc
from invoice_analytics._types import By, Weight
from invoice_analytics.analytics._groupby import checked_sum, exact_sums, finish, group_codes, ratios, require_by
from invoice_analytics.analytics._rules import ISSUE_MONTH, counted_mask, money, paid_mask, require

__all__ = ["issue_month", "paid_ratio"]


def issue_month(df: pd.DataFrame) -> pd.Series:
    """The Asia/Jakarta calendar month of each invoice's ``issued_at``.

    Aware datetimes are converted to Asia/Jakarta, naive ones read as its wall time. It is :func:`paid_ratio`'s
    ``by="issue_month"``; ``df.assign(issue_month=issue_month(df))`` makes it a column.

    Parameters
    ----------
    df : pandas.DataFrame
        Invoices with an ``issued_at`` column.

    Returns
    -------
    pandas.Series
        ``period[M]`` values (NaT when missing) named "issue_month", indexed like ``df``.

    Raises
    ------
    KeyError
        When ``df`` has no ``issued_at`` column.

    Examples
    --------
    >>> df = pd.DataFrame({"issued_at": pd.to_datetime(
    ...     ["2024-01-31 23:30:00+07:00", "2024-01-31 17:30:00+00:00", None], utc=True)})
    >>> issue_month(df).tolist()
    [Period('2024-01', 'M'), Period('2024-02', 'M'), NaT]
    """
    require(df, ["issued_at"], "issue_month")
    ordinals = month_ordinals(df["issued_at"])
    return pd.Series(
        pd.PeriodIndex.from_ordinals(ordinals, freq="M"), index=df.index, name=ISSUE_MONTH
    )


@doc()
def paid_ratio(
    df: pd.DataFrame, *, by: By = None, weight: Weight = "count", totals: bool = False
) -> pd.DataFrame:
    """Share of the counted invoices that are paid, per ``by``.

    {conventions}
    :func:`issue_month` gives the "issue_month" key as a column; :func:`plot_paid_ratio_by_month` draws it.

    Parameters
    ----------
    df : pandas.DataFrame
        Invoices in the core schema. Needs ``status``; with ``weight="amount"`` also ``amount`` and
        ``outstanding``; and the ``by`` columns (``issued_at`` for ``"issue_month"``).
    {by_none}
    weight : {"count", "amount"}, default "count"
        Count invoices ("paid" status; partially paid is not), or weigh them by rupiah: per invoice with a
        known amount, ``amount - max(outstanding, 0)`` clipped to ``[0, amount]`` is paid (a missing
        ``outstanding``: all if "paid", else 0).
    {totals}

    Returns
    -------
    pandas.DataFrame
        Indexed by ``by`` (sorted, missing last), groups with a counted invoice only; columns
        ``invoice_count``, ``paid_count`` or ``billed_amount``, ``paid_amount`` (``int64``), then
        ``paid_ratio`` (``Float64``; ``<NA>`` when nothing was billed: Faspay lists carry no amount).

    Raises
    ------
    {raises_aging}
        Also when ``weight`` is not "count" or "amount".

    Examples
    --------
    >>> df = pd.DataFrame({"status": ["paid", "partially_paid", "unpaid", "cancelled"],
    ...     "issued_at": pd.to_datetime(["2024-01-05", "2024-01-20", "2024-02-01", "2024-02-02"]),
    ...     "amount": [100_000, 200_000, 100_000, 50_000], "outstanding": [0, 50_000, 100_000, 50_000]})
    >>> paid_ratio(df, by="issue_month", totals=False)  # doctest: +NORMALIZE_WHITESPACE
                  invoice_count  paid_count  paid_ratio
    issue_month
    2024-01                   2           1         0.5
    2024-02                   1           0         0.0
    """
    if weight not in ("count", "amount"):
        raise ValueError(f"weight must be 'count' or 'amount', not {weight!r}")
    require(df, ["status"] + (["amount", "outstanding"] if weight == "amount" else []), "paid_ratio")
    require_by(df, by, "paid_ratio")
    rows = np.flatnonzero(counted_mask(df["status"]))
    paid = paid_mask(df["status"])
    group, index = group_codes(df, by, rows)
    n = len(index)
    if weight == "count":
        names = ("invoice_count", "paid_count")
        denominator = np.bincount(group, minlength=n).astype(np.int64)
        numerator = np.bincount(group[paid[rows]], minlength=n).astype(np.int64)
    else:
        names = ("billed_amount", "paid_amount")
        amount, amount_missing = money(df["amount"])
        outstanding, out_missing = money(df["outstanding"])
        if amount_missing is not None:
            keep = ~amount_missing[rows]
            rows, group = rows[keep], group[keep]
        amount = amount[rows]
        remaining = np.maximum(outstanding[rows], 0)
        if out_missing is not None:  # outstanding unknown: paid in full only if status says so
            remaining = np.where(out_missing[rows], np.where(paid[rows], 0, amount), remaining)
        settled = np.minimum(np.maximum(amount - remaining, 0), np.maximum(amount, 0))
        denominator = exact_sums(group, amount, n)
        numerator = exact_sums(group, settled, n)

    columns = {names[0]: denominator, names[1]: numerator, "paid_ratio": ratios(numerator, denominator)}
    grand = None
    if totals:
        num, den = checked_sum(numerator), checked_sum(denominator)
        grand = {names[0]: den, names[1]: num, "paid_ratio": ratios(np.array([num]), np.array([den]))[0]}
    return finish(index, columns, by=by, totals=grand)
