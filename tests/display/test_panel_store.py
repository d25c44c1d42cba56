"""FilterPanel over a real history store: each date's frame from one read of the history equals
``store.as_of``, and the Statement list searched by name or id at thousands of customers."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pandas as pd
import pytest

from invoice_analytics.analytics.aging import aging_report
from invoice_analytics.display import _dated
from invoice_analytics.display._dated import StoreDates
from invoice_analytics.display._statement_area import LIST_LIMIT, NO_CUSTOMER
from invoice_analytics.display.panel import FilterPanel
from invoice_analytics.history import InvoiceStore
from tests.support.frames import frame

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from _history_data import build_store, day

COLUMNS = ("provider", "customer_id", "customer_name", "status", "issued_at", "due_at", "outstanding")
REFRESHES = 30


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> InvoiceStore:
    """A store of 600 invoices over 30 daily refreshes: new, changed, and gone near the end."""
    root = tmp_path_factory.mktemp("store")
    build_store(root, invoices=600, versions=2_000, refreshes=REFRESHES)
    return InvoiceStore(root)


def dates() -> list[dt.date]:
    return [day(n) for n in (1, 2, 7, 15, 16, 22, REFRESHES - 3, REFRESHES)]


def test_each_date_from_the_history_equals_store_as_of(store):
    first = store.as_of(day(REFRESHES))
    known = StoreDates(store, COLUMNS)
    assert known.read_timeline(first)  # 2,000 versions: read once
    for when in dates():
        expected = store.as_of(when)
        got = known.day(when)
        pd.testing.assert_frame_equal(got.full, expected)
        assert got.full.attrs == expected.attrs
        pd.testing.assert_frame_equal(got.work, expected[list(COLUMNS)])
        rows = got.index.mask(providers=["mayar"])
        assert rows.sum() == (expected["provider"] == "mayar").sum()
        some = [0, len(expected) // 2, len(expected) - 1]
        pd.testing.assert_frame_equal(got.rows(pd.Index(some).to_numpy()), expected.take(some))
    assert known.day(dates()[0]) is known.day(dates()[0])  # kept


def test_changes_tab_from_the_history_read_once_equals_the_store(store, monkeypatch):
    from invoice_analytics.display._changes_tab import month_changes

    panel = FilterPanel(store, dpi=30)
    reads = []
    monkeypatch.setattr(store, "history", lambda: reads.append(1) or pytest.fail("the history was read again"))
    for when in (day(5), day(16), day(REFRESHES)):
        panel.as_of.value = when
        summary, detail = panel.changes_frames()
        monkeypatch.undo()
        expected = month_changes(store, when, ["faspay", "mayar"])  # read from the store's files
        pd.testing.assert_frame_equal(detail, expected[1])
        pd.testing.assert_frame_equal(summary, expected[0])
        assert detail.attrs == expected[1].attrs and len(detail) > 0
        monkeypatch.setattr(store, "history", lambda: pytest.fail("the history was read again"))
    assert panel.changes_frames()[1] is detail  # kept


def test_a_long_history_is_read_date_by_date(store, monkeypatch):
    monkeypatch.setattr(_dated, "TIMELINE_LIMIT", 100)
    known = StoreDates(store, COLUMNS)
    assert not known.read_timeline(store.as_of(day(REFRESHES)))
    when = day(16)
    pd.testing.assert_frame_equal(known.day(when).full, store.as_of(when))


def test_panel_over_a_store_shows_each_date_as_the_store_knew_it(store):
    panel = FilterPanel(store, dpi=20)
    for when in dates()[2:]:
        panel.as_of.value = when
        expected = store.as_of(when)
        assert len(panel.filtered) == len(expected)
        pd.testing.assert_frame_equal(panel.filtered, expected)
        pd.testing.assert_frame_equal(panel.report, aging_report(expected, when, totals=True))
    panel.provider.value = ("mayar",)
    when = dates()[3]
    panel.as_of.value = when
    mayar = store.as_of(when)
    mayar = mayar[(mayar["provider"] == "mayar").to_numpy(dtype=bool)]
    pd.testing.assert_frame_equal(panel.report, aging_report(mayar, when, totals=True))
    key = (str(mayar["provider"].iloc[0]), str(mayar["customer_id"].iloc[0]))
    statement = panel.show_statement(*key)
    assert statement is not None and len(statement) >= 1


def many_customers(n: int) -> pd.DataFrame:
    return frame(*[{"provider": "mayar" if i % 2 else "faspay", "customer_id": f"C{i:04d}",
                    "customer_name": f"Toko {i:04d}", "status": "unpaid", "issued_at": "2024-01-01",
                    "due_at": "2024-01-31", "outstanding": 1_000 * (i + 1)} for i in range(n)])


def test_statement_list_is_searched_by_name_or_id_at_thousands_of_customers():
    panel = FilterPanel(many_customers(5_000), as_of="2024-03-01", dpi=20)
    options = panel.statement_customer.options
    assert len(options) == LIST_LIMIT + 1 and options[0] == (NO_CUSTOMER, ())
    assert f"first {LIST_LIMIT} customers" in panel.statement_search.tooltip
    panel.statement_search.value = "toko 4321"  # by name, any case
    assert [value for _, value in panel.statement_customer.options] == [(), ("mayar", "C4321")]
    panel.statement_search.value = "c123"  # by id: C1230 ... C1239
    found = [value for _, value in panel.statement_customer.options][1:]
    assert sorted(found) == sorted([("mayar" if i % 2 else "faspay", f"C{i:04d}")
                                    for i in range(1230, 1240)])
    panel.statement_customer.value = found[0]
    assert panel.statement is not None and panel.chart_tabs.selected_index == panel.chart_tabs.titles.index(
        "Statement")
    panel.statement_search.value = "toko 0007"  # the chosen customer stays in the list, and chosen
    assert panel.statement_customer.value == found[0]
    assert [value for _, value in panel.statement_customer.options] == [(), ("mayar", "C0007"), found[0]]
    statement = panel.show_statement("faspay", "C4998")  # any customer, whatever the search
    assert statement is not None and panel.statement_customer.value == ("faspay", "C4998")
    assert int(statement["outstanding"].iloc[-1]) == 4_999_000
    panel.reset()
    assert panel.statement_search.value == "" and panel.statement_customer.value == ()
