"""The plain functions behind :class:`~invoice_analytics.widgets.FilterPanel`.

Filtering, KPIs, the rupiah-formatted report table, chart images and exports,
with no widget in sight, so that they can be tested and reused on their own.
Conventions are those of :mod:`invoice_analytics.aging` (open, overdue,
credit, buckets, ``as_of``).

>>> from invoice_analytics.schema import empty_frame
>>> df = empty_frame()
>>> len(filter_invoices(df, providers=["mayar"], customer="budi"))
0
>>> panel_kpis(df, "2024-02-15")["open_amount"]
0
"""

from __future__ import annotations

import datetime as dt
import html
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from invoice_analytics._conventions import (
    DEFAULT_EDGES,
    TOTAL,
    as_of_day,
    bucket_labels,
    check_edges,
    day_numbers,
)
from invoice_analytics._format import MISSING, format_rupiah
from invoice_analytics.aging import aging_report, credits, overdue_totals
from invoice_analytics.ratios import paid_ratio
from invoice_analytics.schema import JAKARTA

__all__ = [
    "BUCKET_SCHEMES",
    "CHARTS",
    "ChartSpec",
    "MISSING_LABEL",
    "FilterIndex",
    "excel_ready",
    "filter_invoices",
    "format_kpis_html",
    "format_report_table",
    "format_report_text",
    "jakarta_today",
    "panel_kpis",
    "render_chart",
    "write_excel",
]

#: Bucket schemes offered by the panel: label -> aging edges (days).
BUCKET_SCHEMES: dict[str, tuple[int, ...]] = {
    "30/60/90": (30, 60, 90),
    "30/60/90/120": (30, 60, 90, 120),
    "15/30/45/60": (15, 30, 45, 60),
}

#: How a missing provider or status is offered and selected.
MISSING_LABEL = "(missing)"

#: Excel number formats: rupiah stay numbers, shown as "Rp 1,234,567"; ratios as percents.
RUPIAH_FORMAT = '"Rp" #,##0;-"Rp" #,##0'
PERCENT_FORMAT = "0.0%"

_EXCEL_HINT = (
    "Excel export needs openpyxl, an optional dependency: "
    "pip install 'invoice-analytics[excel]'"
)

Selection = Iterable[object] | None
DateLike = str | dt.date | pd.Timestamp | None


def jakarta_today() -> dt.date:
    """Today's date in Asia/Jakarta."""
    return pd.Timestamp.now(tz=JAKARTA).date()


# --------------------------------------------------------------------------- filtering


def _codes(s: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Integer codes (-1 = missing) and the text of each code."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        return s.cat.codes.to_numpy().astype(np.int64), [str(c) for c in s.cat.categories]
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    return codes.astype(np.int64), [str(u) for u in uniques]


def _folded(s: pd.Series) -> tuple[np.ndarray, pa.Array]:
    """Codes (-1 = missing) and the lower-cased unique values of a text column."""
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    text = pa.array([str(u) for u in uniques], type=pa.string())
    return codes.astype(np.int64), pc.utf8_lower(text)


def _allowed(names: list[str], selection: Selection) -> np.ndarray:
    """Lookup table over ``names`` plus a last slot for missing (code -1)."""
    table = np.ones(len(names) + 1, dtype=bool)
    if selection is None:
        return table
    if isinstance(selection, str):
        selection = [selection]
    wanted = {MISSING_LABEL if v is None else str(v) for v in selection}
    table[:-1] = [n in wanted for n in names]
    table[-1] = MISSING_LABEL in wanted
    return table


@dataclass(frozen=True)
class FilterIndex:
    """What filtering needs, computed once per frame: codes per row, the
    lower-cased unique customer names and ids, issue days in Jakarta.

    >>> from invoice_analytics.schema import empty_frame
    >>> FilterIndex.build(empty_frame()).mask(customer="x").tolist()
    []
    """

    n: int
    provider_codes: np.ndarray
    providers: list[str]
    status_codes: np.ndarray
    statuses: list[str]
    name_codes: np.ndarray
    names: pa.Array
    id_codes: np.ndarray
    ids: pa.Array
    issued_day: np.ndarray
    issued_known: np.ndarray

    @classmethod
    def build(cls, df: pd.DataFrame) -> FilterIndex:
        """Index ``df`` (core schema columns provider, status, customer_name,
        customer_id, issued_at)."""
        provider_codes, providers = _codes(df["provider"])
        status_codes, statuses = _codes(df["status"])
        name_codes, names = _folded(df["customer_name"])
        id_codes, ids = _folded(df["customer_id"])
        issued_day, issued_known = day_numbers(df["issued_at"])
        return cls(len(df), provider_codes, providers, status_codes, statuses,
                   name_codes, names, id_codes, ids, issued_day, issued_known)

    def mask(
        self,
        *,
        providers: Selection = None,
        statuses: Selection = None,
        customer: str | None = None,
        issued_from: DateLike = None,
        issued_to: DateLike = None,
    ) -> np.ndarray:
        """Boolean mask of the rows kept (see :func:`filter_invoices`)."""
        keep = np.ones(self.n, dtype=bool)
        if providers is not None:
            keep &= _allowed(self.providers, providers)[self.provider_codes]
        if statuses is not None:
            keep &= _allowed(self.statuses, statuses)[self.status_codes]
        needle = (customer or "").strip().lower()
        if needle:
            hit = np.zeros(self.n, dtype=bool)
            for codes, uniques in ((self.name_codes, self.names), (self.id_codes, self.ids)):
                found = pc.match_substring(uniques, needle).to_numpy(zero_copy_only=False)
                hit |= np.append(np.asarray(found, dtype=bool), False)[codes]
            keep &= hit
        if issued_from is not None or issued_to is not None:
            keep &= self.issued_known
            if issued_from is not None:
                keep &= self.issued_day >= as_of_day(issued_from)
            if issued_to is not None:
                keep &= self.issued_day <= as_of_day(issued_to)
        return keep


def filter_invoices(
    df: pd.DataFrame,
    *,
    providers: Selection = None,
    statuses: Selection = None,
    customer: str | None = None,
    issued_from: DateLike = None,
    issued_to: DateLike = None,
) -> pd.DataFrame:
    """The rows of ``df`` matching every given filter (all columns, index kept).

    ``providers`` / ``statuses``: the values to keep (None = all; an empty
    selection keeps nothing; ``None`` or ``"(missing)"`` in it keeps missing
    values). ``customer``: case-insensitive substring of ``customer_name`` or
    ``customer_id``. ``issued_from`` / ``issued_to``: inclusive Jakarta
    calendar dates of ``issued_at`` (an invoice without one is then dropped).

    >>> df = pd.DataFrame({
    ...     "provider": ["faspay", "mayar", "mayar"], "status": ["paid", "unpaid", None],
    ...     "customer_name": ["PT Budi", "Ani", "Budiman"], "customer_id": ["C1", "C2", "X9"],
    ...     "issued_at": pd.to_datetime(["2024-01-01 08:00", "2024-01-31 23:00", "2024-02-01 00:30"]),
    ... })
    >>> filter_invoices(df, customer="BUDI")["customer_id"].tolist()
    ['C1', 'X9']
    >>> filter_invoices(df, providers=["mayar"], issued_to="2024-01-31").index.tolist()
    [1]
    >>> filter_invoices(df, statuses=["unpaid", None]).index.tolist()
    [1, 2]
    """
    keep = FilterIndex.build(df).mask(
        providers=providers, statuses=statuses, customer=customer,
        issued_from=issued_from, issued_to=issued_to,
    )
    return df[keep]


# --------------------------------------------------------------------------- KPIs


def panel_kpis(
    df: pd.DataFrame, as_of: DateLike = None, edges: Iterable[int] = DEFAULT_EDGES
) -> dict[str, Any]:
    """Headline figures of ``df`` as plain Python numbers.

    Keys: ``invoices`` (rows), ``open_count`` / ``open_amount``,
    ``overdue_count`` / ``overdue_amount`` (>= 1 day past due),
    ``oldest_label`` / ``oldest_amount`` (the last bucket, e.g. ">90"),
    ``credit_count`` / ``credit_amount`` (<= 0), ``net_balance`` (open +
    credit), ``counted_count`` / ``paid_count`` / ``paid_ratio`` (share of
    counted invoices that are paid; None when nothing is counted).

    >>> df = pd.DataFrame({
    ...     "status": ["unpaid", "overdue", "paid", "paid"],
    ...     "issued_at": pd.to_datetime(["2024-01-01"] * 4),
    ...     "due_at": pd.to_datetime(["2024-02-15", "2023-10-01", None, None]),
    ...     "outstanding": [100_000, 250_000, 0, -5_000],
    ... })
    >>> k = panel_kpis(df, "2024-02-15")
    >>> k["open_amount"], k["overdue_amount"], k["oldest_amount"], k["credit_amount"], k["paid_ratio"]
    (350000, 250000, 250000, -5000, 0.5)
    """
    edges = check_edges(edges)
    labels = bucket_labels(edges)
    with np.errstate(divide="ignore", invalid="ignore"):
        totals = _only_row(overdue_totals(df, as_of, by=None))
        buckets = _only_row(aging_report(df, as_of, by=None, edges=edges))
        ratio = _only_row(paid_ratio(df))
    credit_rows = credits(df)
    credit_amount = int(credit_rows["outstanding"].sum()) if len(credit_rows) else 0
    counted = int(ratio["invoice_count"])
    return {
        "invoices": len(df),
        "open_count": int(totals["open_count"]),
        "open_amount": int(totals["open_amount"]),
        "overdue_count": int(totals["overdue_count"]),
        "overdue_amount": int(totals["overdue_amount"]),
        "oldest_label": labels[-1],
        "oldest_amount": int(buckets[labels[-1]]),
        "credit_count": len(credit_rows),
        "credit_amount": credit_amount,
        "net_balance": int(totals["open_amount"]) + credit_amount,
        "counted_count": counted,
        "paid_count": int(ratio["paid_count"]),
        "paid_ratio": None if counted == 0 else float(ratio["paid_ratio"]),
    }


def _only_row(frame: pd.DataFrame) -> dict[str, Any]:
    """The single "Total" row of an ungrouped result (zeros when it is empty)."""
    if len(frame):
        return frame.iloc[0].to_dict()
    return {c: 0 for c in frame.columns}


def _rp(value: object) -> str:
    return format_rupiah(value, compact=False)


def _count(n: int, word: str = "invoice") -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def format_kpis_html(kpis: Mapping[str, Any]) -> str:
    """KPI cards (open, overdue, credit, paid ratio) as an HTML fragment.

    >>> "Rp 350,000" in format_kpis_html({"open_amount": 350_000, "open_count": 2,
    ...     "overdue_amount": 0, "overdue_count": 0, "oldest_label": ">90", "oldest_amount": 0,
    ...     "credit_amount": 0, "credit_count": 0, "net_balance": 350_000,
    ...     "paid_ratio": None, "paid_count": 0, "counted_count": 0})
    True
    """
    ratio = kpis["paid_ratio"]
    cards = [
        ("open", "Open", _rp(kpis["open_amount"]), _count(kpis["open_count"])),
        ("overdue", "Overdue", _rp(kpis["overdue_amount"]),
         f"{_count(kpis['overdue_count'])} · {html.escape(kpis['oldest_label'])} days: "
         f"{_rp(kpis['oldest_amount'])}"),
        ("credit", "Credit", _rp(kpis["credit_amount"]),
         f"{_count(kpis['credit_count'])} · net {_rp(kpis['net_balance'])}"),
        ("paid-ratio", "Paid ratio", MISSING if ratio is None else f"{ratio:.1%}",
         f"{kpis['paid_count']:,} of {_count(kpis['counted_count'])}"),
    ]
    box = (
        "display:inline-block;min-width:12em;margin:0 .6em .4em 0;padding:.4em .8em;"
        "border:1px solid var(--jp-border-color2,#ddd);border-radius:4px;vertical-align:top"
    )
    parts = [
        f'<div class="ia-kpi ia-kpi-{key}" style="{box}">'
        f'<div style="font-size:.85em;opacity:.75">{title}</div>'
        f'<div class="ia-kpi-value" style="font-size:1.3em;font-weight:600;'
        f'font-variant-numeric:tabular-nums">{value}</div>'
        f'<div style="font-size:.8em;opacity:.75">{detail}</div></div>'
        for key, title, value, detail in cards
    ]
    return '<div class="ia-kpis">' + "".join(parts) + "</div>"


# --------------------------------------------------------------------------- report table


def _label(value: object) -> str:
    if isinstance(value, tuple):
        return " / ".join(_label(v) for v in value if v != "")
    return "(no name)" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def format_report_table(report: pd.DataFrame, *, max_rows: int | None = 25) -> str:
    """An aging report (from :func:`~invoice_analytics.aging.aging_report`) as
    an HTML table, rupiah with thousands separators, right-aligned.

    Only the first ``max_rows`` rows are shown (None = all) then a row
    counting the rest; the "Total" row is always shown last.

    >>> report = pd.DataFrame({"1-30": [1_500_000, 1_500_000], "Total": [1_500_000, 1_500_000]},
    ...                       index=pd.Index(["Ani", "Total"], name="customer_name"))
    >>> table = format_report_table(report)
    >>> "Rp 1,500,000" in table, table.count("<tr")
    (True, 3)
    """
    if len(report) == 0:
        return '<div class="ia-report ia-empty"><em>No open invoices or credits.</em></div>'
    has_total = report.index[-1] == TOTAL or (
        isinstance(report.index[-1], tuple) and report.index[-1][0] == TOTAL
    )
    body = report.iloc[:-1] if has_total else report
    shown = body if max_rows is None else body.iloc[:max_rows]
    rest = len(body) - len(shown)
    key = " / ".join(str(n) for n in report.index.names if n is not None) or ""
    columns = list(report.columns)
    cell = "padding:2px 8px;text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap"
    head = "".join(f'<th style="{cell}">{html.escape(str(c))}</th>' for c in columns)

    def row(label: str, values: Sequence[object], style: str = "") -> str:
        tds = "".join(f'<td style="{cell}">{_rp(v)}</td>' for v in values)
        return (f'<tr style="{style}"><th style="padding:2px 8px;text-align:left;white-space:nowrap">'
                f"{html.escape(label)}</th>{tds}</tr>")

    values = shown.to_numpy(dtype=object)
    rows = [row(_label(label), vals) for label, vals in zip(shown.index, values)]
    if rest:
        rows.append(
            f'<tr><td colspan="{len(columns) + 1}" style="padding:2px 8px;opacity:.7">'
            f"… {rest:,} more (export for the full table)</td></tr>"
        )
    if has_total:
        rows.append(row(TOTAL, report.iloc[-1].tolist(), "font-weight:600;border-top:1px solid"))
    return (
        '<div class="ia-report" style="max-height:32em;overflow:auto">'
        '<table style="border-collapse:collapse">'
        f'<thead><tr><th style="padding:2px 8px;text-align:left">{html.escape(key)}</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def format_report_text(report: pd.DataFrame, *, max_rows: int = 10) -> str:
    """The first ``max_rows`` rows (and the Total row) of a report as plain text.

    >>> report = pd.DataFrame({"Total": [5_000, 5_000]}, index=pd.Index(["Ani", "Total"], name="customer_name"))
    >>> print(format_report_text(report))
    customer_name    Total
              Ani Rp 5,000
            Total Rp 5,000
    """
    if len(report) == 0:
        return "No open invoices or credits."
    rows = report if len(report) <= max_rows + 1 else pd.concat([report.iloc[:max_rows], report.iloc[-1:]])
    key = " / ".join(str(n) for n in report.index.names if n is not None) or ""
    text = rows.map(_rp).reset_index(drop=True)
    text.insert(0, key, [_label(i) for i in rows.index])
    out = text.to_string(index=False)
    if len(rows) < len(report):
        out += f"\n… {len(report) - len(rows):,} more rows"
    return out


# --------------------------------------------------------------------------- charts


@dataclass(frozen=True)
class ChartSpec:
    """A chart of :mod:`invoice_analytics.charts` and the controls it depends on."""

    name: str
    uses_as_of: bool
    uses_edges: bool


#: Tab title -> chart: every chart of the panel, first one drawn by default.
CHARTS: dict[str, ChartSpec] = {
    "Aging": ChartSpec("plot_aging", True, True),
    "Top overdue": ChartSpec("plot_top_overdue", True, True),
    "Open by month": ChartSpec("plot_outstanding_by_month", True, False),
    "Paid ratio": ChartSpec("plot_paid_ratio_by_month", False, False),
}


def render_chart(
    title: str,
    df: pd.DataFrame,
    *,
    as_of: DateLike = None,
    edges: Iterable[int] = DEFAULT_EDGES,
    dpi: int = 96,
) -> bytes:
    """Draw one of :data:`CHARTS` on a fresh figure with matplotlib's Agg and
    return the PNG bytes (no pyplot state is touched).

    >>> from invoice_analytics.schema import empty_frame
    >>> render_chart("Aging", empty_frame())[:4]
    b'\\x89PNG'
    """
    from invoice_analytics import charts

    spec = CHARTS[title]
    plot: Callable[..., Any] = getattr(charts, spec.name)
    kwargs: dict[str, Any] = {}
    if spec.uses_edges:
        kwargs["edges"] = tuple(edges)
    ax = plot(df, as_of, **kwargs) if spec.uses_as_of else plot(df, **kwargs)
    buf = io.BytesIO()
    ax.figure.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


# --------------------------------------------------------------------------- exports


def excel_ready(df: pd.DataFrame, *, index: bool = True) -> pd.DataFrame:
    """A copy Excel writers accept: timezone-aware datetimes as naive
    Asia/Jakarta wall time, periods as text, the index as columns (``index``).

    >>> df = pd.DataFrame({"issued_at": pd.to_datetime(["2024-01-01 01:00"], utc=True)})
    >>> excel_ready(df, index=False)["issued_at"].tolist()
    [Timestamp('2024-01-01 08:00:00')]
    """
    out = df.reset_index() if index else df.copy()
    for name in out.columns:
        dtype = out[name].dtype
        if isinstance(dtype, pd.DatetimeTZDtype):
            out[name] = out[name].dt.tz_convert(JAKARTA).dt.tz_localize(None)
        elif isinstance(dtype, pd.PeriodDtype):
            out[name] = out[name].astype(str).where(out[name].notna(), None)
        elif dtype == object:
            out[name] = out[name].map(lambda v: str(v) if isinstance(v, (pd.Period, tuple)) else v)
    return out


def _money_columns(df: pd.DataFrame) -> list[str]:
    """Integer columns that hold rupiah: not counts, not days."""
    return [
        str(c) for c in df.columns
        if pd.api.types.is_integer_dtype(df[c].dtype)
        and not any(word in str(c).lower() for word in ("count", "days", "index"))
    ]


def write_excel(
    path: str | Path,
    sheets: Mapping[str, pd.DataFrame],
    *,
    money: Mapping[str, Iterable[str]] | None = None,
) -> Path:
    """Write ``sheets`` (name -> frame; a named index becomes columns) to one workbook.

    Rupiah stay numbers, shown with a ``"Rp" #,##0`` number format; by default
    the money columns are the integer columns whose name does not say count
    or days (``money`` maps a sheet to its money columns instead). Float
    columns named ``*ratio*`` or ``*share*`` are shown as percents. Datetimes
    are written as naive Asia/Jakarta wall time. Needs openpyxl
    (``pip install 'invoice-analytics[excel]'``).
    """
    try:
        import openpyxl  # noqa: F401
    except ImportError as exc:
        raise ImportError(_EXCEL_HINT) from exc
    from openpyxl.utils import get_column_letter

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            index = any(n is not None for n in frame.index.names)  # a named index is data
            table = excel_ready(frame, index=index)
            table.columns = [str(c) for c in table.columns]
            table.to_excel(writer, sheet_name=name, index=False)
            sheet = writer.sheets[name]
            cols = list(table.columns)
            wanted = list(money[name]) if money and name in money else _money_columns(table)
            for col_name in cols:
                letter = get_column_letter(cols.index(col_name) + 1)
                width = max([len(col_name)] + [len(str(v)) for v in table[col_name].head(200).tolist()])
                sheet.column_dimensions[letter].width = min(max(width + 2, 10), 48)
                is_ratio = pd.api.types.is_float_dtype(table[col_name].dtype) and any(
                    word in col_name.lower() for word in ("ratio", "share"))
                if col_name in wanted or is_ratio:
                    if col_name in wanted:
                        sheet.column_dimensions[letter].width = max(sheet.column_dimensions[letter].width, 16)
                    for (cell,) in sheet.iter_rows(min_row=2, min_col=cols.index(col_name) + 1,
                                                   max_col=cols.index(col_name) + 1):
                        cell.number_format = RUPIAH_FORMAT if col_name in wanted else PERCENT_FORMAT
                elif isinstance(table[col_name].dtype, np.dtype) and table[col_name].dtype.kind == "M":
                    sheet.column_dimensions[letter].width = 20
            sheet.freeze_panes = "A2"
    return path

