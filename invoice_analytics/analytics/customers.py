"""One customer key for every table and chart: ``(provider, customer_id)``, indexed by :data:`CUSTOMER_LEVELS`
(the rules: "Conventions" of :doc:`/guide/analytics`); grouped tables take it as ``by="customer"``."""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
import pandas as pd

from invoice_analytics.analytics._rules import require

__all__ = ["CUSTOMER", "CUSTOMER_LEVELS", "customer_groups", "customer_key", "customer_label"]

#: Virtual ``by`` key (when the frame has no column of that name): the customer.
CUSTOMER = "customer"
#: The index levels of a table by customer: the name shown, then the key.
CUSTOMER_LEVELS: tuple[str, str, str] = ("customer_name", "customer_id", "provider")
#: The columns the customer key is built from.
_NEEDED = ("provider", "customer_id", "customer_name")


def _codes(values: pd.Series) -> tuple[np.ndarray, int]:
    """Codes 0..k-1 of a column (missing values: one more code, ``k``) and ``k + 1``."""
    codes, uniques = pd.factorize(values.array, use_na_sentinel=True)
    k = len(uniques)
    codes = codes.astype(np.int64)
    codes[codes < 0] = k
    return codes, k + 1


def _whole_frame_groups(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Customer code per row of ``df`` (0..g-1) and, per customer, the row whose name labels it."""
    n = len(df)
    provider, _ = _codes(df["provider"])
    ident, n_ids = _codes(df["customer_id"])
    name, n_names = _codes(df["customer_name"])
    no_id = df["customer_id"].isna().to_numpy(dtype=bool)
    # (provider, id) for invoices with an id; (provider, no id, name) for those without.
    name_part = np.where(no_id, name, n_names)
    composite = (provider * n_ids + ident) * (n_names + 1) + name_part
    group, _ = pd.factorize(composite)
    group = group.astype(np.int64)
    # The label: the latest issued invoice with a name (ties and no dates: the last in frame order).
    has_dates = "issued_at" in df.columns  # NaT is the smallest int64
    when = pd.DatetimeIndex(df["issued_at"]).asi8.copy() if has_dates else np.zeros(n, dtype=np.int64)
    named = df["customer_name"].notna().to_numpy(dtype=bool)
    order = np.lexsort((np.arange(n), when, named, group))
    last = np.r_[group[order][1:] != group[order][:-1], True] if n else np.zeros(0, dtype=bool)
    label_rows = order[last]  # one per group, in group order
    return group, label_rows


def customer_groups(
    df: pd.DataFrame, rows: np.ndarray, func: str = "customer_groups"
) -> tuple[np.ndarray, pd.MultiIndex]:
    """Customer code per selected row (0..g-1) and the index (:data:`CUSTOMER_LEVELS`) of those g customers; names
    are chosen over the whole frame, so a customer is labelled alike in every table of the same frame."""
    require(df, _NEEDED, func)
    group, label_rows = _whole_frame_groups(df)
    rows = np.asarray(rows, dtype=np.int64)
    picked, codes = np.unique(group[rows], return_inverse=True)
    at = label_rows[picked]
    levels = [df[name].take(at).array for name in CUSTOMER_LEVELS]
    index = pd.MultiIndex.from_arrays(levels, names=list(CUSTOMER_LEVELS))
    return codes.astype(np.int64).reshape(-1), index


def customer_key(df: pd.DataFrame) -> pd.DataFrame:
    """Each invoice's customer: its name (as shown), customer id and provider.

    The one customer key of the "Conventions" of :doc:`/guide/analytics`: ``df.groupby(list(customer_key(df)))``
    groups as the tables do (:func:`top_debtors` and :func:`aging_report` by default, ``by="customer"``).

    Parameters
    ----------
    df : pandas.DataFrame
        Invoices with ``provider``, ``customer_id``, ``customer_name`` (and ``issued_at``, to pick the name).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``df``; columns ``customer_name``, ``customer_id`` and ``provider``, in ``df``'s dtypes.

    Raises
    ------
    KeyError
        When ``df`` lacks one of the three columns.

    Examples
    --------
    Two ids of one name are two customers; a customer renamed is one:

    >>> df = pd.DataFrame({"provider": ["faspay"] * 3, "customer_id": ["C1", "C2", "C2"],
    ...                    "customer_name": ["Ani", "Ani", "Ani Baru"],
    ...                    "issued_at": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-03-01"])})
    >>> customer_key(df).drop_duplicates()
      customer_name customer_id provider
    0           Ani          C1   faspay
    1      Ani Baru          C2   faspay
    """
    require(df, _NEEDED, "customer_key")
    group, label_rows = _whole_frame_groups(df)
    at = label_rows[group]
    return pd.DataFrame({name: df[name].take(at).array for name in CUSTOMER_LEVELS}, index=df.index)


def customer_label(key: tuple[Hashable, ...]) -> str:
    """How a customer is named in a chart: its name, else its id, else "(unknown customer)"."""
    name, ident = key[0], key[1]
    for value in (name, ident):
        if isinstance(value, str) and value:
            return value
    return "(unknown customer)"
