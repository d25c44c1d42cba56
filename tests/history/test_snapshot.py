"""Every reader reads one manifest snapshot per call: a refresh committing meanwhile changes nothing."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

import invoice_analytics.history._store as store_module
from invoice_analytics.history import InvoiceStore
from tests.support.stores import apply, at, options, small_emulator


@pytest.mark.parametrize("reader", ["current", "as_of", "history", "refreshes", "files"])
def test_a_refresh_committing_during_a_read_is_not_seen(tmp_path, monkeypatch, reader):
    with small_emulator(30, 60, page_size=5) as emu:
        root = tmp_path / "store"
        store = InvoiceStore(root)
        store.refresh(**options(emu), observed_at=at(0))
        apply(emu, (0, 1, 0))
        store.refresh(**options(emu), observed_at=at(1))
        shutil.copytree(root, tmp_path / "before")
        call = (lambda s: s.as_of(at(1))) if reader == "as_of" else (lambda s: getattr(s, reader)())
        want = call(InvoiceStore(tmp_path / "before"))
        apply(emu, (8, 2, 0))
        apply(emu, (12, 3, 1))
        real = store_module.read_manifest
        reads = []

        def read_then_commit(path):
            manifest = real(path)
            reads.append(path)
            if len(reads) == 1:  # another process's refresh commits right after this read
                InvoiceStore(path).refresh(**options(emu), observed_at=at(2))
            return manifest

        monkeypatch.setattr(store_module, "read_manifest", read_then_commit)
        got = call(InvoiceStore(root))
        assert len(reads) == 1
    if isinstance(want, pd.DataFrame):
        pd.testing.assert_frame_equal(got, want)
    else:
        assert got == want
