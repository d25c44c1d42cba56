"""The forecast's kept timeline: the spells at any cutoff equal those of the view ``known_at`` builds, the kept
path gives the frames a fresh computation gives, and a store refresh reads the store again."""

from __future__ import annotations

import datetime as dt
import random
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

import invoice_analytics as ia
from invoice_analytics.analytics import _timeline
from invoice_analytics.analytics._observed import _ExampleStore
from invoice_analytics.analytics._survival import Spells, fit, known_at, open_at, spells
from invoice_analytics.analytics._timeline import Fitted, Timeline, timeline
from invoice_analytics.analytics.behaviour import cutoff_of
from invoice_analytics.analytics.forecast import collections
from invoice_analytics.display._forecast_tab import ForecastView
from invoice_analytics.history import InvoiceStore
from tests.analytics.test_forecast import scenario
from tests.support.stores import at, options, random_changes, small_emulator
from tests.support.tiny_history import date

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from _history_data import build_store, day

ARRAYS = ("ref", "issue_known", "entry", "last_open", "paid_day", "paid", "amount", "group", "provider")


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> InvoiceStore:
    """600 invoices over 30 daily refreshes: new, changed, and gone near the end."""
    root = tmp_path_factory.mktemp("store")
    build_store(root, invoices=600, versions=2_000, refreshes=30)
    return InvoiceStore(root)


def assert_same_spells(got: Spells, want: Spells) -> None:
    for name in ARRAYS:
        np.testing.assert_array_equal(getattr(got, name), getattr(want, name), err_msg=name)
    np.testing.assert_array_equal(got.issue[got.issue_known], want.issue[want.issue_known])
    pd.testing.assert_frame_equal(got.frame, want.frame)
    assert got.index.equals(want.index) and got.index.names == want.index.names
    assert got.providers == want.providers


def fresh(store, day, *, by=None, weeks=8, level=0.8) -> pd.DataFrame:
    """forecast_collections through the view known_at builds, nothing kept."""
    cutoff, today = cutoff_of(day)
    view = known_at(store, cutoff)
    source = store.as_of(cutoff).attrs.get("source")
    s = spells(view)
    rows, amounts = open_at(view, s)
    return collections(Fitted(cutoff, s, fit(s), today, rows, amounts, source), weeks=weeks, by=by, level=level)


@pytest.mark.parametrize("days", [[date(n) for n in (1, 10, 26, 45, 90, 119, 130)]])
def test_spells_equal_those_of_the_view_tiny(days):
    store = scenario()
    t = Timeline(store.history(), store.refreshes())
    for d in days:
        cutoff, _ = cutoff_of(d)
        view = known_at(store, cutoff)
        got, want = t.spells(cutoff), spells(view)
        assert_same_spells(got, want)
        for a, b in zip(t.open_at(cutoff, got), open_at(view, want), strict=True):
            np.testing.assert_array_equal(a, b)


def test_spells_equal_those_of_the_view_synthetic(synthetic):
    t = Timeline(synthetic.history(), synthetic.refreshes())
    for n in (1, 2, 7, 15, 22, 29, 30, 40):  # past the last refresh too
        cutoff, _ = cutoff_of(day(n))
        view = known_at(synthetic, cutoff)
        got = t.spells(cutoff)
        assert_same_spells(got, spells(view))
        for a, b in zip(t.open_at(cutoff, got), open_at(view, spells(view)), strict=True):
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("by", [None, "provider", "customer"])
def test_the_kept_path_gives_the_fresh_frame(synthetic, by):
    for n in (12, 25, 30, 25):  # 25 again: from the kept fit
        got = ia.forecast_collections(synthetic, day(n), by=by)
        want = fresh(synthetic, day(n), by=by)
        pd.testing.assert_frame_equal(got, want)
        assert got.attrs == want.attrs
    store = scenario()
    pd.testing.assert_frame_equal(ia.forecast_collections(store, "2026-03-31", by=by),
                                  fresh(store, "2026-03-31", by=by))
    pd.testing.assert_frame_equal(ia.forecast_collections(_ExampleStore(), "2026-01-05", by=by),
                                  fresh(_ExampleStore(), "2026-01-05", by=by))


def test_timelines_and_fits_are_kept_and_bounded(synthetic):
    t = timeline(synthetic)
    assert timeline(synthetic) is t
    first = ia.forecast_collections(synthetic, day(20))
    fits = dict(t.fitted)
    ia.forecast_collections(synthetic, day(20))
    assert dict(t.fitted) == fits  # the same fit, not another
    for n in range(1, 2 + _timeline.FITS_KEPT):
        ia.forecast_collections(synthetic, day(n))
    assert len(t.fitted) == _timeline.FITS_KEPT
    pd.testing.assert_frame_equal(ia.forecast_collections(synthetic, day(20)), first)
    others = [scenario() for _ in range(_timeline.STORES_KEPT)]
    for other in others:
        timeline(other)
    assert len(_timeline._kept) == _timeline.STORES_KEPT and id(synthetic) not in _timeline._kept


def test_a_store_refresh_reads_the_store_again(tmp_path):
    with small_emulator(30, 60) as emu:
        store = InvoiceStore(tmp_path)
        store.refresh(**options(emu), observed_at=at(0))
        store.refresh(**options(emu), observed_at=at(1))
        today = at(1).date()
        view = ForecastView(store)
        view.draw(today)
        before, kept = view.forecast, timeline(store)
        view.draw(today)
        assert view.forecast is before and timeline(store) is kept  # nothing read or drawn again
        random_changes(emu, 0.2, random.Random(3))  # payments, cancellations, new invoices
        store.refresh(**options(emu), observed_at=at(2))
        assert timeline(store) is not kept
        view.draw(today)
        assert view.forecast is not before
        pd.testing.assert_frame_equal(view.forecast, fresh(store, today, weeks=8))
        later = at(2).date() + dt.timedelta(days=1)
        pd.testing.assert_frame_equal(ia.forecast_collections(store, later), fresh(store, later))


def test_the_panel_hands_its_history_read_to_the_forecast(synthetic):
    panel = ia.FilterPanel(synthetic, as_of=day(25), dpi=30)
    kept = _timeline._kept[id(synthetic)][2]  # kept when the panel read the history
    assert timeline(synthetic) is kept and kept.source_known
    panel.chart_tabs.selected_index = len(panel.chart_tabs.children) - 1
    assert panel.forecast_view is not None and panel.forecast_view.forecast is not None
    pd.testing.assert_frame_equal(panel.forecast_view.forecast, fresh(synthetic, day(25)))
    assert panel.forecast_view.forecast.attrs == fresh(synthetic, day(25)).attrs
