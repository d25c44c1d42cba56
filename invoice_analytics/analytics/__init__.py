"""Analytics: pure, vectorised aging, overdue totals and paid ratios over a loader's frame or ``ia.combine(...)``.

The conventions are written once in :mod:`._rules`, stated in the "Conventions" of :doc:`/guide/analytics`.
"""

from invoice_analytics.analytics._rules import DEFAULT_EDGES
from invoice_analytics.analytics.aging import (
    aging_buckets,
    aging_report,
    average_days_past_due,
    credit_invoices,
    overdue_invoices,
    overdue_totals,
    top_debtors,
)
from invoice_analytics.analytics.customers import customer_key
from invoice_analytics.analytics.ratios import issue_month, paid_ratio

__all__ = [
    "DEFAULT_EDGES",
    "aging_buckets",
    "aging_report",
    "average_days_past_due",
    "credit_invoices",
    "customer_key",
    "issue_month",
    "overdue_invoices",
    "overdue_totals",
    "paid_ratio",
    "top_debtors",
]
