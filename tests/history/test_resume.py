"""Interrupted refreshes: a fault, Ctrl-C or a killed process loses nothing fetched and corrupts nothing."""

from __future__ import annotations

import json
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

import invoice_analytics as ia
from invoice_analytics.history import InvoiceStore
from tests.support.stores import assert_same, at, expected, fresh_load, options, random_changes, small_emulator

CHILD = textwrap.dedent("""
    import json, os, signal, sys
    from invoice_analytics.history import InvoiceStore

    path, arguments, crash = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
    calls = 0
    if crash is not None:  # die at the n-th file rename, before or after it
        real = os.replace

        def replace(src, dst):
            global calls
            calls += 1
            if calls == crash["at"] and crash["when"] == "before":
                os.kill(os.getpid(), signal.SIGKILL)
            real(src, dst)
            if calls == crash["at"] and crash["when"] == "after":
                os.kill(os.getpid(), signal.SIGKILL)

        os.replace = replace
    print("ready", flush=True)
    sys.stdin.readline()
    result = InvoiceStore(path, checkpoint_factor=0).refresh(**arguments)  # a checkpoint at every refresh
    print(json.dumps({"renames": calls, "result": repr(result)}), flush=True)
""")


def request_log(emu, since: int = 0) -> Counter:
    """The successful requests answered since ``since``, by provider and parameters."""
    return Counter((r.provider, json.dumps(r.params, sort_keys=True, default=str))
                   for r in list(emu.requests)[since:] if r.status_code == 200)


@pytest.mark.parametrize("provider", ["faspay", "mayar"])
def test_a_failed_refresh_is_resumed_fetching_only_what_is_left(tmp_path, provider):
    twins = []
    for name in ("interrupted", "uninterrupted"):
        emu = small_emulator(60, 400, page_size=5).start()
        store = InvoiceStore(tmp_path / name)
        store.refresh(**options(emu), observed_at=at(0))
        random_changes(emu, 0.05, random.Random(5))
        twins.append((emu, store))
    try:
        (emu, store), (twin, twin_store) = twins
        mark = len(twin.requests)
        twin_store.refresh(**options(twin), observed_at=at(1))
        whole = request_log(twin, mark)

        def fail(p: str, n: int) -> None:
            if p == provider and n - start[p] == 6:
                emu.inject("500", provider=provider, times=1)

        start = {p: sum(1 for r in emu.requests if r.provider == p) for p in ("faspay", "mayar")}
        emu.on_request = fail
        mark = len(emu.requests)
        with pytest.raises(ia.ServerError):
            store.refresh(**options(emu, max_retries=0), observed_at=at(1))
        emu.on_request = None
        first = request_log(emu, mark)
        assert 0 < sum(first.values()) < sum(whole.values())
        mark = len(emu.requests)
        result = store.refresh(**options(emu), observed_at=at(1))
        second = request_log(emu, mark)
        assert first + second == whole  # nothing answered is asked again
        assert result.requests == sum(second.values()) and sum(p.resumed for p in result) == sum(first.values())
        if provider == "mayar":
            assert result["faspay"].requests == 0  # Faspay had finished: all of it replayed
        assert_same(store.current(), twin_store.current())
        assert_same(store.current(), fresh_load(emu))
        assert_same(store.history(), twin_store.history())
        assert not (store.path / "_pending").exists()
    finally:
        for emulator, _ in twins:
            emulator.stop()


def test_answers_older_than_resume_within_are_not_reused(tmp_path):
    with small_emulator() as emu:
        store = InvoiceStore(tmp_path, resume_within=0.5)
        store.refresh(**options(emu), observed_at=at(0))
        assert "1 refreshes" in repr(store)
        random_changes(emu, 0.05, random.Random(1))
        emu.inject("500", provider="mayar", times=1)
        with pytest.raises(ia.ServerError):
            store.refresh(**options(emu, max_retries=0), observed_at=at(1))
        time.sleep(0.6)
        result = store.refresh(**options(emu), observed_at=at(1))
        assert sum(p.resumed for p in result) == 0 and result["faspay"].requests > 0
        assert_same(store.current(), fresh_load(emu))


def child(path: Path, emu, observed_at, crash: dict | None = None) -> subprocess.Popen:
    arguments = {**options(emu), "observed_at": str(observed_at)}
    process = subprocess.Popen([sys.executable, "-c", CHILD, str(path), json.dumps(arguments), json.dumps(crash)],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "ready", process.stderr.read()
    return process


def go(process: subprocess.Popen) -> None:
    process.stdin.write("go\n")
    process.stdin.flush()


def test_ctrl_c_keeps_the_pages_fetched(tmp_path):
    with small_emulator(60, 600, page_size=5) as emu:
        store = InvoiceStore(tmp_path)
        store.refresh(**options(emu), observed_at=at(0))
        random_changes(emu, 0.05, random.Random(2))
        emu.latency = 0.05
        process = child(tmp_path, emu, at(1))
        mark = len(emu.requests)
        go(process)
        deadline = time.monotonic() + 60
        while sum(1 for r in list(emu.requests)[mark:] if r.provider == "mayar") < 4:
            assert time.monotonic() < deadline and process.poll() is None
            time.sleep(0.01)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
        assert process.returncode != 0 and "KeyboardInterrupt" in err
        fetched = sum(request_log(emu, mark).values())
        assert_same(InvoiceStore(tmp_path).as_of(at(2)), store.as_of(at(0)))  # nothing committed
        emu.latency = 0
        result = store.refresh(**options(emu), observed_at=at(1))
        assert result.mode == "incremental" and sum(p.resumed for p in result) >= fetched - 1 > 0
        assert_same(store.current(), fresh_load(emu))


def _states(tmp_path):
    """A store refreshed once, changes made since, and the frames before and after them."""
    emu = small_emulator(60, 300, page_size=5).start()
    store = InvoiceStore(tmp_path / "store")
    store.refresh(**options(emu), observed_at=at(0))
    before = store.current()
    random_changes(emu, 0.05, random.Random(9))
    emu.remove_faspay_invoice(next(r for r in emu.faspay.invoices if r["invoice_status"] == "Unpaid")["invoice_no"])
    return emu, store, before, expected(emu)


def _check(path: Path, before, after, emu) -> str:
    current = InvoiceStore(path).current()
    try:
        assert_same(current, before)
        state = "before"
    except AssertionError:
        assert_same(current, after)
        state = "after"
    InvoiceStore(path).history()  # every listed file reads
    manifest = json.loads((path / "_manifest.json").read_text())
    assert manifest["generation"] == len({r["refresh"] for r in manifest["refreshes"]})
    return state


def _finish(store: InvoiceStore, emu, n: int) -> None:
    """A following refresh completes correctly and leaves no stray file."""
    store.refresh(**options(emu), observed_at=at(n))
    assert_same(store.current(), fresh_load(emu))
    manifest = json.loads((store.path / "_manifest.json").read_text())
    listed = {f["path"] for f in manifest["files"] + manifest["checkpoints"]}
    present = [*store.path.glob("provider=*/*"), *store.path.glob("_checkpoints/provider=*/*")]
    assert {p.relative_to(store.path).as_posix() for p in present} == listed
    assert not list(store.path.glob("**/*.tmp")) and not (store.path / "_pending").exists()


def test_killed_at_random_moments_the_store_is_before_or_after(tmp_path):
    """20 refreshes in a subprocess killed (SIGKILL) at random moments; after each the store reads as it
    was before, or as after that refresh; once one got through, the accounts change again."""
    emu, store, before, after = _states(tmp_path)
    try:
        emu.latency = 0.003
        timing = tmp_path / "timing"
        shutil.copytree(store.path, timing)
        process = child(timing, emu, at(1))
        started = time.monotonic()
        go(process)
        process.communicate(timeout=120)
        span = time.monotonic() - started
        rng = random.Random(20261122)
        seen = Counter()
        for attempt in range(20):
            process = child(store.path, emu, at(1) + pd.Timedelta(minutes=attempt))
            go(process)
            time.sleep(rng.uniform(0, span))
            process.send_signal(signal.SIGKILL)
            process.communicate(timeout=60)
            state = _check(store.path, before, after, emu)
            seen[state] += 1
            if state == "after":  # got through: a new round of changes to refresh
                before = after
                random_changes(emu, 0.03, rng)
                after = expected(emu)
        assert seen["before"] >= 5 and seen["after"] >= 2, seen
        emu.latency = 0
        _finish(store, emu, 30)
    finally:
        emu.stop()


def test_killed_at_every_kind_of_write_the_store_is_before_or_after(tmp_path):
    emu, store, before, after = _states(tmp_path)
    try:
        counting = tmp_path / "counting"
        shutil.copytree(store.path, counting)
        process = child(counting, emu, at(1), {"at": 0, "when": "never"})
        go(process)
        out, err = process.communicate(timeout=120)
        # pending answers, data files, checkpoints (renames - 2 and - 1), then the manifest
        renames = json.loads(out.splitlines()[-1])["renames"]
        assert len(list(counting.glob("_checkpoints/provider=*/*.parquet"))) == 2
        assert renames > 5, err
        states = []
        for n, when in [(1, "after"), (renames // 2, "before"), (renames - 2, "before"), (renames - 2, "after"),
                        (renames - 1, "before"), (renames - 1, "after"), (renames, "before"), (renames, "after")]:
            target = tmp_path / f"crash-{n}-{when}"
            shutil.copytree(store.path, target)
            process = child(target, emu, at(1), {"at": n, "when": when})
            go(process)
            process.communicate(timeout=120)
            assert process.returncode == -signal.SIGKILL, (n, when)
            states.append(_check(target, before, after, emu))
            _finish(InvoiceStore(target), emu, 2)
        # killed before the manifest's rename: as before; after it: as after
        assert states[-2:] == ["before", "after"] and states[:5] == ["before"] * 5
    finally:
        emu.stop()

