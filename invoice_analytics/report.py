"""The aging report workbook and terminal summary behind ``invoice-analytics report``.

Sheets: "Aging by customer" (:func:`~invoice_analytics.aging_report`),
"Overdue invoices" (open invoices 1+ days past due, oldest first) and "Paid
ratio by month" (:func:`~invoice_analytics.paid_ratio` by issue
month, by count and by amount). Rupiah stay numeric integers in the cells,
shown with a rupiah number format, ratios as percents; datetimes are written
as Asia/Jakarta wall time (Excel has no time zones).

>>> import tempfile, pathlib
>>> import invoice_analytics as ia
>>> df = ia.load_invoices(demo=True, progress=False)
>>> path = pathlib.Path(tempfile.mkdtemp()) / "aging.xlsx"
>>> sheets = write_workbook(df, path, as_of="2026-11-21")
>>> import openpyxl  # read the file back: the sheets, and the grand total as a number
>>> book = openpyxl.load_workbook(path)
>>> aging = book["Aging by customer"]
>>> book.sheetnames, aging.cell(aging.max_row, 1).value, aging.cell(aging.max_row, aging.max_column).value
(['Aging by customer', 'Overdue invoices', 'Paid ratio by month'], 'Total', 2019213000)
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from invoice_analytics._types import AsOf, Basis
from invoice_analytics.analytics._rules import DEFAULT_EDGES
from invoice_analytics.analytics.aging import aging_report, overdue_invoices, overdue_totals
from invoice_analytics.analytics.ratios import paid_ratio
from invoice_analytics.display.formatting import format_count, format_percent, format_rupiah
from invoice_analytics.export import write_excel

__all__ = ["summary_table", "write_workbook"]

#: The columns of the "Overdue invoices" sheet.
_OVERDUE_COLUMNS = ["provider", "invoice_id", "customer_name", "status", "issued_at", "due_at",
                    "outstanding", "days_past_due", "bucket"]


def write_workbook(df: pd.DataFrame, path: str | Path, as_of: AsOf = None, *, edges: Sequence[int] = DEFAULT_EDGES,
                   basis: Basis = "due", terms_days: int = 0) -> dict[str, pd.DataFrame]:
    """Write the aging workbook to ``path`` (with :func:`~invoice_analytics.export.write_excel`)
    and return its sheets as frames."""
    overdue = overdue_invoices(df, as_of, edges=edges, basis=basis, terms_days=terms_days)
    sheets = {
        "Aging by customer": aging_report(df, as_of, edges=edges, basis=basis, terms_days=terms_days),
        "Overdue invoices": overdue[_OVERDUE_COLUMNS],
        "Paid ratio by month": _paid_by_month(df),
    }
    write_excel(path, sheets)
    return sheets


def _paid_by_month(df: pd.DataFrame) -> pd.DataFrame:
    by_count = paid_ratio(df, by="issue_month", weight="count", totals=False)
    by_amount = paid_ratio(df, by="issue_month", weight="amount", totals=False)
    by_count = by_count.rename(columns={"paid_ratio": "paid_ratio_by_count"})
    return by_count.join(by_amount.rename(columns={"paid_ratio": "paid_ratio_by_amount"}))


def summary_table(df: pd.DataFrame, as_of: AsOf = None, *, edges: Sequence[int] = DEFAULT_EDGES,
                  basis: Basis = "due", terms_days: int = 0) -> str:
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
            shown[name] = [format_percent(v) for v in table[name]]
        elif name == "Invoices":
            shown[name] = [format_count(int(v)) for v in table[name]]
        else:
            shown[name] = [format_rupiah(int(v)) if pd.notna(v) else "–" for v in table[name]]
    out: str = shown.to_string()
    return out
