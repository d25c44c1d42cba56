"""An interactive invoice dashboard for Jupyter, :class:`FilterPanel` (:doc:`/guide/panel`): this module wires
the plain functions doing the work and the panel's private parts (``_controls``, ``_panel_views``...)."""

from __future__ import annotations

import datetime as dt
import time
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import ipywidgets as W
import numpy as np
import pandas as pd

from invoice_analytics._dates import jakarta_date, jakarta_today
from invoice_analytics.analytics.aging import aging_report
from invoice_analytics.analytics.customers import CUSTOMER
from invoice_analytics.analytics.trends import HistoryLike
from invoice_analytics.display import _changes_tab as changes_tab
from invoice_analytics.display import _panel_exports as exports
from invoice_analytics.display import _panel_views as views
from invoice_analytics.display._controls import FILTERS, build_buttons, build_controls, initial_terms, panel_layout
from invoice_analytics.display._controls import MAX_TERMS_DAYS as MAX_TERMS_DAYS
from invoice_analytics.display._dated import DayFrame, StoreDates
from invoice_analytics.display._output import in_kernel, show
from invoice_analytics.display._panel_exports import DOWNLOAD_LIMIT as DOWNLOAD_LIMIT
from invoice_analytics.display._panel_views import CHANGES_TAB as CHANGES_TAB
from invoice_analytics.display._panel_views import CHART_CACHE_SIZE
from invoice_analytics.display._panel_views import STATEMENT_TAB as STATEMENT_TAB
from invoice_analytics.display._statement_area import NO_CUSTOMER, NO_STATEMENT
from invoice_analytics.display._tabs import CHARTS
from invoice_analytics.display.kpis import BUCKET_SCHEMES, panel_kpis
from invoice_analytics.display.tables import format_kpis_html, format_report_table, format_report_text
from invoice_analytics.schema import DEMO_SOURCE

__all__ = ["FilterPanel"]

#: Columns the analytics read; only these are copied on each update.
_WORK_COLUMNS = ("provider", "customer_id", "customer_name", "status", "issued_at", "due_at", "outstanding")


class FilterPanel:
    """Filter controls, KPIs, aging report table, charts and a customer's statement over an invoice frame.

    What each part shows and does: :doc:`/guide/panel`. Drive it from code by setting the controls'
    ``.value`` and clicking its buttons; ``with panel.hold():`` groups changes into one update. "Past due"
    is computed (open, a day or more after the due date or issue plus terms), "Provider status" is the
    provider's. In a notebook the panel shows itself as the widget (a failed update is shown in its
    summary line), elsewhere as :meth:`text_summary`. The input frame is never modified.

    Parameters
    ----------
    df : pandas.DataFrame or InvoiceStore
        Invoices in the core schema (``provider``, ``customer_id``, ``customer_name``, ``status``,
        ``issued_at``, ``due_at``, ``outstanding``), or a history store: the as-of control then moves
        through its dates and every figure is the one known on the chosen date.
    as_of : date-like or None, default None
        The first aging date (naive = Asia/Jakarta); None: today in Jakarta (a store: its last refresh).
    scheme : str, default "30/60/90"
        The first bucket scheme, a key of :data:`~invoice_analytics.display.kpis.BUCKET_SCHEMES`.
    terms_days : int, mapping of str to int, or None, default None
        The first payment terms of invoices without a due date: days, or by provider (``{"mayar": 14}``,
        others 0). None: the terms of the settings (:mod:`invoice_analytics.settings`), else 0.
    by : str, default "customer"
        The report's row key: the virtual "customer" (provider and customer id, shown with the name, see
        :func:`~invoice_analytics.customer_key`), or a column (e.g. "customer_name").
    max_rows : int, default 25
        Report rows shown before the "Total" row (the exports hold them all).
    dpi : int, default 96
        Chart resolution.
    prerender : bool or None, default None
        After each update, draw the other tabs' charts too (kept, not shown: opening a tab only shows its
        chart; the kernel stays busy that much longer). None: in a kernel.

    Attributes
    ----------
    provider, status : ipywidgets.SelectMultiple
        The providers and provider's statuses kept (all at first; a missing value is "(missing)").
    customer : ipywidgets.Text
        Part of a customer's name or id, any case (applied on Enter or when the box loses focus).
    issued_from, issued_to, as_of : ipywidgets.DatePicker
        Inclusive bounds of the issue date (empty: none); the aging date (empty: today in Asia/Jakarta).
    scheme : ipywidgets.Dropdown
        The bucket scheme.
    terms : dict of str to ipywidgets.BoundedIntText
        Provider -> its payment terms in days (0 to :data:`MAX_TERMS_DAYS`), read as :attr:`terms_days`.
    statement_search : ipywidgets.Text
        Part of a customer's name or id: narrows ``statement_customer`` to the first 100 that match.
    statement_customer : ipywidgets.Dropdown
        The customer of the "Statement" tab: ``(provider, customer_id)`` labelled with the name, or ``()``.
    reset_button, all_providers_button, excel_button, csv_button : ipywidgets.Button
        :meth:`reset`, :meth:`select_all_providers`, :meth:`offer_download` of the workbook or the CSV.
    download, header : ipywidgets.HTML
        The link saving the last export (empty once a control changes); the title ("DEMO DATA"...).
    widget : ipywidgets.VBox
        The whole panel: header, controls, buttons, summary, KPI cards, report table and tabs.
    filtered, report : pandas.DataFrame
        The invoices passing the filters (every column and index label); their
        :func:`~invoice_analytics.aging_report` by ``by``, every row.
    kpis : dict
        The :func:`~invoice_analytics.panel_kpis` of the filtered invoices.
    statement : pandas.DataFrame or None
        The chosen customer's :func:`~invoice_analytics.customer_statement` (every invoice of theirs,
        whatever the filters), None when no customer is chosen.
    last_update_ms : float
        How long the last update took, in milliseconds.

    Raises
    ------
    ValueError
        When ``scheme`` is not a key of ``BUCKET_SCHEMES``, ``as_of`` is not a date, or ``terms_days`` are
        not whole days from 0 to :data:`MAX_TERMS_DAYS` (or a mapping of them by provider).
    KeyError
        When ``df`` lacks a core column, or (outside a kernel) ``by`` is neither "customer" nor a column.

    See Also
    --------
    filter_invoices, panel_kpis, aging_report, format_report_table : The functions doing the work.

    Examples
    --------
    >>> df = pd.DataFrame({"provider": ["faspay", "mayar", "mayar"], "customer_id": ["C1", "C2", "C3"],
    ...                    "customer_name": ["Ani", "Budi", "Budiman"], "status": ["unpaid", "overdue", "paid"],
    ...                    "issued_at": pd.to_datetime(["2024-01-01", "2023-12-05", "2023-09-20"]),
    ...                    "due_at": pd.to_datetime(["2024-02-15", "2024-01-10", "2023-10-01"]),
    ...                    "outstanding": [100_000, 250_000, 0]})
    >>> panel = FilterPanel(df, as_of="2024-02-15"); panel.kpis["open_amount"], panel.kpis["overdue_amount"]
    (350000, 250000)
    >>> panel.report["Total"].to_dict()  # one row per customer: name, customer id, provider
    {('Budi', 'C2', 'mayar'): 250000, ('Ani', 'C1', 'faspay'): 100000, ('Total', '', ''): 350000}
    >>> with panel.hold():  # two changes, one update
    ...     panel.provider.value = ("mayar",)
    ...     panel.customer.value = "budi"
    >>> panel.filtered["customer_name"].tolist(), panel.kpis["open_amount"]
    (['Budi', 'Budiman'], 250000)
    >>> print(panel)
    FilterPanel: 2 of 3 invoices, as of 2024-02-15, buckets 30/60/90
    Open Rp 250.000 (1) · Past due Rp 250.000 (1) · Credit Rp 0 (0) · Paid ratio 50,0 %
    <BLANKLINE>
    customer_name customer_id provider Current 1-30      31-60 61-90  >90 Credit      Total
             Budi          C2    mayar    Rp 0 Rp 0 Rp 250.000  Rp 0 Rp 0   Rp 0 Rp 250.000
            Total                         Rp 0 Rp 0 Rp 250.000  Rp 0 Rp 0   Rp 0 Rp 250.000
    >>> panel.reset_button.click()  # every control back to its first value
    >>> len(panel.filtered), panel.customer.value
    (3, '')
    >>> panel.terms["faspay"].value = 30  # invoices without a due date: due 30 days after issue
    >>> panel.terms_days
    {'faspay': 30, 'mayar': 0}
    """

    def __init__(
        self,
        df: pd.DataFrame | HistoryLike,
        *,
        as_of: object = None,
        scheme: str = "30/60/90",
        terms_days: int | Mapping[str, int] | None = None,
        by: str = CUSTOMER,
        max_rows: int = 25,
        dpi: int = 96,
        prerender: bool | None = None,
    ) -> None:
        if scheme not in BUCKET_SCHEMES:
            raise ValueError(f"scheme must be one of {list(BUCKET_SCHEMES)}, not {scheme!r}")
        terms = initial_terms(terms_days)
        self._store: HistoryLike | None = None
        self._dates: StoreDates | None = None
        dates: tuple[dt.date, dt.date] | None = None
        self._by = by
        columns = tuple(dict.fromkeys((*_WORK_COLUMNS, by)))
        if not isinstance(df, pd.DataFrame):  # a history store: each date shows what was known then
            self._store = df
            dates = views.store_dates(df)
            as_of = dates[1] if as_of is None else as_of
            self._dates = StoreDates(df, columns)
            first = df.as_of(jakarta_date(as_of))
            self._dates.read_timeline(first)  # a store of moderate history: every date from one read
            day = self._dates.keep(jakarta_date(as_of), first)
        else:
            day = DayFrame.of(df, columns)
        self._max_rows = max_rows
        self._dpi = dpi
        self._prerender = in_kernel() if prerender is None else prerender
        self._frame_version = 0
        self._set_frame(day, jakarta_date(as_of))
        self._hold = 0
        self._pending: set[str] = set()
        self._chart_cache: dict[str, OrderedDict[tuple[object, ...], bytes]] = {t: OrderedDict() for t in CHARTS}
        self._drawn = 0  # charts drawn since the prerender last collected garbage
        self._chart_shown: dict[str, tuple[object, ...]] = {}
        self._statement_key: tuple[object, ...] | None = None
        self._figures: OrderedDict[tuple[object, ...], tuple[pd.DataFrame, dict[str, Any]]] = OrderedDict()
        self._table_shown: tuple[object, ...] | None = None
        self._changes: OrderedDict[tuple[object, ...], tuple[pd.DataFrame, pd.DataFrame]] = OrderedDict()
        self._known: changes_tab.KnownHistory | None = None
        self.report: pd.DataFrame = pd.DataFrame()
        self.kpis: dict[str, Any] = {}
        self.statement: pd.DataFrame | None = None
        self.last_update_ms: float = 0.0

        controls = build_controls(self._index, as_of=jakarta_date(as_of), dates=dates, scheme=scheme, terms=terms)
        self.provider, self.status, self.customer = controls.provider, controls.status, controls.customer
        self.issued_from, self.issued_to = controls.issued_from, controls.issued_to
        self.as_of, self.scheme, self.terms = controls.as_of, controls.scheme, controls.terms
        self._defaults: dict[str, Any] = {name: getattr(self, name).value for name in (*FILTERS, "as_of", "scheme")}
        self._default_terms = {p: w.value for p, w in self.terms.items()}

        self.header = W.HTML(self._header_html()).add_class("ia-header")
        buttons = build_buttons(NO_CUSTOMER)
        self.reset_button, self.all_providers_button = buttons.reset, buttons.all_providers
        self.excel_button, self.csv_button, self.download = buttons.excel, buttons.csv, buttons.download
        self.statement_customer, self.statement_search = buttons.statement_customer, buttons.statement_search
        self._syncing_customers = False
        self._customer_options()

        self.summary = W.HTML().add_class("ia-summary")
        self.kpi_html = W.HTML().add_class("ia-kpis-widget")
        self.table_output = W.Output().add_class("ia-table")
        tabs = views.build_tabs(self._store)
        self.chart_outputs, self.statement_output, self.changes_output = tabs.charts, tabs.statement, tabs.changes
        self.forecast_view, self.chart_tabs = tabs.forecast, tabs.tab
        show(self.statement_output, NO_STATEMENT)
        self.widget = panel_layout(controls, buttons, header=self.header, summary=self.summary,
                                   kpis=self.kpi_html, table=self.table_output, tabs=self.chart_tabs)

        for name in FILTERS:
            getattr(self, name).observe(lambda _: self._request("filter"), names="value")
        for box in (self.as_of, self.scheme, *self.terms.values()):
            box.observe(lambda _: self._request("setting"), names="value")
        self.statement_customer.observe(self._on_customer, names="value")
        self.statement_search.observe(lambda _: self._guarded(self._customer_options), names="value")
        self.chart_tabs.observe(lambda _: self._guarded(self._draw_visible_chart), names="selected_index")
        self.reset_button.on_click(lambda _: self._guarded(self.reset))
        self.all_providers_button.on_click(lambda _: self._guarded(self.select_all_providers))
        self.excel_button.on_click(lambda _: self._guarded(lambda: self.offer_download("excel")))
        self.csv_button.on_click(lambda _: self._guarded(lambda: self.offer_download("csv")))
        self.refresh()

    # ------------------------------------------------------------------ state

    def _set_frame(self, frame: DayFrame, day: dt.date) -> None:
        """Show ``frame`` (the frame known on ``day`` when the panel reads a store): forget the filter."""
        missing = [c for c in _WORK_COLUMNS if c not in frame.work.columns]
        if missing:
            raise KeyError(f"FilterPanel needs the core column(s) {missing}")
        self._day = frame
        self._frame_day = day
        self._frame_version = frame.serial  # a date seen again finds its charts and figures again
        self._index = frame.index  # everything that does not depend on controls
        self._work = frame.work
        self._rows = np.arange(len(self._work))
        self._filtered_work = self._work
        self._filtered_full: pd.DataFrame | None = None
        self._filter_key: tuple[object, ...] | None = None  # refilter on the next update

    @property
    def _df(self) -> pd.DataFrame:
        """Every column of the frame shown (made when first asked for, over a store)."""
        return self._day.full

    @property
    def filtered(self) -> pd.DataFrame:
        """The invoices that pass the filters: the input's rows in its order, every column and index label
        (the input itself when nothing is filtered)."""
        if self._filtered_full is None:
            whole = len(self._rows) == len(self._work)
            self._filtered_full = self._df if whole else self._df.take(self._rows)
        return self._filtered_full

    @property
    def edges(self) -> tuple[int, ...]:
        """The aging edges of the chosen bucket scheme, e.g. ``(30, 60, 90)`` for "30/60/90"."""
        return BUCKET_SCHEMES[self.scheme.value]

    @property
    def as_of_date(self) -> dt.date:
        """The ``as_of`` picker's date (a ``datetime.date``; today in Asia/Jakarta when it is cleared)."""
        return self.as_of.value or jakarta_today()

    def filters(self) -> dict[str, Any]:
        """The current filters, as keyword arguments of :func:`~invoice_analytics.filter_invoices`.

        Returns
        -------
        dict
            ``providers``, ``statuses`` (tuples of the kept values), ``customer`` (str), ``issued_from`` and
            ``issued_to`` (``datetime.date``); None for no filter (every option, empty text or date).

        Examples
        --------
        >>> from invoice_analytics.schema import empty_frame
        >>> panel = FilterPanel(empty_frame(), as_of="2024-02-15"); panel.customer.value = "  budi "
        >>> panel.filters()
        {'providers': None, 'statuses': None, 'customer': 'budi', 'issued_from': None, 'issued_to': None}
        """
        providers = tuple(self.provider.value)
        statuses = tuple(self.status.value)
        return {
            "providers": None if providers == tuple(self.provider.options) else providers,
            "statuses": None if statuses == tuple(self.status.options) else statuses,
            "customer": self.customer.value.strip() or None,
            "issued_from": self.issued_from.value,
            "issued_to": self.issued_to.value,
        }

    @property
    def terms_days(self) -> int | dict[str, int]:
        """The terms boxes as the analytics take them (int or dict of str to int: one number of days when every
        provider's box says the same, else provider -> days): invoices without a due date are due that many
        days after issue (see the class example)."""
        days = {p: int(box.value) for p, box in self.terms.items()}
        if len(set(days.values())) <= 1:
            return next(iter(days.values()), 0)
        return days

    def _terms_key(self) -> object:
        """:attr:`terms_days`, hashable."""
        terms = self.terms_days
        return tuple(sorted(terms.items())) if isinstance(terms, dict) else terms

    def _terms_text(self) -> str:
        """The terms as the summary line says them."""
        terms = self.terms_days
        if isinstance(terms, dict):
            return ", ".join(f"{p} {d}" for p, d in terms.items()) + " days"
        return "0 days (due on issue)" if terms == 0 else f"{terms} days"

    @property
    def is_demo(self) -> bool:
        """True when the frame shown is the embedded sample data (``attrs["source"] == "demo"``): the header
        reads "DEMO DATA"."""
        return bool(self._work.attrs.get("source") == DEMO_SOURCE)

    # ------------------------------------------------------------------ buttons

    def reset(self) -> None:
        """Every control back to its first value (the Reset button), in one update: every provider and
        status, no customer text or issue dates, the first ``as_of``, scheme and terms, no statement, the
        first tab.

        Examples
        --------
        >>> from invoice_analytics.schema import empty_frame
        >>> panel = FilterPanel(empty_frame(), as_of="2024-02-15")
        >>> panel.customer.value, panel.scheme.value = "ani", "15/30/45/60"; panel.reset()
        >>> panel.customer.value, panel.scheme.value, str(panel.as_of.value)
        ('', '30/60/90', '2024-02-15')
        """
        with self.hold():
            for name, value in self._defaults.items():
                getattr(self, name).value = value
            for provider, box in self.terms.items():
                box.value = self._default_terms[provider]
            self.statement_customer.value = ()
            self.statement_search.value = ""
            self.chart_tabs.selected_index = 0
        self.download.value = ""

    def select_all_providers(self) -> None:
        """Select every provider (the "All providers" button)."""
        self.provider.value = tuple(self.provider.options)

    @contextmanager
    def hold(self) -> Iterator[FilterPanel]:
        """Group several control changes into one update at the end (of the outermost hold, also after an
        exception; only if a control changed).

        Yields
        ------
        FilterPanel
            The panel itself.
        """
        self._hold += 1
        try:
            yield self
        finally:
            self._hold -= 1
            if self._hold == 0 and self._pending:
                pending, self._pending = self._pending, set()
                self._update(refilter="filter" in pending)

    # ------------------------------------------------------------------ updates

    def _request(self, kind: str) -> None:
        if self._hold:
            self._pending.add(kind)
        else:
            self._update(refilter=kind == "filter")

    def refresh(self) -> None:
        """Recompute and redraw everything from the controls (``filtered``, ``report``, ``kpis``, the table,
        the open tab); a change of a control does this by itself."""
        self._update(refilter=True)

    def _guarded(self, work: Any) -> None:
        """Run ``work``; in a kernel show a failure in the summary line, not in the frontend's log."""
        try:
            work()
        except Exception as exc:
            if not in_kernel():
                raise
            self.summary.value = views.failure_html(exc)

    def _update(self, *, refilter: bool) -> None:
        self._guarded(lambda: self._do_update(refilter))

    def _do_update(self, refilter: bool) -> None:
        start = time.perf_counter()
        self.download.value = ""  # an offered file no longer matches what is shown
        new_day = self._dates is not None and self.as_of_date != self._frame_day
        if new_day:
            assert self._dates is not None
            self._set_frame(self._dates.day(self.as_of_date), self.as_of_date)
        if refilter or self._filter_key is None:
            filters = self.filters()
            key = tuple(sorted((k, str(v)) for k, v in filters.items()))
            if key != self._filter_key:
                self._filter_key = key
                if all(v is None for v in filters.values()):
                    self._rows = np.arange(len(self._work))
                    self._filtered_work = self._work
                    self._filtered_full = None
                else:
                    self._rows = np.flatnonzero(self._index.mask(**filters))
                    self._filtered_work = self._work.take(self._rows)
                    self._filtered_full = None
        as_of, edges, terms = self.as_of_date, self.edges, self.terms_days
        shown_key = (self._frame_version, self._filter_key, as_of, edges, self._terms_key())
        figures = self._figures.get(shown_key)
        if figures is None:  # settings seen lately (a date back and forth) are not computed again
            frame = self._filtered_work
            report = aging_report(frame, as_of, by=self._by, edges=edges, terms_days=terms, totals=True)
            figures = self._figures[shown_key] = (report, panel_kpis(frame, as_of, edges=edges, terms_days=terms))
            while len(self._figures) > CHART_CACHE_SIZE:
                self._figures.popitem(last=False)
        self._figures.move_to_end(shown_key)
        self.report, self.kpis = figures
        self.kpi_html.value = format_kpis_html(self.kpis) + self._terms_note_html(self._filtered_work)
        if self._table_shown != shown_key:  # an unchanged table is not sent again
            self._table_shown = shown_key
            table = format_report_table(self.report, max_rows=self._max_rows, fit=True)  # fits 1280x800
            show(self.table_output, {"text/html": table, "text/plain": format_report_text(self.report)})
        self._draw_visible_chart()
        self._draw_statement()
        self.last_update_ms = (time.perf_counter() - start) * 1000
        self.summary.value = views.summary_html(self)
        if new_day:  # the Statement list of the date, once the figures are shown (it seldom changes)
            self._customer_options()
            self._draw_statement()  # its customer is gone from the list on this date: no statement
        if self._prerender:  # what is shown is sent: now the other tabs' charts, so that opening one is quick
            views.prerender(self)


    # ------------------------------------------------------------------ the views, exports and display
    # (functions of the private modules, bound here as methods: the reference documents them with the class)

    _customer_list, _customer_options, _on_customer = views.customer_list, views.customer_options, views.on_customer
    show_statement, _draw_statement = views.show_statement, views.draw_statement
    chart_png, _chart_key, clear_cache = views.chart_png, views.chart_key, views.clear_cache
    _draw_visible_chart, draw_all_charts = views.draw_visible_chart, views.draw_all_charts
    changes_frames, _draw_changes = views.changes_frames, views.draw_changes
    _header_html, _terms_note_html, text_summary = views.header_html, views.terms_note_html, views.text_summary
    __repr__, _repr_html_, _repr_mimebundle_ = views.repr_text, views.repr_html, views.repr_mimebundle

    download_name, export_bytes, offer_download = exports.download_name, exports.export_bytes, exports.offer_download
    kpi_frame, _settings_frame = exports.kpi_frame, exports.settings_frame
    export_csv, export_excel = exports.export_csv, exports.export_excel
