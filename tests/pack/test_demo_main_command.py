"""The README's main command over the demo: ``report --demo`` and ``pack --demo --month 2026-10`` (the sample's last
full month) agree with the demo store's trend, and nothing they show is dated after the sample date (2026-11-21)."""

from __future__ import annotations

import datetime as dt
import re
import warnings

import pytest

import invoice_analytics as ia
from invoice_analytics._history_summary import month_end_trend
from invoice_analytics.cli import main
from invoice_analytics.emulator._samples import AS_OF
from invoice_analytics.history._demo import open_demo_store
from invoice_analytics.pack import month_end_pack

MONTH, MONTH_END = "2026-10", dt.date(2026, 10, 31)
BUCKETS = ["Current", "1-30", "31-60", "61-90", ">90", "Credit", "Total"]


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A user with no settings and an empty cache, working in ``tmp_path``."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_report_demo_ages_the_sample_at_its_date_as_the_trend_does(home, capsys):
    assert main(["report", "--demo", "--history"]) == 0
    out = capsys.readouterr().out
    assert "8,500 invoices from DEMO DATA" in out and "aging as of 2026-11-21" in out
    assert "27 refresh days from 2026-05-23 to 2026-11-21" in out
    total = re.search(r"^Total +[\d.]+ +(.*)$", out, flags=re.MULTILINE).group(1)
    trend_rows = re.findall(r"^(\d{4}-\d{2}-\d{2}) +(.*)$", out, flags=re.MULTILINE)
    assert max(day for day, _ in trend_rows) == "2026-11-21"  # no month end after the sample date
    cells = re.split(r" {2,}", total.strip())
    assert re.split(r" {2,}", dict(trend_rows)["2026-11-21"].strip()) == cells[:len(BUCKETS)]


def test_the_demo_store_ends_in_the_loaded_sample_and_its_trend_agrees(home):
    store = open_demo_store()
    trend = month_end_trend(store)
    assert [d.date() for d in trend.index][-2:] == [MONTH_END, AS_OF]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ia.DemoDataWarning)
        loaded = ia.load_invoices(demo=True, progress=False)
    report = ia.aging_report(loaded, AS_OF, totals=True)
    assert trend.iloc[-1].to_dict() == report.loc[("Total", "", ""), trend.columns].astype(int).to_dict()
    assert store.refreshes()["observed_at"].max().date() == AS_OF
    assert store.history()["issued_at"].max().date() <= AS_OF


def test_pack_demo_of_the_last_full_month_agrees_with_the_trend(home, capsys):
    assert main(["pack", "--demo", "--month", MONTH]) == 0
    assert "Wrote pack-2026-10.xlsx and pack-2026-10.pdf" in capsys.readouterr().out
    store = open_demo_store()
    pack = month_end_pack(store, MONTH)
    trend = pack.sections["Trend"]
    assert trend.index[-1].date() == MONTH_END and trend.index[0].date() == dt.date(2026, 5, 31)
    at_month_end = trend.iloc[-1][BUCKETS].astype(int).to_dict()
    assert pack.sections["Comparative aging"]["this_month"].astype(int).to_dict() == at_month_end
    assert pack.sections["Summary by provider"].loc["Total", BUCKETS].astype(int).to_dict() == at_month_end
    assert month_end_trend(store).loc[trend.index[-1], BUCKETS].astype(int).to_dict() == at_month_end
    with pytest.raises(ValueError, match="last full month is 2026-10"):
        month_end_pack(store, "2026-11")  # the sample date is before November's end: never a month in the future
