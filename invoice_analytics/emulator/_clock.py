"""An emulator with a clock: simulated days of invoicing, payments and dunning ("The simulated business" of
:doc:`/guide/emulator`; tested in ``tests/emulator/test_clock.py``) (private)."""

from __future__ import annotations

import datetime as dt
import random
import re
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np

from invoice_analytics._dates import jakarta_date
from invoice_analytics._types import AsOf
from invoice_analytics.emulator import _habits, _samples
from invoice_analytics.emulator._rates import EVENTS, DayEvents, Rates, _int, _round100
from invoice_analytics.emulator._server import Emulator

__all__ = ["DEFAULT_CLOCK_SEED", "EVENTS", "DayEvents", "Rates", "simulate"]

#: The seed :func:`simulate` uses unless told otherwise.
DEFAULT_CLOCK_SEED = 20261122

_WIB = dt.timezone(dt.timedelta(hours=7))
_EPOCH = dt.date(1970, 1, 1)
_FASPAY_NO = re.compile(r"^INV-([A-Z0-9]+)-(\d{4})(\d{5,})$")
_FASPAY_OPEN = ("Unpaid", "Overdue", "Partial Paid")
_FASPAY_UNISSUED = ("Draft", "Proforma")
#: Hour-of-day weights of Mayar's ``createdAt`` (WIB), as in the sample data.
_HOUR_WEIGHTS = (1, 1, 1, 1, 1, 2, 3, 5, 8, 10, 10, 10, 9, 10, 10, 10, 9, 8, 7, 7, 6, 5, 3, 2)
_FASPAY_PREFIXES = (("FPY", "T8V", "MP2"), (85, 10, 5))

class _Clock:
    """The simulation's state between days: customers, id sequences, caches."""

    def __init__(self, emu: Emulator, seed: int, rates: Rates, customers: int | None = None) -> None:
        self.emu = emu
        self.rates = rates
        self.rng = random.Random(seed)
        self.np_rng = np.random.default_rng(seed)
        self.customers = customers
        self._day_cache: dict[str, int] = {}
        self._ms_day_cache: dict[int, int] = {}
        with emu._lock:
            faspay = list(emu.faspay.invoices)
            mayar = list(emu.mayar.invoices)
        self._faspay_customers(faspay)
        self._mayar_customers(mayar)

    # -- set-up --------------------------------------------------------------------

    def _faspay_customers(self, rows: list[dict[str, Any]]) -> None:
        counts: Counter[tuple[Any, str]] = Counter()
        amounts: dict[tuple[Any, str], list[int]] = {}
        self.faspay_ids: set[str] = set()
        self.sequences: dict[tuple[str, str], int] = {}
        for r in rows:
            number = str(r.get("invoice_no"))
            self.faspay_ids.add(number)
            match = _FASPAY_NO.match(number)
            if match:
                key = (match.group(1), match.group(2))
                self.sequences[key] = max(self.sequences.get(key, 0), int(match.group(3)))
            customer = (r.get("customer_id"), str(r.get("customer_name") or ""))
            counts[customer] += 1
            out = _int(r.get("outstanding_amount"))
            if out is not None and out > 0 and r.get("invoice_status") in ("Unpaid", "Overdue", "Draft", "Proforma"):
                amounts.setdefault(customer, []).append(out)
        if not counts:  # an empty account: a customer base of its own
            taken: set[str] = set()
            for n in range(self.customers or 40):
                make = _samples._company if self.rng.random() < 0.6 else _samples._person
                counts[(100 + 7 * n, _samples._unique(make, self.rng, taken))] = 1
        self.faspay_customers = list(counts)
        self.faspay_weights = self._activity(list(counts.values()), rows)
        every = sorted(a for values in amounts.values() for a in values)
        fallback = every[len(every) // 2] if every else 2_750_000  # the sample data's median
        self.faspay_typical = {c: sorted(v)[len(v) // 2] for c, v in amounts.items()}
        self.faspay_fallback = fallback

    def _mayar_customers(self, rows: list[dict[str, Any]]) -> None:
        counts: Counter[str] = Counter()
        self.mayar_customer_by_id: dict[str, dict[str, Any]] = {}
        self.links: set[str] = set()
        for r in rows:
            customer = r.get("customer")
            if isinstance(customer, dict) and customer.get("id"):
                self.mayar_customer_by_id.setdefault(str(customer["id"]), dict(customer))
                counts[str(customer["id"])] += 1
            if r.get("link"):
                self.links.add(str(r["link"]))
        if not counts:
            taken: set[str] = set()
            for _ in range(self.customers or 30):
                customer = _samples._mayar_customer(self.rng, taken)
                self.mayar_customer_by_id[customer["id"]] = customer
                counts[customer["id"]] = 1
        self.mayar_customers = list(counts)
        self.mayar_weights = self._activity(list(counts.values()), rows)

    def _activity(self, counts: list[int], rows: list[dict[str, Any]]) -> list[float]:
        """How often each customer is billed: as so far, or (an empty account given ``customers``) Pareto-like."""
        if rows or self.customers is None:
            return [float(c) for c in counts]
        return [self.rng.paretovariate(1.3) for _ in counts]

    # -- helpers ---------------------------------------------------------------------

    def _day_number(self, text: Any) -> int | None:
        """Days since 1970-01-01 of a Faspay ``yyyy-mm-dd[ hh:mm:ss]`` (cached), None when unreadable."""
        if not isinstance(text, str):
            return None
        found = self._day_cache.get(text)
        if found is None:
            try:
                found = (dt.date.fromisoformat(text.strip()[:10]) - _EPOCH).days
            except ValueError:
                return None
            self._day_cache[text] = found
        return found

    def _created_day(self, created: Any) -> int | None:
        """The WIB day number of a Mayar ``createdAt`` (epoch ms)."""
        ms = _int(created)
        if ms is None:
            return None
        return (ms + 7 * 3_600_000) // 86_400_000

    def _volume(self, mean: float, day: dt.date) -> int:
        if day.weekday() >= 5:
            mean *= self.rates.weekend_factor
        return int(self.np_rng.poisson(mean)) if mean > 0 else 0

    def _uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    # -- one day -----------------------------------------------------------------------

    def day(self, day: dt.date) -> DayEvents:
        counts = dict.fromkeys(EVENTS, 0)
        today = (day - _EPOCH).days
        new_faspay = [self._new_faspay(day) for _ in range(self._volume(self.rates.faspay_per_weekday, day))]
        new_mayar = [self._new_mayar(day) for _ in range(self._volume(self.rates.mayar_per_weekday, day))]
        emu = self.emu
        with emu._lock:
            self._faspay_changes(emu.faspay.invoices, today, counts)
            self._mayar_changes(emu.mayar.invoices, today, counts)
            emu.faspay.invoices.extend(new_faspay)
            emu.mayar.invoices.extend(new_mayar)
            emu.faspay._lists.clear()
        counts["faspay_issued"] = len(new_faspay)
        counts["mayar_issued"] = len(new_mayar)
        counts["mayar_paid"] += sum(1 for r in new_mayar if r["status"] == "paid")
        return DayEvents(day, counts)

    def _faspay_changes(self, invoices: list[dict[str, Any]], today: int, counts: dict[str, int]) -> None:
        rates = self.rates
        positions: list[int] = []
        due: list[int] = []
        for i, r in enumerate(invoices):
            status = r.get("invoice_status")
            if status in _FASPAY_OPEN or status in _FASPAY_UNISSUED:
                positions.append(i)
                d = self._day_number(r.get("due_date"))
                due.append(today if d is None else d)  # unknown due date: never past due
        if not positions:
            return
        late = today - np.array(due, dtype=np.int64)
        draw = self.np_rng.random(len(positions))
        partial = np.full(len(positions), rates.partially_paid)
        if rates.habits:
            pay = np.empty(len(positions))
            for j, i in enumerate(positions):
                pay[j], partial[j] = self._faspay_habit(invoices[i], int(late[j]), today)
        else:
            pay = np.where(late <= 0, rates.pay_before_due,
                           np.where(late <= rates.long_past_due_days, rates.pay_past_due, rates.pay_long_past_due))
        for k in np.flatnonzero((draw < pay + partial + rates.cancelled) | (late >= 1)
                                | (draw < rates.draft_issued)):
            i = positions[k]
            record = invoices[i]
            status = record.get("invoice_status")
            u = float(draw[k])
            change: dict[str, Any] = {}
            if status in _FASPAY_UNISSUED:
                if u < rates.draft_issued and late[k] <= 0:  # a draft left past its due date stays a draft
                    change["invoice_status"] = status = "Unpaid"
                    counts["faspay_drafts_issued"] += 1
            else:
                out = _int(record.get("outstanding_amount"))
                p = float(pay[k])
                if u < p:
                    credit = self.rng.random() < rates.overpaid
                    change = {"invoice_status": "Paid",
                              "outstanding_amount": -100 * self.rng.randint(1, 5000) if credit else 0}
                    counts["faspay_paid"] += 1
                elif u < p + partial[k] and out is not None and out > 0:
                    left = _round100(out * self.rng.uniform(0.2, 0.8))
                    if 0 < left < out:
                        change = {"invoice_status": "Partial Paid", "outstanding_amount": left}
                        counts["faspay_partially_paid"] += 1
                elif p + partial[k] <= u < p + partial[k] + rates.cancelled:
                    change = {"invoice_status": "Cancelled"}
                    counts["faspay_cancelled"] += 1
                status = change.get("invoice_status", status)
            if status == "Unpaid" and late[k] >= 1:
                change["invoice_status"] = "Overdue"
                counts["faspay_overdue"] += 1
            if change:
                invoices[i] = {**record, **change}

    def _mayar_changes(self, invoices: list[dict[str, Any]], today: int, counts: dict[str, int]) -> None:
        rates = self.rates
        positions: list[int] = []
        ages: list[int] = []
        for i, r in enumerate(invoices):
            if r.get("status") == "active":
                created = self._created_day(r.get("createdAt"))
                if created is not None and created < today:  # made today: only the same-day rule applies
                    positions.append(i)
                    ages.append(today - created)
        if not positions:
            return
        age = np.array(ages, dtype=np.int64)
        draw = self.np_rng.random(len(positions))
        if rates.habits:
            pay = np.array([self._mayar_habit(invoices[i], int(a), today) for i, a in zip(positions, age, strict=True)])
        else:
            pay = np.where(age <= rates.long_past_due_days, rates.mayar_pay, rates.pay_long_past_due)
        for k in np.flatnonzero(draw < pay + rates.mayar_closed):
            i = positions[k]
            record = invoices[i]
            transactions = list(record.get("transactions") or [])
            if draw[k] < pay[k]:
                transactions.append({"id": self._uuid(), "status": "paid", "extraData": None})
                invoices[i] = {**record, "status": "paid", "transactions": transactions}
                counts["mayar_paid"] += 1
            else:
                transactions.append({"id": self._uuid(), "status": "expired", "extraData": None})
                invoices[i] = {**record, "status": "closed", "transactions": transactions}
                counts["mayar_closed"] += 1

    # -- customers' habits (see ._habits) -----------------------------------------------------

    def _hazard(self, habit: _habits.Habit, late: int, start: int, tail: float, today: int) -> float:
        table = _habits.hazards(habit, tail, start)
        h = float(table[min(max(late, _habits.L_MIN), _habits.L_MAX) - _habits.L_MIN])
        if habit.kind == "month_end":  # a month's payments made on its last three days
            return 1.0 - (1.0 - h) ** 10 if _habits.month_end(today) else 0.0
        return h

    def _faspay_habit(self, record: dict[str, Any], late: int, today: int) -> tuple[float, float]:
        """(chance of payment in full today, chance of a part payment) of an open Faspay invoice."""
        habit = _habits.habit_of("faspay", f"{record.get('customer_id')}:{record.get('customer_name') or ''}")
        issued = self._day_number(record.get("invoice_date"))
        start = max(-90, min(0, issued - (today - late))) if issued is not None else -30
        partial = self.rates.partially_paid * (6.0 if habit.instalments else 0.5)
        return self._hazard(habit, late, start, self.rates.pay_past_due, today), partial

    def _mayar_habit(self, record: dict[str, Any], age: int, today: int) -> float:
        customer = record.get("customer")
        key = str(customer.get("id")) if isinstance(customer, dict) else str(record.get("customerId"))
        habit = _habits.habit_of("mayar", key)
        due = _habits.MAYAR_DUE_DAYS
        return self._hazard(habit, age - due, -due, self.rates.mayar_pay, today)

    # -- new invoices --------------------------------------------------------------------

    def _new_faspay(self, day: dt.date) -> dict[str, Any]:
        rng, rates = self.rng, self.rates
        customer = rng.choices(self.faspay_customers, weights=self.faspay_weights)[0]
        prefix = rng.choices(*_FASPAY_PREFIXES)[0]
        month = day.strftime("%m%y")
        seq = self.sequences.get((prefix, month), rng.randint(1, 300))
        while True:
            seq += rng.choices((1, 2, 3), weights=(85, 10, 5))[0]
            number = f"INV-{prefix}-{month}{seq:05d}"
            if number not in self.faspay_ids:
                break
        self.sequences[(prefix, month)] = seq
        self.faspay_ids.add(number)
        typical = self.faspay_typical.get(customer, self.faspay_fallback)
        amount = max(50_000, _round100(typical * rng.uniform(0.6, 1.6)))
        u = rng.random()
        status = ("Draft" if u < rates.faspay_draft_share
                  else "Proforma" if u < rates.faspay_draft_share + rates.faspay_proforma_share else "Unpaid")
        due = dt.datetime.combine(day, dt.time(rng.randint(8, 18), rng.randint(0, 59))) + dt.timedelta(
            days=rng.choice(rates.faspay_terms_days))
        return {
            "customer_id": customer[0],
            "customer_name": customer[1],
            "invoice_date": f"{day.isoformat()} 00:00:00",
            "invoice_no": number,
            "due_date": due.strftime("%Y-%m-%d %H:%M:%S"),
            "invoice_status": status,
            "outstanding_amount": amount,
            "period": day.strftime("%Y%m"),
        }

    def _new_mayar(self, day: dt.date) -> dict[str, Any]:
        rng, rates = self.rng, self.rates
        customer = dict(self.mayar_customer_by_id[rng.choices(self.mayar_customers, weights=self.mayar_weights)[0]])
        hour = rng.choices(range(24), weights=_HOUR_WEIGHTS)[0]
        moment = dt.datetime.combine(day, dt.time(hour, rng.randint(0, 59), rng.randint(0, 59)), tzinfo=_WIB)
        paid = rng.random() < rates.mayar_same_day
        transactions = [{"id": self._uuid(), "status": "created", "extraData": None}] if rng.random() < 0.3 else []
        if paid:
            transactions.append({"id": self._uuid(), "status": "paid", "extraData": None})
        while True:
            link = _samples._slug(rng)
            if link not in self.links:
                self.links.add(link)
                break
        return {
            "id": self._uuid(),
            "amount": max(10_000, _round100(rng.lognormvariate(12.4, 0.9))),
            "category": rng.choice(_samples._CATEGORIES) if rng.random() < 0.45 else None,
            "createdAt": int(moment.timestamp()) * 1000 + rng.randint(0, 999),
            "description": "Pelunasan pesanan" if rng.random() < 0.5 else "",
            "link": link,
            "type": "invoice",
            "status": "paid" if paid else "active",
            "name": "INVOICE" if rng.random() < 0.6 else f"Invoice {_samples._BULAN[day.month - 1]} {day.year}",
            "redirectUrl": None,
            "customerId": customer["id"],
            "transactions": transactions,
            "customer": customer,
        }


def simulate(
    emu: Emulator,
    start: AsOf,
    days: int,
    *,
    seed: int = DEFAULT_CLOCK_SEED,
    rates: Rates | None = None,
    on_day: Callable[[dt.date], object] | None = None,
    customers: int | None = None,
) -> list[DayEvents]:
    """Advance ``emu``'s two accounts ``days`` days from ``start`` (its Jakarta date); one DayEvents per day.

    The same ``seed``, ``rates`` (None: ``Rates()``) and starting data give the same changes. ``on_day(day)`` runs
    after each day, outside the emulator's lock: a store refreshing there should stamp a time late in ``day``
    (e.g. 23:00), after the day's Mayar invoices. ``customers`` bills an empty account's N customers with the
    samples' varied activity (None: 40 Faspay and 30 Mayar alike); an account with invoices keeps its own.
    ValueError for negative ``days``, a ``start`` not a date or ``customers`` < 1.
    """
    if int(days) != days or days < 0:
        raise ValueError(f"days must be a whole number >= 0, got {days!r}")
    if customers is not None and (isinstance(customers, bool) or int(customers) != customers or customers < 1):
        raise ValueError(f"customers must be a whole number >= 1 or None, got {customers!r}")
    first = jakarta_date(start, name="start")
    clock = _Clock(emu, seed, rates or Rates(), None if customers is None else int(customers))
    out: list[DayEvents] = []
    for offset in range(int(days)):
        day = first + dt.timedelta(days=offset)
        out.append(clock.day(day))
        if on_day is not None:
            on_day(day)
    return out

