"""The emulator's request log and sample data, and the request-body rule (private)."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["MAX_BODY", "REQUEST_LOG_SIZE", "SAMPLES_DIR", "RequestRecord", "content_length", "default_dataset"]

#: The largest request body read (a Faspay list request is a few hundred bytes).
MAX_BODY = 1 << 20
#: Requests kept in :attr:`Emulator.requests` (the oldest are forgotten first).
REQUEST_LOG_SIZE = 100_000

#: The sample datasets, package data (written by ``scripts/generate_samples.py``).
SAMPLES_DIR = Path(__file__).resolve().parent / "samples"


@dataclass(frozen=True)
class RequestRecord:
    """One request answered: ``params`` without the signature; ``status_code`` 0: dropped without an answer."""

    provider: str  # "faspay", "mayar", or "unknown"
    method: str
    path: str
    params: dict[str, Any]
    status_code: int
    at: float  # time.monotonic()


@functools.cache
def default_dataset(provider: str) -> tuple[dict[str, Any], ...]:
    path = SAMPLES_DIR / f"{provider}-invoices.json"
    return tuple(json.loads(path.read_text(encoding="utf-8")))


def content_length(value: str | None) -> int | None:
    """The request body's length: 0 when absent, None when not a whole number in [0, MAX_BODY]."""
    if value is None or not value.strip():
        return 0
    try:
        length = int(value)
    except ValueError:
        return None
    return length if 0 <= length <= MAX_BODY else None
