"""Cash-in forecast: each open invoice's chance of payment per coming week, and their sums (private)."""

from __future__ import annotations

from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from invoice_analytics._dates import days_to_timestamps
from invoice_analytics._docs import doc
from invoice_analytics._types import AsOf
from invoice_analytics.analytics._groupby import exact_sums
from invoice_analytics.analytics._observed import HistoryLike, _ExampleStore  # noqa: F401 (the examples' store)
from invoice_analytics.analytics._survival import KnownAt, day_probabilities, hazards
from invoice_analytics.analytics._timeline import Fitted, Timeline, fitted, timeline
from invoice_analytics.analytics.behaviour import cutoff_of

__all__ = ["expected_payments", "forecast_collections"]

#: Past weeks whose one-week-ahead errors size the intervals' extra spread.
_DISPERSION_WEEKS = 13
_RANGE_DAYS = 365


def week_layout(today: int, weeks: int) -> tuple[int, int, np.ndarray]:
    """(first Monday, days forecast after ``today``, week index of each of those days)."""
    if isinstance(weeks, bool) or int(weeks) != weeks or weeks < 1:
        raise ValueError(f"weeks must be a whole number >= 1, got {weeks!r}")
    first = today + 1
    monday = first - (first + 3) % 7  # 1970-01-01 was a Thursday
    days = monday + 7 * int(weeks) - first
    return monday, days, (first + np.arange(days) - monday) // 7


def week_starts(monday: int, weeks: int) -> pd.Series:
    days = monday + 7 * np.arange(weeks, dtype=np.int64)
    return days_to_timestamps(days, np.ones(weeks, dtype=bool))


def prepare(store: HistoryLike | KnownAt, as_of: AsOf, t: Timeline | None = None) -> Fitted:
    """The fitted model at ``as_of`` (a view: at its own cutoff), from the store's timeline ``t`` (None: kept)."""
    cutoff, today = cutoff_of(as_of)
    t = timeline(store) if t is None else t
    if isinstance(store, KnownAt):
        cutoff, t.source = store.cutoff, store.source
    elif not t.source_known or cutoff.value // 1000 < t.first_refresh:
        snapshot = store.as_of(cutoff)  # raises when nothing was observed by then
        t.source, t.source_known = snapshot.attrs.get("source"), True
    f = fitted(t, cutoff, today)
    f.source = t.source
    return f


def dispersion(f: Fitted) -> float:
    """phi^2: the spread of a week's collections beyond independent invoices (see the guide)."""
    s = f.spells
    # the payment day: the window's middle day
    event = np.where(s.paid, s.last_open + (np.maximum(s.paid_day - s.last_open, 1) + 1) // 2, np.iinfo(np.int64).max)
    exit_ = np.where(s.paid, event - 1, s.last_open)
    amount = s.amount.astype(np.float64)
    num, den = 0.0, 0.0
    for j in range(1, _DISPERSION_WEEKS + 1):
        start = f.today - 7 * j  # the end of this day; the week is start+1..start+7
        rows = np.flatnonzero((s.entry <= start) & (exit_ >= start))
        if len(rows) == 0:
            continue
        age = (start - s.ref[rows])[:, None] + np.arange(1, 8)[None, :]
        p = 1.0 - np.prod(1.0 - hazards(f.model, s.group[rows], age), axis=1)
        a = amount[rows]
        expected = float((a * p).sum())
        actual = float(a[(event[rows] > start) & (event[rows] <= start + 7)].sum())
        num += (actual - expected) ** 2 - float((a * a * p * (1 - p)).sum())
        den += expected**2
    return max(num / den, 0.0) if den > 0 else 0.0


@doc()
def expected_payments(store: HistoryLike, as_of: AsOf = None, *, weeks: int = 8) -> pd.DataFrame:
    """Per invoice open at ``as_of``: the chance it is paid in each of the next ``weeks`` weeks, and after.

    Conditional on being open at its age, from its customer's hazard (:doc:`/guide/forecast`).

    Parameters
    ----------
    {store}
    {forecast_as_of}
    weeks : int, default 8
        How many Monday-start weeks; week 1 holds the day after ``as_of``.

    Returns
    -------
    pandas.DataFrame
        One row per open invoice, by provider and invoice id: ``provider``, ``invoice_id``, ``customer_id``,
        ``customer_name``, ``due_at``, ``outstanding`` and ``age_days`` (since the due, else issue, day;
        ``Int64``), ``week_1`` … ``week_<weeks>`` and ``after`` (``Float64``, summing to 1), ``expected_from``
        / ``expected_to`` (the 25th / 75th percentile payment days within a year, Jakarta midnight; NaT when
        the chance of payment within a year is below 25 % / 75 %); ``attrs["week_start"]``: the Mondays.

    Raises
    ------
    ValueError
        When ``weeks`` is not a whole number >= 1 or ``as_of`` is not a date.
    {raises_history}

    Examples
    --------
    >>> ep = expected_payments(_ExampleStore(), "2026-01-05", weeks=2)
    >>> ep[["invoice_id", "outstanding", "age_days"]].values.tolist(), round(float(ep.iloc[0, -5:-2].sum()), 6)
    ([['F2', 50000, 36]], 1.0)
    """
    f = prepare(store, as_of)
    monday, days, week_of = week_layout(f.today, weeks)
    horizon = max(days, _RANGE_DAYS)
    probs = day_probabilities(f.model, f.spells, f.rows, f.today, horizon, f.spells.last_open[f.rows])
    s = f.spells
    frame = s.frame.iloc[f.rows][["provider", "invoice_id", "customer_id", "customer_name", "due_at"]]
    out: dict[str, Any] = {name: frame[name].array for name in frame.columns}
    out["outstanding"] = pd.array(f.amounts, dtype="Int64")
    out["age_days"] = pd.array(f.today - s.ref[f.rows], dtype="Int64")
    n = len(f.rows)
    no_mask = np.zeros(n, dtype=bool)
    for k in range(weeks):
        out[f"week_{k + 1}"] = pd.arrays.FloatingArray(probs[:, :days][:, week_of == k].sum(axis=1), no_mask)
    out["after"] = pd.arrays.FloatingArray(np.clip(1.0 - probs[:, :days].sum(axis=1), 0.0, 1.0), no_mask)
    cumulative = np.cumsum(probs, axis=1)
    for name, q in (("expected_from", 0.25), ("expected_to", 0.75)):
        reached = cumulative >= q
        ok = np.asarray(reached.any(axis=1), dtype=bool).reshape(n)
        day = f.today + 1 + np.asarray(reached.argmax(axis=1), dtype=np.int64).reshape(n)
        out[name] = days_to_timestamps(day, ok).array
    result = pd.DataFrame(out).sort_values(["provider", "invoice_id"], kind="stable").reset_index(drop=True)
    result.attrs["week_start"] = list(week_starts(monday, weeks))
    if f.source is not None:
        result.attrs["source"] = f.source
    return result


def weekly(f: Fitted, weeks: int, level: float, codes: np.ndarray, groups: int,
           phi2: float | None = None) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    """(first Monday, expected, low, high) per (group, week) as int64 arrays of shape (groups, weeks)."""
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, got {level!r}")
    monday, days, week_of = week_layout(f.today, weeks)
    probs = day_probabilities(f.model, f.spells, f.rows, f.today, days, f.spells.last_open[f.rows])
    p = np.zeros((len(f.rows), weeks))
    for k in range(weeks):
        p[:, k] = probs[:, week_of == k].sum(axis=1)
    a = f.amounts.astype(np.float64)
    cell = (codes[:, None] * weeks + np.arange(weeks)[None, :]).ravel()
    size = groups * weeks
    mean = np.bincount(cell, weights=(a[:, None] * p).ravel(), minlength=size).reshape(groups, weeks)
    var = np.bincount(cell, weights=(a[:, None] ** 2 * p * (1 - p)).ravel(), minlength=size).reshape(groups, weeks)
    if phi2 is None:
        if f.phi2 is None:
            f.phi2 = dispersion(f)
        phi2 = f.phi2
    z = NormalDist().inv_cdf((1 + level) / 2)
    sd = np.sqrt(var + phi2 * mean**2)
    low = np.clip(np.rint(mean - z * sd), 0, None).astype(np.int64)
    high = np.rint(mean + z * sd).astype(np.int64)
    return monday, np.rint(mean).astype(np.int64), low, high


@doc()
def forecast_collections(
    store: HistoryLike,
    as_of: AsOf = None,
    *,
    weeks: int = 8,
    by: str | None = None,
    level: float = 0.8,
) -> pd.DataFrame:
    """Expected collections in each of the next ``weeks`` Monday-start weeks, with an interval at ``level``.

    Outstanding times :func:`expected_payments`' chances, summed; the interval: :doc:`/guide/forecast`.

    Parameters
    ----------
    {store}
    {forecast_as_of}
    weeks : int, default 8
        How many weeks (week 1 holds the day after ``as_of``).
    by : {None, "provider", "customer"}, default None
        One row per week, or per provider / customer and week.
    {level}

    Returns
    -------
    pandas.DataFrame
        The ``by`` keys (``provider``, or ``customer_name``, ``customer_id``, ``provider``), ``week_start``
        (Monday, Jakarta midnight), ``expected``, ``low`` (clipped at 0), ``high`` (``Int64`` rupiah).

    Raises
    ------
    ValueError
        For an unknown ``by``, ``level`` outside (0, 1), ``weeks`` not a whole number >= 1, or a bad ``as_of``.

    Examples
    --------
    >>> fc = forecast_collections(_ExampleStore(), "2026-01-05", weeks=2)
    >>> fc.columns.tolist(), len(fc), str(fc["week_start"].iloc[0].date())
    (['week_start', 'expected', 'low', 'high'], 2, '2026-01-05')
    """
    if by not in (None, "provider", "customer"):
        raise ValueError(f"forecast_collections: by must be None, 'provider' or 'customer', not {by!r}")
    return collections(prepare(store, as_of), weeks=weeks, by=by, level=level)


def collections(f: Fitted, *, weeks: int, by: str | None, level: float) -> pd.DataFrame:
    """:func:`forecast_collections` from a fitted model."""
    s = f.spells
    if by == "customer":
        codes = s.group[f.rows]
        index = s.index
    elif by == "provider":
        codes = s.provider[s.group[f.rows]]
        index = pd.MultiIndex.from_arrays([pd.Index(s.providers)], names=["provider"])
    else:
        codes = np.zeros(len(f.rows), dtype=np.int64)
        index = pd.MultiIndex.from_arrays([[0]], names=["_"])
    present = np.unique(codes)
    remap = np.full(max(len(index), 1), -1, dtype=np.int64)
    remap[present] = np.arange(len(present))
    groups = max(len(present), 1) if by is None else len(present)
    monday, mean, low, high = weekly(f, weeks, level, remap[codes] if len(codes) else codes, groups)
    starts = week_starts(monday, weeks)
    columns: dict[str, Any] = {}
    if by is not None:
        keys = index[present]
        for level_no, name in enumerate(keys.names):
            columns[name] = np.repeat(np.asarray(keys.get_level_values(level_no), dtype=object), weeks)
    columns["week_start"] = np.tile(starts.array, groups)
    columns["expected"] = pd.array(mean.ravel(), dtype="Int64")
    columns["low"] = pd.array(low.ravel(), dtype="Int64")
    columns["high"] = pd.array(high.ravel(), dtype="Int64")
    frame = pd.DataFrame(columns)
    frame["week_start"] = frame["week_start"].astype(starts.dtype)
    if f.source is not None:
        frame.attrs["source"] = f.source
    return frame


def _check_total(frame: pd.DataFrame) -> int:
    """The rupiah expected over all weeks (a helper for tests and the CLI)."""
    values = frame["expected"].to_numpy(dtype=np.int64)
    return int(exact_sums(np.zeros(len(values), dtype=np.int64), values, 1)[0])
