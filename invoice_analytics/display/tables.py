"""HTML and text renderings of KPIs and aging reports, rupiah with thousands separators."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from invoice_analytics._docs import doc
from invoice_analytics.analytics._rules import TOTAL
from invoice_analytics.formatting import format_count, format_number, format_percent, format_rupiah

__all__ = ["format_kpis_html", "format_report_table", "format_report_text", "format_statement_table", "style_report"]


def _rp(value: object) -> str:
    return format_rupiah(value, compact=False)


def _count(n: int, word: str = "invoice") -> str:
    return f"{format_count(n)} {word}{'' if n == 1 else 's'}"


#: Tooltips of the KPI cards.
_KPI_HINTS = {
    "open": "Counted invoices with a positive outstanding",
    "overdue": "Open invoices at least one day after their due date (or issue date plus terms), "
               "as of the chosen date; computed here, not the provider's own 'overdue' status",
    "credit": "Invoices with a negative outstanding (overpayments)",
    "paid-ratio": "Paid invoices of the counted ones (draft, cancelled and proforma are not counted)",
}


def format_kpis_html(kpis: Mapping[str, Any]) -> str:
    """KPI cards (HTML): open, past due (``overdue_*`` of :func:`~invoice_analytics.panel_kpis`), credit, paid ratio."""
    ratio = kpis["paid_ratio"]
    cards = [
        ("open", "Open", _rp(kpis["open_amount"]), _count(kpis["open_count"])),
        ("overdue", "Past due", _rp(kpis["overdue_amount"]),
         f"{_count(kpis['overdue_count'])} · {html.escape(kpis['oldest_label'])} days: "
         f"{_rp(kpis['oldest_amount'])}"),
        ("credit", "Credit", _rp(kpis["credit_amount"]),
         f"{_count(kpis['credit_count'])} · net {_rp(kpis['net_balance'])}"),
        ("paid-ratio", "Paid ratio", format_percent(ratio),
         f"{format_count(kpis['paid_count'])} of {_count(kpis['counted_count'])}"),
    ]
    # the cards share a row (wrapping only when even their values do not fit); a long detail wraps in its card
    box = (
        "flex:1 1 9em;max-width:18em;padding:.4em .8em;"
        "border:1px solid var(--jp-border-color2,#ddd);border-radius:4px"
    )
    parts = [
        f'<div class="ia-kpi ia-kpi-{key}" style="{box}" title="{_KPI_HINTS.get(key, "")}">'
        f'<div style="font-size:.85em;opacity:.75">{title}</div>'
        f'<div class="ia-kpi-value" style="font-size:1.3em;font-weight:600;white-space:nowrap;'
        f'font-variant-numeric:tabular-nums">{value}</div>'
        f'<div style="font-size:.8em;opacity:.75">{detail}</div></div>'
        for key, title, value, detail in cards
    ]
    return '<div class="ia-kpis" style="display:flex;flex-wrap:wrap;gap:.4em .6em;margin-bottom:.4em">' + "".join(
        parts) + "</div>"


def _missing(value: object) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def _label(value: object) -> str:
    """A row label as text: missing is "(no name)"; a tuple's parts joined by " / ", later missing ones dropped."""
    if isinstance(value, tuple):
        parts = [v for i, v in enumerate(value) if (i == 0 and _missing(v)) or (not _missing(v) and v != "")]
        return " / ".join(_label(v) for v in parts)
    return "(no name)" if _missing(value) else str(value)


def _key_parts(label: object, levels: int) -> tuple[str, list[str]]:
    """A row label split for a table: the first part (the name, pinned) and the other key parts, one column each."""
    if levels <= 1:
        return _label(label), []
    parts = list(label) if isinstance(label, tuple) else [label]
    parts += [""] * (levels - len(parts))
    rest = ["–" if _missing(v) else str(v) for v in parts[1:levels]]
    return _label(parts[0]), rest


#: The headings of the report's row keys (other names: underscores as spaces, first letter capital).
_KEY_HEADINGS = {"customer_name": "Customer", "customer_id": "Customer id", "provider": "Provider"}


def _heading(name: object) -> str:
    """A column name as a reader's heading."""
    if name is None:
        return ""
    text = str(name)
    return _KEY_HEADINGS.get(text, text.replace("_", " ").capitalize() if "_" in text else text)


def _level_names(index: pd.Index) -> list[str]:
    return ["" if n is None else str(n) for n in index.names]


#: The report table's name column stays in view while the table scrolls sideways (at most 13em wide,
#: the full name in its tooltip); its header row stays in view while it scrolls down.
_BACKGROUND = "background:var(--jp-layout-color0,#fff)"
_NAME_CELL = f"padding:2px 5px;text-align:left;white-space:nowrap;position:sticky;left:0;z-index:1;{_BACKGROUND}"
_NAME_TEXT = "display:inline-block;max-width:13em;overflow:hidden;text-overflow:ellipsis;vertical-align:bottom"
_STICKY_TOP = f"position:sticky;top:0;z-index:2;{_BACKGROUND}"
_STRIPE = "var(--jp-rendermime-table-row-background,var(--jp-layout-color0,#fff))"
#: The Total row stays in view at the bottom of the box.
_TOTAL_ROW = f"font-weight:600;border-top:1px solid;position:sticky;bottom:0;z-index:2;{_BACKGROUND}"


#: ``fit=True``: a narrower table (12px text, tighter cells, the other key parts under the name, both cut
#: at 10em and whole in the tooltip, amounts without "Rp", said once above the table), its text made smaller
#: (down to 9px) when its columns would not fit the width of its box (:func:`_fit_style`).
_FIT_STYLE = "font-size:12px"
_FIT_PAD = "padding:.15em .25em"
#: Estimated widths, in em, of what a fitted table holds: the name column (cut at 10em, its padding, the
#: key line under it), a digit, another character of an amount, a character of a bold heading; a cell's
#: padding. Generous: the table fits when the estimate does.
_EM_NAME, _EM_DIGIT, _EM_MARK, _EM_HEAD, _EM_PAD = 11.5, 0.68, 0.36, 0.66, 0.6
_FIT_KEYS = "font-size:.85em;opacity:.7"
_FIT_NOTE = '<div class="ia-report-unit" style="font-size:.85em;opacity:.75;margin:.2em 0">Amounts in rupiah (Rp)</div>'


@doc()
def format_report_table(report: pd.DataFrame, *, max_rows: int | None = 25, fit: bool = False) -> str:
    """An aging report as an HTML table, rupiah with thousands separators, right-aligned.

    The row key's first level (the name; "(no name)" when missing) is pinned at the left, cut at 13em (whole
    in its tooltip), then one column per other level ("–" when missing); the header and a last "Total" row
    stay pinned when it scrolls down. :class:`FilterPanel` shows it (see :doc:`/guide/panel`).

    Parameters
    ----------
    report : pandas.DataFrame
        An aging report, e.g. :func:`aging_report`: one row per key, money columns only (each cell in full
        rupiah, :func:`format_rupiah`), optionally a final "Total" row (or ``("Total", ...)``).
    max_rows : int or None, default 25
        The most rows shown before the Total row, then a row counting the rest; None shows every row.
    fit : bool, default False
        Fit a narrow window (every bucket, Credit and Total in view at 1280x800 in JupyterLab, as the
        panel shows it): 12px text, tighter cells, the other key parts on a second line under the name
        (both cut at 10em, whole in the tooltip), amounts without "Rp" (said once above the table).

    Returns
    -------
    str
        An HTML fragment (a scrollable ``<div>`` holding a ``<table>``); an empty report gives a ``<div>``
        reading "No open invoices or credits." instead.

    Raises
    ------
    ValueError
        When a cell is a float with a fraction (e.g. a ratio column).
    TypeError
        When a cell is not a number (e.g. a text column).

    Examples
    --------
    {example_invoices}

    By customer (the name, its id and provider), one customer shown:

    >>> from invoice_analytics import aging_report
    >>> table = format_report_table(aging_report(df, "2024-02-15", totals=True), max_rows=1)
    >>> table.count("<tr"), "… 1 more" in table, "Rp 770.000" in table, ">Customer id</th>" in table
    (4, True, True, True)
    """
    if len(report) == 0:
        return '<div class="ia-report ia-empty"><em>No open invoices or credits.</em></div>'
    has_total = _is_total(report.index[-1])
    body = report.iloc[:-1] if has_total else report
    shown = body if max_rows is None else body.iloc[:max_rows]
    rest = len(body) - len(shown)
    levels = report.index.nlevels
    key, *other_keys = (_heading(n) for n in report.index.names)
    columns = list(report.columns)
    pad = _FIT_PAD if fit else "padding:2px 5px"
    cell = f"{pad};text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap"
    text_cell = f"{pad};text-align:left;white-space:nowrap"
    name_cell = _NAME_CELL.replace("padding:2px 5px", pad)
    name_text = _NAME_TEXT.replace("13em", "10em") if fit else _NAME_TEXT
    money = (lambda v: _rp(v).replace("Rp ", "")) if fit else _rp
    if fit:  # the other key parts under the name: "Customer", then "Customer id · Provider"
        head = (f'{html.escape(key)}<br><span class="ia-key" style="{_FIT_KEYS}">'
                f'{html.escape(" · ".join(other_keys))}</span>' if other_keys else html.escape(key))
        head = f'<th class="ia-name" style="{name_cell};{_STICKY_TOP};z-index:3">{head}</th>'
    else:
        head = f'<th class="ia-name" style="{name_cell};{_STICKY_TOP};z-index:3">{html.escape(key)}</th>'
        head += "".join(f'<th class="ia-key" style="{text_cell};{_STICKY_TOP}">{html.escape(k)}</th>'
                        for k in other_keys)
    head += "".join(f'<th class="ia-col" style="{cell};{_STICKY_TOP}">{html.escape(str(c))}</th>' for c in columns)

    def row(label: object, values: Sequence[object], style: str = "", name_style: str = "") -> str:
        name, parts = _key_parts(label, levels)
        # the style goes on every cell: with separate borders (which sticky cells need) a row's border is not drawn
        tds = "".join(f'<td style="{cell};{style}">{money(v)}</td>' for v in values)
        if fit:
            keys = " · ".join(f'<span class="ia-key">{html.escape(p)}</span>' for p in parts if p)
            title = " · ".join([name, *(p for p in parts if p)])
            under = f'<br><span style="{name_text};{_FIT_KEYS}">{keys}</span>' if keys else ""
            return (f'<tr><th class="ia-name" style="{name_cell};{style}{name_style}" title="{html.escape(title)}">'
                    f'<span style="{name_text}">{html.escape(name)}</span>{under}</th>{tds}</tr>')
        keys = "".join(f'<td class="ia-key" style="{text_cell};{style}">{html.escape(p)}</td>' for p in parts)
        return (f'<tr><th class="ia-name" style="{name_cell};{style}{name_style}" title="{html.escape(name)}">'
                f'<span style="{name_text}">{html.escape(name)}</span></th>{keys}{tds}</tr>')

    values = shown.to_numpy(dtype=object)
    # a pinned name cell needs its own background: JupyterLab stripes even rows, so the names follow
    rows = [row(label, vals, "", f";background:{_STRIPE}" if i % 2 else "")
            for i, (label, vals) in enumerate(zip(shown.index, values, strict=True))]
    if rest:
        rows.append(
            f'<tr><td colspan="{len(columns) + (1 if fit else levels)}" style="padding:2px 8px;opacity:.7">'
            f"… {format_count(rest)} more (export for the full table)</td></tr>"
        )
    if has_total:
        rows.append(row(report.index[-1], report.iloc[-1].tolist(), _TOTAL_ROW, ";z-index:3"))
    box = "max-height:20em;max-width:100%;overflow:auto" + (";container-type:inline-size" if fit else "")
    fitted = ";" + _fit_style({str(c): [money(v) for v in (*values[:, i], *(
        [report.iloc[-1, i]] if has_total else []))] for i, c in enumerate(columns)}) if fit else ""
    return (
        f'{_FIT_NOTE if fit else ""}<div class="ia-report" style="{box}">'
        f'<table style="border-collapse:separate;border-spacing:0{fitted}">'
        f"<thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _fit_style(columns: dict[str, list[str]]) -> str:
    """The fitted table's font size: 12px, or less (down to 9px) so that the estimated width of its columns
    (heading -> the texts of its cells; :data:`_EM_NAME`...) fills at most the width of its box (CSS container
    units; 12px where they are not supported)."""
    def width(text: str) -> float:
        return sum(_EM_DIGIT if ch.isdigit() else _EM_MARK for ch in text)

    ems = _EM_NAME + sum(max([len(h) * _EM_HEAD, *map(width, cells)]) + _EM_PAD for h, cells in columns.items())
    return f"{_FIT_STYLE};font-size:clamp(9px,calc((100cqw - 24px) / {ems:.1f}),12px)"  # less its scroll bar


#: The columns of a statement shown, and their headings.
_STATEMENT_HEADINGS = {"invoice_id": "Invoice", "provider": "Provider", "status": "Provider status",
                       "issued_at": "Issued", "due_date": "Due", "days_past_due": "Days past due",
                       "bucket": "Bucket", "outstanding": "Outstanding"}


def format_statement_table(statement: pd.DataFrame) -> str:
    """A :func:`~invoice_analytics.customer_statement` (its last row the Total) as an HTML table.

    A scrollable ``<div class="ia-statement-table">``: invoice, provider, the provider's status, issue and due
    dates (YYYY-MM-DD), days past due (negative: not due yet), bucket and outstanding in rupiah; "–" where a
    value does not apply; "No open invoices or credits." when nothing is open. ``KeyError`` when a column is
    missing. The panel shows it when a customer is chosen.
    """
    missing = [c for c in _STATEMENT_HEADINGS if c not in statement.columns]
    if missing:
        raise KeyError(f"a statement needs the column(s) {missing}")
    if len(statement) <= 1:
        return '<div class="ia-statement-table ia-empty"><em>No open invoices or credits.</em></div>'
    cell = "padding:2px 8px;white-space:nowrap"
    number = f"{cell};text-align:right;font-variant-numeric:tabular-nums"
    right = {"days_past_due", "outstanding"}
    head = "".join(f'<th style="{number if c in right else cell}">{h}</th>' for c, h in _STATEMENT_HEADINGS.items())

    def text(column: str, value: object) -> str:
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            return "–"
        if column == "outstanding":
            return _rp(value)
        if column in ("issued_at", "due_date"):
            return f"{pd.Timestamp(value):%Y-%m-%d}"
        if column == "days_past_due":
            return format_count(int(value))  # type: ignore[call-overload]
        return html.escape(str(value))

    rows = []
    for i, record in enumerate(statement[list(_STATEMENT_HEADINGS)].itertuples(index=False)):
        total = i == len(statement) - 1
        style = "font-weight:600;border-top:1px solid" if total else ""
        tds = "".join(f'<td style="{number if c in right else cell};{style}">{text(c, v)}</td>'
                      for c, v in zip(_STATEMENT_HEADINGS, record, strict=True))
        rows.append(f"<tr>{tds}</tr>")
    return (
        '<div class="ia-statement-table" style="max-height:24em;max-width:100%;overflow:auto">'
        '<table style="border-collapse:collapse">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def format_report_text(report: pd.DataFrame, *, max_rows: int = 10) -> str:
    """The first ``max_rows`` rows (and the Total row) of a report as plain text."""
    if len(report) == 0:
        return "No open invoices or credits."
    rows = report if len(report) <= max_rows + 1 else pd.concat([report.iloc[:max_rows], report.iloc[-1:]])
    levels = report.index.nlevels
    parts = [_key_parts(label, levels) for label in rows.index]
    text = rows.map(_rp).reset_index(drop=True)
    for i, key in enumerate(_level_names(report.index)):
        text.insert(i, key, [name if i == 0 else rest[i - 1] for name, rest in parts], allow_duplicates=True)
    out: str = text.to_string(index=False)
    if len(rows) < len(report):
        out += f"\n… {format_count(len(report) - len(rows))} more rows"
    return out


def _is_total(label: object) -> bool:
    """The label of a Total row: "Total", or it and empty texts (not a missing key part, nor a customer "Total")."""
    if isinstance(label, tuple):
        return len(label) > 0 and all(isinstance(p, str) for p in label) and label[0] == TOTAL \
            and all(p == "" for p in label[1:])
    return isinstance(label, str) and label == TOTAL


def _column_kind(name: object, values: pd.Series) -> str:
    """"percent", "count", "number" or "money" for a report column."""
    text = str(name).lower()
    if any(word in text for word in ("ratio", "share", "rate", "pct", "percent")):
        return "percent"
    if any(word in text for word in ("count", "invoices", "days", "dso")):
        return "count" if pd.api.types.is_integer_dtype(values) else "number"
    if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
        return "text"
    if pd.api.types.is_integer_dtype(values) or bool((values.dropna() % 1 == 0).all()):
        return "money"
    return "number"


@doc()
def style_report(report: pd.DataFrame, *, locale: str | None = None) -> Any:
    """A report as a pandas Styler for notebooks: figures as a finance team reads them.

    Money (whole numbers) in full rupiah, columns named with "ratio", "share", "rate" or "pct" as percents,
    counts with thousands separators; the "Total" row bold, the index sticky when scrolling sideways. Only the
    display is formatted (``styler.data`` is the report).

    Parameters
    ----------
    report : pandas.DataFrame
        e.g. ``aging_report(df)``, ``paid_ratio(df, by="provider")`` or ``top_debtors(df)``.
    {locale}

    Returns
    -------
    pandas.io.formats.style.Styler
        Shown as an HTML table at the end of a notebook cell; ``.to_html()`` gives the HTML.

    Examples
    --------
    >>> report = pd.DataFrame({"Total": [1_500_000, 1_500_000], "paid_ratio": [0.651, 0.651]},
    ...                       index=pd.Index(["Ani", "Total"], name="customer_name"))
    >>> html_text = style_report(report).to_html()
    >>> "Rp 1.500.000" in html_text, "65,1 %" in html_text, "font-weight: bold" in html_text
    (True, True, True)
    """
    from invoice_analytics.formatting import _normalise  # one locale for the whole table

    fixed = _normalise(locale)
    formatters: dict[object, Any] = {}
    for name in report.columns:
        kind = _column_kind(name, report[name])
        if kind == "money":
            formatters[name] = lambda v: format_rupiah(v, compact=False, locale=fixed)
        elif kind == "percent":
            formatters[name] = lambda v: format_percent(v, locale=fixed)
        elif kind == "count":
            formatters[name] = lambda v: "–" if pd.isna(v) else format_count(int(v), locale=fixed)
        elif kind == "number":
            formatters[name] = lambda v: format_number(v, locale=fixed)
    styler = report.style.format(formatters, na_rep="–")
    styler = styler.format_index(_label, axis=0)
    if len(report) and _is_total(report.index[-1]):  # the totals row is the last one (a group named so is not)
        last = report.index[-1:]
        styler = styler.apply(lambda row: ["font-weight: bold; border-top: 1px solid"] * len(row), axis=1,
                              subset=pd.IndexSlice[last, :])
        styler = styler.apply_index(lambda keys: ["font-weight: bold" if i == len(keys) - 1 else ""
                                                  for i in range(len(keys))], axis=0)
    styler = styler.set_sticky(axis="index")
    styler = styler.set_table_styles(
        [
            {"selector": "", "props": "display: block; overflow-x: scroll; max-width: 100%;"},
            {"selector": "td", "props": "text-align: right; white-space: nowrap; "
                                        "font-variant-numeric: tabular-nums; padding: 2px 8px;"},
            {"selector": "th", "props": "white-space: nowrap; padding: 2px 8px;"},
        ],
        overwrite=False,
    )
    return styler
