"""What changed in a history store between two dates, per invoice and by kind (conventions: :mod:`._observed`)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from invoice_analytics._dates import jakarta_date
from invoice_analytics._docs import doc
from invoice_analytics._types import AsOf
from invoice_analytics.analytics._observed import (
    _CREDIT,
    _EXCLUDED,
    _KEYS,
    _OPEN,
    _PAID,
    _UNKNOWN,
    HistoryLike,
    _end_of_day,
    _ExampleStore,  # noqa: F401  (the examples' store)
    _states,
)
from invoice_analytics.analytics._rules import money, require
from invoice_analytics.schema import DATETIME_DTYPE, JAKARTA

__all__ = ["CHANGE_COLUMNS", "CHANGE_KINDS", "changes", "changes_summary"]

#: The kinds of change, in the order of :func:`changes_summary`.
CHANGE_KINDS: tuple[str, ...] = ("new", "paid", "partially paid", "cancelled", "reopened", "amount changed", "gone")
#: The columns of :func:`changes`.
CHANGE_COLUMNS: list[str] = [
    "provider", "invoice_id", "customer_name", "customer_id", "kind", "status_before", "status_after",
    "amount_before", "amount_after", "outstanding_before", "outstanding_after", "outstanding_change",
    "seen_unchanged_at", "seen_changed_at",
]
_SETTLED = (_PAID, _CREDIT)


def _last_day(store: HistoryLike) -> dt.date:
    observed = store.refreshes()["observed_at"]
    if len(observed) == 0:
        raise ValueError("the store has no refreshes: nothing changed in it")
    last: dt.date = pd.Timestamp(observed.max()).tz_convert(JAKARTA).date()
    return last


def _live(history: pd.DataFrame, at: pd.Timestamp) -> np.ndarray:
    """Whether each history row is the version live at ``at`` (as ``store.as_of`` reads it)."""
    live = (history["valid_from"] <= at) & (history["valid_to"].isna() | (history["valid_to"] > at))
    live &= history["issued_at"].isna() | (history["issued_at"] <= at)
    mask: np.ndarray = live.to_numpy(dtype=bool, na_value=False)
    return mask


def _key_codes(history: pd.DataFrame) -> tuple[np.ndarray, int]:
    """An invoice code per history row (one per (provider, invoice_id) as text, missing ones alike) and how many."""
    code = np.zeros(len(history), dtype=np.int64)
    for key in _KEYS:
        column = history[key]
        if isinstance(column.dtype, pd.CategoricalDtype):  # the categories as text, not every row
            of_category, uniques = pd.factorize(column.cat.categories.astype("string"), use_na_sentinel=False)
            positions = column.cat.codes.to_numpy()
            part = np.where(positions < 0, len(uniques), of_category[positions])
        else:
            part, uniques = pd.factorize(column.astype("string"), use_na_sentinel=False)
        code = code * (len(uniques) + 1) + part
    code, uniques = pd.factorize(code)
    return code.astype(np.int64), len(uniques)


def _positions(code: np.ndarray, n: int, live: np.ndarray) -> np.ndarray:
    """Per invoice code, the history row live (-1: none)."""
    rows = np.flatnonzero(live)
    where = np.full(n, -1, dtype=np.int64)
    where[code[rows]] = rows
    return where


@doc()
def changes(store: HistoryLike, since: AsOf, until: AsOf = None) -> pd.DataFrame:
    """One row per invoice that changed from the end of ``since`` to the end of ``until``.

    Compares ``store.as_of`` at the end of each day. Kinds: **new** (not known at ``since``: issued, or first
    seen by the store, in between); **paid** (open or of unknown balance then, paid or in credit now);
    **partially paid** (open both times, a smaller outstanding now); **cancelled** (counted then, draft,
    cancelled or proforma now); **reopened** (draft, cancelled or proforma then, counted now); **amount
    changed** (any other change of ``amount`` or ``outstanding``: an outstanding that grew, a paid invoice
    open again); **gone** (known at ``since``, no longer in the provider's list at ``until``). A change of
    status alone (Faspay's "unpaid" turning "overdue") is not a change of money and is left out.

    Lists carry no change dates: a row gives the window in which the store saw the change,
    ``(seen_unchanged_at, seen_changed_at]``: the last observation showing the state at ``since`` (NaT for an
    invoice never seen before), the first showing the state at ``until`` (for a gone one: the first refresh
    not listing it). Several changes in it (a part payment, then the rest) show as one, first state to last.

    Parameters
    ----------
    {store}
    since : date-like
        An Asia/Jakarta calendar day, on or after the store's first refresh.
    until : date-like or None, default None
        A later day; None: the day of the store's last refresh.

    Returns
    -------
    pandas.DataFrame
        :data:`CHANGE_COLUMNS`, sorted by kind (in :data:`CHANGE_KINDS` order), provider and invoice id: the
        customer (as last known), ``kind``, statuses, ``amount`` and ``outstanding`` before and after
        (``Int64``; missing when not known then), ``outstanding_change`` (``Int64``: after - before, a missing
        side counting 0) and the window (``datetime64[us, Asia/Jakarta]``).

    Raises
    ------
    ValueError
        When ``until`` is before ``since``, or ``since`` is before the store's first refresh.

    Examples
    --------
    F1 was paid in full and F2 in part between the refreshes of Jan 1 and Jan 3 (09:00); M1 by Jan 5:

    >>> changed = changes(_ExampleStore(), "2026-01-01", "2026-01-05")
    >>> changed[["invoice_id", "kind", "outstanding_change", "seen_unchanged_at"]]  # doctest: +NORMALIZE_WHITESPACE
      invoice_id            kind  outstanding_change         seen_unchanged_at
    0         F1            paid            -1000000 2026-01-01 09:00:00+07:00
    1         M1            paid             -100000 2026-01-03 09:00:00+07:00
    2         F2  partially paid             -150000 2026-01-01 09:00:00+07:00
    """
    start = jakarta_date(since, name="since")
    end = _last_day(store) if until is None else jakarta_date(until, name="until")
    if end < start:
        raise ValueError(f"until ({end}) is before since ({start})")
    t0, t1 = _end_of_day(start), _end_of_day(end)
    history = store.history()
    require(history, [*_KEYS, "status", "amount", "outstanding", "valid_from", "valid_to", "last_seen"], "changes")
    store.as_of(t0)  # raises when nothing was known at since
    # invoices as codes and history rows, not as keys of text (the store's history is read as it is)
    code, n = _key_codes(history)
    at_b, at_a = _positions(code, n, _live(history, t0)), _positions(code, n, _live(history, t1))
    known = np.flatnonzero((at_b >= 0) | (at_a >= 0))
    ib, ia = at_b[known], at_a[known]
    in_b, in_a = ib >= 0, ia >= 0
    both = in_b & in_a
    money_columns = history[["status", "outstanding", "amount"]]
    b = money_columns.take(np.where(in_b, ib, 0))  # rows of an invoice not known on a side: masked below
    a = money_columns.take(np.where(in_a, ia, 0))
    sb = np.where(in_b, _states(b), _UNKNOWN)
    sa = np.where(in_a, _states(a), _UNKNOWN)
    ob, ob_missing = money(b["outstanding"])
    oa, oa_missing = money(a["outstanding"])
    ab, ab_missing = money(b["amount"])
    aa, aa_missing = money(a["amount"])

    def same(x: np.ndarray, xm: np.ndarray | None, y: np.ndarray, ym: np.ndarray | None) -> np.ndarray:
        xm = np.zeros(len(x), dtype=bool) if xm is None else xm
        ym = np.zeros(len(y), dtype=bool) if ym is None else ym
        equal: np.ndarray = (xm & ym) | (~xm & ~ym & (x == y))
        return equal

    money_same = same(ob, ob_missing, oa, oa_missing) & same(ab, ab_missing, aa, aa_missing)
    kind = np.full(len(known), None, dtype=object)
    kind[in_a & ~in_b] = "new"
    kind[in_b & ~in_a] = "gone"
    changed = both & (~money_same | ((sb == _EXCLUDED) != (sa == _EXCLUDED)))
    open_before = (sb == _OPEN) | (sb == _UNKNOWN)
    kind[changed] = "amount changed"
    kind[changed & open_before & np.isin(sa, _SETTLED)] = "paid"
    partial = changed & (sb == _OPEN) & (sa == _OPEN) & (oa < ob)
    kind[partial] = "partially paid"
    kind[changed & (sb != _EXCLUDED) & (sa == _EXCLUDED)] = "cancelled"
    kind[changed & (sb == _EXCLUDED) & (sa != _EXCLUDED)] = "reopened"
    rows = np.flatnonzero(pd.notna(kind))
    # from here on the changed invoices only (most of a store's invoices did not change)
    ib, ia, in_b, in_a, kind = ib[rows], ia[rows], in_b[rows], in_a[rows], kind[rows]
    ob, oa, ab, aa = ob[rows], oa[rows], ab[rows], aa[rows]
    ob_missing, oa_missing, ab_missing, aa_missing = (
        None if m is None else m[rows] for m in (ob_missing, oa_missing, ab_missing, aa_missing))
    safe_b, safe_a = np.where(in_b, ib, 0), np.where(in_a, ia, 0)
    latest = history.take(np.where(in_a, ia, ib))  # the version at until, else the one at since

    def at(column: str, rows: np.ndarray, present: np.ndarray) -> pd.Series:
        """``column`` of the history ``rows``, missing where not ``present``."""
        return history[column].take(rows).reset_index(drop=True).where(pd.Series(present))

    unchanged_at = at("last_seen", safe_b, in_b).astype(DATETIME_DTYPE)
    changed_at = at("valid_from", safe_a, in_a).astype(DATETIME_DTYPE).where(
        pd.Series(in_a), at("valid_to", safe_b, in_b).astype(DATETIME_DTYPE))

    def side(x: np.ndarray, missing: np.ndarray | None, present: np.ndarray) -> pd.arrays.IntegerArray:
        gap = ~present if missing is None else (missing | ~present)
        return pd.arrays.IntegerArray(np.where(gap, 0, x).astype(np.int64), gap)

    out_before, out_after = side(ob, ob_missing, in_b), side(oa, oa_missing, in_a)
    change = pd.arrays.IntegerArray(
        np.where(in_a & ~out_after.isna(), oa, 0).astype(np.int64) - np.where(in_b & ~out_before.isna(), ob, 0),
        np.zeros(len(rows), dtype=bool))
    frame = pd.DataFrame({
        "provider": latest["provider"].array,
        "invoice_id": latest["invoice_id"].array,
        "customer_name": latest["customer_name"].array,
        "customer_id": latest["customer_id"].array,
        "kind": pd.Categorical(kind, categories=CHANGE_KINDS),
        "status_before": at("status", safe_b, in_b).array,
        "status_after": at("status", safe_a, in_a).array,
        "amount_before": side(ab, ab_missing, in_b),
        "amount_after": side(aa, aa_missing, in_a),
        "outstanding_before": out_before,
        "outstanding_after": out_after,
        "outstanding_change": change,
        "seen_unchanged_at": unchanged_at.array,  # not to_numpy(): an object array of Timestamps
        "seen_changed_at": changed_at.array,
    })
    for name in ("provider", "invoice_id", "customer_name", "customer_id", "status_before", "status_after"):
        frame[name] = frame[name].astype(history[name.removesuffix("_before").removesuffix("_after")].dtype)
    for name in ("seen_unchanged_at", "seen_changed_at"):
        frame[name] = frame[name].astype(DATETIME_DTYPE)
    frame = frame.sort_values(["kind", "provider", "invoice_id"], kind="stable").reset_index(drop=True)
    frame.attrs = {"since": start, "until": end}
    return frame


def changes_summary(changed: pd.DataFrame, *, by_provider: bool = False) -> pd.DataFrame:
    """Counts and amounts of :func:`changes` by kind (and provider), every kind shown, then "Total".

    Parameters
    ----------
    changed : pandas.DataFrame
        The result of :func:`changes`.
    by_provider : bool, default False
        Rows per (provider, kind) instead of per kind.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``kind`` (or ``provider``, ``kind``), then "Total"; columns ``invoice_count``,
        ``outstanding_before``, ``outstanding_after``, ``outstanding_change`` (exact ``int64``; missing: 0).

    Examples
    --------
    >>> summary = changes_summary(changes(_ExampleStore(), "2026-01-01", "2026-01-05"))
    >>> summary.loc[["new", "paid", "partially paid", "Total"], ["invoice_count", "outstanding_change"]]
    ... # doctest: +NORMALIZE_WHITESPACE
                    invoice_count  outstanding_change
    kind
    new                         0                   0
    paid                        2            -1100000
    partially paid              1             -150000
    Total                       3            -1250000
    """
    require(changed, ["provider", "kind", "outstanding_before", "outstanding_after", "outstanding_change"],
            "changes_summary")
    values = changed[["outstanding_before", "outstanding_after", "outstanding_change"]].fillna(0).astype("int64")
    values.insert(0, "invoice_count", 1)
    keys = ["provider", "kind"] if by_provider else ["kind"]
    grouped = values.groupby([changed[k].astype(str) for k in keys], sort=False).sum()
    if by_provider:
        providers = sorted({str(p) for p in changed["provider"].dropna()})
        full = pd.MultiIndex.from_product([providers, CHANGE_KINDS], names=keys)
    else:
        full = pd.Index(CHANGE_KINDS, name="kind")
    table = grouped.reindex(full, fill_value=0).astype("int64")
    total = pd.DataFrame([table.sum()], index=[("Total", "") if by_provider else "Total"]).astype("int64")
    if by_provider:
        total.index = pd.MultiIndex.from_tuples(total.index, names=keys)
    else:
        total.index.name = "kind"
    return pd.concat([table, total])
