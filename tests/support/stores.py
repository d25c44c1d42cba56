"""Helpers of the history store tests: small emulated accounts, their expected frames, changes to them."""

from __future__ import annotations

import itertools
import random
import weakref
from collections.abc import Callable
from typing import Any

import pandas as pd

import invoice_analytics as ia
from invoice_analytics.emulator import Emulator
from invoice_analytics.emulator._samples import generate_faspay, generate_mayar
from invoice_analytics.providers.faspay import faspay_frame
from invoice_analytics.providers.mayar import mayar_frame

T0 = pd.Timestamp("2026-11-22 09:00", tz="Asia/Jakarta")
FASPAY_OPEN = ("Unpaid", "Overdue", "Partial Paid", "Draft", "Proforma")


def small_emulator(faspay_n: int = 60, mayar_n: int = 150, *, seed: int = 7, page_size: int = 10,
                   **kw: Any) -> Emulator:
    """An account of ``faspay_n`` and ``mayar_n`` sample invoices (Mayar's with ties across its pages)."""
    kw.setdefault("mayar_rate_limit_per_minute", None)
    return Emulator(generate_faspay(faspay_n, seed) if faspay_n else [],
                    generate_mayar(mayar_n, seed) if mayar_n else [], faspay_page_size=page_size, **kw)


def options(emu: Emulator, **extra: Any) -> dict[str, Any]:
    """``refresh`` keyword arguments for this emulator (both providers, no pacing, no retry waits)."""
    fast = {"max_retries": 1, "backoff_factor": 0, **extra}
    return {"faspay": {**emu.faspay_kwargs, **fast},
            "mayar": {**emu.mayar_kwargs, "rate_limit_per_minute": None, **fast},
            "progress": False}


def at(i: int) -> pd.Timestamp:
    """The i-th refresh time of a test."""
    return T0 + pd.Timedelta(hours=i)


def fresh_load(emu: Emulator) -> pd.DataFrame:
    """A fresh full load of both providers over HTTP."""
    return ia.combine(ia.load_faspay(**emu.faspay_kwargs, progress=False),
                      ia.load_mayar(**emu.mayar_kwargs, rate_limit_per_minute=None, progress=False))


def expected(emu: Emulator) -> pd.DataFrame:
    """What a full load would give now, built from the emulator's data without HTTP."""
    with emu._lock:
        faspay, mayar = [dict(r) for r in emu.faspay.invoices], [dict(r) for r in emu.mayar.invoices]
    return ia.combine(faspay_frame(faspay), mayar_frame(sorted(mayar, key=lambda r: -int(r["createdAt"]))))


def ordered(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(["provider", "invoice_id"], kind="stable").reset_index(drop=True)


def assert_same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(ordered(got), ordered(want))


def row_hashes(frame: pd.DataFrame) -> dict[tuple[str, str], int]:
    """(provider, invoice id) -> a hash of the invoice's values."""
    hashes = pd.util.hash_pandas_object(frame.drop(columns=["provider"]), index=False)
    return dict(zip(zip(frame["provider"].astype(str), frame["invoice_id"].astype(str), strict=True),
                    hashes.tolist(), strict=True))


# -- changes on the provider side --------------------------------------------------------------------

Change = tuple[int, int, int]
_serials: weakref.WeakKeyDictionary[Emulator, itertools.count[int]] = weakref.WeakKeyDictionary()


def _serial(emu: Emulator) -> int:
    """A number for a new invoice, never reused in this account, even after a deletion."""
    return next(_serials.setdefault(emu, itertools.count()))


_reopened: weakref.WeakKeyDictionary[Emulator, set[str]] = weakref.WeakKeyDictionary()  # made open again


def _faspay(emu: Emulator, statuses: tuple[str, ...]) -> list[dict[str, Any]]:
    return sorted((r for r in emu.faspay.invoices if r["invoice_status"] in statuses), key=lambda r: r["invoice_no"])


def _mayar(emu: Emulator, statuses: tuple[str, ...]) -> list[dict[str, Any]]:
    return sorted((r for r in emu.mayar.invoices if r["status"] in statuses), key=lambda r: r["id"])


def _pick(rows: list[dict[str, Any]], n: int) -> dict[str, Any] | None:
    return rows[n % len(rows)] if rows else None


def _settled_before(emu: Emulator, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Leave out invoices made open again after being paid: paying or closing them again would, to a refresh
    that saw them paid, be a paid invoice changing while it stays paid (invisible by design: docs/guide/history.md)."""
    again = _reopened.get(emu, set())
    return [r for r in rows if r.get("invoice_no", r.get("id")) not in again]


def new_faspay(emu: Emulator, n: int, variant: int, status: str, old: bool) -> None:
    """Add a Faspay invoice of this month (or, ``old``, of March 2025)."""
    template = dict(emu.faspay.invoices[n % len(emu.faspay.invoices)])
    day = f"2025-03-0{1 + variant % 9}" if old else f"2026-11-2{variant % 8}"
    template.update(invoice_no=f"INV-NEW-{_serial(emu)}-{n}-{variant}", invoice_status=status,
                    invoice_date=f"{day} 00:00:00", period=day[:4] + day[5:7],
                    outstanding_amount=0 if status in ("Paid", "Cancelled") else 10_000 * (1 + variant % 9))
    emu.add_faspay_invoice(template)


def _new_mayar(emu: Emulator, n: int, variant: int) -> None:
    template = dict(emu.mayar.invoices[n % len(emu.mayar.invoices)])
    newest = max(int(r["createdAt"]) for r in emu.mayar.invoices)
    step = (0, 1, 60_000)[variant % 3]  # 0: shares the newest millisecond (a tie at the boundary)
    template.update(id=f"new-{_serial(emu)}-{n}-{variant}", createdAt=newest + step,
                    status="paid" if variant % 4 == 0 else "active", link=f"new{n}{variant}")
    emu.add_mayar_invoice(template)


def _apply(emu: Emulator, kind: str, n: int, variant: int) -> None:
    if kind == "faspay_pay" and (r := _pick(_settled_before(emu, _faspay(emu, ("Unpaid", "Overdue", "Partial Paid"))),
                                            n)):
        emu.update_faspay_invoice(r["invoice_no"], invoice_status="Paid",
                                  outstanding_amount=-100 * (variant % 3) if variant % 5 == 0 else 0)
    elif kind == "faspay_partial" and (r := _pick(_faspay(emu, ("Unpaid", "Overdue")), n)):
        emu.update_faspay_invoice(r["invoice_no"], invoice_status="Partial Paid", outstanding_amount=1000 + variant)
    elif kind == "faspay_cancel" and (r := _pick(_settled_before(emu, _faspay(emu, FASPAY_OPEN)), n)):
        emu.update_faspay_invoice(r["invoice_no"], invoice_status="Cancelled")
    elif kind == "faspay_reverse" and (r := _pick(_faspay(emu, ("Paid",)), n)):
        emu.update_faspay_invoice(r["invoice_no"], invoice_status="Unpaid", outstanding_amount=5000 + variant)
        _reopened.setdefault(emu, set()).add(r["invoice_no"])
    elif kind == "faspay_overdue" and (r := _pick(_faspay(emu, ("Unpaid", "Draft", "Proforma")), n)):
        emu.set_faspay_status(r["invoice_no"], "Overdue")
    elif kind == "faspay_new":
        new_faspay(emu, n, variant, ("Unpaid", "Draft", "Proforma")[variant % 3], old=False)
    elif kind == "faspay_new_final":  # created already paid or cancelled (this month: on the lists' page 1)
        new_faspay(emu, n, variant, ("Paid", "Cancelled")[variant % 2], old=False)
    elif kind == "faspay_remove" and emu.faspay.invoices:
        emu.remove_faspay_invoice(sorted(r["invoice_no"] for r in emu.faspay.invoices)[n % len(emu.faspay.invoices)])
    elif kind == "mayar_pay" and (r := _pick(_settled_before(emu, _mayar(emu, ("active",))), n)):
        paid = {"id": f"p{n}", "status": "paid", "extraData": None}
        emu.update_mayar_invoice(r["id"], status="paid", transactions=[*r["transactions"], paid])
    elif kind == "mayar_close" and (r := _pick(_settled_before(emu, _mayar(emu, ("active",))), n)):
        emu.update_mayar_invoice(r["id"], status="closed")
    elif kind == "mayar_reopen" and (r := _pick(_mayar(emu, ("paid", "closed")), n)):
        emu.update_mayar_invoice(r["id"], status="active")
        _reopened.setdefault(emu, set()).add(r["id"])
    elif kind == "mayar_edit" and (r := _pick(_mayar(emu, ("active",)), n)):
        emu.update_mayar_invoice(r["id"], amount=int(r["amount"]) + 100 * (1 + variant % 5))
    elif kind == "mayar_new":
        _new_mayar(emu, n, variant)
    elif kind == "mayar_remove_open" and (r := _pick(_settled_before(emu, _mayar(emu, ("active",))), n)):
        emu.remove_mayar_invoice(r["id"])  # not one reopened: to a refresh that saw it paid, a paid one deleted


#: Every provider-side change an incremental refresh must see. Not among them (see docs/guide/history.md): changes
#: to paid or cancelled invoices that stay so; deleted paid or closed Mayar invoices; Faspay invoices
#: created already paid with an old date (the count check sees them, unless a deletion cancels them out).
KINDS = ("faspay_pay", "faspay_partial", "faspay_cancel", "faspay_reverse", "faspay_overdue", "faspay_new",
         "faspay_new_final", "faspay_remove", "mayar_pay", "mayar_close", "mayar_reopen", "mayar_edit",
         "mayar_new", "mayar_remove_open")


def apply(emu: Emulator, change: Change) -> None:
    """Apply one change ``(kind index, pick, variant)`` to the emulated accounts."""
    kind, n, variant = change
    _apply(emu, KINDS[kind % len(KINDS)], n, variant)


def random_changes(emu: Emulator, share: float, rng: random.Random) -> dict[str, int]:
    """Change about ``share`` of each account as a day of business would: payments, partial payments,
    cancellations, new invoices; returns how many of each provider."""
    done = {"faspay": 0, "mayar": 0}
    fopen = _faspay(emu, ("Unpaid", "Overdue", "Partial Paid"))
    for r in rng.sample(fopen, min(len(fopen), round(len(emu.faspay.invoices) * share * 0.7))):
        emu.update_faspay_invoice(r["invoice_no"], invoice_status=rng.choice(["Paid", "Paid", "Partial Paid"]),
                                  outstanding_amount=0)
        done["faspay"] += 1
    for i in range(round(len(emu.faspay.invoices) * share * 0.3)):
        new_faspay(emu, i, rng.randrange(100), "Unpaid", old=False)
        done["faspay"] += 1
    mopen = _mayar(emu, ("active",))
    for r in rng.sample(mopen, min(len(mopen), round(len(emu.mayar.invoices) * share * 0.7))):
        emu.update_mayar_invoice(r["id"], status=rng.choice(["paid", "paid", "closed"]))
        done["mayar"] += 1
    for i in range(round(len(emu.mayar.invoices) * share * 0.3)):
        _new_mayar(emu, i, rng.randrange(100))
        done["mayar"] += 1
    return done


def during(emu: Emulator, plan: dict[tuple[str, int], Change], snapshots: list[pd.DataFrame]) -> Callable[
        [str, int], None]:
    """An ``on_request`` hook applying ``plan[(provider, k)]`` before the k-th request of the next refresh,
    keeping the state after each change in ``snapshots``."""
    base = {p: sum(1 for r in emu.requests if r.provider == p) for p in ("faspay", "mayar")}

    def hook(provider: str, n: int) -> None:
        change = plan.get((provider, n - base[provider]))
        if change is not None:
            apply(emu, change)
            snapshots.append(expected(emu))

    return hook
