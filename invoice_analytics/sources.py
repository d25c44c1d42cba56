"""One call for "all my invoices": the real APIs when configured, else both loaded over HTTP from an emulator
started on 127.0.0.1 for the call (:doc:`/guide/loading`)."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable
from typing import Any

import pandas as pd

from invoice_analytics._combine import combine
from invoice_analytics.errors import DemoDataWarning
from invoice_analytics.providers import load_faspay, load_mayar
from invoice_analytics.providers._environment import (
    check_environment,
    configured_providers,
    provider_variables,
)
from invoice_analytics.schema import DEMO_SOURCE, PROVIDERS

__all__ = ["check_environment", "configured_providers", "load_invoices", "origin_options", "provider_variables"]

def load_invoices(
    providers: str | Iterable[str] = PROVIDERS,
    *,
    demo: bool | None = None,
    progress: bool | None = None,
    faspay_base_url: str | None = None,
    mayar_base_url: str | None = None,
) -> pd.DataFrame:
    """Load and :func:`~invoice_analytics.combine` the chosen providers.

    Faspay first, then Mayar: the real APIs with the environment's credentials, else the emulator's sample data.

    Parameters
    ----------
    providers : str or Iterable[str], default ("faspay", "mayar")
        "faspay", "mayar", or several of them.
    demo : bool or None, default None
        None: with no ``FASPAY_*`` or ``MAYAR_*`` variable set, every one of ``providers`` from the emulator
        (with a :class:`~invoice_analytics.errors.DemoDataWarning`), else those with a variable set from their
        real APIs (one without its credentials raises), skipping the others. True: always the emulator.
        False: never, every one from its real API (missing credentials raise).
    progress : bool or None, default None
        Passed to each loader.
    faspay_base_url, mayar_base_url : str or None, default None
        The real APIs' origins (see the loaders' ``base_url``); None reads ``FASPAY_BASE_URL`` /
        ``MAYAR_BASE_URL``, else keeps each loader's default. Not used with the emulator.

    Returns
    -------
    pandas.DataFrame
        The loaded frames stacked by :func:`~invoice_analytics.combine`: the core columns, then Faspay's
        ``period`` and Mayar's own columns. ``attrs["source"]`` is ``"demo"`` for sample data, else the
        providers loaded (``"faspay"``, ``"mayar"`` or ``"faspay, mayar"``); sample data has
        ``attrs["as_of"]``, the ISO date its statuses were seen. Every attr is JSON (``to_parquet`` saves the
        frame).

    Raises
    ------
    ValueError
        When ``providers`` is empty or names an unknown provider (and as the loaders do, e.g. for a bad origin).
    invoice_analytics.errors.MissingCredentialsError
        Unless ``demo=True``: for a ``FASPAY_*`` / ``MAYAR_*`` variable the toolkit does not know, a username
        without a password (see :func:`check_environment`), or a provider to load without credentials.
    invoice_analytics.errors.InvoiceAPIError
        When a load fails (its subclasses: see :func:`load_faspay` and :func:`load_mayar`); nothing partial is
        returned.

    Warns
    -----
    invoice_analytics.errors.DemoDataWarning
        When the sample data is loaded.
    invoice_analytics.errors.PagingWarning, invoice_analytics.errors.UnknownStatusWarning
        As the loaders do.

    See Also
    --------
    configured_providers : Which providers have credentials.
    load_faspay, load_mayar : The loaders, with every option.

    Examples
    --------
    >>> df = load_invoices(demo=True, progress=False)  # doctest: +SKIP
    >>> sorted(df["provider"].unique()), df.attrs["source"]  # doctest: +SKIP
    (['faspay', 'mayar'], 'demo')
    """
    wanted = [providers] if isinstance(providers, str) else list(providers)
    if not wanted:
        raise ValueError(f"providers is empty; name at least one of {list(PROVIDERS)}")
    unknown = sorted(set(wanted) - set(PROVIDERS))
    if unknown:
        raise ValueError(f"unknown provider(s) {unknown}; choose from {list(PROVIDERS)}")
    if demo is not True:
        check_environment()
    if demo is None:
        mentioned = {p for p in PROVIDERS for n in provider_variables() if n.upper().startswith(p.upper() + "_")}
        demo = not mentioned
        # providers never mentioned are skipped; a mentioned one without credentials raises in its loader
        wanted = [p for p in wanted if p in mentioned] or wanted
    if demo:
        from invoice_analytics.emulator import Emulator
        from invoice_analytics.emulator._samples import AS_OF

        warnings.warn("load_invoices(): these are the embedded sample (demo) invoices, not a provider's: "
                      "set FASPAY_* / MAYAR_API_KEY for real data", DemoDataWarning, stacklevel=2)
        with Emulator(mayar_rate_limit_per_minute=None) as emu:
            mayar_kw = {**emu.mayar_kwargs, "rate_limit_per_minute": None}
            frame = _load(wanted, emu.faspay_kwargs, mayar_kw, progress)
        frame.attrs["as_of"] = AS_OF.isoformat()  # the sample statuses are those seen on this date (ISO text: JSON)
        frame.attrs["source"] = DEMO_SOURCE
        return frame
    faspay_kw, mayar_kw = origin_options(faspay_base_url, mayar_base_url)
    frame = _load(wanted, faspay_kw, mayar_kw, progress)
    frame.attrs["source"] = ", ".join(p for p in PROVIDERS if p in wanted)
    return frame


def origin_options(faspay_base_url: str | None, mayar_base_url: str | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The loaders' ``base_url`` keywords: the given origins, else ``FASPAY_BASE_URL`` / ``MAYAR_BASE_URL``."""
    faspay = faspay_base_url or os.environ.get("FASPAY_BASE_URL", "").strip() or None
    mayar = mayar_base_url or os.environ.get("MAYAR_BASE_URL", "").strip() or None
    return ({"base_url": faspay} if faspay else {}), ({"base_url": mayar} if mayar else {})


def _load(
    wanted: list[str], faspay_kw: dict[str, Any], mayar_kw: dict[str, Any], progress: bool | None
) -> pd.DataFrame:
    frames = []
    if "faspay" in wanted:
        frames.append(load_faspay(**faspay_kw, progress=progress))
    if "mayar" in wanted:
        frames.append(load_mayar(**mayar_kw, progress=progress))
    return combine(*frames)
