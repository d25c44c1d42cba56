"""Every figure of the month-end pack against an independent reading of store.history() (plain Python)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from invoice_analytics.pack import ALL_PROVIDERS, month_end_pack
from tests.support.reading import aging, days_past_due, end_of, state, versions_at

MONTH, DAY, PREVIOUS = "2026-10", dt.date(2026, 10, 31), dt.date(2026, 9, 30)
TERMS = {"faspay": 0, "mayar": 14}


@pytest.fixture(scope="module")
def pack(small_demo_store):
    return month_end_pack(small_demo_store, MONTH, terms_days=TERMS)


@pytest.fixture(scope="module")
def history(small_demo_store):
    return small_demo_store.history()


@pytest.fixture(scope="module")
def now(history):
    return versions_at(history, end_of(DAY))


@pytest.fixture(scope="module")
def then(history):
    return versions_at(history, end_of(PREVIOUS))


def test_the_pack_is_as_of_the_month_end_and_known_then(pack, small_demo_store):
    assert pack.as_of == DAY and pack.previous == PREVIOUS
    assert pack.is_demo and pack.omitted == {}
    assert any("knew at the end of 2026-10-31" in n for n in pack.notes)
    assert not any("Mayar invoices carry no due date" in n for n in pack.notes)  # terms given for Mayar
    assert small_demo_store.refreshes()["observed_at"].max().date() > DAY  # the store goes on after the month


def test_summary_by_provider(pack, now):
    summary = pack.sections["Summary by provider"]
    expected = aging(now, DAY, TERMS, by_provider=True)
    for provider, table in expected.items():
        for label, amount in table.items():
            assert summary.loc[provider, label] == amount, (provider, label)
        overdue = sum(int(r["outstanding"]) for (p, _), r in now.items() if p == provider and state(r) == "open"
                      and (days_past_due(r, DAY, TERMS) or 0) >= 1)
        assert summary.loc[provider, "overdue_amount"] == overdue
        assert summary.loc[provider, "invoice_count"] == sum(1 for (p, _) in now if p == provider)
    assert summary.loc["Total", "Total"] == sum(t["Total"] for t in expected.values())


def test_comparative_aging(pack, now, then):
    table = pack.sections["Comparative aging"]
    before, after = aging(then, PREVIOUS, TERMS), aging(now, DAY, TERMS)
    for label in table.index:
        assert table.loc[label, "previous"] == before.get(label, 0)
        assert table.loc[label, "this_month"] == after.get(label, 0)
        assert table.loc[label, "change"] == after.get(label, 0) - before.get(label, 0)


def test_customers_moved_into_or_out_of_90(pack, now, then):
    def over_90(rows, day):
        out: dict = {}
        for (provider, _), r in rows.items():
            if state(r) == "open" and (days_past_due(r, day, TERMS) or 0) > 90:
                key = (provider, str(r["customer_id"]) if pd.notna(r["customer_id"]) else
                       "name:" + str(r["customer_name"]).strip().casefold())
                out[key] = out.get(key, 0) + int(r["outstanding"])
        return out

    before, after = over_90(then, PREVIOUS), over_90(now, DAY)
    moved = pack.sections["Moved into or out of >90"].reset_index()
    got = {}
    for row in moved.to_dict("records"):
        key = (row["provider"], str(row["customer_id"]) if pd.notna(row["customer_id"]) else
               "name:" + str(row["customer_name"]).strip().casefold())
        got[key] = (row["direction"], row["previous"], row["this_month"])
    expected = {k: ("into >90", 0, after[k]) for k in after if k not in before}
    expected |= {k: ("out of >90", before[k], 0) for k in before if k not in after}
    assert got == expected and expected


def test_changes_in_the_month(pack, now, then):
    summary = pack.sections["Changes in the month"]
    new = [k for k in now if k not in then]
    gone = [k for k in then if k not in now]
    paid = [k for k in now if k in then and state(then[k]) in ("open", "unknown") and state(now[k]) in (
        "paid", "credit")]
    assert summary.loc["new", "invoice_count"] == len(new)
    assert summary.loc["gone", "invoice_count"] == len(gone)
    assert summary.loc["paid", "invoice_count"] == len(paid)
    assert summary.loc["paid", "outstanding_before"] == sum(
        0 if pd.isna(then[k]["outstanding"]) else int(then[k]["outstanding"]) for k in paid)


def test_trend_at_each_month_end(pack, history):
    trend = pack.sections["Trend"]
    days = [stamp.date() for stamp in trend.index]
    assert days == [PREVIOUS, DAY]  # the month ends the store covers, none after the month
    for day in days:
        expected = aging(versions_at(history, end_of(day)), day, TERMS)
        assert trend.loc[trend.index[days.index(day)], "Total"] == expected["Total"]


def test_roll_rates_start_from_the_previous_month_end(pack, then):
    rates = pack.sections["Roll rates"]
    open_then = sum(int(r["outstanding"]) for r in then.values() if state(r) == "open")
    assert rates.loc["Total", "start_amount"] == open_then


def test_dso_one_row_per_provider_and_all_providers(pack, history, now):
    table = pack.sections["DSO by provider"]
    assert table.index.tolist() == ["faspay", "mayar", ALL_PROVIDERS]
    assert "Total" not in table.index
    seen_open: dict = {}
    for row in history.to_dict("records"):
        if row["valid_from"] <= end_of(DAY) and state(row) == "open":
            key = (str(row["provider"]), str(row["invoice_id"]))
            seen_open[key] = max(seen_open.get(key, 0), int(row["outstanding"]))
    for provider in ("faspay", "mayar"):
        receivables = sum(int(r["outstanding"]) for (p, _), r in now.items() if p == provider and state(r) == "open")
        assert table.loc[provider, "receivables"] == receivables
        sales = []
        for k in range(3):
            month = pd.Period(DAY, "M") - k
            total = 0
            for key, r in now.items():
                if key[0] != provider or state(r) == "excluded" or pd.isna(r["issued_at"]):
                    continue
                if pd.Period(r["issued_at"].tz_convert("Asia/Jakarta").date(), "M") != month:
                    continue
                amount = r["amount"] if pd.notna(r["amount"]) else seen_open.get(key)
                total += 0 if amount is None or pd.isna(amount) else int(amount)
            sales.append(total)
        days = [31, 30, 31]  # December (to the 31st), November, October
        left, dso = receivables, 0.0
        for s, d in zip(sales, days, strict=True):
            if left <= s:
                dso += d * left / s
                left = 0
                break
            dso, left = dso + d, left - s
        assert float(table.loc[provider, "dso_days"]) == pytest.approx(dso)
        assert bool(table.loc[provider, "is_lower_bound"]) == (left > 0)
    assert table.loc[ALL_PROVIDERS, "receivables"] == table.loc[["faspay", "mayar"], "receivables"].sum()
    assert table.loc["faspay", "amounts"].startswith("observed")


def test_days_to_pay_counts_payments_seen_by_the_month_end(pack, history):
    paid = set()
    open_seen: set = set()
    for row in history.sort_values("valid_from").to_dict("records"):
        key = (str(row["provider"]), str(row["invoice_id"]))
        if row["valid_from"] > end_of(DAY):
            continue
        if state(row) == "open":
            open_seen.add(key)
        elif state(row) in ("paid", "credit") and key in open_seen and pd.notna(row["issued_at"]):
            paid.add(key)
    table = pack.sections["Days to pay by customer"]
    assert table.index[-1][0] == "Total" and table["paid_count"].iloc[-1] == len(paid)
    assert table["paid_count"].iloc[:-1].sum() == len(paid)


def test_collections_and_statements_reconcile(pack, now, history):
    chase = pack.sections["Collections"]
    overdue = sum(int(r["outstanding"]) for r in now.values() if state(r) == "open"
                  and (days_past_due(r, DAY, TERMS) or 0) >= 1)
    assert int(chase["overdue_amount"].sum()) == overdue
    items = pack.sections["Statements"]
    activity = pack.sections["Statement activity"]
    key = ["customer_name", "customer_id", "provider"]
    per_customer = items.groupby(key, dropna=False, sort=False)["outstanding"].sum()
    assert len(per_customer) == len(chase)
    closing = activity[activity["line"] == "Closing balance"].set_index(key)["balance"]
    assert (closing.to_numpy() == per_customer.reindex(closing.index).to_numpy()).all()
    # each customer's open items are its counted non-zero invoices (plain Python), its balance their sum
    expected: dict = {}
    for (provider, _), r in now.items():
        if state(r) in ("open", "credit"):
            ident = str(r["customer_id"]) if pd.notna(r["customer_id"]) else None
            expected.setdefault((provider, ident), 0)
            expected[(provider, ident)] += int(r["outstanding"])
    for (_name, ident, provider), total in per_customer.items():
        if pd.notna(ident):
            assert expected[(provider, str(ident))] == total
    # the opening balance is the counted outstanding at the previous month end
    then = versions_at(history, end_of(PREVIOUS))
    first = activity[activity["line"] == "Opening balance"].iloc[0]
    opening = sum(int(r["outstanding"]) for (p, _), r in then.items() if p == first["provider"]
                  and str(r["customer_id"]) == str(first["customer_id"]) and state(r) in ("open", "credit"))
    assert first["balance"] == opening
    # Faspay amounts are the observed ones, marked
    faspay = items[items["provider"] == "faspay"]
    assert set(faspay["amount_basis"]) <= {"observed", "unknown"} and (faspay["amount_basis"] == "observed").any()


def test_a_frame_source_names_what_it_left_out(small_demo_store):
    df = small_demo_store.as_of(end_of(DAY))
    pack = month_end_pack(df, MONTH, terms_days=TERMS)
    assert set(pack.sections) == {"Summary by provider", "Aging by customer", "Collections", "Statements"}
    assert "Trend" in pack.omitted and "history store" in pack.omitted["Trend"]
    # a store's reading, of a demo store: never "the balances of the load"
    assert (f"Balances are those the simulated demo history store (DEMO DATA) knew at the end of {DAY}."
            in pack.notes)
    assert pack.source == "DEMO DATA (a simulated history store)"
    loaded = small_demo_store.as_of(end_of(DAY))
    loaded.attrs = {"source": "faspay, mayar"}  # as load_invoices gives: a load, its time not recorded
    assert any(n.startswith(f"Balances are those of the load, aged at {DAY}") for n in
               month_end_pack(loaded, MONTH, terms_days=TERMS).notes)


def test_a_month_not_over_in_the_store_is_refused(small_demo_store):
    with pytest.raises(ValueError, match=r"not over in the store.*last full month is 2026-10"):
        month_end_pack(small_demo_store, "2026-11")
    with pytest.raises(ValueError, match="month like 2026-10"):
        month_end_pack(small_demo_store, "December")


def test_the_cash_in_forecast_is_the_forecast_from_the_month_end(pack, small_demo_store):
    """The section is ia.forecast_collections at the month end: 8 Monday weeks, Int64 rupiah, an interval."""
    import invoice_analytics as ia

    table = pack.sections["Cash-in forecast"]
    expected = ia.forecast_collections(small_demo_store, DAY, weeks=8, level=0.8)
    pd.testing.assert_frame_equal(table, expected)  # the store refreshed after the month end changes nothing
    assert len(table) == 8 and (table["week_start"].dt.dayofweek == 0).all()
    assert table["week_start"].iloc[0].date() > DAY - dt.timedelta(days=7)
    for column in ("expected", "low", "high"):
        assert str(table[column].dtype) == "Int64"
    assert (table["low"] <= table["expected"]).all() and (table["expected"] <= table["high"]).all()
    assert int(table["expected"].sum()) > 0


# docsc (issue 18): the month-end helpers' docstring examples.


def test_month_end_helpers() -> None:
    import datetime as dt

    from invoice_analytics.pack import month_end
    from invoice_analytics.pack._sections import month_ends, previous_month_end

    assert month_end("2026-02") == dt.date(2026, 2, 28) and month_end(dt.date(2026, 4, 9)) == dt.date(2026, 4, 30)
    assert month_end("2026-10") == dt.date(2026, 10, 31)
    assert previous_month_end("2026-03-31") == dt.date(2026, 2, 28)
    assert previous_month_end("2026-01-15") == dt.date(2025, 12, 31)
    assert [str(d) for d in month_ends("2026-03-31", 3)] == ["2026-01-31", "2026-02-28", "2026-03-31"]
