"""The panel's tabs, statement, header and summary (private): :class:`~invoice_analytics.FilterPanel`'s methods."""

from __future__ import annotations

import datetime as dt
import gc
import html
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import ipywidgets as W
import numpy as np
import pandas as pd

from invoice_analytics._text import printable
from invoice_analytics.analytics.collections import customer_statement
from invoice_analytics.analytics.trends import HistoryLike
from invoice_analytics.display import _changes_tab as changes_tab
from invoice_analytics.display._forecast_tab import FORECAST_TAB, ForecastView
from invoice_analytics.display._output import show
from invoice_analytics.display._statement_area import (
    LIST_LIMIT,
    NO_STATEMENT,
    CustomerList,
    no_statement_bundle,
    statement_bundle,
)
from invoice_analytics.display._tabs import CHARTS, render_chart
from invoice_analytics.display.tables import format_report_table, format_report_text
from invoice_analytics.formatting import format_count as _n
from invoice_analytics.formatting import format_percent, format_rupiah

if TYPE_CHECKING:
    from invoice_analytics.display.panel import FilterPanel

__all__ = [
    "CHANGES_TAB",
    "CHART_CACHE_SIZE",
    "STATEMENT_TAB",
    "Tabs",
    "build_tabs",
    "changes_frames",
    "chart_png",
    "clear_cache",
    "customer_list",
    "customer_options",
    "draw_all_charts",
    "draw_statement",
    "draw_visible_chart",
    "header_html",
    "show_statement",
    "store_dates",
    "terms_note_html",
    "text_summary",
]

#: The title of the tab showing a customer's statement, after the charts' tabs.
STATEMENT_TAB = "Statement"
#: The title of the tab showing what changed in a history store this month, after the statement's tab.
CHANGES_TAB = "Changes"
#: Chart images kept per chart (by filters, as_of and scheme), and figures (report and KPIs) kept.
CHART_CACHE_SIZE = 16


@dataclass
class Tabs:
    """The panel's tabs and their outputs (a chart: its image, in the tab's box, hidden until first drawn)."""

    charts: dict[str, W.Image]
    statement: W.Output
    changes: W.Output
    forecast: ForecastView | None
    tab: W.Tab


def build_tabs(store: HistoryLike | None) -> Tabs:
    """A tab per chart, the Statement, the Changes and, over a store, the cash-in forecast at the as-of date."""
    # an Image widget: a new chart changes one attribute of the page (an Output would swap its output and
    # JupyterLab restyle the area 50 ms later)
    charts = {title: W.Image(format="png", layout=W.Layout(display="none", max_width="100%", height="auto"))
              for title in CHARTS}
    statement, changes = W.Output().add_class("ia-statement"), W.Output().add_class("ia-changes")
    forecast = ForecastView(store) if store is not None else None
    extra = [] if forecast is None else [forecast.output]
    boxes = [W.Box([image]).add_class("ia-chart") for image in charts.values()]
    tab = W.Tab(children=[*boxes, statement, changes, *extra],
                titles=[*CHARTS, STATEMENT_TAB, CHANGES_TAB, *([FORECAST_TAB] if extra else [])])
    return Tabs(charts, statement, changes, forecast, tab.add_class("ia-charts"))


def terms_note_html(self: FilterPanel, frame: pd.DataFrame) -> str:
    """The note on a provider without due dates aged with terms 0, when one is shown (else "")."""
    from invoice_analytics.settings import terms_notes

    shown = frame["provider"].dropna().unique() if "provider" in frame else []
    notes = terms_notes(self.terms_days, sorted(str(p) for p in shown))
    return "".join(f'<div class="ia-terms-note" style="color:#8a5a00;margin:.3em 0">Note: {html.escape(n)}</div>'
                   for n in notes)


def header_html(self: FilterPanel) -> str:
    """The title line: "DEMO DATA" for sample data, else the frame's source."""
    source = self._work.attrs.get("source")
    if self.is_demo:
        note = (
            '<span class="ia-demo-badge" style="background:#c62828;color:#fff;font-weight:700;'
            'letter-spacing:.06em;padding:1px 8px;border-radius:3px;margin-left:.8em">DEMO DATA</span>'
            '<span style="margin-left:.6em">made-up sample invoices from the embedded emulator, '
            "not real figures</span>"
        )
    elif source:
        note = f'<span style="margin-left:.8em;opacity:.75">source: {html.escape(str(source))}</span>'
    elif self._store is not None:
        note = '<span style="margin-left:.8em;opacity:.75">source: a history store</span>'
    else:
        note = ""
    return f'<div style="margin:.2em 0 .5em"><b style="font-size:1.15em">Invoice aging</b>{note}</div>'


def customer_list(self: FilterPanel) -> CustomerList:
    """The customers of the frame shown (made once per frame)."""
    customers = self._day.derived.get("customers")
    if not isinstance(customers, CustomerList):
        customers = self._day.derived["customers"] = CustomerList(self._work)
    return customers


def customer_options(self: FilterPanel, keep: tuple[str, ...] = ()) -> None:
    """Offer the customers matching the Statement search (:class:`CustomerList`), plus the one chosen or
    ``keep``."""
    customers = self._customer_list()
    chosen = self.statement_customer.value
    chosen = chosen if chosen in customers else ()
    options = customers.options(self.statement_search.value, keep=keep or chosen)
    if chosen not in {value for _, value in options}:
        chosen = ()
    # not the date's count of customers: a tooltip changed after the figures would be the page's last change
    self.statement_search.tooltip = ("Part of a customer's name or id (any case): the list next to it offers the "
                                     f"first {LIST_LIMIT} customers of the as-of date that match")
    if list(self.statement_customer.options) == options and self.statement_customer.value == chosen:
        return
    self._syncing_customers = True
    try:
        self.statement_customer.options = options
        self.statement_customer.value = chosen
    finally:
        self._syncing_customers = False


def on_customer(self: FilterPanel, change: dict[str, Any]) -> None:
    """A customer chosen: open and draw their statement."""
    if getattr(self, "_syncing_customers", False):
        return
    self.download.value = ""  # the workbook holds the statement: an offered one is out of date
    if change["new"]:
        self.chart_tabs.selected_index = len(CHARTS)  # open the statement tab
    self._guarded(self._draw_statement)


def show_statement(self: FilterPanel, provider: str, customer_id: str) -> pd.DataFrame | None:
    """Choose a customer, as the Statement control does: their statement fills the Statement tab.

    Parameters
    ----------
    provider : str
        The customer's provider, e.g. "mayar".
    customer_id : str
        Their id at that provider.

    Returns
    -------
    pandas.DataFrame or None
        :attr:`statement` (None when the customer has no invoice in the frame known on the ``as_of`` date).

    Raises
    ------
    KeyError
        When the frame has no such customer.
    """
    key = (str(provider), str(customer_id))
    if key not in self._customer_list():
        raise KeyError(f"no customer {customer_id!r} of provider {provider!r} in the panel's invoices")
    self._customer_options(keep=key)  # in the list, whatever the search
    self.statement_customer.value = key
    return self.statement


def draw_statement(self: FilterPanel) -> None:
    """Show the chosen customer's statement (every open invoice and credit, whatever the filters)."""
    chosen = self.statement_customer.value
    # no customer: the same message whatever the date and settings, not sent again
    key = (self._frame_version, chosen, self.as_of_date, self.edges, self._terms_key()) if chosen else ()
    if key == self._statement_key:
        return
    self._statement_key = key
    if not chosen:
        self.statement = None
        show(self.statement_output, NO_STATEMENT)
        return
    provider, customer_id = chosen
    name = self._customer_list().name(chosen)
    work = self._work
    mine = np.flatnonzero(((work["provider"] == provider) & (work["customer_id"] == customer_id))
                          .fillna(False).to_numpy(dtype=bool))
    try:  # from the customer's own rows: their statement reads no other
        self.statement = customer_statement(self._day.rows(mine), chosen, self.as_of_date,
                                            terms_days=self.terms_days, edges=self.edges)
    except KeyError as exc:  # on a store's earlier date the customer may not exist yet
        self.statement = None
        show(self.statement_output, no_statement_bundle(f"{name} ({provider} {customer_id})", exc))
        return
    show(self.statement_output, statement_bundle(
        self.statement, name=name, provider=provider, customer_id=customer_id, as_of=self.as_of_date,
        scheme=self.scheme.value, terms=self._terms_text()))


def chart_key(self: FilterPanel, title: str) -> tuple[object, ...]:
    """What chart ``title`` depends on: the frame, the filters and the settings it reads."""
    spec = CHARTS[title]
    return (
        self._frame_version,
        self._filter_key,
        self.as_of_date if spec.uses_as_of else None,
        self.edges if spec.uses_edges else None,
        self._terms_key() if spec.uses_terms else None,
    )


def chart_png(self: FilterPanel, title: str) -> bytes:
    """The PNG of chart ``title`` for the current settings, shown in its tab (the last
    :data:`CHART_CACHE_SIZE` of each chart are kept: earlier settings redraw nothing).

    Parameters
    ----------
    title : str
        A tab title: "Aging", "Top past due", "Open by month" or "Paid ratio".

    Returns
    -------
    bytes
        The PNG image.

    Raises
    ------
    KeyError
        When ``title`` is not a tab title.

    Examples
    --------
    >>> from invoice_analytics import FilterPanel
    >>> from invoice_analytics.schema import empty_frame
    >>> FilterPanel(empty_frame()).chart_png("Paid ratio")[:4]
    b'\\x89PNG'
    """
    key = self._chart_key(title)
    png = cached_png(self, title, key)
    if self._chart_shown.get(title) != key:
        self._chart_shown[title] = key
        image = self.chart_outputs[title]
        image.value = png
        if image.layout.display == "none":  # shown from its first drawing on
            image.layout.display = None
    return png


def cached_png(self: FilterPanel, title: str, key: tuple[object, ...]) -> bytes:
    """Chart ``title``'s PNG for settings ``key`` (:func:`chart_key`), drawn unless cached."""
    cache = self._chart_cache[title]
    png = cache.get(key)
    if png is None:
        png = render_chart(self._filtered_work, title, as_of=self.as_of_date, edges=self.edges,
                           terms_days=self.terms_days, dpi=self._dpi)
        self._drawn += 1
        cache[key] = png
        while len(cache) > CHART_CACHE_SIZE:
            cache.popitem(last=False)
    cache.move_to_end(key)
    return png


def prerender(self: FilterPanel) -> None:
    """Draw the charts of the tabs not open into the cache, and compute the Changes tab's figures, without
    showing them: opening one then only sends its image or table (:doc:`/guide/panel`)."""
    for title in CHARTS:
        cached_png(self, title, chart_key(self, title))
    self.changes_frames()  # and the Changes tab's figures (about 0.15 s at 100,000 invoices): its HTML is quick
    if self.forecast_view is not None and self.forecast_view.prepare(self.as_of_date):  # and the forecast's
        self._drawn += 1
    if self._drawn:
        # The figures drawn since the last collection leave reference cycles: collected now, while the kernel
        # is busy anyway, the next change does not pay for a full collection (60-80 ms every few updates at
        # 100,000 invoices) before it shows.
        gc.collect()
        self._drawn = 0


def clear_cache(self: FilterPanel) -> None:
    """Forget the cached chart images and figures (the next update computes and redraws)."""
    for cache in self._chart_cache.values():
        cache.clear()
    self._figures.clear()
    self._changes.clear()
    self._table_shown = None


def draw_visible_chart(self: FilterPanel) -> None:
    """Draw the open tab (a chart, the Changes or the Forecast; the Statement draws itself)."""
    index = self.chart_tabs.selected_index
    if index is not None and index < len(CHARTS):  # after the charts: the statement, drawn by itself
        self.chart_png(list(CHARTS)[index])
    elif index == len(CHARTS) + 1:
        self._draw_changes()
    elif index == len(CHARTS) + 2 and self.forecast_view is not None:  # then the forecast
        self.forecast_view.draw(self.as_of_date)


def changes_frames(self: FilterPanel) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """What changed in the store from the previous month end (or its first refresh) to the as-of date:
    :func:`~invoice_analytics.changes_summary` and the detail of :func:`~invoice_analytics.changes`, for the
    providers shown; None when the panel is not over a history store."""
    if self._store is None:
        return None
    shown = tuple(sorted(self._filtered_work["provider"].dropna().astype(str).unique()))
    key = (self.as_of_date, shown)
    frames = self._changes.get(key)
    if frames is None:  # from the history read when the panel opened, else from the store
        dates = self._dates
        store: HistoryLike = self._store
        if dates is not None and dates.history is not None:
            if self._known is None:
                self._known = changes_tab.KnownHistory(self._store, dates.history, lambda d: dates.day(d).full)
            store = self._known
        frames = self._changes[key] = changes_tab.month_changes(store, self.as_of_date, shown)
        while len(self._changes) > 8:
            self._changes.popitem(last=False)
    return frames


def draw_changes(self: FilterPanel) -> None:
    """Fill the Changes tab."""
    frames = self.changes_frames()
    if frames is None:
        text = changes_tab.NO_STORE
        show(self.changes_output, {"text/html": f"<p>{html.escape(text)}</p>", "text/plain": text})
        return
    body, text = changes_tab.changes_html(*frames)
    show(self.changes_output, {"text/html": body, "text/plain": text})


def draw_all_charts(self: FilterPanel) -> dict[str, bytes]:
    """Draw every chart now (not only the open tab's).

    Returns
    -------
    dict of str to bytes
        Tab title -> PNG image, for every tab.
    """
    return {title: self.chart_png(title) for title in CHARTS}


def text_summary(self: FilterPanel) -> str:
    """What the panel shows, as plain text (the panel's repr).

    Returns
    -------
    str
        A header line (invoices shown, ``as_of``, scheme; "DEMO DATA" first for sample data), a KPI line,
        and the first rows of the report (see the class example).
    """
    k = self.kpis
    if not k:  # the last update failed
        return f"FilterPanel: {_n(len(self._work))} invoices (not computed)"
    ratio = format_percent(k["paid_ratio"])
    return "\n".join(
        [
            *(["DEMO DATA (made-up sample invoices)"] if self.is_demo else []),
            f"FilterPanel: {_n(len(self._rows))} of {_n(len(self._work))} invoices, "
            f"as of {self.as_of_date:%Y-%m-%d}, buckets {self.scheme.value}",
            f"Open {format_rupiah(k['open_amount'], compact=False)} ({_n(k['open_count'])})"
            f" · Past due {format_rupiah(k['overdue_amount'], compact=False)} ({_n(k['overdue_count'])})"
            f" · Credit {format_rupiah(k['credit_amount'], compact=False)} ({_n(k['credit_count'])})"
            f" · Paid ratio {ratio}",
            "",
            format_report_text(self.report),
        ]
    )


def repr_text(self: FilterPanel) -> str:
    """:func:`text_summary` without control characters (no provider text escapes to a terminal)."""
    return "\n".join(printable(line) for line in self.text_summary().split("\n"))


def repr_html(self: FilterPanel) -> str:
    """A static snapshot (where widgets cannot render)."""
    return (
        f'<div class="ia-filter-panel-static">{self.header.value}{self.summary.value}{self.kpi_html.value}'
        f"{format_report_table(self.report, max_rows=self._max_rows, fit=True)}</div>"
    )


def repr_mimebundle(self: FilterPanel, include: Any = None, exclude: Any = None) -> dict[str, Any]:
    """The live widget in a notebook, with HTML and text fallbacks."""
    bundle = dict(self.widget._repr_mimebundle_() or {})
    bundle["text/plain"] = self.text_summary()
    bundle["text/html"] = self._repr_html_()
    return bundle


def summary_html(self: FilterPanel) -> str:
    """The summary line: invoices shown, as-of date, buckets, terms and how long the update took."""
    return (
        f'<span style="opacity:.8">Showing <b>{_n(len(self._rows))}</b> of {_n(len(self._work))} invoices'
        f" · as of {self.as_of_date:%Y-%m-%d} · buckets {html.escape(self.scheme.value)}"
        f" · terms {html.escape(self._terms_text())}"
        f' · <span title="time the last update took">{self.last_update_ms:,.0f} ms</span></span>'
    )


def failure_html(exc: Exception) -> str:
    """The summary line after a failed update."""
    failure = f"{type(exc).__name__}: {exc}"
    return f'<span style="color:#c62828">Update failed: {html.escape(failure)}</span>'


def store_dates(store: HistoryLike) -> tuple[dt.date, dt.date]:
    """The first and last Jakarta dates a store's refreshes observed."""
    observed = pd.to_datetime(store.refreshes()["observed_at"])
    if len(observed) == 0:
        raise ValueError("the store has no refresh yet: refresh it before showing it in a panel")
    days = observed.dt.tz_convert("Asia/Jakarta").dt.date
    first: dt.date = days.min()
    last: dt.date = days.max()
    return first, last
