"""invoice_analytics: Faspay Billing and Mayar invoice lists as typed pandas DataFrames.

The public API is ``import invoice_analytics as ia``: every name an analyst
uses is here, listed in ``__all__`` and in the README's API tables. Loaders,
the schema, errors and the analytics are imported with the package; the
charts, the widget panel, the Excel writer and the emulator (which pull in
matplotlib, ipywidgets and openpyxl) are imported on first use.

>>> import invoice_analytics as ia
>>> ia.aging_report(ia.empty_frame(), "2024-02-15").columns.tolist()
['Current', '1-30', '31-60', '61-90', '>90', 'Credit', 'Total']
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from invoice_analytics.analytics import (
    DEFAULT_EDGES,
    aging_buckets,
    aging_report,
    average_days_past_due,
    credit_invoices,
    issue_month,
    overdue_invoices,
    overdue_totals,
    paid_ratio,
    top_debtors,
)
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
from invoice_analytics.providers import (
    FASPAY_DEV_URL,
    MAYAR_PRODUCTION_URL,
    MAYAR_SANDBOX_URL,
    load_faspay,
    load_mayar,
)
from invoice_analytics.schema import CORE_COLUMNS, CORE_SCHEMA, STATUSES, empty_frame
from invoice_analytics.sources import configured_providers, load_invoices

if TYPE_CHECKING:  # imported on first use (PEP 562), seen by type checkers now
    from invoice_analytics.display.charts import (
        plot_aging,
        plot_outstanding_by_month,
        plot_paid_ratio_by_month,
        plot_top_overdue,
    )
    from invoice_analytics.display.filtering import filter_invoices
    from invoice_analytics.display.formatting import format_rupiah
    from invoice_analytics.display.kpis import BUCKET_SCHEMES, panel_kpis
    from invoice_analytics.display.panel import FilterPanel
    from invoice_analytics.display.tables import format_report_table
    from invoice_analytics.emulator import Emulator
    from invoice_analytics.export import write_csv, write_excel

__version__ = "0.1.0"

#: Public names imported on first use, and the module each comes from.
_LAZY: dict[str, str] = {
    "BUCKET_SCHEMES": "invoice_analytics.display.kpis",
    "Emulator": "invoice_analytics.emulator",
    "FilterPanel": "invoice_analytics.display.panel",
    "filter_invoices": "invoice_analytics.display.filtering",
    "format_rupiah": "invoice_analytics.display.formatting",
    "panel_kpis": "invoice_analytics.display.kpis",
    "plot_aging": "invoice_analytics.display.charts",
    "plot_outstanding_by_month": "invoice_analytics.display.charts",
    "plot_paid_ratio_by_month": "invoice_analytics.display.charts",
    "plot_top_overdue": "invoice_analytics.display.charts",
    "format_report_table": "invoice_analytics.display.tables",
    "write_csv": "invoice_analytics.export",
    "write_excel": "invoice_analytics.export",
}

__all__ = [
    "BUCKET_SCHEMES",
    "CORE_COLUMNS",
    "CORE_SCHEMA",
    "DEFAULT_EDGES",
    "FASPAY_DEV_URL",
    "MAYAR_PRODUCTION_URL",
    "MAYAR_SANDBOX_URL",
    "STATUSES",
    "AuthenticationError",
    "Emulator",
    "FilterPanel",
    "InvoiceAPIError",
    "MissingCredentialsError",
    "PagingWarning",
    "RateLimitError",
    "ResponseError",
    "ServerError",
    "TransportError",
    "UnknownStatusWarning",
    "aging_buckets",
    "aging_report",
    "average_days_past_due",
    "combine",
    "configured_providers",
    "credit_invoices",
    "empty_frame",
    "filter_invoices",
    "format_report_table",
    "format_rupiah",
    "issue_month",
    "load_faspay",
    "load_invoices",
    "load_mayar",
    "overdue_invoices",
    "overdue_totals",
    "paid_ratio",
    "panel_kpis",
    "plot_aging",
    "plot_outstanding_by_month",
    "plot_paid_ratio_by_month",
    "plot_top_overdue",
    "top_debtors",
    "write_csv",
    "write_excel",
]


def __getattr__(name: str) -> Any:
    """Import a lazy public name on first use (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'invoice_analytics' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
