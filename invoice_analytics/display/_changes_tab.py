"""The panel's "Changes" tab: what a history store saw change this month, for the providers shown (private)."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd

from invoice_analytics.analytics._observed import HistoryLike
from invoice_analytics.analytics.changes import changes, changes_summary
from invoice_analytics.formatting import format_count, format_rupiah
from invoice_analytics.schema import JAKARTA
from invoice_analytics.workbook import column_kind, header

__all__ = ["NO_STORE", "KnownHistory", "changes_html", "month_changes"]

#: What the tab says when the panel is not over a store.
NO_STORE = "What changed needs a history store: FilterPanel(ia.InvoiceStore(path))."
#: The most invoices the tab lists (a line under them tells how to get the others).
SHOWN = 50


class KnownHistory:
    """A store's history as the panel read it once (``history``), its dates' frames (``day``: the frame known at
    the end of a Jakarta day) and its refreshes read once: :func:`changes` from memory, not from the files."""

    def __init__(self, store: HistoryLike, history: pd.DataFrame, day: Callable[[dt.date], pd.DataFrame]) -> None:
        self._history, self._day, self._refreshes = history, day, store.refreshes()

    def history(self) -> pd.DataFrame:
        return self._history

    def as_of(self, when: pd.Timestamp, /) -> pd.DataFrame:
        """The frame known at the end of ``when``'s day (:func:`changes` asks at a day's end)."""
        return self._day(pd.Timestamp(when).tz_convert(JAKARTA).date())

    def refreshes(self) -> pd.DataFrame:
        return self._refreshes


def month_changes(store: HistoryLike, day: dt.date, providers: Iterable[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(:func:`changes_summary`, :func:`changes`) from the month end before ``day`` (or the store's first
    refresh) to ``day`` (or its last refresh), for ``providers``; the detail's attrs hold the window."""
    refreshed = store.refreshes()["observed_at"]
    first = pd.Timestamp(refreshed.min()).tz_convert(JAKARTA).date()
    last = pd.Timestamp(refreshed.max()).tz_convert(JAKARTA).date()
    until = min(day, last)
    since = min(max(until.replace(day=1) - dt.timedelta(days=1), first), until)
    detail = changes(store, since, until)
    wanted = [str(p) for p in providers]
    detail = detail[detail["provider"].astype(str).isin(wanted).to_numpy(dtype=bool)].reset_index(drop=True)
    detail.attrs = {"since": since, "until": until}
    return changes_summary(detail), detail


def changes_html(summary: pd.DataFrame, detail: pd.DataFrame) -> tuple[str, str]:
    """The tab's HTML and plain text: human headers, full rupiah and counts in the number locale, times to the
    minute (Jakarta)."""
    head = f"Changes the store saw from the end of {detail.attrs['since']} to the end of {detail.attrs['until']}"
    more = len(detail) - SHOWN
    rest = (f'<p class="ia-changes-more">{format_count(more)} more: <code>panel.changes_frames()[1]</code> or '
            f"<code>ia.changes(store, &quot;{detail.attrs['since']}&quot;, &quot;{detail.attrs['until']}&quot;)"
            "</code> lists them all.</p>") if more > 0 else ""
    shown = min(len(detail), SHOWN)
    body = (f"<h4>{html.escape(head)}</h4>{_table(summary.reset_index())}"
            f"<p>Each invoice (first {format_count(shown)} of {format_count(len(detail))}), with the window in "
            "which the store saw it change:</p>" + _table(detail.head(SHOWN)) + rest)
    return body, f"{head}\n{_readable(summary.reset_index()).to_string(index=False)}"


def _readable(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` as text: human headers, full rupiah, counts, times to the minute, nothing missing shown."""
    columns = {}
    for name in frame.columns:
        values = frame[name]
        if isinstance(values.dtype, pd.DatetimeTZDtype) or (isinstance(values.dtype, np.dtype)
                                                          and values.dtype.kind == "M"):
            text = values.dt.strftime("%Y-%m-%d %H:%M").astype("string")
        elif pd.api.types.is_integer_dtype(values.dtype):
            count = column_kind(str(name), values, "Changes") == "count"
            text = pd.Series([("" if pd.isna(v) else format_count(int(v)) if count else
                               format_rupiah(int(v), compact=False)) for v in values], dtype="string")
        else:
            text = values.astype("string")
        columns[header(str(name))] = text.fillna("").to_numpy(dtype=object)
    return pd.DataFrame(columns)


def _table(frame: pd.DataFrame) -> str:
    return str(_readable(frame).to_html(index=False, classes="ia-changes-table"))
