"""A refresh under the store's lock: checks before any request (``observed_at``, each provider's account), the
cleanup of an interrupted refresh (by its journal) and reuse of its answers, the observation, the commit (private).
"""

from __future__ import annotations

import datetime as dt
import time
import warnings
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import pandas as pd

from invoice_analytics._combine import combine
from invoice_analytics.history._api import FaspayAPI, MayarAPI
from invoice_analytics.history._codec import STORE_COLUMNS, to_storage
from invoice_analytics.history._compact import purge_retired
from invoice_analytics.history._errors import StoreError
from invoice_analytics.history._files import (
    PENDING_DIR,
    FileEntry,
    Identity,
    Journal,
    Manifest,
    read_manifest,
    remove_orphans,
    write_data_file,
    write_manifest,
)
from invoice_analytics.history._identity import (
    ADOPT,
    ROTATE,
    check_identity,
    fingerprint,
    new_salt,
    refused,
    same_account,
)
from invoice_analytics.history._log import RefreshLog
from invoice_analytics.history._refresh import Outcome, refresh_faspay, refresh_mayar
from invoice_analytics.history._result import ProviderRefresh, RefreshResult
from invoice_analytics.history._scd import diff, event_rows, latest
from invoice_analytics.history._transport import PendingAnswers
from invoice_analytics.schema import DEMO_SOURCE, JAKARTA

if TYPE_CHECKING:
    from invoice_analytics.history._store import InvoiceStore

__all__ = ["SKEW", "checkpoint_due", "last_checkpoint", "refresh_locked"]

#: How far ahead of this machine's clock a refresh's ``observed_at`` may be (clock skew).
SKEW = pd.Timedelta(minutes=5)


def last_checkpoint(manifest: Manifest, provider: str, last: int) -> FileEntry | None:
    """The provider's newest checkpoint of a refresh numbered ``last`` or less."""
    return max((e for e in manifest.checkpoints if e.provider == provider and e.refresh <= last),
               key=lambda e: e.refresh, default=None)


def checkpoint_due(store: InvoiceStore, manifest: Manifest, provider: str, appended: int, invoices: int) -> bool:
    """Whether the rows since the last checkpoint exceed ``checkpoint_factor`` times the invoices listed."""
    if not appended:
        return False
    since = last_checkpoint(manifest, provider, manifest.generation)
    after = since.refresh if since is not None else 0
    rows = appended + sum(e.rows for e in manifest.files if e.provider == provider and e.refresh > after)
    return rows > store.checkpoint_factor * invoices

def refresh_locked(store: InvoiceStore, wanted: list[str], full: bool, progress: bool | None,
                   options: dict[str, Mapping[str, Any] | None], observed: pd.Timestamp,
                   started: float, rotate: set[str]) -> RefreshResult:
    """A refresh of ``store`` holding its lock: check, observe each provider, write, commit."""
    manifest = read_manifest(store.path)
    if manifest.source != DEMO_SOURCE and observed > pd.Timestamp.now(tz=JAKARTA) + SKEW:
        raise ValueError(f"observed_at {observed} is in the future (more than {SKEW} ahead of this machine's "
                         f"clock): a refresh records what is known now")
    log = store._log(manifest)
    for provider in wanted:
        last = log.last_time(provider)
        if last is not None and observed <= last:
            raise ValueError(f"observed_at {observed} is not after the last refresh of {provider} ({last})")
    apis: dict[str, FaspayAPI | MayarAPI] = {}
    try:
        for provider in wanted:
            apis[provider] = (FaspayAPI if provider == "faspay" else MayarAPI)(options[provider], None, progress)
        return _refresh_with(store, manifest, log, apis, full, observed, started, rotate)
    finally:
        for api in apis.values():
            api.close()

def _refresh_with(store: InvoiceStore, manifest: Manifest, log: RefreshLog, apis: Mapping[str, FaspayAPI | MayarAPI],
                  full: bool, observed: pd.Timestamp, started: float, rotate: set[str]) -> RefreshResult:
    salt = manifest.salt or new_salt()
    held = set(store._providers(log))
    identity = {p: Identity(api.origin, fingerprint(salt, p, api.credential())) for p, api in apis.items()}
    plans = {p: check_identity(p, manifest.identity.get(p), p in held, identity[p], p in rotate)
             for p in apis}  # refused here: before any request
    remove_orphans(store.path, manifest)
    pending = PendingAnswers.open(store.path / PENDING_DIR, manifest.generation, store.resume_within,
                                  {p: (api.origin, api.credential()) for p, api in apis.items()})
    number = manifest.generation + 1
    results: dict[str, ProviderRefresh] = {}
    rows: dict[str, pd.DataFrame] = {}
    checkpoints: dict[str, pd.DataFrame] = {}
    damaged: set[str] = set()
    for provider, api in apis.items():
        began = time.monotonic()
        api.session.pending = pending
        seen = len(damaged)
        known_events = store._state(manifest, log, provider, None, damaged)
        known = known_events.drop(columns=list(STORE_COLUMNS))
        checked = ""
        if plans[provider] in (ADOPT, ROTATE):
            ok, why = same_account(api.first_page_ids(), set(known["invoice_id"].astype(str)))
            how = "the rotated credential" if plans[provider] == ROTATE else "recording the store's account"
            if not ok:
                raise refused(provider, why, how)
            checked = ("credential rotated" if plans[provider] == ROTATE else "account recorded") + f": {why}"
        base = known if provider in held else None
        outcome: Outcome = (refresh_faspay(api, base, full=full) if isinstance(api, FaspayAPI)
                            else refresh_mayar(api, base, full=full))
        found = diff(known, outcome.state, provider)
        rows[provider] = event_rows(found, outcome.state, observed, number)
        if len(damaged) > seen or checkpoint_due(store, manifest, provider, len(rows[provider]),
                                                       len(outcome.state)):
            checkpoints[provider] = latest(combine(known_events, rows[provider]), None)
        results[provider] = ProviderRefresh(
            provider, outcome.mode, found.new, found.changed, found.unchanged, len(found.gone),
            api.requests, outcome.full_requests, round(time.monotonic() - began, 3), api.replayed,
            "; ".join(n for n in (checked, outcome.note) if n))
    journal = Journal(store.path)
    files = [write_data_file(store.path, p, number, to_storage(frame), journal=journal)
             for p, frame in rows.items() if len(frame)]
    made = tuple(write_data_file(store.path, p, number, to_storage(frame[list(rows[p].columns)]), checkpoint=True,
                                 journal=journal) for p, frame in checkpoints.items())
    records = [result.record(number, observed) for result in results.values()]
    kept = tuple(e for e in manifest.checkpoints if e.path not in damaged)
    now = dt.datetime.now(dt.UTC)
    manifest, _removed = purge_retired(store.path, manifest, now, store.retention)
    if damaged:
        journal.add(*sorted(damaged))  # unlisted by this commit, then removed (by the next one if killed)
    write_manifest(store.path, replace(
        manifest, generation=number, files=manifest.files + tuple(files),
        refreshes=manifest.refreshes + tuple(records), checkpoints=kept + made,
        identity={**manifest.identity, **identity}, salt=salt))
    journal.close()
    if store.compact_after is not None and len(manifest.refreshes) + len(records) >= store.compact_after:
        try:
            store._compact_locked(None)
        except (OSError, StoreError) as exc:  # the refresh is committed; compaction is tried again next time
            warnings.warn(f"{store.path}: the refresh is committed, its automatic compaction failed: {exc}",
                          RuntimeWarning, stacklevel=4)
    for relative in damaged:  # written by the store, listed until this commit, replaced by it
        path = store.path / relative
        if path.is_file() and not path.is_symlink():
            path.unlink()
    pending.clear()
    return RefreshResult(observed, number, results, round(time.monotonic() - started, 3))
