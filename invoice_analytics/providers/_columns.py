"""Turn lists of raw JSON values into typed pandas arrays, column by column.

Column-wise construction (one list per field, one typed array per list) is
what makes the loaders' frames cheap to build; see ``benchmarks/``. A value
that cannot be typed raises :class:`ValueError` naming the offending value,
which the loaders turn into a typed API error naming the invoice.
"""

from __future__ import annotations

import os
import re
import sys
import warnings
from collections.abc import Callable, Mapping, Sequence
from types import FrameType
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from invoice_analytics.errors import ResponseError, UnknownStatusWarning
from invoice_analytics.schema import (
    DATETIME_DTYPE,
    JAKARTA,
    MONEY_DTYPE,
    STATUS_DTYPE,
    STRING_DTYPE,
    union_categories,
)

_INTEGER = re.compile(r"[+-]?\d+(?:\.0*)?")


class BadValue(ValueError):
    """A value that does not fit its column; ``index`` is its row."""

    def __init__(self, index: int, value: Any, expected: str) -> None:
        self.index = index
        self.value = value
        super().__init__(f"{value!r} is not {expected}")


def field_converter(
    provider: str, id_key: str, default_request: str, rows: Sequence[dict[str, Any]], sources: Sequence[str] | None
) -> Callable[[str, Callable[[Any], Any], Any], Any]:
    """``convert(field, builder, values)``: ``builder(values)``, where a :class:`BadValue` becomes a
    :class:`~invoice_analytics.errors.ResponseError` naming the invoice, the field and its request."""

    def convert(field: str, builder: Callable[[Any], Any], values: Any) -> Any:
        try:
            return builder(values)
        except BadValue as bad:
            row = rows[bad.index]
            request = sources[bad.index] if sources is not None else default_request
            raise ResponseError(provider, request, None,
                                detail=f"invoice {row.get(id_key)!r}: field {field!r}: {bad}") from None

    return convert


def strings(values: Sequence[Any]) -> pd.arrays.ArrowStringArray:
    """Strings; numbers become their decimal text, None stays missing.

    >>> list(strings(["a", 21, None]))
    ['a', '21', <NA>]
    """
    if isinstance(values, pa.Array):
        return pd.array(values.cast(pa.large_string()), dtype=STRING_DTYPE)
    try:
        return pd.array(pa.array(values, type=pa.large_string()), dtype=STRING_DTYPE)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        pass
    out: list[str | None] = []
    for i, v in enumerate(values):
        if v is None or type(v) is str:
            out.append(v)
        elif type(v) is int:
            out.append(str(v))
        elif isinstance(v, bool) or not isinstance(v, (int, float)):
            raise BadValue(i, v, "text")
        elif isinstance(v, float) and not v.is_integer():
            out.append(repr(v))
        else:
            out.append(str(int(v)))
    return pd.array(out, dtype=STRING_DTYPE)


def money(values: Sequence[Any]) -> pd.arrays.IntegerArray:
    """Whole rupiah as ``Int64``: ints, integral strings ("456900"), None.

    >>> money([110000, "456900", None, -400800, "12.00"]).tolist()
    [110000, 456900, <NA>, -400800, 12]
    >>> money(["12.5"])
    Traceback (most recent call last):
    ...
    invoice_analytics.providers._columns.BadValue: '12.5' is not whole rupiah
    """
    try:
        return pd.array(pa.array(values, type=pa.int64()), dtype=MONEY_DTYPE)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        pass
    out: list[int | None] = []
    for i, v in enumerate(values):
        kind = type(v)
        if kind is int or v is None:  # the common cases first: this loop runs once per row
            out.append(v)
        elif kind is bool:
            raise BadValue(i, v, "whole rupiah")
        elif isinstance(v, int) or (isinstance(v, float) and v.is_integer()):
            out.append(int(v))
        elif isinstance(v, str) and _INTEGER.fullmatch(v.strip()):
            out.append(int(v.strip().split(".")[0]))
        elif isinstance(v, str) and not v.strip():
            out.append(None)
        else:
            raise BadValue(i, v, "whole rupiah")
    return pd.array(out, dtype=MONEY_DTYPE)


def wib_datetimes(values: Sequence[Any]) -> pd.arrays.DatetimeArray:
    """Naive "YYYY-MM-DD[ hh:mm:ss]" texts read as Asia/Jakarta wall time.

    Arrow's ISO 8601 cast does the parsing (one C++ pass); texts it refuses
    (offsets, odd spellings) go through pandas, which names the bad value.

    >>> wib_datetimes(["2023-02-08 10:04:00", None, ""])[:2].tolist()
    [Timestamp('2023-02-08 10:04:00+0700', tz='Asia/Jakarta'), NaT]
    """
    if not len(values):
        return pd.array([], dtype=DATETIME_DTYPE)
    try:
        text = values if isinstance(values, pa.Array) else pa.array(values, type=pa.large_string())
        text = pc.if_else(pc.equal(text, ""), pa.scalar(None, text.type), text)
        naive = text.cast(pa.timestamp("us")).to_numpy(zero_copy_only=False)
        return pd.DatetimeIndex(naive).tz_localize(JAKARTA).as_unit("us").array
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        pass
    if isinstance(values, pa.Array):
        values = values.to_pylist()
    cleaned = [None if v is None or v == "" else v for v in values]
    for i, v in enumerate(cleaned):
        if v is not None and not isinstance(v, str):
            raise BadValue(i, v, "a date text")
    try:
        parsed = pd.to_datetime(pd.Series(cleaned, dtype=object), format="ISO8601")
    except (ValueError, TypeError) as exc:
        bad = _first_bad_date(cleaned)
        raise BadValue(bad, cleaned[bad], "a YYYY-MM-DD hh:mm:ss date") from exc
    parsed = parsed.dt.tz_convert(JAKARTA) if parsed.dt.tz is not None else parsed.dt.tz_localize(JAKARTA)
    return parsed.astype(DATETIME_DTYPE).array


def _first_bad_date(values: Sequence[Any]) -> int:
    for i, v in enumerate(values):
        if v is not None:
            try:
                pd.Timestamp(v)
            except (ValueError, TypeError):
                return i
    return 0


def epoch_ms_datetimes(values: Sequence[Any]) -> pd.arrays.DatetimeArray:
    """Epoch milliseconds (UTC instants, ints or numeric strings) in Asia/Jakarta.

    >>> epoch_ms_datetimes([1768375011056])[0]
    Timestamp('2026-01-14 14:16:51.056000+0700', tz='Asia/Jakarta')
    """
    ms = money(values)  # the same whole-number parsing
    us = ms.to_numpy(dtype="int64", na_value=np.iinfo("int64").min)
    mask = np.asarray(ms.isna())
    us = np.where(mask, np.iinfo("int64").min, us * 1000)
    naive = us.view("datetime64[us]")
    return pd.DatetimeIndex(naive).tz_localize("UTC").tz_convert(JAKARTA).array


def constant_category(value: str, n: int, dtype: pd.CategoricalDtype) -> pd.Categorical:
    """``n`` copies of one category, built from codes (no per-row work)."""
    code = list(dtype.categories).index(value)
    return pd.Categorical.from_codes(np.full(n, code, dtype=np.int8), dtype=dtype)


def fold_status(text: str) -> str:
    """A provider status as compared: lower-cased, underscores as spaces, runs of spaces folded.

    >>> fold_status("  Partial_Paid ")
    'partial paid'
    """
    return " ".join(text.lower().replace("_", " ").split())


def statuses(raw: pd.arrays.ArrowStringArray, mapping: Mapping[str, str], provider: str) -> pd.Categorical:
    """Map raw provider statuses (case-insensitively) to the shared status category.

    An unknown value leaves ``status`` missing, and one
    :class:`~invoice_analytics.errors.UnknownStatusWarning` names every raw value.
    """
    codes, uniques = pd.factorize(raw)  # the few distinct values; missing -> -1
    shared = [mapping.get(fold_status(str(u))) for u in uniques]
    unknown = sorted(str(u) for u, status in zip(uniques, shared, strict=True) if status is None)
    if unknown:
        warn_unknown_statuses(provider, unknown)
    categories = list(STATUS_DTYPE.categories)
    # position -1 (a missing raw value) reads the trailing -1: missing status
    lookup = np.array([categories.index(status) if status else -1 for status in shared] + [-1], dtype=np.int8)
    return pd.Categorical.from_codes(lookup[codes], dtype=STATUS_DTYPE)


def warn_unknown_statuses(provider: str, values: Sequence[str]) -> None:
    """One :class:`~invoice_analytics.errors.UnknownStatusWarning` naming every raw value (kept on ``.values``)."""
    warning = UnknownStatusWarning(
        f"{provider}: unknown status value(s) {sorted(values)}; their status is left missing "
        "(the raw value is kept in provider_status)"
    )
    warning.values = sorted(values)
    warnings.warn(warning, stacklevel=_caller_level())


def _caller_level() -> int:
    """The ``stacklevel`` that points a warning at the first frame outside this package."""
    package = os.path.dirname(os.path.abspath(__file__))
    frame: FrameType | None = sys._getframe(1)
    level = 1  # 1 = the function that calls warnings.warn
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(package + os.sep):
        frame, level = frame.f_back, level + 1
    return level


#: Frames of more rows are built this many rows at a time, so that the
#: transient lists and Arrow buffers of a build stay small (see benchmarks/).
CHUNK_ROWS = 8192


def in_chunks(columns: Callable[..., dict[str, Any]], rows: Sequence[Any], sources: Sequence[str] | None,
              provider: str) -> dict[str, Any]:
    """``columns(rows, sources)`` over slices of ``CHUNK_ROWS`` rows, stacked column by column.

    Each column is taken out of the chunks as soon as it is stacked, so the
    pieces are freed while the result grows. Unknown statuses found in
    several chunks are still warned about once.
    """
    if len(rows) <= CHUNK_ROWS:
        return columns(rows, sources)
    unknown: set[str] = set()
    parts = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for start in range(0, len(rows), CHUNK_ROWS):
            stop = start + CHUNK_ROWS
            parts.append(columns(rows[start:stop], None if sources is None else sources[start:stop]))
    for record in caught:
        if isinstance(record.message, UnknownStatusWarning):
            unknown.update(getattr(record.message, "values", []))
        else:
            warnings.warn_explicit(record.message, record.category, record.filename, record.lineno)
    if unknown:
        warn_unknown_statuses(provider, sorted(unknown))
    return {name: _stack([part.pop(name) for part in parts]) for name in list(parts[0])}


def _stack(pieces: list[Any]) -> Any:
    """One array of same-kind pieces; categoricals get the union of their categories."""
    if isinstance(pieces[0], pd.Categorical):
        return union_categories(pieces)
    if isinstance(pieces[0], np.ndarray):
        return np.concatenate(pieces)
    return type(pieces[0])._concat_same_type(pieces)
