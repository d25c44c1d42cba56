"""Credentials checked before use, boxed so no repr shows them, added to a request at the last moment.

These were the doctests of ``invoice_analytics/providers/_credentials.py``.
"""

from __future__ import annotations

import pickle

import pytest
import requests

from invoice_analytics.errors import CredentialError
from invoice_analytics.providers._credentials import BearerAuth, FaspaySignatureAuth, Secret, credential


def test_a_secret_never_shows_its_text_and_is_never_pickled():
    key = credential("  sk-live-123\n", provider="mayar", name="api_key")
    assert key is not None
    assert (repr(key), str(key), f"{key}", key.reveal()) == ("Secret('***')",) * 3 + ("sk-live-123",)
    with pytest.raises(TypeError, match="a Secret is not pickled"):
        pickle.dumps(Secret("x"))


def test_blank_credentials_are_none_and_unusable_ones_are_refused_without_echo():
    assert credential("  ", provider="mayar", name="api_key") is None
    control = r"^faspay: password: the credential holds a control character \(not shown\)$"
    with pytest.raises(CredentialError, match=control):
        credential("a\x00b", provider="faspay", name="password")
    with pytest.raises(CredentialError, match=r"^mayar: api_key: the credential holds a character an HTTP") as info:
        credential("sk\u2019live", provider="mayar", name="api_key")
    assert "live" not in str(info.value)


def test_the_auth_hooks_add_the_credential_as_the_request_is_prepared():
    assert repr(BearerAuth(Secret("k"))) == "BearerAuth(***)"
    request = requests.Request("GET", "http://127.0.0.1/x", json={"page": 1}).prepare()
    FaspaySignatureAuth(Secret("abc"))(request)
    assert (request.body, request.headers["Content-Length"]) == (b'{"signature": "abc", "page": 1}', "31")
