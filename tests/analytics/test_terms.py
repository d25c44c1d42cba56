"""Payment terms: one number, a mapping by provider, or a column of days, accepted by every aging function."""

from __future__ import annotations

import pandas as pd
import pytest

from invoice_analytics._combine import combine
from invoice_analytics.analytics.aging import (
    aging_buckets,
    aging_report,
    average_days_past_due,
    overdue_invoices,
    overdue_totals,
    top_debtors,
)
from invoice_analytics.cli import main
from tests.support.frames import faspay, mayar

AS_OF = "2024-01-20"


def invoices() -> pd.DataFrame:
    # both issued 2024-01-01 without a due date: 19 days past due on receipt terms
    return combine(faspay({"outstanding": 100, "customer_name": "Ani", "customer_id": "F1"}, due_at=None),
                   mayar({"amount": 50, "customer_name": "Budi", "customer_id": "M1"}))


@pytest.mark.parametrize(
    "terms, days",
    [(0, [19, 19]), (10, [9, 9]), ({"mayar": 14}, [19, 5]), ({"mayar": 30, "faspay": 5}, [14, -11]),
     ("terms", [-11, 19])],
)
def test_every_kind_of_terms_gives_the_hand_computed_days(terms, days) -> None:
    df = invoices()
    df["terms"] = pd.array([30, None], dtype="Int64")  # faspay 30 days, mayar unknown = on receipt
    aged = aging_buckets(df, AS_OF, terms_days=terms)
    assert aged.set_index("provider")["days_past_due"].astype(int).loc[["faspay", "mayar"]].tolist() == days
    overdue = [d >= 1 for d in days]
    expected_overdue = 100 * overdue[0] + 50 * overdue[1]
    assert int(overdue_totals(df, AS_OF, terms_days=terms).loc["Total", "overdue_amount"]) == expected_overdue
    assert len(overdue_invoices(df, AS_OF, terms_days=terms)) == sum(overdue)
    report = aging_report(df, AS_OF, terms_days=terms, totals=True)
    assert int(report.loc[("Total", "", ""), "Current"]) == 100 * (not overdue[0]) + 50 * (not overdue[1])
    average = average_days_past_due(df, AS_OF, by="provider", terms_days=terms, totals=False)
    by_provider = average["average_days_past_due"].astype(float).to_dict()
    assert [by_provider["faspay"], by_provider["mayar"]] == [max(d, 0) for d in days]
    top = top_debtors(df, AS_OF, terms_days=terms)
    assert int(top["overdue_amount"].sum()) == expected_overdue


def test_due_at_wins_over_terms() -> None:
    df = faspay({"outstanding": 100})  # due 2024-01-31
    assert aging_buckets(df, AS_OF, terms_days={"faspay": 99})["days_past_due"].tolist() == [-11]


@pytest.mark.parametrize("terms", [-1, True, 1.5, {"mayar": -2}, {"mayar": "14"}])
def test_bad_terms_are_refused(terms) -> None:
    with pytest.raises(ValueError, match="terms_days"):
        aging_buckets(invoices(), AS_OF, terms_days=terms)


def test_a_terms_column_must_exist_and_hold_whole_days() -> None:
    df = invoices()
    with pytest.raises(KeyError, match="terms"):
        aging_buckets(df, AS_OF, terms_days="terms")
    df["terms"] = ["30", "0"]
    with pytest.raises(TypeError, match="Int64"):
        aging_buckets(df, AS_OF, terms_days="terms")


@pytest.mark.parametrize("bad", ["stripe=3", "mayar=-1", "mayar", "mayar=99999999"])
def test_cli_terms_option_is_checked(bad, capsys) -> None:
    with pytest.raises(SystemExit):
        main(["report", "--terms", bad])
    assert "--terms takes a provider" in capsys.readouterr().err


def test_cli_terms_build_a_mapping_over_terms_days() -> None:
    import argparse

    from invoice_analytics.cli import _arguments

    args = argparse.Namespace(terms_days=7, terms=[("mayar", 14)])
    assert _arguments(args)["terms"] == {"faspay": 7, "mayar": 14}
    assert _arguments(argparse.Namespace(terms_days=7, terms=None))["terms"] == {"faspay": 7, "mayar": 7}
    assert _arguments(argparse.Namespace(terms_days=None, terms=None))["terms"] is None  # not given: the settings
