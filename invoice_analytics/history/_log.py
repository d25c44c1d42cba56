"""The refresh log of one manifest snapshot: the archived part (Parquet) and the live tail, as arrays (private).

After a compaction the manifest keeps only the refreshes since (its
``refreshes``) and names a Parquet file holding the earlier ones
(``archive``), so opening a store reads a small manifest whatever its age.
:class:`RefreshLog` answers what the readers ask of the whole log (which
providers, the last refresh at a time, the first time) with vectorised
arrays, never one Python object per refresh.

>>> log = RefreshLog(None, ({"refresh": 1, "provider": "mayar", "observed_at": "2026-11-22T09:00:00+07:00"},
...                         {"refresh": 2, "provider": "mayar", "observed_at": "2026-11-22T10:00:00+07:00"}))
>>> log.last("mayar", pd.Timestamp("2026-11-22 09:30", tz="Asia/Jakarta")), log.last("faspay", None)
(1, 0)
>>> str(log.first_time()), sorted(log.providers())
('2026-11-22 09:00:00+07:00', ['mayar'])
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from invoice_analytics.history._result import REFRESH_COLUMNS, refresh_frame
from invoice_analytics.schema import JAKARTA

__all__ = ["RefreshLog", "archive_table", "archived_frame"]


def _stamps(values: list[Any]) -> np.ndarray:
    if not values:
        return np.array([], dtype=np.int64)
    return np.asarray(pd.to_datetime(values, utc=True, format="ISO8601").as_unit("us").asi8, dtype=np.int64)


class RefreshLog:
    """The archived refreshes (a typed frame, as ``refreshes()`` gives them) and the live ones (manifest
    records)."""

    def __init__(self, archived: pd.DataFrame | None, tail: tuple[dict[str, Any], ...]) -> None:
        self.archived = archived
        self.tail = tail
        old = archived
        self.refresh = np.concatenate([
            np.array([], dtype=np.int64) if old is None else old["refresh"].to_numpy(dtype=np.int64),
            np.array([int(r["refresh"]) for r in tail], dtype=np.int64)])
        self.provider = np.concatenate([
            np.array([], dtype=object) if old is None else old["provider"].astype(str).to_numpy(dtype=object),
            np.array([str(r["provider"]) for r in tail], dtype=object)])
        self.observed = np.concatenate([
            np.array([], dtype=np.int64) if old is None else
            old["observed_at"].dt.as_unit("us").array.asi8.astype(np.int64),
            _stamps([r["observed_at"] for r in tail])])

    def __len__(self) -> int:
        return len(self.refresh)

    def providers(self) -> set[str]:
        return set(np.unique(self.provider).tolist()) if len(self) else set()

    def _mask(self, provider: str | None, at: pd.Timestamp | None) -> np.ndarray:
        mask = np.ones(len(self), dtype=bool) if provider is None else self.provider == provider
        if at is not None:
            mask &= self.observed <= int(at.asm8.astype("datetime64[us]").astype(np.int64))
        return mask

    def last(self, provider: str, at: pd.Timestamp | None) -> int:
        """The number of ``provider``'s last refresh at or before ``at`` (None: its last); 0 when none."""
        chosen = self.refresh[self._mask(provider, at)]
        return int(chosen.max()) if len(chosen) else 0

    def last_time(self, provider: str | None = None) -> pd.Timestamp | None:
        """When ``provider`` (None: any) was last refreshed."""
        chosen = self.observed[self._mask(provider, None)]
        return self._time(int(chosen.max())) if len(chosen) else None

    def first_time(self) -> pd.Timestamp:
        return self._time(int(self.observed.min()))

    def latest_time(self) -> pd.Timestamp:
        """When the last refresh (the highest number) was observed."""
        return self._time(int(self.observed[int(np.argmax(self.refresh))]))

    @staticmethod
    def _time(us: int) -> pd.Timestamp:
        return pd.Timestamp(us, unit="us", tz="UTC").tz_convert(JAKARTA)

    def frame(self) -> pd.DataFrame:
        """The whole log as :meth:`InvoiceStore.refreshes` gives it."""
        live = refresh_frame(self.tail)
        if self.archived is None or not len(self.archived):
            return live
        if not len(live):
            return self.archived.copy()
        return pd.concat([self.archived, live], ignore_index=True)


def archive_table(frame: pd.DataFrame) -> pa.Table:
    """The refresh log ``frame`` as written to the archive (read back with :func:`archived_frame`)."""
    return pa.Table.from_pandas(frame, preserve_index=False)


def archived_frame(table: pa.Table) -> pd.DataFrame:
    frame = table.to_pandas()
    return pd.DataFrame({name: frame[name].astype(dtype) for name, dtype in REFRESH_COLUMNS.items()})
