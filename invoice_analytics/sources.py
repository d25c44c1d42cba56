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

from invoice_analytics.combine import combine
from invoice_analytics.providers import load_faspay, load_mayar

__all__ = ["PROVIDERS", "configured_providers", "load_invoices"]

PROVIDERS = ("faspay", "mayar")


def configured_providers() -> list[str]:
    """The providers whose credentials are set in the environment.

    >>> import os
    >>> os.environ["MAYAR_API_KEY"] = "k"
    >>> "mayar" in configured_providers()
    True
    >>> del os.environ["MAYAR_API_KEY"]
    """
    env = os.environ
    found = []
    if (env.get("FASPAY_USERNAME") and env.get("FASPAY_PASSWORD")) or env.get("FASPAY_SIGNATURE"):
        found.append("faspay")
    if env.get("MAYAR_API_KEY"):
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

    ``providers``: one name ("faspay") or several. ``demo=None``: the providers among ``providers``
    whose credentials are set (see :func:`configured_providers`); when none is, the embedded emulator.
    ``demo=True``: always the emulator; ``demo=False``: never (missing
    credentials raise). Origins default to each loader's own default.
    """
    wanted = [providers] if isinstance(providers, str) else list(providers)
    unknown = sorted(set(wanted) - set(PROVIDERS))
    if unknown:
        raise ValueError(f"unknown provider(s) {unknown}; choose from {list(PROVIDERS)}")
    configured = configured_providers()
    if demo is None:
        demo = not any(p in configured for p in wanted)
        wanted = [p for p in wanted if demo or p in configured]
    if demo:
        from invoice_analytics.emulator import Emulator

        with Emulator(mayar_rate_limit_per_minute=None) as emu:
            mayar_kw = {**emu.mayar_kwargs, "rate_limit_per_minute": None}
            return _load(wanted, emu.faspay_kwargs, mayar_kw, progress)
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
