"""The store's manifest: what it holds, read with every field checked (private).

Its keys and versions are specified in the guide's "The on-disk format". It is read as a file anyone could
have edited: size bounded before parsing, every field type-checked, every path one the store writes (inside
it), any problem a :class:`StoreCorruptError` naming the file and the field.

>>> parse_manifest(Manifest(generation=3).to_json(), "_manifest.json").generation
3
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from invoice_analytics.history._errors import StoreCorruptError
from invoice_analytics.schema import PROVIDERS

__all__ = [
    "ARCHIVE_DIR",
    "FORMAT",
    "FORMAT_VERSION",
    "MAX_MANIFEST_BYTES",
    "FileEntry",
    "Identity",
    "Manifest",
    "parse_manifest",
    "store_path",
]

FORMAT = "invoice-analytics-history"
#: Bumped whenever a reader of the previous version would misread the store (2: the account's identity).
FORMAT_VERSION = 2
#: A manifest larger than this is refused before it is parsed.
MAX_MANIFEST_BYTES = 256 * 1024 * 1024
#: The only paths a store writes: data files, checkpoints (relative, POSIX, no ``..``).
_STORE_PATH = re.compile(
    r"(?:(?:_checkpoints/)?provider=(?:" + "|".join(PROVIDERS) + r")/(?:part|checkpoint|compact(?:-[0-9]{6,})?)"
    r"|_log/refreshes)-[0-9]{6,}-[0-9a-f]{8}\.parquet")
ARCHIVE_DIR = "_log"
_HEX = re.compile(r"[0-9a-f]{64}")
_REFRESH_INTS = ("requests", "full_requests", "new", "changed", "unchanged", "gone", "resumed")


def store_path(value: object) -> bool:
    """Whether ``value`` is a path the store itself writes (so it stays inside the store)."""
    return isinstance(value, str) and _STORE_PATH.fullmatch(value) is not None


@dataclass(frozen=True)
class FileEntry:
    """One committed data file: its path (relative, POSIX), provider, refresh, rows, size and SHA-256."""

    path: str
    provider: str
    refresh: int
    rows: int
    size: int
    sha256: str
    first: int = 0  # a compacted file: the first refresh whose rows it holds (0: only ``refresh``'s)

    @property
    def start(self) -> int:
        """The first refresh whose rows the file holds."""
        return self.first or self.refresh

    def to_dict(self) -> dict[str, Any]:
        doc = vars(self).copy()
        if not self.first:
            del doc["first"]
        return doc


@dataclass(frozen=True)
class Identity:
    """Whose invoices a provider's history holds: the API's origin and a keyed fingerprint of the credential."""

    origin: str
    fingerprint: str


@dataclass(frozen=True)
class Manifest:
    """The committed state (generation = the last refresh's number); see the on-disk format."""

    generation: int = 0
    files: tuple[FileEntry, ...] = ()
    refreshes: tuple[dict[str, Any], ...] = field(default=())
    checkpoints: tuple[FileEntry, ...] = ()
    source: str = ""  # "demo" for a store of demo data, else empty
    identity: Mapping[str, Identity] = field(default_factory=dict)
    salt: str = ""
    version: int = FORMAT_VERSION  # the version it was read in
    archive: FileEntry | None = None  # the refresh log before the last compaction (provider "")
    retired: tuple[tuple[str, str], ...] = ()  # (path, ISO time) of files compaction replaced
    archive_last: str = ""  # ISO time of the latest refresh in ``archive`` (what opening a store shows)

    def to_json(self) -> bytes:
        doc: dict[str, Any] = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "generation": self.generation,
            "files": [entry.to_dict() for entry in self.files],
            "refreshes": list(self.refreshes),
            "checkpoints": [entry.to_dict() for entry in self.checkpoints],
            **({"source": self.source} if self.source else {}),
        }
        if self.archive is not None:
            doc["archive"] = self.archive.to_dict() | (
                {"last_observed_at": self.archive_last} if self.archive_last else {})
        if self.retired:
            doc["retired"] = [{"path": path, "since": since} for path, since in self.retired]
        if self.salt or self.identity:
            doc["identity"] = {"salt": self.salt,
                               "providers": {p: vars(i) for p, i in sorted(self.identity.items())}}
        return (json.dumps(doc, indent=1, ensure_ascii=False) + "\n").encode()


class _Bad(Exception):
    """A field of the manifest is wrong (its name, then what)."""


def _int(value: Any, where: str, *, low: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Bad(f"{where}: expected an integer, got {_shown(value)}")
    if value < low or value > 2**62:
        raise _Bad(f"{where}: {value} is out of range")
    return value


def _str(value: Any, where: str, *, limit: int = 4096) -> str:
    if not isinstance(value, str):
        raise _Bad(f"{where}: expected a string, got {_shown(value)}")
    if len(value) > limit:
        raise _Bad(f"{where}: a string of {len(value)} characters (at most {limit})")
    return value


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise _Bad(f"{where}: expected a list, got {_shown(value)}")
    return value


def _dict(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _Bad(f"{where}: expected an object, got {_shown(value)}")
    return value


def _shown(value: Any) -> str:
    text = repr(value) if not isinstance(value, (dict, list)) else type(value).__name__
    return text if len(text) <= 40 else text[:37] + "..."


def _entry(value: Any, where: str, *, archive: bool = False) -> FileEntry:
    doc = _dict(value, where)
    path = _str(doc.get("path"), f"{where}.path")
    if not store_path(path) or path.startswith(ARCHIVE_DIR) != archive:
        raise _Bad(f"{where}.path: {_shown(path)} is not a path this store writes (it must stay inside the store)")
    provider = _str(doc.get("provider"), f"{where}.provider")
    if (provider != "" or not archive) and (
            provider not in PROVIDERS or not path.removeprefix("_checkpoints/").startswith(f"provider={provider}/")):
        raise _Bad(f"{where}.provider: {_shown(provider)} does not match its path")
    sha = _str(doc.get("sha256"), f"{where}.sha256")
    if not _HEX.fullmatch(sha):
        raise _Bad(f"{where}.sha256: not a SHA-256 in hex")
    refresh = _int(doc.get("refresh"), f"{where}.refresh", low=1)
    first = _int(doc.get("first", 0), f"{where}.first")
    if first > refresh:
        raise _Bad(f"{where}.first: {first} is after its refresh {refresh}")
    return FileEntry(path, provider, refresh, _int(doc.get("rows"), f"{where}.rows"),
                     _int(doc.get("size"), f"{where}.size"), sha, first)


def _record(value: Any, where: str) -> dict[str, Any]:
    doc = _dict(value, where)
    _int(doc.get("refresh"), f"{where}.refresh", low=1)
    if doc.get("provider") not in PROVIDERS:
        raise _Bad(f"{where}.provider: expected one of {list(PROVIDERS)}, got {_shown(doc.get('provider'))}")
    if doc.get("mode") not in ("full", "incremental"):
        raise _Bad(f"{where}.mode: expected 'full' or 'incremental', got {_shown(doc.get('mode'))}")
    stamp = _str(doc.get("observed_at"), f"{where}.observed_at", limit=64)
    try:
        moment = dt.datetime.fromisoformat(stamp)
    except ValueError:
        raise _Bad(f"{where}.observed_at: not an ISO time: {_shown(stamp)}") from None
    if moment.tzinfo is None:
        raise _Bad(f"{where}.observed_at: {_shown(stamp)} has no time zone")
    for name in _REFRESH_INTS:
        if doc.get(name) is not None:
            _int(doc[name], f"{where}.{name}")
    seconds = doc.get("seconds")
    if seconds is not None and (isinstance(seconds, bool) or not isinstance(seconds, (int, float))):
        raise _Bad(f"{where}.seconds: expected a number, got {_shown(seconds)}")
    if doc.get("note") is not None:
        _str(doc["note"], f"{where}.note")
    return doc


def _identity(value: Any) -> tuple[dict[str, Identity], str]:
    doc = _dict(value, "identity")
    salt = _str(doc.get("salt"), "identity.salt", limit=128)
    found = {}
    for provider, item in _dict(doc.get("providers", {}), "identity.providers").items():
        if provider not in PROVIDERS:
            raise _Bad(f"identity.providers: unknown provider {_shown(provider)}")
        where = f"identity.providers.{provider}"
        item = _dict(item, where)
        fingerprint = _str(item.get("fingerprint"), f"{where}.fingerprint")
        if not _HEX.fullmatch(fingerprint):
            raise _Bad(f"{where}.fingerprint: not a SHA-256 in hex")
        found[provider] = Identity(_str(item.get("origin"), f"{where}.origin", limit=2048), fingerprint)
    return found, salt


def parse_manifest(raw: bytes, name: str) -> Manifest:
    """The manifest in ``raw`` (read from ``name``), every field checked; :class:`StoreCorruptError` else."""
    try:
        try:
            doc = _dict(json.loads(raw), "the document")
        except RecursionError:
            raise _Bad("nested too deeply to be a manifest") from None
        except ValueError as exc:
            raise _Bad(f"not JSON: {exc}") from None
        if doc.get("format") != FORMAT:
            raise _Bad(f"format: not an invoice store manifest (format {_shown(doc.get('format'))})")
        version = _int(doc.get("format_version"), "format_version", low=1)
        if version > FORMAT_VERSION:
            raise _Bad(f"format_version: written in store format version {version}; this invoice_analytics "
                       f"reads up to {FORMAT_VERSION}: upgrade the package")
        files = tuple(_entry(e, f"files[{i}]") for i, e in enumerate(_list(doc.get("files"), "files")))
        checkpoints = tuple(_entry(e, f"checkpoints[{i}]")
                            for i, e in enumerate(_list(doc.get("checkpoints", []), "checkpoints")))
        refreshes = tuple(_record(r, f"refreshes[{i}]")
                          for i, r in enumerate(_list(doc.get("refreshes"), "refreshes")))
        generation = _int(doc.get("generation"), "generation")
        late = [e.path for e in files + checkpoints if e.refresh > generation] + [
            str(r["refresh"]) for r in refreshes if r["refresh"] > generation]
        if late:
            raise _Bad(f"generation: {generation} is older than what it lists ({_shown(late[0])})")
        paths = [e.path for e in files + checkpoints]
        if len(set(paths)) != len(paths):
            raise _Bad("files: a file is listed twice")
        identity, salt = _identity(doc["identity"]) if "identity" in doc else ({}, "")
        source = _str(doc.get("source", ""), "source", limit=64)
        archive = _entry(doc["archive"], "archive", archive=True) if doc.get("archive") is not None else None
        archive_last = _time(doc["archive"].get("last_observed_at", ""), "archive.last_observed_at") if archive else ""
        retired = tuple(_retired(r, f"retired[{i}]") for i, r in enumerate(_list(doc.get("retired", []), "retired")))
    except _Bad as exc:
        raise StoreCorruptError(f"{name}: the store's manifest is unreadable: {exc}") from None
    return Manifest(generation, files, refreshes, checkpoints, source, identity, salt, version, archive, retired,
                    archive_last)


def _time(value: Any, where: str) -> str:
    """An ISO time with a time zone ("" allowed: absent)."""
    stamp = _str(value, where, limit=64)
    try:
        if stamp and dt.datetime.fromisoformat(stamp).tzinfo is None:
            raise ValueError
    except ValueError:
        raise _Bad(f"{where}: not an ISO time with a time zone: {_shown(stamp)}") from None
    return stamp


def _retired(value: Any, where: str) -> tuple[str, str]:
    doc = _dict(value, where)
    path = _str(doc.get("path"), f"{where}.path")
    if not store_path(path):
        raise _Bad(f"{where}.path: {_shown(path)} is not a path this store writes (it must stay inside the store)")
    since = _time(doc.get("since"), f"{where}.since")
    if not since:
        raise _Bad(f"{where}.since: not an ISO time with a time zone: ''")
    return path, since
