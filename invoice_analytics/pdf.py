"""A printable PDF of the aging report: A4 landscape, title block, summary, chart, top customers, notes.

Drawn with matplotlib's own PDF backend (``PdfPages``, no other dependency)
on figures made without pyplot, written atomically (a temporary file beside
``path``, renamed into place). Fonts are embedded as TrueType (``pdf.fonttype``
42) and the document's title and subject name the source, "DEMO DATA" for
the sample data. Every text is drawn through
:func:`~invoice_analytics._text.drawable`: ``$`` is literal, BOM,
zero-width and bidi controls are removed, so no customer name can fail the
PDF or be drawn reversed.

>>> import tempfile, pathlib, warnings  # doctest: +SKIP
>>> import invoice_analytics as ia  # doctest: +SKIP
>>> with warnings.catch_warnings():  # doctest: +SKIP
...     warnings.simplefilter("ignore", ia.DemoDataWarning)
...     df = ia.load_invoices("mayar", demo=True, progress=False)
>>> out = pathlib.Path(tempfile.mkdtemp()) / "aging.pdf"  # doctest: +SKIP
>>> path = write_pdf(df, out, "2026-11-21", terms_days={"mayar": 14})  # doctest: +SKIP
>>> data = path.read_bytes()  # doctest: +SKIP
>>> data[:5], page_count(data), b"DEMO DATA" in data  # doctest: +SKIP
(b'%PDF-', 2, True)
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from invoice_analytics._dates import jakarta_date
from invoice_analytics._docs import doc
from invoice_analytics._text import drawable
from invoice_analytics._types import AsOf, Basis, Terms
from invoice_analytics.analytics._rules import DEFAULT_EDGES
from invoice_analytics.analytics.aging import top_debtors
from invoice_analytics.analytics.customers import customer_label
from invoice_analytics.export import atomic_path

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["A4_LANDSCAPE", "page_count", "write_pdf"]

#: A4 landscape in inches.
A4_LANDSCAPE = (11.69, 8.27)
_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


def page_count(data: bytes) -> int:
    """The number of pages of a PDF, counted from its ``/Type /Page`` objects.

    >>> page_count(b"<< /Type /Pages >> << /Type /Page >> << /Type/Page >>")
    2
    """
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
    """Write the aging report as a printable PDF (A4 landscape, numbered pages).

    Page 1: the title block (report, as-of date, basis, terms, bucket edges,
    source, generated at), the summary by provider and the aging chart.
    Page 2: the top customers by open amount (the one customer key of
    every table: name, customer id and provider; with their oldest overdue
    invoice) and the conventions.

    Parameters
    ----------
    df : pandas.DataFrame
        A loader's frame or ``combine(...)`` of both.
    path : str or pathlib.Path
        The ``.pdf`` to write; its directory is created when missing.
    as_of : str, date, datetime, Timestamp or None, default None
        The aging date (None: today in Asia/Jakarta).
    edges : Sequence[int], default (30, 60, 90)
        Bucket edges in days.
    {basis}
    {terms_days}
    source : str or None, default None
        Where the figures come from; None reads ``df.attrs["source"]``
        ("DEMO DATA" for the sample data).

    Returns
    -------
    pathlib.Path
        ``path``, as a :class:`~pathlib.Path`.

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
    import matplotlib
    from matplotlib.backends.backend_pdf import PdfPages

    from invoice_analytics.report import NOTES, source_text, title_lines

    day = jakarta_date(as_of)
    frame = df
    if source is not None:
        frame = df.copy(deep=False)
        frame.attrs = {**df.attrs, "source": source}
    lines = title_lines(frame, day, report="Accounts receivable aging", edges=edges, basis=basis,
                        terms_days=terms_days)
    named = source_text(frame)
    path = Path(path)
    with matplotlib.rc_context({"pdf.fonttype": 42}):
        pages = [_first_page(frame, day, lines, edges, basis, terms_days),
                 _second_page(frame, day, lines, terms_days, NOTES)]
        with atomic_path(path) as temporary:
            metadata = {"Title": f"Accounts receivable aging as of {day.isoformat()}: {named}",
                        "Subject": named, "Creator": "invoice_analytics"}
            with PdfPages(temporary, metadata=metadata) as pdf:
                for number, figure in enumerate(pages, start=1):
                    figure.text(0.5, 0.02, f"Page {number} of {len(pages)}", ha="center", fontsize=8)
                    figure.text(0.98, 0.02, drawable(named), ha="right", fontsize=8)
                    pdf.savefig(figure)
    return path


def _drawn(text: str) -> str:
    """A text of several lines, each through :func:`~invoice_analytics._text.drawable`."""
    return "\n".join(drawable(line) for line in text.split("\n"))


def _header(figure: Figure, lines: list[str]) -> None:
    figure.text(0.04, 0.95, drawable(lines[0]), fontsize=16, weight="bold")
    figure.text(0.04, 0.93, _drawn("\n".join(lines[1:])), fontsize=8.5, va="top", linespacing=1.4)


def _first_page(df: pd.DataFrame, day: dt.date, lines: list[str], edges: Sequence[int], basis: Basis,
                terms_days: Terms) -> Figure:
    from matplotlib.figure import Figure

    from invoice_analytics.display.charts import plot_aging
    from invoice_analytics.report import summary_table

    figure = Figure(figsize=A4_LANDSCAPE)
    _header(figure, lines)
    table = summary_table(df, day, edges=edges, basis=basis, terms_days=terms_days)
    figure.text(0.04, 0.70, "Summary by provider", fontsize=11, weight="bold")
    figure.text(0.04, 0.68, _drawn(table), fontsize=7.5, family="monospace", va="top")
    ax = figure.add_axes((0.08, 0.08, 0.76, 0.40))  # room on the right for the legend
    plot_aging(df, day, edges=edges, basis=basis, terms_days=terms_days, ax=ax)
    return figure


def _second_page(df: pd.DataFrame, day: dt.date, lines: list[str], terms_days: Terms,
                 notes: list[tuple[str, str]]) -> Figure:
    from matplotlib.figure import Figure

    from invoice_analytics.formatting import format_rupiah

    figure = Figure(figsize=A4_LANDSCAPE)
    _header(figure, lines[:1] + lines[1:2])
    top = top_debtors(df, day, n=15, terms_days=terms_days)  # the one customer key: name, id, provider
    figure.text(0.04, 0.86, "Top customers by open amount", fontsize=11, weight="bold")
    rows = []
    for (name, customer_id, provider), row in top.iterrows():
        days = row["oldest_days_past_due"]
        rows.append([drawable(customer_label((name, None, provider))[:40]),
                     "" if pd.isna(customer_id) else drawable(customer_id), drawable(provider),
                     format_rupiah(int(row["open_amount"])), format_rupiah(int(row["overdue_amount"])),
                     "" if pd.isna(days) else str(int(days))])
    if rows:
        ax = figure.add_axes((0.04, 0.45, 0.92, 0.39))
        ax.axis("off")
        shown = ax.table(cellText=rows, colLabels=["Customer", "Customer ID", "Provider", "Open", "Overdue",
                                                   "Oldest days past due"], loc="upper left", cellLoc="left")
        shown.auto_set_font_size(False)
        shown.set_fontsize(7.5)
        for (r, _), cell in shown.get_celld().items():
            if r == 0:
                cell.set_text_props(weight="bold")
    else:
        figure.text(0.04, 0.82, "No open invoices.", fontsize=9)
    figure.text(0.04, 0.40, "Notes", fontsize=11, weight="bold")
    text = "\n".join(f"{topic}: {convention}" for topic, convention in notes)
    figure.text(0.04, 0.38, _drawn(text), fontsize=7.5, va="top", linespacing=1.5, wrap=True)
    return figure
