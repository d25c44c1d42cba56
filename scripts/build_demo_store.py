"""Build the demo history store shipped with the package: ``invoice_analytics/data/demo_store``.

    python scripts/build_demo_store.py [--check]

The store is ``demo_store()`` with its defaults (the sample data as they stood every week over the six months
before their date, 2026-11-21), plus a ``KEY`` file holding ``simulation_key()``: a digest of the sample data, their
past (``emulator/_past.py``, ``_habits.py``, ``_rates.py``), the store's file format and the days. Run it again after
any of those change (``tests/history/test_demo.py`` says when); ``open_demo_store`` uses the shipped store only when
its key is current, and builds one otherwise. ``--check`` exits non-zero when the shipped store is stale.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from invoice_analytics.history._demo import PREBUILT, demo_store, simulation_key


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    key = simulation_key()
    current = (PREBUILT / "KEY").is_file() and (PREBUILT / "KEY").read_text().strip() == key
    if args.check:
        print(f"{PREBUILT}: {'current' if current else 'stale: run scripts/build_demo_store.py'}")
        return 0 if current else 1
    with tempfile.TemporaryDirectory() as folder:
        built = Path(folder) / "store"
        demo_store(built)
        if PREBUILT.exists():
            shutil.rmtree(PREBUILT)
        shutil.copytree(built, PREBUILT, ignore=shutil.ignore_patterns("*.lock"))
    (PREBUILT / "KEY").write_text(key + "\n")
    size = sum(p.stat().st_size for p in PREBUILT.rglob("*") if p.is_file())
    print(f"wrote {PREBUILT} ({size / 1e6:.1f} MB), key {key}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
