"""An interactive invoice dashboard for Jupyter: :class:`FilterPanel` (:doc:`/guide/panel`).

The work is done by the plain functions of :mod:`invoice_analytics.display`,
:func:`~invoice_analytics.customer_statement` and :mod:`invoice_analytics.export`; the panel's
parts live in private modules, one job each (``_controls``, ``_downloads``, ``_statement_area``,
``_output``), and this module wires them. Outside a notebook it shows a text or HTML summary.

>>> df = pd.DataFrame({"provider": ["faspay", "mayar"], "customer_id": ["C1", "C2"],
...     "customer_name": ["PT Ani", "Budi"], "status": ["overdue", "unpaid"],
...     "issued_at": pd.to_datetime(["2024-01-01", "2024-02-10"]),
...     "due_at": pd.to_datetime(["2024-01-31", None]), "outstanding": [250_000, 100_000]})
>>> panel = FilterPanel(df, as_of="2024-02-15")
>>> len(panel.filtered), panel.kpis["open_amount"]
(2, 350000)
>>> panel.provider.value = ("mayar",)  # every view follows the control
>>> len(panel.filtered), panel.kpis["open_amount"], panel.report.index.tolist()
(1, 100000, [('Budi', 'C2', 'mayar'), ('Total', '', '')])
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import ipywidgets as W
import numpy as np
import pandas as pd

from invoice_analytics._dates import jakarta_date, jakarta_today
from invoice_analytics._text import printable
from invoice_analytics.analytics._rules import check_terms
from invoice_analytics.analytics.aging import aging_report
from invoice_analytics.analytics.collections import customer_statement
from invoice_analytics.analytics.customers import CUSTOMER
from invoice_analytics.analytics.trends import HistoryLike
from invoice_analytics.display import _changes_tab as changes_tab
from invoice_analytics.display import _downloads as downloads
from invoice_analytics.display._controls import FILTERS, build_buttons, build_controls, panel_layout
from invoice_analytics.display._controls import MAX_TERMS_DAYS as MAX_TERMS_DAYS
from invoice_analytics.display._dated import DayFrame, StoreDates
from invoice_analytics.display._downloads import CSV_TYPE as CSV_TYPE
from invoice_analytics.display._downloads import XLSX_TYPE as XLSX_TYPE
from invoice_analytics.display._forecast_tab import FORECAST_TAB, ForecastView
from invoice_analytics.display._output import in_kernel, show
from invoice_analytics.display._statement_area import (
    NO_CUSTOMER,
    NO_STATEMENT,
    CustomerList,
    no_statement_bundle,
    statement_bundle,
)
from invoice_analytics.display._tabs import CHARTS, render_chart
from invoice_analytics.display.kpis import BUCKET_SCHEMES, panel_kpis
from invoice_analytics.display.tables import format_kpis_html, format_report_table, format_report_text
from invoice_analytics.export import write_csv
from invoice_analytics.formatting import format_count as _n
from invoice_analytics.formatting import format_percent, format_rupiah
from invoice_analytics.schema import DEMO_SOURCE

__all__ = ["FilterPanel"]

#: Chart images kept per chart (by filters, as_of and scheme).
CHART_CACHE_SIZE = 16
#: The columns of the exported "Overdue invoices" sheet (the report's).
_OVERDUE_COLUMNS = ["provider", "invoice_id", "customer_name", "customer_id", "status", "issued_at", "due_at",
                    "outstanding", "days_past_due", "bucket"]
#: The largest file the export buttons offer as a browser download (bytes); a larger one is written with
#: :meth:`FilterPanel.export_excel` / :meth:`FilterPanel.export_csv` to a path instead.
DOWNLOAD_LIMIT = 25_000_000
#: The title of the tab showing a customer's statement, after the charts' tabs.
STATEMENT_TAB = "Statement"
#: The title of the tab showing what changed in a history store this month, after the statement's tab.
CHANGES_TAB = "Changes"

#: Columns the analytics read; only these are copied on each update.
_WORK_COLUMNS = ("provider", "customer_id", "customer_name", "status", "issued_at", "due_at", "outstanding")


class FilterPanel:
    """Filter controls, KPIs, aging report table, charts and a customer's statement over an invoice frame.

    Drive it from code by setting the controls' ``.value`` (``provider``,
    ``status``, ``customer``, ``issued_from``, ``issued_to``, ``as_of``,
    ``scheme``, ``terms[provider]``, ``statement_customer``) and clicking
    its buttons (``reset_button.click()``...); group several changes in
    ``with panel.hold():`` to update once. Read ``filtered``, ``report``,
    ``kpis`` and ``statement``; export with :meth:`export_csv` /
    :meth:`export_excel` (to a path) or the Export buttons (a download in
    the browser, :meth:`offer_download`).

    The status filter is the *provider's* status (labelled "Provider
    status": a provider's own "overdue" flag is one of its values); "Past
    due" (the KPI card and the "Top past due" tab) is computed: open and at
    least one day after the due date, or after the issue date plus the
    terms where there is no due date. The header reads "DEMO DATA" when the
    frame is the embedded sample data (``df.attrs["source"] == "demo"``).

    Only the chart of the open tab is drawn on a change; the others are drawn
    when their tab is opened (or by :meth:`draw_all_charts`). Chart images
    are cached by the settings they depend on (the paid ratio ignores
    ``as_of`` and the scheme), so going back to earlier settings is instant.

    In a notebook the panel displays itself as the widget; elsewhere its
    repr is :meth:`text_summary` (and its HTML repr a static snapshot). In a
    kernel a failed update is shown in the summary line instead of raised.
    The input frame is never modified.

    Parameters
    ----------
    df : pandas.DataFrame
        Invoices in the core schema (one provider's or ``combine``-d). Needs
        ``provider``, ``customer_id``, ``customer_name``, ``status``,
        ``issued_at``, ``due_at`` and ``outstanding``.
    as_of : date-like or None, default None
        The initial aging date (a str, date, datetime or Timestamp; naive =
        Asia/Jakarta); None is today in Asia/Jakarta.
    scheme : str, default "30/60/90"
        The initial bucket scheme, a key of
        :data:`~invoice_analytics.display.kpis.BUCKET_SCHEMES` ("30/60/90",
        "30/60/90/120" or "15/30/45/60").
    terms_days : int, mapping of str to int, or None, default None
        The initial payment terms of invoices without a due date (every
        Mayar invoice): whole days for every provider, or a mapping by
        provider like ``{"mayar": 14}`` (providers not named get 0). One box
        per provider shows them. None: the terms of the settings
        (``invoice-analytics.toml``, the environment, the user file; see
        :mod:`invoice_analytics.settings`), else 0.
    by : str, default "customer"
        The report's row key: the virtual "customer" (provider and customer
        id, shown with the name: the key of the "Top past due" chart and of
        the Statement list, see :func:`~invoice_analytics.customer_key`), or
        a column (e.g. "customer_name" to group by the name alone).
    max_rows : int, default 25
        Report rows shown in the table, before its "Total" row (the exports
        hold them all).
    dpi : int, default 96
        Chart resolution.

    Attributes
    ----------
    provider, status : ipywidgets.SelectMultiple
        The providers and the provider's statuses kept (all selected at
        first; a missing value is offered as "(missing)").
    customer : ipywidgets.Text
        Part of a customer's name or id, case-insensitive (applied on Enter
        or when the box loses focus, as its placeholder says).
    issued_from, issued_to : ipywidgets.DatePicker
        Inclusive bounds of the issue date (empty: no bound).
    as_of : ipywidgets.DatePicker
        The aging date (empty: today in Asia/Jakarta).
    scheme : ipywidgets.Dropdown
        The bucket scheme.
    terms : dict of str to ipywidgets.BoundedIntText
        Provider -> its payment terms in days (0 to :data:`MAX_TERMS_DAYS`),
        for invoices without a due date; read together as :attr:`terms_days`.
    statement_customer : ipywidgets.Dropdown
        The customer whose statement the "Statement" tab shows:
        ``(provider, customer_id)``, labelled with the name, or ``()`` (the
        first option, "(choose a customer)") for none.
    reset_button, all_providers_button, excel_button, csv_button : ipywidgets.Button
        :meth:`reset`, :meth:`select_all_providers`, and
        :meth:`offer_download` of the workbook or the report's CSV.
    download : ipywidgets.HTML
        The link saving the last export (empty once a control changes).
    header : ipywidgets.HTML
        The title line ("DEMO DATA" for sample data).
    widget : ipywidgets.VBox
        The whole panel: header, controls, buttons, summary line, KPI cards,
        report table and the chart and statement tabs.
    filtered : pandas.DataFrame
        The invoices passing the filters (every column, index labels kept).
    report : pandas.DataFrame
        The aging report of the filtered invoices
        (:func:`~invoice_analytics.aging_report` by ``by``, every row).
    kpis : dict
        The KPIs of the filtered invoices (:func:`~invoice_analytics.panel_kpis`).
    statement : pandas.DataFrame or None
        The chosen customer's :func:`~invoice_analytics.customer_statement`
        (of every invoice of theirs, whatever the filters), None when no
        customer is chosen.
    last_update_ms : float
        How long the last update took, in milliseconds.

    Raises
    ------
    ValueError
        When ``scheme`` is not a key of ``BUCKET_SCHEMES``, ``as_of`` is not
        a date, or ``terms_days`` are not whole days from 0 to
        :data:`MAX_TERMS_DAYS` (or a mapping of them by provider).
    KeyError
        When ``df`` lacks one of the core columns above, or (outside a
        kernel) ``by`` is neither "customer" nor a column of ``df``.

    See Also
    --------
    filter_invoices, panel_kpis, aging_report, format_report_table : The
        functions doing the work, one call each.

    Examples
    --------
    >>> df = pd.DataFrame({"provider": ["faspay", "mayar", "mayar"], "customer_id": ["C1", "C2", "C3"],
    ...                    "customer_name": ["Ani", "Budi", "Budiman"], "status": ["unpaid", "overdue", "paid"],
    ...                    "issued_at": pd.to_datetime(["2024-01-01", "2023-12-05", "2023-09-20"]),
    ...                    "due_at": pd.to_datetime(["2024-02-15", "2024-01-10", "2023-10-01"]),
    ...                    "outstanding": [100_000, 250_000, 0]})
    >>> panel = FilterPanel(df, as_of="2024-02-15")
    >>> panel.kpis["open_amount"], panel.kpis["overdue_amount"]
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
    ) -> None:
        if scheme not in BUCKET_SCHEMES:
            raise ValueError(f"scheme must be one of {list(BUCKET_SCHEMES)}, not {scheme!r}")
        if terms_days is None:  # the settings' terms (invoice-analytics.toml...), when any were set
            from invoice_analytics.settings import load_settings

            settings = load_settings()
            set_terms = any(settings.origin[f"terms.{p}"] != "default" for p in settings.terms)
            terms_days = dict(settings.terms) if set_terms else 0
        terms = check_terms(terms_days)
        if isinstance(terms, str):
            raise ValueError(f"the panel's terms are whole days or a mapping of them by provider, not a column "
                             f"name ({terms!r})")
        if (max(terms.values(), default=0) if isinstance(terms, Mapping) else terms) > MAX_TERMS_DAYS:
            raise ValueError(f"terms_days must be at most {MAX_TERMS_DAYS} days, not {terms_days!r}")
        self._store: HistoryLike | None = None
        self._dates: StoreDates | None = None
        dates: tuple[dt.date, dt.date] | None = None
        self._by = by
        columns = tuple(dict.fromkeys((*_WORK_COLUMNS, by)))
        if not isinstance(df, pd.DataFrame):  # a history store: each date shows what was known then
            self._store = df
            dates = _store_dates(df)
            as_of = dates[1] if as_of is None else as_of
            self._dates = StoreDates(df, columns)
            first = df.as_of(jakarta_date(as_of))
            self._dates.read_timeline(first)  # a store of moderate history: every date from one read
            day = self._dates.keep(jakarta_date(as_of), first)
        else:
            day = DayFrame.of(df, columns)
        self._max_rows = max_rows
        self._dpi = dpi
        self._frame_version = 0
        self._set_frame(day, jakarta_date(as_of))
        self._hold = 0
        self._pending: set[str] = set()
        self._chart_cache: dict[str, OrderedDict[tuple[object, ...], bytes]] = {t: OrderedDict() for t in CHARTS}
        self._chart_shown: dict[str, tuple[object, ...]] = {}
        self._statement_key: tuple[object, ...] | None = None
        self._figures: OrderedDict[tuple[object, ...], tuple[pd.DataFrame, dict[str, Any]]] = OrderedDict()
        self._table_shown: tuple[object, ...] | None = None
        self.report: pd.DataFrame = pd.DataFrame()
        self.kpis: dict[str, Any] = {}
        self.statement: pd.DataFrame | None = None
        self.last_update_ms: float = 0.0

        controls = build_controls(self._index, as_of=jakarta_date(as_of), dates=dates, scheme=scheme, terms=terms)
        self.provider, self.status, self.customer = controls.provider, controls.status, controls.customer
        self.issued_from, self.issued_to = controls.issued_from, controls.issued_to
        self.as_of, self.scheme, self.terms = controls.as_of, controls.scheme, controls.terms
        self._defaults: dict[str, Any] = {
            name: getattr(self, name).value for name in (*FILTERS, "as_of", "scheme")
        }
        self._default_terms = {p: w.value for p, w in self.terms.items()}

        self.header = W.HTML(self._header_html()).add_class("ia-header")
        buttons = build_buttons(NO_CUSTOMER)
        self.reset_button, self.all_providers_button = buttons.reset, buttons.all_providers
        self.excel_button, self.csv_button, self.download = buttons.excel, buttons.csv, buttons.download
        self.statement_customer, self.statement_search = buttons.statement_customer, buttons.statement_search
        self._customer_options()

        self.summary = W.HTML().add_class("ia-summary")
        self.kpi_html = W.HTML().add_class("ia-kpis-widget")
        self.table_output = W.Output().add_class("ia-table")
        self.chart_outputs = {title: W.Output().add_class("ia-chart") for title in CHARTS}
        self.changes_output = W.Output().add_class("ia-changes")
        self.statement_output = W.Output().add_class("ia-statement")
        # over a store, a last tab: the cash-in forecast at the as-of date
        self.forecast_view = ForecastView(self._store) if self._store is not None else None
        extra = [] if self.forecast_view is None else [self.forecast_view.output]
        self.chart_tabs = W.Tab(
            children=[*self.chart_outputs.values(), self.statement_output, self.changes_output, *extra],
            titles=[*CHARTS, STATEMENT_TAB, CHANGES_TAB, *([FORECAST_TAB] if extra else [])],
        )
        self.chart_tabs.add_class("ia-charts")
        show(self.statement_output, NO_STATEMENT)
        self.widget = panel_layout(controls, buttons, header=self.header, summary=self.summary,
                                   kpis=self.kpi_html, table=self.table_output, tabs=self.chart_tabs)

        for name in FILTERS:
            getattr(self, name).observe(self._on_filter, names="value")
        self.as_of.observe(self._on_setting, names="value")
        self.scheme.observe(self._on_setting, names="value")
        for box in self.terms.values():
            box.observe(self._on_setting, names="value")
        self.statement_customer.observe(self._on_customer, names="value")
        self.statement_search.observe(lambda _: self._guarded(self._customer_options), names="value")
        self.chart_tabs.observe(self._on_tab, names="selected_index")
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
        """The invoices that pass the filters: every column of the input, its index labels.

        Returns
        -------
        pandas.DataFrame
            The matching rows of the input frame, in its order (the input
            itself when nothing is filtered).
        """
        if self._filtered_full is None:
            whole = len(self._rows) == len(self._work)
            self._filtered_full = self._df if whole else self._df.take(self._rows)
        return self._filtered_full

    @property
    def edges(self) -> tuple[int, ...]:
        """The aging edges of the chosen bucket scheme.

        Returns
        -------
        tuple of int
            E.g. ``(30, 60, 90)`` for "30/60/90".
        """
        return BUCKET_SCHEMES[self.scheme.value]

    @property
    def as_of_date(self) -> dt.date:
        """The aging date (today in Asia/Jakarta when the picker is cleared).

        Returns
        -------
        datetime.date
            The ``as_of`` picker's date, or today in Asia/Jakarta.
        """
        return self.as_of.value or jakarta_today()

    def filters(self) -> dict[str, Any]:
        """The current filters, as keyword arguments of :func:`~invoice_analytics.filter_invoices`.

        A selection of every option, an empty customer text or an empty date
        is None (no filter).

        Returns
        -------
        dict
            Keys ``providers``, ``statuses`` (tuples of the kept values, or
            None), ``customer`` (str or None), ``issued_from`` and
            ``issued_to`` (``datetime.date`` or None).

        Examples
        --------
        >>> from invoice_analytics.schema import empty_frame
        >>> panel = FilterPanel(empty_frame(), as_of="2024-02-15")
        >>> panel.customer.value = "  budi "
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
        """The payment terms of the terms boxes, as the analytics take them.

        Invoices without a due date (every Mayar invoice) are due this many
        days after issue.

        Returns
        -------
        int or dict of str to int
            One number of days when every provider's box says the same,
            else provider -> days.

        Examples
        --------
        >>> from invoice_analytics.schema import empty_frame
        >>> panel = FilterPanel(empty_frame(), as_of="2024-02-15", terms_days={"mayar": 14})
        >>> panel.terms_days  # a box per provider: faspay's says 0
        {'faspay': 0, 'mayar': 14}
        >>> panel.terms["mayar"].value = 0
        >>> panel.terms_days
        0
        """
        days = {p: int(box.value) for p, box in self.terms.items()}
        if len(set(days.values())) <= 1:
            return next(iter(days.values()), 0)
        return days

    def _terms_key(self) -> object:
        terms = self.terms_days
        return tuple(sorted(terms.items())) if isinstance(terms, dict) else terms

    def _terms_text(self) -> str:
        terms = self.terms_days
        if isinstance(terms, dict):
            return ", ".join(f"{p} {d}" for p, d in terms.items()) + " days"
        return "0 days (due on issue)" if terms == 0 else f"{terms} days"

    @property
    def is_demo(self) -> bool:
        """True when the frame shown is the embedded sample data (``attrs["source"] == "demo"``).

        Returns
        -------
        bool
            Whether the header reads "DEMO DATA".
        """
        return bool(self._work.attrs.get("source") == DEMO_SOURCE)

    def _terms_note_html(self, frame: pd.DataFrame) -> str:
        """The note on a provider without due dates aged with terms 0, when one is shown (else "")."""
        from invoice_analytics.settings import terms_notes

        shown = frame["provider"].dropna().unique() if "provider" in frame else []
        notes = terms_notes(self.terms_days, sorted(str(p) for p in shown))
        return "".join(f'<div class="ia-terms-note" style="color:#8a5a00;margin:.3em 0">Note: {html.escape(n)}</div>'
                       for n in notes)

    def _header_html(self) -> str:
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

    # ------------------------------------------------------------------ buttons

    def reset(self) -> None:
        """Every control back to its first value (the Reset button), in one update.

        Providers and statuses all selected, no customer text, no issue
        dates, the first ``as_of``, scheme and terms, no statement, the
        first tab.

        Examples
        --------
        >>> from invoice_analytics.schema import empty_frame
        >>> panel = FilterPanel(empty_frame(), as_of="2024-02-15")
        >>> panel.customer.value, panel.scheme.value = "ani", "15/30/45/60"
        >>> panel.reset()
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

    def download_name(self, kind: str) -> str:
        """The file name a download of ``kind`` gets: ``aging_<as_of>.xlsx`` or ``aging_report_<as_of>.csv``.

        Sample data are named ``DEMO_...``, so a demo file is never taken
        for a real one.

        Parameters
        ----------
        kind : {"excel", "csv"}
            The export.

        Returns
        -------
        str
            The file name.

        Raises
        ------
        ValueError
            When ``kind`` is neither "excel" nor "csv".
        """
        return downloads.download_name(kind, self.as_of_date, demo=self.is_demo)

    def export_bytes(self, kind: str) -> bytes:
        """The Excel workbook (:meth:`export_excel`) or the report's CSV (:meth:`export_csv`) as bytes.

        Written by :mod:`invoice_analytics.export` to a temporary directory
        (removed afterwards) and read back.

        Parameters
        ----------
        kind : {"excel", "csv"}
            The export.

        Returns
        -------
        bytes
            The file's content.

        Raises
        ------
        ValueError
            When ``kind`` is neither "excel" nor "csv".
        ImportError
            For "excel", when openpyxl is not installed.

        Examples
        --------
        >>> from invoice_analytics.schema import empty_frame
        >>> FilterPanel(empty_frame(), as_of="2024-02-15").export_bytes("csv")
        b'customer_name,customer_id,provider,Current,1-30,31-60,61-90,>90,Credit,Total\\r\\n'
        """
        name = self.download_name(kind)
        write: Callable[[Path], Path] = self.export_excel if kind == "excel" else self.export_csv
        return downloads.export_to_bytes(name, write)

    def offer_download(self, kind: str) -> bytes | None:
        """Make an export and offer it as a link the browser saves (the Export Excel / Export CSV buttons).

        The link (``<a download=... href="data:...">`` in :attr:`download`)
        appears next to the buttons; clicking it saves the file. It is
        removed when any control changes, so a saved file always matches
        the figures shown. A file over :data:`DOWNLOAD_LIMIT` bytes, or a
        workbook without openpyxl, is not offered: the message says what to
        do instead.

        Parameters
        ----------
        kind : {"excel", "csv"}
            The export.

        Returns
        -------
        bytes or None
            The file offered, or None when it was not.

        Raises
        ------
        ValueError
            When ``kind`` is neither "excel" nor "csv".

        Examples
        --------
        >>> from invoice_analytics.schema import empty_frame
        >>> panel = FilterPanel(empty_frame(), as_of="2024-02-15")
        >>> data = panel.offer_download("csv")
        >>> 'download="aging_report_2024-02-15.csv"' in panel.download.value
        True
        """
        name = self.download_name(kind)
        self.download.value = downloads.pending_html(name)
        try:
            data = self.export_bytes(kind)
        except (ImportError, OSError) as exc:
            self.download.value = downloads.error_html(str(exc))
            return None
        if len(data) > DOWNLOAD_LIMIT:
            self.download.value = downloads.too_large_html(name, len(data), kind)
            return None
        self.download.value = downloads.link_html(name, kind, data)
        return data

    # ------------------------------------------------------------------ statement

    def _customer_list(self) -> CustomerList:
        """The customers of the frame shown (made once per frame)."""
        customers = self._day.derived.get("customers")
        if not isinstance(customers, CustomerList):
            customers = self._day.derived["customers"] = CustomerList(self._work)
        return customers

    def _customer_options(self, keep: tuple[str, ...] = ()) -> None:
        """Offer the customers of the frame matching the Statement search, keyed by (provider, customer id),
        labelled by name: at most :data:`~invoice_analytics.display._statement_area.LIST_LIMIT`, plus the
        one chosen (or ``keep``).

        The customers and names of the report table and the charts
        (:func:`~invoice_analytics.customer_key`: a customer's latest name);
        customers without an id have no statement.
        """
        customers = self._customer_list()
        chosen = self.statement_customer.value
        chosen = chosen if chosen in customers else ()
        options = customers.options(self.statement_search.value, keep=keep or chosen)
        if chosen not in {value for _, value in options}:
            chosen = ()
        self.statement_search.tooltip = (f"Part of a customer's name or id (any case), among {_n(len(customers))} "
                                         "customers: the list next to it offers the first 100 that match")
        if list(self.statement_customer.options) == options and self.statement_customer.value == chosen:
            return
        self._syncing_customers = True
        try:
            self.statement_customer.options = options
            self.statement_customer.value = chosen
        finally:
            self._syncing_customers = False

    def _on_customer(self, change: dict[str, Any]) -> None:
        if getattr(self, "_syncing_customers", False):
            return
        self.download.value = ""  # the workbook holds the statement: an offered one is out of date
        if change["new"]:
            self.chart_tabs.selected_index = len(CHARTS)  # open the statement tab
        self._guarded(self._draw_statement)

    def show_statement(self, provider: str, customer_id: str) -> pd.DataFrame | None:
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
            :attr:`statement` (None when the customer has no invoice in the
            frame known on the ``as_of`` date).

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

    def _draw_statement(self) -> None:
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

    @contextmanager
    def hold(self) -> Iterator[FilterPanel]:
        """Group several control changes into one update at the end.

        Holds nest: the update runs when the outermost one ends (also after
        an exception), and only if a control changed.

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

    def _on_filter(self, change: dict[str, Any]) -> None:
        self._request("filter")

    def _on_setting(self, change: dict[str, Any]) -> None:
        self._request("setting")

    def _request(self, kind: str) -> None:
        if self._hold:
            self._pending.add(kind)
        else:
            self._update(refilter=kind == "filter")

    def _on_tab(self, change: dict[str, Any]) -> None:
        self._guarded(self._draw_visible_chart)

    def refresh(self) -> None:
        """Recompute and redraw everything from the current control values.

        Updates ``filtered``, ``report``, ``kpis``, the table and the open
        tab's chart; controls do this by themselves when they change.
        """
        self._update(refilter=True)

    def _guarded(self, work: Any) -> None:
        """Run ``work``; in a kernel show a failure in the summary line instead
        of losing it in the frontend's log."""
        try:
            work()
        except Exception as exc:
            if not in_kernel():
                raise
            self.summary.value = (
                '<span style="color:#c62828">Update failed: '
                f"{html.escape(type(exc).__name__)}: {html.escape(str(exc))}</span>"
            )

    def _update(self, *, refilter: bool) -> None:
        self._guarded(lambda: self._do_update(refilter))

    def _do_update(self, refilter: bool) -> None:
        start = time.perf_counter()
        self.download.value = ""  # an offered file no longer matches what is shown
        if self._dates is not None and self.as_of_date != self._frame_day:
            self._set_frame(self._dates.day(self.as_of_date), self.as_of_date)
            self._customer_options()
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
            kpis = panel_kpis(frame, as_of, edges=edges, terms_days=terms)
            figures = self._figures[shown_key] = (report, kpis)
            while len(self._figures) > CHART_CACHE_SIZE:
                self._figures.popitem(last=False)
        self._figures.move_to_end(shown_key)
        self.report, self.kpis = figures
        self.kpi_html.value = format_kpis_html(self.kpis) + self._terms_note_html(self._filtered_work)
        if self._table_shown != shown_key:  # an unchanged table is not sent again
            self._table_shown = shown_key
            show(
                self.table_output,
                {"text/html": format_report_table(self.report, max_rows=self._max_rows),
                 "text/plain": format_report_text(self.report)},
            )
        self._draw_visible_chart()
        self._draw_statement()
        self.last_update_ms = (time.perf_counter() - start) * 1000
        self.summary.value = (
            f'<span style="opacity:.8">Showing <b>{_n(len(self._rows))}</b> of {_n(len(self._work))} invoices'
            f" · as of {as_of:%Y-%m-%d} · buckets {html.escape(self.scheme.value)}"
            f" · terms {html.escape(self._terms_text())}"
            f' · <span title="time the last update took">{self.last_update_ms:,.0f} ms</span></span>'
        )

    def _chart_key(self, title: str) -> tuple[object, ...]:
        spec = CHARTS[title]
        return (
            self._frame_version,
            self._filter_key,
            self.as_of_date if spec.uses_as_of else None,
            self.edges if spec.uses_edges else None,
            self._terms_key() if spec.uses_terms else None,
        )

    def chart_png(self, title: str) -> bytes:
        """The PNG of chart ``title`` (a tab title) for the current settings, shown in its tab.

        The last :data:`CHART_CACHE_SIZE` images of each chart are kept, so
        going back to earlier settings redraws nothing.

        Parameters
        ----------
        title : str
            A tab title: "Aging", "Top overdue", "Open by month" or
            "Paid ratio".

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
        >>> from invoice_analytics.schema import empty_frame
        >>> FilterPanel(empty_frame()).chart_png("Paid ratio")[:4]
        b'\\x89PNG'
        """
        key = self._chart_key(title)
        cache = self._chart_cache[title]
        png = cache.get(key)
        if png is None:
            png = render_chart(self._filtered_work, title, as_of=self.as_of_date, edges=self.edges,
                               terms_days=self.terms_days, dpi=self._dpi)
            cache[key] = png
            while len(cache) > CHART_CACHE_SIZE:
                cache.popitem(last=False)
        cache.move_to_end(key)
        if self._chart_shown.get(title) != key:
            self._chart_shown[title] = key
            show(self.chart_outputs[title], {
                "image/png": base64.b64encode(png).decode("ascii"),
                "text/plain": f"<{title} chart>",
            })
        return png

    def clear_cache(self) -> None:
        """Forget the cached chart images and figures (the next update computes and redraws)."""
        for cache in self._chart_cache.values():
            cache.clear()
        self._figures.clear()
        self._table_shown = None

    def _draw_visible_chart(self) -> None:
        index = self.chart_tabs.selected_index
        if index is not None and index < len(CHARTS):  # after the charts: the statement, drawn by itself
            self.chart_png(list(CHARTS)[index])
        elif index == len(CHARTS) + 1:
            self._draw_changes()
        elif index == len(CHARTS) + 2 and self.forecast_view is not None:  # then the forecast
            self.forecast_view.draw(self.as_of_date)

    def changes_frames(self) -> tuple[pd.DataFrame, pd.DataFrame] | None:
        """What changed in the store from the previous month end (or its first refresh) to the as-of date.

        :func:`~invoice_analytics.changes_summary` and the detail of
        :func:`~invoice_analytics.changes`, for the providers shown; None
        when the panel is not over a history store.
        """
        if self._store is None:
            return None
        shown = self.filtered["provider"].dropna().astype(str).unique() if len(self.filtered) else []
        return changes_tab.month_changes(self._store, self.as_of_date, shown)

    def _draw_changes(self) -> None:
        frames = self.changes_frames()
        if frames is None:
            text = changes_tab.NO_STORE
            show(self.changes_output, {"text/html": f"<p>{html.escape(text)}</p>", "text/plain": text})
            return
        body, text = changes_tab.changes_html(*frames)
        show(self.changes_output, {"text/html": body, "text/plain": text})

    def draw_all_charts(self) -> dict[str, bytes]:
        """Draw every chart now (not only the open tab's); title -> PNG bytes.

        Returns
        -------
        dict of str to bytes
            Tab title -> PNG image, for every tab.
        """
        return {title: self.chart_png(title) for title in CHARTS}

    # ------------------------------------------------------------------ exports

    def _settings_frame(self) -> pd.DataFrame:
        f = self.filters()
        rows = [
            ("providers", ", ".join(map(str, f["providers"])) if f["providers"] is not None else "all"),
            ("statuses", ", ".join(map(str, f["statuses"])) if f["statuses"] is not None else "all"),
            ("customer contains", f["customer"] or ""),
            ("issued from", str(f["issued_from"] or "")),
            ("issued to", str(f["issued_to"] or "")),
            ("as of", str(self.as_of_date)),
            ("buckets", self.scheme.value),
            ("invoices shown", f"{len(self._rows)} of {len(self._work)}"),
            ("terms where no due date", self._terms_text()),
            ("statement of", self._statement_label()),
            ("source", "DEMO DATA (made-up sample invoices)" if self.is_demo
             else str(self._work.attrs.get("source") or "not recorded")),
        ]
        return pd.DataFrame(rows, columns=["setting", "value"])

    def _statement_label(self) -> str:
        chosen = self.statement_customer.value
        if not chosen:
            return ""
        return f"{self._customer_list().name(chosen)} ({chosen[0]} {chosen[1]})"

    def kpi_frame(self) -> pd.DataFrame:
        """The KPIs as a table: ``kpi``, ``invoice_count``, ``amount`` (rupiah), ``ratio``.

        Returns
        -------
        pandas.DataFrame
            Eight rows (Open, Past due, Past due in the last bucket, Credit,
            Net balance, Paid ratio, Counted invoices, Invoices shown);
            ``kpi`` text, ``invoice_count`` and ``amount`` ``Int64``,
            ``ratio`` ``Float64``, missing where a figure does not apply.
        """
        k = self.kpis
        rows = [
            ("Open", k["open_count"], k["open_amount"], None),
            ("Past due (open, >= 1 day after due)", k["overdue_count"], k["overdue_amount"], None),
            (f"Past due {k['oldest_label']} days", None, k["oldest_amount"], None),
            ("Credit", k["credit_count"], k["credit_amount"], None),
            ("Net balance", None, k["net_balance"], None),
            ("Paid ratio (paid of counted)", k["paid_count"], None, k["paid_ratio"]),
            ("Counted invoices", k["counted_count"], None, None),
            ("Invoices shown", k["invoices"], None, None),
        ]
        kpi, count, amount, ratio = zip(*rows, strict=True)
        return pd.DataFrame({
            "kpi": list(kpi),
            "invoice_count": pd.array(list(count), dtype="Int64"),
            "amount": pd.array(list(amount), dtype="Int64"),
            "ratio": pd.array(list(ratio), dtype="Float64"),
        })

    def export_csv(self, path: str | Path, *, what: str = "report") -> Path:
        """Write the aging report shown or the filtered invoices to CSV.

        The aging report shown (``what="report"``, every row, rupiah as
        integers) or the filtered invoices (``what="invoices"``), written
        with :func:`~invoice_analytics.write_csv`.

        Parameters
        ----------
        path : str or pathlib.Path
            The file to write (its directory is created when missing).
        what : {"report", "invoices"}, default "report"
            Which table to write.

        Returns
        -------
        pathlib.Path
            ``path``.

        Raises
        ------
        ValueError
            When ``what`` is neither "report" nor "invoices".

        Examples
        --------
        >>> import tempfile
        >>> df = pd.DataFrame({"provider": ["mayar"], "customer_id": ["C1"], "customer_name": ["Ani"],
        ...                    "status": ["unpaid"], "issued_at": pd.to_datetime(["2024-01-01"]),
        ...                    "due_at": pd.to_datetime(["2024-01-31"]), "outstanding": [100_000]})
        >>> panel = FilterPanel(df, as_of="2024-02-15")
        >>> print(panel.export_csv(Path(tempfile.mkdtemp()) / "report.csv").read_text(), end="")
        customer_name,customer_id,provider,Current,1-30,31-60,61-90,>90,Credit,Total
        Ani,C1,mayar,0,100000,0,0,0,0,100000
        Total,,,0,100000,0,0,0,0,100000
        """
        if what not in ("report", "invoices"):
            raise ValueError(f"what must be 'report' or 'invoices', not {what!r}")
        if what == "report":
            return write_csv(frame=self.report, path=path)
        return write_csv(frame=self.filtered, path=path)

    def export_excel(self, path: str | Path) -> Path:
        """Write what is shown as the finance-ready workbook (the report's and the pack's writer).

        Sheets "Aging report" (every row shown), "Overdue invoices" (the
        filtered invoices at least a day past due, oldest first: the detail
        behind the report), "KPIs", "Filters" and, when one is chosen,
        "Statement". Each starts with its title block (as-of date, source,
        terms, buckets, the note on a provider aged with terms 0), has human
        headers, rupiah as numbers with a rupiah format, dates without times,
        and is set up to print (A4 landscape, the header row repeated). Written
        with :func:`~invoice_analytics.workbook.write_sheets` (XlsxWriter:
        ``pip install 'invoice-analytics[excel]'``); every filtered invoice is
        in :meth:`export_csv` with ``what="invoices"``.

        Parameters
        ----------
        path : str or pathlib.Path
            The ``.xlsx`` file to write (its directory is created when
            missing).

        Returns
        -------
        pathlib.Path
            ``path``.

        Raises
        ------
        ImportError
            When XlsxWriter is not installed.

        Examples
        --------
        >>> import tempfile
        >>> import openpyxl
        >>> from invoice_analytics.schema import empty_frame
        >>> panel = FilterPanel(empty_frame(), as_of="2024-02-15")
        >>> path = panel.export_excel(Path(tempfile.mkdtemp()) / "panel.xlsx")
        >>> book = openpyxl.load_workbook(path)
        >>> book.sheetnames, book["Filters"]["A2"].value
        (['Aging report', 'Overdue invoices', 'KPIs', 'Filters'], 'As of: 2024-02-15 (Asia/Jakarta)')
        """
        from invoice_analytics.analytics.aging import overdue_invoices
        from invoice_analytics.schema import JAKARTA
        from invoice_analytics.settings import terms_notes
        from invoice_analytics.workbook import write_sheets

        as_of, edges, terms = self.as_of_date, self.edges, self.terms_days
        overdue = overdue_invoices(self.filtered, as_of, edges=edges, terms_days=terms)
        overdue = overdue[[c for c in _OVERDUE_COLUMNS if c in overdue.columns]].copy()
        for name in ("issued_at", "due_at"):
            if name in overdue and isinstance(overdue[name].dtype, pd.DatetimeTZDtype):
                overdue[name] = overdue[name].dt.tz_convert(JAKARTA).dt.tz_localize(None).dt.normalize()
        sheets = {
            "Aging report": self.report,
            "Overdue invoices": overdue,
            "KPIs": self.kpi_frame(),
            "Filters": self._settings_frame(),
        }
        if self.statement is not None:
            sheets["Statement"] = self.statement
        source = ("DEMO DATA (made-up sample invoices)" if self.is_demo
                  else str(self._df.attrs.get("source") or "not recorded"))
        present = [str(p) for p in self.filtered["provider"].dropna().unique()] if "provider" in self.filtered else []
        lines = [f"As of: {as_of.isoformat()} (Asia/Jakarta)", f"Source: {source}",
                 f"Terms where no due date: {self._terms_text()}; buckets {self.scheme.value} days",
                 *(f"Note: {n}" for n in terms_notes(terms, sorted(present)))]
        return write_sheets(path, sheets, titles={name: [name, *lines] for name in sheets})

    # ------------------------------------------------------------------ display

    def text_summary(self) -> str:
        """What the panel shows, as plain text (the panel's repr).

        Returns
        -------
        str
            A header line (invoices shown, ``as_of``, scheme; "DEMO DATA"
            first for sample data), a KPI line, and the first rows of the
            report (see the class example).
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

    def __repr__(self) -> str:
        return "\n".join(printable(line) for line in self.text_summary().split("\n"))  # no provider escape

    def _repr_html_(self) -> str:
        """A static snapshot (where widgets cannot render)."""
        return (
            f'<div class="ia-filter-panel-static">{self.header.value}{self.summary.value}{self.kpi_html.value}'
            f"{format_report_table(self.report, max_rows=self._max_rows)}</div>"
        )

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        """The live widget in a notebook, with HTML and text fallbacks."""
        bundle = dict(self.widget._repr_mimebundle_() or {})
        bundle["text/plain"] = self.text_summary()
        bundle["text/html"] = self._repr_html_()
        return bundle


def _store_dates(store: HistoryLike) -> tuple[dt.date, dt.date]:
    """The first and last Jakarta dates a store's refreshes observed."""
    observed = pd.to_datetime(store.refreshes()["observed_at"])
    if len(observed) == 0:
        raise ValueError("the store has no refresh yet: refresh it before showing it in a panel")
    days = observed.dt.tz_convert("Asia/Jakarta").dt.date
    first: dt.date = days.min()
    last: dt.date = days.max()
    return first, last
