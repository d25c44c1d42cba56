"""What changed between two dates of a real demo store, against an independent reading of store.history()."""

from __future__ import annotations

import pandas as pd
import pytest

import invoice_analytics as ia
from invoice_analytics.analytics.changes import CHANGE_KINDS
from tests.support.reading import end_of, state, versions_at


def expected_kind(b: dict | None, a: dict | None) -> str | None:
    if b is None:
        return "new"
    if a is None:
        return "gone"
    sb, sa = state(b), state(a)
    money_same = all((pd.isna(b[c]) and pd.isna(a[c])) or (pd.notna(b[c]) and pd.notna(a[c]) and b[c] == a[c])
                     for c in ("amount", "outstanding"))
    if money_same and (sb == "excluded") == (sa == "excluded"):
        return None
    if sb != "excluded" and sa == "excluded":
        return "cancelled"
    if sb == "excluded":
        return "reopened"
    if sb == sa == "open" and a["outstanding"] < b["outstanding"]:
        return "partially paid"
    if sb in ("open", "unknown") and sa in ("paid", "credit"):
        return "paid"
    return "amount changed"


def test_changes_match_an_independent_reading_of_the_history(small_demo_store):
    store = small_demo_store
    days = sorted(store.refreshes()["observed_at"].dt.date.unique())
    since, until = days[1], days[-1]
    history = store.history()
    before, after = versions_at(history, end_of(since)), versions_at(history, end_of(until))
    expected = {}
    for key in before.keys() | after.keys():
        kind = expected_kind(before.get(key), after.get(key))
        if kind:
            expected[key] = kind
    got = ia.changes(store, since, until)
    keys = zip(got["provider"].astype(str), got["invoice_id"].astype(str), strict=True)
    assert dict(zip(keys, got["kind"].astype(str), strict=True)) == expected
    kinds = set(expected.values())
    assert {"new", "paid", "partially paid", "cancelled"} <= kinds  # the simulation makes each of these
    for row in got.to_dict("records"):
        key = (str(row["provider"]), str(row["invoice_id"]))
        b, a = before.get(key), after.get(key)
        if b is not None:
            assert row["outstanding_before"] is pd.NA or row["outstanding_before"] == b["outstanding"]
            assert row["seen_unchanged_at"] == b["last_seen"] and row["seen_unchanged_at"] <= end_of(until)
        else:
            assert pd.isna(row["seen_unchanged_at"])
        if a is not None:
            assert row["seen_changed_at"] == a["valid_from"]
            assert pd.isna(row["seen_unchanged_at"]) or row["seen_unchanged_at"] < row["seen_changed_at"]
        change = (0 if a is None or pd.isna(a["outstanding"]) else a["outstanding"]) - (
            0 if b is None or pd.isna(b["outstanding"]) else b["outstanding"])
        assert row["outstanding_change"] == change
    # the default until is the last refresh day
    pd.testing.assert_frame_equal(ia.changes(store, since), got)


def test_summary_counts_and_sums(small_demo_store):
    store = small_demo_store
    days = sorted(store.refreshes()["observed_at"].dt.date.unique())
    got = ia.changes(store, days[0], days[-1])
    summary = ia.changes_summary(got)
    assert summary.index.tolist() == [*CHANGE_KINDS, "Total"]
    for kind in CHANGE_KINDS:
        rows = got[got["kind"] == kind]
        assert summary.loc[kind, "invoice_count"] == len(rows)
        assert summary.loc[kind, "outstanding_change"] == int(rows["outstanding_change"].sum())
    assert summary.loc["Total", "invoice_count"] == len(got)
    by_provider = ia.changes_summary(got, by_provider=True)
    assert by_provider.loc[("faspay", "paid"), "invoice_count"] == int(
        ((got["provider"] == "faspay") & (got["kind"] == "paid")).sum())
    assert by_provider.loc[("Total", ""), "invoice_count"] == len(got)


def test_changes_refuse_a_reversed_window_and_a_date_before_the_store(small_demo_store):
    days = sorted(small_demo_store.refreshes()["observed_at"].dt.date.unique())
    with pytest.raises(ValueError, match="before since"):
        ia.changes(small_demo_store, days[2], days[1])
    with pytest.raises(ValueError, match="first refresh"):
        ia.changes(small_demo_store, "2020-01-01")
