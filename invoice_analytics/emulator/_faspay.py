"""The emulated Faspay Billing ``get-all-billing`` endpoint (private).

One status code per call, page numbers, a signature in the JSON body, and the filters of the reference page
(period window, due date, customer id). Lists are newest first; each filtered list is computed once per state
of the data (a bounded cache).
"""

from __future__ import annotations

import hmac
import json
import math
import threading
from collections import OrderedDict
from typing import Any

from invoice_analytics.emulator._replies import Reply, as_int, day, json_reply
from invoice_analytics.providers.faspay import FASPAY_STATUS_LABELS, faspay_signature

__all__ = ["FaspayAPI", "faspay_request"]

#: Filtered lists kept at once (one per status, window and filter).
LIST_CACHE_SIZE = 64


class FaspayAPI:
    """The invoices of one Faspay account and how the endpoint answers for them."""

    def __init__(self, invoices: list[dict[str, Any]], *, username: str, password: str, page_size: int,
                 lock: threading.Lock) -> None:
        self.invoices = [dict(r) for r in invoices]
        self.username, self.password = username, password
        self.page_size = page_size
        self._lock = lock  # the emulator's: data changes and reads never interleave
        self._lists: OrderedDict[tuple[Any, ...], list[dict[str, Any]]] = OrderedDict()

    def add(self, record: dict[str, Any]) -> None:
        with self._lock:
            self.invoices.append(dict(record))
            self._lists.clear()

    def update(self, invoice_no: str, **fields: Any) -> None:
        """Change fields of one invoice (a payment, a status change...); ``KeyError`` when absent."""
        if "invoice_status" in fields and fields["invoice_status"] not in FASPAY_STATUS_LABELS.values():
            raise ValueError(f"unknown Faspay status label {fields['invoice_status']!r}")
        with self._lock:
            for i, record in enumerate(self.invoices):
                if record.get("invoice_no") == invoice_no:
                    self.invoices[i] = {**record, **fields}
                    self._lists.clear()
                    return
        raise KeyError(invoice_no)

    def remove(self, invoice_no: str) -> None:
        """Delete one invoice from the account; ``KeyError`` when absent."""
        with self._lock:
            for i, record in enumerate(self.invoices):
                if record.get("invoice_no") == invoice_no:
                    del self.invoices[i]
                    self._lists.clear()
                    return
        raise KeyError(invoice_no)

    def set_status(self, invoice_no: str, label: str) -> None:
        """Move an invoice to another status label (the outstanding amount is left as is)."""
        if label not in FASPAY_STATUS_LABELS.values():
            raise ValueError(f"unknown Faspay status label {label!r}")
        with self._lock:
            for i, record in enumerate(self.invoices):
                if record.get("invoice_no") == invoice_no:
                    self.invoices[i] = {**record, "invoice_status": label}
                    self._lists.clear()
                    return
        raise KeyError(invoice_no)

    def reply(self, request: dict[str, Any] | None) -> Reply:
        """The answer to one request (its JSON body, or query when there is no body)."""
        if request is None:
            return failure("Invalid request")
        expected = faspay_signature(self.username, self.password)
        if not hmac.compare_digest(str(request.get("signature") or "").encode(), expected.encode()):
            return failure("Invalid signature")
        page = as_int(request.get("page"))
        if page is None or page < 1:
            return failure("Invalid page: minimal value is 1")
        code = as_int(request.get("status"))
        if code not in FASPAY_STATUS_LABELS:
            return failure("Invalid status")
        start, end = day(request.get("start_period")), day(request.get("end_period"))
        if start is None:
            return failure("Invalid start_period: format yyyy-mm-dd")
        if end is None:
            return failure("Invalid end_period: format yyyy-mm-dd")
        due = request.get("due_date")
        due_day = day(due) if due not in (None, "") else ""
        if due_day is None:
            return failure("Invalid due_date: format yyyy-mm-dd")
        customer = request.get("customer_id")
        customer = None if customer in (None, "") else str(customer)

        rows = self._list(FASPAY_STATUS_LABELS[code], start, end, due_day, customer)
        size = self.page_size
        return json_reply(200, {
            "current_page": str(page),
            "total_pages": math.ceil(len(rows) / size),
            "total_data": len(rows),
            "response_code": "00",
            "data": rows[(page - 1) * size : page * size],
            "message": "Success get billing",
        })

    def _list(self, label: str, start: str, end: str, due_day: str, customer: str | None) -> list[dict[str, Any]]:
        """One status's filtered list, newest first, computed once per state of the data."""
        key = (label, start, end, due_day, customer)
        with self._lock:
            rows = self._lists.get(key)
            if rows is None:
                rows = [
                    r
                    for r in self.invoices
                    if r.get("invoice_status") == label
                    and start <= str(r.get("invoice_date"))[:10] <= end
                    and (not due_day or str(r.get("due_date"))[:10] == due_day)
                    and (
                        customer is None
                        or (r.get("customer_id") is not None and str(r.get("customer_id")) == customer)
                    )
                ]
                rows.sort(key=lambda r: (str(r.get("invoice_date")), str(r.get("invoice_no"))), reverse=True)
                self._lists[key] = rows
                while len(self._lists) > LIST_CACHE_SIZE:
                    self._lists.popitem(last=False)
            return rows


def failure(message: str) -> Reply:
    """Faspay's failure shape: HTTP 200 with ``response_code`` "01"."""
    return json_reply(200, {"response_code": "01", "message": message})


def faspay_request(query: dict[str, str], body: bytes) -> dict[str, Any] | None:
    """The JSON body, or the query string when there is no body; None when the body is not a JSON object."""
    if not body.strip():
        return dict(query)
    try:
        request = json.loads(body)
    except ValueError:
        return None
    return request if isinstance(request, dict) else None
