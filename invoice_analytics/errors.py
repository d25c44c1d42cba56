"""The exceptions and warnings the loaders raise: each error names the provider, the request and the
server's own words, never a credential (see :class:`InvoiceAPIError`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from invoice_analytics._docs import doc
from invoice_analytics._text import printable

__all__ = [
    "AuthenticationError",
    "CredentialError",
    "DemoDataWarning",
    "DuplicateInvoiceWarning",
    "ExportWarning",
    "InvoiceAPIError",
    "MissingCredentialsError",
    "MoneyOverflowError",
    "PagingWarning",
    "PastAsOfWarning",
    "RateLimitError",
    "ResponseError",
    "ServerError",
    "TerminalSafeWarning",
    "TransportError",
    "UnknownStatusWarning",
]


@doc()
class InvoiceAPIError(Exception):
    """Base of every error a loader raises. No partial result comes with it.

    The message reads ``"{provider}: {request}[: {detail}][: server said: {server_message}][ (HTTP {status_code})]"``,
    each optional part only when known, credentials scrubbed; each parameter is kept as the attribute of its
    name, through pickling. The subclasses say what failed (see :doc:`/guide/real-apis`).

    {exception_params}

    See Also
    --------
    AuthenticationError, MissingCredentialsError : The credential was refused, or not given.
    RateLimitError, ServerError, TransportError : HTTP 429, HTTP 5xx or no answer through every retry.
    ResponseError : A failure or a bad answer.

    Examples
    --------
    >>> str(InvoiceAPIError("faspay", "GET /billing page 2", "Invalid page", status_code=200, detail="bad"))
    'faspay: GET /billing page 2: bad: server said: Invalid page (HTTP 200)'
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
        return printable(text)  # provider text reaches terminals: its control characters escaped

    def __reduce__(self) -> tuple[Callable[..., InvoiceAPIError], tuple[Any, ...]]:
        # keep the keyword arguments through pickling
        return (
            _rebuild,
            (type(self), self.provider, self.request, self.server_message, self.status_code, self.detail),
        )


def _rebuild(
    cls: type[InvoiceAPIError],
    provider: str,
    request: str,
    server_message: str | None,
    status_code: int | None,
    detail: str | None,
) -> InvoiceAPIError:
    return cls(provider, request, server_message, status_code=status_code, detail=detail)


@doc()
class AuthenticationError(InvoiceAPIError):
    """The server refused the credential (HTTP 401/403, or Faspay's invalid signature).

    A Faspay failure counts when its message mentions a signature, a credential, or being unauthorised or
    forbidden.

    {exception_parameters}

    Examples
    --------
    >>> print(AuthenticationError("mayar", "GET /hl/v2/invoices page 1", "Unauthorized", status_code=401))
    mayar: GET /hl/v2/invoices page 1: server said: Unauthorized (HTTP 401)
    """


@doc()
class MissingCredentialsError(InvoiceAPIError, ValueError):
    """No credential was given, neither as an argument nor in the environment. Raised before any request is
    sent; also a :class:`ValueError`.

    {exception_parameters}

    Examples
    --------
    >>> print(MissingCredentialsError("mayar", "load_mayar", detail="no credential: pass api_key or set MAYAR_API_KEY"))
    mayar: load_mayar: no credential: pass api_key or set MAYAR_API_KEY
    """


@doc()
class CredentialError(InvoiceAPIError, ValueError):
    """A credential that cannot be used as given: refused before any request, never echoed.

    After stripping surrounding whitespace, a control character or one an HTTP header cannot carry (outside
    Latin-1, e.g. a typographic quote). ``request`` names the argument or environment variable, ``detail`` the
    kind of character; ``server_message`` and ``status_code`` are None (nothing was sent). Also a
    :class:`ValueError`.

    {exception_parameters}

    Examples
    --------
    >>> from invoice_analytics import load_mayar
    >>> try:
    ...     load_mayar(api_key="sk-live\u2019123", base_url="http://127.0.0.1:9")  # a typographic quote
    ... except ValueError as err:
    ...     print(err.request, "|", err.detail.split(" (")[0])
    api_key | the credential holds a character an HTTP header cannot carry
    """


@doc()
class RateLimitError(InvoiceAPIError):
    """HTTP 429 persisted through every retry (up to ``max_retries``, waiting what ``Retry-After`` says).

    {exception_parameters}

    Examples
    --------
    >>> print(RateLimitError("mayar", "GET /hl/v2/invoices page 1", "Too Many Requests", status_code=429))
    mayar: GET /hl/v2/invoices page 1: server said: Too Many Requests (HTTP 429)
    """


@doc()
class ServerError(InvoiceAPIError):
    """HTTP 5xx persisted through every retry (500, 502, 503 and 504, up to ``max_retries``; others at once).

    {exception_parameters}

    Examples
    --------
    >>> print(ServerError("mayar", "GET /hl/v2/invoices page 1", "Internal Server Error", status_code=500,
    ...                   detail="server error through every retry"))
    mayar: GET /hl/v2/invoices page 1: server error through every retry: server said: Internal Server Error (HTTP 500)
    """


@doc()
class TransportError(InvoiceAPIError):
    """The connection failed, dropped or timed out through every retry (``detail`` gives the reason).

    {exception_parameters}

    Examples
    --------
    >>> print(TransportError("mayar", "GET /hl/v2/invoices page 1", detail="no answer after retries: timed out"))
    mayar: GET /hl/v2/invoices page 1: no answer after retries: timed out
    """


@doc()
class ResponseError(InvoiceAPIError):
    """The server answered, but with a failure, malformed JSON, missing keys or bad values.

    Also an HTTP 4xx other than 401/403/429, and a value that does not fit its column (the detail names the
    invoice and field); see :doc:`/guide/real-apis`.

    {exception_parameters}

    Examples
    --------
    >>> str(ResponseError("mayar", "GET /hl/v2/invoices (page 3)", "failed", status_code=200))
    'mayar: GET /hl/v2/invoices (page 3): server said: failed (HTTP 200)'
    """


class TerminalSafeWarning(UserWarning):
    r"""A warning whose text has its control characters escaped (it may quote a provider's text).

    >>> print(TerminalSafeWarning("invoice \x1b]0;owned\x07"))
    invoice \x1b]0;owned\x07
    """

    def __str__(self) -> str:
        return printable(super().__str__())


class MoneyOverflowError(OverflowError):
    """A sum of rupiah does not fit in ``int64`` (beyond ±9,223,372,036,854,775,807): never a wrapped total.

    >>> raise MoneyOverflowError("open amount", 2**63)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    invoice_analytics.errors.MoneyOverflowError: open amount: the sum 9223372036854775808 rupiah does not fit ...
    """

    def __init__(self, what: str, total: int) -> None:
        self.what = what
        self.total = total
        super().__init__(f"{what}: the sum {total} rupiah does not fit in int64 (at most ±{2**63 - 1}); "
                         "some amounts are absurd")


@doc()
class PagingWarning(TerminalSafeWarning):
    """The number of invoices received differs from the total the server announced. The load returns what it
    got (:doc:`/guide/real-apis` says when each provider warns); a :class:`UserWarning`.

    {warning_see_also}

    Examples
    --------
    >>> print(PagingWarning("mayar: 50 of 60 invoices received"))
    mayar: 50 of 60 invoices received
    """


class UnknownStatusWarning(TerminalSafeWarning):
    """A provider status outside the documented ones: its ``status`` is left missing. The raw value stays in
    ``provider_status``; one warning per load names every unknown value (also on its ``values`` attribute).

    See Also
    --------
    STATUSES : The shared statuses.

    Examples
    --------
    >>> print(UnknownStatusWarning("mayar: unknown status value(s) ['expired']"))
    mayar: unknown status value(s) ['expired']
    """

    #: The raw values not recognised, sorted (set by the loader that warns).
    values: list[str]


@doc()
class DuplicateInvoiceWarning(TerminalSafeWarning):
    """One page of an answer holds the same invoice id more than once, with different content. The last copy
    is kept (identical copies are dropped silently); one warning per page names the ids (also on its ``ids``
    attribute) and the fields that differ.

    {warning_see_also}

    Examples
    --------
    >>> print(DuplicateInvoiceWarning("mayar: invoice 'a' came 2 times in one page, differing in ['amount']"))
    mayar: invoice 'a' came 2 times in one page, differing in ['amount']
    """

    #: The invoice ids whose copies differ (set by the loader that warns).
    ids: list[str]


class ExportWarning(TerminalSafeWarning):
    """An exported value had to be changed to be written: characters a workbook cannot hold were removed, or
    text longer than an Excel cell was cut."""


class DemoDataWarning(UserWarning):
    """The frame holds the embedded sample data, not a provider's invoices. Asked for (``demo=True``,
    ``--demo``) or because no ``FASPAY_*`` / ``MAYAR_*`` variable is set; ``attrs["source"] == "demo"``."""


class PastAsOfWarning(UserWarning):
    """A past ``as_of`` on a frame loaded today: invoices issued after it are left out, but the balances are
    today's (the provider APIs keep no history). An :class:`~invoice_analytics.InvoiceStore`'s ``as_of(date)``
    gives the balances known then."""
