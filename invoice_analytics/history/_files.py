"""The store's files: atomic writes, the manifest, the Parquet data files (private).

Layout of a store directory::

    _manifest.json                         the committed state (written last, atomically; see ._manifest)
    _journal.json                          the files an unfinished refresh is writing (see below)
    _refresh.lock                          the refresh lock (filelock)
    _pending/                              answers of an unfinished refresh (see ._transport)
    provider=faspay/part-000001-1a2b3c4d.parquet
    provider=mayar/part-000001-5e6f7a8b.parquet
    _checkpoints/provider=mayar/checkpoint-000120-9c0d1e2f.parquet
                                           the state at a refresh (see below)

Every file is written to a temporary name in its directory, flushed to disk
and renamed over its final name (``os.replace``). Data files are never
changed once written; a refresh adds files and then commits them by
replacing the manifest, which lists every committed file with its size and
SHA-256. Readers read the manifest once and then only the files it lists, so
they never see a refresh in part. Before it writes a file, a refresh adds its
name to the journal (``_journal.json``); a file the journal names that the
manifest does not list is the remains of an interrupted refresh, removed by
the next one. Nothing else is ever deleted: a file the store did not write
is left alone (``verify`` reports it), a symbolic link inside the store is
refused, and a directory that holds files but no manifest is not a store.

A *checkpoint* is a derived file: a provider's latest event of every invoice
still listed at one refresh (the rows as they are in the data files, with
their ``valid_from``, ``change`` and ``refresh``). Reading the state at a
time then needs the last checkpoint at or before it and the data files
after that checkpoint, not the whole history. Checkpoints live under
``_checkpoints/`` (outside the ``provider=*/`` partitions, so a glob over
those still sees each version once), are listed apart in the manifest
(``checkpoints``) and are written and committed like data files. Being
derived, a damaged one never blocks: readers fall back to the data files.

>>> import tempfile
>>> root = Path(tempfile.mkdtemp())
>>> read_manifest(root).generation
0
>>> write_manifest(root, Manifest(generation=1))
>>> read_manifest(root).generation, sorted(p.name for p in root.iterdir())
(1, ['_manifest.json'])
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from invoice_analytics.history._errors import NotAStoreError, StoreCorruptError
from invoice_analytics.history._manifest import (
    ARCHIVE_DIR,
    FORMAT,
    FORMAT_VERSION,
    MAX_MANIFEST_BYTES,
    FileEntry,
    Identity,
    Manifest,
    parse_manifest,
    store_path,
)
from invoice_analytics.schema import PROVIDERS

__all__ = [
    "ARCHIVE_DIR",
    "CHECKPOINT_DIR",
    "FORMAT",
    "FORMAT_VERSION",
    "JOURNAL_NAME",
    "LOCK_NAME",
    "MANIFEST_NAME",
    "PENDING_DIR",
    "FileEntry",
    "Identity",
    "Journal",
    "Manifest",
    "atomic_write",
    "check_no_symlinks",
    "check_store_dir",
    "listed_paths",
    "read_data_file",
    "read_manifest",
    "remove_orphans",
    "write_data_file",
    "write_manifest",
    "write_table",
]

MANIFEST_NAME = "_manifest.json"
LOCK_NAME = "_refresh.lock"
PENDING_DIR = "_pending"
CHECKPOINT_DIR = "_checkpoints"
JOURNAL_NAME = "_journal.json"
_TMP_SUFFIX = ".tmp"
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def read_manifest(root: Path) -> Manifest:
    """The manifest of ``root``; an empty one when there is none yet (size bounded, every field checked)."""
    path = root / MANIFEST_NAME
    if path.is_symlink():
        raise StoreCorruptError(f"{path}: the store's manifest is a symbolic link; a store follows none")
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW)
    except FileNotFoundError:
        return Manifest()
    with os.fdopen(fd, "rb") as handle:
        raw = handle.read(MAX_MANIFEST_BYTES + 1)
    if len(raw) > MAX_MANIFEST_BYTES:
        raise StoreCorruptError(f"{path}: the store's manifest is unreadable: larger than "
                                f"{MAX_MANIFEST_BYTES // 2**20} MiB, the most a manifest may be")
    return parse_manifest(raw, str(path))


def write_manifest(root: Path, manifest: Manifest) -> None:
    """Commit ``manifest`` (atomically; the store's only commit point)."""
    atomic_write(_guard(root, MANIFEST_NAME), manifest.to_json())


def check_store_dir(root: Path) -> None:
    """Refuse a directory that holds files but no store (an empty or missing one is fine)."""
    if not root.exists():
        if root.is_symlink():
            raise NotAStoreError(f"{root} is a symbolic link to nothing: not a store")
        return
    if not root.is_dir():
        raise NotAStoreError(f"{root} is not a directory: not a store")
    names = {entry.name for entry in os.scandir(root)}
    if MANIFEST_NAME in names or JOURNAL_NAME in names or names <= {LOCK_NAME}:
        return
    if names <= {LOCK_NAME, PENDING_DIR} and (root / PENDING_DIR / "meta.json").is_file():
        return  # a first refresh interrupted before it wrote a file
    raise NotAStoreError(
        f"{root} holds files but no store manifest ({MANIFEST_NAME}), e.g. {sorted(names)[:3]}: not a store; "
        f"give InvoiceStore an empty directory or an existing store")


def check_no_symlinks(root: Path) -> None:
    """Refuse a store with a symbolic link where it reads or writes (never followed for writing or deleting)."""
    places = [root / name for name in (MANIFEST_NAME, JOURNAL_NAME, LOCK_NAME, PENDING_DIR, CHECKPOINT_DIR)]
    places += [root / f"provider={p}" for p in PROVIDERS] + [root / CHECKPOINT_DIR / f"provider={p}" for p in PROVIDERS]
    places += [root / PENDING_DIR / name for name in ("answers", "meta.json")]
    for place in places:
        if place.is_symlink():
            raise StoreCorruptError(f"{place}: a symbolic link inside the store; a store follows none (replace "
                                    f"it with the directory or file itself)")


def _guard(root: Path, relative: str) -> Path:
    """``root / relative`` after checking that nothing on the way, itself included, is a symbolic link."""
    path = root
    for part in relative.split("/"):
        path = path / part
        if path.is_symlink():
            raise StoreCorruptError(f"{path}: a symbolic link inside the store; a store follows none")
    return path


def atomic_write(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Write ``data`` to ``path`` through a temporary file renamed over it.

    ``durable`` flushes the file and its directory to disk (skipped for the
    pending answers, which are a cache).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}{_TMP_SUFFIX}"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o644)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if durable:
        _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # e.g. a platform without directory handles
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class Journal:
    """The files an unfinished refresh (or repair) writes, named before each is written (``_journal.json``)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.paths: list[str] = []

    def add(self, *relative: str) -> None:
        """Name files about to be written, or listed files about to be unlisted (then removed)."""
        self.paths.extend(relative)
        atomic_write(_guard(self.root, JOURNAL_NAME), json.dumps({"created": self.paths}).encode())

    def close(self) -> None:
        """After a commit: nothing is left to clean up."""
        _guard(self.root, JOURNAL_NAME).unlink(missing_ok=True)


def write_data_file(root: Path, provider: str, refresh: int, table: pa.Table, *, durable: bool = True,
                    checkpoint: bool = False, journal: Journal | None = None) -> FileEntry:
    """Write one provider's new rows of one refresh (or its ``checkpoint``) as a Parquet file, not yet
    committed (``durable``: flushed to disk), named in ``journal`` first."""
    name = f"checkpoint-{refresh:06d}" if checkpoint else f"part-{refresh:06d}"
    relative = f"{CHECKPOINT_DIR + '/' if checkpoint else ''}provider={provider}/{name}-{uuid.uuid4().hex[:8]}.parquet"
    return write_table(root, relative, table, provider=provider, refresh=refresh, durable=durable, journal=journal)


def write_table(root: Path, relative: str, table: pa.Table, *, provider: str, refresh: int, first: int = 0,
                durable: bool = True, journal: Journal | None = None) -> FileEntry:
    """Write ``table`` as Parquet at ``relative`` (named in ``journal`` first); its manifest entry."""
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    data = sink.getvalue().to_pybytes()
    path = _guard(root, relative)
    if journal is not None:
        journal.add(relative)
    atomic_write(path, data, durable=durable)
    return FileEntry(relative, provider, refresh, table.num_rows, len(data), hashlib.sha256(data).hexdigest(), first)


def read_bytes(root: Path, entry: FileEntry) -> bytes:
    """The bytes of a committed file, checked against the manifest (inside the store, no link, size, SHA-256)."""
    if not store_path(entry.path):
        raise StoreCorruptError(f"{root / MANIFEST_NAME}: the path {entry.path!r} is not one this store writes")
    path = _guard(root, entry.path)
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW)
    except FileNotFoundError:
        raise StoreCorruptError(f"{path}: a file of the store is missing (listed in {MANIFEST_NAME})") from None
    except OSError as exc:
        raise StoreCorruptError(f"{path}: a file of the store cannot be read: {exc.strerror}") from None
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(entry.size + 1)
    if len(data) != entry.size:
        raise StoreCorruptError(f"{path}: the file is damaged: its size differs from what {MANIFEST_NAME} records")
    if hashlib.sha256(data).hexdigest() != entry.sha256:
        raise StoreCorruptError(f"{path}: the file is damaged: its SHA-256 differs from {MANIFEST_NAME}'s")
    return data


def read_data_file(root: Path, entry: FileEntry) -> pa.Table:
    """The table of a committed file, checked against the manifest (see :func:`read_bytes`) and as Parquet."""
    data = read_bytes(root, entry)
    try:
        return pq.read_table(pa.BufferReader(data))
    except (pa.ArrowException, OSError) as exc:
        raise StoreCorruptError(f"{root / entry.path}: the file is damaged: {exc}") from None


def journaled(root: Path) -> list[str]:
    """The files the store's journal says an unfinished refresh wrote (only paths the store writes)."""
    path = root / JOURNAL_NAME
    if path.is_symlink():
        raise StoreCorruptError(f"{path}: a symbolic link inside the store; a store follows none")
    try:
        doc = json.loads(path.read_bytes()[: 64 * 2**20])
    except (OSError, ValueError, RecursionError):
        return []
    created = doc.get("created") if isinstance(doc, dict) else None
    return [p for p in created if store_path(p)] if isinstance(created, list) else []


def listed_paths(manifest: Manifest) -> set[str]:
    """Every file the manifest names: data files, checkpoints, the archived log, retired files."""
    archive = [] if manifest.archive is None else [manifest.archive.path]
    return {e.path for e in manifest.files + manifest.checkpoints} | set(archive) | {p for p, _ in manifest.retired}


def remove_orphans(root: Path, manifest: Manifest) -> list[Path]:
    """Delete what an interrupted refresh left, and only that: the files its journal names that the manifest
    does not list, their temporary files, and the temporary files of the manifest and journal."""
    listed = listed_paths(manifest)
    removed = []
    for relative in journaled(root):
        if relative in listed:
            continue
        path = _guard(root, relative)
        removed += _unlink([path, *_temporaries(path)])
    removed += _unlink([*_temporaries(root / MANIFEST_NAME), *_temporaries(root / JOURNAL_NAME)])
    (root / JOURNAL_NAME).unlink(missing_ok=True)
    return removed


def _temporaries(path: Path) -> list[Path]:
    """The temporary files :func:`atomic_write` makes for ``path``."""
    if not path.parent.is_dir():
        return []
    return [p for p in path.parent.glob(f".{path.name}.*{_TMP_SUFFIX}")]


def _unlink(paths: list[Path]) -> list[Path]:
    gone = []
    for path in paths:
        if path.is_symlink() or path.is_file():  # a link is removed, never followed
            path.unlink(missing_ok=True)
            gone.append(path)
    return gone
