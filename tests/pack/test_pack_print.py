"""The pack's files, read back: workbook page setup and titles (openpyxl), the PDF's text (pypdf)."""

from __future__ import annotations

import re

import pytest

from invoice_analytics.cli import main
from invoice_analytics.formatting import format_rupiah
from invoice_analytics.pack import month_end_pack
from invoice_analytics.workbook import PRINTABLE_MM, column_mm

openpyxl = pytest.importorskip("openpyxl")
pypdf = pytest.importorskip("pypdf")
from tests.support.pdf import read_typeset  # noqa: E402 - needs pypdf

TERMS = {"mayar": 14}


@pytest.fixture(scope="module")
def written(small_demo_store, tmp_path_factory):
    pack = month_end_pack(small_demo_store, "2026-10", terms_days=TERMS)
    where = tmp_path_factory.mktemp("pack")
    return pack, pack.to_excel(where / "pack.xlsx"), pack.to_pdf(where / "pack.pdf")


def header_row(sheet) -> int:
    match = re.fullmatch(r"\$(\d+):\$(\d+)", sheet.print_title_rows or "")
    assert match and match.group(1) == match.group(2), f"{sheet.title}: repeats {sheet.print_title_rows!r}"
    return int(match.group(1))


def test_every_sheet_says_its_as_of_and_repeats_only_its_header_row(written):
    pack, xlsx, _ = written
    book = openpyxl.load_workbook(xlsx)
    assert book.sheetnames == ["Cover", *pack.sections]
    for sheet in book.worksheets:
        top = header_row(sheet)
        assert sheet["A1"].value == sheet.title and sheet["A1"].font.bold
        assert "as of 2026-10-31" in sheet["A2"].value and "DEMO DATA" in sheet["A2"].value
        assert all(c.font.bold for c in sheet[top] if c.value is not None)
        assert sheet.freeze_panes == f"A{top + 1}"
        setup = sheet.page_setup
        assert setup.orientation == "landscape" and int(setup.paperSize) == 9  # A4
        assert "Page &P of &N" in sheet.oddFooter.center.text
        text = " ".join(str(c.value) for row in sheet.iter_rows(max_row=top - 1) for c in row if c.value)
        assert "balances are those of the load" not in text.lower()  # a store's pack never says so


def test_aging_by_customer_prints_at_85_percent_or_more(written):
    _, xlsx, _ = written
    sheet = openpyxl.load_workbook(xlsx)["Aging by customer"]
    scale = sheet.page_setup.scale or 100
    assert scale >= 85 and not (sheet.sheet_properties.pageSetUpPr and sheet.sheet_properties.pageSetUpPr.fitToPage)
    widths = [sheet.column_dimensions[chr(ord("A") + i)].width for i in range(sheet.max_column)]
    assert sum(column_mm(w) for w in widths) * scale / 100 <= PRINTABLE_MM  # and the columns fit at that scale


def test_money_is_numeric_rupiah_and_statements_break_per_customer(written, small_demo_store):
    pack, xlsx, _ = written
    book = openpyxl.load_workbook(xlsx)
    summary = book["Summary by provider"]
    top = header_row(summary)
    headers = [c.value for c in summary[top]]
    total = next(r for r in summary.iter_rows(min_row=top + 1, values_only=True) if r[0] == "Total")
    assert total[headers.index("Total")] == int(pack.sections["Summary by provider"].loc["Total", "Total"])
    assert summary.cell(top + 1, headers.index("Total") + 1).number_format == '"Rp" #,##0;-"Rp" #,##0'
    statements = book["Statements"]
    customers = pack.sections["Statements"][["customer_name", "customer_id", "provider"]].astype(str)
    changes = int((customers["customer_name"] != customers["customer_name"].shift()).sum()) - 1
    assert len(statements.row_breaks.brk) == changes > 10


def test_the_pdf_is_typeset_with_numbered_pages_and_full_rupiah(written):
    pack, _, pdf = written
    pages = read_typeset(pdf)  # and on no page do two things collide
    n = len(pages)
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {n}" in text
        assert "as of 2026-10-31" in text
    assert "DEMO DATA" in pages[0] and "Month-end accounts receivable pack" in pages[0]
    summary_page = next(t for t in pages if t.split("\n")[1].startswith("Summary by provider"))
    total = int(pack.sections["Summary by provider"].loc["Total", "Total"])
    assert format_rupiah(total, compact=False) in summary_page  # full rupiah, e.g. Rp 2.274.350.800
    assert not re.search(r"\d (jt|M|rb)\b", summary_page)  # no compact amounts in a table
    statements = [t for t in pages if "Statement of account:" in t]
    names = pack.sections["Collections"]["customer_name"].astype(str).tolist()
    firsts = [t for t in statements if "Open items" in t]
    assert len(firsts) == len(names)  # one statement (starting a page) per customer to chase
    for name, text in zip(names, firsts, strict=True):
        assert f"Statement of account: {name}"[:60] in text
    start = pages.index(firsts[0])  # the first statement's pages: up to the next statement's first page
    first = pages[start:pages.index(firsts[1])] if len(firsts) > 1 else pages[start:]
    assert "Opening balance" in " ".join(first) and "Closing balance" in " ".join(first)
    assert "Faspay lists carry no invoice amount" in " ".join(pages)


def test_pack_command_writes_both_files(small_demo_store, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["pack", "--store", str(small_demo_store.path), "--month", "2026-10", "--terms", "mayar=14"]) == 0
    out = capsys.readouterr().out
    assert "Wrote pack-2026-10.xlsx and pack-2026-10.pdf" in out and "Note: Mayar" not in out
    assert (tmp_path / "pack-2026-10.xlsx").stat().st_size > 0 and (tmp_path / "pack-2026-10.pdf").read_bytes()[:5] == \
        b"%PDF-"
    assert main(["pack", "--store", str(small_demo_store.path), "--month", "2026-12"]) == 1
    assert "last full month is 2026-10" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["pack", "--store", str(small_demo_store.path), "--month", "2026-13"])
    assert main(["pack", "--month", "2026-10"]) == 1
    assert "give --store DIR" in capsys.readouterr().err
