"""The refresh of one provider: its whole list now, incrementally where the APIs allow (private).

The steps and the assumptions they check (a failed check: a full reconciliation with a warning) are in the
guide's "History" page, *How a refresh stays incremental*.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from invoice_analytics._combine import combine
from invoice_analytics._dates import jakarta_today
from invoice_analytics.history._api import FaspayAPI, MayarAPI
from invoice_analytics.history._errors import RefreshFallbackWarning
from invoice_analytics.history._plan import plan_queries
from invoice_analytics.providers.clients import (
    FASPAY_STATUS_CODES,
    MAX_PASSES,
    MAYAR_PAGE_SIZE,
    FaspayPage,
    PageProblem,
    created_ms,
    faspay_frame,
    mayar_frame,
)

__all__ = ["FASPAY_FINAL_CODES", "FASPAY_OPEN_CODES", "Outcome", "refresh_faspay", "refresh_mayar"]

FASPAY_OPEN_CODES = [0, 1, 4, 5, 7]
FASPAY_FINAL_CODES = [2, 3]
_FASPAY_FINAL = ("paid", "cancelled")
_MAYAR_FINAL = ("paid", "closed")


@dataclass
class Outcome:
    """One provider's whole list now, how it was obtained, and what a full load costs."""

    state: pd.DataFrame
    mode: str
    full_requests: int
    note: str = ""


class _NeedFull(Exception):
    """An assumption of the incremental refresh failed; the text says which."""


class _ListAll(Exception):
    """Finishing incrementally would cost more than listing the rest in full; ``open`` is what was read."""

    def __init__(self, why: str, open_frame: pd.DataFrame) -> None:
        super().__init__(why)
        self.open_frame = open_frame


def _overlay(known: pd.DataFrame, observed: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """``known`` with every observed row laid over it, the latest observation of an invoice winning."""
    stacked = combine(known, *observed)
    return stacked.drop_duplicates("invoice_id", keep="last").reset_index(drop=True)


def _fallback(provider: str, reason: str) -> None:
    warnings.warn(f"{provider}: the incremental refresh fell back to a full reconciliation: {reason}",
                  RefreshFallbackWarning, stacklevel=4)


# -- Mayar ---------------------------------------------------------------------------------------


def refresh_mayar(api: MayarAPI, known: pd.DataFrame | None, *, full: bool) -> Outcome:
    """Mayar's whole list now: incrementally from ``known`` (the store's current versions), else in full."""
    note = _why_full(known, full)
    outcome: Outcome | None = None
    if not note:
        try:
            state = _mayar_incremental(api, known)
            outcome = Outcome(state, "incremental", _mayar_full_requests(len(state)))
        except _ListAll as cheaper:
            before = api.requests + api.replayed
            state = api.load()
            outcome = Outcome(state, "full", api.requests + api.replayed - before, str(cheaper))
        except _NeedFull as why:
            note = str(why)
            _fallback("mayar", note)
    return _finished(api, outcome, note)


def _why_full(known: pd.DataFrame | None, full: bool) -> str:
    """Why this refresh must load everything, or "" when it can be incremental."""
    return "first refresh" if known is None else "full=True" if full else "no invoice known" if known.empty else ""


def _finished(api: FaspayAPI | MayarAPI, outcome: Outcome | None, note: str) -> Outcome:
    """``outcome``, or a full load (``note`` says why) when there is none; the progress bar closed."""
    if outcome is None:
        before = api.requests + api.replayed
        state = api.load()
        outcome = Outcome(state, "full", api.requests + api.replayed - before, note)
    api.finish(len(outcome.state))
    return outcome


def _mayar_full_requests(invoices: int) -> int:
    """Pages of a full Mayar load: 50 on the first, then 49 new per page (each re-reads its boundary)."""
    return 1 + math.ceil(max(invoices - MAYAR_PAGE_SIZE, 0) / (MAYAR_PAGE_SIZE - 1))


def _jumps(targets: list[int], created: np.ndarray) -> int:
    """The cursor jumps that find invoices created at ``targets`` (ms) in a list created at ``created``:
    a jump's page holds the 50 newest invoices at or before its target."""
    order = np.sort(created)  # ascending
    remaining = sorted(targets, reverse=True)
    jumps = i = 0
    while i < len(remaining):
        top = remaining[i]
        position = int(np.searchsorted(order, top, side="right"))  # invoices at or before top: order[:position]
        floor = order[max(position - MAYAR_PAGE_SIZE, 0)] if position else top
        jumps += 1
        i += 1
        while i < len(remaining) and remaining[i] > floor:
            i += 1
    return jumps


def _ms(row: dict[str, Any]) -> int | None:
    try:
        return created_ms(row)
    except PageProblem:
        return None  # the frame builder reports it


def _known_ms(known: pd.DataFrame) -> dict[str, int]:
    stamps = known["issued_at"].array.asi8
    valid = ~known["issued_at"].isna().to_numpy()
    ids = known["invoice_id"].astype(str).to_numpy()
    return {i: int(us) // 1000 for i, us, ok in zip(ids, stamps, valid, strict=True) if ok}


def _mayar_incremental(api: MayarAPI, known: pd.DataFrame) -> pd.DataFrame:
    created = _known_ms(known)
    if not created:
        raise _NeedFull("no known invoice has a createdAt to page down from")
    newest = max(created.values())

    def check_order(rows: Iterable[dict[str, Any]], skip: set[str]) -> None:
        for row in rows:
            ms = _ms(row)
            if row["id"] not in created and row["id"] not in skip and ms is not None and ms < newest:
                raise _NeedFull(f"invoice {row['id']} appeared with createdAt {ms}, older than the newest known "
                                f"({newest}): the list is not in creation order, or the invoice came back")

    # 1. new invoices: the first pages, down to the newest known millisecond included
    first: dict[str, dict[str, Any]] = {}
    for data, _more in api.pages():
        first.update((row["id"], row) for row in data)
        stamps = [ms for ms in map(_ms, data) if ms is not None]
        if not stamps or min(stamps) < newest:
            break
    check_order(first.values(), set())
    # 2. the open invoices, from the newest known millisecond down (those above it are on the first pages)
    listed: dict[str, dict[str, Any]] = {}
    for data, _more in api.pages(newest + 1, status="active"):
        listed.update((row["id"], row) for row in data)
    active = mayar_frame(list(listed.values()))
    active_ids = set(listed)
    check_order(listed.values(), set(first))
    # 3. the known open ones in neither: jumps into the paid list, the closed one, then the unfiltered one, or
    #    into the unfiltered one only, whichever is expected to cost less
    open_known = known[~known["provider_status"].isin(_MAYAR_FINAL).fillna(False).to_numpy(dtype=bool)]
    settled = active_ids | {i for i, row in first.items() if row.get("status") != "active"}
    unresolved = {i: created[i] for i in open_known["invoice_id"].astype(str) if i not in settled}
    missing = [i for i in list(unresolved) if i not in created]
    if missing:
        raise _NeedFull(f"invoice {missing[0]} left the active list and has no createdAt to look it up by")
    whole = _mayar_full_requests(len(known))
    targets = list(unresolved.values())
    direct = _jumps(targets, np.array(list(created.values()), dtype=np.int64))
    by_status = sum(_jumps(targets, _known_created(known, created, status, targets)) for status in _MAYAR_FINAL)
    if min(direct, by_status) >= whole:
        raise _ListAll(f"finding the {len(unresolved)} invoices that left the active list would cost more "
                       f"requests than a full load ({whole})", active)
    jumped: dict[str, dict[str, Any]] = {}
    # paid first (where most go), then closed, then whatever status: when even a pessimistic estimate of that
    # (every invoice looked for in both lists) costs fewer jumps than the unfiltered list's
    for status in (*_MAYAR_FINAL, None) if by_status < direct else (None,):
        unresolved = _look_up(api, unresolved, status, jumped)
    vanished = list(unresolved)
    check_order(jumped.values(), set(first) | active_ids)
    if vanished:
        raise _NeedFull(f"invoice {vanished[0]} left the active list and is in no list any more "
                        f"({len(vanished)} such): deleted or moved, and deleted paid invoices would go unnoticed")
    observed = [mayar_frame(list(first.values())), active, mayar_frame(list(jumped.values()))]
    return _overlay(known, observed)


def _known_created(known: pd.DataFrame, created: dict[str, int], status: str, targets: list[int]) -> np.ndarray:
    """The ``createdAt`` of the invoices known in the list of ``status``, and of ``targets`` (as if there)."""
    ids = known.loc[(known["provider_status"] == status).fillna(False).to_numpy(dtype=bool), "invoice_id"]
    return np.array([created[i] for i in ids.astype(str) if i in created] + targets, dtype=np.int64)


def _look_up(api: MayarAPI, targets: dict[str, int], status: str | None,
             seen: dict[str, dict[str, Any]]) -> dict[str, int]:
    """Look for invoices (id -> createdAt) in the list of ``status`` (None: unfiltered) by cursor jumps,
    each page settling every target down to its oldest ``createdAt``; the rows read go into ``seen``.
    Returns the targets that are not in that list."""
    remaining, absent, listed = dict(targets), dict[str, int](), set[str]()
    while remaining:
        top = max(remaining.values())
        for data, more in api.pages(top + 1, status=status):
            seen.update((row["id"], row) for row in data)
            listed.update(row["id"] for row in data)
            stamps = [ms for ms in map(_ms, data) if ms is not None]
            oldest = min(stamps) if stamps else None
            for invoice, ms in list(remaining.items()):
                if invoice in listed:
                    del remaining[invoice]
                elif not more or (oldest is not None and ms > oldest):
                    absent[invoice] = ms
                    del remaining[invoice]
            if all(ms < top for ms in remaining.values()):
                break
        absent.update((i, ms) for i, ms in remaining.items() if ms >= top)  # the list ended above them
        remaining = {i: ms for i, ms in remaining.items() if ms < top}
    return absent


# -- Faspay --------------------------------------------------------------------------------------


def refresh_faspay(api: FaspayAPI, known: pd.DataFrame | None, *, full: bool) -> Outcome:
    """Faspay's whole list now: incrementally from ``known`` (the store's current versions), else in full."""
    note = _why_full(known, full)
    outcome: Outcome | None = None
    if not note:
        try:
            state = _faspay_incremental(api, known)
            outcome = Outcome(state, "incremental", _faspay_full_requests(api))
        except _ListAll as cheaper:  # the open statuses are read: list Paid and Cancelled, a full reconciliation
            finals = api.load(FASPAY_FINAL_CODES)
            state = combine(cheaper.open_frame, finals).drop_duplicates("invoice_id", keep="last")
            outcome = Outcome(state.reset_index(drop=True), "full", _faspay_full_requests(api), str(cheaper))
        except _NeedFull as why:
            note = str(why)
            _fallback("faspay", note)
    return _finished(api, outcome, note)


def _faspay_full_requests(api: FaspayAPI) -> int:
    """Pages of a full Faspay load from the announced totals: per status, its pages and the re-check of page 1."""
    size = api.page_size or max([*api.totals.values(), 1])  # no page was full: every list fits on one
    return sum(max(1, math.ceil(api.totals.get(code, 0) / size)) + 1 for code in FASPAY_STATUS_CODES)


class _Seen:
    """Faspay observations in order, each invoice's latest one winning, with the kind of list it came from."""

    def __init__(self) -> None:
        self.frames: list[pd.DataFrame] = []
        self.final: dict[str, bool] = {}

    def add(self, frame: pd.DataFrame, *, final: bool) -> None:
        self.frames.append(frame)
        self.final.update(dict.fromkeys(frame["invoice_id"].astype(str), final))


def _faspay_incremental(api: FaspayAPI, known: pd.DataFrame) -> pd.DataFrame:
    # 1. page 1 of Paid and Cancelled, the open statuses whole, page 1 of Paid and Cancelled again: until
    #    Paid and Cancelled did not change meanwhile (then their totals hold for what the open lists showed)
    for _attempt in range(MAX_PASSES):
        seen = _Seen()
        firsts = [api.page(code, 1) for code in FASPAY_FINAL_CODES]
        seen.add(faspay_frame([kept.row for page in firsts for kept in page.rows]), final=True)
        open_frame = api.load(FASPAY_OPEN_CODES)
        seen.add(open_frame, final=False)
        again = [api.page(code, 1) for code in FASPAY_FINAL_CODES]
        if _fingerprint(again) == _fingerprint(firsts):
            seen.add(faspay_frame([kept.row for page in again for kept in page.rows]), final=True)
            break
    else:
        raise _NeedFull(f"Paid or Cancelled changed while the open statuses were read, {MAX_PASSES} times")
    listed_final = sum(page.total_data for page in firsts)
    # 2. the invoices that left the open statuses
    final_known = known["status"].isin(_FASPAY_FINAL).fillna(False).to_numpy(dtype=bool)
    left = known[~final_known & ~known["invoice_id"].astype(str).isin(seen.final).to_numpy(dtype=bool)]
    page_size = api.page_size or 10**9
    for code in FASPAY_FINAL_CODES:
        if left.empty:
            break
        in_list = known[(known["status"] == FASPAY_STATUS_CODES[code]).fillna(False).to_numpy(dtype=bool)]
        plan = plan_queries(left, in_list, page_size)
        listing = sum(max(1, math.ceil(page.total_data / page_size)) + 1 for page in firsts)
        if code == FASPAY_FINAL_CODES[0] and sum(pages for _q, _ids, pages in plan) >= listing:
            raise _ListAll(f"finding the {len(left)} invoices that left the open statuses would cost more "
                           f"requests than listing Paid and Cancelled ({listing})", open_frame)
        rows = [row for query, _ids, _pages in plan
                for row in api.query(code, customer_id=query.customer_id, start=query.start, end=query.end)]
        found = faspay_frame(rows)
        seen.add(found, final=True)
        left = left[~left["invoice_id"].isin(found["invoice_id"]).to_numpy(dtype=bool)]
    if not left.empty:
        ids = left["invoice_id"].astype(str).tolist()
        raise _NeedFull(f"{len(ids)} invoice(s) left the open statuses and are neither Paid nor Cancelled "
                        f"(first: {ids[0]}): deleted, or moved again during the refresh")
    # 3. the count check
    state = _overlay(known, seen.frames)
    accounted = _placed_final(state, seen.final)
    if accounted < listed_final:
        seen.add(faspay_frame([row for code in FASPAY_FINAL_CODES
                               for row in api.query(code, start=_recent_start(state))]), final=True)
        state = _overlay(known, seen.frames)
        accounted = _placed_final(state, seen.final)
    if accounted != listed_final:
        why = "some were deleted" if accounted > listed_final else (
            "some were created already paid or cancelled, outside the recent months")
        raise _NeedFull(f"Faspay lists {listed_final} paid or cancelled invoices, the store accounts for "
                        f"{accounted}: {why}")
    return state


def _fingerprint(pages: list[FaspayPage]) -> list[tuple[int, list[str]]]:
    """Each page's total and invoice numbers."""
    return [(page.total_data, [kept.row["invoice_no"] for kept in page.rows]) for page in pages]


def _placed_final(state: pd.DataFrame, final: dict[str, bool]) -> int:
    """How many invoices of ``state`` sit in Paid or Cancelled: by their latest observation, else (not
    observed: only invoices known as paid or cancelled are left unobserved) by their known status."""
    ids = state["invoice_id"].astype(str)
    observed = np.array([final.get(i) for i in ids], dtype=object)
    known_final = state["status"].isin(_FASPAY_FINAL).fillna(False).to_numpy(dtype=bool)
    return int(np.where(observed == None, known_final, observed == True).sum())  # noqa: E711,E712


def _recent_start(state: pd.DataFrame) -> dt.date:
    """The first day of the month before the newest invoice date (not after today)."""
    newest = state["issued_at"].max()
    anchor = min(newest.date(), jakarta_today()) if pd.notna(newest) else jakarta_today()
    return (anchor.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
