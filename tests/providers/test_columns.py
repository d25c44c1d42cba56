"""The column builders behind both loaders' frames: chunked building, typed values."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from invoice_analytics import ResponseError, UnknownStatusWarning
from invoice_analytics.emulator._samples import generate_faspay, generate_mayar
from invoice_analytics.providers import _columns as col
from invoice_analytics.providers.faspay import faspay_frame
from invoice_analytics.providers.mayar import mayar_frame


@pytest.mark.parametrize(("build", "rows"), [(faspay_frame, generate_faspay(700)), (mayar_frame, generate_mayar(700))])
def test_chunked_build_equals_one_pass(monkeypatch, build, rows):
    whole = build(rows)
    monkeypatch.setattr(col, "CHUNK_ROWS", 64)
    chunked = build(rows)
    pd.testing.assert_frame_equal(chunked, whole)


def test_unknown_statuses_across_chunks_warn_once(monkeypatch):
    rows = generate_mayar(300)
    rows[5] = {**rows[5], "status": "refunded"}
    rows[250] = {**rows[250], "status": "disputed"}
    monkeypatch.setattr(col, "CHUNK_ROWS", 100)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        df = mayar_frame(rows)
    unknown = [w for w in caught if issubclass(w.category, UnknownStatusWarning)]
    assert len(unknown) == 1
    assert "['disputed', 'refunded']" in str(unknown[0].message)
    assert unknown[0].filename == __file__  # points at the caller, not at the library
    assert df["status"].isna().sum() == 2


def test_bad_value_in_a_later_chunk_names_its_invoice(monkeypatch):
    rows = generate_faspay(300)
    rows[260] = {**rows[260], "outstanding_amount": "dua juta"}
    monkeypatch.setattr(col, "CHUNK_ROWS", 100)
    with pytest.raises(ResponseError, match=f"{rows[260]['invoice_no']}.*outstanding_amount.*dua juta") as info:
        faspay_frame(rows, sources=[f"request {i}" for i in range(300)])
    assert type(info.value) is ResponseError
    assert info.value.request == "request 260"  # the request that brought the bad row


# --- no value silently changed: the builders, value by value ----------------------------------------------------

T0 = 1_768_375_011_056


def faspay_rows(**changes) -> list[dict]:
    """Two clean Faspay rows; ``changes`` replaces fields of the second."""
    rows = generate_faspay(2)
    rows[1] = {**rows[1], **changes}
    return rows


def mayar_rows(**changes) -> list[dict]:
    rows = generate_mayar(2)
    rows[1] = {**rows[1], **changes}
    return rows


@pytest.mark.parametrize(
    "value", [150000.75, -0.4, "12.5", "1,5", 2**63, -(2**63) - 1, "99999999999999999999", 2.0**60, float("nan"),
              float("inf"), True, [1], {"a": 1}, "١٢", "0x10", "1e3"],
    ids=repr,
)
@pytest.mark.parametrize(("build", "make", "field"), [(faspay_frame, faspay_rows, "outstanding_amount"),
                                                      (mayar_frame, mayar_rows, "amount")])
def test_an_amount_that_is_not_exact_whole_rupiah_names_invoice_field_and_value(build, make, field, value):
    rows = make(**{field: value})
    invoice = rows[1]["invoice_no" if build is faspay_frame else "id"]
    with pytest.raises(ResponseError) as info:
        build(rows)
    detail = info.value.detail
    assert repr(invoice) in detail and repr(field) in detail and repr(value)[:100] in detail, detail


@pytest.mark.parametrize(("value", "expected"), [
    (2**62, 2**62), (-(2**62), -(2**62)), ("4611686018427387903", 2**62 - 1), ("000012", 12),
    (" -1500 ", -1500), ("+7", 7), ("12.00", 12), (7.0, 7), (-0.0, 0), (2.0**53, 2**53), ("", None), (None, None),
])
def test_whole_numbers_in_every_spelling_are_read_exactly(value, expected):
    df = faspay_frame(faspay_rows(outstanding_amount=value))
    got = df.loc[1, "outstanding"]
    assert (pd.isna(got) and expected is None) or got == expected


def test_money_beyond_2_to_the_62_is_refused_even_within_int64():
    with pytest.raises(col.BadValue, match=r"^-9223372036854775808 is not rupiah within ±2\*\*62$"):
        col.money([5, -(2**63)])


def test_clean_integers_take_the_fast_path_and_keep_every_digit():
    values = [2**63 - 1, None, -(2**63), 0, 2**62 + 1]  # a missing value must not send them through float64
    assert col.whole_numbers(values, "n").tolist() == [2**63 - 1, pd.NA, -(2**63), 0, 2**62 + 1]
    assert col.whole_numbers([*values, "5"], "n").tolist() == [2**63 - 1, pd.NA, -(2**63), 0, 2**62 + 1, 5]
    rupiah = [2**62, None, -(2**62), 0, 2**62 - 1]  # money: within ±2**62, every digit kept
    assert col.money(rupiah).tolist() == [2**62, pd.NA, -(2**62), 0, 2**62 - 1]
    assert col.money([*rupiah, "5"]).tolist() == [2**62, pd.NA, -(2**62), 0, 2**62 - 1, 5]  # value by value
    assert col.money([None, None]).tolist() == [pd.NA, pd.NA]


@pytest.mark.parametrize("created", [1768375011, 1768375011056000000, 1768375011056000, 0, -1, 946684799999,
                                     4133980800000, "1768375011", 2**63, 1768375011056.5])
def test_epoch_milliseconds_outside_2000_to_2100_are_refused(created):
    rows = mayar_rows(createdAt=created)
    with pytest.raises(ResponseError, match=r"createdAt.* is not epoch milliseconds") as info:
        mayar_frame(rows)
    assert repr(rows[1]["id"]) in str(info.value) and repr(created) in str(info.value)


def test_epoch_milliseconds_at_the_edges_of_the_range():
    first, last = 946684800000, 4133980799999  # 2000-01-01 00:00:00.000 and 2100-12-31 23:59:59.999 UTC
    df = mayar_frame([*mayar_rows(createdAt=first), {**generate_mayar(1)[0], "id": "z", "createdAt": str(last)}])
    assert df["issued_at"].iloc[1] == pd.Timestamp("2000-01-01", tz="UTC")
    assert df["issued_at"].iloc[2] == pd.Timestamp("2100-12-31 23:59:59.999", tz="UTC")


@pytest.mark.parametrize(("field", "value"), [
    ("invoice_date", "0000-01-01 00:00:00"), ("due_date", "1999-12-31 23:59:59"), ("due_date", "2101-01-01"),
    ("invoice_date", "1945-09-22 23:45:00"), ("due_date", "2026-01-01 00:00:00.123456789"), ("due_date", "NaT"),
    ("due_date", "nan"), ("invoice_date", "0000-00-00 00:00:00"), ("due_date", "2026-02-30"), ("due_date", 20260101),
    ("due_date", "2026-01-01 00:00:00\ud800"), ("invoice_date", "2026-01-01T10:00:00+99:00"),
    ("invoice_date", "-0"), ("due_date", "2100-12-31T23:00:00-05:00"),
])
def test_dates_that_are_not_plausible_iso_8601_name_the_value(field, value):
    rows = faspay_rows(**{field: value})
    with pytest.raises(ResponseError) as info:
        faspay_frame(rows)
    assert repr(rows[1]["invoice_no"]) in str(info.value) and repr(field) in str(info.value)
    assert repr(value) in str(info.value)


def test_dates_with_an_offset_are_converted_not_refused():
    df = faspay_frame(faspay_rows(invoice_date="2026-01-01T03:00:00Z", due_date="2026-01-01 12:00:00+09:00"))
    assert df.loc[1, "issued_at"] == pd.Timestamp("2026-01-01 10:00", tz="Asia/Jakarta")
    assert df.loc[1, "due_at"] == pd.Timestamp("2026-01-01 10:00", tz="Asia/Jakarta")
    assert df["issued_at"].dtype == "datetime64[us, Asia/Jakarta]"


@pytest.mark.parametrize("period", ["202613", "202600", "2026-01", "abcdef", "20261", "2026011", "000001", " 202601",
                                    "\uff12\uff10\uff12\uff16\uff10\uff11", 202613, 2026.5, True])
def test_invalid_periods_name_the_value(period):
    rows = faspay_rows(period=period)
    with pytest.raises(ResponseError, match=r"field 'period'.* is not (a YYYYMM period|text)") as info:
        faspay_frame(rows)
    assert repr(rows[1]["invoice_no"]) in str(info.value) and repr(period) in str(info.value)


def test_periods_as_numbers_and_texts():
    rows = faspay_rows(period=202612)
    rows[0]["period"] = None
    assert [str(p) for p in faspay_frame(rows)["period"]] == ["NaT", "2026-12"]


@pytest.mark.parametrize("field", ["invoice_no", "customer_id", "customer_name", "invoice_status", "period"])
def test_a_lone_surrogate_in_a_faspay_text_names_the_field(field):
    rows = faspay_rows(**{field: "PT Maju \ud800"})
    with pytest.raises(ResponseError, match=f"field '{field}'.*lone surrogate"):
        faspay_frame(rows)


@pytest.mark.parametrize(("field", "change"), [
    ("id", {"id": "inv-\udfff"}),
    ("customerId", {"customerId": "\ud800"}),
    ("status", {"status": "active\ud800"}),
    ("description", {"description": "x\ud800y"}),
    ("customer.name", {"customer": {"name": "Budi \ud800"}}),
    ("customer.email", {"customer": {"email": "\ud800@example.com"}}),
    ("transactions.status", {"transactions": [{"status": "\ud800"}]}),
])
def test_a_lone_surrogate_in_a_mayar_text_names_the_field(field, change):
    with pytest.raises(ResponseError, match=f"field '{field}'.*lone surrogate"):
        mayar_frame(mayar_rows(**change))


def test_keys_in_any_characters_are_ignored_like_any_other_unknown_key():
    faspay = faspay_rows(**{"customer\u2019s": "x", "\udc80": 1, "ключ": None})
    mayar = mayar_rows(**{"customer\u2019s": "x", "\udc80": 1})
    mayar[1]["customer"] = {**mayar[1]["customer"], "näme": "y", "\ud800": "z"}
    pd.testing.assert_frame_equal(faspay_frame(faspay), faspay_frame(faspay_rows()))
    pd.testing.assert_frame_equal(mayar_frame(mayar), mayar_frame(mayar_rows()))


@pytest.mark.parametrize(("change", "field"), [
    ({"customer": "Budi"}, "customer"), ({"customer": ["Budi"]}, "customer"),
    ({"transactions": "paid"}, "transactions"), ({"transactions": {"status": "paid"}}, "transactions"),
    ({"transactions": ["paid"]}, "transactions"), ({"customerId": True}, "customerId"),
    ({"name": float("nan")}, "name"), ({"link": ["a"]}, "link"),
])
def test_mayar_values_of_the_wrong_kind_are_named_not_dropped(change, field):
    with pytest.raises(ResponseError, match=f"field '{field}'"):
        mayar_frame(mayar_rows(**change))


@pytest.mark.parametrize("raw", ["active", "Active ", "ACTIVE", " active\t", "AcTiVe"])
def test_one_folded_mayar_status_drives_status_and_outstanding(raw):
    df = mayar_frame(mayar_rows(status=raw, amount=125_000))
    assert df.loc[1, "status"] == "unpaid"
    assert df.loc[1, "outstanding"] == 125_000
    assert df.loc[1, "provider_status"] == raw  # as sent


@pytest.mark.parametrize(("raw", "status"), [("PAID", "paid"), (" Closed", "cancelled")])
def test_settled_mayar_statuses_fold_too(raw, status):
    df = mayar_frame(mayar_rows(status=raw, amount=125_000))
    assert df.loc[1, "status"] == status and df.loc[1, "outstanding"] == 0 and df.loc[1, "provider_status"] == raw


@pytest.mark.parametrize(("raw", "status"), [(" PAID ", "paid"), ("partial_paid", "partially_paid"),
                                             ("PARTIAL  PAID", "partially_paid"), ("OVERDUE", "overdue")])
def test_faspay_labels_fold(raw, status):
    df = faspay_frame(faspay_rows(invoice_status=raw))
    assert df.loc[1, "status"] == status and df.loc[1, "provider_status"] == raw


def test_customer_names_are_nfc_in_both_paths():
    composed, decomposed = "Caf\u00e9 Ñusantara", "Cafe\u0301 N\u0303usantara"
    rows = faspay_rows(customer_name=decomposed)
    rows[0]["customer_name"] = composed
    fast = faspay_frame(rows)
    slow = faspay_frame([{**rows[0], "period": 202302}, rows[1]])  # a number for text: the field-by-field path
    for df in (fast, slow):
        assert df["customer_name"].tolist() == [composed, composed]
    mayar = mayar_rows(customer={"name": decomposed})
    assert mayar_frame(mayar)["customer_name"].iloc[1] == composed
    mayar[0] = {**mayar[0], "customerId": 5}  # field-by-field path
    assert mayar_frame(mayar)["customer_name"].iloc[1] == composed


def test_only_customer_names_are_normalised():
    decomposed = "Cafe\u0301"
    df = mayar_frame(mayar_rows(description=decomposed, customer={"name": decomposed, "email": decomposed}))
    assert df.loc[1, "description"] == decomposed and df.loc[1, "customer_email"] == decomposed


def test_bad_value_message_is_bounded():
    with pytest.raises(ResponseError) as info:
        faspay_frame(faspay_rows(outstanding_amount="9" * 100_000))
    assert len(str(info.value)) < 400
