"""The ``invoice-analytics`` command: ``report`` (the aging report) and ``serve`` (the emulator).

    invoice-analytics report --demo --out aging.xlsx
    invoice-analytics serve --port 8765

Bad options and failed loads end with one line on stderr and a non-zero exit, never a traceback; no credential
is printed, provider text has its control characters escaped. ``report`` writes all the files asked for or none
(each under a temporary name beside its target, all renamed into place once every one is written)."""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from invoice_analytics._cli_types import (
    MAX_DAYS,
    _as_of,
    _edges,
    _month,
    _Parser,
    _provider_terms,
    _seconds,
    _suffixed,
    _whole,
)
from invoice_analytics._text import printable
from invoice_analytics.errors import DemoDataWarning, InvoiceAPIError

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from invoice_analytics._types import Terms
    from invoice_analytics.analytics._observed import HistoryLike
    from invoice_analytics.settings import Settings

# Nothing heavy is imported at module level: ``invoice-analytics --help`` loads
# neither pandas nor matplotlib; each command imports what it uses.

__all__ = ["main"]


def _arguments(args: argparse.Namespace) -> dict[str, object]:
    """The settings given on the command line (None: not given), for ``load_settings``."""
    terms: dict[str, int] | None = None
    if getattr(args, "terms_days", None) is not None:
        terms = dict.fromkeys(("faspay", "mayar"), int(args.terms_days))
    if getattr(args, "terms", None):
        terms = {**(terms or {}), **dict(args.terms)}
    return {"terms": terms, "locale": getattr(args, "locale", None), "edges": getattr(args, "edges", None),
            "store": getattr(args, "store", None), "providers": getattr(args, "provider", None)}


def _settings(args: argparse.Namespace) -> Settings:
    """The effective settings (arguments > environment > project file > user file > defaults), locale set."""
    from invoice_analytics.formatting import set_locale
    from invoice_analytics.settings import load_settings

    settings = load_settings(_arguments(args))
    set_locale(settings.locale)
    return settings


def _settings_options(command: argparse.ArgumentParser) -> None:
    """The options every analysing command takes; their defaults come from the settings files."""
    command.add_argument("--edges", type=_edges, default=None,
                         help="bucket edges in days (default: the settings, else 30,60,90)")
    command.add_argument("--terms-days", type=_whole("--terms-days", 0, MAX_DAYS), default=None,
                         help="days after issue an invoice without due date is due, every provider "
                              "(default: the settings, else 0)")
    command.add_argument("--terms", type=_provider_terms, action="append", default=None, metavar="PROVIDER=DAYS",
                         help="terms of one provider, e.g. mayar=14 (repeatable; overrides --terms-days for it)")
    command.add_argument("--locale", choices=("id", "en"), default=None,
                         help="how numbers are written: id (Rp 1.234.567) or en (Rp 1,234,567); "
                              "default: the settings, else id")


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
    report.add_argument("--as-of", type=_as_of, default=None,
                        help="aging date YYYY-MM-DD (ISO 8601, 1900-01-01 to 2199-12-31), default today (Jakarta); "
                             "for demo data, their date")
    report.add_argument("--basis", choices=("due", "issued"), default="due", help="age from the due or issue date")
    _settings_options(report)
    report.add_argument("--store", type=Path, default=None, metavar="DIR",
                        help="read the invoices from a history store (as known on --as-of) instead of loading them")
    report.add_argument("--history", action="store_true",
                        help="also the aging trend at each month end and days to pay, from --store, or with "
                             "--demo from a demo store (the six months before the sample data's date)")
    report.add_argument("--forecast", action="store_true",
                        help="also the cash-in forecast of the next 8 weeks and its backtest, from --store, or "
                             "with --demo from a demo store")
    refresh = commands.add_parser("refresh", help="refresh a history store: one summary line, exit 0 or 1 (cron)")
    refresh.add_argument("--store", type=Path, required=True, metavar="DIR", help="the store's directory")
    refresh.add_argument("--provider", action="append", choices=("faspay", "mayar"),
                         help="only this provider (repeatable); default: every provider with credentials set")
    refresh.add_argument("--full", action="store_true", help="a full reconciliation instead of an incremental one")
    refresh.add_argument("--demo", action="store_true",
                         help="build a demo store at DIR: the six months before the sample data's date")
    refresh.add_argument("--faspay-url", default=None, help="Faspay origin (default: FASPAY_BASE_URL)")
    refresh.add_argument("--mayar-url", default=None, help="Mayar origin (default: MAYAR_BASE_URL)")
    pack = commands.add_parser("pack", help="write the month-end AR pack: a workbook and a PDF")
    pack.add_argument("--store", type=Path, default=None, metavar="DIR",
                      help="the history store (default: the settings' store)")
    pack.add_argument("--demo", action="store_true",
                      help="use the demo history store (the six months before the sample data's date; DEMO DATA)")
    pack.add_argument("--month", type=_month, required=True, metavar="YYYY-MM", help="the month closed")
    pack.add_argument("--out", type=_suffixed("--out", ".xlsx"), default=None,
                      help="workbook path (default pack-YYYY-MM.xlsx)")
    pack.add_argument("--pdf", type=_suffixed("--pdf", ".pdf"), default=None,
                      help="PDF path (default pack-YYYY-MM.pdf)")
    pack.add_argument("--provider", action="append", choices=("faspay", "mayar"),
                      help="only this provider (repeatable; default: the settings, else both)")
    _settings_options(pack)
    config = commands.add_parser("config", help="show the effective settings and where each came from")
    _settings_options(config)
    config.add_argument("--store", type=Path, default=None, metavar="DIR", help="a history store's directory")
    config.add_argument("--provider", action="append", choices=("faspay", "mayar"), help="a default provider")
    for name, words in (("verify", "check every file of a history store"),
                        ("repair", "rebuild what is derived in a history store (checkpoints), name what is lost")):
        check = commands.add_parser(name, help=f"{words}: one summary line, exit 0, or 1 when there are problems")
        check.add_argument("--store", type=Path, required=True, metavar="DIR", help="the store's directory")
    serve = commands.add_parser("serve", help="serve both providers' APIs locally from the sample data")
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
    commands: dict[str, Callable[[argparse.Namespace], int]] = {
        "refresh": _refresh, "report": _report, "config": _config, "pack": _pack, "verify": _check, "repair": _check}
    try:
        return commands[args.command](args)
    except (InvoiceAPIError, ImportError, OSError, ValueError) as exc:
        print(printable(f"invoice-analytics {args.command}: error: {exc}"), file=sys.stderr)
        return 1


def _config(args: argparse.Namespace) -> int:
    """``invoice-analytics config``: the effective settings, each with where it came from."""
    from invoice_analytics.settings import ENVIRONMENT, project_file, settings_table, user_file

    settings = _settings(args)
    print(settings_table(settings))
    print(f"\nPrecedence: arguments > environment ({', '.join(ENVIRONMENT.values())}) > project file "
          f"{project_file()} > user file {user_file()} > defaults.")
    for note in settings.notes():
        print(f"Note: {note}")
    return 0


def _pack(args: argparse.Namespace) -> int:
    """``invoice-analytics pack``: the month-end pack of a store (or the demo store) as a workbook and a PDF."""
    from invoice_analytics.history import InvoiceStore
    from invoice_analytics.pack import month_end_pack

    settings = _settings(args)
    if args.demo and args.store is not None:
        raise ValueError("give --store DIR or --demo, not both")
    if args.demo:
        from invoice_analytics.history._demo import open_demo_store

        store = open_demo_store()
    elif settings.store is not None:
        if not settings.store.is_dir():
            raise ValueError(f"no history store at {settings.store} ({settings.origin['store']})")
        store = InvoiceStore(settings.store)
    else:
        raise ValueError("give --store DIR (or set store in invoice-analytics.toml), or --demo")
    pack = month_end_pack(store, args.month, terms_days=settings.terms, edges=settings.edges,
                          locale=settings.locale, providers=list(settings.providers))
    out = args.out or Path(f"pack-{args.month}.xlsx")
    pdf = args.pdf or out.with_suffix(".pdf")
    pack.to_excel(out)
    pack.to_pdf(pdf)
    summary = pack.sections["Summary by provider"]
    print(f"Month-end AR pack as of {pack.as_of} from {pack.source}")
    for note in pack.notes:
        print(f"Note: {note}")
    total = int(summary.loc["Total", "Total"]) if "Total" in summary.index else 0
    from invoice_analytics.formatting import format_count, format_rupiah

    print(f"Open balance {format_rupiah(total, compact=False)}; "
          f"{format_count(len(pack.sections['Collections']))} customers to chase, each with a statement.")
    for name, why in pack.omitted.items():
        print(f"Left out: {name} ({why})")
    print(f"Wrote {out} and {pdf}")
    return 0


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
    print(printable(f"{args.store}: {result}"))  # one line, whatever the provider's ids hold
    return 0


class _Outputs:
    """The report's files, written under temporary names and renamed into place together (all or none)."""

    def __init__(self) -> None:
        self.staged: dict[Path, Path] = {}

    def stage(self, final: Path) -> Path:
        """Where to write ``final`` for now: a hidden file beside it, with the same suffix."""
        temporary = final.with_name(f".{final.name}.{os.getpid()}.partial{final.suffix}")
        self.staged[final] = temporary
        return temporary

    def commit(self) -> None:
        for final, temporary in self.staged.items():
            os.replace(temporary, final)
        self.staged.clear()

    def discard(self) -> None:
        for temporary in self.staged.values():
            temporary.unlink(missing_ok=True)
        self.staged.clear()


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
    outputs = _Outputs()
    try:
        code = _report_to(args, outputs)
        outputs.commit()
    finally:
        outputs.discard()  # a failed step: none of the files written so far is kept
    return code


def _report_to(args: argparse.Namespace, outputs: _Outputs) -> int:
    from invoice_analytics._dates import jakarta_date
    from invoice_analytics.display.charts import plot_aging
    from invoice_analytics.report import present_providers, summary_table, write_workbook
    from invoice_analytics.schema import DEMO_SOURCE, PROVIDERS
    from invoice_analytics.settings import terms_notes
    from invoice_analytics.sources import check_environment, configured_providers, load_invoices

    chart = args.chart or args.out.with_suffix(".png")  # a .png: never the .xlsx workbook
    settings = _settings(args)
    if not args.provider and settings.origin["providers"] != "default":
        args.provider = list(settings.providers)
    wanted = args.provider or list(PROVIDERS)
    demo: bool | None = True if args.demo else None
    past = False  # demo data aged before their date: read from the demo store
    if args.history and not args.demo and args.store is None:
        raise ValueError("--history reads a history store: give --store DIR, or --demo for a demo store")
    if args.forecast and not args.demo and args.store is None:
        raise ValueError("--forecast reads a history store: give --store DIR, or --demo for a demo store")
    if not args.demo and args.store is None:
        check_environment()  # a misspelled or half-set credential: an error, never the sample data
        missing = [p for p in wanted if p not in configured_providers()]
        if args.provider and missing:
            raise ValueError(f"no credentials set for {', '.join(missing)} (see the README), or use --demo")
    if args.store is not None:  # the invoices as known on --as-of (default: the last refresh)
        from invoice_analytics.history import InvoiceStore

        store = InvoiceStore(args.store)
        df = store.as_of(args.as_of) if args.as_of else store.current()
        last = store.refreshes()["observed_at"].max()
        if args.as_of and args.as_of > last.date():  # a notice, never a silent clamp
            print(f"Note: {args.store}'s last refresh was on {last:%Y-%m-%d %H:%M} WIB: the balances shown for "
                  f"{args.as_of} are those known then.", file=sys.stderr)
        if args.provider:
            df = df[df["provider"].isin(args.provider).to_numpy(dtype=bool)]
        present = [p for p in PROVIDERS if (df["provider"] == p).any()]
        if df.attrs.get("source") != DEMO_SOURCE:  # a demo store stays DEMO DATA
            df.attrs["source"] = f"history store {args.store} ({', '.join(present)})"
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DemoDataWarning)  # the summary says DEMO DATA instead
            df = load_invoices(wanted, demo=demo, faspay_base_url=args.faspay_url, mayar_base_url=args.mayar_url)
        if demo and args.as_of and args.as_of < jakarta_date(df.attrs["as_of"]):
            from invoice_analytics.history._demo import open_demo_store  # the demo's past, as known on --as-of

            df = open_demo_store().as_of(args.as_of)
            df = df[df["provider"].isin(wanted).to_numpy(dtype=bool)]
            past = True
    is_demo = df.attrs.get("source") == DEMO_SOURCE
    edges = settings.edges
    dated = df.attrs.get("as_of") if is_demo else None  # demo data: aged at their own date, never after it
    as_of = args.as_of or jakarta_date(dated)
    terms: dict[str, int] = settings.terms
    write_workbook(df, outputs.stage(args.out), as_of, edges=edges, basis=args.basis, terms_days=terms)
    ax = plot_aging(df, as_of, edges=edges, basis=args.basis, terms_days=terms)
    _save_png(ax, outputs.stage(chart))
    if args.pdf:
        from invoice_analytics.pdf import write_pdf

        write_pdf(df, outputs.stage(args.pdf), as_of, edges=edges, basis=args.basis, terms_days=terms)
    source = ("DEMO DATA: the demo history store (the sample data's past), as known then" if past
              else "DEMO DATA: embedded emulator (sample data)") if is_demo else str(df.attrs.get("source", ""))
    _say(f"{len(df):,} invoices from {source}; aging as of {as_of.isoformat()}\n")
    _say(summary_table(df, as_of, edges=edges, basis=args.basis, terms_days=terms))
    for note in terms_notes(terms, present_providers(df)):
        _say(f"\nNote: {note}")
    trend_chart = _history(args, edges, terms, outputs) if args.history else None
    if args.forecast:
        _forecast(args, terms)
    print(f"\nWrote {args.out}, {chart}" + (f", {args.pdf}" if args.pdf and trend_chart else "")
          + (f" and {trend_chart or args.pdf}" if trend_chart or args.pdf else ""))
    return 0


def _history(args: argparse.Namespace, edges: Sequence[int], terms: Terms, outputs: _Outputs) -> Path:
    """``report --history``: the trend and days to pay of ``--store`` or of a demo store; the chart's path."""
    from invoice_analytics.history import InvoiceStore
    from invoice_analytics.history._demo import DEMO_DAYS, open_demo_store

    if args.store is not None:
        print(f"\nHistory store {args.store}")
        return _store_history(InvoiceStore(args.store), f"Open amount by aging bucket, history store {args.store}",
                              args, edges, terms, outputs)
    print(f"\nDEMO DATA history: the sample data as they stood week by week over the {DEMO_DAYS} days before their "
          "date (a made-up past)")
    return _store_history(open_demo_store(), "Open amount by aging bucket (the sample data's made-up past)",
                          args, edges, terms, outputs)


def _forecast(args: argparse.Namespace, terms: Terms) -> None:
    """``report --forecast``: the forecast of ``--store`` (or of a demo store) from ``--as-of`` (default: its
    last refresh day), its backtest, and a chart beside ``--out``."""
    from invoice_analytics._forecast_summary import forecast_summary
    from invoice_analytics.display._forecast_chart import plot_forecast
    from invoice_analytics.history import InvoiceStore
    from invoice_analytics.history._demo import open_demo_store

    def run(store: HistoryLike) -> None:
        day = args.as_of or store.refreshes()["observed_at"].max().date()
        text, frame = forecast_summary(store, day, terms_days=terms)
        print(f"\n{text}")
        path: Path = args.out.with_name(args.out.stem + "-forecast.png")
        _save_png(plot_forecast(frame), path)
        print(f"Wrote {path}")

    if args.store is not None:
        run(InvoiceStore(args.store))
        return
    print("\nDEMO DATA forecast: the demo store (the six months before the sample data's date)")
    run(open_demo_store())


def _store_history(store: HistoryLike, title: str, args: argparse.Namespace, edges: Sequence[int],
                   terms: Terms, outputs: _Outputs) -> Path:
    """Print the store's month-end trend and days to pay; write the trend chart beside ``--out``."""
    from invoice_analytics._history_summary import history_summary, month_end_trend
    from invoice_analytics.display._trend_chart import plot_aging_trend

    trend = month_end_trend(store, edges=edges, basis=args.basis, terms_days=terms)
    _say(history_summary(store, trend))
    trend_chart: Path = args.out.with_name(args.out.stem + "-trend.png")
    _save_png(plot_aging_trend(trend, title=title), outputs.stage(trend_chart))
    return trend_chart


def _say(text: str) -> None:
    """Print ``text`` (which may quote provider text) line by line, control characters escaped."""
    print("\n".join(printable(line) for line in text.split("\n")))


def _save_png(ax: Axes, path: Path) -> None:
    """The figure of a chart function's ``ax`` (drawn on a new figure) as a PNG at ``path``, atomically."""
    from invoice_analytics.export import atomic_path

    figure = ax.get_figure(root=True)
    assert figure is not None  # the chart functions draw on a new figure
    with atomic_path(path) as temporary:
        figure.savefig(temporary, format="png", dpi=120, bbox_inches="tight")


if __name__ == "__main__":
    raise SystemExit(main())
