"""What the emulator answers: a reply value and the request-field parsers both APIs share (private)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = ["Reply", "as_int", "day", "fault_reply", "json_reply"]


@dataclass
class Reply:
    """One answer: status, body (None: drop the connection), content type and extra headers."""

    status: int
    body: bytes | None
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


def json_reply(status: int, payload: Any, **headers: str) -> Reply:
    """A JSON answer."""
    return Reply(status, json.dumps(payload).encode(), headers=headers)


def as_int(value: Any) -> int | None:
    """An integer sent as a number or a numeric text, else None."""
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
    """``yyyy-mm-dd`` or ``yyyy-mm-dd hh:mm:ss`` -> the ISO day, else None."""
    if isinstance(value, str):
        for fmt in ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S"):
            try:
                return datetime.strptime(value.strip(), fmt).date().isoformat()
            except ValueError:
                pass
    return None


def fault_reply(fault: str, provider: str, retry_after: int) -> Reply:
    """The answer of an injected ``fault`` (see ``Emulator.inject``) to ``provider``."""
    faspay = provider == "faspay"
    if fault == "429":
        return json_reply(
            429, {"statusCode": 429, "messages": "Too Many Requests"}, **{"Retry-After": str(retry_after)}
        )
    if fault == "500":
        return json_reply(500, {"statusCode": 500, "messages": "Internal Server Error"})
    if fault == "502":
        return Reply(502, b"<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html")
    if fault == "503":
        return Reply(503, b"503 Service Unavailable", "text/plain")
    if fault == "drop":
        return Reply(0, None)
    if fault == "malformed":
        text = (
            '{"response_code": "00", "data": [{"invoice_no": ' if faspay else '{"statusCode": 200, "data": [{"id": '
        )
        return Reply(200, text.encode())
    if fault == "missing-keys":
        if faspay:
            return json_reply(200, {"response_code": "00", "message": "Success get billing"})
        return json_reply(200, {"statusCode": 200, "messages": "success"})
    if fault == "failed":
        if faspay:
            return json_reply(200, {"response_code": "01", "message": "Failed get billing: internal error"})
        return json_reply(200, {"statusCode": 400, "messages": "failed", "data": None})
    words = "Unauthorized" if fault == "401" else "Forbidden"
    if faspay:
        return json_reply(int(fault), {"response_code": "01", "message": words})
    return json_reply(int(fault), {"statusCode": int(fault), "messages": words})
