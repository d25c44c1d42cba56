"""Rupiah and percentages as Indonesians (or English readers) read them; both locales, the compact rule and why
not Babel: :doc:`/guide/charts-report`."""

from __future__ import annotations

import numbers
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from invoice_analytics._docs import doc

if TYPE_CHECKING:
    from matplotlib.ticker import FuncFormatter

__all__ = [
    "LOCALES",
    "MISSING",
    "format_count",
    "format_number",
    "format_percent",
    "format_rupiah",
    "get_locale",
    "number_locale",
    "percent_formatter",
    "rupiah_formatter",
    "set_locale",
]

#: What a missing amount formats as (an en dash).
MISSING = "\u2013"


@dataclass(frozen=True)
class _Locale:
    thousands: str
    decimal: str
    units: tuple[tuple[int, str], ...]  # largest first: (unit, suffix with its space)
    percent: str  # between the number and "%"
    keep_zero_decimal: bool  # "2.0B" (en) rather than "2 M" (id) for an inexact amount
    min_significant: int  # decimals = max(1, min_significant - integer digits)


_TABLE: dict[str, _Locale] = {
    "id": _Locale(".", ",", ((10**12, " T"), (10**9, " M"), (10**6, " jt"), (10**3, " rb")),
                  " %", keep_zero_decimal=False, min_significant=3),
    "en": _Locale(",", ".", ((10**12, "T"), (10**9, "B"), (10**6, "M"), (10**3, "K")),
                  "%", keep_zero_decimal=True, min_significant=0),
}
#: The locales :func:`set_locale` accepts (``"id_ID"``, ``"en_US"``... name the same).
LOCALES: tuple[str, ...] = tuple(_TABLE)
_current = "id"
#: The locale of a ``with number_locale(...)`` block: per thread and per asyncio task, None outside one.
_block: ContextVar[str | None] = ContextVar("invoice_analytics_number_locale", default=None)


def _normalise(locale: str | None) -> str:
    if locale is None:
        return get_locale()
    if not isinstance(locale, str):
        raise TypeError(f"locale must be a str, got {locale!r}")
    key = locale.replace("-", "_").split("_")[0].lower()
    if key not in _TABLE:
        raise ValueError(f"unknown locale {locale!r}; choose one of {', '.join(LOCALES)}")
    return key


def set_locale(locale: str) -> None:
    """Write numbers the ``locale`` way from now on: ``"id"`` (default) or ``"en"``.

    ``"id_ID"``, ``"en_US"``... name the same; another is a ValueError. Charts already drawn keep their labels.

    >>> set_locale("en"); format_rupiah(575_400_000), get_locale()
    ('Rp 575.4M', 'en')
    >>> set_locale("id")
    """
    global _current
    _current = _normalise(locale)


def get_locale() -> str:
    """The current number locale, ``"id"`` or ``"en"`` (see :func:`set_locale` and :func:`number_locale`).

    >>> get_locale()
    'id'
    """
    return _block.get() or _current


@contextmanager
def number_locale(locale: str) -> Iterator[str]:
    """Write numbers the ``locale`` way inside a ``with`` block, then as before.

    The choice belongs to the running thread (and asyncio task); blocks nest; :func:`set_locale` inside a block
    changes the default after it.

    Parameters
    ----------
    locale : str
        ``"id"`` or ``"en"`` (``"id_ID"``, ``"en_US"``... name the same).

    Yields
    ------
    str
        The locale in force inside the block (``"id"`` or ``"en"``).

    Raises
    ------
    ValueError
        When ``locale`` is not a known locale (before the block runs).

    See Also
    --------
    set_locale : Choose the locale from now on.

    Examples
    --------
    >>> with number_locale("en") as inside:
    ...     format_rupiah(575_400_000), inside
    ('Rp 575.4M', 'en')
    """
    token = _block.set(_normalise(locale))
    try:
        yield _block.get() or _current
    finally:
        _block.reset(token)


def _as_int(value: object) -> int:
    """``value`` as a Python int; integral floats accepted, others refused."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"rupiah must be a whole number, got {value!r}")
    if isinstance(value, numbers.Integral):
        return int(value)
    as_float = float(value)
    if not as_float.is_integer():
        raise ValueError(f"rupiah are whole integers, got {value!r}")
    return int(as_float)


def _grouped(magnitude: int, loc: _Locale) -> str:
    return f"{magnitude:,}".replace(",", loc.thousands)


def _scaled(magnitude: int, unit: int, decimals: int | None, loc: _Locale) -> tuple[int, int]:
    """(``magnitude / unit`` times ``10**places`` rounded half up, ``places``)."""
    if decimals is None:
        digits = len(str(magnitude // unit))
        places = max(1, loc.min_significant - digits)
    else:
        places = decimals
    scale = 10**places
    return (magnitude * scale * 2 + unit) // (unit * 2), places


def _compact(magnitude: int, decimals: int | None, loc: _Locale) -> str:
    """``magnitude`` (>= 0) with the locale's unit suffix."""
    units = loc.units
    for index, (unit, suffix) in enumerate(units):
        if magnitude < unit:
            continue
        scaled, places = _scaled(magnitude, unit, decimals, loc)
        if scaled >= 1000 * 10**places and index > 0:  # "1000 rb": promote to the next unit
            unit, suffix = units[index - 1]
            scaled, places = _scaled(magnitude, unit, decimals, loc)
        whole, fraction = divmod(scaled, 10**places)
        text = _grouped(whole, loc)
        digits = f"{fraction:0{places}d}" if places else ""
        kept = digits.rstrip("0")
        if loc.keep_zero_decimal and magnitude % unit and digits and not kept:
            kept = "0"  # "2.0B": about two billion, not exactly
        digits = kept
        if digits:
            text += loc.decimal + digits
        return text + suffix
    return str(magnitude)


@doc()
def format_rupiah(value: object, *, compact: bool = True, decimals: int | None = None,
                  locale: str | None = None) -> str:
    """Format a whole-rupiah amount: ``"Rp 1,23 jt"`` (compact) or ``"Rp 1.234.567"``.

    The compact rule and both locales' units are in :doc:`/guide/charts-report`.

    Parameters
    ----------
    value : int, float or None
        Whole rupiah: an integer (Python or numpy), or an integral float (as matplotlib hands tick positions
        over). ``None``, ``pd.NA`` and ``NaN`` are missing.
    compact : bool, default True
        ``"Rp 1,23 jt"`` when true; ``"Rp 1.234.567"`` (every digit, thousands separated) when false.
    decimals : int or None, default None
        The decimals the compact form shows (trailing zeros dropped as the locale does); None follows the
        locale's rule.
    {locale}

    Returns
    -------
    str
        The formatted amount, or ``"–"`` (an en dash, :data:`MISSING`) for a missing value.

    Raises
    ------
    ValueError
        When ``value`` is a float with a fraction (rupiah are whole), or the locale is unknown.
    TypeError
        When ``value`` is not a number (a str, a bool, ...).

    See Also
    --------
    set_locale : Chooses the locale for everything drawn.
    format_report_table : An aging report as an HTML table, in full rupiah.

    Examples
    --------
    >>> format_rupiah(950), format_rupiah(0), format_rupiah(-1_234_567)
    ('Rp 950', 'Rp 0', '-Rp 1,23 jt')
    """
    loc = _TABLE[_normalise(locale)]
    if value is None or (not isinstance(value, (str, bytes)) and pd.isna(value)):
        return MISSING
    amount = _as_int(value)
    sign = "-" if amount < 0 else ""
    magnitude = abs(amount)
    body = _compact(magnitude, decimals, loc) if compact else _grouped(magnitude, loc)
    return f"{sign}Rp {body}"


def format_percent(ratio: object, *, decimals: int = 1, locale: str | None = None) -> str:
    """A ratio (0.651) as a percentage: ``"65,1 %"`` (id) or ``"65.1%"`` (en); missing is ``"–"``.

    >>> format_percent(0.651), format_percent(0.651, locale="en"), format_percent(1, decimals=0), format_percent(None)
    ('65,1 %', '65.1%', '100 %', '–')
    """
    loc = _TABLE[_normalise(locale)]
    if ratio is None or (not isinstance(ratio, (str, bytes)) and pd.isna(ratio)):
        return MISSING
    if isinstance(ratio, bool) or not isinstance(ratio, numbers.Real):
        raise TypeError(f"a ratio must be a number, got {ratio!r}")
    return format_number(float(ratio) * 100, decimals=decimals, locale=locale) + loc.percent


def format_number(value: object, *, decimals: int = 1, locale: str | None = None) -> str:
    """A plain number (days, a rate) in the locale: ``"1.234,5"`` / ``"1,234.5"``."""
    loc = _TABLE[_normalise(locale)]
    if value is None or (not isinstance(value, (str, bytes)) and pd.isna(value)):
        return MISSING
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"expected a number, got {value!r}")
    text = f"{float(value):,.{decimals}f}"
    return text.replace(",", "\0").replace(".", loc.decimal).replace("\0", loc.thousands)


def format_count(n: int, *, locale: str | None = None) -> str:
    """A count with the locale's thousands separator: ``"1.234"`` / ``"1,234"``."""
    return _grouped(int(n), _TABLE[_normalise(locale)]) if n >= 0 else "-" + format_count(-n, locale=locale)


def rupiah_formatter(*, compact: bool = True, decimals: int | None = 2,
                     locale: str | None = None) -> FuncFormatter:
    """A matplotlib tick formatter of positions rounded to whole rupiah, in the locale read when made; two
    decimals by default so ticks 2.5 apart stay distinct (``Rp 1,25 jt``, ``Rp 1,5 jt``)."""

    from matplotlib.ticker import FuncFormatter

    fixed = _normalise(locale)

    def _format(x: float, pos: int | None = None) -> str:
        if pd.isna(x):
            return MISSING
        return format_rupiah(round(x), compact=compact, decimals=decimals, locale=fixed)

    return FuncFormatter(_format)


def percent_formatter(*, decimals: int = 0, locale: str | None = None) -> FuncFormatter:
    """A matplotlib tick formatter for an axis in percent (0-100), in the locale."""
    from matplotlib.ticker import FuncFormatter

    fixed = _normalise(locale)

    def _format(x: float, pos: int | None = None) -> str:
        return format_percent(x / 100, decimals=decimals, locale=fixed)

    return FuncFormatter(_format)
