"""History analytics over dates: the aging trend and roll rates (conventions: :mod:`._observed`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from invoice_analytics._dates import days_to_timestamps, jakarta_date
from invoice_analytics._docs import doc
from invoice_analytics._types import AsOf, Basis, By, Terms
from invoice_analytics.analytics._groupby import (
    by_names,
    checked_sum,
    exact_sums,
    ratios,
    row_sums,
)
from invoice_analytics.analytics._observed import (
    _CREDIT,
    _EXCLUDED,
    _KEYS,
    _OPEN,
    _PAID,
    _UNKNOWN,
    DATE,
    HistoryLike,
    _day_number,
    _ExampleStore,  # noqa: F401  (the examples' store)
    _keys,
    _refresh_days,
    _snapshot,
    _states,
)
from invoice_analytics.analytics._rules import (
    CREDIT,
    DEFAULT_EDGES,
    TOTAL,
    bucket_codes,
    bucket_labels,
    check_basis,
    check_edges,
    due_and_age,
    money,
    require,
    select_rows,
)
from invoice_analytics.analytics.aging import aging_report
from invoice_analytics.schema import DATETIME_DTYPE

__all__ = ["ROLL_OUTCOMES", "HistoryLike", "aging_trend", "roll_rates"]

#: The columns of :func:`roll_rates` after the end buckets, in order.
ROLL_OUTCOMES: tuple[str, ...] = ("Paid", "Cancelled", CREDIT, "Unknown", "Gone")

# ---------------------------------------------------------------------------
# aging over time


def _trend_days(store: HistoryLike, dates: Iterable[AsOf] | AsOf) -> list[dt.date]:
    """The Jakarta dates asked for, sorted and distinct, from the store's first refresh on."""
    refreshed = _refresh_days(store)
    if dates is None:
        wanted = [dt.date(1970, 1, 1) + dt.timedelta(days=int(d)) for d in refreshed]
    else:
        if isinstance(dates, (str, dt.date, pd.Timestamp, np.datetime64)):
            dates = [dates]
        wanted = sorted({jakarta_date(d, name="dates") for d in dates})
    if len(refreshed) == 0:
        return []
    first = int(refreshed[0])
    return [d for d in wanted if _day_number(d) >= first]


@doc()
def aging_trend(
    store: HistoryLike,
    dates: Iterable[AsOf] | AsOf = None,
    *,
    by: By = None,
    edges: Iterable[int] = DEFAULT_EDGES,
    basis: Basis = "due",
    terms_days: Terms = 0,
) -> pd.DataFrame:
    """Outstanding per aging bucket at each of several dates, as the store saw it then.

    For each date ``d``, :func:`~invoice_analytics.aging_report` of what the store knew at the end of ``d``,
    aged at ``d``: every invoice carries the outstanding and status it had that day. Dates follow the
    "Conventions" of :doc:`/guide/history-analytics` (sorted, distinct, none before the first refresh).

    Parameters
    ----------
    {store}
    dates : iterable of date-like, a date-like, or None, default None
        The dates (str, date, datetime, Timestamp, a ``pd.date_range``...); None: every refresh day.
    by : Hashable, list of Hashable or None, default None
        None: one row per date. Otherwise rows per date and key (a column of the store's frames, a list, or
        "issue_month"), only the keys with an open invoice or a credit that day, no "Total" rows (the
        ``by=None`` result holds them); ``.unstack(fill_value=0)`` gives a dense table.
    edges, basis, terms_days
        As for :func:`~invoice_analytics.aging_report`.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``date`` (Jakarta midnight, ``datetime64[us, Asia/Jakarta]``), then the ``by`` keys;
        columns the bucket labels, "Credit" and "Total", all ``int64``. With ``by=None`` every date has a row
        (zeros when nothing was open). ``attrs["source"]`` is the store's ("demo": a chart says DEMO DATA).

    Raises
    ------
    ValueError
        For invalid ``edges`` or ``basis``, or a date that is not a date.
    {raises_history}

    Examples
    --------
    ``store`` holds F1 (1,000,000, due 2025-12-20), F2 (200,000, due 2025-11-30) and M1 (Mayar, 100,000,
    issued 2025-12-28) open on Jan 1; by Jan 5, F1 and M1 are paid and F2 is paid down to 50,000:

    >>> store = _ExampleStore()
    >>> trend = aging_trend(store, ["2025-12-31", "2026-01-01", "2026-01-05"])
    >>> trend[["1-30", "31-60", "Total"]]  # doctest: +NORMALIZE_WHITESPACE
                                  1-30   31-60    Total
    date
    2026-01-01 00:00:00+07:00  1100000  200000  1300000
    2026-01-05 00:00:00+07:00        0   50000    50000
    """
    edges = check_edges(edges)
    check_basis(basis)
    labels = [*bucket_labels(edges), CREDIT, TOTAL]
    days = _trend_days(store, dates)
    stamps = pd.DatetimeIndex(
        days_to_timestamps(np.array([_day_number(d) for d in days], dtype=np.int64), np.ones(len(days), dtype=bool)),
        name=DATE,
    )
    snapshots = [_snapshot(store, d) for d in days]
    reports = [aging_report(snapshot, d, by=by, edges=edges, basis=basis, terms_days=terms_days, totals=False)
               for snapshot, d in zip(snapshots, days, strict=True)]
    source = {"source": snapshots[-1].attrs["source"]} if snapshots and "source" in snapshots[-1].attrs else {}
    if by is None:
        values = np.zeros((len(days), len(labels)), dtype=np.int64)
        for i, report in enumerate(reports):
            if len(report):
                values[i] = report[labels].to_numpy(dtype=np.int64)[0]
        frame = pd.DataFrame(values, index=stamps, columns=labels)
        frame.attrs.update(source)
        return frame
    names = [DATE, *by_names(by)]
    nonempty = [(s, r) for s, r in zip(stamps, reports, strict=True) if len(r)]
    if not nonempty:
        index = pd.MultiIndex.from_arrays([pd.DatetimeIndex([], dtype=DATETIME_DTYPE)]
                                          + [[] for _ in names[1:]], names=names)
        return pd.DataFrame({label: pd.Series([], dtype=np.int64) for label in labels}, index=index)
    trend = pd.concat([r[labels] for _, r in nonempty], keys=[s for s, _ in nonempty], names=[DATE])
    trend.index = trend.index.set_names(names)
    trend = trend.astype(np.int64)
    trend.attrs.update(source)
    return trend


# ---------------------------------------------------------------------------
# roll rates


@doc()
def roll_rates(
    store: HistoryLike,
    start: AsOf,
    end: AsOf,
    *,
    edges: Iterable[int] = DEFAULT_EDGES,
    terms_days: Terms = 0,
) -> pd.DataFrame:
    """Where the open amount of each aging bucket at ``start`` is at ``end``.

    Each row weighs the invoices open at ``start`` (aged from their due date) by their outstanding then; each
    column is the share of it whose invoice is, at ``end``, in that state of the "Conventions" of
    :doc:`/guide/history-analytics` (Cancelled: excluded; Gone: not in the store's frame). One still open
    counts ``min(outstanding at end, at start)`` in its end bucket, the rest of a part payment in "Paid".

    Parameters
    ----------
    {store}
    start, end : date-like
        Asia/Jakarta calendar days, ``start <= end``; each reads the store's state at the end of the day.
    {edges}
    {terms_days}

    Returns
    -------
    pandas.DataFrame
        Index ``bucket``: every bucket label, then "Total"; columns ``start_amount`` (``int64``), the bucket
        labels, then "Paid", "Cancelled", "Credit", "Unknown" and "Gone" (``Float64`` shares summing to 1 per
        row; ``<NA>`` for a bucket empty at ``start``).

    Raises
    ------
    ValueError
        When ``end`` is before ``start``, ``edges`` are invalid, a date is not a date, or the store's frame at
        ``end`` holds an invoice twice.
    {raises_history}

    Examples
    --------
    Of 1,100,000 in 1-30 on Jan 1 (F1, M1), all is paid by Jan 5; of F2's 200,000 in 31-60, 75 % is paid:

    >>> rr = roll_rates(_ExampleStore(), "2026-01-01", "2026-01-05")
    >>> rr.loc[["1-30", "31-60", "Total"], ["start_amount", "31-60", "Paid"]].round(4)
    ... # doctest: +NORMALIZE_WHITESPACE
            start_amount   31-60    Paid
    bucket
    1-30         1100000     0.0     1.0
    31-60         200000    0.25    0.75
    Total        1300000  0.0385  0.9615
    """
    edges = check_edges(edges)
    labels = bucket_labels(edges)
    nb = len(labels)
    first, last = jakarta_date(start, name="start"), jakarta_date(end, name="end")
    if last < first:
        raise ValueError(f"end ({last}) is before start ({first})")
    begin, finish_ = _snapshot(store, first), _snapshot(store, last)
    rows, amounts = select_rows(begin, "roll_rates", sign="open", basis="due")
    require(begin, _KEYS, "roll_rates")
    require(finish_, [*_KEYS, "status", "outstanding", "issued_at", "due_at"], "roll_rates")
    days, _, _ = due_and_age(begin, rows, _day_number(first), "due", terms_days)
    from_bucket = bucket_codes(days, edges).astype(np.int64)

    end_keys = _keys(finish_)
    if not end_keys.is_unique:
        raise ValueError("roll_rates: the store's frame at end holds an invoice twice")
    where = end_keys.get_indexer(_keys(begin, rows))
    found = where >= 0
    state = np.full(len(rows), -1, dtype=np.int64)
    state[found] = _states(finish_)[where[found]]

    outcome = {name: nb + i for i, name in enumerate(ROLL_OUTCOMES)}
    ncol = nb + len(ROLL_OUTCOMES)
    to = np.full(len(rows), outcome["Gone"], dtype=np.int64)
    to[state == _PAID] = outcome["Paid"]
    to[state == _EXCLUDED] = outcome["Cancelled"]
    to[state == _CREDIT] = outcome[CREDIT]
    to[state == _UNKNOWN] = outcome["Unknown"]
    still = np.flatnonzero(state == _OPEN)
    end_rows = where[still]
    end_days, _, _ = due_and_age(finish_, end_rows, _day_number(last), "due", terms_days)
    to[still] = bucket_codes(end_days, edges)
    moved = amounts.copy()
    end_out, _ = money(finish_["outstanding"])
    moved[still] = np.minimum(end_out[end_rows], amounts[still])
    cells = np.concatenate([from_bucket * ncol + to, from_bucket[still] * ncol + outcome["Paid"]])
    values = np.concatenate([moved, amounts[still] - moved[still]])
    sums = exact_sums(cells, values, nb * ncol).reshape(nb, ncol)
    sums = np.vstack([sums, row_sums(sums.T)])
    base = exact_sums(from_bucket, amounts, nb)
    base = np.append(base, checked_sum(base))
    columns: dict[str, Any] = {"start_amount": base}
    for j, name in enumerate([*labels, *ROLL_OUTCOMES]):
        columns[name] = ratios(sums[:, j], base)
    return pd.DataFrame(columns, index=pd.Index([*labels, TOTAL], name="bucket"))
