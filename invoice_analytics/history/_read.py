"""Reading a store's files: the state at a time, the bounded cache of tables (private)."""

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
        """Each invoice's latest event at or before ``at`` (None: the last refresh), "gone" ones dropped."""
        rows = self._state_rows(manifest, log, provider, at, damaged)
        return self._read([], provider) if rows is None else from_storage(rows, provider)

    def _state_rows(self, manifest: Manifest, log: RefreshLog, provider: str, at: pd.Timestamp | None,
                    damaged: set[str] | None = None) -> pa.Table | None:
        """:meth:`_state` as stored rows (None: none), from the last checkpoint at or before ``at`` and the files
        after it; a missing or damaged checkpoint is warned about, added to ``damaged`` and read around."""
        parts = self._state_parts(manifest, log, provider, at, damaged)
        if parts is None:
            return None
        rows, keep = parts
        return rows if keep is None else rows.filter(keep)

    def _state_parts(self, manifest: Manifest, log: RefreshLog, provider: str, at: pd.Timestamp | None,
                     damaged: set[str] | None = None, *,
                     stacklevel: int = 4) -> tuple[pa.Table, pa.ChunkedArray | None] | None:
        """:meth:`_state_rows` before its one filter: the rows (chunks, not copied) and which to keep (None: all),
        so that a reader that filters or reorders them further copies them once."""
        last = log.last(provider, at)
        checkpoint = last_checkpoint(manifest, provider, last)
        if checkpoint is not None:
            try:
                self._table(checkpoint)
            except StoreCorruptError as exc:
                warnings.warn(f"{exc}; it is derived from the data files, which are read instead (the next "
                              f"refresh, or repair(), rewrites it)", CheckpointWarning, stacklevel=stacklevel)
                if damaged is not None:
                    damaged.add(checkpoint.path)
                checkpoint = None
        since = checkpoint.refresh if checkpoint is not None else 0
        entries = sorted((entry for entry in manifest.files if entry.provider == provider
                          and entry.refresh > since and entry.start <= last), key=lambda e: (e.start, e.refresh))
        if not entries and checkpoint is None:
            return None
        base = self._table(checkpoint) if checkpoint is not None else None
        if not entries:
            return base, None  # a checkpoint holds each invoice's latest row, none "gone"
        tail = self._concat(entries)
        if any(e.start <= since or e.refresh > last for e in entries):  # a compacted file straddles a bound
            numbers = tail["refresh"]
            tail = tail.filter(pc.and_(pc.greater(numbers, since), pc.less_equal(numbers, last)))
        if base is None:
            return latest_rows(tail, at), None
        # files follow their refreshes, so the tail's last row of an invoice is its latest; the checkpoint's
        # rows of the invoices the tail changed are superseded
        newest = latest_rows(tail, at, keep_gone=True)
        kept = pc.invert(pc.is_in(base["invoice_id"], value_set=newest["invoice_id"]))
        rows = pa.concat_tables([base, newest], promote_options="permissive")
        keep = pa.chunked_array([*_chunks(kept), *_chunks(pc.not_equal(newest["change"], "gone"))], pa.bool_())
        return rows, keep

    def _uncheckpointed(self, manifest: Manifest, log: RefreshLog, provider: str) -> pa.Table | None:
        """The provider's state at its last refresh when files after its last checkpoint hold rows, else None."""
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


def _chunks(array: pa.Array | pa.ChunkedArray) -> list[pa.Array]:
    return array.chunks if isinstance(array, pa.ChunkedArray) else [array]
