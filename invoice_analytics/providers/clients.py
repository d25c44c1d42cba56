"""The provider clients, and the pieces of their plumbing that code driving them shares (public).

One client per provider owns everything a request needs, written once (:doc:`/guide/loading`): the session
(retries, auth hook, wait budget), the request label and page, the page loop, the loaders' defaults and limit
checks. The loaders are thin over them, and so is the history store's refresh, which imports its provider
pieces from here only (never a private provider module).

>>> from invoice_analytics.providers.clients import FaspayClient, MayarClient
>>> with MayarClient.from_options(api_key="k", base_url="sandbox", timeout=5) as client:
...     client.origin, client.connection.max_pages
('https://api.mayar.club', 20000)
>>> with FaspayClient.from_options(signature="s3cret") as client:
...     repr(client), client.body(4, 2, start=DEFAULT_START, end=DEFAULT_START)["status"]
("FaspayClient(origin='https://fasbill-dev.faspay.co.id', signature=***)", '4')
"""

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
