"""A store knows whose invoices it holds: another origin or credential is refused before any request,
a rotated key is one explicit option, and pending answers are never replayed into another account."""

from __future__ import annotations

import json

import pytest

import invoice_analytics as ia
from invoice_analytics.emulator._samples import generate_mayar
from invoice_analytics.history import InvoiceStore, StoreAccountError
from tests.support.stores import assert_same, at, options, small_emulator


def mayar_only(emu, **extra):
    opts = options(emu, **extra)
    return {"mayar": opts["mayar"], "progress": False}


def other_account(emu, key: str, seed: int = 99, n: int = 150) -> None:
    """Make ``emu`` serve another Mayar account, reached with ``key``."""
    emu.mayar.invoices = [dict(r, id=f"other-{r['id']}") for r in generate_mayar(n, seed)]
    emu.mayar.api_key = key


@pytest.fixture
def emu():
    with small_emulator(0, 150) as emulator:
        yield emulator


def test_the_manifest_records_origin_and_a_keyed_fingerprint_never_the_key(emu, tmp_path):
    InvoiceStore(tmp_path).refresh(**mayar_only(emu), observed_at=at(0))
    text = (tmp_path / "_manifest.json").read_text()
    identity = json.loads(text)["identity"]
    assert identity["providers"]["mayar"]["origin"] == emu.url
    assert len(identity["providers"]["mayar"]["fingerprint"]) == 64 and len(identity["salt"]) == 32
    assert emu.mayar_kwargs["api_key"] not in text
    other = tmp_path / "other"
    InvoiceStore(other).refresh(**mayar_only(emu), observed_at=at(0))  # the salt is per store
    assert json.loads((other / "_manifest.json").read_text())["identity"]["providers"]["mayar"]["fingerprint"] != \
        identity["providers"]["mayar"]["fingerprint"]


def test_another_origin_is_refused_before_any_request(emu, tmp_path):
    store = InvoiceStore(tmp_path)
    store.refresh(**mayar_only(emu), observed_at=at(0))
    with small_emulator(0, 150, seed=8) as sandbox:
        with pytest.raises(StoreAccountError, match=r"mayar: .*" + sandbox.url) as caught:
            store.refresh(**mayar_only(sandbox), observed_at=at(1))
        assert len(sandbox.requests) == 0 and "nothing was sent" in str(caught.value)
    assert len(store.refreshes()) == 1


def test_another_credential_is_refused_before_any_request_and_never_shown(emu, tmp_path):
    store = InvoiceStore(tmp_path)
    store.refresh(**mayar_only(emu), observed_at=at(0))
    sent = len(emu.requests)
    other_account(emu, "empty-account-key", n=0)
    with pytest.raises(StoreAccountError, match="credential") as caught:
        store.refresh(mayar={**mayar_only(emu)["mayar"], "api_key": "empty-account-key"}, progress=False,
                      observed_at=at(1))
    assert len(emu.requests) == sent and "empty-account-key" not in str(caught.value)
    assert len(store.refreshes()) == 1


def test_a_rotated_key_is_accepted_when_the_first_page_is_the_stores_and_logged(emu, tmp_path):
    store = InvoiceStore(tmp_path)
    store.refresh(**mayar_only(emu), observed_at=at(0))
    emu.mayar.api_key = "rotated-key"
    rotated = {"mayar": {**mayar_only(emu)["mayar"], "api_key": "rotated-key"}, "progress": False}
    result = store.refresh(**rotated, observed_at=at(1), rotate_credential="mayar")
    assert "credential rotated" in result["mayar"].note
    assert "credential rotated" in store.refreshes()["note"].iloc[-1]
    store.refresh(**rotated, observed_at=at(2))  # the new key is now the store's
    with pytest.raises(StoreAccountError):
        store.refresh(mayar={**rotated["mayar"], "api_key": "demo-mayar-key"}, progress=False, observed_at=at(3))
    assert_same(store.current(), ia.combine(ia.load_mayar(**emu.mayar_kwargs, rate_limit_per_minute=None,
                                                           progress=False)))


def test_a_rotated_key_of_another_account_is_refused_and_nothing_committed(emu, tmp_path):
    store = InvoiceStore(tmp_path)
    store.refresh(**mayar_only(emu), observed_at=at(0))
    before = store.current()
    other_account(emu, "someone-elses-key")
    with pytest.raises(StoreAccountError, match="refused: 0 of the"):
        store.refresh(mayar={**mayar_only(emu)["mayar"], "api_key": "someone-elses-key"}, progress=False,
                      observed_at=at(1), rotate_credential=True)
    assert len(store.refreshes()) == 1
    assert_same(InvoiceStore(tmp_path).current(), before)


def test_pending_answers_are_never_replayed_into_another_account(emu, tmp_path):
    store = InvoiceStore(tmp_path)
    calls = {"n": 0}

    def fail_late(provider: str, n: int) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            big.inject("500", provider="mayar", times=1)

    with small_emulator(0, 400, page_size=5) as big:
        big.on_request = fail_late
        with pytest.raises(ia.ServerError):
            store.refresh(**mayar_only(big, max_retries=0), observed_at=at(0))
        big.on_request = None
        assert list((tmp_path / "_pending" / "answers").glob("*.json"))  # the first account's answers
        other_account(big, "empty-account-key", n=0)
        result = store.refresh(mayar={**mayar_only(big)["mayar"], "api_key": "empty-account-key"}, progress=False,
                               observed_at=at(1))
        assert result["mayar"].resumed == 0 and result["mayar"].requests >= 1 and result.new == 0
        assert len(store.current()) == 0
