"""The pack's PDF: typeset tables in full rupiah, numbered pages, a statement per customer (fpdf2).

A4 landscape. Every page has a header (the pack, its as-of date, the
source; DEMO DATA where it applies) and a footer "Page n of N". Tables have
a bold header row, repeated on each page a table runs onto, numbers
right-aligned in full rupiah ("Rp 1.234.567"; compact amounts only on the
chart's axis), long text cut with an ellipsis to its column, never over the
next one. The trend chart is drawn by matplotlib and placed as a picture.
Each customer's statement starts on a new page.

fpdf2 rather than matplotlib's PdfPages: a statement for each of 350
customers takes about 0.5 s a page with matplotlib's text layout, seconds in
all with fpdf2 (see ``docs/benchmarks/pack.md``). The fonts are
matplotlib's DejaVu Sans (any Unicode a customer name holds), embedded.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from invoice_analytics.export import atomic_path, excel_ready
from invoice_analytics.formatting import format_count, format_number, format_percent, format_rupiah
from invoice_analytics.pack._workbook import DESCRIPTIONS, cover_frame
from invoice_analytics.workbook import _MORE_HEADERS as MORE_HEADERS
from invoice_analytics.workbook import HEADERS, column_kind

if TYPE_CHECKING:
    from invoice_analytics.pack._build import MonthEndPack

__all__ = ["PDF_COLUMNS", "write_pack_pdf"]

_HINT = "the month-end pack's PDF needs fpdf2: pip install 'invoice-analytics[excel,pack]'"
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
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


def _text(value: object) -> str:
    return _CONTROL.sub(" ", str(value))


def _cell_text(value: Any, kind: str) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if kind == "money":
        return format_rupiah(int(value), compact=False)
    if kind in ("count", "days"):
        return format_count(int(value))
    if kind == "percent":
        return format_percent(float(value))
    if kind == "decimal":
        return format_number(float(value))
    if kind == "date":
        return str(pd.Timestamp(value).strftime("%Y-%m-%d"))
    if kind == "datetime":
        return str(pd.Timestamp(value).strftime("%Y-%m-%d %H:%M"))
    if kind == "bool":
        return "yes" if value else "no"
    return _text(value)


class _Prepared:
    """A frame's cells as the PDF prints them, made once (a named index becomes columns)."""

    def __init__(self, frame: pd.DataFrame, columns: Sequence[str] | None, sheet: str) -> None:
        index = any(n is not None for n in frame.index.names)
        table = excel_ready(frame, index=index)
        table.columns = [str(c) for c in table.columns]
        self.cols = [c for c in (columns or table.columns) if c in table.columns]
        self.kinds = {c: column_kind(c, table[c], sheet) for c in self.cols}
        self.cells = {c: [_cell_text(v, self.kinds[c]) for v in table[c].tolist()] for c in self.cols}
        self.labels = {c: {**MORE_HEADERS, **HEADERS}.get(c, c) for c in self.cols}
        self.n = len(table)


class _Doc:
    """An fpdf2 document with the pack's header, footer and table typesetting."""

    def __init__(self, pack: MonthEndPack) -> None:
        try:
            from fpdf import FPDF
        except ImportError as exc:
            raise ImportError(_HINT) from exc
        import matplotlib

        fonts = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
        header = (f"Month-end AR pack as of {pack.as_of.isoformat()} (Asia/Jakarta) · {pack.source}"
                  + (" · DEMO DATA" if pack.is_demo else ""))

        class Document(FPDF):
            def header(self) -> None:
                self.set_font("DejaVu", "", 7.5)
                self.set_text_color(90, 90, 90)
                self.cell(0, 4, _text(header), new_x="LMARGIN", new_y="NEXT")
                self.set_text_color(0, 0, 0)
                self.ln(2)

            def footer(self) -> None:
                self.set_y(-10)
                self.set_font("DejaVu", "", 7.5)
                self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="C")

        pdf = Document(orientation="L", unit="mm", format="A4")
        pdf.set_margins(10, 8, 10)
        pdf.set_auto_page_break(True, margin=14)
        pdf.add_font("DejaVu", "", str(fonts / "DejaVuSans.ttf"))
        pdf.add_font("DejaVu", "B", str(fonts / "DejaVuSans-Bold.ttf"))
        pdf.set_title(f"Month-end AR pack as of {pack.as_of.isoformat()}: {pack.source}")
        pdf.set_subject(pack.source)
        pdf.set_creator("invoice_analytics")
        self.pdf = pdf
        self.pack = pack
        self._chars: dict[bool, dict[str, float]] = {}
        self._texts: dict[tuple[str, bool], float] = {}

    @property
    def width(self) -> float:
        return float(self.pdf.epw)

    def title(self, text: str, description: str = "") -> None:
        pdf = self.pdf
        pdf.set_font("DejaVu", "B", 13)
        pdf.cell(0, 7, self._fit(_text(text), self.width, 13 / 0.93), new_x="LMARGIN", new_y="NEXT")
        if description:
            self.paragraph(description, 8.5)
        pdf.ln(1.5)

    def paragraph(self, text: str, size: float = 8.0, bold: bool = False) -> None:
        self.pdf.set_font("DejaVu", "B" if bold else "", size)
        for line in self._wrap(_text(text), self.width, size, bold):
            self.pdf.cell(0, size * 0.5, line, new_x="LMARGIN", new_y="NEXT")

    def text_width(self, text: str, size: float, bold: bool = False) -> float:
        """The width of ``text`` in mm at ``size`` points, from per-character widths (cached)."""
        known = self._texts.get((text, bold))
        if known is not None:
            return known * size
        widths = self._chars.setdefault(bold, {})
        total = 0.0
        for ch in text:
            w = widths.get(ch)
            if w is None:  # measured at 10 pt, then the current font is set back
                pdf = self.pdf
                current = (pdf.font_family, pdf.font_style, pdf.font_size_pt)
                pdf.set_font("DejaVu", "B" if bold else "", 10)
                w = widths[ch] = float(pdf.get_string_width(ch)) / 10
                pdf.set_font(*current)
            total += w
        if len(self._texts) < 200_000:
            self._texts[(text, bold)] = total
        return total * size

    def put(self, x: float, y: float, width: float, height: float, text: str, size: float, *,
            right: bool = False, bold: bool = False) -> None:
        """``text`` in the box at (x, y) of ``width`` x ``height`` mm, left or right aligned (pad 0.75 mm)."""
        if not text:
            return
        left = x + width - 0.75 - self.text_width(text, size, bold) if right else x + 0.75
        self.pdf.text(left, y + height / 2 + size * 0.3528 * 0.36, text)

    def _wrap(self, text: str, width: float, size: float, bold: bool) -> list[str]:
        lines: list[str] = []
        current = ""
        for word in text.split(" "):
            trial = f"{current} {word}".strip()
            if current and self.text_width(trial, size, bold) > width - 1.5:
                lines.append(current)
                current = word
            else:
                current = trial
        return [*lines, current]

    def _fit(self, text: str, width: float, size: float) -> str:
        if self.text_width(text, size, True) <= width - 1.5:
            return text
        while text and self.text_width(text + "…", size, True) > width - 1.5:
            text = text[:-1]
        return text + "…"

    def table(self, frame: pd.DataFrame | _Prepared, columns: Sequence[str] | None = None, *, size: float = 7.5,
              sheet: str = "", rows: Sequence[int] | np.ndarray | None = None) -> None:
        """Typeset ``frame`` (a named index becomes columns): header row repeated on each page."""
        pdf = self.pdf
        prepared = frame if isinstance(frame, _Prepared) else _Prepared(frame, columns, sheet)
        picked = list(range(prepared.n)) if rows is None else list(rows)
        cols = [c for c in prepared.cols if columns is None or c in columns]
        if not picked:
            self.paragraph("Nothing to show.")
            return
        kinds, cells, labels = prepared.kinds, prepared.cells, prepared.labels
        widths = {}
        for c in cols:
            sample = {cells[c][i] for i in picked[:2000]}
            body = max((self.text_width(t, size, True) for t in sample), default=0.0) + 2.5  # room for bold
            head = min(self.text_width(labels[c], size, True) + 2.5, 28 if kinds[c] != "text" else 40)
            widths[c] = max(body, head, 10)
        total = sum(widths.values())
        if total > self.width:  # shrink the text columns first, never the numbers
            text_cols = [c for c in cols if kinds[c] == "text"]
            excess = total - self.width
            room = sum(max(widths[c] - 18, 0) for c in text_cols)
            for c in text_cols:
                if room > 0:
                    widths[c] -= min(excess, room) * max(widths[c] - 18, 0) / room
        line = size * 0.48
        heads = {c: self._wrap(labels[c], widths[c], size, True) for c in cols}
        depth = max(len(h) for h in heads.values())

        def head_row() -> None:
            pdf.set_font("DejaVu", "B", size)
            y = pdf.get_y()
            for k in range(depth):
                x = pdf.l_margin
                for c in cols:
                    text = heads[c][k] if k < len(heads[c]) else ""
                    self.put(x, y + k * line, widths[c], line, text, size, right=kinds[c] != "text", bold=True)
                    x += widths[c]
            pdf.line(pdf.l_margin, y + depth * line + 0.3, pdf.l_margin + sum(widths.values()),
                     y + depth * line + 0.3)
            pdf.set_xy(pdf.l_margin, y + depth * line + 0.8)
            pdf.set_font("DejaVu", "", size)

        if pdf.get_y() + (depth + 2) * line > pdf.h - pdf.b_margin:
            pdf.add_page()
        head_row()
        bottom = pdf.h - pdf.b_margin
        first = cells[prepared.cols[0]]
        for i in picked:
            if pdf.get_y() + line + 0.6 > bottom:
                pdf.add_page()
                head_row()
            # the totals row is the table's last (as the workbook's): a customer named "Total" is data
            strong = first[i] in ("Opening balance", "Closing balance") or (
                i == picked[-1] and first[i] in ("Total", "All providers"))
            pdf.set_font("DejaVu", "B" if strong else "", size)
            x, y = pdf.l_margin, pdf.get_y()
            for c in cols:
                text = cells[c][i]
                if kinds[c] == "text":
                    text = self._fit(text, widths[c], size)
                self.put(x, y, widths[c], line + 0.6, text, size, right=kinds[c] != "text", bold=strong)
                x += widths[c]
            pdf.set_xy(pdf.l_margin, y + line + 0.6)
        pdf.set_font("DejaVu", "", size)
        pdf.ln(2)

    def image(self, png: bytes, height: float) -> None:
        if self.pdf.get_y() + height > self.pdf.h - self.pdf.b_margin:
            self.pdf.add_page()
        self.pdf.image(io.BytesIO(png), x=self.pdf.l_margin, w=self.width * 0.8, h=height, keep_aspect_ratio=True)
        self.pdf.ln(2)


def _trend_png(trend: pd.DataFrame) -> bytes:
    from invoice_analytics.display._trend_chart import plot_aging_trend

    ax = plot_aging_trend(trend, title="Open amount by aging bucket at each month end")
    figure = ax.get_figure(root=True)
    assert figure is not None
    figure.set_size_inches(10, 4.2)
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=130, bbox_inches="tight")
    return out.getvalue()


def write_pack_pdf(pack: MonthEndPack, path: str | Path) -> Path:
    """Write ``pack`` as a PDF at ``path``: cover, one section after another, then a statement per customer."""
    doc = _Doc(pack)
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
    path = Path(path)
    with atomic_path(path) as temporary:
        pdf.output(str(temporary))
    return path


def _statements(doc: _Doc, pack: MonthEndPack) -> None:
    """One customer per page (continued on the next when long): contact, open items, the month's activity."""
    items = pack.sections.get("Statements")
    if items is None or not len(items):
        return
    activity = pack.sections.get("Statement activity")
    key = ["customer_name", "customer_id", "provider"]
    item_groups = _groups(items, key)
    activity_groups = _groups(activity, key) if activity is not None else {}
    prepared_items = _Prepared(items, _ITEMS, "Statements")
    prepared_activity = _Prepared(activity, _ACTIVITY, "Statement activity") if activity is not None else None
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
        contact = [f"{label}: {_text(first[c])}" for c, label in (("customer_email", "Email"),
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
