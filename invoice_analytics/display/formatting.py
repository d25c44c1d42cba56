"""Rupiah formatting for axis labels and tables.

Money in this package is whole rupiah (``Int64``), so :func:`format_rupiah`
takes integers (or integral floats, as matplotlib hands tick positions over)
and refuses fractional rupiah. Missing values (``None``, ``pd.NA``, ``NaN``)
format as an en dash.

Compact form (English-style suffixes, one decimal by default, a trailing
``.0`` dropped; halves round away from zero); full form with thousands
separators. Examples under :func:`format_rupiah`:

>>> format_rupiah(1_234_567), format_rupiah(1_234_567, compact=False)
('Rp 1.2M', 'Rp 1,234,567')
"""

from __future__ import annotations

import numbers
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from matplotlib.ticker import FuncFormatter

__all__ = ["MISSING", "format_rupiah", "rupiah_formatter"]

#: What a missing amount formats as (an en dash).
MISSING = "\u2013"

_UNITS: tuple[tuple[int, str], ...] = (
    (10**12, "T"),
    (10**9, "B"),
    (10**6, "M"),
    (10**3, "K"),
)


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


def _compact(magnitude: int, decimals: int) -> str:
    """``magnitude`` (>= 0) with a K/M/B/T suffix, rounded half up."""
    scale = 10**decimals
    for index, (unit, suffix) in enumerate(_UNITS):
        if magnitude < unit:
            continue
        scaled = (magnitude * scale * 2 + unit) // (unit * 2)  # round half up
        # 999_999 -> "1000K": promote to the next unit up instead.
        if scaled >= 1000 * scale and index > 0:
            bigger, bigger_suffix = _UNITS[index - 1]
            scaled = (magnitude * scale * 2 + bigger) // (bigger * 2)
            suffix = bigger_suffix
        whole, fraction = divmod(scaled, scale)
        text = str(whole)
        if fraction:
            text += "." + f"{fraction:0{decimals}d}".rstrip("0")
        return text + suffix
    return str(magnitude)


def format_rupiah(value: object, *, compact: bool = True, decimals: int = 1) -> str:
    """Format a whole-rupiah amount: ``"Rp 1.2M"`` (compact) or ``"Rp 1,234,567"``.

    ``decimals`` is the most decimals a compact amount shows (trailing zeros
    are dropped); missing values give ``"–"``. The compact form uses
    English-style suffixes (K, M, B, T), drops a trailing ``.0`` and rounds
    halves away from zero; an amount that would round to "1000K" shows as
    "1M" instead (likewise from M to B and from B to T). A negative amount
    is prefixed with ``-``.

    Parameters
    ----------
    value : int, float or None
        Whole rupiah: an integer (Python or numpy), or an integral float (as
        matplotlib hands tick positions over). ``None``, ``pd.NA`` and
        ``NaN`` are missing.
    compact : bool, default True
        ``"Rp 1.2M"`` when true; ``"Rp 1,234,567"`` (every digit, thousands
        separated) when false.
    decimals : int, default 1
        The most decimals the compact form shows.

    Returns
    -------
    str
        The formatted amount, or ``"–"`` (an en dash, :data:`MISSING`) for a
        missing value.

    Raises
    ------
    ValueError
        When ``value`` is a float with a fraction (rupiah are whole).
    TypeError
        When ``value`` is not a number (a str, a bool, ...).

    See Also
    --------
    format_report_table : An aging report as an HTML table, in full rupiah.

    Examples
    --------
    Compact form:

    >>> format_rupiah(1_234_567)
    'Rp 1.2M'
    >>> format_rupiah(350_000)
    'Rp 350K'
    >>> format_rupiah(4_500_000_000)
    'Rp 4.5B'
    >>> format_rupiah(2_000_000_000_000)
    'Rp 2T'
    >>> format_rupiah(950)
    'Rp 950'
    >>> format_rupiah(0)
    'Rp 0'
    >>> format_rupiah(-1_234_567)
    '-Rp 1.2M'
    >>> format_rupiah(999_999)          # rounds up into the next unit
    'Rp 1M'
    >>> format_rupiah(1_250_000, decimals=2)
    'Rp 1.25M'

    Full form, with thousands separators:

    >>> format_rupiah(1_234_567, compact=False)
    'Rp 1,234,567'
    >>> format_rupiah(-50_000, compact=False)
    '-Rp 50,000'

    Missing values and non-integers:

    >>> import pandas as pd
    >>> format_rupiah(pd.NA), format_rupiah(None), format_rupiah(float("nan"))
    ('–', '–', '–')
    >>> format_rupiah(2.5e6)            # an integral float is fine
    'Rp 2.5M'
    >>> format_rupiah(1.5)
    Traceback (most recent call last):
    ...
    ValueError: rupiah are whole integers, got 1.5
    >>> format_rupiah("1000")
    Traceback (most recent call last):
    ...
    TypeError: rupiah must be a whole number, got '1000'
    """
    if value is None or (not isinstance(value, (str, bytes)) and pd.isna(value)):
        return MISSING
    amount = _as_int(value)
    sign = "-" if amount < 0 else ""
    magnitude = abs(amount)
    body = _compact(magnitude, decimals) if compact else f"{magnitude:,}"
    return f"{sign}Rp {body}"


def rupiah_formatter(*, compact: bool = True, decimals: int = 2) -> FuncFormatter:
    """A matplotlib tick formatter that labels positions as rupiah.

    Tick positions are rounded to whole rupiah; two decimals by default so
    ticks 2.5 apart stay distinct (``Rp 1.25M``, ``Rp 1.5M``).

    >>> fmt = rupiah_formatter()
    >>> [fmt(x) for x in (0.0, 250_000.0, 1_250_000.0, 1_500_000.0, -2e9)]
    ['Rp 0', 'Rp 250K', 'Rp 1.25M', 'Rp 1.5M', '-Rp 2B']
    >>> rupiah_formatter(compact=False)(1234567.4)
    'Rp 1,234,567'
    """

    from matplotlib.ticker import FuncFormatter

    def _format(x: float, pos: int | None = None) -> str:
        if pd.isna(x):
            return MISSING
        return format_rupiah(round(x), compact=compact, decimals=decimals)

    return FuncFormatter(_format)
