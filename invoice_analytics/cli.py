"""The ``invoice-analytics`` command: ``report`` (the aging report) and ``serve`` (the emulator).

    invoice-analytics report --demo --out aging.xlsx
    invoice-analytics serve --port 8765

Bad options and failed loads end with one line on stderr and a non-zero
exit, never a traceback; no credential is ever printed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from invoice_analytics.errors import DemoDataWarning, InvoiceAPIError

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from invoice_analytics._types import Terms
    from invoice_analytics.analytics._observed import HistoryLike

# Nothing heavy is imported at module level: ``invoice-analytics --help`` loads
# neither pandas nor matplotlib; each command imports what it uses.

__all__ = ["main"]


#: The largest number of days an option takes (a hundred years).
MAX_DAYS = 36_500


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, not usage + traceback
        self.exit(2, f"{self.prog}: error: {message}\n")


def _edges(text: str) -> tuple[int, ...]:
    try:
        edges = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--edges takes increasing whole days like 30,60,90, not {text!r}") from None
    if not edges or any(not 0 < e <= MAX_DAYS for e in edges) or list(edges) != sorted(set(edges)):
        raise argparse.ArgumentTypeError(f"--edges takes increasing positive days like 30,60,90, not {text!r}")
    return edges


def _whole(name: str, low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number in ``[low, high]``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} takes a whole number, not {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{name} must be between {low} and {high}, not {value}")
        return value

    return parse


def _provider_terms(text: str) -> tuple[str, int]:
    """An argparse type: ``provider=days``."""
    provider, _, days = text.partition("=")
    provider = provider.strip().lower()
    if provider not in ("faspay", "mayar") or not days.strip().isdigit() or int(days) > MAX_DAYS:
        raise argparse.ArgumentTypeError(
            f"--terms takes a provider and whole days 0 to {MAX_DAYS} like mayar=14, not {text!r}")
    return provider, int(days)


def _terms(args: argparse.Namespace) -> int | dict[str, int]:
    """The report's terms: --terms-days for all, or a mapping by provider when --terms is given."""
    if not args.terms:
        return int(args.terms_days)
    terms = {p: int(args.terms_days) for p in ("faspay", "mayar")}
    terms.update(dict(args.terms))
    return terms


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--latency takes seconds, not {text!r}") from None
    if not 0 <= value <= 60:
        raise argparse.ArgumentTypeError(f"--latency must be between 0 and 60 seconds, not {text}")
    return value


def _suffixed(name: str, suffix: str) -> Callable[[str], Path]:
    """An argparse type: a path ending in ``suffix``."""

    def parse(text: str) -> Path:
        path = Path(text)
        if path.suffix.lower() != suffix:
            raise argparse.ArgumentTypeError(f"{name} must be a {suffix} file, not {text!r}")
        return path

    return parse


def _as_of(text: str) -> dt.date:
    from invoice_analytics._dates import jakarta_date

    try:
        return jakarta_date(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--as-of takes a date like 2026-11-21, not {text!r}") from None


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="invoice-analytics", description="Faspay Billing and Mayar invoice analytics.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    report = commands.add_parser("report", help="write the aging report workbook, a chart and a summary")
    report.add_argument("--demo", action="store_true",
                        help="start the embedded emulator and load both providers from it")
    report.add_argument("--provider", action="append", choices=("faspay", "mayar"),
                        help="only this provider (repeatable); default: every provider with credentials set")
    report.add_argument("--faspay-url", default=None,
                        help="Faspay origin (default: FASPAY_BASE_URL, else the loader's default)")
    report.add_argument("--mayar-url", default=None,
                        help="Mayar origin (default: MAYAR_BASE_URL, else https://api.mayar.id)")
    report.add_argument("--out", type=_suffixed("--out", ".xlsx"), default=Path("aging.xlsx"),
                        help="workbook path, .xlsx (default aging.xlsx)")
    report.add_argument("--chart", type=_suffixed("--chart", ".png"), default=None,
                        help="PNG path (default: --out with .png)")
    report.add_argument("--pdf", type=_suffixed("--pdf", ".pdf"), default=None,
                        help="also write a printable PDF (A4 landscape) to this path")
    report.add_argument("--as-of", type=_as_of, default=None, help="aging date, default today (Asia/Jakarta)")
    report.add_argument("--edges", type=_edges, default=None, help="bucket edges in days, default 30,60,90")
    report.add_argument("--basis", choices=("due", "issued"), default="due", help="age from the due or issue date")
    report.add_argument("--terms-days", type=_whole("--terms-days", 0, MAX_DAYS), default=0,
                        help="days after issue an invoice without due date is due, every provider (default 0)")
    report.add_argument("--terms", type=_provider_terms, action="append", default=None, metavar="PROVIDER=DAYS",
                        help="terms of one provider, e.g. mayar=14 (repeatable; overrides --terms-days for it)")
    report.add_argument("--store", type=Path, default=None, metavar="DIR",
                        help="read the invoices from a history store (as known on --as-of) instead of loading them")
    report.add_argument("--history", action="store_true",
                        help="also the aging trend at each month end and days to pay, from --store, or with "
                             "--demo from a demo store (the sample data, then six simulated months)")
    refresh = commands.add_parser("refresh", help="refresh a history store: one summary line, exit 0 or 1 (cron)")
    refresh.add_argument("--store", type=Path, required=True, metavar="DIR", help="the store's directory")
    refresh.add_argument("--provider", action="append", choices=("faspay", "mayar"),
                         help="only this provider (repeatable); default: every provider with credentials set")
    refresh.add_argument("--full", action="store_true", help="a full reconciliation instead of an incremental one")
    refresh.add_argument("--demo", action="store_true",
                         help="build a demo store at DIR: the sample data, then six simulated months")
    refresh.add_argument("--faspay-url", default=None, help="Faspay origin (default: FASPAY_BASE_URL)")
    refresh.add_argument("--mayar-url", default=None, help="Mayar origin (default: MAYAR_BASE_URL)")
    for name, words in (("verify", "check every file of a history store"),
                        ("repair", "rebuild what is derived in a history store (checkpoints), name what is lost")):
        check = commands.add_parser(name, help=f"{words}: one summary line, exit 0, or 1 when there are problems")
        check.add_argument("--store", type=Path, required=True, metavar="DIR", help="the store's directory")
    serve = commands.add_parser("serve", help="serve both providers' APIs locally from data-samples/")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=_whole("--port", 0, 65535), default=8765)
    serve.add_argument("--rate-limit", type=_whole("--rate-limit", 0, 100_000), default=20,
                       help="Mayar requests per minute per IP; 0 = none")
    serve.add_argument("--latency", type=_seconds, default=0.0, help="seconds to wait before each answer (0-60)")
    serve.add_argument("--cursor", choices=("strict", "inclusive"), default="strict",
                       help="how Mayar reads startingAfter: createdAt < cursor (strict) or <=")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``invoice-analytics`` console script."""
    args = _parser().parse_args(argv)
    if args.command == "serve":
        from invoice_analytics.emulator import serve

        try:
            serve(args.host, args.port, mayar_rate_limit_per_minute=args.rate_limit or None,
                  latency=args.latency, mayar_cursor=args.cursor)
        except OSError as exc:  # port in use, unknown host, no permission
            print(f"invoice-analytics serve: error: cannot serve on {args.host}:{args.port}: "
                  f"{exc.strerror or exc}", file=sys.stderr)
            return 1
        return 0
    try:
        if args.command in ("verify", "repair"):
            return _check(args)
        return _refresh(args) if args.command == "refresh" else _report(args)
    except (InvoiceAPIError, ImportError, OSError, ValueError) as exc:
        print(f"invoice-analytics {args.command}: error: {exc}", file=sys.stderr)
        return 1


def _refresh(args: argparse.Namespace) -> int:
    """One refresh of the store at ``--store`` (or a demo store built there): one summary line."""
    from invoice_analytics.history import InvoiceStore
    from invoice_analytics.history._demo import demo_store
    from invoice_analytics.sources import check_environment, origin_options

    if args.demo:
        store = demo_store(args.store)
        print(f"{args.store}: demo store built, {len(store.refreshes())} provider refreshes")
        return 0
    check_environment()  # a misspelled or half-set credential: an error, never a silent skip
    store = InvoiceStore(args.store)
    faspay, mayar = origin_options(args.faspay_url, args.mayar_url)
    result = store.refresh(args.provider, full=args.full, faspay=faspay or None, mayar=mayar or None,
                           progress=False)
    print(f"{args.store}: {result}")
    return 0


def _check(args: argparse.Namespace) -> int:
    """``verify`` or ``repair`` of the store at ``--store``: one summary line; 1 when problems are left."""
    from invoice_analytics.history import InvoiceStore

    store = InvoiceStore(args.store)
    if args.command == "repair":
        result = store.repair()
        print(f"{args.store}: {result}")
        return 1 if result.problems or result.lost else 0
    problems = store.verify()
    if not problems:
        print(f"{args.store}: ok, no problem found")
        return 0
    shown = "; ".join(f"{p.kind} {p.path}" for p in problems[:5]) + ("; ..." if len(problems) > 5 else "")
    derived = sum(p.derived for p in problems)
    print(f"{args.store}: {len(problems)} problem(s), {derived} fixed by repair: {shown}")
    return 1


def _report(args: argparse.Namespace) -> int:
    from invoice_analytics._dates import jakarta_date
    from invoice_analytics.analytics import DEFAULT_EDGES
    from invoice_analytics.display.charts import plot_aging
    from invoice_analytics.report import summary_table, write_workbook
    from invoice_analytics.schema import DEMO_SOURCE, PROVIDERS
    from invoice_analytics.sources import check_environment, configured_providers, load_invoices

    chart = args.chart or args.out.with_suffix(".png")  # a .png: never the .xlsx workbook
    wanted = args.provider or list(PROVIDERS)
    demo: bool | None = True if args.demo else None
    if args.history and not args.demo and args.store is None:
        raise ValueError("--history reads a history store: give --store DIR, or --demo for a demo store")
    if not args.demo and args.store is None:
        check_environment()  # a misspelled or half-set credential: an error, never the sample data
        missing = [p for p in wanted if p not in configured_providers()]
        if args.provider and missing:
            raise ValueError(f"no credentials set for {', '.join(missing)} (see the README), or use --demo")
    if args.store is not None:  # the invoices as known on --as-of (default: the last refresh)
        from invoice_analytics.history import InvoiceStore

        store = InvoiceStore(args.store)
        df = store.as_of(args.as_of) if args.as_of else store.current()
        if args.provider:
            df = df[df["provider"].isin(args.provider).to_numpy(dtype=bool)]
        present = [p for p in PROVIDERS if (df["provider"] == p).any()]
        if df.attrs.get("source") != DEMO_SOURCE:  # a demo store stays DEMO DATA
            df.attrs["source"] = f"history store {args.store} ({', '.join(present)})"
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DemoDataWarning)  # the summary says DEMO DATA instead
            df = load_invoices(wanted, demo=demo, faspay_base_url=args.faspay_url, mayar_base_url=args.mayar_url)
    is_demo = df.attrs.get("source") == DEMO_SOURCE
    edges = args.edges or DEFAULT_EDGES
    as_of = args.as_of or jakarta_date(None)
    terms = _terms(args)
    write_workbook(df, args.out, as_of, edges=edges, basis=args.basis, terms_days=terms)
    ax = plot_aging(df, as_of, edges=edges, basis=args.basis, terms_days=terms)
    _save_png(ax, chart)
    if args.pdf:
        from invoice_analytics.pdf import write_pdf

        write_pdf(df, args.pdf, as_of, edges=edges, basis=args.basis, terms_days=terms)
    source = "DEMO DATA: embedded emulator (sample data)" if is_demo else str(df.attrs.get("source", ""))
    print(f"{len(df):,} invoices from {source}; aging as of {as_of.isoformat()}\n")
    print(summary_table(df, as_of, edges=edges, basis=args.basis, terms_days=terms))
    trend_chart = _history(args, edges, terms) if args.history else None
    print(f"\nWrote {args.out}, {chart}" + (f", {args.pdf}" if args.pdf and trend_chart else "")
          + (f" and {trend_chart or args.pdf}" if trend_chart or args.pdf else ""))
    return 0


def _history(args: argparse.Namespace, edges: Sequence[int], terms: Terms) -> Path:
    """``report --history``: the trend and days to pay of ``--store`` or of a demo store; the chart's path."""
    import tempfile

    from invoice_analytics.history import InvoiceStore
    from invoice_analytics.history._demo import DEMO_DAYS, demo_store

    if args.store is not None:
        print(f"\nHistory store {args.store}")
        return _store_history(InvoiceStore(args.store), f"Open amount by aging bucket, history store {args.store}",
                              args, edges, terms)
    print(f"\nDEMO DATA history: the sample data, then {DEMO_DAYS} simulated days refreshed weekly "
          "(made-up figures, dated after the sample)")
    with tempfile.TemporaryDirectory(prefix="invoice-analytics-demo-") as scratch:
        return _store_history(demo_store(scratch), "Open amount by aging bucket (simulated after the sample date)",
                              args, edges, terms)


def _store_history(store: HistoryLike, title: str, args: argparse.Namespace, edges: Sequence[int],
                   terms: Terms) -> Path:
    """Print the store's month-end trend and days to pay; write the trend chart beside ``--out``."""
    from invoice_analytics._history_summary import history_summary, month_end_trend
    from invoice_analytics.display._trend_chart import plot_aging_trend

    trend = month_end_trend(store, edges=edges, basis=args.basis, terms_days=terms)
    print(history_summary(store, trend))
    trend_chart: Path = args.out.with_name(args.out.stem + "-trend.png")
    _save_png(plot_aging_trend(trend, title=title), trend_chart)
    return trend_chart


def _save_png(ax: Axes, path: Path) -> None:
    """The figure of a chart function's ``ax`` (drawn on a new figure) as a PNG at ``path``, atomically."""
    from invoice_analytics.export import atomic_path

    figure = ax.get_figure(root=True)
    assert figure is not None  # the chart functions draw on a new figure
    with atomic_path(path) as temporary:
        figure.savefig(temporary, format="png", dpi=120, bbox_inches="tight")


if __name__ == "__main__":
    raise SystemExit(main())
