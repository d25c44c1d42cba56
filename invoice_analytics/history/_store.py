"""The invoice store: every version of every invoice, on disk, and what was known when (private).

See :class:`InvoiceStore`; the layout and commit protocol are in
:mod:`._files`, the refresh algorithm in :mod:`._refresh`, the resumable
transport in :mod:`._transport`.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import filelock
import pandas as pd
import pyarrow as pa

from invoice_analytics._combine import combine
from invoice_analytics.history._api import FaspayAPI, MayarAPI
from invoice_analytics.history._codec import STORE_COLUMNS, from_storage, reference_frame, to_storage
from invoice_analytics.history._errors import NotObservedError, StoreCorruptError, StoreLockedError
from invoice_analytics.history._files import (
    LOCK_NAME,
    PENDING_DIR,
    FileEntry,
    Manifest,
    read_data_file,
    read_manifest,
    remove_orphans,
    write_data_file,
    write_manifest,
)
from invoice_analytics.history._refresh import Outcome, refresh_faspay, refresh_mayar
from invoice_analytics.history._result import ProviderRefresh, RefreshResult
from invoice_analytics.history._scd import diff, event_rows, latest, latest_rows, versions
from invoice_analytics.history._transport import PendingAnswers
from invoice_analytics.providers._environment import configured_providers
from invoice_analytics.schema import DATETIME_DTYPE, JAKARTA, PROVIDER_DTYPE, PROVIDERS, STRING_DTYPE

__all__ = ["InvoiceStore"]

_DAY_ONLY = re.compile(r"\s*\d{4}-\d{2}-\d{2}\s*")
_REFRESH_COLUMNS: dict[str, Any] = {
    "observed_at": DATETIME_DTYPE,
    "provider": PROVIDER_DTYPE,
    "mode": pd.CategoricalDtype(["full", "incremental"]),
    "requests": "Int64",
    "full_requests": "Int64",
    "new": "Int64",
    "changed": "Int64",
    "unchanged": "Int64",
    "gone": "Int64",
    "seconds": "Float64",
    "resumed": "Int64",
    "note": STRING_DTYPE,
    "refresh": "Int64",
}


def _last_checkpoint(manifest: Manifest, provider: str, last: int) -> FileEntry | None:
    """The provider's newest checkpoint of a refresh numbered ``last`` or less."""
    return max((e for e in manifest.checkpoints if e.provider == provider and e.refresh <= last),
               key=lambda e: e.refresh, default=None)


def _instant(value: Any, name: str, *, day_end: bool) -> pd.Timestamp:
    """A time in Asia/Jakarta (naive values are Jakarta time); a bare date is its day's end when
    ``day_end``, else its start."""
    day = (isinstance(value, dt.date) and not isinstance(value, dt.datetime)) or (
        isinstance(value, str) and _DAY_ONLY.fullmatch(value) is not None)
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        stamp = pd.NaT
    if stamp is pd.NaT or not isinstance(stamp, pd.Timestamp):
        raise ValueError(f"{name} must be a date or a time like '2026-11-21 17:00', got {value!r}")
    stamp = stamp.tz_localize(JAKARTA) if stamp.tzinfo is None else stamp.tz_convert(JAKARTA)
    if day and day_end:
        stamp = stamp + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)
    return stamp.floor("us")


class InvoiceStore:
    """Every version of every invoice, as observed by refreshes, in a directory of Parquet files.

    One row per change, slowly-changing-dimension style (type 2): a version
    of an invoice is valid from the refresh that first observed it
    (``valid_from``) until a refresh observed another version, or the
    invoice's disappearance (``valid_to``; NaT for the current version);
    ``last_seen`` is the last refresh of its provider that found it current.
    All three are ``datetime64[us, Asia/Jakarta]``.

    The directory holds ``provider=faspay/`` and ``provider=mayar/`` with
    append-only Parquet files (one per provider per refresh that saw a
    change) and ``_manifest.json``, which commits each refresh and lists the
    files; any Parquet reader can read it (see the guide's page on
    DuckDB and Spark). A refresh takes a file lock, so a second one waits
    up to ``lock_timeout`` seconds and then fails; readers need no lock and
    never see a refresh in part. A refresh killed at any point leaves the
    store as it was; the answers it had fetched (under ``_pending/``) are
    reused by the next refresh of the same store state within
    ``resume_within`` seconds. No credential is ever written.

    Parameters
    ----------
    path : str or os.PathLike
        The store's directory (created by the first refresh).
    lock_timeout : float, default 60
        Seconds a refresh waits for another one to finish.
    resume_within : float, default 3600
        Seconds during which an interrupted refresh's answers are reused.
    checkpoint_factor : float, default 2
        A refresh also writes a checkpoint of its provider's state (every
        invoice's latest version) when the versions appended since the last
        checkpoint exceed this many times the invoices listed; reading the
        state at any time then reads one checkpoint and at most that many
        versions per invoice, however long the history. Checkpoints add at
        most ``1 / checkpoint_factor`` to the store's size; ``math.inf``
        writes none (0: one at every refresh that changed something).

    Examples
    --------
    >>> import tempfile  # doctest: +SKIP
    >>> from invoice_analytics.emulator import Emulator  # doctest: +SKIP
    >>> store = InvoiceStore(tempfile.mkdtemp())  # doctest: +SKIP
    >>> with Emulator(mayar_rate_limit_per_minute=None) as emu:  # doctest: +SKIP
    ...     first = store.refresh(faspay=emu.faspay_kwargs, progress=False, observed_at="2026-11-21 09:00")
    ...     emu.set_faspay_status(emu.faspay.invoices[-1]["invoice_no"], "Cancelled")
    ...     second = store.refresh(faspay=emu.faspay_kwargs, progress=False, observed_at="2026-11-22 09:00")
    >>> first["faspay"].mode, first.new, second["faspay"].mode, second.changed  # doctest: +SKIP
    ('full', 6000, 'incremental', 1)
    >>> second.requests < second.full_requests  # doctest: +SKIP
    True
    >>> len(store.current()), len(store.history()), len(store.refreshes())  # doctest: +SKIP
    (6000, 6001, 2)
    """

    def __init__(self, path: str | os.PathLike[str], *, lock_timeout: float = 60.0,
                 resume_within: float = 3600.0, checkpoint_factor: float = 2.0) -> None:
        self.path = Path(path)
        self.checkpoint_factor = checkpoint_factor
        self.lock_timeout = lock_timeout
        self.resume_within = resume_within
        self._tables: dict[str, pa.Table] = {}  # committed files never change: read each once

    def __repr__(self) -> str:
        try:
            manifest = read_manifest(self.path)
        except StoreCorruptError:
            return f"InvoiceStore({str(self.path)!r}, manifest unreadable)"
        if not manifest.refreshes:
            return f"InvoiceStore({str(self.path)!r}, empty)"
        last = manifest.refreshes[-1]["observed_at"]
        return f"InvoiceStore({str(self.path)!r}, {manifest.generation} refreshes, last at {last})"

    # -- reading -------------------------------------------------------------------------------

    def _events(self, manifest: Manifest, provider: str) -> pd.DataFrame:
        """Every event of ``provider``: the rows of all its data files."""
        return self._read([entry for entry in manifest.files if entry.provider == provider], provider)

    def _state(self, manifest: Manifest, provider: str, at: pd.Timestamp | None) -> pd.DataFrame:
        """Each invoice's latest event at or before ``at`` (None: the last refresh), "gone" ones dropped.

        Read from the provider's last checkpoint at or before ``at`` and the data files after it (all its
        data files up to ``at`` when there is none), so the cost follows the invoices, not the history.
        """
        last = max((int(r["refresh"]) for r in manifest.refreshes if r["provider"] == provider
                    and (at is None or pd.Timestamp(r["observed_at"]) <= at)), default=0)
        checkpoint = _last_checkpoint(manifest, provider, last)
        since = checkpoint.refresh if checkpoint is not None else 0
        entries = sorted((entry for entry in manifest.files if entry.provider == provider
                          and since < entry.refresh <= last), key=lambda entry: entry.refresh)
        chosen = entries if checkpoint is None else [checkpoint, *entries]
        if not chosen:
            return self._read([], provider)
        # an invoice is at most once in a checkpoint and in each file, and files follow their refreshes
        return from_storage(latest_rows(self._concat(chosen), at), provider)

    def _read(self, entries: list[FileEntry], provider: str) -> pd.DataFrame:
        if not entries:
            empty = reference_frame(provider)
            for name, dtype in STORE_COLUMNS.items():
                empty[name] = pd.Series([], dtype=dtype)
            return empty
        return from_storage(self._concat(entries), provider)

    def _concat(self, entries: list[FileEntry]) -> pa.Table:
        return pa.concat_tables([self._table(entry) for entry in entries], promote_options="permissive")

    def _table(self, entry: FileEntry) -> pa.Table:
        table = self._tables.get(entry.path)
        if table is None:
            table = self._tables[entry.path] = read_data_file(self.path, entry)
        return table

    @staticmethod
    def _providers(manifest: Manifest) -> list[str]:
        present = {record["provider"] for record in manifest.refreshes}
        return [p for p in PROVIDERS if p in present]

    @classmethod
    def _typed(cls, frames: list[pd.DataFrame], known_at: pd.Timestamp, manifest: Manifest) -> pd.DataFrame:
        frame = combine(*frames)
        frame = frame.sort_values(["provider", "issued_at", "invoice_id"], ascending=[True, False, True],
                                  na_position="last", kind="stable").reset_index(drop=True)
        frame.attrs["as_of"] = known_at.isoformat()  # ISO text: attrs stay JSON, so to_parquet can save the frame
        frame.attrs["source"] = manifest.source or ", ".join(cls._providers(manifest))  # as load_invoices
        return frame

    def _nonempty(self) -> Manifest:
        manifest = read_manifest(self.path)
        if not manifest.refreshes:
            raise NotObservedError(f"empty store: {self.path} has no refresh yet; call refresh() first")
        return manifest

    def current(self) -> pd.DataFrame:
        """The invoices as the last refresh of each provider saw them: the loaders' typed frame.

        Returns
        -------
        pandas.DataFrame
            What ``ia.combine(ia.load_faspay(...), ia.load_mayar(...))`` gave at
            the last refresh (same columns, dtypes and values; the providers
            the store holds), by provider, newest first; ``attrs["as_of"]``
            is the last refresh's time (ISO text), ``attrs["source"]`` the providers
            (as ``load_invoices`` says them) or "demo" for a demo store.

        Raises
        ------
        NotObservedError
            When the store is empty.
        StoreCorruptError
            When a file of the store is missing or damaged (the message names it).
        """
        manifest = self._nonempty()
        frames = [self._state(manifest, p, None).drop(columns=list(STORE_COLUMNS)) for p in self._providers(manifest)]
        return self._typed(frames, pd.Timestamp(manifest.refreshes[-1]["observed_at"]).tz_convert(JAKARTA), manifest)

    def as_of(self, when: str | dt.date | dt.datetime | pd.Timestamp) -> pd.DataFrame:
        """The invoices as known at ``when``: each in its latest version observed at or before it.

        Invoices issued after ``when`` are left out; so are those first
        observed after it. The frame has the typed schema, so every analytic
        takes it: ``ia.aging_report(store.as_of(d), d)``.

        Parameters
        ----------
        when : str, datetime.date, datetime.datetime or pandas.Timestamp
            A time (naive = Asia/Jakarta); a bare date means the end of that
            day in Jakarta.

        Returns
        -------
        pandas.DataFrame
            The typed frame, ``attrs["as_of"]`` = ``when`` (ISO text, Asia/Jakarta).

        Raises
        ------
        NotObservedError
            (a ``ValueError``) When the store is empty or ``when`` is before
            its first refresh (the message names that refresh's time).
        ValueError
            When ``when`` is not a date or a time.
        """
        at = _instant(when, "when", day_end=True)
        manifest = self._nonempty()
        first = min(pd.Timestamp(r["observed_at"]) for r in manifest.refreshes).tz_convert(JAKARTA)
        if at < first:
            raise NotObservedError(f"nothing is known at {at}: the store's first refresh was at {first}")
        frames = []
        for provider in self._providers(manifest):
            rows = self._state(manifest, provider, at).drop(columns=list(STORE_COLUMNS))
            issued = rows["issued_at"]
            frames.append(rows[(issued.isna() | (issued <= at)).to_numpy(dtype=bool)])
        return self._typed(frames, at, manifest)

    def history(self, invoice_ids: str | Iterable[str] | None = None) -> pd.DataFrame:
        """Every version of every invoice (or of ``invoice_ids``), oldest first per invoice.

        Returns
        -------
        pandas.DataFrame
            The typed columns, then ``valid_from``, ``valid_to`` (NaT: current;
            else when another version or the invoice's disappearance was first
            observed), ``last_seen`` and ``change`` ("new" or "changed").
        """
        manifest = read_manifest(self.path)
        wanted = None if invoice_ids is None else {invoice_ids} if isinstance(invoice_ids, str) else set(
            invoice_ids)
        frames = []
        times = self.refreshes()
        for provider in self._providers(manifest) or ["faspay"]:
            events = self._events(manifest, provider)
            if wanted is not None:
                events = events[events["invoice_id"].isin(wanted).to_numpy(dtype=bool)]
            stamps = times.loc[(times["provider"] == provider).to_numpy(dtype=bool), "observed_at"]
            frames.append(versions(events, stamps).drop(columns=["refresh"]))
        frame = combine(*frames)
        tail = ["valid_from", "valid_to", "last_seen", "change"]
        frame = frame[[*(name for name in frame.columns if name not in tail), *tail]]
        return frame.sort_values(["provider", "invoice_id", "valid_from"], kind="stable").reset_index(drop=True)

    def refreshes(self) -> pd.DataFrame:
        """One row per provider per refresh: ``observed_at``, ``provider``, ``mode``, ``requests``,
        ``full_requests``, ``new``, ``changed``, ``unchanged``, ``gone`` (then ``seconds``, ``resumed``,
        ``note`` and the refresh's number ``refresh``)."""
        records = read_manifest(self.path).refreshes
        data = {name: [record.get(name) for record in records] for name in _REFRESH_COLUMNS}
        data["observed_at"] = [pd.Timestamp(v).tz_convert(JAKARTA) for v in data["observed_at"]]
        return pd.DataFrame({name: pd.Series(values, dtype=_REFRESH_COLUMNS[name])
                             for name, values in data.items()})

    # -- refreshing ---------------------------------------------------------------------------

    def refresh(
        self,
        providers: str | Iterable[str] | None = None,
        *,
        full: bool = False,
        progress: bool | None = None,
        faspay: Mapping[str, Any] | None = None,
        mayar: Mapping[str, Any] | None = None,
        observed_at: str | dt.date | dt.datetime | pd.Timestamp | None = None,
    ) -> RefreshResult:
        """Observe the providers now and append what changed; incremental unless ``full`` (see the guide).

        Parameters
        ----------
        providers : str, Iterable[str] or None, default None
            "faspay", "mayar" or both; None: those given ``faspay``/``mayar``
            arguments, else those with credentials in the environment.
        full : bool, default False
            Load every list in full (a reconciliation) instead of the
            incremental steps. A provider's first refresh is always full,
            and an incremental one falls back to full by itself, with a
            :class:`RefreshFallbackWarning`, when its checks fail.
        progress : bool or None, default None
            A progress bar per provider over all of its requests (None: when interactive), saying
            while Mayar's pacing holds a request back that it waits for the rate limit and how long,
            and at the end how many invoices the account holds.
        faspay, mayar : Mapping or None, default None
            Keyword arguments of :func:`~invoice_analytics.load_faspay` and
            :func:`~invoice_analytics.load_mayar`: credentials, ``base_url``,
            ``session``, ``timeout``, ``max_retries``, ``backoff_factor``,
            ``max_workers`` (Faspay), ``rate_limit_per_minute`` (Mayar; it
            paces every request of the refresh). Filters are refused.
        observed_at : str, date, datetime, Timestamp or None, default None
            The time this observation is stamped with (naive = Jakarta);
            None: now. It must be later than the provider's last refresh.

        Returns
        -------
        RefreshResult
            Per provider: new, changed, unchanged and gone invoices, requests
            sent, what a full load costs, seconds, mode.

        Raises
        ------
        StoreLockedError
            When another refresh holds the lock for ``lock_timeout`` seconds.
        ValueError
            For an unknown provider, no provider to refresh, a refused
            argument, or ``observed_at`` not after the last refresh.
        invoice_analytics.errors.InvoiceAPIError
            When a provider fails; nothing is committed, and the answers
            already fetched are reused by the next refresh.
        """
        wanted = self._wanted(providers, faspay, mayar)
        observed = _instant(pd.Timestamp.now(tz=JAKARTA) if observed_at is None else observed_at,
                            "observed_at", day_end=False)
        started = time.monotonic()
        self.path.mkdir(parents=True, exist_ok=True)
        lock = filelock.FileLock(self.path / LOCK_NAME, timeout=self.lock_timeout)
        try:
            lock.acquire()
        except filelock.Timeout:
            raise StoreLockedError(
                f"another refresh of {self.path} holds its lock {self.path / LOCK_NAME}; gave up after "
                f"{self.lock_timeout} s (InvoiceStore(..., lock_timeout=...) waits longer)") from None
        try:
            return self._refresh_locked(wanted, full, progress, {"faspay": faspay, "mayar": mayar}, observed,
                                        started)
        finally:
            lock.release()

    def _checkpoint_due(self, manifest: Manifest, provider: str, appended: int, invoices: int) -> bool:
        """Whether this refresh writes a checkpoint: when the rows a reader of the state would read after
        the last one (this refresh's included) exceed ``checkpoint_factor`` times the invoices listed."""
        if not appended:
            return False
        since = _last_checkpoint(manifest, provider, manifest.generation)
        after = since.refresh if since is not None else 0
        rows = appended + sum(e.rows for e in manifest.files if e.provider == provider and e.refresh > after)
        return rows > self.checkpoint_factor * invoices

    @staticmethod
    def _wanted(providers: str | Iterable[str] | None, faspay: Mapping[str, Any] | None,
                mayar: Mapping[str, Any] | None) -> list[str]:
        if providers is None:
            given = [p for p, options in (("faspay", faspay), ("mayar", mayar)) if options is not None]
            wanted = given or configured_providers()
            if not wanted:
                raise ValueError("no provider to refresh: pass faspay={...} and/or mayar={...} (load_faspay and "
                                 "load_mayar arguments) or set the providers' credentials in the environment")
            return wanted
        names = [providers] if isinstance(providers, str) else list(providers)
        unknown = sorted(set(names) - set(PROVIDERS))
        if unknown or not names:
            raise ValueError(f"unknown provider(s) {unknown or names}; choose from {list(PROVIDERS)}")
        return [p for p in PROVIDERS if p in names]

    def _refresh_locked(self, wanted: list[str], full: bool, progress: bool | None,
                        options: dict[str, Mapping[str, Any] | None], observed: pd.Timestamp,
                        started: float) -> RefreshResult:
        manifest = read_manifest(self.path)
        for provider in wanted:
            last = [pd.Timestamp(r["observed_at"]) for r in manifest.refreshes if r["provider"] == provider]
            if last and observed <= max(last):
                raise ValueError(f"observed_at {observed} is not after the last refresh of {provider} "
                                 f"({max(last).tz_convert(JAKARTA)})")
        remove_orphans(self.path, manifest)
        pending = PendingAnswers.open(self.path / PENDING_DIR, manifest.generation, self.resume_within)
        number = manifest.generation + 1
        held = set(self._providers(manifest))
        results: dict[str, ProviderRefresh] = {}
        rows: dict[str, pd.DataFrame] = {}
        checkpoints: dict[str, pd.DataFrame] = {}
        for provider in wanted:
            began = time.monotonic()
            known_events = self._state(manifest, provider, None)
            known = known_events.drop(columns=list(STORE_COLUMNS))
            api = (FaspayAPI if provider == "faspay" else MayarAPI)(options[provider], pending, progress)
            try:
                base = known if provider in held else None
                outcome: Outcome = (refresh_faspay(api, base, full=full) if isinstance(api, FaspayAPI)
                                    else refresh_mayar(api, base, full=full))
            finally:
                api.close()
            found = diff(known, outcome.state, provider)
            rows[provider] = event_rows(found, outcome.state, observed, number)
            if self._checkpoint_due(manifest, provider, len(rows[provider]), len(outcome.state)):
                checkpoints[provider] = latest(combine(known_events, rows[provider]), None)
            results[provider] = ProviderRefresh(
                provider, outcome.mode, found.new, found.changed, found.unchanged, len(found.gone),
                api.requests, outcome.full_requests, round(time.monotonic() - began, 3), api.replayed,
                outcome.note)
        files = [write_data_file(self.path, p, number, to_storage(frame)) for p, frame in rows.items() if len(frame)]
        made = tuple(write_data_file(self.path, p, number, to_storage(frame[list(rows[p].columns)]), checkpoint=True)
                     for p, frame in checkpoints.items())
        records = [result.record(number, observed) for result in results.values()]
        write_manifest(self.path, Manifest(number, manifest.files + tuple(files), manifest.refreshes + tuple(records),
                                           manifest.checkpoints + made, manifest.source))
        pending.clear()
        return RefreshResult(observed, number, results, round(time.monotonic() - started, 3))
