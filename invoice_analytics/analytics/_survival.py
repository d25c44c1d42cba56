"""What the store knew at a past instant and the payment-hazard model fitted on it (private)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from invoice_analytics._dates import day_numbers
from invoice_analytics.analytics._observed import _KEYS, _OPEN, HistoryLike, _states
from invoice_analytics.analytics._rules import money
from invoice_analytics.analytics.customers import customer_groups
from invoice_analytics.analytics.payments import payment_windows
from invoice_analytics.schema import DATETIME_DTYPE

__all__ = ["BIN_EDGES", "BIN_PRIOR_DAYS", "KnownAt", "Model", "Spells", "fit", "spells"]

#: Edges of the hazard's age bins, in days since the reference day (weekly, then four-weekly).
BIN_EDGES = np.r_[np.arange(-56, 120, 7), np.arange(147, 400, 28)]
#: Prior strength of a customer's bin hazard, in invoice-days at risk.
BIN_PRIOR_DAYS = 28.0
_A_RANGE = (0.5, 200.0)
_EMPTY_FRAME_COLUMNS = ("valid_from", "valid_to", "last_seen")


def key_codes(*parts: tuple[pd.DataFrame, np.ndarray | None]) -> list[np.ndarray]:
    """Codes of (provider, invoice_id) shared across frames (or their ``rows``): equal keys, equal codes."""
    columns = []
    for name in _KEYS:
        pieces = [(df[name] if rows is None else df[name].take(rows)).astype("string").reset_index(drop=True)
                  for df, rows in parts]
        codes, uniques = pd.factorize(pd.concat(pieces, ignore_index=True))
        columns.append((np.asarray(codes, dtype=np.int64), len(uniques) + 1))
    (pc, _), (ic, ni) = columns
    joint = pc * ni + ic
    out, at = [], 0
    for df, rows in parts:
        n = len(df) if rows is None else len(rows)
        out.append(joint[at:at + n])
        at += n
    return out


def _stamp_days(s: pd.Series) -> np.ndarray:
    days, known = day_numbers(s)
    return np.where(known, days, np.iinfo(np.int64).min // 2)


class KnownAt:
    """A :class:`HistoryLike` view of ``history`` and ``refreshes`` as known at ``cutoff`` (see the forecast guide)."""

    def __init__(self, history: pd.DataFrame, refreshes: pd.DataFrame, cutoff: pd.Timestamp) -> None:
        self.cutoff = cutoff
        self.source: str | None = None
        since = history["valid_from"]
        v = history[(since <= cutoff).to_numpy(dtype=bool)].copy()
        until = v["valid_to"]
        live = (until.isna() | (until > cutoff)).to_numpy(dtype=bool)
        v.loc[live, "valid_to"] = pd.NaT
        r = refreshes[(refreshes["observed_at"] <= cutoff).to_numpy(dtype=bool)].reset_index(drop=True)
        late = (v["last_seen"] > cutoff).to_numpy(dtype=bool)
        if late.any():
            last = r.groupby(r["provider"].astype(str))["observed_at"].max()
            providers = v.loc[late, "provider"].astype(str)
            v.loc[late, "last_seen"] = providers.map(last).astype(DATETIME_DTYPE).to_numpy()
        self._history = v.reset_index(drop=True)
        self._refreshes = r

    def history(self) -> pd.DataFrame:
        return self._history

    def as_of(self, when: pd.Timestamp, /) -> pd.DataFrame:
        at = min(when, self.cutoff)
        v = self._history
        live = (v["valid_from"] <= at) & (v["valid_to"].isna() | (v["valid_to"] > at))
        live &= v["issued_at"].isna() | (v["issued_at"] <= at)
        out = v[live.to_numpy(dtype=bool)].drop(columns=[c for c in v.columns if c in
                                                          (*_EMPTY_FRAME_COLUMNS, "change")])
        out = out.reset_index(drop=True)
        out.attrs["as_of"] = at
        return out

    def refreshes(self) -> pd.DataFrame:
        return self._refreshes


def known_at(store: HistoryLike, cutoff: pd.Timestamp) -> KnownAt:
    """The store as known at ``cutoff`` (reads ``history()`` and ``refreshes()`` once)."""
    return KnownAt(store.history(), store.refreshes(), cutoff)


@dataclass
class Spells:
    """One row per invoice ever seen open (arrays aligned), plus its customer group (``frame`` and ``index``
    may be given as functions: made when first read)."""

    frame_: pd.DataFrame | Callable[[], pd.DataFrame]  # provider, invoice_id, customer_id, customer_name, ...
    ref: np.ndarray  # reference day (due, else issue); int64
    issue: np.ndarray  # issue day (int64), issue_known
    issue_known: np.ndarray
    entry: np.ndarray  # first day seen open
    last_open: np.ndarray  # last day seen open
    paid_day: np.ndarray  # first day seen settled (payments only), else -1
    paid: np.ndarray  # bool: left by a payment
    amount: np.ndarray  # outstanding in its last open version (int64)
    group: np.ndarray  # customer code
    index_: pd.MultiIndex | Callable[[], pd.MultiIndex]  # the customers (CUSTOMER_LEVELS)
    provider: np.ndarray  # provider code per customer group
    providers: list[str]
    rows: np.ndarray | None = None  # per spell, its latest open version's row in the timeline's history

    @property
    def frame(self) -> pd.DataFrame:
        if not isinstance(self.frame_, pd.DataFrame):
            self.frame_ = self.frame_()
        return self.frame_

    @property
    def index(self) -> pd.MultiIndex:
        if not isinstance(self.index_, pd.MultiIndex):
            self.index_ = self.index_()
        return self.index_


def spells(view: HistoryLike) -> Spells:
    """The spells of ``view``'s history ("The model" of the forecast guide)."""
    history = view.history()
    state = _states(history)
    rows = np.flatnonzero(state == _OPEN)
    opened = history.take(rows)
    windows = payment_windows(view)
    open_codes, window_codes = key_codes((opened, None), (windows, None))
    code, uniques = pd.factorize(open_codes)
    code = code.astype(np.int64)
    first = _stamp_days(opened["valid_from"])
    last = _stamp_days(opened["last_seen"])
    n = len(uniques)
    entry = np.full(n, np.iinfo(np.int64).max // 2, dtype=np.int64)
    np.minimum.at(entry, code, first)
    last_open = np.full(n, np.iinfo(np.int64).min // 2, dtype=np.int64)
    np.maximum.at(last_open, code, last)
    # the invoice's fields from its latest open version
    order = np.lexsort((last, code))
    take = order[np.r_[code[order][1:] != code[order][:-1], True]] if len(order) else order
    frame = opened.iloc[take][[*_KEYS, "customer_id", "customer_name", "issued_at", "due_at"]].reset_index(drop=True)
    amount = money(opened["outstanding"])[0][take].astype(np.int64)
    paid_day = np.full(n, -1, dtype=np.int64)
    paid = np.zeros(n, dtype=bool)
    if len(windows):
        where = pd.Index(uniques).get_indexer(window_codes)
        ok = where >= 0
        seen = _stamp_days(windows["last_seen_open"])
        settled = _stamp_days(windows["first_seen_paid"])
        paid[where[ok]] = True
        paid_day[where[ok]] = settled[ok]
        last_open[where[ok]] = seen[ok]
    issue, issue_known = day_numbers(frame["issued_at"])
    due, due_known = day_numbers(frame["due_at"])
    ref = np.where(due_known, due, issue)
    keep = due_known | issue_known
    if not keep.all():
        idx = np.flatnonzero(keep)
        frame = frame.iloc[idx].reset_index(drop=True)
        ref, issue, issue_known = ref[idx], issue[idx], issue_known[idx]
        entry, last_open, paid_day, paid = entry[idx], last_open[idx], paid_day[idx], paid[idx]
        amount = amount[idx]
    group, index = customer_groups(frame, np.arange(len(frame)), "payment_behaviour")
    providers = sorted({str(p) for p in index.get_level_values("provider")})
    provider = pd.Index(providers).get_indexer(index.get_level_values("provider").astype(str))
    return Spells(frame, ref, issue, issue_known, entry, last_open, paid_day, paid, amount, group, index,
                  np.asarray(provider, dtype=np.int64), providers)


@dataclass
class Model:
    """Daily payment hazards per customer group and age bin, and the shrinkage's pieces."""

    hazard: np.ndarray  # (groups, bins)
    provider_hazard: np.ndarray  # (providers, bins)
    theta: np.ndarray  # per group
    weight: np.ndarray  # per group: own history's weight
    payments: np.ndarray  # per group: payments seen
    expected: np.ndarray  # per group: payments expected at the provider's pace
    prior: np.ndarray  # per provider: a


_BIN_OF = np.searchsorted(BIN_EDGES, np.arange(BIN_EDGES[0] - 1, BIN_EDGES[-1] + 1), side="right")


def hazards(model: Model, groups: np.ndarray, age: np.ndarray) -> np.ndarray:
    """``model.hazard[groups[:, None], age_bin(age)]``, by one flat take."""
    h: np.ndarray = np.take(model.hazard, groups[:, None] * model.hazard.shape[1] + age_bin(age))
    return h


def age_bin(age: np.ndarray) -> np.ndarray:
    """The bin of each age (days since the reference day): ``searchsorted(BIN_EDGES, age, side="right")``."""
    bins: np.ndarray = _BIN_OF[np.clip(age, BIN_EDGES[0] - 1, BIN_EDGES[-1]) - (BIN_EDGES[0] - 1)]
    return bins


def _by_bin(group: np.ndarray, k: np.ndarray, groups: int, weights: np.ndarray | None = None) -> np.ndarray:
    """Per group, the count (or ``weights``' sum) of the rows whose bin ``k`` is at most each bin's."""
    nbins = len(BIN_EDGES) + 1
    counts = np.bincount(group * nbins + k, weights=weights, minlength=groups * nbins).reshape(groups, nbins)
    out: np.ndarray = np.cumsum(counts, axis=1)
    return out


def _exposure(s: Spells) -> tuple[np.ndarray, np.ndarray]:
    """(events, invoice-days at risk) per (group, bin) (ages ``a..b`` summed exactly by bin, then windows)."""
    nbins = len(BIN_EDGES) + 1
    groups = len(s.provider)
    start = s.entry - s.ref + 1
    stop = s.last_open - s.ref
    full = stop >= start
    g, a, b = s.group[full], start[full], stop[full]
    x1 = np.r_[BIN_EDGES, 0][None, :].astype(np.float64)  # each bin's last age + 1 (the last bin: unused)
    ka, kb = age_bin(a), age_bin(b + 1)
    upto = (x1 * _by_bin(g, ka, groups) - _by_bin(g, ka, groups, a.astype(np.float64))
            - x1 * _by_bin(g, kb, groups) + _by_bin(g, kb, groups, (b + 1).astype(np.float64)))
    upto[:, -1] = np.bincount(g, weights=(b - a + 1).astype(np.float64), minlength=groups)
    risk = np.diff(upto, axis=1, prepend=0.0).ravel()
    events = np.zeros(groups * nbins)
    p = np.flatnonzero(s.paid)
    w = np.maximum(s.paid_day[p] - s.last_open[p], 1)
    first = stop[p] + 1  # the window's first age
    first_bin = age_bin(first)
    count = age_bin(first + w - 1) - first_bin + 1
    spell = np.repeat(np.arange(len(p)), count)
    k = first_bin[spell] + np.arange(len(spell)) - (np.cumsum(count) - count)[spell]  # in spell order
    lo = np.r_[np.iinfo(np.int64).min // 4, BIN_EDGES][k]  # bin k holds the ages lo .. hi
    hi = np.r_[BIN_EDGES - 1, np.iinfo(np.int64).max // 4][k]
    f0, ww = first[spell], w[spell]
    lo_age, hi_age = np.maximum(f0, lo), np.minimum(f0 + ww - 1, hi)
    inside = hi_age - lo_age + 1
    ramp = inside * (ww + 1) - (lo_age - f0 + hi_age - f0 + 2) * inside // 2
    cell = s.group[p][spell] * nbins + k
    events += np.bincount(cell, weights=inside / ww, minlength=groups * nbins)
    risk += np.bincount(cell, weights=ramp / ww, minlength=groups * nbins)
    return events.reshape(groups, nbins), risk.reshape(groups, nbins)


def fit(s: Spells) -> Model:
    """The hierarchical hazard model ("The model" of the forecast guide)."""
    e, n = _exposure(s)
    nprov = len(s.providers)
    nbins = e.shape[1]
    ep = np.zeros((nprov, nbins))
    np_ = np.zeros((nprov, nbins))
    for k in range(nprov):  # summed in row order, as np.add.at would (a running sum: the same bits)
        mine = s.provider == k
        if mine.any():
            ep[k] = np.cumsum(e[mine], axis=0)[-1]
            np_[k] = np.cumsum(n[mine], axis=0)[-1]
    hp = np.divide(ep, np_, out=np.zeros_like(ep), where=np_ > 0)
    x = (n * hp[s.provider]).sum(axis=1)
    paid = e.sum(axis=1)
    prior = np.empty(nprov)
    for k in range(nprov):
        mine = s.provider == k
        xs, es = x[mine], paid[mine]
        denom = float((xs**2).sum())
        var = float(((es - xs) ** 2 - es).sum()) / denom if denom > 0 else 0.0
        prior[k] = np.clip(1.0 / var, *_A_RANGE) if var > 0 else _A_RANGE[1]
    a = prior[s.provider]
    theta = (paid + a) / (x + a)
    weight = x / (x + a)
    hazard = (e + BIN_PRIOR_DAYS * theta[:, None] * hp[s.provider]) / (n + BIN_PRIOR_DAYS)
    return Model(np.clip(hazard, 0.0, 1.0), hp, theta, weight, paid, x, prior)


def open_at(view: KnownAt, s: Spells) -> tuple[np.ndarray, np.ndarray]:
    """The spells open at the cutoff: (spell positions, their outstanding then, int64)."""
    snapshot = view.as_of(view.cutoff)
    state = _states(snapshot)
    rows = np.flatnonzero(state == _OPEN)
    out, _ = money(snapshot["outstanding"])
    mine, theirs = key_codes((s.frame, None), (snapshot, rows))
    where = pd.Index(mine).get_indexer(theirs)
    ok = where >= 0
    return where[ok].astype(np.int64), out[rows][ok].astype(np.int64)


def day_probabilities(model: Model, s: Spells, rows: np.ndarray, today: int, days: int,
                      since: np.ndarray | None = None) -> np.ndarray:
    """P(paid on day ``today + d``), d = 1..days, of ``rows`` open at ``today``'s end (since ``since``: day 1)."""
    lag = np.zeros(len(rows), dtype=np.int64) if since is None else np.clip(today - since, 0, None)
    out = np.empty((len(rows), days))
    bucket = np.zeros(len(rows), dtype=np.int64)
    bucket[lag > 0] = np.floor(np.log2(lag[lag > 0])).astype(np.int64) + 1
    for b in np.unique(bucket):
        sel = np.flatnonzero(bucket == b)
        mine = lag[sel]
        extra = int(mine.max(initial=0))
        age = (today - mine - s.ref[rows[sel]])[:, None] + np.arange(1, days + extra + 1)[None, :]
        h = hazards(model, s.group[rows[sel]], age)
        full = h.copy()  # P(paid on the day) = P(open the day before) * hazard; 1 * h[:, 0] on the first
        full[:, 1:] *= np.cumprod(1.0 - h[:, :-1], axis=1)
        if extra == 0:
            out[sel] = full
            continue
        part = np.take_along_axis(full, mine[:, None] + np.arange(days)[None, :], axis=1)
        part[:, 0] = np.take_along_axis(np.cumsum(full, axis=1), mine[:, None], axis=1)[:, 0]
        out[sel] = part
    return out
