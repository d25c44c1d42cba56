"""The aging report workbook and terminal summary behind ``invoice-analytics report`` (:doc:`/guide/charts-report`;
the workbook is read back in ``tests/test_report.py``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from invoice_analytics._dates import jakarta_date
from invoice_analytics._types import AsOf, Basis, Terms
from invoice_analytics.analytics._rules import DEFAULT_EDGES
from invoice_analytics.analytics.aging import aging_report, overdue_invoices, overdue_totals
from invoice_analytics.analytics.customers import CUSTOMER
from invoice_analytics.analytics.ratios import paid_ratio
from invoice_analytics.formatting import format_count, format_percent, format_rupiah
from invoice_analytics.schema import DEMO_SOURCE, JAKARTA, PROVIDERS
from invoice_analytics.settings import terms_notes
from invoice_analytics.workbook import HEADERS, write_sheets

__all__ = ["DATE_FORMATS", "HEADERS", "NOTES", "balance_note", "present_providers", "report_notes", "source_text",
           "summary_frame", "summary_table", "terms_text", "title_lines", "write_workbook"]

#: The columns of the "Overdue invoices" sheet.
_OVERDUE_COLUMNS = ["provider", "invoice_id", "customer_name", "customer_id", "status", "issued_at", "due_at",
                    "outstanding", "days_past_due", "bucket"]

#: Number formats of the date columns: dates without a time, months as "Nov 2026".
DATE_FORMATS: dict[str, str] = {
    "issued_at": "yyyy-mm-dd", "due_at": "yyyy-mm-dd", "due_date": "yyyy-mm-dd", "oldest_due_date": "yyyy-mm-dd",
    "issue_month": "mmm yyyy",
}

NOTES: list[tuple[str, str]] = [
    ("Open", "Outstanding > 0 and status not draft, cancelled or proforma (a missing status counts)."),
    ("Credit", "Outstanding < 0 under the same status rule; shown in the Credit column, netted in Total."),
    ("Days past due", "Calendar days in Asia/Jakarta from the due date to the as-of date (due today = 0)."),
    ("Due date", "The invoice's due date; without one (every Mayar invoice), the issue date plus the terms."),
    ("Terms", "Days after issue an invoice without a due date is due; 0 = due on receipt, so every open "
              "Mayar invoice is overdue the day after issue unless terms are given."),
    ("Buckets", "Current (not yet due), then right-inclusive day ranges from the bucket edges "
                "(day 30 is in 1-30), then beyond the last edge."),
    ("Overdue", "Open and at least 1 day past due."),
    ("Paid ratio (count)", "Paid invoices / counted invoices (drafts, cancelled and proforma left out)."),
    ("Paid ratio (amount)", "Paid rupiah / billed rupiah. Faspay lists carry no invoice amount, so it covers "
                            "Mayar invoices only."),
    ("Amounts", "Exact integer rupiah."),
]


def balance_note(df: pd.DataFrame, as_of: AsOf = None) -> str:
    """Whose balances ``df`` holds, true for its source: a history store's reading (``attrs["as_of"]`` a time),
    a load, or the demo sample (``attrs["source"] == "demo"``), and whether they are those of ``as_of``."""
    day = jakarta_date(as_of)
    known = df.attrs.get("as_of")
    demo = df.attrs.get("source") == DEMO_SOURCE
    if known and "T" in str(known):  # a store's reading: the time it was read at
        stamp = pd.Timestamp(str(known)).tz_convert(JAKARTA)
        end = stamp + pd.Timedelta(1, unit="us") == (stamp + pd.Timedelta(1, unit="us")).normalize()
        when = f"the end of {stamp.date()}" if end else f"{stamp:%Y-%m-%d %H:%M} WIB"
        aged = "" if stamp.date() == day else f", aged at {day}; they are not the balances of that day"
        who = "the simulated demo history store (DEMO DATA)" if demo else "the history store"
        return f"Balances are those {who} knew at {when}{aged}."
    if demo:
        seen = f", as seen on {known}" if known else ""
        aged = "" if str(known) == day.isoformat() else f", aged at {day}; they are not the balances of that day"
        return f"Balances are those of the embedded demo sample (made-up invoices, DEMO DATA){seen}{aged}."
    return ("Balances are those of the load" + (f" (known at {known})" if known else "")
            + f", aged at {day}; they are not the balances of that day unless the load was made then.")


def report_notes(df: pd.DataFrame, as_of: AsOf = None) -> list[tuple[str, str]]:
    """:data:`NOTES`, then ("Balances", :func:`balance_note`): the conventions, true for ``df``'s source."""
    return [*NOTES, ("Balances", balance_note(df, as_of))]


def source_text(df: pd.DataFrame) -> str:
    """Where the figures come from: ``"DEMO DATA (embedded sample invoices)"`` or the live providers."""
    source = df.attrs.get("source")
    if source == "demo":
        return "DEMO DATA (embedded sample invoices)"
    if source:
        return f"live: {source}"
    providers = sorted(str(p) for p in df["provider"].dropna().unique()) if "provider" in df else []
    return f"frame given ({', '.join(providers) or 'no invoices'}; origin not recorded)"


def terms_text(terms_days: Terms) -> str:
    """Payment terms in words."""
    if isinstance(terms_days, str):
        return f"each invoice's {terms_days!r} column"
    if isinstance(terms_days, Mapping):
        named = ", ".join(f"{p} {d} days" for p, d in terms_days.items())
        return f"{named}, others 0, where no due date"
    return f"{terms_days} days{' (due on receipt)' if terms_days == 0 else ''} where no due date"


def present_providers(df: pd.DataFrame) -> list[str]:
    """The providers with invoices in ``df``, in the usual order."""
    if "provider" not in df:
        return []
    seen = {str(p) for p in df["provider"].dropna().unique()}
    return sorted(seen, key=lambda p: (p not in PROVIDERS, PROVIDERS.index(p) if p in PROVIDERS else 0, p))


def title_lines(df: pd.DataFrame, as_of: AsOf, *, report: str, edges: Sequence[int], basis: Basis,
                terms_days: Terms) -> list[str]:
    """The title block: report name, as-of date, basis, terms, bucket edges, source, generated at, then a note
    for each provider without due dates aged with terms 0 (``settings.terms_notes``)."""
    now = pd.Timestamp.now(tz=JAKARTA).strftime("%Y-%m-%d %H:%M")
    basis_text = "days past the due date" if basis == "due" else "days since the issue date"
    notes = [f"Note: {n}" for n in terms_notes(terms_days, present_providers(df))] if basis == "due" else []
    return [
        report,
        f"As of: {jakarta_date(as_of).isoformat()} (Asia/Jakarta)",
        f"Basis: {basis_text}",
        f"Terms: {terms_text(terms_days)}",
        f"Bucket edges: {', '.join(str(e) for e in edges)} days",
        f"Source: {source_text(df)}",
        f"Generated: {now} WIB (Asia/Jakarta)",
        *notes,
    ]


def write_workbook(df: pd.DataFrame, path: str | Path, as_of: AsOf = None, *, edges: Sequence[int] = DEFAULT_EDGES,
                   basis: Basis = "due", terms_days: Terms = 0) -> dict[str, pd.DataFrame]:
    """Write the aging workbook to ``path`` (:func:`~invoice_analytics.workbook.write_sheets`) and return its
    sheets as frames (their column names; the workbook shows :data:`HEADERS`): each with the title block
    (:func:`title_lines`), bold header and Total rows, an autofilter, frozen panes and a print setup; a "Notes"
    sheet states the conventions (:func:`report_notes`)."""
    as_of = jakarta_date(as_of)
    overdue = overdue_invoices(df, as_of, edges=edges, basis=basis, terms_days=terms_days)[_OVERDUE_COLUMNS]
    overdue = _as_dates(overdue, ["issued_at", "due_at"])
    sheets = {
        "Aging by customer": aging_report(df, as_of, by=CUSTOMER, edges=edges, basis=basis,
                                          terms_days=terms_days, totals=True),
        "Overdue invoices": overdue,
        "Paid ratio by month": _paid_by_month(df),
        "Notes": pd.DataFrame(report_notes(df, as_of), columns=["topic", "convention"]),
    }
    title = title_lines(df, as_of, report="Accounts receivable aging", edges=edges, basis=basis,
                        terms_days=terms_days)
    write_sheets(path, sheets, titles={name: [name, *title] for name in sheets}, formats=DATE_FORMATS)
    return sheets


def _as_dates(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """``columns`` as naive Jakarta dates at midnight (the time of a due or issue date means nothing)."""
    out = frame.copy()
    for name in columns:
        values = out[name]
        if isinstance(values.dtype, pd.DatetimeTZDtype):
            values = values.dt.tz_convert(JAKARTA).dt.tz_localize(None)
        out[name] = values.dt.normalize()
    return out


def _paid_by_month(df: pd.DataFrame) -> pd.DataFrame:
    by_count = paid_ratio(df, by="issue_month", weight="count", totals=False)
    by_amount = paid_ratio(df, by="issue_month", weight="amount", totals=False)
    by_count = by_count.rename(columns={"paid_ratio": "paid_ratio_by_count"})
    out = by_count.join(by_amount.rename(columns={"paid_ratio": "paid_ratio_by_amount"}))
    if isinstance(out.index.dtype, pd.PeriodDtype):  # months as real dates, shown "Nov 2026"
        out.index = pd.DatetimeIndex(out.index.to_timestamp(), name=out.index.name)
    return out


def summary_frame(df: pd.DataFrame, as_of: AsOf = None, *, edges: Sequence[int] = DEFAULT_EDGES,
                  basis: Basis = "due", terms_days: Terms = 0) -> pd.DataFrame:
    """Per provider, then "Total": ``invoice_count``, ``open_count``, the aging buckets, Credit, Total,
    ``overdue_amount`` and ``paid_ratio_by_count``: the summary of the report and of the pack."""
    report = aging_report(df, as_of, by="provider", edges=edges, basis=basis, terms_days=terms_days, totals=True)
    overdue = overdue_totals(df, as_of, by="provider", terms_days=terms_days, totals=True)
    counts = df.groupby(df["provider"].astype(str), observed=True).size() if len(df) else pd.Series(dtype="int64")
    table = report.copy()
    table.insert(0, "invoice_count", pd.array([int(counts.get(str(p), counts.sum() if p == "Total" else 0))
                                               for p in table.index], dtype="int64"))
    table.insert(1, "open_count", overdue["open_count"].reindex(table.index).fillna(0).astype("int64").to_numpy())
    table["overdue_amount"] = overdue["overdue_amount"].reindex(table.index).fillna(0).astype("int64").to_numpy()
    table["paid_ratio_by_count"] = paid_ratio(df, by="provider", totals=True)["paid_ratio"].reindex(table.index)
    return table


def summary_table(df: pd.DataFrame, as_of: AsOf = None, *, edges: Sequence[int] = DEFAULT_EDGES,
                  basis: Basis = "due", terms_days: Terms = 0) -> str:
    """:func:`summary_frame` as text for the terminal, rupiah thousands-separated ("No invoices." when empty)."""
    table = summary_frame(df, as_of, edges=edges, basis=basis, terms_days=terms_days)
    if table.empty:
        return "No invoices."
    table = table.drop(columns="open_count").rename(
        columns={"invoice_count": "Invoices", "overdue_amount": "Overdue", "paid_ratio_by_count": "Paid ratio"})
    shown = table.astype(object)
    for name in table.columns:
        if name == "Paid ratio":
            shown[name] = [format_percent(v) for v in table[name]]
        elif name == "Invoices":
            shown[name] = [format_count(int(v)) for v in table[name]]
        else:
            shown[name] = [format_rupiah(int(v)) if pd.notna(v) else "–" for v in table[name]]
    out: str = shown.to_string()
    return out
