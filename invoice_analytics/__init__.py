"""invoice_analytics: Faspay Billing and Mayar invoice lists as typed pandas DataFrames."""

from invoice_analytics.schema import CORE_COLUMNS, CORE_SCHEMA, STATUSES, empty_frame

__all__ = [
    "CORE_COLUMNS",
    "CORE_SCHEMA",
    "STATUSES",
    "empty_frame",
]
