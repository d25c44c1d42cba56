"""The pack's PDF, typeset by :mod:`invoice_analytics._typeset`: the cover, one section after another
(the trend chart as a picture), then a statement per customer, each starting a page.

fpdf2 rather than matplotlib's PdfPages: a statement for each of 350 customers takes about 0.5 s a page
with matplotlib's text layout, seconds in all with fpdf2 (``docs/benchmarks/pack.md``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from invoice_analytics._typeset import Document, Prepared, clean, figure_png
from invoice_analytics.pack._workbook import DESCRIPTIONS, cover_frame

if TYPE_CHECKING:
    from invoice_analytics.pack._build import MonthEndPack

__all__ = ["PDF_COLUMNS", "write_pack_pdf"]

#: The columns each section prints (all of them when not listed).
PDF_COLUMNS: dict[str, list[str]] = {
    "Changes (detail)": ["invoice_id", "customer_name", "provider", "kind", "outstanding_before",
                         "outstanding_after", "outstanding_change", "seen_unchanged_at", "seen_changed_at"],
    "Collections": ["customer_name", "customer_id", "provider", "overdue_count", "overdue_amount",
                    "oldest_invoice_id", "oldest_days_past_due", "customer_email", "customer_mobile"],
}
_ITEMS = ["invoice_id", "issued_at", "due_date", "days_past_due", "amount", "amount_basis", "paid_to_date",
          "outstanding", "balance"]
_ACTIVITY = ["line", "invoice_id", "seen_after", "seen_by", "balance_change", "balance"]


def _trend_png(trend: pd.DataFrame) -> bytes:
    from invoice_analytics.display._trend_chart import plot_aging_trend

    ax = plot_aging_trend(trend, title="Open amount by aging bucket at each month end")
    figure = ax.get_figure(root=True)
    assert figure is not None
    return figure_png(figure, 10, 4.2)


def write_pack_pdf(pack: MonthEndPack, path: str | Path) -> Path:
    """Write ``pack`` as a PDF at ``path``: cover, one section after another, then a statement per customer."""
    doc = Document(f"Month-end AR pack as of {pack.as_of.isoformat()} (Asia/Jakarta) · {pack.source}"
                   + (" · DEMO DATA" if pack.is_demo else ""),
                   title=f"Month-end AR pack as of {pack.as_of.isoformat()}: {pack.source}", subject=pack.source)
    pdf = doc.pdf
    pdf.add_page()
    doc.title("Month-end accounts receivable pack", f"As of {pack.as_of.isoformat()} (Asia/Jakarta)")
    cover = cover_frame(pack)
    long = cover["item"].str.startswith(("Note", "Left out"))
    doc.table(cover[~long.to_numpy()].set_index("item"), size=8.5, sheet="Cover")
    for item, value in cover[long.to_numpy()].itertuples(index=False):
        doc.paragraph(f"{item}: {value}", 8.5)
        pdf.ln(1)
    for name, frame in pack.sections.items():
        if name in ("Statements", "Statement activity"):
            continue
        pdf.add_page()
        doc.title(name, DESCRIPTIONS.get(name, ""))
        if name == "Trend" and len(frame):
            doc.image(_trend_png(frame), 85)
        doc.table(frame, PDF_COLUMNS.get(name), sheet=name)
        if name == "DSO by provider":
            doc.paragraph("Faspay's lists carry no invoice amount: its DSO uses the largest outstanding the store saw "
                          "while each invoice was open, a lower bound of the amount, and misses invoices never seen "
                          "open. \"All providers\" is the countback of both rows together.")
    _statements(doc, pack)
    return doc.save(path)


def _statements(doc: Document, pack: MonthEndPack) -> None:
    """One customer per page (continued on the next when long): contact, open items, the month's activity."""
    items = pack.sections.get("Statements")
    if items is None or not len(items):
        return
    activity = pack.sections.get("Statement activity")
    key = ["customer_name", "customer_id", "provider"]
    item_groups = _groups(items, key)
    activity_groups = _groups(activity, key) if activity is not None else {}
    prepared_items = Prepared(items, _ITEMS, "Statements")
    prepared_activity = Prepared(activity, _ACTIVITY, "Statement activity") if activity is not None else None
    since = pack.sections["Changes (detail)"].attrs.get("since", pack.previous) if (
        "Changes (detail)" in pack.sections) else pack.previous
    basis = items["amount_basis"].to_numpy()
    for customer, positions in item_groups.items():
        rows = items.iloc[positions[:1]]
        doc.pdf.add_page()
        name, ident, provider = customer
        doc.title(f"Statement of account: {name}",
                  f"Customer ID {ident or '–'} · {provider} · as of {pack.as_of.isoformat()}")
        first = rows.iloc[0]
        contact = [f"{label}: {clean(first[c])}" for c, label in (("customer_email", "Email"),
                                                                   ("customer_mobile", "Phone"))
                   if pd.notna(first[c])]
        doc.paragraph(" · ".join(contact) if contact else "No contact details from the provider.")
        doc.pdf.ln(1)
        doc.paragraph("Open items", 9, bold=True)
        doc.table(prepared_items, rows=positions)
        if (basis[positions] == "observed").any():
            doc.paragraph("Amount \"observed\": Faspay lists carry no invoice amount; shown is the largest "
                          "outstanding the store saw while the invoice was open (a lower bound).", 7)
        lines = activity_groups.get(customer)
        if lines is not None and prepared_activity is not None:
            doc.paragraph(f"Activity from the end of {since.isoformat()} to the end of {pack.as_of.isoformat()}",
                          9, bold=True)
            doc.table(prepared_activity, rows=lines)
            doc.paragraph("A change is dated by the refreshes around it: seen unchanged at \"Seen after\", "
                          "changed at \"Seen by\"; the lists give no payment dates.", 7)


def _groups(frame: pd.DataFrame, key: list[str]) -> dict[tuple[Any, ...], np.ndarray]:
    """Per customer (in order of appearance), the positions of its rows."""
    if not len(frame):
        return {}
    labels = [tuple(None if pd.isna(v) else str(v) for v in row) for row in frame[key].itertuples(index=False)]
    codes, uniques = pd.factorize(pd.Series(labels, dtype=object))
    order = np.argsort(codes, kind="stable")
    bounds = np.flatnonzero(np.r_[True, codes[order][1:] != codes[order][:-1], True])
    return {uniques[codes[order[bounds[i]]]]: order[bounds[i]:bounds[i + 1]] for i in range(len(bounds) - 1)}
