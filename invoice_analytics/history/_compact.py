"""Compaction: the store's files and log folded so that its size on disk and its read cost stop growing with
the number of refreshes (private; see ``InvoiceStore.compact``).

Delta-style, in one commit:

1. each provider whose data files after its last checkpoint hold any row gets
   a checkpoint of its state at the last refresh (derived, as always);
2. the data files behind that checkpoint are folded into one file per month
   of observation (``provider=P/compact-YYYYMM-NNNNNN-xxxxxxxx.parquet``:
   the same rows, in refresh order, with their ``refresh`` column; ``first``
   in the manifest says which refreshes they span), so a store holds about
   providers times months data files;
3. the refresh log moves from the manifest into a Parquet file
   (``_log/refreshes-NNNNNN-xxxxxxxx.parquet``, named by ``archive``), so the
   manifest holds only the refreshes since the last compaction.

Every new file is named in the journal before it is written and the manifest
is replaced last, so a compaction killed at any point leaves the store as it
was (the next refresh removes what the journal names). The files it replaces
are listed as ``retired`` and removed only once ``retention`` seconds have
passed (by a later refresh or compaction), so a reader that read the manifest
before the commit can still read them. Every answer (``current``, ``as_of``,
``history``, ``refreshes``) is the same before and after (tested).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from invoice_analytics.history._files import (
    FileEntry,
    Journal,
    Manifest,
    read_data_file,
    write_data_file,
    write_manifest,
    write_table,
)
from invoice_analytics.history._log import RefreshLog, archive_table
from invoice_analytics.history._manifest import ARCHIVE_DIR
from invoice_analytics.schema import JAKARTA, PROVIDERS

__all__ = ["CompactResult", "compact", "purge_retired"]


@dataclass(frozen=True)
class CompactResult:
    """What :meth:`~invoice_analytics.history.InvoiceStore.compact` did: data files ``folded`` into
    ``written`` ones, ``checkpoints`` written, refreshes ``archived`` into the log file, files ``removed``
    (replaced by an earlier compaction more than ``retention`` seconds ago)."""

    folded: int = 0
    written: int = 0
    checkpoints: int = 0
    archived: int = 0
    removed: int = 0

    def __str__(self) -> str:
        return (f"{self.folded} data file(s) folded into {self.written}, {self.checkpoints} checkpoint(s) written, "
                f"{self.archived} refresh record(s) archived, {self.removed} replaced file(s) removed")


def purge_retired(root: Path, manifest: Manifest, now: dt.datetime, retention: float) -> tuple[Manifest, int]:
    """Remove the retired files older than ``retention`` seconds (the manifest to commit next, how many)."""
    keep, gone = [], 0
    for path, since in manifest.retired:
        if (now - dt.datetime.fromisoformat(since)).total_seconds() >= retention:
            target = root / path
            if target.is_file() and not target.is_symlink():
                target.unlink()
            gone += 1
        else:
            keep.append((path, since))
    return replace(manifest, retired=tuple(keep)), gone


def _months(log: RefreshLog, refreshes: np.ndarray) -> dict[int, str]:
    """Refresh number -> the month (YYYYMM, Jakarta) it was observed in."""
    wanted = np.isin(log.refresh, refreshes)
    stamps = pd.to_datetime(log.observed[wanted], unit="us", utc=True).tz_convert(JAKARTA).strftime("%Y%m")
    return dict(zip(log.refresh[wanted].tolist(), stamps.tolist(), strict=True))


def _month_of(entry: FileEntry) -> str | None:
    name = entry.path.rsplit("/", 1)[-1]
    return name.split("-")[1] if name.startswith("compact-") else None


def compact(root: Path, manifest: Manifest, log: RefreshLog, now: dt.datetime, retention: float,
            state: dict[str, pa.Table]) -> CompactResult:
    """Compact the store at ``root`` (holding its lock); ``state``: per provider, its rows at the last refresh
    when they are not in a checkpoint yet (see :meth:`InvoiceStore.compact`)."""
    manifest, removed = purge_retired(root, manifest, now, retention)
    journal = Journal(root)
    checkpoints = [write_data_file(root, p, log.last(p, None), table, checkpoint=True, journal=journal)
                   for p, table in state.items()]
    newest = {c.provider: c.refresh for c in manifest.checkpoints + tuple(checkpoints)}
    behind = [e for e in manifest.files if e.refresh <= newest.get(e.provider, 0)]
    months = _months(log, np.array([e.refresh for e in behind if not e.first], dtype=np.int64))
    groups: defaultdict[tuple[str, str], list[FileEntry]] = defaultdict(list)
    for entry in behind:
        groups[(entry.provider, _month_of(entry) or months[entry.refresh])].append(entry)
    folded, written = [], []
    for (provider, month), entries in sorted(groups.items()):
        if len(entries) == 1 and entries[0].first:
            continue  # already one compacted file
        entries.sort(key=lambda e: (e.start, e.refresh))
        table = pa.concat_tables([read_data_file(root, e) for e in entries], promote_options="permissive")
        last = max(e.refresh for e in entries)
        relative = f"provider={provider}/compact-{month}-{last:06d}-{uuid.uuid4().hex[:8]}.parquet"
        written.append(write_table(root, relative, table, provider=provider, refresh=last,
                                   first=min(e.start for e in entries), journal=journal))
        folded += entries
    archive, archived = manifest.archive, 0
    if manifest.refreshes:
        table = archive_table(log.frame())
        relative = f"{ARCHIVE_DIR}/refreshes-{manifest.generation:06d}-{uuid.uuid4().hex[:8]}.parquet"
        archive = write_table(root, relative, table, provider="", refresh=max(manifest.generation, 1),
                              journal=journal)
        archived = len(manifest.refreshes)
    gone = {e.path for e in folded}
    stamp = now.isoformat()
    retired = [(path, stamp) for path in sorted(gone)]
    if archive is not manifest.archive and manifest.archive is not None:
        retired.append((manifest.archive.path, stamp))
    files = sorted([e for e in manifest.files if e.path not in gone] + written,
                   key=lambda e: (PROVIDERS.index(e.provider), e.start, e.refresh))
    write_manifest(root, replace(
        manifest, files=tuple(files), refreshes=() if archived else manifest.refreshes, archive=archive,
        checkpoints=tuple(sorted(manifest.checkpoints + tuple(checkpoints), key=lambda e: (e.refresh, e.provider))),
        retired=manifest.retired + tuple(retired)))
    journal.close()
    return CompactResult(len(folded), len(written), len(checkpoints), archived, removed)

