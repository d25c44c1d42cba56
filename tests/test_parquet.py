"""Every frame the toolkit returns can be saved the pandas way: ``to_parquet``, then ``read_parquet``.

pandas writes ``attrs`` as JSON into the file's metadata, so attrs must stay JSON (ISO texts for dates);
the typed frame (dtypes, index, values and attrs) comes back equal.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

import invoice_analytics as ia
from invoice_analytics.history._demo import demo_store

pytest.importorskip("pyarrow")

AS_OF = "2026-11-14"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> ia.InvoiceStore:
    return demo_store(tmp_path_factory.mktemp("store"), days=28, every=7)


@pytest.fixture(scope="module")
def demo() -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ia.DemoDataWarning)
        return ia.load_invoices(demo=True, progress=False)


def outputs(demo: pd.DataFrame, store: ia.InvoiceStore) -> dict[str, Callable[[], pd.DataFrame]]:
    """Each public function's frame, by name (the store's as known on AS_OF, so no PastAsOfWarning)."""
    known = store.as_of(AS_OF)
    customer = tuple(ia.customer_key(known).iloc[0])
    return {
        "load_invoices(demo=True)": lambda: demo,
        "empty_frame": ia.empty_frame,
        "combine": lambda: ia.combine(demo[demo["provider"] == "faspay"], demo[demo["provider"] == "mayar"]),
        "store.current": store.current,
        "store.as_of": lambda: known,
        "store.history": store.history,
        "store.refreshes": store.refreshes,
        "customer_key": lambda: ia.customer_key(demo),
        "filter_invoices": lambda: ia.filter_invoices(demo, providers=["mayar"]),
        "aging_buckets": lambda: ia.aging_buckets(known, AS_OF),
        "aging_report": lambda: ia.aging_report(known, AS_OF),
        "aging_report(totals=True)": lambda: ia.aging_report(known, AS_OF, totals=True),
        "aging_report(by=issue_month)": lambda: ia.aging_report(known, AS_OF, by="issue_month"),
        "overdue_invoices": lambda: ia.overdue_invoices(known, AS_OF),
        "overdue_totals": lambda: ia.overdue_totals(known, AS_OF, by="provider", totals=True),
        "average_days_past_due": lambda: ia.average_days_past_due(known, AS_OF, by="provider"),
        "top_debtors": lambda: ia.top_debtors(known, AS_OF),
        "credit_invoices": lambda: ia.credit_invoices(known),
        "paid_ratio": lambda: ia.paid_ratio(known, by="issue_month", weight="amount"),
        "collections_list": lambda: ia.collections_list(known, AS_OF),
        "customer_statement": lambda: ia.customer_statement(known, customer, AS_OF),
        "aging_trend": lambda: ia.aging_trend(store),
        "roll_rates": lambda: ia.roll_rates(store, "2026-10-31", AS_OF),
        "payment_windows": lambda: ia.payment_windows(store),
        "days_to_pay": lambda: ia.days_to_pay(store, by="provider", totals=True),
        "dso": lambda: ia.dso(store, AS_OF, by="provider"),
    }



def _names() -> list[str]:
    return ["load_invoices(demo=True)", "empty_frame", "combine", "store.current", "store.as_of",
            "store.history", "store.refreshes", "customer_key", "filter_invoices", "aging_buckets",
            "aging_report", "aging_report(totals=True)", "aging_report(by=issue_month)", "overdue_invoices",
            "overdue_totals", "average_days_past_due", "top_debtors", "credit_invoices", "paid_ratio",
            "collections_list", "customer_statement", "aging_trend", "roll_rates", "payment_windows",
            "days_to_pay", "dso"]


def test_the_list_covers_every_output(demo: pd.DataFrame, store: ia.InvoiceStore) -> None:
    assert list(outputs(demo, store)) == _names()


@pytest.mark.parametrize("name", _names())
def test_saved_with_to_parquet_and_read_back_equal(name: str, demo: pd.DataFrame, store: ia.InvoiceStore,
                                                   tmp_path: Path) -> None:
    frame = outputs(demo, store)[name]()
    assert isinstance(frame, pd.DataFrame)
    json.dumps(frame.attrs)  # what to_parquet does with them
    path = tmp_path / "out.parquet"
    frame.to_parquet(path)
    back = _restored(pd.read_parquet(path), frame)
    pd.testing.assert_frame_equal(back, frame)
    assert back.attrs == frame.attrs


def _restored(back: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """What pyarrow cannot carry, given back (and nothing else): the NA-flavoured ``string`` dtype of an
    index level comes back as ``str``, and a categorical column of an empty frame without its categories
    (no dictionary is written for zero rows). The values are checked equal by the caller."""
    levels = [back.index.get_level_values(i).astype(frame.index.get_level_values(i).dtype)
              if isinstance(frame.index.get_level_values(i).dtype, pd.StringDtype) else back.index.get_level_values(i)
              for i in range(frame.index.nlevels)]
    back.index = levels[0] if len(levels) == 1 else pd.MultiIndex.from_arrays(levels, names=frame.index.names)
    if len(frame) == 0:
        back = back.astype({c: t for c, t in frame.dtypes.items() if isinstance(t, pd.CategoricalDtype)})
    return back


def test_the_attrs_readers_take_the_iso_texts(store: ia.InvoiceStore, tmp_path: Path) -> None:
    known = store.as_of("2026-11-07")
    assert known.attrs["as_of"] == "2026-11-07T23:59:59.999999+07:00"
    known.to_parquet(tmp_path / "k.parquet")
    back = pd.read_parquet(tmp_path / "k.parquet")
    with warnings.catch_warnings():
        warnings.simplefilter("error", ia.PastAsOfWarning)  # known on that day: no warning
        pd.testing.assert_frame_equal(ia.aging_report(back, "2026-11-07"), ia.aging_report(known, "2026-11-07"))
    with pytest.warns(ia.PastAsOfWarning, match=r"before the date of the balances \(2026-11-07T"):
        ia.aging_report(back, "2026-11-06")
