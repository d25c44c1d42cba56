"""What the emulator answers: a reply value and the request-field parsers both APIs share (private)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = ["Reply", "as_int", "day", "json_reply"]


@dataclass
class Reply:
    """One answer: status, body (None: drop the connection), content type and extra headers."""

    status: int
    body: bytes | None
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


def json_reply(status: int, payload: Any, **headers: str) -> Reply:
    """A JSON answer.

    >>> json_reply(200, {"a": 1}).body
    b'{"a": 1}'
    """
    return Reply(status, json.dumps(payload).encode(), headers=headers)


def as_int(value: Any) -> int | None:
    """An integer sent as a number or a numeric text, else None.

    >>> as_int("12"), as_int(3.0), as_int(True), as_int("x")
    (12, 3, None, None)
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def day(value: Any) -> str | None:
    """``yyyy-mm-dd`` or ``yyyy-mm-dd hh:mm:ss`` -> the ISO day, else None.

    >>> day("2026-01-31 10:00:00"), day("31/01/2026")
    ('2026-01-31', None)
    """
    if isinstance(value, str):
        for fmt in ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S"):
            try:
                return datetime.strptime(value.strip(), fmt).date().isoformat()
            except ValueError:
                pass
    return None
