"""Compaction writes a checkpoint at each month's end, so ``as_of`` at any date reads one checkpoint and at most
one month file per provider; opening a compacted store reads the manifest only."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from invoice_analytics.history import InvoiceStore
from tests.history.test_compact import answers, build, same, when
from tests.support.stores import apply, options, small_emulator


@pytest.fixture
def emu():
    with small_emulator(30, 60, page_size=5) as emulator:
        yield emulator


def month_ends(root: Path) -> dict[str, list[int]]:
    """Per provider, the last refresh with a data file of each month but the last one."""
    log = InvoiceStore(root).refreshes()
    changed = log[(log["new"] + log["changed"] + log["gone"]) > 0]
    months = changed["observed_at"].dt.strftime("%Y%m")
    ends = changed.assign(month=months).groupby(["provider", "month"], observed=True)["refresh"].max()
    return {p: sorted(ends[p].tolist())[:-1] for p in ends.index.get_level_values(0).unique()}


def checkpoints(root: Path) -> dict[str, list[int]]:
    doc = json.loads((root / "_manifest.json").read_text())
    found: dict[str, list[int]] = {}
    for entry in doc["checkpoints"]:
        found.setdefault(entry["provider"], []).append(entry["refresh"])
    return {p: sorted(v) for p, v in found.items()}


def read_by(store: InvoiceStore) -> list[str]:
    return sorted(store._tables)  # the files the store read (its cache of tables)


def test_compaction_writes_a_checkpoint_at_each_month_end(emu, tmp_path):
    store = build(emu, tmp_path)  # 14 refreshes 11 days apart: five months
    want = answers(tmp_path)
    store.compact(retention=0)
    same(answers(tmp_path), want)
    ends, found = month_ends(tmp_path), checkpoints(tmp_path)
    last = int(store.refreshes()["refresh"].max())
    for provider, refreshes in ends.items():
        assert len(refreshes) >= 3
        assert found[provider] == [*refreshes, last]  # the rule's checkpoints in between were replaced
    doc = json.loads((tmp_path / "_manifest.json").read_text())
    assert len(doc["files"]) + len(doc["checkpoints"]) <= 2 * sum(len(r) + 1 for r in ends.values())
    assert store.verify() == []


@pytest.mark.parametrize("i", [1, 4, 7, 10])
def test_as_of_at_an_early_date_reads_a_month_end_checkpoint_and_one_month_file(emu, tmp_path, i):
    build(emu, tmp_path).compact(retention=0)
    at = when(i) + pd.Timedelta(hours=1)
    reader = InvoiceStore(tmp_path)
    reader.as_of(at)
    read = [p for p in read_by(reader) if not p.startswith("_log/")]
    log = InvoiceStore(tmp_path).refreshes()
    for provider, ends in month_ends(tmp_path).items():
        mine = [p for p in read if f"provider={provider}/" in p]
        files = [p for p in mine if p.startswith(f"provider={provider}/compact-")]
        assert len(files) <= 1 and all(f.split("-")[1] == at.strftime("%Y%m") for f in files), mine
        seen = log.loc[(log["provider"] == provider) & (log["observed_at"] <= at), "refresh"].max()
        held = [int(p.split("-")[1]) for p in mine if p.startswith("_checkpoints/")]
        before = [r for r in ends if r <= seen]
        assert held == before[-1:], mine  # the month-end checkpoint of the month before (none in the first)
        assert files or held, mine


def test_a_later_compaction_keeps_one_checkpoint_per_month_and_the_same_answers(emu, tmp_path):
    store = build(emu, tmp_path, n=8)
    store.compact(retention=0)
    for i in range(8, 14):
        apply(emu, (i % 14, i, i))
        store.refresh(**options(emu), observed_at=when(i))
    want = answers(tmp_path)
    store.compact(retention=0)
    store.compact(retention=0)  # removes what the first one replaced
    same(answers(tmp_path), want)
    for provider, refreshes in month_ends(tmp_path).items():
        assert checkpoints(tmp_path)[provider][:-1] == refreshes  # the first compaction's last one replaced
    on_disk = {p.relative_to(tmp_path).as_posix() for p in tmp_path.glob("_checkpoints/*/*.parquet")}
    assert on_disk == {e["path"] for e in json.loads((tmp_path / "_manifest.json").read_text())["checkpoints"]}


def test_repair_rebuilds_a_month_end_checkpoint(emu, tmp_path):
    store = build(emu, tmp_path)
    store.compact(retention=0)
    want = answers(tmp_path)
    doc = json.loads((tmp_path / "_manifest.json").read_text())
    middle = doc["checkpoints"][len(doc["checkpoints"]) // 2]["path"]
    (tmp_path / middle).unlink()
    assert [p.path for p in store.verify()] == [middle]
    result = store.repair()
    assert len(result.rebuilt) == 1 and result.problems == [] and result.lost == []
    same(answers(tmp_path), want)
    assert InvoiceStore(tmp_path).verify() == []


def test_an_older_compacted_store_gets_its_month_end_checkpoints_at_the_next_compaction(emu, tmp_path):
    store = build(emu, tmp_path)
    store.compact(retention=0)
    want = answers(tmp_path)
    doc = json.loads((tmp_path / "_manifest.json").read_text())
    ends = month_ends(tmp_path)
    kept = [e for e in doc["checkpoints"] if e["refresh"] == max(e2["refresh"] for e2 in doc["checkpoints"])]
    doc["checkpoints"] = kept  # as a compaction of the previous version left it: one checkpoint, at the end
    del doc["archive"]["last_observed_at"]
    (tmp_path / "_manifest.json").write_text(json.dumps(doc))
    same(answers(tmp_path), want)
    assert str(InvoiceStore(tmp_path)).endswith(f"last at {when(13).isoformat()})")
    store.compact(retention=0)
    same(answers(tmp_path), want)
    assert {p: r[:-1] for p, r in checkpoints(tmp_path).items()} == ends


def test_opening_a_compacted_store_reads_only_its_manifest(emu, tmp_path):
    store = build(emu, tmp_path, n=4)
    text = repr(store)
    store.compact(retention=0)
    doc = json.loads((tmp_path / "_manifest.json").read_text())
    assert doc["archive"]["last_observed_at"] == when(3).isoformat()
    (tmp_path / doc["archive"]["path"]).unlink()  # opening does not need it
    assert repr(InvoiceStore(tmp_path)) == text
