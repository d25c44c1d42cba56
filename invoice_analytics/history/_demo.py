"""The demo history: the sample data observed, then six simulated months refreshed week by week (private).

The providers' lists keep no history, and the sample data are one snapshot
(statuses as seen on 2026-11-21). To show what a history store makes possible
offline, :func:`demo_store` serves the sample data from the embedded
emulator, refreshes a store once on that date, then lets the emulator's clock
run day by day (new invoices, payments, part payments, cancellations, Faspay
invoices turning overdue) and refreshes the store every ``every`` days, each
refresh stamped with the simulated day (23:00 in Jakarta). The simulated
dates are after the sample date, so the history runs into the months after
it: these are made-up figures for a demonstration.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from invoice_analytics.schema import JAKARTA

if TYPE_CHECKING:
    from invoice_analytics.history import InvoiceStore

__all__ = ["DEMO_DAYS", "PREBUILT", "demo_cache_dir", "demo_store", "open_demo_store", "simulation_key"]

#: Days simulated after the sample data's date by default (about six months).
DEMO_DAYS = 182


def demo_store(
    path: str | Path | None = None,
    *,
    days: int = DEMO_DAYS,
    every: int = 7,
    seed: int | None = None,
) -> InvoiceStore:
    """A history store of demo data: the sample data, then ``days`` simulated days refreshed every ``every``.

    Parameters
    ----------
    path : str, pathlib.Path or None, default None
        The store's directory (it must not hold another store's refreshes);
        None: a new temporary directory.
    days : int, default 182
        Days simulated after the sample data's date (2026-11-21).
    every : int, default 7
        Refresh the store every ``every`` simulated days (and on the last).
    seed : int or None, default None
        The simulation's seed (None: the emulator clock's default, so the
        demo is the same every time).

    Returns
    -------
    InvoiceStore
        The refreshed store: ``1 + ceil(days / every)`` refreshes of both
        providers.

    Examples
    --------
    >>> store = demo_store(days=14, every=7)  # doctest: +SKIP
    >>> store.refreshes()["observed_at"].dt.date.astype(str).unique().tolist()  # doctest: +SKIP
    ['2026-11-21', '2026-11-28', '2026-12-05']
    """
    from invoice_analytics.emulator import Emulator
    from invoice_analytics.emulator._clock import DEFAULT_CLOCK_SEED, simulate
    from invoice_analytics.emulator._samples import AS_OF
    from invoice_analytics.history import InvoiceStore
    from invoice_analytics.history._files import Manifest, read_manifest, write_manifest
    from invoice_analytics.schema import DEMO_SOURCE

    if days < 0 or every < 1:
        raise ValueError(f"days must be >= 0 and every >= 1, not days={days!r}, every={every!r}")
    where = Path(path) if path is not None else Path(tempfile.mkdtemp(prefix="invoice-analytics-demo-"))
    store = InvoiceStore(where)
    if read_manifest(where).refreshes:
        raise ValueError(f"{where} already holds a store's refreshes: give demo_store an empty directory")
    write_manifest(where, Manifest(source=DEMO_SOURCE))  # its frames say attrs["source"] == "demo"
    last = AS_OF + dt.timedelta(days=days)
    with Emulator(mayar_rate_limit_per_minute=None) as emu:
        options: dict[str, Any] = {
            "faspay": {**emu.faspay_kwargs},
            "mayar": {**emu.mayar_kwargs, "rate_limit_per_minute": None},
            "progress": False,
        }

        def observe(day: dt.date) -> None:
            store.refresh(["faspay", "mayar"], observed_at=_late(day), **options)

        def on_day(day: dt.date) -> None:
            if (day - AS_OF).days % every == 0 or day == last:
                observe(day)

        observe(AS_OF)
        if days:
            simulate(emu, AS_OF + dt.timedelta(days=1), days,
                     seed=DEFAULT_CLOCK_SEED if seed is None else seed, on_day=on_day)
    return store


def _late(day: dt.date) -> pd.Timestamp:
    """23:00 in Jakarta on ``day``: after that day's simulated invoices."""
    return pd.Timestamp(day).tz_localize(JAKARTA) + pd.Timedelta(hours=23)


def demo_cache_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Where :func:`open_demo_store` keeps the demo store: ``invoice-analytics`` under the user's cache directory.

    ``$XDG_CACHE_HOME`` (else ``~/.cache``) on Linux, ``~/Library/Caches`` on
    macOS, ``%LOCALAPPDATA%`` on Windows.

    >>> demo_cache_dir({"XDG_CACHE_HOME": "/c"}).as_posix() if sys.platform == "linux" else "/c/invoice-analytics"
    '/c/invoice-analytics'
    """
    env = os.environ if environ is None else environ
    home = Path(env.get("HOME") or Path.home())
    if sys.platform.startswith("win"):
        base = Path(env.get("LOCALAPPDATA") or home / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = home / "Library" / "Caches"
    else:
        xdg = env.get("XDG_CACHE_HOME", "")
        base = Path(xdg) if xdg and Path(xdg).is_absolute() else home / ".cache"
    return base / "invoice-analytics"


#: The prebuilt demo store shipped with the package (``scripts/build_demo_store.py`` writes it).
PREBUILT = Path(__file__).resolve().parents[1] / "data" / "demo_store"
#: Bump when :func:`demo_store` makes a different store from the same simulation.
_DEMO_FORMAT = 1


def simulation_key(days: int = DEMO_DAYS) -> str:
    """A digest of what the demo store is made from: the sample generator, the simulation, the store's file
    format and ``days``. A prebuilt or cached store is used only when its key is this one."""
    import hashlib

    from invoice_analytics.emulator import _clock, _samples
    from invoice_analytics.history import _codec, _files

    digest = hashlib.sha256(f"{days} {every_default()} {_DEMO_FORMAT}".encode())
    for module in (_clock, _samples, _codec, _files):
        digest.update(Path(str(module.__file__)).read_bytes())
    return digest.hexdigest()[:16]


def every_default() -> int:
    """The demo store's default refresh interval in days (:func:`demo_store`'s ``every``)."""
    return int((demo_store.__kwdefaults__ or {}).get("every", 7))


def _copy_prebuilt(target: Path, days: int) -> bool:
    """Copy the packaged demo store to ``target`` when it is the one of ``days`` days; whether it was."""
    key = PREBUILT / "KEY"
    if not key.is_file() or key.read_text().strip() != simulation_key(days):
        return False
    shutil.copytree(PREBUILT, target, ignore=shutil.ignore_patterns("KEY", "*.lock", ".complete"))
    return True


def open_demo_store(cache: str | Path | None = None, *, days: int = DEMO_DAYS) -> InvoiceStore:
    """The demo store (:func:`demo_store` of ``days`` days), built once and kept in ``cache``.

    The first call copies the store shipped with the package (:data:`PREBUILT`,
    made by ``scripts/build_demo_store.py``) into ``cache`` (default
    :func:`demo_cache_dir`), or builds it (about half a minute on two cores)
    when the shipped one is not this simulation's (:func:`simulation_key`:
    the sample generator, the simulation, the store's format, ``days``); later
    calls open it at once. The store is
    built in a temporary directory and renamed into place, so an interrupted
    build leaves nothing half-made. Only read it: a refresh would change it
    for every later call.

    Returns
    -------
    InvoiceStore
    """
    from invoice_analytics.history import InvoiceStore

    root = Path(cache) if cache is not None else demo_cache_dir()
    where = root / f"demo-store-{simulation_key(days)}"
    if not (where / ".complete").exists():
        root.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=".demo-store-", dir=root))
        try:
            if not _copy_prebuilt(scratch / "store", days):
                demo_store(scratch / "store", days=days)
            (scratch / "store" / ".complete").write_text("built by invoice_analytics.history._demo\n")
            try:
                os.replace(scratch / "store", where)
            except OSError:  # another process put one there first
                if not (where / ".complete").exists():
                    raise
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    return InvoiceStore(where)
