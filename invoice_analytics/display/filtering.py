"""Filtering an invoice frame by provider, status, customer text and issue dates; :class:`FilterIndex` prepares a
frame once, so the panel refilters in about a millisecond."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from invoice_analytics._dates import day_numbers, jakarta_date

__all__ = ["FILTER_COLUMNS", "MISSING_LABEL", "FilterIndex", "filter_invoices", "fold"]

#: How a missing provider or status is offered and selected.
MISSING_LABEL = "(missing)"

Selection: TypeAlias = Iterable[object] | None
DateLike: TypeAlias = str | dt.date | pd.Timestamp | None


def _codes(s: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Integer codes (-1 = missing) and the text of each code."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        return s.cat.codes.to_numpy().astype(np.int64), [str(c) for c in s.cat.categories]
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    return codes.astype(np.int64), [str(u) for u in uniques]


def fold(text: str) -> str:
    """``text`` as the customer search compares it (both sides): case-folded, then NFKD without combining marks."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _folded(s: pd.Series) -> tuple[np.ndarray, pa.Array]:
    """Codes (-1 = missing) and the folded (:func:`fold`) unique values of a text column."""
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    text = pa.array([str(u) for u in uniques], type=pa.string())
    ascii_ = pc.string_is_ascii(text).to_numpy(zero_copy_only=False)
    if ascii_.all():  # ASCII only: folding is lower-casing, done by Arrow at once
        return codes.astype(np.int64), pc.utf8_lower(text)
    values = text.to_pylist()
    folded = [v.lower() if plain else fold(v) for v, plain in zip(values, ascii_.tolist(), strict=True)]
    return codes.astype(np.int64), pa.array(folded, type=pa.string())


def _allowed(names: list[str], selection: Selection) -> np.ndarray:
    """Lookup table over ``names`` plus a last slot for missing (code -1)."""
    table = np.ones(len(names) + 1, dtype=bool)
    if selection is None:
        return table
    if isinstance(selection, str):
        selection = [selection]
    wanted = {MISSING_LABEL if v is None else str(v) for v in selection}
    table[:-1] = [n in wanted for n in names]
    table[-1] = MISSING_LABEL in wanted
    return table


def _day(value: DateLike, name: str) -> int:
    """A filter bound as a Jakarta day number (days since 1970-01-01)."""
    return (jakarta_date(value, name=name) - dt.date(1970, 1, 1)).days


#: The columns filtering reads.
FILTER_COLUMNS = ("provider", "status", "customer_name", "customer_id", "issued_at")


@dataclass(frozen=True)
class FilterIndex:
    """What filtering needs, once per frame: codes per row, folded unique customer names and ids, Jakarta days."""

    n: int
    provider_codes: np.ndarray
    providers: list[str]
    status_codes: np.ndarray
    statuses: list[str]
    name_codes: np.ndarray
    names: pa.Array
    id_codes: np.ndarray
    ids: pa.Array
    issued_day: np.ndarray
    issued_known: np.ndarray

    @classmethod
    def build(cls, df: pd.DataFrame) -> FilterIndex:
        """Index ``df`` (its provider, status, customer_name, customer_id, issued_at; else a ``KeyError``)."""
        missing = [c for c in FILTER_COLUMNS if c not in df.columns]
        if missing:
            raise KeyError(f"filtering needs the column(s) {missing}")
        provider_codes, providers = _codes(df["provider"])
        status_codes, statuses = _codes(df["status"])
        name_codes, names = _folded(df["customer_name"])
        id_codes, ids = _folded(df["customer_id"])
        issued_day, issued_known = day_numbers(df["issued_at"])
        return cls(len(df), provider_codes, providers, status_codes, statuses,
                   name_codes, names, id_codes, ids, issued_day, issued_known)

    def mask(
        self,
        *,
        providers: Selection = None,
        statuses: Selection = None,
        customer: str | None = None,
        issued_from: DateLike = None,
        issued_to: DateLike = None,
    ) -> np.ndarray:
        """Boolean mask of the rows kept (see :func:`filter_invoices`)."""
        keep = np.ones(self.n, dtype=bool)
        if providers is not None:
            keep &= _allowed(self.providers, providers)[self.provider_codes]
        if statuses is not None:
            keep &= _allowed(self.statuses, statuses)[self.status_codes]
        needle = fold((customer or "").strip())
        if needle:
            hit = np.zeros(self.n, dtype=bool)
            for codes, uniques in ((self.name_codes, self.names), (self.id_codes, self.ids)):
                found = pc.match_substring(uniques, needle).to_numpy(zero_copy_only=False)
                hit |= np.append(np.asarray(found, dtype=bool), False)[codes]
            keep &= hit
        if issued_from is not None or issued_to is not None:
            keep &= self.issued_known
            if issued_from is not None:
                keep &= self.issued_day >= _day(issued_from, "issued_from")
            if issued_to is not None:
                keep &= self.issued_day <= _day(issued_to, "issued_to")
        return keep


def filter_invoices(
    df: pd.DataFrame,
    *,
    providers: Selection = None,
    statuses: Selection = None,
    customer: str | None = None,
    issued_from: DateLike = None,
    issued_to: DateLike = None,
) -> pd.DataFrame:
    """The rows of ``df`` matching every given filter, the filters of :class:`FilterPanel` (index kept).

    Parameters
    ----------
    df : pandas.DataFrame
        Invoices with ``provider``, ``status``, ``customer_name``, ``customer_id`` and ``issued_at`` (always).
    providers, statuses : value or iterable of values, or None, default None
        The values to keep, compared as text (a single string is one value); None keeps every row; an empty
        selection keeps none; ``None`` or ``"(missing)"`` in it keeps the rows where the value is missing.
    customer : str or None, default None
        Keep the rows whose ``customer_name`` or ``customer_id`` contains this literal text (not a pattern),
        ignoring case, accents and surrounding spaces (both sides case-folded, then NFKD without combining
        marks: ``istanbul`` finds ``İSTANBUL``, ``STRASSE`` finds ``Straße``); None or blank: no filter.
    issued_from, issued_to : str, datetime.date, pandas.Timestamp or None, default None
        Keep the rows issued on or after / on or before this Asia/Jakarta calendar date (naive values are
        Jakarta wall time); with either, a row without ``issued_at`` is dropped.

    Returns
    -------
    pandas.DataFrame
        The matching rows of ``df`` in order, every column, index labels kept (a new frame; ``df`` unchanged).

    Raises
    ------
    KeyError
        When ``df`` lacks one of the columns above.
    ValueError
        When ``issued_from`` or ``issued_to`` is not a date.

    Examples
    --------
    >>> df = pd.DataFrame({
    ...     "provider": ["faspay", "mayar", "mayar"], "status": ["paid", "unpaid", None],
    ...     "customer_name": ["PT Budi", "Ani", "Budiman"], "customer_id": ["C1", "C2", "X9"],
    ...     "issued_at": pd.to_datetime(["2024-01-01 08:00", "2024-01-31 23:00", "2024-02-01 00:30"])})
    >>> filter_invoices(df, customer="BUDI")["customer_id"].tolist()
    ['C1', 'X9']
    """
    keep = FilterIndex.build(df).mask(
        providers=providers, statuses=statuses, customer=customer,
        issued_from=issued_from, issued_to=issued_to,
    )
    return df[keep]
