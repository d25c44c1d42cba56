"""A simulated account observed week by week, kept as an in-memory version history (benchmarks only).

``simulated_history(days, invoices)`` runs the emulator's clock (customers with
their payment habits, :mod:`invoice_analytics.emulator._habits`) on an empty
account for ``days`` days, sized to issue about ``invoices`` invoices, and
observes it every ``every`` days at 23:00 WIB, as a store refreshing then
would: an invoice whose record changed gets a new version. The clock replaces
a changed invoice's dict (copy-on-write), so a change is a new object. The
versions are typed by the providers' own converters (``faspay_frame``,
``mayar_frame``); :class:`VersionStore` serves them with the store's three
methods (``history``, ``as_of``, ``refreshes``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from invoice_analytics import combine
from invoice_analytics.emulator import Emulator
from invoice_analytics.emulator._clock import Rates, simulate
from invoice_analytics.providers.faspay import faspay_frame
from invoice_analytics.providers.mayar import mayar_frame
from invoice_analytics.schema import DATETIME_DTYPE, JAKARTA

_HISTORY = ("valid_from", "valid_to", "last_seen")


class VersionStore:
    """The store contract over a versions frame (``valid_from``, ``valid_to``, ``last_seen``)."""

    def __init__(self, versions: pd.DataFrame, observed: list[pd.Timestamp]) -> None:
        self.versions = versions
        self._refreshes = pd.DataFrame({
            "observed_at": pd.Series(pd.DatetimeIndex([t for t in observed for _ in (0, 1)], dtype=DATETIME_DTYPE)),
            "provider": ["faspay", "mayar"] * len(observed),
        })

    def history(self) -> pd.DataFrame:
        return self.versions.copy()

    def as_of(self, when: pd.Timestamp, /) -> pd.DataFrame:
        v = self.versions
        live = (v["valid_from"] <= when) & (v["valid_to"].isna() | (v["valid_to"] > when))
        live &= v["issued_at"].isna() | (v["issued_at"] <= when)
        out = v[live.to_numpy(dtype=bool)].drop(columns=list(_HISTORY)).reset_index(drop=True)
        out.attrs["as_of"] = when
        return out

    def refreshes(self) -> pd.DataFrame:
        return self._refreshes.copy()


def simulated_history(start: dt.date, days: int, invoices: int, *, every: int = 7, seed: int = 20261122,
                      customers: int = 400) -> VersionStore:
    weekday_equivalents = days / 7 * (5 + 2 * Rates().weekend_factor)
    per_weekday = invoices / weekday_equivalents
    rates = dataclasses.replace(Rates(), faspay_per_weekday=per_weekday * 0.72, mayar_per_weekday=per_weekday * 0.28)
    emu = Emulator([], [], mayar_rate_limit_per_minute=None)
    records: dict[str, list[tuple[Any, int, int | None, int]]] = {"faspay": [], "mayar": []}
    current: dict[str, dict[str, int]] = {"faspay": {}, "mayar": {}}  # key -> index into records
    observed: list[pd.Timestamp] = []
    last = start + dt.timedelta(days=days - 1)

    def observe(day: dt.date) -> None:
        if (day - start).days % every and day != last:
            return
        n = len(observed)
        observed.append(pd.Timestamp(day).tz_localize(JAKARTA) + pd.Timedelta(hours=23))
        for provider, rows, key in (("faspay", emu.faspay.invoices, "invoice_no"), ("mayar", emu.mayar.invoices, "id")):
            kept, cur = records[provider], current[provider]
            for r in rows:
                at = cur.get(r[key])
                if at is not None and kept[at][0] is r:
                    record, since, _, _ = kept[at]
                    kept[at] = (record, since, None, n)
                    continue
                if at is not None:
                    record, since, _, seen = kept[at]
                    kept[at] = (record, since, n, seen)
                cur[r[key]] = len(kept)
                kept.append((r, n, None, n))

    simulate(emu, start, days, seed=seed, rates=rates, customers=customers, on_day=observe)
    times = pd.DatetimeIndex(observed, dtype=DATETIME_DTYPE)
    frames = []
    for provider, convert in (("faspay", faspay_frame), ("mayar", mayar_frame)):
        kept = records[provider]
        frame = convert([dict(r[0]) for r in kept])
        frame["valid_from"] = times.take([r[1] for r in kept])
        until = np.array([-1 if r[2] is None else r[2] for r in kept])
        valid_to = pd.Series(times.take(np.maximum(until, 0)))
        valid_to[until < 0] = pd.NaT
        frame["valid_to"] = valid_to.astype(DATETIME_DTYPE).to_numpy()
        frame["last_seen"] = times.take([r[3] for r in kept])
        frames.append(frame)
    versions = combine(*frames)  # keeps the rows' order and the three history columns
    return VersionStore(versions.reset_index(drop=True), observed)
