"""The credentials in the environment: which providers are configured, and what is misspelled (names only:
the loaders read the values, :mod:`._credentials`)."""

from __future__ import annotations

import os

from invoice_analytics.errors import MissingCredentialsError
from invoice_analytics.schema import PROVIDERS

__all__ = ["KNOWN_VARIABLES", "check_environment", "configured_providers", "provider_variables"]

#: The environment variables the toolkit reads; any other ``FASPAY_*`` / ``MAYAR_*`` is refused.
KNOWN_VARIABLES: tuple[str, ...] = (
    "FASPAY_USERNAME", "FASPAY_PASSWORD", "FASPAY_SIGNATURE", "FASPAY_BASE_URL",
    "MAYAR_API_KEY", "MAYAR_BASE_URL",
)
_PREFIXES = ("FASPAY_", "MAYAR_")


def _is_set(name: str) -> bool:
    return bool(os.environ.get(name, "").strip())  # the loaders strip credentials too


def provider_variables() -> list[str]:
    """The names of the ``FASPAY_*`` and ``MAYAR_*`` variables set (non-empty) in the environment."""
    return sorted(n for n in os.environ if n.upper().startswith(_PREFIXES) and _is_set(n))


def check_environment() -> None:
    """Refuse (MissingCredentialsError, naming it, never its value) a ``FASPAY_*`` / ``MAYAR_*`` variable not in
    :data:`KNOWN_VARIABLES`, or ``FASPAY_USERNAME`` without ``FASPAY_PASSWORD`` (or the reverse)."""
    for provider, prefix in zip(PROVIDERS, _PREFIXES, strict=True):
        unknown = [n for n in provider_variables() if n.upper().startswith(prefix) and n not in KNOWN_VARIABLES]
        if unknown:
            known = ", ".join(n for n in KNOWN_VARIABLES if n.startswith(prefix))
            raise MissingCredentialsError(
                provider, "environment", None,
                detail=f"unknown variable(s) {', '.join(unknown)} (known: {known}); nothing was loaded, "
                "and the sample data is not used in their place")
    user, password = _is_set("FASPAY_USERNAME"), _is_set("FASPAY_PASSWORD")
    if user != password:
        have, lack = ("FASPAY_USERNAME", "FASPAY_PASSWORD") if user else ("FASPAY_PASSWORD", "FASPAY_USERNAME")
        raise MissingCredentialsError(
            "faspay", "environment", None,
            detail=f"{have} is set but {lack} is not; set both (or FASPAY_SIGNATURE alone)")


def configured_providers() -> list[str]:
    """The providers whose credentials are set in the environment (nothing is sent or checked).

    Faspay needs ``FASPAY_USERNAME`` and ``FASPAY_PASSWORD``, or ``FASPAY_SIGNATURE``; Mayar ``MAYAR_API_KEY``.
    A blank value is unset.

    Returns
    -------
    list of str
        A sublist of ``["faspay", "mayar"]``, in that order; empty when no credentials are set.

    See Also
    --------
    load_invoices : Loads these providers, or the embedded emulator when none.

    Examples
    --------
    >>> import os
    >>> from unittest import mock
    >>> env = {"FASPAY_USERNAME": "u", "FASPAY_PASSWORD": "p", "MAYAR_API_KEY": "k"}
    >>> with mock.patch.dict(os.environ, env, clear=True):
    ...     configured_providers()
    ['faspay', 'mayar']
    """
    is_set = _is_set
    found = []
    if (is_set("FASPAY_USERNAME") and is_set("FASPAY_PASSWORD")) or is_set("FASPAY_SIGNATURE"):
        found.append("faspay")
    if is_set("MAYAR_API_KEY"):
        found.append("mayar")
    return found
