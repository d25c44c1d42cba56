"""payment_behaviour, expected_payments and forecast_collections on a tiny daily-refreshed history.

Days count from 2026-01-01 (day 1); as_of is day 90 (2026-03-31, a Tuesday).

=====  ========  ======================================================================================
who    provider  invoices (issued, due, paid on; amounts in rupiah)
=====  ========  ======================================================================================
C1     faspay    always 10 days late: issued 1, 8, 15, 22, due +14, paid due + 10 (days 25, 32, 39, 46);
                 open: issued 80, due 94, 1,000,000
C2     faspay    never pays: two invoices issued day -40, due -26 (2025-12-06), 500,000 and 300,000;
                 one issued 1, due 15, 400,000
C3     faspay    one payment: issued 1, due 15, paid 15 (on its due day)
m1     mayar     no due date: issued 5 and 40, paid 12 and 47; open: issued 85, 200,000
=====  ========  ======================================================================================
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import invoice_analytics as ia
from invoice_analytics._dates import as_of_day
from invoice_analytics.analytics._survival import BIN_EDGES, Model, day_probabilities, fit, known_at, spells
from invoice_analytics.analytics._timeline import Fitted
from invoice_analytics.analytics.forecast import weekly
from invoice_analytics.schema import JAKARTA
from tests.support.tiny_history import Inv, TinyStore, day

AS_OF = "2026-03-31"


def scenario() -> TinyStore:
    invoices = [Inv("faspay", f"L{i}", "C1", issued, issued + 14, 100_000, paid=issued + 24)
                for i, issued in enumerate((1, 8, 15, 22))]
    invoices += [
        Inv("faspay", "L9", "C1", 80, 94, 1_000_000),
        Inv("faspay", "N1", "C2", -40, -26, 500_000),
        Inv("faspay", "N2", "C2", -40, -26, 300_000),
        Inv("faspay", "N3", "C2", 1, 15, 400_000),
        Inv("faspay", "O1", "C3", 1, 15, 250_000, paid=15),
        Inv("mayar", "M1", "m1", 5, None, 50_000, paid=12),
        Inv("mayar", "M2", "m1", 40, None, 60_000, paid=47),
        Inv("mayar", "M3", "m1", 85, None, 200_000),
    ]
    return TinyStore(invoices, last=120)


@pytest.fixture
def store() -> TinyStore:
    return scenario()


def row(pb: pd.DataFrame, customer: str) -> pd.Series:
    return pb.xs(customer, level="customer_id").iloc[0]


# -- payment_behaviour -------------------------------------------------------------------------


def test_behaviour_observed_by_hand(store):
    pb = ia.payment_behaviour(store, AS_OF)
    assert pb.index.names == ["customer_name", "customer_id", "provider"]
    late, never, once, mayar = (row(pb, c) for c in ("C1", "C2", "C3", "m1"))
    # C1: four payments 10 days late, seen open the day before: the range [9, 10]; from issue [23, 24]
    assert (late["payments"], late["open_count"]) == (4, 1)
    for q in ("p25", "median", "p90"):
        assert (late[f"days_late_{q}_low"], late[f"days_late_{q}_high"]) == (9, 10)
        assert (late[f"days_to_pay_{q}_low"], late[f"days_to_pay_{q}_high"]) == (23, 24)
    assert (late["late_share_low"], late["late_share_high"]) == (1.0, 1.0)
    assert pd.isna(late["old_open_share"])  # no invoice of C1 is 90 days past due
    # C2: nothing paid; its two invoices 116 days past due (the old ones) are open
    assert (never["payments"], never["open_count"], never["old_open_share"]) == (0, 3, 1.0)
    assert pd.isna(never["days_late_median_low"]) and pd.isna(never["late_share_low"])
    # C3: paid on its due day (seen open the day before): [-1, 0] days late, not late
    assert (once["payments"], once["days_late_median_low"], once["days_late_median_high"]) == (1, -1, 0)
    assert (once["late_share_low"], once["late_share_high"]) == (0.0, 0.0)
    # m1: no due date: days to pay from issue [6, 7]; no lateness
    assert (mayar["payments"], mayar["days_to_pay_median_low"], mayar["days_to_pay_median_high"]) == (2, 6, 7)
    assert pd.isna(mayar["days_late_median_low"]) and pd.isna(mayar["late_share_low"])


def test_behaviour_shrinkage_formula(store):
    view = known_at(store, day(90, 0) + pd.Timedelta(hours=24) - pd.Timedelta(microseconds=1))
    s = spells(view)
    model = fit(s)
    pb = ia.payment_behaviour(store, AS_OF)
    for customer in ("C1", "C2", "C3"):
        g = int(np.flatnonzero(s.index.get_level_values("customer_id") == customer)[0])
        a = model.prior[s.provider[g]]
        x, e = model.expected[g], model.payments[g]
        # theta = (e + a) / (X + a) = w e/X + (1 - w), w = X / (X + a)
        assert row(pb, customer)["pace"] == pytest.approx((e + a) / (x + a))
        assert row(pb, customer)["own_weight"] == pytest.approx(x / (x + a))
    late, never, once = (row(pb, c) for c in ("C1", "C2", "C3"))
    assert 0 < once["own_weight"] < late["own_weight"] < 1  # one payment leans less on its own history
    assert never["pace"] < 1 and never["pace"] < late["pace"]
    assert never["model_paid_within_90"] < late["model_paid_within_90"]
    provider = ia.payment_behaviour(store, AS_OF, by="provider")
    assert provider.index.tolist() == ["faspay", "mayar"]
    assert provider["payments"].tolist() == [5, 2]
    assert provider["own_weight"].tolist() == [1.0, 1.0]


def test_exposure_by_hand():
    """One invoice due on day 0, first seen open on day -3, paid in a 2-day window after day 9: at risk
    fully on ages -2..9, then 1 and 1/2 on ages 10 and 11; the payment half on each."""
    store = TinyStore([Inv("faspay", "X", "C", -20, 0, 100, paid=12, seen=-3)], last=30)
    store.versions.loc[0, "last_seen"] = day(9)  # not seen on day 10: the window is (9, 11]
    store.versions.loc[1, "valid_from"] = day(11)
    store.versions.loc[0, "valid_to"] = day(11)
    s = spells(known_at(store, day(30)))
    from invoice_analytics.analytics._survival import _exposure, age_bin
    e, n = _exposure(s)
    want_n = np.zeros(len(BIN_EDGES) + 1)
    for age in range(-2, 10):
        want_n[age_bin(np.array([age]))[0]] += 1
    want_n[age_bin(np.array([10]))[0]] += 1.0
    want_n[age_bin(np.array([11]))[0]] += 0.5
    want_e = np.zeros_like(want_n)
    want_e[age_bin(np.array([10]))[0]] += 0.5
    want_e[age_bin(np.array([11]))[0]] += 0.5
    np.testing.assert_allclose(n[0], want_n)
    np.testing.assert_allclose(e[0], want_e)


def test_behaviour_rejects_bad_by(store):
    with pytest.raises(ValueError, match="by must be"):
        ia.payment_behaviour(store, AS_OF, by="month")  # type: ignore[arg-type]


# -- expected_payments -------------------------------------------------------------------------


def test_day_probabilities_by_hand(store):
    """A constant daily hazard of 0.1: paid on day d with 0.1 * 0.9^(d-1)."""
    s = spells(known_at(store, day(90)))
    model = fit(s)
    flat = Model(np.full_like(model.hazard, 0.1), model.provider_hazard, model.theta, model.weight,
                 model.payments, model.expected, model.prior)
    today = as_of_day(AS_OF)
    probs = day_probabilities(flat, s, np.array([0]), today - 1, 10)
    np.testing.assert_allclose(probs[0], 0.1 * 0.9 ** np.arange(10))
    # as_of Tuesday 2026-03-31: week 1 is Wed Apr 1 .. Sun Apr 5 (5 days), week 2 the next 7
    open_row = np.flatnonzero(s.frame["invoice_id"].to_numpy(dtype=object) == "L9")  # seen open on day 90
    f = Fitted(day(90), s, flat, today, open_row, np.array([1_000_000]))
    monday, mean, low, high = weekly(f, 2, 0.8, np.array([0]), 1, phi2=0.0)
    assert pd.Timestamp(monday, unit="D").date().isoformat() == "2026-03-30"
    p1 = 1 - 0.9**5
    p2 = 0.9**5 * (1 - 0.9**7)
    assert mean[0].tolist() == [round(1_000_000 * p1), round(1_000_000 * p2)]
    z = 1.2815515655446004
    sd1 = 1_000_000 * np.sqrt(p1 * (1 - p1))
    assert low[0, 0] == max(0, round(1_000_000 * p1 - z * sd1)) and high[0, 0] == round(1_000_000 * p1 + z * sd1)


def test_unseen_days_count_in_week_one(store):
    """An invoice last seen open 3 days before as_of: the chance it was paid in those days joins day 1."""
    s = spells(known_at(store, day(90)))
    model = fit(s)
    flat = Model(np.full_like(model.hazard, 0.1), model.provider_hazard, model.theta, model.weight,
                 model.payments, model.expected, model.prior)
    today = as_of_day(AS_OF)
    probs = day_probabilities(flat, s, np.array([0]), today, 4, since=np.array([today - 3]))
    np.testing.assert_allclose(probs[0], [1 - 0.9**4, 0.9**4 * 0.1, 0.9**5 * 0.1, 0.9**6 * 0.1])


def test_expected_payments_survival(store):
    ep = ia.expected_payments(store, AS_OF, weeks=8)
    assert ep["invoice_id"].tolist() == ["L9", "N1", "N2", "N3", "M3"]
    assert ep["outstanding"].tolist() == [1_000_000, 500_000, 300_000, 400_000, 200_000]
    assert ep["age_days"].tolist() == [-4, 116, 116, 75, 5]  # Mayar: days since issue
    weeks = [f"week_{k}" for k in range(1, 9)]
    np.testing.assert_allclose(ep[[*weeks, "after"]].sum(axis=1).to_numpy(dtype=float), 1.0)
    starts = ep.attrs["week_start"]
    assert [str(s.date()) for s in starts[:2]] == ["2026-03-30", "2026-04-06"]
    assert all(s.weekday() == 0 and s.tz is not None for s in starts)
    late = ep.set_index("invoice_id").loc["L9", weeks].to_numpy(dtype=float)
    # due Apr 4 (day 94), C1 pays 10 days late (Apr 14): its hazard is high on ages 7-13 (the weekly age
    # bin of its payments), Apr 11-17, in weeks 2 and 3; nobody ever paid later than that: nothing after
    assert late[1] + late[2] > 0.7 and late[1] + late[2] > 10 * late[0] and late[3:].sum() == 0
    never = ep.set_index("invoice_id").loc["N1"]
    assert never["after"] > 0.5 and never["after"] > ep.set_index("invoice_id").loc["L9", "after"]
    assert ep.loc[ep["invoice_id"] == "L9", "expected_from"].iloc[0].tz is not None


def test_forecast_collections_sums_expected_payments(store):
    ep = ia.expected_payments(store, AS_OF, weeks=4)
    fc = ia.forecast_collections(store, AS_OF, weeks=4)
    assert fc.columns.tolist() == ["week_start", "expected", "low", "high"]
    assert all(str(fc[c].dtype) == "Int64" for c in ("expected", "low", "high"))
    want = [(ep["outstanding"].astype(float) * ep[f"week_{k}"].astype(float)).sum() for k in range(1, 5)]
    assert fc["expected"].tolist() == [round(w) for w in want]
    assert (fc["low"] <= fc["expected"]).all() and (fc["expected"] <= fc["high"]).all()
    assert fc["week_start"].dt.tz is not None
    by = ia.forecast_collections(store, AS_OF, weeks=4, by="provider")
    assert by.columns.tolist() == ["provider", "week_start", "expected", "low", "high"]
    summed = by.groupby("week_start")["expected"].sum()
    assert (abs(summed.to_numpy() - fc["expected"].to_numpy()) <= 1).all()
    customers = ia.forecast_collections(store, AS_OF, weeks=4, by="customer")
    assert sorted(set(customers["customer_id"])) == ["C1", "C2", "m1"]
    with pytest.raises(ValueError, match="level"):
        ia.forecast_collections(store, AS_OF, level=1.5)
    with pytest.raises(ValueError, match="weeks"):
        ia.forecast_collections(store, AS_OF, weeks=0)


def test_week_start_is_jakarta_monday(store):
    fc = ia.forecast_collections(store, "2026-04-05", weeks=2)  # a Sunday: week 1 is the full next week
    assert fc["week_start"].tolist() == [pd.Timestamp("2026-04-06", tz=JAKARTA),
                                         pd.Timestamp("2026-04-13", tz=JAKARTA)]


# -- backtest_forecast -------------------------------------------------------------------------


def test_backtest_by_hand():
    """As of day 30 (2026-01-30, a Friday): A (faspay, 1,000,000, due day 40) is paid in the window after
    day 44 seen open, first seen paid day 46 (500,000 on each of Sat Feb 14 and Sun Feb 15); B (mayar,
    300,000, issued day 20) is paid down to 100,000 on day 35 (200,000 on Feb 4) and cancelled on day 50;
    C (faspay, 400,000, due day 25) is cancelled on day 33: nothing collected."""
    invoices = [Inv("faspay", "A", "a", 26, 40, 1_000_000, paid=46),
                Inv("mayar", "B", "b", 20, None, 300_000, cancelled=50),
                Inv("faspay", "C", "c", 11, 25, 400_000, cancelled=33)]
    store = TinyStore(invoices, last=100)
    v = store.versions
    a_open = (v["invoice_id"] == "A").to_numpy() & (v["status"] == "overdue").to_numpy()
    v.loc[a_open, "last_seen"] = day(44)  # not seen on day 45: the window is (44, 46]
    b_open = np.flatnonzero((v["invoice_id"] == "B").to_numpy() & (v["status"] == "unpaid").to_numpy())[0]
    part = v.iloc[[b_open]].copy()
    part["outstanding"] = pd.array([100_000], dtype="Int64")
    part["valid_from"], part["valid_to"], part["last_seen"] = day(35), day(50), day(49)
    v.loc[b_open, ["valid_to", "last_seen"]] = [day(35), day(34)]
    store.versions = pd.concat([v, part], ignore_index=True)
    d = ia.backtest_forecast(store, ["2026-01-30"], weeks=4, terms_days={"mayar": 7}, detail=True)
    # weeks: Jan 26 (Sat 31, Sun Feb 1), Feb 2, Feb 9, Feb 16
    assert [str(w.date()) for w in d["week_start"]] == ["2026-01-26", "2026-02-02", "2026-02-09", "2026-02-16"]
    assert d["collected"].tolist() == [0, 200_000, 1_000_000, 0]
    # due-date projection: A on Feb 9 (day 40), B on issue + 7 = day 27: past, so Jan 31; C overdue: Jan 31
    assert d["due_date"].tolist() == [700_000, 0, 1_000_000, 0]
    summary = ia.backtest_forecast(store, "2026-01-30", weeks=4, terms_days={"mayar": 7})
    total = 1_200_000
    assert summary.loc["weeks 1-4", "collected"] == total
    assert summary.loc["weeks 1-4", "wape_due_date"] == pytest.approx((700_000 + 200_000) / total)
    assert summary.loc["weeks 1-4", "bias_due_date"] == pytest.approx((1_700_000 - total) / total)
    assert summary.loc["week 2", "wape_due_date"] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="needs the store's refreshes"):
        ia.backtest_forecast(store, "2026-03-20", weeks=4)


def poisoned(store: TinyStore, cutoff: pd.Timestamp, seed: int = 3) -> TinyStore:
    """``store`` with every version first observed after ``cutoff`` replaced by nonsense, the live versions'
    later observations changed, and more refreshes after it."""
    rng = np.random.default_rng(seed)
    out = scenario()
    v = store.versions.copy()
    after = (v["valid_from"] > cutoff).to_numpy()
    n = int(after.sum())
    v.loc[after, "outstanding"] = pd.array(rng.integers(-10**6, 10**9, n), dtype="Int64")
    v.loc[after, "status"] = rng.choice(["paid", "unpaid", "cancelled", "overdue"], n)
    v.loc[after, "customer_id"] = rng.choice(["C1", "C2", "Z9"], n)
    v.loc[after, "valid_from"] = cutoff + pd.to_timedelta(rng.integers(1, 10**6, n), unit="s")
    live = (v["valid_from"] <= cutoff).to_numpy() & (v["valid_to"].isna() | (v["valid_to"] > cutoff)).to_numpy()
    v.loc[live, "last_seen"] = cutoff + pd.Timedelta(days=400)
    v.loc[live & v["valid_to"].notna().to_numpy(), "valid_to"] = cutoff + pd.Timedelta(days=3)
    out.versions = v
    extra = pd.DataFrame({"observed_at": [cutoff + pd.Timedelta(hours=5)] * 2, "provider": ["faspay", "mayar"]})
    out._refreshes = pd.concat([store._refreshes, extra], ignore_index=True)
    return out


@pytest.mark.parametrize("as_of", ["2026-02-20", AS_OF])
def test_no_look_ahead(store, as_of):
    cutoff = pd.Timestamp(as_of).tz_localize(JAKARTA) + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)
    bad = poisoned(store, cutoff)
    assert not bad.versions.equals(store.versions)
    pd.testing.assert_frame_equal(ia.forecast_collections(bad, as_of), ia.forecast_collections(store, as_of))
    pd.testing.assert_frame_equal(ia.expected_payments(bad, as_of), ia.expected_payments(store, as_of))
    pd.testing.assert_frame_equal(ia.payment_behaviour(bad, as_of), ia.payment_behaviour(store, as_of))
    got = ia.backtest_forecast(bad, as_of, weeks=2, detail=True)
    want = ia.backtest_forecast(store, as_of, weeks=2, detail=True)
    cols = ["forecast", "low", "high", "due_date", "provider_average"]
    pd.testing.assert_frame_equal(got[cols], want[cols])
