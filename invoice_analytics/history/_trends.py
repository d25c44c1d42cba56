"""Analytics that an invoice history makes possible: trends, roll rates, days to pay, DSO (private).

Proposed public names (for ``ia.<name>`` and the README's API table):

==========================  ===========================================================================
``aging_trend``             outstanding per aging bucket (+ Credit, Total) at each of several dates
``roll_rates``              where the open amount of each bucket at one date is at a later date
``payment_windows``         per invoice seen open then paid: the window in which it was paid
``days_to_pay``             median and 90th percentile days from issue to payment, as ranges
``dso``                     days sales outstanding by the countback method
``observed_amount``         per invoice, the largest outstanding seen while open (an amount's lower bound)
``with_observed_amount``    a frame with missing ``amount`` filled from that bound, flagged
``HistoryLike``             the three store methods these functions use (a typing Protocol)
``plot_aging_trend``        chart: a stacked area of the buckets over the dates (``display._trend_chart``)
==========================  ===========================================================================

Every function takes a store (anything with the three methods of
:class:`HistoryLike`, such as ``InvoiceStore``) and only reads it.

Conventions (beyond the analytics' own: open, credit, days past due, buckets,
``by``, exact ``int64`` rupiah, ``Float64`` shares; see :mod:`..analytics._rules`):

* **A date means the end of that Asia/Jakarta day.** The figure for date ``d``
  is ``store.as_of(d 23:59:59.999999 WIB)``: the latest version of each
  invoice observed on or before ``d``, invoices issued after ``d`` left out. A
  date between two refreshes shows what the earlier refresh saw; nothing is
  interpolated. Dates before the store's first refresh have no figures.
* **States of an invoice version** (one rule, :func:`_states`): *excluded*
  (status draft, cancelled or proforma: reported as "Cancelled"), else
  *credit* (``outstanding < 0``), *open* (``outstanding > 0``, as in the
  aging, whatever the status says), *paid* (``outstanding == 0``, or
  ``outstanding`` missing with status "paid"), else *unknown* (``outstanding``
  missing, status not paid). *Settled* = paid or credit.
* **Observation times**: a version's ``valid_from`` is when it was first
  seen, ``last_seen`` the last observation that confirmed it. A change
  happened somewhere between the last observation of the old version and
  the first of the new one; results built on that say so (payment windows,
  days to pay as ranges).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, Protocol

import numpy as np
import pandas as pd

from invoice_analytics._dates import NAT, day_numbers, days_to_timestamps, jakarta_date, month_ordinals
from invoice_analytics._types import AsOf, Basis, By, Terms
from invoice_analytics.analytics._groupby import (
    by_names,
    empty_index,
    exact_sums,
    finish,
    group_codes,
    ratios,
    require_by,
)
from invoice_analytics.analytics._rules import (
    CREDIT,
    DEFAULT_EDGES,
    TOTAL,
    bucket_codes,
    bucket_labels,
    check_basis,
    check_edges,
    counted_mask,
    due_and_age,
    money,
    paid_mask,
    require,
    select_rows,
)
from invoice_analytics.analytics.aging import aging_report
from invoice_analytics.schema import DATETIME_DTYPE, JAKARTA, STATUSES

__all__ = [
    "ROLL_OUTCOMES",
    "HistoryLike",
    "aging_trend",
    "days_to_pay",
    "dso",
    "observed_amount",
    "payment_windows",
    "roll_rates",
    "with_observed_amount",
]

#: The columns of :func:`roll_rates` after the end buckets, in order.
ROLL_OUTCOMES: tuple[str, ...] = ("Paid", "Cancelled", CREDIT, "Unknown", "Gone")
#: Name of the index of :func:`aging_trend` (Jakarta midnight of each date).
DATE = "date"

# The states of an invoice version (see the module docstring).
_OPEN, _CREDIT, _PAID, _EXCLUDED, _UNKNOWN = range(5)
_KEYS = ["provider", "invoice_id"]


class HistoryLike(Protocol):
    """What the history analytics read from a store (``InvoiceStore`` has it).

    ``history()``: one row per invoice *version*: the core columns plus
    ``valid_from``, ``valid_to`` (NaT while current) and ``last_seen``, all
    ``datetime64[us, Asia/Jakarta]``. ``as_of(when)``: the typed frame known at
    the instant ``when`` (a timezone-aware Timestamp). ``refreshes()``: at
    least ``observed_at`` and ``provider``, one row per provider per refresh.
    """

    def history(self) -> pd.DataFrame: ...

    def as_of(self, when: pd.Timestamp, /) -> pd.DataFrame: ...

    def refreshes(self) -> pd.DataFrame: ...


class _ExampleStore:
    """A three-invoice history for the examples (refreshes on 2026-01-01, 03 and 05 at 09:00 WIB).

    ====  ======  ==========  ==========  =======================================================
    id    source  issued      due         versions
    ====  ======  ==========  ==========  =======================================================
    F1    faspay  2025-12-01  2025-12-20  overdue 1,000,000 (seen Jan 1), paid 0 (from Jan 3)
    F2    faspay  2025-11-01  2025-11-30  overdue 200,000 (Jan 1), partially_paid 50,000 (from Jan 3)
    M1    mayar   2025-12-28              amount 100,000: unpaid (Jan 1, 3), paid (from Jan 5)
    ====  ======  ==========  ==========  =======================================================
    """

    def __init__(self) -> None:
        def at(day: int) -> pd.Timestamp:
            return pd.Timestamp(2026, 1, day, 9).tz_localize(JAKARTA)

        rows = [  # invoice_id, status, outstanding, valid_from, valid_to, last_seen
            ("F1", "overdue", 1_000_000, at(1), at(3), at(1)),
            ("F1", "paid", 0, at(3), None, at(5)),
            ("F2", "overdue", 200_000, at(1), at(3), at(1)),
            ("F2", "partially_paid", 50_000, at(3), None, at(5)),
            ("M1", "unpaid", 100_000, at(1), at(5), at(3)),
            ("M1", "paid", 0, at(5), None, at(5)),
        ]
        ids = [r[0] for r in rows]
        faspay = [i.startswith("F") for i in ids]
        issued = {"F1": "2025-12-01", "F2": "2025-11-01", "M1": "2025-12-28 10:00"}
        due = {"F1": "2025-12-20", "F2": "2025-11-30", "M1": None}

        def stamps(values: list[Any]) -> pd.Series:
            index = pd.DatetimeIndex([pd.NaT if v is None else pd.Timestamp(v) for v in values])
            return pd.Series(index.tz_localize(JAKARTA) if index.tz is None else index).astype(DATETIME_DTYPE)

        self.versions = pd.DataFrame({
            "provider": pd.Categorical(["faspay" if f else "mayar" for f in faspay], categories=["faspay", "mayar"]),
            "invoice_id": pd.array(ids, dtype="string"),
            "customer_id": pd.array(["C1" if f else "c9" for f in faspay], dtype="string"),
            "customer_name": pd.array(["PT Maju" if f else "Budi" for f in faspay], dtype="string"),
            "status": pd.Categorical([r[1] for r in rows], categories=STATUSES),
            "issued_at": stamps([issued[i] for i in ids]),
            "due_at": stamps([due[i] for i in ids]),
            "amount": pd.array([None if f else 100_000 for f in faspay], dtype="Int64"),
            "outstanding": pd.array([r[2] for r in rows], dtype="Int64"),
            "valid_from": stamps([r[3] for r in rows]),
            "valid_to": stamps([r[4] for r in rows]),
            "last_seen": stamps([r[5] for r in rows]),
        })
        self.observed = stamps([at(d) for d in (1, 1, 3, 3, 5, 5)])

    def history(self) -> pd.DataFrame:
        return self.versions.copy()

    def as_of(self, when: pd.Timestamp, /) -> pd.DataFrame:
        v = self.versions
        live = (v["valid_from"] <= when) & (v["valid_to"].isna() | (v["valid_to"] > when)) & (v["issued_at"] <= when)
        return v[live.to_numpy(dtype=bool)].drop(columns=["valid_from", "valid_to", "last_seen"])

    def refreshes(self) -> pd.DataFrame:
        return pd.DataFrame({"observed_at": self.observed, "provider": ["faspay", "mayar"] * 3})


# ---------------------------------------------------------------------------
# helpers


def _end_of_day(day: dt.date) -> pd.Timestamp:
    """The last microsecond of ``day`` in Asia/Jakarta.

    >>> _end_of_day(dt.date(2026, 1, 31))
    Timestamp('2026-01-31 23:59:59.999999+0700', tz='Asia/Jakarta')
    """
    return pd.Timestamp(day + dt.timedelta(days=1)).tz_localize(JAKARTA) - pd.Timedelta(1, unit="us")


def _snapshot(store: HistoryLike, day: dt.date) -> pd.DataFrame:
    """What ``store`` knew at the end of ``day``."""
    return store.as_of(_end_of_day(day))


def _day_number(day: dt.date) -> int:
    return (day - dt.date(1970, 1, 1)).days


def _refresh_days(store: HistoryLike) -> np.ndarray:
    """The sorted distinct Jakarta days of the store's refreshes."""
    refreshes = store.refreshes()
    require(refreshes, ["observed_at"], "refreshes")
    days, known = day_numbers(refreshes["observed_at"])
    return np.unique(days[known])


def _states(df: pd.DataFrame) -> np.ndarray:
    """The state of each row (``_OPEN``, ``_CREDIT``, ``_PAID``, ``_EXCLUDED``, ``_UNKNOWN``).

    >>> df = pd.DataFrame({"status": pd.Categorical(["unpaid", "paid", "paid", "cancelled", "unpaid", "paid"]),
    ...                    "outstanding": pd.array([5, 0, -3, 5, None, None], dtype="Int64")})
    >>> _states(df).tolist()  # open, paid, credit, excluded, unknown, paid
    [0, 2, 1, 3, 4, 2]
    """
    counted = counted_mask(df["status"])
    out, missing = money(df["outstanding"])
    known = np.ones(len(df), dtype=bool) if missing is None else ~missing
    state = np.full(len(df), _UNKNOWN, dtype=np.int8)
    state[known & (out == 0)] = _PAID
    state[~known & paid_mask(df["status"])] = _PAID
    state[known & (out > 0)] = _OPEN
    state[known & (out < 0)] = _CREDIT
    state[~counted] = _EXCLUDED
    return state


def _keys(df: pd.DataFrame, rows: np.ndarray | None = None) -> pd.MultiIndex:
    """(provider, invoice_id) of ``df`` (or of its ``rows``) as text, for matching across frames."""
    parts = [df[k].astype("string") for k in _KEYS]
    if rows is not None:
        parts = [p.take(rows) for p in parts]
    return pd.MultiIndex.from_arrays([p.array for p in parts], names=_KEYS)


def _int_array(values: np.ndarray, known: np.ndarray) -> pd.arrays.IntegerArray:
    return pd.arrays.IntegerArray(np.where(known, values, 0).astype(np.int64), ~known)


def _group_quantile(codes: np.ndarray, values: np.ndarray, n: int, q: float) -> pd.arrays.FloatingArray:
    """The ``q`` quantile of ``values`` per group (linear interpolation, as numpy's and pandas' default);
    ``<NA>`` for an empty group.

    >>> _group_quantile(np.array([0, 0, 0, 0, 1]), np.array([4, 1, 3, 2, 7]), 3, 0.5).tolist()
    [2.5, 7.0, <NA>]
    """
    counts = np.bincount(codes, minlength=n)
    order = np.lexsort((values, codes))
    ordered = np.asarray(values, dtype=np.float64)[order]
    starts = np.cumsum(counts) - counts
    has = counts > 0
    h = np.where(has, counts - 1, 0) * q
    lo = np.floor(h).astype(np.int64)
    hi = np.ceil(h).astype(np.int64)
    if len(ordered) == 0:
        return pd.arrays.FloatingArray(np.zeros(n), np.ones(n, dtype=bool))
    at_lo = ordered[np.minimum(starts + lo, len(ordered) - 1)]
    at_hi = ordered[np.minimum(starts + hi, len(ordered) - 1)]
    result = at_lo + (h - lo) * (at_hi - at_lo)
    return pd.arrays.FloatingArray(np.where(has, result, 0.0), ~has)


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

    For each date ``d``, :func:`~invoice_analytics.aging_report` of what the
    store knew at the end of ``d`` (``store.as_of``), aged at ``d``: the open
    amount per bucket, "Credit" (credits, <= 0) and "Total" (the net
    balance), exact ``int64`` rupiah. Unlike aging today's load at a past
    date, every invoice carries the outstanding and status it had that day.

    Conventions: a date is an Asia/Jakarta calendar day and reads the
    store's state at its end (a date between refreshes shows the earlier
    refresh; nothing is interpolated). Dates are sorted and made distinct;
    dates before the store's first refresh are left out (nothing was known
    then, and a zero would be false). Open, credit, buckets, ``basis`` and
    ``terms_days`` are the aging report's.

    Parameters
    ----------
    store : HistoryLike
        The invoice history (``InvoiceStore`` or anything with ``as_of``,
        ``history`` and ``refreshes``).
    dates : iterable of date-like, a date-like, or None, default None
        The dates (str, date, datetime, Timestamp, a ``pd.date_range``...);
        None: every day the store refreshed.
    by : Hashable, list of Hashable or None, default None
        None: one row per date. Otherwise rows per date and key (a column of
        the store's frames, a list, or "issue_month"), only the keys with an
        open invoice or a credit that day, no "Total" rows (the ``by=None``
        result holds them); ``.unstack(fill_value=0)`` gives a dense table.
    edges, basis, terms_days
        As for :func:`~invoice_analytics.aging_report`.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``date`` (Jakarta midnight, ``datetime64[us,
        Asia/Jakarta]``), then the ``by`` keys; columns the bucket labels,
        "Credit" and "Total", all ``int64``. With ``by=None`` every date has a
        row (zeros when nothing was open). ``attrs["source"]`` is the
        store's ("demo" for a demo store), so a chart of it says DEMO DATA.

    Raises
    ------
    ValueError
        For invalid ``edges`` or ``basis``, or a date that is not a date.
    KeyError
        When the store's frames lack a column needed (a ``by`` column).

    Examples
    --------
    ``store`` holds F1 (1,000,000, due 2025-12-20), F2 (200,000, due
    2025-11-30) and M1 (Mayar, 100,000, issued 2025-12-28) open on Jan 1; by
    Jan 5, F1 and M1 are paid and F2 is paid down to 50,000:

    >>> store = _ExampleStore()
    >>> trend = aging_trend(store, ["2025-12-31", "2026-01-01", "2026-01-05"])
    >>> trend[["1-30", "31-60", "Total"]]  # doctest: +NORMALIZE_WHITESPACE
                                  1-30   31-60    Total
    date
    2026-01-01 00:00:00+07:00  1100000  200000  1300000
    2026-01-05 00:00:00+07:00        0   50000    50000
    >>> aging_trend(store, "2026-01-03", by="provider").droplevel("date")["Total"].to_dict()
    {'mayar': 100000, 'faspay': 50000}
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


def roll_rates(
    store: HistoryLike,
    start: AsOf,
    end: AsOf,
    *,
    edges: Iterable[int] = DEFAULT_EDGES,
    terms_days: Terms = 0,
) -> pd.DataFrame:
    """Where the open amount of each aging bucket at ``start`` is at ``end``.

    Rows: the buckets at ``start`` (then "Total"); each row's invoices are
    those open at ``start`` (as the store knew them at the end of that day,
    aged from their due date at ``start``), weighted by their outstanding
    then (``start_amount``). Columns: the share of that amount which at
    ``end`` is, per invoice (its version at the end of ``end``):

    * in an end **bucket**: still open, aged at ``end``; only
      ``min(outstanding at end, at start)`` of it, the rest of a part payment
      goes to "Paid" (an outstanding that grew counts at its start amount);
    * **Paid**: ``outstanding`` 0 (or missing with status "paid"), status not
      draft, cancelled or proforma;
    * **Cancelled**: status cancelled (or back to draft or proforma): no
      longer billed;
    * **Credit**: a negative outstanding (overpaid), whatever the status;
    * **Unknown**: ``outstanding`` missing and status not "paid";
    * **Gone**: not in the store's frame at ``end`` (deleted, moved).

    Shares are ``Float64`` and sum to 1 per row (up to float rounding);
    ``<NA>`` for a bucket with nothing open at ``start``.

    Parameters
    ----------
    store : HistoryLike
        The invoice history.
    start, end : date-like
        Asia/Jakarta calendar days, ``start <= end``; each reads the store's
        state at the end of the day.
    edges : Iterable[int], default DEFAULT_EDGES
        Bucket edges in days past due, as for the aging report.
    terms_days : int, mapping or str, default 0
        Payment terms of an invoice without ``due_at`` (Mayar): days, days
        by provider (``{"mayar": 14}``) or a column of terms, as for the
        aging report.

    Returns
    -------
    pandas.DataFrame
        Index ``bucket``: every bucket label, then "Total"; columns
        ``start_amount`` (``int64``), the bucket labels, then "Paid",
        "Cancelled", "Credit", "Unknown" and "Gone" (``Float64``).

    Raises
    ------
    ValueError
        When ``end`` is before ``start``, ``edges`` are invalid, a date is not
        a date, or the store's frame at ``end`` holds an invoice twice.
    KeyError
        When the store's frames lack a column needed.

    Examples
    --------
    Of the 1,100,000 in 1-30 on Jan 1 (F1 and M1), all is paid by Jan 5; of
    F2's 200,000 in 31-60, 150,000 is paid and 50,000 is still 31-60:

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
    sums = np.vstack([sums, sums.sum(axis=0)])
    base = exact_sums(from_bucket, amounts, nb)
    base = np.append(base, base.sum())
    columns: dict[str, Any] = {"start_amount": base}
    for j, name in enumerate([*labels, *ROLL_OUTCOMES]):
        columns[name] = ratios(sums[:, j], base)
    return pd.DataFrame(columns, index=pd.Index([*labels, TOTAL], name="bucket"))


# ---------------------------------------------------------------------------
# payment windows and days to pay

_WINDOW_COLUMNS = (
    "provider", "invoice_id", "customer_id", "customer_name", "issued_at", "due_at", "open_amount",
    "last_seen_open", "first_seen_paid", "window_days", "days_to_pay_min", "days_to_pay_max",
)


def payment_windows(store: HistoryLike) -> pd.DataFrame:
    """For each invoice seen open and later seen settled, the window in which it was paid.

    The lists carry no payment date; the history brackets it. For each
    invoice, the first *settled* version (paid or credit, see the module's
    states) that follows an *open* one, and the last open version before it:
    the payment happened in ``(last_seen_open, first_seen_paid]`` (the last
    observation that still showed it open, the first that showed it paid).
    An invoice paid before the store first saw it, or paid and seen only
    once, has no window: it is left out (so are invoices paid the day they
    were issued, between two refreshes; days to pay are biased long by that).
    A part payment between the two versions does not move the window: it
    brackets the payment that settled the invoice.

    Day counts are Asia/Jakarta calendar days: ``window_days`` from the last
    open observation's day to the first paid one's; ``days_to_pay_min`` from
    the issue day to the day last seen open (the payment came later that day
    at the earliest), ``days_to_pay_max`` to the day first seen paid.

    Parameters
    ----------
    store : HistoryLike
        The invoice history; ``history()`` needs the core columns and
        ``valid_from`` and ``last_seen``.

    Returns
    -------
    pandas.DataFrame
        One row per invoice, sorted by ``first_seen_paid`` then provider and
        invoice id; columns ``provider``, ``invoice_id``, ``customer_id``,
        ``customer_name``, ``issued_at``, ``due_at`` (as in the last open
        version), ``open_amount`` (``int64``: the outstanding last seen open),
        ``last_seen_open``, ``first_seen_paid`` (``datetime64[us,
        Asia/Jakarta]``), ``window_days``, ``days_to_pay_min`` and
        ``days_to_pay_max`` (``Int64``; missing without ``issued_at``).

    Raises
    ------
    KeyError
        When ``history()`` lacks a column needed.

    Examples
    --------
    F1 was last seen open on Jan 1 and first seen paid on Jan 3; M1 last
    seen open on Jan 3, paid on Jan 5 (F2 is only paid in part):

    >>> pw = payment_windows(_ExampleStore())
    >>> pw[["invoice_id", "open_amount", "window_days", "days_to_pay_min", "days_to_pay_max"]]
      invoice_id  open_amount  window_days  days_to_pay_min  days_to_pay_max
    0         F1      1000000            2               31               33
    1         M1       100000            2                6                8
    """
    history = store.history()
    require(history, [*_WINDOW_COLUMNS[:6], "status", "outstanding", "valid_from", "last_seen"], "payment_windows")
    n = len(history)
    if n == 0:
        return _empty_windows(history)
    group, _ = group_codes(history, _KEYS, np.arange(n))
    since, since_known = day_numbers(history["valid_from"])
    raw_since = history["valid_from"].astype(DATETIME_DTYPE).to_numpy(dtype="datetime64[us]").view(np.int64)
    order = np.lexsort((raw_since, group))
    group = group[order]
    state = _states(history)[order]
    position = np.arange(n)
    group_start = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    start_of = np.repeat(group_start, np.diff(np.r_[group_start, n]))
    last_open = np.maximum.accumulate(np.where(state == _OPEN, position, -1))
    candidate = ((state == _PAID) | (state == _CREDIT)) & (last_open >= start_of)
    chosen = np.flatnonzero(candidate)
    if len(chosen):
        chosen = chosen[np.r_[True, group[chosen][1:] != group[chosen][:-1]]]
    paid_rows = order[chosen]
    open_rows = order[last_open[chosen]]
    if len(paid_rows) == 0:
        return _empty_windows(history)

    opened = history.take(open_rows)
    out = pd.DataFrame({name: opened[name].array for name in _WINDOW_COLUMNS[:6]})
    out["open_amount"] = money(opened["outstanding"])[0]
    out["last_seen_open"] = opened["last_seen"].astype(DATETIME_DTYPE).array
    out["first_seen_paid"] = history["valid_from"].astype(DATETIME_DTYPE).array.take(paid_rows)
    seen, seen_known = day_numbers(history["last_seen"], open_rows)
    paid_day, paid_known = since[paid_rows], since_known[paid_rows]
    issued, issued_known = day_numbers(history["issued_at"], open_rows)
    out["window_days"] = _int_array(paid_day - seen, seen_known & paid_known)
    out["days_to_pay_min"] = _int_array(seen - issued, seen_known & issued_known)
    out["days_to_pay_max"] = _int_array(paid_day - issued, paid_known & issued_known)
    out = out.sort_values(["first_seen_paid", "provider", "invoice_id"], kind="stable", na_position="last")
    return out.reset_index(drop=True)


def _empty_windows(history: pd.DataFrame) -> pd.DataFrame:
    columns: dict[str, Any] = {name: history[name].iloc[:0].array for name in _WINDOW_COLUMNS[:6]}
    columns["open_amount"] = np.zeros(0, dtype=np.int64)
    for name in ("last_seen_open", "first_seen_paid"):
        columns[name] = pd.array([], dtype=DATETIME_DTYPE)
    for name in _WINDOW_COLUMNS[-3:]:
        columns[name] = pd.array([], dtype="Int64")
    return pd.DataFrame(columns)


#: The statistics of :func:`days_to_pay`: name -> quantile.
_STATISTICS = {"median": 0.5, "p90": 0.9}


def days_to_pay(store: HistoryLike, *, by: By = None, totals: bool = True) -> pd.DataFrame:
    """Median and 90th percentile of days from issue to payment, as ranges, per ``by``.

    Built on :func:`payment_windows`: each invoice's days to pay is only
    known to lie in ``[days_to_pay_min, days_to_pay_max]`` (the refreshes
    bracket the payment, they do not date it). A quantile is monotone in
    every value, so the true median lies in ``[median of the minima, median
    of the maxima]``, and likewise the 90th percentile: those are the
    ``*_low`` and ``*_high`` columns. Giving one number would be false
    precision; ``median_window_days`` says how wide the brackets typically
    are (1 with daily refreshes). Quantiles interpolate linearly, as pandas'
    and numpy's default.

    Only invoices the store saw open and then settled, with a known
    ``issued_at``, count; invoices paid before the store first saw them or
    between two refreshes on their issue day are not there, so these figures
    lean long.

    Parameters
    ----------
    store : HistoryLike
        The invoice history.
    by : Hashable, list of Hashable or None, default None
        A column of :func:`payment_windows` (``provider``,
        ``customer_name``...), a list, "issue_month", or None for one row
        "Total".
    totals : bool, default True
        Append a "Total" row to a grouped result.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``by``; columns ``paid_count`` (``int64``),
        ``median_days_to_pay_low``, ``median_days_to_pay_high``,
        ``p90_days_to_pay_low``, ``p90_days_to_pay_high`` and
        ``median_window_days`` (``Float64``).

    Raises
    ------
    KeyError
        When ``history()`` lacks a column needed or ``by`` is not a column.

    Examples
    --------
    Two invoices, paid after 31-33 and 6-8 days: the median lies between
    18.5 and 20.5 days.

    >>> days_to_pay(_ExampleStore()).loc["Total"].tolist()  # paid_count, then the ranges
    [2.0, 18.5, 20.5, 28.5, 30.5, 2.0]
    >>> days_to_pay(_ExampleStore(), by="provider")["median_days_to_pay_low"].tolist()
    [31.0, 6.0, 18.5]
    """
    windows = payment_windows(store)
    require_by(windows, by, "days_to_pay")
    known = windows["days_to_pay_min"].notna().to_numpy() & windows["days_to_pay_max"].notna().to_numpy()
    rows = np.flatnonzero(known)
    low = windows["days_to_pay_min"].to_numpy(dtype=np.int64, na_value=0)[rows]
    high = windows["days_to_pay_max"].to_numpy(dtype=np.int64, na_value=0)[rows]
    width = windows["window_days"].to_numpy(dtype=np.int64, na_value=0)[rows]

    def stats(codes: np.ndarray, n: int) -> dict[str, Any]:
        columns: dict[str, Any] = {"paid_count": np.bincount(codes, minlength=n).astype(np.int64)}
        for name, q in _STATISTICS.items():
            columns[f"{name}_days_to_pay_low"] = _group_quantile(codes, low, n, q)
            columns[f"{name}_days_to_pay_high"] = _group_quantile(codes, high, n, q)
        columns["median_window_days"] = _group_quantile(codes, width, n, 0.5)
        return columns

    group, index = group_codes(windows, by, rows)
    columns = stats(group, len(index))
    grand = None
    if totals and by is not None:
        overall = stats(np.zeros(len(rows), dtype=np.int64), 1)
        grand = {k: v[0] for k, v in overall.items()}
    return finish(index, columns, by=by, totals=grand)


# ---------------------------------------------------------------------------
# DSO


def _countback(
    receivables: np.ndarray, sales: np.ndarray, days: np.ndarray
) -> tuple[pd.arrays.FloatingArray, np.ndarray, np.ndarray, np.ndarray]:
    """Countback DSO per row: ``(dso_days, months_counted, billed_amount, is_lower_bound)``.

    ``sales[g, k]`` is the amount billed k months back (k = 0: the as_of
    month up to as_of), ``days[k]`` that month's days counted.

    >>> d, m, b, lb = _countback(np.array([150, 0, 999]), np.array([[100, 100], [5, 5], [1, 1]]), np.array([10, 30]))
    >>> d.tolist(), m.tolist(), b.tolist(), lb.tolist()
    ([25.0, 0.0, 40.0], [2, 0, 2], [200, 0, 2], [False, False, True])
    """
    cum = np.cumsum(sales, axis=1)
    before = cum - sales
    cum_days = np.cumsum(days)
    days_before = cum_days - days
    reached = cum >= receivables[:, None]
    has = reached.any(axis=1)
    k = np.argmax(reached, axis=1)
    rows = np.arange(len(receivables))
    month_sales = sales[rows, k]
    fraction = (receivables - before[rows, k]) / np.where(month_sales == 0, 1, month_sales)
    dso = np.where(has, days_before[k] + days[k] * fraction, cum_days[-1])
    zero = receivables <= 0
    dso = np.where(zero, 0.0, dso)
    months = np.where(zero, 0, np.where(has, k + 1, len(days))).astype(np.int64)
    billed = np.where(zero, 0, np.where(has, cum[rows, k], cum[:, -1])).astype(np.int64)
    lower = ~zero & ~has
    return pd.arrays.FloatingArray(dso.astype(np.float64), np.zeros(len(dso), dtype=bool)), months, billed, lower


def dso(
    store: HistoryLike,
    as_of: AsOf,
    *,
    months: int = 3,
    by: By = None,
    observed_amounts: bool = False,
    totals: bool = True,
) -> pd.DataFrame:
    """Days sales outstanding at ``as_of`` by the countback method.

    What the store knew at the end of ``as_of`` gives the receivables ``R``
    (outstanding of the open invoices) and the sales ``S_k`` (sum of
    ``amount`` of the invoices issued in the calendar month k months before
    ``as_of``'s, status not draft, cancelled or proforma; k = 0 is ``as_of``'s
    month up to ``as_of``, whose days ``D_0`` are its day of the month;
    ``D_k`` is the length of month k). Walking back, whole months are
    subtracted while the balance outlasts them, then the fraction of the last
    month::

        K   = the first k with S_0 + ... + S_k >= R
        DSO = D_0 + ... + D_{K-1} + D_K * (R - (S_0 + ... + S_{K-1})) / S_K

    At most ``months`` months are walked; when ``R`` outlasts them all, DSO is
    their total days and ``is_lower_bound`` is True (the true DSO is
    longer). ``R = 0`` gives 0.

    ``R`` and ``S`` cover the same invoices: those with a known ``amount``.
    Faspay lists carry no amount, so by default this is **Mayar's DSO**
    (Faspay invoices are left out of both). With ``observed_amounts=True``
    missing amounts are filled by :func:`with_observed_amount` (the largest
    outstanding the store saw while the invoice was open, using everything
    the store saw, also after ``as_of``): every open Faspay invoice then
    counts in ``R``, but the sales miss Faspay invoices never seen open (paid
    before the store's first refresh or between two refreshes) and
    understate those paid in part before being seen, so a Faspay DSO is an
    overestimate.

    Parameters
    ----------
    store : HistoryLike
        The invoice history.
    as_of : date-like
        An Asia/Jakarta calendar day (its end is read).
    months : int, default 3
        The most months walked back, ``as_of``'s own month counted as the
        first.
    by : Hashable, list of Hashable or None, default None
        Groups (e.g. "provider"), each with its own countback; None: one row
        "Total".
    observed_amounts : bool, default False
        Fill missing amounts from :func:`observed_amount` (see above).
    totals : bool, default True
        Append a "Total" row (the countback of everything) to a grouped
        result.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``by``; columns ``receivables`` (``int64``),
        ``dso_days`` (``Float64``), ``months_counted`` (``int64``: months
        whose sales were used, 0 when ``R = 0``), ``billed_amount``
        (``int64``: the sales of those months) and ``is_lower_bound``
        (``bool``). Groups with nothing open and nothing billed in the
        months walked have no row.

    Raises
    ------
    ValueError
        When ``months`` is not a whole number >= 1 or ``as_of`` is not a date.
    KeyError
        When the store's frame lacks a column needed.

    Examples
    --------
    On Jan 3, Mayar's M1 (100,000, billed in December) is open and nothing
    was billed in January: 3 days of January, then all of December's 31.
    With the observed amounts, F2's 50,000 is open too and December billed
    F1's 1,000,000 as well:

    >>> store = _ExampleStore()
    >>> dso(store, "2026-01-03")  # doctest: +NORMALIZE_WHITESPACE
           receivables  dso_days  months_counted  billed_amount  is_lower_bound
    Total       100000      34.0               2         100000           False
    >>> round(float(dso(store, "2026-01-03", observed_amounts=True).loc["Total", "dso_days"]), 4)
    7.2273
    """
    if int(months) != months or months < 1:
        raise ValueError(f"months must be a whole number >= 1, got {months!r}")
    months = int(months)
    day = jakarta_date(as_of)
    frame = _snapshot(store, day)
    require(frame, ["status", "outstanding", "amount", "issued_at"], "dso")
    require_by(frame, by, "dso")
    if observed_amounts:
        frame = with_observed_amount(frame, store)
    amount, amount_missing = money(frame["amount"])
    outstanding, out_missing = money(frame["outstanding"])
    usable = counted_mask(frame["status"])
    if amount_missing is not None:
        usable &= ~amount_missing
    open_ = outstanding > 0
    if out_missing is not None:
        open_ &= ~out_missing
    this_month = int(np.datetime64(day, "M").astype(np.int64))
    issued_month = month_ordinals(frame["issued_at"])
    back = np.where(issued_month == NAT, -1, this_month - issued_month)
    in_window = (back >= 0) & (back < months)
    rows = np.flatnonzero(usable & (open_ | in_window))
    first = np.datetime64(day, "M") - np.arange(months)
    days = ((first + 1).astype("datetime64[D]") - first.astype("datetime64[D]")).astype(np.int64)
    days[0] = day.day

    def countback(codes: np.ndarray, n: int) -> dict[str, Any]:
        r = rows[open_[rows]]
        receivables = exact_sums(codes[open_[rows]], outstanding[r], n)
        w = in_window[rows]
        sales = exact_sums(codes[w] * months + back[rows[w]], amount[rows[w]], n * months).reshape(n, months)
        d, m, b, lower = _countback(receivables, sales, days)
        return {"receivables": receivables, "dso_days": d, "months_counted": m, "billed_amount": b,
                "is_lower_bound": lower}

    group, index = group_codes(frame, by, rows)
    columns = countback(group, len(index))
    grand = None
    if totals and by is not None:
        overall = countback(np.zeros(len(rows), dtype=np.int64), 1)
        grand = {k: v[0] for k, v in overall.items()}
    if len(index) == 0:
        index = empty_index(by)
    return finish(index, columns, by=by, totals=grand)


# ---------------------------------------------------------------------------
# observed amounts


def observed_amount(store: HistoryLike) -> pd.Series:
    """The largest outstanding the store saw while each invoice was open: a lower bound of its amount.

    Faspay lists carry no invoice amount. An open invoice's outstanding is
    what is left to pay, never more than the amount (a part payment only
    lowers it), so the largest outstanding seen over the invoice's open
    versions bounds its amount from below; it equals the amount when the
    invoice was seen open before any part payment (with daily refreshes,
    the usual case). Invoices never seen open (paid, cancelled or drafted in
    every version the store holds) have no bound.

    Parameters
    ----------
    store : HistoryLike
        The invoice history.

    Returns
    -------
    pandas.Series
        ``Int64`` named "observed_amount", indexed by (``provider``,
        ``invoice_id``), one entry per invoice ever seen open, sorted.

    Raises
    ------
    KeyError
        When ``history()`` lacks a column needed.

    Examples
    --------
    >>> observed_amount(_ExampleStore()).tolist()  # F1, F2 (first seen before its part payment), M1
    [1000000, 200000, 100000]
    """
    history = store.history()
    require(history, [*_KEYS, "status", "outstanding"], "observed_amount")
    rows = np.flatnonzero(_states(history) == _OPEN)
    group, index = group_codes(history, _KEYS, rows)
    out, _ = money(history["outstanding"])
    largest = np.zeros(len(index), dtype=np.int64)
    np.maximum.at(largest, group, out[rows])
    if len(index) == 0:
        index = pd.MultiIndex.from_arrays([history[k].iloc[:0].array for k in _KEYS], names=_KEYS)
    bound = pd.Series(pd.array(largest, dtype="Int64"), index=index, name="observed_amount")
    return bound.sort_index()


def with_observed_amount(df: pd.DataFrame, store: HistoryLike) -> pd.DataFrame:
    """``df`` with a missing ``amount`` filled from :func:`observed_amount`, flagged.

    A copy of ``df`` where every missing ``amount`` of an invoice the store
    saw open is the largest outstanding seen then (a lower bound of the true
    amount), and a bool column ``amount_is_lower_bound`` says which rows were
    filled. Known amounts are kept. With it, amount-weighted figures
    (``paid_ratio(..., weight="amount")``, :func:`dso`) cover the Faspay
    invoices the store saw open; they understate what was billed (invoices
    never seen open stay without an amount, and an invoice first seen after a
    part payment is bounded below its amount).

    Parameters
    ----------
    df : pandas.DataFrame
        Invoices with ``provider``, ``invoice_id`` and ``amount`` (a load, or
        ``store.as_of(...)``).
    store : HistoryLike
        The invoice history.

    Returns
    -------
    pandas.DataFrame
        ``df``'s columns (``amount`` as ``Int64``) and index, plus
        ``amount_is_lower_bound`` (``bool``).

    Raises
    ------
    KeyError
        When ``df`` or ``history()`` lacks a column needed.

    Examples
    --------
    >>> store = _ExampleStore()
    >>> now = with_observed_amount(store.as_of(pd.Timestamp("2026-01-05 23:00", tz=JAKARTA)), store)
    >>> now[["invoice_id", "amount", "amount_is_lower_bound"]]
      invoice_id   amount  amount_is_lower_bound
    1         F1  1000000                   True
    3         F2   200000                   True
    5         M1   100000                  False
    """
    require(df, [*_KEYS, "amount"], "with_observed_amount")
    bound = observed_amount(store)
    out = df.copy()
    amount = out["amount"].astype("Int64")
    missing = amount.isna().to_numpy()
    filled = np.zeros(len(out), dtype=bool)
    if missing.any() and len(bound):
        rows = np.flatnonzero(missing)
        bound_keys = pd.MultiIndex.from_arrays(
            [bound.index.get_level_values(k).astype("string").array for k in _KEYS], names=_KEYS
        )
        where = bound_keys.get_indexer(_keys(out, rows))
        hit = where >= 0
        values = amount.to_numpy(dtype=np.int64, na_value=0)
        values[rows[hit]] = bound.to_numpy(dtype=np.int64, na_value=0)[where[hit]]
        filled[rows[hit]] = True
        amount = pd.Series(pd.arrays.IntegerArray(values, missing & ~filled), index=out.index, name="amount")
    out["amount"] = amount
    out["amount_is_lower_bound"] = filled
    return out

