"""The store's small pieces, checked directly (moved from their modules' docstrings): versions, the Faspay
query plan, fingerprints and the rotation rule, the refresh log."""

from __future__ import annotations

import pandas as pd

from invoice_analytics.history._identity import fingerprint, same_account
from invoice_analytics.history._log import RefreshLog
from invoice_analytics.history._plan import plan_queries
from invoice_analytics.history._scd import latest, versions

T = pd.to_datetime(["2026-01-01", "2026-01-02", "2026-01-03"]).tz_localize("Asia/Jakarta")


def test_latest_and_versions_of_events():
    events = pd.DataFrame({"invoice_id": ["a", "a", "b", "b"], "status": ["open", "paid", "open", None],
                           "valid_from": T[[0, 1, 0, 2]], "change": ["new", "changed", "new", "gone"]})
    assert latest(events, None)["status"].tolist() == ["paid"]
    assert latest(events, T[1])["status"].tolist() == ["paid", "open"]
    v = versions(events, pd.Series(T))
    assert [(i, str(a.date()), str(b.date())) for i, a, b in zip(v["invoice_id"], v["valid_from"], v["last_seen"],
                                                                 strict=True)] == [
        ("a", "2026-01-01", "2026-01-01"), ("a", "2026-01-02", "2026-01-03"), ("b", "2026-01-01", "2026-01-02")]
    assert v["valid_to"].isna().tolist() == [False, True, False]


def test_the_faspay_query_plan_prefers_a_customer_list_when_it_covers_all():
    left = pd.DataFrame({"invoice_id": ["a", "b", "c"], "customer_id": ["7", "7", None],
                         "issued_at": pd.to_datetime(["2026-01-05", "2026-03-02", "2026-03-09"]).tz_localize(
                             "Asia/Jakarta"),
                         "period": pd.PeriodIndex(["2026-01", "2026-03", "2026-03"], freq="M")})
    known = left.iloc[:0]
    assert [(q.customer_id, str(q.start), str(q.end), sorted(ids)) for q, ids, _ in plan_queries(left, known, 50)] \
        == [(None, "2026-03-01", "2026-03-31", ["b", "c"]), (None, "2026-01-01", "2026-01-31", ["a"])]
    assert [(q.customer_id, sorted(ids), pages) for q, ids, pages in plan_queries(left.iloc[:2], known, 50)] == [
        ("7", ["a", "b"], 1)]


def test_fingerprints_and_the_rotation_rule():
    salt = "00" * 16
    a = fingerprint(salt, "mayar", "key-1")
    assert a == fingerprint(salt, "mayar", "key-1") and a != fingerprint(salt, "mayar", "key-2") and "key-1" not in a
    assert same_account(["a", "b", "c", "d"], {"a", "b", "x"}) == (
        True, "2 of the 4 invoices on its first page are in the store")
    assert not same_account(["p", "q"], {"a", "b"})[0]


def test_the_refresh_log_answers_with_arrays():
    log = RefreshLog(None, ({"refresh": 1, "provider": "mayar", "observed_at": "2026-11-22T09:00:00+07:00"},
                            {"refresh": 2, "provider": "mayar", "observed_at": "2026-11-22T10:00:00+07:00"}))
    assert (log.last("mayar", pd.Timestamp("2026-11-22 09:30", tz="Asia/Jakarta")), log.last("faspay", None)) == (1, 0)
    assert (str(log.first_time()), sorted(log.providers())) == ("2026-11-22 09:00:00+07:00", ["mayar"])


def test_latest_rows_on_stored_rows():
    import pyarrow as pa

    from invoice_analytics.history._scd import latest_rows

    stamps = pa.array(T[[0, 1, 0, 2]].as_unit("us").asi8, pa.timestamp("us", tz="Asia/Jakarta"))
    rows = pa.table({"invoice_id": ["a", "a", "b", "b"], "status": ["open", "paid", "open", None],
                     "valid_from": stamps, "change": ["new", "changed", "new", "gone"]})
    assert latest_rows(rows, None)["status"].to_pylist() == ["paid"]
    assert latest_rows(rows, T[1])["status"].to_pylist() == ["paid", "open"]
    assert latest_rows(rows, None, keep_gone=True)["change"].to_pylist() == ["changed", "gone"]
