"""The column builders behind both loaders' frames: chunked building, typed values."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from invoice_analytics import ResponseError, UnknownStatusWarning
from invoice_analytics.emulator._samples import generate_faspay, generate_mayar
from invoice_analytics.providers import _columns as col
from invoice_analytics.providers.faspay import faspay_frame
from invoice_analytics.providers.mayar import mayar_frame


@pytest.mark.parametrize(("build", "rows"), [(faspay_frame, generate_faspay(700)), (mayar_frame, generate_mayar(700))])
def test_chunked_build_equals_one_pass(monkeypatch, build, rows):
    whole = build(rows)
    monkeypatch.setattr(col, "CHUNK_ROWS", 64)
    chunked = build(rows)
    pd.testing.assert_frame_equal(chunked, whole)


def test_unknown_statuses_across_chunks_warn_once(monkeypatch):
    rows = generate_mayar(300)
    rows[5] = {**rows[5], "status": "refunded"}
    rows[250] = {**rows[250], "status": "disputed"}
    monkeypatch.setattr(col, "CHUNK_ROWS", 100)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        df = mayar_frame(rows)
    unknown = [w for w in caught if issubclass(w.category, UnknownStatusWarning)]
    assert len(unknown) == 1
    assert "['disputed', 'refunded']" in str(unknown[0].message)
    assert unknown[0].filename == __file__  # points at the caller, not at the library
    assert df["status"].isna().sum() == 2


def test_bad_value_in_a_later_chunk_names_its_invoice(monkeypatch):
    rows = generate_faspay(300)
    rows[260] = {**rows[260], "outstanding_amount": "dua juta"}
    monkeypatch.setattr(col, "CHUNK_ROWS", 100)
    with pytest.raises(ResponseError, match=f"{rows[260]['invoice_no']}.*outstanding_amount.*dua juta") as info:
        faspay_frame(rows, sources=[f"request {i}" for i in range(300)])
    assert type(info.value) is ResponseError
    assert info.value.request == "request 260"  # the request that brought the bad row
