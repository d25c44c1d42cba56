"""Which Faspay requests find the invoices that left the open statuses, cheapest first (private).

A query (a customer's list over its missing invoices' months, or every customer's over an invoice's months)
costs its expected pages; a greedy weighted set cover picks them, most found per page first.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["Query", "months", "plan_queries"]


@dataclass(frozen=True)
class Query:
    """One filtered list: a customer (None: every customer) over whole months from ``start`` to ``end``
    (None: the whole window, for an invoice of unknown dates)."""

    customer_id: str | None
    start: dt.date | None
    end: dt.date | None


def months(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each row's first and last month (``period[M]`` ordinals) of issue month and ``period``; -1: unknown."""
    issued = frame["issued_at"].dt.tz_localize(None).dt.to_period("M")
    parts = [issued.array.asi8]
    if "period" in frame.columns:
        parts.append(frame["period"].array.asi8)
    stacked = np.vstack(parts).astype(np.int64)
    missing = stacked == np.iinfo(np.int64).min
    low = np.where(missing, np.iinfo(np.int64).max, stacked).min(axis=0)
    high = np.where(missing, -1, stacked).max(axis=0)
    none = missing.all(axis=0)
    return np.where(none, -1, low), np.where(none, -1, high)


def _window(first: int, last: int) -> tuple[dt.date | None, dt.date | None]:
    start = pd.Period(ordinal=first, freq="M").start_time.date()
    end = pd.Period(ordinal=last, freq="M").end_time.date()
    return start, end


def plan_queries(left: pd.DataFrame, known: pd.DataFrame, page_size: int) -> list[tuple[Query, set[str], int]]:
    """Queries covering every row of ``left`` (invoices to find), each with the ids it should find and its
    expected pages; ``known`` are the store's invoices in the list searched (for the cost of each query)."""
    ids = left["invoice_id"].astype(str).to_numpy()
    customers = left["customer_id"].to_numpy(dtype=object, na_value=None)
    first, last = months(left)
    known_first, _ = months(known)
    known_customers = known["customer_id"].to_numpy(dtype=object, na_value=None)
    candidates: dict[tuple[str | None, int, int], set[str]] = {}
    by_customer: dict[str, list[int]] = {}
    for i, invoice in enumerate(ids):
        candidates.setdefault((None, int(first[i]), int(last[i])), set()).add(invoice)
        if customers[i] is not None and first[i] >= 0:
            by_customer.setdefault(str(customers[i]), []).append(i)
    for customer, rows in by_customer.items():
        span = (customer, int(first[rows].min()), int(last[rows].max()))
        candidates[span] = {ids[i] for i in rows}

    def cost(key: tuple[str | None, int, int], covers: set[str]) -> int:
        customer, low, high = key
        inside = np.ones(len(known), dtype=bool) if low < 0 else (known_first >= low) & (known_first <= high)
        if customer is not None:
            inside &= known_customers == customer
        return max(1, math.ceil((int(inside.sum()) + len(covers)) / max(page_size, 1)))

    costs = {key: cost(key, covers) for key, covers in candidates.items()}
    uncovered = set(ids)
    chosen: list[tuple[Query, set[str], int]] = []
    while uncovered:
        key = max(candidates, key=lambda k: (len(candidates[k] & uncovered) / costs[k], -costs[k], str(k)))
        covers = candidates.pop(key) & uncovered
        who, low, high = key
        start, end = _window(low, high) if low >= 0 else (None, None)
        chosen.append((Query(who, start, end), covers, costs[key]))
        uncovered -= covers
    return chosen
