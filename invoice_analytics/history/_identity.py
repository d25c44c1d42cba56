"""Whose invoices a store holds: the origin and a keyed fingerprint of each provider's credential (private).

An HMAC-SHA256 of the credential with a random per-store salt, never the credential; the rules are in the
guide's "The history store", *Whose invoices it holds*.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable, Mapping

from invoice_analytics.history._errors import StoreAccountError
from invoice_analytics.history._manifest import Identity

__all__ = ["ADOPT", "MATCH", "NEW", "ROTATE", "bindings", "check_identity", "fingerprint", "new_salt", "refused",
           "same_account"]

MATCH, NEW, ADOPT, ROTATE = "match", "new", "adopt", "rotate"


def new_salt() -> str:
    """A random salt for a store's fingerprints (128 bits, hex)."""
    return secrets.token_hex(16)


def fingerprint(salt: str, provider: str, credential: str) -> str:
    """The keyed fingerprint of ``provider``'s ``credential`` in a store with this ``salt`` (hex)."""
    return hmac.new(salt.encode(), f"{provider}\0{credential}".encode(), hashlib.sha256).hexdigest()


def check_identity(provider: str, recorded: Identity | None, held: bool, current: Identity,
                   rotate: bool) -> str:
    """What a refresh as ``current`` may do: MATCH, NEW (first refresh), ADOPT (a store older than identities) or
    ROTATE (declared; both check the first page); else :class:`StoreAccountError`."""
    if recorded is None:
        return ADOPT if held else NEW
    if recorded.origin != current.origin:
        raise StoreAccountError(
            f"{provider}: this store holds the history of the account at {recorded.origin}, and this refresh "
            f"is against {current.origin}; a store keeps one account per provider (use another directory "
            f"for this one); nothing was sent")
    if recorded.fingerprint == current.fingerprint:
        return MATCH
    if rotate:
        return ROTATE
    raise StoreAccountError(
        f"{provider}: this refresh's credential is not the one this store's history was refreshed with (at "
        f"{recorded.origin}); nothing was sent. If the account's key was rotated, refresh with "
        f"rotate_credential={provider!r}: the refresh then goes on only if the first page it lists holds the "
        f"store's own invoices")


def same_account(page_ids: Iterable[str], known: set[str] | frozenset[str]) -> tuple[bool, str]:
    """The rotation rule: the first page listed is the store's own account when at least one of its
    invoices, and at least half of them, are in the store (the others are new since the last refresh)."""
    ids = list(page_ids)
    found = sum(1 for i in ids if i in known)
    words = f"{found} of the {len(ids)} invoices on its first page are in the store"
    if not ids:
        return not known, "its first page is empty" + ("" if not known else " and the store holds invoices")
    return found >= 1 and 2 * found >= len(ids), words


def refused(provider: str, why: str, how: str) -> StoreAccountError:
    """The error of a failed first-page check."""
    return StoreAccountError(
        f"{provider}: {how} refused: {why}, so the account is not the one this store's history is of; "
        f"nothing was committed")


def bindings(salt: str, accounts: Mapping[str, tuple[str, str]]) -> dict[str, str]:
    """Per provider (``accounts``: provider -> (origin, credential)), what its pending answers are bound to."""
    return {p: fingerprint(salt, p, f"{origin}\0{cred}") for p, (origin, cred) in accounts.items()}
