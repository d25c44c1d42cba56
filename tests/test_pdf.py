"""The printable PDF: typeset as the pack's, read back from the file (text, page numbers, nothing colliding),
written atomically, A4 landscape pages, notes true for the source."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from invoice_analytics._combine import combine
from invoice_analytics.cli import main
from invoice_analytics.formatting import format_rupiah
from invoice_analytics.pdf import page_count, write_pdf
from invoice_analytics.report import summary_frame
from tests.support.frames import faspay, mayar

pypdf = pytest.importorskip("pypdf")
from tests.support.pdf import page_boxes, read_typeset  # noqa: E402 - needs pypdf

AS_OF = "2024-02-15"


def invoices() -> pd.DataFrame:
    df = combine(faspay({"customer_name": "Ani", "customer_id": "F1", "outstanding": 300_000}),
                 mayar({"customer_name": "Budi", "customer_id": "M7", "amount": 50_000}))
    df.attrs["source"] = "faspay, mayar"
    return df


def test_pdf_has_two_a4_landscape_pages_and_names_its_source(tmp_path) -> None:
    data = write_pdf(invoices(), tmp_path / "out" / "aging.pdf", AS_OF, terms_days={"mayar": 14}).read_bytes()
    assert data.startswith(b"%PDF-") and page_count(data) == 2
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    assert boxes and all(abs(float(w) - 841.7) < 1 and abs(float(h) - 595.4) < 1 for w, h in boxes)  # A4 landscape
    assert b"live: faspay, mayar" in data and b"DEMO DATA" not in data
    assert not list((tmp_path / "out").glob(".*.tmp"))  # no temporary file left


def test_demo_data_is_named_in_the_pdf(tmp_path) -> None:
    df = invoices()
    df.attrs["source"] = "demo"
    assert b"DEMO DATA" in write_pdf(df, tmp_path / "demo.pdf", AS_OF).read_bytes()
    assert b"DEMO DATA" in write_pdf(invoices(), tmp_path / "given.pdf", AS_OF, source="demo").read_bytes()


def test_a_failed_write_leaves_no_file(tmp_path, monkeypatch) -> None:
    from invoice_analytics import pdf

    def broken(*args, **kwargs):
        raise RuntimeError("drawing failed")

    monkeypatch.setattr(pdf, "_second_page", broken)
    with pytest.raises(RuntimeError):
        write_pdf(invoices(), tmp_path / "x.pdf", AS_OF)
    assert list(tmp_path.iterdir()) == []


def test_cli_writes_the_pdf(tmp_path, capsys, monkeypatch) -> None:
    import os

    for name in list(os.environ):
        if name.upper().startswith(("FASPAY_", "MAYAR_")):
            monkeypatch.delenv(name)
    out = tmp_path / "aging.pdf"
    assert main(["report", "--demo", "--provider", "mayar", "--out", str(tmp_path / "a.xlsx"), "--pdf", str(out),
                 "--as-of", "2026-11-21", "--terms", "mayar=14"]) == 0
    data = out.read_bytes()
    assert page_count(data) == 2 and b"DEMO DATA" in data
    assert str(out) in capsys.readouterr().out


def test_cli_pdf_must_be_a_pdf(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["report", "--pdf", "aging.png"])
    assert "--pdf must be a .pdf file" in capsys.readouterr().err


# --- hostile names (issue 17): one sanitiser, a name never fails a report, all files or none -----------

HOSTILE_NAMES = ["\ufeffAni", "Untung$^$Jaya", "$5 - $10", "\u202eevil reversed", "Budi\u200b\u2066Jaya\u2069",
                 "a\x00b\x1b[8m", "{\\}_^%#&~", "\u061cSite\u00ad", "tab\there\nnewline", "\\$", "$", "\\",
                 "\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627", "\U0001f600 emoji", "\u4e2d\u6587"]


def hostile_frame() -> pd.DataFrame:
    return faspay(*({"customer_name": name, "customer_id": f"H{i}", "outstanding": 10_000 + i}
                    for i, name in enumerate(HOSTILE_NAMES)))


def drawn_texts(figure) -> list[str]:
    """What each text artist of ``figure`` draws: its text after matplotlib's math preprocessing."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    FigureCanvasAgg(figure).draw()
    shown = []
    texts = list(figure.findobj(Text))
    for ax in figure.axes:  # a table's cells hold their text outside the artist tree findobj walks
        texts += [cell.get_text() for table in ax.tables for cell in table.get_celld().values()]
    for text in texts:
        drawn, is_math = text._preprocess_math(text.get_text())
        assert not is_math, text.get_text()
        shown.append(drawn)
    return shown


def test_no_name_fails_the_pdf_and_each_is_drawn_as_written(tmp_path) -> None:
    path = write_pdf(hostile_frame(), tmp_path / "hostile.pdf", AS_OF)
    assert page_count(path.read_bytes()) == 2
    read_typeset(path)  # nothing collides
    cells = [box.what for box in page_boxes(pypdf.PdfReader(path).pages[1])]
    assert "$5 - $10" in cells and "Untung$^$Jaya" in cells and "\\$" in cells  # literal dollars and backslashes
    assert "evil reversed" in cells  # the override is gone: drawn in its logical order
    assert "BudiJaya" in cells and "Ani" in cells and "a b [8m" in cells  # invisible and control characters gone
    rtl = "\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627"
    assert rtl in cells or rtl[::-1] in cells  # kept as written (pypdf reads right-to-left runs in visual order)
    assert not [t for t in cells if any(c in t for c in "\ufeff\u202e\u200b\u2066\x00\x1b")]


def test_no_name_fails_a_chart_saved_as_pdf(tmp_path) -> None:
    import matplotlib

    from invoice_analytics.display.charts import plot_top_overdue

    ax = plot_top_overdue(hostile_frame(), AS_OF, n=len(HOSTILE_NAMES))
    figure = ax.get_figure(root=True)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert r"Untung\$^\$Jaya" in labels and "evil reversed" in labels
    with matplotlib.rc_context({"pdf.fonttype": 42}):
        figure.savefig(tmp_path / "top.pdf", format="pdf")
    assert drawn_texts(figure)


def _hostile_server_env(monkeypatch, names):
    from invoice_analytics.emulator import DEMO_MAYAR_API_KEY, Emulator, _samples

    base = _samples.mayar_reference_rows()[0]
    rows = [{**base, "id": f"hostile-{i}", "status": "active", "createdAt": base["createdAt"] - i * 1000,
             "customerId": f"c{i}", "customer": {**base["customer"], "id": f"c{i}", "name": name}}
            for i, name in enumerate(names)]
    emulator = Emulator(_samples.faspay_reference_rows()[:1], rows, mayar_rate_limit_per_minute=None)
    for key in list(__import__("os").environ):
        if key.upper().startswith(("FASPAY_", "MAYAR_")):
            monkeypatch.delenv(key)
    monkeypatch.setenv("MAYAR_API_KEY", DEMO_MAYAR_API_KEY)
    return emulator


def test_report_pdf_with_hostile_names_from_a_server(tmp_path, monkeypatch, capsys) -> None:
    with _hostile_server_env(monkeypatch, HOSTILE_NAMES) as emu:
        out = tmp_path / "a.xlsx"
        code = main(["report", "--provider", "mayar", "--mayar-url", emu.url, "--out", str(out),
                     "--pdf", str(tmp_path / "a.pdf"), "--as-of", "2026-11-21"])
    assert code == 0, capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.pdf", "a.png", "a.xlsx"]


def test_a_failing_output_step_leaves_none_of_the_files(tmp_path, capsys, monkeypatch) -> None:
    import sys

    monkeypatch.delitem(sys.modules, "ipykernel", raising=False)  # a kernel imported by another test: no bar
    (tmp_path / "blocker").write_text("a file where the PDF's directory should be")
    old = tmp_path / "a.xlsx"
    old.write_bytes(b"last month's workbook")
    args = ["report", "--demo", "--provider", "mayar", "--out", str(old), "--as-of", "2026-11-21",
            "--pdf", str(tmp_path / "blocker" / "a.pdf")]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.xlsx", "blocker"]  # no png, no partial file
    assert old.read_bytes() == b"last month's workbook"  # the previous workbook untouched


# --- finance-grade print (issue 15, part 4): typeset as the pack's PDF, read back from the file -----------


def many_invoices() -> pd.DataFrame:
    df = combine(faspay(*({"customer_name": f"PT Pelanggan {i}", "customer_id": f"F{i}", "outstanding": 1_234_567 * i,
                           "due_at": f"2024-0{1 + i % 2}-{10 + i}"} for i in range(1, 18))),
                 mayar({"customer_name": "Budi", "customer_id": "M7", "amount": 50_000}))
    df.attrs["source"] = "faspay, mayar"
    return df


def test_the_report_pdf_is_typeset_with_numbered_pages_full_rupiah_and_notes(tmp_path) -> None:
    df = many_invoices()
    pages = read_typeset(write_pdf(df, tmp_path / "aging.pdf", AS_OF))  # nothing collides, nothing off the page
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
        assert text.startswith(f"Accounts receivable aging as of {AS_OF} (Asia/Jakarta) · live: faspay, mayar")
    first, second = pages[0], pages[-1]
    total = summary_frame(df, AS_OF).loc["Total", "Total"]
    assert format_rupiah(int(total), compact=False) in first  # full rupiah, Rp 2.219.360.580 (not Rp 2,2 M)
    assert format_rupiah(1_234_567 * 17, compact=False) in second  # the top customer's open amount
    assert not re.search(r"\d (jt|M|rb|T)\b", "\n".join(pages))  # no compact amount in the text (axes are pictures)
    assert "Summary by provider" in first and "Top customers by open amount" in second
    # terms 0 for a provider without due dates: said, with how to set the terms
    assert "Mayar invoices carry no due date and are aged with terms 0" in first
    assert "Balances are those of the load, aged at 2024-02-15" in second  # a load: not the balances of that day
    assert "Mayar invoices carry no due date" not in "".join(read_typeset(
        write_pdf(df, tmp_path / "terms.pdf", AS_OF, terms_days={"mayar": 14})))


def test_numbers_are_right_aligned_in_their_columns(tmp_path) -> None:
    df = many_invoices()
    path = write_pdf(df, tmp_path / "aging.pdf", AS_OF)
    boxes = page_boxes(pypdf.PdfReader(path).pages[0])
    rows = [sorted((b for b in boxes if abs(b.y0 - first.y0) < 0.1), key=lambda b: b.x0)
            for first in boxes if first.what in ("Provider", "faspay", "mayar", "Total") and first.x0 < 40]
    assert [r[0].what for r in rows] == ["Provider", "faspay", "mayar", "Total"]
    assert {len(r) for r in rows} == {len(summary_frame(df, AS_OF).columns) + 1}  # every cell drawn
    for k in range(1, len(rows[0])):  # each number column (and its header) right-aligned to one edge
        edges = [r[k].x1 for r in rows]
        assert max(edges) - min(edges) < 0.5, (rows[0][k].what, edges)
    assert [r[1].what for r in rows[1:]] == ["17", "1", "18"]  # invoices: counts, not rupiah
    chart = [b for b in boxes if b.what == "picture"]
    table_bottom = min(b.y0 for b in boxes if b.what.startswith(("Rp", "-Rp")))
    assert len(chart) == 1 and chart[0].y1 < table_bottom  # the chart below the table, above the footer
    footer = next(b for b in boxes if b.what.startswith("Page 1 of"))
    assert chart[0].y0 > footer.y1


def test_the_notes_are_true_for_a_demo_load(tmp_path) -> None:
    df = many_invoices()
    df.attrs = {"source": "demo", "as_of": "2024-02-15"}
    pages = read_typeset(write_pdf(df, tmp_path / "demo.pdf", AS_OF))
    assert all("DEMO DATA (embedded sample invoices)" in p for p in pages)
    assert "Balances are those of the embedded demo sample (made-up invoices, DEMO DATA), as seen on 2024-02-15." \
        in pages[-1].replace("\n", " ")
    assert "of the load" not in "".join(pages)


def test_the_notes_are_true_for_a_store(tmp_path, capsys, monkeypatch) -> None:
    from invoice_analytics.history import InvoiceStore
    from tests.support.stores import options, small_emulator

    with small_emulator(faspay_n=20, mayar_n=20) as emu:
        store = InvoiceStore(tmp_path / "store")
        store.refresh(**options(emu))
    seen = pd.Timestamp(store.refreshes()["observed_at"].max()).tz_convert("Asia/Jakarta")
    out = tmp_path / "store.pdf"
    assert main(["report", "--store", str(store.path), "--out", str(tmp_path / "a.xlsx"), "--pdf", str(out),
                 "--terms", "mayar=14"]) == 0
    pages = read_typeset(out)
    text = "\n".join(pages).replace("\n", " ")
    assert f"history store {store.path}" in pages[0].split("\n")[0]
    assert f"Balances are those the history store knew at {seen:%Y-%m-%d %H:%M} WIB." in text
    assert "of the load" not in text and "DEMO DATA" not in text
    day = store.refreshes()["observed_at"].min().date()
    back = read_typeset(write_pdf(store.as_of(day), tmp_path / "then.pdf", day))
    assert f"Balances are those the history store knew at the end of {day}." in "".join(back).replace("\n", " ")
    capsys.readouterr()


def test_without_fpdf2_a_pdf_is_refused_naming_the_extra(tmp_path, capsys, monkeypatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "fpdf", None)  # as if fpdf2 were not installed: importing it fails
    monkeypatch.delitem(sys.modules, "ipykernel", raising=False)  # a worker that ran a kernel test: no progress bar
    with pytest.raises(ImportError, match=r"pip install 'invoice-analytics\[pack\]'"):
        write_pdf(invoices(), tmp_path / "x.pdf", AS_OF)
    args = ["report", "--demo", "--provider", "mayar", "--out", str(tmp_path / "a.xlsx"), "--pdf",
            str(tmp_path / "a.pdf"), "--as-of", "2026-11-21"]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "invoice-analytics[pack]" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []  # no workbook, chart or PDF: all files or none


def test_the_collision_check_sees_a_collision(tmp_path) -> None:
    """The check cannot pass vacuously: two texts drawn over each other, or a picture over the footer, fail it."""
    from invoice_analytics._typeset import Document, figure_png

    for overlap in ("text", "picture"):
        document = Document("header", title="t", subject="s")
        document.pdf.add_page()
        if overlap == "text":
            document.put(20, 40, 50, 5, "Rp 1.234.567", 8)
            document.put(30, 40, 50, 5, "Customer", 8)  # starts 10 mm in, the amount is 18 mm wide
        else:
            from matplotlib.figure import Figure

            figure = Figure()
            figure.add_subplot().plot([1, 2])
            document.pdf.image(figure_png(figure, 4, 3), x=100, y=150, h=60)
        with pytest.raises(AssertionError, match="collisions"):
            read_typeset(document.save(tmp_path / f"{overlap}.pdf"))


def test_a_table_too_wide_for_the_page_is_set_smaller(tmp_path) -> None:
    """Sixteen columns of billions in full rupiah: set in a smaller size, never past the page's edge."""
    from invoice_analytics._typeset import Document

    wide = pd.DataFrame({f"amount_{i}": pd.array([9_876_543_210, -1_234_567_890], dtype="int64") for i in range(16)})
    document = Document("header", title="t", subject="s")
    document.pdf.add_page()
    document.table(wide)
    (text,) = read_typeset(document.save(tmp_path / "wide.pdf"))  # nothing outside the page, nothing collides
    assert text.count("Rp 9.876.543.210") == 16 and text.count("-Rp 1.234.567.890") == 16


def test_typeset_text_and_cells() -> None:  # docsc (issue 18): were their doctests
    from invoice_analytics._typeset import cell_text, clean

    assert clean("\ufeffUntung$^$Jaya\u202e\tX") == "Untung$^$Jaya X"
    assert (cell_text(1234567, "money"), cell_text(0.5, "percent"), cell_text(None, "money")) == (
        "Rp 1.234.567", "50,0 %", "")


def test_history_summary_month_ends() -> None:  # docsc (issue 18): was its doctest
    import datetime as dt

    from invoice_analytics._history_summary import month_ends

    assert [str(d) for d in month_ends(dt.date(2026, 11, 21), dt.date(2027, 1, 15))] == [
        "2026-11-30", "2026-12-31", "2027-01-15"]
