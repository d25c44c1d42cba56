"""The docstring texts shared by several functions, written once and substituted by :func:`doc`.

A docstring line holding only ``{name}`` (any indentation) is replaced by the block ``name`` (a
keyword of :func:`doc`, else one of :data:`TEXTS`), every line of it indented like the placeholder;
any other braces are left alone. The blocks are numpydoc entries written flush left. An unknown name
is an error when the module is imported, so a typo cannot reach the reference.

>>> @doc(extra="x : int\\n    A number.")
... def f(x: int, as_of: object = None) -> None:
...     '''Do nothing.
...
...     Parameters
...     ----------
...     {extra}
...     {as_of}
...     '''
>>> print(f.__doc__.splitlines()[5])
        A number.
>>> f.__doc__.count("Asia/Jakarta") > 0, "{as_of}" in f.__doc__
(True, False)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

__all__ = ["TEXTS", "doc", "substitute"]

T = TypeVar("T")

_AS_OF = """\
as_of : date-like or None, default None
    The date to age at: a str, ``datetime.date``, ``datetime.datetime``,
    ``pandas.Timestamp`` or ``numpy.datetime64``; None is today in
    Asia/Jakarta. Naive values are Asia/Jakarta wall time, aware ones are
    converted; only the calendar date counts."""

_TERMS_DAYS = """\
terms_days : int, mapping or str, default 0
    Payment terms of an invoice without ``due_at`` (Mayar has no due
    date): it is due ``terms_days`` after ``issued_at``; 0 means due on
    receipt. A mapping gives days by provider (``{"mayar": 14}``, the
    others 0); a str names an Int64 column of each invoice's days."""

_EDGES = """\
edges : Iterable[int], default DEFAULT_EDGES
    Bucket edges in days past due, strictly increasing integers >= 1.
    The default ``(30, 60, 90)`` gives "Current" (<= 0 days), the
    right-inclusive "1-30", "31-60", "61-90", then ">90"."""

_BASIS = """\
basis : {"due", "issued"}, default "due"
    Age from the due date (``due_at``, else ``issued_at + terms_days``)
    or from ``issued_at``."""

_BY_NONE = """\
by : Hashable, list of Hashable or None, default None
    The row key: a column, a list of columns (a MultiIndex), the virtual
    "issue_month" (the Asia/Jakarta month of ``issued_at``), the virtual
    "customer" (``(provider, customer_id)``, indexed by name, id and
    provider: see :func:`~invoice_analytics.customer_key`), or None for
    one row labelled "Total". Missing key values form their own group."""

_BY_CUSTOMER = """\
by : Hashable, list of Hashable or None, default "customer"
    The row key: the virtual "customer" (``(provider, customer_id)``,
    indexed by name, id and provider: see
    :func:`~invoice_analytics.customer_key`; the key of every customer
    table and chart), a column (e.g. "customer_name" to group by the
    name alone), a list of columns (a MultiIndex), the virtual
    "issue_month" (the Asia/Jakarta month of ``issued_at``), or None for
    one row labelled "Total". Missing key values form their own group."""

_TOTALS = """\
totals : bool, default False
    Append a final row labelled "Total" (``("Total", "", ...)`` for several
    keys) holding the grand totals, as ``pivot_table``'s ``margins``; there
    is none when ``by`` is None. A group labelled like it is a ValueError."""

_DF = """\
df : pandas.DataFrame
    Invoices in the core schema: one loader's frame or
    :func:`~invoice_analytics.combine` of several. Needs ``status``,
    ``outstanding``, ``issued_at``, ``due_at`` (unless ``basis="issued"``)
    and, for a grouped result, the ``by`` columns."""

_STORE = """\
store : HistoryLike
    The invoice history: an :class:`~invoice_analytics.InvoiceStore`, or
    anything with its ``as_of``, ``history`` and ``refreshes``."""

_RAISES_AGING = """\
KeyError
    When ``df`` lacks a column it needs (a ``by`` column included); the
    message names them.
ValueError
    When ``basis`` is not "due" or "issued", ``edges`` are not strictly
    increasing integers >= 1, ``by`` is an empty list, or ``as_of`` is not
    a date (of the arguments the function takes)."""

_EXCEPTION_PARAMS = """\
Parameters
----------
provider : str
    "faspay" or "mayar".
request : str
    What was asked (method, path, page or cursor), without credentials.
server_message : str or None, default None
    The server's own words, when it answered.
status_code : int or None, default None
    The HTTP status of the answer (keyword only).
detail : str or None, default None
    What the loader found wrong, e.g. ``"the answer is not valid JSON"`` (keyword only)."""

_EXCEPTION_PARAMETERS = _EXCEPTION_PARAMS + """

See Also
--------
InvoiceAPIError : The base class, to catch any failed load."""

_LOCALE = """\
locale : str or None, default None
    ``"id"`` or ``"en"`` (``"id_ID"``, ``"en_US"``... name the same);
    None is the current one (:func:`~invoice_analytics.get_locale`)."""

_CONVENTIONS = """\
The conventions (open, credit, days past due, buckets, overdue, the
group keys) are stated once in the "Conventions" of :doc:`/guide/analytics`."""

_AX = """\
ax : matplotlib.axes.Axes or None, default None
    Draw on these axes; None draws on a new
    :class:`~matplotlib.figure.Figure` (never pyplot's)."""

_LOADER_SESSION = """\
session : requests.Session or None, default None
    A session used as given (its adapters decide retries); by default
    one with urllib3 retries of 429, 5xx and dropped connections up to
    ``max_retries``, closed after the load. Redirects are never
    followed, whichever session is used."""

_LOADER_TIMEOUT = """\
timeout : float, default 30
    Seconds to connect, to wait for an answer's headers, and for its
    whole body once they came (the body is read against that deadline)."""

_LOADER_RETRIES = """\
max_retries : int, default 5
    Retries of the default session.
backoff_factor : float, default 0.5
    The default session waits ``backoff_factor * 2 ** (retry - 1)``
    seconds between retries (at most 30), or what a 429's
    ``Retry-After`` says."""

_LOADER_LIMITS = """\
max_wait : float, default 120
    The total (seconds) the load waits on rate limits with the default
    session: every pause before a retry (``Retry-After``, else back-off),
    of every request and worker, is taken from it; a pause that would
    pass it fails the load at once with a
    :class:`~invoice_analytics.errors.RateLimitError` naming the wait.
max_response_bytes : int, default 33554432 (32 MiB)
    The largest answer read, once decompressed; a larger one is a
    :class:`~invoice_analytics.errors.ResponseError`.
progress : bool or None, default None
    None shows a tqdm bar when interactive and the load takes more than
    one request; True always, False never."""

_CHART_RETURNS = """\
Returns
-------
matplotlib.axes.Axes
    The axes drawn on (``ax`` when given); ``ax.figure`` is its figure. An
    empty ``df`` shows "No invoices", one with nothing to draw says so
    (e.g. "No open invoices")."""

_CHART_KEYERROR = """\
KeyError
    When a non-empty ``df`` lacks a column it needs."""

_FORECAST_AS_OF = """\
as_of : date-like or None, default None
    The forecast's day (None: today), in Asia/Jakarta: what the store knew
    at its end is read, nothing observed later."""

_LEVEL = """\
level : float, default 0.8
    The interval's coverage."""

_RAISES_HISTORY = """\
KeyError
    When the store's history or frames lack a column needed (the message
    names it)."""

# -- docsb (issue 18): blocks shared by the collections and table examples -----------------------------------

_EXAMPLE_INVOICES = """\
Ani (C1) owes I1 (not yet due) and I2 (past due) and has a credit, I3; Budi (C2) owes I4:

>>> df = pd.DataFrame({
...     "provider": ["faspay"] * 4, "invoice_id": ["I1", "I2", "I3", "I4"],
...     "customer_id": ["C1", "C1", "C1", "C2"], "customer_name": ["Ani", "Ani", "Ani", "Budi"],
...     "status": ["unpaid", "overdue", "unpaid", "unpaid"],
...     "issued_at": pd.to_datetime(["2024-01-01"] * 4).tz_localize("Asia/Jakarta"),
...     "due_at": pd.to_datetime(["2024-03-01", "2024-01-10", None, "2024-02-14"]).tz_localize("Asia/Jakarta"),
...     "outstanding": [200_000, 100_000, -30_000, 500_000]})"""

# docsa (issue 18): the loaders' shared Raises and Warns entries.
_LOADER_RAISES_CREDENTIALS = """\
invoice_analytics.errors.MissingCredentialsError
    When no credential is given or set in the environment.
invoice_analytics.errors.CredentialError
    When a credential holds a control character or a character outside Latin-1 (it is not shown)."""

_LOADER_RAISES_HTTP = """\
invoice_analytics.errors.RateLimitError, invoice_analytics.errors.ServerError
    HTTP 429 or 5xx through every retry, or at once when waiting as it asks would pass ``max_wait`` (the
    load's total).
invoice_analytics.errors.TransportError
    No answer (connection failed, dropped or timed out) through every retry, or a body that did not arrive
    whole within ``timeout``."""

_LOADER_WARNS_STATUS = """\
invoice_analytics.errors.UnknownStatusWarning
    When a provider status is not a documented one (its ``status`` is left missing, ``provider_status``
    keeps it)."""

# docsa (issue 18): what both provider clients say of their session and credential.
_CLIENT_SESSION = """\
``session`` (None: a new one with the loader's retries, closed by :meth:`close`) may be any
:class:`requests.Session`; a given one is never closed here. The credential is held in a
:class:`~invoice_analytics.providers._credentials.Secret`, never shown in a repr or an error."""

# docsa (issue 18): the See Also of the loaders' warnings.
_WARNING_SEE_ALSO = """\
See Also
--------
load_faspay, load_mayar : The loaders that warn."""

#: Every shared block by placeholder name.
TEXTS: dict[str, str] = {
    "as_of": _AS_OF,
    "ax": _AX,
    "basis": _BASIS,
    "by_customer": _BY_CUSTOMER,
    "chart_keyerror": _CHART_KEYERROR,
    "chart_returns": _CHART_RETURNS,
    "by_none": _BY_NONE,
    "conventions": _CONVENTIONS,
    "df": _DF,
    "edges": _EDGES,
    "exception_parameters": _EXCEPTION_PARAMETERS,
    "exception_params": _EXCEPTION_PARAMS,
    "forecast_as_of": _FORECAST_AS_OF,
    "level": _LEVEL,
    "loader_limits": _LOADER_LIMITS,
    "loader_retries": _LOADER_RETRIES,
    "loader_session": _LOADER_SESSION,
    "loader_timeout": _LOADER_TIMEOUT,
    "locale": _LOCALE,
    "raises_aging": _RAISES_AGING,
    "raises_history": _RAISES_HISTORY,
    "store": _STORE,
    "terms_days": _TERMS_DAYS,
    "totals": _TOTALS,
    # docsb (issue 18)
    "example_invoices": _EXAMPLE_INVOICES,
    # docsa
    "loader_raises_credentials": _LOADER_RAISES_CREDENTIALS,
    "loader_raises_http": _LOADER_RAISES_HTTP,
    "loader_warns_status": _LOADER_WARNS_STATUS,
    "client_session": _CLIENT_SESSION,
    "warning_see_also": _WARNING_SEE_ALSO,
}

_PLACEHOLDER = re.compile(r"^(?P<indent>[ \t]*)\{(?P<name>[a-z_]+)\}[ \t]*$", re.MULTILINE)


def substitute(text: str, texts: dict[str, str] | None = None) -> str:
    """``text`` with each ``{name}`` line replaced by its block, indented like the placeholder.

    >>> print(substitute("Parameters\\n    {basis}"))
    Parameters
        basis : {"due", "issued"}, default "due"
            Age from the due date (``due_at``, else ``issued_at + terms_days``)
            or from ``issued_at``.
    >>> substitute("{nothing}")
    Traceback (most recent call last):
    ...
    KeyError: 'no shared docstring text named nothing'
    """
    known = {**TEXTS, **(texts or {})}

    def block(match: re.Match[str]) -> str:
        name, indent = match["name"], match["indent"]
        if name not in known:
            raise KeyError(f"no shared docstring text named {name}")
        return "\n".join(indent + line if line else "" for line in known[name].splitlines())

    return _PLACEHOLDER.sub(block, text)


def doc(**texts: str) -> Callable[[T], T]:
    """A decorator filling the ``{name}`` lines of a function's or class's docstring (see :func:`substitute`)."""

    def decorate(obj: T) -> T:
        if obj.__doc__:
            obj.__doc__ = substitute(obj.__doc__, texts)
        return obj

    return decorate
