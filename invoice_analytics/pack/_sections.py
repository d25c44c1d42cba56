"""The sections of the month-end pack, each a function of a frame or a store and the month end; a store is read
as known at the end of the month (:class:`~invoice_analytics.pack._known.KnownAt`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from invoice_analytics._dates import jakarta_date
from invoice_analytics._types import AsOf, Terms
from invoice_analytics.analytics._observed import HistoryLike, _end_of_day
from invoice_analytics.analytics._rules import DEFAULT_EDGES, bucket_labels
from invoice_analytics.analytics.aging import aging_report
from invoice_analytics.analytics.changes import changes, changes_summary
from invoice_analytics.analytics.collections import collections_list
from invoice_analytics.analytics.customers import CUSTOMER, CUSTOMER_LEVELS
from invoice_analytics.analytics.dso import dso
from invoice_analytics.analytics.forecast import forecast_collections
from invoice_analytics.analytics.payments import days_to_pay
from invoice_analytics.analytics.trends import aging_trend, roll_rates
from invoice_analytics.pack._known import KnownAt
from invoice_analytics.report import summary_frame

__all__ = [
    "ALL_PROVIDERS",
    "aging_by_customer",
    "cash_in_forecast",
    "collections",
    "comparative_aging",
    "days_to_pay_by_customer",
    "dso_by_provider",
    "month_changes",
    "month_ends",
    "over_90_movers",
    "previous_month_end",
    "provider_summary",
    "roll_rate_matrix",
    "trend_table",
]

#: The label of the row that covers every provider (never "Total" for a subset).
ALL_PROVIDERS = "All providers"


def previous_month_end(as_of: AsOf) -> dt.date:
    """The last day of the month before ``as_of``'s."""
    day = jakarta_date(as_of)
    return day.replace(day=1) - dt.timedelta(days=1)


def month_ends(as_of: AsOf, months: int = 12) -> list[dt.date]:
    """The last ``months`` month ends up to ``as_of`` (a month end), oldest first."""
    day = jakarta_date(as_of)
    ends = [day]
    while len(ends) < months:
        ends.append(previous_month_end(ends[-1]))
    return ends[::-1]


def known_at(store: HistoryLike, as_of: AsOf) -> KnownAt:
    """``store`` as known at the end of ``as_of`` (``store`` itself when it already is that view)."""
    at = _end_of_day(jakarta_date(as_of))
    if isinstance(store, KnownAt) and store.at == at:
        return store
    return KnownAt(store, at)


def provider_summary(df: pd.DataFrame, as_of: AsOf, *, edges: Sequence[int] = DEFAULT_EDGES,
                     terms_days: Terms = 0) -> pd.DataFrame:
    """:func:`~invoice_analytics.report.summary_frame`: per provider, then "Total", the invoices, open invoices,
    the aging buckets, credit, total, overdue and the paid ratio."""
    return summary_frame(df, as_of, edges=edges, terms_days=terms_days)


def comparative_aging(store: HistoryLike, as_of: AsOf, *, edges: Sequence[int] = DEFAULT_EDGES,
                      terms_days: Terms = 0) -> pd.DataFrame:
    """Per bucket (then Credit, Total): the open amount at the previous month end, at ``as_of``, and the change."""
    day = jakarta_date(as_of)
    before = previous_month_end(day)
    trend = aging_trend(known_at(store, day), [before, day], edges=edges, terms_days=terms_days)
    labels = [*bucket_labels(edges), "Credit", "Total"]
    values = {"previous": np.zeros(len(labels), dtype=np.int64), "this_month": np.zeros(len(labels), dtype=np.int64)}
    for stamp, row in trend.iterrows():
        which = "this_month" if pd.Timestamp(stamp).date() == day else "previous"
        values[which] = row.reindex(labels).fillna(0).to_numpy(dtype=np.int64)
    table = pd.DataFrame(values, index=pd.Index(labels, name="bucket"))
    table["change"] = table["this_month"] - table["previous"]
    table.attrs = {"previous": before, "as_of": day, "previous_known": any(
        pd.Timestamp(s).date() == before for s in trend.index)}
    return table


def over_90_movers(store: HistoryLike, as_of: AsOf, *, edges: Sequence[int] = DEFAULT_EDGES,
                   terms_days: Terms = 0) -> pd.DataFrame:
    """The customers whose amount beyond the last edge went from 0 to more or back to 0: ``direction`` ("into
    >90" / "out of >90"), ``previous``, ``this_month``, indexed by the customer key."""
    day = jakarta_date(as_of)
    before = previous_month_end(day)
    known = known_at(store, day)
    last = bucket_labels(edges)[-1]
    first_refresh = pd.Timestamp(known.refreshes()["observed_at"].min()).date()

    def last_bucket(when: dt.date) -> pd.Series:
        if when < first_refresh:
            return pd.Series(dtype="int64")
        report = aging_report(known.as_of(_end_of_day(when)), when, by=CUSTOMER, edges=edges,
                              terms_days=terms_days, totals=False)
        return report[last].astype("int64")

    then, now = last_bucket(before), last_bucket(day)
    keys = then.index.union(now.index) if len(then) else now.index
    then, now = then.reindex(keys, fill_value=0), now.reindex(keys, fill_value=0)
    into, out = (then <= 0) & (now > 0), (then > 0) & (now <= 0)
    table = pd.DataFrame({"direction": np.where(into, f"into {last}", f"out of {last}"), "previous": then,
                          "this_month": now})[(into | out).to_numpy()]
    table = table.sort_values(["direction", "this_month", "previous"], ascending=[True, False, False], kind="stable")
    table.index.names = list(CUSTOMER_LEVELS)
    return table


def month_changes(store: HistoryLike, as_of: AsOf) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What changed from the previous month end to ``as_of``: (:func:`changes_summary` by kind, the detail)."""
    day = jakarta_date(as_of)
    known = known_at(store, day)
    first = pd.Timestamp(known.refreshes()["observed_at"].min()).date()
    detail = changes(known, max(previous_month_end(day), first), day)
    return changes_summary(detail), detail


def aging_by_customer(df: pd.DataFrame, as_of: AsOf, *, edges: Sequence[int] = DEFAULT_EDGES,
                      terms_days: Terms = 0) -> pd.DataFrame:
    """:func:`~invoice_analytics.aging_report` by customer (name, id, provider), with the "Total" row."""
    return aging_report(df, as_of, by=CUSTOMER, edges=edges, terms_days=terms_days, totals=True)


def trend_table(store: HistoryLike, as_of: AsOf, *, months: int = 12, edges: Sequence[int] = DEFAULT_EDGES,
                terms_days: Terms = 0) -> pd.DataFrame:
    """:func:`~invoice_analytics.aging_trend` at the last ``months`` month ends the store covers, up to ``as_of``."""
    day = jakarta_date(as_of)
    return aging_trend(known_at(store, day), month_ends(day, months), edges=edges, terms_days=terms_days)


def roll_rate_matrix(store: HistoryLike, as_of: AsOf, *, edges: Sequence[int] = DEFAULT_EDGES,
                     terms_days: Terms = 0) -> pd.DataFrame:
    """:func:`~invoice_analytics.roll_rates` from the previous month end (or the first refresh) to ``as_of``."""
    day = jakarta_date(as_of)
    known = known_at(store, day)
    first = pd.Timestamp(known.refreshes()["observed_at"].min()).date()
    return roll_rates(known, max(previous_month_end(day), first), day, edges=edges, terms_days=terms_days)


def dso_by_provider(store: HistoryLike, as_of: AsOf, *, months: int = 3) -> pd.DataFrame:
    """DSO (countback) per provider, then "All providers" (both together). Faspay sends no amount: its row uses
    the observed amounts as known at ``as_of`` (a lower bound, said in ``amounts``)."""
    day = jakarta_date(as_of)
    table = dso(known_at(store, day), day, months=months, by="provider", observed_amounts=True, totals=True)
    table = table.rename(index={"Total": ALL_PROVIDERS})
    table.index = pd.Index([str(p) for p in table.index], name="provider")
    basis = {"faspay": "observed (largest outstanding seen: a lower bound)", "mayar": "invoice amounts",
             ALL_PROVIDERS: "as in the rows above"}
    table["amounts"] = [basis.get(p, "invoice amounts, else observed") for p in table.index]
    return table


def days_to_pay_by_customer(store: HistoryLike, as_of: AsOf) -> pd.DataFrame:
    """:func:`~invoice_analytics.days_to_pay` by customer, from the payments seen by ``as_of``, then "Total"."""
    return days_to_pay(known_at(store, as_of), by=CUSTOMER, totals=True)


def cash_in_forecast(store: HistoryLike, as_of: AsOf, *, weeks: int = 8, level: float = 0.8) -> pd.DataFrame:
    """:func:`~invoice_analytics.forecast_collections` of the next ``weeks`` weeks from the month end, as known
    at ``as_of``."""
    day = jakarta_date(as_of)
    return forecast_collections(known_at(store, day), day, weeks=weeks, level=level)


def collections(df: pd.DataFrame, as_of: AsOf, *, terms_days: Terms = 0) -> pd.DataFrame:
    """:func:`~invoice_analytics.collections_list`: who to chase first, with their contacts."""
    return collections_list(df, as_of, terms_days=terms_days)
