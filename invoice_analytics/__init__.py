"""invoice_analytics: Faspay Billing and Mayar invoice lists as typed pandas DataFrames.

>>> import invoice_analytics as ia
>>> ia.empty_frame().columns.tolist() == list(ia.CORE_SCHEMA)
True
"""

from invoice_analytics.combine import combine
from invoice_analytics.errors import (
    AuthenticationError,
    InvoiceAPIError,
    MissingCredentialsError,
    PagingWarning,
    RateLimitError,
    ResponseError,
    ServerError,
    TransportError,
    UnknownStatusWarning,
)
from invoice_analytics.faspay import FASPAY_DEV_URL, load_faspay
from invoice_analytics.mayar import MAYAR_PRODUCTION_URL, MAYAR_SANDBOX_URL, load_mayar
from invoice_analytics.schema import CORE_COLUMNS, CORE_SCHEMA, STATUSES, empty_frame

__version__ = "0.1.0"

__all__ = [
    "AuthenticationError",
    "CORE_COLUMNS",
    "CORE_SCHEMA",
    "FASPAY_DEV_URL",
    "InvoiceAPIError",
    "MAYAR_PRODUCTION_URL",
    "MAYAR_SANDBOX_URL",
    "MissingCredentialsError",
    "PagingWarning",
    "RateLimitError",
    "ResponseError",
    "STATUSES",
    "ServerError",
    "TransportError",
    "UnknownStatusWarning",
    "combine",
    "empty_frame",
    "load_faspay",
    "load_mayar",
]
