"""Benchmark of the analytics helpers on a large synthetic invoice frame.

    python benchmarks/bench_analytics.py [--rows N] [--repeat 3] [--no-memory]

Builds ``--rows`` synthetic invoices (default 10,000,000; about 20,000
customers) in the core schema with vectorised numpy/pyarrow, then prints:

* the input frame's memory (``memory_usage(deep=True)``);
* the best of ``--repeat`` wall times of ``aging_report`` (by customer_name),
  ``overdue_totals`` (by customer_name) and ``paid_ratio`` (by issue month,
  weighted by amount), and of the same aging report written as DuckDB SQL over
  the same DataFrame (fetched with ``.df()``), and the ratio ours / DuckDB;
* that our aging report equals DuckDB's, cell for cell (it exits non-zero if not);
* peak memory: each call is run once in a fresh subprocess that builds the
  same frame, returns freed memory to the OS (``malloc_trim`` and the Arrow
  pool), resets the kernel's peak-RSS mark (``/proc/self/clear_refs``) and
  reads ``VmHWM`` after the call.  The figure is the RSS growth over the
  input frame's own memory (RSS, not tracemalloc: Arrow buffers are invisible
  to tracemalloc).  Where ``clear_refs`` is not writable, RSS is sampled every
  millisecond by a thread instead.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import gc
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from invoice_analytics.analytics.aging import aging_report, overdue_totals
from invoice_analytics.analytics.ratios import paid_ratio
from invoice_analytics.schema import (
    CORE_SCHEMA,
    CURRENCY_DTYPE,
    DATETIME_DTYPE,
    PROVIDER_DTYPE,
    STATUS_DTYPE,
    STATUSES,
    STRING_DTYPE,
)

AS_OF = "2025-06-30"
EDGES = (30, 60, 90)
DAY_US = 86_400_000_000
OFFSET_US = 7 * 3_600_000_000


# ----------------------------------------------------------------------------- data


def _strings(prefix: str, numbers: np.ndarray, width: int) -> pa.LargeStringArray:
    """``prefix`` + zero-padded ``numbers``, built straight into an Arrow buffer."""
    n = len(numbers)
    head = np.frombuffer(prefix.encode(), dtype=np.uint8)
    size = len(head) + width
    buf = np.empty((n, size), dtype=np.uint8)
    buf[:, : len(head)] = head
    rest = numbers.astype(np.int64)
    for i in range(width - 1, -1, -1):
        buf[:, len(head) + i] = 48 + rest % 10
        rest //= 10
    offsets = np.arange(n + 1, dtype=np.int64) * size
    return pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(buf.reshape(-1)))


def _string_series(arr: pa.Array) -> pd.Series:
    return pd.Series(pd.arrays.ArrowStringArray(arr.cast(pa.large_string())), dtype=STRING_DTYPE)


def make_frame(rows: int, customers: int = 20_000, seed: int = 0) -> pd.DataFrame:
    """``rows`` synthetic invoices in the core schema (Faspay-like and Mayar-like)."""
    rng = np.random.default_rng(seed)
    mayar = rng.random(rows) < 0.4
    # Skewed customers: a few big accounts, a long tail.
    cust = np.minimum((rng.random(rows) ** 2 * customers).astype(np.int64), customers - 1)
    code = {s: i for i, s in enumerate(STATUSES)}
    faspay_p = {"paid": .55, "unpaid": .15, "partially_paid": .05, "overdue": .12,
                "draft": .04, "cancelled": .05, "proforma": .02}
    faspay_status = rng.choice(
        [code[s] for s in faspay_p] + [-1], size=rows, p=[*faspay_p.values(), 0.02]
    )
    mayar_status = rng.choice([code["paid"], code["unpaid"], code["cancelled"]], size=rows, p=[.6, .3, .1])
    status = np.where(mayar, mayar_status, faspay_status).astype(np.int8)

    as_of_us = (pd.Timestamp(AS_OF).value // 1000) - OFFSET_US
    issued = as_of_us - rng.integers(0, 3 * 365 * DAY_US, rows)
    terms = rng.choice([0, 14, 30, 45], size=rows) * DAY_US
    late_in_day = rng.random(rows) < 0.3  # due 23:59:59 Jakarta time on some
    due_day = (issued + OFFSET_US) // DAY_US * DAY_US - OFFSET_US + terms
    due = np.where(late_in_day, due_day + DAY_US - 1_000_000, due_day)
    amount = rng.integers(100, 500_000, rows) * 100  # 10 thousand to 50 million rupiah
    outstanding = np.where(np.isin(status, [code["paid"]]), 0, amount)
    partial = status == code["partially_paid"]
    outstanding[partial] = (amount[partial] * rng.random(partial.sum())).astype(np.int64)
    credit = (~mayar) & (status == code["paid"]) & (rng.random(rows) < 0.01)
    outstanding[credit] = -(amount[credit] // 10)
    out_missing = rng.random(rows) < 0.001
    name_missing = rng.random(rows) < 0.001

    names = _strings("PT Pelanggan Nusantara ", np.arange(customers), 5)
    ids = _strings("CUST-", np.arange(customers), 6)
    cust_idx = pa.array(cust)
    customer_name = names.take(cust_idx)
    customer_name = pa.compute.if_else(pa.array(name_missing), pa.scalar(None, pa.large_string()), customer_name)
    raw_status = pa.array(["Draft", "Belum Lunas", "Lunas Sebagian", "Jatuh Tempo", "Lunas",
                           "Batal", "Proforma", "Tidak Dikenal", "active", "paid", "closed"],
                          type=pa.large_string())
    raw_code = np.where(status < 0, 7, status)
    raw_code = np.where(mayar, np.select([status == code["paid"], status == code["unpaid"]], [9, 8], 10), raw_code)

    def dt(values: np.ndarray, missing: np.ndarray | None = None) -> pd.Series:
        arr = values.astype("datetime64[us]")
        if missing is not None:
            arr[missing] = np.datetime64("NaT")
        return pd.Series(arr).dt.tz_localize("UTC").dt.tz_convert("Asia/Jakarta").astype(DATETIME_DTYPE)

    frame = pd.DataFrame({
        "provider": pd.Categorical.from_codes(mayar.astype(np.int8), dtype=PROVIDER_DTYPE),
        "invoice_id": _string_series(_strings("INV-", np.arange(rows), 10)),
        "customer_id": _string_series(ids.take(cust_idx)),
        "customer_name": _string_series(customer_name),
        "status": pd.Categorical.from_codes(status, dtype=STATUS_DTYPE),
        "provider_status": _string_series(raw_status.take(pa.array(raw_code))),
        "issued_at": dt(issued),
        "due_at": dt(due, mayar),
        "amount": pd.arrays.IntegerArray(amount, ~mayar),  # Faspay lists carry no amount
        "outstanding": pd.arrays.IntegerArray(outstanding, out_missing),
        "currency": pd.Categorical.from_codes(np.zeros(rows, dtype=np.int8), dtype=CURRENCY_DTYPE),
    })
    assert {k: str(v) for k, v in frame.dtypes.items()} == {k: str(v) for k, v in CORE_SCHEMA.items()}
    return frame


# ----------------------------------------------------------------------------- DuckDB


def duckdb_sql(as_of: str = AS_OF, edges: tuple[int, ...] = EDGES, terms_days: int = 0) -> str:
    """The aging report by customer_name as SQL over a table ``invoices``."""
    today = (pd.Timestamp(as_of) - pd.Timestamp("1970-01-01")).days
    day = "(epoch_us({col}) + 25200000000) // 86400000000"  # Jakarta day number (UTC+7)
    lows = (0, *edges[:-1])
    cases = ['CAST(sum(CASE WHEN outstanding > 0 AND d <= 0 THEN outstanding ELSE 0 END) AS BIGINT) AS "Current"']
    cases += [
        f'CAST(sum(CASE WHEN outstanding > 0 AND d BETWEEN {lo + 1} AND {hi} THEN outstanding ELSE 0 END)'
        f' AS BIGINT) AS "{lo + 1}-{hi}"'
        for lo, hi in zip(lows, edges, strict=True)
    ]
    cases.append(
        f'CAST(sum(CASE WHEN outstanding > 0 AND d > {edges[-1]} THEN outstanding ELSE 0 END)'
        f' AS BIGINT) AS ">{edges[-1]}"'
    )
    return f"""
WITH aged AS (
    SELECT customer_name, outstanding,
           coalesce({today} - coalesce({day.format(col="due_at")},
                                        {day.format(col="issued_at")} + {terms_days}), 0) AS d
    FROM invoices
    WHERE outstanding <> 0
      AND (status IS NULL OR status NOT IN ('draft', 'cancelled', 'proforma'))
)
SELECT customer_name,
       {", ".join(cases)},
       CAST(sum(CASE WHEN outstanding < 0 THEN outstanding ELSE 0 END) AS BIGINT) AS "Credit",
       CAST(sum(outstanding) AS BIGINT) AS "Total"
FROM aged
GROUP BY customer_name
ORDER BY "Total" DESC, customer_name ASC NULLS LAST
"""


def duckdb_aging(con: Any, sql: str) -> pd.DataFrame:
    return con.execute(sql).df()


def same_numbers(ours: pd.DataFrame, duck: pd.DataFrame) -> bool:
    """Our report (without its Total row) equals DuckDB's, row for row."""
    body = ours.iloc[:-1]
    if len(body) != len(duck) or list(body.columns) != list(duck.columns[1:]):
        return False
    names_ours = pd.Series(body.index, dtype=object).where(body.index.notna(), None).tolist()
    names_duck = duck["customer_name"].astype(object).where(duck["customer_name"].notna(), None).tolist()
    if names_ours != names_duck:
        return False
    return all(np.array_equal(body[c].to_numpy(np.int64), duck[c].to_numpy(np.int64)) for c in body.columns)


# ----------------------------------------------------------------------------- measuring


def best_of(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def _rss() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _hwm() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM")


def _release() -> None:
    gc.collect()
    pa.default_memory_pool().release_unused()
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _peak_of(fn: Callable[[], Any]) -> tuple[int, str]:
    """Peak RSS during ``fn()`` minus RSS before it, and the method used."""
    _release()
    before = _rss()
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")  # reset VmHWM to the current RSS
        fn()
        return _hwm() - before, "VmHWM after clear_refs"
    except OSError:
        peak = before
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, _rss())
                time.sleep(0.001)

        thread = threading.Thread(target=sample)
        thread.start()
        try:
            fn()
        finally:
            done.set()
            thread.join()
        return peak - before, "RSS sampled every 1 ms"


def _calls(frame: pd.DataFrame) -> dict[str, Callable[[], Any]]:
    """The measured calls on ``frame`` (DuckDB on its own connection)."""
    import duckdb

    con = duckdb.connect()
    con.register("invoices", frame)
    sql = duckdb_sql()
    return {
        "aging_report": lambda: aging_report(frame, AS_OF, totals=True),
        "overdue_totals": lambda: overdue_totals(frame, AS_OF, by="customer_name", totals=True),
        "paid_ratio": lambda: paid_ratio(frame, by="issue_month", weight="amount", totals=True),
        "duckdb": lambda: duckdb_aging(con, sql),
    }


def memory_child(rows: int, which: str) -> None:
    """Run in a fresh process: build the frame, measure one call's peak RSS growth."""
    frame = make_frame(rows)
    _calls(make_frame(1_000, seed=1))[which]()  # warm up: imports and lazy set-up not counted
    call = _calls(frame)[which]
    growth, method = _peak_of(call)
    print(json.dumps({"growth": growth, "method": method, "frame": int(frame.memory_usage(deep=True).sum())}))


def measure_memory(rows: int, which: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--rows", str(rows), "--memory-child", which],
        check=True, capture_output=True, text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


# ----------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-memory", action="store_true", help="skip the peak-memory subprocesses")
    parser.add_argument("--memory-child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_child:
        memory_child(args.rows, args.memory_child)
        return 0

    import duckdb

    mib = 2**20
    start = time.perf_counter()
    frame = make_frame(args.rows)
    frame_bytes = int(frame.memory_usage(deep=True).sum())
    print(f"rows: {len(frame):,}  customers: {frame['customer_id'].nunique():,}  "
          f"built in {time.perf_counter() - start:.1f} s")
    print(f"input frame memory: {frame_bytes / mib:,.0f} MiB")
    print(f"python {sys.version.split()[0]}, pandas {pd.__version__}, numpy {np.__version__}, "
          f"pyarrow {pa.__version__}, duckdb {duckdb.__version__}, {os.cpu_count()} CPUs")

    calls = _calls(frame)
    t_aging, ours = best_of(calls["aging_report"], args.repeat)
    t_overdue, _ = best_of(calls["overdue_totals"], args.repeat)
    t_paid, _ = best_of(calls["paid_ratio"], args.repeat)
    t_duck, duck = best_of(calls["duckdb"], args.repeat)
    threads = duckdb.connect().execute("SELECT current_setting('threads')").fetchone()[0]

    print(f"best of {args.repeat}:")
    print(f"  aging_report(by='customer_name')          {t_aging * 1000:8.0f} ms")
    print(f"  overdue_totals(by='customer_name')        {t_overdue * 1000:8.0f} ms")
    print(f"  paid_ratio(by='issue_month', 'amount')    {t_paid * 1000:8.0f} ms")
    print(f"  DuckDB SQL aging report (.df())           {t_duck * 1000:8.0f} ms "
          f"({threads} threads)")
    print(f"  ratio aging_report / DuckDB               {t_aging / t_duck:8.2f}")
    print(f"  ratio overdue_totals / DuckDB aging       {t_overdue / t_duck:8.2f}")
    print(f"  ratio paid_ratio / DuckDB aging           {t_paid / t_duck:8.2f}")
    ok = same_numbers(ours, duck)
    print(f"aging report equals DuckDB's: {ok} ({len(duck):,} customers, "
          f"total {int(ours['Total'].iloc[-1]):,} rupiah)")

    if not args.no_memory:
        print("peak memory growth during one call (fresh subprocess):")
        for which in ("aging_report", "overdue_totals", "paid_ratio", "duckdb"):
            m = measure_memory(args.rows, which)
            print(f"  {which:15s} +{m['growth'] / mib:7,.0f} MiB = {m['growth'] / m['frame']:.2f} x input "
                  f"(peak {(m['frame'] + m['growth']) / m['frame']:.2f} x input; {m['method']})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
