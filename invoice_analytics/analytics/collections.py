"""From totals to invoices: a customer's statement, and who to chase first (plain frames, exported as they are;
the "Conventions" of :doc:`/guide/analytics`)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from invoice_analytics._dates import as_of_day
from invoice_analytics._docs import doc
from invoice_analytics._types import AsOf, Terms
from invoice_analytics.analytics._groupby import checked_sum
from invoice_analytics.analytics._rules import (
    CREDIT,
    DEFAULT_EDGES,
    TOTAL,
    bucket_codes,
    bucket_labels,
    check_edges,
    due_and_age,
    require,
    select_rows,
)
from invoice_analytics.analytics.customers import CUSTOMER_LEVELS, customer_groups, customer_key
from invoice_analytics.schema import JAKARTA

__all__ = ["COLLECTIONS_COLUMNS", "STATEMENT_COLUMNS", "collections_list", "customer_statement"]

#: The columns of :func:`customer_statement`.
STATEMENT_COLUMNS = ["invoice_id", "provider", "customer_id", "customer_name", "status", "issued_at", "due_date",
                     "days_past_due", "bucket", "outstanding"]
#: The columns of :func:`collections_list`.
COLLECTIONS_COLUMNS = ["provider", "customer_id", "customer_name", "overdue_count", "overdue_amount",
                       "oldest_invoice_id", "oldest_due_date", "oldest_days_past_due", "customer_email",
                       "customer_mobile"]
_EPOCH = pd.Timestamp("1970-01-01")


def _due_dates(days: np.ndarray, known: np.ndarray) -> pd.Series:
    """Jakarta day numbers as naive midnight datetimes (a due date has no time); unknown = NaT."""
    values = (_EPOCH + pd.to_timedelta(np.where(known, days, 0), unit="D")).to_numpy()
    out = pd.Series(values).astype("datetime64[us]")
    out[~known] = pd.NaT
    return out


def _customer_rows(df: pd.DataFrame, customer: str | tuple[object, ...]) -> np.ndarray:
    """Mask of the customer's rows: a key (:func:`~.customers.customer_key`) or a name (trimmed, case-folded)."""
    if isinstance(customer, tuple):
        if len(customer) == 2:  # (provider, customer_id)
            provider, customer_id = customer
            keys = customer_key(df)
            mask = (keys["provider"].astype(object) == provider) & (keys["customer_id"].astype(object) == customer_id)
            what = f"provider {provider!r} and customer_id {customer_id!r}"
        elif len(customer) == len(CUSTOMER_LEVELS):  # a row label of a table by customer
            keys = customer_key(df)
            mask = pd.Series(True, index=df.index)
            for level, value in zip(CUSTOMER_LEVELS, customer, strict=True):
                column = keys[level].astype(object)
                missing = value is None or (not isinstance(value, str) and bool(pd.isna(value)))
                mask &= column.isna() if missing else column == value
            what = f"customer {customer!r}"
        else:
            raise ValueError(f"customer must be a name, (provider, customer_id) or (customer_name, customer_id, "
                             f"provider), not {customer!r}")
    else:
        wanted = str(customer).strip().casefold()
        names = df["customer_name"].astype(object).map(lambda v: v.strip().casefold() if isinstance(v, str) else v)
        mask = names == wanted
        what = f"customer_name {customer!r}"
    found = np.asarray(mask.fillna(False), dtype=bool)
    if not found.any():
        raise KeyError(f"no invoice of {what}")
    return found


@doc()
def customer_statement(
    df: pd.DataFrame,
    customer: str | tuple[object, ...],
    as_of: AsOf = None,
    *,
    terms_days: Terms = 0,
    edges: Iterable[int] = DEFAULT_EDGES,
) -> pd.DataFrame:
    """One customer's open invoices and credits, aged, with a Total row.

    Parameters
    ----------
    df : pandas.DataFrame
        A loader's frame or ``combine(...)`` of both.
    customer : str or tuple
        ``(provider, customer_id)``; a row label of a table by customer (``(customer_name, customer_id,
        provider)``: the way to name one without an id); or a name (trimmed, case-folded, any provider).
    {as_of}
    {terms_days}
    {edges}

    Returns
    -------
    pandas.DataFrame
        :data:`STATEMENT_COLUMNS`: open invoices oldest due date first, then credits (bucket "Credit", no days
        past due), then a row ``invoice_id`` "Total" of the net ``outstanding``; ``issued_at`` and
        ``due_date`` are naive Jakarta dates.

    Raises
    ------
    KeyError
        When no invoice at all (open or not) is the customer's.

    Examples
    --------
    {example_invoices}
    >>> customer_statement(df, ("faspay", "C1"), "2024-02-15")[["invoice_id", "days_past_due", "bucket",
    ...     "outstanding"]]  # doctest: +NORMALIZE_WHITESPACE
      invoice_id  days_past_due   bucket  outstanding
    0         I2             36    31-60       100000
    1         I1            -15  Current       200000
    2         I3           <NA>   Credit       -30000
    3      Total           <NA>      NaN       270000
    """
    edges = check_edges(edges)
    require(df, ["provider", "invoice_id", "customer_id", "customer_name"], "customer_statement")
    day = as_of_day(as_of)
    mine = _customer_rows(df, customer)
    rows, amounts = select_rows(df, "customer_statement", sign="nonzero", day=day)
    keep = mine[rows]
    rows, amounts = rows[keep], amounts[keep]
    days, due, known = due_and_age(df, rows, day, "due", terms_days)
    credit = amounts < 0
    labels = [*bucket_labels(edges), CREDIT]
    codes = np.where(credit, len(labels) - 1, bucket_codes(days, edges))
    out = df.take(rows)[["invoice_id", "provider", "customer_id", "customer_name", "status", "issued_at"]]
    out = out.reset_index(drop=True)
    out["issued_at"] = out["issued_at"].dt.tz_convert(JAKARTA).dt.tz_localize(None).dt.normalize()
    out["due_date"] = _due_dates(due, known)
    out["days_past_due"] = pd.arrays.IntegerArray(days.astype(np.int64), ~known | credit)
    out["bucket"] = pd.Categorical.from_codes(codes, categories=labels, ordered=True)
    out["outstanding"] = amounts.astype(np.int64)
    order = np.lexsort((out["invoice_id"].astype(str).to_numpy(), np.where(known, due, np.iinfo(np.int64).max),
                        credit))
    out = out.iloc[order].reset_index(drop=True)
    total = pd.DataFrame({"invoice_id": [TOTAL], "outstanding": [checked_sum(amounts)]})
    out = pd.concat([out, total], ignore_index=True)
    out["outstanding"] = out["outstanding"].astype(np.int64)
    out["days_past_due"] = out["days_past_due"].astype("Int64")
    return out[STATEMENT_COLUMNS]


@doc()
def collections_list(
    df: pd.DataFrame,
    as_of: AsOf = None,
    *,
    min_days: int = 1,
    terms_days: Terms = 0,
) -> pd.DataFrame:
    """Who to chase first: per customer, the open invoices at least ``min_days`` past due.

    Customers are the one customer key (:doc:`/guide/analytics`); the contact is Mayar's ``customer_email`` and
    ``customer_mobile`` from the customer's most recent invoice that has one (missing for Faspay).

    Parameters
    ----------
    df : pandas.DataFrame
        A loader's frame or ``combine(...)`` of both.
    {as_of}
    min_days : int, default 1
        The fewest days past due an invoice needs to be listed (1 = every overdue invoice).
    {terms_days}

    Returns
    -------
    pandas.DataFrame
        :data:`COLLECTIONS_COLUMNS`, one row per customer with such an invoice: their count and
        ``overdue_amount`` (``int64``), the oldest one (``oldest_due_date`` a naive Jakarta date), the
        contact; sorted by overdue amount, then oldest days past due, descending.

    Examples
    --------
    {example_invoices}
    >>> collections_list(df, "2024-02-15")[["customer_id", "overdue_count", "overdue_amount",
    ...     "oldest_days_past_due"]]  # doctest: +NORMALIZE_WHITESPACE
      customer_id  overdue_count  overdue_amount  oldest_days_past_due
    0          C2              1          500000                     1
    1          C1              1          100000                    36
    """
    if not _whole_days(min_days):
        raise ValueError(f"min_days must be a whole number of days >= 1, not {min_days!r}")
    require(df, ["provider", "invoice_id", "customer_id", "customer_name"], "collections_list")
    day = as_of_day(as_of)
    rows, amounts = select_rows(df, "collections_list", sign="open", day=day)
    days, due, known = due_and_age(df, rows, day, "due", terms_days)
    late = known & (days >= int(min_days))
    rows, amounts, days, due = rows[late], amounts[late], days[late], due[late]
    if len(rows) == 0:
        empty = pd.DataFrame({c: pd.Series(dtype=object) for c in COLLECTIONS_COLUMNS})
        empty[["overdue_count", "overdue_amount"]] = empty[["overdue_count", "overdue_amount"]].astype(np.int64)
        empty["oldest_days_past_due"] = empty["oldest_days_past_due"].astype("Int64")
        empty["oldest_due_date"] = empty["oldest_due_date"].astype("datetime64[us]")
        return empty
    group, customers = customer_groups(df, rows, "collections_list")
    late_rows = pd.DataFrame({
        "group": group, "invoice_id": df["invoice_id"].take(rows).astype(object).to_numpy(),
        "amount": amounts.astype(np.int64), "days": days.astype(np.int64), "due": due.astype(np.int64),
    })
    late_rows = late_rows.sort_values(["days", "invoice_id"], ascending=[False, True], kind="stable")
    grouped = late_rows.groupby("group", sort=True)
    out = grouped.agg(overdue_count=("amount", "size"), overdue_amount=("amount", "sum"),
                      oldest_invoice_id=("invoice_id", "first"), oldest_due=("due", "first"),
                      oldest_days_past_due=("days", "first"))
    for level in CUSTOMER_LEVELS:
        out[level] = customers.get_level_values(level).astype(object).to_numpy()
    out = out.reset_index(drop=True)
    out["oldest_due_date"] = _due_dates(out.pop("oldest_due").to_numpy(), np.ones(len(out), dtype=bool))
    out["oldest_days_past_due"] = out["oldest_days_past_due"].astype("Int64")
    out["overdue_amount"] = out["overdue_amount"].astype(np.int64)
    out["overdue_count"] = out["overdue_count"].astype(np.int64)
    contacts = _contacts(df)
    key = ["provider", "customer_id", "customer_name"]
    out = out.merge(contacts, on=key, how="left") if contacts is not None else out
    for name in ("customer_email", "customer_mobile"):
        if name not in out:
            out[name] = pd.Series([None] * len(out), dtype="string")
    out = out.sort_values(["overdue_amount", "oldest_days_past_due"], ascending=False, kind="stable")
    return out[COLLECTIONS_COLUMNS].reset_index(drop=True)


def _whole_days(value: object) -> bool:
    """A whole number of days >= 1 (not a bool)."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool) and int(value) >= 1


def _contacts(df: pd.DataFrame) -> pd.DataFrame | None:
    """Per customer (:func:`~.customers.customer_key`): the email and phone of its latest invoice having each."""
    present = [c for c in ("customer_email", "customer_mobile") if c in df.columns]
    if not present:
        return None
    keys = customer_key(df).astype(object)
    frame = pd.concat([keys, df[["issued_at", *present]]], axis=1)
    frame = frame.sort_values("issued_at", ascending=False, kind="stable", na_position="last")
    picked = frame.groupby(["provider", "customer_id", "customer_name"], sort=False, dropna=False)[present].first()
    return picked.reset_index()
