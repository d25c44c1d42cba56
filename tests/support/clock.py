"""A fake clock for pacing tests: time moves only when slept on, so nothing really sleeps."""

from __future__ import annotations


class FakeClock:
    """A clock that moves only when slept on; records every pause."""

    def __init__(self, now: float = 100.0) -> None:
        self.now = now
        self.pauses: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.pauses.append(seconds)
        self.now += seconds
