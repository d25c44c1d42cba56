"""The provider clients (public): each owns everything a request needs, written once (session, request label and
page, page loop, defaults, limit checks; :doc:`/guide/loading`). The loaders and the store's refresh use them;
the refresh imports its provider pieces from here only, never from a private provider module."""

from invoice_analytics.providers._environment import configured_providers
from invoice_analytics.providers._faspay_client import (
    DEFAULT_END_DAYS_AHEAD,
    DEFAULT_START,
    FASPAY_PATH,
    FASPAY_STATUS_CODES,
    FaspayClient,
    FaspayConnection,
    faspay_connection,
)
from invoice_analytics.providers._mayar_client import (
    MAYAR_MAX_PAGES,
    MAYAR_PAGE_SIZE,
    MAYAR_PATH,
    MayarClient,
    MayarConnection,
    mayar_connection,
)
from invoice_analytics.providers._pacing import MinuteRateLimiter
from invoice_analytics.providers._paging import MAX_PASSES, FaspayPage, Kept, created_ms
from invoice_analytics.providers._payload import PageProblem
from invoice_analytics.providers._progress import Progress
from invoice_analytics.providers.faspay import faspay_frame, faspay_invoices
from invoice_analytics.providers.mayar import mayar_frame, mayar_invoices

__all__ = [
    "DEFAULT_END_DAYS_AHEAD",
    "DEFAULT_START",
    "FASPAY_PATH",
    "FASPAY_STATUS_CODES",
    "MAX_PASSES",
    "MAYAR_MAX_PAGES",
    "MAYAR_PAGE_SIZE",
    "MAYAR_PATH",
    "FaspayClient",
    "FaspayConnection",
    "FaspayPage",
    "Kept",
    "MayarClient",
    "MayarConnection",
    "MinuteRateLimiter",
    "PageProblem",
    "Progress",
    "configured_providers",
    "created_ms",
    "faspay_connection",
    "faspay_frame",
    "faspay_invoices",
    "mayar_connection",
    "mayar_frame",
    "mayar_invoices",
]
