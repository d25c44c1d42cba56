"""Invoice history: :class:`InvoiceStore`, every version of every invoice in Parquet files, refreshed
incrementally, answering "what is current" and "what was known at a date" with the loaders' typed frame."""

from invoice_analytics.history._compact import CompactResult
from invoice_analytics.history._errors import (
    CheckpointWarning,
    NotAStoreError,
    NotObservedError,
    RefreshFallbackWarning,
    StoreAccountError,
    StoreCorruptError,
    StoreError,
    StoreLockedError,
)
from invoice_analytics.history._maintain import RepairResult, StoreProblem
from invoice_analytics.history._result import ProviderRefresh, RefreshResult
from invoice_analytics.history._store import InvoiceStore

__all__ = [
    "CheckpointWarning",
    "CompactResult",
    "InvoiceStore",
    "NotAStoreError",
    "NotObservedError",
    "ProviderRefresh",
    "RefreshFallbackWarning",
    "RefreshResult",
    "RepairResult",
    "StoreAccountError",
    "StoreCorruptError",
    "StoreError",
    "StoreLockedError",
    "StoreProblem",
]
