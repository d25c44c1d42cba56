"""The frames a history store knew at each date, as the panel's as-of control asks for them (private).

:class:`StoreDates` answers ``store.as_of(day)`` for the panel, fast:

- when the store's history is small enough (at most :data:`TIMELINE_LIMIT`
  versions), it reads every version once (``store.history()``) and answers a
  date with one mask over that timeline: the version valid at the end of
  the day (``valid_from <= at < valid_to``), issued by then, in the order
  ``store.as_of`` gives (provider, newest issue first, invoice id). The
  filter index (:class:`~invoice_analytics.display.filtering.FilterIndex`)
  is built once for the timeline and taken row by row; the frame of every
  column is made only when asked for (exports, the statement, ``filtered``);
- otherwise it calls ``store.as_of(day)``;
- either way the last :data:`DATES_KEPT` dates are kept, so going back to a
  date costs nothing.

>>> class Store:  # a minimal history: the frame known from each date on
...     def as_of(self, day):
...         return pd.DataFrame({"provider": ["mayar"], "customer_id": ["C1"], "customer_name": ["Ani"],
...                              "status": ["unpaid"], "issued_at": pd.to_datetime(["2024-01-01"]),
...                              "due_at": pd.to_datetime([None]), "outstanding": [len(str(day))]})
>>> dates = StoreDates(Store(), ("provider", "customer_id", "customer_name", "status", "issued_at",
...                              "due_at", "outstanding"))
>>> dates.day(datetime.date(2024, 2, 1)).work["outstanding"].tolist()
[10]
>>> dates.day(datetime.date(2024, 2, 1)) is dates.day(datetime.date(2024, 2, 1))  # kept
True
"""

from __future__ import annotations

import datetime
import itertools
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from invoice_analytics.analytics._timeline import keep_timeline
from invoice_analytics.display.filtering import FilterIndex

__all__ = ["DATES_KEPT", "TIMELINE_LIMIT", "DayFrame", "StoreDates"]

#: How many dates' frames are kept.
DATES_KEPT = 8
#: The most versions a store may hold for the panel to read its whole history once (about 100 bytes each).
TIMELINE_LIMIT = 3_000_000
#: The timeline's own columns (left out of the frames).
_TIMELINE_COLUMNS = ("valid_from", "valid_to", "last_seen", "change")
#: Numbers the frames, so what is drawn or computed from one is found again when its date comes back.
_SERIALS = itertools.count(1)
#: ``store.as_of``'s order: provider, newest issue first (missing last), invoice id.
_ORDER = (["provider", "issued_at", "invoice_id"], [True, False, True])


@dataclass
class DayFrame:
    """What the panel shows for one date: the columns its figures read, their filter index, and (made when
    first asked for) the frame of every column."""

    work: pd.DataFrame
    index: FilterIndex
    make_full: Callable[[], pd.DataFrame]
    _full: pd.DataFrame | None = field(default=None, repr=False)
    make_rows: Callable[[np.ndarray], pd.DataFrame] | None = field(default=None, repr=False)
    serial: int = field(default_factory=lambda: next(_SERIALS))
    #: What the panel derived from this frame and keeps with it (e.g. its customer list).
    derived: dict[str, Any] = field(default_factory=dict, repr=False)

    def rows(self, positions: np.ndarray) -> pd.DataFrame:
        """Every column of the rows at ``positions`` (without making the whole frame when it is not made)."""
        if self._full is None and self.make_rows is not None:
            return self.make_rows(positions)
        return self.full.take(positions)

    @property
    def full(self) -> pd.DataFrame:
        """Every column, as ``store.as_of`` gives them (made once)."""
        if self._full is None:
            self._full = self.make_full()
        return self._full

    @classmethod
    def of(cls, df: pd.DataFrame, columns: Sequence[str]) -> DayFrame:
        """A frame already made (a plain frame, or one ``store.as_of`` answered)."""
        return cls(df[[c for c in columns if c in df.columns]], FilterIndex.build(df), lambda: df, df)


def _end_of_day(day: datetime.date) -> pd.Timestamp:
    """The last microsecond of ``day`` in Jakarta, the instant ``store.as_of(day)`` answers for."""
    return pd.Timestamp(day, tz="Asia/Jakarta") + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)


def _micros(s: pd.Series, missing: int) -> np.ndarray:
    """A tz-aware datetime column as int64 microseconds since the epoch, ``missing`` for NaT."""
    values = s.dt.tz_convert("UTC").dt.as_unit("us").to_numpy(dtype="datetime64[us]").astype(np.int64)
    return np.where(s.isna().to_numpy(), missing, values)


def _take(index: FilterIndex, rows: np.ndarray) -> FilterIndex:
    """The filter index of ``rows`` of the indexed frame (same names, codes taken)."""
    return FilterIndex(len(rows), index.provider_codes[rows], index.providers, index.status_codes[rows],
                       index.statuses, index.name_codes[rows], index.names, index.id_codes[rows], index.ids,
                       index.issued_day[rows], index.issued_known[rows])


class StoreDates:
    """``store.as_of(day)`` for the panel, per date kept and, for a store of up to :data:`TIMELINE_LIMIT`
    versions, from one read of its history (see the module)."""

    def __init__(self, store: Any, columns: Sequence[str]) -> None:
        self._store = store
        self._columns = tuple(columns)
        self._kept: OrderedDict[datetime.date, DayFrame] = OrderedDict()
        self._timeline: pd.DataFrame | None = None
        self._attrs: dict[str, Any] = {}
        #: The store's history as read by :meth:`read_timeline` (None before, or when it was not read).
        self.history: pd.DataFrame | None = None

    def _versions(self) -> int | None:
        """How many versions the store holds (from its refreshes' counts), None when it does not say."""
        refreshes = getattr(self._store, "refreshes", None)
        if refreshes is None or not hasattr(self._store, "history"):
            return None
        table = refreshes()
        if not {"new", "changed"} <= set(table.columns):
            return None
        return int(pd.to_numeric(table["new"]).sum() + pd.to_numeric(table["changed"]).sum())

    def read_timeline(self, first: pd.DataFrame) -> bool:
        """Read the store's whole history once, when it holds at most :data:`TIMELINE_LIMIT` versions.

        ``first`` is a frame ``store.as_of`` gave: its columns, dtypes and
        ``attrs["source"]`` are those of every frame made from the timeline.
        True when the timeline is read (and the frames come from it).
        """
        versions = self._versions()
        if versions is None or versions > TIMELINE_LIMIT:
            return False
        history: pd.DataFrame = self._store.history()
        if not set(first.columns) <= set(history.columns) or not set(_ORDER[0]) <= set(first.columns):
            return False
        keep_timeline(self._store, history, first.attrs.get("source"))  # the Forecast tab reads it from there
        history = history.sort_values(_ORDER[0], ascending=_ORDER[1], na_position="last", kind="stable")
        history = self.history = history.reset_index(drop=True)
        self._valid_from = _micros(history["valid_from"], np.iinfo(np.int64).max)
        self._valid_to = _micros(history["valid_to"], np.iinfo(np.int64).max)
        self._issued = _micros(history["issued_at"], np.iinfo(np.int64).min)
        frame = history[list(first.columns)]
        self._timeline = frame.astype(first.dtypes.to_dict()) if not frame.dtypes.equals(first.dtypes) else frame
        self._timeline_work = self._timeline[[c for c in self._columns if c in self._timeline.columns]]
        self._timeline_index = FilterIndex.build(self._timeline)
        self._attrs = {k: v for k, v in first.attrs.items() if k != "as_of"}
        return True

    def keep(self, day: datetime.date, df: pd.DataFrame) -> DayFrame:
        """Keep a frame ``store.as_of(day)`` gave."""
        return self._keep(day, DayFrame.of(df, self._columns))

    def _keep(self, day: datetime.date, frame: DayFrame) -> DayFrame:
        self._kept[day] = frame
        while len(self._kept) > DATES_KEPT:
            self._kept.popitem(last=False)
        return frame

    def day(self, day: datetime.date) -> DayFrame:
        """What the store knew at the end of ``day`` (kept for the next time)."""
        kept = self._kept.get(day)
        if kept is not None:
            self._kept.move_to_end(day)
            return kept
        if self._timeline is None:
            return self.keep(day, self._store.as_of(day))
        at = _end_of_day(day)
        stamp = at.value // 1000  # microseconds since the epoch (``value`` is in nanoseconds)
        rows = np.flatnonzero((self._valid_from <= stamp) & (self._valid_to > stamp) & (self._issued <= stamp))
        timeline, attrs = self._timeline, {**self._attrs, "as_of": at.isoformat()}  # ISO text, as store.as_of

        def full() -> pd.DataFrame:
            frame = timeline.take(rows).reset_index(drop=True)
            frame.attrs = dict(attrs)
            return frame

        def some(positions: np.ndarray) -> pd.DataFrame:
            frame = timeline.take(rows[positions])
            frame.index = pd.RangeIndex(len(rows))[positions]
            frame.attrs = dict(attrs)
            return frame

        work = self._timeline_work.take(rows).reset_index(drop=True)
        work.attrs = dict(attrs)
        return self._keep(day, DayFrame(work, _take(self._timeline_index, rows), full, make_rows=some))
