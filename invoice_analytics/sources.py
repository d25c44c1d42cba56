"""One call for "all my invoices": the real APIs when configured, else the embedded emulator.

The embedded default means a notebook or a report runs offline with no
credentials: when no provider's credentials are in the environment (or
``demo=True``), a local :class:`~invoice_analytics.emulator.Emulator` serving
``data-samples/`` is started on 127.0.0.1, both providers are loaded from it
over HTTP, and it is stopped again.

>>> df = load_invoices(demo=True, progress=False)
>>> sorted(df["provider"].unique())
['faspay', 'mayar']
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

import pandas as pd

from invoice_analytics._combine import combine
from invoice_analytics.providers import load_faspay, load_mayar

__all__ = ["PROVIDERS", "configured_providers", "load_invoices"]

PROVIDERS = ("faspay", "mayar")


def configured_providers() -> list[str]:
    """The providers whose credentials are set in the environment.

    Faspay counts as configured when ``FASPAY_USERNAME`` and
    ``FASPAY_PASSWORD`` are both set, or ``FASPAY_SIGNATURE`` is; Mayar when
    ``MAYAR_API_KEY`` is. An empty value (or only whitespace) counts as unset. Only the names are
    looked at: nothing is sent and the credentials are not checked.

    Returns
    -------
    list of str
        A sublist of ``["faspay", "mayar"]``, in that order; empty when no
        credentials are set.

    See Also
    --------
    load_invoices : Loads these providers, or the embedded emulator when none.

    Examples
    --------
    >>> import os
    >>> from unittest import mock
    >>> with mock.patch.dict(os.environ, {"MAYAR_API_KEY": "k"}):
    ...     "mayar" in configured_providers()
    True
    >>> env = {"FASPAY_USERNAME": "u", "FASPAY_PASSWORD": "p", "MAYAR_API_KEY": "k"}
    >>> with mock.patch.dict(os.environ, env, clear=True):
    ...     configured_providers()
    ['faspay', 'mayar']
    >>> with mock.patch.dict(os.environ, {"FASPAY_USERNAME": "u", "MAYAR_API_KEY": ""}, clear=True):
    ...     configured_providers()
    []
    """
    def is_set(name: str) -> bool:
        return bool(os.environ.get(name, "").strip())  # the loaders strip credentials too

    found = []
    if (is_set("FASPAY_USERNAME") and is_set("FASPAY_PASSWORD")) or is_set("FASPAY_SIGNATURE"):
        found.append("faspay")
    if is_set("MAYAR_API_KEY"):
        found.append("mayar")
    return found


def load_invoices(
    providers: str | Iterable[str] = PROVIDERS,
    *,
    demo: bool | None = None,
    progress: bool | None = None,
    faspay_base_url: str | None = None,
    mayar_base_url: str | None = None,
) -> pd.DataFrame:
    """Load and :func:`~invoice_analytics.combine` the chosen providers.

    The real APIs when credentials are set, else the embedded emulator
    (:class:`~invoice_analytics.emulator.Emulator`), started on 127.0.0.1
    for the load and stopped again; it serves the sample data of
    ``data-samples/`` without a rate limit. Real loads use the credentials
    of the environment (see :func:`~invoice_analytics.load_faspay` and
    :func:`~invoice_analytics.load_mayar`). Faspay is loaded first, then
    Mayar, whatever the order of ``providers``.

    Parameters
    ----------
    providers : str or Iterable[str], default ("faspay", "mayar")
        "faspay", "mayar", or several of them.
    demo : bool or None, default None
        None: load the providers among ``providers`` whose credentials are
        set (see :func:`configured_providers`) and skip the others; when none
        of them is set, load every one of ``providers`` from the emulator.
        True: always the emulator. False: never, every one of ``providers``
        from its real API (missing credentials raise).
    progress : bool or None, default None
        Passed to each loader: None shows a progress bar when interactive
        and a load needs more than one request; True always, False never.
    faspay_base_url, mayar_base_url : str or None, default None
        The real APIs' origins (see the loaders' ``base_url``); None keeps
        each loader's default. Not used with the emulator.

    Returns
    -------
    pandas.DataFrame
        The loaded frames stacked by :func:`~invoice_analytics.combine`: the
        core columns, then Faspay's ``period`` and Mayar's own columns.

    Raises
    ------
    ValueError
        When ``providers`` is empty or names an unknown provider (and as the
        loaders do, e.g. for a bad origin).
    invoice_analytics.errors.MissingCredentialsError
        With ``demo=False``, when a chosen provider has no credentials.
    invoice_analytics.errors.InvoiceAPIError
        When a load fails (its subclasses: see :func:`load_faspay` and
        :func:`load_mayar`); nothing partial is returned.

    Warns
    -----
    invoice_analytics.errors.PagingWarning, invoice_analytics.errors.UnknownStatusWarning
        As the loaders do.

    See Also
    --------
    configured_providers : Which providers have credentials.
    load_faspay, load_mayar : The loaders, with every option.

    Examples
    --------
    >>> df = load_invoices(demo=True, progress=False)
    >>> df["provider"].value_counts().sort_index()
    provider
    faspay    6000
    mayar     2500
    Name: count, dtype: int64
    >>> load_invoices("stripe")
    Traceback (most recent call last):
    ...
    ValueError: unknown provider(s) ['stripe']; choose from ['faspay', 'mayar']
    """
    wanted = [providers] if isinstance(providers, str) else list(providers)
    if not wanted:
        raise ValueError(f"providers is empty; name at least one of {list(PROVIDERS)}")
    unknown = sorted(set(wanted) - set(PROVIDERS))
    if unknown:
        raise ValueError(f"unknown provider(s) {unknown}; choose from {list(PROVIDERS)}")
    configured = configured_providers()
    if demo is None:
        demo = not any(p in configured for p in wanted)
        wanted = [p for p in wanted if demo or p in configured]
    if demo:
        from invoice_analytics.emulator import Emulator
        from invoice_analytics.emulator._samples import AS_OF

        with Emulator(mayar_rate_limit_per_minute=None) as emu:
            mayar_kw = {**emu.mayar_kwargs, "rate_limit_per_minute": None}
            frame = _load(wanted, emu.faspay_kwargs, mayar_kw, progress)
        frame.attrs["as_of"] = AS_OF  # the sample statuses are those seen on this date
        return frame
    faspay_kw = {"base_url": faspay_base_url} if faspay_base_url else {}
    mayar_kw = {"base_url": mayar_base_url} if mayar_base_url else {}
    return _load(wanted, faspay_kw, mayar_kw, progress)


def _load(
    wanted: list[str], faspay_kw: dict[str, Any], mayar_kw: dict[str, Any], progress: bool | None
) -> pd.DataFrame:
    frames = []
    if "faspay" in wanted:
        frames.append(load_faspay(**faspay_kw, progress=progress))
    if "mayar" in wanted:
        frames.append(load_mayar(**mayar_kw, progress=progress))
    return combine(*frames)
