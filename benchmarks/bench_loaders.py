"""Loader benchmarks: frame building from recorded pages, and a paged Faspay load.

    python benchmarks/bench_loaders.py [--repeat 10] [--latency 0.05]

1. Typed frame from recorded pages. The emulator's sample pages are recorded
   once over HTTP (raw bytes), repeated ``--repeat`` times, and parsed with
   ``json.loads``; then the typed frame is built by the loaders' own column-wise
   builder and, for comparison, by ``pd.json_normalize`` plus the casts a user
   would write to reach the same dtypes. Each build runs in a fresh
   subprocess, which reports its best time of 7 and the memory one build
   needs at its peak (tracemalloc's peak plus the Arrow pool's, after a
   50-row warm-up), and, for reference, the growth of the peak RSS.
2. A Faspay load of 200 pages from the emulator with ``--latency`` per request
   at max_workers=4, against the floor pages x latency / max_workers, and the
   same load one page at a time (max_workers=1), as a user's loop would do.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pandas as pd
import pyarrow as pa
import requests

from invoice_analytics import load_faspay
from invoice_analytics.emulator import (
    DEMO_FASPAY_PASSWORD,
    DEMO_FASPAY_USERNAME,
    DEMO_MAYAR_API_KEY,
    Emulator,
)
from invoice_analytics.providers.faspay import FASPAY_PATH, FASPAY_STATUS_CODES, faspay_frame, faspay_signature
from invoice_analytics.providers.mayar import MAYAR_PATH, mayar_frame

RECORDED = Path(__file__).with_name("_recorded_pages.json")


def record_pages() -> dict[str, list[str]]:
    """Every page of both sample datasets, as the raw response texts."""
    pages: dict[str, list[str]] = {"faspay": [], "mayar": []}
    with Emulator(mayar_rate_limit_per_minute=None) as emu:
        sig = faspay_signature(DEMO_FASPAY_USERNAME, DEMO_FASPAY_PASSWORD)
        for code in FASPAY_STATUS_CODES:
            page, total = 1, 1
            while page <= total:
                body = {"signature": sig, "page": page, "status": str(code),
                        "start_period": "2000-01-01", "end_period": "2030-12-31"}
                text = requests.get(emu.url + FASPAY_PATH, json=body, timeout=30).text
                total = json.loads(text)["total_pages"]
                if json.loads(text)["data"]:
                    pages["faspay"].append(text)
                page += 1
        params: dict[str, str | int] = {"limit": 50}
        headers = {"Authorization": f"Bearer {DEMO_MAYAR_API_KEY}"}
        while True:
            text = requests.get(emu.url + MAYAR_PATH, params=params, headers=headers, timeout=30).text
            payload = json.loads(text)
            pages["mayar"].append(text)
            if not payload["hasMore"]:
                break
            params["startingAfter"] = payload["nextStartingAfter"]
    return pages


def ours(provider: str, rows: list[dict]) -> pd.DataFrame:
    return faspay_frame(rows) if provider == "faspay" else mayar_frame(rows)


def normalize_and_cast(provider: str, rows: list[dict]) -> pd.DataFrame:
    """What a user writes without the loader: json_normalize, then cast to the same dtypes."""
    df = pd.json_normalize(rows)
    if provider == "faspay":
        df["customer_id"] = df["customer_id"].astype("string")
        df["outstanding_amount"] = pd.to_numeric(df["outstanding_amount"]).astype("Int64")
        for name in ("invoice_date", "due_date"):
            df[name] = pd.to_datetime(df[name]).dt.tz_localize("Asia/Jakarta")
        df["invoice_status"] = df["invoice_status"].astype("category")
        df["period"] = pd.to_datetime(df["period"], format="%Y%m").dt.to_period("M")
        return df
    df["amount"] = pd.to_numeric(df["amount"]).astype("Int64")
    df["createdAt"] = pd.to_datetime(pd.to_numeric(df["createdAt"]), unit="ms", utc=True).dt.tz_convert("Asia/Jakarta")
    df["status"] = df["status"].astype("category")
    df["type"] = df["type"].astype("category")
    df["transaction_count"] = df["transactions"].str.len().astype("Int64")
    df["paid_transaction_count"] = df["transactions"].map(
        lambda tx: sum(t.get("status") == "paid" for t in tx)).astype("Int64")
    return df.drop(columns=["transactions"])


def measure(provider: str, builder: str, repeat: int) -> dict[str, float]:
    """Run in a fresh interpreter: time (best of 7) and the memory one build needs.

    ``peak_bytes``: tracemalloc's peak (Python objects and numpy) plus the
    Arrow memory pool's peak during the build, both measured from just
    before it: what the build itself allocates at its high-water mark,
    whatever the allocator does with freed pages. ``rss_bytes``: the
    growth of the process's peak RSS, which also depends on how much
    freed memory the process already had.
    """
    texts = json.loads(RECORDED.read_text())[provider] * repeat
    rows = [row for text in texts for row in json.loads(text)["data"]]
    build = ours if builder == "ours" else normalize_and_cast
    build(provider, rows[:50])  # warm up: lazy imports and caches are not per-row memory
    gc.collect()
    pool = pa.default_memory_pool()
    arrow_before = pool.bytes_allocated()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    frame = build(provider, rows)
    _, python_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) * 1024
    peak = python_peak + pool.max_memory() - arrow_before
    best = float("inf")
    for _ in range(7):
        start = time.perf_counter()
        build(provider, rows)
        best = min(best, time.perf_counter() - start)
    return {"rows": len(rows), "seconds": best, "peak_bytes": peak, "rss_bytes": rss,
            "frame_bytes": int(frame.memory_usage(deep=True).sum())}


def bench_frames(repeat: int) -> None:
    RECORDED.write_text(json.dumps(record_pages()))
    try:
        print(f"1. Typed frame from recorded pages (x{repeat}), best of 7, each in a fresh process")
        print(f"{'provider':8} {'builder':20} {'rows':>7} {'rows/s':>10} {'frame B/row':>12} "
              f"{'peak B/row':>11} {'RSS+ B/row':>11}")
        for provider in ("faspay", "mayar"):
            results = {}
            for builder in ("ours", "json_normalize+cast"):
                out = subprocess.run(
                    [sys.executable, __file__, "--measure", provider, builder, "--repeat", str(repeat)],
                    check=True, capture_output=True, text=True,
                ).stdout
                results[builder] = r = json.loads(out)
                print(f"{provider:8} {builder:20} {r['rows']:>7} {r['rows'] / r['seconds']:>10,.0f} "
                      f"{r['frame_bytes'] / r['rows']:>12,.0f} {r['peak_bytes'] / r['rows']:>11,.0f} "
                      f"{r['rss_bytes'] / r['rows']:>11,.0f}")
            a, b = results["ours"], results["json_normalize+cast"]
            print(f"{provider:8} ours vs json_normalize+cast: {b['seconds'] / a['seconds']:.1f}x faster, "
                  f"frame {a['frame_bytes'] / b['frame_bytes']:.2f}x the bytes, "
                  f"peak {a['peak_bytes'] / b['peak_bytes']:.2f}x the memory "
                  f"(RSS growth {a['rss_bytes'] / max(b['rss_bytes'], 1):.2f}x)")
    finally:
        RECORDED.unlink(missing_ok=True)


SERVER = """
import sys
from invoice_analytics.emulator._samples import generate_faspay
from invoice_analytics.emulator import Emulator
rows = generate_faspay({rows}, seed=7)
for row in rows:
    row["invoice_status"] = "Unpaid"  # one status: exactly the wanted number of pages of 50
emu = Emulator(faspay_invoices=rows, mayar_invoices=[], latency={latency}).start()
print(emu.url, flush=True)
sys.stdin.read()  # until the benchmark closes our stdin
emu.stop()
"""


def bench_faspay_load(latency: float, pages: int = 200, workers: int = 4) -> None:
    """The emulator runs in its own process, as a real server would, so it does not share our GIL."""
    print(f"\n2. Faspay load of {pages} pages, {latency * 1000:.0f} ms latency per request (emulator in a subprocess)")
    floor = pages * latency / workers
    server = subprocess.Popen([sys.executable, "-c", SERVER.format(rows=pages * 50, latency=latency)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        url = server.stdout.readline().strip()
        kwargs = {"base_url": url, "username": DEMO_FASPAY_USERNAME, "password": DEMO_FASPAY_PASSWORD,
                  "progress": False}
        for label, options in ((f"one status, max_workers={workers}", {"statuses": [1], "max_workers": workers}),
                               (f"all 7 statuses, max_workers={workers}", {"max_workers": workers}),
                               ("one status, max_workers=1 (a plain loop)", {"statuses": [1], "max_workers": 1})):
            start = time.perf_counter()
            df = load_faspay(**kwargs, **options)
            seconds = time.perf_counter() - start
            print(f"{label:42} {len(df):>6} invoices {seconds:6.2f} s "
                  f"= {seconds / floor:.2f}x the floor {floor:.2f} s ({pages} x {latency} / {workers})")
    finally:
        server.stdin.close()
        server.wait(timeout=10)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10, help="copies of the recorded pages to build from")
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--measure", nargs=2, metavar=("PROVIDER", "BUILDER"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(*args.measure, repeat=args.repeat)))
        return
    bench_frames(args.repeat)
    bench_faspay_load(args.latency)


if __name__ == "__main__":
    main()
