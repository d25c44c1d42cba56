"""invoice_analytics: Faspay Billing and Mayar invoice lists as typed pandas DataFrames.

``import invoice_analytics as ia`` gives every name an analyst uses (``__all__``, the API reference). Only the
loaders' exceptions are imported with the package, every other name (the store's errors too) on first use (PEP
562): ``import invoice_analytics`` and the command line start fast; matplotlib, ipywidgets and openpyxl load
only for the charts, the panel and the Excel writer.

>>> import invoice_analytics as ia
>>> ia.aging_report(ia.empty_frame(), "2024-02-15").columns.tolist()
['Current', '1-30', '31-60', '61-90', '>90', 'Credit', 'Total']
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from invoice_analytics.errors import (
    AuthenticationError,
    CredentialError,
    DemoDataWarning,
    DuplicateInvoiceWarning,
    ExportWarning,
    InvoiceAPIError,
    MissingCredentialsError,
    MoneyOverflowError,
    PagingWarning,
    PastAsOfWarning,
    RateLimitError,
    ResponseError,
    ServerError,
    TransportError,
    UnknownStatusWarning,
)

if TYPE_CHECKING:  # imported on first use (PEP 562), seen by type checkers now
    from invoice_analytics._combine import combine
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
    from invoice_analytics.analytics.backtest import backtest_forecast
    from invoice_analytics.analytics.behaviour import payment_behaviour
    from invoice_analytics.analytics.changes import changes, changes_summary
    from invoice_analytics.analytics.collections import collections_list, customer_statement
    from invoice_analytics.analytics.customers import customer_key
    from invoice_analytics.analytics.dso import dso, observed_amount, with_observed_amount
    from invoice_analytics.analytics.forecast import expected_payments, forecast_collections
    from invoice_analytics.analytics.payments import days_to_pay, payment_windows
    from invoice_analytics.analytics.trends import aging_trend, roll_rates
    from invoice_analytics.display._forecast_chart import plot_forecast
    from invoice_analytics.display._trend_chart import plot_aging_trend
    from invoice_analytics.display.charts import (
        plot_aging,
        plot_outstanding_by_month,
        plot_paid_ratio_by_month,
        plot_top_overdue,
    )
    from invoice_analytics.display.filtering import filter_invoices
    from invoice_analytics.display.kpis import BUCKET_SCHEMES, panel_kpis
    from invoice_analytics.display.panel import FilterPanel
    from invoice_analytics.display.tables import format_report_table, style_report
    from invoice_analytics.emulator import Emulator
    from invoice_analytics.export import write_csv, write_excel
    from invoice_analytics.formatting import format_percent, format_rupiah, get_locale, number_locale, set_locale
    from invoice_analytics.history import (
        CheckpointWarning,
        InvoiceStore,
        NotAStoreError,
        NotObservedError,
        RefreshFallbackWarning,
        RefreshResult,
        StoreAccountError,
        StoreCorruptError,
        StoreError,
        StoreLockedError,
    )
    from invoice_analytics.history._demo import demo_store
    from invoice_analytics.pack import month_end_pack
    from invoice_analytics.pdf import write_pdf
    from invoice_analytics.providers import (
        FASPAY_DEV_URL,
        MAYAR_PRODUCTION_URL,
        MAYAR_SANDBOX_URL,
        load_faspay,
        load_mayar,
    )
    from invoice_analytics.schema import CORE_COLUMNS, CORE_SCHEMA, STATUSES, empty_frame
    from invoice_analytics.sources import configured_providers, load_invoices

__version__ = "0.1.0"

_MODULES: dict[str, tuple[str, ...]] = {
    "invoice_analytics.analytics": (
        "DEFAULT_EDGES", "aging_buckets", "aging_report", "average_days_past_due", "credit_invoices",
        "issue_month", "overdue_invoices", "overdue_totals", "paid_ratio", "top_debtors",
    ),
    "invoice_analytics.analytics.changes": ("changes", "changes_summary"),
    "invoice_analytics.pack": ("month_end_pack",),
    "invoice_analytics.analytics.collections": ("collections_list", "customer_statement"),
    "invoice_analytics.analytics.customers": ("customer_key",),
    "invoice_analytics._combine": ("combine",),
    "invoice_analytics.display.charts": (
        "plot_aging", "plot_outstanding_by_month", "plot_paid_ratio_by_month", "plot_top_overdue",
    ),
    "invoice_analytics.display._trend_chart": ("plot_aging_trend",),
    "invoice_analytics.history._demo": ("demo_store",),
    "invoice_analytics.analytics.trends": ("aging_trend", "roll_rates"),
    "invoice_analytics.analytics.payments": ("days_to_pay", "payment_windows"),
    "invoice_analytics.analytics.dso": ("dso", "observed_amount", "with_observed_amount"),
    "invoice_analytics.analytics.behaviour": ("payment_behaviour",),
    "invoice_analytics.analytics.backtest": ("backtest_forecast",),
    "invoice_analytics.display._forecast_chart": ("plot_forecast",),
    "invoice_analytics.analytics.forecast": ("expected_payments", "forecast_collections"),
    "invoice_analytics.display.filtering": ("filter_invoices",),
    "invoice_analytics.formatting": ("format_percent", "format_rupiah", "get_locale", "number_locale", "set_locale"),
    "invoice_analytics.display.kpis": ("BUCKET_SCHEMES", "panel_kpis"),
    "invoice_analytics.display.panel": ("FilterPanel",),
    "invoice_analytics.display.tables": ("format_report_table", "style_report"),
    "invoice_analytics.emulator": ("Emulator",),
    "invoice_analytics.export": ("write_csv", "write_excel"),
    "invoice_analytics.history": (
        "InvoiceStore", "RefreshResult",
        # the store's errors and warnings, imported with the store (pandas, pyarrow) on first use
        "CheckpointWarning", "NotAStoreError", "NotObservedError", "RefreshFallbackWarning", "StoreAccountError",
        "StoreCorruptError", "StoreError", "StoreLockedError",
    ),
    "invoice_analytics.pdf": ("write_pdf",),
    "invoice_analytics.providers": (
        "FASPAY_DEV_URL", "MAYAR_PRODUCTION_URL", "MAYAR_SANDBOX_URL", "load_faspay", "load_mayar",
    ),
    "invoice_analytics.schema": ("CORE_COLUMNS", "CORE_SCHEMA", "STATUSES", "empty_frame"),
    "invoice_analytics.sources": ("configured_providers", "load_invoices"),
}
#: Every public name but the exceptions is imported on first use, from this module.
_LAZY: dict[str, str] = {name: module for module, names in _MODULES.items() for name in names}

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
    "CheckpointWarning",
    "CredentialError",
    "DemoDataWarning",
    "DuplicateInvoiceWarning",
    "Emulator",
    "ExportWarning",
    "FilterPanel",
    "InvoiceAPIError",
    "InvoiceStore",
    "MissingCredentialsError",
    "MoneyOverflowError",
    "NotAStoreError",
    "NotObservedError",
    "PagingWarning",
    "PastAsOfWarning",
    "RateLimitError",
    "RefreshFallbackWarning",
    "RefreshResult",
    "ResponseError",
    "ServerError",
    "StoreAccountError",
    "StoreCorruptError",
    "StoreError",
    "StoreLockedError",
    "TransportError",
    "UnknownStatusWarning",
    "aging_buckets",
    "aging_report",
    "aging_trend",
    "average_days_past_due",
    "backtest_forecast",
    "changes",
    "changes_summary",
    "collections_list",
    "combine",
    "configured_providers",
    "credit_invoices",
    "customer_key",
    "customer_statement",
    "days_to_pay",
    "demo_store",
    "dso",
    "empty_frame",
    "expected_payments",
    "filter_invoices",
    "forecast_collections",
    "format_percent",
    "format_report_table",
    "format_rupiah",
    "get_locale",
    "issue_month",
    "load_faspay",
    "load_invoices",
    "load_mayar",
    "month_end_pack",
    "number_locale",
    "observed_amount",
    "overdue_invoices",
    "overdue_totals",
    "paid_ratio",
    "panel_kpis",
    "payment_behaviour",
    "payment_windows",
    "plot_aging",
    "plot_aging_trend",
    "plot_forecast",
    "plot_outstanding_by_month",
    "plot_paid_ratio_by_month",
    "plot_top_overdue",
    "roll_rates",
    "set_locale",
    "style_report",
    "top_debtors",
    "with_observed_amount",
    "write_csv",
    "write_excel",
    "write_pdf",
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
