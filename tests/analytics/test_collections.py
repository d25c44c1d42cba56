"""customer_statement and collections_list, against hand-computed answers; both export as they are."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from invoice_analytics._combine import combine
from invoice_analytics.analytics.collections import (
    COLLECTIONS_COLUMNS,
    STATEMENT_COLUMNS,
    collections_list,
    customer_statement,
)
from invoice_analytics.export import write_csv, write_excel
from tests.support.frames import faspay, mayar

AS_OF = "2024-02-15"


def invoices() -> pd.DataFrame:
    fas = faspay(
        # Ani at Faspay (F1): due 01-10 (36 days), due 02-10 (5 days), due 03-01 (not yet), a credit, a paid one
        {"invoice_id": "F-1", "customer_id": "F1", "customer_name": "Ani", "outstanding": 100_000,
         "due_at": "2024-01-10 17:00"},
        {"invoice_id": "F-2", "customer_id": "F1", "customer_name": "Ani", "outstanding": 40_000,
         "due_at": "2024-02-10"},
        {"invoice_id": "F-3", "customer_id": "F1", "customer_name": "Ani", "outstanding": 70_000,
         "due_at": "2024-03-01"},
        {"invoice_id": "F-4", "customer_id": "F1", "customer_name": "Ani", "outstanding": -25_000},
        {"invoice_id": "F-5", "customer_id": "F1", "customer_name": "Ani", "status": "paid", "outstanding": 0},
        # Citra (F2): 500,000 due 02-14 (1 day)
        {"invoice_id": "F-6", "customer_id": "F2", "customer_name": "Citra", "outstanding": 500_000,
         "due_at": "2024-02-14"},
        # a cancelled invoice is never chased
        {"invoice_id": "F-7", "customer_id": "F2", "customer_name": "Citra", "status": "cancelled",
         "outstanding": 900_000, "due_at": "2023-01-01"},
    )
    may = mayar(
        # Ani at Mayar (M9): issued 01-01 and 02-10, no due date
        {"invoice_id": "M-1", "customer_id": "M9", "customer_name": "ani ", "amount": 80_000,
         "issued_at": "2024-01-01 12:00"},
        {"invoice_id": "M-2", "customer_id": "M9", "customer_name": "ani ", "amount": 20_000,
         "issued_at": "2024-02-10 08:00"},
    )
    may["customer_email"] = pd.array(["old@example.id", "ani@example.id"], dtype="string")
    may["customer_mobile"] = pd.array(["+62811", None], dtype="string")
    return combine(fas, may)


def test_statement_of_one_provider_customer() -> None:
    s = customer_statement(invoices(), ("faspay", "F1"), AS_OF)
    assert list(s.columns) == STATEMENT_COLUMNS
    assert s["invoice_id"].tolist() == ["F-1", "F-2", "F-3", "F-4", "Total"]
    assert s["days_past_due"].tolist()[:3] == [36, 5, -15] and s["days_past_due"][3:].isna().all()
    assert s["bucket"].astype(object).tolist()[:4] == ["31-60", "1-30", "Current", "Credit"]
    assert s["outstanding"].tolist() == [100_000, 40_000, 70_000, -25_000, 185_000]
    assert s["due_date"][0] == pd.Timestamp("2024-01-10") and s["issued_at"][0] == pd.Timestamp("2024-01-01")


def test_statement_by_name_takes_every_provider_and_the_terms() -> None:
    s = customer_statement(invoices(), "ANI", AS_OF, terms_days={"mayar": 14})
    # M-1 due 01-15: 31 days; M-2 due 02-24: -9 days
    assert s["invoice_id"].tolist() == ["F-1", "M-1", "F-2", "M-2", "F-3", "F-4", "Total"]
    days = dict(zip(s["invoice_id"], s["days_past_due"], strict=True))
    assert days["M-1"] == 31 and days["M-2"] == -9
    assert s["outstanding"].iloc[-1] == 100_000 + 40_000 + 70_000 - 25_000 + 80_000 + 20_000


def test_statement_of_an_unknown_customer_is_a_key_error() -> None:
    with pytest.raises(KeyError, match="Zed"):
        customer_statement(invoices(), "Zed", AS_OF)


def test_collections_list_hand_computed() -> None:
    chase = collections_list(invoices(), AS_OF, terms_days={"mayar": 14})
    assert list(chase.columns) == COLLECTIONS_COLUMNS
    # Citra 500,000 (1 day), Ani/Faspay 140,000 (F-1 36 days, F-2 5), Ani/Mayar 80,000 (M-1 31 days)
    assert chase["customer_id"].tolist() == ["F2", "F1", "M9"]
    assert chase["overdue_amount"].tolist() == [500_000, 140_000, 80_000]
    assert chase["overdue_count"].tolist() == [1, 2, 1]
    assert chase["oldest_invoice_id"].tolist() == ["F-6", "F-1", "M-1"]
    assert chase["oldest_days_past_due"].tolist() == [1, 36, 31]
    assert chase["oldest_due_date"].tolist() == [pd.Timestamp(d) for d in ("2024-02-14", "2024-01-10", "2024-01-15")]
    mayar_row = chase.iloc[2]
    assert mayar_row["customer_email"] == "ani@example.id"  # the most recent invoice that has one
    assert mayar_row["customer_mobile"] == "+62811"
    assert chase.iloc[0][["customer_email", "customer_mobile"]].isna().all()  # Faspay gives no contact


def test_collections_list_min_days_and_nobody_late() -> None:
    chase = collections_list(invoices(), AS_OF, min_days=30, terms_days={"mayar": 14})
    assert chase["customer_id"].tolist() == ["F1", "M9"] and chase["overdue_amount"].tolist() == [100_000, 80_000]
    empty = collections_list(invoices(), "2023-06-01")
    assert empty.empty and list(empty.columns) == COLLECTIONS_COLUMNS
    with pytest.raises(ValueError, match="min_days"):
        collections_list(invoices(), AS_OF, min_days=0)


def test_both_export_with_write_excel_and_write_csv(tmp_path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    df = invoices()
    statement = customer_statement(df, "Ani", AS_OF)
    chase = collections_list(df, AS_OF)
    path = write_excel({"Statement": statement, "Collections": chase}, tmp_path / "c.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book["Statement"]
    assert sheet.cell(sheet.max_row, 1).value == "Total" and sheet.cell(sheet.max_row, 1).font.bold
    assert sheet.cell(2, STATEMENT_COLUMNS.index("due_date") + 1).value == dt.datetime(2024, 1, 1)  # M-1, on receipt
    text = write_csv(chase, tmp_path / "c.csv").read_text()
    assert text.splitlines()[0] == ",".join(COLLECTIONS_COLUMNS)


def test_docstring_case_min_days() -> None:  # docsc (issue 18): was a docstring example
    df = pd.DataFrame({
        "provider": ["faspay"] * 4, "invoice_id": ["I1", "I2", "I3", "I4"],
        "customer_id": ["C1", "C1", "C1", "C2"], "customer_name": ["Ani", "Ani", "Ani", "Budi"],
        "status": ["unpaid", "overdue", "unpaid", "unpaid"],
        "issued_at": pd.to_datetime(["2024-01-01"] * 4).tz_localize("Asia/Jakarta"),
        "due_at": pd.to_datetime(["2024-03-01", "2024-01-10", None, "2024-02-14"]).tz_localize("Asia/Jakarta"),
        "outstanding": [200_000, 100_000, -30_000, 500_000]})
    assert collections_list(df, "2024-02-15", min_days=5)["customer_id"].tolist() == ["C1"]
