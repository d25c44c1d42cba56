"""Benchmark of FilterPanel updates on a large synthetic invoice frame.

    python benchmarks/bench_panel.py [--rows 100000] [--customers 5000] [--repeat 10]

Builds ``--rows`` synthetic invoices in the core schema (the generator of
``bench_analytics.py``), creates a :class:`~invoice_analytics.display.panel.FilterPanel`
and times, as the median of ``--repeat`` runs, a full update after a control
change: set ``.value`` and wait until the KPIs, the report table and the open
tab's chart are refreshed (observers run synchronously, so that is when the
setter returns). The goal is under 300 ms.

Side by side: the alternative an analyst would write in a notebook callback,
recomputing everything per update with plain pandas (boolean masks,
``str.contains``, ``pd.cut`` + ``pivot_table``, a ``Styler`` for the table)
and a fresh pyplot figure per chart, saved to PNG. Its KPIs are checked
against the panel's.

Outside a kernel the outputs are set directly; in a kernel the panel goes
through ``clear_output(wait=True)`` + ``display``, which adds a few ms.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
from matplotlib import pyplot as plt

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_analytics import make_frame

from invoice_analytics.display._tabs import CHARTS
from invoice_analytics.display.panel import FilterPanel
from invoice_analytics.schema import JAKARTA

AS_OF = "2025-06-30"
EXCLUDED = ["draft", "cancelled", "proforma"]


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    """Wall times in ms of ``repeat`` calls (after one warm-up call)."""
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


def fmt(times: list[float]) -> str:
    return f"{statistics.median(times):.0f} ms ({min(times):.0f}-{max(times):.0f})"


# ----------------------------------------------------------------------------- the alternative


def naive_update(df: pd.DataFrame, *, providers: list[str], customer: str, as_of: str,
                 edges: tuple[int, ...], charts: int = 4) -> dict:
    """Everything recomputed with plain pandas, charts with a fresh pyplot figure each."""
    sub = df[df["provider"].isin(providers)]
    if customer:
        hit = sub["customer_name"].str.contains(customer, case=False, na=False, regex=False) | sub[
            "customer_id"].str.contains(customer, case=False, na=False, regex=False)
        sub = sub[hit]
    counted = sub[~sub["status"].isin(EXCLUDED)]
    open_ = counted[counted["outstanding"] > 0]
    credit = counted[counted["outstanding"] < 0]
    due = open_["due_at"].fillna(open_["issued_at"])
    today = pd.Timestamp(as_of, tz=JAKARTA).normalize()
    days = (today - due.dt.normalize()).dt.days
    lows = (0, *edges[:-1])
    labels = ["Current", *(f"{lo + 1}-{hi}" for lo, hi in zip(lows, edges, strict=True)), f">{edges[-1]}"]
    bucket = pd.cut(days, [-np.inf, 0, *edges, np.inf], labels=labels)
    aged = open_.assign(bucket=bucket)
    report = aged.pivot_table(index="customer_name", columns="bucket", values="outstanding",
                              aggfunc="sum", fill_value=0, observed=False)
    report["Credit"] = credit.groupby("customer_name")["outstanding"].sum().reindex(report.index, fill_value=0)
    report["Total"] = report.sum(axis=1)
    report = report.sort_values("Total", ascending=False)
    kpis = {
        "open_amount": int(open_["outstanding"].sum()),
        "overdue_amount": int(open_.loc[days >= 1, "outstanding"].sum()),
        "credit_amount": int(credit["outstanding"].sum()),
        "paid_ratio": float((counted["status"] == "paid").mean()),
    }
    table = report.head(25).style.format(lambda v: f"Rp {v:,.0f}").to_html()
    pngs = []
    drawers = [
        lambda ax: aged.groupby(["bucket", "provider"], observed=False)["outstanding"].sum()
        .unstack().plot.bar(stacked=True, ax=ax),
        lambda ax: aged[days >= 1].groupby("customer_name")["outstanding"].sum().nlargest(10)
        .plot.barh(ax=ax),
        lambda ax: aged.groupby(aged["issued_at"].dt.tz_localize(None).dt.to_period("M"))["outstanding"]
        .sum().plot.bar(ax=ax),
        lambda ax: counted.groupby(counted["issued_at"].dt.tz_localize(None).dt.to_period("M"))["status"]
        .apply(lambda s: (s == "paid").mean()).plot(ax=ax),
    ]
    for draw in drawers[:charts]:
        fig, ax = plt.subplots(figsize=(8, 4.5))
        draw(ax)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=96)
        plt.close(fig)
        pngs.append(buf.getvalue())
    return {"kpis": kpis, "table": table, "pngs": pngs}


# ----------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args(argv)
    n = args.repeat

    df = make_frame(args.rows, customers=args.customers)
    print(f"{len(df):,} invoices, {df['customer_name'].nunique():,} customers; "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; median of {n} (min-max)\n")

    start = time.perf_counter()
    panel = FilterPanel(df, as_of=AS_OF)
    print(f"FilterPanel(df) (index + first update): {(time.perf_counter() - start) * 1000:.0f} ms\n")

    def toggle(widget, a, b) -> Callable[[], None]:
        state = {"flip": False}

        def run() -> None:
            panel.clear_cache()  # measure a redraw, not the chart cache
            state["flip"] = not state["flip"]
            widget.value = a if state["flip"] else b
        return run

    def setter(widget, values) -> Callable[[], None]:
        def run() -> None:
            panel.clear_cache()
            widget.value = next(values)
        return run

    cycle = iter(["30/60/90/120", "15/30/45/60", "30/60/90"] * 10_000)
    dates = iter([pd.Timestamp(AS_OF).date() - pd.Timedelta(days=i % 7 + 1) for i in range(10_000)])
    scenarios = [
        ("provider filter", toggle(panel.provider, ("mayar",), ("faspay", "mayar")),
         dict(providers=["mayar"], customer=""), "provider"),
        ("customer search", toggle(panel.customer, "nusantara 001", ""),
         dict(providers=["faspay", "mayar"], customer="nusantara 001"), "customer"),
        ("status filter", toggle(panel.status, ("overdue", "unpaid"), panel.status.options), None, None),
        ("as_of date", setter(panel.as_of, dates), None, None),
        ("bucket scheme", setter(panel.scheme, cycle), None, None),
    ]
    naive_kwargs = dict(as_of=AS_OF, edges=(30, 60, 90))
    print("Full update after a control change. FilterPanel: KPIs, report table and the open tab's chart")
    print("(Aging). Alternative: plain pandas + a fresh pyplot figure per chart, with 4 charts (everything")
    print("the panel can show), 1 chart, or none.\n")
    print(f"{'change':16s} {'FilterPanel':>20s} {'pandas, 4 charts':>20s} {'pandas, 1 chart':>20s} "
          f"{'pandas, no chart':>20s}")
    few = max(3, n // 3)
    for label, change, naive, _ in scenarios:
        ours = timed(change, n)
        if naive is not None:
            alt = [fmt(timed(lambda c=c, naive=naive: naive_update(df, **naive, **naive_kwargs, charts=c), few))
                   for c in (4, 1, 0)]
            print(f"{label:16s} {fmt(ours):>20s} {alt[0]:>20s} {alt[1]:>20s} {alt[2]:>20s}")
        else:
            print(f"{label:16s} {fmt(ours):>20s}")

    # The panel's numbers against the alternative's.
    panel.provider.value = ("faspay", "mayar")
    panel.status.value = panel.status.options
    panel.customer.value = ""
    panel.scheme.value = "30/60/90"
    panel.as_of.value = pd.Timestamp(AS_OF).date()
    check = naive_update(df, providers=["faspay", "mayar"], customer="", charts=0, **naive_kwargs)["kpis"]
    for key in ("open_amount", "overdue_amount", "credit_amount"):
        assert check[key] == panel.kpis[key], (key, check[key], panel.kpis[key])

    print("\nparts of an update (FilterPanel)")
    index = panel._index
    mask = timed(lambda: index.mask(providers=["mayar"], customer="nusa"), n)
    print(f"{'  filter mask':34s} {statistics.median(mask):.1f} ms")

    def numbers_only() -> None:
        panel._draw_visible_chart = lambda: None  # type: ignore[method-assign]
        try:
            panel.refresh()
        finally:
            del panel._draw_visible_chart
    print(f"{'  KPIs + report + table (no chart)':34s} {fmt(timed(numbers_only, n))}")
    for title in CHARTS:
        def draw(title: str = title) -> None:
            panel.clear_cache()
            panel._chart_shown.clear()
            panel.chart_png(title)
        print(f"{'  chart tab ' + repr(title):34s} {fmt(timed(draw, n))}")

    def eager() -> None:
        panel.clear_cache()
        panel.refresh()
        panel.draw_all_charts()
    print(f"{'  refresh + all four charts':34s} {fmt(timed(eager, max(3, n // 3)))}")
    panel.provider.value = ("faspay", "mayar")
    panel.provider.value = ("mayar",)

    def cached() -> None:
        panel.provider.value = ("faspay", "mayar") if panel.provider.value == ("mayar",) else ("mayar",)
    print(f"{'  back to earlier settings (cached)':34s} {fmt(timed(cached, n))}")


if __name__ == "__main__":
    main()
