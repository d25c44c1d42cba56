"""The credentials in the environment: which providers are configured, and what is misspelled.

The misspelling case was the doctest of ``check_environment``; the loads that meet it are in tests/test_sources.py.
"""

from __future__ import annotations

import pytest

from invoice_analytics.errors import MissingCredentialsError
from invoice_analytics.providers._environment import check_environment, provider_variables


def test_a_misspelled_variable_is_named_with_the_known_ones_never_its_value(monkeypatch):
    for name in provider_variables():
        monkeypatch.delenv(name)
    monkeypatch.setenv("MAYAR_APIKEY", "secret")
    with pytest.raises(MissingCredentialsError) as caught:
        check_environment()
    assert str(caught.value) == (
        "mayar: environment: unknown variable(s) MAYAR_APIKEY (known: MAYAR_API_KEY, MAYAR_BASE_URL); "
        "nothing was loaded, and the sample data is not used in their place")


def test_a_username_alone_and_a_blank_key_configure_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    # docsc (issue 18): was a docstring example
    from invoice_analytics.providers._environment import configured_providers

    for name in ("FASPAY_PASSWORD", "FASPAY_SIGNATURE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FASPAY_USERNAME", "u")
    monkeypatch.setenv("MAYAR_API_KEY", "")
    assert configured_providers() == []
