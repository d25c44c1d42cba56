"""The cash-in forecast backtested on the store's history, beside two projections (private)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from invoice_analytics._dates import day_numbers, jakarta_date
from invoice_analytics._docs import doc
from invoice_analytics._types import AsOf, Terms
from invoice_analytics.analytics._observed import (
    _CREDIT,
    _OPEN,
    _PAID,
    HistoryLike,
    _ExampleStore,  # noqa: F401 (the examples' store)
    _states,
)
from invoice_analytics.analytics._rules import check_terms, money, terms_for
from invoice_analytics.analytics._survival import key_codes
from invoice_analytics.analytics._timeline import Fitted, fitted, timeline
from invoice_analytics.analytics.behaviour import cutoff_of
from invoice_analytics.analytics.forecast import week_layout, week_starts, weekly

__all__ = ["METHODS", "backtest_forecast"]

#: The methods compared, in the order of the columns.
METHODS = ("forecast", "due_date", "provider_average")
_SUMMARY = "weeks 1-4"


def _collections(history: pd.DataFrame, f: Fitted, days: int) -> np.ndarray:
    """Rupiah collected on each of the ``days`` days after the cutoff from the invoices open then."""
    open_keys, keys = key_codes((f.spells.frame, f.rows), (history, None))
    code = pd.Index(open_keys).get_indexer(keys)
    rows = np.flatnonzero(code >= 0)
    code = code[rows]
    since, _ = day_numbers(history["valid_from"], rows)
    raw = history["valid_from"].to_numpy(dtype="datetime64[us]").view(np.int64)[rows]
    order = np.lexsort((raw, code))
    rows, code, since, raw = rows[order], code[order], since[order], raw[order]
    cutoff = f.cutoff.value // 1000  # ns -> us since the epoch (UTC)
    state = _states(history.take(rows))
    out, missing = money(history["outstanding"].take(rows))
    seen, _ = day_numbers(history["last_seen"], rows)
    start = np.flatnonzero(np.r_[True, code[1:] != code[:-1]])
    prev = np.arange(len(rows)) - 1
    later = (raw > cutoff) & (prev >= 0) & np.r_[False, code[1:] == code[:-1]]
    before_out = np.where(prev >= 0, out[np.maximum(prev, 0)], 0)
    after = np.where(state == _OPEN, out, 0)
    cut = (state == _PAID) | (state == _CREDIT) | (state == _OPEN)
    prev_counted = np.r_[False, (state[:-1] == _OPEN)]
    reduced = np.where(later & cut & prev_counted, np.maximum(before_out - after, 0), 0)
    if missing is not None:
        reduced[missing | np.r_[False, missing[:-1]]] = 0
    # cap the running sum per invoice at its outstanding at the cutoff
    cap = f.amounts[code].astype(np.int64)
    running = np.cumsum(reduced)
    base = np.repeat(running[start] - reduced[start], np.diff(np.r_[start, len(rows)]))
    total = np.minimum(running - base, cap)
    paid = np.diff(np.r_[0, total]).astype(np.float64)
    paid[start] = total[start]
    paid = np.where(later, paid, 0.0)
    first = np.maximum(np.where(prev >= 0, seen[np.maximum(prev, 0)], 0), f.today) + 1 - f.today
    last = since - f.today
    width = np.maximum(last - first + 1, 1)
    daily = np.zeros(days + 2)
    chosen = np.flatnonzero(paid > 0)
    lo = np.clip(first[chosen], 1, days + 1)
    hi = np.clip(last[chosen] + 1, 1, days + 1)
    per_day = paid[chosen] / width[chosen]
    np.add.at(daily, lo, per_day)
    np.add.at(daily, hi, -per_day)
    result: np.ndarray = np.cumsum(daily)[1:days + 1]
    return result


def _projection(f: Fitted, pay_day: np.ndarray, weeks: int) -> np.ndarray:
    """Per week: the outstanding of the invoices projected to be paid on ``pay_day`` (overdue: the next day)."""
    monday, _, _ = week_layout(f.today, weeks)
    day = np.maximum(pay_day, f.today + 1)
    week = (day - monday) // 7
    inside = week < weeks
    return np.bincount(week[inside], weights=f.amounts[inside].astype(np.float64), minlength=weeks)


def _due_date(f: Fitted, weeks: int, terms_days: Terms) -> np.ndarray:
    s, rows = f.spells, f.rows
    due, known = day_numbers(s.frame["due_at"], rows)
    issued = s.issue[rows] + terms_for(s.frame, rows, terms_days)
    return _projection(f, np.where(known, due, issued), weeks)


def _provider_average(f: Fitted, weeks: int) -> np.ndarray:
    s = f.spells
    paid = s.paid & s.issue_known
    mid = ((s.last_open + s.paid_day) / 2.0 - s.issue)[paid]
    prov = s.provider[s.group]
    sums = np.bincount(prov[paid], weights=mid, minlength=len(s.providers))
    counts = np.bincount(prov[paid], minlength=len(s.providers))
    overall = mid.mean() if len(mid) else 0.0
    average = np.where(counts > 0, sums / np.maximum(counts, 1), overall)
    rows = f.rows
    return _projection(f, s.issue[rows] + np.rint(average[prov[rows]]).astype(np.int64), weeks)


def backtest_detail(store: HistoryLike, dates: Iterable[AsOf] | AsOf, *, weeks: int = 8, level: float = 0.8,
                    terms_days: Terms = 0) -> pd.DataFrame:
    """Per backtest date and week: what was collected, the forecast and its interval, the two projections."""
    terms_days = check_terms(terms_days)
    if isinstance(dates, (str, pd.Timestamp)) or not isinstance(dates, Iterable):
        dates = [dates]
    wanted = sorted({jakarta_date(d, name="dates") for d in dates})
    if not wanted:
        raise ValueError("backtest_forecast: no dates given")
    t = timeline(store)
    history, refreshes = t.history, t.refreshes
    last_day = int(day_numbers(refreshes["observed_at"])[0].max(initial=-1)) if len(refreshes) else -1
    first_day = int(day_numbers(refreshes["observed_at"])[0].min(initial=-1)) if len(refreshes) else -1
    parts = []
    for date in wanted:
        cutoff, today = cutoff_of(date)
        monday, days, week_of = week_layout(today, weeks)
        if today < first_day or today + days > last_day:
            held = f"{pd.Timestamp(first_day, unit='D').date()} to {pd.Timestamp(last_day, unit='D').date()}"
            raise ValueError(f"backtest_forecast: {date} needs the store's refreshes from that day to "
                             f"{weeks} weeks after it (the store holds refreshes from {held})")
        f = fitted(t, cutoff, today)
        codes = np.zeros(len(f.rows), dtype=np.int64)
        _, mean, low, high = weekly(f, weeks, level, codes, 1)
        actual = np.bincount(week_of, weights=_collections(history, f, days), minlength=weeks)
        parts.append(pd.DataFrame({
            "date": pd.Timestamp(date).tz_localize("Asia/Jakarta"),
            "week": np.arange(1, weeks + 1),
            "week_start": week_starts(monday, weeks).array,
            "collected": pd.array(np.rint(actual).astype(np.int64), dtype="Int64"),
            "forecast": pd.array(mean[0], dtype="Int64"),
            "low": pd.array(low[0], dtype="Int64"),
            "high": pd.array(high[0], dtype="Int64"),
            "due_date": pd.array(np.rint(_due_date(f, weeks, terms_days)).astype(np.int64), dtype="Int64"),
            "provider_average": pd.array(np.rint(_provider_average(f, weeks)).astype(np.int64), dtype="Int64"),
        }))
    return pd.concat(parts, ignore_index=True)


def _scores(d: pd.DataFrame) -> dict[str, Any]:
    actual = d["collected"].to_numpy(dtype=np.float64)
    total = actual.sum()
    row: dict[str, Any] = {"dates": d["date"].nunique(), "collected": int(total)}
    for method in METHODS:
        error = d[method].to_numpy(dtype=np.float64) - actual
        row[f"wape_{method}"] = float(np.abs(error).sum() / total) if total > 0 else np.nan
        row[f"bias_{method}"] = float(error.sum() / total) if total > 0 else np.nan
    inside = (d["low"].to_numpy(dtype=np.float64) <= actual) & (actual <= d["high"].to_numpy(dtype=np.float64))
    row["coverage"] = float(inside.mean()) if len(inside) else np.nan
    return row


@doc()
def backtest_forecast(
    store: HistoryLike,
    dates: Iterable[AsOf] | AsOf,
    *,
    weeks: int = 8,
    level: float = 0.8,
    terms_days: Terms = 0,
    detail: bool = False,
) -> pd.DataFrame:
    """How well :func:`~invoice_analytics.forecast_collections` did at past dates, beside two projections.

    Fitted on what the store knew at each date, against what it later saw collected (:doc:`/guide/forecast`).

    Parameters
    ----------
    {store}
    dates : iterable of date-like, or a date-like
        The past days (each with ``weeks`` weeks of later refreshes).
    weeks : int, default 8
        The horizon.
    {level}
    {terms_days}
        Used by the due-date projection.
    detail : bool, default False
        One row per date and week instead: ``date``, ``week``, ``week_start``, ``collected``, ``forecast``,
        ``low``, ``high``, ``due_date``, ``provider_average`` (``Int64`` rupiah).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``horizon`` ("week 1" … and "weeks 1-4", pooled): ``dates``, ``collected``, the three
        ``wape_…`` (``forecast``, ``due_date``, ``provider_average``), the three ``bias_…``, ``coverage``.

    Raises
    ------
    ValueError
        When a date lacks ``weeks`` weeks of later refreshes or precedes the store's first, or a bad
        ``weeks`` or ``level``.

    Examples
    --------
    Week 1 from Thursday 2026-01-01 collected 1,200,000; the due-date projection put 1,300,000 in it:

    >>> bt = backtest_forecast(_ExampleStore(), ["2026-01-01"], weeks=1)
    >>> bt.loc["week 1", ["collected", "wape_due_date", "bias_due_date"]].round(4).tolist()
    [1200000.0, 0.0833, 0.0833]
    """
    d = backtest_detail(store, dates, weeks=weeks, level=level, terms_days=terms_days)
    if detail:
        return d
    rows = [_scores(d[d["week"] == k]) for k in range(1, weeks + 1)]
    labels = [f"week {k}" for k in range(1, weeks + 1)]
    if weeks >= 4:
        rows.append(_scores(d[d["week"] <= 4]))
        labels.append(_SUMMARY)
    frame = pd.DataFrame(rows, index=pd.Index(labels, name="horizon"))
    for name in frame.columns:
        if name.startswith(("wape", "bias", "coverage")):
            frame[name] = pd.array(frame[name].to_numpy(dtype=np.float64), dtype="Float64")
    return frame

