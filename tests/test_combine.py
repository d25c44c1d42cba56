"""combine() on the loaders' real frames: every dtype kept, categories unioned."""

from __future__ import annotations

import pandas as pd

from invoice_analytics import CORE_SCHEMA, combine, empty_frame
from invoice_analytics.providers.faspay import faspay_frame
from invoice_analytics.providers.mayar import EXTRA_SCHEMA, mayar_frame
from tests.support.raw import reference_response


def test_faspay_and_mayar_keep_every_dtype():
    faspay = faspay_frame(reference_response("faspay")["data"])
    mayar = mayar_frame(reference_response("mayar")["data"])
    both = combine(faspay, mayar)
    assert len(both) == len(faspay) + len(mayar) == 8
    assert list(both.columns) == [*CORE_SCHEMA, "period", *EXTRA_SCHEMA]
    for name, dtype in CORE_SCHEMA.items():
        assert both[name].dtype == dtype, name
    assert both["period"].dtype == pd.PeriodDtype("M") and both["period"].iloc[6:].isna().all()
    assert both["name"].iloc[:6].isna().all() and both["name"].iloc[6] == "INVOICE"
    assert both["provider"].tolist() == ["faspay"] * 6 + ["mayar"] * 2
    assert both.index.equals(pd.RangeIndex(8))


def test_categories_are_unioned_not_turned_into_text():
    a = pd.DataFrame({"kind": pd.Categorical(["x"])})
    b = pd.DataFrame({"kind": pd.Categorical(["y"])})
    out = combine(a, b)
    assert isinstance(out["kind"].dtype, pd.CategoricalDtype)
    assert sorted(out["kind"].cat.categories) == ["x", "y"] and out["kind"].tolist() == ["x", "y"]
    assert pd.concat([a, b])["kind"].dtype != out["kind"].dtype  # what plain concat would have done


def test_empty_frames_and_inputs_untouched():
    faspay = faspay_frame(reference_response("faspay")["data"])
    before = faspay.copy()
    out = combine(faspay, empty_frame())
    pd.testing.assert_frame_equal(out, faspay)
    pd.testing.assert_frame_equal(faspay, before)


# docsc (issue 18): the cases the docstring examples showed beside their one example.


def test_combine_keeps_categories_periods_and_integers() -> None:
    a = pd.DataFrame({"provider": pd.Categorical(["faspay"]), "period": pd.PeriodIndex(["2024-01"], freq="M")})
    b = pd.DataFrame({"provider": pd.Categorical(["mayar"]), "amount": pd.array([5], dtype="Int64")})
    both = combine(a, b)
    assert both["provider"].cat.categories.tolist() == ["faspay", "mayar"]
    assert both.dtypes.astype(str).tolist() == ["category", "period[M]", "Int64"]


def test_empty_frame_columns_and_dtypes() -> None:
    frame = empty_frame()
    assert len(frame) == 0 and frame.columns[:4].tolist() == ["provider", "invoice_id", "customer_id", "customer_name"]
    assert str(frame["outstanding"].dtype) == "Int64"
    assert str(frame["issued_at"].dtype) == "datetime64[us, Asia/Jakarta]"
    assert frame["status"].cat.categories.tolist()[:3] == ["draft", "unpaid", "partially_paid"]
