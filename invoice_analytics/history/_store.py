"""The invoice store (private; see :class:`InvoiceStore`)."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import time
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import filelock
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from invoice_analytics._combine import combine
from invoice_analytics.history._codec import STORE_COLUMNS, from_storage
from invoice_analytics.history._commit import refresh_locked
from invoice_analytics.history._compact import CompactResult, compact
from invoice_analytics.history._errors import (
    NotObservedError,
    StoreError,
    StoreLockedError,
)
from invoice_analytics.history._files import (
    LOCK_NAME,
    MANIFEST_NAME,
    Manifest,
    check_no_symlinks,
    check_store_dir,
    read_bytes,
    read_manifest,
    remove_orphans,
)
from invoice_analytics.history._log import LOG_COLUMNS, RefreshLog, archived_frame
from invoice_analytics.history._maintain import RepairResult, StoreProblem, repair, verify
from invoice_analytics.history._read import StoreFiles
from invoice_analytics.history._result import RefreshResult
from invoice_analytics.history._scd import versions
from invoice_analytics.providers.clients import configured_providers
from invoice_analytics.schema import JAKARTA, PROVIDERS

__all__ = ["InvoiceStore"]

_DAY_ONLY = re.compile(r"\s*\d{4}-\d{2}-\d{2}\s*")


def _instant(value: Any, name: str, *, day_end: bool) -> pd.Timestamp:
    """A time in Jakarta (naive: Jakarta); a bare date is its day's end when ``day_end``, else its start."""
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


class InvoiceStore(StoreFiles):
    """Every version of every invoice, as observed by refreshes, in a directory of Parquet files.

    One row per change (type 2 slowly changing dimension: ``valid_from``, ``valid_to``, ``last_seen``, all
    ``datetime64[us, Asia/Jakarta]``). Readers need no lock and never see a refresh in part; a refresh is locked,
    crash-safe and resumable, and writes no credential (see the guide's "History", "The history store" and
    "The on-disk format").

    Parameters
    ----------
    path : str or os.PathLike
        The store's directory (created by the first refresh).
    lock_timeout : float, default 60
        Seconds a refresh waits for another one to finish.
    resume_within : float, default 3600
        Seconds during which an interrupted refresh's answers are reused.
    checkpoint_factor : float, default 2
        A refresh writes a checkpoint of its provider's state when the versions since the last one exceed this
        many times the invoices listed (``math.inf``: never; 0: at every refresh that changed something).
    compact_after : int or None, default 1000
        A refresh compacts (:meth:`compact`) once the manifest holds this many refresh records (one per provider
        per refresh: about three weeks of hourly refreshes of two providers); None: never.
    retention : float, default 86400
        Seconds the files replaced by a compaction stay on disk for readers that started before it.

    Examples
    --------
    >>> import tempfile
    >>> InvoiceStore(tempfile.mkdtemp())  # doctest: +ELLIPSIS
    InvoiceStore('...', empty)
    """
    def __init__(self, path: str | os.PathLike[str], *, lock_timeout: float = 60.0,
                 resume_within: float = 3600.0, checkpoint_factor: float = 2.0, compact_after: int | None = 1000,
                 retention: float = 86_400.0) -> None:
        self.path = Path(path)
        self.compact_after = compact_after
        self.retention = retention
        self.checkpoint_factor = checkpoint_factor
        self.lock_timeout = lock_timeout
        self.resume_within = resume_within
        self._tables = OrderedDict()  # committed files never change: kept (bounded, see ._read)
        self._cached = 0
        self._archives: dict[str, tuple[bytes, pa.Table]] = {}

    def __repr__(self) -> str:
        try:  # the manifest only: the archived log is read only if an older compaction did not summarise it
            manifest = self._manifest()
            if manifest.refreshes:
                newest = max(manifest.refreshes, key=lambda r: int(r["refresh"]))["observed_at"]
            elif manifest.archive is not None:
                newest = manifest.archive_last or self._log(manifest).latest_time()
            else:
                return f"InvoiceStore({str(self.path)!r}, empty)"
        except StoreError:
            return f"InvoiceStore({str(self.path)!r}, manifest unreadable)"
        last = pd.Timestamp(newest).tz_convert(JAKARTA).isoformat()
        return f"InvoiceStore({str(self.path)!r}, {manifest.generation} refreshes, last at {last})"

    @staticmethod
    def _providers(log: RefreshLog) -> list[str]:
        present = log.providers()
        return [p for p in PROVIDERS if p in present]

    @classmethod
    def _typed(cls, frames: list[pd.DataFrame], known_at: pd.Timestamp, manifest: Manifest,
               log: RefreshLog) -> pd.DataFrame:
        frame = combine(*frames)  # each provider's rows sorted already (see _sorted), the providers in order
        frame.attrs["as_of"] = known_at.isoformat()  # ISO text: attrs stay JSON, so to_parquet can save the frame
        frame.attrs["source"] = manifest.source or ", ".join(cls._providers(log))  # as load_invoices
        return frame

    def _snapshot(self) -> tuple[Manifest, RefreshLog]:
        """The committed state and its refresh log, read once per call of a reader."""
        manifest = self._manifest()
        return manifest, self._log(manifest)

    def _manifest(self) -> Manifest:
        manifest = read_manifest(self.path)
        if not manifest.refreshes and not (self.path / MANIFEST_NAME).exists():
            check_store_dir(self.path)
        return manifest

    def _log(self, manifest: Manifest) -> RefreshLog:
        """The refresh log: the archive's needed columns (cached: it never changes), then the live records."""
        entry = manifest.archive
        if entry is None:
            return RefreshLog(None, manifest.refreshes)
        cached = self._archives.get(entry.path)
        if cached is None:
            data = read_bytes(self.path, entry)
            cached = (data, pq.read_table(pa.BufferReader(data), columns=LOG_COLUMNS))
            self._archives = {entry.path: cached}  # the newest only
        data, columns = cached
        return RefreshLog(columns, manifest.refreshes, lambda: archived_frame(pq.read_table(pa.BufferReader(data))))

    def _nonempty(self) -> tuple[Manifest, RefreshLog]:
        manifest, log = self._snapshot()
        if not len(log):
            raise NotObservedError(f"empty store: {self.path} has no refresh yet; call refresh() first")
        return manifest, log

    def current(self) -> pd.DataFrame:
        """The invoices as the last refresh of each provider saw them: the loaders' typed frame.

        Returns
        -------
        pandas.DataFrame
            What ``ia.combine(ia.load_faspay(...), ia.load_mayar(...))`` gave then (same columns, dtypes and
            values), by provider, newest first; ``attrs["as_of"]``: the last refresh's time (ISO text);
            ``attrs["source"]``: the providers (as ``load_invoices`` says them) or "demo".

        Raises
        ------
        NotObservedError
            When the store is empty.
        StoreCorruptError
            When a file of the store is missing or damaged (the message names it).
        """
        manifest, log = self._nonempty()
        frames = [self._sorted(self._state_parts(manifest, log, p, None, stacklevel=3), p, None)
                  for p in self._providers(log)]
        return self._typed(frames, log.latest_time(), manifest, log)

    def _sorted(self, parts: tuple[pa.Table, pa.ChunkedArray | None] | None, provider: str,
                at: pd.Timestamp | None) -> pd.DataFrame:
        """The typed frame of the kept rows of ``parts`` (see ``_state_parts``) without those issued after
        ``at``, newest first: ordered on the two sort keys alone, then the rows taken once (in Arrow)."""
        if parts is None:
            return self._read([], provider).drop(columns=list(STORE_COLUMNS))
        rows, keep = parts
        rows = rows.select([n for n in rows.column_names if n not in STORE_COLUMNS])
        if at is not None:
            bound = pa.scalar(at.value // 1000, pa.timestamp("us", tz=str(at.tz)))
            issued = rows["issued_at"]
            early = pc.or_kleene(pc.is_null(issued), pc.less_equal(issued, bound))
            keep = early if keep is None else pc.and_(keep, early)
        index = None if keep is None else pc.indices_nonzero(keep)
        keys = rows.select(["issued_at", "invoice_id"])
        order = pc.sort_indices(keys if index is None else keys.take(index), sort_keys=[
            ("issued_at", "descending", "at_end"), ("invoice_id", "ascending", "at_end")])
        return from_storage(rows.take(order if index is None else index.take(order)), provider)

    def as_of(self, when: str | dt.date | dt.datetime | pd.Timestamp) -> pd.DataFrame:
        """The invoices as known at ``when``: each in its latest version observed at or before it.

        Invoices issued or first observed after ``when`` are left out: ``ia.aging_report(store.as_of(d), d)``.

        Parameters
        ----------
        when : str, datetime.date, datetime.datetime or pandas.Timestamp
            A time (naive = Asia/Jakarta); a bare date means the end of that day in Jakarta.

        Returns
        -------
        pandas.DataFrame
            The typed frame, ``attrs["as_of"]`` = ``when`` (ISO text, Asia/Jakarta).

        Raises
        ------
        NotObservedError
            (a ``ValueError``) When the store is empty or ``when`` is before its first refresh (named).
        ValueError
            When ``when`` is not a date or a time.
        """
        at = _instant(when, "when", day_end=True)
        manifest, log = self._nonempty()
        first = log.first_time()
        if at < first:
            raise NotObservedError(f"nothing is known at {at}: the store's first refresh was at {first}")
        frames = [self._sorted(self._state_parts(manifest, log, p, at, stacklevel=3), p, at)
                  for p in self._providers(log)]
        return self._typed(frames, at, manifest, log)

    def history(self, invoice_ids: str | Iterable[str] | None = None) -> pd.DataFrame:
        """Every version of every invoice (or of ``invoice_ids``), oldest first per invoice.

        Returns
        -------
        pandas.DataFrame
            The typed columns, then ``valid_from``, ``valid_to`` (NaT: current; else when another version or
            the invoice's disappearance was first observed), ``last_seen`` and ``change`` ("new" or "changed").
        """
        manifest, log = self._snapshot()  # one snapshot for the versions and the refresh times
        wanted = None if invoice_ids is None else {invoice_ids} if isinstance(invoice_ids, str) else set(
            invoice_ids)
        frames = []
        times = log.frame()
        for provider in self._providers(log) or ["faspay"]:
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
        return self._snapshot()[1].frame()

    def files(self) -> list[str]:
        """The committed data files, relative to the store (POSIX), oldest first: what DuckDB or Spark reads for
        strictly committed answers, instead of a glob.

        >>> import tempfile
        >>> InvoiceStore(tempfile.mkdtemp()).files()
        []
        """
        return [entry.path for entry in self._snapshot()[0].files]

    def compact(self, *, retention: float | None = None) -> CompactResult:
        """Fold the data files into one per provider per month, with a checkpoint at each month's end, and the
        refresh log into a Parquet file: one commit, crash-safe, every answer the same (see the guide's "The
        history store"). The files it replaces are removed ``retention`` seconds later (default: the store's),
        by a later refresh or compaction. Returns a :class:`CompactResult` (files folded and written,
        checkpoints written, records archived, replaced files removed)."""
        check_store_dir(self.path)
        if not self.path.exists():
            return CompactResult()
        check_no_symlinks(self.path)
        with self._locked():
            return self._compact_locked(retention)

    def _compact_locked(self, retention: float | None) -> CompactResult:
        manifest, log = self._snapshot()
        remove_orphans(self.path, manifest)  # what an interrupted writer's journal names, before a new journal
        state = {p: t for p in self._providers(log) if (t := self._uncheckpointed(manifest, log, p)) is not None}
        return compact(self.path, manifest, log, dt.datetime.now(dt.UTC),
                       self.retention if retention is None else retention, state)

    def verify(self) -> list[StoreProblem]:
        """Every problem (files missing or damaged, orphans, symbolic links, an unreadable manifest), each a
        :class:`StoreProblem` saying whether :meth:`repair` fixes it; reads every file the store lists.

        >>> import tempfile
        >>> InvoiceStore(tempfile.mkdtemp()).verify()
        []
        """
        check_store_dir(self.path)
        return verify(self.path)

    def repair(self) -> RepairResult:
        """Rebuild the damaged or missing checkpoints from the data files, remove what an interrupted writer left
        (only what its journal names), name the data lost; under the refresh lock. Returns a
        :class:`RepairResult` (``rebuilt``, ``removed``, ``lost``, and the ``problems`` left)."""
        check_store_dir(self.path)
        if not self.path.exists():
            return RepairResult()
        check_no_symlinks(self.path)
        with self._locked():
            self._tables.clear()
            self._cached = 0
            return repair(self.path)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        lock = filelock.FileLock(self.path / LOCK_NAME, timeout=self.lock_timeout)
        try:
            lock.acquire()
        except filelock.Timeout:
            raise StoreLockedError(
                f"another refresh of {self.path} holds its lock {self.path / LOCK_NAME}; gave up after "
                f"{self.lock_timeout} s (InvoiceStore(..., lock_timeout=...) waits longer)") from None
        try:
            yield
        finally:
            lock.release()

    def refresh(
        self,
        providers: str | Iterable[str] | None = None,
        *,
        full: bool = False,
        progress: bool | None = None,
        faspay: Mapping[str, Any] | None = None,
        mayar: Mapping[str, Any] | None = None,
        observed_at: str | dt.date | dt.datetime | pd.Timestamp | None = None,
        rotate_credential: bool | str | Iterable[str] = False,
    ) -> RefreshResult:
        """Observe the providers now and append what changed; incremental unless ``full`` (see the guide).

        Parameters
        ----------
        providers : str, Iterable[str] or None, default None
            "faspay", "mayar" or both; None: those given ``faspay``/``mayar`` arguments, else those with
            credentials in the environment.
        full : bool, default False
            Load every list in full (a reconciliation). A provider's first refresh is always full, and an
            incremental one falls back to full, with a :class:`RefreshFallbackWarning`, when its checks fail.
        progress : bool or None, default None
            A progress bar per provider over its requests (None: when interactive), with the rate limit's waits.
        faspay, mayar : Mapping or None, default None
            Keyword arguments of :func:`~invoice_analytics.load_faspay` / :func:`~invoice_analytics.load_mayar`
            (credentials, ``base_url``, ``session``, ``timeout``, ``max_retries``, ``backoff_factor``,
            ``max_workers``, ``rate_limit_per_minute``: it paces the whole refresh); filters are refused.
        observed_at : str, date, datetime, Timestamp or None, default None
            The observation's time (naive = Jakarta; None: now): after the provider's last refresh, not in the
            future (beyond five minutes of clock skew; a demo store takes any time).
        rotate_credential : bool, str or Iterable[str], default False
            The providers (True: all) whose credential may differ from the recorded one (a rotated key): the
            refresh goes on only if at least one, and half, of the invoices on its first page are in the store
            (the log's ``note`` says so). Without it, another credential or origin is refused before any request.

        Returns
        -------
        RefreshResult
            Per provider: new, changed, unchanged, gone, requests sent, a full load's cost, seconds, mode.

        Raises
        ------
        StoreLockedError
            When another refresh holds the lock for ``lock_timeout`` seconds.
        StoreAccountError
            When the origin or credential is not the store's (see ``rotate_credential``); nothing is sent.
        NotAStoreError
            When the directory holds files but no store.
        StoreCorruptError
            When the manifest is damaged or a symbolic link is inside the store (nothing is written).
        ValueError
            For an unknown provider, none to refresh, a refused argument, or a refused ``observed_at``.
        invoice_analytics.errors.InvoiceAPIError
            When a provider fails; nothing is committed, and the answers already fetched are reused next time.
        """
        wanted = self._wanted(providers, faspay, mayar)
        rotate = set(wanted) if rotate_credential is True else set() if rotate_credential is False else set(
            self._wanted(rotate_credential, None, None))
        observed = _instant(pd.Timestamp.now(tz=JAKARTA) if observed_at is None else observed_at,
                            "observed_at", day_end=False)
        started = time.monotonic()
        check_store_dir(self.path)
        self.path.mkdir(parents=True, exist_ok=True)
        check_no_symlinks(self.path)
        with self._locked():
            return refresh_locked(self, wanted, full, progress, {"faspay": faspay, "mayar": mayar}, observed,
                                  started, rotate)

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
