"""The store's exceptions and warning (private; exported by :mod:`invoice_analytics.history`).

>>> issubclass(NotObservedError, ValueError), issubclass(StoreLockedError, TimeoutError)
(True, True)
"""

from __future__ import annotations

from invoice_analytics.errors import TerminalSafeWarning

__all__ = [
    "CheckpointWarning",
    "NotAStoreError",
    "NotObservedError",
    "RefreshFallbackWarning",
    "StoreAccountError",
    "StoreCorruptError",
    "StoreError",
    "StoreLockedError",
]


class StoreError(Exception):
    """Base of every error of an :class:`~invoice_analytics.history.InvoiceStore`."""


class StoreCorruptError(StoreError, ValueError):
    """A file of the store is missing, truncated, altered or unreadable; the message names it."""


class NotAStoreError(StoreError, ValueError):
    """The directory holds files but no store manifest: the store refuses to write (or delete) anything there."""


class StoreAccountError(StoreError, ValueError):
    """A refresh would mix accounts: its origin or credential differs from the store's (the message says which)."""


class StoreLockedError(StoreError, TimeoutError):
    """Another refresh held the store's lock for longer than the store's ``lock_timeout``."""


class NotObservedError(StoreError, ValueError):
    """Nothing is known at the time asked: the store is empty, or the time is before its first refresh."""


class RefreshFallbackWarning(TerminalSafeWarning):
    """An incremental refresh found its assumptions broken and ran a full reconciliation instead."""


class CheckpointWarning(UserWarning):
    """A checkpoint is missing or damaged: the data files are read instead (``repair()`` rebuilds it)."""
