"""``invoice-analytics report --forecast``: the next 8 weeks from a history store, its backtest, a chart."""

from __future__ import annotations

import invoice_analytics as ia
from invoice_analytics.cli import main


def test_report_forecast_from_a_store(tmp_path, capsys):
    store_dir = tmp_path / "store"
    store = ia.demo_store(store_dir, days=84, every=7)  # 2026-08-29 to 2026-11-21, weekly
    out = tmp_path / "aging.xlsx"
    assert main(["report", "--store", str(store_dir), "--out", str(out), "--forecast"]) == 0
    text = capsys.readouterr().out
    block = text.split("Cash-in forecast from 2026-11-21", 1)[1]
    weeks = [line for line in block.splitlines() if line.strip().startswith("week of")]
    assert len(weeks) == 8 and weeks[0].split()[2] == "2026-11-16"  # Saturday the 21st: that week's Monday
    want = ia.forecast_collections(store, "2026-11-21")
    assert ia.format_rupiah(int(want["expected"].iloc[0])) in weeks[0]
    # one month end (2026-08-31) has 8 weeks of later refreshes: a backtest line beside the projections
    assert "Backtest at 1 month end(s), 2026-08-31 to 2026-08-31" in block and "due-date projection" in block
    chart = tmp_path / "aging-forecast.png"
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and f"Wrote {chart}" in block


def test_report_forecast_needs_a_store(tmp_path, capsys):
    assert main(["report", "--forecast", "--out", str(tmp_path / "a.xlsx")]) == 1
    assert "--forecast reads a history store: give --store DIR, or --demo" in capsys.readouterr().err
