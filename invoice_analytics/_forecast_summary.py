"""What the cash-in forecast adds to the terminal report: the next weeks and how it did before (private), for
``invoice-analytics report --forecast`` (with ``--demo``: a demo store built for it; ``--store DIR``: that one)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from invoice_analytics._types import Terms
from invoice_analytics.analytics._observed import HistoryLike
from invoice_analytics.analytics.backtest import backtest_forecast
from invoice_analytics.analytics.forecast import forecast_collections, week_layout
from invoice_analytics.formatting import format_rupiah

__all__ = ["backtest_dates", "forecast_summary"]

#: At most this many month ends are backtested in the report (the latest).
REPORT_BACKTESTS = 6


def backtest_dates(store: HistoryLike, weeks: int = 8) -> list[dt.date]:
    """The month ends from the store's first refresh whose ``weeks``-th forecast week ends by its last."""
    times = store.refreshes()["observed_at"]
    if len(times) == 0:
        return []
    first, last = times.min().date(), times.max().date()
    last_day = (last - dt.date(1970, 1, 1)).days
    out = []
    for stamp in pd.date_range(first, last, freq="ME"):
        day = stamp.date()
        today = (day - dt.date(1970, 1, 1)).days
        _, days, _ = week_layout(today, weeks)
        if today + days <= last_day:
            out.append(day)
    return out


def forecast_summary(store: HistoryLike, as_of: dt.date, *, terms_days: Terms = 0) -> tuple[str, pd.DataFrame]:
    """Lines for the terminal: the 8 weeks' forecast from ``as_of`` and the backtest's 4-week scores; and the
    forecast frame (for its chart)."""
    fc = forecast_collections(store, as_of, weeks=8)
    lines = [f"Cash-in forecast from {as_of}: invoices open then, each at its customer's pace "
             "(80 % interval):", ""]
    for week, expected, low, high in fc[["week_start", "expected", "low", "high"]].itertuples(index=False):
        lines.append(f"  week of {week:%Y-%m-%d}  {format_rupiah(int(expected)):>14}   "
                     f"{format_rupiah(int(low))} - {format_rupiah(int(high))}")
    total = int(fc["expected"].iloc[:4].sum())
    lines += ["", f"  first 4 weeks: {format_rupiah(total)}"]
    dates = backtest_dates(store)[-REPORT_BACKTESTS:]
    if dates:
        bt = backtest_forecast(store, dates, weeks=8, terms_days=terms_days).loc["weeks 1-4"]
        lines += ["", f"Backtest at {len(dates)} month end(s), {dates[0]} to {dates[-1]} (weeks 1-4, "
                      "error / collected):",
                  f"  forecast {bt['wape_forecast']:.0%} (interval held {bt['coverage']:.0%} of weeks); "
                  f"due-date projection {bt['wape_due_date']:.0%}; one average per provider "
                  f"{bt['wape_provider_average']:.0%}"]
    else:
        lines += ["", "No month end has 8 weeks of later history yet: no backtest."]
    return "\n".join(lines), fc
