"""How each simulated customer pays: persistent habits behind the clock's payments and the demo's past ("Customer
habits" in :doc:`/guide/emulator`; tested in ``tests/emulator/test_habits.py``) (private)."""

from __future__ import annotations

import datetime as dt
import math
import random
import zlib
from dataclasses import dataclass
from functools import cache

import numpy as np

__all__ = ["FORGET", "KINDS", "L_MAX", "L_MIN", "MIX", "Habit", "draw_day", "habit_of", "hazards", "month_end",
           "paid_day"]

KINDS = ("early", "on_time", "late", "month_end", "never")
MIX = (0.15, 0.40, 0.25, 0.12, 0.08)
FORGET = 0.10
#: The days after due a hazard table covers (a later day uses the last value).
L_MIN, L_MAX = -60, 400
#: Mayar invoices count their days after due from this many days after creation.
MAYAR_DUE_DAYS = 7
_SALT = "invoice-analytics-habits-1"
_EPOCH = np.datetime64("1970-01-01", "D")


@dataclass(frozen=True)
class Habit:
    """A customer's payment habit: typical days after due and their spread, instalments."""

    kind: str
    delay: float
    spread: float
    instalments: bool


@cache
def habit_of(provider: str, key: str) -> Habit:
    """The habit of the customer ``key`` of ``provider`` (the same for every call)."""
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
    """The daily chance of payment in full ``L_MIN .. L_MAX`` days after due, issued ``start`` days after due."""
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
    """Whether the day (days since 1970-01-01) is one of the last three of its month."""
    date = dt.date(1970, 1, 1) + dt.timedelta(days=day + 3)
    return date.day <= 3


def _month_ends(days: np.ndarray) -> np.ndarray:
    """:func:`month_end` of each day number."""
    later = _EPOCH + (days + 3).astype("timedelta64[D]")
    return np.asarray((later - later.astype("datetime64[M]")).astype(np.int64) < 3)


def draw_day(chance: np.ndarray, rng: random.Random) -> int:
    """The day (index) an event with these daily ``chance`` happened, given it did: P(i) ∝ chance[i] Π_{j<i}
    (1 - chance[j]); uniform when every chance is 0."""
    survive = np.concatenate(([1.0], np.cumprod(1.0 - chance)[:-1]))
    weights = np.cumsum(chance * survive)
    if weights[-1] <= 1e-12:
        return rng.randrange(len(chance))
    return min(int(np.searchsorted(weights, rng.random() * weights[-1], side="right")), len(chance) - 1)


def paid_day(habit: Habit, first: int, last: int, due: int, start: int, tail_rate: float,
             rng: random.Random, *, early: float = 0.0) -> int:
    """The day in ``first .. last`` an invoice due on ``due`` and paid by ``last`` was paid: drawn from the clock's
    hazard of ``habit``, at least ``early`` a day until due (days since 1970-01-01)."""
    days = np.arange(first, last + 1, dtype=np.int64)
    table = hazards(habit, tail_rate, start)
    chance = table[np.clip(days - due, L_MIN, L_MAX) - L_MIN]
    if habit.kind == "month_end":  # as the clock: a month's payments made on its last three days
        chance = np.where(_month_ends(days), 1.0 - (1.0 - chance) ** 10, 0.0)
    chance = np.where(days <= due, 1.0 - (1.0 - chance) * (1.0 - early), chance)
    if not chance.any():  # a never-payer's invoice that was paid: at the rate of forgotten ones
        chance = np.full(len(days), tail_rate)
    return first + draw_day(chance, rng)
