"""The aging workbook finance files and prints: title block, human headers, bold, formats, print setup."""

from __future__ import annotations

import datetime as dt
import warnings

import pandas as pd
import pytest

openpyxl = pytest.importorskip("openpyxl")
from openpyxl.utils import get_column_letter  # noqa: E402

from invoice_analytics._combine import combine  # noqa: E402
from invoice_analytics.export import RUPIAH_FORMAT  # noqa: E402
from invoice_analytics.report import HEADERS, write_workbook  # noqa: E402
from invoice_analytics.workbook import PRINTABLE_MM, column_mm  # noqa: E402
from tests.support.frames import faspay, mayar  # noqa: E402

AS_OF = "2024-02-15"
TOP = 10  # sheet name, 7 title lines, a blank row, then the header


def invoices() -> pd.DataFrame:
    df = combine(
        faspay({"customer_name": "Ani", "customer_id": "F1", "outstanding": 300_000,
                "issued_at": "2024-01-01 10:30", "due_at": "2024-01-10 16:00"}),
        mayar({"customer_name": "Budi", "customer_id": "M7", "amount": 50_000, "issued_at": "2024-02-01 09:00"}),
    )
    df.attrs["source"] = "faspay, mayar"
    return df


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "aging.xlsx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        write_workbook(invoices(), path, AS_OF, terms_days={"mayar": 14})
    return openpyxl.load_workbook(path)


def test_every_sheet_has_the_title_block_and_print_setup(book) -> None:
    assert book.sheetnames == ["Aging by customer", "Overdue invoices", "Paid ratio by month", "Notes"]
    for sheet in book.worksheets:
        block = [sheet.cell(r, 1).value for r in range(1, TOP)]
        assert block[0] == sheet.title and sheet["A1"].font.bold
        assert block[1] == "Accounts receivable aging"
        assert block[2] == "As of: 2024-02-15 (Asia/Jakarta)"
        assert block[3] == "Basis: days past the due date"
        assert block[4] == "Terms: mayar 14 days, others 0, where no due date"
        assert block[5] == "Bucket edges: 30, 60, 90 days"
        assert block[6] == "Source: live: faspay, mayar"
        assert block[7].startswith("Generated: ") and block[7].endswith("WIB (Asia/Jakarta)")
        assert block[8] is None
        assert all(c.font.bold for c in sheet[TOP] if c.value is not None)
        assert sheet.freeze_panes == f"A{TOP + 1}"
        assert sheet.auto_filter.ref.startswith(f"A{TOP}:")
        setup = sheet.page_setup
        assert setup.orientation == "landscape" and int(setup.paperSize) == int(sheet.PAPERSIZE_A4)
        scale = setup.scale or 100  # one page wide: at this scale the columns fit A4 landscape
        widths = [sheet.column_dimensions[get_column_letter(i + 1)].width for i in range(sheet.max_column)]
        assert sum(column_mm(w) for w in widths) * scale / 100 <= PRINTABLE_MM
        assert sheet.print_title_rows == f"${TOP}:${TOP}"  # only the header row repeats
        assert "&P" in sheet.oddFooter.center.text and "&N" in sheet.oddFooter.center.text


def test_aging_sheet_headers_ids_and_bold_total(book) -> None:
    sheet = book["Aging by customer"]
    header = [c.value for c in sheet[TOP]]
    assert header[:3] == ["Customer", "Customer ID", "Provider"] and header[-2:] == ["Credit", "Total"]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=TOP + 1, values_only=True)}
    # Ani: due 2024-01-10, 36 days past due at 2024-02-15; Budi (Mayar, 14 days' terms): due 02-15, current
    assert rows["Ani"][:3] == ("Ani", "F1", "faspay") and rows["Ani"][header.index("31-60")] == 300_000
    assert rows["Budi"][header.index("Current")] == 50_000
    assert rows["Total"][-1] == 350_000
    total_row = sheet.max_row
    assert sheet.cell(total_row, 1).value == "Total" and sheet.cell(total_row, 1).font.bold
    assert sheet.cell(TOP + 1, 4).number_format == RUPIAH_FORMAT


def test_overdue_dates_are_dates_and_months_are_real_dates(book) -> None:
    sheet = book["Overdue invoices"]
    header = [c.value for c in sheet[TOP]]
    assert header == [HEADERS[c] for c in ["provider", "invoice_id", "customer_name", "customer_id", "status",
                                           "issued_at", "due_at", "outstanding", "days_past_due", "bucket"]]
    issued, due = sheet.cell(TOP + 1, 6), sheet.cell(TOP + 1, 7)
    assert issued.value == dt.datetime(2024, 1, 1) and issued.number_format == "yyyy-mm-dd"
    assert due.value == dt.datetime(2024, 1, 10) and due.number_format == "yyyy-mm-dd"
    assert sheet.cell(TOP + 1, 9).value == 36
    months = book["Paid ratio by month"]
    assert months.cell(TOP, 1).value == "Month"
    assert months.cell(TOP + 1, 1).value == dt.datetime(2024, 1, 1)
    assert months.cell(TOP + 1, 1).number_format == "mmm yyyy"


def test_notes_sheet_says_the_amount_ratio_covers_mayar_only(book) -> None:
    notes = {r[0]: r[1] for r in book["Notes"].iter_rows(min_row=TOP + 1, values_only=True)}
    assert {"Open", "Credit", "Buckets", "Terms", "Paid ratio (amount)"} <= set(notes)
    assert "Mayar invoices only" in notes["Paid ratio (amount)"]


def test_demo_data_is_named_in_the_title(tmp_path) -> None:
    df = invoices()
    df.attrs["source"] = "demo"
    path = tmp_path / "demo.xlsx"
    write_workbook(df, path, AS_OF)
    assert "DEMO DATA" in openpyxl.load_workbook(path)["Aging by customer"]["A7"].value


def test_the_demo_workbook(tmp_path, monkeypatch) -> None:
    """The demo data's workbook (the example the module's docstring held, which starts the emulator)."""
    import os

    import invoice_analytics as ia

    for name in list(os.environ):
        if name.upper().startswith(("FASPAY_", "MAYAR_")):
            monkeypatch.delenv(name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ia.DemoDataWarning)
        df = ia.load_invoices(demo=True, progress=False)
    path = tmp_path / "aging.xlsx"
    write_workbook(df, path, as_of="2026-11-21")
    book = openpyxl.load_workbook(path)
    aging = book["Aging by customer"]
    assert book.sheetnames == ["Aging by customer", "Overdue invoices", "Paid ratio by month", "Notes"]
    assert (aging.cell(aging.max_row, 1).value, aging.cell(aging.max_row, aging.max_column).value) == \
        ("Total", 2019213000)
    assert (aging["A1"].value, aging["A7"].value, aging["A9"].value[:29]) == \
        ("Aging by customer", "Source: DEMO DATA (embedded sample invoices)", "Note: Mayar invoices carry no")
    assert (aging["A11"].value, aging["A12"].value, aging.print_title_rows) == \
        ("Customer", "PT. Mulia Logistik Tbk", "$11:$11")
    notes = {r[0]: r[1] for r in book["Notes"].iter_rows(min_row=TOP + 1, values_only=True)}
    assert notes["Balances"] == ("Balances are those of the embedded demo sample (made-up invoices, DEMO DATA), "
                                 "as seen on 2026-11-21.")  # true for the demo: never "of the load"


# docsc (issue 18): the report helpers' docstring examples.


def test_report_helpers_docstring_cases() -> None:
    from invoice_analytics.pdf import page_count
    from invoice_analytics.report import (
        balance_note,
        present_providers,
        source_text,
        summary_frame,
        summary_table,
        terms_text,
    )
    from invoice_analytics.schema import empty_frame

    frame = pd.DataFrame()
    frame.attrs = {"source": "faspay", "as_of": "2026-12-31T23:59:59.999999+07:00"}
    assert balance_note(frame, "2026-12-31") == "Balances are those the history store knew at the end of 2026-12-31."
    frame.attrs = {"source": "faspay"}
    assert balance_note(frame, "2026-11-30").startswith("Balances are those of the load, aged at 2026-11-30; they are")
    frame.attrs = {"source": "demo"}
    assert source_text(frame) == "DEMO DATA (embedded sample invoices)"
    assert terms_text(0) == "0 days (due on receipt) where no due date"
    assert terms_text({"mayar": 14}) == "mayar 14 days, others 0, where no due date"
    assert terms_text("terms") == "each invoice's 'terms' column"
    assert present_providers(pd.DataFrame({"provider": ["mayar", "faspay", "mayar"]})) == ["faspay", "mayar"]
    assert summary_frame(empty_frame(), "2026-11-21").columns.tolist()[:3] == ["invoice_count", "open_count", "Current"]
    assert summary_table(empty_frame(), "2026-11-21") == "No invoices."
    assert page_count(b"<< /Type /Pages >> << /Type /Page >> << /Type/Page >>") == 2
