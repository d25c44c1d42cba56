"""Typed invoice frames to and from the store's Arrow tables (private).

The files hold engine-neutral types, so DuckDB, Spark or any Parquet reader
sees plain values: text (categories too) as ``string``, rupiah as ``int64``,
datetimes as ``timestamp[us, tz=Asia/Jakarta]``, Faspay's ``period`` as the
``date32`` of its first day. ``provider`` is not a column of the files: it is
the directory (``provider=faspay/``), a Hive partition. Reading back gives the
dtypes of the provider's loader exactly (its frame of no rows is the
reference), categories included: the loader's own, then any other value
present, sorted (as Mayar's ``type`` does).

>>> from invoice_analytics.providers.faspay import faspay_frame
>>> typed = faspay_frame([{"invoice_no": "A1", "customer_id": 9, "customer_name": "PT X",
...     "invoice_date": "2026-01-05 00:00:00", "due_date": "2026-01-19 00:00:00",
...     "invoice_status": "Unpaid", "outstanding_amount": 1500, "period": "202601"}])
>>> table = to_storage(typed)
>>> str(table.schema.field("period").type), "provider" in table.column_names
('date32[day]', False)
>>> pd.testing.assert_frame_equal(from_storage(table, "faspay"), typed)
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from invoice_analytics.schema import DATETIME_DTYPE, PROVIDER_DTYPE, STRING_DTYPE

__all__ = ["STORE_COLUMNS", "data_columns", "from_storage", "reference_frame", "to_storage"]

#: The store's own columns, after an invoice's columns: when the version was first observed, what
#: happened ("new", "changed", or "gone": a row without data marking a disappearance), the refresh.
STORE_COLUMNS: dict[str, Any] = {"valid_from": DATETIME_DTYPE, "change": STRING_DTYPE, "refresh": pd.Int64Dtype()}


@functools.cache
def _reference(provider: str) -> pd.DataFrame:
    if provider == "faspay":
        from invoice_analytics.providers.faspay import faspay_frame

        return faspay_frame([])
    if provider == "mayar":
        from invoice_analytics.providers.mayar import mayar_frame

        return mayar_frame([])
    raise ValueError(f"unknown provider {provider!r}")


def reference_frame(provider: str) -> pd.DataFrame:
    """The provider loader's frame of no rows: its columns and dtypes (a copy)."""
    return _reference(provider).copy()


def data_columns(provider: str) -> list[str]:
    """The columns of an invoice that a version compares (all but ``provider``)."""
    return [name for name in _reference(provider).columns if name != "provider"]


def to_storage(frame: pd.DataFrame) -> pa.Table:
    """The Arrow table of a typed frame (with or without the store's columns), ``provider`` left out."""
    arrays = {name: _to_arrow(frame[name]) for name in frame.columns if name != "provider"}
    return pa.table(arrays)


def _to_arrow(series: pd.Series) -> pa.Array:
    dtype = series.dtype
    if isinstance(dtype, (pd.CategoricalDtype, pd.StringDtype)) or dtype == np.dtype(object):
        return _one(pa.array(series.astype(STRING_DTYPE))).cast(pa.string())
    if isinstance(dtype, pd.PeriodDtype):
        return pa.array(series.dt.start_time.array.astype("datetime64[s]"), type=pa.timestamp("s")).cast(pa.date32())
    if isinstance(dtype, pd.DatetimeTZDtype):
        return _one(pa.array(series)).cast(pa.timestamp("us", tz=str(dtype.tz)))
    return _one(pa.array(series, from_pandas=True))


def _one(array: pa.Array | pa.ChunkedArray) -> pa.Array:
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


def from_storage(table: pa.Table, provider: str) -> pd.DataFrame:
    """The typed frame of stored rows: the loader's columns in its order (a column missing from the
    files comes back missing), then the store's columns present in ``table``."""
    reference = _reference(provider)
    n = table.num_rows
    columns: dict[str, Any] = {}
    for name in reference.columns:
        if name == "provider":
            columns[name] = pd.Categorical(["faspay" if provider == "faspay" else "mayar"] * n, dtype=PROVIDER_DTYPE)
        elif name in table.column_names:
            columns[name] = _from_arrow(_one(table.column(name)), reference[name].dtype)
        else:
            columns[name] = pd.array([None] * n, dtype=reference[name].dtype)
    for name, dtype in STORE_COLUMNS.items():
        if name in table.column_names:
            columns[name] = _from_arrow(_one(table.column(name)), dtype)
    return pd.DataFrame(columns, index=pd.RangeIndex(n), copy=False)


def _from_arrow(array: pa.Array, dtype: Any) -> Any:
    if isinstance(dtype, pd.CategoricalDtype):  # dictionary-encoded in Arrow: one lookup per distinct value
        encoded = pc.dictionary_encode(array.cast(pa.string()))
        present = encoded.dictionary.to_pylist()
        known = list(dtype.categories)
        extra = sorted(str(v) for v in present if v not in set(known))
        position = {value: code for code, value in enumerate(known + extra)}
        lookup = np.array([position[v] for v in present] + [-1], dtype=np.int64)  # -1: missing
        indices = encoded.indices.fill_null(len(present)).to_numpy(zero_copy_only=False)
        return pd.Categorical.from_codes(lookup[indices], categories=known + extra, ordered=dtype.ordered)
    if isinstance(dtype, pd.PeriodDtype):
        stamps = pd.Series(array.cast(pa.timestamp("s")).to_numpy(zero_copy_only=False))
        return stamps.dt.to_period(dtype.freq).array
    if isinstance(dtype, pd.StringDtype):
        return dtype.__from_arrow__(array.cast(pa.large_string()))
    if isinstance(dtype, pd.api.extensions.ExtensionDtype) and hasattr(dtype, "__from_arrow__"):
        values = dtype.__from_arrow__(array)
        return values if values.dtype == dtype else values.astype(dtype)
    return np.asarray(array.to_pandas()).astype(dtype)
