"""Reading a store's files: the state at a time from a checkpoint and the files after it, the bounded
cache of tables (private; the base of :class:`~invoice_analytics.history.InvoiceStore`)."""

from __future__ import annotations

import warnings
from collections import OrderedDict
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from invoice_analytics.history._codec import STORE_COLUMNS, from_storage, reference_frame
from invoice_analytics.history._commit import last_checkpoint
from invoice_analytics.history._errors import CheckpointWarning, StoreCorruptError
from invoice_analytics.history._files import FileEntry, Manifest, read_data_file
from invoice_analytics.history._log import RefreshLog
from invoice_analytics.history._scd import latest_rows

__all__ = ["CACHE_BYTES", "StoreFiles"]

#: The most bytes of Arrow tables a store keeps in memory between calls (least recently used dropped first).
CACHE_BYTES = 512 * 2**20


class StoreFiles:
    """The reading of a store's committed files (its ``path``), with a cache of at most ``CACHE_BYTES``."""

    path: Path
    _tables: OrderedDict[str, pa.Table]
    _cached: int

    def _events(self, manifest: Manifest, provider: str) -> pd.DataFrame:
        """Every event of ``provider``: the rows of all its data files."""
        return self._read([entry for entry in manifest.files if entry.provider == provider], provider)

    def _state(self, manifest: Manifest, log: RefreshLog, provider: str, at: pd.Timestamp | None,
               damaged: set[str] | None = None) -> pd.DataFrame:
        """Each invoice's latest event at or before ``at`` (None: the last refresh), "gone" ones dropped.

        Read from the provider's last checkpoint at or before ``at`` and the data files after it (all its
        data files up to ``at`` when there is none), so the cost follows the invoices, not the history. A
        missing or damaged checkpoint is derived data: warned about, added to ``damaged``, and replaced by
        the data files.
        """
        last = log.last(provider, at)
        checkpoint = last_checkpoint(manifest, provider, last)
        if checkpoint is not None:
            try:
                self._table(checkpoint)
            except StoreCorruptError as exc:
                warnings.warn(f"{exc}; it is derived from the data files, which are read instead (the next "
                              f"refresh, or repair(), rewrites it)", CheckpointWarning, stacklevel=3)
                if damaged is not None:
                    damaged.add(checkpoint.path)
                checkpoint = None
        since = checkpoint.refresh if checkpoint is not None else 0
        entries = sorted((entry for entry in manifest.files if entry.provider == provider
                          and entry.refresh > since and entry.start <= last), key=lambda e: (e.start, e.refresh))
        if not entries and checkpoint is None:
            return self._read([], provider)
        tables = [self._concat(entries)] if entries else []
        if any(e.start <= since or e.refresh > last for e in entries):  # a compacted file straddles a bound
            numbers = tables[0]["refresh"]
            tables = [tables[0].filter(pc.and_(pc.greater(numbers, since), pc.less_equal(numbers, last)))]
        if checkpoint is not None:
            tables.insert(0, self._table(checkpoint))
        # an invoice is at most once in a checkpoint and in each refresh, and files follow their refreshes
        return from_storage(latest_rows(pa.concat_tables(tables, promote_options="permissive"), at), provider)

    def _uncheckpointed(self, manifest: Manifest, log: RefreshLog, provider: str) -> pa.Table | None:
        """The provider's rows at its last refresh (a checkpoint's rows) when data files after its last
        checkpoint hold any row; else None."""
        checkpoint = last_checkpoint(manifest, provider, manifest.generation)
        since = checkpoint.refresh if checkpoint is not None else 0
        entries = sorted((e for e in manifest.files if e.provider == provider and e.refresh > since and e.rows),
                         key=lambda e: (e.start, e.refresh))
        if not entries:
            return None
        tables = [self._table(e) for e in ([checkpoint] if checkpoint is not None else []) + entries]
        return latest_rows(pa.concat_tables(tables, promote_options="permissive"), None)

    def _read(self, entries: list[FileEntry], provider: str) -> pd.DataFrame:
        if not entries:
            empty = reference_frame(provider)
            for name, dtype in STORE_COLUMNS.items():
                empty[name] = pd.Series([], dtype=dtype)
            return empty
        return from_storage(self._concat(entries), provider)

    def _concat(self, entries: list[FileEntry]) -> pa.Table:
        return pa.concat_tables([self._table(entry) for entry in entries], promote_options="permissive")

    def _table(self, entry: FileEntry) -> pa.Table:
        table = self._tables.get(entry.path)
        if table is not None:
            self._tables.move_to_end(entry.path)
            return table
        table = self._tables[entry.path] = read_data_file(self.path, entry)
        self._cached += table.nbytes
        while self._cached > CACHE_BYTES and len(self._tables) > 1:
            self._cached -= self._tables.popitem(last=False)[1].nbytes
        return table
