"""The charts by issue month (public from :mod:`invoice_analytics.display.charts`)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FixedLocator

from invoice_analytics._docs import doc
from invoice_analytics._types import AsOf, Weight
from invoice_analytics.analytics.aging import aging_buckets
from invoice_analytics.analytics.ratios import issue_month, paid_ratio
from invoice_analytics.display._chart_parts import (
    TOTAL_COLOR,
    _as_of_text,
    _fit_labels,
    _ints,
    _legend_outside,
    _main_start,
    _money_axis,
    _month_range,
    _new_axes,
    _no_data,
    _providers_in,
    _set_month_ticks,
    _set_title,
    _stacked_bars,
    _sum_table,
    provider_color,
)
from invoice_analytics.formatting import format_percent, percent_formatter

__all__ = ["plot_outstanding_by_month", "plot_paid_ratio_by_month"]


@doc()
def plot_paid_ratio_by_month(
    df: pd.DataFrame,
    *,
    weight: Weight = "count",
    by_provider: bool = False,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Paid ratio per issue month as a line, y in percent (0-100 %).

    The points, each labelled, are :func:`~invoice_analytics.paid_ratio` by ``"issue_month"``; months without a
    ratio (nothing billed: Faspay lists carry no amount) are gaps.

    Parameters
    ----------
    df : pandas.DataFrame
        Invoices in the core schema. Needs ``status`` and ``issued_at``; with ``weight="amount"`` also
        ``amount`` and ``outstanding``; with ``by_provider`` also ``provider``.
    weight : {"count", "amount"}, default "count"
        The share of invoices, or of the billed amount.
    by_provider : bool, default False
        Add a dashed line per provider (:data:`PROVIDER_COLORS`).
    {ax}
    title : str or None, default None
        The axes title; None gives "Paid share of invoices by issue month" (or "of billed amount").

    {chart_returns}

    Raises
    ------
    ValueError
        When ``weight`` is not "count" or "amount".
    {chart_keyerror}

    See Also
    --------
    paid_ratio : The ratios drawn (``by="issue_month"``).

    Examples
    --------
    >>> df = pd.DataFrame({"provider": ["mayar"] * 4, "status": ["paid", "unpaid", "paid", "paid"],
    ...                    "issued_at": pd.to_datetime(["2024-01-05", "2024-01-20", "2024-03-01", "2024-03-02"]),
    ...                    "amount": [100_000, 200_000, 100_000, 50_000], "outstanding": [0, 200_000, 0, 0]})
    >>> ax = plot_paid_ratio_by_month(df)
    >>> ax.get_title(), [t.get_text() for t in ax.get_xticklabels()], [t.get_text() for t in ax.texts]
    ('Paid share of invoices by issue month', ['2024-01', '2024-02', '2024-03'], ['50 %', '100 %'])
    """
    if weight not in ("count", "amount"):
        raise ValueError(f"weight must be 'count' or 'amount', got {weight!r}")
    ax = _new_axes(ax, (8, 4.5))
    share = "invoices" if weight == "count" else "billed amount"
    _set_title(ax, df, title or f"Paid share of {share} by issue month")
    if len(df) == 0:
        return _no_data(ax)

    overall = _ratio_by_month(df, weight)
    series: list[tuple[str, pd.Series]] = [("All", overall)]
    if by_provider:
        for provider in _providers_in(df):
            part = df[df["provider"] == provider]
            series.append((provider, _ratio_by_month(part, weight)))
    # Months with a known ratio (an issue month, something billed: Faspay lists carry no amount, so
    # weight="amount" may leave nothing).
    months_seen = pd.Index([m for _, s in series for m in s.dropna().index])
    if len(months_seen.dropna()) == 0:
        return _no_data(ax, "No billed amounts" if weight == "amount" else "No billed invoices")
    months = _month_range(months_seen)
    xlabel = "Issue month"
    start = _main_start(issue_month(df).value_counts())
    if start is not None and start > months.min():  # a few stray early months: start at the main period
        hidden = int((issue_month(df) < start).sum())
        months = pd.period_range(start, months.max(), freq="M")
        xlabel = f"Issue month (from {start}; {hidden:,} earlier invoice{'' if hidden == 1 else 's'} not shown)"
    x = np.arange(len(months))

    for name, ratios in series:
        known = ratios.reindex(months).astype("Float64")
        y = known.to_numpy(dtype="float64", na_value=np.nan) * 100.0
        if name == "All":
            ax.plot(
                x, y, marker="o", color=TOTAL_COLOR, linewidth=2, label="All providers", zorder=3
            )
            for xi, yi in zip(x, y, strict=True):
                if not np.isnan(yi):
                    ax.annotate(
                        format_percent(yi / 100, decimals=0),
                        (xi, yi),
                        xytext=(0, 7),
                        textcoords="offset points",
                        ha="center",
                        fontsize="small",
                        color=TOTAL_COLOR,
                    )
        else:
            ax.plot(
                x, y, marker=".", color=provider_color(name), linewidth=1.2, linestyle="--", label=name
            )

    _set_month_ticks(ax, months)
    ax.set_xlim(-0.5, len(months) - 0.5)
    ax.set_ylim(-4, 112)  # room for 0 % markers and the 100 % labels
    ax.yaxis.set_major_locator(FixedLocator([0, 20, 40, 60, 80, 100]))
    ax.yaxis.set_major_formatter(percent_formatter(decimals=0))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(f"Paid (% of {share})")
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    if by_provider:
        _legend_outside(ax)
    _fit_labels(ax, months)
    return ax


@doc()
def plot_outstanding_by_month(
    df: pd.DataFrame,
    as_of: AsOf = None,
    *,
    labels: bool | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Open outstanding per issue month, stacked by provider.

    The open invoices of :func:`~invoice_analytics.aging_buckets` (those with an issue date), so the bars add up
    to :func:`plot_aging`'s; every month from the first to the last has a bar.

    Parameters
    ----------
    df : pandas.DataFrame
        Invoices in the core schema. Needs ``provider``, ``status``, ``outstanding`` and ``issued_at``.
    {as_of}
        It dates the title; a past one leaves out the invoices issued after it.
    labels : bool or None, default None
        Print each month's total above its bar; None: when there are at most 12 months.
    {ax}
    title : str or None, default None
        The axes title; None gives "Open outstanding by issue month (as of YYYY-MM-DD)".

    {chart_returns}

    Raises
    ------
    ValueError
        When ``as_of`` is not a date.
    {chart_keyerror}

    See Also
    --------
    plot_aging : The same open amounts by age.
    issue_month : The month of each invoice.

    Examples
    --------
    >>> df = pd.DataFrame({"provider": ["faspay", "mayar", "mayar"], "status": ["unpaid"] * 3,
    ...                    "issued_at": pd.to_datetime(["2024-01-01", "2023-12-05", "2023-09-20"]),
    ...                    "outstanding": [100_000, 250_000, 40_000]})
    >>> [t.get_text() for t in plot_outstanding_by_month(df, "2024-02-15").get_xticklabels()]
    ['2023-09', '2023-10', '2023-11', '2023-12', '2024-01']
    """
    ax = _new_axes(ax, (9, 4.5))
    _set_title(ax, df, title or f"Open outstanding by issue month (as of {_as_of_text(as_of)})")
    if len(df) == 0:
        return _no_data(ax)
    aged = aging_buckets(df, as_of, basis="issued")  # only its open rows are used
    aged = aged[aged["issued_at"].notna()]
    if len(aged) == 0:
        return _no_data(ax, "No open invoices")

    providers = _providers_in(aged)
    frame = pd.DataFrame(
        {
            "month": issue_month(aged).array,  # period[M], not an object array of Periods
            "provider": aged["provider"].array,
            "outstanding": _ints(aged["outstanding"]),
        }
    )
    months = _month_range(pd.Index(frame["month"]))
    start = _main_start(frame.groupby("month")["outstanding"].sum().abs())
    xlabel = "Issue month"
    names = [str(m) for m in months]
    if start is not None:  # a few stray early months: one "earlier" bar, then the main period
        early = frame["month"] < start
        count, first = int(early.sum()), frame.loc[early, "month"].min()
        frame = frame.assign(month=frame["month"].where(~early, first))
        months = pd.period_range(first, months.max(), freq="M").delete(slice(1, (start - first).n))
        names = [f"< {start}", *[str(m) for m in months[1:]]]
        xlabel = f"Issue month (the first bar: {count:,} invoice{'' if count == 1 else 's'} issued before {start})"
    table = _sum_table(frame, "month", months, providers)
    if labels is None:
        labels = len(months) <= 12
    totals = _stacked_bars(ax, table, [provider_color(p) for p in providers], labels=labels)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("Open outstanding")
    _money_axis(ax, totals.max(initial=0), "y")
    _legend_outside(ax, title="Provider")
    _fit_labels(ax, months, names)
    return ax


def _ratio_by_month(df: pd.DataFrame, weight: Weight) -> pd.Series:
    """``paid_ratio`` by issue month as a Series indexed by monthly Period."""
    return paid_ratio(df, by="issue_month", weight=weight, totals=False)["paid_ratio"]
