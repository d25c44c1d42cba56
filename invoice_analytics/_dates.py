"""The one reader of dates, ``as_of``'s rules (:doc:`/guide/analytics`), in Asia/Jakarta (private); columns work
on day numbers (days since 1970-01-01 on the Jakarta calendar, a fixed UTC+7 since 1964)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from invoice_analytics._types import AsOf
from invoice_analytics.schema import DATETIME_DTYPE, JAKARTA

__all__ = ["NAT", "as_of_day", "day_numbers", "days_to_timestamps", "jakarta_date", "jakarta_today", "month_ordinals"]

NAT = np.iinfo(np.int64).min
_UNIT_PER_SECOND = {"s": 1, "ms": 10**3, "us": 10**6, "ns": 10**9}
_JAKARTA_OFFSET_S = 7 * 3600
# Asia/Jakarta is a fixed UTC+7 since 1964-01-01 00:00 local (= 1963-12-31 17:00 UTC).
_FIXED_SINCE_UTC_S = int(pd.Timestamp("1963-12-31 17:00", tz="UTC").timestamp())
_EPOCH = dt.date(1970, 1, 1)


def jakarta_today() -> dt.date:
    """Today's date in Asia/Jakarta."""
    today: dt.date = pd.Timestamp.now(tz=JAKARTA).date()
    return today


def jakarta_date(value: AsOf, *, name: str = "as_of") -> dt.date:
    """The Asia/Jakarta calendar date ``value`` stands for (None = today); ``name`` words the error."""
    if value is None:
        return jakarta_today()
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a date like '2024-01-31', got {value!r}") from None
    if stamp is pd.NaT:
        raise ValueError(f"{name} must be a date like '2024-01-31', got {value!r}")
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert(JAKARTA)
    day: dt.date = stamp.date()
    return day


def as_of_day(as_of: AsOf = None) -> int:
    """The Jakarta calendar date of ``as_of`` as days since 1970-01-01."""
    return (jakarta_date(as_of) - _EPOCH).days


def _as_datetime(s: pd.Series) -> pd.Series:
    if isinstance(s.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(s.dtype):
        return s
    return pd.to_datetime(s)


def day_numbers(s: pd.Series, rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``(days, known)``: Jakarta day numbers of datetimes (aware converted, naive read as wall time), 0 where
    not known; ``rows`` (positions) restricts the work. The fast path floor-divides the raw integers."""
    s = _as_datetime(s)
    dtype = s.dtype
    unit = dtype.unit if hasattr(dtype, "unit") else np.datetime_data(dtype)[0]
    aware = isinstance(dtype, pd.DatetimeTZDtype)
    raw = s.to_numpy(dtype=f"datetime64[{unit}]").view(np.int64)
    if rows is not None:
        raw = raw[rows]
    known = raw != NAT
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
    """Day numbers -> Jakarta midnight as ``datetime64[us, Asia/Jakarta]`` (NaT where unknown)."""
    naive = np.where(known, days, 0).astype("datetime64[D]").astype("datetime64[us]")
    naive[~known] = np.datetime64("NaT")
    return pd.Series(naive).dt.tz_localize(JAKARTA).astype(DATETIME_DTYPE)


def month_ordinals(issued_at: pd.Series, rows: np.ndarray | None = None) -> np.ndarray:
    """Jakarta calendar month ordinals (months since 1970-01; the NaT ordinal when unknown)."""
    days, known = day_numbers(issued_at, rows)
    if len(days) == 0:
        return days
    lo, hi = int(days.min()), int(days.max())
    if hi - lo < 5_000_000:  # a lookup table of the days spanned beats a calendar cast
        table = np.arange(lo, hi + 1).astype("datetime64[D]").astype("datetime64[M]").view(np.int64)
        months: np.ndarray = table[days - lo]
    else:
        months = days.astype("datetime64[D]").astype("datetime64[M]").view(np.int64).copy()
    months[~known] = NAT
    return months
