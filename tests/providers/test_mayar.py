"""load_mayar over real HTTP against the emulator on 127.0.0.1 (no patching)."""

from __future__ import annotations

import functools
import logging

import pandas as pd
import pytest

from invoice_analytics import (
    AuthenticationError,
    DuplicateInvoiceWarning,
    MissingCredentialsError,
    PagingWarning,
    RateLimitError,
    ResponseError,
    ServerError,
    TransportError,
    UnknownStatusWarning,
    load_mayar,
)
from invoice_analytics.emulator import DEMO_MAYAR_API_KEY, Emulator
from invoice_analytics.providers import mayar as mayar_module
from invoice_analytics.providers._pacing import MinuteRateLimiter
from invoice_analytics.providers.mayar import EXTRA_SCHEMA, MAYAR_SANDBOX_URL
from invoice_analytics.schema import CORE_SCHEMA
from tests.support.proxy import refusing_proxy
from tests.support.raw import mayar_row, reference_response

# backoff_factor=0: retries go at once (no real sleeps); injected 429s say Retry-After: 0 (retry_after=0)
FAST = {"progress": False, "max_retries": 2, "rate_limit_per_minute": None, "backoff_factor": 0}
T0 = 1_768_375_011_056


def emulator(data: list[dict], **kw) -> Emulator:
    kw.setdefault("mayar_rate_limit_per_minute", None)
    return Emulator(faspay_invoices=[], mayar_invoices=data, **kw)


def tied(n: int, ties: dict[int, int]) -> list[dict]:
    """``n`` invoices newest first, one ms apart, except runs that share a millisecond.

    ``ties`` maps a position to a run length: rows from that position share its createdAt.
    """
    out, created, i = [], T0, 0
    while i < n:
        run = ties.get(i, 1)
        for _ in range(min(run, n - i)):
            out.append(mayar_row(i, created))
            i += 1
        created -= 1000
    return out


@pytest.mark.parametrize("cursor", ["strict", "inclusive"])
def test_timestamp_ties_across_page_boundaries(cursor):
    # runs of equal createdAt straddle the 50/51 and 100/101 boundaries, and one ends exactly on 150
    data = tied(180, {46: 9, 97: 6, 147: 3})
    with emulator(data, mayar_cursor=cursor) as emu:
        df = load_mayar(**emu.mayar_kwargs, **FAST)
        pages = len(emu.requests)
    assert df["invoice_id"].is_unique
    assert set(df["invoice_id"]) == {row["id"] for row in data}
    assert pages == 4
    assert df["issued_at"].is_monotonic_decreasing


@pytest.mark.parametrize("cursor", ["strict", "inclusive"])
def test_cursor_passed_as_given_would_lose_or_repeat(cursor):
    """The hazard is real in the emulator: following nextStartingAfter naively misbehaves."""
    import requests

    data = tied(60, {46: 9})
    with emulator(data, mayar_cursor=cursor) as emu:
        headers = {"Authorization": f"Bearer {DEMO_MAYAR_API_KEY}"}
        first = requests.get(emu.url + "/hl/v2/invoices", params={"limit": 50}, headers=headers, timeout=5).json()
        second = requests.get(emu.url + "/hl/v2/invoices", headers=headers, timeout=5,
                              params={"limit": 50, "startingAfter": first["nextStartingAfter"]}).json()
    naive = [r["id"] for r in first["data"] + second["data"]]
    if cursor == "strict":
        assert len(set(naive)) < len(data)  # lost the rest of the tie
    else:
        assert len(naive) > len(set(naive))  # repeated the tie


def test_more_than_a_page_in_one_millisecond_warns():
    data = tied(70, {0: 55})
    with emulator(data, mayar_cursor="strict") as emu, pytest.warns(PagingWarning, match="share createdAt"):
        df = load_mayar(**emu.mayar_kwargs, **FAST)
    assert df["invoice_id"].is_unique and len(df) == 65  # the 5 beyond the page are unreachable


def test_reference_page_rows_and_every_dtype():
    sample = reference_response("mayar")["data"]
    with emulator(sample) as emu:
        df = load_mayar(**emu.mayar_kwargs, **FAST)
    assert list(df.columns) == [*CORE_SCHEMA, *EXTRA_SCHEMA]
    for name, dtype in {**CORE_SCHEMA, **EXTRA_SCHEMA}.items():
        assert df[name].dtype == dtype, name
    assert not any(df[c].dtype == object for c in df.columns)
    first = df.set_index("invoice_id").loc["6f8c19ff-5b97-4792-aa89-d2a12797b356"]
    assert first["amount"] == 110000 and first["outstanding"] == 0 and first["status"] == "paid"
    assert first["issued_at"] == pd.Timestamp(1768375011056, unit="ms", tz="UTC").tz_convert("Asia/Jakarta")
    assert first["customer_name"] == "Budi Santoso" and first["customer_email"] == "budi.santoso@example.com"
    assert first["transaction_count"] == 2 and first["paid_transaction_count"] == 1
    assert first["last_transaction_status"] == "paid"
    assert pd.isna(first["due_at"]) and pd.isna(first["category"]) and pd.isna(first["redirect_url"])
    closed = df.set_index("invoice_id").loc["c3d4e5f6-a7b8-9012-cdef-345678901234"]
    assert closed["status"] == "cancelled" and closed["provider_status"] == "closed"


def test_empty_account_gives_typed_empty_frame():
    with emulator([]) as emu:
        df = load_mayar(**emu.mayar_kwargs, **FAST)
    assert df.empty and list(df.columns) == [*CORE_SCHEMA, *EXTRA_SCHEMA]
    assert all(df[name].dtype == dtype for name, dtype in CORE_SCHEMA.items())


def test_amounts_as_strings_nulls_and_outstanding_rule():
    data = [
        mayar_row(1, T0, amount="456900"),
        mayar_row(2, T0 - 1, amount=None),
        mayar_row(3, T0 - 2, amount=75_000, status="paid"),
        mayar_row(4, T0 - 3, amount="1", status="closed"),
    ]
    with emulator(data) as emu:
        df = load_mayar(**emu.mayar_kwargs, **FAST)
    assert df["amount"].tolist() == [456900, pd.NA, 75000, 1]
    assert df["outstanding"].tolist() == [456900, pd.NA, 0, 0]
    assert df["status"].tolist() == ["unpaid", "unpaid", "paid", "cancelled"]


def test_unknown_status_warns_once_and_never_fails():
    data = [mayar_row(1, T0, status="refunded"), mayar_row(2, T0 - 1, status="refunded"), mayar_row(3, T0 - 2)]
    with emulator(data) as emu, pytest.warns(UnknownStatusWarning, match="refunded") as record:
        df = load_mayar(**emu.mayar_kwargs, **FAST)
    assert sum(issubclass(w.category, UnknownStatusWarning) for w in record) == 1
    assert df["status"].isna().sum() == 2 and (df["provider_status"] == "refunded").sum() == 2


def test_status_and_search_filters_reach_the_server():
    data = [mayar_row(i, T0 - i, status=["active", "paid"][i % 2]) for i in range(20)]
    with emulator(data) as emu:
        df = load_mayar(**emu.mayar_kwargs, status="paid", search="Invoice 1", **FAST)
        params = emu.requests[-1].params
    assert params["status"] == "paid" and params["search"] == "Invoice 1" and str(params["limit"]) == "50"
    assert set(df["provider_status"]) == {"paid"} and len(df) == 6  # 1, 11, 13, 15, 17, 19


@pytest.mark.parametrize("fault", ["429", "500", "502", "503", "drop"])
def test_transient_faults_are_retried(fault):
    data = tied(120, {})
    with emulator(data, retry_after=0) as emu:
        emu.inject(fault, provider="mayar", times=2)
        df = load_mayar(**emu.mayar_kwargs, progress=False, max_retries=3, rate_limit_per_minute=None,
                        backoff_factor=0)
        answered = [r.status_code for r in emu.requests]
    assert len(df) == 120 and df["invoice_id"].is_unique
    assert answered[:2] == [0 if fault == "drop" else int(fault)] * 2  # the faults were met, then retried


def test_server_rate_limit_waits_out_retry_after():
    """The suite's one real wait: a 429's Retry-After: 1 is honoured even with no back-off at all."""
    data = tied(120, {})
    with emulator(data, retry_after=1) as emu:
        emu.inject("429", provider="mayar", times=1)
        df = load_mayar(**emu.mayar_kwargs, **FAST)
        log = [(r.status_code, r.at) for r in emu.requests]
    assert len(df) == 120
    assert log[0][0] == 429 and log[1][1] - log[0][1] >= 0.9  # waited for Retry-After: 1


@pytest.mark.parametrize(
    ("fault", "error", "words"),
    [
        ("503", ServerError, "server error through every retry"),
        ("429", RateLimitError, "Too Many Requests"),
        ("drop", TransportError, "no answer"),
    ],
)
def test_persistent_faults_raise_after_max_retries(fault, error, words):
    with emulator(tied(10, {}), retry_after=0) as emu:
        emu.inject(fault, provider="mayar", times=10)
        with pytest.raises(error, match=words) as info:
            load_mayar(**emu.mayar_kwargs, progress=False, max_retries=1, rate_limit_per_minute=None,
                       backoff_factor=0)
        assert len(emu.requests) == 2  # the first try and max_retries=1 retry
    assert type(info.value) is error  # the precise type, not a sibling or the base class
    assert str(info.value).startswith("mayar: GET /hl/v2/invoices page 1")


@pytest.mark.parametrize(
    ("fault", "error", "words"),
    [
        ("failed", ResponseError, "server said: failed"),
        ("malformed", ResponseError, "not valid JSON"),
        ("missing-keys", ResponseError, "missing key"),
        ("401", AuthenticationError, "HTTP 401"),
        ("403", AuthenticationError, "HTTP 403"),
    ],
)
def test_bad_answers_on_a_later_page_raise_typed_errors(fault, error, words):
    with emulator(tied(200, {})) as emu:
        def fail_third(provider: str, n: int) -> None:
            if n == 3:
                emu.inject(fault, provider="mayar")

        emu.on_request = fail_third
        with pytest.raises(error, match=words) as info:
            load_mayar(**emu.mayar_kwargs, **FAST)
    assert "page 3" in str(info.value) and info.value.provider == "mayar"


def test_wrong_key_never_leaks(caplog, capsys):
    secret = "sk-live-THIS-MUST-NOT-LEAK"
    caplog.set_level(logging.DEBUG)
    with emulator(tied(5, {})) as emu, pytest.raises(AuthenticationError) as info:
        load_mayar(base_url=emu.url, api_key=secret, progress=True, max_retries=1)
    captured = capsys.readouterr()
    for text in (str(info.value), repr(info.value), caplog.text, captured.err, captured.out):
        assert secret not in text
    assert "Unauthorized" in str(info.value) and info.value.status_code == 401


def test_no_key_in_logs_or_progress(caplog, capsys):
    caplog.set_level(logging.DEBUG)
    with emulator(tied(120, {})) as emu:
        emu.inject("500", provider="mayar", times=1)
        load_mayar(**emu.mayar_kwargs, progress=True, max_retries=2, rate_limit_per_minute=None, backoff_factor=0)
    captured = capsys.readouterr()
    assert "mayar" in captured.err  # the bar was shown
    for text in (caplog.text, captured.err, captured.out):
        assert DEMO_MAYAR_API_KEY not in text and "Bearer" not in text


def test_missing_key(monkeypatch):
    monkeypatch.delenv("MAYAR_API_KEY", raising=False)
    with pytest.raises(MissingCredentialsError, match="MAYAR_API_KEY"):
        load_mayar()


def test_environment_key(monkeypatch):
    monkeypatch.setenv("MAYAR_API_KEY", DEMO_MAYAR_API_KEY)
    with emulator(tied(3, {})) as emu:
        assert len(load_mayar(base_url=emu.url, **FAST)) == 3
    with pytest.raises(ValueError, match="plain http is refused"):
        load_mayar(base_url="http://api.mayar.club")


@pytest.mark.parametrize(
    ("base_url", "origin"),
    [
        ("sandbox", "api.mayar.club:443"),
        (MAYAR_SANDBOX_URL, "api.mayar.club:443"),
        ("production", "api.mayar.id:443"),
        (None, "api.mayar.id:443"),  # the default
    ],
)
@pytest.mark.parametrize("refusal", [502, 403])
def test_origin_shorthands_address_the_real_hosts(base_url, origin, refusal):
    """No internet here: an https proxy on 127.0.0.1 records the CONNECT the loader sends, then refuses it."""
    key = "sk-sandbox-0123456789"
    where = {} if base_url is None else {"base_url": base_url}
    with refusing_proxy(refusal) as proxy, proxy.session() as session, pytest.raises(TransportError) as info:
        load_mayar(api_key=key, session=session, progress=False, rate_limit_per_minute=None, **where)
    assert type(info.value) is TransportError
    assert proxy.connects == [origin]  # one tunnel asked, to the real host on 443
    assert str(info.value).startswith("mayar: GET /hl/v2/invoices page 1")
    assert all(key not in text for text in proxy.seen)  # the key goes inside the tunnel, never to the proxy
    assert key not in str(info.value)


def test_loader_paces_itself_before_every_request(monkeypatch):
    """rate_limit_per_minute reaches a limiter that is asked before each request (a fake clock: no sleeping)."""
    now = [1000.0]
    pauses: list[float] = []

    def sleep(seconds: float) -> None:
        pauses.append(seconds)
        now[0] += seconds

    monkeypatch.setattr(mayar_module, "MinuteRateLimiter",
                        functools.partial(MinuteRateLimiter, clock=lambda: now[0], sleep=sleep))
    with emulator(tied(230, {})) as emu:  # five pages
        df = load_mayar(**emu.mayar_kwargs, progress=False, rate_limit_per_minute=2, backoff_factor=0)
        requests_sent = len(emu.requests)
    assert len(df) == 230 and requests_sent == 5
    # 2 calls a minute: calls 3 and 5 wait a whole minute (the fake clock stood still between calls)
    assert pauses == [60.0, 60.0]


def test_arrow_fast_path_equals_field_by_field_path():
    from invoice_analytics.emulator._samples import generate_mayar
    from invoice_analytics.providers.mayar import _fast_texts, _texts

    rows = generate_mayar(600) + reference_response("mayar")["data"]
    rows[3] = {**rows[3], "transactions": None, "customer": None}
    rows[4] = {**rows[4], "transactions": []}
    fast = _fast_texts(rows)
    slow = _texts(rows, lambda name, convert, values: convert(values))
    assert fast is not None
    assert fast[0].keys() == slow[0].keys()
    for name in fast[0]:
        pd.testing.assert_extension_array_equal(fast[0][name], slow[0][name])
    assert fast[1].tolist() == slow[1].tolist() and fast[2].tolist() == slow[2].tolist()
    pd.testing.assert_extension_array_equal(fast[3], slow[3])
    # a number where text belongs takes the field-by-field path and becomes text
    drifted = [{**rows[0], "customerId": 12345}, *rows[1:]]
    assert _fast_texts(drifted) is None
    from invoice_analytics.providers.mayar import mayar_frame

    assert mayar_frame(drifted)["customer_id"].iloc[0] == "12345"


@pytest.mark.parametrize("value", [150000.75, -0.4, "12.5", 2**63, "99999999999999999999"], ids=repr)
def test_an_amount_that_is_not_exact_whole_rupiah_fails_the_load_naming_it(value):
    data = [mayar_row(1, T0), mayar_row(2, T0 - 1, amount=value)]
    with emulator(data) as emu, pytest.raises(ResponseError) as info:
        load_mayar(**emu.mayar_kwargs, **FAST)
    text = str(info.value)
    assert f"'{data[1]['id']}'" in text and "'amount'" in text and repr(value) in text and "page 1" in text


@pytest.mark.parametrize(("created", "unit"), [(1768375011, "seconds"), (1768375011056000000, "nanoseconds"),
                                               (1768375011056000, "microseconds")])
def test_created_at_that_is_not_milliseconds_fails_the_load(created, unit):
    data = [mayar_row(1, T0), mayar_row(2, created)]
    with emulator(data) as emu, pytest.raises(ResponseError) as info:
        load_mayar(**emu.mayar_kwargs, **FAST)
    assert (f"invoice '{data[1]['id']}': field 'createdAt': {created} is not epoch milliseconds in the years "
            "2000 to 2100") in str(info.value), unit


def test_status_spelt_with_spaces_or_capitals_is_one_status_for_status_and_outstanding():
    data = [mayar_row(1, T0, status="Active ", amount=70_000), mayar_row(2, T0 - 1, status="ACTIVE", amount=80_000),
            mayar_row(3, T0 - 2, status=" Paid", amount=90_000), mayar_row(4, T0 - 3, status="active", amount=1)]
    with emulator(data) as emu:
        df = load_mayar(**emu.mayar_kwargs, **FAST)
    assert df["status"].tolist() == ["unpaid", "unpaid", "paid", "unpaid"]
    assert df["outstanding"].tolist() == [70_000, 80_000, 0, 1]
    assert df["provider_status"].tolist() == ["Active ", "ACTIVE", " Paid", "active"]  # as sent


def test_one_invoice_twice_in_a_page_warns_naming_it_and_keeps_the_last_copy():
    twin = mayar_row(2, T0 - 1, amount=100_000)
    data = [mayar_row(1, T0), twin, {**twin, "amount": 40_000, "status": "paid"}, mayar_row(3, T0 - 2),
            mayar_row(3, T0 - 2)]
    with emulator(data) as emu, pytest.warns(DuplicateInvoiceWarning) as record:
        df = load_mayar(**emu.mayar_kwargs, **FAST)
    messages = [str(w.message) for w in record if w.category is DuplicateInvoiceWarning]
    assert messages == [f"mayar: invoice '{twin['id']}' came 2 times in one page, differing in ['amount', 'status']; "
                        "the last copy is kept"]
    assert record[0].filename == __file__  # points at the caller, not at the library
    assert df["invoice_id"].tolist() == [data[0]["id"], twin["id"], data[3]["id"]]
    kept = df.set_index("invoice_id").loc[twin["id"]]
    assert kept["amount"] == 40_000 and kept["status"] == "paid" and kept["outstanding"] == 0


def test_composed_and_decomposed_names_are_one_customer_in_the_aging_report():
    from invoice_analytics import aging_report, combine, load_faspay
    from tests.support.raw import faspay_row

    composed, decomposed = "Caf\u00e9 Nusantara", "Cafe\u0301 Nusantara"
    faspay = {**faspay_row(1, outstanding=300_000), "customer_name": composed}
    mayar = [{**mayar_row(1, T0, amount=200_000), "customer": {"name": decomposed}}]
    with Emulator(faspay_invoices=[faspay], mayar_invoices=mayar, mayar_rate_limit_per_minute=None) as emu:
        both = combine(load_faspay(**emu.faspay_kwargs, statuses=[1], progress=False),
                       load_mayar(**emu.mayar_kwargs, **FAST))
    assert both["customer_name"].tolist() == [composed, composed]
    report = aging_report(both, as_of="2026-03-01", by="customer_name", totals=True)
    assert report.index.tolist() == [composed, "Total"]
    assert report.loc[composed, "Total"] == 500_000
