"""The cash-in forecast as a chart: what :func:`~invoice_analytics.forecast_collections` returns (private)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from invoice_analytics._docs import doc
from invoice_analytics.display._chart_parts import _legend_outside, _money_axis, _new_axes, _no_data, _set_title
from invoice_analytics.schema import JAKARTA

__all__ = ["BAR_COLOR", "plot_forecast"]

#: Colour of the expected collections' bars; the interval is drawn in :data:`INTERVAL_COLOR`.
BAR_COLOR = "#4e79a7"
INTERVAL_COLOR = "#333333"
ACTUAL_COLOR = "#e15759"


@doc()
def plot_forecast(
    forecast: pd.DataFrame,
    *,
    actual: pd.Series | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Expected collections per week: one bar per week, its interval as an error bar (none when summed over a
    ``by``: intervals do not add up).

    Parameters
    ----------
    forecast : pandas.DataFrame
        What ``forecast_collections`` returns (``week_start``, ``expected``, ``low``, ``high``).
    actual : pandas.Series or None, default None
        Collections by ``week_start`` (e.g. a backtest's): a red dot per week.
    {ax}
    title : str or None, default None
        None: "Expected collections from <first week>" (and the DEMO DATA line for the demo).

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on; an empty forecast shows "Nothing open".

    Examples
    --------
    >>> fc = pd.DataFrame({"week_start": pd.to_datetime(["2026-01-05", "2026-01-12"]).tz_localize("Asia/Jakarta"),
    ...                    "expected": [300, 200], "low": [100, 50], "high": [500, 400]}).astype({"expected": "Int64"})
    >>> ax = plot_forecast(fc)
    >>> [round(p.get_height()) for p in ax.patches], ax.get_xticklabels()[0].get_text()
    ([300, 200], '2026-01-05')
    """
    ax = _new_axes(ax, (9, 4.5))
    if len(forecast) == 0:
        _set_title(ax, forecast, title or "Expected collections")
        return _no_data(ax, "Nothing open")
    keys = [c for c in forecast.columns if c not in ("week_start", "expected", "low", "high")]
    grouped = forecast.groupby("week_start", sort=True)
    expected = grouped["expected"].sum().astype("Int64")
    weeks = pd.DatetimeIndex(expected.index)
    if weeks.tz is not None:
        weeks = weeks.tz_convert(JAKARTA).tz_localize(None)
    x = np.arange(len(weeks), dtype=np.float64)
    heights = expected.to_numpy(dtype=np.int64, na_value=0)
    ax.bar(x, heights, width=0.7, color=BAR_COLOR, label="Expected")
    largest = float(heights.max(initial=0))
    if not keys:
        low = grouped["low"].sum().to_numpy(dtype=np.int64)
        high = grouped["high"].sum().to_numpy(dtype=np.int64)
        ax.errorbar(x, heights, yerr=np.vstack([heights - low, high - heights]), fmt="none",
                    ecolor=INTERVAL_COLOR, capsize=4, linewidth=1.2, label="Interval")
        largest = max(largest, float(high.max(initial=0)))
    if actual is not None:
        index = pd.DatetimeIndex(actual.index)
        if index.tz is not None:
            index = index.tz_convert(JAKARTA).tz_localize(None)
        values = pd.Series(actual.to_numpy(dtype=np.float64), index=index).reindex(weeks)
        ax.plot(x, values.to_numpy(), "o", color=ACTUAL_COLOR, label="Collected")
        largest = max(largest, float(np.nanmax(values.to_numpy(), initial=0)))
    _money_axis(ax, largest)
    ax.set_xticks(x, [w.date().isoformat() for w in weeks], rotation=30)
    ax.set_xlabel("Week starting (Monday, Asia/Jakarta)")
    ax.set_ylabel("Collections")
    _set_title(ax, forecast, title or f"Expected collections from {weeks[0].date().isoformat()}")
    _legend_outside(ax)
    return ax
