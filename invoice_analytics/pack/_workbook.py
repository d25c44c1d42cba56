"""The pack's workbook: a Cover, then one sheet per section, each saying its as-of (written by
:func:`~invoice_analytics.workbook.write_sheets`). Statements break the printed page before each
customer; "Aging by customer" never prints below 85 %."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from invoice_analytics.workbook import write_sheets

if TYPE_CHECKING:
    from invoice_analytics.pack._build import MonthEndPack

__all__ = ["DESCRIPTIONS", "cover_frame", "write_pack_workbook"]


def _lines(pack: MonthEndPack, name: str, description: str) -> list[str]:
    lines = [name, f"Month-end AR pack as of {pack.as_of.isoformat()} (Asia/Jakarta), source: {pack.source}",
             description]
    return [*lines, *(f"Note: {n}" for n in pack.notes if n.startswith(("Mayar", "DEMO")))]


#: One line under each section's title: what it is.
DESCRIPTIONS: dict[str, str] = {
    "Cover": "What the pack covers, and how its figures were made.",
    "Summary by provider": "Open amount by aging bucket per provider at the month end; Overdue = 1+ days past due.",
    "Comparative aging": "Open amount per bucket at the previous month end and at this one, as known then.",
    "Moved into or out of >90": "Customers whose amount in the last bucket went from nothing to some, or to nothing.",
    "Changes in the month": "What the store saw change from the previous month end to this one, by kind.",
    "Changes (detail)": "Each invoice that changed, with the window in which the store saw the change.",
    "Aging by customer": "Open amount per customer by aging bucket at the month end.",
    "Trend": "Open amount by aging bucket at each month end, as known at that date.",
    "Roll rates": "Where each bucket's open amount at the previous month end is at this one (shares).",
    "DSO by provider": "Days sales outstanding by countback (3 months); Faspay uses observed amounts.",
    "Days to pay by customer": "Days from issue to payment, as ranges: payments are dated only by refreshes.",
    "Cash-in forecast": "Collections expected per week (Monday starts) after the month end, with an 80 % interval.",
    "Collections": "Who to chase first: customers with invoices past due, largest amount first.",
    "Statements": "Statement of account per customer with a past-due amount: open items, running balance.",
    "Statement activity": "Per customer: opening balance, each change seen in the month, closing balance.",
    "Left out": "Sections this source cannot give, and why.",
}


def cover_frame(pack: MonthEndPack) -> pd.DataFrame:
    """The cover as (item, value) rows."""
    s = pack.settings
    terms = ", ".join(f"{p} {d} days" for p, d in s.terms.items())
    rows = [
        ("As of", f"{pack.as_of.isoformat()} (end of day, Asia/Jakarta)"),
        ("Previous month end", pack.previous.isoformat()),
        ("Source", pack.source),
        ("Providers", ", ".join(pack.providers) or "none"),
        ("Terms (where no due date)", terms),
        ("Bucket edges", ", ".join(map(str, s.edges)) + " days"),
        ("Locale", s.locale),
        ("Generated", pd.Timestamp.now(tz="Asia/Jakarta").strftime("%Y-%m-%d %H:%M WIB")),
    ]
    if pack.is_demo:
        rows.insert(0, ("DEMO DATA", "made-up invoices for a demonstration, not a real ledger"))
    rows += [("Note", n) for n in pack.notes if not n.startswith("DEMO")]
    rows += [(f"Left out: {k}", v) for k, v in pack.omitted.items()]
    return pd.DataFrame(rows, columns=["item", "value"])


def write_pack_workbook(pack: MonthEndPack, path: str | Path) -> Path:
    """Write ``pack`` as a workbook at ``path``: a Cover, then one sheet per section."""
    sheets = {"Cover": cover_frame(pack), **pack.sections}
    titles = {name: _lines(pack, name, DESCRIPTIONS.get(name, "")) for name in sheets}
    return write_sheets(path, sheets, titles=titles, min_scale={"Aging by customer": 85},
                        page_breaks={"Statements": "customer_name", "Statement activity": "customer_name"})
