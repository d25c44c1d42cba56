"""load_faspay over real HTTP against the emulator on 127.0.0.1 (no patching)."""

from __future__ import annotations

import logging
import threading
import warnings

import pandas as pd
import pytest

from invoice_analytics import (
    AuthenticationError,
    DuplicateInvoiceWarning,
    InvoiceAPIError,
    MissingCredentialsError,
    PagingWarning,
    RateLimitError,
    ResponseError,
    ServerError,
    TransportError,
    UnknownStatusWarning,
    load_faspay,
)
from invoice_analytics.emulator import DEMO_FASPAY_PASSWORD, DEMO_FASPAY_USERNAME, Emulator
from invoice_analytics.providers.faspay import faspay_frame, faspay_signature
from invoice_analytics.schema import CORE_SCHEMA
from tests.support.proxy import refusing_proxy
from tests.support.raw import faspay_row, reference_response

# backoff_factor=0: retries go at once (no real sleeps); injected 429s say Retry-After: 0 (retry_after=0)
FAST = {"progress": False, "max_retries": 2, "backoff_factor": 0}


def rows(n: int, **kw) -> list[dict]:
    return [faspay_row(i, day=1 + i % 28, **kw) for i in range(n)]


def test_reference_page_rows_load_exactly():
    sample = reference_response("faspay")["data"]
    with Emulator(faspay_invoices=sample, mayar_invoices=[]) as emu:
        df = load_faspay(**emu.faspay_kwargs, start="2023-01-01", end="2023-12-31", **FAST)
    df = df.set_index("invoice_id").loc[[r["invoice_no"] for r in sample]]
    assert df["outstanding"].tolist() == [-400800, 0, 0, 0, 456900, 0]
    assert df["status"].tolist() == ["paid", "paid", "paid", "paid", "draft", "paid"]
    assert df["provider_status"].tolist() == ["Paid"] * 4 + ["Draft", "Paid"]
    assert df["customer_id"].tolist() == ["32", "66", "66", "66", "99", "9"]
    assert df.loc["INV-FPY-022300178", "due_at"] == pd.Timestamp("2023-02-08 10:04", tz="Asia/Jakarta")
    assert df.loc["INV-FPY-022300178", "period"] == pd.Period("2023-02", "M")
    assert df["amount"].isna().all()
    assert (df["currency"] == "IDR").all() and (df["provider"] == "faspay").all()


def test_every_dtype_and_column_order():
    with Emulator(faspay_invoices=rows(30), mayar_invoices=[]) as emu:
        df = load_faspay(**emu.faspay_kwargs, **FAST)
    assert list(df.columns) == [*CORE_SCHEMA, "period"]
    for name, dtype in CORE_SCHEMA.items():
        assert df[name].dtype == dtype, name
    assert df["period"].dtype == pd.PeriodDtype("M")
    assert not any(df[c].dtype == object for c in df.columns)


def test_empty_account_gives_typed_empty_frame():
    with Emulator(faspay_invoices=[], mayar_invoices=[]) as emu:
        df = load_faspay(**emu.faspay_kwargs, **FAST)
    assert df.empty
    assert list(df.columns) == [*CORE_SCHEMA, "period"]
    assert all(df[name].dtype == dtype for name, dtype in CORE_SCHEMA.items())


def meet(parties: int, requests: range, emu: Emulator) -> list[int]:
    """Hold requests number ``requests`` at the emulator until ``parties`` of them are in flight together.

    Returns the list of requests that waited in vain: a loader sending fewer at once breaks the barrier.
    """
    together = threading.Barrier(parties, timeout=10)
    alone: list[int] = []

    def hold(provider: str, n: int) -> None:
        if n in requests:
            try:
                together.wait()
            except threading.BrokenBarrierError:
                alone.append(n)

    emu.on_request = hold
    return alone


def test_every_status_is_swept_side_by_side():
    labels = ["Draft", "Unpaid", "Paid", "Cancelled", "Overdue", "Partial Paid", "Proforma"]
    data = [faspay_row(i, status=labels[i % 7], day=1 + i % 28) for i in range(350)]
    with Emulator(faspay_invoices=data, mayar_invoices=[], faspay_page_size=10) as emu:
        alone = meet(4, range(1, 5), emu)  # the first page of four statuses at once
        df = load_faspay(**emu.faspay_kwargs, max_workers=4, **FAST)
        log = list(emu.requests)
    assert alone == []
    assert sorted(df["invoice_id"]) == sorted(r["invoice_no"] for r in data)
    assert set(df["status"]) == {"draft", "unpaid", "paid", "cancelled", "overdue", "partially_paid", "proforma"}
    assert sorted({str(r.params["status"]) for r in log}) == ["0", "1", "2", "3", "4", "5", "7"]
    assert all("signature" not in r.params for r in log)


def test_later_pages_of_a_sweep_are_in_flight_together():
    data = rows(50)  # five pages of one status
    with Emulator(faspay_invoices=data, mayar_invoices=[], faspay_page_size=10) as emu:
        alone = meet(4, range(2, 6), emu)  # requests 2..5 are pages 2..5, sent once page 1 told total_pages
        df = load_faspay(**emu.faspay_kwargs, statuses=[1], max_workers=4, **FAST)
        pages = [int(r.params["page"]) for r in emu.requests]
    assert alone == []
    assert sorted(pages[1:5]) == [2, 3, 4, 5] and pages[0] == 1
    assert len(df) == 50


def test_status_filter_names_and_codes():
    data = [faspay_row(i, status=["Unpaid", "Paid", "Overdue"][i % 3]) for i in range(30)]
    with Emulator(faspay_invoices=data, mayar_invoices=[]) as emu:
        df = load_faspay(**emu.faspay_kwargs, statuses=["overdue", 2], **FAST)
        sent = sorted({str(r.params["status"]) for r in emu.requests})
    assert sent == ["2", "4"]
    assert set(df["status"]) == {"overdue", "paid"} and len(df) == 20


def test_numbers_as_strings_nulls_and_credits():
    data = [
        faspay_row(1, outstanding="456900", customer_id="21"),
        {**faspay_row(2, outstanding=None), "customer_id": None},
        faspay_row(3, outstanding=-400800, status="Paid"),
        faspay_row(4, outstanding="-1500"),
    ]
    with Emulator(faspay_invoices=data, mayar_invoices=[]) as emu:
        df = load_faspay(**emu.faspay_kwargs, **FAST).set_index("invoice_id").sort_index()
    assert df["outstanding"].tolist() == [456900, pd.NA, -400800, -1500]
    assert df["customer_id"].tolist() == ["21", pd.NA, "1003", "1004"]


def test_unknown_status_label_warns_once_and_is_kept_raw():
    # The server files rows under status codes; an undocumented label can still come back in a row.
    data = [faspay_row(1, status="Refunded"), faspay_row(2, status="Refunded"), faspay_row(3, status="Paid")]
    with pytest.warns(UnknownStatusWarning, match="Refunded") as record:
        df = faspay_frame(data)
    assert sum("Refunded" in str(w.message) for w in record) == 1
    assert df["status"].isna().tolist() == [True, True, False]
    assert df["provider_status"].tolist() == ["Refunded", "Refunded", "Paid"]


def test_pages_shifting_during_a_sweep_lose_and_duplicate_nothing():
    data = rows(95)
    with Emulator(faspay_invoices=data, mayar_invoices=[], faspay_page_size=10) as emu:
        def insert_newest(provider: str, n: int) -> None:
            if provider == "faspay" and n in (2, 4, 6):  # new invoices push every page down
                emu.add_faspay_invoice(faspay_row(1000 + n, day=28))

        emu.on_request = insert_newest
        df = load_faspay(**emu.faspay_kwargs, statuses=[1], max_workers=1, **FAST)
    ids = df["invoice_id"].tolist()
    assert len(ids) == len(set(ids))
    assert {r["invoice_no"] for r in data} <= set(ids)


def test_status_change_during_load_keeps_the_later_copy():
    data = rows(40)
    moved = data[5]["invoice_no"]
    with Emulator(faspay_invoices=data, mayar_invoices=[], faspay_page_size=10) as emu:
        def pay_it(provider: str, n: int) -> None:
            if n == 3:  # during the Unpaid sweep, after it has read the page holding the invoice
                emu.set_faspay_status(moved, "Paid")

        emu.on_request = pay_it
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PagingWarning)
            df = load_faspay(**emu.faspay_kwargs, statuses=[1, 2], max_workers=1, **FAST)
    assert df["invoice_id"].is_unique
    assert set(df["invoice_id"]) == {r["invoice_no"] for r in data}
    assert df.set_index("invoice_id").loc[moved, "status"] == "paid"


def test_invoice_moving_into_an_already_swept_status_is_found_by_the_recheck():
    """Paid (two pages) is swept before an older invoice is paid, landing on Paid's page 2: only
    asking page 1 of every status again after the sweeps shows Paid's total moved, and only sweeping
    Paid again then finds the invoice. Without that, it is lost (Unpaid no longer lists it) or kept
    with its old status (Unpaid read it first), and no count differs from its total to warn about."""
    paid = [faspay_row(100 + i, status="Paid", day=28) for i in range(15)]
    data = rows(25) + paid
    moved = data[7]["invoice_no"]  # issued on the 8th: older than every Paid invoice
    with Emulator(faspay_invoices=data, mayar_invoices=[], faspay_page_size=10) as emu:
        moved_at = []  # the number of the request during which the invoice was paid

        def pay_it_once_paid_is_swept(provider: str, n: int) -> None:
            # max_workers=1: one request at a time, so every earlier answer is already in the log
            asked = {(str(r.params["status"]), int(r.params["page"])) for r in emu.requests}
            if ("2", 2) in asked and not moved_at:
                moved_at.append(n)
                emu.set_faspay_status(moved, "Paid")

        emu.on_request = pay_it_once_paid_is_swept
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no PagingWarning (nor any other): the load settled
            df = load_faspay(**emu.faspay_kwargs, statuses=[1, 2], max_workers=1, **FAST)
        asked_after_the_move = [(str(r.params["status"]), int(r.params["page"]))
                                for r in list(emu.requests)[moved_at[0] - 1:]]
    assert moved_at  # the invoice did move during the load, after Paid's sweep
    assert ("2", 1) in asked_after_the_move and ("2", 2) in asked_after_the_move  # Paid swept again
    assert df["invoice_id"].is_unique
    assert set(df["invoice_id"]) == {r["invoice_no"] for r in data}
    by_id = df.set_index("invoice_id")
    assert by_id.loc[moved, "status"] == "paid" and by_id.loc[moved, "provider_status"] == "Paid"
    assert (by_id["status"] == "paid").sum() == 16


def test_warns_when_count_differs_from_total_data():
    data = rows(30)
    with Emulator(faspay_invoices=data, mayar_invoices=[], faspay_page_size=10) as emu:
        counter = iter(range(10_000))

        def always_insert(provider: str, n: int) -> None:
            emu.add_faspay_invoice(faspay_row(5000 + next(counter), day=28))

        emu.on_request = always_insert
        with pytest.warns(PagingWarning, match="total_data"):
            df = load_faspay(**emu.faspay_kwargs, statuses=[1], max_workers=1, **FAST)
    assert df["invoice_id"].is_unique
    assert {r["invoice_no"] for r in data} <= set(df["invoice_id"])


@pytest.mark.parametrize("fault", ["429", "500", "502", "503", "drop"])
def test_transient_faults_are_retried(fault):
    with Emulator(faspay_invoices=rows(25), mayar_invoices=[], faspay_page_size=10, retry_after=0) as emu:
        emu.inject(fault, provider="faspay", times=2)
        df = load_faspay(**emu.faspay_kwargs, statuses=[1], progress=False, max_retries=3, backoff_factor=0)
        answered = [r.status_code for r in emu.requests]
    assert len(df) == 25
    assert answered[:2] == [0 if fault == "drop" else int(fault)] * 2  # the faults were met, then retried


@pytest.mark.parametrize(
    ("fault", "error", "words"),
    [
        ("503", ServerError, "503"),
        ("429", RateLimitError, "Too Many Requests"),
        ("drop", TransportError, "no answer"),
    ],
)
def test_persistent_faults_raise_after_max_retries(fault, error, words):
    with Emulator(faspay_invoices=rows(5), mayar_invoices=[], retry_after=0) as emu:
        emu.inject(fault, provider="faspay", times=10)
        with pytest.raises(InvoiceAPIError) as info:
            load_faspay(**emu.faspay_kwargs, statuses=[1], progress=False, max_retries=1, backoff_factor=0)
        assert len(emu.requests) == 2  # the first try and max_retries=1 retry
    assert type(info.value) is error  # the precise type, not a sibling or the base class
    text = str(info.value)
    assert text.startswith("faspay: GET /billingbackendapi/web/billing/get-all-billing status=1")
    assert "page=1" in text and words in text


@pytest.mark.parametrize(
    ("fault", "error", "words"),
    [
        ("failed", ResponseError, "Failed get billing"),
        ("malformed", ResponseError, "not valid JSON"),
        ("missing-keys", ResponseError, "missing key"),
        ("401", AuthenticationError, "HTTP 401"),
        ("403", AuthenticationError, "HTTP 403"),
    ],
)
def test_bad_answers_on_a_later_page_raise_typed_errors(fault, error, words):
    with Emulator(faspay_invoices=rows(25), mayar_invoices=[], faspay_page_size=10) as emu:
        def fail_third(provider: str, n: int) -> None:
            if n == 3:
                emu.inject(fault, provider="faspay")

        emu.on_request = fail_third
        with pytest.raises(error, match=words) as info:
            load_faspay(**emu.faspay_kwargs, statuses=[1], max_workers=1, **FAST)
    assert "page=3" in str(info.value) and info.value.provider == "faspay"


def test_wrong_credential_is_an_authentication_error_without_secrets():
    with Emulator(faspay_invoices=rows(3), mayar_invoices=[]) as emu, pytest.raises(AuthenticationError) as info:
        load_faspay(base_url=emu.url, username="demo", password="hunter2-secret", **FAST)
    wrong_signature = faspay_signature("demo", "hunter2-secret")
    for text in (str(info.value), repr(info.value), repr(info.value.args)):
        assert "hunter2-secret" not in text and wrong_signature not in text
    assert "Invalid signature" in str(info.value)


def test_signature_and_environment_credentials(monkeypatch):
    with Emulator(faspay_invoices=rows(3), mayar_invoices=[]) as emu:
        sig = faspay_signature(DEMO_FASPAY_USERNAME, DEMO_FASPAY_PASSWORD)
        assert len(load_faspay(base_url=emu.url, signature=sig, **FAST)) == 3
        monkeypatch.setenv("FASPAY_USERNAME", DEMO_FASPAY_USERNAME)
        monkeypatch.setenv("FASPAY_PASSWORD", DEMO_FASPAY_PASSWORD)
        assert len(load_faspay(base_url=emu.url, **FAST)) == 3
        monkeypatch.delenv("FASPAY_USERNAME")
        monkeypatch.delenv("FASPAY_PASSWORD")
        monkeypatch.setenv("FASPAY_SIGNATURE", sig)
        assert len(load_faspay(base_url=emu.url, **FAST)) == 3


def test_missing_credentials(monkeypatch):
    for name in ("FASPAY_USERNAME", "FASPAY_PASSWORD", "FASPAY_SIGNATURE"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(MissingCredentialsError, match="FASPAY_USERNAME"):
        load_faspay(base_url="http://127.0.0.1:9")


def test_plain_http_refused_off_loopback():
    with pytest.raises(ValueError, match="plain http is refused"):
        load_faspay(base_url="http://fasbill.example.com", signature="x")
    with pytest.raises(ValueError, match="origin"):
        load_faspay(base_url="https://fasbill.example.com/billingbackendapi", signature="x")


def test_default_origin_is_faspays_development_host():
    """No internet here: an https proxy on 127.0.0.1 records the CONNECT the loader sends, then refuses it."""
    with refusing_proxy(502) as proxy, proxy.session() as session, pytest.raises(TransportError) as info:
        load_faspay(username="merchant", password="pa55word", statuses=[1], session=session, progress=False)
    assert type(info.value) is TransportError
    assert proxy.connects == ["fasbill-dev.faspay.co.id:443"]
    assert all("pa55word" not in text and faspay_signature("merchant", "pa55word") not in text
               for text in proxy.seen)  # the signature travels inside the tunnel only


def test_bad_value_names_invoice_and_page():
    data = [faspay_row(1), faspay_row(2, outstanding="12,5 juta")]
    with (
        Emulator(faspay_invoices=data, mayar_invoices=[]) as emu,
        pytest.raises(ResponseError, match=r"INV-T-000002.*outstanding_amount.*12,5 juta") as info,
    ):
        load_faspay(**emu.faspay_kwargs, statuses=[1], **FAST)
    assert "page=1" in str(info.value)


def test_filters_reach_the_server():
    data = [faspay_row(i, day=1 + i) for i in range(10)]
    with Emulator(faspay_invoices=data, mayar_invoices=[]) as emu:
        df = load_faspay(**emu.faspay_kwargs, statuses=[1], start="2026-01-03", end="2026-01-05",
                         customer_id=1003, **FAST)
        body = emu.requests[-1].params
    assert body["start_period"] == "2026-01-03" and body["end_period"] == "2026-01-05"
    assert df["invoice_id"].tolist() == ["INV-T-000003"]


def test_no_secret_in_logs_or_progress(caplog, capsys):
    password = DEMO_FASPAY_PASSWORD
    sig = faspay_signature(DEMO_FASPAY_USERNAME, password)
    caplog.set_level(logging.DEBUG)
    with Emulator(faspay_invoices=rows(25), mayar_invoices=[], faspay_page_size=10) as emu:
        emu.inject("500", provider="faspay", times=1)
        load_faspay(**emu.faspay_kwargs, statuses=[1], progress=True, max_retries=2, backoff_factor=0)
    captured = capsys.readouterr()
    seen = caplog.text + captured.err + captured.out
    assert "faspay" in captured.err  # the bar was shown
    assert password not in seen and sig not in seen


def test_arrow_fast_path_equals_field_by_field_path():
    from invoice_analytics.emulator._samples import generate_faspay

    rows = generate_faspay(500)
    fast = faspay_frame(rows)
    drifted = [{**rows[0], "period": int(rows[0]["period"])}, *rows[1:]]  # forces the field-by-field path
    slow = faspay_frame(drifted)
    pd.testing.assert_frame_equal(fast, slow)


def test_bad_date_names_invoice_and_field():
    data = [faspay_row(1), {**faspay_row(2), "due_date": "31/02/2026"}]
    with pytest.raises(ResponseError, match=r"INV-T-000002.*due_date.*31/02/2026"):
        faspay_frame(data)


@pytest.mark.parametrize("value", [150000.75, -0.4, "12.5", 2**63, "99999999999999999999"], ids=repr)
def test_an_amount_that_is_not_exact_whole_rupiah_fails_the_load_naming_it(value):
    data = [faspay_row(1), faspay_row(2, outstanding=value)]
    with Emulator(faspay_invoices=data, mayar_invoices=[]) as emu, pytest.raises(ResponseError) as info:
        load_faspay(**emu.faspay_kwargs, statuses=[1], **FAST)
    text = str(info.value)
    assert "'INV-T-000002'" in text and "'outstanding_amount'" in text and repr(value) in text
    assert "page=1" in text


@pytest.mark.parametrize("period", ["202613", "2026-01", "abcdef"])
def test_an_invalid_period_fails_the_load_naming_it(period):
    data = [faspay_row(1), {**faspay_row(2), "period": period}]
    with Emulator(faspay_invoices=data, mayar_invoices=[]) as emu, pytest.raises(ResponseError) as info:
        load_faspay(**emu.faspay_kwargs, statuses=[1], **FAST)
    assert f"invoice 'INV-T-000002': field 'period': {period!r} is not a YYYYMM period" in str(info.value)


def test_a_lone_surrogate_is_a_response_error_and_keys_in_any_characters_load():
    odd_keys = {**faspay_row(1), "customer\u2019s": "x", "\udc80": 1, "ключ": {"ü": None}}
    with Emulator(faspay_invoices=[odd_keys, faspay_row(2)], mayar_invoices=[]) as emu:
        df = load_faspay(**emu.faspay_kwargs, statuses=[1], **FAST)
    assert sorted(df["invoice_id"]) == ["INV-T-000001", "INV-T-000002"]
    broken = {**faspay_row(3), "customer_name": "PT Maju \ud800"}  # the emulator sends it as the escape "\ud800"
    with Emulator(faspay_invoices=[faspay_row(1), broken], mayar_invoices=[]) as emu, \
            pytest.raises(ResponseError, match=r"'INV-T-000003'.*'customer_name'.*lone surrogate"):
        load_faspay(**emu.faspay_kwargs, statuses=[1], **FAST)


def test_one_invoice_twice_in_a_page_warns_naming_it_and_keeps_the_last_copy():
    twin = faspay_row(2, outstanding=100_000)
    data = [faspay_row(1), twin, {**twin, "outstanding_amount": 40_000}, faspay_row(3), faspay_row(3)]
    with Emulator(faspay_invoices=data, mayar_invoices=[]) as emu, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        df = load_faspay(**emu.faspay_kwargs, statuses=[1], **FAST)
    duplicates = [w for w in caught if w.category is DuplicateInvoiceWarning]
    assert duplicates and {str(w.message) for w in duplicates} == {
        "faspay: invoice 'INV-T-000002' came 2 times in one page, differing in ['outstanding_amount']; "
        "the last copy is kept"}  # INV-T-000003's identical copies are one invoice, without a word
    assert sorted(df["invoice_id"]) == ["INV-T-000001", "INV-T-000002", "INV-T-000003"]
    assert df.set_index("invoice_id").loc["INV-T-000002", "outstanding"] == 40_000


def test_the_static_signature() -> None:  # docsc (issue 18): was its doctest
    from invoice_analytics.providers._faspay_client import faspay_signature

    assert faspay_signature("demo", "demo-password") == "e3d844e158901dd84fb3254ba17ae3a6327c6d7d"
