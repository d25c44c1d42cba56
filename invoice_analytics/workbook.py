"""The one writer of finance-ready workbooks: the report's, the pack's and the panel's (XlsxWriter).

Each sheet: a title block (title, as-of date, source, notes), then the table with human headers
(:data:`HEADERS`); rupiah integers shown as ``"Rp" #,##0``, Excel dates, percents. Printed A4 landscape with the
header row repeated and "Page n of N", at 100 % or the scale that fits the width (a sheet may ask for a smallest
scale, wrapping its widest text columns). No cell is a formula, as in :func:`~invoice_analytics.write_excel`.
XlsxWriter, not openpyxl: several times faster (``benchmarks/bench_workbook.py``) and it sets every print option."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from invoice_analytics.export import _excel_text, atomic_path, excel_ready

__all__ = ["HEADERS", "PRINTABLE_MM", "RUPIAH", "column_kind", "column_mm", "sheet_scale", "write_sheets"]

#: Column name -> the header a reader sees, for every sheet finance files (one place).
HEADERS: dict[str, str] = {
    "provider": "Provider", "invoice_id": "Invoice", "customer_name": "Customer", "customer_id": "Customer ID",
    "status": "Status", "issued_at": "Issue date", "due_at": "Due date", "due_date": "Due date",
    "outstanding": "Outstanding", "days_past_due": "Days past due", "bucket": "Bucket",
    "issue_month": "Month", "invoice_count": "Invoices", "paid_count": "Paid invoices",
    "billed_amount": "Billed (Mayar)", "paid_amount": "Paid (Mayar)",
    "paid_ratio_by_count": "Paid ratio (count)", "paid_ratio_by_amount": "Paid ratio (amount, Mayar only)",
    "open_count": "Open invoices", "open_amount": "Open", "overdue_count": "Overdue invoices",
    "overdue_amount": "Overdue", "overdue_share": "Overdue share", "oldest_invoice_id": "Oldest invoice",
    "oldest_due_date": "Oldest due date", "oldest_days_past_due": "Oldest days past due",
    "customer_email": "Email", "customer_mobile": "Phone", "amount": "Amount", "kind": "Kind",
    "topic": "Topic", "convention": "Convention",
}
#: Headers of the pack's and the panel's columns, beyond :data:`HEADERS`.
_MORE_HEADERS: dict[str, str] = {
    "previous": "Previous month end", "this_month": "This month end", "change": "Change", "direction": "Moved",
    "status_before": "Status before", "status_after": "Status after", "amount_before": "Amount before",
    "amount_after": "Amount after", "outstanding_before": "Outstanding before",
    "outstanding_after": "Outstanding after", "outstanding_change": "Outstanding change",
    "seen_unchanged_at": "Last seen unchanged", "seen_changed_at": "First seen changed", "date": "Month end",
    "start_amount": "Open at start", "receivables": "Receivables", "dso_days": "DSO (days)",
    "months_counted": "Months counted", "is_lower_bound": "Lower bound", "amounts": "Amounts used",
    "median_days_to_pay_low": "Median days to pay (from)", "median_days_to_pay_high": "Median (to)",
    "p90_days_to_pay_low": "90th pct (from)", "p90_days_to_pay_high": "90th pct (to)",
    "median_window_days": "Days between refreshes", "amount_basis": "Amount is", "paid_to_date": "Paid to date",
    "balance": "Balance", "line": "Line", "seen_after": "Seen after", "seen_by": "Seen by",
    "balance_change": "Balance change", "item": "Item", "value": "Value", "kpi": "KPI", "setting": "Setting",
}

#: Every column's header: :data:`HEADERS` over the pack's and the panel's (read by :func:`header`).
_ALL_HEADERS: dict[str, str] = {**_MORE_HEADERS, **HEADERS}


def header(name: str, default: str | None = None) -> str:
    """The human header of column ``name`` in the workbooks, the PDFs and the panel; a name not listed gives
    ``default`` (None: its words, capitalised)."""
    found = _ALL_HEADERS.get(name)
    if found is not None:
        return found
    return name.replace("_", " ").capitalize() if default is None else default


_HINT = "finance workbooks need XlsxWriter, an optional dependency: pip install 'invoice-analytics[excel]'"

RUPIAH = '"Rp" #,##0;-"Rp" #,##0'
#: The printable width of A4 landscape with 10 mm margins, in millimetres.
PRINTABLE_MM = 277.0
_MARGIN_IN = 0.4
_WIDTHS = {"customer_name": 28, "customer_id": 15, "provider": 8, "invoice_id": 19, "customer_email": 24,
           "customer_mobile": 14, "amounts": 30, "line": 16, "item": 24, "value": 90, "topic": 20,
           "convention": 100, "direction": 11}


def column_mm(width: float) -> float:
    """The printed width in millimetres of an Excel column ``width`` characters wide (7 px a character + 5)."""
    return (7 * width + 5) * 25.4 / 96


def sheet_scale(widths: Sequence[float]) -> int:
    """The print scale (percent, at most 100) at which columns of these widths fit A4 landscape."""
    total = sum(column_mm(w) for w in widths)
    return max(10, min(100, math.floor(100 * PRINTABLE_MM / total))) if total else 100


def column_kind(name: str, series: pd.Series, sheet: str) -> str:
    """How a column is shown: money, count, days, percent, decimal, date, datetime, month, bool or text."""
    dtype = series.dtype
    lowered = name.lower()
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_integer_dtype(dtype):
        if "count" in lowered or lowered in ("months_counted",):
            return "count"
        return "days" if "days" in lowered else "money"
    if pd.api.types.is_float_dtype(dtype):
        return "percent" if sheet == "Roll rates" or "ratio" in lowered or "share" in lowered else "decimal"
    if isinstance(dtype, np.dtype) and dtype.kind == "M":
        times = series.dropna()
        midnight = bool(len(times)) and bool((times == times.dt.normalize()).all())
        return "date" if midnight or not len(times) else "datetime"
    return "text"


def write_sheets(
    path: str | Path,
    sheets: Mapping[str, pd.DataFrame],
    *,
    titles: Mapping[str, Sequence[str]] | None = None,
    headers: Mapping[str, str] | None = None,
    min_scale: Mapping[str, int] | None = None,
    page_breaks: Mapping[str, str] | None = None,
    formats: Mapping[str, str] | None = None,
) -> Path:
    """Write ``sheets`` (name -> frame; a named index becomes columns) as one finance-ready workbook.

    Per sheet: ``titles``, the lines above the table (the first bold); ``min_scale``, the smallest print scale
    (wider text columns wrapped to fit); ``page_breaks``, a column whose every change starts a printed page.
    ``formats``: column name -> an Excel number format over the default (e.g. ``"mmm yyyy"``).
    """
    try:
        import xlsxwriter
    except ImportError as exc:
        raise ImportError(_HINT) from exc
    path = Path(path)
    shown = {**_ALL_HEADERS, **(headers or {})}
    with atomic_path(path) as temporary:
        book = xlsxwriter.Workbook(str(temporary), {"constant_memory": False, "strings_to_formulas": False,
                                                     "strings_to_urls": False, "strings_to_numbers": False,
                                                     "nan_inf_to_errors": False})
        bold = book.add_format({"bold": True})
        head = book.add_format({"bold": True, "bottom": 1, "text_wrap": True, "valign": "top"})
        title_format = book.add_format({"bold": True, "font_size": 14})
        styles = {
            "money": book.add_format({"num_format": RUPIAH}),
            "count": book.add_format({"num_format": "#,##0"}),
            "days": book.add_format({"num_format": "0"}),
            "percent": book.add_format({"num_format": "0.0%"}),
            "decimal": book.add_format({"num_format": "0.0"}),
            "date": book.add_format({"num_format": "yyyy-mm-dd"}),
            "datetime": book.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
            "text": book.add_format({}),
            "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
            "bool": book.add_format({}),
        }
        for name, frame in sheets.items():
            index = any(n is not None for n in frame.index.names)
            table = _excel_text(excel_ready(frame, index=index), name)
            table.columns = [str(c) for c in table.columns]
            lines = list((titles or {}).get(name, [name]))
            sheet = book.add_worksheet(name)
            sheet.write_string(0, 0, lines[0], title_format)
            for i, line in enumerate(lines[1:], start=1):
                sheet.write_string(i, 0, line)
            top = len(lines) + 1  # 0-based header row: after the title lines and a blank row
            cols = list(table.columns)
            kinds = [column_kind(c, table[c], name) for c in cols]
            widths = []
            for c, kind in zip(cols, kinds, strict=True):
                label = shown.get(c, c)
                if c in _WIDTHS:
                    width = _WIDTHS[c]
                elif kind == "money":
                    width = 15
                elif kind in ("date", "count", "days", "percent", "decimal", "bool"):
                    width = max(10, min(len(label), 14))
                elif kind == "datetime":
                    width = 16
                else:
                    sample = [len(str(v)) for v in table[c].head(200).tolist()]
                    width = min(max([len(label), *sample]) + 1, 30)
                widths.append(width)
            scale = sheet_scale(widths)
            floor = (min_scale or {}).get(name)
            if floor and scale < floor:  # wrap the widest text columns until the sheet fits at the floor
                while scale < floor:
                    widest = max((i for i, k in enumerate(kinds) if k == "text"), key=lambda i: widths[i],
                                 default=None)
                    if widest is None or widths[widest] <= 10:
                        break
                    widths[widest] -= 1
                    scale = sheet_scale(widths)
            for j, (c, kind) in enumerate(zip(cols, kinds, strict=True)):
                wrap = kind == "text" and c not in ("value", "convention") and max(
                    [0, *(len(str(v)) for v in table[c].head(200).tolist())]) > widths[j]
                sheet.set_column(j, j, widths[j], styles["wrap"] if wrap or c in ("value", "convention") else None)
                sheet.write_string(top, j, shown.get(c, c), head)
            column_styles = [styles[k] for k in kinds]
            for j, c in enumerate(cols):
                if formats and c in formats:
                    column_styles[j] = book.add_format({"num_format": formats[c]})
            _write_rows(sheet, table, kinds, top + 1, column_styles, bold)
            last = top + len(table)
            sheet.freeze_panes(top + 1, 0)
            if cols:
                sheet.autofilter(top, 0, max(last, top), len(cols) - 1)
            sheet.set_landscape()
            sheet.set_paper(9)  # A4
            sheet.set_margins(left=_MARGIN_IN, right=_MARGIN_IN, top=0.5, bottom=0.6)
            sheet.repeat_rows(top)  # only the header row repeats on every printed page
            sheet.set_footer(f"&L{_footer(lines)}&CPage &P of &N&R{_footer([name])}")
            if scale < (floor or 0):
                sheet.fit_to_pages(1, 0)
            else:
                sheet.set_print_scale(scale)
            breaks = (page_breaks or {}).get(name)
            if breaks and breaks in table.columns and len(table):
                values = table[breaks].astype(str).to_numpy()
                starts = np.flatnonzero(values[1:] != values[:-1]) + 1
                sheet.set_h_pagebreaks([int(top + 1 + s) for s in starts][:1023])
        book.close()
    return path


def _footer(lines: Sequence[str]) -> str:
    return lines[0].replace("&", "&&")[:60] if lines else ""


def _write_rows(sheet: Any, table: pd.DataFrame, kinds: list[str], first: int, styles: list[Any],
                bold: Any) -> None:
    """Write the table's cells by column: numbers as numbers, dates as dates, text as strings (never formulas)."""
    n = len(table)
    total_rows = set()
    if n and table.columns.size:  # the totals row is the last one, never a group that happens to be named so
        last = table.iloc[-1, 0]
        total_rows = {n - 1} if isinstance(last, str) and last in ("Total", "All providers") else set()
    for j, (c, kind) in enumerate(zip(table.columns, kinds, strict=True)):
        column = table[c]
        missing = column.isna().to_numpy()
        fmt = styles[j]
        if kind in ("money", "count", "days"):
            values = column.to_numpy(dtype=np.float64, na_value=np.nan)
            for i in range(n):
                if not missing[i]:
                    sheet.write_number(first + i, j, int(values[i]), fmt)
        elif kind in ("percent", "decimal"):
            values = column.to_numpy(dtype=np.float64, na_value=np.nan)
            for i in range(n):
                if not missing[i] and math.isfinite(values[i]):
                    sheet.write_number(first + i, j, float(values[i]), fmt)
        elif kind in ("date", "datetime"):
            stamps = column.tolist()
            for i in range(n):
                if not missing[i]:
                    sheet.write_datetime(first + i, j, pd.Timestamp(stamps[i]).to_pydatetime(), fmt)
        elif kind == "bool":
            for i, v in enumerate(column.tolist()):
                if not missing[i]:
                    sheet.write_string(first + i, j, "yes" if v else "no")
        else:
            for i, v in enumerate(column.astype(object).tolist()):
                if not missing[i]:
                    text = v.isoformat() if isinstance(v, dt.date) else str(v)
                    sheet.write_string(first + i, j, text, bold if i in total_rows else None)
