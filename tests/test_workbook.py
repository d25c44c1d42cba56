"""The finance-ready workbook writer (these were the doctests of ``invoice_analytics/workbook.py``).

The report's and the pack's workbooks, written through it, are tested in test_report.py and tests/pack/.
"""

from __future__ import annotations

import openpyxl
import pandas as pd

from invoice_analytics.workbook import column_mm, sheet_scale, write_sheets


def test_a_sheet_has_its_title_block_human_headers_rupiah_and_print_titles(tmp_path):
    frame = pd.DataFrame({"customer_name": ["Ani", "Total"], "outstanding": [350_000, 350_000]})
    path = write_sheets(tmp_path / "a.xlsx", {"Aging": frame}, titles={"Aging": ["Aging", "As of 2026-11-30"]})
    sheet = openpyxl.load_workbook(path)["Aging"]
    assert [c.value for c in sheet[4]] == ["Customer", "Outstanding"]
    assert (sheet["B5"].value, sheet["B5"].number_format) == (350000, '"Rp" #,##0;-"Rp" #,##0')
    assert sheet.print_title_rows == "$4:$4"


def test_print_scale_fits_the_columns_to_a4_landscape():
    assert round(column_mm(10), 1) == 19.8
    assert (sheet_scale([10] * 10), sheet_scale([20] * 10)) == (100, 72)
