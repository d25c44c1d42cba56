"""Compaction: the same answers before and after, a bounded number of files and a small manifest, replaced
files kept for the retention period, crash-safe; a refresh compacts by itself past ``compact_after``."""

from __future__ import annotations

import json
import shutil
import signal
import warnings
from pathlib import Path

import pandas as pd
import pytest

from invoice_analytics.history import InvoiceStore, RefreshFallbackWarning
from tests.history.test_store import assert_duckdb_equals, query, readme_sql
from tests.support.killing import killed_at
from tests.support.stores import apply, assert_same, fresh_load, options, small_emulator

START = pd.Timestamp("2026-05-03 09:00", tz="Asia/Jakarta")


def when(i: int) -> pd.Timestamp:
    """The i-th refresh: every 11 days, so the history spans several months."""
    return START + pd.Timedelta(days=11 * i)


def build(emu, root: Path, n: int = 14, **kw) -> InvoiceStore:
    store = InvoiceStore(root, compact_after=None, **kw)
    for i in range(n):
        if i:
            apply(emu, (i % 14, i, i))
            apply(emu, ((i * 5) % 14, i + 3, i))
        store.refresh(**options(emu), observed_at=when(i))
    return store


def answers(root: Path) -> list[pd.DataFrame]:
    store = InvoiceStore(root)
    times = [when(i) + pd.Timedelta(hours=h) for i in range(14) for h in (0, 30)]
    return [store.current(), store.history(), store.refreshes(), *(store.as_of(t) for t in times)]


def same(a: list[pd.DataFrame], b: list[pd.DataFrame]) -> None:
    for x, y in zip(a, b, strict=True):
        pd.testing.assert_frame_equal(x, y)


@pytest.fixture
def emu():
    with small_emulator(30, 60, page_size=5) as emulator:
        yield emulator


def months(root: Path) -> int:
    return len({pd.Timestamp(r).strftime("%Y%m") for r in InvoiceStore(root).refreshes()["observed_at"]})


def test_the_same_answers_fewer_files_and_a_small_manifest(emu, tmp_path):
    store = build(emu, tmp_path, checkpoint_factor=0.5)
    want = answers(tmp_path)
    replaced = list(tmp_path.glob("provider=*/*.parquet"))
    parts = len(replaced)
    size = (tmp_path / "_manifest.json").stat().st_size
    result = store.compact(retention=0)
    assert result.folded == parts and result.archived == 28
    same(answers(tmp_path), want)
    manifest = json.loads((tmp_path / "_manifest.json").read_text())
    assert manifest["refreshes"] == [] and manifest["archive"]["path"].startswith("_log/refreshes-")
    assert len(manifest["files"]) <= 2 * months(tmp_path) < parts
    assert (tmp_path / "_manifest.json").stat().st_size < size
    # the replaced files stay for the retention period (0 here): removed by the next compaction or refresh
    assert len(list(tmp_path.glob("provider=*/part-*.parquet"))) == parts
    assert store.verify() == []
    apply(emu, (5, 2, 2))
    InvoiceStore(tmp_path, retention=0).refresh(**options(emu), observed_at=when(16))
    assert not any(p.exists() for p in replaced)
    assert len(list(tmp_path.glob("provider=*/*.parquet"))) == len(InvoiceStore(tmp_path).files())
    assert_same(store.current(), fresh_load(emu))
    assert store.compact(retention=0).archived == 2
    assert_same(InvoiceStore(tmp_path).current(), fresh_load(emu))
    same(answers(tmp_path)[3:-2], want[3:-2])  # the past is unchanged
    assert store.verify() == []


def test_replaced_files_are_kept_for_the_retention_period(emu, tmp_path):
    store = build(emu, tmp_path, n=6)
    before = set(store.files())
    store.compact(retention=3600)
    store.compact(retention=3600)  # nothing older than an hour: nothing removed
    assert all((tmp_path / p).exists() for p in before)
    assert store.verify() == []
    assert store.compact(retention=0).removed == len(before)  # the data files the first compaction folded
    assert not any((tmp_path / p).exists() for p in before - set(store.files()))


def test_the_readme_sql_reads_the_compacted_layout(emu, tmp_path):
    store = build(emu, tmp_path, n=8)
    store.compact(retention=3600)  # the replaced files still on disk: a glob reads each version twice
    for i in (2, 5, 7):
        assert_duckdb_equals(query(readme_sql("as of", tmp_path, when(i))), store.as_of(when(i)))
    assert_duckdb_equals(query(readme_sql("current", tmp_path)), store.current())
    files = ", ".join(f"'{tmp_path / p}'" for p in store.files())
    rows = query(f"SELECT count(*) AS n FROM read_parquet([{files}], union_by_name = true)")
    assert int(rows["n"].iloc[0]) == len(store.history()) + int(store.refreshes()["gone"].sum())


def test_a_refresh_compacts_past_compact_after(emu, tmp_path):
    store = InvoiceStore(tmp_path, compact_after=10, retention=0)
    for i in range(8):
        apply(emu, (i, i, 0))
        store.refresh(**options(emu), observed_at=when(i))
    manifest = json.loads((tmp_path / "_manifest.json").read_text())
    assert "archive" in manifest and len(manifest["refreshes"]) < 10
    assert len(store.refreshes()) == 16
    assert_same(store.current(), fresh_load(emu))




def test_compaction_killed_at_every_write_changes_no_answer(emu, tmp_path):
    base = tmp_path / "base"
    build(emu, base, n=6, checkpoint_factor=1)
    want = answers(base)[:3 + 12]
    counting = tmp_path / "counting"
    shutil.copytree(base, counting)
    done = killed_at("compact(retention=0)", counting, 0, "never")
    renames = int(done.stdout.strip())
    assert renames >= 5, done.stderr
    moments = [(n, "before") for n in range(1, renames + 1)] + [(1, "after"), (renames - 1, "after"),
                                                                 (renames, "after")]
    for n, moment in moments:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RefreshFallbackWarning)
            target = tmp_path / f"crash-{n}-{moment}"
            shutil.copytree(base, target)
            killed = killed_at("compact(retention=0)", target, n, moment)
            assert killed.returncode == -signal.SIGKILL
            same(answers(target)[:3 + 12], want)
            InvoiceStore(target).compact(retention=0)
            same(answers(target)[:3 + 12], want)
            InvoiceStore(target, retention=0).refresh(**options(emu), observed_at=when(17))
            assert InvoiceStore(target).verify() == [], (n, moment)
            listed = set(InvoiceStore(target).files())
            present = {p.relative_to(target).as_posix() for p in target.glob("provider=*/*")}
            assert present == listed and not list(target.glob("**/*.tmp")), (n, moment)
