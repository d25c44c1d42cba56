"""The embedded default: a local emulator of both providers' APIs serving sample data (:doc:`/guide/emulator`)."""

from __future__ import annotations

import threading
from typing import Any

from invoice_analytics.emulator._server import (
    DEMO_FASPAY_PASSWORD,
    DEMO_FASPAY_USERNAME,
    DEMO_MAYAR_API_KEY,
    FAULTS,
    Emulator,
    RequestRecord,
)

__all__ = [
    "DEMO_FASPAY_PASSWORD",
    "DEMO_FASPAY_USERNAME",
    "DEMO_MAYAR_API_KEY",
    "FAULTS",
    "Emulator",
    "RequestRecord",
    "serve",
]


def serve(host: str = "127.0.0.1", port: int = 8765, **options: Any) -> None:
    """Serve both APIs until Ctrl-C, printing the origin and demo credentials; ``options`` go to :class:`Emulator`."""
    emulator = Emulator(host=host, port=port, **options).start()
    limit = emulator.mayar.rate_limit_per_minute
    print(f"Faspay Billing + Mayar emulator on {emulator.url}", flush=True)
    print(f"  Faspay: base_url={emulator.url}  username={emulator.faspay.username}  "
          f"password={emulator.faspay.password}  ({len(emulator.faspay.invoices)} invoices)", flush=True)
    print(f"  Mayar:  base_url={emulator.url}  api_key={emulator.mayar.api_key}  "
          f"({len(emulator.mayar.invoices)} invoices, "
          f"{'no rate limit' if limit is None else f'{limit} requests/min'})", flush=True)
    print("Ctrl-C to stop.", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop()
