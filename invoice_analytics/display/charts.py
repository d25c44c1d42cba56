"""Matplotlib charts of invoice frames (shared rules: :doc:`/guide/charts-report`; parts in ``_chart_parts``, the
charts by issue month in ``_monthly_charts``)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import Patch

from invoice_analytics._docs import doc
from invoice_analytics._types import AsOf, Basis, Terms
from invoice_analytics.analytics._groupby import checked_sum
from invoice_analytics.analytics._rules import DEFAULT_EDGES, bucket_codes, bucket_labels, check_basis, check_edges
from invoice_analytics.analytics.aging import aging_buckets, credit_invoices, rank_debtors
from invoice_analytics.analytics.customers import CUSTOMER, customer_label
from invoice_analytics.display._chart_parts import BUCKET_COLORS as BUCKET_COLORS
from invoice_analytics.display._chart_parts import (
    CREDIT_COLOR,
    PROVIDER_COLORS,
    TOTAL_COLOR,
    _as_of_text,
    _fit_labels,
    _ints,
    _label_bars,
    _legend_outside,
    _money_axis,
    _new_axes,
    _no_data,
    _palette,
    _providers_in,
    _set_title,
    _short,
    _stacked_bars,
    _sum_table,
    literal,
    provider_color,
)
from invoice_analytics.display._chart_parts import DEMO_LINE as DEMO_LINE
from invoice_analytics.display._chart_parts import FOLD_GAP_MONTHS as FOLD_GAP_MONTHS
from invoice_analytics.display._chart_parts import FOLD_SHARE as FOLD_SHARE
from invoice_analytics.display._chart_parts import NAME_WIDTH as NAME_WIDTH
from invoice_analytics.display._chart_parts import OTHER_COLOR as OTHER_COLOR
from invoice_analytics.display._chart_parts import _png_of as _png_of
from invoice_analytics.display._chart_parts import _register_png_formatter as _register_png_formatter
from invoice_analytics.display._chart_parts import bucket_colors as bucket_colors
from invoice_analytics.display._chart_parts import is_demo as is_demo
from invoice_analytics.display._monthly_charts import plot_outstanding_by_month as plot_outstanding_by_month
from invoice_analytics.display._monthly_charts import plot_paid_ratio_by_month as plot_paid_ratio_by_month
from invoice_analytics.formatting import (
    format_rupiah,
)

__all__ = [
    "BUCKET_COLORS",
    "CREDIT_COLOR",
    "PROVIDER_COLORS",
    "bucket_colors",
    "plot_aging",
    "plot_outstanding_by_month",
    "plot_paid_ratio_by_month",
    "plot_top_overdue",
    "provider_color",
]

# In IPython a chart at the end of a cell shows as a picture: registered when _chart_parts is imported.

# ---------------------------------------------------------------------------
# charts


@doc()
def plot_aging(
    df: pd.DataFrame,
    as_of: AsOf = None,
    *,
    edges: Sequence[int] = DEFAULT_EDGES,
    basis: Basis = "due",
    terms_days: Terms = 0,
    stack: str | None = "provider",
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Open outstanding per aging bucket, stacked by provider.

    The bars are :func:`~invoice_analytics.aging_buckets` (every bucket, its total above it), then credits as
    one "Credit" bar below zero in :data:`CREDIT_COLOR`; see :doc:`/guide/charts-report`.

    Parameters
    ----------
    df : pandas.DataFrame
        Invoices in the core schema. Needs ``status``, ``outstanding``, ``issued_at``, ``due_at`` (unless
        ``basis="issued"``) and, with ``stack="provider"``, ``provider``.
    {as_of}
    {edges}
    {basis}
    {terms_days}
    stack : {"provider", None}, default "provider"
        Stack each bucket's bar by provider (:data:`PROVIDER_COLORS`), or one bar per bucket in its colour.
    {ax}
    title : str or None, default None
        The axes title; None gives "Outstanding by age (as of YYYY-MM-DD)".

    {chart_returns}

    Raises
    ------
    ValueError
        When ``stack`` is not "provider" or None, ``as_of`` is not a date, or (for a non-empty ``df``)
        ``edges`` or ``basis`` are invalid.
    {chart_keyerror}

    See Also
    --------
    aging_buckets : The open invoices and buckets drawn.
    aging_report : The same amounts per customer, as a table.

    Examples
    --------
    >>> df = pd.DataFrame({"provider": ["faspay", "mayar", "mayar"], "status": ["unpaid"] * 3,
    ...                    "issued_at": pd.to_datetime(["2024-01-01", "2023-12-05", "2023-09-20"]),
    ...                    "due_at": pd.to_datetime(["2024-02-15", "2024-01-10", "2023-10-01"]),
    ...                    "outstanding": [100_000, 250_000, 40_000]})
    >>> ax = plot_aging(df, "2024-02-15")
    >>> ax.get_title(), [t.get_text() for t in ax.get_xticklabels()]
    ('Outstanding by age (as of 2024-02-15)', ['Current', '1-30', '31-60', '61-90', '>90'])
    """
    if stack not in ("provider", None):
        raise ValueError(f"stack must be 'provider' or None, got {stack!r}")
    ax = _new_axes(ax, (8, 4.5))
    _set_title(ax, df, title or f"Outstanding by age (as of {_as_of_text(as_of)})")
    if len(df) == 0:
        return _no_data(ax)
    aged = aging_buckets(df, as_of, edges=edges, basis=basis, terms_days=terms_days)
    if len(aged) == 0:
        return _no_data(ax, "No open invoices")

    buckets = list(aged["bucket"].cat.categories)
    if stack == "provider":
        providers = _providers_in(aged)
        frame = pd.DataFrame(
            {
                "bucket": aged["bucket"].array,  # categoricals group by code, not by text
                "provider": aged["provider"].array,
                "outstanding": _ints(aged["outstanding"]),
            }
        )
        table = _sum_table(frame, "bucket", buckets, providers)
        totals = _stacked_bars(ax, table, [provider_color(p) for p in providers], labels=True)
        _legend_outside(ax, title="Provider")
    else:
        sums = aged.groupby("bucket", observed=False)["outstanding"].sum()
        totals = _ints(sums.reindex(buckets, fill_value=0))
        x = np.arange(len(buckets))
        container = ax.bar(x, totals, 0.7, color=_palette(len(buckets)))
        _label_bars(ax, container, totals)

    names = [str(b) for b in buckets]
    credits = credit_invoices(df)
    credit = checked_sum(_ints(credits["outstanding"])) if len(credits) else 0
    if credit < 0:  # credits owed back: a bar below zero, in its own colour
        position = len(buckets)
        bar = ax.bar([position], [credit], 0.7, color=CREDIT_COLOR, label="Credit")
        ax.bar_label(bar, labels=[format_rupiah(credit)], padding=3, fontsize="small")
        ax.axhline(0, color=TOTAL_COLOR, linewidth=0.8)
        names.append("Credit")
    ax.set_xticks(np.arange(len(names)), names)
    ax.set_xlabel("Days past due")
    ax.set_ylabel("Outstanding")
    _money_axis(ax, totals.max(initial=0), "y")
    if credit < 0:  # room below the credit bar for its label, however small the bar is beside the others
        top = max(ax.get_ylim()[1], -credit * 0.1)
        ax.set_ylim(min(credit * 1.25, credit - 0.1 * (top - credit)), top)
    _fit_labels(ax)
    return ax


@doc()
def plot_top_overdue(
    df: pd.DataFrame,
    as_of: AsOf = None,
    *,
    n: int = 10,
    edges: Sequence[int] = DEFAULT_EDGES,
    basis: Basis = "due",
    terms_days: Terms = 0,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Horizontal bars of the ``n`` customers with the most overdue outstanding.

    The bars are the rows of ``top_debtors(df, as_of, n=n, sort_by="overdue_amount")`` with an overdue amount,
    in its order, largest at the top, coloured by the bucket of the customer's oldest overdue invoice; names
    are told apart as :doc:`/guide/charts-report` says.

    Parameters
    ----------
    df : pandas.DataFrame
        Invoices in the core schema. Needs ``provider``, ``customer_id``, ``customer_name``, ``status``,
        ``outstanding``, ``issued_at`` and ``due_at`` (unless ``basis="issued"``).
    {as_of}
    n : int, default 10
        How many customers to show (at most), at least 1.
    {edges}
        They decide the bar colours.
    {basis}
    {terms_days}
    {ax}
    title : str or None, default None
        The axes title; None gives "Top N overdue customers (as of YYYY-MM-DD)".

    {chart_returns}

    Raises
    ------
    ValueError
        When ``n`` < 1, ``as_of`` is not a date, or (for a non-empty ``df``) ``edges`` or ``basis`` are invalid.
    {chart_keyerror}

    See Also
    --------
    top_debtors : The same customers and amounts, as a table.
    overdue_invoices : The invoices drawn.

    Examples
    --------
    >>> df = pd.DataFrame({"provider": ["faspay", "mayar", "mayar"], "status": ["unpaid"] * 3,
    ...                    "customer_id": ["C1", "C2", "C3"], "customer_name": ["Ani", "Budi", "Ani"],
    ...                    "issued_at": pd.to_datetime(["2024-01-01", "2023-12-05", "2023-09-20"]),
    ...                    "due_at": pd.to_datetime(["2024-02-15", "2024-01-10", "2023-10-01"]),
    ...                    "outstanding": [100_000, 250_000, 40_000]})
    >>> ax = plot_top_overdue(df, "2024-02-15", n=5)
    >>> ax.get_title(), [t.get_text() for t in ax.get_yticklabels()], [t.get_text() for t in ax.texts]
    ('Top 5 overdue customers (as of 2024-02-15)', ['Budi', 'Ani'], ['Rp 250 rb', 'Rp 40 rb'])
    """
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n!r}")
    ax = _new_axes(ax, (8, max(2.5, 0.45 * n + 1.2)))
    _set_title(ax, df, title or f"Top {n} overdue customers (as of {_as_of_text(as_of)})")
    if len(df) == 0:
        return _no_data(ax)
    edges = check_edges(edges)
    check_basis(basis)
    # The table's rows, ranked as the table ranks them: the bars are top_debtors' figures.
    top = rank_debtors(df, as_of, n=n, by=CUSTOMER, basis=basis, terms_days=terms_days, sort_by="overdue_amount",
                       func="plot_top_overdue")
    top = top[top["overdue_amount"].to_numpy() > 0]
    if len(top) == 0:
        return _no_data(ax, "No overdue invoices")

    buckets = bucket_labels(edges)
    colors = _palette(len(buckets))
    oldest = bucket_codes(top["oldest_days_past_due"].to_numpy(dtype="int64", na_value=0), edges)
    amounts = top["overdue_amount"].to_numpy(dtype="int64")
    y = np.arange(len(top))
    container = ax.barh(y, amounts, 0.7, color=[colors[c] for c in oldest])
    _label_bars(ax, container, amounts.tolist())
    ax.set_yticks(y, [literal(_short(name)) for name in _bar_names(top.index)])
    ax.invert_yaxis()  # largest at the top
    ax.set_xlabel("Overdue outstanding")
    _money_axis(ax, float(amounts.max()), "x")
    _legend_outside(
        ax,
        handles=[Patch(color=colors[c], label=str(buckets[c])) for c in sorted(set(oldest.tolist()))],
        title="Oldest overdue\ninvoice (days)",
        fontsize="small",
    )
    _fit_labels(ax)
    return ax


def _bar_names(customers: pd.Index) -> list[str]:
    """A label per customer (levels ``customer_name, customer_id, provider``): its name, then the provider and the
    customer id where needed to tell two shown customers apart."""
    keys = list(customers)
    names = pd.Series([customer_label(k) for k in keys], dtype=object)
    providers = pd.Series([str(k[2]) for k in keys], dtype=object)
    ids = pd.Series(["" if not isinstance(k[1], str) else k[1] for k in keys], dtype=object)
    labelled = names.where(~names.duplicated(keep=False), names + " (" + providers + ")")
    clash = labelled.duplicated(keep=False)
    labelled = labelled.where(~clash, labelled + " " + ids)
    return [str(v).rstrip() for v in labelled]
