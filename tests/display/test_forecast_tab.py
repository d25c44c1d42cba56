"""The panel over a store has a "Forecast" tab: the forecast at the panel's date, drawn when it is opened."""

from __future__ import annotations

import base64
import datetime as dt

import invoice_analytics as ia
from invoice_analytics.display._forecast_tab import FORECAST_TAB
from tests.analytics.test_forecast import scenario


def test_forecast_tab_follows_the_date():
    store = scenario()
    panel = ia.FilterPanel(store, as_of="2026-03-31", dpi=30)
    titles = [panel.chart_tabs.get_title(i) for i in range(len(panel.chart_tabs.children))]
    assert titles[-1] == FORECAST_TAB
    assert panel.forecast_view is not None and panel.forecast_view.forecast is None  # drawn when opened
    panel.chart_tabs.selected_index = len(titles) - 1
    shown = panel.forecast_view.forecast
    assert shown is not None
    want = ia.forecast_collections(store, "2026-03-31")
    assert shown["expected"].tolist() == want["expected"].tolist()
    bundle = panel.forecast_view.output.outputs[0]["data"]
    assert base64.b64decode(bundle["image/png"])[:4] == b"\x89PNG"
    assert "2026-03-30" in bundle["text/html"] and "80% interval" in bundle["text/html"]
    # the chart is in the HTML too: JupyterLab shows a bundle's HTML, not its PNG, when it has both
    assert f"src='data:image/png;base64,{bundle['image/png']}'" in bundle["text/html"]
    panel.as_of.value = dt.date(2026, 3, 15)  # a Sunday: the forecast starts on Monday the 16th
    assert str(panel.forecast_view.forecast["week_start"].iloc[0].date()) == "2026-03-16"


def test_no_forecast_tab_over_a_frame():
    panel = ia.FilterPanel(ia.empty_frame(), dpi=30)
    assert panel.forecast_view is None
    titles = [panel.chart_tabs.get_title(i) for i in range(len(panel.chart_tabs.children))]
    assert FORECAST_TAB not in titles


def test_the_prerender_forecasts_the_new_date_before_the_tab_opens():
    store = scenario()
    panel = ia.FilterPanel(store, as_of="2026-03-31", dpi=30, prerender=True)
    assert panel.forecast_view is not None and dt.date(2026, 3, 31) in panel.forecast_view._kept
    panel.as_of.value = dt.date(2026, 3, 15)
    assert dt.date(2026, 3, 15) in panel.forecast_view._kept and panel.forecast_view.forecast is None  # not shown
    panel.chart_tabs.selected_index = len(panel.chart_tabs.children) - 1
    assert panel.forecast_view.prepare(dt.date(2026, 3, 15)) is False  # opening it computed nothing more
    assert str(panel.forecast_view.forecast["week_start"].iloc[0].date()) == "2026-03-16"
