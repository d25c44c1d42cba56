"""The panel's Forecast tab over a 100,000-invoice InvoiceStore: this branch beside another git ref, same run.

    python benchmarks/bench_forecast_tab.py [--store DIR] [--repeat 5] [--compare main]

The store is ``bench_panel_latency``'s (``_history_data.build_store``: 100,000 invoices, about 300,000 versions,
200 daily refreshes; built in ``--store`` when missing). Times ``ForecastView(store).draw(day)`` (what the panel
runs when the tab is opened or the as-of changes on it): the first opening (the store's history read), then
``--repeat`` new dates, then dates shown before. ``--compare REF`` runs the same on the code of git ref ``REF``
(``git archive``) in a subprocess. Python only: the browser adds the image's transfer and rendering.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def ensure_store(path: Path) -> Path:
    if not (path / "_manifest.json").exists():
        sys.path.insert(0, str(ROOT / "benchmarks"))
        from _history_data import build_store

        path.mkdir(parents=True, exist_ok=True)
        build_store(path, invoices=100_000, versions=300_000, refreshes=200)
    return path


def measure(store_path: str, repeat: int) -> dict[str, list[float]]:
    """Milliseconds per scenario (wall clock; ``cpu:`` labels the process's CPU time), with the code importable
    as ``invoice_analytics`` in this process."""
    import matplotlib

    matplotlib.use("Agg")
    import invoice_analytics as ia
    from invoice_analytics.display._forecast_tab import ForecastView

    times: dict[str, list[float]] = {}

    def timed(label: str, work: Callable[[], object]) -> None:
        start, cpu = time.perf_counter(), time.process_time()
        work()
        times.setdefault(label, []).append((time.perf_counter() - start) * 1000)
        times.setdefault(f"cpu: {label}", []).append((time.process_time() - cpu) * 1000)

    store = ia.InvoiceStore(store_path)
    last = store.refreshes()["observed_at"].max().date()
    view = ForecastView(store)
    timed("first opening (the tab reads the store)", lambda: view.draw(last - dt.timedelta(days=20)))
    for i in range(repeat):
        timed("a new as-of on the tab", lambda i=i: view.draw(last - dt.timedelta(days=3 + i)))
    for i in range(repeat):
        timed("an as-of shown before", lambda i=i: view.draw(last - dt.timedelta(days=3 + i % 2)))
    try:  # this branch: the panel hands over the history it reads when it opens
        from invoice_analytics.analytics._timeline import keep_timeline
    except ImportError:
        return times
    other = ia.InvoiceStore(store_path)
    history, source = other.history(), other.as_of(last).attrs.get("source")
    timed("panel opening: keep the timeline", lambda: keep_timeline(other, history, source))
    view = ForecastView(other)
    timed("first opening in the panel", lambda: view.draw(last - dt.timedelta(days=21)))
    return times


def _child(root: str, store: str, repeat: int) -> None:
    sys.path.insert(0, root)
    print(json.dumps(measure(store, repeat)))


def measure_ref(ref: str, store: Path, repeat: int) -> dict[str, list[float]]:
    """:func:`measure` on the code of git ref ``ref``, in a subprocess."""
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "ref.tar"
        subprocess.run(["git", "-C", str(ROOT), "archive", "-o", str(archive), ref, "invoice_analytics"], check=True)
        with tarfile.open(archive) as tar:
            tar.extractall(tmp, filter="data")
        code = (f"import sys; sys.path.insert(0, {str(ROOT / 'benchmarks')!r}); import bench_forecast_tab as b; "
                f"b._child({tmp!r}, {str(store)!r}, {repeat})")
        out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=tmp,
                             env={**os.environ, "PYTHONPATH": tmp})
        result: dict[str, list[float]] = json.loads(out.stdout.strip().splitlines()[-1])
        return result


def fmt(values: list[float] | None) -> str:
    return "-" if not values else f"{statistics.median(values):,.0f} / {max(values):,.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=None, help="a store directory (built there when missing)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--compare", default=None, help="also measure the code of this git ref (e.g. main)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = ensure_store(args.store or Path(tmp) / "store")
        load = os.getloadavg()
        before = measure_ref(args.compare, store, args.repeat) if args.compare else None
        after = measure(str(store), args.repeat)
        load_after = os.getloadavg()
    print(f"Forecast tab (ForecastView.draw) over a 100,000-invoice InvoiceStore; {os.cpu_count()} CPUs, "
          f"load average {load[0]:.2f} at the start, {load_after[0]:.2f} at the end; median / max ms")
    print(f"{'':44s} {'this branch':>16s}" + (f" {args.compare:>16s}" if before else ""))
    for label in sorted(after, key=lambda name: name.startswith("cpu: ")):
        print(f"{label:44s} {fmt(after[label]):>16s}" + (f" {fmt(before.get(label)):>16s}" if before else ""))


if __name__ == "__main__":
    main()
