"""filter_invoices: the cases its docstring example showed beside its one example (docsc, issue 18)."""

from __future__ import annotations

import pandas as pd

from invoice_analytics.display.filtering import filter_invoices

DF = pd.DataFrame({
    "provider": ["faspay", "mayar", "mayar"], "status": ["paid", "unpaid", None],
    "customer_name": ["PT Budi", "Ani", "Budiman"], "customer_id": ["C1", "C2", "X9"],
    "issued_at": pd.to_datetime(["2024-01-01 08:00", "2024-01-31 23:00", "2024-02-01 00:30"])})


def test_providers_and_issued_to_a_jakarta_day() -> None:
    assert filter_invoices(DF, providers=["mayar"], issued_to="2024-01-31").index.tolist() == [1]


def test_none_in_a_selection_keeps_the_missing_values() -> None:
    assert filter_invoices(DF, statuses=["unpaid", None]).index.tolist() == [1, 2]


def test_an_empty_selection_keeps_nothing_and_a_string_is_one_value() -> None:
    assert filter_invoices(DF, providers="faspay", statuses=[])["customer_id"].tolist() == []
    assert filter_invoices(DF, providers="faspay")["customer_id"].tolist() == ["C1"]


def test_issued_from() -> None:
    assert filter_invoices(DF, issued_from="2024-02-01")["customer_name"].tolist() == ["Budiman"]
