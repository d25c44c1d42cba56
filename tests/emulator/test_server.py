"""The local emulator over real HTTP, and the sample datasets it serves."""

from __future__ import annotations

import collections
import datetime as dt
import json
import math
import re
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from invoice_analytics.emulator import (
    DEMO_FASPAY_PASSWORD,
    DEMO_FASPAY_USERNAME,
    DEMO_MAYAR_API_KEY,
    FAULTS,
    Emulator,
    _samples,
)
from invoice_analytics.providers.faspay import FASPAY_PATH, FASPAY_STATUS_LABELS, faspay_signature
from invoice_analytics.providers.mayar import MAYAR_PATH

SAMPLES = Path(__file__).resolve().parents[2] / "invoice_analytics" / "emulator" / "samples"  # package data
SIGNATURE = faspay_signature(DEMO_FASPAY_USERNAME, DEMO_FASPAY_PASSWORD)
FULL_RANGE = {"start_period": "2023-01-01", "end_period": "2026-12-31"}


@pytest.fixture(scope="module")
def faspay_rows() -> list[dict[str, Any]]:
    return _samples.generate_faspay()


@pytest.fixture(scope="module")
def mayar_rows() -> list[dict[str, Any]]:
    return _samples.generate_mayar()


@pytest.fixture(scope="module")
def emu():
    with Emulator(mayar_rate_limit_per_minute=None) as emulator:
        yield emulator


def faspay(emulator: Emulator, **body: Any) -> requests.Response:
    payload = {"signature": SIGNATURE, "page": "1", "status": 2, **FULL_RANGE, **body}
    return requests.get(emulator.url + FASPAY_PATH, json={k: v for k, v in payload.items() if v is not None}, timeout=5)


def mayar(emulator: Emulator, key: str | None = DEMO_MAYAR_API_KEY, **params: Any) -> requests.Response:
    headers = {"Authorization": f"Bearer {key}"} if key is not None else {}
    return requests.get(emulator.url + MAYAR_PATH, params=params, headers=headers, timeout=5)


def mayar_row(created: int, ident: str, status: str = "paid", **extra: Any) -> dict[str, Any]:
    customer = {
        "id": "c-" + ident, "email": f"{ident}@example.com", "mobile": "0811111111", "name": f"Customer {ident}"
    }
    return {"id": ident, "amount": 1000, "category": None, "createdAt": created, "description": "", "link": ident,
            "type": "invoice", "status": status, "name": "INVOICE", "redirectUrl": None, "customerId": customer["id"],
            "transactions": [], "customer": customer, **extra}


def faspay_row(no: int, day: str, status: str = "Paid", customer_id: Any = 1) -> dict[str, Any]:
    return {"customer_id": customer_id, "customer_name": "X", "invoice_date": f"{day} 00:00:00",
            "invoice_no": f"INV-T-{no:05d}", "due_date": f"{day} 10:00:00", "invoice_status": status,
            "outstanding_amount": 0, "period": day[:7].replace("-", "")}


# -- Faspay Billing ------------------------------------------------------------------


def test_faspay_page_has_the_documented_shape(emu, faspay_rows):
    body = faspay(emu, status=2).json()
    assert list(body) == ["current_page", "total_pages", "total_data", "response_code", "data", "message"]
    paid = [r for r in faspay_rows if r["invoice_status"] == "Paid"]
    assert body["current_page"] == "1" and body["response_code"] == "00" and body["message"] == "Success get billing"
    assert body["total_data"] == len(paid) and body["total_pages"] == math.ceil(len(paid) / 50)
    assert len(body["data"]) == 50 and all(r["invoice_status"] == "Paid" for r in body["data"])
    keys = [(r["invoice_date"], r["invoice_no"]) for r in body["data"]]
    assert keys == sorted(keys, reverse=True)  # newest first
    assert list(body["data"][0]) == list(faspay_rows[0])  # rows as stored


def test_faspay_sweep_returns_every_invoice_of_a_status_once(emu, faspay_rows):
    first = faspay(emu, status="4").json()
    seen = [r["invoice_no"] for page in range(1, first["total_pages"] + 1)
            for r in faspay(emu, status=4, page=page).json()["data"]]
    assert sorted(seen) == sorted(r["invoice_no"] for r in faspay_rows if r["invoice_status"] == "Overdue")
    beyond = faspay(emu, status=4, page=first["total_pages"] + 1).json()
    assert beyond["data"] == [] and beyond["response_code"] == "00"
    assert beyond["current_page"] == str(first["total_pages"] + 1)


def test_faspay_every_status_code_is_served(emu, faspay_rows):
    counts = collections.Counter(r["invoice_status"] for r in faspay_rows)
    for code, label in FASPAY_STATUS_LABELS.items():
        assert faspay(emu, status=code).json()["total_data"] == counts[label] > 0


def test_faspay_filters_as_in_the_reference_request():
    with Emulator(_samples.faspay_reference_rows(), []) as small:
        # page as a string, status as a number, periods with a time, customer_id as a number or a string
        body = faspay(small, page="1", status=2, customer_id=66,
                      start_period="2023-02-01 00:00:00", end_period="2023-02-24 00:00:00").json()
        assert [r["invoice_no"] for r in body["data"]] == [
            "INV-T8V-022300008", "INV-T8V-022300007", "INV-T8V-022300005"
        ]
        one = faspay(small, customer_id="66", start_period="2023-02-01", end_period="2023-02-23").json()
        assert one["total_data"] == 1
        due = faspay(small, due_date="2023-03-09 00:00:00").json()
        assert [r["invoice_no"] for r in due["data"]] == ["INV-T8V-022300005"]
        assert faspay(small, status="0").json()["data"][0]["outstanding_amount"] == 456900
        assert faspay(small, status=3).json() == {"current_page": "1", "total_pages": 0, "total_data": 0,
                                                  "response_code": "00", "data": [], "message": "Success get billing"}


def test_faspay_accepts_post_and_query_string():
    with Emulator(_samples.faspay_reference_rows(), []) as small:
        body = {"signature": SIGNATURE, "page": 1, "status": "2", **FULL_RANGE}
        assert requests.post(small.url + FASPAY_PATH, json=body, timeout=5).json()["total_data"] == 5
        assert requests.get(small.url + FASPAY_PATH, params=body, timeout=5).json()["total_data"] == 5


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"signature": "1ac4d5a611ec5376d8da43bbe33aaea1719076b6"}, "Invalid signature"),
        ({"signature": None}, "Invalid signature"),
        ({"status": 6}, "Invalid status"),
        ({"status": "Paid"}, "Invalid status"),
        ({"status": None}, "Invalid status"),
        ({"page": 0}, "Invalid page"),
        ({"page": "x"}, "Invalid page"),
        ({"start_period": None}, "Invalid start_period"),
        ({"end_period": "01/09/2023"}, "Invalid end_period"),
        ({"due_date": "tomorrow"}, "Invalid due_date"),
    ],
)
def test_faspay_refusals_are_http_200_with_code_01(emu, change, message):
    response = faspay(emu, **change)
    assert response.status_code == 200
    body = response.json()
    assert body["response_code"] == "01" and body["message"].startswith(message)
    assert "1ac4d5a6" not in response.text and SIGNATURE not in response.text


def test_faspay_reference_sample_request_is_not_json(emu):
    # The reference page's sample request, verbatim: its trailing comma makes it invalid JSON.
    text = ('{\n    "signature":"1ac4d5a611ec5376d8da43bbe33aaea1719076b6",\n    "page":"1",\n    "customer_id": 21,\n'
            '    "start_period":"2023-05-01 00:00:00",\n    "end_period":"2023-09-01 00:00:00",\n'
            '    "due_date":"2023-09-21 00:00:00",\n    "status":4,\n}')
    response = requests.get(emu.url + FASPAY_PATH, data=text, headers={"Content-Type": "application/json"}, timeout=5)
    assert response.json() == {"response_code": "01", "message": "Invalid request"}


# -- Mayar --------------------------------------------------------------------------


@pytest.mark.parametrize("key", [None, "wrong-key", ""])
def test_mayar_refuses_a_missing_or_wrong_key(emu, key):
    response = mayar(emu, key=key)
    assert response.status_code == 401 and response.json() == {"statusCode": 401, "messages": "Unauthorized"}


def test_mayar_page_has_the_documented_shape(emu, mayar_rows):
    body = mayar(emu).json()
    assert list(body) == ["statusCode", "messages", "data", "hasMore", "nextStartingAfter"]
    assert body["statusCode"] == 200 and body["messages"] == "success" and body["hasMore"] is True
    assert [r["id"] for r in body["data"]] == [r["id"] for r in mayar_rows[:10]]  # default limit 10, newest first
    assert body["nextStartingAfter"] == str(body["data"][-1]["createdAt"])
    assert len(mayar(emu, limit=500).json()["data"]) == 50  # clamped
    cursor = mayar_rows[-3]["createdAt"]
    last = mayar(emu, limit=50, startingAfter=str(cursor)).json()
    assert last["hasMore"] is False and last["nextStartingAfter"] is None
    assert last["data"] == [r for r in mayar_rows if r["createdAt"] < cursor]


def test_mayar_filters_and_bad_parameters(emu, mayar_rows):
    closed = mayar(emu, status="closed", limit=50).json()["data"]
    assert closed and all(r["status"] == "closed" for r in closed)
    hits = mayar(emu, search="BUDI.SANTOSO@example", limit=50).json()["data"]
    assert "6f8c19ff-5b97-4792-aa89-d2a12797b356" in [r["id"] for r in hits]
    assert mayar(emu, search="pelunasan", limit=5).json()["data"][0]["description"].lower().startswith("pelunasan")
    assert mayar(emu, search="no such thing anywhere").json() == {
        "statusCode": 200, "messages": "success", "data": [], "hasMore": False, "nextStartingAfter": None}
    assert mayar(emu, startingAfter="yesterday").status_code == 400
    assert mayar(emu, limit="ten").status_code == 400
    missing = requests.get(emu.url + "/hl/v1/nothing", timeout=5)
    assert missing.status_code == 404 and missing.json()["statusCode"] == 404


def test_mayar_cursor_strict_loses_and_inclusive_repeats_a_tie_at_the_boundary():
    rows = [mayar_row(500, "a"), mayar_row(400, "b"), mayar_row(400, "c"), mayar_row(400, "d"), mayar_row(300, "e")]
    walks = {}
    for mode in ("strict", "inclusive"):
        with Emulator([], rows, mayar_cursor=mode, mayar_rate_limit_per_minute=None) as small:
            first = mayar(small, limit=2).json()
            assert [r["id"] for r in first["data"]] == ["a", "b"] and first["nextStartingAfter"] == "400"
            walks[mode] = [r["id"] for r in mayar(small, limit=2, startingAfter="400").json()["data"]]
    assert walks["strict"] == ["e"]  # c and d are lost
    assert walks["inclusive"] == ["b", "c"]  # b again


def test_mayar_full_walk_over_the_samples(emu, mayar_rows):
    """A strict cursor walk loses the tie rows beyond each page boundary; the samples make that visible."""
    seen, cursor = [], None
    while True:
        body = mayar(emu, limit=50, **({"startingAfter": cursor} if cursor else {})).json()
        seen += [r["id"] for r in body["data"]]
        if not body["hasMore"]:
            break
        cursor = body["nextStartingAfter"]
    assert len(seen) == len(set(seen)) and set(seen) < {r["id"] for r in mayar_rows}


def test_mayar_rate_limit_answers_429_with_retry_after():
    with Emulator([], [mayar_row(1, "a")], mayar_rate_limit_per_minute=3) as small:
        assert [mayar(small).status_code for _ in range(3)] == [200, 200, 200]
        refused = mayar(small)
        assert refused.status_code == 429 and refused.json() == {"statusCode": 429, "messages": "Too Many Requests"}
        assert 55 <= int(refused.headers["Retry-After"]) <= 60
        assert faspay(small).status_code == 200  # Faspay has no rate limit
        assert [r.status_code for r in small.requests if r.provider == "mayar"] == [200, 200, 200, 429]


# -- faults, mutation, controls --------------------------------------------------------

def _not_json(r: requests.Response, p: str) -> bool:
    with pytest.raises(ValueError):
        r.json()
    return True


EXPECTED = {
    "429": (429, lambda r, p: (r.json() == {"statusCode": 429, "messages": "Too Many Requests"}
                               and r.headers["Retry-After"] == "2")),
    "500": (500, lambda r, p: "Internal Server Error" in r.text),
    "502": (502, lambda r, p: "Bad Gateway" in r.text),
    "503": (503, lambda r, p: "Service Unavailable" in r.text),
    "malformed": (200, _not_json),
    "missing-keys": (200, lambda r, p: "data" not in r.json()),
    "failed": (200, lambda r, p: r.json() == (
        {"response_code": "01", "message": "Failed get billing: internal error"} if p == "faspay"
        else {"statusCode": 400, "messages": "failed", "data": None})),
    "401": (401, lambda r, p: r.json() == ({"response_code": "01", "message": "Unauthorized"} if p == "faspay"
                                           else {"statusCode": 401, "messages": "Unauthorized"})),
    "403": (403, lambda r, p: "Forbidden" in r.json()["message" if p == "faspay" else "messages"]),
}


@pytest.mark.parametrize("provider", ["faspay", "mayar"])
@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_each_fault_answers_the_next_requests_then_stops(fault, provider):
    with Emulator(_samples.faspay_reference_rows(), _samples.mayar_reference_rows(),
                  mayar_rate_limit_per_minute=None, retry_after=2) as small:
        call = faspay if provider == "faspay" else mayar
        other = mayar if provider == "faspay" else faspay
        small.inject(fault, provider=provider, times=2)
        assert other(small).status_code == 200  # the other provider is not affected
        for _ in range(2):
            if fault == "drop":
                with pytest.raises(requests.ConnectionError):
                    call(small)
                continue
            response = call(small)
            status, check = EXPECTED[fault]
            assert response.status_code == status and check(response, provider)
        normal = call(small)
        assert normal.status_code == 200 and normal.json()["data"]
        assert [r.status_code for r in small.requests if r.provider == provider][-3:-1] == (
            [0, 0] if fault == "drop" else [EXPECTED[fault][0]] * 2)


def test_inject_without_provider_hits_either_and_rejects_unknown_faults():
    with Emulator([], [], mayar_rate_limit_per_minute=None) as small:
        small.inject("500", times=2)
        assert faspay(small).status_code == 500 and mayar(small).status_code == 500 and mayar(small).status_code == 200
        with pytest.raises(ValueError):
            small.inject("418")


def test_on_request_can_create_invoices_mid_sweep_and_pages_shift():
    rows = [faspay_row(i, (dt.date(2025, 1, 1) + dt.timedelta(days=i)).isoformat()) for i in range(120)]
    with Emulator(rows, []) as small:
        calls = []

        def create_before_page_two(provider: str, n: int) -> None:
            calls.append((provider, n))
            if n == 2:
                small.add_faspay_invoice(faspay_row(999, "2026-01-01"))

        small.on_request = create_before_page_two
        one, two = faspay(small, page=1).json(), faspay(small, page=2).json()
        assert one["total_data"] == 120 and two["total_data"] == 121
        assert two["data"][0] == one["data"][-1]  # the page shifted: a row is repeated
        assert calls == [("faspay", 1), ("faspay", 2)]
        small.on_request = None
        small.set_faspay_status("INV-T-00119", "Unpaid")
        assert faspay(small, status=1).json()["data"][0]["invoice_no"] == "INV-T-00119"
        assert faspay(small, status=2).json()["total_data"] == 120
        with pytest.raises(KeyError):
            small.set_faspay_status("nope", "Paid")
        with pytest.raises(ValueError):
            small.set_faspay_status("INV-T-00001", "Settled")


def test_mayar_invoices_added_mid_walk_appear_on_top():
    with Emulator([], [mayar_row(100, "old")], mayar_rate_limit_per_minute=None) as small:
        small.on_request = lambda provider, n: small.add_mayar_invoice(mayar_row(200 + n, f"new{n}"))
        assert [r["id"] for r in mayar(small).json()["data"]] == ["new1", "old"]


def test_latency_and_request_log_without_secrets():
    with Emulator([], [], mayar_rate_limit_per_minute=None) as small:
        small.latency = 0.05
        started = time.monotonic()
        faspay(small, status=5)
        assert time.monotonic() - started >= 0.05  # a lower bound only: it cannot flake
        small.latency = 0.0
        mayar(small, limit=5, status="paid")
        fas, may = small.requests
        assert (fas.provider, fas.method, fas.path, fas.status_code) == ("faspay", "GET", FASPAY_PATH, 200)
        assert fas.params == {"page": "1", "status": 5, **FULL_RANGE}  # no signature
        assert (may.provider, may.params, may.status_code) == ("mayar", {"limit": "5", "status": "paid"}, 200)
        assert fas.at <= may.at
        assert SIGNATURE not in repr(small.requests) and DEMO_MAYAR_API_KEY not in repr(small.requests)


def test_lifecycle_and_kwargs():
    emulator = Emulator([], [])
    with pytest.raises(RuntimeError):
        _ = emulator.url
    with emulator:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", emulator.url)
        assert emulator.faspay_kwargs == {"base_url": emulator.url, "username": "demo", "password": "demo-password"}
        assert emulator.mayar_kwargs == {"base_url": emulator.url, "api_key": "demo-mayar-key"}
        url = emulator.url
    with pytest.raises(requests.ConnectionError):
        requests.get(url + MAYAR_PATH, timeout=2)


def test_default_datasets_are_the_committed_samples(emu):
    total = sum(faspay(emu, status=code).json()["total_data"] for code in FASPAY_STATUS_LABELS)
    assert total == len(json.loads((SAMPLES / "faspay-invoices.json").read_text()))
    assert mayar(emu, limit=1).json()["data"][0] == json.loads((SAMPLES / "mayar-invoices.json").read_text())[0]


# -- the sample datasets -----------------------------------------------------------------


def test_samples_are_deterministic(faspay_rows, mayar_rows):
    assert _samples.generate_faspay() == faspay_rows and _samples.generate_mayar() == mayar_rows
    assert _samples.generate_faspay(n=300, seed=1) != faspay_rows[:300]


def test_committed_sample_files_equal_the_generators(faspay_rows, mayar_rows):
    assert json.loads((SAMPLES / "faspay-invoices.json").read_text(encoding="utf-8")) == faspay_rows
    assert json.loads((SAMPLES / "mayar-invoices.json").read_text(encoding="utf-8")) == mayar_rows
    for name, text in (("faspay", _samples.FASPAY_REFERENCE_RESPONSE), ("mayar", _samples.MAYAR_REFERENCE_RESPONSE)):
        assert (SAMPLES / f"{name}-reference-response.json").read_text(encoding="utf-8") == text


def test_faspay_samples_have_the_claimed_properties(faspay_rows):
    assert len(faspay_rows) == 6000 and faspay_rows[:6] == _samples.faspay_reference_rows()
    generated = faspay_rows[6:]
    days = sorted(r["invoice_date"][:10] for r in generated)
    assert days[0] == "2025-01-01" and days[-1] == "2026-11-15"  # 22.5 months
    assert len({r["invoice_no"] for r in faspay_rows}) == len(faspay_rows)
    assert all(re.fullmatch(r"INV-[A-Z0-9]{3}-\d{9}", r["invoice_no"]) for r in faspay_rows)
    assert 350 <= len({r["customer_name"] for r in faspay_rows}) <= 410
    statuses = collections.Counter(r["invoice_status"] for r in faspay_rows)
    assert set(statuses) == set(FASPAY_STATUS_LABELS.values()) and statuses.most_common(1)[0][0] == "Paid"
    by_status = collections.defaultdict(list)
    for r in generated:
        amount = int(r["outstanding_amount"])
        assert amount % 100 == 0
        by_status[r["invoice_status"]].append(amount)
        invoice = dt.date.fromisoformat(r["invoice_date"][:10])
        due = dt.datetime.strptime(r["due_date"], "%Y-%m-%d %H:%M:%S")
        assert 7 <= (due.date() - invoice).days <= 60 and r["period"] == invoice.strftime("%Y%m")
    assert all(a > 0 for a in by_status["Unpaid"] + by_status["Overdue"] + by_status["Partial Paid"])
    negative = sum(a < 0 for a in by_status["Paid"]) / len(by_status["Paid"])
    assert 0.01 < negative < 0.06 and max(by_status["Paid"]) == 0
    for label in ("Draft", "Proforma", "Cancelled"):
        assert any(a > 0 for a in by_status[label]) and any(a == 0 for a in by_status[label])
    kinds = collections.Counter(type(r["customer_id"]).__name__ for r in faspay_rows)
    assert kinds["str"] > 100 and 30 < kinds["NoneType"] < 100
    assert 100 < sum(isinstance(r["outstanding_amount"], str) for r in faspay_rows) < 300


def test_mayar_samples_have_the_claimed_properties(mayar_rows):
    assert len(mayar_rows) == 2500 and len({r["id"] for r in mayar_rows}) == 2500
    reference = _samples.mayar_reference_rows()
    assert all(row in mayar_rows for row in reference)
    keys = [(-r["createdAt"], r["id"]) for r in mayar_rows]
    assert keys == sorted(keys)  # newest first, as listed
    first, last = (dt.datetime.fromtimestamp(mayar_rows[i]["createdAt"] / 1000, dt.UTC) for i in (-1, 0))
    assert (last - first).days >= 18 * 30
    statuses = collections.Counter(r["status"] for r in mayar_rows)
    assert 0.5 < statuses["paid"] / 2500 < 0.7 and statuses["active"] > statuses["closed"] > 0
    assert 250 <= len({r["customerId"] for r in mayar_rows}) <= 300
    assert all(r["customerId"] == r["customer"]["id"] and r["customer"]["mobile"].startswith("08") for r in mayar_rows)
    assert {t["status"] for r in mayar_rows for t in r["transactions"]} == {"created", "paid", "failed", "expired"}
    assert 20 < sum(isinstance(r["amount"], str) for r in mayar_rows) < 100
    sizes = collections.Counter(r["createdAt"] for r in mayar_rows)
    groups = [n for n in sizes.values() if n > 1]
    assert len(groups) >= 100 and max(groups) <= 10
    straddling = [b for b in range(50, 2500, 50) if mayar_rows[b - 1]["createdAt"] == mayar_rows[b]["createdAt"]]
    assert len(straddling) >= 5


@pytest.mark.parametrize("length", ["abc", "-5", str(10**12)])
def test_bad_content_length_is_a_400(length):
    import http.client

    with Emulator([], []) as emu:
        port = int(emu.url.rsplit(":", 1)[1])
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.putrequest("GET", FASPAY_PATH)
        conn.putheader("Content-Length", length)
        conn.endheaders()
        response = conn.getresponse()
        assert response.status == 400 and b"Content-Length" in response.read()
        conn.close()


def test_caches_and_request_log_are_bounded():
    from invoice_analytics.emulator import _faspay, _mayar, _server

    assert _server.REQUEST_LOG_SIZE and _faspay.LIST_CACHE_SIZE and _mayar.CLIENT_WINDOWS
    with Emulator([], [], mayar_rate_limit_per_minute=None) as emu:
        assert emu.requests.maxlen == _server.REQUEST_LOG_SIZE
        for day in range(_faspay.LIST_CACHE_SIZE + 5):  # a distinct filter each time
            requests.get(emu.url + FASPAY_PATH, timeout=5, json={
                "signature": SIGNATURE, "page": 1, "status": 1,
                "start_period": f"2025-01-{1 + day % 28:02d}", "end_period": f"{2026 + day // 28}-12-31"})
        assert len(emu.faspay._lists) == _faspay.LIST_CACHE_SIZE


def test_invoices_can_be_updated_and_removed_between_loads():
    import invoice_analytics as ia

    faspay_rows = _samples.faspay_reference_rows()
    mayar_rows = _samples.mayar_reference_rows()
    with Emulator(faspay_rows, mayar_rows, mayar_rate_limit_per_minute=None) as emu:
        first = faspay_rows[0]["invoice_no"]
        emu.update_faspay_invoice(first, outstanding_amount=123, invoice_status="Unpaid")
        emu.remove_faspay_invoice(faspay_rows[1]["invoice_no"])
        emu.update_mayar_invoice(mayar_rows[0]["id"], status="paid")
        emu.remove_mayar_invoice(mayar_rows[1]["id"])
        faspay = ia.load_faspay(**emu.faspay_kwargs, progress=False).set_index("invoice_id")
        mayar = ia.load_mayar(**emu.mayar_kwargs, rate_limit_per_minute=None, progress=False).set_index("invoice_id")
        with pytest.raises(KeyError):
            emu.update_mayar_invoice("no-such-id", status="paid")
        with pytest.raises(ValueError, match="unknown Faspay status label"):
            emu.update_faspay_invoice(first, invoice_status="Lunas")
    assert (faspay.loc[first, "outstanding"], faspay.loc[first, "status"]) == (123, "unpaid")
    assert faspay_rows[1]["invoice_no"] not in faspay.index and len(faspay) == len(faspay_rows) - 1
    assert mayar.loc[mayar_rows[0]["id"], "status"] == "paid" and len(mayar) == len(mayar_rows) - 1


@pytest.mark.parametrize("rule", ["strict", "inclusive"])
def test_mayar_pages_follow_every_change_of_the_data(rule):
    """The newest-first orders are computed once per state: every kind of change is seen by the next page."""
    rows = [mayar_row(1_000 + (i // 3), f"i{i:03d}", ("active", "paid", "closed")[i % 3]) for i in range(120)]

    def expected(records, status, cursor, search=None, limit=50):
        keep = [r for r in records if (cursor is None or r["createdAt"] < cursor or
                                       (rule == "inclusive" and r["createdAt"] == cursor))
                and (status is None or r["status"] == status)
                and (search is None or search in r["customer"]["email"])]
        return sorted(keep, key=lambda r: (-r["createdAt"], r["id"]))[:limit]

    def check(emulator):
        records = list(emulator.mayar.invoices)
        for status in (None, "active", "paid", "closed", "other"):
            for cursor in (None, 2_000, 1_030, 1_029, 1_000, 999):
                params = {"limit": 50, "status": status, "startingAfter": cursor}
                got = mayar(emulator, **{k: v for k, v in params.items() if v is not None}).json()
                want = expected(records, status, cursor, limit=51)
                assert got["data"] == want[:50] and got["hasMore"] == (len(want) > 50)
        got = mayar(emulator, limit=5, search="i01", startingAfter=1_030).json()["data"]
        assert got == expected(records, None, 1_030, search="i01", limit=5)

    with Emulator([], rows, mayar_rate_limit_per_minute=None, mayar_cursor=rule) as emulator:
        check(emulator)
        emulator.update_mayar_invoice("i010", status="paid")
        emulator.add_mayar_invoice(mayar_row(1_015, "new", "active"))
        emulator.remove_mayar_invoice("i050")
        check(emulator)
        with emulator._lock:  # a record replaced in the list, as the simulated clock does
            emulator.mayar.invoices[7] = {**emulator.mayar.invoices[7], "status": "closed", "createdAt": 1_031}
        check(emulator)


# --- bounded threads (issue 17) ----------------------------------------------------------------------------


def _read_to_end(sock) -> bytes:
    """Everything the server sends before it closes ``sock`` (a reset counts as closed)."""

    got = b""
    sock.settimeout(30)  # a generous hard limit: the server closes long before
    try:
        while chunk := sock.recv(4096):
            got += chunk
    except ConnectionResetError:
        pass
    except TimeoutError:
        raise AssertionError("the emulator kept a half-open connection open") from None
    return got


def test_600_half_open_connections_get_no_600_threads_and_are_all_closed():
    import socket
    import threading

    from invoice_analytics import load_mayar

    baseline = threading.active_count()
    with Emulator([], [], mayar_rate_limit_per_minute=None, max_connections=16, header_timeout=0.5) as emu:
        host, port = emu.url.removeprefix("http://").split(":")
        sockets, most_threads = [], 0
        try:
            for _ in range(600):  # connect, send nothing
                sockets.append(socket.create_connection((host, int(port)), timeout=30))
                most_threads = max(most_threads, threading.active_count())
            answers = [_read_to_end(s) for s in sockets]
        finally:
            for s in sockets:
                s.close()
        server = emu._server
        assert server is not None and server.peak <= 16
        assert most_threads - baseline <= 2 * 16 + 4  # a thread and a header timer per served connection
        busy = [a for a in answers if a.startswith(b"HTTP/1.1 503")]
        assert len(busy) == server.refused and len(answers) == 600  # every connection was closed
        assert server.active == 0
        assert len(load_mayar(**emu.mayar_kwargs, rate_limit_per_minute=None, progress=False)) == 0  # still serving


def test_headers_trickled_to_the_emulator_are_cut_off_at_the_header_timeout():
    import socket

    with Emulator([], [], mayar_rate_limit_per_minute=None, header_timeout=0.5) as emu:
        host, port = emu.url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=30) as sock:
            sent = 0
            try:
                for byte in b"GET /hl/v2/invoices HTTP/1.1\r\nHost: x\r\n" + b"X-Slow: 1\r\n" * 100:
                    sock.sendall(bytes([byte]))
                    sent += 1
                    time.sleep(0.05)
            except OSError:  # the emulator hung up
                pass
            assert _read_to_end(sock) == b""  # closed, without an answer
        assert sent < 200  # 0.5 s at 20 bytes a second: far from the 1,240-byte head


def test_load_mayar_through_the_emulator_reads_every_sample_invoice_and_logs_each_request():
    """Was the example of ``Emulator`` (an example starts no server)."""
    from invoice_analytics import load_mayar

    with Emulator(faspay_invoices=[], mayar_rate_limit_per_minute=None) as emu:
        df = load_mayar(**emu.mayar_kwargs, rate_limit_per_minute=None, progress=False)
        log = list(emu.requests)
    assert len(df) == 2500
    assert len(log) == 52  # 50 pages of 50, and 2 more: each cursor re-reads its boundary millisecond
    assert (log[0].provider, log[0].path, log[0].params, log[0].status_code) == (
        "mayar", "/hl/v2/invoices", {"limit": "50"}, 200)


def test_injected_503s_are_retried_by_the_loader_then_the_load_completes():
    """Was the example of ``Emulator.inject`` (an example starts no server)."""
    from invoice_analytics import load_mayar

    with Emulator(mayar_rate_limit_per_minute=None) as emu:
        emu.inject("503", provider="mayar", times=2)
        df = load_mayar(**emu.mayar_kwargs, rate_limit_per_minute=None, backoff_factor=0, progress=False)
        codes = [r.status_code for r in emu.requests]
    assert codes[:3] == [503, 503, 200] and len(df) == 2500
