"""A printable PDF of the aging report (two numbered pages), typeset as the month-end pack's
(:mod:`invoice_analytics._typeset`)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from invoice_analytics._dates import jakarta_date
from invoice_analytics._docs import doc
from invoice_analytics._types import AsOf, Basis, Terms
from invoice_analytics._typeset import Document, figure_png
from invoice_analytics.analytics._rules import DEFAULT_EDGES
from invoice_analytics.analytics.aging import top_debtors
from invoice_analytics.analytics.customers import customer_label

__all__ = ["page_count", "write_pdf"]

_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")
#: The columns of the top customers table.
_TOP = ["customer_name", "customer_id", "provider", "open_count", "open_amount", "overdue_amount",
        "oldest_invoice_id", "oldest_days_past_due"]


def page_count(data: bytes) -> int:
    """The number of pages of a PDF, counted from its ``/Type /Page`` objects."""
    return len(_PAGE.findall(data))


@doc()
def write_pdf(
    df: pd.DataFrame,
    path: str | Path,
    as_of: AsOf = None,
    *,
    edges: Sequence[int] = DEFAULT_EDGES,
    basis: Basis = "due",
    terms_days: Terms = 0,
    source: str | None = None,
) -> Path:
    """Write the aging report as a printable PDF, typeset as the month-end pack's (:doc:`/guide/charts-report`).

    The title block, the summary by provider, the aging chart, the top customers and the notes; the as-of
    date and source head every page, "Page n of N" ends it. Needs fpdf2 (``pip install 'invoice-analytics[pack]'``).

    Parameters
    ----------
    df : pandas.DataFrame
        A loader's frame, ``combine(...)`` of both, or a store's ``as_of(...)``.
    path : str or pathlib.Path
        The ``.pdf`` to write (atomically); its directory is created when missing.
    {as_of}
    {edges}
    {basis}
    {terms_days}
    source : str or None, default None
        Where the figures come from; None reads ``df.attrs["source"]`` ("demo": DEMO DATA).

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ImportError
        Without fpdf2, naming the extra to install.

    See Also
    --------
    write_excel : The same report as a workbook (``invoice-analytics report``).

    Examples
    --------
    >>> import tempfile
    >>> from invoice_analytics.schema import empty_frame
    >>> out = write_pdf(empty_frame(), Path(tempfile.mkdtemp()) / "empty.pdf", "2026-11-21", source="faspay")
    >>> page_count(out.read_bytes())
    2
    """
    from invoice_analytics.report import source_text

    day = jakarta_date(as_of)
    frame = df
    if source is not None:
        frame = df.copy(deep=False)
        frame.attrs = {**df.attrs, "source": source}
    named = source_text(frame)
    document = Document(f"Accounts receivable aging as of {day.isoformat()} (Asia/Jakarta) · {named}",
                        title=f"Accounts receivable aging as of {day.isoformat()}: {named}", subject=named)
    _first_page(document, frame, day, edges, basis, terms_days)
    _second_page(document, frame, day, terms_days)
    return document.save(path)


def _first_page(document: Document, df: pd.DataFrame, day: dt.date, edges: Sequence[int], basis: Basis,
                terms_days: Terms) -> None:
    from matplotlib.figure import Figure

    from invoice_analytics.display.charts import plot_aging
    from invoice_analytics.report import summary_frame, title_lines

    lines = title_lines(df, day, report="Accounts receivable aging", edges=edges, basis=basis, terms_days=terms_days)
    document.pdf.add_page()
    document.title(lines[0], lines[1].replace("As of: ", "As of "))
    document.pairs([(line.split(": ", 1)[0], line.split(": ", 1)[-1]) for line in lines[2:]
                    if not line.startswith("Note: ")])
    document.pairs([("Note", line.removeprefix("Note: ")) for line in lines[2:] if line.startswith("Note: ")])
    document.paragraph("Summary by provider", 10, bold=True)
    document.pdf.ln(1)
    document.table(summary_frame(df, day, edges=edges, basis=basis, terms_days=terms_days), sheet="Summary")
    figure = Figure()
    plot_aging(df, day, edges=edges, basis=basis, terms_days=terms_days, ax=figure.add_subplot())
    document.image(figure_png(figure, 10, 4.2), 88)


def _second_page(document: Document, df: pd.DataFrame, day: dt.date, terms_days: Terms) -> None:
    from invoice_analytics.report import report_notes

    document.pdf.add_page()
    document.paragraph("Top customers by open amount", 10, bold=True)
    document.pdf.ln(1)
    top = top_debtors(df, day, n=15, terms_days=terms_days).reset_index()
    if len(top):
        top["customer_name"] = [customer_label((n, None)) for n in top["customer_name"]]
    document.table(top, _TOP, sheet="Top customers")
    document.paragraph("Notes", 10, bold=True)
    document.pdf.ln(1)
    document.pairs(report_notes(df, day))
