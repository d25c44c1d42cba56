"""A synthetic invoice store of millions of versions, written as a refresh would write it (benchmarks only).

``build_store(root, invoices=..., versions=..., refreshes=...)`` writes, for
each provider, ``invoices / 2`` invoices whose versions are spread over
``refreshes`` daily refreshes: an invoice appears (``change`` "new") at a
random refresh in the first half and changes (status, outstanding, and for
Mayar the transaction counts) at random later refreshes; 1 % of the invoices
disappear ("gone") near the end. Each refresh writes one Parquet file per
provider through the store's own writer (``history._files.write_data_file``,
``to_storage``'s Arrow types) and commits the manifest, so the result is an
``InvoiceStore`` directory like any other, and DuckDB reads the same files.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from invoice_analytics.emulator._rates import Rates
from invoice_analytics.history._codec import STORE_COLUMNS, reference_frame, to_storage
from invoice_analytics.history._commit import checkpoint_due
from invoice_analytics.history._files import FileEntry, Manifest, write_data_file, write_manifest
from invoice_analytics.history._log import RefreshLog
from invoice_analytics.history._scd import latest_rows
from invoice_analytics.history._store import InvoiceStore

START = pd.Timestamp("2025-01-01 06:00", tz="Asia/Jakarta")
DAY_US = 86_400_000_000
STATUSES = {  # (status, provider_status) pairs a version cycles through
    "faspay": [("open", "Unpaid"), ("open", "Partial Paid"), ("open", "Overdue"), ("paid", "Paid"),
               ("cancelled", "Cancelled")],
    "mayar": [("open", "active"), ("paid", "paid"), ("cancelled", "closed")],
}


def _schema(provider: str) -> pa.Schema:
    frame = reference_frame(provider)
    for name, dtype in STORE_COLUMNS.items():
        frame[name] = pd.Series([], dtype=dtype)
    return to_storage(frame).schema


def refresh_time(number: int) -> pd.Timestamp:
    """When refresh ``number`` (1-based) was observed: one a day from START."""
    return START + pd.Timedelta(days=number - 1)


def _record(provider: str, number: int, change: np.ndarray, *, unchanged: int) -> dict[str, object]:
    """The manifest's record of refresh ``number`` (0-based) of ``provider``, which wrote rows ``change``."""
    return {"observed_at": refresh_time(number + 1).isoformat(), "provider": provider,
            "mode": "incremental" if number else "full", "requests": 0, "full_requests": 0,
            "new": int((change == "new").sum()), "changed": int((change == "changed").sum()),
            "unchanged": unchanged, "gone": int((change == "gone").sum()), "seconds": 0.0, "resumed": 0,
            "note": "synthetic", "refresh": number + 1}


def _plan(rng: np.random.Generator, invoices: int, versions: int, refreshes: int) -> tuple[np.ndarray, np.ndarray]:
    """(invoice, refresh) of every version, unique pairs, about ``versions`` of them, sorted by refresh."""
    first = rng.integers(0, refreshes // 2, invoices)
    per = max(versions // invoices, 1)
    extra = np.repeat(np.arange(invoices), per * 3 // 2 + 1)  # oversample: duplicates are dropped below
    span = refreshes - first[extra]
    when = first[extra] + (rng.random(len(extra)) * span).astype(np.int64)
    pairs = np.unique(np.concatenate([np.arange(invoices) * refreshes + first, extra * refreshes + when]))
    if len(pairs) > versions:  # keep every invoice's first version, drop surplus later ones at random
        firsts = np.isin(pairs, np.arange(invoices) * refreshes + first)
        later = np.flatnonzero(~firsts)
        drop = rng.choice(later, len(pairs) - versions, replace=False)
        pairs = np.delete(pairs, drop)
    invoice, refresh = np.divmod(pairs, refreshes)
    order = np.argsort(refresh, kind="stable")
    return invoice[order], refresh[order]


def _table(provider: str, schema: pa.Schema, invoice: np.ndarray, refresh: int, change: np.ndarray,
           version: np.ndarray, valid_from_us: int | None = None, issued_us: np.ndarray | None = None) -> pa.Table:
    n = len(invoice)
    tag = "FPY" if provider == "faspay" else "MYR"
    ids = np.char.add(f"INV-{tag}-", np.char.zfill(invoice.astype(str), 8))
    customer = invoice % 20_000
    if issued_us is None:
        issued_us = START.value // 1000 + (invoice * 7919 % (180 * DAY_US // 1_000_000)) * 1_000_000
    amount = 100_000 + (invoice * 104_729 % 50_000) * 1_000
    states = STATUSES[provider]
    pick = version % len(states)
    status = np.array([s for s, _ in states], dtype=object)[pick]
    provider_status = np.array([p for _, p in states], dtype=object)[pick]
    outstanding = np.where(status == "open", amount - (version % 3) * 10_000, 0)
    gone = change == "gone"
    valid_from = refresh_time(refresh + 1).value // 1000 if valid_from_us is None else valid_from_us
    tz = "Asia/Jakarta"
    columns: dict[str, pa.Array] = {
        "invoice_id": pa.array(ids.tolist(), pa.string()),
        "customer_id": pa.array(np.char.add("C", customer.astype(str)).tolist(), pa.string()),
        "customer_name": pa.array(np.char.add("PT Pelanggan ", customer.astype(str)).tolist(), pa.string()),
        "status": pa.array(status.tolist(), pa.string()),
        "provider_status": pa.array(provider_status.tolist(), pa.string()),
        "issued_at": pa.array(issued_us, pa.timestamp("us", tz=tz)),
        "due_at": pa.array(issued_us + 14 * DAY_US, pa.timestamp("us", tz=tz)),
        "amount": pa.array(amount, pa.int64()),
        "outstanding": pa.array(outstanding, pa.int64()),
        "currency": pa.array(["IDR"] * n, pa.string()),
    }
    if provider == "faspay":
        columns["period"] = pa.array(((issued_us // DAY_US) // 30 * 30).astype(np.int32), pa.date32())
    else:
        columns.update({
            "name": pa.array(np.char.add("Langganan ", customer.astype(str)).tolist(), pa.string()),
            "description": pa.array(["Tagihan bulanan"] * n, pa.string()),
            "category": pa.array(["subscription"] * n, pa.string()),
            "link": pa.array(np.char.add("https://pay.example/i/", invoice.astype(str)).tolist(), pa.string()),
            "type": pa.array(["invoice"] * n, pa.string()),
            "redirect_url": pa.array([None] * n, pa.string()),
            "customer_email": pa.array(np.char.add(customer.astype(str), "@pelanggan.example").tolist(),
                                       pa.string()),
            "customer_mobile": pa.array(np.char.add("0812", np.char.zfill(customer.astype(str), 8)).tolist(),
                                        pa.string()),
            "transaction_count": pa.array(version % 4, pa.int64()),
            "paid_transaction_count": pa.array((status == "paid").astype(np.int64), pa.int64()),
            "last_transaction_status": pa.array(np.where(status == "paid", "paid", "created").tolist(),
                                                pa.string()),
        })
    columns["valid_from"] = pa.array(np.full(n, valid_from), pa.timestamp("us", tz=tz))
    columns["change"] = pa.array(change.tolist(), pa.string())
    columns["refresh"] = pa.array(np.full(n, refresh + 1), pa.int64())
    table = pa.table(columns)
    if gone.any():  # a "gone" row carries only the id and the store's columns
        masked = {name: (table[name] if name in ("invoice_id", *STORE_COLUMNS)
                         else pa.compute.if_else(pa.array(gone), pa.nulls(n, table[name].type), table[name]))
                  for name in table.column_names}
        table = pa.table(masked)
    return table.select(schema.names).cast(schema)


def build_store(root: Path, *, invoices: int = 200_000, versions: int = 10_000_000, refreshes: int = 250,
                seed: int = 7) -> dict[str, int]:
    """Write the synthetic store into ``root`` (empty); returns counts per provider of versions written."""
    rng = np.random.default_rng(seed)
    files = []
    records = []
    written: dict[str, int] = {}
    per_provider: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}
    for provider in ("faspay", "mayar"):
        invoice, refresh = _plan(rng, invoices // 2, versions // 2, refreshes)
        order = np.lexsort((refresh, invoice))
        version = np.empty(len(invoice), dtype=np.int64)
        starts = np.r_[0, np.flatnonzero(np.diff(invoice[order])) + 1]
        counts = np.diff(np.r_[starts, len(order)])
        version[order] = np.arange(len(order)) - np.repeat(starts, counts)
        change = np.where(version == 0, "new", "changed").astype(object)
        last = np.zeros(len(invoice), dtype=bool)
        last[order[np.r_[starts[1:] - 1, len(order) - 1]]] = True
        gone = last & (refresh >= refreshes - 10) & (version > 0) & (rng.random(len(invoice)) < 0.1)
        change[gone] = "gone"
        per_provider[provider] = (invoice, refresh, change, version)
        written[provider] = len(invoice)
    schemas = {p: _schema(p) for p in per_provider}
    store = InvoiceStore(root)  # its checkpoint rule and state reader, as a refresh uses them
    listed = dict.fromkeys(per_provider, 0)
    checkpoints: list[FileEntry] = []
    for number in range(refreshes):
        before = Manifest(number, tuple(files), tuple(records), tuple(checkpoints))
        appended = {}
        for provider, (invoice, refresh, change, version) in per_provider.items():
            lo, hi = np.searchsorted(refresh, [number, number + 1])
            appended[provider] = hi - lo
            if hi > lo:
                table = _table(provider, schemas[provider], invoice[lo:hi], number, change[lo:hi], version[lo:hi])
                files.append(write_data_file(root, provider, number + 1, table, durable=False))
            listed[provider] += int((change[lo:hi] == "new").sum() - (change[lo:hi] == "gone").sum())
            records.append(_record(provider, number, change[lo:hi], unchanged=0))
        after = Manifest(number + 1, tuple(files), tuple(records), tuple(checkpoints))
        for provider in per_provider:
            if checkpoint_due(store, before, provider, appended[provider], listed[provider]):
                state = store._state(after, RefreshLog(None, after.refreshes), provider, None)
                table = to_storage(state.drop(columns="provider")).select(schemas[provider].names)
                checkpoints.append(write_data_file(root, provider, number + 1, table.cast(schemas[provider]),
                                                   durable=False, checkpoint=True))
    write_manifest(root, Manifest(refreshes, tuple(files), tuple(records), tuple(checkpoints)))
    return written


def build_daily_store(root: Path, snapshots: Path, *, invoices: int = 60_000, days: int = 30,
                      changed: float = 0.01, seed: int = 11) -> tuple[int, int]:
    """A store of ``days`` daily refreshes of an account of ``invoices`` (per provider) in which ``changed``
    of the invoices change each day, and, in ``snapshots``, the alternative: each day's whole list as one
    Parquet file (the same Arrow types and zstd). Returns (versions stored, snapshot rows)."""
    rng = np.random.default_rng(seed)
    files: list[FileEntry] = []
    records: list[dict[str, object]] = []
    versions = snapshot_rows = 0
    snapshots.mkdir(parents=True, exist_ok=True)
    for provider in ("faspay", "mayar"):
        schema = _schema(provider)
        version = np.zeros(invoices, dtype=np.int64)
        everyone = np.arange(invoices)
        for number in range(days):
            if number == 0:
                moved, change = everyone, np.full(invoices, "new", dtype=object)
            else:
                moved = np.sort(rng.choice(invoices, int(invoices * changed), replace=False))
                version[moved] += 1
                change = np.full(len(moved), "changed", dtype=object)
            table = _table(provider, schema, moved, number, change, version[moved])
            files.append(write_data_file(root, provider, number + 1, table, durable=False))
            versions += len(moved)
            whole = _table(provider, schema, everyone, number, np.full(invoices, "new", dtype=object), version)
            pq.write_table(whole.drop_columns(list(STORE_COLUMNS)), snapshots / f"{provider}-{number:03d}.parquet",
                           compression="zstd")
            snapshot_rows += invoices
            records.append(_record(provider, number, change, unchanged=invoices - len(moved)))
    write_manifest(root, Manifest(days, tuple(files), tuple(records)))
    return versions, snapshot_rows


def day(number: int) -> dt.date:
    """The date of refresh ``number``."""
    return refresh_time(number).date()


HOURLY_START = pd.Timestamp("2021-12-01 06:00", tz="Asia/Jakarta")
HOUR_US = 3_600_000_000


def hourly_time(number: int) -> pd.Timestamp:
    """When hourly refresh ``number`` (1-based) was observed."""
    return HOURLY_START + pd.Timedelta(hours=number - 1)


def new_per_hour(provider: str, stamp: pd.Timestamp) -> float:
    """Mean new invoices in the hour before ``stamp``: the emulator's realistic rates (``Rates``: a weekday's
    mean, ``weekend_factor`` of it on Saturday and Sunday), spread over the day's 24 hours."""
    rates = Rates()
    day = rates.faspay_per_weekday if provider == "faspay" else rates.mayar_per_weekday
    return day * (rates.weekend_factor if stamp.dayofweek >= 5 else 1.0) / 24


def build_hourly_store(root: Path, *, invoices: int = 60_000, refreshes: int = 43_800, daily_share: float = 0.01,
                       factor: float = 2.0, seed: int = 5, progress: bool = True) -> dict[str, int]:
    """Write, into ``root`` (empty), a store of ``refreshes`` hourly refreshes of an account holding ``invoices``
    invoices per provider at its first refresh (issued over the two years before it), in which ``daily_share``
    of the account gets a new version a day and new invoices arrive at the emulator's rates (:func:`new_per_hour`,
    issued when first seen), with the store's checkpoint rule (``factor``): one data file per provider per
    refresh, the manifest a refresh would commit. Returns the versions written per provider."""
    rng = np.random.default_rng(seed)
    schemas = {p: _schema(p) for p in ("faspay", "mayar")}
    files: list[FileEntry] = []
    records: list[dict[str, object]] = []
    checkpoints: list[FileEntry] = []
    versions = {p: 0 for p in schemas}
    size = invoices + refreshes + 1000  # new invoices stay well under one an hour (at most 13 a weekday)
    first_us = HOURLY_START.value // 1000
    state = {p: {"count": invoices, "version": np.zeros(size, dtype=np.int64), "since": [],
                 "issued": np.zeros(size, dtype=np.int64), "checkpoint": None, "rows": 0} for p in schemas}
    for st in state.values():
        st["issued"][:invoices] = first_us - rng.integers(1, 730 * 24, invoices) * 3_600_000_000
    for number in range(refreshes):
        stamp = hourly_time(number + 1)
        for provider, schema in schemas.items():
            st = state[provider]
            if number == 0:
                moved = np.arange(invoices)
                change = np.full(invoices, "new", dtype=object)
            else:
                new = int(rng.poisson(new_per_hour(provider, stamp)))
                k = int(rng.poisson(st["count"] * daily_share / 24))
                old = np.unique(rng.integers(0, st["count"], k))
                moved = np.concatenate([old, np.arange(st["count"], st["count"] + new)])
                st["issued"][st["count"]:st["count"] + new] = stamp.value // 1000 - 1_800_000_000  # half an hour ago
                st["count"] += new
                change = np.array(["changed"] * len(old) + ["new"] * new, dtype=object)
                st["version"][old] += 1
            if len(moved):  # a refresh without change writes no file
                table = _table(provider, schema, moved, number, change, st["version"][moved],
                               valid_from_us=stamp.value // 1000, issued_us=st["issued"][moved]).set_column(
                    schema.get_field_index("refresh"), "refresh",
                    pa.array(np.full(len(moved), number + 1), pa.int64()))
                files.append(write_data_file(root, provider, number + 1, table, durable=False))
                st["since"].append(table)
            versions[provider] += len(moved)
            st["rows"] += len(moved)
            record = _record(provider, number, change, unchanged=st["count"] - len(moved))
            record.update(observed_at=stamp.isoformat(), refresh=number + 1)
            records.append(record)
            if st["rows"] > factor * st["count"]:  # the store's rule (see InvoiceStore checkpoint_factor)
                parts = ([st["checkpoint"]] if st["checkpoint"] is not None else []) + st["since"]
                rows = latest_rows(pa.concat_tables(parts), None)
                checkpoints.append(write_data_file(root, provider, number + 1, rows, durable=False, checkpoint=True))
                st.update(checkpoint=rows, since=[], rows=0)
        if progress and (number + 1) % 2000 == 0:
            print(f"  {number + 1} refreshes written", flush=True)
    write_manifest(root, Manifest(refreshes, tuple(files), tuple(records), tuple(checkpoints)))
    return versions


def best(work: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """The best wall time of ``repeat`` runs of ``work``, and its last result (the benchmarks' one timer)."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return min(times), result
