"""A store as known at an instant (private): :class:`KnownAt` hides what the store saw after ``at`` (later
refreshes, later versions, observations confirming a version), so every history analytic of a pack made after
month M ended gives the figure known at M's end.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from invoice_analytics.analytics._observed import HistoryLike
from invoice_analytics.schema import JAKARTA

__all__ = ["KnownAt"]


class KnownAt:
    """``store`` as known at the instant ``at`` (a HistoryLike).

    >>> from invoice_analytics.analytics._observed import _ExampleStore
    >>> known = KnownAt(_ExampleStore(), pd.Timestamp("2026-01-03 23:00", tz="Asia/Jakarta"))
    >>> h = known.history()  # M1's payment, first seen on Jan 5, is not known yet
    >>> h["invoice_id"].tolist(), h["valid_to"].isna().tolist(), h["last_seen"].dt.day.tolist()
    (['F1', 'F1', 'F2', 'F2', 'M1'], [False, True, False, True, True], [1, 3, 1, 3, 3])
    """

    def __init__(self, store: HistoryLike, at: pd.Timestamp, providers: Sequence[str] | None = None) -> None:
        self.store = store
        self.at = pd.Timestamp(at).tz_convert(JAKARTA)
        self.providers = None if providers is None else [str(p) for p in providers]
        self._history: pd.DataFrame | None = None
        self._frames: dict[pd.Timestamp, pd.DataFrame] = {}

    def _only(self, frame: pd.DataFrame) -> pd.DataFrame:
        if self.providers is None:
            return frame
        return frame[frame["provider"].astype(str).isin(self.providers).to_numpy(dtype=bool)]

    def refreshes(self) -> pd.DataFrame:
        refreshes = self._only(self.store.refreshes())
        return refreshes[(refreshes["observed_at"] <= self.at).to_numpy(dtype=bool)].reset_index(drop=True)

    def as_of(self, when: pd.Timestamp, /) -> pd.DataFrame:
        """The store's frame at ``when`` (at most ``at``); read once per instant (a shallow copy each time)."""
        at = min(pd.Timestamp(when), self.at)
        if at not in self._frames:
            frame = self.store.as_of(at)
            out = self._only(frame)
            out.attrs = dict(frame.attrs)
            self._frames[at] = out
        return self._frames[at].copy(deep=False)

    def history(self) -> pd.DataFrame:
        """Every version known at ``at`` (read once; a shallow copy each time)."""
        if self._history is None:
            self._history = self._read_history()
        return self._history.copy(deep=False)

    def _read_history(self) -> pd.DataFrame:
        history = self._only(self.store.history())
        history = history[(history["valid_from"] <= self.at).to_numpy(dtype=bool)].copy()
        later = (history["valid_to"] > self.at).to_numpy(dtype=bool)
        history.loc[later, "valid_to"] = pd.NaT
        seen = self.refreshes()
        last: dict[str, pd.Timestamp] = {str(p): t for p, t in seen.groupby("provider", observed=True)[
            "observed_at"].max().items()}
        clip = history["provider"].astype(str).map(last).astype(history["last_seen"].dtype)
        too_late = (history["last_seen"] > self.at).to_numpy(dtype=bool)
        history.loc[too_late, "last_seen"] = clip[too_late]
        order = np.lexsort((history["valid_from"].to_numpy(), history["invoice_id"].astype(str).to_numpy(),
                            history["provider"].astype(str).to_numpy()))
        return history.iloc[order].reset_index(drop=True)
