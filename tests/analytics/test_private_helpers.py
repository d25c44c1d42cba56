"""The analytics' private helpers (the rules, the group-by engine, the history states), case by case.

These were the helpers' doctests; they live here so that a private helper's docstring says what it is for.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from invoice_analytics.analytics._groupby import checked_sum, exact_sums, ratios, row_sums
from invoice_analytics.analytics._observed import _end_of_day, _group_quantile, _states
from invoice_analytics.analytics._rules import (
    DEFAULT_EDGES,
    bucket_codes,
    bucket_labels,
    check_edges,
    check_terms,
    counted_mask,
    money,
    overdue_mask,
    paid_mask,
    require,
    select_rows,
    terms_for,
)
from invoice_analytics.analytics.customers import customer_groups, customer_label
from invoice_analytics.analytics.dso import _countback, _coverage_label
from invoice_analytics.errors import MoneyOverflowError


def test_require_names_the_missing_columns() -> None:
    with pytest.raises(KeyError, match=r"f\(\) needs the column\(s\) \['outstanding'\]"):
        require(pd.DataFrame({"status": []}), ["status", "outstanding"], "f")


def test_edges_labels_and_codes() -> None:
    assert check_edges([30, 60]) == (30, 60)
    with pytest.raises(ValueError, match=r"edges must be strictly increasing integers >= 1, got \(30, 30\)"):
        check_edges((30, 30))
    assert bucket_labels(DEFAULT_EDGES) == ["Current", "1-30", "31-60", "61-90", ">90"]
    assert bucket_labels((30, 60, 90, 120)) == ["Current", "1-30", "31-60", "61-90", "91-120", ">120"]
    assert bucket_codes(np.array([-5, 0, 1, 30, 31, 90, 91]), (30, 60, 90)).tolist() == [0, 0, 1, 1, 2, 3, 4]


def test_status_masks_and_money() -> None:
    assert counted_mask(pd.Series(["paid", None, "draft"], dtype="category")).tolist() == [True, True, False]
    assert paid_mask(pd.Series(["paid", None, "draft"])).tolist() == [True, False, False]
    values, missing = money(pd.Series([5, None], dtype="Int64"))
    assert int(values[0]) == 5 and missing is not None and missing.tolist() == [False, True]
    assert overdue_mask(np.array([-1, 0, 1, 40]), np.array([True, True, True, False])).tolist() == [
        False, False, True, False]


def test_select_rows_keeps_open_and_credit_of_counted_invoices() -> None:
    df = pd.DataFrame({"status": ["unpaid", "draft", None], "issued_at": pd.to_datetime(["2024-01-01"] * 3),
                       "due_at": pd.to_datetime([None] * 3), "outstanding": [5, 7, -2]})
    assert [a.tolist() for a in select_rows(df, "f", sign="nonzero")] == [[0, 2], [5, -2]]


def test_terms() -> None:
    assert check_terms({"mayar": 14}) == {"mayar": 14}
    with pytest.raises(ValueError, match="terms_days must be whole days >= 0, a mapping of them by provider, "
                                         "or a column name, not -1"):
        check_terms(-1)
    df = pd.DataFrame({"provider": pd.Categorical(["faspay", "mayar"]), "terms": pd.array([None, 30], dtype="Int64")})
    rows = np.array([0, 1])
    assert [terms_for(df, rows, t).tolist() for t in (7, {"mayar": 14}, "terms")] == [[7, 7], [0, 14], [0, 30]]


def test_exact_sums_and_overflow() -> None:
    assert exact_sums(np.array([0, 1, 0]), np.array([2, 5, -3]), 2).tolist() == [-1, 5]
    assert exact_sums(np.array([0, 1, 0]), np.array([2**62, 5, -3]), 2).tolist() == [4611686018427387901, 5]
    with pytest.raises(MoneyOverflowError, match="the sum 13835058055282163711 rupiah does not fit in int64"):
        exact_sums(np.array([0, 0]), np.array([2**63 - 1, 2**62]), 1)
    assert checked_sum(pd.array([2**62, None, -5], dtype="Int64")) == 4611686018427387899
    assert row_sums(np.array([[1, 2], [3, -4]])).tolist() == [3, -1]
    assert ratios(np.array([1, 3]), np.array([4, 0])).tolist() == [0.25, pd.NA]


def test_history_states_and_day_ends() -> None:
    assert _end_of_day(dt.date(2026, 1, 31)) == pd.Timestamp("2026-01-31 23:59:59.999999+0700", tz="Asia/Jakarta")
    df = pd.DataFrame({"status": pd.Categorical(["unpaid", "paid", "paid", "cancelled", "unpaid", "paid"]),
                       "outstanding": pd.array([5, 0, -3, 5, None, None], dtype="Int64")})
    assert _states(df).tolist() == [0, 2, 1, 3, 4, 2]  # open, paid, credit, excluded, unknown, paid
    quantiles = _group_quantile(np.array([0, 0, 0, 0, 1]), np.array([4, 1, 3, 2, 7]), 3, 0.5)
    assert quantiles.tolist() == [2.5, 7.0, pd.NA]


def test_countback_and_its_label() -> None:
    sales = np.array([[100, 100], [5, 5], [1, 1]])
    d, m, b, lower = _countback(np.array([150, 0, 999]), sales, np.array([10, 30]))
    assert (d.tolist(), m.tolist(), b.tolist(), lower.tolist()) == (
        [25.0, 0.0, 40.0], [2, 0, 2], [200, 0, 2], [False, False, True])
    frame = pd.DataFrame({"provider": ["faspay", "mayar", "mayar"]})
    everything = np.array([True, True, True])
    assert _coverage_label(frame, np.array([False, True, True]), everything) == (
        "Total (mayar only; faspay has no amounts)")
    assert _coverage_label(frame, np.array([True, True, False]), everything) is None


def test_customer_groups_and_labels() -> None:
    df = pd.DataFrame({"provider": ["mayar", "mayar", "faspay"], "customer_id": ["C9", "C9", "C9"],
                       "customer_name": ["Budi", "Budi", "Budi"]})
    codes, index = customer_groups(df, np.array([0, 1, 2]))
    assert codes.tolist() == [0, 0, 1] and index.tolist() == [("Budi", "C9", "mayar"), ("Budi", "C9", "faspay")]
    assert (customer_label(("Ani", "C1", "faspay")), customer_label((None, "C7", "mayar"))) == ("Ani", "C7")


def test_key_codes_are_shared_across_frames() -> None:  # docsc (issue 18): was its doctest
    from invoice_analytics.analytics._survival import key_codes

    a = pd.DataFrame({"provider": ["faspay", "mayar"], "invoice_id": ["1", "1"]})
    b = pd.DataFrame({"provider": ["mayar"], "invoice_id": ["1"]})
    assert [c.tolist() for c in key_codes((a, None), (b, None))] == [[0, 2], [2]]
