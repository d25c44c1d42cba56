"""The store's history as arrays, read once per store version; the spells at any cutoff from them (private)."""

from __future__ import annotations

import weakref
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from invoice_analytics._dates import day_numbers
from invoice_analytics.analytics._observed import _CREDIT, _KEYS, _OPEN, _PAID, HistoryLike, _states
from invoice_analytics.analytics._rules import money
from invoice_analytics.analytics._survival import Model, Spells, fit, key_codes
from invoice_analytics.analytics.customers import CUSTOMER_LEVELS, _codes
from invoice_analytics.schema import DATETIME_DTYPE

__all__ = ["FITS_KEPT", "STORES_KEPT", "Fitted", "Timeline", "fitted", "keep_timeline", "timeline"]

#: How many stores' timelines are kept (each holds its store's history).
STORES_KEPT = 2
#: How many cutoffs' fitted models each timeline keeps.
FITS_KEPT = 8
_FAR = np.iinfo(np.int64).max
_NO_DAY = np.iinfo(np.int64).min // 2  # the day of a missing time (as ``_survival._stamp_days``)
_kept: OrderedDict[int, tuple[weakref.ref[Any], Any, Timeline]] = OrderedDict()


def _micros(s: pd.Series, missing: int) -> np.ndarray:
    raw = s.astype(DATETIME_DTYPE).to_numpy(dtype="datetime64[us]").view(np.int64)
    return np.where(raw == np.iinfo(np.int64).min, missing, raw)


def _days(s: pd.Series) -> np.ndarray:
    days, known = day_numbers(s)
    return np.where(known, days, _NO_DAY)


def _token(refreshes: pd.DataFrame) -> int:
    """A store version's token: its refreshes' hash (of the two required columns when a cell is unhashable)."""
    try:
        hashes = pd.util.hash_pandas_object(refreshes, index=False)
    except TypeError:
        hashes = pd.util.hash_pandas_object(refreshes[["observed_at", "provider"]], index=False)
    return int(hashes.sum()) ^ len(refreshes)


@dataclass
class Fitted:
    """What a forecast at one date needs: the spells and model known at its cutoff, the open invoices."""

    cutoff: pd.Timestamp
    spells: Spells
    model: Model
    today: int
    rows: np.ndarray  # spells open at the cutoff
    amounts: np.ndarray  # their outstanding (int64)
    source: str | None = None
    phi2: float | None = None  # the dispersion, once computed


class Timeline:
    """The arrays of every version of ``history`` (see the module), with ``refreshes`` and the store's source."""

    def __init__(self, history: pd.DataFrame, refreshes: pd.DataFrame, source: str | None = None) -> None:
        self.history, self.refreshes, self.source = history, refreshes, source
        self.valid_from = _micros(history["valid_from"], _FAR)
        self.valid_to = _micros(history["valid_to"], _FAR)
        self.last_seen = _micros(history["last_seen"], np.iinfo(np.int64).min)
        self.issued = _micros(history["issued_at"], np.iinfo(np.int64).min)
        self.from_day, self.seen_day = _days(history["valid_from"]), _days(history["last_seen"])
        self.issue_day, self.issue_known = day_numbers(history["issued_at"])
        self.due_day, self.due_known = day_numbers(history["due_at"])
        self.state = _states(history)
        self.amount = money(history["outstanding"])[0]
        self.key = key_codes((history, None))[0]
        self.fields = history[[*_KEYS, "customer_id", "customer_name", "issued_at", "due_at"]]
        provider, _ = _codes(history["provider"])
        ident, n_ids = _codes(history["customer_id"])
        name, n_names = _codes(history["customer_name"])
        # customer_groups' customers: (provider, id), or (provider, no id, name) without an id
        name_part = np.where(history["customer_id"].isna().to_numpy(dtype=bool), name, n_names)
        self.customer = (provider * n_ids + ident) * (n_names + 1) + name_part
        self.named = history["customer_name"].notna().to_numpy(dtype=bool)
        self.provider_code, names = pd.factorize(history["provider"].astype(str))
        self.provider_names = np.asarray(names, dtype=object)
        self.order = np.lexsort((self.valid_from, self.key))  # payment windows' order (key, then time)
        self.sorted_from = self.valid_from[self.order]
        self.fitted: OrderedDict[tuple[int, int], Fitted] = OrderedDict()
        self.source_known = source is not None
        observed = refreshes["observed_at"]
        names = sorted({str(p) for p in refreshes["provider"]})
        self._refresh_provider = pd.Index(names).get_indexer(refreshes["provider"].astype(str))
        self._refresh_at = _micros(observed, _FAR)
        self._refresh_day = _days(observed)
        self.provider = pd.Index(names).get_indexer(history["provider"].astype(str))
        self.first_refresh = int(self._refresh_at.min(initial=_FAR))

    def _seen_days(self, known: np.ndarray, at: int) -> np.ndarray:
        """The last-seen day of the ``known`` rows as known at ``at``: a later one is the provider's last refresh."""
        seen: np.ndarray = self.seen_day[known]
        late = self.last_seen[known] > at
        if late.any():
            last = np.full(self._refresh_provider.max(initial=-1) + 2, _NO_DAY, dtype=np.int64)
            for p in range(len(last) - 1):
                mine = np.flatnonzero((self._refresh_at <= at) & (self._refresh_provider == p))
                if len(mine):
                    last[p] = self._refresh_day[mine[np.argmax(self._refresh_at[mine])]]
            seen = seen.copy()
            seen[late] = last[self.provider[known][late]]  # -1 (a provider without refreshes) -> _NO_DAY
        return seen

    def spells(self, cutoff: pd.Timestamp) -> Spells:
        """``spells(known_at(store, cutoff))``, from the arrays."""
        at = cutoff.value // 1000
        known = np.flatnonzero(self.valid_from <= at)
        seen = np.full(len(self.valid_from), _NO_DAY, dtype=np.int64)
        seen[known] = self._seen_days(known, at)
        opened = known[self.state[known] == _OPEN]
        code, uniques = pd.factorize(self.key[opened])
        code = code.astype(np.int64)
        n = len(uniques)
        last = seen[opened]
        order = np.lexsort((last, code))
        ends = np.r_[code[order][1:] != code[order][:-1], True] if len(order) else np.zeros(0, dtype=bool)
        take = order[ends]
        last_open = last[take]  # the latest last-seen day per invoice (``take`` is in code order)
        entry = np.minimum.reduceat(self.from_day[opened][order], np.flatnonzero(np.r_[True, ends[:-1]]))\
            if n else np.zeros(0, dtype=np.int64)
        rows = opened[take]  # each invoice's latest open version
        paid_day = np.full(n, -1, dtype=np.int64)
        paid = np.zeros(n, dtype=bool)
        open_rows, paid_rows = self._windows(self.sorted_from <= at)
        if len(paid_rows):
            where = pd.Index(uniques).get_indexer(self.key[open_rows])
            ok = where >= 0
            paid[where[ok]] = True
            paid_day[where[ok]] = self.from_day[paid_rows[ok]]
            last_open[where[ok]] = seen[open_rows[ok]]
        ref = np.where(self.due_known[rows], self.due_day[rows], self.issue_day[rows])
        keep = self.due_known[rows] | self.issue_known[rows]
        if not keep.all():
            idx = np.flatnonzero(keep)
            rows, ref, entry, last_open, paid_day, paid = (rows[idx], ref[idx], entry[idx], last_open[idx],
                                                           paid_day[idx], paid[idx])
        issue, issue_known = self.issue_day[rows], self.issue_known[rows]
        group = pd.factorize(self.customer[rows])[0].astype(np.int64)
        order = np.lexsort((np.arange(len(rows)), self.issued[rows], self.named[rows], group))
        label = order[np.r_[group[order][1:] != group[order][:-1], True]] if len(rows) else order
        names = self.provider_names[self.provider_code[rows[label]]]  # the provider of each customer
        providers = sorted(set(names.tolist()))
        provider = pd.Index(providers).get_indexer(names)
        spells = Spells(lambda: self.fields.take(rows).reset_index(drop=True), ref, np.where(issue_known, issue, 0),
                        issue_known, entry, last_open, paid_day, paid, self.amount[rows].astype(np.int64), group,
                        lambda: pd.MultiIndex.from_arrays([spells.frame[name].take(label).array
                                                           for name in CUSTOMER_LEVELS], names=list(CUSTOMER_LEVELS)),
                        np.asarray(provider, dtype=np.int64), providers)
        spells.rows = rows
        return spells

    def _windows(self, known_sorted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(last open row, first settled row) per invoice seen open then settled (``payment_windows``' rows)."""
        order = self.order[known_sorted]
        n = len(order)
        if n == 0:
            return order, order
        key, state = self.key[order], self.state[order]
        position = np.arange(n)
        group_start = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
        start_of = np.repeat(group_start, np.diff(np.r_[group_start, n]))
        last_open = np.maximum.accumulate(np.where(state == _OPEN, position, -1))
        chosen = np.flatnonzero(((state == _PAID) | (state == _CREDIT)) & (last_open >= start_of))
        if len(chosen):
            chosen = chosen[np.r_[True, key[chosen][1:] != key[chosen][:-1]]]
        return order[last_open[chosen]], order[chosen]

    def open_at(self, cutoff: pd.Timestamp, s: Spells) -> tuple[np.ndarray, np.ndarray]:
        """``open_at(known_at(store, cutoff), s)``: the spells open at the cutoff and their outstanding then."""
        at = cutoff.value // 1000
        live = (self.valid_from <= at) & (self.valid_to > at) & (self.issued <= at) & (self.state == _OPEN)
        rows = np.flatnonzero(live)
        where = pd.Index(self.key[s.rows]).get_indexer(self.key[rows])
        ok = where >= 0
        return where[ok].astype(np.int64), self.amount[rows][ok].astype(np.int64)


def timeline(store: HistoryLike) -> Timeline:
    """The timeline of ``store``'s history, kept while its ``refreshes()`` stay the same (see the module)."""
    refreshes = store.refreshes()
    token = _token(refreshes)
    kept = _kept.get(id(store))
    if kept is not None and kept[0]() is store and kept[1] == token:
        _kept.move_to_end(id(store))
        return kept[2]
    return _keep(store, Timeline(store.history(), refreshes, getattr(store, "source", None)), token)


def keep_timeline(store: HistoryLike, history: pd.DataFrame, source: str | None) -> None:
    """Keep the timeline of ``history`` that ``store.history()`` just gave (the panel's read)."""
    if not {"valid_from", "valid_to", "last_seen", "outstanding", "status"} <= set(history.columns):
        return
    refreshes = store.refreshes()
    made = Timeline(history, refreshes, source)
    made.source_known = True
    _keep(store, made, _token(refreshes))


def _keep(store: HistoryLike, made: Timeline, token: int) -> Timeline:
    try:
        ref = weakref.ref(store)
    except TypeError:  # a store that cannot be referred to weakly is not kept
        return made
    _kept[id(store)] = (ref, token, made)
    while len(_kept) > STORES_KEPT:
        _kept.popitem(last=False)
    return made


def fitted(t: Timeline, cutoff: pd.Timestamp, today: int) -> Fitted:
    """The spells and model of ``t`` at ``cutoff`` for ``today``, kept (shared: callers must not change it)."""
    key = (cutoff.value, today)
    f = t.fitted.get(key)
    if f is None:
        s = t.spells(cutoff)
        rows, amounts = t.open_at(cutoff, s)
        f = t.fitted[key] = Fitted(cutoff, s, fit(s), today, rows, amounts, t.source)
        while len(t.fitted) > FITS_KEPT:
            t.fitted.popitem(last=False)
    t.fitted.move_to_end(key)
    return f
