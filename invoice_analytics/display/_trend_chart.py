"""The aging trend (:func:`~invoice_analytics.aging_trend`) as a chart: a stacked area of the buckets over the dates."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FixedFormatter, FixedLocator, FuncFormatter, MaxNLocator

from invoice_analytics._docs import doc
from invoice_analytics.analytics._rules import CREDIT, TOTAL, bucket_labels
from invoice_analytics.display._chart_parts import (
    _legend_outside,
    _new_axes,
    _no_data,
    _set_title,
    bucket_colors,
    literal,
)
from invoice_analytics.formatting import get_locale, rupiah_formatter
from invoice_analytics.schema import JAKARTA

__all__ = ["CREDIT_COLOR", "plot_aging_trend"]

#: Colour of the credits, drawn below zero.
CREDIT_COLOR = "#90a4ae"
_EPOCH = dt.date(1970, 1, 1)
_RANGE = re.compile(r"^(\d+)-(\d+)$")


def _edges(labels: list[str]) -> tuple[int, ...]:
    """The edges the bucket ``labels`` were made from ("Current", "1-30", ..., ">90" -> (30, 60, 90))."""
    edges = []
    for label in labels[1:-1]:
        match = _RANGE.match(str(label))
        if match is None:
            break
        edges.append(int(match.group(2)))
    try:
        valid = bool(edges) and bucket_labels(edges) == list(labels)
    except ValueError:
        valid = False
    if not valid:
        raise ValueError(f"the columns {labels} are not aging buckets (Current, 1-30, ..., >90)")
    return tuple(edges)


_MONTHS = {
    "id": ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}


def month_label(day: dt.date | pd.Timestamp, locale: str | None = None) -> str:
    """A month end's tick label: the month's short name in the locale, and the year."""
    return f"{_MONTHS[locale or get_locale()][day.month - 1]} {day.year}"


def _date_label(x: float, pos: int | None = None) -> str:
    """A tick at ``x`` days since 1970-01-01 as its ISO date."""
    return (_EPOCH + dt.timedelta(days=round(x))).isoformat()


@doc()
def plot_aging_trend(trend: pd.DataFrame, *, ax: Axes | None = None, title: str | None = None) -> Axes:
    """Outstanding per aging bucket over time: a stacked area, oldest bucket on top.

    One band per bucket in its colour, so the top of the stack is the open amount; credits are a grey area
    below zero. A trend by a key is summed over the key first.

    Parameters
    ----------
    trend : pandas.DataFrame
        From :func:`aging_trend`: indexed by ``date`` (then keys); the buckets in order, "Credit", "Total".
    {ax}
    title : str or None, default None
        None gives "Outstanding by age, <first date> to <last date>".

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on; an empty trend shows "No history".

    Raises
    ------
    ValueError
        When the columns are not aging buckets.

    Examples
    --------
    >>> idx = pd.DatetimeIndex(["2026-01-01", "2026-01-02"], name="date").tz_localize("Asia/Jakarta")
    >>> trend = pd.DataFrame({"Current": [5, 3], "1-30": [2, 4], ">30": [0, 1], "Credit": 0, "Total": [7, 8]}, idx)
    >>> ax = plot_aging_trend(trend)
    >>> len(ax.collections), ax.get_title()
    (3, 'Outstanding by age, 2026-01-01 to 2026-01-02')
    """
    ax = _new_axes(ax, (9, 4.5))
    if len(trend) == 0:
        _set_title(ax, trend, title or "Outstanding by age")
        return _no_data(ax, "No history")
    if isinstance(trend.index, pd.MultiIndex):
        trend = trend.groupby(level=0, sort=True).sum()
    buckets = [str(c) for c in trend.columns if c not in (CREDIT, TOTAL)]
    colors = bucket_colors(_edges(buckets))
    dates = pd.DatetimeIndex(trend.index)
    if dates.tz is not None:
        dates = dates.tz_convert(JAKARTA).tz_localize(None)  # Jakarta wall dates
    # x = days since 1970-01-01 on the Jakarta calendar, labelled as ISO dates
    x = dates.to_numpy(dtype="datetime64[D]").astype(np.int64).astype(np.float64)
    heights = [trend[b].to_numpy(dtype=np.int64) for b in buckets]
    ax.stackplot(x, *heights, colors=colors, labels=[literal(b) for b in buckets], linewidth=0)
    top = float(np.sum(heights, axis=0).max(initial=0))
    bottom = 0.0
    if CREDIT in trend.columns:
        credit = trend[CREDIT].to_numpy(dtype=np.int64)
        if (credit != 0).any():
            ax.fill_between(x, credit, 0, color=CREDIT_COLOR, label=CREDIT, linewidth=0)
            bottom = float(credit.min())
    ax.axhline(0, color="#333333", linewidth=0.8)
    ax.set_ylim(bottom * 1.1, top * 1.1 if top > 0 else 1.0)
    ax.yaxis.set_major_formatter(rupiah_formatter())
    if len(dates) <= 24 and bool(dates.is_month_end.all()):  # month ends: a tick on each, named by month
        ax.xaxis.set_major_locator(FixedLocator(x))
        ax.xaxis.set_major_formatter(FixedFormatter([month_label(d) for d in dates]))
    else:
        ax.xaxis.set_major_locator(MaxNLocator(nbins=8, integer=True, min_n_ticks=1))
        ax.xaxis.set_major_formatter(FuncFormatter(_date_label))
    if len(x) > 1:
        ax.set_xlim(x[0], x[-1])
    ax.tick_params(axis="x", labelrotation=30)
    ax.set_ylabel("Outstanding")
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    first, last = dates[0].date().isoformat(), dates[-1].date().isoformat()
    _set_title(ax, trend, title or (f"Outstanding by age, {first}" + (f" to {last}" if last != first else "")))
    _legend_outside(ax, title="Days past due")
    return ax
