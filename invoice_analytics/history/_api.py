"""The two providers as a refresh uses them: whole loads, and the single pages of the incremental steps (private).

Each provider is the public client the loaders drive (options checked as the loaders check them; whole lists
from the loaders' own bodies; single pages from the client's page request and loop), its session one
:class:`~._transport.RecordingSession`. The store imports provider pieces from
:mod:`invoice_analytics.providers.clients` only.
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Iterator, Mapping
from typing import Any

import pandas as pd
import requests

from invoice_analytics.history._transport import PendingAnswers, RecordingSession
from invoice_analytics.providers.clients import (
    FASPAY_STATUS_CODES,
    FaspayClient,
    FaspayPage,
    MayarClient,
    Progress,
    faspay_connection,
    faspay_invoices,
    mayar_connection,
    mayar_invoices,
)

__all__ = ["FASPAY_OPTIONS", "MAYAR_OPTIONS", "FaspayAPI", "MayarAPI"]

#: The ``load_faspay`` arguments a store refresh takes: the client's connection options and a session (its
#: filters would make the list partial).
FASPAY_OPTIONS = frozenset(inspect.signature(faspay_connection).parameters) | {"session"}
#: The ``load_mayar`` arguments a store refresh takes (``who`` only names the caller in an error).
MAYAR_OPTIONS = (frozenset(inspect.signature(mayar_connection).parameters) - {"who"}) | {"session"}


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
    """What both providers' refresh APIs share: the recording session, its counts, the progress bar."""

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
    """Faspay for one refresh: whole loads, single pages, the totals the answers told (one FaspayClient)."""

    def __init__(self, options: Mapping[str, Any] | None, pending: PendingAnswers | None,
                 progress: bool | None) -> None:
        kw = _checked_options("faspay", options, FASPAY_OPTIONS)
        given = kw.pop("session", None)
        conn = faspay_connection(**kw)  # checked exactly as load_faspay checks them
        self.origin = conn.origin
        self._own = given is None
        self._inner = given if given is not None else conn.session()
        self.bar = Progress("faspay", progress)
        self.session = RecordingSession(self._inner, "faspay", pending, on_answer=self._observe, progress=self.bar)
        self.client = FaspayClient(conn, self.session)
        self.start, self.end = self.client.start, self.client.end  # the loader's default window: the whole account
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
        return self.client.credential()

    def first_page_ids(self) -> list[str]:
        for code in FASPAY_STATUS_CODES:  # the first status with invoices
            ids = [str(kept.row["invoice_no"]) for kept in self.page(code, 1).rows]
            if ids:
                return ids
        return []

    def load(self, statuses: list[int] | None = None) -> pd.DataFrame:
        """The whole list (or these statuses' lists), by the loader's own body (:func:`~invoice_analytics.
        providers.faspay_invoices`; its requests step the refresh's bar, not a bar of their own)."""
        return faspay_invoices(self.client, statuses=statuses, start=self.start, end=self.end, progress=False)

    def page(self, code: int, page: int, *, customer_id: str | None = None, start: dt.date | None = None,
             end: dt.date | None = None) -> FaspayPage:
        """One checked page of one status, over the whole window or a narrower one (the client's)."""
        return self.client.page(code, page, customer_id=customer_id, start=start, end=end)

    def query(self, code: int, *, customer_id: str | None = None, start: dt.date | None = None,
              end: dt.date | None = None) -> list[dict[str, Any]]:
        """Every row of one status under a filter, page by page (the client's loop)."""
        return self.client.query(code, customer_id=customer_id, start=start, end=end)


class MayarAPI(_ProviderAPI):
    """Mayar for one refresh: whole loads, newest-first pages from any ``createdAt`` (one MayarClient)."""

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
