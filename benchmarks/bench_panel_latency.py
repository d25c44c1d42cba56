"""Latency of every control and of the first opening of every tab of a FilterPanel over a 100,000-invoice store.

    python benchmarks/bench_panel_latency.py [--store DIR] [--repeat 5] [--compare main]

Builds (or reuses, with ``--store``) a synthetic history store of 100,000
invoices (``_history_data.build_store``: 200 daily refreshes, about 300,000
versions, 40,000 customers), opens ``FilterPanel(store)`` and times, for each
control, ``--repeat`` changes (set ``.value``; observers run synchronously,
so the update is done when the setter returns), and the first opening of
each tab after a change of the date. Prints the
median and the max. The panel draws the other tabs' charts after each update (``prerender=True``, as in a
kernel), so a control's time is the kernel's busy time; "shown" is the part until what the change shows
was sent (``last_update_ms``), which is what the browser waits for.

``--compare REF`` runs the same measurement, in the same run, on the code of
git ref ``REF`` (exported with ``git archive`` to a temporary directory) and
prints both side by side: the panel as a user has it today against this one.
This is the kernel side only; the browser test
(``tests/display/test_browser.py -k latency``) measures a change to the page
settling, which adds the frontend's work and the messages.
"""

from __future__ import annotations

import argparse
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
INVOICES = 100_000
VERSIONS = 300_000
REFRESHES = 200


def ensure_store(path: Path) -> Path:
    """The synthetic store at ``path``, built when missing."""
    if not (path / "_manifest.json").exists():
        sys.path.insert(0, str(ROOT / "benchmarks"))
        from _history_data import build_store

        path.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        build_store(path, invoices=INVOICES, versions=VERSIONS, refreshes=REFRESHES)
        print(f"built a {INVOICES:,}-invoice store in {time.perf_counter() - start:.0f} s: {path}",
              file=sys.stderr)
    return path


def measure(store_path: Path, repeat: int) -> dict[str, list[float]]:
    """Milliseconds per scenario, with the code importable as ``invoice_analytics`` in this process."""
    import datetime as dt

    import matplotlib

    matplotlib.use("Agg")
    import inspect

    import invoice_analytics as ia
    from invoice_analytics.display.panel import FilterPanel

    store = ia.InvoiceStore(store_path)
    times: dict[str, list[float]] = {}
    # as in a kernel: after each update the other tabs' charts are drawn (where the code can)
    options = {"prerender": True} if "prerender" in inspect.signature(FilterPanel).parameters else {}
    start = time.perf_counter()
    panel = FilterPanel(store, **options)
    times["open the panel"] = [(time.perf_counter() - start) * 1000]
    last = panel.as_of.value
    tab_titles = list(panel.chart_tabs.titles)

    def run(label: str, change: Callable[[int], None]) -> None:
        for i in range(repeat):
            start = time.perf_counter()
            change(i)
            times.setdefault(label, []).append((time.perf_counter() - start) * 1000)
            if options:  # the update shown, before the other tabs were drawn
                times.setdefault(f"  {label}: shown", []).append(panel.last_update_ms)
        panel.reset()  # every control back to its first value before the next one (not timed)

    def flip(widget: object, a: object, b: object) -> Callable[[int], None]:
        def change(i: int) -> None:
            widget.value = a if i % 2 == 0 else b  # type: ignore[attr-defined]
        return change

    providers = tuple(panel.provider.options)
    statuses = tuple(panel.status.options)
    run("provider", flip(panel.provider, providers[:1], providers))
    run("provider status", flip(panel.status, statuses[:1], statuses))
    run("customer search", flip(panel.customer, "pelanggan 12", ""))
    run("issued from", flip(panel.issued_from, last - dt.timedelta(days=60), None))
    run("issued to", flip(panel.issued_to, last - dt.timedelta(days=30), None))
    run("as of (a new date each time)", lambda i: setattr(panel.as_of, "value", last - dt.timedelta(days=3 + i)))
    run("as of (back and forth)", flip(panel.as_of, last - dt.timedelta(days=3), last))
    run("buckets", flip(panel.scheme, "30/60/90/120", "30/60/90"))
    box = next(iter(panel.terms.values()))
    run("terms", flip(box, 14, 0))
    def once(label: str, change: Callable[[], object]) -> None:
        start = time.perf_counter()
        change()
        times.setdefault(label, []).append((time.perf_counter() - start) * 1000)

    search = getattr(panel, "statement_search", None)  # None: one list of every customer (before)
    chooser = panel.statement_customer
    for i in range(repeat):
        if search is not None:
            once("statement search", lambda i=i: setattr(search, "value", f"C{1000 + i}"))
            once("statement customer", lambda: setattr(chooser, "value", chooser.options[1][1]))
        else:
            once("statement customer", lambda i=i: setattr(chooser, "value", chooser.options[1 + i][1]))
        panel.chart_tabs.selected_index = 0
    panel.reset()
    for i in range(repeat):  # each tab's first opening after a new date
        panel.chart_tabs.selected_index = 0
        panel.as_of.value = last - dt.timedelta(days=20 + i)
        for index, title in enumerate(tab_titles[1:], start=1):
            start = time.perf_counter()
            panel.chart_tabs.selected_index = index
            times.setdefault(f"first opening of tab {title!r}", []).append((time.perf_counter() - start) * 1000)
    return times


def _child(ref_root: str, store: str, repeat: int) -> None:
    sys.path.insert(0, ref_root)
    print(json.dumps(measure(Path(store), repeat)))


def measure_ref(ref: str, store: Path, repeat: int) -> dict[str, list[float]]:
    """:func:`measure` on the code of git ref ``ref``, in a subprocess."""
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "ref.tar"
        subprocess.run(["git", "-C", str(ROOT), "archive", "-o", str(archive), ref, "invoice_analytics"],
                       check=True)
        with tarfile.open(archive) as tar:
            tar.extractall(tmp, filter="data")
        code = (f"import sys; sys.path.insert(0, {str(ROOT / 'benchmarks')!r}); import bench_panel_latency as b; "
                f"b._child({tmp!r}, {str(store)!r}, {repeat})")
        out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True,
                             cwd=tmp, env={**os.environ, "PYTHONPATH": tmp})
        result: dict[str, list[float]] = json.loads(out.stdout.strip().splitlines()[-1])
        return result


def fmt(values: list[float] | None) -> str:
    if not values:
        return "-"
    return f"{statistics.median(values):,.0f} / {max(values):,.0f}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=None, help="a store directory (built there when missing)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--compare", default=None, help="also measure the code of this git ref (e.g. main)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        store = ensure_store(args.store or Path(tmp) / "store")
        before = measure_ref(args.compare, store, args.repeat) if args.compare else None
        after = measure(store, args.repeat)
    print(f"FilterPanel over a {INVOICES:,}-invoice store ({VERSIONS:,} versions, {REFRESHES} refreshes); "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; median / max ms of {args.repeat}")
    print("kernel side: a control set from Python until its update returns (the browser adds its rendering);")
    print("'shown': until what the change shows was sent, before the other tabs' charts were drawn\n")
    head = f"{'':40s} {'this branch':>14s}" + (f" {args.compare:>14s}" if before is not None else "")
    print(head)
    for label in dict.fromkeys([*after, *(before or {})]):
        row = f"{label:40s} {fmt(after.get(label)):>14s}"
        if before is not None:
            row += f" {fmt(before.get(label)):>14s}"
        print(row)


if __name__ == "__main__":
    main()
