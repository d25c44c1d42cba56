"""A tiny in-memory invoice history refreshed daily, built from "issued, due, paid on" specs (forecast tests).

Day numbers count from 2026-01-01 (day 1); the store refreshes both providers
every day at 23:00 WIB from day 1 to ``last``. An invoice is first seen open on
``max(issued, 1)`` (or ``seen``); paid on day ``p`` means its open version was
last seen on ``p - 1`` and its paid version first seen on ``p``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from invoice_analytics.schema import DATETIME_DTYPE, JAKARTA
from tests.support.frames import frame

_HISTORY = ("valid_from", "valid_to", "last_seen")
DAY0 = pd.Timestamp("2025-12-31")


def day(n: int, hour: int = 23) -> pd.Timestamp:
    """Day ``n`` (2026-01-01 is 1) at ``hour`` WIB."""
    return (DAY0 + pd.Timedelta(days=n, hours=hour)).tz_localize(JAKARTA)


def date(n: int) -> str:
    return str((DAY0 + pd.Timedelta(days=n)).date())


@dataclass
class Inv:
    provider: str
    invoice_id: str
    customer: str
    issued: int
    due: int | None
    amount: int
    paid: int | None = None
    cancelled: int | None = None
    seen: int | None = None


class TinyStore:
    """The store contract (``history``, ``as_of``, ``refreshes``) over versions made from :class:`Inv` specs."""

    def __init__(self, invoices: list[Inv], last: int) -> None:
        rows: list[dict[str, Any]] = []
        for inv in invoices:
            rows += self._versions(inv, last)
        core = frame(*[{k: v for k, v in r.items() if k not in _HISTORY} for r in rows])
        for name in _HISTORY:
            core[name] = pd.Series(pd.DatetimeIndex([r[name] for r in rows], dtype=DATETIME_DTYPE))
        self.versions = core
        self._refreshes = pd.DataFrame({
            "observed_at": pd.Series(pd.DatetimeIndex([day(d) for d in range(1, last + 1) for _ in (0, 1)],
                                                      dtype=DATETIME_DTYPE)),
            "provider": ["faspay", "mayar"] * last,
        })

    @staticmethod
    def _versions(inv: Inv, last: int) -> list[dict[str, Any]]:
        mayar = inv.provider == "mayar"
        base = {"provider": inv.provider, "invoice_id": inv.invoice_id, "customer_id": inv.customer,
                "customer_name": f"Customer {inv.customer}",
                "issued_at": str(DAY0 + pd.Timedelta(days=inv.issued, hours=10)),
                "due_at": None if inv.due is None else date(inv.due),
                "amount": inv.amount if mayar else None}
        first = inv.seen if inv.seen is not None else max(inv.issued, 1)
        end = inv.paid if inv.paid is not None else inv.cancelled
        opened = {**base, "status": "unpaid" if mayar else "overdue", "outstanding": inv.amount,
                  "valid_from": day(first), "valid_to": None if end is None else day(end),
                  "last_seen": day(last if end is None else end - 1)}
        out = [opened]
        if end is not None:
            closed = {**base, "status": "paid" if inv.paid is not None else "cancelled",
                      "outstanding": 0 if inv.paid is not None else inv.amount,
                      "valid_from": day(end), "valid_to": None, "last_seen": day(last)}
            out.append(closed)
        return out

    def history(self) -> pd.DataFrame:
        return self.versions.copy()

    def as_of(self, when: Any, /) -> pd.DataFrame:
        if not isinstance(when, pd.Timestamp):  # a bare date (as the panel asks): the end of that day
            when = pd.Timestamp(when).tz_localize(JAKARTA) + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)
        v = self.versions
        live = (v["valid_from"] <= when) & (v["valid_to"].isna() | (v["valid_to"] > when))
        live &= v["issued_at"].isna() | (v["issued_at"] <= when)
        return v[live.to_numpy()].drop(columns=list(_HISTORY)).reset_index(drop=True)

    def refreshes(self) -> pd.DataFrame:
        return self._refreshes.copy()
