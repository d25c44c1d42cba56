"""History store benchmarks: ``store.as_of`` on 10 million versions against DuckDB, and storage.

    python benchmarks/bench_history.py [--dir /tmp/ia-bench-history] [--versions 10000000]
                                       [--invoices 200000] [--repeat 3]

1. As of a past date. A synthetic store (``benchmarks/_history_data.py``) of
   ``--versions`` versions of ``--invoices`` invoices (half Faspay, half
   Mayar) over 250 daily refreshes, written by the store's own file writer
   and checkpoint rule, so it is an ``InvoiceStore`` directory like any
   other. For three dates, ``InvoiceStore(dir).as_of(d)`` (a new store
   object: it reads its files; then again on the same object, the files
   already read) against DuckDB running the guide's "as of" SQL on the
   same files from a fresh connection (into a pandas frame, ``.df()``): the
   best of ``--repeat`` each, the ratio, and a check that both return the
   same invoices with the same outstanding (it exits non-zero if not). For
   reference, our ``as_of`` reading every version (the checkpoints left out
   of a copy of the manifest) on the latest date.
2. Storage. An account of 60,000 invoices per provider refreshed daily for
   30 days, 1 % of its invoices changing each day: the store's bytes per
   version against keeping each day's whole list as one Parquet file (the
   same Arrow types, zstd), 30 files per provider.

The store is built once into ``--dir`` (about 100 s) and reused by later runs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _history_data import best, build_daily_store, build_store, day

from invoice_analytics.history import InvoiceStore

ROOT = Path(__file__).resolve().parents[1]


def readme_sql(root: Path, when: str) -> str:
    """The guide's "as of" query on ``root`` at the end of the day ``when`` (Jakarta)."""
    text = (ROOT / "docs" / "guide" / "duckdb-spark.md").read_text(encoding="utf-8")
    sql = text.split("```sql\n-- as of\n", 1)[1].split("```", 1)[0]
    return sql.replace("'invoice-history/", f"'{root}/").replace("2026-10-31", when)


def size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def as_of_section(root: Path, versions: int, invoices: int, repeat: int) -> bool:
    manifest = root / "_manifest.json"
    if not manifest.exists():
        shutil.rmtree(root, ignore_errors=True)
        started = time.perf_counter()
        build_store(root, invoices=invoices, versions=versions)
        print(f"built the synthetic store in {time.perf_counter() - started:.0f} s")
    doc = json.loads(manifest.read_text())
    rows = sum(entry["rows"] for entry in doc["files"])
    checkpoint_rows = sum(entry["rows"] for entry in doc["checkpoints"])
    data_bytes = size(root) - size(root / "_checkpoints")
    print(f"store: {rows:,} versions of {invoices:,} invoices in {len(doc['files'])} data files "
          f"({data_bytes / 2**20:,.0f} MiB), {len(doc['checkpoints'])} checkpoints "
          f"({checkpoint_rows:,} rows, {size(root / '_checkpoints') / 2**20:,.0f} MiB, "
          f"+{size(root / '_checkpoints') / data_bytes:.0%})\n")
    print(f"{'as of':12s} {'invoices':>9s} {'ours (new store)':>17s} {'ours (files read)':>18s} "
          f"{'DuckDB, guide SQL':>19s} {'ours / DuckDB':>14s}")
    ok = True
    for number in (60, 160, 250):
        when = day(number).isoformat()
        cold, ours = best(lambda w=when: InvoiceStore(root).as_of(w), repeat)
        store = InvoiceStore(root)
        store.as_of(when)
        warm, _ = best(lambda s=store, w=when: s.as_of(w), repeat)
        sql = readme_sql(root, when)
        theirs_time, theirs = best(lambda q=sql: duckdb.connect().sql(q).df(), repeat)
        same = (sorted(ours["invoice_id"].astype(str)) == sorted(theirs["invoice_id"])
                and int(ours["outstanding"].sum()) == int(theirs["outstanding"].sum()))
        ok &= same
        print(f"{when:12s} {len(ours):>9,} {cold:>15.2f} s {warm:>16.2f} s {theirs_time:>17.2f} s "
              f"{cold / theirs_time:>13.2f}x{'' if same else '  DIFFERENT RESULTS'}")
    plain = root.parent / (root.name + "-no-checkpoints")
    shutil.rmtree(plain, ignore_errors=True)
    plain.mkdir()
    for name in ("provider=faspay", "provider=mayar"):  # hard links: a store follows no symbolic link
        shutil.copytree(root / name, plain / name, copy_function=os.link)
    (plain / "_manifest.json").write_text(json.dumps({**doc, "checkpoints": []}))
    when = day(250).isoformat()
    seconds, _ = best(lambda: InvoiceStore(plain).as_of(when), 1)
    print(f"\nfor reference, ours reading every version (no checkpoint), as of {when}: {seconds:.2f} s")
    shutil.rmtree(plain)
    return ok


def storage_section(work: Path) -> None:
    root, snapshots = work / "daily-store", work / "daily-snapshots"
    shutil.rmtree(root, ignore_errors=True)
    shutil.rmtree(snapshots, ignore_errors=True)
    versions, snapshot_rows = build_daily_store(root, snapshots)
    stored, kept = size(root), size(snapshots)
    print("\nstorage: 60,000 invoices per provider, refreshed daily for 30 days, 1 % changing a day")
    print(f"{'':34s} {'rows':>10s} {'bytes':>12s} {'bytes/row':>10s}")
    print(f"{'the store (versions)':34s} {versions:>10,} {stored:>12,} {stored / versions:>10.1f}")
    print(f"{'30 daily snapshots (Parquet, zstd)':34s} {snapshot_rows:>10,} {kept:>12,} {kept / snapshot_rows:>10.1f}")
    print(f"the store takes {stored / kept:.3f} of the snapshots' bytes (1/{kept / stored:.0f}); "
          f"no checkpoint is due: the versions since the first refresh are "
          f"{versions / (snapshot_rows / 30):.2f} x the invoices, under checkpoint_factor 2")
    shutil.rmtree(root)
    shutil.rmtree(snapshots)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=Path("/tmp/ia-bench-history"))
    parser.add_argument("--versions", type=int, default=10_000_000)
    parser.add_argument("--invoices", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    args.dir.mkdir(parents=True, exist_ok=True)
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    ok = as_of_section(args.dir / f"store-{args.versions}-{args.invoices}", args.versions, args.invoices, args.repeat)
    storage_section(args.dir)
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
