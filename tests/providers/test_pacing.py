"""The sliding rate window shared by the Mayar loader and the emulator, on a fake clock (no sleeping)."""

from __future__ import annotations

import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from invoice_analytics.providers._pacing import MinuteRateLimiter, SlidingWindow
from tests.support.clock import FakeClock

# --------------------------------------------------------------------------- SlidingWindow


@pytest.mark.parametrize("limit", [0, -1])
def test_window_needs_a_positive_limit(limit):
    with pytest.raises(ValueError, match="positive integer"):
        SlidingWindow(limit)


def test_window_admits_up_to_the_limit_then_says_how_long_to_wait():
    window = SlidingWindow(3, seconds=60)
    assert [window.admit(now) for now in (0.0, 10.0, 20.0)] == [0.0, 0.0, 0.0]
    assert window.admit(30.0) == 30.0  # the call at 0 leaves the window at 60
    assert window.admit(59.5) == 0.5


def test_a_refused_call_is_not_counted():
    window = SlidingWindow(1, seconds=10)
    assert window.admit(0.0) == 0.0
    for now in (1.0, 2.0, 9.0):
        assert window.admit(now) == 10.0 - now
    assert window.admit(10.0) == 0.0  # the refusals did not push the window on
    assert window.admit(15.0) == 5.0


def test_a_call_leaves_the_window_exactly_after_its_length():
    window = SlidingWindow(2, seconds=60)
    window.admit(0.0)
    window.admit(30.0)
    assert window.admit(59.999) == pytest.approx(0.001)
    assert window.admit(60.0) == 0.0  # the call at 0 is out
    assert window.admit(60.0) == 30.0  # the calls at 30 and 60 fill it again


@settings(deadline=None)  # no timing: a loaded machine must not fail it
@given(
    limit=st.integers(1, 5),
    seconds=st.sampled_from([1, 60]),
    steps=st.lists(st.integers(0, 30), min_size=1, max_size=60),
)
def test_window_never_admits_more_than_the_limit_in_any_window(limit, seconds, steps):
    # whole seconds keep the arithmetic exact (a float clock can leave a wait of one rounding error)
    window = SlidingWindow(limit, seconds=seconds)
    now, admitted = 0.0, []
    for step in steps:
        now += step
        wait = window.admit(now)
        if wait != 0.0:
            assert 0.0 < wait <= seconds
            now += wait
            assert window.admit(now) == 0.0  # calling again after the wait it named is admitted
        admitted.append(now)
    for start in admitted:
        assert sum(start <= t < start + seconds for t in admitted) <= limit


# --------------------------------------------------------------------------- MinuteRateLimiter


@pytest.mark.parametrize("per_minute", [0, -3, True, False])
def test_limiter_needs_a_positive_integer_or_none(per_minute):
    with pytest.raises(ValueError, match="rate_limit_per_minute"):
        MinuteRateLimiter(per_minute)


def test_no_limit_never_reads_the_clock_nor_sleeps():
    def no_clock() -> float:
        raise AssertionError("the clock was read")

    def no_sleep(seconds: float) -> None:
        raise AssertionError("slept")

    limiter = MinuteRateLimiter(None, clock=no_clock, sleep=no_sleep)
    assert [limiter.wait() for _ in range(100)] == [0.0] * 100


def test_limiter_waits_out_the_window():
    clock = FakeClock()
    told: list[float] = []
    limiter = MinuteRateLimiter(3, window=0.5, clock=clock, sleep=clock.sleep, on_wait=told.append)
    waits = [limiter.wait() for _ in range(7)]
    assert waits == [0.0, 0.0, 0.0, 0.5, 0.0, 0.0, 0.5]
    assert clock.pauses == told == [0.5, 0.5]  # on_wait is told every pause, before it
    assert clock.now - 100.0 == 1.0  # 7 calls at 3 per 0.5 s need two full windows


def test_limiter_keeps_waiting_when_a_sleep_ends_early():
    clock = FakeClock()
    limiter = MinuteRateLimiter(1, clock=clock, sleep=lambda seconds: clock.sleep(min(seconds, 25.0)))
    assert limiter.wait() == 0.0
    waited = limiter.wait()
    assert clock.now == 160.0  # admitted only once the first call is a minute old
    assert clock.pauses == [25.0, 25.0, 10.0]  # asked 60, then 35, then 10
    assert waited == 60.0 + 35.0 + 10.0  # every pause it asked for


def test_limiter_default_is_a_minute():
    clock = FakeClock(now=0.0)
    limiter = MinuteRateLimiter(20, clock=clock, sleep=clock.sleep)
    for _ in range(20):
        assert limiter.wait() == 0.0
        clock.now += 1.0  # one call a second: 20 calls take 20 s
    assert limiter.wait() == 40.0  # the 21st waits until the first is a minute old
    assert clock.now == 60.0


def test_limiter_does_not_wait_when_calls_are_spread_out():
    clock = FakeClock()
    limiter = MinuteRateLimiter(2, clock=clock, sleep=clock.sleep)
    for _ in range(10):
        assert limiter.wait() == 0.0
        clock.now += 30.0
    assert clock.pauses == []


def test_limiter_is_shared_safely_between_threads():
    clock = FakeClock(now=0.0)
    limiter = MinuteRateLimiter(5, clock=clock, sleep=clock.sleep)
    calls = []

    def call() -> None:
        for _ in range(6):
            calls.append(limiter.wait())

    threads = [threading.Thread(target=call) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 30
    # 30 calls at 5 a minute on a clock that moves only when slept on: one whole minute before each
    # batch of 5 after the first, whichever thread makes the call
    assert clock.pauses == [60.0] * 5 and sorted(calls) == [0.0] * 25 + [60.0] * 5


def test_the_window_admits_its_limit_then_names_the_wait() -> None:  # docsc (issue 18): was the module's doctest
    window = SlidingWindow(2, seconds=60)
    assert (window.admit(now=0.0), window.admit(now=1.0), window.admit(now=2.0)) == (0.0, 0.0, 58.0)
    assert window.admit(now=60.0) == 0.0
    assert MinuteRateLimiter(None).wait() == 0.0  # no pacing
