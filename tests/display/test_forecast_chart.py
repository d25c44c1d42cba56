"""plot_forecast draws one bar per week at the expected amount and the interval as an error bar."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection

import invoice_analytics as ia
from tests.analytics.test_forecast import AS_OF, scenario


def test_bars_and_intervals_are_the_forecast():
    fc = ia.forecast_collections(scenario(), AS_OF, weeks=6)
    ax = ia.plot_forecast(fc)
    heights = [round(p.get_height()) for p in ax.patches]
    assert heights == fc["expected"].tolist()
    segments = next(c for c in ax.collections if isinstance(c, LineCollection)).get_segments()
    drawn = [(round(float(s[0][1])), round(float(s[1][1]))) for s in segments]
    assert drawn == list(zip(fc["low"].tolist(), fc["high"].tolist(), strict=True))
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == [str(w.date()) for w in fc["week_start"]]
    assert ax.get_title().startswith("Expected collections from 2026-03-30")


def test_by_provider_sums_and_actuals():
    store = scenario()
    fc = ia.forecast_collections(store, AS_OF, weeks=3, by="provider")
    actual = pd.Series([1_000, 2_000, 3_000], index=fc["week_start"].drop_duplicates().to_numpy())
    ax = ia.plot_forecast(fc, actual=actual)
    sums = fc.groupby("week_start")["expected"].sum().tolist()
    assert [round(p.get_height()) for p in ax.patches] == sums
    assert not [c for c in ax.collections if isinstance(c, LineCollection)]  # no interval for a sum
    dots = ax.get_lines()[0].get_ydata()
    np.testing.assert_array_equal(dots, [1_000, 2_000, 3_000])


def test_empty_forecast_says_so():
    fc = ia.forecast_collections(scenario(), AS_OF, weeks=2).iloc[:0]
    ax = ia.plot_forecast(fc)
    assert ax.texts[0].get_text() == "Nothing open"
