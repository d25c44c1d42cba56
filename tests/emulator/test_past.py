"""The sample data rewound (emulator._past): a past that ends exactly in the samples and is consistent with them."""

from __future__ import annotations

import datetime as dt
import random
import statistics

import pytest

from invoice_analytics.emulator import Emulator
from invoice_analytics.emulator._habits import Habit, habit_of, month_end, paid_day
from invoice_analytics.emulator._past import Past
from invoice_analytics.emulator._rates import _int
from invoice_analytics.emulator._records import default_dataset
from invoice_analytics.emulator._samples import AS_OF
from invoice_analytics.providers.faspay import load_faspay
from invoice_analytics.providers.mayar import load_mayar

DAYS = [AS_OF - dt.timedelta(days=d) for d in (182, 120, 60, 21, 7, 1)]
OPEN = ("Unpaid", "Overdue", "Partial Paid")


@pytest.fixture(scope="module")
def past():
    return Past()


def day_of(text):
    return dt.date.fromisoformat(str(text)[:10])


def test_the_past_ends_in_the_sample_data_exactly(past):
    assert past.faspay(AS_OF) == list(default_dataset("faspay"))
    assert past.mayar(AS_OF) == list(default_dataset("mayar"))
    assert past.faspay(AS_OF + dt.timedelta(days=30)) == list(default_dataset("faspay"))


def test_an_invoice_shows_from_its_issue(past):
    for day in DAYS:
        rows = past.faspay(day)
        assert all(day_of(r["invoice_date"]) <= day for r in rows)
        issued = sum(day_of(r["invoice_date"]) <= day for r in default_dataset("faspay"))
        assert len(rows) == issued
        moment = dt.datetime.combine(day, dt.time(23), dt.timezone(dt.timedelta(hours=7)))
        limit = moment.timestamp() * 1000
        assert [r["id"] for r in past.mayar(day)] == [r["id"] for r in default_dataset("mayar")
                                                      if r["createdAt"] <= limit]


def test_every_faspay_state_is_a_plausible_past_of_the_sample(past):
    final = {r["invoice_no"]: r for r in default_dataset("faspay")}
    changed = 0
    seen_final: set[str] = set()
    for day in DAYS:  # oldest first
        for row in past.faspay(day):
            number, status = row["invoice_no"], row["invoice_status"]
            sample = final[number]
            if row is sample:
                seen_final.add(number)
                continue
            assert number not in seen_final, f"{number} went back from its sample state"
            changed += 1
            assert sample["invoice_status"] in ("Paid", "Partial Paid", "Cancelled", "Overdue"), row
            assert status in OPEN and _int(row["outstanding_amount"]) > 0, row
            overdue = day > day_of(row["due_date"])
            assert status == "Partial Paid" or (status == "Overdue") == overdue, (day, row)
            if sample["invoice_status"] == "Partial Paid":
                assert _int(row["outstanding_amount"]) > _int(sample["outstanding_amount"])
            assert {k: v for k, v in row.items() if k not in ("invoice_status", "outstanding_amount")} == \
                {k: v for k, v in sample.items() if k not in ("invoice_status", "outstanding_amount")}
    assert changed > 1000


def test_every_mayar_state_is_a_plausible_past_of_the_sample(past):
    final = {r["id"]: r for r in default_dataset("mayar")}
    changed = 0
    for day in DAYS:
        for row in past.mayar(day):
            sample = final[row["id"]]
            if row is not sample:
                changed += 1
                assert row["status"] == "active" and sample["status"] in ("paid", "closed")
                assert [t for t in row["transactions"] if t["status"] == "paid"] == []
                assert row["transactions"] == sample["transactions"][:len(row["transactions"])]
    assert changed > 300


def test_the_past_is_seeded(past):
    day = AS_OF - dt.timedelta(days=60)
    assert Past().faspay(day) == past.faspay(day) and Past().mayar(day) == past.mayar(day)
    assert Past(seed=2).faspay(day) != past.faspay(day)


def test_payment_days_follow_the_customers_habits():
    """Early payers' drawn payment days fall before their due dates, chronic late payers' well after them."""
    rng = random.Random(4)
    early, late = Habit("early", -6.0, 2.0, False), Habit("late", 30.0, 6.0, False)
    after = {h.kind: [paid_day(h, 0, 300, 30, -30, 0.025, rng) - 30 for _ in range(300)] for h in (early, late)}
    assert statistics.median(after["early"]) < 0 < 20 < statistics.median(after["late"])
    month_ender = Habit("month_end", 5.0, 4.0, False)
    start = (dt.date(2026, 1, 1) - dt.date(1970, 1, 1)).days
    days = [paid_day(month_ender, start, start + 120, start + 30, -30, 0.025, rng) for _ in range(200)]
    assert all(month_end(d) for d in days)


def test_sample_payments_of_early_payers_come_before_late_payers(past):
    """Over the sample data, the days from due to the drawn payment differ by the customer's habit."""
    rows = {r["invoice_no"]: r for r in past.faspay(AS_OF)}
    first_paid: dict[str, dt.date] = {}
    for day in (AS_OF - dt.timedelta(days=d) for d in range(182, -1, -1)):
        for row in past.faspay(day):
            if row["invoice_status"] == "Paid" and row["invoice_no"] not in first_paid:
                first_paid[row["invoice_no"]] = day
    by_kind: dict[str, list[int]] = {}
    start = AS_OF - dt.timedelta(days=182)
    for number, day in first_paid.items():
        row = rows[number]
        if day > start:  # paid within the window (not before it)
            kind = habit_of("faspay", f"{row['customer_id']}:{row['customer_name']}").kind
            by_kind.setdefault(kind, []).append((day - day_of(row["due_date"])).days)
    assert statistics.median(by_kind["early"]) < statistics.median(by_kind["late"])


def test_an_emulator_serves_a_past_day_over_http(past):
    day = AS_OF - dt.timedelta(days=30)
    with Emulator(mayar_rate_limit_per_minute=None) as emu:
        past.serve(emu, day)
        faspay = load_faspay(**emu.faspay_kwargs, progress=False)
        mayar = load_mayar(**emu.mayar_kwargs, rate_limit_per_minute=None, progress=False)
    assert len(faspay) == len(past.faspay(day)) and len(mayar) == len(past.mayar(day))
    assert faspay["issued_at"].max().date() <= day and mayar["issued_at"].max().date() <= day


def test_the_day_drawn_and_the_month_end_rule():
    """(Were doctests of emulator._habits.)"""
    import numpy as np

    from invoice_analytics.emulator._habits import KINDS, _month_ends, draw_day

    assert draw_day(np.array([0.0, 1.0, 0.5]), random.Random(1)) == 1  # certain on day 1: never later
    assert {draw_day(np.zeros(3), random.Random(n)) for n in range(40)} == {0, 1, 2}  # no chance: uniform
    assert month_end(20483) and not month_end(20480)  # 2026-01-30, 2026-01-27
    days = np.arange(20400, 20800)
    assert _month_ends(days).tolist() == [month_end(int(d)) for d in days]
    assert habit_of("faspay", "101:PT Maju") == habit_of("faspay", "101:PT Maju")
    assert habit_of("faspay", "101:PT Maju").kind in KINDS


def test_the_past_ends_in_the_samples_and_holds_fewer_before() -> None:  # docsc (issue 18): was the module's doctest
    from invoice_analytics.emulator._past import Past
    from invoice_analytics.emulator._records import default_dataset

    past = Past(seed=1)
    faspay, mayar = past.faspay("2026-11-21"), past.mayar("2026-11-21 23:00")
    assert faspay == list(default_dataset("faspay")) and mayar == list(default_dataset("mayar"))
    assert len(past.faspay("2026-06-01")) < len(faspay)
