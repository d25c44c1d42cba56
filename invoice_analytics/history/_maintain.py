"""Checking a store and rebuilding what is derived (private; see ``InvoiceStore.verify`` and ``repair``).

The data files hold the history; checkpoints and leftovers of an interrupted writer are derived (see the
guide's "The history store", *Healing what is derived*).

>>> StoreProblem("missing", "provider=mayar/part-000001-00000000.parquet", "listed, not on disk", derived=False)
StoreProblem(kind='missing', path='provider=mayar/part-000001-00000000.parquet', detail='listed, not on disk', \
derived=False)
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from invoice_analytics.history._errors import StoreCorruptError
from invoice_analytics.history._files import (
    JOURNAL_NAME,
    FileEntry,
    Journal,
    journaled,
    listed_paths,
    read_data_file,
    read_manifest,
    remove_orphans,
    write_data_file,
    write_manifest,
)
from invoice_analytics.history._scd import latest_rows

__all__ = ["RepairResult", "StoreProblem", "repair", "verify"]


@dataclass(frozen=True)
class StoreProblem:
    """One problem :meth:`~invoice_analytics.history.InvoiceStore.verify` found.

    ``kind``: "manifest" (unreadable), "missing", "damaged" (size, SHA-256 or Parquet), "orphan" (in the store's
    folders, not listed), "symlink"; ``path`` relative to the store; ``derived``: a checkpoint or a leftover,
    which ``repair()`` rebuilds or removes (else data is lost, or a file the store did not write needs a person).
    """

    kind: str
    path: str
    detail: str
    derived: bool


@dataclass(frozen=True)
class RepairResult:
    """What :meth:`~invoice_analytics.history.InvoiceStore.repair` did: checkpoints ``rebuilt``, leftovers
    ``removed``, data ``lost`` (data files missing or damaged, which no repair brings back), and the
    ``problems`` left (``verify()`` after the repair)."""

    rebuilt: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    problems: list[StoreProblem] = field(default_factory=list)

    def __str__(self) -> str:
        lost = f"; data lost: {', '.join(self.lost)}" if self.lost else ""
        return (f"{len(self.rebuilt)} checkpoint(s) rebuilt, {len(self.removed)} leftover(s) removed, "
                f"{len(self.problems)} problem(s) left{lost}")


def _checked(root: Path, entry: FileEntry) -> StoreProblem | None:
    try:
        read_data_file(root, entry)
    except StoreCorruptError as exc:
        path = root / entry.path
        kind = "symlink" if "symbolic link" in str(exc) else "damaged" if os.path.lexists(path) else "missing"
        return StoreProblem(kind, entry.path, str(exc), derived=entry.path.startswith("_checkpoints/"))
    return None


def verify(root: Path) -> list[StoreProblem]:
    """Every problem of the store at ``root`` (see :class:`StoreProblem`); reads every file it lists."""
    try:
        manifest = read_manifest(root)
    except StoreCorruptError as exc:
        return [StoreProblem("manifest", "_manifest.json", str(exc), derived=False)]
    archive = () if manifest.archive is None else (manifest.archive,)
    problems = [p for e in manifest.files + manifest.checkpoints + archive if (p := _checked(root, e)) is not None]
    listed = listed_paths(manifest)
    left = set(journaled(root)) - listed
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        for name in dirs + files:
            relative = (here / name).relative_to(root).as_posix()
            if (here / name).is_symlink():
                problems.append(StoreProblem("symlink", relative, "a symbolic link inside the store (a store "
                                             "follows none: replace it with what it points to)", derived=False))
            elif name in files and relative.startswith(("provider=", "_checkpoints/provider=", "_log/")) \
                    and relative not in listed:
                ours = relative in left or any(  # or a temporary file of one the journal names
                    Path(relative).parent == Path(p).parent and name.startswith(f".{Path(p).name}.")
                    and name.endswith(".tmp") for p in left)
                problems.append(StoreProblem(
                    "orphan", relative, "left by an interrupted refresh (the next refresh or repair() removes it)"
                    if ours else "not listed in the manifest, not written by this store: left alone", derived=ours))
    return problems


def repair(root: Path) -> RepairResult:
    """:meth:`InvoiceStore.repair` of the store at ``root`` (call it holding the lock)."""
    manifest = read_manifest(root)
    removed = [p.relative_to(root).as_posix() for p in remove_orphans(root, manifest)]
    bad_files = {e.path for e in manifest.files if _checked(root, e) is not None}
    bad_checkpoints = [e for e in manifest.checkpoints if _checked(root, e) is not None]
    lost = sorted(bad_files)
    if not bad_checkpoints:
        return RepairResult([], removed, lost, verify(root))
    journal = Journal(root)
    rebuilt: list[FileEntry] = []
    intact = [e for e in manifest.checkpoints if e not in bad_checkpoints]
    for entry in bad_checkpoints:  # from the intact checkpoint before it and the data files between
        base = max((c for c in intact if c.provider == entry.provider and c.refresh < entry.refresh),
                   key=lambda c: c.refresh, default=None)
        since = base.refresh if base is not None else 0
        sources = sorted((e for e in manifest.files if e.provider == entry.provider and e.refresh > since
                          and e.start <= entry.refresh), key=lambda e: (e.start, e.refresh))
        if any(e.path in bad_files for e in sources):
            continue  # dropped, not rebuilt: the data it was derived from is lost
        tables = [read_data_file(root, e) for e in sources]
        tables = [t.filter(pc.and_(pc.greater(t["refresh"], since), pc.less_equal(t["refresh"], entry.refresh)))
                  for t in tables]  # a month file may straddle either bound
        table = pa.concat_tables(([read_data_file(root, base)] if base is not None else []) + tables,
                                 promote_options="permissive")
        rebuilt.append(write_data_file(root, entry.provider, entry.refresh, latest_rows(table, None),
                                       checkpoint=True, journal=journal))
    dropped = {e.path for e in bad_checkpoints}
    journal.add(*sorted(dropped))  # unlisted by the commit below, then removed (by the next one if killed)
    kept = tuple(e for e in manifest.checkpoints if e.path not in dropped)
    write_manifest(root, replace(manifest, checkpoints=tuple(sorted(kept + tuple(rebuilt),
                                                                    key=lambda e: (e.refresh, e.provider)))))
    journal.close()
    for entry in bad_checkpoints:  # written by the store and listed until now: safe to remove
        path = root / entry.path
        if path.is_file() and not path.is_symlink():
            path.unlink()
    (root / JOURNAL_NAME).unlink(missing_ok=True)
    return RepairResult([e.path for e in rebuilt], removed, lost, verify(root))

