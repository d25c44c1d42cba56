"""The store's exceptions and warning (private; exported by :mod:`invoice_analytics.history`).

>>> err = NotObservedError("the store's first refresh was at 2026-11-22 10:00:00+07:00")
>>> isinstance(err, ValueError), isinstance(StoreLockedError("x"), TimeoutError)
(True, True)
"""

from __future__ import annotations

from invoice_analytics.errors import TerminalSafeWarning

__all__ = ["NotObservedError", "RefreshFallbackWarning", "StoreCorruptError", "StoreError", "StoreLockedError"]


class StoreError(Exception):
    """Base of every error of an :class:`~invoice_analytics.history.InvoiceStore`."""


class StoreCorruptError(StoreError, ValueError):
    """A file of the store is missing, truncated, altered or unreadable; the message names it."""


class StoreLockedError(StoreError, TimeoutError):
    """Another refresh held the store's lock for longer than the store's ``lock_timeout``."""


class NotObservedError(StoreError, ValueError):
    """Nothing is known at the time asked: the store is empty, or the time is before its first refresh."""


class RefreshFallbackWarning(TerminalSafeWarning):
    """An incremental refresh found its assumptions broken and ran a full reconciliation instead."""
