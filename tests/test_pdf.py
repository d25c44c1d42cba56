"""The printable PDF: written atomically, A4 landscape pages, DEMO DATA named for the sample data."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from invoice_analytics._combine import combine
from invoice_analytics.cli import main
from invoice_analytics.pdf import page_count, write_pdf
from tests.support.frames import faspay, mayar

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
    import datetime as dt

    from invoice_analytics import pdf
    from invoice_analytics.report import NOTES

    df = hostile_frame()
    data = write_pdf(df, tmp_path / "hostile.pdf", AS_OF).read_bytes()
    assert page_count(data) == 2
    shown = drawn_texts(pdf._second_page(df, dt.date(2024, 2, 15), ["Title", "line"], 0, NOTES))
    cells = [t for t in shown if t.startswith(("$", "Untung", "evil", "Budi", "\u05e9"))]
    assert "$5 - $10" in cells and "Untung$^$Jaya" in cells  # literal dollars, never mathematics
    assert "evil reversed" in cells  # the override is gone: drawn in its logical order
    assert "BudiJaya" in cells
    assert "\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627" in cells  # right-to-left text kept as written
    assert not [t for t in shown if any(c in t for c in "\ufeff\u202e\u200b\u2066\x00\x1b")]


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
