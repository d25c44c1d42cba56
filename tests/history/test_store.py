"""InvoiceStore: the API, the files on disk, locking, damage, secrets, and DuckDB reading the same directory."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import invoice_analytics as ia
from invoice_analytics.emulator import DEMO_FASPAY_PASSWORD, DEMO_MAYAR_API_KEY
from invoice_analytics.history import (
    CheckpointWarning,
    InvoiceStore,
    NotObservedError,
    RefreshFallbackWarning,
    RefreshResult,
    StoreCorruptError,
    StoreLockedError,
)
from invoice_analytics.providers.faspay import faspay_signature
from invoice_analytics.schema import DATETIME_DTYPE
from tests.support.stores import apply, assert_same, at, expected, fresh_load, options, small_emulator


@pytest.fixture
def emu():
    with small_emulator() as emulator:
        yield emulator


def test_exported_lazily_from_the_package_root():
    assert ia.InvoiceStore is InvoiceStore and ia.RefreshResult is RefreshResult
    assert "InvoiceStore" in ia.__all__ and "RefreshResult" in ia.__all__


def test_current_equals_a_fresh_full_load_after_full_and_incremental_refreshes(emu, tmp_path):
    store = InvoiceStore(tmp_path / "store")
    first = store.refresh(**options(emu), observed_at=at(0))
    assert first.mode == "full" and first.new == len(expected(emu)) and first["faspay"].note == "first refresh"
    assert_same(store.current(), fresh_load(emu))
    assert store.current().attrs["source"] == fresh_load(emu).attrs.get("source", "faspay, mayar")
    for change in [(0, 1, 0), (1, 2, 0), (8, 3, 0), (12, 0, 1), (5, 4, 2)]:  # pay, partial, pay, new...
        apply(emu, change)
    second = store.refresh(**options(emu), observed_at=at(1))
    assert second.mode == "incremental", second
    assert (second.new, second.changed, second.gone) == (2, 3, 0)
    assert_same(store.current(), fresh_load(emu))


def test_refresh_result_reads_in_one_line(emu, tmp_path):
    result = InvoiceStore(tmp_path).refresh(**options(emu), observed_at=at(0))
    text = repr(result)
    assert "\n" not in text and text.startswith("RefreshResult(#1 at 2026-11-22 09:00:00+07:00")
    assert "faspay full (first refresh): 60 new" in text and "mayar full" in text
    assert result.requests == result["faspay"].requests + result["mayar"].requests
    assert result.full_requests == result.requests  # a full refresh costs what a full load costs


def test_as_of_keeps_the_versions_known_then_and_feeds_the_analytics(emu, tmp_path):
    store = InvoiceStore(tmp_path)
    with pytest.raises(NotObservedError, match="empty store"):
        store.as_of("2026-11-22")
    store.refresh(**options(emu), observed_at=at(0))
    before = store.current()
    unpaid = next(r for r in emu.faspay.invoices if r["invoice_status"] == "Unpaid")
    emu.update_faspay_invoice(unpaid["invoice_no"], invoice_status="Paid", outstanding_amount=0)
    store.refresh(**options(emu), observed_at=at(2))
    assert_same(store.as_of(at(0)), before)
    assert_same(store.as_of(at(1)), before)  # between refreshes: what the earlier one saw
    assert_same(store.as_of(at(2)), store.current())
    with pytest.raises(NotObservedError, match=r"first refresh was at 2026-11-22 09:00:00\+07:00") as err:
        store.as_of("2026-11-21")
    assert isinstance(err.value, ValueError)
    # invoices issued after the date are left out
    old = store.as_of(at(0))
    cutoff = pd.Timestamp("2026-06-30 23:59:59", tz="Asia/Jakarta")
    assert (store.as_of(at(0))["issued_at"].dropna() <= at(0)).all()
    assert len(old) == len(before)
    report = ia.aging_report(store.as_of(at(1)), at(1).date(), totals=True)
    total = ("Total", "", "")  # the Total row of a report by customer
    assert report.loc[total, "Total"] == ia.aging_report(before, at(1).date(), totals=True).loc[total, "Total"]
    assert str(old["issued_at"].dtype) == "datetime64[us, Asia/Jakarta]"
    assert pd.Timestamp(old.attrs["as_of"]) == at(0)
    assert cutoff < at(0)


def test_as_of_a_bare_date_is_the_end_of_that_day(emu, tmp_path):
    store = InvoiceStore(tmp_path)
    store.refresh(**options(emu), observed_at="2026-11-22 17:30")
    assert len(store.as_of("2026-11-22")) == len(store.current())
    with pytest.raises(NotObservedError):
        store.as_of("2026-11-22 17:29")


def test_history_has_one_row_per_change_with_valid_to_and_last_seen(emu, tmp_path):
    store = InvoiceStore(tmp_path)
    store.refresh(**options(emu), observed_at=at(0))
    target = next(r for r in emu.mayar.invoices if r["status"] == "active")["id"]
    store.refresh(**options(emu), observed_at=at(1))  # nothing changed: no new row
    emu.update_mayar_invoice(target, status="paid")
    store.refresh(**options(emu), observed_at=at(2))
    store.refresh(**options(emu), observed_at=at(3))
    history = store.history(target)
    assert history[["provider_status", "change"]].values.tolist() == [["active", "new"], ["paid", "changed"]]
    assert history["valid_from"].tolist() == [at(0), at(2)]
    assert history["valid_to"].tolist()[0] == at(2) and pd.isna(history["valid_to"].iloc[1])
    assert history["last_seen"].tolist() == [at(1), at(3)]
    for column in ("valid_from", "valid_to", "last_seen"):
        assert history[column].dtype == DATETIME_DTYPE
    assert len(store.history()) == len(expected(emu)) + 1
    refreshes = store.refreshes()
    assert refreshes.columns[:9].tolist() == ["observed_at", "provider", "mode", "requests", "full_requests",
                                              "new", "changed", "unchanged", "gone"]
    assert len(refreshes) == 8 and refreshes["mode"].tolist()[:2] == ["full", "full"]
    assert refreshes["changed"].tolist()[-4:] == [0, 1, 0, 0]


def test_an_invoice_that_vanished_is_gone_after_a_fallback_with_a_warning(emu, tmp_path):
    store = InvoiceStore(tmp_path)
    store.refresh(**options(emu), observed_at=at(0))
    victim = next(r for r in emu.faspay.invoices if r["invoice_status"] == "Unpaid")["invoice_no"]
    emu.remove_faspay_invoice(victim)
    with pytest.warns(RefreshFallbackWarning, match=r"faspay: .*full reconciliation.*neither Paid nor Cancelled"):
        result = store.refresh(**options(emu), observed_at=at(1))
    assert result["faspay"].mode == "full" and result["faspay"].gone == 1 and result["mayar"].mode == "incremental"
    assert "neither Paid nor Cancelled" in result["faspay"].note
    assert_same(store.current(), fresh_load(emu))
    assert victim not in set(store.current()["invoice_id"])
    assert victim in set(store.as_of(at(0))["invoice_id"])
    assert store.history(victim)["valid_to"].tolist() == [at(1)]


def test_a_deleted_paid_mayar_invoice_needs_a_full_refresh(emu, tmp_path):
    """Mayar lists no totals: an incremental refresh cannot see a paid invoice deleted; full=True can."""
    store = InvoiceStore(tmp_path)
    store.refresh(**options(emu), observed_at=at(0))
    paid = next(r for r in emu.mayar.invoices if r["status"] == "paid")["id"]
    emu.remove_mayar_invoice(paid)
    assert store.refresh(**options(emu), observed_at=at(1))["mayar"].gone == 0
    result = store.refresh(**options(emu), full=True, observed_at=at(2))
    assert result.mode == "full" and result["mayar"].gone == 1 and result["mayar"].note == "full=True"
    assert_same(store.current(), fresh_load(emu))


def test_refresh_arguments(emu, tmp_path, monkeypatch):
    store = InvoiceStore(tmp_path)
    for name in ("FASPAY_USERNAME", "FASPAY_PASSWORD", "FASPAY_SIGNATURE", "MAYAR_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ValueError, match="no provider to refresh"):
        store.refresh()
    with pytest.raises(ValueError, match="unknown provider"):
        store.refresh("stripe")
    with pytest.raises(ValueError, match=r"\['statuses'\] cannot be passed"):
        store.refresh(faspay={**emu.faspay_kwargs, "statuses": [1]})
    result = store.refresh("mayar", **options(emu), observed_at=at(0))  # only the provider named
    assert list(result.providers) == ["mayar"]
    assert store.current()["provider"].unique().tolist() == ["mayar"]
    with pytest.raises(ValueError, match="is not after the last refresh of mayar"):
        store.refresh("mayar", **options(emu), observed_at=at(0))
    result = store.refresh(**options(emu), observed_at=at(0) + pd.Timedelta(seconds=1))
    assert result["faspay"].mode == "full" and result["mayar"].mode == "incremental"
    assert_same(store.current(), fresh_load(emu))


def test_the_layout_is_partitioned_parquet_with_a_versioned_manifest(emu, tmp_path):
    store = InvoiceStore(tmp_path)
    store.refresh(**options(emu), observed_at=at(0))
    apply(emu, (0, 1, 0))
    store.refresh(**options(emu), observed_at=at(1))
    manifest = json.loads((tmp_path / "_manifest.json").read_text())
    assert manifest["format"] == "invoice-analytics-history" and manifest["format_version"] == 2
    assert manifest["generation"] == 2
    assert sorted(p.parent.name for p in tmp_path.glob("provider=*/*.parquet")) == [
        "provider=faspay", "provider=faspay", "provider=mayar"]  # a refresh without change writes no file
    assert not (tmp_path / "_pending").exists()
    manifest["format_version"] = 99
    (tmp_path / "_manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(StoreCorruptError, match=r"format version 99.*upgrade"):
        InvoiceStore(tmp_path).current()


@pytest.mark.parametrize("damage", ["truncate", "flip", "delete"])
def test_a_damaged_file_is_named(emu, tmp_path, damage):
    store = InvoiceStore(tmp_path)
    store.refresh(**options(emu), observed_at=at(0))
    victim = next(tmp_path.glob("provider=mayar/*.parquet"))
    data = victim.read_bytes()
    if damage == "truncate":
        victim.write_bytes(data[: len(data) // 2])
    elif damage == "flip":
        victim.write_bytes(data[:100] + bytes([data[100] ^ 0xFF]) + data[101:])
    else:
        victim.unlink()
    with pytest.raises(StoreCorruptError, match=victim.name):
        InvoiceStore(tmp_path).current()
    (tmp_path / "_manifest.json").write_text('{"format": "invoice-analytics-hist')
    with pytest.raises(StoreCorruptError, match=r"_manifest\.json"):
        InvoiceStore(tmp_path).history()


def test_no_credential_is_written(emu, tmp_path):
    store = InvoiceStore(tmp_path)
    store.refresh(**options(emu), observed_at=at(0))
    apply(emu, (8, 1, 0))
    emu.inject("500", provider="mayar", times=5)  # interrupted: its answers stay under _pending/
    with pytest.raises(ia.ServerError):
        store.refresh(**options(emu), observed_at=at(1))
    assert any((tmp_path / "_pending").rglob("*.json"))
    secrets = [DEMO_MAYAR_API_KEY, DEMO_FASPAY_PASSWORD, faspay_signature("demo", DEMO_FASPAY_PASSWORD)]
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(files) > 5
    for path in files:
        data = path.read_bytes()
        for secret in secrets:
            assert secret.encode() not in data, (path, secret)


def test_a_second_refresh_waits_for_the_lock_then_says_so(emu, tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, time, filelock
        with filelock.FileLock({str(tmp_path / '_refresh.lock')!r}):
            print("locked", flush=True)
            time.sleep(30)
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        store = InvoiceStore(tmp_path, lock_timeout=0.3)
        with pytest.raises(StoreLockedError, match=r"another refresh of .* holds its lock .*_refresh\.lock"):
            store.refresh(**options(emu), observed_at=at(0))
        assert isinstance(StoreLockedError("x"), TimeoutError)
    finally:
        holder.kill()
        holder.wait()
    InvoiceStore(tmp_path, lock_timeout=5).refresh(**options(emu), observed_at=at(0))


def test_dtypes_round_trip_the_whole_sample(tmp_path):
    """The sample accounts (strings for numbers, missing customers, credits, ties) come back exactly."""
    with ia.Emulator(mayar_rate_limit_per_minute=None) as emu:
        store = InvoiceStore(tmp_path)
        store.refresh(faspay=emu.faspay_kwargs, mayar={**emu.mayar_kwargs, "rate_limit_per_minute": None},
                      progress=False, observed_at=at(0))
        assert_same(store.current(), fresh_load(emu))


#: The guide page that gives the DuckDB SQL (its queries are run here as written).
SQL_PAGE = Path(__file__).resolve().parents[2] / "docs" / "guide" / "duckdb-spark.md"
SQL_WHEN = "2026-10-31 23:59:59.999999+07:00"


def readme_sql(name: str, root: Path, when: pd.Timestamp | None = None) -> str:
    """The guide's DuckDB query ``-- name``, on ``root``, at ``when``."""
    text = SQL_PAGE.read_text(encoding="utf-8")
    sql = text.split(f"```sql\n-- {name}\n", 1)[1].split("```", 1)[0]
    sql = sql.replace("'invoice-history/", f"'{root}/")
    return sql if when is None else sql.replace(SQL_WHEN, when.isoformat(sep=" "))


def committed_only(sql: str, root: Path) -> str:
    """The guide's variant reading only committed files."""
    text = SQL_PAGE.read_text(encoding="utf-8")
    clause = text.split("add\n`", 1)[1].split("`", 1)[0].replace("'invoice-history/", f"'{root}/")
    assert clause.startswith("WHERE refresh <=")
    if "WHERE" in sql:
        return sql.replace("WHERE ", clause + " AND ", 1)
    return sql.replace("QUALIFY", clause + "\nQUALIFY", 1)


def query(sql: str) -> pd.DataFrame:
    duckdb = pytest.importorskip("duckdb")  # an optional reader: the bench extra
    return duckdb.sql(sql).to_arrow_table().to_pandas()


def assert_duckdb_equals(got: pd.DataFrame, want: pd.DataFrame) -> None:
    got = got.sort_values(["provider", "invoice_id"]).reset_index(drop=True)
    want = want.sort_values(["provider", "invoice_id"]).reset_index(drop=True)
    assert got["invoice_id"].tolist() == want["invoice_id"].astype(str).tolist()
    assert got["provider"].tolist() == want["provider"].astype(str).tolist()
    for column in ("status", "provider_status", "customer_id", "customer_name"):
        assert got[column].fillna("").tolist() == want[column].astype(object).fillna("").astype(str).tolist()
    for column in ("outstanding", "amount"):
        assert got[column].fillna(-1).astype(int).tolist() == want[column].fillna(-1).tolist()
    for column in ("issued_at", "due_at"):
        assert pd.to_datetime(got[column], utc=True).equals(want[column].dt.tz_convert("UTC"))


def test_duckdb_reads_the_directory_with_the_guide_sql(emu, tmp_path):
    store = InvoiceStore(tmp_path, checkpoint_factor=0)  # the store reads checkpoints, DuckDB the versions
    store.refresh(**options(emu), observed_at=at(0))
    for step, change in enumerate([(0, 1, 0), (8, 2, 0), (12, 5, 1), (13, 0, 0), (7, 9, 0), (6, 3, 3)],
                                  start=1):
        apply(emu, change)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RefreshFallbackWarning)
            store.refresh(**options(emu), observed_at=at(step))
    assert len(store.history()) > len(store.current()) and store.refreshes()["gone"].sum() >= 1
    cases = [(readme_sql("current", tmp_path), store.current())]
    for i in range(7):
        when = at(i) + pd.Timedelta(minutes=30)
        cases.append((readme_sql("as of", tmp_path, when), store.as_of(when)))
    for sql, want in cases:
        assert_duckdb_equals(query(sql), want)
    # a file of a refresh killed before its commit: the plain glob sees it, the committed-only variant not
    generation = json.loads((tmp_path / "_manifest.json").read_text())["generation"]
    table = pq.read_table(next(tmp_path.glob("provider=mayar/*.parquet"))).slice(0, 1)
    victim = table.column("invoice_id")[0].as_py()
    table = table.set_column(table.schema.get_field_index("refresh"), "refresh", pa.array([generation + 1]))
    table = table.set_column(table.schema.get_field_index("provider_status"), "provider_status",
                             pa.array(["uncommitted"]))
    table = table.set_column(table.schema.get_field_index("change"), "change", pa.array(["changed"]))
    table = table.set_column(table.schema.get_field_index("valid_from"), "valid_from",
                             pa.array([at(99)], type=table.schema.field("valid_from").type))
    pq.write_table(table, tmp_path / "provider=mayar" / f"part-{generation + 1:06d}-00000000.parquet")
    plain = query(readme_sql("current", tmp_path))
    assert plain.loc[plain["invoice_id"] == victim, "provider_status"].tolist() == ["uncommitted"]
    assert_duckdb_equals(query(committed_only(readme_sql("current", tmp_path), tmp_path)), store.current())
    assert_duckdb_equals(query(committed_only(readme_sql("as of", tmp_path, at(3)), tmp_path)), store.as_of(at(3)))
    assert_same(InvoiceStore(tmp_path).current(), fresh_load(emu))  # the store reads only the manifest's files


def _refreshed(emu, store: InvoiceStore, steps: int) -> list[pd.Timestamp]:
    store.refresh(**options(emu), observed_at=at(0))
    for step, change in enumerate([(0, 1, 0), (8, 2, 0), (12, 5, 1), (13, 0, 0), (7, 9, 0), (6, 3, 3)][:steps],
                                  start=1):
        apply(emu, change)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RefreshFallbackWarning)
            store.refresh(**options(emu), observed_at=at(step))
    return [at(i) + pd.Timedelta(minutes=m) for i in range(steps + 1) for m in (0, 30)]


def _without_checkpoints(root: Path, copy: Path) -> InvoiceStore:
    shutil.copytree(root, copy)
    manifest = json.loads((copy / "_manifest.json").read_text())
    manifest["checkpoints"] = []
    (copy / "_manifest.json").write_text(json.dumps(manifest))
    shutil.rmtree(copy / "_checkpoints", ignore_errors=True)
    return InvoiceStore(copy)


def test_checkpoints_change_no_answer_and_follow_the_rule(emu, tmp_path):
    store = InvoiceStore(tmp_path / "store", checkpoint_factor=0.001)
    times = _refreshed(emu, store, 6)
    manifest = json.loads((tmp_path / "store" / "_manifest.json").read_text())
    made = [(entry["provider"], entry["refresh"]) for entry in manifest["checkpoints"]]
    # the rule: a checkpoint when the rows appended since the last one exceed factor x the invoices listed
    files = [(e["provider"], e["refresh"], e["rows"]) for e in manifest["files"]]
    for provider in ("faspay", "mayar"):
        listed = {r["refresh"]: r["new"] + r["changed"] + r["unchanged"] for r in manifest["refreshes"]
                  if r["provider"] == provider}
        last, due = 0, []
        for _, refresh, _rows in (f for f in files if f[0] == provider):
            since = sum(n for p, r, n in files if p == provider and last < r <= refresh)
            if since > 0.001 * listed[refresh]:
                due.append(refresh)
                last = refresh
        assert [r for p, r in made if p == provider] == due
    assert len(made) >= 4 and len({r for _, r in made}) >= 3  # several refreshes checkpoint
    assert sorted(p.relative_to(tmp_path / "store").parts[:2] for p in (tmp_path / "store").glob("_checkpoints/*/*"))\
        == sorted(("_checkpoints", f"provider={p}") for p, _ in made)
    plain = _without_checkpoints(tmp_path / "store", tmp_path / "plain")
    assert_same(store.current(), plain.current())
    for when in times:
        assert_same(store.as_of(when), plain.as_of(when))
    pd.testing.assert_frame_equal(store.history(), plain.history())
    # an incremental refresh from a checkpointed state equals one from the versions alone
    apply(emu, (3, 2, 1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RefreshFallbackWarning)
        one = store.refresh(**options(emu), observed_at=at(7))
        two = plain.refresh(**options(emu), observed_at=at(7))
    assert (one.new, one.changed, one.unchanged, one.gone) == (two.new, two.changed, two.unchanged, two.gone)
    assert_same(store.current(), fresh_load(emu))
    assert_same(plain.current(), fresh_load(emu))


def test_a_damaged_checkpoint_never_blocks_and_an_unknown_file_is_left_alone(emu, tmp_path):
    store = InvoiceStore(tmp_path, checkpoint_factor=0)
    _refreshed(emu, store, 1)
    want = store.current()
    victim = sorted(tmp_path.glob("_checkpoints/provider=mayar/*.parquet"))[-1]  # the latest
    orphan = victim.with_name("checkpoint-000099-00000000.parquet")
    orphan.write_bytes(victim.read_bytes())
    data = victim.read_bytes()
    victim.write_bytes(data[: len(data) // 2])
    with pytest.warns(CheckpointWarning, match=victim.name):  # derived: read from the data files instead
        pd.testing.assert_frame_equal(InvoiceStore(tmp_path).current(), want)
    apply(emu, (1, 1, 0))
    with pytest.warns(CheckpointWarning, match=victim.name):
        InvoiceStore(tmp_path, checkpoint_factor=0).refresh(**options(emu), observed_at=at(2))  # rewrites it
    assert not victim.exists() and orphan.exists()  # the store did not write the orphan: it stays
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert_same(InvoiceStore(tmp_path).current(), fresh_load(emu))
    assert [(p.kind, p.derived) for p in store.verify()] == [("orphan", False)]
