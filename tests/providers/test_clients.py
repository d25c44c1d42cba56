"""The provider clients: the one session, auth hook, page request and page loop that both the loaders and the
history store drive (over the embedded emulator, real HTTP)."""

from __future__ import annotations

import pandas as pd
import pytest
import requests

from invoice_analytics import load_faspay, load_mayar
from invoice_analytics.emulator import Emulator
from invoice_analytics.providers import FaspayClient, MayarClient
from invoice_analytics.providers.clients import (
    FASPAY_STATUS_CODES,
    MayarConnection,
    faspay_invoices,
    mayar_connection,
    mayar_invoices,
)

KEY = "sk-live-9f8e7d6c5b4a-NOT-FOR-EYES"
SIGNATURE = "0123456789abcdef-NOT-FOR-EYES"


@pytest.fixture(scope="module")
def emu():
    with Emulator(mayar_rate_limit_per_minute=None) as emulator:
        yield emulator


def by_id(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame in invoice order (pages arrive in any order; ties of one millisecond sort either way)."""
    return frame.sort_values("invoice_id", ignore_index=True)


def test_the_faspay_loader_is_its_client_s_loop(emu):
    """A whole load through a client equals ``load_faspay``'s; the client's single-page loop finds the same
    invoices; a session given to the client is used and left open."""
    loaded = load_faspay(**emu.faspay_kwargs, statuses=[4], progress=False)
    with requests.Session() as session:
        client = FaspayClient.from_options(**emu.faspay_kwargs, session=session)
        with client:
            frame = faspay_invoices(client, statuses=[4])
            first = client.page(4, 1)
            rows = client.query(4)
        assert session.adapters  # not closed by the client: it did not make it
    pd.testing.assert_frame_equal(by_id(frame), by_id(loaded))
    assert len(loaded) > len(first.rows) > 0 and first.total_data == len(loaded)
    assert sorted(row["invoice_no"] for row in rows) == sorted(loaded["invoice_id"])
    assert {kept.code for kept in first.rows} == {4} and FASPAY_STATUS_CODES[4] == "overdue"


def test_the_mayar_loader_is_its_client_s_loop(emu):
    loaded = load_mayar(**emu.mayar_kwargs, status="paid", rate_limit_per_minute=None, progress=False)
    with MayarClient.from_options(**emu.mayar_kwargs, rate_limit_per_minute=None) as client:
        frame = mayar_invoices(client, status="paid")
        newest, more = next(client.pages(status="paid"))
    pd.testing.assert_frame_equal(by_id(frame), by_id(loaded))
    assert more and {row["id"] for row in newest} <= set(loaded["invoice_id"].iloc[:len(newest) + 5])


def test_a_client_checks_its_options_as_the_loader_does():
    for bad in ({"timeout": 0}, {"max_pages": 0}, {"max_wait": -1}, {"base_url": "http://example.com"}):
        with pytest.raises(ValueError) as by_loader:
            load_mayar(api_key=KEY, **bad, progress=False)
        with pytest.raises(ValueError) as by_client:
            MayarClient.from_options(api_key=KEY, **bad)
        assert str(by_client.value) == str(by_loader.value)
    with pytest.raises(ValueError) as by_loader:
        load_faspay(signature=SIGNATURE, max_workers=0, progress=False)
    with pytest.raises(ValueError) as by_client:
        FaspayClient.from_options(signature=SIGNATURE, max_workers=0)
    assert str(by_client.value) == str(by_loader.value)


def test_a_client_shows_no_credential():
    mayar = MayarClient(mayar_connection(api_key=KEY))
    faspay = FaspayClient.from_options(username="merchant", password="Pa55-NOT-FOR-EYES")
    texts = [repr(mayar), str(mayar), repr(mayar.connection), repr(faspay), str(faspay), repr(faspay.connection)]
    assert isinstance(mayar.connection, MayarConnection)
    assert not [t for t in texts if "NOT-FOR-EYES" in t or faspay.credential() in t], texts
    assert mayar.credential() == KEY  # held, for the store's keyed fingerprint only
    mayar.close()
    faspay.close()


def test_clients_from_options_without_a_request() -> None:  # docsc (issue 18): was the module's doctest
    from invoice_analytics.providers.clients import DEFAULT_START

    with MayarClient.from_options(api_key="k", base_url="sandbox", timeout=5) as client:
        assert (client.origin, client.connection.max_pages) == ("https://api.mayar.club", 20000)
    with FaspayClient.from_options(signature="s3cret") as client:
        assert repr(client) == "FaspayClient(origin='https://fasbill-dev.faspay.co.id', signature=***)"
        assert client.body(4, 2, start=DEFAULT_START, end=DEFAULT_START)["status"] == "4"
