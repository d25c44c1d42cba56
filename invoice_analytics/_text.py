"""The one sanitiser of provider text: for drawing (charts, PDFs) and for terminals (private).

:func:`drawable` for every text from data that matplotlib draws (a bidi override cannot reverse a name, a BOM
cannot break the PDF writer), :func:`printable` for every provider text that reaches a terminal (no text can
move the cursor, retitle the window or hide what follows); the threats: :doc:`/guide/real-apis-hostile`."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["drawable", "invisible", "printable"]

#: BOM, zero-width and bidi controls (and the other invisible format characters a font has no glyph for).
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8]"
)
#: Control characters (C0, DEL, C1) and line or paragraph separators.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def invisible(text: str) -> str:
    """``text`` without BOM, zero-width and bidi control characters."""
    return _INVISIBLE.sub("", text)


def drawable(text: object) -> str:
    r"""``text`` (any value, as ``str``) as matplotlib should draw it: exactly as written.

    ``$`` escaped (never mathematics; draw with mathematics on, the default), BOM, zero-width and bidi controls
    removed, other controls as spaces, lone surrogates as U+FFFD; the logical order is kept."""
    clean = _SURROGATE.sub("\ufffd", invisible(str(text)))
    clean = unicodedata.normalize("NFC", _CONTROL.sub(" ", clean))
    return clean.replace("$", r"\$")


def printable(text: object) -> str:
    r"""``text`` (any value, as ``str``) safe to print on a terminal: control characters escaped.

    C0 and C1 controls and DEL as ``\xNN``, line and paragraph separators and bidi controls as ``\uNNNN``."""
    return _ESCAPE.sub(_escaped, str(text))


_ESCAPE = re.compile(_CONTROL.pattern[:-1] + "\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _escaped(match: re.Match[str]) -> str:
    char = match.group()
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"
