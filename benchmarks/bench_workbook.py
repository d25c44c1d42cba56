"""The workbook engine, measured: the panel's export of 100,000 invoices with each writer, side by side.

    python benchmarks/bench_workbook.py [--rows 100000] [--skip-cell-by-cell]

Builds a panel over N invoices (the demo data repeated) and writes what its
Export Excel writes (the aging report by customer, the overdue invoices, the
KPIs) with: XlsxWriter (``workbook.write_sheets``, the writer the panel and
the pack use), openpyxl's write-only mode (streamed rows, ``WriteOnlyCell``
formats) and openpyxl cell by cell (``write_excel``); then the panel's former
export (every filtered invoice, cell by cell). Prints seconds and sizes.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

import invoice_analytics as ia
from invoice_analytics.export import excel_ready, write_excel
from invoice_analytics.workbook import RUPIAH, write_sheets

COLUMNS = ["provider", "invoice_id", "customer_name", "customer_id", "status", "issued_at", "due_at",
           "outstanding", "days_past_due", "bucket"]


def frame(rows: int) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        demo = ia.load_invoices(demo=True, progress=False)
    copies = -(-rows // len(demo))
    pieces = []
    for i in range(copies):
        piece = demo.copy()
        piece["invoice_id"] = piece["invoice_id"].astype(str) + f"-{i}"
        pieces.append(piece)
    out = ia.combine(*pieces).iloc[:rows].reset_index(drop=True)
    return out


def openpyxl_write_only(path: Path, sheets: dict[str, pd.DataFrame]) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    for name, df in sheets.items():
        sheet = book.create_sheet(name)
        table = excel_ready(df, index=any(n is not None for n in df.index.names))
        sheet.append(list(map(str, table.columns)))
        money = [pd.api.types.is_integer_dtype(table[c].dtype) for c in table.columns]
        dates = [isinstance(table[c].dtype, np.dtype) and table[c].dtype.kind == "M" for c in table.columns]
        columns = [table[c].astype(object).where(table[c].notna(), None).tolist() for c in table.columns]
        for values in zip(*columns, strict=True):
            row = []
            for value, is_money, is_date in zip(values, money, dates, strict=True):
                if is_money or is_date:
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.number_format = RUPIAH if is_money else "yyyy-mm-dd"
                    row.append(cell)
                else:
                    row.append(value)
            sheet.append(row)
        sheet.print_title_rows = "1:1"
    book.save(path)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--skip-cell-by-cell", action="store_true", help="leave out openpyxl cell by cell (slow)")
    parser.add_argument("--skip-old-export", action="store_true",
                        help="leave out the panel's former export (every invoice, cell by cell: about a minute)")
    args = parser.parse_args()
    df = frame(args.rows)
    df.attrs["as_of"] = pd.Timestamp("2026-11-21 23:00", tz="Asia/Jakarta")
    panel = ia.FilterPanel(df, as_of="2026-11-21", terms_days={"mayar": 14})
    sheets = {"Aging report": panel.report, "Overdue invoices": ia.overdue_invoices(
        panel.filtered, "2026-11-21", terms_days={"mayar": 14})[COLUMNS], "KPIs": panel.kpi_frame()}
    results = []
    with tempfile.TemporaryDirectory() as folder:
        engines = [
            ("panel.export_excel (XlsxWriter)", lambda p: panel.export_excel(p)),
            ("same sheets, XlsxWriter (write_sheets)", lambda p: write_sheets(p, sheets)),
            ("same sheets, openpyxl write-only", lambda p: openpyxl_write_only(p, sheets)),
        ]
        if not args.skip_cell_by_cell:
            engines.append(("same sheets, openpyxl cell by cell", lambda p: write_excel(p, sheets)))
        if not args.skip_old_export:
            old = {"Aging report": panel.report, "KPIs": panel.kpi_frame(), "Invoices": panel.filtered}
            engines.append(("former export: every invoice, cell by cell", lambda p: write_excel(p, old)))
        for name, write in engines:
            path = Path(folder) / f"{len(results)}.xlsx"
            start = time.perf_counter()
            write(path)
            seconds = time.perf_counter() - start
            results.append((name, seconds, path.stat().st_size))
    overdue = len(sheets["Overdue invoices"])
    print(f"{len(df):,} invoices shown: aging by customer ({len(panel.report):,} rows), {overdue:,} overdue "
          f"invoices, KPIs; Python {sys.version.split()[0]}, pandas {pd.__version__}")
    for name, seconds, size in results:
        print(f"  {name:<44} {seconds:6.2f} s  {size / 1e6:5.1f} MB")


if __name__ == "__main__":
    main()
