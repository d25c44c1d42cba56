"""Checks of a provider's JSON page, shared by both loaders (tests/providers/test_payload.py).

Each returns the checked value or raises :class:`PageProblem`, which the loader turns into a ResponseError
naming the provider, the request and the server's words.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from invoice_analytics._warn import warn_caller
from invoice_analytics.errors import DuplicateInvoiceWarning

__all__ = ["PageProblem", "page_rows", "payload_words", "require_keys", "whole_number"]

#: The provider whose rows carry this id key (for messages, when the caller does not say).
_PROVIDER_OF_ID = {"invoice_no": "faspay", "id": "mayar"}
#: Invoices named in one warning; more are counted.
_NAMED = 10


class PageProblem(ValueError):
    """A page that is not what the API documents; the text is the detail of the error."""


def payload_words(payload: dict[str, Any]) -> str | None:
    """The server's message in a JSON answer (Mayar says ``messages``, Faspay ``message``), or None."""
    for key in ("messages", "message", "error", "detail"):
        if payload.get(key) is not None:
            return str(payload[key])
    return None


def require_keys(payload: dict[str, Any], keys: Iterable[str]) -> None:
    """Every key is in ``payload``, else a :class:`PageProblem` naming the missing ones."""
    missing = [key for key in keys if key not in payload]
    if missing:
        raise PageProblem(f"missing key(s) {missing}")


def page_rows(payload: dict[str, Any], id_key: str, *, provider: str | None = None) -> list[dict[str, Any]]:
    """``payload["data"]``: a list of objects, each with a non-empty ``id_key`` (a number becomes its text).

    An id that comes more than once is one invoice, its last copy kept in its place; copies that differ give
    one DuplicateInvoiceWarning per page naming the ids and fields (``provider``: by default from ``id_key``)."""
    sent = payload["data"]
    if not isinstance(sent, list) or not all(isinstance(row, dict) for row in sent):
        raise PageProblem("'data' is not a list of objects")
    data: list[dict[str, Any]] = sent
    for row in data:
        value = row.get(id_key)
        if isinstance(value, bool) or not isinstance(value, (str, int)) or value == "":
            raise PageProblem(f"a row has no {id_key}: {sorted(map(str, row))}")
        row[id_key] = str(value)
    if len({row[id_key] for row in data}) < len(data):
        data = _one_copy_each(data, id_key, provider or _PROVIDER_OF_ID.get(id_key, "provider"))
    return data


def _one_copy_each(data: list[dict[str, Any]], id_key: str, provider: str) -> list[dict[str, Any]]:
    """The last copy of each id, in its place; one warning for the ids whose copies differ."""
    last: dict[str, int] = {}
    copies: dict[str, list[dict[str, Any]]] = {}
    for index, row in enumerate(data):
        last[row[id_key]] = index
        copies.setdefault(row[id_key], []).append(row)
    differing = {}
    for invoice, rows in copies.items():
        fields = sorted({key for row in rows[:-1] for key in row.keys() | rows[-1].keys()
                         if not _same(row.get(key), rows[-1].get(key))}, key=str)
        if fields:
            differing[invoice] = (len(rows), fields)
    if differing:
        named = [f"{invoice!r} came {n} times in one page, differing in {fields}"
                 for invoice, (n, fields) in list(differing.items())[:_NAMED]]
        more = f", and {len(differing) - _NAMED} more invoice(s)" if len(differing) > _NAMED else ""
        warning = DuplicateInvoiceWarning(f"{provider}: invoice {'; invoice '.join(named)}{more}; "
                                          "the last copy is kept")
        warning.ids = list(differing)
        warn_caller(warning)
    return [row for index, row in enumerate(data) if last[row[id_key]] == index]


def _same(a: Any, b: Any) -> bool:
    """Equal JSON values (NaN equals NaN here: two copies of one sent value are the same)."""
    if a == b:
        return True
    try:
        return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
    except (TypeError, ValueError):
        return False


def whole_number(value: Any, what: str) -> int:
    """An integer sent as a number or a numeric text (not a boolean), else a :class:`PageProblem` naming ``what``."""
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise PageProblem(f"{what} is not a whole number: {value!r}")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise PageProblem(f"{what} is not a whole number: {value!r}") from None
