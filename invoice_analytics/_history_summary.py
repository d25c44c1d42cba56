"""What a history store adds to the terminal report: the aging trend and days to pay (private), for
``invoice-analytics report --history`` (with ``--demo``: a demo store built for it; ``--store DIR``: that one)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd

from invoice_analytics._types import Basis, Terms
from invoice_analytics.analytics._observed import HistoryLike
from invoice_analytics.analytics._rules import DEFAULT_EDGES
from invoice_analytics.analytics.payments import days_to_pay
from invoice_analytics.analytics.trends import aging_trend
from invoice_analytics.formatting import format_count, format_number, format_rupiah

__all__ = ["history_summary", "month_end_trend", "month_ends"]


def month_ends(first: dt.date, last: dt.date) -> list[dt.date]:
    """The month ends from ``first`` to ``last``, then ``last`` itself."""
    ends = [stamp.date() for stamp in pd.date_range(first, last, freq="ME")]
    return ends if ends and ends[-1] == last else [*ends, last]


def month_end_trend(store: HistoryLike, *, edges: Sequence[int] = DEFAULT_EDGES, basis: Basis = "due",
                    terms_days: Terms = 0) -> pd.DataFrame:
    """:func:`~invoice_analytics.aging_trend` at each month end the store covers, and its last refresh day."""
    refreshed = store.refreshes()["observed_at"]
    dates = month_ends(refreshed.min().date(), refreshed.max().date())
    return aging_trend(store, dates, edges=edges, basis=basis, terms_days=terms_days)


def history_summary(store: HistoryLike, trend: pd.DataFrame) -> str:
    """The store's aging ``trend`` (:func:`month_end_trend`) and its days to pay, as lines for the terminal; every
    figure is what the store knew at that date, days to pay are ranges (refreshes bracket a payment)."""
    refreshed = store.refreshes()["observed_at"]
    first, last = refreshed.min().date(), refreshed.max().date()
    shown = trend.astype(object)
    for name in trend.columns:
        shown[name] = [format_rupiah(int(v), compact=True) for v in trend[name]]
    shown.index = [stamp.date().isoformat() for stamp in trend.index]
    paid = days_to_pay(store)
    pay = paid.loc["Total"] if "Total" in paid.index else pd.Series({"paid_count": 0})
    refreshes = refreshed.dt.date.nunique()
    lines = [
        f"History: {format_count(refreshes)} refresh days from {first} to {last}. Open amount by aging bucket "
        f"at each month end, as known then:",
        "",
        shown.to_string(),
        "",
    ]
    if int(pay["paid_count"]):
        lines.append(
            f"Days to pay ({format_count(int(pay['paid_count']))} invoices seen open, then paid): median "
            f"{format_number(pay['median_days_to_pay_low'])} to {format_number(pay['median_days_to_pay_high'])} "
            f"days, 90th percentile {format_number(pay['p90_days_to_pay_low'])} to "
            f"{format_number(pay['p90_days_to_pay_high'])} days (a payment is dated only to the refreshes "
            f"around it, typically {format_number(pay['median_window_days'])} days apart).")
    else:
        lines.append("Days to pay: no invoice was seen open and then paid yet.")
    return "\n".join(lines)
