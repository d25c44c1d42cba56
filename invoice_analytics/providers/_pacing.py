"""Mayar's sliding one-minute window: one rule for the loader, which paces itself with it (:class:`MinuteRateLimiter`),
and the emulator, which refuses with it (a 429 with :meth:`SlidingWindow.admit`'s wait)."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

__all__ = ["MinuteRateLimiter", "SlidingWindow"]


class SlidingWindow:
    """At most ``limit`` admissions in any ``seconds``-long sliding window (not thread-safe alone)."""

    def __init__(self, limit: int, *, seconds: float = 60.0) -> None:
        if limit < 1:
            raise ValueError(f"a rate limit must be a positive integer, not {limit!r}")
        self.limit = limit
        self.seconds = seconds
        self._starts: deque[float] = deque()

    def admit(self, now: float) -> float:
        """Admit a call at ``now`` and return 0.0, or return the seconds until one would be (not counted)."""
        while self._starts and now - self._starts[0] >= self.seconds:
            self._starts.popleft()
        if len(self._starts) < self.limit:
            self._starts.append(now)
            return 0.0
        return self.seconds - (now - self._starts[0])


class MinuteRateLimiter:
    """Blocks each call until ``per_minute`` calls in a sliding minute allow it (None: no pacing); ``on_wait(seconds)``
    is told before each pause (the progress bar says it is waiting)."""

    def __init__(
        self,
        per_minute: int | None,
        *,
        window: float = 60.0,
        on_wait: Callable[[float], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if per_minute is not None and (isinstance(per_minute, bool) or per_minute < 1):
            raise ValueError("rate_limit_per_minute must be a positive integer or None")
        self.per_minute = per_minute
        self._window = None if per_minute is None else SlidingWindow(per_minute, seconds=window)
        self._on_wait = on_wait
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()

    def wait(self) -> float:
        """Block until a call is allowed; return the seconds waited."""
        if self._window is None:
            return 0.0
        waited = 0.0
        with self._lock:
            while True:
                pause = self._window.admit(self._clock())
                if pause <= 0:
                    return waited
                if self._on_wait is not None:
                    self._on_wait(pause)
                self._sleep(pause)
                waited += pause
