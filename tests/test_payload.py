"""The page checks both loaders share: one copy of each invoice id per page."""

from __future__ import annotations

import warnings

import pytest

from invoice_analytics import DuplicateInvoiceWarning
from invoice_analytics.providers._payload import PageProblem, page_rows


def rows_of(page: list[dict], id_key: str = "id") -> tuple[list[dict], list[warnings.WarningMessage]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rows = page_rows({"data": page}, id_key)
    return rows, caught


def test_identical_copies_are_one_invoice_without_a_word():
    nan = float("nan")  # two parses of one NaN are two objects that compare unequal: still the same value
    page = [{"id": "a", "x": [1, {"y": nan}]}, {"id": "b"}, {"id": "a", "x": [1, {"y": float("nan")}]}]
    rows, caught = rows_of(page)
    assert [r["id"] for r in rows] == ["b", "a"] and caught == []


def test_an_id_sent_as_a_number_and_as_text_is_one_invoice():
    rows, caught = rows_of([{"id": 7, "amount": 1}, {"id": "7", "amount": 1}])
    assert rows == [{"id": "7", "amount": 1}] and caught == []


def test_differing_copies_warn_once_per_page_naming_ids_and_fields_and_keep_the_last():
    page = [
        {"invoice_no": "A", "outstanding_amount": 100, "invoice_status": "Unpaid"},
        {"invoice_no": "B", "outstanding_amount": 5},
        {"invoice_no": "A", "outstanding_amount": 0, "invoice_status": "Paid"},
        {"invoice_no": "C", "outstanding_amount": 1},
        {"invoice_no": "C", "outstanding_amount": 1, "note": "x"},
        {"invoice_no": "A", "outstanding_amount": 0, "invoice_status": "Paid"},
    ]
    rows, caught = rows_of(page, "invoice_no")
    assert rows == [page[1], page[4], page[5]]
    assert len(caught) == 1 and caught[0].category is DuplicateInvoiceWarning
    text = str(caught[0].message)
    assert text.startswith("faspay: ")
    assert "'A' came 3 times in one page, differing in ['invoice_status', 'outstanding_amount']" in text
    assert "'C' came 2 times in one page, differing in ['note']" in text
    assert text.endswith("the last copy is kept")
    assert caught[0].message.ids == ["A", "C"]


def test_many_differing_ids_are_counted_past_the_first_ten():
    page = [{"id": f"i{n}", "v": copy} for copy in (1, 2) for n in range(15)]
    rows, caught = rows_of(page)
    assert len(rows) == 15 and all(r["v"] == 2 for r in rows)
    assert "and 5 more invoice(s)" in str(caught[0].message) and len(caught[0].message.ids) == 15


def test_a_row_without_an_id_is_still_a_page_problem():
    with pytest.raises(PageProblem, match="a row has no id"):
        page_rows({"data": [{"id": "a"}, {"name": "x"}]}, "id")
