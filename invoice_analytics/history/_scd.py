"""Versions, slowly-changing-dimension style (type 2): what changed, and what was known when (private).

*Events* are the rows of a provider's files: versions ("new", "changed") and "gone" markers, each with
``valid_from``; a version holds until the invoice's next event.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from invoice_analytics.history._codec import data_columns
from invoice_analytics.schema import DATETIME_DTYPE

__all__ = ["Diff", "diff", "event_rows", "latest", "latest_rows", "versions"]


@dataclass
class Diff:
    """What one refresh found for one provider, against the versions known before it."""

    rows: pd.DataFrame  # the new and changed invoices, typed, with a "change" column
    gone: pd.Series  # ids of the invoices no longer listed
    new: int
    changed: int
    unchanged: int


def _hashes(frame: pd.DataFrame, provider: str) -> np.ndarray:
    columns = [name for name in data_columns(provider) if name in frame.columns]
    hashed: np.ndarray = pd.util.hash_pandas_object(frame[columns], index=False).to_numpy()
    return hashed


def diff(known: pd.DataFrame, state: pd.DataFrame, provider: str) -> Diff:
    """Compare the current versions ``known`` with a refresh's whole list ``state`` (both typed).

    >>> from invoice_analytics.providers.mayar import mayar_frame
    >>> row = {"id": "x", "amount": 10, "createdAt": 1768375011056, "status": "active", "transactions": []}
    >>> before = mayar_frame([row, {**row, "id": "y"}])
    >>> after = mayar_frame([{**row, "status": "paid"}, {**row, "id": "z"}])
    >>> d = diff(before, after, "mayar")
    >>> d.rows["change"].tolist(), d.gone.tolist(), (d.new, d.changed, d.unchanged)
    (['changed', 'new'], ['y'], (1, 1, 0))
    """
    known_ids = known["invoice_id"]
    state_ids = state["invoice_id"]
    before = pd.Series(_hashes(known, provider), index=pd.Index(known_ids.array))
    now = _hashes(state, provider)
    previous = before.reindex(pd.Index(state_ids.array)).to_numpy()
    seen = state_ids.isin(known_ids).to_numpy(dtype=bool)
    new = ~seen
    changed = seen & (previous != now)
    rows = state[new | changed].copy()
    rows["change"] = pd.array(np.where(new[new | changed], "new", "changed"), dtype="string[pyarrow]")
    gone = known_ids[~known_ids.isin(state_ids)].reset_index(drop=True)
    return Diff(rows.reset_index(drop=True), gone, int(new.sum()), int(changed.sum()), int((seen & ~changed).sum()))


def event_rows(d: Diff, template: pd.DataFrame, observed_at: pd.Timestamp, refresh: int) -> pd.DataFrame:
    """The rows one refresh appends: its new and changed versions, then a "gone" row per vanished invoice."""
    gone = template.iloc[:0].reindex(range(len(d.gone)))
    gone["invoice_id"] = d.gone.array
    gone["change"] = pd.array(["gone"] * len(d.gone), dtype="string[pyarrow]")
    rows = d.rows if len(gone) == 0 else pd.concat([d.rows, gone.astype(d.rows.dtypes.to_dict())],
                                                   ignore_index=True)
    rows["valid_from"] = pd.array([observed_at] * len(rows), dtype=DATETIME_DTYPE)
    rows["refresh"] = pd.array([refresh] * len(rows), dtype="Int64")
    return rows


def _ordered(events: pd.DataFrame) -> pd.DataFrame:
    return events.sort_values(["invoice_id", "valid_from"], kind="stable")


def latest(events: pd.DataFrame, when: pd.Timestamp | None) -> pd.DataFrame:
    """Each invoice's latest event at or before ``when`` (None: the latest of all), "gone" ones dropped."""
    if when is not None:
        events = events[(events["valid_from"] <= when).to_numpy(dtype=bool)]
    last = _ordered(events).drop_duplicates("invoice_id", keep="last")
    return last[(last["change"] != "gone").to_numpy(dtype=bool)]


def latest_rows(table: pa.Table, when: pd.Timestamp | None, *, keep_gone: bool = False) -> pa.Table:
    """:func:`latest` on stored rows (Arrow), each invoice's rows in ``valid_from`` order (its last is its latest;
    kept rows stay in table order; ``keep_gone``: "gone" rows kept).
    """
    if when is not None:
        bound = pa.scalar(when.value // 1000, pa.timestamp("us", tz=str(when.tz)))
        table = table.filter(pc.less_equal(table["valid_from"], bound))
    ids = pd.array(table["invoice_id"], dtype="string[pyarrow]")
    last = ~pd.Series(ids).duplicated(keep="last").to_numpy()
    rows = table.filter(pa.array(last))
    return rows if keep_gone else rows.filter(pc.not_equal(rows["change"], "gone"))


def versions(events: pd.DataFrame, refreshed_at: pd.Series) -> pd.DataFrame:
    """Every version with ``valid_to`` (the invoice's next event, else NaT) and ``last_seen`` (the last of
    ``refreshed_at``, the provider's refresh times, before ``valid_to``)."""
    ordered = _ordered(events)
    following = ordered.groupby("invoice_id", sort=False)["valid_from"].shift(-1)
    ordered = ordered.assign(valid_to=following.astype(DATETIME_DTYPE))
    kept = ordered[(ordered["change"] != "gone").to_numpy(dtype=bool)].copy()
    times = np.sort(refreshed_at.astype(DATETIME_DTYPE).array.asi8)
    ends = kept["valid_to"].array.asi8.copy()
    ends[kept["valid_to"].isna().to_numpy()] = np.iinfo(np.int64).max
    index = np.searchsorted(times, ends, side="left") - 1
    last = times[np.clip(index, 0, None)] if len(times) else np.zeros(len(kept), dtype=np.int64)
    kept["last_seen"] = pd.array(pd.to_datetime(last, unit="us", utc=True).tz_convert(DATETIME_DTYPE.tz),
                                 dtype=DATETIME_DTYPE)
    return kept
