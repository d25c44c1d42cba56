"""How each simulated customer pays: persistent habits behind the clock's payments (private).

The kinds, their shares (:data:`MIX`), the forgotten invoices (:data:`FORGET`), the hazard and the
instalments are "Customer habits" in :doc:`/guide/emulator`.
"""

from __future__ import annotations

import math
import random
import zlib
from dataclasses import dataclass
from functools import cache

import numpy as np

__all__ = ["FORGET", "KINDS", "L_MAX", "L_MIN", "MIX", "Habit", "habit_of", "hazards", "month_end"]

KINDS = ("early", "on_time", "late", "month_end", "never")
MIX = (0.15, 0.40, 0.25, 0.12, 0.08)
FORGET = 0.10
#: The days after due a hazard table covers (a later day uses the last value).
L_MIN, L_MAX = -60, 400
#: Mayar invoices count their days after due from this many days after creation.
MAYAR_DUE_DAYS = 7
_SALT = "invoice-analytics-habits-1"


@dataclass(frozen=True)
class Habit:
    """A customer's payment habit: typical days after due and their spread, instalments."""

    kind: str
    delay: float
    spread: float
    instalments: bool


@cache
def habit_of(provider: str, key: str) -> Habit:
    """The habit of the customer ``key`` of ``provider`` (the same for every call).

    >>> habit_of("faspay", "101:PT Maju") == habit_of("faspay", "101:PT Maju")
    True
    >>> habit_of("faspay", "101:PT Maju").kind in KINDS
    True
    """
    rng = random.Random(zlib.crc32(f"{_SALT}|{provider}|{key}".encode()))
    kind = rng.choices(KINDS, weights=MIX)[0]
    delay, spread = {
        "early": (rng.uniform(-10, -2), rng.uniform(1, 3)),
        "on_time": (rng.uniform(-1, 5), rng.uniform(2, 5)),
        "late": (rng.uniform(12, 45), rng.uniform(4, 12)),
        "month_end": (rng.uniform(0, 20), rng.uniform(3, 8)),
        "never": (0.0, 1.0),
    }[kind]
    return Habit(kind, delay, spread, rng.random() < 0.2)


@cache
def hazards(habit: Habit, tail_rate: float, start: int) -> np.ndarray:
    """The daily chance of payment in full at ``L = L_MIN .. L_MAX`` days after due, for an invoice
    issued ``start`` days after due (``-terms``), of a customer with ``habit`` (0 for never-payers)."""
    days = np.arange(L_MIN - 1, L_MAX + 1, dtype=np.float64)
    if habit.kind == "never":
        return np.zeros(len(days) - 1)
    erf = np.vectorize(math.erf)
    normal = 0.5 * (1 + erf((days + 0.5 - habit.delay) / (habit.spread * math.sqrt(2))))
    forgotten = 1 - (1 - tail_rate) ** np.clip(days - start, 0, None)
    survive = (1 - FORGET) * (1 - normal) + FORGET * (1 - forgotten)
    ratio = np.divide(survive[1:], survive[:-1], out=np.ones(len(days) - 1), where=survive[:-1] > 0)
    result: np.ndarray = np.clip(1 - ratio, 0.0, 1.0)
    return result


def month_end(day: int) -> bool:
    """Whether the day (days since 1970-01-01) is one of the last three of its month.

    >>> month_end(20483), month_end(20480)  # 2026-01-30, 2026-01-27
    (True, False)
    """
    import datetime as dt

    date = dt.date(1970, 1, 1) + dt.timedelta(days=day + 3)
    return date.day <= 3
