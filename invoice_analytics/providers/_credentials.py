"""Credentials: checked before use, carried in a redacting box, added to a request at the last moment.

The rules are "Credential hygiene" in :doc:`/guide/real-apis`: :func:`credential` checks one, :class:`Secret`
carries it, :class:`BearerAuth` and :class:`FaspaySignatureAuth` add it as each request is prepared.
"""

from __future__ import annotations

import json
from typing import NoReturn

import requests
from requests.auth import AuthBase

from invoice_analytics.errors import CredentialError

__all__ = ["BearerAuth", "FaspaySignatureAuth", "Secret", "credential"]


class Secret:
    """A credential whose ``repr`` and ``str`` never show it, nor a pickle; :meth:`reveal` gives the text."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The credential itself: only for the moment it is used."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Secret is not pickled")


def credential(value: str | None, *, provider: str, name: str) -> Secret | None:
    """A checked credential: surrounding whitespace stripped, None when nothing is left; a control character or
    one outside Latin-1 is a CredentialError (never echoing the value)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise CredentialError(provider, name, detail=f"the credential must be text, not {type(value).__name__}")
    text = value.strip()
    if not text:
        return None
    problem = _problem(text)
    if problem is not None:
        raise CredentialError(provider, name, detail=f"the credential holds {problem}")
    return Secret(text)


def _problem(text: str) -> str | None:
    for char in text:
        code = ord(char)
        if code < 0x20 or 0x7F <= code <= 0x9F:
            return "a control character (not shown)"
        if code > 0xFF:
            return "a character an HTTP header cannot carry (outside Latin-1, e.g. a typographic quote; not shown)"
    return None


class BearerAuth(AuthBase):
    """Adds ``Authorization: Bearer <key>`` to each request as it is prepared."""

    def __init__(self, key: Secret) -> None:
        self._key = key

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = "Bearer " + self._key.reveal()
        return request

    def __repr__(self) -> str:
        return "BearerAuth(***)"


class FaspaySignatureAuth(AuthBase):
    """Puts ``"signature"`` into the JSON body of each request as it is prepared (and fixes Content-Length)."""

    def __init__(self, signature: Secret) -> None:
        self._signature = signature

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        body = request.body
        fields = json.loads(body) if body else {}
        if not isinstance(fields, dict):
            raise TypeError("a Faspay request body must be a JSON object")
        request.body = json.dumps({"signature": self._signature.reveal(), **fields}).encode("utf-8")
        request.prepare_content_length(request.body)
        return request

    def __repr__(self) -> str:
        return "FaspaySignatureAuth(***)"
