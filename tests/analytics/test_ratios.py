"""Paid ratios and the issue-month key."""

from __future__ import annotations

import pandas as pd
import pytest

from invoice_analytics._combine import combine
from invoice_analytics.analytics.ratios import issue_month, paid_ratio
from invoice_analytics.schema import empty_frame
from tests.support.frames import faspay, frame, mayar


def statuses_frame() -> pd.DataFrame:
    return frame(
        {"status": "paid", "amount": 100, "outstanding": 0},
        {"status": "paid", "amount": 200, "outstanding": 0},
        {"status": "partially_paid", "amount": 400, "outstanding": 100},
        {"status": "unpaid", "amount": 800, "outstanding": 800},
        {"status": "overdue", "amount": 1_600, "outstanding": 1_600},
        {"status": None, "amount": 3_200, "outstanding": 3_200},
        {"status": "draft", "amount": 6_400, "outstanding": 6_400},
        {"status": "cancelled", "amount": 12_800, "outstanding": 0},
        {"status": "proforma", "amount": 25_600, "outstanding": 25_600},
    )


def test_count_ratio_excludes_draft_cancelled_proforma_and_counts_missing_status() -> None:
    result = paid_ratio(statuses_frame())
    assert result.index.tolist() == ["Total"]
    assert result.columns.tolist() == ["invoice_count", "paid_count", "paid_ratio"]
    assert result.loc["Total"].tolist() == [6, 2, 2 / 6]
    assert result.dtypes.astype(str).tolist() == ["int64", "int64", "Float64"]


def test_amount_ratio_sums_known_amounts_and_what_was_paid() -> None:
    result = paid_ratio(statuses_frame(), weight="amount")
    assert result.columns.tolist() == ["billed_amount", "paid_amount", "paid_ratio"]
    # billed: 100+200+400+800+1600+3200; paid: 100+200+300
    assert result.loc["Total"].tolist() == [6_300, 600, 600 / 6_300]
    assert result.dtypes.astype(str).tolist() == ["int64", "int64", "Float64"]


def test_paid_amount_is_clipped_and_missing_values_are_handled() -> None:
    df = frame(
        {"amount": 1_000, "outstanding": 1_500, "status": "overdue"},  # more than billed: 0 paid
        {"amount": 1_000, "outstanding": -200, "status": "paid"},  # credit: all paid, not more
        {"amount": 1_000, "outstanding": None, "status": "paid"},  # unknown outstanding, paid: all
        {"amount": 1_000, "outstanding": None, "status": "unpaid"},  # unknown outstanding: nothing
        {"amount": None, "outstanding": 0, "status": "paid"},  # unknown amount: left out
        {"amount": 1_000, "outstanding": 250, "status": "partially_paid"},
    )
    result = paid_ratio(df, weight="amount")
    assert result.loc["Total", ["billed_amount", "paid_amount"]].tolist() == [5_000, 2_750]
    assert result.loc["Total", "paid_ratio"] == 0.55
    counts = paid_ratio(df)  # the count weight keeps the row without an amount
    assert counts.loc["Total"].tolist() == [6, 3, 0.5]


def test_faspay_has_no_amount_so_the_amount_ratio_is_missing() -> None:
    result = paid_ratio(faspay({"status": "paid"}, {"status": "unpaid", "outstanding": 10}), weight="amount")
    assert result.loc["Total", ["billed_amount", "paid_amount"]].tolist() == [0, 0]
    assert pd.isna(result.loc["Total", "paid_ratio"])


def test_by_issue_month_uses_the_jakarta_calendar() -> None:
    df = frame(
        {"issued_at": "2024-01-31 23:30", "status": "paid"},  # Jakarta wall time: January
        {"issued_at": pd.Timestamp("2024-01-31 17:30", tz="UTC"), "status": "paid"},  # 00:30 Feb 1st in Jakarta
        {"issued_at": "2024-02-29", "status": "unpaid"},
        {"issued_at": "2024-03-01", "status": "unpaid"},
        {"issued_at": None, "status": "paid"},
        {"issued_at": "2024-03-05", "status": "draft"},
    )
    result = paid_ratio(df, by="issue_month", totals=False)
    assert result.index.name == "issue_month"
    assert result.index.tolist()[:3] == [pd.Period(m, "M") for m in ("2024-01", "2024-02", "2024-03")]
    assert pd.isna(result.index[3])  # missing issue date: its own group, last
    assert result["invoice_count"].tolist() == [1, 2, 1, 1]
    assert result["paid_count"].tolist() == [1, 1, 0, 1]
    assert result["paid_ratio"].tolist() == [1.0, 0.5, 0.0, 1.0]
    months = issue_month(df)
    assert months.name == "issue_month" and str(months.dtype) == "period[M]"
    assert months.tolist()[:2] == [pd.Period("2024-01", "M"), pd.Period("2024-02", "M")]
    assert pd.isna(months.iloc[4])
    assert months.index.equals(df.index)


def test_an_issue_month_column_of_the_frame_wins_over_the_virtual_key() -> None:
    df = frame({"status": "paid"}, {"status": "unpaid"}).assign(issue_month=["x", "y"])
    assert paid_ratio(df, by="issue_month", totals=False).index.tolist() == ["x", "y"]


def test_by_list_and_totals_row() -> None:
    df = combine(
        faspay({"status": "paid", "issued_at": "2024-01-10"}, {"status": "unpaid", "issued_at": "2024-02-10"}),
        mayar({"status": "paid", "issued_at": "2024-01-15"}, {"status": "unpaid", "issued_at": "2024-01-20"}),
    )
    result = paid_ratio(df, by=["provider", "issue_month"], totals=True)
    assert result.index.names == ["provider", "issue_month"]
    assert result.index.tolist() == [
        ("faspay", pd.Period("2024-01", "M")),
        ("faspay", pd.Period("2024-02", "M")),
        ("mayar", pd.Period("2024-01", "M")),
        ("Total", ""),
    ]
    assert result["invoice_count"].tolist() == [1, 1, 2, 4]
    assert result["paid_count"].tolist() == [1, 0, 1, 2]
    assert result["paid_ratio"].tolist() == [1.0, 0.0, 0.5, 0.5]
    by_customer = paid_ratio(df, by="customer_name", weight="amount", totals=True)
    assert by_customer.index.tolist() == ["Ani", "Total"]
    assert by_customer.loc["Ani", ["billed_amount", "paid_amount"]].tolist() == [200_000, 100_000]


def test_both_providers_combined() -> None:
    f = faspay(
        {"customer_name": "PT Maju", "status": "paid"},
        {"customer_name": "PT Maju", "status": "unpaid", "outstanding": 5_000},
        {"customer_name": "CV Jaya", "status": "cancelled"},
    )
    m = mayar(
        {"customer_name": "PT Maju", "status": "paid", "amount": 300_000},
        {"customer_name": "Toko Sinar", "status": "unpaid", "amount": 100_000},
        {"customer_name": "Toko Sinar", "status": "cancelled", "amount": 900_000},
    )
    both = combine(f, m)
    counts = paid_ratio(both, by="provider", totals=False)
    assert counts.index.tolist() == ["faspay", "mayar"]
    assert counts["invoice_count"].tolist() == [2, 2]
    assert counts["paid_ratio"].tolist() == [0.5, 0.5]
    amounts = paid_ratio(both, by="customer_name", weight="amount", totals=False)
    assert amounts.index.tolist() == ["PT Maju", "Toko Sinar"]  # CV Jaya: only cancelled
    assert amounts["billed_amount"].tolist() == [300_000, 100_000]  # Faspay has no amount
    assert amounts["paid_amount"].tolist() == [300_000, 0]
    assert amounts["paid_ratio"].tolist() == [1.0, 0.0]


def test_empty_frames_and_nothing_counted() -> None:
    for weight, columns in (
        ("count", ["invoice_count", "paid_count", "paid_ratio"]),
        ("amount", ["billed_amount", "paid_amount", "paid_ratio"]),
    ):
        for by in (None, "issue_month", ["provider", "customer_name"]):
            result = paid_ratio(empty_frame(), by=by, weight=weight, totals=True)
            assert result.columns.tolist() == columns and len(result) == 0
    assert paid_ratio(empty_frame(), by=["provider", "issue_month"]).index.names == ["provider", "issue_month"]
    assert paid_ratio(frame({"status": "draft"}, {"status": "cancelled"})).empty
    assert len(issue_month(empty_frame())) == 0


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="weight"):
        paid_ratio(statuses_frame(), weight="value")
    with pytest.raises(KeyError, match="amount"):
        paid_ratio(statuses_frame().drop(columns="amount"), weight="amount")
    with pytest.raises(KeyError, match="issued_at"):
        paid_ratio(statuses_frame().drop(columns="issued_at"), by="issue_month")


def test_paid_ratio_does_not_mutate_its_input() -> None:
    df = combine(statuses_frame(), mayar({"status": "paid"}))
    before = df.copy(deep=True)
    paid_ratio(df, by=["provider", "issue_month"], weight="amount", totals=True)
    paid_ratio(df, by="customer_name", totals=False)
    issue_month(df)
    pd.testing.assert_frame_equal(df, before)


# docsc (issue 18): the case the docstring example showed beside its one example.


def test_docstring_case_amount_weighted_by_status_with_totals() -> None:
    df = pd.DataFrame({"status": ["paid", "partially_paid", "unpaid", "cancelled"],
                       "issued_at": pd.to_datetime(["2024-01-05", "2024-01-20", "2024-02-01", "2024-02-02"]),
                       "amount": [100_000, 200_000, 100_000, 50_000], "outstanding": [0, 50_000, 100_000, 50_000]})
    got = paid_ratio(df, by="status", weight="amount", totals=True)
    assert got.index.tolist() == ["paid", "partially_paid", "unpaid", "Total"]
    assert got["billed_amount"].tolist() == [100_000, 200_000, 100_000, 400_000]
    assert got["paid_amount"].tolist() == [100_000, 150_000, 0, 250_000]
    assert got["paid_ratio"].tolist() == [1.0, 0.75, 0.0, 0.625]
