"""History refresh benchmark: an incremental refresh of a 60,000-invoice account against a full load.

    python benchmarks/bench_refresh.py [--invoices 60000] [--changed 0.01] [--scenario all] [--provider all]

For each provider and each scenario of payment behaviour (``SCENARIOS``: the
simulation's default rates, and slower payers), the embedded emulator
simulates two years of business (``emulator._clock.simulate``: 400 customers
billed unevenly, invoices issued every day, paid, part paid, cancelled,
turning overdue, at the rates of ``emulator._clock.Rates``) until the account
holds about ``--invoices`` invoices. Its open invoices are then what such a business has open: most of
the last month or two, plus a tail of old overdue ones and forgotten drafts.

A store refreshes once (a full load), the simulation goes on day by day until
``--changed`` of the invoices are new or changed (whole days, so somewhat
more; the simulation's own mix of new invoices, payments, part payments,
cancellations and dunning, printed),
and the store refreshes again (incremental). A second, empty store then
refreshes from the same state: a full load, whose requests are counted, not
estimated, and whose frame the incremental refresh's ``store.current()`` must
equal (asserted: the benchmark cannot print a cheap but wrong figure). Where
the incremental refresh's requests went is read from the emulator's log.

The emulator runs without Mayar's rate limit (and the refresh without pacing)
so the benchmark takes minutes, not hours; the minutes printed are the
requests at Mayar's 20 requests a minute (Faspay documents no limit: its
minutes are what the same pacing would cost).
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import datetime as dt
import math
import tempfile
import time
from typing import Any

import pandas as pd

from invoice_analytics.emulator import Emulator
from invoice_analytics.emulator._clock import Rates, simulate
from invoice_analytics.history import InvoiceStore
from invoice_analytics.providers.faspay import DEFAULT_START

START = dt.date(2024, 11, 4)  # a Monday
DAYS = 728  # 104 weeks: the account's history before the first refresh
CUSTOMERS = 400
SEED = 20261122
PER_MINUTE = 20  # Mayar's documented rate limit

#: Payment behaviour: the simulation's defaults (fitted to the sample data), and slower payers.
SCENARIOS = {
    "typical": Rates(),
    "slow payers": Rates(pay_before_due=0.012, pay_past_due=0.008, pay_long_past_due=0.002, mayar_pay=0.008),
}

_FINAL = {"faspay": ("Paid", "Cancelled"), "mayar": ("paid", "closed")}
_KEY = {"faspay": "invoice_no", "mayar": "id"}
_STATUS = {"faspay": "invoice_status", "mayar": "status"}


def account(provider: str, rates: Rates, invoices: int, seed: int) -> tuple[Emulator, Rates]:
    """An emulator holding one provider's simulated account of about ``invoices`` invoices."""
    weekly = invoices / (DAYS / 7)
    per_weekday = weekly / (5 + 2 * rates.weekend_factor)
    rates = dataclasses.replace(rates, faspay_per_weekday=per_weekday if provider == "faspay" else 0.0,
                                mayar_per_weekday=per_weekday if provider == "mayar" else 0.0)
    emu = Emulator([], [], mayar_rate_limit_per_minute=None)
    simulate(emu, START, DAYS, seed=seed, rates=rates, customers=CUSTOMERS)
    return emu, rates


def rows_of(emu: Emulator, provider: str) -> list[dict[str, Any]]:
    with emu._lock:
        return list(emu.faspay.invoices if provider == "faspay" else emu.mayar.invoices)


def open_share(rows: list[dict[str, Any]], provider: str, today: dt.date) -> tuple[float, float]:
    """The share of open invoices, and the share of those issued in the last 60 days."""
    status, final = _STATUS[provider], _FINAL[provider]
    open_rows = [r for r in rows if r.get(status) not in final]
    recent = today - dt.timedelta(days=60)
    if provider == "faspay":
        young = sum(1 for r in open_rows if dt.date.fromisoformat(str(r["invoice_date"])[:10]) > recent)
    else:
        edge = dt.datetime.combine(recent, dt.time(), tzinfo=dt.timezone(dt.timedelta(hours=7))).timestamp() * 1000
        young = sum(1 for r in open_rows if int(r["createdAt"]) >= edge)
    return len(open_rows) / len(rows), young / max(len(open_rows), 1)


def change(emu: Emulator, provider: str, rates: Rates, share: float, first_day: dt.date,
           seed: int) -> tuple[dt.date, collections.Counter[str], int]:
    """Simulated days from ``first_day`` until ``share`` of the invoices are new or changed; the last day,
    the changes by kind and how many invoices changed."""
    before = rows_of(emu, provider)  # kept alive: the identities below stay valid
    same = {id(r) for r in before}
    by_key = {str(r[_KEY[provider]]): r for r in before}
    target = math.ceil(share * len(before))
    day = first_day
    while True:
        simulate(emu, day, 1, seed=seed + (day - first_day).days + 1, rates=rates)
        changed = [r for r in rows_of(emu, provider) if id(r) not in same]
        if len(changed) >= target:
            break
        day += dt.timedelta(days=1)
    kinds: collections.Counter[str] = collections.Counter()
    status = _STATUS[provider]
    for r in changed:
        old = by_key.get(str(r[_KEY[provider]]))
        if old is None:
            kinds["new"] += 1
        else:
            kinds[f"{old[status]} -> {r[status]}"] += 1
    return day, kinds, len(changed)


def breakdown(provider: str, log: list[dict[str, Any]], newest_ms: int) -> collections.Counter[str]:
    """Where an incremental refresh's requests went, from the emulator's log of them."""
    steps: collections.Counter[str] = collections.Counter()
    for params in log:
        if provider == "mayar":
            after = int(params.get("startingAfter") or 0)
            steps["active list" if params.get("status") == "active" else
                  "new invoices (list top)" if not after or after > newest_ms + 1 else
                  "resolution (cursor jumps)" if not params.get("status") else f"{params['status']} list"] += 1
            continue
        status, whole = int(params["status"]), str(params.get("start_period")) == str(DEFAULT_START)
        if status not in (2, 3):
            steps["open lists (0, 1, 4, 5, 7)"] += 1
        elif params.get("customer_id"):
            steps["resolution by customer"] += 1
        elif whole:
            steps["totals (page 1 of Paid, Cancelled)"] += 1
        elif str(params.get("end_period")) > f"{dt.date.today() + dt.timedelta(days=1)}":
            steps["count check (recent months)"] += 1
        else:
            steps["resolution by month"] += 1
    return steps


def options(emu: Emulator, provider: str) -> dict[str, Any]:
    if provider == "faspay":
        return {"faspay": emu.faspay_kwargs}
    return {"mayar": {**emu.mayar_kwargs, "rate_limit_per_minute": None}}


def ordered(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(["provider", "invoice_id"], kind="stable").reset_index(drop=True)


def run(provider: str, scenario: str, invoices: int, share: float) -> dict[str, Any]:
    started = time.perf_counter()
    emu, rates = account(provider, SCENARIOS[scenario], invoices, SEED)
    last_day = START + dt.timedelta(days=DAYS - 1)
    rows = rows_of(emu, provider)
    size, (open_now, young) = len(rows), open_share(rows, provider, last_day)
    built = time.perf_counter() - started
    with emu, tempfile.TemporaryDirectory() as here, tempfile.TemporaryDirectory() as there:
        store = InvoiceStore(here)
        first = store.refresh(**options(emu, provider), progress=False, observed_at=f"{last_day} 23:00")[provider]
        newest_ms = max((int(r["createdAt"]) for r in rows), default=0) if provider == "mayar" else 0
        day, kinds, changed = change(emu, provider, rates, share, last_day + dt.timedelta(days=1), SEED)
        logged = len(emu.requests)
        t0 = time.perf_counter()
        second = store.refresh(**options(emu, provider), progress=False, observed_at=f"{day} 23:00")[provider]
        incremental_s = time.perf_counter() - t0
        steps = breakdown(provider, [r.params for r in list(emu.requests)[logged:]], newest_ms)
        t0 = time.perf_counter()
        fresh_store = InvoiceStore(there)
        fresh = fresh_store.refresh(**options(emu, provider), progress=False, observed_at=f"{day} 23:00")[provider]
        full_s = time.perf_counter() - t0
        got, want = store.current(), fresh_store.current()
        pd.testing.assert_frame_equal(ordered(got), ordered(want))  # the incremental refresh is a full load
    return {
        "provider": provider, "scenario": scenario, "invoices": size, "open": open_now, "young": young,
        "days": (day - last_day).days, "changed": changed, "kinds": kinds, "first": first.requests,
        "mode": second.mode, "note": second.note, "requests": second.requests, "estimate": second.full_requests,
        "full": fresh.requests, "steps": steps, "incremental_s": incremental_s, "full_s": full_s, "after": len(want),
        "built_s": built, "total_s": time.perf_counter() - started,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--invoices", type=int, default=60_000, help="invoices per account (about)")
    parser.add_argument("--changed", type=float, default=0.01, help="share of invoices new or changed")
    parser.add_argument("--scenario", choices=[*SCENARIOS, "all"], default="all")
    parser.add_argument("--provider", choices=["faspay", "mayar", "all"], default="all")
    args = parser.parse_args()
    scenarios = list(SCENARIOS) if args.scenario == "all" else [args.scenario]
    providers = ["faspay", "mayar"] if args.provider == "all" else [args.provider]
    print(f"Accounts of about {args.invoices:,} invoices ({CUSTOMERS} customers, {DAYS} simulated days), "
          f"{args.changed:.0%} new or changed between two refreshes; minutes at {PER_MINUTE} requests/minute "
          f"(Mayar's limit; the emulator ran unpaced).\n")
    results = []
    for scenario in scenarios:
        for provider in providers:
            r = run(provider, scenario, args.invoices, args.changed)
            results.append(r)
            mix = ", ".join(f"{k} {v}" for k, v in sorted(r["kinds"].items(), key=lambda kv: -kv[1]))
            print(f"{scenario} / {provider}: {r['invoices']:,} invoices, {r['open']:.1%} open "
                  f"({r['young']:.0%} of them issued in the last 60 days); first refresh (full) "
                  f"{r['first']} requests")
            print(f"  changes over {r['days']} simulated day(s): {r['changed']} invoices "
                  f"({r['changed'] / r['invoices']:.2%}): {mix}")
            print(f"  second refresh: {r['mode']}{' (' + r['note'] + ')' if r['note'] else ''}, "
                  f"{r['requests']} requests ({r['incremental_s']:.1f} s here) against a full load's "
                  f"{r['full']} ({r['full_s']:.1f} s here; the refresh estimated {r['estimate']}); "
                  f"store.current() == a fresh full load of {r['after']:,}: checked "
                  f"[{r['total_s']:.0f} s in all]")
            print("  its requests: " + ", ".join(f"{k} {v}" for k, v in r["steps"].most_common()) + "\n", flush=True)
    print("| scenario | provider | invoices | open | changed | incremental | full | ratio "
          f"| minutes at {PER_MINUTE}/min (incremental / full) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['scenario']} | {r['provider']} | {r['invoices']:,} | {r['open']:.1%} "
              f"| {r['changed'] / r['invoices']:.2%} | {r['requests']} | {r['full']} "
              f"| {r['requests'] / r['full']:.3f} | {r['requests'] / PER_MINUTE:.1f} / {r['full'] / PER_MINUTE:.1f} |")
    met = all(r["requests"] * 10 <= r["full"] for r in results)
    ratios = ", ".join(f"{r['scenario']}/{r['provider']} {r['requests'] / r['full']:.3f}" for r in results)
    print(f"\nGoal (incremental at most a tenth of a full load's requests): {'met' if met else 'NOT met'} ({ratios})")


if __name__ == "__main__":
    main()
