"""invoice_analytics: Faspay Billing and Mayar invoice lists as typed pandas DataFrames.

>>> import invoice_analytics as ia
>>> ia.empty_frame().columns.tolist() == list(ia.CORE_SCHEMA)
True
"""

from invoice_analytics.aging import (
    aging_buckets,
    aging_report,
    average_days_past_due,
    credits,
    overdue_totals,
    top_debtors,
)
from invoice_analytics.charts import (
    plot_aging,
    plot_outstanding_by_month,
    plot_paid_ratio_by_month,
    plot_top_overdue,
)
from invoice_analytics.combine import combine
from invoice_analytics.dashboard import filter_invoices, panel_kpis, write_excel
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
from invoice_analytics.ratios import issue_month, paid_ratio
from invoice_analytics.schema import CORE_COLUMNS, CORE_SCHEMA, STATUSES, empty_frame
from invoice_analytics.sources import configured_providers, load_invoices
from invoice_analytics.widgets import FilterPanel
from invoice_analytics._format import format_rupiah

__version__ = "0.1.0"

__all__ = [
    "AuthenticationError",
    "CORE_COLUMNS",
    "CORE_SCHEMA",
    "FASPAY_DEV_URL",
    "FilterPanel",
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
    "aging_buckets",
    "aging_report",
    "average_days_past_due",
    "combine",
    "configured_providers",
    "credits",
    "empty_frame",
    "filter_invoices",
    "format_rupiah",
    "issue_month",
    "load_faspay",
    "load_invoices",
    "load_mayar",
    "overdue_totals",
    "paid_ratio",
    "panel_kpis",
    "plot_aging",
    "plot_outstanding_by_month",
    "plot_paid_ratio_by_month",
    "plot_top_overdue",
    "top_debtors",
    "write_excel",
]
