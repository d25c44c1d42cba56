"""The month-end AR pack: from a history store (or a frame) to the workbook and PDF a finance manager signs. Every
section is also a function here (``provider_summary`` ... ``statement_activity``, see ``__all__``)."""

from __future__ import annotations

from invoice_analytics.pack._build import MonthEndPack, month_end, month_end_pack
from invoice_analytics.pack._known import KnownAt
from invoice_analytics.pack._sections import (
    ALL_PROVIDERS,
    aging_by_customer,
    cash_in_forecast,
    collections,
    comparative_aging,
    days_to_pay_by_customer,
    dso_by_provider,
    month_changes,
    month_ends,
    over_90_movers,
    previous_month_end,
    provider_summary,
    roll_rate_matrix,
    trend_table,
)
from invoice_analytics.pack._statements import statement_activity, statement_customers, statement_items

__all__ = [
    "ALL_PROVIDERS",
    "KnownAt",
    "MonthEndPack",
    "aging_by_customer",
    "cash_in_forecast",
    "collections",
    "comparative_aging",
    "days_to_pay_by_customer",
    "dso_by_provider",
    "month_changes",
    "month_end",
    "month_end_pack",
    "month_ends",
    "over_90_movers",
    "previous_month_end",
    "provider_summary",
    "roll_rate_matrix",
    "statement_activity",
    "statement_customers",
    "statement_items",
    "trend_table",
]
