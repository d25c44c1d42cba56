"""panel_kpis: the cases its docstring example showed beside its one example (docsc, issue 18)."""

from __future__ import annotations

import pandas as pd

from invoice_analytics.display.kpis import BUCKET_SCHEMES, panel_kpis

DF = pd.DataFrame({"status": ["unpaid", "overdue", "paid", "paid"], "issued_at": pd.Timestamp("2024-01-01"),
                   "due_at": pd.to_datetime(["2024-02-15", "2023-10-01", None, None]),
                   "outstanding": [100_000, 250_000, 0, -5_000]})


def test_net_balance_oldest_bucket_and_counts() -> None:
    k = panel_kpis(DF, "2024-02-15")
    assert (k["net_balance"], k["oldest_label"], k["counted_count"], k["paid_count"]) == (345_000, ">90", 4, 2)


def test_other_edges_name_the_oldest_bucket() -> None:
    assert panel_kpis(DF, "2024-02-15", edges=BUCKET_SCHEMES["15/30/45/60"])["oldest_label"] == ">60"


def test_terms_days_date_invoices_without_a_due_date() -> None:
    assert panel_kpis(DF.assign(due_at=pd.NaT), "2024-02-15", terms_days=60)["overdue_amount"] == 0  # due 2024-03-01
