"""Aging buckets, aging report, overdue totals, average days past due, top debtors."""

from __future__ import annotations

import datetime as dt
import warnings

import numpy as np
import pandas as pd
import pytest

from invoice_analytics._combine import combine
from invoice_analytics.analytics.aging import (
    aging_buckets,
    aging_report,
    average_days_past_due,
    credit_invoices,
    overdue_invoices,
    overdue_totals,
    top_debtors,
)
from invoice_analytics.schema import JAKARTA, empty_frame
from tests.support.frames import faspay, frame, mayar

AS_OF = "2024-03-31"
LABELS = ["Current", "1-30", "31-60", "61-90", ">90"]
REPORT_COLUMNS = [*LABELS, "Credit", "Total"]

def due_days_ago(days: int, **row: object) -> dict:
    """A row due ``days`` before AS_OF (negative: not yet due)."""
    due = pd.Timestamp(AS_OF) - pd.Timedelta(days=days)
    return {"due_at": due.strftime("%Y-%m-%d"), **row}


# ---------------------------------------------------------------- days past due and buckets

EDGE_DAYS = [-5, 0, 1, 30, 31, 60, 61, 90, 91, 400]
EDGE_BUCKETS = ["Current", "Current", "1-30", "1-30", "31-60", "31-60", "61-90", "61-90", ">90", ">90"]


def edge_frame() -> pd.DataFrame:
    return frame(*(due_days_ago(d, outstanding=10**i) for i, d in enumerate(EDGE_DAYS)))


def test_days_past_due_and_bucket_at_the_edges() -> None:
    aged = aging_buckets(edge_frame(), AS_OF)
    assert aged["days_past_due"].tolist() == EDGE_DAYS
    assert aged["bucket"].astype(str).tolist() == EDGE_BUCKETS
    assert str(aged["days_past_due"].dtype) == "Int64"
    assert aged["bucket"].cat.ordered
    assert aged["bucket"].cat.categories.tolist() == LABELS


def test_report_sums_the_edges_into_their_buckets() -> None:
    report = aging_report(edge_frame(), AS_OF, by=None)
    assert report.index.tolist() == ["Total"]
    assert report.columns.tolist() == REPORT_COLUMNS
    assert report.loc["Total"].tolist() == [11, 1100, 110_000, 11_000_000, 1_100_000_000, 0, 1_111_111_111]
    assert (report.dtypes == "int64").all()


def test_due_time_late_in_the_day_does_not_shift_the_day() -> None:
    df = frame(
        {"due_at": "2024-03-31 23:59:59", "outstanding": 1},
        {"due_at": "2024-03-30 23:59:59", "outstanding": 2},
        {"due_at": "2024-03-30 00:00:00", "outstanding": 3},
        # 17:30 UTC on the 30th is 00:30 on the 31st in Jakarta
        {"due_at": pd.Timestamp("2024-03-30 17:30", tz="UTC"), "outstanding": 4},
    )
    assert aging_buckets(df, AS_OF)["days_past_due"].tolist() == [0, 1, 1, 0]
    # the same instants stored in UTC give the same Jakarta days
    utc = df.assign(due_at=df["due_at"].dt.tz_convert("UTC"))
    assert aging_buckets(utc, AS_OF)["days_past_due"].tolist() == [0, 1, 1, 0]


@pytest.mark.parametrize(
    ("as_of", "days"),
    [
        ("2024-03-31", 30),
        ("2024-03-31 23:59", 30),
        (dt.date(2024, 3, 31), 30),
        (dt.datetime(2024, 3, 31, 8), 30),
        (pd.Timestamp("2024-03-31"), 30),
        (pd.Timestamp("2024-03-31 16:59", tz="UTC"), 30),  # 23:59 in Jakarta
        (pd.Timestamp("2024-03-31 17:00", tz="UTC"), 31),  # already April 1st in Jakarta
        ("2024-03-31T20:00:00+00:00", 31),
        (np.datetime64("2024-03-01"), 0),
    ],
)
def test_as_of_forms(as_of: object, days: int) -> None:
    df = frame({"due_at": "2024-03-01", "outstanding": 1})
    assert aging_buckets(df, as_of)["days_past_due"].tolist() == [days]


def test_as_of_none_is_today_in_jakarta() -> None:
    today = pd.Timestamp.now(tz=JAKARTA).normalize()
    df = frame(
        {"due_at": today, "outstanding": 1},
        {"due_at": today - pd.Timedelta(days=31), "outstanding": 2},
    )
    aged = aging_buckets(df)
    assert aged["days_past_due"].tolist() == [0, 31]
    assert aged["bucket"].astype(str).tolist() == ["Current", "31-60"]


def test_custom_edges() -> None:
    df = frame(*(due_days_ago(d, outstanding=1) for d in [0, 90, 91, 120, 121]))
    aged = aging_buckets(df, AS_OF, edges=(30, 60, 90, 120))
    assert aged["bucket"].cat.categories.tolist() == ["Current", "1-30", "31-60", "61-90", "91-120", ">120"]
    assert aged["bucket"].astype(str).tolist() == ["Current", "61-90", "91-120", "91-120", ">120"]
    report = aging_report(df, AS_OF, by=None, edges=[7, 14])
    assert report.columns.tolist() == ["Current", "1-7", "8-14", ">14", "Credit", "Total"]
    assert report.loc["Total"].tolist() == [1, 0, 0, 4, 0, 5]


@pytest.mark.parametrize("edges", [(), (30, 30), (60, 30), (0, 30), (30.5, 60)])
def test_bad_edges_are_refused(edges: tuple) -> None:
    with pytest.raises(ValueError, match="edges"):
        aging_report(edge_frame(), AS_OF, edges=edges, totals=True)


# ---------------------------------------------------------------- open, credits, statuses


def test_excluded_statuses_are_never_aged_and_missing_status_is() -> None:
    df = frame(
        due_days_ago(40, status="draft", outstanding=1),
        due_days_ago(40, status="cancelled", outstanding=2),
        due_days_ago(40, status="proforma", outstanding=4),
        due_days_ago(40, status="proforma", outstanding=-8),
        due_days_ago(40, status=None, provider_status="Weird", outstanding=16),
        due_days_ago(40, status="paid", outstanding=32),  # inconsistent but open: outstanding rules
        due_days_ago(40, status="partially_paid", outstanding=64),
        due_days_ago(40, status="overdue", outstanding=128),
        due_days_ago(40, status="unpaid", outstanding=256),
        due_days_ago(40, status="paid", outstanding=0),
    )
    assert aging_buckets(df, AS_OF)["outstanding"].tolist() == [16, 32, 64, 128, 256]
    assert aging_report(df, AS_OF, by=None).loc["Total", "31-60"] == 496
    totals = overdue_totals(df, AS_OF)
    assert totals.loc["Total", ["open_count", "open_amount"]].tolist() == [5, 496]
    assert credit_invoices(df).empty


def test_credits_get_their_own_column_and_net_the_total() -> None:
    df = frame(
        due_days_ago(10, customer_name="Ani", outstanding=500_000),
        due_days_ago(100, customer_name="Ani", outstanding=-120_000, status="paid"),
        due_days_ago(5, customer_name="Budi", outstanding=-30_000, status=None),
        due_days_ago(5, customer_name="Citra", outstanding=70_000),
        due_days_ago(5, customer_name="Citra", outstanding=-70_000),
    )
    report = aging_report(df, AS_OF, by="customer_name", totals=True)  # one customer id: the names group
    assert report.index.tolist() == ["Ani", "Citra", "Budi", "Total"]
    assert report.loc["Ani"].tolist() == [0, 500_000, 0, 0, 0, -120_000, 380_000]
    assert report.loc["Budi"].tolist() == [0, 0, 0, 0, 0, -30_000, -30_000]
    assert report.loc["Citra"].tolist() == [0, 70_000, 0, 0, 0, -70_000, 0]
    assert report.loc["Total"].tolist() == [0, 570_000, 0, 0, 0, -220_000, 350_000]
    # credits are not open invoices
    assert aging_buckets(df, AS_OF)["outstanding"].tolist() == [500_000, 70_000]
    assert overdue_totals(df, AS_OF).loc["Total", "open_amount"] == 570_000
    listed = credit_invoices(df)
    assert listed["outstanding"].tolist() == [-120_000, -30_000, -70_000]
    assert listed.index.tolist() == [1, 2, 4]
    assert listed.columns.tolist() == df.columns.tolist()


def test_missing_outstanding_is_neither_open_nor_credit() -> None:
    df = frame(due_days_ago(10, outstanding=None), due_days_ago(10, outstanding=7))
    assert aging_buckets(df, AS_OF)["outstanding"].tolist() == [7]
    assert aging_report(df, AS_OF, by=None)["Total"].tolist() == [7]


# ---------------------------------------------------------------- due dates, terms, basis


def test_missing_due_date_is_issued_plus_terms() -> None:
    df = frame(
        {"issued_at": "2024-03-01 22:00", "due_at": None, "outstanding": 1},  # Mayar-like
        {"issued_at": "2024-01-01", "due_at": "2024-03-21", "outstanding": 2},  # has a due date
    )
    assert aging_buckets(df, AS_OF)["days_past_due"].tolist() == [30, 10]  # due on receipt
    assert aging_buckets(df, AS_OF, terms_days=1)["days_past_due"].tolist() == [29, 10]
    assert aging_buckets(df, AS_OF, terms_days=30)["days_past_due"].tolist() == [0, 10]
    assert aging_buckets(df, AS_OF, terms_days=45)["days_past_due"].tolist() == [-15, 10]
    report = aging_report(df, AS_OF, by=None, terms_days=30)
    assert report.loc["Total", ["Current", "1-30"]].tolist() == [1, 2]
    overdue = overdue_totals(df, AS_OF, terms_days=30)
    assert overdue.loc["Total", ["overdue_count", "overdue_amount"]].tolist() == [1, 2]


def test_basis_issued_ages_from_the_issue_date() -> None:
    df = frame(
        {"issued_at": "2024-01-01 23:00", "due_at": "2024-03-30", "outstanding": 1},
        {"issued_at": "2024-03-01", "due_at": None, "outstanding": 2},
    )
    assert aging_buckets(df, AS_OF)["days_past_due"].tolist() == [1, 30]
    aged = aging_buckets(df, AS_OF, basis="issued", terms_days=20)  # terms only fill due dates
    assert aged["days_past_due"].tolist() == [90, 30]
    assert aged["bucket"].astype(str).tolist() == ["61-90", "1-30"]
    report = aging_report(df, AS_OF, by=None, basis="issued")
    assert report.loc["Total", ["1-30", "61-90"]].tolist() == [2, 1]
    assert average_days_past_due(df, AS_OF, basis="issued").loc["Total", "average_days_past_due"] == 50.0
    with pytest.raises(ValueError, match="basis"):
        aging_report(df, AS_OF, basis="paid", totals=True)


def test_unknown_age_is_current_and_never_overdue() -> None:
    df = frame(
        {"issued_at": None, "due_at": None, "outstanding": 5},
        due_days_ago(3, outstanding=7),
    )
    aged = aging_buckets(df, AS_OF)
    assert aged["days_past_due"].isna().tolist() == [True, False]
    assert aged["bucket"].astype(str).tolist() == ["Current", "1-30"]
    assert aging_report(df, AS_OF, by=None).loc["Total", ["Current", "1-30", "Total"]].tolist() == [5, 7, 12]
    overdue = overdue_totals(df, AS_OF).loc["Total"]
    assert [overdue["open_amount"], overdue["overdue_amount"]] == [12, 7]
    avg = average_days_past_due(df, AS_OF).loc["Total"]
    assert avg["average_days_past_due"] == 3.0  # the unknown age is left out


def test_naive_and_nanosecond_datetimes_and_plain_dtypes() -> None:
    df = pd.DataFrame(
        {
            "customer_name": ["Ani", "Budi"],
            "status": ["unpaid", "draft"],
            "issued_at": pd.to_datetime(["2024-01-01", "2024-01-01"]).as_unit("ns"),
            "due_at": pd.to_datetime(["2024-03-30 23:59", None]).as_unit("ns"),
            "outstanding": [10, 20],
        }
    )
    assert aging_buckets(df, AS_OF)["days_past_due"].tolist() == [1]
    assert aging_report(df, AS_OF, by="customer_name", totals=True).loc["Ani", "1-30"] == 10


def test_dates_before_1964_use_the_historical_offset() -> None:
    # Jakarta was UTC+7:30 in 1960: 16:45 UTC on Jan 1st is 00:15 on Jan 2nd there.
    df = frame({"issued_at": "1959-12-01", "due_at": pd.Timestamp("1960-01-01 16:45", tz="UTC"), "outstanding": 1})
    assert aging_buckets(df, "1960-01-02")["days_past_due"].tolist() == [0]


# ---------------------------------------------------------------- grouping and sorting


def test_report_sorted_by_total_descending_ties_by_name_missing_name_kept() -> None:
    df = frame(
        due_days_ago(1, customer_name="Dewi", outstanding=100),
        due_days_ago(1, customer_name="Budi", outstanding=300),
        due_days_ago(1, customer_name="Citra", outstanding=100),
        due_days_ago(1, customer_name=None, outstanding=200),
        due_days_ago(1, customer_name="Ani", outstanding=100),
    )
    report = aging_report(df, AS_OF, by="customer_name", totals=True)
    assert report.index[:-1].fillna("<missing>").tolist() == ["Budi", "<missing>", "Ani", "Citra", "Dewi"]
    assert report["Total"].tolist() == [300, 200, 100, 100, 100, 800]
    assert report.index.name == "customer_name"
    no_totals = aging_report(df, AS_OF, by="customer_name", totals=False)
    assert len(no_totals) == 5 and "Total" not in no_totals.index


def test_by_list_gives_a_multiindex_with_a_total_row() -> None:
    df = frame(
        due_days_ago(1, provider="faspay", customer_name="Ani", outstanding=100),
        due_days_ago(40, provider="mayar", customer_name="Ani", outstanding=250),
        due_days_ago(40, provider="mayar", customer_name="Ani", outstanding=50),
        due_days_ago(0, provider="faspay", customer_name="Budi", outstanding=30),
    )
    report = aging_report(df, AS_OF, by=["provider", "customer_name"], totals=True)
    assert report.index.names == ["provider", "customer_name"]
    assert report.index.tolist() == [("mayar", "Ani"), ("faspay", "Ani"), ("faspay", "Budi"), ("Total", "")]
    assert report["31-60"].tolist() == [300, 0, 0, 300]
    assert report["Total"].tolist() == [300, 100, 30, 430]
    overdue = overdue_totals(df, AS_OF, by=("provider", "customer_name"), totals=True)
    assert overdue.index.tolist() == [("mayar", "Ani"), ("faspay", "Ani"), ("faspay", "Budi"), ("Total", "")]
    assert overdue["overdue_count"].tolist() == [2, 1, 0, 3]


def test_by_a_categorical_keeps_missing_values_and_drops_unseen_categories() -> None:
    df = frame(
        due_days_ago(1, status="overdue", outstanding=5),
        due_days_ago(1, status=None, outstanding=7),
        due_days_ago(1, status="overdue", outstanding=1),
        due_days_ago(1, status="draft", outstanding=100),
    )
    report = aging_report(df, AS_OF, by="status", totals=True)
    assert report.index[:-1].astype(object).fillna("<missing>").tolist() == ["<missing>", "overdue"]
    assert report["1-30"].tolist() == [7, 6, 13]


def test_by_issue_month_virtual_key() -> None:
    df = frame(
        {"issued_at": "2024-01-31 23:30", "due_at": "2024-02-29", "outstanding": 1},
        {"issued_at": "2024-02-01 00:10", "due_at": "2024-02-29", "outstanding": 2},
        {"issued_at": "2024-02-15", "due_at": "2024-03-30", "outstanding": 4},
    )
    report = aging_report(df, AS_OF, by="issue_month", totals=True)
    assert report.index.tolist() == [pd.Period("2024-02", "M"), pd.Period("2024-01", "M"), "Total"]
    assert report["Total"].tolist() == [6, 1, 7]


def test_unknown_by_column_is_a_clear_error() -> None:
    with pytest.raises(KeyError, match="nope"):
        aging_report(edge_frame(), AS_OF, by="nope", totals=True)
    with pytest.raises(KeyError, match="outstanding"):
        aging_report(edge_frame().drop(columns="outstanding"), AS_OF, totals=True)


def test_sums_are_exact_beyond_float_precision() -> None:
    big = 2**53 + 1
    df = frame(due_days_ago(1, outstanding=big), due_days_ago(1, outstanding=big), due_days_ago(1, outstanding=1))
    report = aging_report(df, AS_OF, by=None)
    assert int(report.loc["Total", "1-30"]) == 2 * big + 1
    assert int(overdue_totals(df, AS_OF).loc["Total", "overdue_amount"]) == 2 * big + 1


# ---------------------------------------------------------------- overdue totals


def test_overdue_totals_counts_amounts_and_share() -> None:
    df = frame(
        due_days_ago(0, customer_name="Ani", outstanding=100),  # due today: not overdue
        due_days_ago(1, customer_name="Ani", outstanding=300),
        due_days_ago(-3, customer_name="Budi", outstanding=50),
        due_days_ago(95, customer_name="Citra", outstanding=25),
        due_days_ago(95, customer_name="Citra", outstanding=-25),  # credit: not open
    )
    result = overdue_totals(df, AS_OF, by="customer_name", totals=True)
    assert result.columns.tolist() == ["open_count", "open_amount", "overdue_count", "overdue_amount", "overdue_share"]
    assert result.index.tolist() == ["Ani", "Citra", "Budi", "Total"]
    assert result["open_count"].tolist() == [2, 1, 1, 4]
    assert result["open_amount"].tolist() == [400, 25, 50, 475]
    assert result["overdue_count"].tolist() == [1, 1, 0, 2]
    assert result["overdue_amount"].tolist() == [300, 25, 0, 325]
    assert result["overdue_share"].tolist() == [0.75, 1.0, 0.0, 325 / 475]
    assert result.dtypes.astype(str).tolist() == ["int64"] * 4 + ["Float64"]
    single = overdue_totals(df, AS_OF)
    assert single.index.tolist() == ["Total"]
    assert single.loc["Total", "overdue_amount"] == 325


# ---------------------------------------------------------------- average days past due


def test_average_days_past_due_is_weighted_by_outstanding() -> None:
    df = frame(
        due_days_ago(10, customer_name="Ani", outstanding=100),
        due_days_ago(30, customer_name="Ani", outstanding=300),
        due_days_ago(-20, customer_name="Ani", outstanding=400),  # not yet due: counts as 0 days
        due_days_ago(60, customer_name="Budi", outstanding=100),
        due_days_ago(-5, customer_name="Citra", outstanding=50),
    )
    result = average_days_past_due(df, AS_OF, by="customer_name", totals=True)
    assert result.index.tolist() == ["Ani", "Budi", "Citra", "Total"]
    assert result["open_amount"].tolist() == [800, 100, 50, 950]
    assert result["average_days_past_due"].tolist() == [12.5, 60.0, 0.0, (1000 + 9000 + 6000) / 950]
    assert result["overdue_amount"].tolist() == [400, 100, 0, 500]
    assert result["average_days_overdue"].tolist()[:2] == [25.0, 60.0]
    assert result["average_days_overdue"].isna().tolist() == [False, False, True, False]
    assert result.loc["Total", "average_days_overdue"] == 16000 / 500
    assert str(result["average_days_past_due"].dtype) == "Float64"


# ---------------------------------------------------------------- top debtors


def test_top_debtors_with_their_oldest_overdue_invoice() -> None:
    df = frame(
        due_days_ago(45, invoice_id="A-1", customer_name="Ani", outstanding=100),
        due_days_ago(70, invoice_id="A-2", customer_name="Ani", outstanding=100),
        due_days_ago(70, invoice_id="A-3", customer_name="Ani", outstanding=100),  # tie: A-2 first
        due_days_ago(-3, invoice_id="B-1", customer_name="Budi", outstanding=1_000),
        due_days_ago(5, invoice_id="C-1", customer_name="Citra", outstanding=50),
        due_days_ago(200, invoice_id="D-1", customer_name="Dewi", outstanding=10, status="draft"),
        # Mayar-like: due = issued + terms
        {"invoice_id": "E-1", "customer_name": "Eko", "issued_at": "2024-03-01 21:00", "outstanding": 20},
    )
    top = top_debtors(df, AS_OF, n=3, by="customer_name")  # the helper's rows share one customer id
    assert top.index.tolist() == ["Budi", "Ani", "Citra"]
    assert top.columns.tolist() == [
        "open_count", "open_amount", "overdue_count", "overdue_amount",
        "oldest_invoice_id", "oldest_due_date", "oldest_days_past_due",
    ]
    assert top["open_amount"].tolist() == [1_000, 300, 50]
    assert top["overdue_amount"].tolist() == [0, 300, 50]
    assert top["oldest_invoice_id"].tolist()[1:] == ["A-2", "C-1"]
    assert pd.isna(top.loc["Budi", "oldest_invoice_id"])
    assert top["oldest_days_past_due"].tolist()[1:] == [70, 5]
    assert top["oldest_due_date"].tolist()[1:] == [
        pd.Timestamp("2024-01-21", tz=JAKARTA),
        pd.Timestamp("2024-03-26", tz=JAKARTA),
    ]
    assert str(top["oldest_due_date"].dtype) == "datetime64[us, Asia/Jakarta]"
    by_overdue = top_debtors(df, AS_OF, n=2, by="customer_name", sort_by="overdue_amount", terms_days=7)
    assert by_overdue.index.tolist() == ["Ani", "Citra"]
    eko = top_debtors(df, AS_OF, n=10, by="customer_name", terms_days=7).loc["Eko"]
    assert eko["oldest_invoice_id"] == "E-1"
    assert eko["oldest_days_past_due"] == 23
    assert eko["oldest_due_date"] == pd.Timestamp("2024-03-08", tz=JAKARTA)
    assert len(top_debtors(df, AS_OF, n=0)) == 0


# ---------------------------------------------------------------- empty frames, both providers, purity


def test_empty_frames_give_empty_results_with_the_right_columns() -> None:
    empty = empty_frame()
    aged = aging_buckets(empty, AS_OF)
    assert aged.columns.tolist() == [*empty.columns, "days_past_due", "bucket"]
    assert str(aged["days_past_due"].dtype) == "Int64"
    assert aged["bucket"].cat.categories.tolist() == LABELS
    for by in ("customer_name", None, ["provider", "customer_name"]):
        report = aging_report(empty, AS_OF, by=by, totals=True)
        assert report.columns.tolist() == REPORT_COLUMNS and len(report) == 0
        assert (report.dtypes == "int64").all()
    assert aging_report(empty, AS_OF, by=["provider", "customer_name"]).index.names == ["provider", "customer_name"]
    assert overdue_totals(empty, AS_OF).columns.tolist() == [
        "open_count", "open_amount", "overdue_count", "overdue_amount", "overdue_share"
    ]
    assert len(overdue_totals(empty, AS_OF, by="customer_name", totals=True)) == 0
    assert average_days_past_due(empty, AS_OF).shape == (0, 4)
    assert top_debtors(empty, AS_OF, n=5).shape == (0, 7)
    assert credit_invoices(empty).shape == (0, 11)
    # nothing open: empty too
    paid_only = frame(due_days_ago(10, status="paid", outstanding=0))
    assert aging_report(paid_only, AS_OF, totals=True).empty and overdue_totals(paid_only, AS_OF).empty


def test_both_providers_combined() -> None:
    f = faspay(
        {"customer_id": "F1", "customer_name": "PT Maju", "due_at": "2024-03-01", "outstanding": 1_500_000},
        {"customer_id": "F1", "customer_name": "PT Maju", "due_at": "2024-04-15", "outstanding": 500_000},
        {"customer_id": "F2", "customer_name": "CV Jaya", "due_at": "2023-12-01", "outstanding": 750_000,
         "status": "overdue"},
        {"customer_id": "F2", "customer_name": "CV Jaya", "outstanding": -100_000, "status": "paid"},
        {"customer_id": "F3", "customer_name": "PT Draft", "outstanding": 9_999, "status": "draft"},
    )
    m = mayar(
        {"customer_id": "m-1", "customer_name": "PT Maju", "issued_at": "2024-03-20", "amount": 200_000},
        {"customer_id": "m-2", "customer_name": "Toko Sinar", "issued_at": "2024-02-10", "amount": 300_000},
        {"customer_id": "m-2", "customer_name": "Toko Sinar", "issued_at": "2024-02-11", "amount": 1,
         "status": "paid"},
        {"customer_id": "m-3", "customer_name": "Toko Batal", "issued_at": "2024-02-10", "amount": 5,
         "status": "cancelled", "outstanding": 5},
    )
    both = combine(f, m)
    assert len(both) == 9 and str(both["provider"].dtype) == "category"
    report = aging_report(both, AS_OF, totals=True)  # by customer: PT Maju at faspay and at Mayar are two customers
    assert report.index.names == ["customer_name", "customer_id", "provider"]
    assert report.index.tolist() == [("PT Maju", "F1", "faspay"), ("CV Jaya", "F2", "faspay"),
                                     ("Toko Sinar", "m-2", "mayar"), ("PT Maju", "m-1", "mayar"), ("Total", "", "")]
    assert report.loc[("PT Maju", "F1", "faspay")].tolist() == [500_000, 1_500_000, 0, 0, 0, 0, 2_000_000]
    assert report.loc[("PT Maju", "m-1", "mayar")].tolist() == [0, 200_000, 0, 0, 0, 0, 200_000]
    assert report.loc[("CV Jaya", "F2", "faspay")].tolist() == [0, 0, 0, 0, 750_000, -100_000, 650_000]
    assert report.loc[("Toko Sinar", "m-2", "mayar")].tolist() == [0, 0, 300_000, 0, 0, 0, 300_000]
    assert report.loc[("Total", "", "")].tolist() == [500_000, 1_700_000, 300_000, 0, 750_000, -100_000, 3_150_000]
    by_name = aging_report(both, AS_OF, by="customer_name", totals=True)  # by the name alone: one PT Maju row
    assert by_name.index.tolist() == ["PT Maju", "CV Jaya", "Toko Sinar", "Total"]
    assert by_name.loc["PT Maju"].tolist() == [500_000, 1_700_000, 0, 0, 0, 0, 2_200_000]
    by_provider = overdue_totals(both, AS_OF, by="provider", totals=True)
    assert by_provider.index.tolist() == ["faspay", "mayar", "Total"]
    assert by_provider["open_amount"].tolist() == [2_750_000, 500_000, 3_250_000]
    assert by_provider["overdue_amount"].tolist() == [2_250_000, 500_000, 2_750_000]
    separate = aging_report(both, AS_OF, by=["provider", "customer_id"], totals=False)
    assert separate.index.tolist() == [("faspay", "F1"), ("faspay", "F2"), ("mayar", "m-2"), ("mayar", "m-1")]
    assert separate["Total"].tolist() == [2_000_000, 650_000, 300_000, 200_000]
    assert top_debtors(both, AS_OF, n=1).index.tolist() == [("PT Maju", "F1", "faspay")]


def test_functions_do_not_mutate_their_input() -> None:
    df = combine(
        faspay(due_days_ago(40, outstanding=10), due_days_ago(3, outstanding=-4, status="paid")),
        mayar({"issued_at": "2024-03-01"}, {"status": None, "issued_at": None, "outstanding": 3}),
    )
    before = df.copy(deep=True)
    aged = aging_buckets(df, AS_OF)
    aged.loc[aged.index[0], "outstanding"] = 999
    aging_report(df, AS_OF, by=["provider", "issue_month"], totals=True)
    overdue_totals(df, AS_OF, by="customer_name", totals=True)
    average_days_past_due(df, AS_OF)
    top_debtors(df, AS_OF, n=3)
    listed = credit_invoices(df)
    listed.loc[:, "outstanding"] = 0
    pd.testing.assert_frame_equal(df, before)
    assert "days_past_due" not in df.columns


def test_credit_invoices_need_no_dates() -> None:
    df = frame({"outstanding": -5}, {"outstanding": 7}).drop(columns=["issued_at", "due_at"])
    assert credit_invoices(df)["outstanding"].tolist() == [-5]


def test_a_past_as_of_leaves_out_later_invoices_and_warns_that_balances_are_todays() -> None:
    from invoice_analytics.errors import PastAsOfWarning

    df = frame(
        {"customer_id": "C1", "customer_name": "Ani", "issued_at": "2024-01-01", "due_at": "2024-01-31",
         "outstanding": 100},
        {"customer_id": "C2", "customer_name": "Budi", "issued_at": "2024-03-15", "due_at": "2024-04-14",
         "outstanding": 700},
    )
    ani, budi, total = ("Ani", "C1", "faspay"), ("Budi", "C2", "faspay"), ("Total", "", "")
    with pytest.warns(PastAsOfWarning, match="balances are not those of that date") as caught:
        report = aging_report(df, "2024-02-29", totals=True)
    assert report.index.tolist() == [ani, total]  # Budi's invoice did not exist yet
    assert caught[0].filename == __file__  # pointed at the caller's line
    # a frame whose balances are those known on that date (as a store's as_of gives) does not warn
    snapshot = df.copy()
    snapshot.attrs["as_of"] = "2024-02-29"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert aging_report(snapshot, "2024-02-29", totals=True).index.tolist() == [ani, total]
        assert aging_report(df, None, totals=True).index.tolist() == [budi, ani, total]  # today: all


# ---------------------------------------------------------------- totals are opt-in (pivot_table's margins)


def test_grouped_results_hold_data_only_by_default() -> None:
    df = frame(due_days_ago(10, customer_name="Ani", outstanding=100),
               due_days_ago(40, customer_name="Budi", customer_id="C2", outstanding=250))
    report = aging_report(df, AS_OF)
    assert "Total" not in report.index.get_level_values(0)
    assert report["Total"].sum() == 350  # not twice the grand total
    assert aging_report(df, AS_OF, totals=True).iloc[-1]["Total"] == 350
    for result in (overdue_totals(df, AS_OF, by="customer_name"),
                   average_days_past_due(df, AS_OF, by="customer_name")):
        assert result.index.tolist() == ["Budi", "Ani"]


def test_a_customer_named_total_does_not_collide_with_the_totals_row() -> None:
    df = frame(due_days_ago(10, customer_name="Total", customer_id="C9", outstanding=100),
               due_days_ago(40, customer_name="Ani", outstanding=250))
    assert aging_report(df, AS_OF, by="customer_name").index.tolist() == ["Ani", "Total"]  # a customer
    report = aging_report(df, AS_OF, totals=True)  # the customer key: the totals row is ("Total", "", "")
    assert report.index.tolist() == [("Ani", "C1", "faspay"), ("Total", "C9", "faspay"), ("Total", "", "")]
    with pytest.raises(ValueError, match="label of the totals row"):
        aging_report(df, AS_OF, by="customer_name", totals=True)


# --- sums never wrap (issue 17) ---------------------------------------------------------------------------


def test_money_sums_beyond_int64_raise_instead_of_wrapping():
    from invoice_analytics.analytics.aging import aging_report, overdue_totals, top_debtors
    from invoice_analytics.analytics.ratios import paid_ratio
    from invoice_analytics.display.kpis import panel_kpis
    from invoice_analytics.errors import MoneyOverflowError
    from tests.support.frames import frame as make

    huge = make({"customer_name": "A", "customer_id": "C1", "outstanding": 2**63 - 1, "due_at": "2024-01-31"},
                {"customer_name": "B", "customer_id": "C2", "outstanding": 2**62, "due_at": "2024-01-31"})
    for call in (lambda: aging_report(huge, "2024-02-15", totals=True),
                 lambda: aging_report(huge, "2024-02-15", by=None, totals=False),
                 lambda: overdue_totals(huge, "2024-02-15", totals=True),
                 lambda: panel_kpis(huge, "2024-02-15")):
        with pytest.raises(MoneyOverflowError) as info:
            call()
        assert isinstance(info.value, OverflowError) and "does not fit in int64" in str(info.value)
    twice = make({"amount": 2**63 - 1, "outstanding": 0, "status": "paid"},
                 {"amount": 2**63 - 1, "outstanding": 0, "status": "paid"})
    with pytest.raises(MoneyOverflowError):
        paid_ratio(twice, weight="amount", totals=True)
    # each customer alone fits: the per-customer table is exact
    assert top_debtors(huge, "2024-02-15", n=2)["open_amount"].tolist() == [2**63 - 1, 2**62]


# docsc (issue 18): the cases the docstring examples showed beside their one example.


def test_docstring_cases_terms_and_other_edges() -> None:
    df = pd.DataFrame({"invoice_id": ["A1", "A2", "B1", "C1"], "status": ["unpaid", "overdue", "unpaid", "draft"],
                       "issued_at": pd.to_datetime(["2024-01-01"] * 4),
                       "due_at": pd.to_datetime(["2024-02-15 23:00", "2024-01-15 00:00", None, None]),
                       "outstanding": [100_000, 250_000, 75_000, 999]})
    aged = aging_buckets(df, "2024-02-15", edges=[15, 30], terms_days=30)  # B1: due 2024-01-31
    assert aged["days_past_due"].tolist() == [0, 31, 15]
    assert aged["bucket"].tolist() == ["Current", ">30", "1-15"]
    assert aged["bucket"].cat.categories.tolist() == ["Current", "1-15", "16-30", ">30"]
    assert len(overdue_invoices(df.iloc[:2], "2024-01-15")) == 0  # due that day: not yet overdue


def test_docstring_case_one_row_for_everything() -> None:
    df = pd.DataFrame({
        "provider": ["faspay", "faspay", "mayar", "mayar", "mayar", "faspay"],
        "customer_id": ["C1", "C1", "M7", "M7", "M8", "C2"],
        "customer_name": ["Ani", "Ani", "Budi", "Budi", "Citra", "Ani"],
        "status": ["unpaid", "overdue", "unpaid", "paid", "draft", "unpaid"],
        "issued_at": pd.to_datetime(["2024-01-01"] * 6),
        "due_at": pd.to_datetime(["2024-01-31", "2024-01-10", None, None, None, "2024-02-01"]),
        "outstanding": [100_000, 250_000, 75_000, -5_000, 999, 20_000]})
    report = aging_report(df, "2024-02-15", by=None, edges=[60])
    assert report.index.tolist() == ["Total"]
    assert report.columns.tolist() == ["Current", "1-60", ">60", "Credit", "Total"]
    assert report.iloc[0].tolist() == [0, 445_000, 0, -5_000, 440_000]
