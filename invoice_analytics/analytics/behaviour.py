"""How each customer pays, shrunk toward its provider's behaviour (private; "The model" of the guide)."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd

from invoice_analytics._dates import as_of_day
from invoice_analytics._docs import doc
from invoice_analytics._types import AsOf
from invoice_analytics.analytics._groupby import ratios
from invoice_analytics.analytics._observed import (
    HistoryLike,
    _end_of_day,
    _ExampleStore,  # noqa: F401 (the examples' store)
    _group_quantile,
)
from invoice_analytics.analytics._survival import Model, Spells, age_bin
from invoice_analytics.analytics._timeline import fitted, timeline
from invoice_analytics.schema import JAKARTA

__all__ = ["OLD_DAYS", "payment_behaviour"]

#: An invoice is "old" this many days after its reference day (due, else issue).
OLD_DAYS = 90
_QUANTILES = {"p25": 0.25, "median": 0.5, "p90": 0.9}
_MODEL_DAYS = 400


def cutoff_of(as_of: AsOf) -> tuple[pd.Timestamp, int]:
    """The end of ``as_of``'s Jakarta day (None: today) and its day number."""
    day = as_of_day(as_of)
    stamp = _end_of_day(pd.Timestamp(day, unit="D").date())
    return stamp.tz_convert(JAKARTA), day


def model_median(hazard: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row of hazards: the median days to payment from the reference day, and P(paid within OLD_DAYS)."""
    ages = np.arange(1, _MODEL_DAYS + 1)
    h = hazard[:, age_bin(ages)]
    survive = np.cumprod(1.0 - h, axis=1)
    below = survive <= 0.5
    median = np.where(below.any(axis=1), below.argmax(axis=1) + 1, -1)
    return median, 1.0 - survive[:, OLD_DAYS - 1]


@doc()
def payment_behaviour(
    store: HistoryLike,
    as_of: AsOf = None,
    *,
    by: Literal["customer", "provider"] = "customer",
) -> pd.DataFrame:
    """How each customer pays: observed days to pay, lateness, and a shrunk estimate of its pace.

    Observed, over the invoices seen open (ranges where refreshes bracket a payment, as
    :func:`~invoice_analytics.days_to_pay`): ``payments`` (seen open, then paid or credit);
    ``days_to_pay_{p25,median,p90}_{low,high}`` (from issue) and ``days_late_…`` (from the due date, those
    with one; negative = early); ``late_share_low`` / ``_high`` (of payments of invoices with a due date, the
    share surely / possibly after it); ``old_open_share`` (of invoices at least :data:`OLD_DAYS` days past
    their reference day, due else issue, the share still open). Shrunk ("Shrinkage" in
    :doc:`/guide/forecast`): ``own_weight`` (``w_c``: how much ``θ_c`` leans on its own history), ``pace``
    (``θ_c``: 1 = the provider's pace, 0.5 = half as likely to pay on any day), ``model_median_days`` (the
    model's median days from the reference day to payment, for an invoice open then; ``<NA>`` when under half
    are paid within 400 days) and ``model_paid_within_90`` (the chance of payment within 90 days of it).

    Parameters
    ----------
    {store}
    as_of : date-like or None, default None
        The day whose knowledge is used (its end, in Jakarta; None: today).
    by : {"customer", "provider"}, default "customer"
        Per customer (index ``customer_name``, ``customer_id``, ``provider``) or provider (whose shrunk
        columns are its own: weight 1, pace 1).

    Returns
    -------
    pandas.DataFrame
        Sorted by the index. ``payments``, ``open_count`` ``int64``; ranges and shares ``Float64``;
        ``model_median_days`` ``Int64``.

    Raises
    ------
    ValueError
        For an unknown ``by`` or an ``as_of`` that is not a date.
    {raises_history}

    Examples
    --------
    >>> pb = payment_behaviour(_ExampleStore(), "2026-01-05").loc[("PT Maju", "C1", "faspay")]
    >>> pb[["payments", "open_count", "days_late_median_low", "days_late_median_high"]].tolist()
    [1.0, 1.0, 12.0, 14.0]
    """
    if by not in ("customer", "provider"):
        raise ValueError(f"payment_behaviour: by must be 'customer' or 'provider', not {by!r}")
    cutoff, today = cutoff_of(as_of)
    f = fitted(timeline(store), cutoff, today)
    return behaviour_table(f.spells, f.model, view_open=f.rows, today=today, by=by)


def behaviour_table(s: Spells, model: Model, *, view_open: np.ndarray, today: int, by: str) -> pd.DataFrame:
    """The table of :func:`payment_behaviour` from fitted pieces."""
    if by == "provider":
        codes = s.provider[s.group]
        index: pd.Index = pd.Index(s.providers, name="provider")
        hazard = model.provider_hazard
        weight = np.ones(len(index))
        pace = np.ones(len(index))
    else:
        codes, index = s.group, s.index
        hazard, weight, pace = model.hazard, model.weight, model.theta
    g = len(index)
    paid = np.flatnonzero(s.paid)
    pcode = codes[paid]
    columns: dict[str, Any] = {"payments": np.bincount(pcode, minlength=g).astype(np.int64)}
    is_open = np.zeros(len(s.ref), dtype=bool)
    is_open[view_open] = True
    columns["open_count"] = np.bincount(codes[is_open], minlength=g).astype(np.int64)
    known = s.issue_known[paid]
    issued_rows = pcode[known]
    low = (s.last_open[paid] - s.issue[paid])[known]
    high = (s.paid_day[paid] - s.issue[paid])[known]
    for name, q in _QUANTILES.items():
        columns[f"days_to_pay_{name}_low"] = _group_quantile(issued_rows, low, g, q)
        columns[f"days_to_pay_{name}_high"] = _group_quantile(issued_rows, high, g, q)
    due_known = s.frame["due_at"].notna().to_numpy(dtype=bool)[paid]
    late_low = (s.last_open[paid] - s.ref[paid])[due_known]
    late_high = (s.paid_day[paid] - s.ref[paid])[due_known]
    for name, q in _QUANTILES.items():
        columns[f"days_late_{name}_low"] = _group_quantile(pcode[due_known], late_low, g, q)
        columns[f"days_late_{name}_high"] = _group_quantile(pcode[due_known], late_high, g, q)
    surely = due_known & (s.last_open[paid] >= s.ref[paid])  # paid after the last open day, past due
    possibly = due_known & (s.paid_day[paid] > s.ref[paid])
    with_due = np.bincount(pcode[due_known], minlength=g)
    columns["late_share_low"] = ratios(np.bincount(pcode[surely], minlength=g), with_due)
    columns["late_share_high"] = ratios(np.bincount(pcode[possibly], minlength=g), with_due)
    old = s.ref <= today - OLD_DAYS
    columns["old_open_share"] = ratios(np.bincount(codes[old & is_open], minlength=g),
                                       np.bincount(codes[old], minlength=g))
    columns["own_weight"] = pd.arrays.FloatingArray(np.asarray(weight, dtype=np.float64),
                                                    np.zeros(g, dtype=bool))
    columns["pace"] = pd.arrays.FloatingArray(np.asarray(pace, dtype=np.float64), np.zeros(g, dtype=bool))
    median, within = model_median(hazard)
    columns["model_median_days"] = pd.arrays.IntegerArray(np.maximum(median, 0).astype(np.int64), median < 0)
    columns["model_paid_within_90"] = pd.arrays.FloatingArray(within, np.zeros(g, dtype=bool))
    frame = pd.DataFrame(columns, index=index)
    return frame.sort_index(na_position="last", kind="stable")
