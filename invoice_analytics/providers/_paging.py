"""The paging state of each loader as small objects without HTTP (the loaders feed them pages, the tests lists);
the rules and why: the first and "Endless paging"/"Absurd totals" items of :doc:`/guide/real-apis`."""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from invoice_analytics.providers._payload import PageProblem

__all__ = ["MAX_PASSES", "MAX_STALE_PAGES", "FaspayPage", "FaspaySweep", "Kept", "MayarCursor", "PageBudget",
           "totals_problem"]

#: Passes over one Faspay status (and re-check rounds of a load) before giving up on a stable count.
MAX_PASSES = 3
#: Mayar pages in a row that may bring no new invoice while hasMore stays true (a re-read boundary
#: millisecond explains one; more is a server repeating its invoices under ever-lower cursors).
MAX_STALE_PAGES = 2


class MayarCursor:
    """Mayar's ``startingAfter`` cursor over a newest-first list: the page's oldest ``createdAt`` **plus one** ms
    (re-reading the boundary millisecond whether the server reads ``<`` or ``<=``), rows merged by id. Cursors go
    strictly down, so paging ends: a page all in one millisecond steps past with a warning; one going down neither
    way, or over :data:`MAX_STALE_PAGES` pages in a row with nothing new, is a :class:`PageProblem`.
    """

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, Any]] = {}
        self.sources: dict[str, str] = {}
        self.cursor: int | None = None
        self.pages = 0
        self.done = False
        self.warnings: list[str] = []
        self.stale = 0

    def params(self) -> dict[str, str]:
        """The cursor parameter of the next request (none for the first page)."""
        return {} if self.cursor is None else {"startingAfter": str(self.cursor)}

    def take(self, data: Sequence[dict[str, Any]], *, has_more: bool, source: str) -> None:
        """Take one page's rows (each with an ``id``); raises :class:`PageProblem` when paging cannot go on."""
        self.pages += 1
        new = sum(1 for row in data if row["id"] not in self.rows)
        for row in data:
            self.rows[row["id"]] = row
            self.sources[row["id"]] = source
        if not has_more:
            self.done = True
            return
        if not data:
            raise PageProblem("hasMore is true but the page is empty, so there is no cursor")
        self.stale = 0 if new else self.stale + 1
        if self.stale > MAX_STALE_PAGES:
            raise PageProblem(
                f"{self.stale} pages in a row brought no new invoice while hasMore stayed true and the cursor "
                f"went down (to {self.cursor}); the {len(self.rows)} invoices seen cannot need more pages "
                "(the server repeats its invoices under ever-lower cursors)")
        created = [created_ms(row) for row in data]
        oldest = min(created)
        previous = self.cursor
        if previous is None or oldest + 1 < previous:
            self.cursor = oldest + 1  # re-read the boundary millisecond under '<' and '<=' alike
        elif oldest < previous and all(ms in (oldest, previous) for ms in created):
            self.warnings.append(
                f"{len(data)} or more invoices share createdAt {oldest}, a whole page; those past the page "
                "cannot be reached with this cursor and may be missing"
            )
            self.cursor = oldest
        else:
            raise PageProblem(
                f"the cursor does not go down: this page's oldest createdAt is {oldest}, so the next "
                f"startingAfter would be {oldest + 1}, not below the previous {previous} (the server does not "
                "follow the cursor)"
            )

    def ordered(self) -> list[dict[str, Any]]:
        """The rows, newest first (ties by id, descending)."""
        return sorted(self.rows.values(), key=_newest_key, reverse=True)


def created_ms(row: dict[str, Any]) -> int:
    """A row's ``createdAt`` as epoch milliseconds, or :class:`PageProblem`."""
    value = row.get("createdAt")
    try:
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise TypeError
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise PageProblem(f"invoice {row.get('id')!r}: createdAt {value!r} is not epoch milliseconds") from None


def _newest_key(row: dict[str, Any]) -> tuple[int, str]:
    try:
        return created_ms(row), str(row["id"])
    except PageProblem:
        return 0, str(row["id"])


@dataclass(frozen=True)
class Kept:
    """One Faspay row as received: the order of its answer (a later one wins), its request and status code."""

    arrival: int
    row: dict[str, Any]
    request: str
    code: int


@dataclass
class FaspayPage:
    """One checked Faspay page."""

    rows: list[Kept]
    total_data: int
    total_pages: int


class FaspaySweep:
    """The bookkeeping of one Faspay load (thread-safe): one paged sweep per status, rows merged by invoice number
    (the later answer wins); a pass re-run while its pages shift, a status whose page 1 moved after its sweep
    swept again, at most :data:`MAX_PASSES` rounds."""

    def __init__(self, codes: Iterable[int], labels: dict[int, str] | None = None) -> None:
        self.codes = list(codes)
        self.labels = labels or {}
        self.kept: dict[str, Kept] = {}
        self.totals: dict[int, int] = {}
        self.unsettled: list[int] = []
        self._arrivals = 0
        self._lock = threading.Lock()

    def arrival(self) -> int:
        """The next arrival number (call it as an answer comes back)."""
        with self._lock:
            self._arrivals += 1
            return self._arrivals

    def merge(self, got: Iterable[Kept], code: int, total: int) -> None:
        """Keep ``got`` (the later copy of an invoice wins) and the status's announced total."""
        with self._lock:
            self.totals[code] = total
            for kept in got:
                invoice_no = kept.row["invoice_no"]
                if invoice_no not in self.kept or self.kept[invoice_no].arrival < kept.arrival:
                    self.kept[invoice_no] = kept

    def pass_settled(self, code: int, pages: Sequence[FaspayPage]) -> bool:
        """Merge one pass over ``code``; True when it is consistent (no re-run needed)."""
        got = [kept for page in pages for kept in page.rows]
        ids = {kept.row["invoice_no"] for kept in got}
        total = pages[-1].total_data
        self.merge(got, code, total)
        return len({page.total_data for page in pages}) == 1 and len(got) == len(ids) == total

    def first_page_moved(self, code: int, page: FaspayPage) -> bool:
        """Merge page 1 of ``code`` asked again; True when the status changed since its sweep."""
        with self._lock:
            before = self.totals.get(code)
            unseen = any(kept.row["invoice_no"] not in self.kept for kept in page.rows)
        self.merge(page.rows, code, page.total_data)
        return page.total_data != before or unseen

    def count_warnings(self) -> list[str]:
        """A message per status whose final count differs from its announced total or never settled."""
        counts = dict.fromkeys(self.totals, 0)
        for kept in self.kept.values():
            counts[kept.code] = counts.get(kept.code, 0) + 1
        unsettled = [
            f"status {code} ({self.labels.get(code, '?')}) was still changing after {MAX_PASSES} sweeps "
            f"(got {counts.get(code, 0)} distinct invoices, last total_data={self.totals.get(code)}); invoices "
            "created or changed during the load may be missing"
            for code in self.unsettled
        ]
        return unsettled + [
            f"status {code} ({self.labels.get(code, '?')}): got {counts[code]} distinct invoices but the server "
            f"announced total_data={total}; invoices were created or changed status during the load"
            for code, total in self.totals.items()
            if counts[code] != total
        ]

    def ordered(self) -> list[Kept]:
        """The kept rows in the order their answers came back."""
        return sorted(self.kept.values(), key=lambda kept: kept.arrival)


def totals_problem(page: FaspayPage, *, first: bool) -> str | None:
    """What is wrong with a Faspay page's ``total_pages``/``total_data`` (whole, not negative), or None. On page 1
    (``first``: it decides the pages asked) ``total_pages`` must be 0 or 1 with no data, else from 1 up to
    ``ceil(total_data / rows of page 1)`` (a short page 1 only lowers the bound)."""
    pages, data, rows = page.total_pages, page.total_data, len(page.rows)
    if pages < 0 or data < 0:
        return f"total_pages {pages} and total_data {data} cannot be negative"
    if not first:
        return None
    if data == 0:
        return None if pages <= 1 else f"total_pages {pages} does not fit total_data 0 (at most 1 page)"
    if pages == 0:
        return f"total_pages is 0 but total_data is {data}"
    if pages == 1:
        return None
    if rows == 0:
        return f"page 1 is empty but total_pages is {pages} (total_data {data})"
    most = math.ceil(data / rows)
    if pages > most:
        return f"total_pages {pages} does not fit total_data {data} at {rows} invoices a page (at most {most} pages)"
    return None


class PageBudget:
    """How many page requests a Faspay load may send (thread-safe): ``max_pages``, else per status
    :data:`MAX_PASSES` rounds of :data:`MAX_PASSES` passes over the most pages its page 1 announced, plus a
    re-check of page 1 per round."""

    def __init__(self, max_pages: int | None) -> None:
        self.max_pages = max_pages
        self.used = 0
        self._used: dict[int, int] = {}
        self._announced: dict[int, int] = {}
        self._lock = threading.Lock()

    def announce(self, code: int, total_pages: int) -> None:
        """Note the pages a page 1 of ``code`` announced (the most so far sets its bound)."""
        with self._lock:
            self._announced[code] = max(self._announced.get(code, 1), total_pages)

    def limit_of(self, code: int) -> int | None:
        """The bound of ``code`` when ``max_pages`` is None (None until its first answer)."""
        announced = self._announced.get(code)
        return None if announced is None else MAX_PASSES * (MAX_PASSES * announced + 1)

    def claim(self, code: int, pages: int) -> str | None:
        """Count ``pages`` more requests for ``code``, or say why they would go past the bound."""
        with self._lock:
            if self.max_pages is not None:
                if self.used + pages > self.max_pages:
                    return f"the load would need more than max_pages={self.max_pages} page requests"
            else:
                limit = self.limit_of(code)
                if limit is not None and self._used.get(code, 0) + pages > limit:
                    return (
                        f"status {code} would need more than {limit} page requests ({MAX_PASSES} rounds of "
                        f"{MAX_PASSES} passes over the {self._announced[code]} pages it announced, plus a "
                        "re-check of page 1 each round)"
                    )
            self.used += pages
            self._used[code] = self._used.get(code, 0) + pages
            return None
