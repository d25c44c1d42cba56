"""History analytics on a small in-memory store whose every figure is computed by hand below.

The store follows the contract of ``InvoiceStore`` (``history``, ``as_of``,
``refreshes``). Refreshes at 09:00 WIB on 2026-01-01, 02, 03, 05 and 10.

======  ========  ==========  ==========  ===================================================================
id      provider  issued      due         versions (valid_from -> valid_to; last_seen)
======  ========  ==========  ==========  ===================================================================
F1      faspay    2025-12-01  2025-12-20  overdue 1,000,000 (01->02; 01), partially_paid 400,000 (02->03; 02),
                                          paid 0 (03->; 10)
F2      faspay    2025-10-01  2025-10-15  overdue 500,000 (01->; 10)
F3      faspay    2026-01-02  2026-01-16  unpaid 300,000 (02->10; 05), paid 0 (10->; 10)
F4      faspay    2025-11-01  2025-11-30  overdue 200,000 (01->05; 03), cancelled 200,000 (05->; 10)
F5      faspay    2025-12-10  2025-12-24  paid -50,000 (01->; 10)                            a credit all along
F6      faspay    2025-12-01  2025-12-31  unpaid 70,000 (01->02; 01), paid -10,000 (02->; 10)     overpaid
M1      mayar     2025-12-28              amount 100,000: unpaid (01->05; 03), paid (05->; 10)
M2      mayar     2026-01-03              amount 80,000: unpaid (05->10; 05), then gone (deleted)
M3      mayar     2025-12-15              amount 40,000: paid (01->; 10)                       never seen open
======  ========  ==========  ==========  ===================================================================
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pytest

from invoice_analytics import paid_ratio
from invoice_analytics.analytics._rules import DEFAULT_EDGES
from invoice_analytics.analytics.dso import dso, observed_amount, with_observed_amount
from invoice_analytics.analytics.payments import days_to_pay, payment_windows
from invoice_analytics.analytics.trends import aging_trend, roll_rates
from invoice_analytics.display._trend_chart import plot_aging_trend
from invoice_analytics.display.charts import bucket_colors
from invoice_analytics.schema import DATETIME_DTYPE, JAKARTA
from tests.support.frames import frame

BUCKETS = ["Current", "1-30", "31-60", "61-90", ">90"]
REPORT = [*BUCKETS, "Credit", "Total"]
OUTCOMES = ["Paid", "Cancelled", "Credit", "Unknown", "Gone"]
_HISTORY = ("valid_from", "valid_to", "last_seen")


def at(day: int, hour: int = 9) -> pd.Timestamp:
    """2026-01-<day> <hour>:00 WIB."""
    return pd.Timestamp(2026, 1, day, hour).tz_localize(JAKARTA)


def version(row: dict[str, Any], since: int, until: int | None, seen: int) -> dict[str, Any]:
    return {**row, "valid_from": at(since), "valid_to": None if until is None else at(until), "last_seen": at(seen)}


class FakeStore:
    """The store contract over a versions frame: ``as_of`` filters, nothing more."""

    def __init__(self, versions: list[dict[str, Any]], refresh_days: list[int]) -> None:
        core = frame(*[{k: v for k, v in r.items() if k not in _HISTORY} for r in versions])
        for name in _HISTORY:
            core[name] = pd.Series(pd.DatetimeIndex([r[name] for r in versions], dtype=DATETIME_DTYPE))
        self.versions = core
        self._refreshes = pd.DataFrame({
            "observed_at": pd.Series(pd.DatetimeIndex([at(d) for d in refresh_days for _ in (0, 1)],
                                                      dtype=DATETIME_DTYPE)),
            "provider": ["faspay", "mayar"] * len(refresh_days),
        })
        self.asked: list[pd.Timestamp] = []

    def history(self) -> pd.DataFrame:
        return self.versions.copy()

    def as_of(self, when: pd.Timestamp) -> pd.DataFrame:
        self.asked.append(when)
        v = self.versions
        live = (v["valid_from"] <= when) & (v["valid_to"].isna() | (v["valid_to"] > when))
        live &= v["issued_at"].isna() | (v["issued_at"] <= when)
        return v[live.to_numpy()].drop(columns=list(_HISTORY)).reset_index(drop=True)

    def refreshes(self) -> pd.DataFrame:
        return self._refreshes.copy()


def F(no: int, issued: str, due: str, status: str, out: int) -> dict[str, Any]:
    return {"provider": "faspay", "invoice_id": f"F{no}", "customer_id": str(no), "customer_name": f"Cust {no}",
            "issued_at": issued, "due_at": due, "status": status, "outstanding": out, "amount": None}


def M(no: int, issued: str, amount: int, status: str) -> dict[str, Any]:
    return {"provider": "mayar", "invoice_id": f"M{no}", "customer_id": f"m{no}", "customer_name": f"Pelanggan {no}",
            "issued_at": issued, "due_at": None, "status": status, "amount": amount,
            "outstanding": amount if status == "unpaid" else 0}


def scenario() -> FakeStore:
    rows = [
        version(F(1, "2025-12-01", "2025-12-20", "overdue", 1_000_000), 1, 2, 1),
        version(F(1, "2025-12-01", "2025-12-20", "partially_paid", 400_000), 2, 3, 2),
        version(F(1, "2025-12-01", "2025-12-20", "paid", 0), 3, None, 10),
        version(F(2, "2025-10-01", "2025-10-15", "overdue", 500_000), 1, None, 10),
        version(F(3, "2026-01-02", "2026-01-16", "unpaid", 300_000), 2, 10, 5),
        version(F(3, "2026-01-02", "2026-01-16", "paid", 0), 10, None, 10),
        version(F(4, "2025-11-01", "2025-11-30", "overdue", 200_000), 1, 5, 3),
        version(F(4, "2025-11-01", "2025-11-30", "cancelled", 200_000), 5, None, 10),
        version(F(5, "2025-12-10", "2025-12-24", "paid", -50_000), 1, None, 10),
        version(F(6, "2025-12-01", "2025-12-31", "unpaid", 70_000), 1, 2, 1),
        version(F(6, "2025-12-01", "2025-12-31", "paid", -10_000), 2, None, 10),
        version(M(1, "2025-12-28 10:00", 100_000, "unpaid"), 1, 5, 3),
        version(M(1, "2025-12-28 10:00", 100_000, "paid"), 5, None, 10),
        version(M(2, "2026-01-03 12:00", 80_000, "unpaid"), 5, 10, 5),
        version(M(3, "2025-12-15 08:00", 40_000, "paid"), 1, None, 10),
    ]
    return FakeStore(rows, [1, 2, 3, 5, 10])


@pytest.fixture
def store() -> FakeStore:
    return scenario()


def jakarta_days(*days: str) -> pd.DatetimeIndex:
    return pd.DatetimeIndex([pd.Timestamp(d).tz_localize(JAKARTA) for d in days], dtype=DATETIME_DTYPE, name="date")


# -- aging_trend ---------------------------------------------------------------------------


def test_aging_trend_by_hand(store):
    trend = aging_trend(store, ["2026-01-10", "2025-12-31", "2026-01-01", "2026-01-04", dt.date(2026, 1, 4)])
    # 2025-12-31 is before the first refresh: left out; dates sorted and distinct.
    expected = pd.DataFrame(
        [
            # Jan 1: F1 12 days + M1 4 days + F6 1 day in 1-30; F4 32 days; F2 78 days; F5's credit.
            [0, 1_170_000, 200_000, 500_000, 0, -50_000, 1_820_000],
            # Jan 4 (the Jan 3 refresh): F3 not due; M1 7 days; F4 35; F2 81; credits F5 and F6.
            [300_000, 100_000, 200_000, 500_000, 0, -60_000, 1_040_000],
            # Jan 10: F1, F3, M1 paid, F4 cancelled, M2 gone; F2 87 days.
            [0, 0, 0, 500_000, 0, -60_000, 440_000],
        ],
        index=jakarta_days("2026-01-01", "2026-01-04", "2026-01-10"),
        columns=REPORT,
    )
    pd.testing.assert_frame_equal(trend, expected)
    assert all(dtype == np.int64 for dtype in trend.dtypes)
    # each date reads the end of that Jakarta day
    assert store.asked[0] == pd.Timestamp("2026-01-01 23:59:59.999999", tz=JAKARTA)


def test_aging_trend_between_refreshes_shows_the_earlier_one(store):
    trend = aging_trend(store, ["2026-01-03", "2026-01-04"])
    # no refresh on Jan 4: the Jan 3 state, aged one day more (M1 6 -> 7 days, F2 80 -> 81: same buckets)
    assert trend.iloc[0].tolist() == trend.iloc[1].tolist()


def test_aging_trend_default_dates_are_the_refresh_days(store):
    trend = aging_trend(store)
    assert list(trend.index) == list(jakarta_days("2026-01-01", "2026-01-02", "2026-01-03", "2026-01-05",
                                                  "2026-01-10"))
    # Jan 2: F1 400,000 (13 days), F6 is a credit now, M1 5 days; F3 current; F4 33; F2 79
    assert trend.loc["2026-01-02"].tolist() == [300_000, 500_000, 200_000, 500_000, 0, -60_000, 1_440_000]


def test_aging_trend_by_provider(store):
    trend = aging_trend(store, ["2026-01-04", "2026-01-10"], by="provider")
    assert trend.index.names == ["date", "provider"]
    assert trend.loc[(pd.Timestamp("2026-01-04", tz=JAKARTA), "faspay")].tolist() == [
        300_000, 0, 200_000, 500_000, 0, -60_000, 940_000]
    assert trend.loc[(pd.Timestamp("2026-01-04", tz=JAKARTA), "mayar")].tolist() == [0, 100_000, 0, 0, 0, 0, 100_000]
    # Jan 10: Mayar has nothing open and no credit: no row
    assert [p for d, p in trend.index if d == pd.Timestamp("2026-01-10", tz=JAKARTA)] == ["faspay"]
    # the by=None result is the sum over the key
    total = aging_trend(store, ["2026-01-04", "2026-01-10"])
    pd.testing.assert_frame_equal(trend.groupby(level="date").sum(), total, check_names=False)


def test_aging_trend_other_edges_and_terms(store):
    # edges (7,), 30 days' terms for Mayar: M1 (Dec 28) is due Jan 27 -> current on Jan 4
    trend = aging_trend(store, "2026-01-04", edges=[7], terms_days=30)
    assert list(trend.columns) == ["Current", "1-7", ">7", "Credit", "Total"]
    assert trend.iloc[0].tolist() == [400_000, 0, 700_000, -60_000, 1_040_000]


def test_aging_trend_empty_store():
    empty = FakeStore([], [])
    trend = aging_trend(empty, ["2026-01-01"])
    assert len(trend) == 0 and list(trend.columns) == REPORT
    by = aging_trend(empty, ["2026-01-01"], by="provider")
    assert len(by) == 0 and by.index.names == ["date", "provider"] and list(by.columns) == REPORT


# -- roll_rates ------------------------------------------------------------------------------


def shares(table: pd.DataFrame, row: str) -> dict[str, float]:
    return {k: float(v) for k, v in table.loc[row, BUCKETS + OUTCOMES].items() if not pd.isna(v) and v != 0}


def test_roll_rates_over_nine_days(store):
    rr = roll_rates(store, "2026-01-01", "2026-01-10")
    assert list(rr.columns) == ["start_amount", *BUCKETS, *OUTCOMES]
    assert list(rr.index) == [*BUCKETS, "Total"]
    assert rr["start_amount"].tolist() == [0, 1_170_000, 200_000, 500_000, 0, 1_870_000]
    # 1-30 at Jan 1: F1 1,000,000 and M1 100,000 paid; F6 70,000 overpaid (a credit)
    assert shares(rr, "1-30") == pytest.approx({"Paid": 1_100_000 / 1_170_000, "Credit": 70_000 / 1_170_000})
    assert shares(rr, "31-60") == {"Cancelled": 1.0}  # F4
    assert shares(rr, "61-90") == {"61-90": 1.0}  # F2, 87 days past due on Jan 10
    assert shares(rr, "Total") == pytest.approx(
        {"61-90": 500 / 1870, "Paid": 1100 / 1870, "Cancelled": 200 / 1870, "Credit": 70 / 1870})
    assert rr.loc["Current"].iloc[1:].isna().all()  # nothing current on Jan 1
    for row in ["1-30", "31-60", "61-90", "Total"]:
        assert float(rr.loc[row, BUCKETS + OUTCOMES].sum()) == pytest.approx(1.0)
    assert str(rr["Paid"].dtype) == "Float64" and rr["start_amount"].dtype == np.int64


def test_roll_rates_part_payment_splits_the_amount(store):
    rr = roll_rates(store, "2026-01-01", "2026-01-02")
    # F1 1,000,000 -> 400,000 still open (13 days: 1-30) + 600,000 paid; M1 100,000 still 1-30; F6 a credit
    assert shares(rr, "1-30") == pytest.approx(
        {"1-30": 500_000 / 1_170_000, "Paid": 600_000 / 1_170_000, "Credit": 70_000 / 1_170_000})
    assert shares(rr, "31-60") == {"31-60": 1.0}  # F4 33 days


def test_roll_rates_gone(store):
    rr = roll_rates(store, "2026-01-05", "2026-01-10")
    # Jan 5: F3 current, M2 2 days (1-30), F2 82 days
    assert rr["start_amount"].tolist() == [300_000, 80_000, 0, 500_000, 0, 880_000]
    assert shares(rr, "Current") == {"Paid": 1.0}
    assert shares(rr, "1-30") == {"Gone": 1.0}  # M2 was deleted
    assert shares(rr, "Total") == pytest.approx({"Paid": 300 / 880, "Gone": 80 / 880, "61-90": 500 / 880})


def test_roll_rates_unknown_and_checks():
    rows = [version(F(1, "2025-12-01", "2025-12-20", "unpaid", 5_000), 1, 2, 1),
            version(F(1, "2025-12-01", "2025-12-20", "unpaid", None), 2, None, 2)]
    rr = roll_rates(FakeStore(rows, [1, 2]), "2026-01-01", "2026-01-02")
    assert shares(rr, "1-30") == {"Unknown": 1.0}
    with pytest.raises(ValueError, match="before start"):
        roll_rates(FakeStore(rows, [1, 2]), "2026-01-02", "2026-01-01")


# -- payment windows, days to pay -------------------------------------------------------------------


def test_payment_windows_by_hand(store):
    pw = payment_windows(store)
    assert pw["invoice_id"].tolist() == ["F6", "F1", "M1", "F3"]  # by first seen paid
    assert pw["open_amount"].tolist() == [70_000, 400_000, 100_000, 300_000]  # F1: the part-paid version
    assert pw["last_seen_open"].tolist() == [at(1), at(2), at(3), at(5)]
    assert pw["first_seen_paid"].tolist() == [at(2), at(3), at(5), at(10)]
    assert pw["window_days"].tolist() == [1, 1, 2, 5]
    # issued Dec 1, Dec 1, Dec 28, Jan 2
    assert pw["days_to_pay_min"].tolist() == [31, 32, 6, 3]
    assert pw["days_to_pay_max"].tolist() == [32, 33, 8, 8]
    assert str(pw["window_days"].dtype) == "Int64" and pw["open_amount"].dtype == np.int64
    assert str(pw["first_seen_paid"].dtype) == "datetime64[us, Asia/Jakarta]"
    assert list(pw.columns) == ["provider", "invoice_id", "customer_id", "customer_name", "issued_at", "due_at",
                                "open_amount", "last_seen_open", "first_seen_paid", "window_days",
                                "days_to_pay_min", "days_to_pay_max"]


def test_payment_windows_empty():
    pw = payment_windows(FakeStore([], []))
    assert len(pw) == 0 and "window_days" in pw.columns


def test_days_to_pay_ranges(store):
    total = days_to_pay(store)
    # minima [3, 6, 31, 32], maxima [8, 8, 32, 33], windows [1, 1, 2, 5]
    assert total.loc["Total"].tolist() == pytest.approx([4, 18.5, 20.0, 31.7, 32.7, 1.5])
    by = days_to_pay(store, by="provider", totals=True)
    # faspay minima [3, 31, 32] maxima [8, 32, 33] windows [1, 1, 5]; mayar M1 alone
    assert by.loc["faspay"].tolist() == pytest.approx([3, 31.0, 32.0, 31.8, 32.8, 1.0])
    assert by.loc["mayar"].tolist() == pytest.approx([1, 6.0, 8.0, 6.0, 8.0, 2.0])
    assert by.loc["Total"].tolist() == total.loc["Total"].tolist()
    assert list(by.columns) == ["paid_count", "median_days_to_pay_low", "median_days_to_pay_high",
                                "p90_days_to_pay_low", "p90_days_to_pay_high", "median_window_days"]


# -- observed amounts, DSO ---------------------------------------------------------------------------


def test_observed_amount(store):
    bound = observed_amount(store)
    assert str(bound.dtype) == "Int64"
    got = {(str(p), str(i)): int(v) for (p, i), v in bound.items()}
    assert got == {("faspay", "F1"): 1_000_000, ("faspay", "F2"): 500_000, ("faspay", "F3"): 300_000,
                   ("faspay", "F4"): 200_000, ("faspay", "F6"): 70_000,
                   ("mayar", "M1"): 100_000, ("mayar", "M2"): 80_000}


def test_with_observed_amount_feeds_paid_ratio(store):
    now = store.as_of(at(10, 23))
    filled = with_observed_amount(now, store)
    by_id = dict(zip(filled["invoice_id"], zip(filled["amount"], filled["amount_is_lower_bound"], strict=True),
                     strict=True))
    assert by_id["F1"] == (1_000_000, True) and by_id["F4"] == (200_000, True)
    assert pd.isna(by_id["F5"][0]) and not by_id["F5"][1]  # never seen open: no bound
    assert by_id["M1"] == (100_000, False)  # a known amount is kept
    assert now["amount"].isna().sum() == 6  # the input is not changed
    # billed 1,000,000 + 500,000 + 300,000 + 70,000 + 100,000 + 40,000 (F4 cancelled, F5 unknown)
    ratio = paid_ratio(filled, weight="amount")
    assert ratio.loc["Total", "billed_amount"] == 2_010_000
    assert ratio.loc["Total", "paid_amount"] == 1_510_000


MAYAR_ONLY = "Total (mayar only; faspay has no amounts)"


def test_dso_countback_mayar_only(store):
    # Jan 4: R = M1 100,000; January (4 days) billed 0, December (31) 140,000 (M1 + M3)
    got = dso(store, "2026-01-04")
    # Faspay lists carry no amount: the one row is Mayar's, and says so (never a bare "Total" for a subset)
    assert got.index.tolist() == [MAYAR_ONLY]
    assert got.loc[MAYAR_ONLY, "receivables"] == 100_000
    assert got.loc[MAYAR_ONLY, "dso_days"] == pytest.approx(4 + 31 * 100_000 / 140_000)
    assert got.loc[MAYAR_ONLY, "months_counted"] == 2 and got.loc[MAYAR_ONLY, "billed_amount"] == 140_000
    assert not got.loc[MAYAR_ONLY, "is_lower_bound"]
    # one month only: the balance outlasts it -> its 4 days, a lower bound
    short = dso(store, "2026-01-04", months=1)
    assert short.loc[MAYAR_ONLY].tolist() == [100_000, 4.0, 1, 0, True]
    # Jan 5: R = M2 80,000 billed Jan 3: 5 days * 80,000 / 80,000
    assert dso(store, "2026-01-05").loc[MAYAR_ONLY, "dso_days"] == pytest.approx(5.0)
    # Jan 10: nothing open
    assert dso(store, "2026-01-10").loc[MAYAR_ONLY, ["receivables", "dso_days", "months_counted"]].tolist() == [0, 0, 0]


def test_dso_with_observed_amounts(store):
    got = dso(store, "2026-01-04", by="provider", observed_amounts=True, totals=True)
    # faspay: R = F2 + F3 + F4 = 1,000,000; Jan: F3 300,000; Dec: F1 1,000,000 + F6 70,000
    assert got.loc["faspay", "dso_days"] == pytest.approx(4 + 31 * 700_000 / 1_070_000)
    assert got.loc["mayar", "dso_days"] == pytest.approx(4 + 31 * 100_000 / 140_000)
    # all: R = 1,100,000; Jan 300,000; Dec 1,210,000
    assert got.index[-1] == "Total"  # with the observed amounts the total covers both providers
    assert got.loc["Total", "dso_days"] == pytest.approx(4 + 31 * 800_000 / 1_210_000)
    assert got.loc["Total", "billed_amount"] == 1_510_000
    with pytest.raises(ValueError, match="months"):
        dso(store, "2026-01-04", months=0)


# -- the chart -----------------------------------------------------------------------------------------


def test_plot_aging_trend_draws_the_buckets(store):
    from matplotlib.colors import to_hex
    from matplotlib.figure import Figure

    trend = aging_trend(store, ["2026-01-01", "2026-01-04", "2026-01-10"])
    ax = plot_aging_trend(trend)
    assert isinstance(ax.figure, Figure)
    areas = [c for c in ax.collections if type(c).__name__.endswith("PolyCollection")]
    assert len(areas) == len(BUCKETS) + 1  # the buckets, then the credits below zero
    colours = [to_hex(c.get_facecolor()[0]) for c in areas]
    assert colours[: len(BUCKETS)] == bucket_colors(DEFAULT_EDGES)
    # the stack's top on Jan 1 is the open total, 1,870,000; the credit area reaches -60,000
    top = areas[len(BUCKETS) - 1].get_paths()[0].vertices[:, 1]
    assert top.max() == pytest.approx(1_870_000)
    assert areas[-1].get_paths()[0].vertices[:, 1].min() == pytest.approx(-60_000)
    assert ax.yaxis.get_major_formatter()(1_500_000, 0) == "Rp 1,5 jt"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [*BUCKETS, "Credit"]
    assert ax.get_title() == "Outstanding by age, 2026-01-01 to 2026-01-10"
    jan1 = (dt.date(2026, 1, 1) - dt.date(1970, 1, 1)).days  # x is the Jakarta day number
    assert ax.get_xlim() == (jan1, jan1 + 9)
    assert ax.xaxis.get_major_formatter()(jan1 + 3, 0) == "2026-01-04"


def test_plot_aging_trend_by_key_and_empty(store):
    by = aging_trend(store, ["2026-01-01", "2026-01-04"], by="provider")
    ax = plot_aging_trend(by, title="x")
    assert ax.get_title() == "x"
    top = [c for c in ax.collections if type(c).__name__.endswith("PolyCollection")][len(BUCKETS) - 1]
    assert top.get_paths()[0].vertices[:, 1].max() == pytest.approx(1_870_000)  # summed over providers
    empty = plot_aging_trend(aging_trend(FakeStore([], []), ["2026-01-01"]))
    assert [t.get_text() for t in empty.texts] == ["No history"]


# -- end to end: the emulator's clock, a store that keeps every daily snapshot ---------------------------


class SnapshotStore:
    """The store contract with one version per invoice per observation (the real store keeps one per change)."""

    def __init__(self) -> None:
        self.snapshots: list[tuple[pd.Timestamp, pd.DataFrame]] = []

    def observe(self, emu: Any, day: dt.date) -> None:
        from invoice_analytics import combine
        from invoice_analytics.providers.faspay import faspay_frame
        from invoice_analytics.providers.mayar import mayar_frame

        with emu._lock:
            faspay, mayar = list(emu.faspay.invoices), list(emu.mayar.invoices)
        when = pd.Timestamp(day).tz_localize(JAKARTA) + pd.Timedelta(hours=18)
        self.snapshots.append((when, combine(faspay_frame(faspay), mayar_frame(mayar))))

    def history(self) -> pd.DataFrame:
        pieces = []
        for i, (when, snap) in enumerate(self.snapshots):
            after = self.snapshots[i + 1][0] if i + 1 < len(self.snapshots) else pd.NaT
            pieces.append(snap.assign(valid_from=when, valid_to=after, last_seen=when))
        out = pd.concat(pieces, ignore_index=True)
        for name in _HISTORY:
            out[name] = out[name].astype(DATETIME_DTYPE)
        return out

    def as_of(self, when: pd.Timestamp) -> pd.DataFrame:
        known = [snap for at_, snap in self.snapshots if at_ <= when]
        snap = known[-1] if known else self.snapshots[0][1].iloc[:0]
        return snap[(snap["issued_at"] <= when).to_numpy()].reset_index(drop=True)

    def refreshes(self) -> pd.DataFrame:
        return pd.DataFrame({"observed_at": pd.Series([t for t, _ in self.snapshots for _ in (0, 1)],
                                                      dtype=DATETIME_DTYPE),
                             "provider": ["faspay", "mayar"] * len(self.snapshots)})


def test_end_to_end_with_the_emulator_clock():
    from invoice_analytics import aging_report
    from invoice_analytics.emulator import Emulator, _samples
    from invoice_analytics.emulator._clock import simulate

    emu = Emulator(_samples.generate_faspay(n=400), _samples.generate_mayar(n=200))
    store = SnapshotStore()
    start = dt.date(2026, 11, 22)
    simulate(emu, start, 30, seed=11, on_day=lambda day: store.observe(emu, day))
    days = [start + dt.timedelta(days=i) for i in range(30)]

    trend = aging_trend(store, days)
    for day, (_, snap) in zip(days[::7], store.snapshots[::7], strict=True):
        direct = aging_report(snap, day, by=None, totals=False)
        assert trend.loc[pd.Timestamp(day).tz_localize(JAKARTA)].tolist() == direct.loc["Total"].tolist()

    pw = payment_windows(store)
    assert len(pw) > 50
    assert (pw["window_days"] == 1).all()  # daily refreshes bracket every payment to a day
    assert ((pw["days_to_pay_max"] - pw["days_to_pay_min"]) == 1).all()
    assert (pw["open_amount"] > 0).all() and (pw["first_seen_paid"] > pw["last_seen_open"]).all()
    # Mayar invoices paid the day they were created were never seen open: they have no window
    history = store.history()
    mayar = history[history["provider"] == "mayar"].sort_values("valid_from", kind="stable")
    first_seen = mayar.drop_duplicates("invoice_id")
    paid_at_once = set(first_seen.loc[(first_seen["status"] == "paid")
                                      & (first_seen["issued_at"] >= pd.Timestamp(start).tz_localize(JAKARTA)),
                                      "invoice_id"])
    assert len(paid_at_once) > 5
    assert not paid_at_once & set(pw["invoice_id"])

    stats = days_to_pay(store, by="provider", totals=True)
    assert set(stats.index) == {"faspay", "mayar", "Total"}
    gap = stats["median_days_to_pay_high"] - stats["median_days_to_pay_low"]
    assert ((gap >= 0) & (gap <= 1)).all()

    rr = roll_rates(store, days[0], days[-1])
    sums = rr.loc[rr["start_amount"] > 0, BUCKETS + OUTCOMES].sum(axis=1).astype(float)
    assert sums.to_numpy() == pytest.approx(1.0)

    both = dso(store, days[-1], by="provider", observed_amounts=True, totals=True)
    assert both.loc["faspay", "dso_days"] > 0 and both.loc["mayar", "dso_days"] > 0
    without = dso(store, days[-1], by="provider", totals=True)
    assert "faspay" not in without.index  # no Faspay amounts without the bound
    assert without.index[-1] == "Total (mayar only; faspay has no amounts)"  # and its total says so


# docsc (issue 18): the cases the docstring examples showed beside their one example (the example store).


def test_docstring_cases_on_the_example_store() -> None:
    from invoice_analytics.analytics._observed import _ExampleStore
    from invoice_analytics.analytics.trends import aging_trend

    store = _ExampleStore()
    by_provider = aging_trend(store, "2026-01-03", by="provider").droplevel("date")["Total"].to_dict()
    assert by_provider == {"mayar": 100_000, "faspay": 50_000}
    # with observed amounts F2's 50,000 is open too, and December billed F1's 1,000,000 as well
    assert round(float(dso(store, "2026-01-03", observed_amounts=True).loc["Total", "dso_days"]), 4) == 7.2273


def test_docstring_case_days_to_pay_by_provider() -> None:
    from invoice_analytics.analytics._observed import _ExampleStore

    got = days_to_pay(_ExampleStore(), by="provider", totals=True)["median_days_to_pay_low"].tolist()
    assert got == [31.0, 6.0, 18.5]
