"""The HTTP plumbing shared by the loaders: session, retries, bounded answers, typed errors, redaction.

- urllib3 retries (:class:`LoaderRetry`) 429 (per ``Retry-After``), 500/502/503/504 and dropped connections
  with back-off; every pause comes out of one :class:`WaitBudget` (``max_wait``, shared by all requests and
  workers; the loaders' own pacing is not counted), and one that would pass it fails the load at once.
- One deadline (``timeout``) covers each attempt's connect, headers and body; a watchdog shuts the connection
  (a server trickling bytes cannot hold a load), and a timed-out attempt is not retried.
- Calls stay on their origin: redirects are never followed (``allow_redirects=False`` per call, so a caller's
  own session too); bodies stop at ``max_response_bytes`` decompressed; too-deep JSON is an error.
- Credentials are added to each request as it is sent (:mod:`._credentials`), never on the session; every text
  leaving this module is scrubbed of them, and typed errors are raised outside ``except`` blocks (no
  ``__context__`` holding the request).
"""

from __future__ import annotations

import ipaddress
import json
import logging
import math
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote, quote_plus, urljoin, urlsplit

import requests
import urllib3.exceptions

from invoice_analytics.errors import (
    AuthenticationError,
    InvoiceAPIError,
    RateLimitError,
    ResponseError,
    ServerError,
    TransportError,
)
from invoice_analytics.providers._credentials import Secret
from invoice_analytics.providers._payload import payload_words
from invoice_analytics.providers._retry import ATTEMPT, DeadlineAdapter, LoaderRetry
from invoice_analytics.providers._retry import MAX_WAIT as MAX_WAIT
from invoice_analytics.providers._retry import WaitBudget as WaitBudget
from invoice_analytics.providers._retry import retry_after_seconds as retry_after_seconds

if TYPE_CHECKING:

    pass

log = logging.getLogger("invoice_analytics")

_E = TypeVar("_E", bound=InvoiceAPIError)

RETRY_STATUSES = (429, 500, 502, 503, 504)
BACKOFF_FACTOR = 0.5
BACKOFF_MAX = 30.0
#: The largest answer read, once decompressed (bytes).
MAX_RESPONSE_BYTES = 32 * 1024 * 1024
USER_AGENT = "invoice-analytics/0.1 (+python-requests)"
_CHUNK = 64 * 1024
_MESSAGE_LIMIT = 300
_WHITESPACE = re.compile(r"\s+")


def make_session(
    max_retries: int = 5,
    *,
    pool_size: int = 8,
    backoff_factor: float = BACKOFF_FACTOR,
    max_wait: float = MAX_WAIT,
) -> requests.Session:
    """A session whose adapters retry 429, 5xx and dropped connections, waiting
    ``backoff_factor * 2 ** (retry - 1)`` s (at most :data:`BACKOFF_MAX`) or a 429's ``Retry-After``, all pauses
    within ``max_wait`` in total.
    """
    retry = LoaderRetry(
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
        max_wait=max_wait,
    )
    adapter = DeadlineAdapter(max_retries=retry, pool_connections=pool_size, pool_maxsize=pool_size)
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def check_origin(base_url: str, provider: str) -> str:
    """Validate an origin (scheme://host[:port]; plain http only on loopback) and return it without a trailing slash."""
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


def check_limits(
    provider: str,
    *,
    timeout: float,
    max_wait: float,
    max_response_bytes: int,
    max_pages: int | None,
) -> None:
    """Refuse limits that would not bound a load (a ValueError naming the keyword)."""
    for name, value in (("timeout", timeout), ("max_wait", max_wait)):
        if not _is_number(value) or not math.isfinite(value) or value < 0:
            raise ValueError(f"{provider}: {name} must be a finite number of seconds >= 0, not {value!r}")
    if timeout <= 0:
        raise ValueError(f"{provider}: timeout must be more than 0 seconds, not {timeout!r}")
    if not _is_count(max_response_bytes):
        raise ValueError(f"{provider}: max_response_bytes must be a positive integer, not {max_response_bytes!r}")
    if max_pages is not None and not _is_count(max_pages):
        raise ValueError(f"{provider}: max_pages must be a positive integer or None, not {max_pages!r}")


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """Replace every secret in ``text`` by ``***`` (also as written in JSON or a URL)."""
    for form in _forms(secrets):
        text = text.replace(form, "***")
    return text


def redact_bytes(body: bytes, secrets: Iterable[str | None]) -> bytes:
    """:func:`redact` for a body as it came (UTF-8)."""
    for form in _forms(secrets):
        body = body.replace(form.encode("utf-8"), b"***")
    return body


def _forms(secrets: Iterable[str | None]) -> list[str]:
    """Each secret as sent, as JSON writes it and as a URL writes it (longest first); short ones are skipped."""
    forms: dict[str, None] = {}
    for secret in secrets:
        if secret and len(secret) >= 3:
            forms.update(dict.fromkeys((secret, json.dumps(secret)[1:-1], quote(secret, safe=""), quote_plus(secret))))
    return sorted(forms, key=len, reverse=True)


@dataclass(frozen=True)
class _Answer:
    """What one call brought back, read whole (or why it could not be), scrubbed of every credential."""

    status: int = 0
    reason: str = ""
    body: bytes = field(default=b"", repr=False)
    encoding: str | None = None
    location: str | None = None
    retry_after: str | None = None
    url: str = ""
    failure: type[InvoiceAPIError] | None = None
    problem: str | None = None
    gave_up: str | None = None

    def text(self) -> str:
        try:
            return self.body.decode(self.encoding or "utf-8", errors="replace")
        except LookupError:  # an unknown charset
            return self.body.decode("utf-8", errors="replace")


class Caller:
    """Sends one provider's requests and turns every failure into a typed error; ``secrets`` are scrubbed from
    every message, and no header or body is logged."""

    def __init__(
        self,
        provider: str,
        session: requests.Session,
        *,
        timeout: float,
        secrets: Iterable[Secret | None],
        max_wait: float = MAX_WAIT,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
    ) -> None:
        self.provider = provider
        self.session = session
        self.timeout = timeout
        self.max_wait = max_wait
        self.max_response_bytes = max_response_bytes
        self._secrets = tuple(s for s in secrets if s is not None)

    def __repr__(self) -> str:
        return f"Caller(provider={self.provider!r}, timeout={self.timeout!r})"

    def scrub(self, text: str) -> str:
        """``text`` without any secret."""
        return redact(text, (secret.reveal() for secret in self._secrets))

    def scrub_bytes(self, body: bytes) -> bytes:
        """``body`` without any secret (so no page, payload or message built from it holds one)."""
        return redact_bytes(body, (secret.reveal() for secret in self._secrets))

    def words(self, text: str) -> str:
        """A server's text as it may appear in a message: scrubbed, on one line, then shortened."""
        return _short(self.scrub(_one_line(self.scrub(text))))

    def error(self, cls: type[_E], request: str, server_message: str | None = None, **kw: Any) -> _E:
        """Build a typed error with every secret scrubbed."""
        clean = None if server_message is None else self.scrub(server_message)
        detail = kw.pop("detail", None)
        if detail is not None:
            detail = self.scrub(detail)
        return cls(self.provider, self.scrub(request), clean, detail=detail, **kw)

    def get_json(self, url: str, request: str, **kwargs: Any) -> dict[str, Any]:
        """GET ``url``'s JSON object, or a typed error naming ``request``; ``kwargs`` go to ``Session.get``."""
        log.debug("%s: %s", self.provider, request)
        answer = self._fetch(url, **kwargs)
        status = answer.status
        if answer.failure is not None:  # no answer, or one that could not be read whole
            raise self.error(answer.failure, request, None, status_code=status or None, detail=answer.problem)
        if 300 <= status < 400:
            raise self.error(ResponseError, request, self._server_words(answer), status_code=status,
                             detail=self._redirect(status, answer))
        waited_too_long = answer.gave_up or self._long_wait(answer)
        if status in (401, 403):
            raise self.error(AuthenticationError, request, self._server_words(answer), status_code=status)
        if status == 429:
            raise self.error(RateLimitError, request, self._server_words(answer), status_code=status,
                             detail=waited_too_long or "rate limited through every retry")
        if status >= 500:
            raise self.error(ServerError, request, self._server_words(answer), status_code=status,
                             detail=waited_too_long or "server error through every retry")
        if status >= 400:
            raise self.error(ResponseError, request, self._server_words(answer), status_code=status)
        payload, problem = _parse(answer.body)
        if problem is not None:
            raise self.error(ResponseError, request, self.words(answer.text()), status_code=status, detail=problem)
        if not isinstance(payload, dict):
            raise self.error(ResponseError, request, self.words(answer.text()), status_code=status,
                             detail="the answer is not a JSON object")
        return payload

    def _fetch(self, url: str, **kwargs: Any) -> _Answer:
        """One call, its body read whole within the bounds; failures are described, not raised. A response hook
        reads the body: requests runs it before ``Session.send`` would read a redirect's whole body."""
        read: list[tuple[bytes, type[InvoiceAPIError] | None, str | None]] = []

        def read_bounded(response: requests.Response, *args: Any, **kw: Any) -> None:
            if not read:
                read.append(self._read(response))

        hooks = {"response": [*self.session.hooks.get("response", []), read_bounded]}
        ATTEMPT.seconds, ATTEMPT.watchdogs, ATTEMPT.gave_up = self.timeout, [], None
        try:
            answer = self._call(url, hooks, read, **kwargs)
        finally:
            expired = ATTEMPT.expired()
            ATTEMPT.cancel()
            ATTEMPT.seconds, ATTEMPT.watchdogs = None, []
        if expired:  # whatever the attempt came to, it ran out of time
            return _Answer(failure=TransportError, problem=(
                f"the answer did not arrive whole within timeout={self.timeout:g} s "
                "(one deadline covers connect, headers and body); not retried"))
        return answer

    def _call(self, url: str, hooks: dict[str, Any],
              read: list[tuple[bytes, type[InvoiceAPIError] | None, str | None]], **kwargs: Any) -> _Answer:
        try:
            response = self.session.get(url, timeout=self.timeout, stream=True, allow_redirects=False,
                                        hooks=hooks, **kwargs)
        except requests.RequestException as exc:
            return _Answer(failure=TransportError, problem=f"no answer after retries: {_reason(exc)}")
        with response:
            body, failure, problem = read[0] if read else self._read(response)
            location = response.headers.get("Location")
            return _Answer(
                gave_up=ATTEMPT.gave_up,
                status=response.status_code,
                reason=self.scrub(str(response.reason or "")),
                body=self.scrub_bytes(body),
                encoding=response.encoding,
                location=None if location is None else self.scrub(location),
                retry_after=response.headers.get("Retry-After"),
                url=str(response.url or url),
                failure=failure,
                problem=problem,
            )

    def _read(self, response: requests.Response) -> tuple[bytes, type[InvoiceAPIError] | None, str | None]:
        """The decompressed body, read in chunks against the deadline and the size cap (closed when given up on)."""
        body, failure, problem = self._read_chunks(response)
        if failure is not None:
            response.close()
        else:  # the body as requests' own `.content` would hold it (scrubbed), for any wrapper that reads it
            response._content = self.scrub_bytes(body)
            response._content_consumed = True  # type: ignore[attr-defined]  # requests sets it in .content
        return body, failure, problem

    def _read_chunks(self, response: requests.Response) -> tuple[bytes, type[InvoiceAPIError] | None, str | None]:
        if response.raw is None:  # a response made in memory (a replayed answer): its body is all there
            whole = response.content or b""
            if len(whole) > self.max_response_bytes:
                return b"", ResponseError, f"the answer is larger than max_response_bytes={self.max_response_bytes}"
            return whole, None, None
        deadline = time.monotonic() + self.timeout
        chunks: list[bytes] = []
        size = 0
        try:
            while chunk := response.raw.read1(_CHUNK, decode_content=True):
                size += len(chunk)
                if size > self.max_response_bytes:
                    return b"", ResponseError, (
                        f"the answer is larger than max_response_bytes={self.max_response_bytes} "
                        "(decompressed); it was not read further")
                chunks.append(chunk)
                if time.monotonic() > deadline:
                    return b"", TransportError, (
                        f"the answer did not arrive whole within timeout={self.timeout:g} s "
                        f"({size} bytes came)")
        except urllib3.exceptions.DecodeError as exc:
            return b"", ResponseError, f"the answer could not be decompressed: {_short(str(exc), 200)}"
        except (urllib3.exceptions.HTTPError, requests.RequestException, OSError) as exc:
            return b"", TransportError, f"the connection failed while the answer was read: {_short(str(exc), 200)}"
        return b"".join(chunks), None, None

    def _server_words(self, answer: _Answer) -> str:
        """The server's message from a JSON body, else the body's start, else the reason phrase."""
        payload, _ = _parse(answer.body)
        words = payload_words(payload) if isinstance(payload, dict) else None
        if words is None:
            words = answer.text() or answer.reason
        return self.words(words)

    def _redirect(self, status: int, answer: _Answer) -> str:
        if not answer.location:
            return f"redirected (HTTP {status}) without a Location; redirects are not followed"
        target = urlsplit(urljoin(answer.url, answer.location.strip()))
        host = target.hostname or "?"
        if ":" in host:
            host = f"[{host}]"
        try:
            port = f":{target.port}" if target.port is not None else ""
        except ValueError:
            port = ""
        where = self.words(f"{target.scheme}://{host}{port}" if target.scheme else host)
        return f"redirected (HTTP {status}) to {where}; credentials are never sent off the origin, " \
               "so redirects are not followed"

    def _long_wait(self, answer: _Answer) -> str | None:
        wait = retry_after_seconds(answer.retry_after)
        if wait is None or wait <= self.max_wait:
            return None
        return f"the server asked to wait {wait:.0f} s (Retry-After), longer than max_wait={self.max_wait:g} s"


def _parse(body: bytes) -> tuple[Any, str | None]:
    """A JSON body, or why it is not one (never raises)."""
    try:
        return json.loads(body), None
    except RecursionError:
        return None, "the answer is JSON nested too deeply to read"
    except ValueError:  # JSONDecodeError, and bytes that are no text
        return None, "the answer is not valid JSON"


def _one_line(text: str) -> str:
    """Runs of whitespace as one space (one pass, no list of words: a body may be large)."""
    return _WHITESPACE.sub(" ", text).strip()


def _short(text: str, limit: int = _MESSAGE_LIMIT) -> str:
    text = _one_line(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _reason(exc: requests.RequestException) -> str:
    """A short reason for a transport failure, without the URL's query."""
    cause = exc.args[0] if exc.args else exc
    reason = getattr(cause, "reason", None)
    return _short(str(reason if reason is not None else cause), 200)
