"""Hostile input, second round (issue 17): absurd amounts, trickled headers, endless rate limits and cursors.

Every loader runs over real HTTP against the emulator or the small stdlib
server of :mod:`tests.support.hostile`; nothing patches ``requests``.
"""

from __future__ import annotations

import pytest

from invoice_analytics import load_faspay, load_mayar
from invoice_analytics.emulator import Emulator
from invoice_analytics.errors import ResponseError
from tests.support.raw import faspay_row, mayar_row

T0 = 1_768_375_011_056


# --- money at load: beyond ±2**62 is a ResponseError -----------------------------------------------------


@pytest.mark.parametrize("outstanding", [-(2**63), 2**63 - 1, 2**62 + 1, -(2**62) - 1, str(2**63 - 1)])
def test_faspay_outstanding_beyond_two_to_the_62_is_a_response_error(outstanding):
    with Emulator([faspay_row(1), faspay_row(2, outstanding=outstanding)], []) as emu, \
            pytest.raises(ResponseError, match=r"outstanding_amount.*rupiah within ±2\*\*62"):
        load_faspay(**emu.faspay_kwargs, statuses=[1], progress=False, max_retries=0)


def test_mayar_amounts_of_int64_max_are_a_response_error():
    rows = [mayar_row(1, T0, amount=2**63 - 1), mayar_row(2, T0 - 1, amount=2**63 - 1)]
    with Emulator([], rows, mayar_rate_limit_per_minute=None) as emu, \
            pytest.raises(ResponseError, match=r"amount.*rupiah within ±2\*\*62"):
        load_mayar(**emu.mayar_kwargs, rate_limit_per_minute=None, progress=False, max_retries=0)


def test_amounts_at_the_bound_still_load():
    with Emulator([faspay_row(1, outstanding=2**62), faspay_row(2, outstanding=-(2**62))], []) as emu:
        df = load_faspay(**emu.faspay_kwargs, statuses=[1], progress=False, max_retries=0)
    assert sorted(df["outstanding"].tolist()) == [-(2**62), 2**62]


# --- one deadline per request: connect, headers and body ----------------------------------------------------


class Trickle:
    """A raw TCP server that answers every connection with a long header, one byte every ``pause`` seconds.

    ``sent`` counts the bytes each connection got before the client hung up (or the test ended).
    """

    HEAD = b"HTTP/1.1 200 OK\r\n" + b"".join(b"X-Padding-%d: %s\r\n" % (i, b"x" * 20) for i in range(10))

    def __init__(self, pause: float) -> None:
        import socket
        import threading

        self.pause = pause
        self.sent: list[int] = []
        self.stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        import threading

        self._listener.settimeout(0.05)
        while not self.stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                continue
            threading.Thread(target=self._trickle, args=(conn,), daemon=True).start()

    def _trickle(self, conn) -> None:
        index = len(self.sent)
        self.sent.append(0)
        with conn:
            conn.recv(65536)  # the request
            for byte in self.HEAD:
                if self.stop.wait(self.pause):
                    return
                try:
                    conn.sendall(bytes([byte]))
                except OSError:  # the client hung up
                    return
                self.sent[index] += 1

    def __enter__(self) -> Trickle:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self._thread.join(5)
        self._listener.close()


@pytest.mark.parametrize("provider", ["faspay", "mayar"])
def test_trickled_headers_fail_at_the_deadline_not_byte_by_byte(provider):
    from invoice_analytics.errors import TransportError
    from tests.providers.test_hostile import load, run_bounded

    with Trickle(pause=0.1) as server:
        with pytest.raises(TransportError, match=r"did not arrive whole within timeout=0.5 s") as info:
            run_bounded(lambda: load(provider, server.url, timeout=0.5, max_retries=3), limit=30)
        # 0.5 s at a byte every 0.1 s: a handful of bytes, not the 300-byte header; and no retry
        assert len(server.sent) == 1 and server.sent[0] < 40, server.sent
    assert "connect, headers and body" in str(info.value)


# --- one limit on the whole load's waiting on rate limits ----------------------------------------------------


@pytest.mark.parametrize(("provider", "most"), [("faspay", 7 + 2), ("mayar", 1 + 2)])
def test_max_wait_is_the_total_a_load_waits_on_rate_limits(provider, most):
    """429 for ever with Retry-After: 1 and max_wait=2: two pauses in all, however many workers or retries.

    Before, each request of each worker waited up to max_retries times: 7 statuses x 6 = 42 requests for
    Faspay, 6 for Mayar."""
    from invoice_analytics.errors import RateLimitError
    from tests.providers.test_hostile import load, run_bounded
    from tests.support.hostile import Hostile

    def always_429(h, n):
        h.reply(429, {"message": "slow down"}, headers={"Retry-After": "1"})

    extra = {"statuses": None} if provider == "faspay" else {}
    with Hostile(always_429) as server:
        with pytest.raises(RateLimitError, match=r"max_wait=2 s, the total for the load") as info:
            run_bounded(lambda: load(provider, server.url, max_wait=2, max_retries=5, backoff_factor=0, **extra))
        assert len(server.requests) <= most, len(server.requests)
    assert "the load has waited 2 s on rate limits" in str(info.value)


# --- a cursor that goes down for ever without new invoices ---------------------------------------------------


def test_mayar_cursor_going_down_with_no_new_invoices_is_a_response_error():
    """The same 50 invoices, each page 1 s older, hasMore for ever: before, paged until max_pages (20,000)."""
    from tests.providers.test_hostile import load, mayar_page, run_bounded
    from tests.support.hostile import Hostile

    def older_and_older(h, n):
        rows = [mayar_row(i, T0 - n * 1000 - i) for i in range(50)]
        h.reply(200, mayar_page(rows, has_more=True, cursor=str(T0 - n * 1000 - 49)))

    with Hostile(older_and_older) as server:
        with pytest.raises(ResponseError, match="pages in a row brought no new invoice") as info:
            run_bounded(lambda: load("mayar", server.url, max_pages=200))
        assert len(server.requests) == 4  # page 1, then the most pages without a new invoice allowed, plus one
    assert "startingAfter=" in str(info.value) and "50 invoices seen" in str(info.value)


def test_mayar_pages_with_new_invoices_under_a_falling_cursor_still_load():
    from tests.providers.test_hostile import load, mayar_page
    from tests.support.hostile import Hostile

    def pages(h, n):
        rows = [mayar_row(n * 100 + i, T0 - n * 1000 - i) for i in range(50)]
        h.reply(200, mayar_page(rows, has_more=n < 6))

    with Hostile(pages) as server:
        assert len(load("mayar", server.url)) == 300
