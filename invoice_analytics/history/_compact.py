"""Compaction (private; see ``InvoiceStore.compact`` and the guide's "The on-disk format", *Compaction*)."""

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
from invoice_analytics.history._scd import latest_rows
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
    ends = [write_data_file(root, p, log.last(p, None), table, checkpoint=True, journal=journal)
            for p, table in state.items()]
    checkpoints = manifest.checkpoints + tuple(ends)
    newest = {p: max(c.refresh for c in checkpoints if c.provider == p) for p in {c.provider for c in checkpoints}}
    behind = [e for e in manifest.files if e.refresh <= newest.get(e.provider, 0)]
    months = _months(log, np.array([e.refresh for e in behind if not e.first] + [c.refresh for c in checkpoints],
                                   dtype=np.int64))
    groups: defaultdict[tuple[str, str], list[FileEntry]] = defaultdict(list)
    for entry in behind:
        groups[(entry.provider, _month_of(entry) or months[entry.refresh])].append(entry)
    folded: list[FileEntry] = []
    written: list[FileEntry] = []
    keep = {c.path for c in checkpoints if c.refresh == newest[c.provider]}
    made: list[FileEntry] = []
    for provider in PROVIDERS:
        order = sorted(m for p, m in groups if p == provider)
        base: pa.Table | FileEntry | None = None  # the provider's state at the end of the previous month
        for i, month in enumerate(order):
            entries = sorted(groups[(provider, month)], key=lambda e: (e.start, e.refresh))
            last = max(e.refresh for e in entries)
            table = None
            if len(entries) > 1 or not entries[0].first:  # not yet one compacted file: fold
                table = pa.concat_tables([read_data_file(root, e) for e in entries], promote_options="permissive")
                relative = f"provider={provider}/compact-{month}-{last:06d}-{uuid.uuid4().hex[:8]}.parquet"
                written.append(write_table(root, relative, table, provider=provider, refresh=last,
                                           first=entries[0].start, journal=journal))
                folded += entries
            following = (min(e.start for e in groups[(provider, order[i + 1])]) if i + 1 < len(order)
                         else float("inf"))
            same = [c for c in checkpoints if c.provider == provider and last <= c.refresh < following
                    and months.get(c.refresh) == month]
            if same:  # a checkpoint of the state at the month's end, in the month, already exists
                base = max(same, key=lambda c: c.refresh)
                keep.add(base.path)
                continue
            rows = table if table is not None else read_data_file(root, entries[0])
            if isinstance(base, FileEntry):
                base = read_data_file(root, base)
            base = latest_rows(rows if base is None else pa.concat_tables([base, rows], promote_options="permissive"),
                               None)
            made.append(write_data_file(root, provider, last, base, checkpoint=True, journal=journal))
    archive, archived = manifest.archive, 0
    if manifest.refreshes:
        table = archive_table(log.frame())
        relative = f"{ARCHIVE_DIR}/refreshes-{manifest.generation:06d}-{uuid.uuid4().hex[:8]}.parquet"
        archive = write_table(root, relative, table, provider="", refresh=max(manifest.generation, 1),
                              journal=journal)
        archived = len(manifest.refreshes)
    stamp = now.isoformat()
    gone = {e.path for e in folded} | {c.path for c in manifest.checkpoints if c.path not in keep}
    retired = [(path, stamp) for path in sorted(gone)]
    if archive is not manifest.archive and manifest.archive is not None:
        retired.append((manifest.archive.path, stamp))
    files = sorted([e for e in manifest.files if e.path not in gone] + written,
                   key=lambda e: (PROVIDERS.index(e.provider), e.start, e.refresh))
    kept = [c for c in checkpoints if c.path in keep] + made
    write_manifest(root, replace(
        manifest, files=tuple(files), refreshes=() if archived else manifest.refreshes, archive=archive,
        archive_last=log.latest_time().isoformat() if len(log) else manifest.archive_last,
        checkpoints=tuple(sorted(kept, key=lambda e: (e.refresh, e.provider))),
        retired=manifest.retired + tuple(retired)))
    journal.close()
    return CompactResult(len(folded), len(written), len(ends) + len(made), archived, removed)
