"""The exact, fast group-by engine of the analytics (private).

``by`` is the analytics' (the shared ``by_none`` text of :mod:`invoice_analytics._docs`); sums of rupiah are
exact integers (never through a lossy float).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from invoice_analytics._dates import NAT, month_ordinals
from invoice_analytics._types import By
from invoice_analytics.analytics._rules import ISSUE_MONTH, TOTAL, require
from invoice_analytics.analytics.customers import CUSTOMER, CUSTOMER_LEVELS, customer_groups
from invoice_analytics.errors import MoneyOverflowError

__all__ = ["by_names", "checked_sum", "empty_index", "exact_sums", "finish", "group_codes", "ratios", "require_by",
           "row_sums"]

_EXACT = 2**53
#: Below this, a float sum's rounding cannot hide an int64 overflow; at or above it the sums are checked exactly.
_NEAR_LIMIT = 2.0**62
_INT64 = (-(2**63), 2**63 - 1)


def by_names(by: By) -> list[Hashable]:
    """``by`` as a list of the result's index names (none for None, three for ``"customer"``)."""
    if by is None:
        return []
    if isinstance(by, str) and by == CUSTOMER:
        return list(CUSTOMER_LEVELS)
    if isinstance(by, (list, tuple)):
        if not by:
            raise ValueError("by must name at least one column")
        return list(by)
    return [by]


def _is_customer(df: pd.DataFrame, by: By) -> bool:
    """``by`` is the virtual customer key (``"customer"`` and no such column)."""
    return isinstance(by, str) and by == CUSTOMER and CUSTOMER not in df.columns


def require_by(df: pd.DataFrame, by: By, func: str) -> None:
    """Every ``by`` key is a column of ``df`` or a virtual one (``"issue_month"``, ``"customer"``)."""
    if _is_customer(df, by):
        require(df, ["provider", "customer_id", "customer_name"], func)
        return
    names = [by] if isinstance(by, str) and by == CUSTOMER else by_names(by)  # a real "customer" column
    require(df, [n for n in names if not (n == ISSUE_MONTH and n not in df.columns)], func)
    if ISSUE_MONTH in names and ISSUE_MONTH not in df.columns:
        require(df, ["issued_at"], func)


def _factorize(df: pd.DataFrame, name: Hashable, rows: np.ndarray) -> tuple[np.ndarray, Any, bool]:
    """Codes (0..k-1, missing a group), uniques of one key, and whether every unique occurs among ``rows``."""
    if name == ISSUE_MONTH and name not in df.columns:
        ordinals = month_ordinals(df["issued_at"], rows)
        unknown = ordinals == NAT
        valid = ordinals[~unknown] if unknown.any() else ordinals
        lo = int(valid.min()) if len(valid) else 0
        span = int(valid.max()) - lo + 1 if len(valid) else 0
        codes = ordinals - lo
        codes[unknown] = span  # missing month: its own group, last
        months = np.append(np.arange(lo, lo + span), NAT)
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

    Only groups among ``rows``, missing key values one group; ``by=None``: one "Total" (none without rows).
    Group order is arbitrary (callers sort).
    """
    if _is_customer(df, by):
        return customer_groups(df, rows)
    names = [by] if isinstance(by, str) and by == CUSTOMER else by_names(by)  # a real "customer" column
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
    levels = [pd.Index(uniq.take(lv)) for (_, uniq, _), lv in zip(parts, group_levels, strict=True)]
    if len(names) == 1:
        return code, levels[0].rename(names[0])
    return code, pd.MultiIndex.from_arrays(levels, names=names)


def exact_sums(codes: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Exact per-group sums of int64 ``values`` (``np.bincount`` on float pieces too small to round).

    A sum beyond int64 is a :class:`~invoice_analytics.errors.MoneyOverflowError`, never a wrapped total.
    """
    values = np.asarray(values, dtype=np.int64)
    if len(values) == 0:
        return np.zeros(n, dtype=np.int64)
    big = max(abs(int(values.max())), abs(int(values.min())))
    # Every partial sum is at most the sum of |values|: below 2**53 floats are exact.
    if big * len(values) < _EXACT or float(np.abs(values).sum(dtype=np.float64)) < _EXACT / 2:
        return np.bincount(codes, weights=values, minlength=n).astype(np.int64)
    approx = np.bincount(codes, weights=values.astype(np.float64), minlength=n)
    if float(np.abs(approx).max(initial=0.0)) >= _NEAR_LIMIT:  # near or past the limit: Python's exact ints
        exact = [0] * n
        for code, value in zip(codes.tolist(), values.tolist(), strict=True):
            exact[code] += value
        for whole in exact:
            if not _INT64[0] <= whole <= _INT64[1]:
                raise MoneyOverflowError("rupiah", whole)
        return np.array(exact, dtype=np.int64)
    bits = max(1, 52 - len(values).bit_length())
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


def checked_sum(values: np.ndarray | pd.Series) -> int:
    """The exact sum of integer rupiah (missing skipped); ``MoneyOverflowError`` when it does not fit in int64."""
    array = pd.array(values, dtype="Int64") if not isinstance(values, np.ndarray) else values
    ints = array.to_numpy(dtype=np.int64, na_value=0) if not isinstance(array, np.ndarray) else array
    return int(exact_sums(np.zeros(len(ints), dtype=np.int64), ints, 1)[0])


def row_sums(matrix: np.ndarray) -> np.ndarray:
    """The exact sum of each row of an int64 matrix (checked like :func:`exact_sums`)."""
    rows, cols = matrix.shape
    return exact_sums(np.repeat(np.arange(rows), cols), matrix.reshape(-1), rows)


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
    """Sort a grouped result by the key (missing last), then stably by ``sort_by`` descending; append ``totals``.

    The totals row (none when ``by`` is None) is "Total" (``("Total", "", ...)`` for several keys; a group
    labelled so is a ValueError)."""
    frame = pd.DataFrame(columns, index=index)
    if len(frame) == 0:
        frame.index = empty_index(by) if index.nlevels == 1 else empty_index(list(index.names))
        return frame
    if by is not None:
        frame = frame.sort_index(na_position="last", kind="stable")
        if sort_by:
            frame = frame.sort_values(list(sort_by), ascending=False, kind="stable")
        if totals is not None:
            frame = _with_totals(frame, totals)
    return frame



def _with_totals(frame: pd.DataFrame, totals: dict[str, Any]) -> pd.DataFrame:
    """``frame`` with its totals row appended, the index extended by its codes (no level is factorized again)."""
    index = frame.index
    names = list(index.names)
    label: Any = TOTAL if len(names) == 1 else (TOTAL, *([""] * (len(names) - 1)))
    if isinstance(index, pd.MultiIndex):
        levels, codes, clash = [], [], np.ones(len(index), dtype=bool)
        for level, level_codes, part in zip(index.levels, index.codes, label, strict=True):
            hits = np.flatnonzero(np.asarray(level == part, dtype=bool))  # a level's values are unique
            found = int(hits[0]) if len(hits) else -1
            clash &= np.asarray(level_codes) == found  # -1 (absent) never matches a code
            if found < 0:
                level, found = level.append(pd.Index([part])), len(level)
            levels.append(level)
            codes.append(np.append(level_codes, found))
        taken = bool(clash.any())
        new_index: pd.Index = pd.MultiIndex(levels=levels, codes=codes, names=names, verify_integrity=False)
    else:
        taken = label in index
        new_index = index.append(pd.Index([label], name=names[0]))
    if taken:  # as pandas' pivot_table margins: the totals row must be unambiguous
        raise ValueError(
            f"a group is labelled {label!r}, the label of the totals row: pass totals=False or "
            'group by another key (the default by="customer" has the customer id and provider too)'
        )
    columns = {k: _appended(frame[k].array, totals[k]) for k in frame.columns}
    return pd.DataFrame(columns, index=new_index)


def _appended(values: Any, value: Any) -> Any:
    """``values`` (a column's array) and ``value`` after it, in the column's dtype."""
    if isinstance(values, pd.api.extensions.ExtensionArray):
        return type(values)._concat_same_type([values, pd.array([value], dtype=values.dtype)])
    return np.append(np.asarray(values), np.asarray([value], dtype=values.dtype))


def ratios(num: np.ndarray, den: np.ndarray) -> pd.arrays.FloatingArray:
    """``num / den`` as ``Float64``, ``<NA>`` where ``den`` is 0 (every ratio and share column)."""
    num = np.asarray(num, dtype=np.float64)
    den = np.asarray(den, dtype=np.float64)
    zero = den == 0
    return pd.arrays.FloatingArray(num / np.where(zero, 1.0, den), zero)
