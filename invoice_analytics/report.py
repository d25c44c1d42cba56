"""The aging report workbook and terminal summary behind ``invoice-analytics report``.

Sheets: "Aging by customer" (:func:`~invoice_analytics.aging.aging_report`),
"Overdue invoices" (open invoices 1+ days past due, oldest first) and "Paid
ratio by month" (:func:`~invoice_analytics.ratios.paid_ratio` by issue
month, by count and by amount). Rupiah stay numeric integers in the cells,
shown with a rupiah number format, ratios as percents; datetimes are written
as Asia/Jakarta wall time (Excel has no time zones).

>>> import tempfile, pathlib
>>> from invoice_analytics.sources import load_invoices
>>> df = load_invoices(demo=True, progress=False)
>>> path = pathlib.Path(tempfile.mkdtemp()) / "aging.xlsx"
>>> sorted(write_workbook(df, path, as_of="2026-11-21"))
['Aging by customer', 'Overdue invoices', 'Paid ratio by month']
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from invoice_analytics._format import format_rupiah
from invoice_analytics.aging import aging_buckets, aging_report, overdue_totals
from invoice_analytics.dashboard import RUPIAH_FORMAT, write_excel
from invoice_analytics.ratios import paid_ratio

__all__ = ["RUPIAH_FORMAT", "overdue_invoices", "summary_table", "write_workbook"]


def overdue_invoices(df: pd.DataFrame, as_of=None, *, edges: Sequence[int] = (30, 60, 90), basis: str = "due",
                     terms_days: int = 0) -> pd.DataFrame:
    """Open invoices at least one day past due, most days first."""
    aged = aging_buckets(df, as_of, edges=edges, basis=basis, terms_days=terms_days)
    overdue = aged[aged["days_past_due"].fillna(0) >= 1]
    columns = ["provider", "invoice_id", "customer_name", "status", "issued_at", "due_at",
               "outstanding", "days_past_due", "bucket"]
    return overdue[columns].sort_values(["days_past_due", "outstanding"], ascending=False, kind="stable")


def write_workbook(df: pd.DataFrame, path: str | Path, as_of=None, *, edges: Sequence[int] = (30, 60, 90),
                   basis: str = "due", terms_days: int = 0) -> dict[str, pd.DataFrame]:
    """Write the aging workbook to ``path`` (with :func:`~invoice_analytics.dashboard.write_excel`)
    and return its sheets as frames."""
    sheets = {
        "Aging by customer": aging_report(df, as_of, edges=edges, basis=basis, terms_days=terms_days),
        "Overdue invoices": overdue_invoices(df, as_of, edges=edges, basis=basis, terms_days=terms_days),
        "Paid ratio by month": _paid_by_month(df),
    }
    write_excel(path, sheets)
    return sheets


def _paid_by_month(df: pd.DataFrame) -> pd.DataFrame:
    by_count = paid_ratio(df, by="issue_month", weight="count")
    by_amount = paid_ratio(df, by="issue_month", weight="amount")
    by_count = by_count.rename(columns={"paid_ratio": "paid_ratio_by_count"})
    return by_count.join(by_amount.rename(columns={"paid_ratio": "paid_ratio_by_amount"}))


def summary_table(df: pd.DataFrame, as_of=None, *, edges: Sequence[int] = (30, 60, 90), basis: str = "due",
                  terms_days: int = 0) -> str:
    """A compact per-provider table for the terminal, rupiah thousands-separated.

    >>> from invoice_analytics.schema import empty_frame
    >>> print(summary_table(empty_frame(), "2026-11-21"))
    No invoices.
    """
    report = aging_report(df, as_of, by="provider", edges=edges, basis=basis, terms_days=terms_days)
    if report.empty:
        return "No invoices."
    overdue = overdue_totals(df, as_of, by="provider", terms_days=terms_days)
    ratio = paid_ratio(df, by="provider", totals=True)
    counts = df.groupby("provider", observed=True).size()
    table = report.copy()
    table.insert(0, "Invoices", counts.reindex(table.index).fillna(counts.sum()).astype(int))
    table["Overdue"] = overdue["overdue_amount"].reindex(table.index)
    table["Paid ratio"] = ratio["paid_ratio"].reindex(table.index)
    shown = table.astype(object)
    for name in table.columns:
        if name == "Paid ratio":
            shown[name] = [f"{v:.1%}" if pd.notna(v) else "–" for v in table[name]]
        elif name == "Invoices":
            shown[name] = [f"{int(v):,}" for v in table[name]]
        else:
            shown[name] = [format_rupiah(int(v)) if pd.notna(v) else "–" for v in table[name]]
    return shown.to_string()
