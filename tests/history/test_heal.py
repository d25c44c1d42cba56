"""What is derived heals: a checkpoint damaged or missing never blocks, verify() finds every problem,
repair() rebuilds checkpoints from the data files (crash-safe) and names the data that is lost."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import warnings
from pathlib import Path

import pandas as pd
import pytest

from invoice_analytics import cli
from invoice_analytics.history import CheckpointWarning, InvoiceStore
from tests.support.killing import killed_at
from tests.support.stores import apply, assert_same, at, fresh_load, options, small_emulator


@pytest.fixture
def emu():
    with small_emulator(30, 60, page_size=5) as emulator:
        yield emulator


def refreshed(emu, root: Path, n: int = 3) -> InvoiceStore:
    store = InvoiceStore(root, checkpoint_factor=0)  # a checkpoint at every refresh that changed something
    for i in range(n):
        if i:
            apply(emu, (i, i, i))
            apply(emu, (8 + i, i, i))
        store.refresh(**options(emu), observed_at=at(i))
    return store


def answers(root: Path) -> list[pd.DataFrame]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CheckpointWarning)
        store = InvoiceStore(root)
        return [store.current(), store.as_of(at(0)), store.as_of(at(1)), store.history(), store.refreshes()]


def same(a: list[pd.DataFrame], b: list[pd.DataFrame]) -> None:
    for x, y in zip(a, b, strict=True):
        pd.testing.assert_frame_equal(x, y)


@pytest.mark.parametrize("damage", ["delete", "truncate"])
@pytest.mark.parametrize("full", [False, True])
def test_a_missing_or_damaged_checkpoint_never_blocks(emu, tmp_path, damage, full):
    store = refreshed(emu, tmp_path)
    want = answers(tmp_path)
    victims = sorted(tmp_path.glob("_checkpoints/provider=*/*.parquet"))
    for victim in victims:
        if damage == "delete":
            victim.unlink()
        else:
            victim.write_bytes(victim.read_bytes()[:50])
    with pytest.warns(CheckpointWarning, match="checkpoint-"):
        assert_same(InvoiceStore(tmp_path).current(), want[0])
    same(answers(tmp_path), want)
    problems = InvoiceStore(tmp_path).verify()
    assert {(p.kind, p.derived) for p in problems} == {("missing" if damage == "delete" else "damaged", True)}
    assert len(problems) == len(victims)
    apply(emu, (0, 5, 1))
    with pytest.warns(CheckpointWarning):
        InvoiceStore(tmp_path, checkpoint_factor=0).refresh(**options(emu), observed_at=at(5), full=full)
    assert_same(InvoiceStore(tmp_path).current(), fresh_load(emu))
    assert InvoiceStore(tmp_path).repair().problems == []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert InvoiceStore(tmp_path).verify() == []
        assert_same(InvoiceStore(tmp_path).current(), fresh_load(emu))
    del store


def test_repair_rebuilds_checkpoints_and_the_cli_says_so(emu, tmp_path, capsys):
    refreshed(emu, tmp_path)
    want = answers(tmp_path)
    for victim in tmp_path.glob("_checkpoints/provider=mayar/*.parquet"):
        victim.write_bytes(b"junk")
    assert cli.main(["verify", "--store", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "problem(s)" in out and "fixed by repair" in out
    assert cli.main(["repair", "--store", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "checkpoint(s) rebuilt" in out and "0 problem(s) left" in out
    assert cli.main(["verify", "--store", str(tmp_path)]) == 0
    assert "ok" in capsys.readouterr().out
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        same(answers(tmp_path), want)


def test_repair_names_the_data_that_is_lost(emu, tmp_path, capsys):
    refreshed(emu, tmp_path)
    lost = sorted(tmp_path.glob("provider=faspay/*.parquet"))[-1]
    lost.unlink()
    result = InvoiceStore(tmp_path).repair()
    assert result.lost == [lost.relative_to(tmp_path).as_posix()]
    assert cli.main(["repair", "--store", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "data lost: " + lost.relative_to(tmp_path).as_posix() in out




def repair_in_child(root: Path, at_: int, when: str) -> subprocess.CompletedProcess[str]:
    return killed_at("repair()", root, at_, when)


def test_repair_killed_at_every_write_leaves_a_store_that_reads_and_repairs(emu, tmp_path):
    base = tmp_path / "base"
    refreshed(emu, base)
    want = answers(base)
    for victim in base.glob("_checkpoints/provider=mayar/*.parquet"):
        victim.write_bytes(b"junk")
    counting = tmp_path / "counting"
    shutil.copytree(base, counting)
    done = repair_in_child(counting, 0, "never")
    renames = int(done.stdout.strip())
    assert renames == 2 * 3 + 2, done.stderr  # per checkpoint its journal entry and file, the journal, the manifest
    for n in range(1, renames + 1):
        for when in ("before", "after"):
            target = tmp_path / f"crash-{n}-{when}"
            shutil.copytree(base, target)
            assert repair_in_child(target, n, when).returncode == -signal.SIGKILL
            same(answers(target), want)  # before or after the repair, every answer is the same
            InvoiceStore(target).repair()
            assert InvoiceStore(target).verify() == [], (n, when)
            manifest = json.loads((target / "_manifest.json").read_text())
            listed = {f["path"] for f in manifest["files"] + manifest["checkpoints"]}
            present = {p.relative_to(target).as_posix()
                       for p in [*target.glob("provider=*/*"), *target.glob("_checkpoints/provider=*/*")]}
            assert present == listed and not list(target.glob("**/*.tmp"))
