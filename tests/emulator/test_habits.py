"""The simulated customers' persistent payment habits show in what the clock does."""

from __future__ import annotations

import collections
import datetime as dt
import statistics
from typing import Any

import pytest

from invoice_analytics.emulator import Emulator
from invoice_analytics.emulator._clock import Rates, simulate
from invoice_analytics.emulator._habits import KINDS, MIX, habit_of, month_end

START = dt.date(2026, 1, 5)
EPOCH = dt.date(1970, 1, 1)


@pytest.fixture(scope="module")
def run() -> dict[str, Any]:
    """A year of an empty account billing 120 customers; per Faspay invoice, the day it was paid and the
    days it was paid in part, read every simulated day."""
    emu = Emulator([], [], mayar_rate_limit_per_minute=None)
    paid: dict[str, dt.date] = {}
    parts: collections.Counter[str] = collections.Counter()
    status: dict[str, str] = {}

    def look(day: dt.date) -> None:
        for r in emu.faspay.invoices:
            number, now = r["invoice_no"], r["invoice_status"]
            if now == "Paid" and number not in paid:
                paid[number] = day
            if now == "Partial Paid" and status.get(number) != "Partial Paid":
                parts[number] += 1
            status[number] = now

    simulate(emu, START, 365, seed=5, customers=120, on_day=look)
    return {"emu": emu, "paid": paid, "parts": parts}


def habit(r: dict[str, Any]):
    return habit_of("faspay", f"{r['customer_id']}:{r['customer_name']}")


def test_habits_are_persistent_and_mixed():
    keys = [f"{n}:Customer {n}" for n in range(2000)]
    kinds = collections.Counter(habit_of("faspay", k).kind for k in keys)
    for kind, share in zip(KINDS, MIX, strict=True):
        assert abs(kinds[kind] / len(keys) - share) < 0.03, kind
    assert [habit_of("faspay", k) for k in keys[:50]] == [habit_of("faspay", k) for k in keys[:50]]


def test_each_kind_pays_as_documented(run):
    delays: dict[str, list[int]] = collections.defaultdict(list)
    paid_days: dict[str, list[dt.date]] = collections.defaultdict(list)
    for r in run["emu"].faspay.invoices:
        day = run["paid"].get(r["invoice_no"])
        if day is not None:
            due = dt.date.fromisoformat(r["due_date"][:10])
            delays[habit(r).kind].append((day - due).days)
            paid_days[habit(r).kind].append(day)
    assert "never" not in delays  # never-payers never pay
    medians = {k: statistics.median(v) for k, v in delays.items()}
    assert set(medians) == {"early", "on_time", "late", "month_end"}
    assert medians["early"] < 0 < medians["late"] - 10
    assert medians["early"] < medians["on_time"] < medians["late"]
    assert all(month_end((d - EPOCH).days) for d in paid_days["month_end"])  # paid on a month's last 3 days
    assert len(paid_days["month_end"]) > 20


def test_instalment_payers_pay_in_part_more_often(run):
    invoices = run["emu"].faspay.invoices
    def share(flag: bool) -> float:
        mine = [r for r in invoices if habit(r).instalments is flag]
        return sum(run["parts"][r["invoice_no"]] > 0 for r in mine) / len(mine)

    assert share(True) > 3 * share(False) > 0


def test_uniform_rates_without_habits():
    a, b = (Emulator([], [], mayar_rate_limit_per_minute=None) for _ in range(2))
    simulate(a, START, 20, seed=1, rates=Rates(habits=False))
    simulate(b, START, 20, seed=1)
    assert a.faspay.invoices != b.faspay.invoices
    with pytest.raises(ValueError, match="habits must be True or False"):
        Rates(habits=1)  # type: ignore[arg-type]
