"""Shared conventions of the analytics helpers (private).

One place for the rules that :mod:`invoice_analytics.aging` and
:mod:`invoice_analytics.ratios` both apply:

* the status rule: draft, cancelled and proforma invoices are never aged or
  counted as billed; a missing status counts like any other status;
* ``as_of`` parsing and calendar days in Asia/Jakarta, computed on integer
  day numbers (days since 1970-01-01 on the Jakarta calendar) rather than
  through timezone conversions;
* ``by`` handling: column names, lists of them, the virtual ``"issue_month"``
  key, ``None`` for a single row labelled ``"Total"``;
* exact integer sums per group (rupiah never go through a lossy float).

>>> as_of_day("1970-01-02")
1
>>> bucket_labels((30, 60, 90))
['Current', '1-30', '31-60', '61-90', '>90']
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Hashable, Iterable, Sequence
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

from invoice_analytics.schema import DATETIME_DTYPE, JAKARTA

#: Statuses that are never aged, never counted as billed.
EXCLUDED_STATUSES: tuple[str, ...] = ("draft", "cancelled", "proforma")
PAID_STATUS = "paid"
#: Label of the single row when ``by=None`` and of the totals row.
TOTAL = "Total"
#: Label of the credits column of the aging report.
CREDIT = "Credit"
#: Virtual ``by`` key: the Asia/Jakarta calendar month of ``issued_at``.
ISSUE_MONTH = "issue_month"
DEFAULT_EDGES: tuple[int, ...] = (30, 60, 90)

By: TypeAlias = Hashable | Sequence[Hashable] | None
AsOf: TypeAlias = str | _dt.date | _dt.datetime | pd.Timestamp | np.datetime64 | None

_NAT = np.iinfo(np.int64).min
_UNIT_PER_SECOND = {"s": 1, "ms": 10**3, "us": 10**6, "ns": 10**9}
_JAKARTA_OFFSET_S = 7 * 3600
# Asia/Jakarta is a fixed UTC+7 since 1964-01-01 00:00 local (= 1963-12-31 17:00 UTC).
_FIXED_SINCE_UTC_S = int(pd.Timestamp("1963-12-31 17:00", tz="UTC").timestamp())
_EXACT = 2**53


# --------------------------------------------------------------------------- checks


def require(df: pd.DataFrame, columns: Iterable[Hashable], func: str) -> None:
    """Raise a clear ``KeyError`` when ``df`` lacks one of ``columns``.

    >>> require(pd.DataFrame({"status": []}), ["status", "outstanding"], "f")
    Traceback (most recent call last):
    ...
    KeyError: "f() needs the column(s) ['outstanding']"
    """
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise KeyError(f"{func}() needs the column(s) {missing}")


def check_basis(basis: str) -> None:
    """Accept ``"due"`` or ``"issued"``."""
    if basis not in ("due", "issued"):
        raise ValueError(f"basis must be 'due' or 'issued', not {basis!r}")


def check_edges(edges: Iterable[int]) -> tuple[int, ...]:
    """Validate bucket edges: positive integers, strictly increasing.

    >>> check_edges([30, 60])
    (30, 60)
    >>> check_edges((30, 30))
    Traceback (most recent call last):
    ...
    ValueError: edges must be strictly increasing integers >= 1, got (30, 30)
    """
    out = tuple(int(e) for e in edges)
    if (
        not out
        or any(int(e) != e for e in edges)
        or out[0] < 1
        or any(b <= a for a, b in zip(out, out[1:]))
    ):
        raise ValueError(f"edges must be strictly increasing integers >= 1, got {out}")
    return out


def bucket_labels(edges: Iterable[int]) -> list[str]:
    """``"Current"``, then ``"{lo+1}-{hi}"`` per edge, then ``">{last}"``.

    >>> bucket_labels((30, 60, 90, 120))
    ['Current', '1-30', '31-60', '61-90', '91-120', '>120']
    """
    e = check_edges(edges)
    lows = (0, *e[:-1])
    return ["Current", *(f"{lo + 1}-{hi}" for lo, hi in zip(lows, e)), f">{e[-1]}"]


def bucket_codes(days: np.ndarray, edges: Sequence[int]) -> np.ndarray:
    """Bucket index per day count (``int8``): 0 for <= 0 days, then 1 for
    1..edges[0], 2 for edges[0]+1..edges[1], ..., ``len(edges) + 1`` beyond.

    >>> bucket_codes(np.array([-5, 0, 1, 30, 31, 90, 91]), (30, 60, 90)).tolist()
    [0, 0, 1, 1, 2, 3, 4]
    """
    if len(edges) > 120:
        return np.searchsorted(np.array((0, *edges)), days, side="left")
    codes = (days > 0).view(np.int8).copy()
    for edge in edges:
        codes += (days > edge).view(np.int8)
    return codes


# --------------------------------------------------------------------------- status


def counted_mask(status: pd.Series) -> np.ndarray:
    """Status is not draft, cancelled or proforma (a missing status counts).

    >>> counted_mask(pd.Series(["paid", None, "draft"], dtype="category")).tolist()
    [True, True, False]
    """
    if isinstance(status.dtype, pd.CategoricalDtype):
        codes = status.cat.codes.to_numpy()
        mask = np.ones(len(codes), dtype=bool)
        for code in np.flatnonzero(status.cat.categories.isin(EXCLUDED_STATUSES)):
            mask &= codes != code  # missing is code -1: never excluded
        return mask
    return ~np.asarray(status.isin(EXCLUDED_STATUSES), dtype=bool)


def paid_mask(status: pd.Series) -> np.ndarray:
    """Status is ``"paid"``.

    >>> paid_mask(pd.Series(["paid", None, "draft"])).tolist()
    [True, False, False]
    """
    if isinstance(status.dtype, pd.CategoricalDtype):
        codes = status.cat.codes.to_numpy()
        found = np.flatnonzero(status.cat.categories == PAID_STATUS)
        return codes == found[0] if len(found) else np.zeros(len(codes), dtype=bool)
    return np.asarray((status == PAID_STATUS).fillna(False), dtype=bool)


# --------------------------------------------------------------------------- money


def money(s: pd.Series) -> tuple[np.ndarray, np.ndarray | None]:
    """``(int64 values, missing mask or None when nothing is missing)``.

    Values at missing positions are undefined: callers mask them.  An ``Int64``
    column is read without a copy.

    >>> v, missing = money(pd.Series([5, None], dtype="Int64"))
    >>> int(v[0]), missing.tolist()
    (5, [False, True])
    """
    if pd.api.types.is_integer_dtype(s.dtype) and not isinstance(
        s.dtype, pd.api.extensions.ExtensionDtype
    ):
        return np.asarray(s.to_numpy(), dtype=np.int64), None
    if not isinstance(s.dtype, pd.Int64Dtype):
        s = s.astype("Int64")
    arr = s.array
    data, mask = getattr(arr, "_data", None), getattr(arr, "_mask", None)
    if not (isinstance(data, np.ndarray) and isinstance(mask, np.ndarray)):
        mask = s.isna().to_numpy()
        data = s.to_numpy(dtype=np.int64, na_value=0)
    return data, (mask if mask.any() else None)


# --------------------------------------------------------------------------- dates


def as_of_day(as_of: AsOf = None) -> int:
    """The Jakarta calendar date of ``as_of`` as days since 1970-01-01.

    None is today in Asia/Jakarta; naive values are Jakarta wall time;
    aware values are converted to Jakarta first.

    >>> as_of_day("2024-01-31 23:59") - as_of_day(pd.Timestamp("2024-01-31 16:59", tz="UTC"))
    0
    >>> as_of_day(_dt.date(1970, 1, 11))
    10
    """
    if as_of is None:
        ts = pd.Timestamp.now(tz=JAKARTA)
    else:
        ts = pd.Timestamp(as_of)
        if ts is pd.NaT:
            raise ValueError("as_of must be a date, not NaT")
        ts = ts.tz_localize(JAKARTA) if ts.tzinfo is None else ts.tz_convert(JAKARTA)
    return (ts.date() - _dt.date(1970, 1, 1)).days


def _as_datetime(s: pd.Series) -> pd.Series:
    if isinstance(s.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(s.dtype):
        return s
    return pd.to_datetime(s)


def day_numbers(s: pd.Series, rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Jakarta calendar day numbers (days since 1970-01-01) of datetimes.

    Returns ``(days, known)``; ``days`` is 0 where ``known`` is False.
    Timezone-aware values are converted to Jakarta, naive values are read as
    Jakarta wall time.  ``rows`` (positions) restricts the work to those rows.
    The fast path floor-divides the raw integers (UTC+7 fixed since 1964).

    >>> s = pd.Series(pd.to_datetime(["1970-01-02 23:59", None]).tz_localize(JAKARTA))
    >>> [a.tolist() for a in day_numbers(s)]
    [[1, 0], [True, False]]
    """
    s = _as_datetime(s)
    dtype = s.dtype
    unit = dtype.unit if hasattr(dtype, "unit") else np.datetime_data(dtype)[0]
    aware = isinstance(dtype, pd.DatetimeTZDtype)
    raw = s.to_numpy(dtype=f"datetime64[{unit}]").view(np.int64)
    if rows is not None:
        raw = raw[rows]
    known = raw != _NAT
    per_s = _UNIT_PER_SECOND[unit]
    per_day = 86_400 * per_s
    if aware:
        days = (raw + _JAKARTA_OFFSET_S * per_s) // per_day
        early = known & (raw < _FIXED_SINCE_UTC_S * per_s)
        if early.any():  # before 1964 Jakarta was not UTC+7: use the tz database
            utc = pd.DatetimeIndex(raw[early].view(f"datetime64[{unit}]")).tz_localize("UTC")
            local = utc.tz_convert(JAKARTA).tz_localize(None)
            days[early] = local.as_unit(unit).asi8 // per_day
    else:
        days = raw // per_day
    days[~known] = 0
    return days, known


def days_to_timestamps(days: np.ndarray, known: np.ndarray) -> pd.Series:
    """Day numbers -> Jakarta midnight as ``datetime64[us, Asia/Jakarta]`` (NaT where unknown).

    >>> days_to_timestamps(np.array([1, 0]), np.array([True, False])).tolist()
    [Timestamp('1970-01-02 00:00:00+0700', tz='Asia/Jakarta'), NaT]
    """
    naive = np.where(known, days, 0).astype("datetime64[D]").astype("datetime64[us]")
    naive[~known] = np.datetime64("NaT")
    return pd.Series(naive).dt.tz_localize(JAKARTA).astype(DATETIME_DTYPE)


def issue_month_ordinals(issued_at: pd.Series, rows: np.ndarray | None = None) -> np.ndarray:
    """Monthly period ordinals (months since 1970-01, NaT ordinal when unknown).

    >>> s = pd.Series(pd.to_datetime(["1970-02-28 23:00"]).tz_localize(JAKARTA))
    >>> issue_month_ordinals(s).tolist()
    [1]
    """
    days, known = day_numbers(issued_at, rows)
    if len(days) == 0:
        return days
    lo, hi = int(days.min()), int(days.max())
    if hi - lo < 5_000_000:  # a lookup table of the days spanned beats a calendar cast
        table = np.arange(lo, hi + 1).astype("datetime64[D]").astype("datetime64[M]").view(np.int64)
        months = table[days - lo]
    else:
        months = days.astype("datetime64[D]").astype("datetime64[M]").view(np.int64).copy()
    months[~known] = _NAT
    return months


def due_and_age(
    df: pd.DataFrame, rows: np.ndarray, today: int, basis: str, terms_days: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(days_past_due, due_day, known)`` of the given rows.

    The due day is ``due_at``'s Jakarta date, else ``issued_at``'s + ``terms_days``;
    with ``basis="issued"`` it is ``issued_at``'s date.
    """
    if basis == "issued":
        due, known = day_numbers(df["issued_at"], rows)
    else:
        due, known = day_numbers(df["due_at"], rows)
        if not known.all():
            fill = np.flatnonzero(~known)
            issued, iknown = day_numbers(df["issued_at"], rows[fill])
            due[fill] = issued + int(terms_days)
            known[fill] = iknown
    days = today - due
    days[~known] = 0
    return days, due, known


# --------------------------------------------------------------------------- grouping


def by_names(by: By) -> list[Hashable]:
    """``by`` as a list of keys (empty for None)."""
    if by is None:
        return []
    if isinstance(by, (list, tuple)):
        if not by:
            raise ValueError("by must name at least one column")
        return list(by)
    return [by]


def require_by(df: pd.DataFrame, by: By, func: str) -> None:
    """Every ``by`` key is a column of ``df`` or the virtual ``"issue_month"``."""
    names = by_names(by)
    require(df, [n for n in names if not (n == ISSUE_MONTH and n not in df.columns)], func)
    if ISSUE_MONTH in names and ISSUE_MONTH not in df.columns:
        require(df, ["issued_at"], func)


def _factorize(df: pd.DataFrame, name: Hashable, rows: np.ndarray) -> tuple[np.ndarray, Any, bool]:
    """Codes (0..k-1, missing kept as its own group) and uniques of one key,
    and whether every unique occurs among ``rows``."""
    if name == ISSUE_MONTH and name not in df.columns:
        ordinals = issue_month_ordinals(df["issued_at"], rows)
        unknown = ordinals == _NAT
        valid = ordinals[~unknown] if unknown.any() else ordinals
        lo = int(valid.min()) if len(valid) else 0
        span = int(valid.max()) - lo + 1 if len(valid) else 0
        codes = ordinals - lo
        codes[unknown] = span  # missing month: its own group, last
        months = np.append(np.arange(lo, lo + span), _NAT)
        return codes, pd.PeriodIndex.from_ordinals(months, freq="M"), False
    col = df[name]
    dtype = col.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        codes = col.cat.codes.to_numpy()[rows].astype(np.int64)
        k = len(dtype.categories)
        codes[codes < 0] = k
        uniq = pd.Categorical.from_codes(np.append(np.arange(k), -1), dtype=dtype)
        return codes, uniq, False
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        import pyarrow as pa

        arrow = col.array.__arrow_array__()
        taken = arrow.take(pa.array(rows))
        if isinstance(taken, pa.ChunkedArray):  # one array, copied only if in pieces
            taken = taken.chunk(0) if taken.num_chunks == 1 else taken.combine_chunks()
        encoded = taken.dictionary_encode(null_encoding="encode")
        codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        return codes, pd.array(encoded.dictionary, dtype=dtype), True
    codes, uniq = pd.factorize(col.array.take(rows), use_na_sentinel=False)
    return codes.astype(np.int64), uniq, True


def _compress(code: np.ndarray, space: int) -> tuple[np.ndarray, np.ndarray]:
    """Renumber codes drawn from ``range(space)`` to ``0..g-1`` over the values present."""
    if space <= max(4 * len(code), 1 << 16):
        present = np.bincount(code, minlength=space) > 0
        remap = np.cumsum(present) - 1
        return remap[code], np.flatnonzero(present)
    packed_code, packed = pd.factorize(code)
    return packed_code.astype(np.int64), np.asarray(packed, dtype=np.int64)


def group_codes(df: pd.DataFrame, by: By, rows: np.ndarray) -> tuple[np.ndarray, pd.Index]:
    """Group code per selected row (0..g-1) and the index of the g groups.

    Only groups present among ``rows`` are kept; missing key values form their
    own group.  ``by=None`` gives one group labelled ``"Total"`` (none when no
    rows are selected).  Group order is arbitrary (callers sort).
    """
    names = by_names(by)
    if not names:
        return np.zeros(len(rows), dtype=np.int64), pd.Index([TOTAL] if len(rows) else [])
    parts = [_factorize(df, name, rows) for name in names]
    code, uniq, dense = parts[0]
    if dense:
        present = np.arange(len(uniq))
    else:
        code, present = _compress(code, len(uniq))
    group_levels = [present]  # per group: its code in each key's uniques
    for c, uniq, _ in parts[1:]:
        size = len(uniq)
        code, present = _compress(code * size + c, len(group_levels[0]) * size)
        group_levels = [lv[present // size] for lv in group_levels] + [present % size]
    levels = [pd.Index(uniq.take(lv)) for (_, uniq, _), lv in zip(parts, group_levels)]
    if len(names) == 1:
        return code, levels[0].rename(names[0])
    return code, pd.MultiIndex.from_arrays(levels, names=names)


def exact_sums(codes: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Per-group sums of int64 ``values``, exact (``np.bincount`` on float
    pieces small enough that no partial sum can round).

    >>> exact_sums(np.array([0, 1, 0]), np.array([2**62, 5, -3]), 2).tolist()
    [4611686018427387901, 5]
    """
    values = np.asarray(values, dtype=np.int64)
    if len(values) == 0:
        return np.zeros(n, dtype=np.int64)
    big = max(abs(int(values.max())), abs(int(values.min())))
    # Every partial sum is at most the sum of |values|: below 2**53 floats are exact.
    if big * len(values) < _EXACT or float(np.abs(values).sum(dtype=np.float64)) < _EXACT / 2:
        return np.bincount(codes, weights=values, minlength=n).astype(np.int64)
    bits = max(1, 52 - int(len(values)).bit_length())
    mask = (1 << bits) - 1
    total = np.zeros(n, dtype=np.int64)
    shift = 0
    while shift < 64:
        part = values >> shift
        if shift + bits < 64:
            part = part & mask
        total += np.bincount(codes, weights=part, minlength=n).astype(np.int64) << shift
        shift += bits
    return total


def empty_index(by: By) -> pd.Index:
    """A zero-length index named like the grouped result would be."""
    names = by_names(by)
    if not names:
        return pd.Index([], dtype=object)
    if len(names) == 1:
        return pd.Index([], dtype=object, name=names[0])
    return pd.MultiIndex.from_arrays([[] for _ in names], names=names)


def finish(
    index: pd.Index,
    columns: dict[str, Any],
    *,
    by: By,
    sort_by: Sequence[str] = (),
    totals: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """Assemble a grouped result: sort by the group key (missing last), then
    stably by ``sort_by`` descending; append ``totals`` as a row labelled
    ``"Total"`` (``("Total", "", ...)`` for several keys) unless ``by`` is None."""
    frame = pd.DataFrame(columns, index=index)
    if len(frame) == 0:
        frame.index = empty_index(by)
        return frame
    if by is not None:
        frame = frame.sort_index(na_position="last", kind="stable")
        if sort_by:
            frame = frame.sort_values(list(sort_by), ascending=False, kind="stable")
        if totals is not None:
            names = by_names(by)
            label: Any = TOTAL if len(names) == 1 else (TOTAL, *([""] * (len(names) - 1)))
            if len(names) == 1:
                total_index = pd.Index([label], name=names[0])
            else:
                total_index = pd.MultiIndex.from_tuples([label], names=names)
            row = pd.DataFrame(
                {k: pd.array([v], dtype=frame[k].dtype) for k, v in totals.items()},
                index=total_index,
            )
            frame = pd.concat([frame, row])
    return frame
