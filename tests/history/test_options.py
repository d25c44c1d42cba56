"""A refresh's provider options are checked exactly as the loaders check them, before any request."""

from __future__ import annotations

import pytest

import invoice_analytics as ia
from invoice_analytics.history import InvoiceStore
from tests.support.stores import small_emulator

BAD = [
    ("mayar", {"timeout": 0}), ("mayar", {"timeout": "30"}), ("mayar", {"rate_limit_per_minute": 0}),
    ("mayar", {"max_pages": 0}), ("mayar", {"max_wait": -1}), ("mayar", {"max_response_bytes": 0}),
    ("mayar", {"base_url": "http://example.com"}),
    ("faspay", {"timeout": float("nan")}), ("faspay", {"max_workers": 0}), ("faspay", {"max_pages": 0}),
    ("faspay", {"base_url": "ftp://x"}),
]


@pytest.mark.parametrize(("provider", "bad"), BAD)
def test_a_bad_option_is_the_loaders_error_before_any_request(tmp_path, provider, bad):
    with small_emulator(10, 10) as emu:
        kwargs = {**(emu.faspay_kwargs if provider == "faspay" else emu.mayar_kwargs), **bad}
        load = ia.load_faspay if provider == "faspay" else ia.load_mayar
        with pytest.raises(ValueError) as loader:
            load(**kwargs, progress=False)
        with pytest.raises(ValueError) as store:
            InvoiceStore(tmp_path).refresh(**{provider: kwargs}, progress=False)
        assert str(store.value) == str(loader.value)
        assert len(emu.requests) == 0
