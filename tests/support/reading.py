"""An independent reading of a store's history for the tests: plain Python over ``store.history()`` rows."""

from __future__ import annotations

import datetime as dt

import pandas as pd

COUNTED_OUT = {"draft", "cancelled", "proforma"}


def end_of(day) -> pd.Timestamp:
    """The last microsecond of ``day`` in Jakarta."""
    return pd.Timestamp(day).tz_localize("Asia/Jakarta") + pd.Timedelta(days=1) - pd.Timedelta(1, unit="us")


def versions_at(history: pd.DataFrame, at: pd.Timestamp) -> dict[tuple[str, str], dict]:
    """Per invoice, its last version first seen by ``at``, unless it had disappeared by then."""
    out: dict[tuple[str, str], dict] = {}
    for row in history.to_dict("records"):
        if row["valid_from"] > at or (pd.notna(row["issued_at"]) and row["issued_at"] > at):
            continue
        key = (str(row["provider"]), str(row["invoice_id"]))
        if key not in out or row["valid_from"] > out[key]["valid_from"]:
            out[key] = row
    return {k: r for k, r in out.items() if pd.isna(r["valid_to"]) or r["valid_to"] > at}


def state(row: dict) -> str:
    out = row["outstanding"]
    if str(row["status"]) in COUNTED_OUT:
        return "excluded"
    if pd.isna(out):
        return "paid" if str(row["status"]) == "paid" else "unknown"
    return "open" if out > 0 else "credit" if out < 0 else "paid"


def days_past_due(row: dict, day: dt.date, terms: dict[str, int]) -> int | None:
    """Calendar days from the due date (else the issue date + the provider's terms) to ``day``."""
    if pd.notna(row["due_at"]):
        due = row["due_at"].tz_convert("Asia/Jakarta").date()
    elif pd.notna(row["issued_at"]):
        due = row["issued_at"].tz_convert("Asia/Jakarta").date() + dt.timedelta(days=terms.get(str(row["provider"]), 0))
    else:
        return None
    return (day - due).days


def bucket(days: int | None, edges=(30, 60, 90)) -> str:
    if days is None or days <= 0:
        return "Current"
    low = 1
    for edge in edges:
        if days <= edge:
            return f"{low}-{edge}"
        low = edge + 1
    return f">{edges[-1]}"


def aging(rows: dict[tuple[str, str], dict], day: dt.date, terms: dict[str, int], *, by_provider: bool = False):
    """Open amount per bucket (plus Credit and Total), overall or per provider, by plain Python."""
    out: dict = {}
    for (provider, _), row in rows.items():
        s = state(row)
        if s not in ("open", "credit"):
            continue
        key = provider if by_provider else "all"
        table = out.setdefault(key, {})
        label = "Credit" if s == "credit" else bucket(days_past_due(row, day, terms))
        table[label] = table.get(label, 0) + int(row["outstanding"])
        table["Total"] = table.get("Total", 0) + int(row["outstanding"])
    return out if by_provider else out.get("all", {})
