"""The command line's option types: each reads one option's text or says, in one line, why not (private)."""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

__all__ = ["FIRST_DATE", "LAST_DATE", "MAX_DAYS"]

#: The largest number of days an option takes (a hundred years).
MAX_DAYS = 36_500


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, not usage + traceback
        self.exit(2, f"{self.prog}: error: {message}\n")


def _edges(text: str) -> tuple[int, ...]:
    try:
        edges = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--edges takes increasing whole days like 30,60,90, not {text!r}") from None
    if not edges or any(not 0 < e <= MAX_DAYS for e in edges) or list(edges) != sorted(set(edges)):
        raise argparse.ArgumentTypeError(f"--edges takes increasing positive days like 30,60,90, not {text!r}")
    return edges


def _whole(name: str, low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number in ``[low, high]``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} takes a whole number, not {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{name} must be between {low} and {high}, not {value}")
        return value

    return parse


def _provider_terms(text: str) -> tuple[str, int]:
    """An argparse type: ``provider=days``."""
    provider, _, days = text.partition("=")
    provider = provider.strip().lower()
    if provider not in ("faspay", "mayar") or not days.strip().isdigit() or int(days) > MAX_DAYS:
        raise argparse.ArgumentTypeError(
            f"--terms takes a provider and whole days 0 to {MAX_DAYS} like mayar=14, not {text!r}")
    return provider, int(days)


def _month(text: str) -> str:
    import re

    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text):
        raise argparse.ArgumentTypeError(f"--month takes a month like 2026-10, not {text!r}")
    return text


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--latency takes seconds, not {text!r}") from None
    if not 0 <= value <= 60:
        raise argparse.ArgumentTypeError(f"--latency must be between 0 and 60 seconds, not {text}")
    return value


def _suffixed(name: str, suffix: str) -> Callable[[str], Path]:
    """An argparse type: a path ending in ``suffix``."""

    def parse(text: str) -> Path:
        path = Path(text)
        if path.suffix.lower() != suffix:
            raise argparse.ArgumentTypeError(f"{name} must be a {suffix} file, not {text!r}")
        return path

    return parse


#: The dates the CLI accepts: inside what pandas' nanosecond timestamps (1677-09-22 to 2262-04-11) and
#: the history store hold, with room for a hundred years of terms on either side.
FIRST_DATE = dt.date(1900, 1, 1)
LAST_DATE = dt.date(2199, 12, 31)


def _as_of(text: str) -> dt.date:
    """An argparse type: an ISO 8601 date (YYYY-MM-DD) between FIRST_DATE and LAST_DATE; only this one shape,
    so ``01/02/2026`` is never a date in one order and ``13/02/2026`` in another."""
    stripped = text.strip()
    try:
        if len(stripped) != 10 or not stripped[:4].isdigit() or stripped[4] != "-" or stripped[7] != "-":
            raise ValueError
        day = dt.date.fromisoformat(stripped)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--as-of takes an ISO 8601 date YYYY-MM-DD like 2026-11-21, not {text!r}") from None
    if not FIRST_DATE <= day <= LAST_DATE:
        raise argparse.ArgumentTypeError(
            f"--as-of must be between {FIRST_DATE.isoformat()} and {LAST_DATE.isoformat()}, not {text!r}")
    return day
