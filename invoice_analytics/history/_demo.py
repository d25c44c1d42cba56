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
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from invoice_analytics.schema import JAKARTA

if TYPE_CHECKING:
    from invoice_analytics.history import InvoiceStore

__all__ = ["DEMO_DAYS", "demo_store"]

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
