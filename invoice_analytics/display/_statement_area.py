"""The panel's statement area: the customers the Statement list offers, and a statement as a display bundle.

The list holds the customers of the report table and the charts
(:func:`~invoice_analytics.customer_key`: keyed by ``(provider,
customer_id)``, labelled with the customer's latest name); customers without
an id have no statement.

>>> df = pd.DataFrame({"provider": ["mayar", "faspay"], "customer_id": ["C9", None],
...                    "customer_name": ["Budi", "Ani"]})
>>> customer_choices(df)
([('(choose a customer)', ()), ('Budi · mayar C9', ('mayar', 'C9'))], {('mayar', 'C9'): 'Budi'})
"""

from __future__ import annotations

import datetime
import html
from typing import Any

import pandas as pd

from invoice_analytics.analytics.customers import customer_key
from invoice_analytics.display._output import html_bundle
from invoice_analytics.display.tables import format_statement_table
from invoice_analytics.formatting import format_rupiah

__all__ = ["NO_CUSTOMER", "NO_STATEMENT", "customer_choices", "no_statement_bundle", "statement_bundle"]

#: The first option of the Statement list: no customer chosen.
NO_CUSTOMER = "(choose a customer)"
#: What the Statement tab shows while no customer is chosen.
NO_STATEMENT = {"text/html": "<em>Choose a customer in the Statement list above the figures to see their open "
                             "invoices and credits here.</em>", "text/plain": "No customer chosen."}

CustomerKey = tuple[str, ...]


def customer_choices(df: pd.DataFrame) -> tuple[list[tuple[str, CustomerKey]], dict[CustomerKey, str]]:
    """The Statement list's options (``(label, (provider, customer_id))``, by name) and key -> name."""
    keys = customer_key(df)[["provider", "customer_id", "customer_name"]].astype(object)
    keys = keys[keys["provider"].notna() & keys["customer_id"].notna()]
    keys = keys.drop_duplicates(["provider", "customer_id"])
    names: dict[CustomerKey, str] = {
        (str(p), str(c)): n if isinstance(n, str) and n.strip() else "(no name)"
        for p, c, n in keys.itertuples(index=False)
    }
    order = sorted(names, key=lambda k: (names[k].casefold(), k))
    options: list[tuple[str, CustomerKey]] = [(NO_CUSTOMER, ())]
    options += [(f"{names[k]} · {k[0]} {k[1]}", k) for k in order]
    return options, names


def no_statement_bundle(who: str, reason: object) -> dict[str, Any]:
    """Why a chosen customer has no statement (e.g. not yet known on a store's earlier date)."""
    return html_bundle(f"<em>No statement of {html.escape(who)}: {html.escape(str(reason))}</em>",
                       f"No statement: {reason}")


def statement_bundle(statement: pd.DataFrame, *, name: str, provider: str, customer_id: str,
                     as_of: datetime.date, scheme: str, terms: str) -> dict[str, Any]:
    """A customer's statement with its title line (who, date, net, buckets, terms), HTML and text."""
    total = int(statement["outstanding"].iloc[-1])
    head = (
        f'<div class="ia-statement-title" style="margin:.3em 0">Statement of <b>{html.escape(name)}</b> '
        f"({html.escape(provider)} {html.escape(customer_id)}) as of {as_of:%Y-%m-%d} · "
        f"net {format_rupiah(total, compact=False)} · buckets {html.escape(scheme)} · "
        f"terms {html.escape(terms)}"
        '<br><span style="opacity:.7">Every open invoice and credit of this customer, whatever the '
        "filters above; days past due are computed from the due date.</span></div>"
    )
    text = (f"Statement of {name} ({provider} {customer_id}) as of {as_of:%Y-%m-%d}: {len(statement) - 1} open "
            f"invoices or credits, net {format_rupiah(total, compact=False)}")
    return html_bundle(head + format_statement_table(statement), text)
