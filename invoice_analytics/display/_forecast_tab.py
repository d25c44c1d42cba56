"""The panel's "Forecast" tab over a store: :func:`~invoice_analytics.forecast_collections` at the as-of
date for the next 8 weeks, all providers and customers (private; each date's chart kept per store version)."""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
from collections import OrderedDict
from typing import Any

import ipywidgets as W
import pandas as pd
from matplotlib.figure import Figure

from invoice_analytics.analytics._observed import HistoryLike, _ExampleStore  # noqa: F401 (the examples' store)
from invoice_analytics.analytics._timeline import Timeline, timeline
from invoice_analytics.analytics.forecast import collections, prepare
from invoice_analytics.display._chart_parts import is_demo
from invoice_analytics.display._forecast_chart import plot_forecast
from invoice_analytics.display._output import show
from invoice_analytics.formatting import format_rupiah

__all__ = ["DAYS_KEPT", "FORECAST_TAB", "ForecastView"]

FORECAST_TAB = "Forecast"
WEEKS = 8
LEVEL = 0.8
#: How many dates' forecasts and charts the tab keeps.
DAYS_KEPT = 8
_DPI = 96


def forecast_png(forecast: pd.DataFrame) -> bytes:
    """The tab's chart: :func:`plot_forecast` on a fixed layout (no layout engine, one draw)."""
    fig = Figure(figsize=(8, 3.6))
    top = 0.84 if is_demo(forecast) else 0.9  # the demo adds a line under the title
    fig.subplots_adjust(left=0.13, right=0.83, bottom=0.25, top=top)
    ax = plot_forecast(forecast, ax=fig.add_subplot())
    ax.set_title(ax.get_title(), y=1.02)  # placed: not moved clear of the ticks at each draw
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=_DPI)
    return buffer.getvalue()


class ForecastView:
    """The tab's output: the forecast's chart and table at a date (each drawn once per store version).

    >>> view = ForecastView(_ExampleStore())
    >>> view.draw(dt.date(2026, 1, 5))[:4], len(view.forecast)
    (b'\\x89PNG', 8)
    """

    def __init__(self, store: HistoryLike) -> None:
        self.store = store
        self.output = W.Output().add_class("ia-forecast")
        self.forecast: pd.DataFrame | None = None
        self._kept: OrderedDict[dt.date, tuple[Timeline, pd.DataFrame, bytes, dict[str, Any]]] = OrderedDict()
        self._shown: tuple[dt.date, Timeline] | None = None

    def prepare(self, day: dt.date) -> bool:
        """Forecast from ``day`` and draw its chart into the kept ones, without showing it (the panel does this
        after each update, so that opening the tab only shows it); True when something was computed."""
        t = timeline(self.store)  # a refreshed store is read again
        kept = self._kept.get(day)
        fresh = kept is None or kept[0] is not t
        if fresh:
            forecast = collections(prepare(self.store, day, t), weeks=WEEKS, by=None, level=LEVEL)
            png = forecast_png(forecast)
            self._kept[day] = (t, forecast, png, self._bundle(forecast, png))
            while len(self._kept) > DAYS_KEPT:
                self._kept.popitem(last=False)
        self._kept.move_to_end(day)
        return fresh

    def draw(self, day: dt.date) -> bytes:
        """Forecast from ``day`` and show it (nothing redrawn for what is shown); the PNG."""
        self.prepare(day)
        t, self.forecast, png, bundle = self._kept[day]
        if self._shown != (day, t):
            self._shown = (day, t)
            show(self.output, bundle)
        return png

    @staticmethod
    def _bundle(forecast: pd.DataFrame, png: bytes) -> dict[str, Any]:
        rows = "".join(
            f"<tr><td>{w:%Y-%m-%d}</td><td>{html.escape(format_rupiah(e))}</td>"
            f"<td>{html.escape(format_rupiah(lo))} – {html.escape(format_rupiah(hi))}</td></tr>"
            for w, e, lo, hi in forecast[["week_start", "expected", "low", "high"]].itertuples(index=False)
        )
        encoded = base64.b64encode(png).decode("ascii")
        image = (f"<img class='ia-forecast-chart' alt='Cash-in forecast' style='max-width:100%;height:auto' "
                 f"src='data:image/png;base64,{encoded}'>")
        table = (f"{image}<table class='ia-forecast-table'><tr><th>Week from</th><th>Expected</th>"
                 f"<th>{LEVEL:.0%} interval</th></tr>{rows}</table>"
                 "<p style='opacity:.75'>Invoices open at the date, each paid at its customer's pace; "
                 "all providers and customers (the filters do not apply).</p>")
        return {"image/png": encoded, "text/html": table,
                "text/plain": forecast.to_string(index=False)}
