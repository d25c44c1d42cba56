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
from invoice_analytics._types import AsOf
from invoice_analytics.analytics.aging import aging_report
from invoice_analytics.display._tabs import CHARTS, render_chart
from invoice_analytics.display.filtering import MISSING_LABEL, FilterIndex
from invoice_analytics.display.formatting import format_rupiah
from invoice_analytics.display.kpis import BUCKET_SCHEMES, panel_kpis
from invoice_analytics.display.tables import format_kpis_html, format_report_table, format_report_text
from invoice_analytics.export import write_csv, write_excel

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
    """

    def __init__(
        self,
        df: pd.DataFrame,
        *,
        as_of: object = None,
        scheme: str = "30/60/90",
        by: str = "customer_name",
        max_rows: int = 25,
        dpi: int = 96,
    ) -> None:
        if scheme not in BUCKET_SCHEMES:
            raise ValueError(f"scheme must be one of {list(BUCKET_SCHEMES)}, not {scheme!r}")
        missing = [c for c in ("provider", "customer_id", "customer_name", "status", "issued_at",
                               "due_at", "outstanding") if c not in df.columns]
        if missing:
            raise KeyError(f"FilterPanel needs the core column(s) {missing}")
        self._df = df
        self._by = by
        self._max_rows = max_rows
        self._dpi = dpi
        self._index = FilterIndex.build(df)  # everything that does not depend on controls
        work = [c for c in dict.fromkeys((*_WORK_COLUMNS, by)) if c in df.columns]
        self._work = df[work]
        self._rows = np.arange(len(df))
        self._filtered_work = self._work
        self._filtered_full: pd.DataFrame | None = df
        self._filter_key: tuple = ()
        self._hold = 0
        self._pending: set[str] = set()
        self._chart_cache: dict[str, OrderedDict[tuple, bytes]] = {t: OrderedDict() for t in CHARTS}
        self._chart_shown: dict[str, tuple] = {}
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

    @property
    def filtered(self) -> pd.DataFrame:
        """The invoices that pass the filters: every column of the input, its index labels."""
        if self._filtered_full is None:
            self._filtered_full = self._df.take(self._rows)
        return self._filtered_full

    @property
    def edges(self) -> tuple[int, ...]:
        """The aging edges of the chosen bucket scheme."""
        return BUCKET_SCHEMES[self.scheme.value]

    @property
    def as_of_date(self) -> dt.date:
        """The aging date (today in Asia/Jakarta when the picker is cleared)."""
        return self.as_of.value or jakarta_today()

    def filters(self) -> dict[str, Any]:
        """The current filters, as keyword arguments of
        :func:`~invoice_analytics.display.filtering.filter_invoices` (None = no filter)."""
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
        """Group several control changes into one update at the end."""
        self._hold += 1
        try:
            yield self
        finally:
            self._hold -= 1
            if self._hold == 0 and self._pending:
                pending, self._pending = self._pending, set()
                self._update(refilter="filter" in pending)

    # ------------------------------------------------------------------ updates

    def _on_filter(self, change: dict) -> None:
        self._request("filter")

    def _on_setting(self, change: dict) -> None:
        self._request("setting")

    def _request(self, kind: str) -> None:
        if self._hold:
            self._pending.add(kind)
        else:
            self._update(refilter=kind == "filter")

    def _on_tab(self, change: dict) -> None:
        self._guarded(self._draw_visible_chart)

    def refresh(self) -> None:
        """Recompute and redraw everything from the current control values."""
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
        if refilter:
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
            f'<span style="opacity:.8">Showing <b>{len(self._rows):,}</b> of {len(self._df):,} invoices'
            f" · as of {as_of:%Y-%m-%d} · buckets {html.escape(self.scheme.value)}"
            f" · updated in {self.last_update_ms:,.0f} ms</span>"
        )

    def _chart_key(self, title: str) -> tuple:
        spec = CHARTS[title]
        return (
            self._filter_key,
            self.as_of_date if spec.uses_as_of else None,
            self.edges if spec.uses_edges else None,
        )

    def chart_png(self, title: str) -> bytes:
        """The PNG of chart ``title`` (a tab title) for the current settings,
        shown in its tab. The last :data:`CHART_CACHE_SIZE` images of each chart
        are kept, so going back to earlier settings redraws nothing."""
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
        """Draw every chart now (not only the open tab's); title -> PNG bytes."""
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
        """The KPIs as a table: ``kpi``, ``invoice_count``, ``amount`` (rupiah), ``ratio``."""
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
        kpi, count, amount, ratio = zip(*rows)
        return pd.DataFrame({
            "kpi": list(kpi),
            "invoice_count": pd.array(list(count), dtype="Int64"),
            "amount": pd.array(list(amount), dtype="Int64"),
            "ratio": pd.array(list(ratio), dtype="Float64"),
        })

    def export_csv(self, path: str | Path, *, what: str = "report") -> Path:
        """Write the aging report shown (``what="report"``, every row, rupiah as
        integers) or the filtered invoices (``what="invoices"``) to CSV."""
        if what not in ("report", "invoices"):
            raise ValueError(f"what must be 'report' or 'invoices', not {what!r}")
        if what == "report":
            return write_csv(path, self.report)
        return write_csv(path, self.filtered)

    def export_excel(self, path: str | Path) -> Path:
        """Write what is shown to one workbook: sheets "Aging report" (every
        row), "KPIs", "Filters" and "Invoices" (the filtered rows). Rupiah
        stay numbers with a rupiah number format; datetimes are naive
        Asia/Jakarta time. Needs ``pip install 'invoice-analytics[excel]'``."""
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
        """What the panel shows, as plain text."""
        k = self.kpis
        if not k:  # the last update failed
            return f"FilterPanel: {len(self._df):,} invoices (not computed)"
        ratio = "–" if k["paid_ratio"] is None else f"{k['paid_ratio']:.1%}"
        return "\n".join(
            [
                f"FilterPanel: {len(self._rows):,} of {len(self._df):,} invoices, "
                f"as of {self.as_of_date:%Y-%m-%d}, buckets {self.scheme.value}",
                f"Open {format_rupiah(k['open_amount'], compact=False)} ({k['open_count']:,})"
                f" · Overdue {format_rupiah(k['overdue_amount'], compact=False)} ({k['overdue_count']:,})"
                f" · Credit {format_rupiah(k['credit_amount'], compact=False)} ({k['credit_count']:,})"
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
