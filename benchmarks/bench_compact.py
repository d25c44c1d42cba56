"""History store after years of hourly refreshes, before and after compaction.

    python benchmarks/bench_compact.py [--dir /tmp/ia-bench-compact] [--refreshes 43800]
                                       [--invoices 60000] [--repeat 3] [--repeat-before N] [--duckdb]

A synthetic store (``benchmarks/_history_data.build_hourly_store``) of
``--refreshes`` hourly refreshes (43,800: five years) of an account holding
``--invoices`` invoices per provider at the start, 1 % of them getting a new
version a day and new invoices arriving at the emulator's realistic rates
(13 Faspay and 5 Mayar a weekday, 0.3 of that at weekends), each issued when
first seen, written as refreshes write it:
one data file per provider per refresh, a checkpoint by the store's rule, the
manifest holding every refresh. It is copied and the copy compacted
(``InvoiceStore.compact``). On both, from a new ``InvoiceStore`` object each
time (best of ``--repeat``):

- opening the store and reading its metadata (``repr(InvoiceStore(dir))``:
  the manifest and the refresh log);
- ``as_of(d)`` at six dates over the span;
- the files on disk (Parquet files, the manifest's size, the Parquet files' size);
- a refresh's commit (one data file of an hour's changes and the manifest),
  on the store as it is and on a store of 10 refreshes;
- with ``--duckdb``, the README's "as of" SQL on the same directory, the
  alternative a user would pick (one run each: it reads every file).

Both stores give the same ``as_of`` invoices (checked: exits non-zero if not).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _history_data import best, build_hourly_store, hourly_time

from invoice_analytics.history import InvoiceStore
from invoice_analytics.history._files import read_data_file, read_manifest, write_data_file, write_manifest

ROOT = Path(__file__).resolve().parents[1]


def hour_of_changes(root: Path) -> tuple[str, Any]:
    """The provider and rows of the last refresh of the uncompacted store at ``root`` (an hour's changes)."""
    manifest = read_manifest(root)
    last = manifest.files[-1]
    return last.provider, read_data_file(root, last)


def commit_time(root: Path, repeat: int, sample: tuple[str, Any]) -> float:
    """Seconds to commit one refresh's data file (an hour's changes) and its manifest, on a copy of ``root``."""
    work = root.with_name(root.name + "-commit")
    times = []
    for _ in range(repeat):
        shutil.rmtree(work, ignore_errors=True)
        shutil.copytree(root, work)
        manifest = read_manifest(work)
        provider, table = sample
        record = dict(manifest.refreshes[-1]) if manifest.refreshes else {"refresh": manifest.generation}
        start = time.perf_counter()
        entry = write_data_file(work, provider, manifest.generation + 1, table)
        record.update(refresh=manifest.generation + 1)
        write_manifest(work, replace(manifest, generation=manifest.generation + 1, files=(*manifest.files, entry),
                                     refreshes=(*manifest.refreshes, record)))
        times.append(time.perf_counter() - start)
    shutil.rmtree(work, ignore_errors=True)
    return min(times)


def files_on_disk(root: Path) -> tuple[int, int, int]:
    """Parquet files, the manifest's bytes, the Parquet files' bytes."""
    files = list(root.glob("**/*.parquet"))
    return len(files), (root / "_manifest.json").stat().st_size, sum(f.stat().st_size for f in files)


def log_after_years(work: Path, refreshes: int, repeat: int) -> float:
    """Reading the whole refresh log (``refreshes()``) of a compacted store whose archived log holds
    ``refreshes`` hourly refreshes of both providers (the log alone; built in seconds, unlike the data files)."""
    from invoice_analytics.history._files import Manifest, write_table
    from invoice_analytics.history._log import archive_table
    from invoice_analytics.history._result import refresh_frame

    shutil.rmtree(work, ignore_errors=True)
    records = tuple({"refresh": n, "observed_at": hourly_time(n).isoformat(), "provider": p, "mode": "incremental",
                     "requests": 3, "full_requests": 130, "new": 5, "changed": 20, "unchanged": 60_000, "gone": 0,
                     "seconds": 1.5, "resumed": 0, "note": ""} for n in range(1, refreshes + 1)
                    for p in ("faspay", "mayar"))
    frame = refresh_frame(records)
    archive = write_table(work, f"_log/refreshes-{refreshes:06d}-00000000.parquet", archive_table(frame),
                          provider="", refresh=refreshes)
    write_manifest(work, Manifest(refreshes, archive=archive))
    seconds, log = best(lambda: InvoiceStore(work).refreshes(), repeat)
    assert len(log) == 2 * refreshes
    return seconds


def readme_sql(root: Path, when: str) -> str:
    """The documented DuckDB "as of" query (docs/guide/duckdb-spark.md, linked from the README) on ``root``."""
    text = (ROOT / "docs" / "guide" / "duckdb-spark.md").read_text(encoding="utf-8")
    sql = text.split("```sql\n-- as of\n", 1)[1].split("```", 1)[0]
    return sql.replace("'invoice-history/", f"'{root}/").replace("2026-10-31 23:59:59.999999+07:00", when)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, default=Path("/tmp/ia-bench-compact"))
    parser.add_argument("--refreshes", type=int, default=43_800)
    parser.add_argument("--invoices", type=int, default=60_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--repeat-before", type=int, default=None,
                        help="runs of each figure on the uncompacted store (default: --repeat; each as_of there "
                             "takes minutes at five years)")
    parser.add_argument("--duckdb", action="store_true")
    args = parser.parse_args()
    plain, compacted, small = (args.dir / f"{name}-{args.refreshes}-{args.invoices}" for name in
                               ("plain", "compacted", "small"))
    if not (plain / "_manifest.json").exists():
        shutil.rmtree(plain, ignore_errors=True)
        start = time.perf_counter()
        versions = build_hourly_store(plain, invoices=args.invoices, refreshes=args.refreshes)
        print(f"built {plain}: {versions} versions in {time.perf_counter() - start:.0f} s", flush=True)
    if not (small / "_manifest.json").exists():
        build_hourly_store(small, invoices=args.invoices, refreshes=10, progress=False)
    if not (compacted / "_manifest.json").exists():
        shutil.rmtree(compacted, ignore_errors=True)
        shutil.copytree(plain, compacted)
        start = time.perf_counter()
        result = InvoiceStore(compacted).compact(retention=0)
        InvoiceStore(compacted).compact(retention=0)  # removes the files the first one replaced
        print(f"compacted a copy in {time.perf_counter() - start:.0f} s: {result}", flush=True)
    dates = [hourly_time(max(1, round(args.refreshes * f))) for f in (0.02, 0.1, 0.3, 0.5, 0.9, 1.0)]
    rows: dict[str, dict[str, Any]] = {}
    sample = hour_of_changes(plain)
    answers: dict[str, list[Any]] = {}
    for name, root in (("before compaction", plain), ("after compaction", compacted)):
        repeat = args.repeat_before or args.repeat if name == "before compaction" else args.repeat
        row: dict[str, Any] = {}
        row["open"], _ = best(lambda root=root: repr(InvoiceStore(root)), repeat)
        answers[name] = []
        for when in dates:
            seconds, frame = best(lambda root=root, when=when: InvoiceStore(root).as_of(when), repeat)
            row[f"as_of {when:%Y-%m-%d}"] = seconds
            answers[name].append((len(frame), int(frame["outstanding"].sum())))
            row[f"invoices as of {when:%Y-%m-%d}"] = len(frame)
        row["files"], row["manifest bytes"], row["parquet bytes"] = files_on_disk(root)
        row["commit"] = commit_time(root, repeat, sample)
        if args.duckdb:
            import duckdb

            when = dates[2].isoformat(sep=" ")
            start = time.perf_counter()
            duckdb.connect().sql(readme_sql(root, when)).df()
            row["duckdb as_of (mid date)"] = time.perf_counter() - start
        rows[name] = row
        print(json.dumps({name: row}, default=str), flush=True)  # kept if a later step fails
    disk = dict(zip(("files", "manifest bytes", "parquet bytes"), files_on_disk(small), strict=True))
    rows["10 refreshes"] = {"open": best(lambda: repr(InvoiceStore(small)), args.repeat)[0],
                            "commit": commit_time(small, args.repeat, sample), **disk}
    rows["after compaction"]["refreshes(), an archived log of 43,800 refreshes"] = log_after_years(
        args.dir / "log-only-43800", 43_800, args.repeat)
    same = answers["before compaction"] == answers["after compaction"]
    print(json.dumps({"refreshes": args.refreshes, "invoices per provider": args.invoices, "dates":
                      [str(d) for d in dates], "rows": rows, "same answers": same}, indent=1, default=str))
    names = list(rows)
    keys = list(dict.fromkeys(k for r in rows.values() for k in r))
    print("\n| | " + " | ".join(names) + " |\n|---|" + "---|" * len(names))
    for key in keys:
        cells = []
        for name in names:
            value = rows[name].get(key)
            cells.append("" if value is None else f"{value * 1000:.1f} ms" if isinstance(value, float) else
                         f"{value:,}")
        print(f"| {key} | " + " | ".join(cells) + " |")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
