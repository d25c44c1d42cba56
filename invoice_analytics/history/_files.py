"""The store's files: atomic writes, the manifest, the Parquet data files (private).

Layout of a store directory::

    _manifest.json                         the committed state (written last, atomically)
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
they never see a refresh in part; files not in the manifest are the remains
of an interrupted refresh, removed by the next one.

A *checkpoint* is a derived file: a provider's latest event of every invoice
still listed at one refresh (the rows as they are in the data files, with
their ``valid_from``, ``change`` and ``refresh``). Reading the state at a
time then needs the last checkpoint at or before it and the data files
after that checkpoint, not the whole history. Checkpoints live under
``_checkpoints/`` (outside the ``provider=*/`` partitions, so a glob over
those still sees each version once), are listed apart in the manifest
(``checkpoints``, which a reader that does not know them ignores: the format
version is unchanged) and are written and committed like data files.

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
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from invoice_analytics.history._errors import StoreCorruptError

__all__ = [
    "CHECKPOINT_DIR",
    "FORMAT",
    "FORMAT_VERSION",
    "LOCK_NAME",
    "MANIFEST_NAME",
    "PENDING_DIR",
    "FileEntry",
    "Manifest",
    "atomic_write",
    "read_data_file",
    "read_manifest",
    "remove_orphans",
    "write_data_file",
    "write_manifest",
]

FORMAT = "invoice-analytics-history"
#: Bumped whenever a reader of the previous version would misread the store.
FORMAT_VERSION = 1
MANIFEST_NAME = "_manifest.json"
LOCK_NAME = "_refresh.lock"
PENDING_DIR = "_pending"
CHECKPOINT_DIR = "_checkpoints"
_TMP_SUFFIX = ".tmp"


@dataclass(frozen=True)
class FileEntry:
    """One committed data file: its path (relative, POSIX), provider, refresh, rows, size and SHA-256."""

    path: str
    provider: str
    refresh: int
    rows: int
    size: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    """The committed state: generation (= number of the last refresh), data files, the refresh log,
    checkpoints."""

    generation: int = 0
    files: tuple[FileEntry, ...] = ()
    refreshes: tuple[dict[str, Any], ...] = field(default=())
    checkpoints: tuple[FileEntry, ...] = ()
    source: str = ""  # "demo" for a store of demo data, else empty

    def to_json(self) -> bytes:
        doc = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "generation": self.generation,
            "files": [vars(entry) for entry in self.files],
            "refreshes": list(self.refreshes),
            "checkpoints": [vars(entry) for entry in self.checkpoints],
            **({"source": self.source} if self.source else {}),
        }
        return (json.dumps(doc, indent=1, ensure_ascii=False) + "\n").encode()


def read_manifest(root: Path) -> Manifest:
    """The manifest of ``root``; an empty one when there is none yet."""
    path = root / MANIFEST_NAME
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Manifest()
    try:
        doc = json.loads(raw)
        if doc.get("format") != FORMAT:
            raise ValueError(f"not an invoice store manifest (format {doc.get('format')!r})")
        version = doc.get("format_version")
        if not isinstance(version, int) or version > FORMAT_VERSION:
            raise ValueError(
                f"written in store format version {version!r}; this invoice_analytics reads up to "
                f"{FORMAT_VERSION}: upgrade the package"
            )
        return Manifest(
            generation=int(doc["generation"]),
            files=tuple(FileEntry(**entry) for entry in doc["files"]),
            refreshes=tuple(doc["refreshes"]),
            checkpoints=tuple(FileEntry(**entry) for entry in doc.get("checkpoints", [])),
            source=str(doc.get("source", "")),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise StoreCorruptError(f"{path}: the store's manifest is unreadable: {exc}") from None


def write_manifest(root: Path, manifest: Manifest) -> None:
    """Commit ``manifest`` (atomically; the store's only commit point)."""
    atomic_write(root / MANIFEST_NAME, manifest.to_json())


def atomic_write(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Write ``data`` to ``path`` through a temporary file renamed over it.

    ``durable`` flushes the file and its directory to disk (skipped for the
    pending answers, which are a cache).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}{_TMP_SUFFIX}"
    try:
        with open(tmp, "wb") as handle:
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


def write_data_file(root: Path, provider: str, refresh: int, table: pa.Table, *, durable: bool = True,
                    checkpoint: bool = False) -> FileEntry:
    """Write one provider's new rows of one refresh (or its ``checkpoint``) as a Parquet file, not yet
    committed (``durable``: flushed to disk)."""
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    data = sink.getvalue().to_pybytes()
    name = f"checkpoint-{refresh:06d}" if checkpoint else f"part-{refresh:06d}"
    relative = f"{CHECKPOINT_DIR + '/' if checkpoint else ''}provider={provider}/{name}-{uuid.uuid4().hex[:8]}.parquet"
    atomic_write(root / relative, data, durable=durable)
    return FileEntry(relative, provider, refresh, table.num_rows, len(data), hashlib.sha256(data).hexdigest())


def read_data_file(root: Path, entry: FileEntry) -> pa.Table:
    """The table of a committed file, checked against the manifest (size, SHA-256, Parquet)."""
    path = root / entry.path
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise StoreCorruptError(f"{path}: a file of the store is missing (listed in {MANIFEST_NAME})") from None
    if len(data) != entry.size:
        raise StoreCorruptError(
            f"{path}: the file is damaged: {len(data)} bytes where {MANIFEST_NAME} records {entry.size}")
    if hashlib.sha256(data).hexdigest() != entry.sha256:
        raise StoreCorruptError(f"{path}: the file is damaged: its SHA-256 differs from {MANIFEST_NAME}'s")
    try:
        return pq.read_table(pa.BufferReader(data))
    except (pa.ArrowException, OSError) as exc:
        raise StoreCorruptError(f"{path}: the file is damaged: {exc}") from None


def remove_orphans(root: Path, manifest: Manifest) -> list[Path]:
    """Delete what an interrupted refresh left: data files and checkpoints the manifest does not list,
    temporary files."""
    listed = {entry.path for entry in manifest.files + manifest.checkpoints}
    removed = []
    for path in _candidates(root):
        relative = path.relative_to(root).as_posix()
        if relative not in listed:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def _candidates(root: Path) -> Iterator[Path]:
    if not root.is_dir():
        return
    for path in [*root.iterdir(), *_partitions(root / CHECKPOINT_DIR)]:
        if path.is_file() and path.name.endswith(_TMP_SUFFIX):
            yield path
        elif path.is_dir() and path.name.startswith("provider="):
            yield from (p for p in path.iterdir() if p.is_file())


def _partitions(directory: Path) -> list[Path]:
    return list(directory.iterdir()) if directory.is_dir() else []
