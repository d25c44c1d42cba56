"""A store written by an earlier version (format 1, no identity) opens, reads and refreshes with no data lost."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pandas as pd
import pytest

from invoice_analytics.emulator._samples import generate_mayar
from invoice_analytics.history import InvoiceStore, StoreAccountError
from tests.support.stores import assert_same, at, expected, options, random_changes, small_emulator

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def old_store(tmp_path) -> Path:
    root = tmp_path / "store"
    shutil.copytree(FIXTURES / "store_v1", root)
    return root


def the_fixtures_account():
    """The emulated account the fixture store was written from, as it was at its last refresh."""
    emu = small_emulator(12, 20, page_size=5)
    random_changes(emu, 0.2, random.Random(3))
    return emu


def test_it_reads_as_the_version_that_wrote_it(old_store):
    assert json.loads((old_store / "_manifest.json").read_text())["format_version"] == 1
    store = InvoiceStore(old_store)
    for name in ("current", "history"):
        got = getattr(store, name)()
        got.attrs = {}
        pd.testing.assert_frame_equal(got, pd.read_parquet(FIXTURES / f"store_v1_{name}.parquet"))
    assert store.verify() == []
    assert len(store.files()) == 4


def test_its_first_refresh_records_the_account_after_the_rotation_check(old_store):
    with the_fixtures_account() as emu:
        before = InvoiceStore(old_store).history()
        result = InvoiceStore(old_store).refresh(**options(emu), observed_at=at(2))
        assert all("account recorded" in result[p].note for p in ("faspay", "mayar"))
        doc = json.loads((old_store / "_manifest.json").read_text())
        assert doc["format_version"] == 2 and set(doc["identity"]["providers"]) == {"faspay", "mayar"}
        store = InvoiceStore(old_store)
        assert_same(store.current(), expected(emu))
        pd.testing.assert_frame_equal(store.history().iloc[: len(before)].drop(columns=["valid_to", "last_seen"]),
                                      before.drop(columns=["valid_to", "last_seen"]))  # nothing lost
        assert len(store.refreshes()) == 6


def test_another_account_is_refused_at_its_first_refresh(old_store):
    with small_emulator(0, 20) as emu:
        emu.mayar.invoices = [dict(r, id=f"other-{r['id']}") for r in generate_mayar(20, 5)]
        with pytest.raises(StoreAccountError, match="mayar: recording the store's account refused"):
            InvoiceStore(old_store).refresh(mayar=options(emu)["mayar"], progress=False, observed_at=at(2))
    assert json.loads((old_store / "_manifest.json").read_text())["format_version"] == 1  # untouched
