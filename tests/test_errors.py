"""Each error and warning of invoice_analytics.errors as a load over real HTTP raises it (the emulator).

These were the docstring examples of errors.py; an example starts no server, so they live here.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import pytest

from invoice_analytics import load_mayar
from invoice_analytics.emulator import Emulator
from invoice_analytics.errors import (
    AuthenticationError,
    CredentialError,
    DuplicateInvoiceWarning,
    InvoiceAPIError,
    MissingCredentialsError,
    PagingWarning,
    RateLimitError,
    ResponseError,
    ServerError,
    TransportError,
    UnknownStatusWarning,
)

CREATED = 1768375011056  # one createdAt millisecond


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator(mayar_rate_limit_per_minute=None) as running:
        yield running


def load(emu: Emulator, **kw: Any) -> Any:
    return load_mayar(**{**emu.mayar_kwargs, "rate_limit_per_minute": None, "progress": False, **kw})


def test_a_wrong_key_is_an_authentication_error(emu: Emulator) -> None:
    with pytest.raises(AuthenticationError) as caught:
        load(emu, api_key="wrong-key")
    assert str(caught.value) == "mayar: GET /hl/v2/invoices page 1: server said: Unauthorized (HTTP 401)"


def test_429_through_every_retry_is_a_rate_limit_error(emu: Emulator) -> None:
    emu.inject("429", provider="mayar")
    with pytest.raises(RateLimitError) as caught:
        load(emu, max_retries=0)
    assert (caught.value.status_code, caught.value.server_message) == (429, "Too Many Requests")


def test_500_through_every_retry_is_a_server_error(emu: Emulator) -> None:
    emu.inject("500", provider="mayar")
    with pytest.raises(ServerError) as caught:
        load(emu, max_retries=0)
    assert str(caught.value) == ("mayar: GET /hl/v2/invoices page 1: server error through every retry: "
                                 "server said: Internal Server Error (HTTP 500)")


def test_a_dropped_connection_is_a_transport_error(emu: Emulator) -> None:
    emu.inject("drop", provider="mayar")
    with pytest.raises(TransportError) as caught:
        load(emu, max_retries=0)
    assert caught.value.detail is not None and caught.value.detail.split(":")[0] == "no answer after retries"
    assert caught.value.status_code is None and caught.value.server_message is None


def test_a_failure_sent_as_http_200_is_a_response_error(emu: Emulator) -> None:
    emu.inject("failed", provider="mayar")
    with pytest.raises(ResponseError) as caught:
        load(emu)
    assert str(caught.value) == ("mayar: GET /hl/v2/invoices page 1: the API reported a failure (statusCode 400): "
                                 "server said: failed")
    assert isinstance(caught.value, InvoiceAPIError)


def _warnings_of(rows: list[dict[str, Any]]) -> tuple[Any, list[warnings.WarningMessage]]:
    with (Emulator([], rows, mayar_rate_limit_per_minute=None) as emu,
          warnings.catch_warnings(record=True) as caught):
        warnings.simplefilter("always")
        df = load(emu)
    return df, caught


def test_a_page_of_one_millisecond_is_a_paging_warning() -> None:
    rows = [{"id": f"inv-{i:02d}", "createdAt": CREATED, "status": "paid", "amount": 1000} for i in range(60)]
    df, caught = _warnings_of(rows)
    assert len(df) == 50
    assert [w.category for w in caught] == [PagingWarning]


def test_an_unknown_status_is_left_missing_with_a_warning() -> None:
    df, caught = _warnings_of([{"id": "a", "createdAt": CREATED, "status": "expired", "amount": 1000}])
    assert df["status"].isna().tolist() == [True] and df["provider_status"].tolist() == ["expired"]
    assert [w.category for w in caught] == [UnknownStatusWarning]
    assert caught[0].message.values == ["expired"]  # type: ignore[union-attr]


def test_differing_copies_of_an_invoice_keep_the_last_with_a_warning() -> None:
    rows = [{"id": "a", "createdAt": CREATED, "status": "active", "amount": amount} for amount in (1000, 2500)]
    df, caught = _warnings_of(rows)
    assert df["amount"].tolist() == [2500]
    assert [w.category for w in caught] == [DuplicateInvoiceWarning]
    assert caught[0].message.ids == ["a"]  # type: ignore[union-attr]


# docsc (issue 18): the cases the errors' docstring examples showed beside their one example.


def test_an_error_keeps_its_keyword_arguments_through_pickling() -> None:
    import pickle

    err = InvoiceAPIError("faspay", "GET /billing page 2", "Invalid page", status_code=200, detail="bad")
    back = pickle.loads(pickle.dumps(err))
    assert (type(back), back.provider, back.server_message, back.status_code, back.detail) == (
        InvoiceAPIError, "faspay", "Invalid page", 200, "bad")
    assert str(back) == str(err)


def test_no_credential_is_a_value_error_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MAYAR_API_KEY", raising=False)
    with pytest.raises(MissingCredentialsError) as caught:
        load_mayar()
    assert isinstance(caught.value, ValueError)
    assert str(caught.value) == "mayar: load_mayar: no credential: pass api_key or set MAYAR_API_KEY"


def test_a_credential_with_a_typographic_quote_is_refused_unechoed() -> None:
    with pytest.raises(CredentialError) as caught:
        load_mayar(api_key="sk-live\u2019123", base_url="http://127.0.0.1:9")
    assert isinstance(caught.value, ValueError)
    assert caught.value.request == "api_key" and "sk-live" not in str(caught.value)
    assert caught.value.server_message is None and caught.value.status_code is None


def test_the_errors_attributes_and_classes() -> None:
    rate = RateLimitError("mayar", "GET /hl/v2/invoices page 1", "Too Many Requests", status_code=429)
    assert (rate.status_code, rate.server_message, isinstance(rate, InvoiceAPIError)) == (
        429, "Too Many Requests", True)
    gone = TransportError("mayar", "GET /hl/v2/invoices page 1", detail="no answer after retries: timed out")
    assert (gone.detail, gone.status_code, gone.server_message) == ("no answer after retries: timed out", None, None)
    assert issubclass(UnknownStatusWarning, UserWarning) and issubclass(DuplicateInvoiceWarning, UserWarning)
