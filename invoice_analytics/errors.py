"""The exceptions and warnings the loaders raise.

Every error names the provider, the request (method, path and page, never a
credential) and the server's own words, so that a failed load can be reported
as it is:

>>> err = ResponseError("mayar", "GET /hl/v2/invoices (page 3)", "failed", status_code=200)
>>> str(err)
'mayar: GET /hl/v2/invoices (page 3): server said: failed (HTTP 200)'
>>> err.provider, err.server_message, err.status_code
('mayar', 'failed', 200)
"""

from __future__ import annotations

__all__ = [
    "AuthenticationError",
    "InvoiceAPIError",
    "MissingCredentialsError",
    "PagingWarning",
    "RateLimitError",
    "ResponseError",
    "ServerError",
    "TransportError",
    "UnknownStatusWarning",
]


class InvoiceAPIError(Exception):
    """Base of every error a loader raises. No partial result comes with it.

    Attributes: ``provider`` ("faspay" or "mayar"), ``request`` (what was
    asked, without credentials), ``server_message`` (the server's words, or
    None) and ``status_code`` (the HTTP status, or None).
    """

    def __init__(
        self,
        provider: str,
        request: str,
        server_message: str | None = None,
        *,
        status_code: int | None = None,
        detail: str | None = None,
    ) -> None:
        self.provider = provider
        self.request = request
        self.server_message = server_message
        self.status_code = status_code
        self.detail = detail
        super().__init__(self._text())

    def _text(self) -> str:
        text = f"{self.provider}: {self.request}"
        if self.detail:
            text += f": {self.detail}"
        if self.server_message is not None:
            text += f": server said: {self.server_message}"
        if self.status_code is not None:
            text += f" (HTTP {self.status_code})"
        return text

    def __reduce__(self):  # keep the keyword arguments through pickling
        return (
            _rebuild,
            (type(self), self.provider, self.request, self.server_message, self.status_code, self.detail),
        )


def _rebuild(cls, provider, request, server_message, status_code, detail):
    return cls(provider, request, server_message, status_code=status_code, detail=detail)


class AuthenticationError(InvoiceAPIError):
    """The server refused the credential (HTTP 401/403, or Faspay's invalid signature)."""


class MissingCredentialsError(InvoiceAPIError, ValueError):
    """No credential was given, neither as an argument nor in the environment."""


class RateLimitError(InvoiceAPIError):
    """HTTP 429 persisted through every retry."""


class ServerError(InvoiceAPIError):
    """HTTP 5xx persisted through every retry."""


class TransportError(InvoiceAPIError):
    """The connection failed, dropped or timed out through every retry."""


class ResponseError(InvoiceAPIError):
    """The server answered, but with a failure, malformed JSON, missing keys or bad values."""


class PagingWarning(UserWarning):
    """The number of invoices received differs from the total the server announced."""


class UnknownStatusWarning(UserWarning):
    """A provider status outside the documented ones: its ``status`` is left missing."""
