"""``month_end_pack``: every section of the month-end AR pack, from a store (or a frame), as frames."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from invoice_analytics.analytics._observed import HistoryLike, _end_of_day
from invoice_analytics.pack import _sections as S
from invoice_analytics.pack import _statements as T
from invoice_analytics.pack._known import KnownAt
from invoice_analytics.report import balance_note
from invoice_analytics.schema import DEMO_SOURCE, JAKARTA
from invoice_analytics.settings import Settings, load_settings

__all__ = ["MonthEndPack", "month_end", "month_end_pack"]

#: Sections that need a history store, and why.
_NEEDS_HISTORY = {
    "Comparative aging": "needs the previous month end's balances: a history store",
    "Moved into or out of >90": "needs the previous month end's aging: a history store",
    "Changes in the month": "needs two observations of each invoice: a history store",
    "Changes (detail)": "needs two observations of each invoice: a history store",
    "Trend": "needs the balances at past month ends: a history store",
    "Roll rates": "needs the invoices at two dates: a history store",
    "DSO by provider": "Faspay's amounts are observed over time: a history store",
    "Days to pay by customer": "payments are dated by the refreshes around them: a history store",
    "Cash-in forecast": "each customer's payment behaviour is learnt from the payments a store saw",
    "Statement activity": "payments are seen between two refreshes: a history store",
}


def month_end(month: str | pd.Period | dt.date) -> dt.date:
    """The last day of ``month`` ("2026-10", a Period or any day in it)."""
    import re

    if isinstance(month, str) and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month.strip()):
        raise ValueError(f"month must be a month like 2026-10, not {month!r}")
    try:
        period = pd.Period(month, freq="M")
    except (ValueError, TypeError):
        raise ValueError(f"month must be a month like 2026-10, not {month!r}") from None
    last: dt.date = period.end_time.date()
    return last


@dataclass
class MonthEndPack:
    """The month-end pack: its sections (name -> frame, in print order), what was left out and why."""

    as_of: dt.date
    previous: dt.date
    settings: Settings
    source: str
    is_demo: bool
    sections: dict[str, pd.DataFrame]
    omitted: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    providers: list[str] = field(default_factory=list)

    @property
    def terms(self) -> dict[str, int]:
        return self.settings.terms

    def to_excel(self, path: str | Path) -> Path:
        """Write the pack's workbook (one sheet per section, set up to print) to ``path``."""
        from invoice_analytics.pack._workbook import write_pack_workbook

        return write_pack_workbook(self, path)

    def to_pdf(self, path: str | Path) -> Path:
        """Write the pack's PDF (typeset tables, numbered pages, a statement per customer) to ``path``."""
        from invoice_analytics.pack._pdf import write_pack_pdf

        return write_pack_pdf(self, path)


def _is_store(source: object) -> bool:
    return all(hasattr(source, name) for name in ("history", "as_of", "refreshes"))


def _store_frame(store: HistoryLike, day: dt.date, providers: Sequence[str]) -> tuple[KnownAt, pd.DataFrame, str]:
    refreshed = store.refreshes()["observed_at"]
    if len(refreshed) == 0:
        raise ValueError("the store has no refreshes yet: refresh it first")
    first = pd.Timestamp(refreshed.min()).tz_convert(JAKARTA).date()
    last = pd.Timestamp(refreshed.max()).tz_convert(JAKARTA).date()
    if day > last:
        full = (pd.Period(last, freq="M") - (0 if last == month_end(last) else 1))
        raise ValueError(f"the month ending {day} is not over in the store: its last refresh was on {last} "
                         f"(the last full month is {full})")
    if day < first:
        raise ValueError(f"the store's first refresh was on {first}, after the month ending {day}")
    known = KnownAt(store, _end_of_day(day), providers)
    seen = known.refreshes()["observed_at"].max()
    df = known.as_of(_end_of_day(day))
    note = (f"Balances are those the history store knew at the end of {day} (its last refresh by then: "
            f"{pd.Timestamp(seen).tz_convert(JAKARTA):%Y-%m-%d %H:%M} WIB).")
    return known, df, note


def month_end_pack(
    source: HistoryLike | pd.DataFrame,
    month: str | pd.Period | dt.date,
    *,
    terms_days: int | dict[str, int] | None = None,
    edges: Sequence[int] | None = None,
    locale: str | None = None,
    providers: Sequence[str] | None = None,
    trend_months: int = 12,
) -> MonthEndPack:
    """The month-end AR pack of ``month``, from a history store or a frame (:doc:`/guide/month-end-pack`).

    Sections (in print order): Cover, Summary by provider, Comparative aging, Moved into or out of >90, Changes
    in the month, Changes (detail), Aging by customer, Trend, Roll rates, DSO by provider, Days to pay by
    customer, Cash-in forecast, Collections, Statements, Statement activity; each also a function of
    :mod:`invoice_analytics.pack`. Every figure of a store is the one known at the end of the month. From a
    frame, the sections that need a history are left out and named in ``omitted`` with the reason.

    Parameters
    ----------
    source : InvoiceStore (or any HistoryLike) or pandas.DataFrame
        The history store, or a frame of invoices (a load).
    month : str, pandas.Period or date
        The month closed ("2026-10"); the pack is as of its last day.
    terms_days, edges, locale, providers : optional
        Override the settings (:func:`~invoice_analytics.settings.load_settings`:
        environment, project file, user file, defaults).
    trend_months : int, default 12
        Month ends in the trend.

    Returns
    -------
    MonthEndPack

    Raises
    ------
    ValueError
        A bad month, or a month not over in the store (its last refresh is before the month end) or before
        the store's first refresh.
    """
    settings = load_settings({"terms": terms_days, "edges": tuple(edges) if edges else None, "locale": locale,
                              "providers": list(providers) if providers else None})
    day = month_end(month)
    previous = S.previous_month_end(day)
    wanted = list(settings.providers)
    terms: dict[str, int] = settings.terms
    edges_ = settings.edges
    sections: dict[str, pd.DataFrame] = {}
    omitted: dict[str, str] = {}
    notes: list[str] = []
    store: KnownAt | None = None
    if _is_store(source):
        store, df, note = _store_frame(source, day, wanted)
        notes.append(note)
        source_name = "DEMO DATA (a simulated history store)" if df.attrs.get("source") == DEMO_SOURCE else (
            f"history store {getattr(source, 'path', '')}".strip())
    elif isinstance(source, pd.DataFrame):
        df = source[source["provider"].astype(str).isin(wanted).to_numpy(dtype=bool)]
        df.attrs = dict(source.attrs)
        read = "T" in str(df.attrs.get("as_of", ""))  # a store's reading (store.as_of), not a load
        source_name = ("DEMO DATA (" + ("a simulated history store" if read else "embedded sample invoices") + ")"
                       if df.attrs.get("source") == DEMO_SOURCE else
                       f"{'a history store reading' if read else 'a load'} "
                       f"({df.attrs.get('source') or 'origin not recorded'})")
        notes.append(balance_note(df, day))  # true for the frame: a store's reading, a load or the demo sample
        omitted = dict(_NEEDS_HISTORY)
    else:
        raise TypeError(f"source must be an InvoiceStore (or HistoryLike) or a DataFrame, not {type(source).__name__}")
    is_demo = df.attrs.get("source") == DEMO_SOURCE
    present = [p for p in wanted if (df["provider"].astype(str) == p).any()]
    from invoice_analytics.settings import terms_notes

    notes += terms_notes(terms, present)
    if is_demo:
        notes.insert(0, "DEMO DATA: made-up invoices for a demonstration, not a real ledger.")
    sections["Summary by provider"] = S.provider_summary(df, day, edges=edges_, terms_days=terms)
    if store is not None:
        first = pd.Timestamp(store.refreshes()["observed_at"].min()).tz_convert(JAKARTA).date()
        if previous < first:
            for name in ("Comparative aging", "Moved into or out of >90"):
                omitted[name] = (f"the store's first refresh ({first}) is after the previous month end "
                                 f"({previous}): nothing is known then")
            notes.append(f"The store's first refresh was on {first}: the changes, roll rates and statement "
                         f"activity run from the end of that day, not from {previous}.")
        else:
            sections["Comparative aging"] = S.comparative_aging(store, day, edges=edges_, terms_days=terms)
            sections["Moved into or out of >90"] = S.over_90_movers(store, day, edges=edges_, terms_days=terms)
        summary, detail = S.month_changes(store, day)
        sections["Changes in the month"] = summary
        sections["Changes (detail)"] = detail
    sections["Aging by customer"] = S.aging_by_customer(df, day, edges=edges_, terms_days=terms)
    if store is not None:
        sections["Trend"] = S.trend_table(store, day, months=trend_months, edges=edges_, terms_days=terms)
        sections["Roll rates"] = S.roll_rate_matrix(store, day, edges=edges_, terms_days=terms)
        sections["DSO by provider"] = S.dso_by_provider(store, day)
        sections["Days to pay by customer"] = S.days_to_pay_by_customer(store, day)
        sections["Cash-in forecast"] = S.cash_in_forecast(store, day)
    sections["Collections"] = S.collections(df, day, terms_days=terms)
    sections["Statements"] = T.statement_items(df, day, store=store, edges=edges_, terms_days=terms)
    if store is not None:
        sections["Statement activity"] = T.statement_activity(store, sections["Collections"], day,
                                                              sections["Changes (detail)"])
    return MonthEndPack(as_of=day, previous=previous, settings=settings, source=source_name, is_demo=is_demo,
                        sections=sections, omitted=omitted, notes=notes, providers=present)
