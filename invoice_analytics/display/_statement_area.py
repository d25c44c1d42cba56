"""The panel's statement area: the customers the Statement list offers, and a statement as a display bundle.

The list holds the customers of the report table and the charts
(:func:`~invoice_analytics.customer_key`: keyed by ``(provider,
customer_id)``, labelled with the customer's latest name); customers without
an id have no statement.

>>> df = pd.DataFrame({"provider": ["mayar", "faspay"], "customer_id": ["C9", None],
...                    "customer_name": ["Budi", "Ani"]})
>>> customer_choices(df)
([('(choose a customer)', ()), ('Budi · mayar C9', ('mayar', 'C9'))], {('mayar', 'C9'): 'Budi'})

At thousands of customers the list offers those matching a search by name or
id, at most :data:`LIST_LIMIT` of them (:class:`CustomerList`):

>>> CustomerList(df).options("c9")
[('(choose a customer)', ()), ('Budi · mayar C9', ('mayar', 'C9'))]
"""

from __future__ import annotations

import datetime
import html
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from invoice_analytics.analytics.customers import customer_key
from invoice_analytics.display._output import html_bundle
from invoice_analytics.display.tables import format_statement_table
from invoice_analytics.formatting import format_rupiah

__all__ = ["LIST_LIMIT", "NO_CUSTOMER", "NO_STATEMENT", "CustomerList", "customer_choices", "no_statement_bundle",
           "statement_bundle"]

#: The most customers the Statement list offers at once (the first ones by name that match the search).
LIST_LIMIT = 100

#: The first option of the Statement list: no customer chosen.
NO_CUSTOMER = "(choose a customer)"
#: What the Statement tab shows while no customer is chosen.
NO_STATEMENT = {"text/html": "<em>Choose a customer in the Statement list above the figures to see their open "
                             "invoices and credits here.</em>", "text/plain": "No customer chosen."}

CustomerKey = tuple[str, ...]


def customer_choices(df: pd.DataFrame) -> tuple[list[tuple[str, CustomerKey]], dict[CustomerKey, str]]:
    """The Statement list's options (``(label, (provider, customer_id))``, by name) and key -> name."""
    customers = CustomerList(df)
    return [(NO_CUSTOMER, ()), *zip(customers.labels, customers.keys, strict=True)], customers.names


class CustomerList:
    """The customers of a frame (by name, then provider and id), searchable by part of a name or id.

    ``keys`` (``(provider, customer_id)``), ``labels`` ("name · provider
    id") and ``names`` (key -> name) follow the order of the list; they are
    made when asked for (a frame may hold tens of thousands of customers).
    """

    def __init__(self, df: pd.DataFrame) -> None:
        keys = customer_key(df)[["provider", "customer_id", "customer_name"]]
        keys = keys[(keys["provider"].notna() & keys["customer_id"].notna()).to_numpy(dtype=bool)]
        keys = keys.drop_duplicates(["provider", "customer_id"])
        table = pa.table({
            "provider": pa.array(keys["provider"].astype(str).to_numpy(dtype=object), type=pa.string()),
            "id": pa.array(keys["customer_id"].astype(str).to_numpy(dtype=object), type=pa.string()),
            "name": pa.array(keys["customer_name"].astype(object).to_numpy(dtype=object), type=pa.string(),
                             from_pandas=True),
        })
        blank = pc.fill_null(pc.equal(pc.utf8_trim_whitespace(table["name"]), ""), True)
        table = table.set_column(2, "name", pc.if_else(blank, "(no name)", table["name"]))
        table = table.append_column("fold", pc.utf8_lower(table["name"]))
        # by name (any case), then provider and id
        table = table.take(pc.sort_indices(table, [("fold", "ascending"), ("provider", "ascending"),
                                                   ("id", "ascending")]))
        self._providers = table["provider"].to_numpy(zero_copy_only=False)
        self._ids = table["id"].to_numpy(zero_copy_only=False)
        self._names = table["name"].to_numpy(zero_copy_only=False)
        self._lookup = pd.Index(pc.binary_join_element_wise(table["provider"], table["id"], "\x1f"),
                                dtype=pd.ArrowDtype(pa.string()))
        # what a search looks in: the name and the id, lower-cased
        self._name_text = table["fold"]
        self._id_text = pc.utf8_lower(table["id"])

    def position(self, key: CustomerKey) -> int | None:
        """Where customer ``key`` (``(provider, customer_id)``) is in the list; None when it is not there."""
        if len(key) != 2:
            return None
        found = self._lookup.get_indexer([f"{key[0]}\x1f{key[1]}"])[0]
        return None if found < 0 else int(found)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, tuple) and self.position(key) is not None

    def name(self, key: CustomerKey, default: str = "(no name)") -> str:
        """The name of customer ``key``, ``default`` when it is not in the list."""
        position = self.position(key)
        return default if position is None else str(self._names[position])

    def key(self, i: int) -> CustomerKey:
        """The key of the ``i``-th customer: ``(provider, customer_id)``."""
        return (str(self._providers[i]), str(self._ids[i]))

    @property
    def keys(self) -> list[CustomerKey]:
        """Every customer's key, in list order."""
        return [self.key(i) for i in range(len(self))]

    @property
    def names(self) -> dict[CustomerKey, str]:
        """Key -> name of every customer."""
        return {self.key(i): str(self._names[i]) for i in range(len(self))}

    def label(self, i: int) -> str:
        """The label of the ``i``-th customer: "name · provider id"."""
        return f"{self._names[i]} · {self._providers[i]} {self._ids[i]}"

    @property
    def labels(self) -> list[str]:
        """Every customer's label, in list order."""
        return [self.label(i) for i in range(len(self))]

    def __len__(self) -> int:
        return len(self._ids)

    def matches(self, search: str) -> np.ndarray:
        """Positions (in list order) of the customers whose name or id holds ``search`` (any case)."""
        needle = search.strip().lower()
        if not needle:
            return np.arange(len(self))
        hit = (pc.match_substring(self._name_text, needle).to_numpy(zero_copy_only=False)
               | pc.match_substring(self._id_text, needle).to_numpy(zero_copy_only=False))
        return np.flatnonzero(hit)

    def options(self, search: str = "", *, keep: CustomerKey = ()) -> list[tuple[str, CustomerKey]]:
        """The list's options: "(choose a customer)", then the first :data:`LIST_LIMIT` customers matching
        ``search``, and ``keep`` (the customer chosen) when it is one of the frame's and not among them."""
        shown = [int(i) for i in self.matches(search)[:LIST_LIMIT]]
        options: list[tuple[str, CustomerKey]] = [(NO_CUSTOMER, ())]
        options += [(self.label(i), self.key(i)) for i in shown]
        position = self.position(keep) if keep else None
        if position is not None and position not in shown:
            options.append((self.label(position), keep))
        return options


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
