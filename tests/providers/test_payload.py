"""The page checks both loaders share: server words, required keys, rows with ids (one copy each), whole numbers."""

from __future__ import annotations

import warnings

import pytest

from invoice_analytics import DuplicateInvoiceWarning
from invoice_analytics.providers._payload import PageProblem, page_rows, payload_words, require_keys, whole_number


@pytest.mark.parametrize(
    ("payload", "words"),
    [
        ({"statusCode": 200, "messages": "success", "data": []}, "success"),  # Mayar
        ({"response_code": "01", "message": "Invalid signature"}, "Invalid signature"),  # Faspay
        ({"error": "Bad Gateway"}, "Bad Gateway"),
        ({"detail": "Not found"}, "Not found"),
        ({"messages": "failed", "message": "other", "error": "x"}, "failed"),  # Mayar's key first
        ({"messages": None, "message": "Success get billing"}, "Success get billing"),  # a null is no message
        ({"message": 404}, "404"),  # a number becomes its text
        ({"data": [], "hasMore": False}, None),
        ({}, None),
    ],
)
def test_payload_words(payload, words):
    assert payload_words(payload) == words


def test_require_keys_names_every_missing_key_in_order():
    require_keys({"data": [], "hasMore": False, "extra": 1}, ["data", "hasMore"])  # nothing missing: no error
    with pytest.raises(PageProblem) as info:
        require_keys({"data": []}, ["response_code", "data", "total_pages", "total_data"])
    assert str(info.value) == "missing key(s) ['response_code', 'total_pages', 'total_data']"


def test_require_keys_accepts_a_key_whose_value_is_null():
    require_keys({"data": None}, ["data"])  # present is enough; page_rows judges the value


def test_page_rows_returns_the_rows_with_text_ids():
    payload = {"data": [{"id": "a", "x": 1}, {"id": 7}, {"id": 0}]}
    rows = page_rows(payload, "id")
    assert rows == [{"id": "a", "x": 1}, {"id": "7"}, {"id": "0"}]
    assert rows is payload["data"]  # the rows themselves, numbers made text in place


def test_page_rows_of_an_empty_page():
    assert page_rows({"data": []}, "invoice_no") == []


@pytest.mark.parametrize("data", [None, {"id": "a"}, "a", [{"id": "a"}, "b"], [["id", "a"]], [None]])
def test_page_rows_refuses_what_is_not_a_list_of_objects(data):
    with pytest.raises(PageProblem, match=r"^'data' is not a list of objects$"):
        page_rows({"data": data}, "id")


@pytest.mark.parametrize("bad", [{}, {"invoice_no": None}, {"invoice_no": ""}, {"invoice_no": True},
                                 {"invoice_no": 1.5}, {"invoice_no": ["a"]}, {"id": "A2"}])
def test_page_rows_refuses_a_row_without_a_usable_id(bad):
    with pytest.raises(PageProblem, match=r"^a row has no invoice_no: ") as info:
        page_rows({"data": [{"invoice_no": "A"}, {**bad, "customer": "x"}]}, "invoice_no")
    assert "customer" in str(info.value)  # the row's keys help find it


@pytest.mark.parametrize(("value", "number"), [("12", 12), (3, 3), (3.0, 3), ("0", 0), (" 7 ", 7), ("-2", -2)])
def test_whole_number(value, number):
    got = whole_number(value, "total_pages")
    assert got == number and type(got) is int


@pytest.mark.parametrize("value", [True, False, 2.5, "2.5", "", "x", None, [1], {"n": 1}])
def test_whole_number_refuses(value):
    with pytest.raises(PageProblem) as info:
        whole_number(value, "total_data")
    assert str(info.value) == f"total_data is not a whole number: {value!r}"


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
