"""The refresh log of one manifest snapshot: the archived part (Parquet) and the live tail, as arrays (private).

:class:`RefreshLog` answers what readers ask of the whole log with arrays, never one Python object per refresh.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from invoice_analytics.history._result import REFRESH_COLUMNS, refresh_frame
from invoice_analytics.schema import JAKARTA, PROVIDERS

__all__ = ["LOG_COLUMNS", "RefreshLog", "archive_table", "archived_frame"]


def _stamps(values: list[Any]) -> np.ndarray:
    if not values:
        return np.array([], dtype=np.int64)
    return np.asarray(pd.to_datetime(values, utc=True, format="ISO8601").as_unit("us").asi8, dtype=np.int64)


class RefreshLog:
    """The archived refreshes (``refresh``, ``provider``, ``observed_at``) and the live ones, as arrays."""

    def __init__(self, archived: pa.Table | None, tail: tuple[dict[str, Any], ...],
                 whole: Callable[[], pd.DataFrame] | None = None) -> None:
        self.tail = tail
        self._whole = whole
        codes = {p: i for i, p in enumerate(PROVIDERS)}
        old_refresh = np.array([], dtype=np.int64)
        old_provider = np.array([], dtype=np.int8)
        old_observed = np.array([], dtype=np.int64)
        if archived is not None and archived.num_rows:
            old_refresh = archived["refresh"].to_numpy().astype(np.int64)
            names = pc.cast(archived["provider"], pa.string())
            old_provider = np.full(archived.num_rows, -1, dtype=np.int8)
            for name, code in codes.items():
                old_provider[pc.equal(names, name).to_numpy(zero_copy_only=False)] = code
            old_observed = pc.cast(archived["observed_at"], pa.int64()).to_numpy().astype(np.int64)
        self.refresh = np.concatenate([old_refresh, np.array([int(r["refresh"]) for r in tail], dtype=np.int64)])
        self.provider = np.concatenate([old_provider, np.array([codes.get(str(r["provider"]), -1) for r in tail],
                                                               dtype=np.int8)])
        self.observed = np.concatenate([old_observed, _stamps([r["observed_at"] for r in tail])])

    def __len__(self) -> int:
        return len(self.refresh)

    def providers(self) -> set[str]:
        return {PROVIDERS[code] for code in np.unique(self.provider).tolist() if code >= 0}

    def _mask(self, provider: str | None, at: pd.Timestamp | None) -> np.ndarray:
        code = PROVIDERS.index(provider) if provider in PROVIDERS else -2
        mask = np.ones(len(self), dtype=bool) if provider is None else self.provider == code
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
        archived = self._whole() if self._whole is not None else None
        if archived is None or not len(archived):
            return live
        if not len(live):
            return archived
        return pd.concat([archived, live], ignore_index=True)


def archive_table(frame: pd.DataFrame) -> pa.Table:
    """The refresh log ``frame`` as written to the archive (read back with :func:`archived_frame`)."""
    return pa.Table.from_pandas(frame, preserve_index=False)


#: The archive's columns the readers need on every call (the rest is read for ``refreshes()`` and ``history()``).
LOG_COLUMNS = ["refresh", "provider", "observed_at"]


def archived_frame(table: pa.Table) -> pd.DataFrame:
    frame = table.to_pandas()
    return pd.DataFrame({name: frame[name].astype(dtype) for name, dtype in REFRESH_COLUMNS.items()})
