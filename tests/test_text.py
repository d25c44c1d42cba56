"""The one sanitiser of provider text (these were the doctests of ``invoice_analytics/_text.py``)."""

from __future__ import annotations

from invoice_analytics._text import drawable, invisible, printable


def test_drawable_text_is_drawn_as_written():
    assert drawable("\ufeffUntung$^$Jaya \u202eabc") == "Untung\\$^\\$Jaya abc"
    assert drawable("$5 - $10") == "\\$5 - \\$10"
    assert drawable("\u202eRTL override\u202c\tand a tab") == "RTL override and a tab"
    assert invisible("\u200bA\u202en\u2066i\ufeff") == "Ani"


def test_printable_text_escapes_every_control_character():
    assert printable("INV\x1b]0;owned\x07-1") == "INV\\x1b]0;owned\\x07-1"
    assert printable("ok\x1b[8mhidden\u202e") == "ok\\x1b[8mhidden\\u202e"
