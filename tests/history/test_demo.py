"""The demo history store: named as demo data in every frame and chart drawn from it, dated up to the sample date
and ending in the sample data."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

import invoice_analytics as ia
from invoice_analytics._history_summary import history_summary, month_end_trend
from invoice_analytics.history._demo import demo_store


def test_a_demo_store_says_demo_data_in_its_frames_trend_and_chart(tmp_path):
    store = demo_store(tmp_path / "demo", days=14, every=7)
    assert store.current().attrs["source"] == "demo"
    assert store.as_of("2026-11-15").attrs["source"] == "demo"
    trend = ia.aging_trend(store, ["2026-11-10", "2026-11-20"])
    assert trend.attrs["source"] == "demo"
    assert "DEMO DATA" in ia.plot_aging_trend(trend).get_title()
    assert ia.FilterPanel(store).text_summary().startswith("DEMO DATA")
    again = ia.InvoiceStore(tmp_path / "demo")  # opened later, from its directory alone
    assert again.current().attrs["source"] == "demo"
    with pytest.raises(ValueError, match="already holds a store's refreshes"):
        demo_store(tmp_path / "demo", days=7)


def test_history_summary_reads_the_trend_at_month_ends(tmp_path):
    store = demo_store(tmp_path, days=45, every=7)
    trend = month_end_trend(store)
    assert [str(d.date()) for d in trend.index] == ["2026-10-31", "2026-11-21"]
    for day in ("2026-10-31", "2026-11-21"):  # each row is the aging report of what was known that day
        report = ia.aging_report(store.as_of(day), day, totals=True)
        assert trend.loc[day].to_dict() == report.loc[("Total", "", ""), trend.columns].astype(int).to_dict()
    text = history_summary(store, trend)
    assert "8 refresh days from 2026-10-07 to 2026-11-21" in text  # 1 + ceil(45 / 7)
    assert "Days to pay (" in text and "median" in text


def test_open_demo_store_builds_once_then_opens_the_kept_store(tmp_path):
    from invoice_analytics.history._demo import open_demo_store

    first = open_demo_store(tmp_path, days=7)
    assert (first.path / ".complete").exists() and len(first.refreshes()) == 4  # two days, two providers
    stamp = (first.path / ".complete").stat().st_mtime_ns
    again = open_demo_store(tmp_path, days=7)
    assert again.path == first.path and (again.path / ".complete").stat().st_mtime_ns == stamp
    assert [p.name for p in tmp_path.iterdir()] == [first.path.name]  # no scratch directory left behind
    other = open_demo_store(tmp_path, days=14)  # another simulation: another store
    assert other.path != first.path


def test_the_shipped_demo_store_is_this_simulations():
    """When this fails, the simulation, the samples or the store's format changed: run scripts/build_demo_store.py."""
    from invoice_analytics.history._demo import PREBUILT, simulation_key

    assert (PREBUILT / "KEY").read_text().strip() == simulation_key(), "run scripts/build_demo_store.py"


def test_open_demo_store_copies_the_shipped_store(tmp_path):
    import json

    from invoice_analytics.history._demo import PREBUILT, open_demo_store

    store = open_demo_store(tmp_path)  # no build: a copy of the shipped store
    shipped = json.loads((PREBUILT / "_manifest.json").read_text())
    assert json.loads((store.path / "_manifest.json").read_text()) == shipped
    assert len(store.refreshes()) == 2 * (1 + 26)  # the sample date, then 26 weekly refreshes, both providers
    assert store.current().attrs["source"] == "demo"


def test_the_demo_history_ends_in_the_sample_data_and_never_after_it(tmp_path):
    """Its last refresh is on the sample date and sees what ``load_invoices(demo=True)`` loads; none is later."""
    store = demo_store(tmp_path / "demo", days=10, every=7)
    days = store.refreshes()["observed_at"].dt.date.astype(str).unique().tolist()
    assert days == ["2026-11-11", "2026-11-14", "2026-11-21"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ia.DemoDataWarning)
        loaded = ia.load_invoices(demo=True, progress=False)
    current = store.current()
    assert current.attrs["as_of"] == "2026-11-21T23:00:00+07:00" and loaded.attrs["as_of"] == "2026-11-21"
    key = ["provider", "invoice_id"]
    current, loaded = (frame.sort_values(key).reset_index(drop=True) for frame in (current, loaded))
    current.attrs, loaded.attrs = {}, {}  # what a store adds: the time of its refresh
    pd.testing.assert_frame_equal(current, loaded)
    earlier = store.as_of("2026-11-14")
    assert len(earlier) < len(store.current())
    assert earlier["issued_at"].max() <= pd.Timestamp("2026-11-14 23:00", tz="Asia/Jakarta")


def test_the_demo_cache_directory_and_refresh_days():
    """(Were doctests of history._demo.)"""
    import sys

    from invoice_analytics.history._demo import demo_cache_dir, refresh_days

    if sys.platform == "linux":
        assert demo_cache_dir({"XDG_CACHE_HOME": "/c"}).as_posix() == "/c/invoice-analytics"
        assert demo_cache_dir({"XDG_CACHE_HOME": "rel", "HOME": "/h"}).as_posix() == "/h/.cache/invoice-analytics"
    assert [str(d) for d in refresh_days(10, 7)] == ["2026-11-11", "2026-11-14", "2026-11-21"]
    assert len(refresh_days()) == 27 and str(refresh_days()[0]) == "2026-05-23"
    with pytest.raises(ValueError, match="every >= 1"):
        refresh_days(7, 0)
