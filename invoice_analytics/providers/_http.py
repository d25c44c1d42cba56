"""The HTTP plumbing shared by the loaders: session, retries, typed errors, redaction.

Retries are urllib3's :class:`~urllib3.util.Retry` mounted on a
:class:`requests.Session`: 429 (honouring ``Retry-After``), 500/502/503/504
and dropped or timed-out connections are retried with exponential back-off up
to ``max_retries`` times; what still fails becomes a typed
:class:`~invoice_analytics.errors.InvoiceAPIError`. Credentials travel only in
the request (header or body), never on the session, and every text that leaves
this module is scrubbed of them.
"""

from __future__ import annotations

import ipaddress
import json
import logging
from collections.abc import Iterable
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util import Retry

from invoice_analytics.errors import (
    AuthenticationError,
    InvoiceAPIError,
    RateLimitError,
    ResponseError,
    ServerError,
    TransportError,
)
from invoice_analytics.providers._payload import payload_words

log = logging.getLogger("invoice_analytics")

_E = TypeVar("_E", bound=InvoiceAPIError)

RETRY_STATUSES = (429, 500, 502, 503, 504)
BACKOFF_FACTOR = 0.5
BACKOFF_MAX = 30.0
USER_AGENT = "invoice-analytics/0.1 (+python-requests)"


def make_session(
    max_retries: int = 5, *, pool_size: int = 8, backoff_factor: float = BACKOFF_FACTOR
) -> requests.Session:
    """A session whose adapters retry 429, 5xx and dropped connections.

    Waits ``backoff_factor * 2 ** (retry - 1)`` seconds between retries (at most
    :data:`BACKOFF_MAX`), or what a 429's ``Retry-After`` says.

    >>> session = make_session(3)
    >>> session.get_adapter("https://api.mayar.id").max_retries.total
    3
    """
    retry = Retry(
        total=max_retries,
        connect=max_retries,
        read=max_retries,
        status=max_retries,
        other=0,
        allowed_methods=None,  # Faspay's list is a GET with a body; every call here is a read
        status_forcelist=RETRY_STATUSES,
        backoff_factor=backoff_factor,
        backoff_max=BACKOFF_MAX,
        backoff_jitter=0.1 if backoff_factor > 0 else 0.0,  # 0: retry at once, no random pause
        respect_retry_after_header=True,
        raise_on_status=False,  # the last answer comes back, so its words reach the error
    )
    adapter = HTTPAdapter(max_retries=retry, pool_connections=pool_size, pool_maxsize=pool_size)
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def check_origin(base_url: str, provider: str) -> str:
    """Validate an origin (scheme://host[:port]) and return it without a trailing slash.

    Plain http is refused unless the host is loopback.

    >>> check_origin("http://127.0.0.1:8765/", "mayar")
    'http://127.0.0.1:8765'
    >>> check_origin("http://example.com", "mayar")
    Traceback (most recent call last):
    ...
    ValueError: mayar: plain http is refused for 'example.com'; use https (http is allowed only on loopback)
    """
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{provider}: base_url must be an origin like https://host[:port], got {base_url!r}")
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError(
            f"{provider}: base_url must be an origin (scheme://host[:port]) without path, query or user info; "
            "the loader appends the documented path"
        )
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ValueError(
            f"{provider}: plain http is refused for {parts.hostname!r}; use https (http is allowed only on loopback)"
        )
    return f"{parts.scheme}://{parts.netloc}"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """Replace every secret in ``text`` by ``***``.

    >>> redact("bad key sk-123 in Bearer sk-123", ["sk-123"])
    'bad key *** in Bearer ***'
    """
    for secret in secrets:
        if secret and len(secret) >= 3:
            text = text.replace(secret, "***")
    return text


class Caller:
    """Sends one provider's requests and turns every failure into a typed error.

    ``secrets`` are scrubbed from every message; the caller never logs a
    header or a body.
    """

    def __init__(
        self,
        provider: str,
        session: requests.Session,
        *,
        timeout: float,
        secrets: Iterable[str | None],
    ) -> None:
        self.provider = provider
        self.session = session
        self.timeout = timeout
        self._secrets = tuple(s for s in secrets if s)

    def __repr__(self) -> str:
        return f"Caller(provider={self.provider!r}, timeout={self.timeout!r})"

    def error(self, cls: type[_E], request: str, server_message: str | None = None, **kw: Any) -> _E:
        """Build a typed error with every secret scrubbed."""
        clean = None if server_message is None else redact(server_message, self._secrets)
        detail = kw.pop("detail", None)
        if detail is not None:
            detail = redact(detail, self._secrets)
        return cls(self.provider, redact(request, self._secrets), clean, detail=detail, **kw)

    def get_json(self, url: str, request: str, **kwargs: Any) -> dict[str, Any]:
        """GET ``url`` and return its JSON object, or raise a typed error.

        ``request`` describes the call for messages (no credentials in it).
        """
        log.debug("%s: %s", self.provider, request)
        try:
            response = self.session.get(url, timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            reason = _reason(exc)
            raise self.error(TransportError, request, detail=f"no answer after retries: {reason}") from None
        status = response.status_code
        text = _short(response.text)
        if status in (401, 403):
            raise self.error(AuthenticationError, request, _server_words(response), status_code=status)
        if status == 429:
            raise self.error(RateLimitError, request, _server_words(response), status_code=status,
                             detail="rate limited through every retry")
        if status >= 500:
            raise self.error(ServerError, request, _server_words(response), status_code=status,
                             detail="server error through every retry")
        if status >= 400:
            raise self.error(ResponseError, request, _server_words(response), status_code=status)
        try:
            payload = response.json()
        except (ValueError, json.JSONDecodeError):
            raise self.error(ResponseError, request, text, status_code=status,
                             detail="the answer is not valid JSON") from None
        if not isinstance(payload, dict):
            raise self.error(ResponseError, request, text, status_code=status,
                             detail="the answer is not a JSON object")
        return payload


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _server_words(response: requests.Response) -> str:
    """The server's message from a JSON body, else the body's start."""
    try:
        payload = response.json()
    except ValueError:
        return _short(response.text) or response.reason or ""
    words = payload_words(payload) if isinstance(payload, dict) else None
    return words if words is not None else _short(response.text)


def _reason(exc: requests.RequestException) -> str:
    """A short reason for a transport failure, without the URL's query."""
    cause = exc.args[0] if exc.args else exc
    reason = getattr(cause, "reason", None)
    return _short(str(reason if reason is not None else cause), 200)
