"""The emulator's private helpers (replies, request fields, the bounded server, the samples), case by case.

These were the helpers' doctests; they live here so that a private helper's docstring says what it is for.
"""

from __future__ import annotations

from invoice_analytics.emulator._bounded import BoundedServer, DeadlineHandler
from invoice_analytics.emulator._records import content_length
from invoice_analytics.emulator._replies import as_int, day, json_reply
from invoice_analytics.emulator._samples import faspay_reference_rows, generate_faspay


def test_replies_and_request_fields() -> None:
    assert json_reply(200, {"a": 1}).body == b'{"a": 1}'
    assert [as_int(v) for v in ("12", 3.0, True, "x")] == [12, 3, None, None]
    assert (day("2026-01-31 10:00:00"), day("31/01/2026")) == ("2026-01-31", None)
    assert [content_length(v) for v in (None, "12", "-1", "x")] == [0, 12, None, None]


def test_a_new_bounded_server_counts_nothing() -> None:
    server = BoundedServer(("127.0.0.1", 0), DeadlineHandler, max_connections=2, header_timeout=1.0)
    try:
        assert (server.active, server.peak, server.refused) == (0, 0, 0)
    finally:
        server.server_close()


def test_faspay_samples_start_from_the_reference_rows_and_repeat() -> None:
    rows = generate_faspay(n=50)
    assert rows[:6] == faspay_reference_rows() and rows == generate_faspay(n=50)
