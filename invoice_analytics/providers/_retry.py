"""Retries and deadlines under the loaders' HTTP (the why: :mod:`._http`): :class:`LoaderRetry` takes its
pauses from one :class:`WaitBudget` per session; :class:`DeadlineAdapter`'s pools start a :class:`_Watchdog`
per attempt of a :class:`~._http.Caller` call, which shuts the connection when ``timeout`` has passed."""

from __future__ import annotations

import contextlib
import email.utils
import re
import socket
import threading
import time
from typing import TYPE_CHECKING, Any, cast

import urllib3.exceptions
from requests.adapters import HTTPAdapter
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.util import Retry

if TYPE_CHECKING:
    from typing import Self

    from urllib3.connection import HTTPConnection
    from urllib3.connectionpool import ConnectionPool
    from urllib3.response import BaseHTTPResponse

__all__ = ["ATTEMPT", "MAX_WAIT", "DeadlineAdapter", "LoaderRetry", "WaitBudget", "retry_after_seconds"]

#: The most a load waits, in all, on the server's rate limits (``Retry-After`` and back-off, seconds).
MAX_WAIT = 120.0


class WaitBudget:
    """The seconds a load may still wait on rate limits, shared by its threads."""

    def __init__(self, total: float) -> None:
        self.total = float(total)
        self.waited = 0.0
        self._lock = threading.Lock()

    def take(self, seconds: float) -> bool:
        """Reserve ``seconds`` of waiting; False (nothing reserved) when that would pass the total."""
        with self._lock:
            if self.waited + seconds > self.total:
                return False
            self.waited += seconds
            return True


class _Attempt(threading.local):
    """The current thread's request: its deadline, its watchdogs and why retrying stopped."""

    seconds: float | None = None
    watchdogs: list[_Watchdog]
    gave_up: str | None = None

    def __init__(self) -> None:
        self.watchdogs = []

    def expired(self) -> bool:
        return any(dog.fired for dog in self.watchdogs)

    def cancel(self) -> None:
        for dog in self.watchdogs:
            dog.cancel()


ATTEMPT = _Attempt()


class _Watchdog:
    """Shuts ``connection``'s socket when ``seconds`` have passed (a blocked read then returns at once)."""

    def __init__(self, connection: HTTPConnection, seconds: float) -> None:
        self.connection = connection
        self.fired = False
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self) -> None:
        self.fired = True
        sock = getattr(self.connection, "sock", None)
        if sock is not None:
            with contextlib.suppress(OSError, TypeError):  # the plain socket's shutdown, under TLS too
                socket.socket.shutdown(sock, socket.SHUT_RDWR)

    def cancel(self) -> None:
        self._timer.cancel()


class _DeadlineMixin:
    """A connection pool that starts a watchdog for each attempt made while a :class:`Caller` call runs."""

    def _make_request(self, conn: HTTPConnection, *args: Any, **kwargs: Any) -> BaseHTTPResponse:
        seconds = ATTEMPT.seconds
        if seconds is not None:
            ATTEMPT.cancel()  # the previous attempt of this call is over
            ATTEMPT.watchdogs.append(_Watchdog(conn, seconds))
        return super()._make_request(conn, *args, **kwargs)  # type: ignore[misc, no-any-return]


class _DeadlineHTTPPool(_DeadlineMixin, HTTPConnectionPool):  # type: ignore[misc]
    pass


class _DeadlineHTTPSPool(_DeadlineMixin, HTTPSConnectionPool):  # type: ignore[misc]
    pass


class DeadlineAdapter(HTTPAdapter):
    """requests' adapter, its pools watching each attempt's deadline."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _DeadlineHTTPPool, "https": _DeadlineHTTPSPool}


class LoaderRetry(Retry):
    """urllib3's :class:`~urllib3.util.Retry` that takes each pause from a :class:`WaitBudget`.

    A pause that would pass ``max_wait`` is not taken: its answer comes back as the last one, so the error can
    name the wait. A timed-out attempt is not retried; an unreadable ``Retry-After`` means ordinary back-off;
    an answer to be retried is closed, not drained (urllib3 would read it all, however slow)."""

    def __init__(self, *args: Any, max_wait: float = MAX_WAIT, budget: WaitBudget | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_wait = max_wait
        self.budget = budget if budget is not None else WaitBudget(max_wait)

    def new(self, **kw: Any) -> Self:
        retry = super().new(**kw)
        retry.max_wait = self.max_wait
        retry.budget = self.budget
        return retry

    def get_retry_after(self, response: BaseHTTPResponse) -> float | None:
        try:
            return super().get_retry_after(response)
        except urllib3.exceptions.InvalidHeader:
            return None

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: BaseHTTPResponse | None = None,
        error: Exception | None = None,
        _pool: ConnectionPool | None = None,
        _stacktrace: Any = None,
    ) -> Self:
        reason: Exception
        if ATTEMPT.expired():  # the deadline passed: a server this slow is not asked again
            reason = urllib3.exceptions.ReadTimeoutError(cast("ConnectionPool", _pool), url, "deadline passed")
            raise urllib3.exceptions.MaxRetryError(cast("ConnectionPool", _pool), url, reason)
        if response is not None and self.respect_retry_after_header:
            wait = retry_after_seconds(response.headers.get("Retry-After"))
            if wait is not None and wait > self.max_wait:
                ATTEMPT.gave_up = (f"the server asked to wait {wait:.0f} s (Retry-After), longer than "
                                    f"max_wait={self.max_wait:g} s (the total a load waits on rate limits)")
                reason = urllib3.exceptions.ResponseError(ATTEMPT.gave_up)
                raise urllib3.exceptions.MaxRetryError(cast("ConnectionPool", _pool), url, reason)
        retry = super().increment(method, url, response, error, _pool, _stacktrace)
        if response is not None:
            pause = retry.get_retry_after(response) if self.respect_retry_after_header else None
            pause = retry.get_backoff_time() if pause is None else pause
            if not self.budget.take(pause):
                ATTEMPT.gave_up = (
                    f"the load has waited {self.budget.waited:.0f} s on rate limits (Retry-After and back-off); "
                    f"another {pause:.0f} s would pass max_wait={self.max_wait:g} s, the total for the load")
                reason = urllib3.exceptions.ResponseError(ATTEMPT.gave_up)
                raise urllib3.exceptions.MaxRetryError(cast("ConnectionPool", _pool), url, reason)
            response.close()  # it will be retried: its body is of no use
            response.release_conn()
        return retry


def retry_after_seconds(value: str | None) -> float | None:
    """A ``Retry-After`` (seconds or an HTTP date) in seconds from now; None if absent or unreadable."""
    if value is None:
        return None
    if re.fullmatch(r"\s*[0-9]+\s*", value):
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        return None
    return max(when.timestamp() - time.time(), 0.0)
