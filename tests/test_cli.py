"""The invoice-analytics command: report on the embedded emulator, and its one-line errors."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import openpyxl
import pytest

from invoice_analytics.analytics.aging import aging_report
from invoice_analytics.cli import main
from invoice_analytics.errors import DemoDataWarning
from invoice_analytics.export import RUPIAH_FORMAT
from invoice_analytics.history import InvoiceStore
from invoice_analytics.sources import load_invoices

AS_OF = "2026-11-21"


@pytest.fixture(autouse=True)
def no_credentials(monkeypatch):
    import os

    for name in list(os.environ):
        if name.upper().startswith(("FASPAY_", "MAYAR_")):
            monkeypatch.delenv(name)


def test_report_demo_writes_workbook_chart_and_summary(tmp_path, capsys):
    out = tmp_path / "aging.xlsx"
    assert main(["report", "--demo", "--out", str(out), "--as-of", AS_OF, "--edges", "30,60,90,120"]) == 0
    printed = capsys.readouterr().out
    assert "8,500 invoices from DEMO DATA" in printed and "91-120" in printed
    assert (tmp_path / "aging.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Aging by customer", "Overdue invoices", "Paid ratio by month", "Notes"]
    sheet = book["Aging by customer"]
    top = 11  # the title block (with the note on Mayar's terms 0), a blank row, then the header
    assert "DEMO DATA" in sheet["A7"].value and sheet["A9"].value.startswith("Note: Mayar invoices carry no due")
    header = [c.value for c in sheet[top]]
    assert header == ["Customer", "Customer ID", "Provider", "Current", "1-30", "31-60", "61-90", "91-120", ">120",
                      "Credit", "Total"]
    with pytest.warns(DemoDataWarning):
        demo = load_invoices(demo=True, progress=False)
    expected = aging_report(demo, AS_OF, edges=(30, 60, 90, 120), by="customer", totals=True)
    last = sheet.max_row
    assert sheet.cell(last, 1).value == "Total"
    assert sheet.cell(last, 11).value == int(expected["Total"].iloc[-1])  # numeric, exact rupiah
    assert isinstance(sheet.cell(top + 1, 4).value, int) and sheet.cell(top + 1, 4).number_format == RUPIAH_FORMAT
    overdue = book["Overdue invoices"]
    assert [c.value for c in overdue[top]][:4] == ["Provider", "Invoice", "Customer", "Customer ID"]
    assert overdue.max_row > 100
    ratios = book["Paid ratio by month"]
    header = [c.value for c in ratios[top]]
    assert header[0] == "Month" and ratios.cell(top + 1, 1).value == dt.datetime(2023, 2, 1)
    assert ratios.cell(top + 1, 1).number_format == "mmm yyyy"
    assert ratios.cell(top + 1, header.index("Paid ratio (count)") + 1).number_format == "0.0%"


def test_no_variable_at_all_is_named_demo_data_and_a_misspelling_is_an_error(tmp_path, capsys, monkeypatch):
    assert main(["report", "--out", str(tmp_path / "a.xlsx"), "--as-of", AS_OF]) == 0
    assert "DEMO DATA" in capsys.readouterr().out
    monkeypatch.setenv("MAYAR_APIKEY", "s3cret-value")
    assert main(["report", "--out", str(tmp_path / "b.xlsx"), "--as-of", AS_OF]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "MAYAR_APIKEY" in err and "s3cret-value" not in err
    assert not (tmp_path / "b.xlsx").exists()


def test_bad_option_is_one_line_not_a_traceback():
    run = subprocess.run([sys.executable, "-m", "invoice_analytics.cli", "report", "--edges", "60,30"],
                         capture_output=True, text=True)
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and "--edges" in run.stderr and "Traceback" not in run.stderr


def test_no_credentials_without_demo_is_one_line(capsys):
    assert main(["report", "--provider", "mayar"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--demo" in err


@pytest.mark.parametrize(
    "args, words",
    [
        (["report", "--terms-days", str(10**20)], "--terms-days must be between 0 and 36500"),
        (["report", "--terms-days", "-1"], "--terms-days must be between"),
        (["report", "--edges", "30,99999999999"], "--edges"),
        (["report", "--out", "a.png"], "--out must be a .xlsx file"),
        (["report", "--out", "report.csv"], "--out must be a .xlsx file"),
        (["report", "--chart", "chart.xlsx"], "--chart must be a .png file"),
        (["serve", "--port", "99999"], "--port must be between 0 and 65535"),
        (["serve", "--rate-limit", "-5"], "--rate-limit must be between 0 and 100000"),
        (["serve", "--latency", "1e9"], "--latency must be between 0 and 60"),
        (["report", "--as-of", "9999-12-31", "--store", "no-store"], "--as-of must be between 1900-01-01 and"),
        (["report", "--as-of", "2262-04-12", "--store", "no-store"], "--as-of must be between"),
        (["report", "--as-of", "1677-09-21", "--store", "no-store"], "--as-of must be between"),
        (["report", "--as-of", "-1", "--store", "no-store"], "--as-of takes an ISO 8601 date YYYY-MM-DD"),
        (["report", "--as-of", "01/02/2026", "--store", "no-store"], "--as-of takes an ISO 8601 date"),
        (["report", "--as-of", "13/02/2026", "--store", "no-store"], "--as-of takes an ISO 8601 date"),
        (["report", "--as-of", "20261121", "--store", "no-store"], "--as-of takes an ISO 8601 date"),
        (["report", "--as-of", "2026-02-30", "--store", "no-store"], "--as-of takes an ISO 8601 date"),
        (["report", "--as-of", "2026-11-21T10:00", "--store", "no-store"], "--as-of takes an ISO 8601 date"),
    ],
)
def test_absurd_options_are_one_line(args, words, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(args)
    err = capsys.readouterr().err
    assert exit_.value.code == 2
    assert err.count("\n") == 1 and words in err and "Traceback" not in err


def test_serve_on_a_port_in_use_or_an_unknown_host_is_one_line():
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        for args in (["--port", str(port)], ["--host", "no-such-host.invalid", "--port", "0"]):
            run = subprocess.run([sys.executable, "-m", "invoice_analytics.cli", "serve", *args],
                                 capture_output=True, text=True, timeout=60)
            assert run.returncode == 1, run.stderr
            assert run.stderr.count("\n") == 1 and "cannot serve on" in run.stderr
            assert "Traceback" not in run.stderr


def test_refresh_then_report_from_the_store(tmp_path, monkeypatch, capsys):
    from invoice_analytics.emulator import (
        DEMO_FASPAY_PASSWORD,
        DEMO_FASPAY_USERNAME,
        DEMO_MAYAR_API_KEY,
        Emulator,
        _samples,
    )

    with Emulator(_samples.faspay_reference_rows(), _samples.mayar_reference_rows(),
                  mayar_rate_limit_per_minute=None) as emu:
        for name, value in {"FASPAY_USERNAME": DEMO_FASPAY_USERNAME, "FASPAY_PASSWORD": DEMO_FASPAY_PASSWORD,
                            "MAYAR_API_KEY": DEMO_MAYAR_API_KEY, "FASPAY_BASE_URL": emu.url,
                            "MAYAR_BASE_URL": emu.url}.items():
            monkeypatch.setenv(name, value)
        store = tmp_path / "store"
        assert main(["refresh", "--store", str(store)]) == 0
        first = capsys.readouterr().out
        assert first.count("\n") == 1 and "faspay full" in first and "mayar full" in first
        emu.update_faspay_invoice(_samples.faspay_reference_rows()[0]["invoice_no"], outstanding_amount=5)
        assert main(["refresh", "--store", str(store)]) == 0
        second = capsys.readouterr().out
        assert second.count("\n") == 1 and "faspay incremental" in second and "1 changed" in second
    out = tmp_path / "from-store.xlsx"  # the emulator is gone: the report reads the store only
    assert main(["report", "--store", str(store), "--out", str(out)]) == 0
    assert out.exists() and f"invoices from history store {store} (faspay, mayar)" in capsys.readouterr().out
    assert main(["refresh", "--store", str(tmp_path / "other"), "--provider", "mayar"]) == 1  # no server now
    assert capsys.readouterr().err.startswith("invoice-analytics refresh: error: mayar:")
    # --history: the store's trend at each month end (here its one refresh day) and days to pay, and a chart
    assert main(["report", "--store", str(store), "--out", str(out), "--history"]) == 0
    text = capsys.readouterr().out
    refreshed = InvoiceStore(store).refreshes()["observed_at"].max().date().isoformat()
    trend = text.split("as known then:\n\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert trend[0].split() == ["Current", "1-30", "31-60", "61-90", ">90", "Credit", "Total"]
    assert len(trend) == 2 and trend[1].startswith(refreshed)
    assert "Days to pay: no invoice was seen open and then paid yet." in text
    chart = tmp_path / "from-store-trend.png"
    assert text.rstrip().endswith(f"and {chart}") and chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert main(["report", "--history", "--out", str(out)]) == 1
    assert "--history reads a history store: give --store DIR, or --demo" in capsys.readouterr().err


# --- provider text on a terminal (issue 17): control characters escaped ---------------------------------

ESCAPE = "\x1b]0;owned\x07\x1b[8m"


def test_refresh_summary_and_warning_escape_a_hostile_invoice_id(tmp_path, monkeypatch, capsys):
    from invoice_analytics.emulator import DEMO_MAYAR_API_KEY, Emulator, _samples

    rows = _samples.mayar_reference_rows()
    with Emulator([], rows, mayar_rate_limit_per_minute=None) as emu:
        monkeypatch.setenv("MAYAR_API_KEY", DEMO_MAYAR_API_KEY)
        monkeypatch.setenv("MAYAR_BASE_URL", emu.url)
        store = tmp_path / "store"
        assert main(["refresh", "--store", str(store), "--provider", "mayar"]) == 0
        capsys.readouterr()
        oldest = min(r["createdAt"] for r in rows)
        emu.add_mayar_invoice({**rows[0], "id": f"evil{ESCAPE}", "status": "active", "createdAt": oldest - 1})
        with pytest.warns(UserWarning) as caught:
            assert main(["refresh", "--store", str(store), "--provider", "mayar"]) == 0
    line = capsys.readouterr().out
    assert "\x1b" not in line and "\x07" not in line and line.count("\n") == 1
    assert "evil\\x1b]0;owned\\x07\\x1b[8m" in line  # the id, escaped
    import warnings

    shown = [warnings.formatwarning(w.message, w.category, w.filename, w.lineno) for w in caught]
    assert shown and not [s for s in shown if "\x1b" in s or "\x07" in s]
    assert any("evil\\x1b" in s for s in shown)


def test_cli_error_escapes_the_servers_words(tmp_path, monkeypatch, capsys):
    import http.server
    import json
    import threading

    class Hostile(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = json.dumps({"statusCode": 401, "messages": f"bad key{ESCAPE}\r\nForged: line"}).encode()
            self.send_response(401)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hostile)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        monkeypatch.setenv("MAYAR_API_KEY", "sk-test-123456")
        code = main(["report", "--provider", "mayar", "--mayar-url", f"http://127.0.0.1:{server.server_port}",
                     "--out", str(tmp_path / "a.xlsx")])
    finally:
        server.shutdown()
        server.server_close()
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1
    assert "\x1b" not in err and "\x07" not in err and "bad key\\x1b]0;owned" in err


def test_reprs_escape_control_characters():
    import pandas as pd

    from invoice_analytics.display.panel import FilterPanel
    from invoice_analytics.errors import PagingWarning, ResponseError
    from invoice_analytics.history import ProviderRefresh, RefreshResult
    from tests.support.frames import frame

    panel = FilterPanel(frame({"customer_name": f"Ani{ESCAPE}", "customer_id": f"C{ESCAPE}", "outstanding": 5_000,
                              "due_at": "2024-01-31"}), as_of="2024-02-15")
    for text in (repr(panel), repr(RefreshResult(pd.Timestamp("2026-11-22", tz="Asia/Jakarta"), 1,
                                                 {"mayar": ProviderRefresh("mayar", "full", 1, 0, 0, 0, 1, 1, 0.1,
                                                                           note=f"invoice {ESCAPE}")}, 0.2)),
                 str(ResponseError("mayar", f"GET x{ESCAPE}", f"said {ESCAPE}", detail=ESCAPE)),
                 str(PagingWarning(f"invoice {ESCAPE}"))):
        assert "\x1b" not in text and "\x07" not in text and "\\x1b]0;owned\\x07" in text


def test_a_date_after_the_store_gives_a_notice(small_demo_store, tmp_path, capsys):
    out = tmp_path / "late.xlsx"
    assert main(["report", "--store", str(small_demo_store.path), "--out", str(out), "--as-of", "2030-01-31"]) == 0
    err = capsys.readouterr().err
    assert "last refresh was on 2026-11-21 23:00 WIB: the balances shown for 2030-01-31 are those known then" in err
    assert main(["report", "--store", str(small_demo_store.path), "--out", str(out), "--as-of", "2026-10-15"]) == 0
    assert "last refresh" not in capsys.readouterr().err


def test_report_demo_before_its_date_reads_the_demo_store_as_known_then(tmp_path, capsys):
    """Rule 4: a figure shown for a past date is the one known then, not the sample's later balances."""
    import warnings

    from invoice_analytics.errors import PastAsOfWarning
    from invoice_analytics.history._demo import open_demo_store

    day = "2026-09-30"
    known = open_demo_store().as_of(day)
    with warnings.catch_warnings():
        warnings.simplefilter("error", PastAsOfWarning)  # the sample data aged before their date would warn
        assert main(["report", "--demo", "--out", str(tmp_path / "a.xlsx"), "--as-of", day]) == 0
    printed = capsys.readouterr().out
    assert f"{len(known):,} invoices from DEMO DATA: the demo history store" in printed
    expected = aging_report(known, dt.date(2026, 9, 30), totals=True)
    sheet = openpyxl.load_workbook(tmp_path / "a.xlsx")["Aging by customer"]
    values = [row for row in sheet.iter_rows(values_only=True) if row and row[0] == "Total"]
    assert values and values[-1][-1] == int(expected["Total"].iloc[-1])
    assert main(["report", "--demo", "--out", str(tmp_path / "b.xlsx"), "--as-of", "2026-01-30"]) == 1
    assert "the store's first refresh was at 2026-05-23" in capsys.readouterr().err
