"""The paging state of each loader, as small objects that need no HTTP.

:class:`MayarCursor` holds Mayar's cursor rule; :class:`FaspaySweep` the
bookkeeping of Faspay's status sweeps (what to keep, when a pass or a status
must be swept again, what to warn about). The loaders feed them pages and do
the HTTP; the tests drive them with lists.

>>> cursor = MayarCursor()
>>> cursor.params()
{}
>>> cursor.take([{"id": "b", "createdAt": 2000}, {"id": "a", "createdAt": 1000}], has_more=True, source="p1")
>>> cursor.params(), cursor.done
({'startingAfter': '1001'}, False)
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from invoice_analytics.providers._payload import PageProblem

__all__ = ["MAX_PASSES", "FaspayPage", "FaspaySweep", "Kept", "MayarCursor"]

#: Passes over one Faspay status (and re-check rounds of a load) before giving up on a stable count.
MAX_PASSES = 3


class MayarCursor:
    """Mayar's ``startingAfter`` cursor over a newest-first list, with the tie rule.

    The cursor is a ``createdAt`` in epoch milliseconds. Invoices sharing a
    millisecond across a page boundary are lost when the server reads the
    cursor as ``<``, or repeated under ``<=``: so the next cursor is the
    oldest ``createdAt`` of the page **plus one**, which re-reads the boundary
    millisecond under either reading, and rows already seen are merged by id.
    A page that brings nothing new (a whole page inside one millisecond) is
    stepped past once with the plain cursor, with a warning (the rest of that
    millisecond cannot be reached); a second such page is an error.

    >>> c = MayarCursor()
    >>> c.take([{"id": "x", "createdAt": 5}, {"id": "y", "createdAt": 5}], has_more=True, source="p1")
    >>> c.take([{"id": "x", "createdAt": 5}, {"id": "y", "createdAt": 5}], has_more=True, source="p2")
    >>> c.warnings[0][:40], c.params()
    ('2 or more invoices share createdAt 5, a ', {'startingAfter': '5'})
    """

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, Any]] = {}
        self.sources: dict[str, str] = {}
        self.cursor: int | None = None
        self.pages = 0
        self.done = False
        self.warnings: list[str] = []
        self._stalled = False

    def params(self) -> dict[str, str]:
        """The cursor parameter of the next request (none for the first page)."""
        return {} if self.cursor is None else {"startingAfter": str(self.cursor)}

    def take(self, data: Sequence[dict[str, Any]], *, has_more: bool, source: str) -> None:
        """Take one page's rows (each with an ``id``); raises :class:`PageProblem` when paging cannot go on."""
        self.pages += 1
        new = 0
        for row in data:
            if row["id"] not in self.rows:
                new += 1
            self.rows[row["id"]] = row
            self.sources[row["id"]] = source
        if not has_more:
            self.done = True
            return
        if not data:
            raise PageProblem("hasMore is true but the page is empty, so there is no cursor")
        oldest = min(created_ms(row) for row in data)
        if new:
            self._stalled = False
            self.cursor = oldest + 1  # re-read the boundary millisecond under '<' and '<=' alike
        elif not self._stalled:
            self.warnings.append(
                f"{len(data)} or more invoices share createdAt {oldest}, a whole page; those past the page "
                "cannot be reached with this cursor and may be missing"
            )
            self._stalled = True
            self.cursor = oldest
        else:
            raise PageProblem(f"the cursor does not advance past createdAt {oldest}")

    def ordered(self) -> list[dict[str, Any]]:
        """The rows, newest first (ties by id, descending)."""
        return sorted(self.rows.values(), key=_newest_key, reverse=True)


def created_ms(row: dict[str, Any]) -> int:
    """A row's ``createdAt`` as epoch milliseconds, or :class:`PageProblem`.

    >>> created_ms({"id": "a", "createdAt": "1768375011056"})
    1768375011056
    """
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
    """The bookkeeping of one Faspay load: one paged sweep per status code, re-checked.

    Rows are merged by invoice number, the copy from the later answer winning.
    A pass over a status must be run again while its pages shift under it
    (:meth:`pass_settled`: the announced total moved, an invoice repeated, or
    the count came up short). Once every status is swept, page 1 of each is
    asked again (:meth:`first_page_moved`): a status whose total or first page
    changed meanwhile (an invoice moved into it after its sweep) is swept
    again, at most :data:`MAX_PASSES` rounds. Thread-safe.

    >>> sweep = FaspaySweep([1])
    >>> row = {"invoice_no": "A"}
    >>> sweep.pass_settled(1, [FaspayPage([Kept(sweep.arrival(), row, "p1", 1)], 1, 1)])
    True
    >>> sweep.first_page_moved(1, FaspayPage([Kept(sweep.arrival(), row, "p1", 1)], 1, 1))
    False
    >>> sweep.count_warnings()
    []
    """

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
        """A message for every status whose final count differs from its announced total or never settled."""
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
