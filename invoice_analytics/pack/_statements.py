"""Statements of account of each customer with a past-due amount at the month end: open items with a running
balance, the month's activity from a store, the contacts given (:doc:`/guide/month-end-pack`)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from invoice_analytics._dates import jakarta_date
from invoice_analytics._types import AsOf, Terms
from invoice_analytics.analytics._observed import HistoryLike, _end_of_day
from invoice_analytics.analytics._rules import DEFAULT_EDGES, counted_mask
from invoice_analytics.analytics.aging import aging_buckets, credit_invoices
from invoice_analytics.analytics.collections import collections_list
from invoice_analytics.analytics.customers import CUSTOMER_LEVELS, customer_key
from invoice_analytics.analytics.dso import with_observed_amount
from invoice_analytics.pack._sections import known_at
from invoice_analytics.schema import JAKARTA

__all__ = ["ACTIVITY_COLUMNS", "ITEM_COLUMNS", "statement_activity", "statement_customers", "statement_items"]

#: The columns of :func:`statement_items`.
ITEM_COLUMNS = [*CUSTOMER_LEVELS, "customer_email", "customer_mobile", "invoice_id", "issued_at", "due_date",
                "days_past_due", "amount", "amount_basis", "paid_to_date", "outstanding", "balance"]
#: The columns of :func:`statement_activity`.
ACTIVITY_COLUMNS = [*CUSTOMER_LEVELS, "line", "invoice_id", "seen_after", "seen_by", "balance_change", "balance"]
_LINES = {"new": "New invoice", "paid": "Paid", "partially paid": "Part payment", "cancelled": "Cancelled",
          "reopened": "Reopened", "amount changed": "Amount changed", "gone": "No longer listed"}


def _match(frame: pd.DataFrame) -> pd.Series:
    """A customer's key as text: provider and customer id, else provider and name (as :func:`customer_key`)."""
    provider = frame["provider"].astype("string").fillna("")
    ident = frame["customer_id"].astype("string")
    name = frame["customer_name"].astype("string").fillna("").str.strip().str.casefold()
    return (provider + "|" + ident.where(ident.notna(), "name:" + name)).astype(object)


def statement_customers(df: pd.DataFrame, as_of: AsOf, *, terms_days: Terms = 0) -> pd.DataFrame:
    """The customers past due at ``as_of``: :func:`~invoice_analytics.collections_list` with ``min_days=1``."""
    return collections_list(df, as_of, min_days=1, terms_days=terms_days)


def statement_items(df: pd.DataFrame, as_of: AsOf, *, store: HistoryLike | None = None,
                    edges: Sequence[int] = DEFAULT_EDGES, terms_days: Terms = 0) -> pd.DataFrame:
    """:data:`ITEM_COLUMNS` of the customers of :func:`statement_customers`, in order: open invoices by due date,
    then credits, ``balance`` running per customer. Faspay amounts are the ``store``'s observed ones (a lower
    bound; ``amount_basis`` "observed"), missing without a store ("unknown")."""
    day = jakarta_date(as_of)
    chase = statement_customers(df, day, terms_days=terms_days)
    frame = df
    if store is not None:
        frame = with_observed_amount(df, known_at(store, day))
    else:
        frame = df.assign(amount_is_lower_bound=False)
    open_ = aging_buckets(frame, day, edges=edges, terms_days=terms_days)
    credits = credit_invoices(frame)
    credits = credits.assign(days_past_due=pd.array([pd.NA] * len(credits), dtype="Int64"))
    rows = pd.concat([open_, credits])
    keys = customer_key(frame)
    rows = rows.join(keys.add_suffix("_key"))
    order = {m: i for i, m in enumerate(_match(chase))}
    rank = _match(rows).map(order)
    rows = rows[rank.notna().to_numpy()].assign(_rank=rank.dropna().astype(int))
    out = pd.DataFrame({
        "customer_name": rows["customer_name_key"], "customer_id": rows["customer_id_key"],
        "provider": rows["provider_key"], "invoice_id": rows["invoice_id"],
        "issued_at": rows["issued_at"].dt.tz_convert(JAKARTA).dt.tz_localize(None).dt.normalize(),
        "days_past_due": rows["days_past_due"].astype("Int64"),
        "amount": rows["amount"].astype("Int64"),
        "outstanding": rows["outstanding"].astype("int64"),
        "_rank": rows["_rank"], "_credit": rows["outstanding"].to_numpy() < 0,
    })
    due = pd.Timestamp(day) - pd.to_timedelta(out["days_past_due"].astype("float64"), unit="D")
    out["due_date"] = due.where(out["days_past_due"].notna())
    lower = rows["amount_is_lower_bound"].to_numpy(dtype=bool)
    out["amount_basis"] = np.where(out["amount"].isna(), "unknown", np.where(lower, "observed", "invoice"))
    out["paid_to_date"] = (out["amount"] - out["outstanding"]).astype("Int64")
    out = out.sort_values(["_rank", "_credit", "due_date", "invoice_id"], kind="stable", na_position="last")
    out["balance"] = out.groupby("_rank", sort=False)["outstanding"].cumsum().astype("int64")
    contacts = chase.assign(_rank=range(len(chase))).set_index("_rank")[["customer_email", "customer_mobile"]]
    out = out.join(contacts, on="_rank")
    return out[ITEM_COLUMNS].reset_index(drop=True)


def statement_activity(store: HistoryLike, customers: pd.DataFrame, as_of: AsOf,
                       detail: pd.DataFrame) -> pd.DataFrame:
    """:data:`ACTIVITY_COLUMNS` per customer of ``customers`` (in order): the "Opening balance" at the previous
    month end, one line per change of ``detail`` (:func:`~.month_changes`; dated by the window the store saw it
    in), then the "Closing balance" (its change: the month's net); ``balance`` runs through them."""
    day = jakarta_date(as_of)
    since = detail.attrs.get("since", day)
    known = known_at(store, day)
    order = {m: i for i, m in enumerate(_match(customers))}
    then = known.as_of(_end_of_day(since))
    counted = counted_mask(then["status"]) & then["outstanding"].notna().to_numpy()
    opening = then["outstanding"].fillna(0).astype("int64").where(counted, 0).groupby(
        _match(then).to_numpy()).sum()

    def contribution(status: pd.Series, outstanding: pd.Series) -> np.ndarray:
        present = status.notna().to_numpy() & outstanding.notna().to_numpy()
        keep = present & counted_mask(status.astype(object).fillna("draft").astype("string"))
        return np.where(keep, outstanding.fillna(0).to_numpy(dtype=np.int64), 0)

    lines = detail.assign(
        _rank=_match(detail).map(order),
        balance_change=contribution(detail["status_after"], detail["outstanding_after"])
        - contribution(detail["status_before"], detail["outstanding_before"]),
        line=detail["kind"].astype(str).map(_LINES),
        seen_after=detail["seen_unchanged_at"], seen_by=detail["seen_changed_at"],
    )
    lines = lines[lines["_rank"].notna().to_numpy()].assign(_order=1)
    lines["_rank"] = lines["_rank"].astype(np.int64)
    lines = lines.sort_values(["_rank", "seen_by", "invoice_id"], kind="stable")
    n = len(customers)
    ranks = np.arange(n, dtype=np.int64)
    start = _match(customers).map(opening).fillna(0).to_numpy(dtype=np.int64)
    total = np.zeros(n, dtype=np.int64)
    np.add.at(total, lines["_rank"].to_numpy(), lines["balance_change"].to_numpy(dtype=np.int64))
    heads = pd.DataFrame({"_rank": ranks, "_order": 0, "line": "Opening balance", "balance_change": 0})
    tails = pd.DataFrame({"_rank": ranks, "_order": 2, "line": "Closing balance", "balance_change": total})
    body = lines[["_rank", "_order", "line", "invoice_id", "seen_after", "seen_by", "balance_change"]]
    out = pd.concat([heads, body, tails], ignore_index=True).sort_values(["_rank", "_order"], kind="stable")
    step = np.where(out["_order"].to_numpy() == 2, 0, out["balance_change"].to_numpy(dtype=np.int64))
    out["balance"] = start[out["_rank"].to_numpy()] + pd.Series(step, index=out.index).groupby(
        out["_rank"].to_numpy()).cumsum().to_numpy()
    for name in CUSTOMER_LEVELS:
        out[name] = customers[name].to_numpy()[out["_rank"].to_numpy()]
    change = out["balance_change"].to_numpy(dtype=np.int64)
    out["balance_change"] = pd.arrays.IntegerArray(change, out["_order"].to_numpy() == 0)  # none on the opening
    out["balance"] = out["balance"].astype("int64")
    out = out.reset_index(drop=True)
    return out[ACTIVITY_COLUMNS]
