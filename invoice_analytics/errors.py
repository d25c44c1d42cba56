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


class InvoiceAPIError(Exception):
    """Base of every error a loader raises. No partial result comes with it.

    Catch this to handle any failed load; the subclasses say what failed.
    The message reads ``"{provider}: {request}[: {detail}][: server said:
    {server_message}][ (HTTP {status_code})]"``, each optional part only when
    it is known; the loaders scrub credentials from every part. Each
    parameter is kept as the attribute of its name (None when not known);
    instances pickle with every attribute.

    Parameters
    ----------
    provider : str
        The provider, "faspay" or "mayar".
    request : str
        What was asked (method, path, status code, page or cursor), without
        credentials.
    server_message : str or None, default None
        The server's own words, when it answered.
    status_code : int or None, default None
        The HTTP status of the answer, when there was one worth naming
        (keyword only).
    detail : str or None, default None
        What the loader found wrong, e.g. ``"the answer is not valid JSON"``
        (keyword only).

    See Also
    --------
    AuthenticationError : The credential was refused.
    MissingCredentialsError : No credential was given.
    RateLimitError : HTTP 429 through every retry.
    ServerError : HTTP 5xx through every retry.
    TransportError : No answer through every retry.
    ResponseError : A failure or a bad answer.

    Examples
    --------
    >>> err = InvoiceAPIError("faspay", "GET /billing page 2", "Invalid page", status_code=200, detail="bad")
    >>> str(err)
    'faspay: GET /billing page 2: bad: server said: Invalid page (HTTP 200)'
    >>> err.provider, err.server_message, err.status_code
    ('faspay', 'Invalid page', 200)
    >>> str(InvoiceAPIError("mayar", "GET /hl/v2/invoices page 1"))
    'mayar: GET /hl/v2/invoices page 1'
    >>> import pickle
    >>> pickle.loads(pickle.dumps(err)).detail
    'bad'
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

    Raised for an HTTP 401 or 403 answer, and for a Faspay answer whose
    ``response_code`` is not "00" and whose message mentions a signature, a
    credential, or being unauthorised or forbidden. Its parameters and
    attributes are those of :class:`InvoiceAPIError`.

    {exception_parameters}

    Examples
    --------
    >>> print(AuthenticationError("mayar", "GET /hl/v2/invoices page 1", "Unauthorized", status_code=401))
    mayar: GET /hl/v2/invoices page 1: server said: Unauthorized (HTTP 401)
    """


@doc()
class MissingCredentialsError(InvoiceAPIError, ValueError):
    """No credential was given, neither as an argument nor in the environment.

    Raised before any request is sent. It is also a :class:`ValueError` (a
    missing argument). Its parameters and attributes are those of
    :class:`InvoiceAPIError`.

    {exception_parameters}

    Examples
    --------
    >>> import os
    >>> from invoice_analytics import load_mayar
    >>> saved = os.environ.pop("MAYAR_API_KEY", None)
    >>> try:
    ...     load_mayar()
    ... except MissingCredentialsError as err:
    ...     print(err)
    ... finally:
    ...     if saved is not None:
    ...         os.environ["MAYAR_API_KEY"] = saved
    mayar: load_mayar: no credential: pass api_key or set MAYAR_API_KEY
    >>> issubclass(MissingCredentialsError, ValueError)
    True
    """


class CredentialError(InvoiceAPIError, ValueError):
    """A credential that cannot be used as given: refused before any request, never echoed.

    Credentials are stripped of surrounding whitespace (a key pasted with a
    trailing newline works); one that still holds a control character, or a
    character that cannot travel in an HTTP header (outside Latin-1, such as
    a typographic quote), is refused with this error. The message names
    the argument or environment variable and the kind of character, never
    the credential. It is also a :class:`ValueError` (a bad argument). Its
    parameters and attributes are those of :class:`InvoiceAPIError`.

    Parameters
    ----------
    provider : str
        "faspay" or "mayar".
    request : str
        Which credential (argument or environment variable).
    server_message : str or None, default None
        Always None (nothing was sent).
    status_code : int or None, default None
        Always None.
    detail : str or None, default None
        What is wrong with it.

    See Also
    --------
    InvoiceAPIError : The base class, to catch any failed load.
    MissingCredentialsError : No credential at all.

    Examples
    --------
    >>> from invoice_analytics import load_mayar
    >>> try:
    ...     load_mayar(api_key="sk-live\u2019123", base_url="http://127.0.0.1:9")
    ... except CredentialError as err:
    ...     print(err.request, "|", err.detail.split(" (")[0], "|", "sk-live" in str(err))
    api_key | the credential holds a character an HTTP header cannot carry | False
    >>> issubclass(CredentialError, ValueError)
    True
    """


@doc()
class RateLimitError(InvoiceAPIError):
    """HTTP 429 persisted through every retry.

    The loaders' sessions retry a 429 up to ``max_retries`` times, waiting
    what its ``Retry-After`` says; this is raised when the last answer is
    still a 429. Its parameters and attributes are those of
    :class:`InvoiceAPIError`.

    {exception_parameters}

    Examples
    --------
    >>> err = RateLimitError("mayar", "GET /hl/v2/invoices page 1", "Too Many Requests", status_code=429)
    >>> err.status_code, err.server_message, isinstance(err, InvoiceAPIError)
    (429, 'Too Many Requests', True)
    """


@doc()
class ServerError(InvoiceAPIError):
    """HTTP 5xx persisted through every retry.

    500, 502, 503 and 504 are retried up to ``max_retries`` times; this is
    raised when the last answer is still one of them (or another 5xx, which
    is not retried). Its parameters and attributes are those of
    :class:`InvoiceAPIError`.

    {exception_parameters}

    Examples
    --------
    >>> print(ServerError("mayar", "GET /hl/v2/invoices page 1", "Internal Server Error", status_code=500,
    ...                   detail="server error through every retry"))
    mayar: GET /hl/v2/invoices page 1: server error through every retry: server said: Internal Server Error (HTTP 500)
    """


@doc()
class TransportError(InvoiceAPIError):
    """The connection failed, dropped or timed out through every retry.

    There was no answer, so ``server_message`` and ``status_code`` are None;
    ``detail`` gives the reason. Its parameters and attributes are those of
    :class:`InvoiceAPIError`.

    {exception_parameters}

    Examples
    --------
    >>> err = TransportError("mayar", "GET /hl/v2/invoices page 1", detail="no answer after retries: timed out")
    >>> err.detail.split(":")[0], err.status_code
    ('no answer after retries', None)
    """


@doc()
class ResponseError(InvoiceAPIError):
    """The server answered, but with a failure, malformed JSON, missing keys or bad values.

    Raised for a failure sent as data (Faspay's ``response_code`` other than
    "00", Mayar's ``"messages": "failed"`` or a ``statusCode`` other than
    200/201), an HTTP 4xx other than 401/403/429, an answer that is not a
    JSON object, a page without its documented keys, and a value that does
    not fit its column (the detail names the invoice and the field). Its
    parameters and attributes are those of :class:`InvoiceAPIError`.

    {exception_parameters}

    Examples
    --------
    >>> err = ResponseError("mayar", "GET /hl/v2/invoices (page 3)", "failed", status_code=200)
    >>> str(err)
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


class PagingWarning(TerminalSafeWarning):
    """The number of invoices received differs from the total the server announced.

    A warning, not an error: the load returns what it got. Faspay: a
    status's final count differs from its ``total_data``, or the status was
    still changing after the last sweep. Mayar: a whole page of invoices
    shares one ``createdAt`` millisecond, so those past the page cannot be
    reached with the cursor.

    See Also
    --------
    load_faspay, load_mayar : The loaders that warn.

    Examples
    --------
    Turn it into an error where a short load must not pass:

    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("error", PagingWarning)
    ...     try:
    ...         warnings.warn("mayar: 50 of 60 invoices received", PagingWarning)
    ...     except PagingWarning as err:
    ...         print(err)
    mayar: 50 of 60 invoices received
    """


class UnknownStatusWarning(TerminalSafeWarning):
    """A provider status outside the documented ones: its ``status`` is left missing.

    A warning, not an error: the raw value stays in ``provider_status``. One
    warning per load names every unknown raw value; they are also on its
    ``values`` attribute (a sorted list).

    See Also
    --------
    STATUSES : The shared statuses.

    Examples
    --------
    >>> warning = UnknownStatusWarning("mayar: unknown status 'expired'")
    >>> warning.values = ["expired"]
    >>> issubclass(UnknownStatusWarning, UserWarning), warning.values
    (True, ['expired'])
    """

    #: The raw values not recognised, sorted (set by the loader that warns).
    values: list[str]


class DuplicateInvoiceWarning(TerminalSafeWarning):
    """One page of an answer holds the same invoice id more than once, with different content.

    A warning, not an error: the last copy in the page is kept. Copies that
    are identical are one invoice and are dropped without a warning. The
    same rule holds for both loaders, page by page; one warning per page
    names every such id (they are also on its ``ids`` attribute) and the
    fields whose values differ.

    See Also
    --------
    load_faspay, load_mayar : The loaders that warn.

    Examples
    --------
    >>> warning = DuplicateInvoiceWarning("mayar: page 1 holds invoice a twice (amount differs)")
    >>> warning.ids = ["a"]
    >>> issubclass(DuplicateInvoiceWarning, UserWarning), warning.ids
    (True, ['a'])
    """

    #: The invoice ids whose copies differ (set by the loader that warns).
    ids: list[str]


class ExportWarning(TerminalSafeWarning):
    """An exported value had to be changed to be written: characters a workbook cannot hold were
    removed, or text longer than an Excel cell was cut."""


class DemoDataWarning(UserWarning):
    """The frame holds the embedded sample data, not a provider's invoices: asked for
    (``demo=True``, ``--demo``) or because no ``FASPAY_*`` / ``MAYAR_*`` variable is set.
    Such a frame has ``attrs["source"] == "demo"``."""


class PastAsOfWarning(UserWarning):
    """A past ``as_of`` on a frame loaded today: invoices issued after it are left out, but the
    balances are today's (the provider APIs keep no history). An
    :class:`~invoice_analytics.InvoiceStore`'s ``as_of(date)`` gives the balances known then."""
