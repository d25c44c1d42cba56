"""One customer key: (provider, customer_id), shown with the name, in every table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from invoice_analytics._combine import combine
from invoice_analytics.analytics.aging import aging_report, average_days_past_due, overdue_totals, top_debtors
from invoice_analytics.analytics.collections import collections_list, customer_statement
from invoice_analytics.analytics.customers import CUSTOMER_LEVELS, customer_groups, customer_key
from invoice_analytics.schema import empty_frame
from tests.support.frames import faspay, mayar

AS_OF = "2024-03-31"
LEVELS = list(CUSTOMER_LEVELS)
OPEN_BUCKETS = ["Current", "1-30", "31-60", "61-90", ">90"]


@pytest.fixture
def invoices() -> pd.DataFrame:
    """Faspay: Ani under two ids (F1, F2), F3 renamed, two invoices without an id (one nameless);
    Mayar: an id "F1" too (another provider's customer) and an Ani of its own."""
    f = faspay(
        {"invoice_id": "A1", "customer_id": "F1", "customer_name": "Ani", "due_at": "2024-01-10",
         "outstanding": 100_000},
        {"invoice_id": "A2", "customer_id": "F1", "customer_name": "Ani", "due_at": "2024-03-10",
         "outstanding": 50_000},
        {"invoice_id": "B1", "customer_id": "F2", "customer_name": "Ani", "due_at": "2024-02-20",
         "outstanding": 70_000},
        {"invoice_id": "C1", "customer_id": "F3", "customer_name": "Citra", "issued_at": "2024-01-01",
         "due_at": "2024-01-31", "outstanding": 30_000},
        {"invoice_id": "C2", "customer_id": "F3", "customer_name": "Citra Baru", "issued_at": "2024-02-01",
         "due_at": "2024-03-01", "outstanding": 20_000},
        {"invoice_id": "N1", "customer_id": None, "customer_name": "Ani", "due_at": "2024-02-01",
         "outstanding": 40_000},
        {"invoice_id": "N2", "customer_id": None, "customer_name": None, "due_at": "2024-02-01",
         "outstanding": 5_000},
        {"invoice_id": "B2", "customer_id": "F2", "customer_name": "Ani", "due_at": "2024-02-01",
         "outstanding": -8_000, "status": "paid"},
    )
    m = mayar(
        {"invoice_id": "M1", "customer_id": "F1", "customer_name": "Dewi", "issued_at": "2024-02-01",
         "amount": 60_000},
        {"invoice_id": "M2", "customer_id": "m-2", "customer_name": "Ani", "issued_at": "2024-03-01",
         "amount": 10_000},
    )
    return combine(f, m)


def test_the_key_of_each_invoice(invoices):
    keys = customer_key(invoices)
    assert keys.columns.tolist() == LEVELS
    assert keys.index.equals(invoices.index)
    rows = [tuple(None if pd.isna(v) else v for v in row) for row in keys.itertuples(index=False)]
    assert rows == [
        ("Ani", "F1", "faspay"), ("Ani", "F1", "faspay"), ("Ani", "F2", "faspay"),
        ("Citra Baru", "F3", "faspay"), ("Citra Baru", "F3", "faspay"),  # renamed: one customer, the latest name
        ("Ani", None, "faspay"), (None, None, "faspay"), ("Ani", "F2", "faspay"),
        ("Dewi", "F1", "mayar"), ("Ani", "m-2", "mayar"),
    ]
    assert str(keys["provider"].dtype) == "category"
    groups, index = customer_groups(invoices, np.arange(len(invoices)))
    assert len(index) == 7 and groups.max() == 6
    assert index.names == LEVELS


def test_every_table_by_customer(invoices):
    report = aging_report(invoices, AS_OF, by="customer", totals=True)
    assert report.index.names == LEVELS
    assert report.index[-1] == ("Total", "", "")
    body = report.iloc[:-1]
    assert len(body) == 7  # Ani F1, Ani F2, Citra, Ani (no id), nameless, Dewi, Ani m-2
    assert report.loc[("Ani", "F2", "faspay"), "Total"] == 70_000 - 8_000
    assert int(body["Total"].sum()) == int(report["Total"].iloc[-1])
    totals = overdue_totals(invoices, AS_OF, by="customer", totals=True)
    assert totals.index.names == LEVELS and totals.index[-1] == ("Total", "", "")
    assert average_days_past_due(invoices, AS_OF, by="customer", totals=True).index.names == LEVELS
    top = top_debtors(invoices, AS_OF, n=20)
    assert top.index.names == LEVELS
    assert set(top.index) == {k for k in body.index if report.loc[[k], OPEN_BUCKETS].sum(axis=1).item() > 0}
    assert top.loc[("Ani", "F1", "faspay"), "open_amount"] == 150_000
    # the name alone merges them; the key never does
    by_name = top_debtors(invoices, AS_OF, by="customer_name")
    assert by_name.loc["Ani", "open_amount"] == 150_000 + 70_000 + 40_000 + 10_000


def key(*values: object) -> tuple[object, ...]:
    """A customer label with every missing value as None."""
    return tuple(None if pd.isna(v) else str(v) for v in values)


def test_empty_tables_by_customer():
    for result in (aging_report(empty_frame(), AS_OF, by="customer", totals=True), top_debtors(empty_frame(), AS_OF),
                   overdue_totals(empty_frame(), AS_OF, by="customer", totals=True)):
        assert len(result) == 0 and result.index.names == LEVELS


def test_collections_and_statements_use_the_key(invoices):
    terms = {"mayar": 14}
    chase = collections_list(invoices, AS_OF, terms_days=terms)
    top = top_debtors(invoices, AS_OF, n=50, terms_days=terms)
    late = top[top["overdue_amount"] > 0]
    by_key = {key(r.customer_name, r.customer_id, r.provider): r.overdue_amount for r in chase.itertuples()}
    expected = {key(*label): int(a) for label, a in late["overdue_amount"].items()}
    assert by_key == expected
    assert ("Citra Baru", "F3", "faspay") in by_key and (None, None, "faspay") in by_key
    # a statement of each row of the table: its open invoices add up to the table's open amount
    for label, row in top.iterrows():
        statement = customer_statement(invoices, label, AS_OF, terms_days=terms)
        open_rows = statement[statement["bucket"].notna() & (statement["bucket"] != "Credit")]
        assert int(open_rows["outstanding"].sum()) == row["open_amount"], label
    without_id = customer_statement(invoices, ("Ani", None, "faspay"), AS_OF)
    assert without_id["invoice_id"].tolist() == ["N1", "Total"]
    with pytest.raises(KeyError):
        customer_statement(invoices, ("Ani", "F9", "faspay"), AS_OF)


def test_workbook_and_pdf_use_the_key(invoices, tmp_path):
    import datetime as dt

    from invoice_analytics.pdf import write_pdf
    from invoice_analytics.report import write_workbook

    pypdf = pytest.importorskip("pypdf")
    from tests.support.pdf import page_boxes

    sheets = write_workbook(invoices, tmp_path / "aging.xlsx", AS_OF)
    expected = aging_report(invoices, AS_OF, by="customer", totals=True)
    pd.testing.assert_frame_equal(sheets["Aging by customer"], expected)
    # the PDF's top customers: the rows of top_debtors, typeset as a table (read back from the file)
    boxes = page_boxes(pypdf.PdfReader(write_pdf(invoices, tmp_path / "aging.pdf", AS_OF)).pages[1])
    heads = {b.what: b for b in boxes if b.what in ("Customer", "Customer ID", "Provider")}
    notes = next(b for b in boxes if b.what == "Notes")
    rows: dict[float, dict[str, str]] = {}
    for box in boxes:
        if notes.y1 < box.y0 < heads["Customer"].y0 - 1:
            for name, head in heads.items():
                if abs(box.x0 - head.x0) < 0.5:
                    rows.setdefault(round(box.y0, 1), {})[name] = box.what
    shown = [(r["Customer"], r.get("Customer ID", ""), r["Provider"]) for _, r in sorted(rows.items(), reverse=True)]
    top = top_debtors(invoices, dt.date(2024, 3, 31), n=15)
    assert shown == [(n if isinstance(n, str) else "(unknown customer)", i if isinstance(i, str) else "", p)
                     for n, i, p in top.index]


def test_history_trends_take_the_key_too():
    """``by="customer"`` reaches the history analytics (they name their index after ``by``)."""
    from invoice_analytics.analytics.trends import aging_trend
    from tests.analytics.test_trends import scenario

    trend = aging_trend(scenario(), ["2026-01-04"], by="customer")
    assert trend.index.names == ["date", *LEVELS]
    total = aging_trend(scenario(), ["2026-01-04"])
    assert trend["Total"].sum() == total["Total"].sum()
    empty = aging_trend(scenario(), ["2025-01-01"], by="customer")
    assert len(empty) == 0 and empty.index.names == ["date", *LEVELS]
