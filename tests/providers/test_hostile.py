"""The loaders against hostile servers over loopback: redirects, echoed and malformed credentials,
endless paging, absurd totals, long Retry-After, slow bodies, decompression bombs, deep JSON.

Each server is a small stdlib server (``_hostile.Hostile``) on 127.0.0.1; 127.0.0.2 is "another
host". Nothing is patched; bounds are asserted by counting requests, and the slow cases are guarded
by a generous hard timeout (a thread join) that only trips if the bound were missing.
"""

from __future__ import annotations

import email.utils
import gzip
import json
import threading
import time
from contextlib import nullcontext
from typing import Any

import pytest
import requests

from invoice_analytics import (
    CredentialError,
    InvoiceAPIError,
    PagingWarning,
    RateLimitError,
    ResponseError,
    ServerError,
    TransportError,
    load_faspay,
    load_invoices,
    load_mayar,
)
from invoice_analytics.emulator import DEMO_FASPAY_PASSWORD, DEMO_FASPAY_USERNAME, DEMO_MAYAR_API_KEY, Emulator
from invoice_analytics.providers.faspay import faspay_signature
from tests.support.hostile import Handler, Hostile
from tests.support.raw import faspay_row, mayar_row

KEY = "sk-live-5f3a9c2e7b1d4068a9e2c4b6d8f0a1b3"
SIGNATURE = faspay_signature("merchant", "pa55word-Zq9")
T0 = 1_768_375_011_056
PROVIDERS = ("faspay", "mayar")


def load(provider: str, url: str, **kw: Any):
    """One loader against ``url`` with test credentials, quickly."""
    kw.setdefault("progress", False)
    kw.setdefault("max_retries", 1)
    if provider == "faspay":
        kw.setdefault("signature", SIGNATURE)
        kw.setdefault("statuses", [1])
        return load_faspay(base_url=url, **kw)
    kw.setdefault("api_key", KEY)
    kw.setdefault("rate_limit_per_minute", None)
    return load_mayar(base_url=url, **kw)


def faspay_page(rows: list[dict], *, total_data: Any = None, total_pages: Any = 1, page: int = 1) -> dict:
    return {
        "response_code": "00", "current_page": str(page), "total_pages": total_pages,
        "total_data": len(rows) if total_data is None else total_data, "data": rows, "message": "Success",
    }


def mayar_page(rows: list[dict], *, has_more: bool, cursor: str | None = None) -> dict:
    return {"statusCode": 200, "messages": "success", "data": rows, "hasMore": has_more,
            "nextStartingAfter": cursor}


def good_page(provider: str) -> dict:
    if provider == "faspay":
        return faspay_page([faspay_row(1), faspay_row(2)])
    return mayar_page([mayar_row(1, T0), mayar_row(2, T0 - 1)], has_more=False)


def secrets_of(provider: str) -> tuple[str, ...]:
    return (SIGNATURE, "pa55word-Zq9") if provider == "faspay" else (KEY,)


def assert_no_secret(provider: str, *texts: str) -> None:
    for text in texts:
        for secret in secrets_of(provider):
            assert secret[:12] not in text


def run_bounded(target, limit: float = 60.0):
    """Run ``target()`` in a thread, joined with a generous hard timeout; return its result or raise its error."""
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["value"] = target()
        except BaseException as exc:  # handed to the test thread
            outcome["error"] = exc

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    thread.join(limit)
    assert not thread.is_alive(), f"the load was still running after {limit} s: it is not bounded"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


# --- 1. credentials go to the origin only -------------------------------------------------------------


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirect_to_another_host_is_refused_and_that_host_gets_nothing(provider, status):
    with Hostile(lambda h, n: h.reply(200, good_page(provider)), host="127.0.0.2") as other:
        target = f"{other.url}/collect?from=redirect"
        moved = Hostile(lambda h, n: h.reply(status, {"message": "moved"}, headers={"Location": target}))
        with moved as origin, pytest.raises(ResponseError) as info:
            load(provider, origin.url)
        assert len(origin.requests) == 1  # a redirect is not retried either
        assert other.requests == []
    text = str(info.value)
    assert f"redirected (HTTP {status}) to http://127.0.0.2:{other.port}" in text
    assert "credentials are never sent off the origin" in text
    assert info.value.status_code == status and info.value.provider == provider
    assert_no_secret(provider, text)


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirect_to_plain_http_elsewhere_is_refused(provider, status):
    # had the loader followed it, the credential would have gone over plain http to a host that is not the origin
    location = "http://invoices.example/billing?downgrade=1"
    with Hostile(lambda h, n: h.reply(status, {"message": "moved"}, headers={"Location": location})) as origin:
        with pytest.raises(ResponseError, match=rf"redirected \(HTTP {status}\) to http://invoices\.example;"):
            load(provider, origin.url)
        assert len(origin.requests) == 1


@pytest.mark.parametrize("provider", PROVIDERS)
def test_redirects_are_not_followed_with_the_callers_own_session(provider):
    with Hostile(lambda h, n: h.reply(200, good_page(provider)), host="127.0.0.2") as other:
        location = f"{other.url}/elsewhere"
        with (
            Hostile(lambda h, n: h.reply(307, {}, headers={"Location": location})) as origin,
            requests.Session() as session,  # follows redirects by default
            pytest.raises(ResponseError, match=r"redirected \(HTTP 307\) to http://127\.0\.0\.2:"),
        ):
            load(provider, origin.url, session=session)
        assert other.requests == []


@pytest.mark.parametrize("provider", PROVIDERS)
def test_redirect_on_the_same_origin_is_not_followed_either(provider):
    with Hostile(lambda h, n: h.reply(302, {}, headers={"Location": "/login"})) as origin:
        with pytest.raises(ResponseError, match=rf"redirected \(HTTP 302\) to http://127\.0\.0\.1:{origin.port};"):
            load(provider, origin.url)
        assert len(origin.requests) == 1


@pytest.mark.parametrize("provider", PROVIDERS)
def test_the_body_of_a_redirect_is_read_under_the_same_bounds(provider):
    """requests reads a redirect's whole body even when it does not follow it: not here."""
    def trickle(h: Handler, n: int) -> None:
        h.send_response(302)
        h.send_header("Location", "http://127.0.0.2:9/elsewhere")
        h.send_header("Content-Length", "100000")
        h.end_headers()
        try:
            while not h.server.hostile.stop.wait(0.3):
                h.wfile.write(b" ")
                h.wfile.flush()
        except OSError:
            pass

    with Hostile(trickle) as origin:
        with pytest.raises(TransportError, match="did not arrive whole within timeout=1 s"):
            run_bounded(lambda: load(provider, origin.url, timeout=1))
        assert len(origin.requests) == 1


# --- 2. credential hygiene ------------------------------------------------------------------------------


def test_mayar_key_with_surrounding_whitespace_works(monkeypatch):
    with Emulator([], [mayar_row(1, T0)], mayar_rate_limit_per_minute=None) as emu:
        df = load_mayar(base_url=emu.url, api_key=DEMO_MAYAR_API_KEY + "\n", rate_limit_per_minute=None,
                        progress=False)
        assert len(df) == 1
        monkeypatch.setenv("MAYAR_API_KEY", f"  {DEMO_MAYAR_API_KEY}\r\n")
        assert len(load_mayar(base_url=emu.url, rate_limit_per_minute=None, progress=False)) == 1


def test_faspay_credentials_with_surrounding_whitespace_work(monkeypatch):
    with Emulator([faspay_row(1)], []) as emu:
        monkeypatch.setenv("FASPAY_USERNAME", DEMO_FASPAY_USERNAME + " ")
        monkeypatch.setenv("FASPAY_PASSWORD", DEMO_FASPAY_PASSWORD + "\n")
        assert len(load_faspay(base_url=emu.url, statuses=[1], progress=False)) == 1
        sig = faspay_signature(DEMO_FASPAY_USERNAME, DEMO_FASPAY_PASSWORD)
        assert len(load_faspay(base_url=emu.url, signature=f"\t{sig}\n", statuses=[1], progress=False)) == 1
        assert len(load_faspay(base_url=emu.url, username=DEMO_FASPAY_USERNAME, password=DEMO_FASPAY_PASSWORD + "\n",
                               statuses=[1], progress=False)) == 1


@pytest.mark.parametrize(
    ("provider", "arguments", "named", "kind"),
    [
        ("mayar", {"api_key": "sk-live-abc\u2019def"}, "api_key", "outside Latin-1"),
        ("mayar", {"api_key": "sk-live-abc\x00def"}, "api_key", "control character"),
        ("mayar", {"api_key": "sk-live-abc\r\nX-Evil: 1"}, "api_key", "control character"),
        ("faspay", {"signature": "sk-live-abc\u2019def"}, "signature", "outside Latin-1"),
        ("faspay", {"signature": None, "username": "merchant", "password": "sk-live-abc\x7fdef"}, "password",
         "control character"),
    ],
)
def test_unusable_credentials_are_refused_before_any_request_without_echo(provider, arguments, named, kind):
    with Hostile() as server:
        with pytest.raises(CredentialError) as info:
            load(provider, server.url, **arguments)
        assert server.requests == []
    err = info.value
    assert isinstance(err, InvoiceAPIError) and isinstance(err, ValueError)
    assert err.provider == provider and err.request == named and kind in str(err)
    for text in (str(err), repr(err), repr(err.args)):
        assert "sk-live-abc" not in text


def test_unusable_credential_from_the_environment_names_the_variable(monkeypatch):
    monkeypatch.setenv("MAYAR_API_KEY", "sk-live-abc\u2019def")
    with pytest.raises(CredentialError, match="MAYAR_API_KEY: the credential holds a character an HTTP header"):
        load_mayar(base_url="http://127.0.0.1:9")


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("status", [401, 403, 500])
def test_echoed_credential_is_scrubbed_before_the_text_is_shortened(provider, status):
    """The server pads its message so the echoed credential straddles the 300-character cut."""
    def echo(h: Handler, n: int) -> None:
        echoed = h.headers["Authorization"] if provider == "mayar" else json.loads(h.seen.body)["signature"]
        h.reply(status, body=("refused: " + "x" * 280 + " " + echoed + " trailing").encode(),
                headers={"Content-Type": "text/plain"})

    with Hostile(echo) as server, pytest.raises(InvoiceAPIError) as info:
        load(provider, server.url, max_retries=0)
    text = str(info.value)
    assert ("x Bearer *" if provider == "mayar" else "x *") in text  # the mask, where the cut falls
    for secret in secrets_of(provider):
        for start in range(len(secret) - 5):
            assert secret[start:start + 6] not in text  # not even a piece of it


# --- 3. every load is bounded ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total_data", "total_pages"),
    [(3, 10**9), (3, -5), (3, 0), (3, True), (3, "abc"), (0, 2), (120, 4)],
    ids=["1e9", "negative", "0-with-data", "true", "abc", "pages-without-data", "more-than-fits"],
)
def test_faspay_total_pages_must_fit_total_data_before_any_further_request(total_data, total_pages):
    rows = [faspay_row(i) for i in range(3 if total_data else 0)]
    answer = faspay_page(rows, total_data=total_data, total_pages=total_pages)
    if total_pages == 4:  # 120 invoices at 50 a page fit 3 pages, not 4
        answer = faspay_page([faspay_row(i) for i in range(50)], total_data=120, total_pages=4)
    with Hostile(lambda h, n: h.reply(200, answer)) as server:
        with pytest.raises(ResponseError, match="total_pages") as info:
            load("faspay", server.url)
        assert len(server.requests) == 1
    assert "page=1" in str(info.value) and "Success" in str(info.value)


@pytest.mark.parametrize(("total_data", "total_pages"), [(0, 0), (0, 1), (3, 1), (120, 3), (120, 2)])
def test_faspay_consistent_totals_still_load(total_data, total_pages):
    size = 50 if total_pages > 1 else total_data
    pages = {p: [faspay_row(i) for i in range((p - 1) * size, min(p * size, total_data))]
             for p in range(1, max(total_pages, 1) + 1)}

    def answer(h: Handler, n: int) -> None:
        page = json.loads(h.seen.body)["page"]
        h.reply(200, faspay_page(pages[page], total_data=total_data, total_pages=total_pages, page=page))

    with Hostile(answer) as server, pytest.warns(PagingWarning) if total_pages == 2 else nullcontext():
        df = load("faspay", server.url)
    assert len(df) == min(total_data, total_pages * 50 if total_pages > 1 else total_data)


def test_faspay_max_pages_refuses_a_load_that_needs_more():
    data = [faspay_row(i) for i in range(120)]
    with Emulator(faspay_invoices=data, mayar_invoices=[], faspay_page_size=10) as emu:
        with pytest.raises(ResponseError, match="more than max_pages=5 page requests") as info:
            load_faspay(**emu.faspay_kwargs, statuses=[1], max_pages=5, progress=False)
        assert len(emu.requests) == 1  # page 1 announced 12 pages: none of them was asked
        assert "page=1" in str(info.value)
        assert len(load_faspay(**emu.faspay_kwargs, statuses=[1], max_pages=13, progress=False)) == 120


@pytest.mark.parametrize("kind", ["same-page", "fresh-ids-one-millisecond", "cursor-goes-up"])
def test_mayar_endless_has_more_with_a_cursor_that_does_not_go_down_stops(kind):
    def answer(h: Handler, n: int) -> None:
        if kind == "same-page":
            rows = [mayar_row(i, T0 - i) for i in range(50)]
        elif kind == "fresh-ids-one-millisecond":
            rows = [mayar_row(n * 100 + i, T0) for i in range(50)]
        else:
            rows = [mayar_row(n * 100 + i, T0 + n * 1000 - i) for i in range(50)]
        h.reply(200, mayar_page(rows, has_more=True, cursor=str(T0)))

    with Hostile(answer) as server, pytest.warns(PagingWarning) if kind.startswith("fresh") else nullcontext():
        with pytest.raises(ResponseError, match="the cursor does not go down") as info:
            run_bounded(lambda: load("mayar", server.url))
        assert len(server.requests) <= 3
    assert info.value.provider == "mayar" and "startingAfter=" in str(info.value)


def test_mayar_max_pages_stops_a_list_that_goes_on():
    data = [mayar_row(i, T0 - 1000 * i) for i in range(120)]
    with Emulator([], data, mayar_rate_limit_per_minute=None) as emu:
        with pytest.raises(ResponseError, match="hasMore is still true after max_pages=2 pages") as info:
            load_mayar(**emu.mayar_kwargs, max_pages=2, rate_limit_per_minute=None, progress=False)
        assert len(emu.requests) == 2
        assert "page 3" in str(info.value)
        assert len(load_mayar(**emu.mayar_kwargs, max_pages=3, rate_limit_per_minute=None, progress=False)) == 120


def _http_date_in(seconds: int) -> str:
    return email.utils.formatdate(time.time() + seconds, usegmt=True)


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize(("status", "error"), [(429, RateLimitError), (503, ServerError)])
@pytest.mark.parametrize("header", ["3600", "date"])
def test_retry_after_longer_than_max_wait_fails_at_once(provider, status, error, header):
    value = _http_date_in(3600) if header == "date" else header
    with Hostile(lambda h, n: h.reply(status, {"message": "slow down"}, headers={"Retry-After": value})) as server:
        with pytest.raises(error) as info:
            run_bounded(lambda: load(provider, server.url, max_retries=5))
        assert len(server.requests) == 1
    text = str(info.value)
    assert "the server asked to wait 3600 s (Retry-After), longer than max_wait=120 s" in text.replace("3599", "3600")
    assert "slow down" in text and info.value.status_code == status


@pytest.mark.parametrize("provider", PROVIDERS)
def test_retry_after_within_max_wait_is_waited_out(provider):
    def answer(h: Handler, n: int) -> None:
        if n == 1:
            h.reply(429, {"message": "slow down"}, headers={"Retry-After": "1"})
        else:
            h.reply(200, good_page(provider))

    with Hostile(answer) as server:
        df = run_bounded(lambda: load(provider, server.url, max_wait=1, max_retries=2))
        # the 429, the same page asked again after the wait (and Faspay's re-check of page 1 after its sweep)
        assert len(server.requests) == (3 if provider == "faspay" else 2)
    assert len(df) == 2


@pytest.mark.parametrize("provider", PROVIDERS)
def test_unreadable_retry_after_falls_back_to_backoff(provider):
    def answer(h: Handler, n: int) -> None:
        if n == 1:
            h.reply(429, {"message": "slow down"}, headers={"Retry-After": "whenever"})
        else:
            h.reply(200, good_page(provider))

    with Hostile(answer) as server:
        df = run_bounded(lambda: load(provider, server.url, max_retries=2, backoff_factor=0.01))
        assert len(server.requests) == (3 if provider == "faspay" else 2)
    assert len(df) == 2


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_body_that_trickles_in_fails_after_the_timeout(provider):
    def trickle(h: Handler, n: int) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", "100000")
        h.end_headers()
        try:
            while not h.server.hostile.stop.wait(0.3):
                h.wfile.write(b" ")
                h.wfile.flush()
        except OSError:  # the loader hung up
            pass

    with Hostile(trickle) as server:
        with pytest.raises(TransportError, match=r"did not arrive whole within timeout=1 s") as info:
            run_bounded(lambda: load(provider, server.url, timeout=1, max_retries=2))
        assert len(server.requests) == 1  # not asked again
    assert info.value.provider == provider


@pytest.mark.parametrize("provider", PROVIDERS)
def test_an_answer_that_is_retried_is_not_read_to_its_end(provider):
    """urllib3 drains a retried answer's body before retrying; a 503 whose body never ends must not stall."""
    def answer(h: Handler, n: int) -> None:
        if n > 1:
            h.reply(200, good_page(provider))
            return
        h.send_response(503)
        h.send_header("Content-Length", "100000")
        h.end_headers()
        try:
            while not h.server.hostile.stop.wait(0.3):
                h.wfile.write(b" ")
                h.wfile.flush()
        except OSError:
            pass

    with Hostile(answer) as server:
        df = run_bounded(lambda: load(provider, server.url, timeout=1, max_retries=2, backoff_factor=0.01))
        assert len(server.requests) == (3 if provider == "faspay" else 2)
    assert len(df) == 2


def _gzip_answer(payload: bytes):
    packed = gzip.compress(payload, 9)

    def answer(h: Handler, n: int) -> None:
        h.reply(200, body=packed, headers={"Content-Encoding": "gzip"})

    return answer


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_gzip_body_inflating_past_the_cap_is_refused(provider):
    bomb = b'{"data": [], "pad": "' + b" " * (16 * 1024 * 1024) + b'"}'
    with Hostile(_gzip_answer(bomb)) as server:
        assert len(gzip.compress(bomb)) < 100_000  # 16 MiB from a small body
        with pytest.raises(ResponseError, match=r"larger than max_response_bytes=1048576 \(decompressed\)"):
            load(provider, server.url, max_response_bytes=1024 * 1024)
        assert len(server.requests) == 1


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_gzip_body_within_the_cap_loads(provider):
    with Hostile(_gzip_answer(json.dumps(good_page(provider)).encode())) as server:
        assert len(load(provider, server.url, max_response_bytes=64 * 1024)) == 2


@pytest.mark.parametrize("provider", PROVIDERS)
def test_json_nested_100000_deep_is_a_response_error(provider):
    deep = b"[" * 100_000 + b"]" * 100_000
    with Hostile(lambda h, n: h.reply(200, body=deep)) as server, pytest.raises(ResponseError) as info:
        load(provider, server.url)
    assert "the answer is JSON nested too deeply to read" in str(info.value)
    assert len(str(info.value)) < 1000  # the server's words are shortened


# --- 4. loader arguments --------------------------------------------------------------------------------


def test_load_invoices_with_no_provider_is_a_value_error():
    with pytest.raises(ValueError, match="providers is empty"):
        load_invoices([])


def test_faspay_statuses_as_one_string_is_one_status():
    data = [faspay_row(i, status=["Unpaid", "Overdue"][i % 2]) for i in range(10)]
    with Emulator(faspay_invoices=data, mayar_invoices=[]) as emu:
        df = load_faspay(**emu.faspay_kwargs, statuses="overdue", progress=False)
        sent = {str(r.params["status"]) for r in emu.requests}
    assert sent == {"4"} and len(df) == 5


def test_faspay_empty_statuses_is_a_value_error():
    with pytest.raises(ValueError, match="statuses is empty"):
        load_faspay(base_url="http://127.0.0.1:9", signature="x" * 40, statuses=[])


@pytest.mark.parametrize("rate", [0, -1, True])
def test_mayar_bad_rate_limit_is_refused_before_anything(rate):
    with Hostile() as server, pytest.raises(ValueError, match="rate_limit_per_minute"):
        load_mayar(base_url=server.url, api_key=KEY, rate_limit_per_minute=rate)
    assert server.requests == []


@pytest.mark.parametrize(
    ("keyword", "value"),
    [("max_pages", 0), ("max_pages", True), ("max_wait", -1), ("max_response_bytes", 0), ("timeout", 0)],
)
@pytest.mark.parametrize("provider", PROVIDERS)
def test_bad_limits_are_refused(provider, keyword, value):
    with Hostile() as server, pytest.raises(ValueError, match=keyword):
        load(provider, server.url, **{keyword: value})
    assert server.requests == []
