"""The panel's headline figures (KPIs) and its bucket schemes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from invoice_analytics._docs import doc
from invoice_analytics._types import AsOf, Terms
from invoice_analytics.analytics._groupby import checked_sum
from invoice_analytics.analytics._rules import DEFAULT_EDGES, bucket_labels, check_edges
from invoice_analytics.analytics.aging import aging_report, credit_invoices, overdue_totals
from invoice_analytics.analytics.ratios import paid_ratio

__all__ = ["BUCKET_SCHEMES", "panel_kpis"]

#: Bucket schemes offered by the panel: label -> aging edges (days); the first is the default.
BUCKET_SCHEMES: dict[str, tuple[int, ...]] = {
    "30/60/90": DEFAULT_EDGES,
    "30/60/90/120": (30, 60, 90, 120),
    "15/30/45/60": (15, 30, 45, 60),
}



@doc()
def panel_kpis(
    df: pd.DataFrame, as_of: AsOf = None, *, edges: Iterable[int] = DEFAULT_EDGES, terms_days: Terms = 0,
) -> dict[str, Any]:
    """Headline figures of ``df`` as plain Python numbers.

    Aged from the due date. :class:`FilterPanel` shows them as cards; :func:`overdue_totals`, :func:`aging_report`,
    :func:`paid_ratio` and :func:`credit_invoices` give them in detail.
    {conventions}

    Parameters
    ----------
    df : pandas.DataFrame
        Invoices in the core schema. Needs ``status``, ``outstanding``, ``issued_at`` and ``due_at``.
    {as_of}
    edges : Iterable[int], default DEFAULT_EDGES
        The aging bucket edges; ``oldest_*`` is about the last bucket, e.g. ">90" for ``(30, 60, 90)``.
    {terms_days}

    Returns
    -------
    dict
        ``invoices`` (rows), ``open_count`` / ``open_amount``, ``overdue_count`` / ``overdue_amount``
        (computed, not the providers' status: the panel's "Past due"), ``oldest_label`` / ``oldest_amount``
        (the last bucket), ``credit_count`` / ``credit_amount`` (<= 0), ``net_balance``, ``counted_count`` /
        ``paid_count`` (``int``), and ``paid_ratio`` (``float``; None when nothing is counted).

    Raises
    ------
    {raises_aging}
        Also when ``terms_days`` are not whole days >= 0.

    Examples
    --------
    >>> df = pd.DataFrame({"status": ["unpaid", "overdue", "paid", "paid"], "issued_at": pd.Timestamp("2024-01-01"),
    ...                    "due_at": pd.to_datetime(["2024-02-15", "2023-10-01", None, None]),
    ...                    "outstanding": [100_000, 250_000, 0, -5_000]})
    >>> k = panel_kpis(df, "2024-02-15")
    >>> k["open_amount"], k["overdue_amount"], k["oldest_amount"], k["credit_amount"], k["paid_ratio"]
    (350000, 250000, 250000, -5000, 0.5)
    """
    edges = check_edges(edges)
    labels = bucket_labels(edges)
    with np.errstate(divide="ignore", invalid="ignore"):
        totals = _only_row(overdue_totals(df, as_of, by=None, terms_days=terms_days))
        buckets = _only_row(aging_report(df, as_of, by=None, edges=edges, terms_days=terms_days))
        ratio = _only_row(paid_ratio(df, totals=False))
    credit_rows = credit_invoices(df)
    credit_amount = checked_sum(credit_rows["outstanding"]) if len(credit_rows) else 0
    counted = int(ratio["invoice_count"])
    return {
        "invoices": len(df),
        "open_count": int(totals["open_count"]),
        "open_amount": int(totals["open_amount"]),
        "overdue_count": int(totals["overdue_count"]),
        "overdue_amount": int(totals["overdue_amount"]),
        "oldest_label": labels[-1],
        "oldest_amount": int(buckets[labels[-1]]),
        "credit_count": len(credit_rows),
        "credit_amount": credit_amount,
        "net_balance": int(totals["open_amount"]) + credit_amount,
        "counted_count": counted,
        "paid_count": int(ratio["paid_count"]),
        "paid_ratio": None if counted == 0 else float(ratio["paid_ratio"]),
    }


def _only_row(frame: pd.DataFrame) -> dict[str, Any]:
    """The single "Total" row of an ungrouped result (zeros when it is empty)."""
    if len(frame):
        row: dict[str, Any] = frame.iloc[0].to_dict()
        return row
    return {c: 0 for c in frame.columns}
