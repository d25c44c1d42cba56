"""The display's private helpers (table labels, chart parts, tabs, downloads, outputs), case by case.

These were the helpers' doctests; they live here so that a private helper's docstring says what it is for.
"""

from __future__ import annotations

import datetime as dt

import ipywidgets as W
import matplotlib

matplotlib.use("Agg")

import pandas as pd

from invoice_analytics.analytics.collections import customer_statement
from invoice_analytics.display._chart_parts import (
    BUCKET_COLORS,
    _main_start,
    _new_axes,
    _set_title,
    _short,
    bucket_colors,
    literal,
)
from invoice_analytics.display._downloads import download_name, link_html
from invoice_analytics.display._output import html_bundle, show
from invoice_analytics.display._tabs import CHARTS, draw_chart, render_chart
from invoice_analytics.display._trend_chart import _date_label, _edges, month_label
from invoice_analytics.display.filtering import FilterIndex, fold
from invoice_analytics.display.tables import (
    _heading,
    _is_total,
    _key_parts,
    _label,
    format_kpis_html,
    format_report_text,
    format_statement_table,
)
from invoice_analytics.schema import empty_frame


def test_row_labels_and_headings() -> None:
    assert (_label(("Ani", None, "faspay")), _label((None, "C7", "mayar")), _label(("Total", "", ""))) == (
        "Ani / faspay", "(no name) / C7 / mayar", "Total")
    assert _label((pd.NA, pd.NA, "mayar")) == "(no name) / mayar"
    assert (_key_parts(("Ani", None, "faspay"), 3), _key_parts(("Total", "", ""), 3), _key_parts(None, 1)) == (
        ("Ani", ["–", "faspay"]), ("Total", ["", ""]), ("(no name)", []))
    assert _key_parts((pd.NA, pd.NA, "mayar"), 3) == ("(no name)", ["–", "mayar"])  # no name nor id
    assert [_heading(n) for n in ("customer_name", "due_month", ">90", None)] == ["Customer", "Due month", ">90", ""]


def test_only_a_total_label_is_the_total_row() -> None:
    assert [_is_total(v) for v in (("Total", "", ""), (pd.NA, pd.NA, "mayar"), pd.NA)] == [True, False, False]
    assert not _is_total(("Total", "C9", "faspay"))  # a customer named "Total"


def test_report_text_and_kpi_cards() -> None:
    report = pd.DataFrame({"Total": [5_000, 5_000]}, index=pd.Index(["Ani", "Total"], name="customer_name"))
    assert format_report_text(report) == "customer_name    Total\n          Ani Rp 5.000\n        Total Rp 5.000"
    assert "Rp 350.000" in format_kpis_html({
        "open_amount": 350_000, "open_count": 2, "overdue_amount": 0, "overdue_count": 0, "oldest_label": ">90",
        "oldest_amount": 0, "credit_amount": 0, "credit_count": 0, "net_balance": 350_000, "paid_ratio": None,
        "paid_count": 0, "counted_count": 0})


def test_chart_parts() -> None:
    assert bucket_colors((30,)) == ["#2e7d32", "#fbc02d", "#c62828"]
    assert bucket_colors((30, 60, 90)) == list(BUCKET_COLORS.values())
    assert literal("\ufeffUntung$^$Jaya\u202e") == "Untung\\$^\\$Jaya"  # no math, no controls
    assert _short("PT Sumber Rejeki Abadi Sentosa Makmur Jaya Sejahtera", 20) == "PT Sumber Rejeki Ab…"
    frame = pd.DataFrame()
    frame.attrs["source"] = "demo"
    ax = _new_axes(None, (4, 3))
    _set_title(ax, frame, "Aging")
    assert ax.get_title() == "Aging\nDEMO DATA (embedded sample invoices)"
    w = pd.Series([1, 1, 50, 60], index=pd.PeriodIndex(["2021-01", "2021-02", "2023-01", "2023-02"], freq="M"))
    assert (str(_main_start(w)), _main_start(w.iloc[2:])) == ("2023-01", None)
    assert _edges(["Current", "1-15", "16-30", ">30"]) == (15, 30)
    assert (month_label(dt.date(2026, 8, 31), "id"), month_label(dt.date(2026, 12, 31), "en")) == (
        "Agu 2026", "Dec 2026")
    assert _date_label(20454.0) == "2026-01-01"


def test_tabs_draw_every_chart_of_an_empty_frame() -> None:
    assert render_chart(empty_frame(), "Aging")[:4] == b"\x89PNG"
    assert [draw_chart(empty_frame(), t).axes[0].get_title().split(" (")[0] for t in CHARTS] == [
        "Outstanding by age", "Top 10 overdue customers", "Open outstanding by issue month",
        "Paid share of invoices by issue month"]


def test_downloads_and_outputs() -> None:
    assert download_name("csv", dt.date(2024, 2, 15), demo=True) == "DEMO_aging_report_2024-02-15.csv"
    assert 'download="a.csv"' in link_html("a.csv", "csv", b"x,y\n")
    out = W.Output()
    show(out, html_bundle("<b>hi</b>", "hi"))
    assert out.outputs[0]["data"]["text/plain"] == "hi"


def test_the_customer_search_folds_case_and_accents() -> None:
    assert (fold("İSTANBUL"), fold("ΟΔΟΣ") == fold("οδος"), fold("Straße"), fold("Café \uff2daju")) == (
        "istanbul", True, "strasse", "cafe maju")
    index = FilterIndex.build(pd.DataFrame({
        "provider": ["faspay", "mayar", "mayar"], "status": ["paid", "unpaid", None],
        "customer_name": ["PT Budi", "Ani", "Budiman"], "customer_id": ["C1", "C2", "X9"],
        "issued_at": pd.to_datetime(["2024-01-01", "2024-01-31", "2024-02-01"])}))
    assert index.mask(customer="budi").tolist() == [True, False, True]
    assert index.mask(providers=["mayar"], statuses=[None]).tolist() == [False, False, True]


def test_statement_table_of_a_customer() -> None:
    df = pd.DataFrame({
        "provider": ["faspay"] * 3, "invoice_id": ["I1", "I2", "I3"], "customer_id": ["C1"] * 3,
        "customer_name": ["Ani"] * 3, "status": ["unpaid", "overdue", "unpaid"],
        "issued_at": pd.to_datetime(["2024-01-01"] * 3).tz_localize("Asia/Jakarta"),
        "due_at": pd.to_datetime(["2024-03-01", "2024-01-10", None]).tz_localize("Asia/Jakarta"),
        "outstanding": [200_000, 100_000, -30_000]})
    statement = customer_statement(df, ("faspay", "C1"), "2024-02-15")
    table = format_statement_table(statement)
    assert (table.count("<tr"), "2024-01-10" in table, "Rp 270.000" in table) == (5, True, True)
    assert format_statement_table(statement.iloc[-1:]) == (
        '<div class="ia-statement-table ia-empty"><em>No open invoices or credits.</em></div>')
