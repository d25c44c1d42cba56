"""The emulator's clock: simulated days of invoicing, payments and dunning."""

from __future__ import annotations

import collections
import datetime as dt
import json
import re
import time
import warnings
from typing import Any

import pytest

from invoice_analytics import load_faspay, load_mayar
from invoice_analytics.emulator import Emulator, _samples
from invoice_analytics.emulator._clock import EVENTS, Rates, simulate
from invoice_analytics.providers.faspay import FASPAY_STATUS_LABELS, faspay_signature

START = dt.date(2026, 11, 22)  # the day after the sample data's as-of day
WIB = dt.timezone(dt.timedelta(hours=7))


@pytest.fixture(scope="module")
def small() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    return _samples.generate_faspay(n=400), _samples.generate_mayar(n=200)


def emulator(small: tuple[list[dict[str, Any]], list[dict[str, Any]]]) -> Emulator:
    return Emulator(*small, mayar_rate_limit_per_minute=None)


def day_of(text: str) -> dt.date:
    return dt.date.fromisoformat(text[:10])


def created_day(ms: int) -> dt.date:
    return dt.datetime.fromtimestamp(ms / 1000, WIB).date()


def test_same_seed_same_days(small):
    a, b, c = emulator(small), emulator(small), emulator(small)
    days_a = simulate(a, START, 20, seed=5)
    days_b = simulate(b, START, 20, seed=5)
    simulate(c, START, 20, seed=6)
    assert a.faspay.invoices == b.faspay.invoices and a.mayar.invoices == b.mayar.invoices
    assert days_a == days_b
    assert a.faspay.invoices != c.faspay.invoices


def test_new_invoices_look_like_the_accounts_own(small):
    emu = emulator(small)
    before_f = {r["invoice_no"] for r in emu.faspay.invoices}
    before_m = {r["id"] for r in emu.mayar.invoices}
    days = simulate(emu, START, 14, seed=1)
    new_f = [r for r in emu.faspay.invoices if r["invoice_no"] not in before_f]
    new_m = [r for r in emu.mayar.invoices if r["id"] not in before_m]
    assert len(new_f) == sum(d.counts["faspay_issued"] for d in days) > 0
    assert len(new_m) == sum(d.counts["mayar_issued"] for d in days) > 0
    numbers = [r["invoice_no"] for r in new_f]
    assert len(set(numbers)) == len(numbers)
    for r in new_f:
        issued = day_of(r["invoice_date"])
        assert START <= issued < START + dt.timedelta(days=14)
        assert r["invoice_date"].endswith(" 00:00:00")
        assert (day_of(r["due_date"]) - issued).days in (14, 30)
        assert r["period"] == issued.strftime("%Y%m")
        assert re.fullmatch(rf"INV-(FPY|T8V|MP2)-{issued:%m%y}\d{{5}}", r["invoice_no"])
        assert r["invoice_status"] in FASPAY_STATUS_LABELS.values()
        assert r["customer_name"]
    # numbering continues the account's sequence for the month
    existing = [int(n[-5:]) for n in before_f if n.startswith("INV-FPY-1126")]
    first_new = min(int(n[-5:]) for n in numbers if n.startswith("INV-FPY-1126"))
    assert first_new > max(existing)
    for r in new_m:
        assert START <= created_day(r["createdAt"]) < START + dt.timedelta(days=14)
        assert r["customerId"] == r["customer"]["id"] and r["status"] in ("active", "paid", "closed")
        assert sorted(r) == sorted(emu.mayar.invoices[0])  # the same fields as the sample rows


def test_payments_cancellations_and_dunning_are_consistent(small):
    emu = emulator(small)
    before = {r["invoice_no"]: r for r in emu.faspay.invoices}
    before_m = {r["id"]: r for r in emu.mayar.invoices}
    days = simulate(emu, START, 60, seed=2)
    totals = collections.Counter()
    for d in days:
        totals.update(d.counts)
        assert set(d.counts) == set(EVENTS)
    for event in EVENTS:
        assert totals[event] > 0, event
    last = START + dt.timedelta(days=59)
    for r in emu.faspay.invoices:
        old = before.get(r["invoice_no"])
        status = r["invoice_status"]
        if status == "Paid" and (old is None or old["invoice_status"] != "Paid"):
            assert int(r["outstanding_amount"]) <= 0
        if status == "Partial Paid" and old is not None and old["invoice_status"] != "Partial Paid":
            assert 0 < int(r["outstanding_amount"]) < int(old["outstanding_amount"])
        if status == "Unpaid":  # every unpaid invoice past due on the last day has turned overdue
            assert day_of(r["due_date"]) >= last
    for r in emu.mayar.invoices:
        paid_tx = [t for t in r["transactions"] if t["status"] == "paid"]
        assert (r["status"] == "paid") == bool(paid_tx)
        old = before_m.get(r["id"])
        if old is not None and old["status"] != "active":
            assert r == old  # paid and closed invoices are final


def test_on_day_sees_the_days_changes_through_the_api(small):
    emu = emulator(small)
    seen: list[dt.date] = []

    def on_day(day: dt.date) -> None:
        seen.append(day)
        reply = emu.faspay.reply({"signature": _signature(emu), "page": "1", "status": 1,
                                  "start_period": day.isoformat(), "end_period": day.isoformat()})
        listed = {r["invoice_no"] for r in json.loads(reply.body or b"{}")["data"]}
        raw = {r["invoice_no"] for r in emu.faspay.invoices
               if r["invoice_status"] == "Unpaid" and r["invoice_date"].startswith(day.isoformat())}
        assert listed == raw  # the list cache was cleared after the day's changes

    simulate(emu, START, 5, seed=3, on_day=on_day)
    assert seen == [START + dt.timedelta(days=i) for i in range(5)]


def _signature(emu: Emulator) -> str:
    return faspay_signature(emu.faspay.username, emu.faspay.password)


def test_loaders_read_the_simulated_accounts(small):
    emu = emulator(small)
    simulate(emu, START, 30, seed=4)
    with emu, warnings.catch_warnings():
        warnings.simplefilter("error")
        faspay = load_faspay(**emu.faspay_kwargs, end="2027-12-31", progress=False)
        mayar = load_mayar(**emu.mayar_kwargs, rate_limit_per_minute=None, progress=False)
    assert len(faspay) == len(emu.faspay.invoices) and len(mayar) == len(emu.mayar.invoices)
    assert faspay["status"].notna().all() and mayar["status"].notna().all()
    assert mayar["issued_at"].max().date() >= START + dt.timedelta(days=25)


def test_six_months_of_the_default_dataset_take_seconds():
    emu = Emulator()
    started = time.perf_counter()
    days = simulate(emu, START, 182)
    elapsed = time.perf_counter() - started
    assert len(days) == 182
    assert elapsed < 15, f"182 simulated days took {elapsed:.1f} s"
    # the volumes follow the rates: about 13 Faspay and 5 Mayar invoices a weekday
    weekdays = [d for d in days if d.day.weekday() < 5]
    assert 11 < sum(d.counts["faspay_issued"] for d in weekdays) / len(weekdays) < 15
    assert 4 < sum(d.counts["mayar_issued"] for d in weekdays) / len(weekdays) < 6


def test_empty_accounts_get_customers_of_their_own():
    emu = Emulator([], [])
    simulate(emu, START, 3, seed=9)
    assert emu.faspay.invoices and emu.mayar.invoices
    assert all(r["customer_name"] for r in emu.faspay.invoices)


def test_empty_accounts_given_customers_bill_them_unevenly():
    emu = Emulator([], [])
    simulate(emu, START, 60, seed=9, customers=200, rates=Rates(faspay_per_weekday=60, mayar_per_weekday=60))
    faspay = collections.Counter(r["customer_id"] for r in emu.faspay.invoices)
    mayar = collections.Counter(r["customer"]["id"] for r in emu.mayar.invoices)
    assert 40 < len(faspay) <= 200 and 40 < len(mayar) <= 200  # far more than the default 40 and 30
    for counts in (faspay, mayar):  # a few customers are billed far more often than the typical one
        busiest, typical = counts.most_common(1)[0][1], sorted(counts.values())[len(counts) // 2]
        assert busiest >= 5 * typical
    again = Emulator([], [])
    simulate(again, START, 60, seed=9, customers=200, rates=Rates(faspay_per_weekday=60, mayar_per_weekday=60))
    assert again.faspay.invoices == emu.faspay.invoices and again.mayar.invoices == emu.mayar.invoices


def test_bad_arguments():
    with pytest.raises(ValueError, match="days"):
        simulate(Emulator([], []), START, -1)
    for customers in (0, 2.5, True):
        with pytest.raises(ValueError, match="customers"):
            simulate(Emulator([], []), START, 1, customers=customers)
    with pytest.raises(ValueError, match="start"):
        simulate(Emulator([], []), "soon", 1)
    with pytest.raises(ValueError, match="at most 1"):
        Rates(cancelled=2.0)
    with pytest.raises(ValueError, match="add up"):
        Rates(pay_before_due=0.6, partially_paid=0.5)
    with pytest.raises(ValueError, match="terms"):
        Rates(faspay_terms_days=())
    assert simulate(Emulator([], []), START, 0) == []
