"""Lists of raw JSON values as typed pandas arrays, column by column (cheap: see ``benchmarks/``).

Each builder tries one Arrow pass, then reads value by value when a value drifts from its type. A value that
cannot be typed exactly raises :class:`BadValue`, which the loaders turn into a ResponseError naming the invoice
and field. No value is changed, except customer names, NFC-normalised (:func:`nfc_strings`)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from invoice_analytics._warn import warn_caller
from invoice_analytics.errors import ResponseError, UnknownStatusWarning
from invoice_analytics.schema import (
    DATETIME_DTYPE,
    JAKARTA,
    MONEY_DTYPE,
    STATUS_DTYPE,
    STRING_DTYPE,
    union_categories,
)

#: A whole number sent as text: ASCII digits, optionally signed, optionally with a zero fraction ("12.00").
_INTEGER = re.compile(r"([+-]?)([0-9]+)(?:\.0*)?")
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
#: Floats beyond this magnitude are not exact integers any more (2**53): no whole number can be read from them.
_EXACT_FLOAT = 2**53
#: The longest text shown for a bad value in an error message.
_SHOWN = 120

#: The plausible datetimes: from 2000-01-01 (inclusive) to 2101-01-01 (exclusive), i.e. the years 2000 to 2100.
#: Faspay's naive texts are compared as Jakarta wall time, Mayar's epoch milliseconds as UTC instants.
EARLIEST = dt.datetime(2000, 1, 1)
LATEST = dt.datetime(2101, 1, 1)
_PLAUSIBLE = "in the years 2000 to 2100"
_EPOCH = dt.datetime(1970, 1, 1)
EPOCH_MS_MIN = (EARLIEST - _EPOCH) // dt.timedelta(milliseconds=1)
EPOCH_MS_MAX = (LATEST - _EPOCH) // dt.timedelta(milliseconds=1)  # exclusive


class BadValue(ValueError):
    """A value that does not fit its column; ``index`` is its row (the value shown is cut at 120 characters)."""

    def __init__(self, index: int, value: Any, expected: str) -> None:
        self.index = index
        self.value = value
        shown = repr(value)  # repr escapes lone surrogates and control characters
        if len(shown) > _SHOWN:
            shown = shown[:_SHOWN] + "..."
        super().__init__(f"{shown} is not {expected}")


def field_converter(
    provider: str, id_key: str, default_request: str, rows: Sequence[dict[str, Any]], sources: Sequence[str] | None
) -> Callable[[str, Callable[[Any], Any], Any], Any]:
    """``convert(field, builder, values)``: ``builder(values)``, a :class:`BadValue` raised as ResponseError."""

    def convert(field: str, builder: Callable[[Any], Any], values: Any) -> Any:
        try:
            return builder(values)
        except BadValue as bad:
            raise bad_value_error(provider, id_key, default_request, rows, sources, field, bad) from None

    return convert


def bad_value_error(provider: str, id_key: str, default_request: str, rows: Sequence[dict[str, Any]],
                    sources: Sequence[str] | None, field: str, bad: BadValue) -> ResponseError:
    """The :class:`~invoice_analytics.errors.ResponseError` for ``bad`` in ``field`` of ``rows``."""
    row = rows[bad.index]
    request = sources[bad.index] if sources is not None else default_request
    return ResponseError(provider, request, None, detail=f"invoice {row.get(id_key)!r}: field {field!r}: {bad}")


def strings(values: Sequence[Any]) -> pd.arrays.ArrowStringArray:
    """Strings; numbers become their decimal text, None stays missing. Booleans, lists, objects, NaN,
    infinities and a string holding a lone surrogate (no UTF-8 form) are not text.

    >>> list(strings(["a", 21, None, 12.5]))
    ['a', '21', <NA>, '12.5']
    """
    if isinstance(values, pa.Array):
        return pd.array(values.cast(pa.large_string()), dtype=STRING_DTYPE)
    try:
        return pd.array(pa.array(values, type=pa.large_string()), dtype=STRING_DTYPE)
    except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeEncodeError):
        pass
    out: list[str | None] = []
    for i, v in enumerate(values):
        kind = type(v)
        if v is None or kind is str:
            out.append(v)
        elif kind is int:
            out.append(str(v))
        elif kind is float and np.isfinite(v):
            out.append(str(int(v)) if v.is_integer() and abs(v) <= _EXACT_FLOAT else repr(v))
        else:  # bool, NaN, infinity, list, dict...
            raise BadValue(i, v, "text")
    try:
        return pd.array(out, dtype=STRING_DTYPE)
    except UnicodeEncodeError:
        bad = next(i for i, v in enumerate(out) if v is not None and not _encodable(v))
        raise BadValue(bad, values[bad], "text (it holds a lone surrogate: no UTF-8 form)") from None


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def nfc_strings(values: pd.arrays.ArrowStringArray) -> pd.arrays.ArrowStringArray:
    """The texts in Unicode NFC (one name spelt composed or decomposed is one name); each distinct non-ASCII
    text normalised once.

    >>> [len(name) for name in nfc_strings(strings(["Cafe\\u0301", "Café", None]))[:2]]
    [4, 4]
    """
    data = pa.array(values)
    if isinstance(data, pa.ChunkedArray):
        data = data.combine_chunks()
    if pc.all(pc.string_is_ascii(data)).as_py() is not False:  # True, or None when every value is missing
        return values
    encoded = pc.dictionary_encode(data)
    distinct = encoded.dictionary.to_pylist()
    normal = [unicodedata.normalize("NFC", text) for text in distinct]
    if normal == distinct:
        return values
    return pd.array(pa.array(normal, type=pa.large_string()).take(encoded.indices), dtype=STRING_DTYPE)


#: The largest amount (either sign) a loader accepts: 2**62 rupiah.
MONEY_LIMIT = 2**62


def money(values: Sequence[Any]) -> pd.arrays.IntegerArray:
    """Whole rupiah as ``Int64``: ints, integral strings ("456900", "12.00"), integral floats, None.

    A :class:`BadValue`: a fraction (``150000.75``, ``"12.5"``), a number beyond int64, a float beyond 2**53
    (not exact), NaN, infinity, a boolean, a list, an object, and an amount beyond ±2**62 (:data:`MONEY_LIMIT`:
    no real invoice comes near it, and sums of such amounts would leave int64). An empty text is missing.

    >>> money([110000, "456900", None, -400800, "12.00", 7.0, ""]).tolist()
    [110000, 456900, <NA>, -400800, 12, 7, <NA>]
    """
    out = whole_numbers(values, "whole rupiah")
    ints = out.to_numpy(dtype=np.int64, na_value=0)
    beyond = np.flatnonzero((ints > MONEY_LIMIT) | (ints < -MONEY_LIMIT))
    if len(beyond):
        raise BadValue(int(beyond[0]), values[int(beyond[0])], "rupiah within ±2**62")
    return out


def whole_numbers(values: Sequence[Any], expected: str) -> pd.arrays.IntegerArray:
    """:func:`money`'s reading, with ``expected`` naming what a bad value is not."""
    try:
        # Inferred, not cast: a cast to int64 would cut 150000.75 to 150000 without a word.
        # Only plain ints (and None) infer int64; anything else is read value by value below.
        exact = pa.array(values)
    except (pa.ArrowException, ValueError, TypeError, OverflowError):
        exact = None
    if exact is not None and exact.type in (pa.int64(), pa.null()):
        # __from_arrow__, not pd.array: pd.array goes through float64 when a value is missing (2**62 + 1 -> 2**62)
        return MONEY_DTYPE.__from_arrow__(exact.cast(pa.int64()))
    out: list[int | None] = []
    for i, v in enumerate(values):
        kind = type(v)
        if kind is int:  # the common cases first: this loop runs once per row
            if not _INT64_MIN <= v <= _INT64_MAX:
                raise BadValue(i, v, expected)
            out.append(v)
        elif v is None:
            out.append(None)
        elif kind is float:
            if not (v.is_integer() and abs(v) <= _EXACT_FLOAT):  # NaN and infinities are not integers either
                raise BadValue(i, v, expected)
            out.append(int(v))
        elif kind is str:
            out.append(_integer_text(i, v, expected))
        else:  # bool, list, dict...
            raise BadValue(i, v, expected)
    return pd.array(out, dtype=MONEY_DTYPE)


def _integer_text(index: int, text: str, expected: str) -> int | None:
    """A whole number sent as text, None for an empty text, else :class:`BadValue`."""
    stripped = text.strip()
    if not stripped:
        return None
    match = _INTEGER.fullmatch(stripped)
    digits = match[2].lstrip("0") or "0" if match else ""
    if not match or len(digits) > 19:
        raise BadValue(index, text, expected)
    value = int(match[1] + digits)
    if not _INT64_MIN <= value <= _INT64_MAX:
        raise BadValue(index, text, expected)
    return value


def wib_datetimes(values: Sequence[Any]) -> pd.arrays.DatetimeArray:
    """Naive "YYYY-MM-DD[ hh:mm:ss]" texts read as Asia/Jakarta wall time, in the years 2000 to 2100.

    Arrow's ISO 8601 cast parses in one pass; texts it refuses are read by pandas, one distinct text at a time
    (one with an offset converted to Jakarta time). Not a date, finer than a microsecond or outside the years
    2000 to 2100: a :class:`BadValue`. An empty text is missing.

    >>> wib_datetimes(["2023-02-08 10:04:00", None, ""])[:2].tolist()
    [Timestamp('2023-02-08 10:04:00+0700', tz='Asia/Jakarta'), NaT]
    >>> wib_datetimes(["2023-02-08T03:04:00Z"])[0]
    Timestamp('2023-02-08 10:04:00+0700', tz='Asia/Jakarta')
    """
    if not len(values):
        return pd.array([], dtype=DATETIME_DTYPE)
    try:
        text = values if isinstance(values, pa.Array) else pa.array(values, type=pa.large_string())
        text = pc.if_else(pc.equal(text, ""), pa.scalar(None, text.type), text)
        naive = text.cast(pa.timestamp("us")).to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, UnicodeEncodeError):
        return _wib_datetimes_one_by_one(values)
    outside = (naive < np.datetime64(EARLIEST, "us")) | (naive >= np.datetime64(LATEST, "us"))  # NaT: False
    if outside.any():
        bad = int(np.argmax(outside))
        raise BadValue(bad, _item(values, bad), f"a date {_PLAUSIBLE}")
    return pd.DatetimeIndex(naive).tz_localize(JAKARTA).as_unit("us").array


def _item(values: Sequence[Any], index: int) -> Any:
    return values[index].as_py() if isinstance(values, pa.Array) else values[index]


def _wib_datetimes_one_by_one(values: Sequence[Any]) -> pd.arrays.DatetimeArray:
    """:func:`wib_datetimes` for the texts Arrow refused: each distinct text parsed once by pandas."""
    if isinstance(values, pa.Array):
        values = values.to_pylist()
    cleaned = [None if v is None or v == "" else v for v in values]
    for i, v in enumerate(cleaned):
        if v is not None and type(v) is not str:
            raise BadValue(i, v, "a date text")
    codes, distinct = pd.factorize(np.array(cleaned, dtype=object))
    stamps = []
    for k, text in enumerate(distinct):
        stamp = _wib_timestamp(text)
        if stamp is None:
            bad = int(np.argmax(codes == k))
            raise BadValue(bad, cleaned[bad], f"a YYYY-MM-DD hh:mm:ss date {_PLAUSIBLE}")
        stamps.append(stamp)
    return pd.array(stamps, dtype=DATETIME_DTYPE).take(codes, allow_fill=True)


def _wib_timestamp(text: str) -> pd.Timestamp | None:
    """One ISO 8601 text in Jakarta time (naive = wall time), None when not a plausible date."""
    try:
        stamp = pd.to_datetime(text, format="ISO8601")
    except (ValueError, TypeError, OverflowError):  # includes UnicodeEncodeError and OutOfBoundsDatetime
        return None
    if not isinstance(stamp, pd.Timestamp) or stamp is pd.NaT or stamp.nanosecond:  # "NaT", "nan"; below 1 us
        return None
    wall = stamp if stamp.tzinfo is None else stamp.tz_convert(JAKARTA).tz_localize(None)
    if not EARLIEST.year <= wall.year < LATEST.year:  # the year: comparing datetimes fails for the year 0
        return None
    return wall.tz_localize(JAKARTA).as_unit("us")


def epoch_ms_datetimes(values: Sequence[Any]) -> pd.arrays.DatetimeArray:
    """Epoch milliseconds (UTC instants, ints or numeric strings) in Asia/Jakarta, in the years 2000 to 2100.

    Outside them a :class:`BadValue`: most likely seconds (1768375011 is January 1970) or micro- or
    nanoseconds (past the year 9999).

    >>> epoch_ms_datetimes([1768375011056])[0]
    Timestamp('2026-01-14 14:16:51.056000+0700', tz='Asia/Jakarta')
    """
    ms = whole_numbers(values, "epoch milliseconds")
    missing = np.asarray(ms.isna())
    raw = ms.to_numpy(dtype="int64", na_value=EPOCH_MS_MIN)
    outside = (raw < EPOCH_MS_MIN) | (raw >= EPOCH_MS_MAX)
    if outside.any():
        bad = int(np.argmax(outside))
        raise BadValue(bad, values[bad], f"epoch milliseconds {_PLAUSIBLE}")
    us = np.where(missing, np.iinfo("int64").min, raw * 1000)  # within the range, * 1000 cannot overflow
    naive = us.view("datetime64[us]")
    return pd.DatetimeIndex(naive).tz_localize("UTC").tz_convert(JAKARTA).array


def constant_category(value: str, n: int, dtype: pd.CategoricalDtype) -> pd.Categorical:
    """``n`` copies of one category, built from codes (no per-row work)."""
    code = list(dtype.categories).index(value)
    return pd.Categorical.from_codes(np.full(n, code, dtype=np.int8), dtype=dtype)


def fold_status(text: str) -> str:
    """A provider status as compared: trimmed, case-folded, underscores as spaces, runs of spaces folded.

    Every use (``status``, Mayar's ``outstanding``) reads it; ``provider_status`` keeps the text as sent.

    >>> fold_status("  Partial_Paid "), fold_status("ACTIVE\t")
    ('partial paid', 'active')
    """
    return " ".join(text.casefold().replace("_", " ").split())


def statuses(raw: pd.arrays.ArrowStringArray, mapping: Mapping[str, str], provider: str) -> pd.Categorical:
    """Raw statuses, each distinct one folded once, through ``mapping`` (folded -> shared) to the shared
    category; an unknown one is missing, and one UnknownStatusWarning names them all."""
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
    warn_caller(warning)


#: Frames of more rows are built this many rows at a time, so that the transient lists and Arrow buffers of a
#: build stay small (see benchmarks/).
CHUNK_ROWS = 8192


def in_chunks(columns: Callable[..., dict[str, Any]], rows: Sequence[Any], sources: Sequence[str] | None,
              provider: str) -> dict[str, Any]:
    """``columns(rows, sources)`` over slices of ``CHUNK_ROWS`` rows, stacked column by column (each freed once
    stacked); unknown statuses of several chunks are warned about once."""
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
