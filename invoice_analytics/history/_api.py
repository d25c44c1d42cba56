"""The two providers as a refresh uses them: whole loads, and the single pages of the incremental steps (private).

Whole lists go through the public loaders (:func:`~invoice_analytics.load_faspay`,
:func:`~invoice_analytics.load_mayar`) with every safeguard of theirs; the
incremental steps need single pages (Faspay's first page for a status's
total, a customer's or a month's paid invoices; Mayar's newest pages and a
jump to one ``createdAt``), asked here with the loaders' own plumbing (typed
errors, redaction, the cursor rule, the page checks). Every request of both
goes through one :class:`~._transport.RecordingSession` per provider.
This module is the only one that imports the providers' private helpers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

import pandas as pd
import requests

from invoice_analytics._dates import jakarta_today
from invoice_analytics.history._transport import PendingAnswers, RecordingSession
from invoice_analytics.providers._paging import FaspayPage
from invoice_analytics.providers._progress import Progress
from invoice_analytics.providers.faspay import (
    DEFAULT_END_DAYS_AHEAD,
    DEFAULT_START,
    FASPAY_PATH,
    FASPAY_STATUS_CODES,
    checked_faspay_page,
    faspay_connection,
    load_faspay,
)
from invoice_analytics.providers.mayar import MayarClient, mayar_connection, mayar_invoices

__all__ = ["FASPAY_OPTIONS", "MAYAR_OPTIONS", "FaspayAPI", "MayarAPI"]

#: The ``load_faspay`` arguments a store refresh takes (its filters would make the list partial).
FASPAY_OPTIONS = frozenset({"username", "password", "signature", "base_url", "session", "timeout", "max_workers",
                            "max_retries", "backoff_factor", "max_pages", "max_wait", "max_response_bytes"})
#: The ``load_mayar`` arguments a store refresh takes.
MAYAR_OPTIONS = frozenset({"api_key", "base_url", "session", "timeout", "rate_limit_per_minute", "max_retries",
                           "backoff_factor", "max_pages", "max_wait", "max_response_bytes"})


def _checked_options(provider: str, options: Mapping[str, Any] | None, allowed: frozenset[str]) -> dict[str, Any]:
    given = dict(options or {})
    refused = sorted(set(given) - allowed)
    if refused:
        raise ValueError(
            f"{provider}: {refused} cannot be passed to a store refresh (the store keeps the whole account); "
            f"it takes {sorted(allowed)}"
        )
    return given


class _ProviderAPI:
    """What both providers' refresh APIs share: the recording session, its counts, the refresh's progress
    bar (one per provider, over every request of the refresh), closing what they own."""

    session: RecordingSession
    bar: Progress
    _inner: requests.Session
    _own: bool

    @property
    def requests(self) -> int:
        return self.session.sent

    @property
    def replayed(self) -> int:
        return self.session.replayed

    origin: str

    def credential(self) -> str:
        """The credential, for the store's keyed fingerprint of it (never written)."""
        raise NotImplementedError

    def first_page_ids(self) -> list[str]:
        """The invoice ids of the first page the account lists (the identity check of a rotated key)."""
        raise NotImplementedError

    def finish(self, invoices: int) -> None:
        """End the progress bar on the invoices the refresh found in the account."""
        self.bar.finish(f"{invoices} invoices")

    def close(self) -> None:
        self.bar.close()
        if self._own:
            self._inner.close()


class FaspayAPI(_ProviderAPI):
    """Faspay Billing for one refresh: whole loads, single pages, and what the answers told about totals."""

    def __init__(self, options: Mapping[str, Any] | None, pending: PendingAnswers | None,
                 progress: bool | None) -> None:
        kw = _checked_options("faspay", options, FASPAY_OPTIONS)
        given = kw.pop("session", None)
        self.conn = faspay_connection(**kw)  # checked exactly as load_faspay checks them
        self._signature = self.conn.secrets[0]
        self._auth = self.conn.auth()  # the signature goes into each body as it is sent
        self.origin = self.conn.origin
        self.url = self.origin + FASPAY_PATH
        self.timeout = self.conn.timeout
        self.max_workers = self.conn.max_workers
        self._own = given is None
        self._inner = given if given is not None else self.conn.session()
        self.bar = Progress("faspay", progress)
        self.session = RecordingSession(self._inner, "faspay", pending, on_answer=self._observe, progress=self.bar)
        self.caller = self.conn.caller(self.session)
        self.start = DEFAULT_START
        self.end = jakarta_today() + dt.timedelta(days=DEFAULT_END_DAYS_AHEAD)
        #: status code -> total_data over the whole window, as last announced
        self.totals: dict[int, int] = {}
        #: the largest page seen (Faspay's page size is not documented)
        self.page_size = 0

    def _observe(self, fields: dict[str, Any], payload: dict[str, Any]) -> None:
        try:
            page, pages = int(fields.get("page", 0)), int(payload.get("total_pages", 0))
            if page < pages:
                self.page_size = max(self.page_size, len(payload["data"]))
            whole = (fields.get("start_period") == self.start.isoformat()
                     and fields.get("end_period") == self.end.isoformat()
                     and fields.get("customer_id") is None and fields.get("due_date") is None)
            if whole:
                self.totals[int(fields["status"])] = int(payload["total_data"])
        except (TypeError, ValueError, KeyError):
            pass  # the loader's own checks report a bad page

    def credential(self) -> str:
        return str(self._signature.reveal())

    def first_page_ids(self) -> list[str]:
        for code in FASPAY_STATUS_CODES:  # the first status with invoices
            ids = [str(kept.row["invoice_no"]) for kept in self.page(code, 1).rows]
            if ids:
                return ids
        return []

    def load(self, statuses: list[int] | None = None) -> pd.DataFrame:
        """The whole list (or these statuses' lists), by :func:`~invoice_analytics.load_faspay` (its
        requests step the refresh's bar, not a bar of their own)."""
        c = self.conn
        return load_faspay(signature=self._signature.reveal(), base_url=self.origin, session=self.session,
                           timeout=self.timeout, max_workers=self.max_workers, statuses=statuses,
                           start=self.start, end=self.end, progress=False, max_pages=c.max_pages,
                           max_wait=c.max_wait, max_response_bytes=c.max_response_bytes)

    def page(self, code: int, page: int, *, customer_id: str | None = None, start: dt.date | None = None,
             end: dt.date | None = None) -> FaspayPage:
        """One checked page of one status, over the whole window or a narrower one."""
        body: dict[str, Any] = {  # the signature is added as the request is sent
            "start_period": (start or self.start).isoformat(),
            "end_period": (end or self.end).isoformat(),
            "status": str(code),
            "page": page,
        }
        if customer_id is not None:
            body["customer_id"] = customer_id
        request = (f"GET {FASPAY_PATH} status={code} ({FASPAY_STATUS_CODES[code]}) page={page}"
                   + (f" customer_id={customer_id}" if customer_id is not None else "")
                   + (f" period {body['start_period']}..{body['end_period']}" if start or end else ""))
        payload = self.caller.get_json(self.url, request, json=body, auth=self._auth)
        return checked_faspay_page(self.caller, request, payload, code, 0, first=page == 1)

    def query(self, code: int, *, customer_id: str | None = None, start: dt.date | None = None,
              end: dt.date | None = None) -> list[dict[str, Any]]:
        """Every row of one status under a filter, page by page (a pass whose total moved is run once more)."""
        rows: dict[str, dict[str, Any]] = {}
        for _attempt in range(2):
            first = self.page(code, 1, customer_id=customer_id, start=start, end=end)
            pages = [first] + [self.page(code, n, customer_id=customer_id, start=start, end=end)
                               for n in range(2, first.total_pages + 1)]
            for kept in (k for p in pages for k in p.rows):
                rows[kept.row["invoice_no"]] = kept.row
            if len({p.total_data for p in pages}) == 1 and len(rows) >= first.total_data:
                break
        return list(rows.values())


class MayarAPI(_ProviderAPI):
    """Mayar for one refresh: whole loads and the newest-first pages from any ``createdAt``, through one
    :class:`~invoice_analytics.providers.MayarClient` over the recording session."""

    def __init__(self, options: Mapping[str, Any] | None, pending: PendingAnswers | None,
                 progress: bool | None) -> None:
        kw = _checked_options("mayar", options, MAYAR_OPTIONS)
        given = kw.pop("session", None)
        conn = mayar_connection(**kw, who="InvoiceStore.refresh")  # checked exactly as load_mayar checks them
        self.origin = conn.origin
        self._own = given is None
        self._inner = given if given is not None else conn.session()
        self.bar = Progress("mayar", progress)
        self.session = RecordingSession(self._inner, "mayar", pending, per_minute=conn.rate_limit_per_minute,
                                        progress=self.bar)
        self.client = MayarClient(conn, self.session)

    def credential(self) -> str:
        return self.client.credential()

    def first_page_ids(self) -> list[str]:
        for rows, _more in self.pages():
            return [str(row.get("id")) for row in rows]
        return []

    def load(self, status: str | None = None) -> pd.DataFrame:
        """The whole list (or one status's), by the loader's own body (:func:`~invoice_analytics.providers.
        mayar_invoices`: paced by the session; its requests step the refresh's bar, not a bar of their own)."""
        return mayar_invoices(self.client, status=status, rate_limit_per_minute=None, progress=False, stacklevel=3)

    def pages(self, starting_after: int | None = None, *,
              status: str | None = None) -> Iterator[tuple[list[dict[str, Any]], bool]]:
        """The list's pages (unfiltered, or of one ``status``), newest first, from ``createdAt <
        starting_after`` (None: the newest), by the client's page loop; yields (rows, has_more). Stop
        iterating to stop asking."""
        yield from self.client.pages(status=status, starting_after=starting_after, stacklevel=5)
