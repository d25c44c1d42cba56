"""The shared HTTP plumbing: origins, and secrets scrubbed even when a server echoes them."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from invoice_analytics import AuthenticationError, ResponseError, load_faspay, load_mayar
from invoice_analytics.providers._http import check_origin, make_session, redact, redact_bytes
from invoice_analytics.providers.faspay import faspay_signature


class EchoingServer(BaseHTTPRequestHandler):
    """A careless server that repeats the credential it was sent in its error."""

    def do_GET(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        if self.path.startswith("/hl/v2/invoices"):
            status, payload = 401, {"statusCode": 401, "messages": f"bad key: {self.headers['Authorization']}"}
        else:
            sent = json.loads(body).get("signature")
            status, payload = 200, {"response_code": "01", "message": f"Invalid signature {sent} for merchant"}
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def echoing():
    server = ThreadingHTTPServer(("127.0.0.1", 0), EchoingServer)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_echoed_mayar_key_is_scrubbed(echoing):
    key = "sk-live-0123456789"
    with pytest.raises(AuthenticationError) as info:
        load_mayar(base_url=echoing, api_key=key, progress=False, rate_limit_per_minute=None)
    assert key not in str(info.value) and key not in repr(info.value.args)
    assert "bad key: Bearer ***" in str(info.value)


def test_echoed_faspay_signature_is_scrubbed(echoing):
    signature = faspay_signature("merchant", "pa55word")
    with pytest.raises(AuthenticationError) as info:
        load_faspay(base_url=echoing, username="merchant", password="pa55word", statuses=[1], progress=False)
    assert signature not in str(info.value) and "pa55word" not in str(info.value)
    assert "Invalid signature *** for merchant" in str(info.value)
    assert not isinstance(info.value, ResponseError)


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://api.mayar.id", True),
        ("http://localhost:8765", True),
        ("http://[::1]:8765", True),
        ("http://127.0.0.2", True),
        ("http://10.0.0.5", False),
        ("ftp://api.mayar.id", False),
        ("https://api.mayar.id/hl/v2", False),
        ("https://user:pw@api.mayar.id", False),
    ],
)
def test_origins(url, ok):
    if ok:
        assert check_origin(url, "mayar") == url.rstrip("/")
    else:
        with pytest.raises(ValueError):
            check_origin(url, "mayar")


def test_plain_http_off_loopback_is_refused_in_words():
    with pytest.raises(ValueError, match=r"^mayar: plain http is refused for 'example.com'; use https"):
        check_origin("http://example.com", "mayar")


def test_redact_ignores_empty_secrets():
    assert redact("nothing to hide", [None, "", "ab"]) == "nothing to hide"


def test_redact_finds_a_secret_as_sent_and_as_json_writes_it():
    assert redact("bad key sk-123 in Bearer sk-123", ["sk-123"]) == "bad key *** in Bearer ***"
    assert redact('echo: "a\\"b/c"', ['a"b/c']) == 'echo: "***"'
    assert redact_bytes(b'{"message": "bad key sk-123"}', ["sk-123"]) == b'{"message": "bad key ***"}'


def backoffs(session) -> list[float]:
    """The pauses the session's retries would take before retries 1..4 after 503s."""
    from urllib3.response import HTTPResponse

    retry = session.get_adapter("https://api.mayar.id").max_retries
    pauses = []
    for _ in range(4):
        retry = retry.increment(method="GET", url="/hl/v2/invoices", response=HTTPResponse(status=503))
        pauses.append(retry.get_backoff_time())
    return pauses


def test_no_back_off_means_retrying_at_once():
    assert backoffs(make_session(5, backoff_factor=0)) == [0.0, 0.0, 0.0, 0.0]  # no random jitter either


def test_default_back_off_grows():
    first, *later = backoffs(make_session(5))
    assert first == 0.0  # urllib3 retries the first failure at once
    assert 1.0 <= later[0] <= 1.1 and 2.0 <= later[1] <= 2.1 and 4.0 <= later[2] <= 4.1  # 0.5 * 2**n + jitter
