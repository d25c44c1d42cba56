"""The one PDF typesetter (fpdf2, the ``pack`` extra) of ``write_pdf`` and of the month-end pack, A4 landscape.

A header line (document, as-of date, source) and "Page n of N" on every page; tables with a bold header row
repeated on each page they run onto, numbers right-aligned in full rupiah (compact amounts only on a chart's
axes), text cut with an ellipsis to its column; charts as pictures, never over the footer. Text from data goes
through :func:`clean`; the fonts are matplotlib's DejaVu Sans, embedded.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from invoice_analytics._text import drawable
from invoice_analytics.export import atomic_path, excel_ready
from invoice_analytics.formatting import format_count, format_number, format_percent, format_rupiah
from invoice_analytics.workbook import column_kind, header

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["FPDF_HINT", "Document", "Prepared", "cell_text", "clean", "figure_png"]

FPDF_HINT = "PDFs (write_pdf, report --pdf, the month-end pack) need fpdf2: pip install 'invoice-analytics[pack]'"


def clean(value: object) -> str:
    """``value`` as text to typeset: :func:`~invoice_analytics._text.drawable` without its ``$`` escape."""
    return drawable(value).replace(r"\$", "$")  # drawable puts one backslash before every $, nothing else


def cell_text(value: Any, kind: str) -> str:
    """A cell as printed for its column's kind (:func:`~invoice_analytics.workbook.column_kind`)."""
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
    return clean(value)


class Prepared:
    """A frame's cells as the PDF prints them, made once (a named index becomes columns)."""

    def __init__(self, frame: pd.DataFrame, columns: Sequence[str] | None, sheet: str) -> None:
        index = any(n is not None for n in frame.index.names)
        table = excel_ready(frame, index=index)
        table.columns = [str(c) for c in table.columns]
        self.cols = [c for c in (columns or table.columns) if c in table.columns]
        self.kinds = {c: column_kind(c, table[c], sheet) for c in self.cols}
        self.cells = {c: [cell_text(v, self.kinds[c]) for v in table[c].tolist()] for c in self.cols}
        self.labels = {c: header(c, c) for c in self.cols}
        self.n = len(table)


def figure_png(figure: Figure, width: float, height: float) -> bytes:
    """``figure`` at ``width`` x ``height`` inches as a PNG (130 dpi, cropped to what is drawn)."""
    figure.set_size_inches(width, height)
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=130, bbox_inches="tight")
    return out.getvalue()


class Document:
    """An fpdf2 document, A4 landscape in mm: ``header`` on every page, "Page n of N" in every footer."""

    def __init__(self, header: str, *, title: str, subject: str) -> None:
        try:
            from fpdf import FPDF
        except ImportError as exc:
            raise ImportError(FPDF_HINT) from exc
        import matplotlib

        fonts = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
        line = clean(header)

        class _Pages(FPDF):
            def header(self) -> None:
                self.set_font("DejaVu", "", 7.5)
                self.set_text_color(90, 90, 90)
                self.cell(0, 4, line, new_x="LMARGIN", new_y="NEXT")
                self.set_text_color(0, 0, 0)
                self.ln(2)

            def footer(self) -> None:
                self.set_y(-10)
                self.set_font("DejaVu", "", 7.5)
                self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="C")

        pdf = _Pages(orientation="L", unit="mm", format="A4")
        pdf.set_margins(10, 8, 10)
        pdf.set_auto_page_break(True, margin=14)
        pdf.add_font("DejaVu", "", str(fonts / "DejaVuSans.ttf"))
        pdf.add_font("DejaVu", "B", str(fonts / "DejaVuSans-Bold.ttf"))
        pdf.set_title(clean(title))
        pdf.set_subject(clean(subject))
        pdf.set_creator("invoice_analytics")
        self.pdf = pdf
        self._chars: dict[bool, dict[str, float]] = {}
        self._texts: dict[tuple[str, bool], float] = {}

    @property
    def width(self) -> float:
        return float(self.pdf.epw)

    def save(self, path: str | Path) -> Path:
        """Write the document to ``path`` atomically (a temporary file beside it, renamed into place)."""
        path = Path(path)
        with atomic_path(path) as temporary:
            self.pdf.output(str(temporary))
        return path

    def title(self, text: str, description: str = "") -> None:
        pdf = self.pdf
        pdf.set_font("DejaVu", "B", 13)
        pdf.cell(0, 7, self._fit(clean(text), self.width, 13 / 0.93), new_x="LMARGIN", new_y="NEXT")
        if description:
            self.paragraph(description, 8.5)
        pdf.ln(1.5)

    def paragraph(self, text: str, size: float = 8.0, bold: bool = False) -> None:
        self.pdf.set_font("DejaVu", "B" if bold else "", size)
        for line in self._wrap(clean(text), self.width, size, bold):
            self.pdf.cell(0, size * 0.5, line, new_x="LMARGIN", new_y="NEXT")

    def pairs(self, rows: Sequence[tuple[str, str]], size: float = 8.0, label_width: float = 42.0) -> None:
        """Label (bold) and value rows, the value wrapped in its column; a row never split over two pages."""
        pdf = self.pdf
        line = size * 0.5
        for label, value in rows:
            lines = self._wrap(clean(value), self.width - label_width, size, False)
            if pdf.get_y() + len(lines) * line > pdf.h - pdf.b_margin:
                pdf.add_page()
            y = pdf.get_y()
            pdf.set_font("DejaVu", "B", size)
            self.put(pdf.l_margin, y, label_width, line, self._fit(clean(label), label_width, size), size, bold=True)
            pdf.set_font("DejaVu", "", size)
            for k, text in enumerate(lines):
                self.put(pdf.l_margin + label_width, y + k * line, self.width - label_width, line, text, size)
            pdf.set_xy(pdf.l_margin, y + len(lines) * line + 0.4)
        pdf.ln(1.5)

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

    def table(self, frame: pd.DataFrame | Prepared, columns: Sequence[str] | None = None, *, size: float = 7.5,
              sheet: str = "", rows: Sequence[int] | np.ndarray | None = None) -> None:
        """Typeset ``frame`` (a named index becomes columns): header row repeated on each page."""
        pdf = self.pdf
        prepared = frame if isinstance(frame, Prepared) else Prepared(frame, columns, sheet)
        picked = list(range(prepared.n)) if rows is None else list(rows)
        cols = [c for c in prepared.cols if columns is None or c in columns]
        if not picked:
            self.paragraph("Nothing to show.")
            return
        kinds, cells, labels = prepared.kinds, prepared.cells, prepared.labels
        samples = {c: {cells[c][i] for i in picked[:2000]} for c in cols}

        def measure(size: float, scale: float = 1.0) -> dict[str, float]:
            widths = {}
            for c in cols:
                body = max((self.text_width(t, size, True) for t in samples[c]), default=0.0) + 2.5  # room for bold
                head = min(self.text_width(labels[c], size, True) + 2.5, (28 if kinds[c] != "text" else 40) * scale)
                widths[c] = max(body, head, 10 * scale)
            total = sum(widths.values())
            if total > self.width:  # shrink the text columns first, never the numbers
                text_cols = [c for c in cols if kinds[c] == "text"]
                excess = total - self.width
                room = sum(max(widths[c] - 18, 0) for c in text_cols)
                for c in text_cols:
                    if room > 0:
                        widths[c] -= min(excess, room) * max(widths[c] - 18, 0) / room
            return widths

        widths, start = measure(size), size
        while sum(widths.values()) > self.width and size > 4:  # too many numbers for the page: a smaller size
            size = max(4.0, size * self.width / sum(widths.values()) * 0.98)
            widths = measure(size, size / start)
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
        """The picture ``png`` at most ``height`` mm high, on the next page when it does not fit above the footer."""
        if self.pdf.get_y() + height > self.pdf.h - self.pdf.b_margin:
            self.pdf.add_page()
        y = self.pdf.get_y()
        self.pdf.image(io.BytesIO(png), x=self.pdf.l_margin, y=y, w=self.width * 0.8, h=height,
                       keep_aspect_ratio=True)
        self.pdf.set_xy(self.pdf.l_margin, y + height + 2)
