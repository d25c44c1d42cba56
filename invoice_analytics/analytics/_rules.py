"""The business rules of the analytics, each written once (the "Conventions" of :doc:`/guide/analytics`)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from invoice_analytics._dates import as_of_day, day_numbers
from invoice_analytics._types import Terms
from invoice_analytics._warn import warn_caller
from invoice_analytics.errors import PastAsOfWarning

__all__ = [
    "CREDIT",
    "DEFAULT_EDGES",
    "EXCLUDED_STATUSES",
    "ISSUE_MONTH",
    "PAID_STATUS",
    "TOTAL",
    "bucket_codes",
    "bucket_labels",
    "check_basis",
    "check_edges",
    "check_terms",
    "counted_mask",
    "due_and_age",
    "money",
    "overdue_mask",
    "paid_mask",
    "require",
    "select_rows",
    "terms_for",
]

#: Statuses that are never aged, never counted as billed.
EXCLUDED_STATUSES: tuple[str, ...] = ("draft", "cancelled", "proforma")
PAID_STATUS = "paid"
#: Label of the single row when ``by=None`` and of the totals row.
TOTAL = "Total"
#: Label of the credits column of the aging report.
CREDIT = "Credit"
#: Virtual ``by`` key: the Asia/Jakarta calendar month of ``issued_at``.
ISSUE_MONTH = "issue_month"
#: The default aging bucket edges, in days past due.
DEFAULT_EDGES: tuple[int, ...] = (30, 60, 90)


def require(df: pd.DataFrame, columns: Iterable[Hashable], func: str) -> None:
    """Raise a clear ``KeyError`` when ``df`` lacks one of ``columns``."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise KeyError(f"{func}() needs the column(s) {missing}")


def check_basis(basis: str) -> None:
    """Accept ``"due"`` or ``"issued"``."""
    if basis not in ("due", "issued"):
        raise ValueError(f"basis must be 'due' or 'issued', not {basis!r}")


def check_edges(edges: Iterable[int]) -> tuple[int, ...]:
    """Validate bucket edges: positive integers, strictly increasing."""
    out = tuple(int(e) for e in edges)
    if (
        not out
        or any(int(e) != e for e in edges)
        or out[0] < 1
        or any(b <= a for a, b in itertools.pairwise(out))
    ):
        raise ValueError(f"edges must be strictly increasing integers >= 1, got {out}")
    return out


def bucket_labels(edges: Iterable[int]) -> list[str]:
    """``"Current"``, then ``"{lo+1}-{hi}"`` per edge, then ``">{last}"``."""
    e = check_edges(edges)
    lows = (0, *e[:-1])
    return ["Current", *(f"{lo + 1}-{hi}" for lo, hi in zip(lows, e, strict=True)), f">{e[-1]}"]


def bucket_codes(days: np.ndarray, edges: Sequence[int]) -> np.ndarray:
    """Bucket index per day count (``int8``): 0 for <= 0 days, 1 for 1..edges[0], ..., ``len(edges) + 1`` beyond."""
    if len(edges) > 120:
        return np.searchsorted(np.array((0, *edges)), days, side="left")
    codes = (days > 0).view(np.int8).copy()
    for edge in edges:
        codes += (days > edge).view(np.int8)
    return codes




def counted_mask(status: pd.Series) -> np.ndarray:
    """Status is not draft, cancelled or proforma (a missing status counts)."""
    if isinstance(status.dtype, pd.CategoricalDtype):
        codes = status.cat.codes.to_numpy()
        mask = np.ones(len(codes), dtype=bool)
        for code in np.flatnonzero(status.cat.categories.isin(EXCLUDED_STATUSES)):
            mask &= codes != code  # missing is code -1: never excluded
        return mask
    return ~np.asarray(status.isin(EXCLUDED_STATUSES), dtype=bool)


def paid_mask(status: pd.Series) -> np.ndarray:
    """Status is ``"paid"``."""
    if isinstance(status.dtype, pd.CategoricalDtype):
        codes = status.cat.codes.to_numpy()
        found = np.flatnonzero(status.cat.categories == PAID_STATUS)
        return codes == found[0] if len(found) else np.zeros(len(codes), dtype=bool)
    return np.asarray((status == PAID_STATUS).fillna(False), dtype=bool)




def money(s: pd.Series) -> tuple[np.ndarray, np.ndarray | None]:
    """``(int64 values, missing mask or None)``; values at missing positions are undefined (callers mask them)."""
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




def select_rows(
    df: pd.DataFrame,
    func: str,
    *,
    sign: Literal["open", "credit", "nonzero"],
    basis: str | None = "due",
    day: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Positions and outstanding amounts of the open (``sign="open"``), credit or both (``"nonzero"``) invoices.

    ``basis`` names the date columns the caller will age them by (None: none). ``day`` (a Jakarta day number)
    is the caller's ``as_of``; a past one follows the guide's ``as_of`` rule (issued later: left out, warned).
    """
    needed = ["status", "outstanding"]
    if basis is not None:  # the rows will be aged: their dates are needed too
        check_basis(basis)
        needed += ["issued_at"] + (["due_at"] if basis == "due" else [])
    require(df, needed, func)
    keep = counted_mask(df["status"])
    out, missing = money(df["outstanding"])
    if sign == "open":
        keep &= out > 0
    elif sign == "credit":
        keep &= out < 0
    else:
        keep &= out != 0
    if missing is not None:
        keep &= ~missing
    if day is not None and day < as_of_day(None):
        keep &= _issued_by(df, day, func)
    rows = np.flatnonzero(keep)
    return rows, out[rows]


def _issued_by(df: pd.DataFrame, day: int, func: str) -> np.ndarray:
    """Rows issued by Jakarta day ``day`` (or undated); warns when the balances are known later than that day."""
    known_on = df.attrs.get("as_of")
    if day < as_of_day(known_on):  # None: a frame loaded today
        warn_caller(
            f"{func}(): as_of {dt.date(1970, 1, 1) + dt.timedelta(days=day)} is before the date of the "
            f"balances ({'today' if known_on is None else known_on}): invoices issued after it are left out, "
            "but the balances are not those of that date (the provider APIs keep no history); "
            "ia.InvoiceStore(...).as_of(date) gives the balances known on a past date",
            PastAsOfWarning,
        )
    if "issued_at" not in df.columns:
        return np.ones(len(df), dtype=bool)
    issued, known = day_numbers(df["issued_at"])
    result: np.ndarray = ~known | (issued <= day)
    return result


def check_terms(terms_days: object) -> Terms:
    """Validate payment terms: whole days >= 0, a mapping of them by provider, or a column name."""
    def days_ok(v: object) -> bool:
        return isinstance(v, (int, np.integer)) and not isinstance(v, bool) and 0 <= int(v) <= 36_500

    if isinstance(terms_days, str):
        return terms_days
    if isinstance(terms_days, (int, np.integer)) and days_ok(terms_days):
        return int(terms_days)
    if isinstance(terms_days, Mapping) and all(isinstance(k, str) and days_ok(v) for k, v in terms_days.items()):
        return dict(terms_days)
    raise ValueError("terms_days must be whole days >= 0, a mapping of them by provider, or a column name, "
                     f"not {terms_days!r}")


def terms_for(df: pd.DataFrame, rows: np.ndarray, terms_days: Terms) -> np.ndarray:
    """The payment terms in days (``int64``) of the given rows."""
    terms_days = check_terms(terms_days)
    if isinstance(terms_days, str):
        require(df, [terms_days], "terms_days")
        column = df[terms_days]
        if not pd.api.types.is_integer_dtype(column.dtype):
            raise TypeError(f"terms_days column {terms_days!r} must hold whole days (Int64), not {column.dtype}")
        values, missing = money(column.iloc[rows])
        values = values.copy()
        if missing is not None:
            values[missing] = 0
        if (values < 0).any():
            raise ValueError(f"terms_days column {terms_days!r} holds negative days")
        return values
    if isinstance(terms_days, Mapping):
        out = np.zeros(len(rows), dtype=np.int64)
        if terms_days:
            require(df, ["provider"], "terms_days")
            provider = df["provider"].iloc[rows].astype(object).to_numpy()
            for name, days in terms_days.items():
                out[provider == name] = int(days)
        return out
    return np.full(len(rows), int(terms_days), dtype=np.int64)


def due_and_age(
    df: pd.DataFrame, rows: np.ndarray, today: int, basis: str, terms_days: Terms
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(days_past_due, due_day, known)`` of the given rows.

    The due day is ``due_at``'s Jakarta date, else ``issued_at``'s + the invoice's terms (:func:`terms_for`);
    with ``basis="issued"`` it is ``issued_at``'s date.
    """
    terms_days = check_terms(terms_days)
    if basis == "issued":
        due, known = day_numbers(df["issued_at"], rows)
    else:
        due, known = day_numbers(df["due_at"], rows)
        if not known.all():
            fill = np.flatnonzero(~known)
            issued, iknown = day_numbers(df["issued_at"], rows[fill])
            due[fill] = issued + terms_for(df, rows[fill], terms_days)
            known[fill] = iknown
    days = today - due
    days[~known] = 0
    return days, due, known


def overdue_mask(days: np.ndarray, known: np.ndarray) -> np.ndarray:
    """Overdue: at least one day past due, with a known due day (of open invoices)."""
    return known & (days >= 1)
