"""The panel's "Forecast" tab over a history store: the next 8 weeks' expected collections (private).

Shown only by ``FilterPanel(store)``: :func:`~invoice_analytics.forecast_collections` at the panel's
as-of date, over all providers and customers (the filters do not apply to the model).
"""

from __future__ import annotations

import base64
import datetime as dt
import html

import ipywidgets as W
import pandas as pd

from invoice_analytics.analytics._observed import HistoryLike
from invoice_analytics.analytics.forecast import forecast_collections
from invoice_analytics.display._chart_parts import _png_of
from invoice_analytics.display._forecast_chart import plot_forecast
from invoice_analytics.display._output import show
from invoice_analytics.formatting import format_rupiah

__all__ = ["FORECAST_TAB", "ForecastView"]

FORECAST_TAB = "Forecast"
WEEKS = 8
LEVEL = 0.8


class ForecastView:
    """The tab's output: a chart of the forecast at a date and its table (drawn once per date).

    >>> from invoice_analytics.analytics._observed import _ExampleStore
    >>> view = ForecastView(_ExampleStore())
    >>> view.draw(dt.date(2026, 1, 5))[:4], len(view.forecast)
    (b'\\x89PNG', 8)
    """

    def __init__(self, store: HistoryLike) -> None:
        self.store = store
        self.output = W.Output().add_class("ia-forecast")
        self.forecast: pd.DataFrame | None = None
        self._day: dt.date | None = None
        self._png = b""

    def draw(self, day: dt.date) -> bytes:
        """Forecast from ``day`` and show it (nothing redrawn for the date already shown); the PNG."""
        if day == self._day:
            return self._png
        forecast = forecast_collections(self.store, day, weeks=WEEKS, level=LEVEL)
        ax = plot_forecast(forecast)
        self._png = _png_of(ax)
        self.forecast, self._day = forecast, day
        rows = "".join(
            f"<tr><td>{w:%Y-%m-%d}</td><td>{html.escape(format_rupiah(e))}</td>"
            f"<td>{html.escape(format_rupiah(lo))} – {html.escape(format_rupiah(hi))}</td></tr>"
            for w, e, lo, hi in forecast[["week_start", "expected", "low", "high"]].itertuples(index=False)
        )
        table = ("<table class='ia-forecast-table'><tr><th>Week from</th><th>Expected</th>"
                 f"<th>{LEVEL:.0%} interval</th></tr>{rows}</table>"
                 "<p style='opacity:.75'>Invoices open at the date, each paid at its customer's pace; "
                 "all providers and customers (the filters do not apply).</p>")
        text = forecast.to_string(index=False)
        show(self.output, {"image/png": base64.b64encode(self._png).decode("ascii"), "text/html": table,
                           "text/plain": text})
        return self._png
