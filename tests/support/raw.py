"""Raw provider rows for loader tests, in each API's own JSON shape."""

from __future__ import annotations

import json
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[2] / "invoice_analytics" / "emulator" / "samples"  # package data


def faspay_row(i: int, *, status: str = "Unpaid", outstanding: int | str | None = 100_000, day: int = 1,
               customer_id: int | str | None = None) -> dict:
    """Invoice number ``i``; a higher ``day`` (of January 2026) is newer."""
    return {
        "customer_id": 1000 + i % 7 if customer_id is None else customer_id,
        "customer_name": f"PT Pelanggan {i % 7}",
        "invoice_date": f"2026-01-{day:02d} 00:00:00",
        "invoice_no": f"INV-T-{i:06d}",
        "due_date": f"2026-02-{day:02d} 10:00:00",
        "invoice_status": status,
        "outstanding_amount": outstanding,
        "period": "202601",
    }


def mayar_row(i: int, created_ms: int, *, status: str = "active", amount: int | str | None = 50_000) -> dict:
    return {
        "id": f"00000000-0000-4000-8000-{i:012d}",
        "amount": amount,
        "category": None,
        "createdAt": created_ms,
        "description": f"Invoice {i}",
        "link": f"link{i}",
        "type": "invoice",
        "status": status,
        "name": "INVOICE",
        "redirectUrl": None,
        "customerId": f"cust-{i % 5}",
        "transactions": [{"id": f"tx-{i}", "status": "created", "extraData": None}],
        "customer": {
            "id": f"cust-{i % 5}", "email": f"c{i % 5}@example.com", "mobile": "0812", "name": f"Cust {i % 5}"
        },
    }


def reference_response(provider: str) -> dict:
    """The sample response printed on a provider's reference page (kept verbatim in the package's samples)."""
    return json.loads((SAMPLES / f"{provider}-reference-response.json").read_text())
