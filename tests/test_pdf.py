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
