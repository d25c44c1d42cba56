"""The workbook engine, measured: the panel's export of 100,000 invoices with each writer, side by side.

    python benchmarks/bench_workbook.py [--rows 100000] [--skip-cell-by-cell]

Writes the same two sheets (the aging report by customer and the invoices
shown, finance columns) with: openpyxl cell by cell (``write_excel``, what
the panel used), openpyxl's write-only mode (streamed rows,
``WriteOnlyCell`` formats), and XlsxWriter (``pack._workbook.write_sheets``,
the one writer of the pack, the report and the panel). Prints seconds and
file sizes.
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
from invoice_analytics.pack._workbook import RUPIAH, write_sheets

COLUMNS = ["provider", "invoice_id", "customer_name", "customer_id", "status", "issued_at", "due_at", "amount",
           "outstanding"]


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
    parser.add_argument("--skip-cell-by-cell", action="store_true")
    args = parser.parse_args()
    df = frame(args.rows)
    as_of = "2026-11-21"
    report = ia.aging_report(df, as_of, by="customer", totals=True)
    shown = df[COLUMNS]
    sheets = {"Aging report": report, "Invoices": shown}
    results = []
    with tempfile.TemporaryDirectory() as folder:
        engines = [
            ("XlsxWriter (write_sheets)", lambda p: write_sheets(p, sheets)),
            ("openpyxl write-only", lambda p: openpyxl_write_only(p, sheets)),
        ]
        if not args.skip_cell_by_cell:
            engines.append(("openpyxl cell by cell (write_excel)", lambda p: write_excel(p, sheets)))
        for name, write in engines:
            path = Path(folder) / f"{len(results)}.xlsx"
            start = time.perf_counter()
            write(path)
            seconds = time.perf_counter() - start
            results.append((name, seconds, path.stat().st_size))
    print(f"{len(shown):,} invoices ({len(COLUMNS)} columns) + the aging by customer ({len(report):,} rows), "
          f"Python {sys.version.split()[0]}")
    for name, seconds, size in results:
        print(f"  {name:<38} {seconds:6.2f} s  {size / 1e6:5.1f} MB")


if __name__ == "__main__":
    main()
