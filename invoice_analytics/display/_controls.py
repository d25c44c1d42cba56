"""The panel's controls and layout: the filter and setting widgets, the buttons, and how they are arranged.

Widgets only: what a change does is wired by :class:`~invoice_analytics.FilterPanel`.

>>> from invoice_analytics.display.filtering import FilterIndex
>>> from invoice_analytics.schema import empty_frame
>>> controls = build_controls(FilterIndex.build(empty_frame()), as_of=datetime.date(2024, 2, 15), dates=None,
...                           scheme="30/60/90", terms={"mayar": 14})
>>> {p: box.value for p, box in controls.terms.items()}  # a box per provider
{'faspay': 0, 'mayar': 14}
"""

from __future__ import annotations

import datetime
import html
from collections.abc import Mapping
from dataclasses import dataclass

import ipywidgets as W

from invoice_analytics.display.filtering import MISSING_LABEL, FilterIndex
from invoice_analytics.display.kpis import BUCKET_SCHEMES

__all__ = ["FILTERS", "MAX_TERMS_DAYS", "Buttons", "Controls", "build_buttons", "build_controls", "initial_terms",
           "panel_layout"]

#: The most payment terms the terms boxes take, in days (as the command line's ``--terms-days``).
MAX_TERMS_DAYS = 36_500
#: The controls that filter the invoices (the others are settings).
FILTERS = ("provider", "status", "customer", "issued_from", "issued_to")


def initial_terms(terms_days: int | Mapping[str, int] | None) -> int | Mapping[str, int]:
    """The terms boxes' first values: ``terms_days`` checked, or (None) the settings' terms when any were set.

    >>> initial_terms({"mayar": 14}), initial_terms(7)
    ({'mayar': 14}, 7)
    """
    from invoice_analytics.analytics._rules import check_terms

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
    return terms


def _css_name(text: str) -> str:
    """``text`` as a CSS class name part (letters, digits and dashes).

    >>> _css_name("Fas Pay")
    'fas-pay'
    """
    return "".join(c if c.isalnum() else "-" for c in text.lower())


@dataclass
class Controls:
    """The filter and setting widgets (see :class:`~invoice_analytics.FilterPanel`'s attributes)."""

    provider: W.SelectMultiple
    status: W.SelectMultiple
    customer: W.Text
    issued_from: W.DatePicker
    issued_to: W.DatePicker
    as_of: W.DatePicker
    scheme: W.Dropdown
    terms: dict[str, W.BoundedIntText]


@dataclass
class Buttons:
    """The row of buttons, the Statement search and list, and the download link."""

    reset: W.Button
    all_providers: W.Button
    excel: W.Button
    csv: W.Button
    download: W.HTML
    statement_customer: W.Dropdown
    statement_search: W.Text


def build_controls(
    index: FilterIndex,
    *,
    as_of: datetime.date,
    dates: tuple[datetime.date, datetime.date] | None,
    scheme: str,
    terms: int | Mapping[str, int],
) -> Controls:
    """The controls at their first values: every provider and status of ``index`` selected, no search,
    no issue dates, ``as_of`` (limited to ``dates`` when given), ``scheme`` and a terms box per provider."""
    status_options = list(index.statuses)
    if (index.status_codes < 0).any():
        status_options.append(MISSING_LABEL)
    provider_options = list(index.providers)
    if (index.provider_codes < 0).any():
        provider_options.append(MISSING_LABEL)
    wide = {"description_width": "6em"}
    provider = W.SelectMultiple(
        options=provider_options, value=tuple(provider_options), rows=max(2, len(provider_options)),
        layout=W.Layout(width="10em"), tooltip="Ctrl/Cmd-click to keep several",
    )
    status = W.SelectMultiple(
        options=status_options, value=tuple(status_options), rows=min(8, max(2, len(status_options))),
        layout=W.Layout(width="11em"),
        tooltip="The status the provider reports (its own 'overdue' flag included); Ctrl/Cmd-click for several",
    )
    customer = W.Text(
        placeholder="name or id, then Enter", description="Customer", continuous_update=False,
        tooltip="Part of a customer's name or id (any case); applied on Enter or on leaving the box",
        style=wide, layout=W.Layout(width="19em"),
    )
    issued_from = W.DatePicker(description="Issued from", style=wide, layout=W.Layout(width="19em"))
    issued_to = W.DatePicker(description="Issued to", style=wide, layout=W.Layout(width="19em"))
    as_of_picker = W.DatePicker(value=as_of, description="As of", style=wide, layout=W.Layout(width="17em"))
    if dates is not None:  # the as-of control moves through the dates the store covers
        as_of_picker.min, as_of_picker.max = dates
    scheme_list = W.Dropdown(
        options=list(BUCKET_SCHEMES), value=scheme, description="Buckets", style=wide,
        layout=W.Layout(width="17em"),
    )
    named = dict(terms) if isinstance(terms, Mapping) else {}
    term_providers = [p for p in provider_options if p != MISSING_LABEL]
    term_providers += [p for p in named if p not in term_providers]
    boxes: dict[str, W.BoundedIntText] = {
        p: W.BoundedIntText(
            value=named.get(p, 0) if isinstance(terms, Mapping) else terms, min=0, max=MAX_TERMS_DAYS,
            description=p, style={"description_width": "initial"}, layout=W.Layout(width="8.3em"),
            tooltip=f"Days from issue to due for {p} invoices without a due date",
        ).add_class(f"ia-terms-{_css_name(p)}")
        for p in term_providers
    }
    controls = Controls(provider, status, customer, issued_from, issued_to, as_of_picker, scheme_list, boxes)
    for name in (*FILTERS, "as_of", "scheme"):
        getattr(controls, name).add_class(f"ia-{name.replace('_', '-')}")
    return controls


def build_buttons(no_customer: str) -> Buttons:
    """Reset, All providers, Export Excel, Export CSV, the download link, the Statement search and the
    Statement list (holding only ``no_customer`` until the panel fills it).

    The list offers the customers matching the search (by name or id, as one types), a hundred at most:
    a plain list of thousands of customers is slow to send, to draw and to choose from."""
    return Buttons(
        reset=W.Button(
            description="Reset", icon="undo", tooltip="Every control back to its first value",
            layout=W.Layout(width="auto"),
        ).add_class("ia-reset"),
        all_providers=W.Button(
            description="All providers", icon="check-square", tooltip="Select every provider",
            layout=W.Layout(width="auto"),
        ).add_class("ia-all-providers"),
        excel=W.Button(
            description="Export Excel", icon="download", tooltip="The report, KPIs, filters, invoices "
            "(and the statement shown) as a workbook: click, then save the link that appears",
            layout=W.Layout(width="auto"),
        ).add_class("ia-export-excel"),
        csv=W.Button(
            description="Export CSV", icon="download", tooltip="The aging report shown (every row) as CSV: "
            "click, then save the link that appears", layout=W.Layout(width="auto"),
        ).add_class("ia-export-csv"),
        download=W.HTML().add_class("ia-download"),
        statement_customer=W.Dropdown(
            options=[(no_customer, ())], value=(),
            tooltip="Choose a customer to see their open invoices and credits in the Statement tab",
            layout=W.Layout(width="13em"),
        ).add_class("ia-statement-customer"),
        statement_search=W.Text(
            placeholder="name or id", description="Statement", continuous_update=True,
            tooltip="Part of a customer's name or id (any case): the list next to it offers the customers "
            "that match", style={"description_width": "initial"}, layout=W.Layout(width="15em"),
        ).add_class("ia-statement-search"),
    )


def panel_layout(controls: Controls, buttons: Buttons, *, header: W.Widget, summary: W.Widget,
                 kpis: W.Widget, table: W.Widget, tabs: W.Widget) -> W.VBox:
    """The whole panel: header, controls, buttons, summary line, KPI cards, report table and tabs."""
    label = "font-size:var(--jp-widgets-font-size,13px);line-height:1.6"
    c = controls
    row = W.HBox(
        [
            W.VBox([W.HTML(f'<span style="{label}">Provider</span>'), c.provider]),
            W.VBox([W.HTML(f'<span style="{label}" title="{html.escape(c.status.tooltip or "")}">'
                           "Provider status</span>"), c.status]),
            W.VBox([c.customer, c.issued_from, c.issued_to]),
            W.VBox([
                c.as_of, c.scheme,
                W.HTML(f'<span style="{label}" title="Days from issue to due, for invoices without a due date '
                       f'(every Mayar invoice)">Terms, days (no due date)</span>'),
                W.HBox(list(c.terms.values())),
            ]),
        ],
        layout=W.Layout(flex_flow="row wrap", align_items="flex-start", grid_gap="0 1em"),
    )
    b = buttons
    button_row = W.HBox(
        [b.reset, b.all_providers, b.statement_search, b.statement_customer, b.excel, b.csv, b.download],
        layout=W.Layout(flex_flow="row wrap", align_items="center"),
    )
    widget: W.VBox = W.VBox([header, row, button_row, summary, kpis, table, tabs]).add_class("ia-filter-panel")
    return widget
