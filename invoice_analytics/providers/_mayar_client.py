"""Mayar's client: the checked connection, the session, the cursor page and the page loop, driven by
``load_mayar`` and the history store (public in :mod:`invoice_analytics.providers.clients`, which says why)."""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import requests

from invoice_analytics._docs import doc
from invoice_analytics.errors import MissingCredentialsError, PagingWarning, ResponseError
from invoice_analytics.providers._credentials import BearerAuth, Secret, credential
from invoice_analytics.providers._http import (
    BACKOFF_FACTOR,
    MAX_RESPONSE_BYTES,
    MAX_WAIT,
    Caller,
    check_limits,
    check_origin,
    make_session,
)
from invoice_analytics.providers._pacing import MinuteRateLimiter
from invoice_analytics.providers._paging import MayarCursor
from invoice_analytics.providers._payload import PageProblem, page_rows, payload_words, require_keys

__all__ = [
    "MAYAR_MAX_PAGES",
    "MAYAR_PAGE_SIZE",
    "MAYAR_PATH",
    "MAYAR_PRODUCTION_URL",
    "MAYAR_SANDBOX_URL",
    "MayarClient",
    "MayarConnection",
    "checked_mayar_page",
    "mayar_connection",
    "mayar_origin",
    "mayar_pages",
]

#: Mayar's production origin (the default ``base_url``).
MAYAR_PRODUCTION_URL = "https://api.mayar.id"
#: Mayar's sandbox origin (``base_url="sandbox"`` picks it).
MAYAR_SANDBOX_URL = "https://api.mayar.club"
MAYAR_PATH = "/hl/v2/invoices"
MAYAR_PAGE_SIZE = 50
#: Pages a load asks at most unless ``max_pages`` says otherwise: 1,000,000 invoices at 50 a page.
MAYAR_MAX_PAGES = 20_000
_ORIGINS = {"production": MAYAR_PRODUCTION_URL, "sandbox": MAYAR_SANDBOX_URL}


def _api_key(api_key: str | None, who: str = "load_mayar") -> Secret:
    """The checked key (argument, else ``MAYAR_API_KEY``) in a :class:`Secret`."""
    key = credential(api_key, provider="mayar", name="api_key")
    if key is None:
        key = credential(os.environ.get("MAYAR_API_KEY"), provider="mayar", name="MAYAR_API_KEY")
    if key is None:
        raise MissingCredentialsError(
            "mayar", who, None, detail="no credential: pass api_key or set MAYAR_API_KEY"
        )
    return key


@dataclass(frozen=True)
class MayarConnection:
    """Mayar's connection arguments, checked: the one reading of them by the loader and the store's refresh."""

    key: Secret
    origin: str
    timeout: float
    rate_limit_per_minute: int | None
    max_retries: int
    backoff_factor: float
    max_pages: int
    max_wait: float
    max_response_bytes: int

    def session(self) -> requests.Session:
        """A new session with the loader's retries."""
        return make_session(self.max_retries, backoff_factor=self.backoff_factor, max_wait=self.max_wait)

    def caller(self, http: requests.Session) -> Caller:
        return Caller("mayar", http, timeout=self.timeout, secrets=[self.key], max_wait=self.max_wait,
                      max_response_bytes=self.max_response_bytes)

    def auth(self) -> BearerAuth:
        return BearerAuth(self.key)


def mayar_connection(*, api_key: str | None = None, base_url: str = MAYAR_PRODUCTION_URL, timeout: float = 30,
                     rate_limit_per_minute: int | None = 20, max_retries: int = 5,
                     backoff_factor: float = BACKOFF_FACTOR, max_pages: int | None = None, max_wait: float = MAX_WAIT,
                     max_response_bytes: int = MAX_RESPONSE_BYTES, who: str = "load_mayar") -> MayarConnection:
    """Check :func:`load_mayar`'s connection arguments (``who`` names the caller in a missing credential's error)."""
    key = _api_key(api_key, who)
    origin = mayar_origin(base_url)
    check_limits("mayar", timeout=timeout, max_wait=max_wait, max_response_bytes=max_response_bytes,
                 max_pages=max_pages)
    MinuteRateLimiter(rate_limit_per_minute)  # checks it
    return MayarConnection(key, origin, timeout, rate_limit_per_minute, max_retries, backoff_factor,
                           MAYAR_MAX_PAGES if max_pages is None else max_pages, max_wait, max_response_bytes)


def mayar_pages(caller: Caller, url: str, auth: BearerAuth, params: Mapping[str, Any], *,
                cursor: MayarCursor | None = None, starting_after: int | None = None,
                max_pages: int = MAYAR_MAX_PAGES, before: Callable[[], object] | None = None,
                stacklevel: int = 2) -> Iterator[tuple[list[dict[str, Any]], bool]]:
    """Mayar's page loop (the loader's and the store's): yields each checked page's (rows, has_more) under
    ``params``, newest first from ``createdAt < starting_after`` (None: the newest), fed to ``cursor``;
    ``before`` runs before each request (the pacing). Stop iterating to stop asking."""
    cursor = cursor if cursor is not None else MayarCursor()
    cursor.cursor = starting_after if starting_after is not None else cursor.cursor
    headers = {"Accept": "application/json"}
    filters = f" status={params['status']}" if "status" in params else ""
    while not cursor.done:
        after = cursor.params()
        request = f"GET {MAYAR_PATH}{filters} page {cursor.pages + 1}" + (
            f" (startingAfter={after['startingAfter']})" if after else "")
        if cursor.pages >= max_pages:
            raise caller.error(ResponseError, request, detail=(
                f"hasMore is still true after max_pages={max_pages} pages "
                f"({len(cursor.rows)} invoices); pass a larger max_pages to load more"))
        if before is not None:
            before()
        payload = caller.get_json(url, request, params={**params, **after}, headers=headers, auth=auth)
        data, has_more = checked_mayar_page(caller, request, payload)
        seen = len(cursor.warnings)
        problem = _take(cursor, data, has_more, request)
        if problem is not None:
            raise caller.error(ResponseError, request, payload_words(payload), detail=problem)
        for message in cursor.warnings[seen:]:
            warnings.warn(f"mayar: {message}", PagingWarning, stacklevel=stacklevel)
        yield data, has_more


def _take(cursor: MayarCursor, data: list[dict[str, Any]], has_more: bool, request: str) -> str | None:
    """Feed a page to the cursor; what stops the paging, or None (never raises a PageProblem)."""
    try:
        cursor.take(data, has_more=has_more, source=request)
    except PageProblem as problem:
        return str(problem)
    return None


def mayar_origin(base_url: str) -> str:
    """The checked origin of ``base_url``; "production" and "sandbox" are shorthands."""
    return check_origin(_ORIGINS.get(base_url, base_url), "mayar")


def checked_mayar_page(caller: Caller, request: str, payload: dict[str, Any]) -> tuple[list[dict[str, Any]], bool]:
    """The page's rows and hasMore, or a typed error for a failure or a bad shape."""
    words = payload_words(payload)
    status_code = payload.get("statusCode")
    if (words is not None and words.lower() == "failed") or (
        status_code is not None and str(status_code) not in ("200", "201")
    ):
        raise caller.error(ResponseError, request, words,
                           detail=f"the API reported a failure (statusCode {status_code})")
    data, problem = _rows(payload)
    if data is None:
        raise caller.error(ResponseError, request, words, detail=problem)
    has_more = payload["hasMore"]
    if not isinstance(has_more, bool):
        raise caller.error(ResponseError, request, words, detail=f"hasMore is not a boolean: {has_more!r}")
    return data, has_more


def _rows(payload: dict[str, Any]) -> tuple[list[dict[str, Any]] | None, str | None]:
    try:
        require_keys(payload, ("data", "hasMore"))
        return page_rows(payload, "id"), None
    except PageProblem as problem:
        return None, str(problem)


@doc()
class MayarClient:
    """Mayar's client: one checked connection and the session every request of a load or refresh goes through.

    {client_session}
    """

    def __init__(self, connection: MayarConnection, session: requests.Session | None = None) -> None:
        self.connection = connection
        self.origin = connection.origin
        self.url = connection.origin + MAYAR_PATH
        self._own = session is None
        self.session = session if session is not None else connection.session()
        self.caller = connection.caller(self.session)
        self._auth = connection.auth()  # adds the Authorization header as each request is sent

    @classmethod
    def from_options(cls, *, session: requests.Session | None = None, who: str = "load_mayar",
                     **options: Any) -> MayarClient:
        """A client from :func:`~invoice_analytics.load_mayar`'s connection arguments, checked as it checks them."""
        return cls(mayar_connection(**options, who=who), session)

    def __repr__(self) -> str:
        return f"MayarClient(origin={self.origin!r}, api_key=***)"

    def credential(self) -> str:
        """The key itself (for the history store's keyed fingerprint of it; never written or shown)."""
        return str(self.connection.key.reveal())

    def pages(self, *, status: str | None = None, search: str | None = None, starting_after: int | None = None,
              cursor: MayarCursor | None = None, before: Callable[[], object] | None = None,
              stacklevel: int = 2) -> Iterator[tuple[list[dict[str, Any]], bool]]:
        """:func:`mayar_pages` of one ``status``, under a ``search``."""
        params: dict[str, Any] = {"limit": MAYAR_PAGE_SIZE}
        if status is not None:
            params["status"] = status
        if search is not None:
            params["search"] = search
        yield from mayar_pages(self.caller, self.url, self._auth, params, cursor=cursor,
                               starting_after=starting_after, max_pages=self.connection.max_pages, before=before,
                               stacklevel=stacklevel + 1)

    def close(self) -> None:
        """Close the session if the client made it."""
        if self._own:
            self.session.close()

    def __enter__(self) -> MayarClient:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()
