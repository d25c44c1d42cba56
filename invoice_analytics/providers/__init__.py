"""Providers: one client and one loader per payment provider, over the shared HTTP plumbing.

:func:`load_faspay` and :func:`load_mayar` return the account's whole invoice list as a typed frame in the
core schema (:mod:`invoice_analytics.schema`). Each drives its provider's client (:class:`FaspayClient`,
:class:`MayarClient`: the session, auth hook, page request and page loop, written once), which the history
store drives too (:mod:`invoice_analytics.providers.clients`).
"""

from invoice_analytics.providers.clients import FaspayClient, MayarClient
from invoice_analytics.providers.faspay import FASPAY_DEV_URL, load_faspay
from invoice_analytics.providers.mayar import MAYAR_PRODUCTION_URL, MAYAR_SANDBOX_URL, load_mayar

__all__ = ["FASPAY_DEV_URL", "MAYAR_PRODUCTION_URL", "MAYAR_SANDBOX_URL", "FaspayClient", "MayarClient", "load_faspay",
           "load_mayar"]
