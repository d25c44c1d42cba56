"""The store never touches what it did not write, and reads a tampered manifest as a typed error."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from invoice_analytics import cli
from invoice_analytics.history import InvoiceStore, NotAStoreError, StoreCorruptError
from tests.support.stores import at, options, small_emulator


@pytest.fixture
def emu():
    with small_emulator(20, 30, page_size=5) as emulator:
        yield emulator


@pytest.fixture
def store_dir(emu, tmp_path):
    root = tmp_path / "store"
    InvoiceStore(root, checkpoint_factor=0).refresh(**options(emu), observed_at=at(0))
    return root


def test_a_directory_with_files_but_no_manifest_is_not_a_store(emu, tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine")
    (tmp_path / "x.tmp").write_text("mine too")
    (tmp_path / "provider=faspay").mkdir()
    (tmp_path / "provider=faspay" / "part-000001-00000000.parquet").write_text("not yours")
    with pytest.raises(NotAStoreError, match="not a store"):
        InvoiceStore(tmp_path).refresh(**options(emu), observed_at=at(0))
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["notes.txt", "part-000001-00000000.parquet",
                                                          "provider=faspay", "x.tmp"]
    assert len(emu.requests) == 0
    with pytest.raises(NotAStoreError):
        InvoiceStore(tmp_path).current()
    env = {"MAYAR_API_KEY": emu.mayar_kwargs["api_key"]}
    os.environ.update(env)
    try:
        code = cli.main(["refresh", "--store", str(tmp_path), "--provider", "mayar", "--mayar-url", emu.url])
    finally:
        del os.environ["MAYAR_API_KEY"]
    assert code == 1 and "not a store" in capsys.readouterr().err
    assert (tmp_path / "x.tmp").exists()


def test_an_empty_directory_is_fine(emu, tmp_path):
    InvoiceStore(tmp_path).refresh(**options(emu), observed_at=at(0))
    assert len(InvoiceStore(tmp_path).current()) == 50


@pytest.mark.parametrize("place", ["provider=faspay", "_pending", "_checkpoints"])
def test_a_symlink_inside_the_store_is_refused_never_followed(emu, store_dir, tmp_path, place):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("the user's")
    target = store_dir / place
    if target.exists():
        for p in target.rglob("*"):
            if p.is_file():
                (outside / p.name).write_bytes(p.read_bytes())
        import shutil
        shutil.rmtree(target)
    target.symlink_to(outside, target_is_directory=True)
    before = sorted(p.name for p in outside.iterdir())
    with pytest.raises(StoreCorruptError, match="symbolic link"):
        InvoiceStore(store_dir).refresh(**options(emu), observed_at=at(1))
    assert sorted(p.name for p in outside.iterdir()) == before
    assert any(p.kind == "symlink" for p in InvoiceStore(store_dir).verify())


def test_cleanup_removes_only_what_the_journal_names(emu, store_dir):
    foreign = [store_dir / "provider=mayar" / "part-000009-00000000.parquet", store_dir / ".mine.tmp",
               store_dir / "_checkpoints" / "provider=faspay" / "checkpoint-000009-00000000.parquet"]
    for path in foreign:
        path.write_bytes(b"the user's")
    ours = store_dir / "provider=faspay" / "part-000002-abcdef12.parquet"  # a killed refresh's, journaled
    ours.write_bytes(b"half written")
    (store_dir / "provider=faspay" / ".part-000002-abcdef12.parquet.1.ffffffff.tmp").write_bytes(b"x")
    (store_dir / "_journal.json").write_text(json.dumps({"created": [ours.relative_to(store_dir).as_posix(),
                                                                      "../escape.parquet"]}))
    (store_dir.parent / "escape.parquet").write_text("outside")
    derived = {p.path for p in InvoiceStore(store_dir).verify() if p.derived}
    assert derived == {"provider=faspay/part-000002-abcdef12.parquet",
                       "provider=faspay/.part-000002-abcdef12.parquet.1.ffffffff.tmp"}
    InvoiceStore(store_dir).refresh(**options(emu), observed_at=at(1))
    assert all(p.exists() for p in foreign) and (store_dir.parent / "escape.parquet").exists()
    assert not ours.exists() and not list(store_dir.glob("provider=faspay/.*.tmp"))
    assert not (store_dir / "_journal.json").exists()
    kinds = {(p.kind, p.derived) for p in InvoiceStore(store_dir).verify()}
    assert kinds == {("orphan", False)}


def _tamper(root: Path, change) -> None:
    doc = json.loads((root / "_manifest.json").read_text())
    change(doc)
    text = json.dumps(doc).replace('"DEEP"', "[" * 100_000 + "]" * 100_000)
    (root / "_manifest.json").write_text(text)


def _deep(doc):
    doc["refreshes"] = "DEEP"


CASES = {
    "escape": (lambda d: d["files"][0].update(path="../outside.parquet"), r"files\[0\]\.path"),
    "absolute": (lambda d: d["files"][0].update(path="/etc/passwd"), r"files\[0\]\.path"),
    "size_type": (lambda d: d["files"][0].update(size="big"), r"files\[0\]\.size"),
    "version_true": (lambda d: d.update(format_version=True), "format_version"),
    "files_null": (lambda d: d.update(files=None), "files"),
    "refreshes_list": (lambda d: d.update(refreshes=[[]]), r"refreshes\[0\]"),
    "document_list": (lambda d: d.clear(), "format"),
    "naive_observed_at": (lambda d: d["refreshes"][0].update(observed_at="2026-11-22T09:00:00"), "observed_at"),
    "generation_behind": (lambda d: d.update(generation=0), "generation"),
    "deep": (_deep, "nested too deeply|refreshes"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_tampered_manifest_is_a_typed_error_naming_file_and_field(store_dir, case, capsys):
    change, field = CASES[case]
    _tamper(store_dir, change)
    with pytest.raises(StoreCorruptError, match=field) as caught:
        InvoiceStore(store_dir).current()
    assert "_manifest.json" in str(caught.value) and "passwd" not in str(caught.value).replace("/etc/passwd'", "")
    assert cli.main(["verify", "--store", str(store_dir)]) == 1
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "manifest _manifest.json" in out


def test_a_symlinked_data_file_is_not_read(store_dir, tmp_path):
    victim = sorted(store_dir.glob("provider=mayar/*.parquet"))[0]
    copy = tmp_path / "copy.parquet"
    copy.write_bytes(victim.read_bytes())
    victim.unlink()
    victim.symlink_to(copy)
    with pytest.raises(StoreCorruptError, match="symbolic link"):
        InvoiceStore(store_dir).history()


def test_the_manifest_size_is_bounded_before_parsing(store_dir, monkeypatch):
    import invoice_analytics.history._files as files

    monkeypatch.setattr(files, "MAX_MANIFEST_BYTES", 1000)
    with pytest.raises(StoreCorruptError, match="larger than"):
        InvoiceStore(store_dir).current()


def test_a_future_observed_at_is_refused_and_nothing_committed(emu, store_dir):
    with pytest.raises(ValueError, match="in the future"):
        InvoiceStore(store_dir).refresh(**options(emu), observed_at="2206-11-22 09:00")
    assert len(InvoiceStore(store_dir).refreshes()) == 2
    InvoiceStore(store_dir).refresh(**options(emu), observed_at=at(1))  # later refreshes still work
    assert len(InvoiceStore(store_dir).refreshes()) == 4
