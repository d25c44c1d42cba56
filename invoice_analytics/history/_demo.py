"""The demo history: the sample data as they stood week by week over the six months before their date ("The demo
history store" of :doc:`/guide/emulator`) (private)."""

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

__all__ = ["DEMO_DAYS", "PREBUILT", "demo_cache_dir", "demo_store", "open_demo_store", "refresh_days",
           "simulation_key"]

#: Days of history before the sample data's date by default (about six months).
DEMO_DAYS = 182


def refresh_days(days: int = DEMO_DAYS, every: int = 7) -> list[dt.date]:
    """The demo store's refresh days: every ``every`` days back from the sample date, and ``days`` before it."""
    from invoice_analytics.emulator._samples import AS_OF

    if days < 0 or every < 1:
        raise ValueError(f"days must be >= 0 and every >= 1, not days={days!r}, every={every!r}")
    back = {AS_OF - dt.timedelta(days=d) for d in [*range(0, days + 1, every), days]}
    return sorted(back)


def demo_store(
    path: str | Path | None = None,
    *,
    days: int = DEMO_DAYS,
    every: int = 7,
    seed: int | None = None,
) -> InvoiceStore:
    """A history store of demo data: the sample data as they stood every ``every`` days over the ``days`` before
    their date (2026-11-21), ending with them (see :doc:`/guide/emulator`).

    Parameters
    ----------
    path : str, pathlib.Path or None, default None
        The store's directory (holding no store's refreshes); None: a new temporary directory.
    days : int, default 182
        Days of history before the sample data's date.
    every : int, default 7
        Refresh every ``every`` days back from the sample date (and on the first day).
    seed : int or None, default None
        The seed of the invoices' past (None: the default one, the same demo every time).

    Returns
    -------
    InvoiceStore
        The refreshed store: ``1 + ceil(days / every)`` refreshes of both providers; its :meth:`current` is the
        sample data.

    Examples
    --------
    >>> demo_store(days=14).refreshes()["observed_at"].dt.date.astype(str).unique().tolist()  # doctest: +SKIP
    ['2026-11-07', '2026-11-14', '2026-11-21']
    """
    from invoice_analytics.emulator import Emulator
    from invoice_analytics.emulator._past import DEFAULT_PAST_SEED, Past
    from invoice_analytics.history import InvoiceStore
    from invoice_analytics.history._files import Manifest, read_manifest, write_manifest
    from invoice_analytics.schema import DEMO_SOURCE

    days_seen = refresh_days(days, every)
    where = Path(path) if path is not None else Path(tempfile.mkdtemp(prefix="invoice-analytics-demo-"))
    store = InvoiceStore(where)
    if read_manifest(where).refreshes:
        raise ValueError(f"{where} already holds a store's refreshes: give demo_store an empty directory")
    write_manifest(where, Manifest(source=DEMO_SOURCE))  # its frames say attrs["source"] == "demo"
    with Emulator(mayar_rate_limit_per_minute=None) as emu:
        past = Past(emu.faspay.invoices, emu.mayar.invoices, seed=DEFAULT_PAST_SEED if seed is None else seed)
        options: dict[str, Any] = {
            "faspay": {**emu.faspay_kwargs},
            "mayar": {**emu.mayar_kwargs, "rate_limit_per_minute": None},
            "progress": False,
        }
        for day in days_seen:
            past.serve(emu, _late(day))
            store.refresh(["faspay", "mayar"], observed_at=_late(day), **options)
    return store


def _late(day: dt.date) -> pd.Timestamp:
    """23:00 in Jakarta on ``day``."""
    return pd.Timestamp(day).tz_localize(JAKARTA) + pd.Timedelta(hours=23)


def demo_cache_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Where :func:`open_demo_store` keeps the demo store: ``invoice-analytics`` under the user's cache directory
    (``$XDG_CACHE_HOME``, else ``~/.cache``; ``~/Library/Caches`` on macOS; ``%LOCALAPPDATA%`` on Windows)."""
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
#: Bump when :func:`demo_store` makes a different store from the same inputs.
_DEMO_FORMAT = 2


def simulation_key(days: int = DEMO_DAYS) -> str:
    """A digest of what the demo store is made from (the sample data, their past, the store's file format, ``days``):
    a prebuilt or cached store is used only when its key is this one."""
    import hashlib

    from invoice_analytics.emulator import _habits, _past, _rates, _records
    from invoice_analytics.history import _codec, _files

    digest = hashlib.sha256(f"{days} {every_default()} {_DEMO_FORMAT}".encode())
    files = [Path(str(m.__file__)) for m in (_habits, _past, _rates, _codec, _files)]
    for path in [*files, *(_records.SAMPLES_DIR / f"{p}-invoices.json" for p in ("faspay", "mayar"))]:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def every_default() -> int:
    """:func:`demo_store`'s default ``every``."""
    return int((demo_store.__kwdefaults__ or {}).get("every", 7))


def _copy_prebuilt(target: Path, days: int) -> bool:
    """Copy the packaged demo store to ``target`` when it is the one of ``days`` days; whether it was."""
    key = PREBUILT / "KEY"
    if not key.is_file() or key.read_text().strip() != simulation_key(days):
        return False
    shutil.copytree(PREBUILT, target, ignore=shutil.ignore_patterns("KEY", "*.lock", ".complete"))
    return True


def open_demo_store(cache: str | Path | None = None, *, days: int = DEMO_DAYS) -> InvoiceStore:
    """The demo store of ``days`` days, kept in ``cache`` (default :func:`demo_cache_dir`): a copy of :data:`PREBUILT`
    when its key is :func:`simulation_key`, else built (about 20 s), in a scratch directory renamed into place. Read
    it only: a refresh would change it for every later call."""
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
