"""load_invoices: demo data is always named; a half-set or misspelled credential is an error, not the demo."""

from __future__ import annotations

import pytest

from invoice_analytics.emulator import Emulator
from invoice_analytics.errors import DemoDataWarning, MissingCredentialsError
from invoice_analytics.sources import load_invoices

VARIABLES = ("FASPAY_USERNAME", "FASPAY_PASSWORD", "FASPAY_SIGNATURE", "FASPAY_BASE_URL",
             "MAYAR_API_KEY", "MAYAR_BASE_URL")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    import os

    for name in list(os.environ):
        if name.upper().startswith(("FASPAY_", "MAYAR_")):
            monkeypatch.delenv(name)


def test_no_variable_at_all_is_demo_data_named():
    with pytest.warns(DemoDataWarning):
        df = load_invoices("mayar", progress=False)
    assert df.attrs["source"] == "demo" and str(df.attrs["as_of"]) == "2026-11-21"


def test_demo_true_is_named_even_with_credentials(monkeypatch):
    monkeypatch.setenv("MAYAR_API_KEY", "real-key")
    with pytest.warns(DemoDataWarning):
        df = load_invoices("mayar", demo=True, progress=False)
    assert df.attrs["source"] == "demo"


@pytest.mark.parametrize(
    "env, named",
    [
        ({"MAYAR_APIKEY": "s3cret-value"}, "MAYAR_APIKEY"),
        ({"FASPAY_PASWORD": "s3cret-value", "FASPAY_USERNAME": "u"}, "FASPAY_PASWORD"),
        ({"FASPAY_USERNAME": "s3cret-value"}, "FASPAY_PASSWORD"),
        ({"FASPAY_PASSWORD": "s3cret-value"}, "FASPAY_USERNAME"),
        ({"MAYAR_BASE_URL": "http://127.0.0.1:9"}, "MAYAR_API_KEY"),  # an origin but no key
    ],
)
def test_partly_set_or_misspelled_credential_is_an_error_not_demo(monkeypatch, env, named):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(MissingCredentialsError) as caught:
        load_invoices(progress=False)
    assert named in str(caught.value) and "s3cret-value" not in str(caught.value)


def test_real_loads_name_their_source_and_take_origins_from_the_environment(monkeypatch):
    import functools

    from invoice_analytics import sources

    # the real Mayar pace (20 a minute) would make this test slow; the origin still comes from the environment
    monkeypatch.setattr(sources, "load_mayar", functools.partial(sources.load_mayar, rate_limit_per_minute=None))
    with Emulator(mayar_rate_limit_per_minute=None) as emu:
        monkeypatch.setenv("FASPAY_USERNAME", emu.faspay_kwargs["username"])
        monkeypatch.setenv("FASPAY_PASSWORD", emu.faspay_kwargs["password"])
        monkeypatch.setenv("FASPAY_BASE_URL", emu.faspay_kwargs["base_url"])
        df = load_invoices(progress=False)
        assert df.attrs["source"] == "faspay" and len(df) == 6000
        monkeypatch.setenv("MAYAR_API_KEY", emu.mayar_kwargs["api_key"])
        monkeypatch.setenv("MAYAR_BASE_URL", emu.mayar_kwargs["base_url"])
        df = load_invoices(progress=False)
    assert df.attrs["source"] == "faspay, mayar" and len(df) == 8500


def test_an_unknown_provider_is_refused_by_name():  # docsc (issue 18): was a docstring example
    with pytest.raises(ValueError, match=r"unknown provider\(s\) \['stripe'\]; choose from \['faspay', 'mayar'\]"):
        load_invoices("stripe")
