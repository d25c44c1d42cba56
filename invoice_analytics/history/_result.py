"""What a refresh did: per provider and in all (private; exported by :mod:`invoice_analytics.history`)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

from invoice_analytics._text import printable
from invoice_analytics.schema import DATETIME_DTYPE, JAKARTA, PROVIDER_DTYPE, STRING_DTYPE

__all__ = ["REFRESH_COLUMNS", "ProviderRefresh", "RefreshResult", "refresh_frame"]


@dataclass(frozen=True)
class ProviderRefresh:
    """One provider's part of a refresh.

    ``requests``: the requests sent (a retry is not counted; answers reused from an interrupted refresh are
    ``resumed``). ``full_requests``: what a full load would have cost, exact for a full refresh, else estimated
    from the totals learned (see the guide's "History"). ``note``: why a refresh was full.

    >>> p = ProviderRefresh("mayar", "incremental", 2, 3, 95, 0, requests=6, full_requests=3, seconds=0.4)
    >>> str(p)
    'mayar incremental: 2 new, 3 changed, 95 unchanged, 0 gone; 6 requests (full ≈ 3); 0.4 s'
    """

    provider: str
    mode: str
    new: int
    changed: int
    unchanged: int
    gone: int
    requests: int
    full_requests: int
    seconds: float
    resumed: int = 0
    note: str = ""

    def __str__(self) -> str:
        resumed = f", {self.resumed} resumed" if self.resumed else ""
        note = f" ({self.note})" if self.note else ""
        return (f"{self.provider} {self.mode}{note}: {self.new} new, {self.changed} changed, {self.unchanged} "
                f"unchanged, {self.gone} gone; {self.requests} requests{resumed} (full ≈ {self.full_requests}); "
                f"{self.seconds:.1f} s")

    def record(self, refresh: int, observed_at: pd.Timestamp) -> dict[str, Any]:
        """The manifest's entry for it."""
        return {"refresh": refresh, "observed_at": observed_at.isoformat(), **asdict(self)}


@dataclass(frozen=True)
class RefreshResult:
    """What one :meth:`~invoice_analytics.history.InvoiceStore.refresh` did.

    ``result["faspay"]`` (a :class:`ProviderRefresh`) holds one provider's counts; ``new``, ``changed``,
    ``unchanged``, ``gone``, ``requests`` and ``full_requests`` sum them; ``mode``: "full", "incremental", "mixed".

    >>> r = RefreshResult(pd.Timestamp("2026-11-22 10:00", tz="Asia/Jakarta"), 2,
    ...     {"mayar": ProviderRefresh("mayar", "incremental", 2, 3, 95, 0, 6, 3, 0.4)}, 0.5)
    >>> r  # doctest: +ELLIPSIS
    RefreshResult(#2 at 2026-11-22 10:00:00+07:00 in 0.5 s: mayar incremental: 2 new, 3 changed, ...; 0.4 s)
    >>> r.requests, r.mode, r["mayar"].new
    (6, 'incremental', 2)
    """

    observed_at: pd.Timestamp
    refresh: int
    providers: Mapping[str, ProviderRefresh]
    seconds: float

    def __repr__(self) -> str:
        parts = "; ".join(str(p) for p in self.providers.values())
        return printable(f"RefreshResult(#{self.refresh} at {self.observed_at} in {self.seconds:.1f} s: {parts})")

    def __getitem__(self, provider: str) -> ProviderRefresh:
        return self.providers[provider]

    def __iter__(self) -> Iterator[ProviderRefresh]:
        return iter(self.providers.values())

    def _sum(self, name: str) -> int:
        return sum(int(getattr(p, name)) for p in self.providers.values())

    @property
    def mode(self) -> str:
        modes = {p.mode for p in self.providers.values()}
        return modes.pop() if len(modes) == 1 else "mixed"

    @property
    def new(self) -> int:
        return self._sum("new")

    @property
    def changed(self) -> int:
        return self._sum("changed")

    @property
    def unchanged(self) -> int:
        return self._sum("unchanged")

    @property
    def gone(self) -> int:
        return self._sum("gone")

    @property
    def requests(self) -> int:
        return self._sum("requests")

    @property
    def full_requests(self) -> int:
        return self._sum("full_requests")


REFRESH_COLUMNS: dict[str, Any] = {
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


def refresh_frame(records: tuple[dict[str, Any], ...]) -> pd.DataFrame:
    """Manifest records of refreshes as :meth:`InvoiceStore.refreshes` gives them."""
    data = {name: [record.get(name) for record in records] for name in REFRESH_COLUMNS}
    data["observed_at"] = [pd.Timestamp(v).tz_convert(JAKARTA) for v in data["observed_at"]]
    return pd.DataFrame({name: pd.Series(values, dtype=REFRESH_COLUMNS[name]) for name, values in data.items()})
