"""Write the sample datasets (package data, ``invoice_analytics/emulator/samples/``) from ``emulator._samples``.

Run from anywhere: ``python scripts/generate_samples.py``. The output is
deterministic (fixed seed, fixed dates), so rerunning it changes nothing
unless the generators change; ``tests/emulator/test_server.py`` checks that.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from invoice_analytics.emulator import _samples

OUT = Path(__file__).resolve().parents[1] / "invoice_analytics" / "emulator" / "samples"


def _write_rows(path: Path, rows: list[dict[str, Any]]) -> None:
    """A JSON array, one record per line (small diffs)."""
    path.write_text("[\n" + ",\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n]\n", encoding="utf-8")


def main() -> None:
    OUT.mkdir(exist_ok=True)
    _write_rows(OUT / "faspay-invoices.json", _samples.generate_faspay())
    _write_rows(OUT / "mayar-invoices.json", _samples.generate_mayar())
    (OUT / "faspay-reference-response.json").write_text(_samples.FASPAY_REFERENCE_RESPONSE, encoding="utf-8")
    (OUT / "mayar-reference-response.json").write_text(_samples.MAYAR_REFERENCE_RESPONSE, encoding="utf-8")
    for path in sorted(OUT.glob("*.json")):
        print(f"wrote {path.relative_to(OUT.parents[2])} ({path.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
