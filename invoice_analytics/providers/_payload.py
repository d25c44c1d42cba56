"""Checks of a provider's JSON page, shared by both loaders.

Each check returns the checked value or raises :class:`PageProblem` with a
detail; the loader turns it into a :class:`~invoice_analytics.errors.ResponseError`
naming the provider, the request and the server's words.

>>> page_rows({"data": [{"id": "a"}]}, "id")
[{'id': 'a'}]
>>> page_rows({"data": {"id": "a"}}, "id")
Traceback (most recent call last):
...
invoice_analytics.providers._payload.PageProblem: 'data' is not a list of objects
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = ["PageProblem", "page_rows", "payload_words", "require_keys", "whole_number"]


class PageProblem(ValueError):
    """A page that is not what the API documents; the text is the detail of the error."""


def payload_words(payload: dict[str, Any]) -> str | None:
    """The server's message in a JSON answer (Mayar says ``messages``, Faspay ``message``), or None.

    >>> payload_words({"statusCode": 200, "messages": "failed"}), payload_words({"data": []})
    ('failed', None)
    """
    for key in ("messages", "message", "error", "detail"):
        if payload.get(key) is not None:
            return str(payload[key])
    return None


def require_keys(payload: dict[str, Any], keys: Iterable[str]) -> None:
    """Every key is in ``payload``.

    >>> require_keys({"data": []}, ["data", "hasMore"])
    Traceback (most recent call last):
    ...
    invoice_analytics.providers._payload.PageProblem: missing key(s) ['hasMore']
    """
    missing = [key for key in keys if key not in payload]
    if missing:
        raise PageProblem(f"missing key(s) {missing}")


def page_rows(payload: dict[str, Any], id_key: str) -> list[dict[str, Any]]:
    """``payload["data"]``: a list of objects, each with a non-empty ``id_key`` (a number becomes its text)."""
    data = payload["data"]
    if not isinstance(data, list) or not all(isinstance(row, dict) for row in data):
        raise PageProblem("'data' is not a list of objects")
    for row in data:
        value = row.get(id_key)
        if isinstance(value, bool) or not isinstance(value, (str, int)) or value == "":
            raise PageProblem(f"a row has no {id_key}: {sorted(map(str, row))}")
        row[id_key] = str(value)
    return data


def whole_number(value: Any, what: str) -> int:
    """An integer sent as a number or a numeric text (not a boolean).

    >>> whole_number("12", "total_pages"), whole_number(3, "total_data")
    (12, 3)
    >>> whole_number(True, "total_pages")
    Traceback (most recent call last):
    ...
    invoice_analytics.providers._payload.PageProblem: total_pages is not a whole number: True
    """
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise PageProblem(f"{what} is not a whole number: {value!r}")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise PageProblem(f"{what} is not a whole number: {value!r}") from None
