"""The loaders' progress bar: tqdm.auto, shown only when a load is interactive and slow enough to need one."""

from __future__ import annotations

import sys
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tqdm.auto import tqdm

__all__ = ["Progress", "is_interactive"]


def is_interactive() -> bool:
    """True in a Jupyter/IPython kernel or when stderr is a terminal."""
    if "ipykernel" in sys.modules:
        return True
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


class Progress:
    """A tqdm.auto bar shown once a load needs a second request (``enabled=None``: when interactive); it names
    the provider and counts pages, never a URL's secrets or a header."""

    def __init__(self, provider: str, enabled: bool | None, *, unit: str = "page") -> None:
        self.provider = provider
        self.enabled = is_interactive() if enabled is None else bool(enabled)
        self.unit = unit
        self.requests = 0
        self.total: int | None = None
        self._bar: tqdm | None = None
        self._lock = threading.Lock()

    def add_total(self, pages: int) -> None:
        with self._lock:
            self.total = (self.total or 0) + pages
            if self._bar is not None:
                self._bar.total = self.total
                self._bar.refresh()

    def _open(self, done: int) -> None:
        """Show the bar (under the lock), ``done`` requests already made."""
        if self._bar is None and self.enabled:
            from tqdm.auto import tqdm

            self._bar = tqdm(total=self.total, desc=self.provider, unit=self.unit, initial=done)

    def step(self, postfix: str | None = None) -> None:
        with self._lock:
            self.requests += 1
            if not self.enabled:
                return
            if self.requests >= 2:
                self._open(self.requests - 1)
            if self._bar is not None:
                self._bar.update(1)
                if postfix:
                    self._bar.set_postfix_str(postfix, refresh=False)

    def waiting(self, seconds: float) -> None:
        """Say on the bar that the load waits ``seconds`` for the rate limit (a wait shows the bar)."""
        with self._lock:
            self._open(self.requests)
            if self._bar is not None:
                self._bar.set_postfix_str(f"waiting {seconds:.0f} s for the rate limit")

    def finish(self, postfix: str) -> None:
        """The bar's last word (e.g. the invoices loaded), shown before it is closed."""
        with self._lock:
            if self._bar is not None:
                self._bar.set_postfix_str(postfix)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
