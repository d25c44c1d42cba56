"""An interactive invoice dashboard for Jupyter: :class:`FilterPanel`.

Controls (provider, status, customer search, issue-date range, ``as_of`` and
bucket scheme) on top; under them the KPIs, the aging report table (rupiah,
thousands separated) and the charts, redrawn on every change. The work is
done by the plain functions of :mod:`invoice_analytics.display` (filtering,
KPIs, tables, charts) and :mod:`invoice_analytics.export`.

In a notebook the panel displays itself as a widget; elsewhere (a terminal,
a script, a static render) it shows a text or HTML summary.

>>> df = pd.DataFrame({"provider": ["faspay", "mayar"], "customer_id": ["C1", "C2"],
...     "customer_name": ["PT Ani", "Budi"], "status": ["overdue", "unpaid"],
...     "issued_at": pd.to_datetime(["2024-01-01", "2024-02-10"]),
...     "due_at": pd.to_datetime(["2024-01-31", None]), "outstanding": [250_000, 100_000]})
>>> panel = FilterPanel(df, as_of="2024-02-15")
>>> len(panel.filtered), panel.kpis["open_amount"]
(2, 350000)
>>> panel.provider.value = ("mayar",)  # every view follows the control
>>> len(panel.filtered), panel.kpis["open_amount"], panel.report.index.tolist()
(1, 100000, ['Budi', 'Total'])
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import time
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import ipywidgets as W
import numpy as np
import pandas as pd

from invoice_analytics._dates import jakarta_date, jakarta_today
from invoice_analytics.analytics.aging import aging_report
from invoice_analytics.display._tabs import CHARTS, render_chart
from invoice_analytics.display.filtering import MISSING_LABEL, FilterIndex
from invoice_analytics.display.formatting import format_count as _n
from invoice_analytics.display.formatting import format_percent, format_rupiah
from invoice_analytics.display.kpis import BUCKET_SCHEMES, panel_kpis
from invoice_analytics.display.tables import format_kpis_html, format_report_table, format_report_text
from invoice_analytics.export import write_csv, write_excel
from invoice_analytics.history._trends import HistoryLike

__all__ = ["FilterPanel"]

#: Chart images kept per chart (by filters, as_of and scheme).
CHART_CACHE_SIZE = 16

#: Columns the analytics read; only these are copied on each update.
_WORK_COLUMNS = ("provider", "customer_id", "customer_name", "status", "issued_at", "due_at", "outstanding")
_FILTERS = ("provider", "status", "customer", "issued_from", "issued_to")


def _in_kernel() -> bool:
    """True inside a running IPython kernel (where Output widgets capture)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipywidgets
        return False
    ip = get_ipython()
    return ip is not None and getattr(ip, "kernel", None) is not None


def _show(out: W.Output, bundle: dict[str, Any]) -> None:
    """Replace what ``out`` shows with one display bundle, without flicker.

    In a kernel: ``clear_output(wait=True)`` then display (the old content
    stays until the new one arrives). Elsewhere the outputs are set directly.
    """
    if _in_kernel():
        from IPython.display import clear_output, display

        with out:
            clear_output(wait=True)
            display(bundle, raw=True)
    else:
        out.outputs = ({"output_type": "display_data", "data": bundle, "metadata": {}},)


class FilterPanel:
    """Filter controls, KPIs, aging report table and charts over an invoice frame.

    ``df``: a frame in the core schema (one provider's or ``combine``-d).
    ``as_of``: the initial aging date (None = today in Asia/Jakarta).
    ``scheme``: the initial key of :data:`~invoice_analytics.display.kpis.BUCKET_SCHEMES`.
    ``by``: the report's row key. ``max_rows``: report rows shown (the
    exports hold them all). ``dpi``: chart resolution.

    Drive it from code by setting the controls' ``.value`` (``provider``,
    ``status``, ``customer``, ``issued_from``, ``issued_to``, ``as_of``,
    ``scheme``); group several changes in ``with panel.hold():`` to update
    once. Read ``filtered``, ``report`` and ``kpis``; export with
    :meth:`export_csv` / :meth:`export_excel`.

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
    by : str, default "customer_name"
        The column the report has one row per.
    max_rows : int, default 25
        Report rows shown in the table, before its "Total" row (the exports
        hold them all).
    dpi : int, default 96
        Chart resolution.

    Attributes
    ----------
    provider, status : ipywidgets.SelectMultiple
        The providers and statuses kept (all selected at first; a missing
        value is offered as "(missing)").
    customer : ipywidgets.Text
        Part of a customer's name or id, case-insensitive (applied on Enter).
    issued_from, issued_to : ipywidgets.DatePicker
        Inclusive bounds of the issue date (empty: no bound).
    as_of : ipywidgets.DatePicker
        The aging date (empty: today in Asia/Jakarta).
    scheme : ipywidgets.Dropdown
        The bucket scheme.
    widget : ipywidgets.VBox
        The whole panel: controls, summary line, KPI cards, report table and
        chart tabs.
    filtered : pandas.DataFrame
        The invoices passing the filters (every column, index labels kept).
    report : pandas.DataFrame
        The aging report of the filtered invoices
        (:func:`~invoice_analytics.aging_report` by ``by``, every row).
    kpis : dict
        The KPIs of the filtered invoices (:func:`~invoice_analytics.panel_kpis`).
    last_update_ms : float
        How long the last update took, in milliseconds.

    Raises
    ------
    ValueError
        When ``scheme`` is not a key of ``BUCKET_SCHEMES`` or ``as_of`` is
        not a date.
    KeyError
        When ``df`` lacks one of the core columns above, or (outside a
        kernel) ``by`` is not a column of ``df``.

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
    >>> panel.report["Total"].to_dict()
    {'Budi': 250000, 'Ani': 100000, 'Total': 350000}
    >>> with panel.hold():  # two changes, one update
    ...     panel.provider.value = ("mayar",)
    ...     panel.customer.value = "budi"
    >>> panel.filtered["customer_name"].tolist(), panel.kpis["open_amount"]
    (['Budi', 'Budiman'], 250000)
    >>> print(panel)
    FilterPanel: 2 of 3 invoices, as of 2024-02-15, buckets 30/60/90
    Open Rp 250.000 (1) · Overdue Rp 250.000 (1) · Credit Rp 0 (0) · Paid ratio 50,0 %
    <BLANKLINE>
    customer_name Current 1-30      31-60 61-90  >90 Credit      Total
             Budi    Rp 0 Rp 0 Rp 250.000  Rp 0 Rp 0   Rp 0 Rp 250.000
            Total    Rp 0 Rp 0 Rp 250.000  Rp 0 Rp 0   Rp 0 Rp 250.000
    """

    def __init__(
        self,
        df: pd.DataFrame | HistoryLike,
        *,
        as_of: object = None,
        scheme: str = "30/60/90",
        by: str = "customer_name",
        max_rows: int = 25,
        dpi: int = 96,
    ) -> None:
        if scheme not in BUCKET_SCHEMES:
            raise ValueError(f"scheme must be one of {list(BUCKET_SCHEMES)}, not {scheme!r}")
        self._store: HistoryLike | None = None
        dates: tuple[dt.date, dt.date] | None = None
        if not isinstance(df, pd.DataFrame):  # a history store: each date shows what was known then
            self._store = df
            dates = _store_dates(df)
            as_of = dates[1] if as_of is None else as_of
            df = df.as_of(jakarta_date(as_of))
        self._by = by
        self._max_rows = max_rows
        self._dpi = dpi
        self._frame_version = 0
        self._set_frame(df, jakarta_date(as_of))
        self._hold = 0
        self._pending: set[str] = set()
        self._chart_cache: dict[str, OrderedDict[tuple[object, ...], bytes]] = {t: OrderedDict() for t in CHARTS}
        self._chart_shown: dict[str, tuple[object, ...]] = {}
        self.report: pd.DataFrame = pd.DataFrame()
        self.kpis: dict[str, Any] = {}
        self.last_update_ms: float = 0.0

        status_options = list(self._index.statuses)
        if (self._index.status_codes < 0).any():
            status_options.append(MISSING_LABEL)
        provider_options = list(self._index.providers)
        if (self._index.provider_codes < 0).any():
            provider_options.append(MISSING_LABEL)
        wide = {"description_width": "6em"}
        self.provider = W.SelectMultiple(
            options=provider_options, value=tuple(provider_options), rows=max(2, len(provider_options)),
            description="Provider", style=wide, layout=W.Layout(width="15em"),
        )
        self.status = W.SelectMultiple(
            options=status_options, value=tuple(status_options), rows=min(8, max(2, len(status_options))),
            description="Status", style=wide, layout=W.Layout(width="17em"),
        )
        self.customer = W.Text(
            placeholder="name or id contains…", description="Customer", continuous_update=False,
            style=wide, layout=W.Layout(width="20em"),
        )
        self.issued_from = W.DatePicker(description="Issued from", style=wide, layout=W.Layout(width="20em"))
        self.issued_to = W.DatePicker(description="Issued to", style=wide, layout=W.Layout(width="20em"))
        self.as_of = W.DatePicker(
            value=jakarta_date(as_of), description="As of", style=wide,
            layout=W.Layout(width="18em"),
        )
        if dates is not None:  # the as-of control moves through the dates the store covers
            self.as_of.min, self.as_of.max = dates
        self.scheme = W.Dropdown(
            options=list(BUCKET_SCHEMES), value=scheme, description="Buckets", style=wide,
            layout=W.Layout(width="18em"),
        )
        for name in (*_FILTERS, "as_of", "scheme"):
            getattr(self, name).add_class(f"ia-{name.replace('_', '-')}")

        self.summary = W.HTML().add_class("ia-summary")
        self.kpi_html = W.HTML().add_class("ia-kpis-widget")
        self.table_output = W.Output().add_class("ia-table")
        self.chart_outputs = {title: W.Output().add_class("ia-chart") for title in CHARTS}
        self.chart_tabs = W.Tab(children=list(self.chart_outputs.values()), titles=list(CHARTS))
        self.chart_tabs.add_class("ia-charts")

        controls = W.HBox(
            [
                self.provider,
                self.status,
                W.VBox([self.customer, self.issued_from, self.issued_to]),
                W.VBox([self.as_of, self.scheme]),
            ],
            layout=W.Layout(flex_flow="row wrap", align_items="flex-start"),
        )
        self.widget = W.VBox(
            [controls, self.summary, self.kpi_html, self.table_output, self.chart_tabs]
        ).add_class("ia-filter-panel")

        for name in _FILTERS:
            getattr(self, name).observe(self._on_filter, names="value")
        self.as_of.observe(self._on_setting, names="value")
        self.scheme.observe(self._on_setting, names="value")
        self.chart_tabs.observe(self._on_tab, names="selected_index")
        self.refresh()

    # ------------------------------------------------------------------ state

    def _set_frame(self, df: pd.DataFrame, day: dt.date) -> None:
        """Show ``df`` (the frame known on ``day`` when the panel reads a store): index it, forget the filter."""
        missing = [c for c in _WORK_COLUMNS if c not in df.columns]
        if missing:
            raise KeyError(f"FilterPanel needs the core column(s) {missing}")
        self._df = df
        self._frame_day = day
        self._frame_version += 1
        self._index = FilterIndex.build(df)  # everything that does not depend on controls
        work = [c for c in dict.fromkeys((*_WORK_COLUMNS, self._by)) if c in df.columns]
        self._work = df[work]
        self._rows = np.arange(len(df))
        self._filtered_work = self._work
        self._filtered_full: pd.DataFrame | None = df
        self._filter_key: tuple[object, ...] | None = None  # refilter on the next update

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
            self._filtered_full = self._df.take(self._rows)
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
            if not _in_kernel():
                raise
            self.summary.value = (
                '<span style="color:#c62828">Update failed: '
                f"{html.escape(type(exc).__name__)}: {html.escape(str(exc))}</span>"
            )

    def _update(self, *, refilter: bool) -> None:
        self._guarded(lambda: self._do_update(refilter))

    def _do_update(self, refilter: bool) -> None:
        start = time.perf_counter()
        if self._store is not None and self.as_of_date != self._frame_day:
            self._set_frame(self._store.as_of(self.as_of_date), self.as_of_date)
        if refilter or self._filter_key is None:
            filters = self.filters()
            key = tuple(sorted((k, str(v)) for k, v in filters.items()))
            if key != self._filter_key:
                self._filter_key = key
                if all(v is None for v in filters.values()):
                    self._rows = np.arange(len(self._df))
                    self._filtered_work = self._work
                    self._filtered_full = self._df
                else:
                    self._rows = np.flatnonzero(self._index.mask(**filters))
                    self._filtered_work = self._work.take(self._rows)
                    self._filtered_full = None
        as_of, edges = self.as_of_date, self.edges
        frame = self._filtered_work
        self.report = aging_report(frame, as_of, by=self._by, edges=edges)
        self.kpis = panel_kpis(frame, as_of, edges=edges)
        self.kpi_html.value = format_kpis_html(self.kpis)
        _show(
            self.table_output,
            {"text/html": format_report_table(self.report, max_rows=self._max_rows),
             "text/plain": format_report_text(self.report)},
        )
        self._draw_visible_chart()
        self.last_update_ms = (time.perf_counter() - start) * 1000
        self.summary.value = (
            f'<span style="opacity:.8">Showing <b>{_n(len(self._rows))}</b> of {_n(len(self._df))} invoices'
            f" · as of {as_of:%Y-%m-%d} · buckets {html.escape(self.scheme.value)}"
            f" · updated in {self.last_update_ms:,.0f} ms</span>"
        )

    def _chart_key(self, title: str) -> tuple[object, ...]:
        spec = CHARTS[title]
        return (
            self._frame_version,
            self._filter_key,
            self.as_of_date if spec.uses_as_of else None,
            self.edges if spec.uses_edges else None,
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
                               dpi=self._dpi)
            cache[key] = png
            while len(cache) > CHART_CACHE_SIZE:
                cache.popitem(last=False)
        cache.move_to_end(key)
        if self._chart_shown.get(title) != key:
            self._chart_shown[title] = key
            _show(self.chart_outputs[title], {
                "image/png": base64.b64encode(png).decode("ascii"),
                "text/plain": f"<{title} chart>",
            })
        return png

    def clear_cache(self) -> None:
        """Forget the cached chart images (the next update redraws)."""
        for cache in self._chart_cache.values():
            cache.clear()

    def _draw_visible_chart(self) -> None:
        index = self.chart_tabs.selected_index
        if index is not None:
            self.chart_png(list(CHARTS)[index])

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
            ("invoices shown", f"{len(self._rows)} of {len(self._df)}"),
        ]
        return pd.DataFrame(rows, columns=["setting", "value"])

    def kpi_frame(self) -> pd.DataFrame:
        """The KPIs as a table: ``kpi``, ``invoice_count``, ``amount`` (rupiah), ``ratio``.

        Returns
        -------
        pandas.DataFrame
            Eight rows (Open, Overdue, Overdue in the last bucket, Credit,
            Net balance, Paid ratio, Counted invoices, Invoices shown);
            ``kpi`` text, ``invoice_count`` and ``amount`` ``Int64``,
            ``ratio`` ``Float64``, missing where a figure does not apply.
        """
        k = self.kpis
        rows = [
            ("Open", k["open_count"], k["open_amount"], None),
            ("Overdue", k["overdue_count"], k["overdue_amount"], None),
            (f"Overdue {k['oldest_label']} days", None, k["oldest_amount"], None),
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
        customer_name,Current,1-30,31-60,61-90,>90,Credit,Total
        Ani,0,100000,0,0,0,0,100000
        Total,0,100000,0,0,0,0,100000
        """
        if what not in ("report", "invoices"):
            raise ValueError(f"what must be 'report' or 'invoices', not {what!r}")
        if what == "report":
            return write_csv(path, self.report)
        return write_csv(path, self.filtered)

    def export_excel(self, path: str | Path) -> Path:
        """Write what is shown to one workbook.

        Sheets "Aging report" (every row), "KPIs", "Filters" and "Invoices"
        (the filtered rows). Rupiah stay numbers with a rupiah number format;
        datetimes are naive Asia/Jakarta time. Needs ``pip install
        'invoice-analytics[excel]'``. Written with
        :func:`~invoice_analytics.write_excel`.

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
            When openpyxl is not installed.

        Examples
        --------
        >>> import tempfile
        >>> import openpyxl
        >>> from invoice_analytics.schema import empty_frame
        >>> panel = FilterPanel(empty_frame(), as_of="2024-02-15")
        >>> path = panel.export_excel(Path(tempfile.mkdtemp()) / "panel.xlsx")
        >>> book = openpyxl.load_workbook(path)
        >>> book.sheetnames, book["Filters"]["B7"].value
        (['Aging report', 'KPIs', 'Filters', 'Invoices'], '2024-02-15')
        """
        return write_excel(
            path,
            {
                "Aging report": self.report,
                "KPIs": self.kpi_frame(),
                "Filters": self._settings_frame(),
                "Invoices": self.filtered,
            },
        )

    # ------------------------------------------------------------------ display

    def text_summary(self) -> str:
        """What the panel shows, as plain text (the panel's repr).

        Returns
        -------
        str
            A header line (invoices shown, ``as_of``, scheme), a KPI line,
            and the first rows of the report (see the class example).
        """
        k = self.kpis
        if not k:  # the last update failed
            return f"FilterPanel: {_n(len(self._df))} invoices (not computed)"
        ratio = format_percent(k["paid_ratio"])
        return "\n".join(
            [
                f"FilterPanel: {_n(len(self._rows))} of {_n(len(self._df))} invoices, "
                f"as of {self.as_of_date:%Y-%m-%d}, buckets {self.scheme.value}",
                f"Open {format_rupiah(k['open_amount'], compact=False)} ({_n(k['open_count'])})"
                f" · Overdue {format_rupiah(k['overdue_amount'], compact=False)} ({_n(k['overdue_count'])})"
                f" · Credit {format_rupiah(k['credit_amount'], compact=False)} ({_n(k['credit_count'])})"
                f" · Paid ratio {ratio}",
                "",
                format_report_text(self.report),
            ]
        )

    def __repr__(self) -> str:
        return self.text_summary()

    def _repr_html_(self) -> str:
        """A static snapshot (where widgets cannot render)."""
        return (
            f'<div class="ia-filter-panel-static">{self.summary.value}{self.kpi_html.value}'
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
