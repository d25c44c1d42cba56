"""The incremental refresh: exact against a full load, cheap, and falling back to full when it must."""

from __future__ import annotations

import functools
import math
import random
import re
import warnings

import pytest

import invoice_analytics as ia
from invoice_analytics.history import InvoiceStore, RefreshFallbackWarning
from invoice_analytics.history import _transport as transport_module
from invoice_analytics.providers import mayar as mayar_module
from invoice_analytics.providers._pacing import MinuteRateLimiter
from tests.support.clock import FakeClock
from tests.support.stores import (
    apply,
    assert_same,
    at,
    during,
    expected,
    fresh_load,
    new_faspay,
    options,
    random_changes,
    row_hashes,
    small_emulator,
)


def refreshed(emu, tmp_path, **kw):
    store = InvoiceStore(tmp_path)
    store.refresh(**options(emu), observed_at=at(0), **kw)
    return store


def sent(emu, since: int, provider: str | None = None) -> int:
    return sum(1 for r in list(emu.requests)[since:] if provider in (None, r.provider) and r.status_code == 200)


@pytest.mark.parametrize("cursor", ["strict", "inclusive"])
def test_new_invoices_sharing_the_newest_millisecond_are_found(tmp_path, cursor):
    with small_emulator(0, 120, mayar_cursor=cursor) as emu:
        store = refreshed(emu, tmp_path)
        newest = max(int(r["createdAt"]) for r in emu.mayar.invoices)
        template = dict(emu.mayar.invoices[0])
        for i in range(3):  # created in the newest known millisecond, after the last refresh
            emu.add_mayar_invoice({**template, "id": f"tie-{i}", "createdAt": newest, "status": "paid"})
        for i in range(60):  # and more than a page newer than it, so the tie sits on the second page
            emu.add_mayar_invoice({**template, "id": f"later-{i}", "createdAt": newest + 1 + i // 3})
        result = store.refresh(**options(emu), observed_at=at(1))
        assert result["mayar"].mode == "incremental" and result["mayar"].new == 63
        assert_same(store.current(), fresh_load(emu))


def test_faspay_invoices_created_already_paid_are_counted_in(tmp_path):
    with small_emulator(60, 0) as emu:
        store = refreshed(emu, tmp_path)
        apply(emu, (6, 1, 1))  # a new Cancelled invoice of this month: on page 1 of Cancelled
        result = store.refresh(**options(emu), observed_at=at(1))
        assert result["faspay"].mode == "incremental" and result["faspay"].new == 1
        new_faspay(emu, 2, 0, "Paid", old=True)  # a new Paid invoice of March 2025: the count check misses it
        with pytest.warns(RefreshFallbackWarning, match="created already paid or cancelled"):
            result = store.refresh(**options(emu), observed_at=at(2))
        assert result["faspay"].mode == "full" and result["faspay"].new == 1
        assert_same(store.current(), fresh_load(emu))


def test_moves_back_to_open_are_seen(tmp_path):
    with small_emulator() as emu:
        store = refreshed(emu, tmp_path)
        apply(emu, (3, 0, 0))  # a Faspay payment reversed: Paid back to Unpaid
        apply(emu, (10, 0, 0))  # a Mayar invoice paid or closed, active again
        result = store.refresh(**options(emu), observed_at=at(1))
        assert result.mode == "incremental" and result.changed == 2
        assert_same(store.current(), fresh_load(emu))


def test_an_unknown_older_invoice_is_a_fallback(tmp_path):
    with small_emulator(0, 120) as emu:
        store = refreshed(emu, tmp_path)
        oldest = min(int(r["createdAt"]) for r in emu.mayar.invoices)
        emu.add_mayar_invoice({**emu.mayar.invoices[5], "id": "backdated", "createdAt": oldest + 5, "status": "active"})
        with pytest.warns(RefreshFallbackWarning, match="older than the newest known"):
            result = store.refresh(**options(emu), observed_at=at(1))
        assert result["mayar"].mode == "full" and result["mayar"].new == 1
        assert_same(store.current(), fresh_load(emu))


def test_many_changes_switch_to_a_full_listing(tmp_path):
    with small_emulator(200, 150) as emu:
        for row in emu.faspay.invoices[::2]:
            emu.update_faspay_invoice(row["invoice_no"], invoice_status="Unpaid", outstanding_amount=1000)
        store = refreshed(emu, tmp_path)
        for row in emu.faspay.invoices[::2]:  # 100 payments: looking each up costs more than listing Paid
            emu.update_faspay_invoice(row["invoice_no"], invoice_status="Paid", outstanding_amount=0)
        random_changes(emu, 0.3, random.Random(3))  # Mayar: 23 of 150 leave the active list
        with warnings.catch_warnings():
            warnings.simplefilter("error", RefreshFallbackWarning)  # cheaper, not a failed assumption
            result = store.refresh(**options(emu), observed_at=at(1))
        assert result.mode == "full", result
        assert all("would cost more requests than" in p.note for p in result), result
        assert result["faspay"].requests <= result["faspay"].full_requests + 5
        assert_same(store.current(), fresh_load(emu))


def test_changes_during_a_refresh_are_neither_lost_nor_invented(tmp_path):
    with small_emulator() as emu:
        store = refreshed(emu, tmp_path)
        snapshots = [expected(emu)]
        plan = {("faspay", 2): (0, 4, 0), ("faspay", 6): (5, 0, 1), ("faspay", 9): (3, 1, 0),
                ("mayar", 1): (12, 0, 0), ("mayar", 2): (8, 2, 0), ("mayar", 3): (9, 3, 0)}
        emu.on_request = during(emu, plan, snapshots)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            store.refresh(**options(emu), observed_at=at(1))
        emu.on_request = None
        assert len(snapshots) == 7
        allowed = [row_hashes(s) for s in snapshots]
        got = row_hashes(store.current())
        for key, value in got.items():
            assert any(s.get(key) == value for s in allowed), key
        for key in set().union(*allowed) - set(got):
            assert any(key not in s for s in allowed), key
        store.refresh(**options(emu), observed_at=at(2))
        assert_same(store.current(), fresh_load(emu))


def test_a_refresh_costs_the_open_and_new_pages_not_the_account(tmp_path):
    """The sample accounts (6,000 + 2,500 invoices), 1 % of each changed: requests against a full load's."""
    with ia.Emulator(mayar_rate_limit_per_minute=None) as emu:
        kw = {"faspay": emu.faspay_kwargs, "mayar": {**emu.mayar_kwargs, "rate_limit_per_minute": None},
              "progress": False}
        store = InvoiceStore(tmp_path)
        store.refresh(**kw, observed_at=at(0))
        mark = len(emu.requests)
        quiet = store.refresh(**kw, observed_at=at(1))
        assert quiet.changed == quiet.new == quiet.gone == 0 and quiet.mode == "incremental"
        assert quiet.requests == sent(emu, mark)
        changed = random_changes(emu, 0.01, random.Random(11))
        assert changed == {"faspay": 60, "mayar": 26}  # 1 % of 6,000 and of 2,500
        mark = len(emu.requests)
        result = store.refresh(**kw, observed_at=at(2))
        assert result.mode == "incremental", result
        for provider in ("faspay", "mayar"):
            assert result[provider].requests == sent(emu, mark, provider)
        mark = len(emu.requests)
        assert_same(store.current(), fresh_load(emu))
        for provider in ("faspay", "mayar"):
            full = sent(emu, mark, provider)
            part = result[provider]
            print(f"{provider}: {part.requests} requests incremental, {full} full (estimated {part.full_requests}); "
                  f"nothing changed: {quiet[provider].requests}")
            assert abs(part.full_requests - full) <= 0.03 * full
            assert part.requests <= 0.55 * full
            assert quiet[provider].requests <= 0.3 * full


def _mayar_jumps(emu, since: int) -> dict[str | None, int]:
    """The cursor jumps a refresh made into each Mayar list since request ``since`` (None: unfiltered)."""
    asked = [r.params for r in list(emu.requests)[since:] if r.provider == "mayar"]
    return {status: sum(1 for p in asked if p.get("status") == status and "startingAfter" in p)
            for status in ("paid", "closed", None)}


@pytest.mark.parametrize("cursor", ["strict", "inclusive"])
@pytest.mark.filterwarnings("ignore::invoice_analytics.errors.UnknownStatusWarning")
def test_invoices_that_left_the_active_list_are_found_in_paid_then_closed_then_anywhere(tmp_path, cursor):
    """Mayar: paid ones by jumps into the paid list (a tie straddling its pages included), closed ones into the
    closed list, one of an unknown status into the unfiltered list; the store then equals a fresh load."""
    with small_emulator(0, 300, mayar_cursor=cursor) as emu:
        active = sorted((r for r in emu.mayar.invoices if r["status"] == "active"), key=lambda r: -int(r["createdAt"]))
        tied = active[len(active) // 2]
        ms = int(tied["createdAt"])
        assert tied["id"] > "000-tie-99" and not any(ms < int(r["createdAt"]) <= ms + 1000 for r in emu.mayar.invoices)
        # above it in the paid list: one to be paid (ms + 1000), 40 paid, then 20 paid sharing its millisecond and
        # listed before it: the jump's first page ends inside the tie, and it is on the next page
        jumper = {**tied, "id": "jumper", "createdAt": ms + 1000, "link": "jumper"}
        emu.add_mayar_invoice(jumper)
        for k in range(40):
            emu.add_mayar_invoice({**tied, "id": f"filler-{k}", "createdAt": ms + 1 + k, "status": "paid",
                                   "link": f"filler{k}"})
        for k in range(20):
            emu.add_mayar_invoice({**tied, "id": f"000-tie-{k:02d}", "status": "paid", "link": f"tie{k}"})
        # older than all: 10 invoices to be paid, 45 active ones after each: a page of the unfiltered list per
        # paid one, one page of the paid list for all (so the paid and closed lists are the cheaper way)
        oldest = min(int(r["createdAt"]) for r in emu.mayar.invoices)
        sparse = []
        for k in range(10):
            for j in range(46):
                row = {**tied, "id": f"old-{k}-{j}", "createdAt": oldest - 1_000_000 * (k + 1) - 1000 * j,
                       "link": f"old{k}x{j}", "status": "active"}
                emu.add_mayar_invoice(row)
                sparse += [row] if j == 0 else []
        store = refreshed(emu, tmp_path)
        closed, odd = active[-1], active[-4]  # old ones: not on the unfiltered list's first page
        for r in (jumper, tied, *sparse):
            payment = {"id": "t", "status": "paid", "extraData": None}
            emu.update_mayar_invoice(r["id"], status="paid", transactions=[*r["transactions"], payment])
        emu.update_mayar_invoice(closed["id"], status="closed")
        emu.update_mayar_invoice(odd["id"], status="refunded")  # a status the documentation does not list
        mark = len(emu.requests)
        with warnings.catch_warnings():
            warnings.simplefilter("error", RefreshFallbackWarning)
            result = store.refresh(**options(emu), observed_at=at(1))["mayar"]
        assert result.mode == "incremental", result
        assert_same(store.current(), expected(emu))
        jumps = _mayar_jumps(emu, mark)
        # jumper and the tie (2 pages), the 10 sparse ones (1 page, where the unfiltered list takes 10), closed and
        # odd (absent, settled by those pages or their own)
        assert 3 <= jumps["paid"] <= 5 and 1 <= jumps["closed"] <= 2 and jumps[None] == 1  # odd's, whatever status
        asked = [r.params for r in list(emu.requests)[mark:] if r.provider == "mayar"]
        # the jump's second page re-reads the tie's millisecond (the loader's cursor rule)
        assert any(p.get("status") == "paid" and p.get("startingAfter") in (str(ms), str(ms + 1)) for p in asked)
        assert any(p.get("startingAfter") == str(int(odd["createdAt"]) + 1) and "status" not in p for p in asked)
        current = store.current().set_index("invoice_id")
        assert current.loc[odd["id"], "provider_status"] == "refunded"
        assert (current.loc[[tied["id"], *(r["id"] for r in sparse)], "provider_status"] == "paid").all()


def test_invoices_that_left_the_active_list_far_apart_are_found_in_the_unfiltered_list(tmp_path):
    """When the paid and closed lists would not cost fewer jumps, only the unfiltered list is jumped into."""
    with small_emulator(0, 300) as emu:
        store = refreshed(emu, tmp_path)
        active = sorted((r for r in emu.mayar.invoices if r["status"] == "active"), key=lambda r: -int(r["createdAt"]))
        emu.update_mayar_invoice(active[-1]["id"], status="paid")
        emu.update_mayar_invoice(active[len(active) // 2]["id"], status="closed")
        mark = len(emu.requests)
        result = store.refresh(**options(emu), observed_at=at(1))["mayar"]
        assert result.mode == "incremental"
        assert_same(store.current(), expected(emu))
        assert _mayar_jumps(emu, mark) == {"paid": 0, "closed": 0, None: 2}


@pytest.mark.parametrize("cursor", ["strict", "inclusive"])
def test_the_active_list_is_read_below_the_new_invoices_only(tmp_path, cursor):
    """New active invoices are on the first pages: the active list is read from the newest known one down."""
    with small_emulator(0, 300, mayar_cursor=cursor) as emu:
        store = refreshed(emu, tmp_path)
        newest = max(int(r["createdAt"]) for r in emu.mayar.invoices)
        template = next(r for r in emu.mayar.invoices if r["status"] == "active")
        for k in range(120):  # two and a half pages of new invoices, most of them open
            emu.add_mayar_invoice({**template, "id": f"new-{k:03d}", "createdAt": newest + 1 + k // 3,
                                   "status": "paid" if k % 5 == 0 else "active", "link": f"new{k}"})
        mark = len(emu.requests)
        result = store.refresh(**options(emu), observed_at=at(1))["mayar"]
        assert result.mode == "incremental"
        assert_same(store.current(), expected(emu))
        active = [r.params for r in list(emu.requests)[mark:] if r.params.get("status") == "active"]
        assert active[0]["startingAfter"] == str(newest + 1)
        open_known = sum(1 for r in emu.mayar.invoices if r["status"] == "active" and int(r["createdAt"]) <= newest)
        assert len(active) == math.ceil((open_known + 1) / 50)  # (the loader's cursor re-reads a boundary row)


def _bar_lines(err: str, provider: str) -> list[str]:
    """The states a tqdm bar went through (its redraws), in order."""
    return [part.strip() for part in re.split(r"[\r\n]", err) if part.strip().startswith(f"{provider}:")]


def test_refresh_progress_says_it_waits_for_the_rate_limit_and_ends_on_the_invoices(monkeypatch, capsys,
                                                                                     tmp_path):
    """Through store.refresh (full, then incremental): while Mayar's pacing holds a request back the bar
    says so and for how long; its last count is the invoices of the account, its pages the requests."""
    clock = FakeClock(now=1000.0)
    monkeypatch.setattr(transport_module, "MinuteRateLimiter",
                        functools.partial(MinuteRateLimiter, clock=clock, sleep=clock.sleep))
    with small_emulator(0, 230) as emu:
        mayar = {**emu.mayar_kwargs, "rate_limit_per_minute": 2, "max_retries": 1, "backoff_factor": 0}
        store = InvoiceStore(tmp_path)
        for i in range(2):
            if i:
                active = next(r for r in emu.mayar.invoices if r["status"] == "active")
                emu.update_mayar_invoice(active["id"], status="paid")
                newest = max(int(r["createdAt"]) for r in emu.mayar.invoices)
                emu.add_mayar_invoice({**emu.mayar.invoices[0], "id": "new-one", "createdAt": newest + 1})
            capsys.readouterr()
            clock.pauses.clear()
            result = store.refresh(mayar=mayar, progress=True, observed_at=at(i))["mayar"]
            lines = _bar_lines(capsys.readouterr().err, "mayar")
            assert result.mode == ("full", "incremental")[i] and result.requests >= 3
            # 2 requests a minute on a clock that stands still between them: every odd request after the first
            # waits a whole minute, and the bar said so before each wait
            assert clock.pauses == [60.0] * ((result.requests - 1) // 2)
            assert sum("waiting 60 s for the rate limit" in line for line in lines) == len(clock.pauses)
            last = lines[-1]
            assert re.search(rf"\b{result.requests}page\b", last)
            invoices = int(re.search(r"(\d+) invoices\]", last).group(1))
            assert invoices == len(store.current()) == len(emu.mayar.invoices)


def test_load_mayar_progress_ends_on_the_invoices_loaded(monkeypatch, capsys):
    clock = FakeClock(now=1000.0)
    monkeypatch.setattr(mayar_module, "MinuteRateLimiter",
                        functools.partial(MinuteRateLimiter, clock=clock, sleep=clock.sleep))
    with small_emulator(0, 230) as emu:
        df = ia.load_mayar(**emu.mayar_kwargs, rate_limit_per_minute=2, progress=True, backoff_factor=0)
    lines = _bar_lines(capsys.readouterr().err, "mayar")
    assert clock.pauses and sum("waiting 60 s for the rate limit" in line for line in lines) == len(clock.pauses)
    assert int(re.search(r"(\d+) invoices\]", lines[-1]).group(1)) == len(df) == 230
