"""The simulated business's daily rates and a day's event counts (private; see :mod:`._clock`)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

__all__ = ["EVENTS", "DayEvents", "Rates"]

#: The event counters of :class:`DayEvents`, in order.
EVENTS = (
    "faspay_issued",
    "faspay_drafts_issued",
    "faspay_paid",
    "faspay_partially_paid",
    "faspay_cancelled",
    "faspay_overdue",
    "mayar_issued",
    "mayar_paid",
    "mayar_closed",
)


@dataclass(frozen=True)
class Rates:
    """Daily rates of the simulated business: probabilities per invoice per day (defaults: :doc:`/guide/emulator`).

    ``faspay_per_weekday``, ``mayar_per_weekday``: mean new invoices a weekday (Poisson), ``weekend_factor`` times
    that on Saturday and Sunday. ``faspay_draft_share``, ``faspay_proforma_share``: new Faspay invoices created as
    "Draft" / "Proforma"; ``draft_issued``: one not yet past due is issued ("Unpaid"). ``faspay_terms_days``: days
    to ``due_date``, one picked uniformly. An open invoice is paid in full at ``pay_before_due`` (not yet due),
    ``pay_past_due`` (up to ``long_past_due_days``), ``pay_long_past_due`` (beyond); Mayar's are due on receipt
    and use ``mayar_pay`` up to the long past due. Faspay: ``partially_paid`` (outstanding cut to 20-80 %),
    ``cancelled``, ``overpaid`` (share of full payments leaving a credit). Mayar: ``mayar_same_day`` (new ones
    paid that day), ``mayar_pay``, ``mayar_closed``. ``habits=True``: full payments follow each customer's habit
    (:mod:`._habits`), ``pay_past_due`` / ``mayar_pay`` being the rate of forgotten invoices and part payments
    ``partially_paid`` x6 for instalment payers, x0.5 for others (``pay_before_due``, ``pay_long_past_due``,
    ``long_past_due_days`` unused); False: every customer alike.
    """

    faspay_per_weekday: float = 13.0
    mayar_per_weekday: float = 5.0
    weekend_factor: float = 0.3
    faspay_draft_share: float = 0.08
    faspay_proforma_share: float = 0.04
    faspay_terms_days: tuple[int, ...] = (14, 30)
    draft_issued: float = 0.10
    pay_before_due: float = 0.035
    pay_past_due: float = 0.025
    pay_long_past_due: float = 0.004
    long_past_due_days: int = 90
    partially_paid: float = 0.006
    cancelled: float = 0.002
    overpaid: float = 0.02
    mayar_same_day: float = 0.25
    mayar_pay: float = 0.03
    mayar_closed: float = 0.002
    habits: bool = True

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "habits":
                if not isinstance(value, bool):
                    raise ValueError(f"habits must be True or False, got {value!r}")
            elif f.name == "faspay_terms_days":
                if not value or any(int(v) != v or v < 0 for v in value):
                    raise ValueError(f"faspay_terms_days must be whole days >= 0, got {value!r}")
            elif f.name == "long_past_due_days":
                if int(value) != value or value < 1:
                    raise ValueError(f"long_past_due_days must be a whole number >= 1, got {value!r}")
            elif not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
                raise ValueError(f"{f.name} must be a number >= 0, got {value!r}")
            elif f.name not in ("faspay_per_weekday", "mayar_per_weekday", "weekend_factor") and value > 1:
                raise ValueError(f"{f.name} is a daily probability: at most 1, got {value!r}")
        most = max(self.pay_before_due, self.pay_past_due, self.pay_long_past_due)
        if most + self.partially_paid + self.cancelled > 1:
            raise ValueError("a Faspay invoice's daily chances (paid, partially paid, cancelled) add up to more than 1")
        if max(self.mayar_pay, self.pay_long_past_due) + self.mayar_closed > 1:
            raise ValueError("a Mayar invoice's daily chances (paid, closed) add up to more than 1")
        if self.faspay_draft_share + self.faspay_proforma_share > 1:
            raise ValueError("faspay_draft_share + faspay_proforma_share is more than 1")


@dataclass(frozen=True)
class DayEvents:
    """What one simulated day did: ``counts`` holds every name of :data:`EVENTS` (0 when nothing)."""

    day: dt.date
    counts: Mapping[str, int] = field(default_factory=dict)


def _int(value: Any) -> int | None:
    """Whole rupiah sent as a number or a numeric text, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if text.lstrip("-").isdigit():
            return int(text)
    return None


def _round100(value: float) -> int:
    return round(value / 100.0) * 100
