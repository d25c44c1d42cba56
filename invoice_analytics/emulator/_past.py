"""The sample data rewound (private): :class:`Past` gives each sample invoice a past ending in its sample row ("The
demo's past" in :doc:`/guide/emulator`); :meth:`Past.serve` makes an emulator answer as of a moment."""

from __future__ import annotations

import datetime as dt
import random
import zlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from invoice_analytics.emulator import _habits
from invoice_analytics.emulator._rates import Rates, _int, _round100
from invoice_analytics.emulator._records import default_dataset
from invoice_analytics.emulator._samples import AS_OF

if TYPE_CHECKING:
    from invoice_analytics.emulator._server import Emulator

__all__ = ["DEFAULT_PAST_SEED", "Past"]

#: The seed :class:`Past` uses unless told otherwise.
DEFAULT_PAST_SEED = 20261121
_EPOCH = dt.date(1970, 1, 1)
_WIB = dt.timezone(dt.timedelta(hours=7))
_OPEN_BEFORE = ("Paid", "Partial Paid", "Cancelled")
#: A version: (the first day it shows, the row); an invoice's versions end with the sample's row.
_Versions = list[tuple[int, dict[str, Any]]]


def _day(text: Any) -> int | None:
    """Days since 1970-01-01 of a Faspay ``yyyy-mm-dd[ hh:mm:ss]``, None when unreadable."""
    try:
        return (dt.date.fromisoformat(str(text).strip()[:10]) - _EPOCH).days
    except ValueError:
        return None


def _moment(when: Any) -> pd.Timestamp:
    """``when`` as a Jakarta time (naive: Jakarta; a bare date: its 23:00, as the demo store observes)."""
    stamp = pd.Timestamp(when)
    if (isinstance(when, str) and len(when.strip()) == 10) or (type(when) is dt.date):
        stamp += pd.Timedelta(hours=23)
    return stamp.tz_localize("Asia/Jakarta") if stamp.tzinfo is None else stamp.tz_convert("Asia/Jakarta")


class Past:
    """Every sample invoice with its versions from its issue to the samples' date ``as_of``, drawn once (seeded).

    An invoice shows from its issue day (Mayar: its ``createdAt``); one paid, part paid or cancelled by ``as_of``
    was open before, "Overdue" from the day after its due date; its payment day is drawn from its customer's habit
    (:func:`._habits.paid_day`; until its due date at least at the clock's ``pay_before_due`` rate, so the many
    sample invoices paid before due are not all paid on the last days), a cancellation or a Mayar closing at the
    clock's daily rate. A Faspay invoice's outstanding before its payment (the samples keep none) is its customer's
    typical amount times 0.6-1.6; before a part payment, the part left divided by 0.1-0.9. From ``as_of`` on, every
    row is the sample's own.
    """

    def __init__(self, faspay: Sequence[dict[str, Any]] | None = None, mayar: Sequence[dict[str, Any]] | None = None,
                 *, as_of: dt.date = AS_OF, seed: int = DEFAULT_PAST_SEED, rates: Rates | None = None) -> None:
        self.as_of = as_of
        self._last = (as_of - _EPOCH).days
        self._seed = seed
        self._rates = rates or Rates()
        faspay = list(default_dataset("faspay") if faspay is None else faspay)
        mayar = list(default_dataset("mayar") if mayar is None else mayar)
        self._typical, self._fallback = _typical_amounts(faspay)
        self._faspay = [self._faspay_versions(i, r) for i, r in enumerate(faspay)]
        self._mayar = [self._mayar_versions(i, r) for i, r in enumerate(mayar)]

    def _rng(self, provider: str, i: int, key: Any) -> random.Random:
        return random.Random(zlib.crc32(f"{self._seed}|{provider}|{i}|{key}".encode()))

    # -- Faspay ------------------------------------------------------------------------------------------------

    def _faspay_versions(self, i: int, row: dict[str, Any]) -> tuple[int, _Versions]:
        issued, due = _day(row.get("invoice_date")), _day(row.get("due_date"))
        status = row.get("invoice_status")
        if issued is None or issued >= self._last:
            return (issued if issued is not None else -(10**6)), [(-(10**6), row)]
        due = issued if due is None else due
        rng = self._rng("faspay", i, row.get("invoice_no"))
        customer = (row.get("customer_id"), str(row.get("customer_name") or ""))
        habit = _habits.habit_of("faspay", f"{customer[0]}:{customer[1]}")
        if status == "Overdue":
            turn = min(max(due + 1, issued), self._last)
            before = [(issued, {**row, "invoice_status": "Unpaid"})] if turn > issued else []
            return issued, [*before, (turn, row)]
        if status not in _OPEN_BEFORE:  # Unpaid, Draft, Proforma: as they are since issued
            return issued, [(issued, row)]
        out = _int(row.get("outstanding_amount"))
        amount = max(50_000, _round100(self._typical.get(customer, self._fallback) * rng.uniform(0.6, 1.6)))
        if status == "Partial Paid" and out is not None and out > 0:
            amount = max(out + 100, _round100(out / rng.uniform(0.1, 0.9)))
        elif status == "Cancelled" and out is not None and out > 0:
            amount = out
        if status == "Cancelled":
            day = issued + _habits.draw_day(np.full(self._last - issued + 1, self._rates.cancelled), rng)
        else:
            start = max(-90, min(0, issued - due))
            day = _habits.paid_day(habit, issued, self._last, due, start, self._rates.pay_past_due, rng,
                                   early=self._rates.pay_before_due)
        part = None
        if status == "Paid" and day - issued >= 2 and rng.random() < (0.5 if habit.instalments else 0.05):
            part = (rng.randint(issued + 1, day - 1), max(100, _round100(amount * rng.uniform(0.2, 0.8))))
        return issued, [*_open({**row, "outstanding_amount": amount}, issued, due, day, part), (day, row)]

    def faspay(self, when: Any) -> list[dict[str, Any]]:
        """The Faspay rows as they stood at ``when`` (a day: at its 23:00, Jakarta), in the samples' order."""
        day = (_moment(when).date() - _EPOCH).days
        return [_at(versions, day) for issued, versions in self._faspay if issued <= day]

    # -- Mayar ---------------------------------------------------------------------------------------------------

    def _mayar_versions(self, i: int, row: dict[str, Any]) -> tuple[int, _Versions]:
        created = _int(row.get("createdAt"))
        if created is None:
            return -(10**15), [(-(10**6), row)]
        day = (created + 7 * 3_600_000) // 86_400_000
        status = row.get("status")
        if status not in ("paid", "closed") or day >= self._last:
            return created, [(day, row)]
        rng = self._rng("mayar", i, row.get("id"))
        transactions = list(row.get("transactions") or [])
        if transactions and transactions[-1].get("status") == ("paid" if status == "paid" else "expired"):
            transactions.pop()
        window = self._last - day
        if status == "closed":
            when = day + 1 + _habits.draw_day(np.full(window, self._rates.mayar_closed), rng)
        elif rng.random() < self._rates.mayar_same_day:
            when = day
        else:
            customer = row.get("customer")
            key = str(customer.get("id")) if isinstance(customer, dict) else str(row.get("customerId"))
            due = _habits.MAYAR_DUE_DAYS
            when = _habits.paid_day(_habits.habit_of("mayar", key), day + 1, self._last, day + due, -due,
                                    self._rates.mayar_pay, rng, early=self._rates.pay_before_due)
        return created, [(day, {**row, "status": "active", "transactions": transactions}), (when, row)]

    def mayar(self, when: Any) -> list[dict[str, Any]]:
        """The Mayar rows as they stood at ``when`` (a day: at its 23:00, Jakarta), in the samples' order."""
        moment = _moment(when)
        ms, day = int(moment.timestamp() * 1000), (moment.date() - _EPOCH).days
        return [_at(versions, day) for created, versions in self._mayar if created <= ms]

    def serve(self, emu: Emulator, when: Any) -> None:
        """Make ``emu``'s two accounts hold their rows as they stood at ``when``."""
        faspay, mayar = self.faspay(when), self.mayar(when)
        with emu._lock:
            emu.faspay.invoices[:] = faspay
            emu.mayar.invoices[:] = mayar
            emu.faspay._lists.clear()


def _typical_amounts(rows: list[dict[str, Any]]) -> tuple[dict[tuple[Any, str], int], int]:
    """Each Faspay customer's median open outstanding, and the median of all (as the clock bills them)."""
    amounts: dict[tuple[Any, str], list[int]] = {}
    for r in rows:
        out = _int(r.get("outstanding_amount"))
        if out is not None and out > 0 and r.get("invoice_status") in ("Unpaid", "Overdue", "Draft", "Proforma"):
            amounts.setdefault((r.get("customer_id"), str(r.get("customer_name") or "")), []).append(out)
    every = sorted(a for values in amounts.values() for a in values)
    typical = {c: sorted(v)[len(v) // 2] for c, v in amounts.items()}
    return typical, every[len(every) // 2] if every else 2_750_000


def _open(row: dict[str, Any], issued: int, due: int, until: int, part: tuple[int, int] | None) -> _Versions:
    """The versions of ``row`` open from ``issued`` to the day before ``until``: "Unpaid", "Overdue" from the day
    after ``due``, and "Partial Paid" from ``part``'s day with its outstanding (it stays so)."""
    versions: _Versions = [(issued, {**row, "invoice_status": "Unpaid"})]
    if part is not None:
        until, left = part[0], part[1]
    if issued <= due < until - 1:
        versions.append((due + 1, {**row, "invoice_status": "Overdue"}))
    if part is not None:
        versions.append((until, {**row, "invoice_status": "Partial Paid", "outstanding_amount": left}))
    return versions


def _at(versions: _Versions, day: int) -> dict[str, Any]:
    """The last version shown by ``day`` (the first when none is: an invoice issued that day)."""
    found = versions[0][1]
    for start, row in versions:
        if start > day:
            break
        found = row
    return found
