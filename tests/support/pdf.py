"""A typeset PDF read back (pypdf): each page's text, and the boxes of what it draws, to find collisions.

A text's box runs from its origin by the advance widths of its glyphs in the embedded font (DejaVu Sans,
measured here with fontTools from matplotlib's copy, independently of the typesetter), from the font's
descender to its ascender. A picture's box is where its ``cm`` puts the unit square.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pypdf


@dataclass(frozen=True)
class Box:
    """What was drawn (a text, or "picture") and where, in points from the page's lower left corner."""

    what: str
    x0: float
    y0: float
    x1: float
    y1: float

    def meets(self, other: Box) -> bool:
        return self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1


@cache
def _font(bold: bool) -> tuple[dict[int, str], dict[str, tuple[int, int]], float, float, float]:
    import matplotlib
    from fontTools.ttLib import TTFont

    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    font = TTFont(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / name)
    units = float(font["head"].unitsPerEm)
    return (font.getBestCmap(), dict(font["hmtx"].metrics), units, font["hhea"].ascent / units,
            font["hhea"].descent / units)


def _text_box(text: str, tm: list[float], font: dict | None, size: float) -> Box:
    base = str(font.get("/BaseFont", "")) if font else ""
    assert "DejaVu" in base, f"an unexpected font {base!r} for {text!r}"
    cmap, metrics, units, ascent, descent = _font("Bold" in base)
    advance = sum(metrics[cmap.get(ord(ch), ".notdef")][0] for ch in text) / units
    scale = size * tm[0]
    x, y = tm[4], tm[5]
    return Box(text, x, y + descent * scale, x + advance * scale, y + ascent * scale)


def page_boxes(page: pypdf.PageObject) -> list[Box]:
    """Every text and picture ``page`` draws, as a :class:`Box`."""
    boxes: list[Box] = []

    def on_text(text: str, cm: list[float], tm: list[float], font: dict | None, size: float) -> None:
        shown = text.strip()
        if shown:
            assert cm[:4] == [1.0, 0.0, 0.0, 1.0], f"{shown!r}: a transformed text"
            boxes.append(_text_box(shown, [tm[0], 0, 0, tm[3], tm[4] + cm[4], tm[5] + cm[5]], font, size))

    def on_operator(operator: bytes, args: list, cm: list[float], tm: list[float]) -> None:
        if operator == b"Do":
            boxes.append(Box("picture", cm[4], cm[5], cm[4] + cm[0], cm[5] + cm[3]))

    page.extract_text(visitor_text=on_text, visitor_operand_before=on_operator)
    return boxes


def collisions(boxes: list[Box]) -> list[tuple[Box, Box]]:
    """The pairs of boxes that overlap (a sweep from the bottom of the page up)."""
    ordered = sorted(boxes, key=lambda b: b.y0)
    found = []
    for i, box in enumerate(ordered):
        for other in ordered[i + 1:]:
            if other.y0 >= box.y1:
                break
            if box.meets(other):
                found.append((box, other))
    return found


def read_typeset(path: str | Path) -> list[str]:
    """The text of each page of the PDF at ``path``, after checking that on no page two things collide
    and that everything is drawn inside the page."""
    reader = pypdf.PdfReader(path)
    texts = []
    for number, page in enumerate(reader.pages, start=1):
        boxes = page_boxes(page)
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        outside = [b for b in boxes if b.x0 < 0 or b.y0 < 0 or b.x1 > width or b.y1 > height]
        assert not outside, f"page {number}: drawn outside the page: {outside[:3]}"
        met = collisions(boxes)
        assert not met, f"page {number}: {len(met)} collisions, first {met[:3]}"
        texts.append(page.extract_text())
    return texts
