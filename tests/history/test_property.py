"""Property: after any sequence of provider-side changes, the store's current frame is a fresh full load.

Hypothesis drives the emulator (over real HTTP, small accounts, no rate limit) through random
sequences of refreshes, each after random changes: payments, part payments, cancellations, payments
reversed, new invoices (Mayar ones in the newest known millisecond, Faspay ones created already paid,
recent or old), deletions of open invoices, and changes made between the requests of a refresh.
"""

from __future__ import annotations

import warnings

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from invoice_analytics.errors import PagingWarning
from invoice_analytics.history import InvoiceStore, RefreshFallbackWarning
from tests.support.stores import (
    KINDS,
    apply,
    assert_same,
    at,
    during,
    expected,
    fresh_load,
    options,
    row_hashes,
    small_emulator,
)

CHANGE = st.tuples(st.integers(0, len(KINDS) - 1), st.integers(0, 10_000), st.integers(0, 99))
STEP = st.fixed_dictionaries({
    "before": st.lists(CHANGE, max_size=6),
    "during": st.lists(st.tuples(st.sampled_from(["faspay", "mayar"]), st.integers(1, 8), CHANGE), max_size=2),
    "full": st.integers(0, 5).map(lambda i: i == 0),
})


def assert_between(got: pd.DataFrame, snapshots: list[pd.DataFrame], previous: pd.DataFrame) -> None:
    """After a refresh during which the accounts changed (``snapshots``: each state they passed through):

    * an invoice untouched meanwhile is exactly as it is (not lost, not stale, not twice);
    * one that changed meanwhile is in one of its states, or still as the store had it (the next refresh
      sees the change); one created or deleted meanwhile may be there or not;
    * none is invented, with one documented exception: a paid or cancelled Faspay invoice deleted before
      the refresh may stay one refresh longer when other invoices moved into or out of Paid or Cancelled
      during it in a way that kept both lists' totals and first pages (their counts then balance).
    """
    states = [row_hashes(s) for s in snapshots]
    rows = row_hashes(got)
    kept = row_hashes(previous)
    final = dict(zip(zip(got["provider"].astype(str), got["invoice_id"].astype(str), strict=True),
                     got["status"].isin(["paid", "cancelled"]), strict=True))
    assert len(rows) == len(got), "an invoice twice"
    for key in set().union(*states, rows):
        values = [s.get(key) for s in states]
        value = rows.get(key)
        if None not in values and len(set(values)) == 1:
            assert value == values[0], f"{key}: untouched during the refresh, yet not as it is"
        elif all(v is None for v in values):
            assert value is None or (key[0] == "faspay" and final[key] and kept.get(key) == value), (
                f"{key}: invented")
        elif None not in values:
            assert value in values or value == kept.get(key), f"{key}: a state it never had"
        else:
            assert value is None or value in values or value == kept.get(key), f"{key}: a state it never had"


def assert_one_row_per_change(history: pd.DataFrame) -> None:
    columns = [c for c in history.columns if c not in ("valid_from", "valid_to", "last_seen", "change")]
    hashes = pd.util.hash_pandas_object(history[columns], index=False).to_numpy()
    same_invoice = (history["invoice_id"].to_numpy()[1:] == history["invoice_id"].to_numpy()[:-1])
    contiguous = (history["valid_to"].iloc[:-1].to_numpy() == history["valid_from"].iloc[1:].to_numpy())
    assert not (same_invoice & contiguous & (hashes[1:] == hashes[:-1])).any(), "a version repeated"


@settings(max_examples=25, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(steps=st.lists(STEP, min_size=1, max_size=4))
def test_current_is_a_fresh_full_load_after_any_changes(steps, tmp_path_factory):
    with small_emulator(40, 120, page_size=5) as emu, warnings.catch_warnings():
        warnings.simplefilter("ignore", RefreshFallbackWarning)
        warnings.simplefilter("ignore", PagingWarning)
        store = InvoiceStore(tmp_path_factory.mktemp("store"))
        store.refresh(**options(emu), observed_at=at(0))
        for i, step in enumerate(steps, start=1):
            for change in step["before"]:
                apply(emu, change)
            snapshots = [expected(emu)]
            previous = store.current()
            emu.on_request = during(emu, {(p, k): c for p, k, c in step["during"]}, snapshots)
            store.refresh(**options(emu), full=step["full"], observed_at=at(i))
            emu.on_request = None
            if len(snapshots) == 1:  # nothing changed during the refresh
                assert_same(store.current(), snapshots[0])
            else:
                assert_between(store.current(), [*snapshots, expected(emu)], previous)
        store.refresh(**options(emu), observed_at=at(len(steps) + 1))
        assert_same(store.current(), fresh_load(emu))
        now = store.current()
        known_then = (now["issued_at"].isna() | (now["issued_at"] <= at(len(steps) + 1))).to_numpy(dtype=bool)
        assert_same(store.as_of(at(len(steps) + 1)), now[known_then])  # invoices issued later left out
        assert_one_row_per_change(store.history())
