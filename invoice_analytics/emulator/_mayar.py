"""The emulated Mayar ``GET /hl/v2/invoices`` endpoint (private): Bearer key, newest first, 50 a page, the cursor
read "strict" (``createdAt < cursor``) or "inclusive" (``<=``), 20 requests a minute per IP (else 429).

The order is computed once per state of the data and a page found by bisection (a page costs the same for 60,000
invoices as for 60); records are replaced, never changed in place, so a state is the list of record objects.
"""

from __future__ import annotations

import bisect
import hmac
import math
import operator
import threading
import time
from collections import OrderedDict
from typing import Any, Literal

from invoice_analytics.emulator._replies import Reply, as_int, json_reply
from invoice_analytics.providers._pacing import SlidingWindow

__all__ = ["CLIENT_WINDOWS", "MayarAPI"]

#: Clients whose rate windows are kept at once (the oldest is forgotten first).
CLIENT_WINDOWS = 1024


class MayarAPI:
    """The invoices of one Mayar account and how the endpoint answers for them."""

    def __init__(self, invoices: list[dict[str, Any]], *, api_key: str, rate_limit_per_minute: int | None,
                 cursor: Literal["strict", "inclusive"], lock: threading.Lock) -> None:
        if cursor not in ("strict", "inclusive"):
            raise ValueError(f"mayar_cursor must be 'strict' or 'inclusive', not {cursor!r}")
        if rate_limit_per_minute is not None and rate_limit_per_minute < 1:
            raise ValueError(f"the Mayar rate limit must be a positive integer or None, not {rate_limit_per_minute!r}")
        self.invoices = [dict(r) for r in invoices]
        self.api_key = api_key
        self.rate_limit_per_minute = rate_limit_per_minute
        self.cursor = cursor
        self._lock = lock
        self._windows: OrderedDict[str, SlidingWindow] = OrderedDict()
        #: the records the orders below were computed from, and each order: status (None: every
        #: status) -> (rows newest first, their negated createdAt)
        self._source: list[dict[str, Any]] = []
        self._orders: dict[str | None, tuple[list[dict[str, Any]], list[int]]] = {}

    def add(self, record: dict[str, Any]) -> None:
        with self._lock:
            self.invoices.append(dict(record))

    def update(self, invoice_id: str, **fields: Any) -> None:
        """Change fields of one invoice (status, amount, transactions...); ``KeyError`` when absent."""
        with self._lock:
            for i, record in enumerate(self.invoices):
                if record.get("id") == invoice_id:
                    self.invoices[i] = {**record, **fields}
                    return
        raise KeyError(invoice_id)

    def remove(self, invoice_id: str) -> None:
        """Delete one invoice from the account; ``KeyError`` when absent."""
        with self._lock:
            for i, record in enumerate(self.invoices):
                if record.get("id") == invoice_id:
                    del self.invoices[i]
                    return
        raise KeyError(invoice_id)

    def reply(self, client: str, method: str, authorization: str, query: dict[str, str]) -> Reply:
        """The answer to one request from ``client`` (an IP)."""
        limited = self._rate_limited(client)
        if limited is not None:
            return limited
        if not hmac.compare_digest(authorization.encode(), f"Bearer {self.api_key}".encode()):
            return json_reply(401, {"statusCode": 401, "messages": "Unauthorized"})
        if method != "GET":
            return json_reply(405, {"statusCode": 405, "messages": "Method Not Allowed"})
        limit = as_int(query.get("limit", 10))
        if limit is None:
            return json_reply(400, {"statusCode": 400, "messages": "limit must be an integer"})
        limit = min(max(limit, 1), 50)
        cursor: int | None = None
        if query.get("startingAfter"):
            cursor = as_int(query["startingAfter"])
            if cursor is None:
                return json_reply(400, {"statusCode": 400, "messages": "startingAfter must be epoch milliseconds"})
        status, search = query.get("status") or None, (query.get("search") or "").lower()

        with self._lock:
            rows, keys = self._order(status)
        start = 0
        if cursor is not None:  # keys are -createdAt, ascending: "strict" skips createdAt >= cursor
            start = (bisect.bisect_left if self.cursor == "inclusive" else bisect.bisect_right)(keys, -cursor)
        found: list[dict[str, Any]] = []
        for r in rows[start:] if not search else (r for r in rows[start:] if search in _text(r)):
            found.append(r)
            if len(found) > limit:
                break
        page, more = found[:limit], len(found) > limit
        return json_reply(200, {
            "statusCode": 200,
            "messages": "success",
            "data": page,
            "hasMore": more,
            "nextStartingAfter": str(page[-1]["createdAt"]) if more else None,
        })

    def _order(self, status: str | None) -> tuple[list[dict[str, Any]], list[int]]:
        """The rows of ``status`` (None: all) newest first and their negated ``createdAt``; under the lock."""
        records = self.invoices
        same = len(records) == len(self._source) and all(map(operator.is_, records, self._source))
        if not same or None not in self._orders:
            self._source = list(records)
            ordered = sorted(self._source, key=lambda r: (-int(r["createdAt"]), str(r.get("id"))))
            self._orders = {None: (ordered, [-int(r["createdAt"]) for r in ordered])}
        if status not in self._orders:
            every, keys = self._orders[None]
            picked = [i for i, r in enumerate(every) if r.get("status") == status]
            self._orders[status] = ([every[i] for i in picked], [keys[i] for i in picked])
        return self._orders[status]

    def _rate_limited(self, client: str) -> Reply | None:
        """A 429 when ``client`` is over the limit in the sliding minute; refused requests do not count."""
        limit = self.rate_limit_per_minute
        if limit is None:
            return None
        with self._lock:
            window = self._windows.pop(client, None) or SlidingWindow(limit)
            self._windows[client] = window  # most recent last
            while len(self._windows) > CLIENT_WINDOWS:
                self._windows.popitem(last=False)
            wait = window.admit(time.monotonic())
        if wait <= 0:
            return None
        return json_reply(429, {"statusCode": 429, "messages": "Too Many Requests"},
                          **{"Retry-After": str(max(1, math.ceil(wait)))})


def _text(record: dict[str, Any]) -> str:
    customer = record.get("customer") or {}
    parts = (record.get("name"), record.get("description"), customer.get("name"), customer.get("email"))
    return "\n".join(str(p) for p in parts if p).lower()
