"""FilterPanel and the plain functions behind it, driven by setting widget values."""

from __future__ import annotations

import base64
import datetime as dt
import io
import sys

import matplotlib

matplotlib.use("Agg")

import ipywidgets as W
import numpy as np
import pandas as pd
import pytest

from invoice_analytics.analytics.aging import aging_report
from invoice_analytics.display import _panel_exports as panel_exports
from invoice_analytics.display import _panel_views as panel_views
from invoice_analytics.display import charts
from invoice_analytics.display import panel as widgets_module
from invoice_analytics.display._tabs import CHARTS, LAID_OUT_ONCE, draw_chart, render_chart
from invoice_analytics.display.filtering import MISSING_LABEL, filter_invoices
from invoice_analytics.display.kpis import BUCKET_SCHEMES, panel_kpis
from invoice_analytics.display.panel import FilterPanel
from invoice_analytics.display.tables import format_kpis_html, format_report_table, format_report_text
from invoice_analytics.export import excel_ready, write_excel
from invoice_analytics.formatting import format_count, format_rupiah, set_locale
from invoice_analytics.schema import empty_frame
from tests.support.frames import frame

AS_OF = "2024-03-31"
#: The Total row of a report by customer (name, customer id, provider).
TOTAL_ROW = ("Total", "", "")
RUPIAH_FORMAT = '"Rp" #,##0;-"Rp" #,##0'


@pytest.fixture(autouse=True)
def _english_numbers():
    """These tests were written for English number formats; tests/test_locale.py covers Indonesian."""
    set_locale("en")


def make_frame(rows: list[dict]) -> pd.DataFrame:
    """A core-schema frame from dicts (naive datetimes are Jakarta wall time)."""
    return frame(*rows)


def inv(provider, invoice_id, customer_id, name, status, issued, due, amount, outstanding):
    return {
        "provider": provider, "invoice_id": invoice_id, "customer_id": customer_id,
        "customer_name": name, "status": status, "provider_status": status or "Weird",
        "issued_at": issued, "due_at": due, "amount": amount, "outstanding": outstanding,
        "currency": "IDR",
    }


# Days past due as of 2024-03-31 in the comments (Mayar has no due date: due on issue).
ROWS = [
    inv("faspay", "F1", "C1", "PT Ani Jaya", "unpaid", "2024-03-01", "2024-03-31", None, 1_000_000),  # 0
    inv("faspay", "F2", "C1", "PT Ani Jaya", "overdue", "2024-01-01", "2024-01-31", None, 2_500_000),  # 60
    inv("faspay", "F3", "C2", "CV Budi Makmur", "overdue", "2023-11-01", "2023-12-01", None, 4_000_000),  # 121
    inv("faspay", "F4", "C2", "CV Budi Makmur", "paid", "2024-02-01", "2024-02-29", None, -150_000),  # credit
    inv("faspay", "F5", "C3", "Citra", "draft", "2024-03-10", "2024-04-10", None, 700_000),  # never aged
    inv("faspay", "F6", "C3", "Citra", "partially_paid", "2024-02-15", "2024-03-15", None, 300_000),  # 16
    inv("faspay", "F7", "C4", "Toko <Gamma>", None, "2024-03-30", "2024-04-30", None, 100_000),  # -30
    inv("mayar", "M1", "m-1", "Ani Wijaya", "unpaid", "2024-03-20 14:00", None, 500_000, 500_000),  # 11
    inv("mayar", "M2", "m-2", "Dedi", "paid", "2024-02-10", None, 800_000, 0),
    inv("mayar", "M3", "m-1", "Ani Wijaya", "cancelled", "2024-01-05", None, 200_000, 0),
    inv("mayar", "M4", "m-3", "Eka", "unpaid", "2024-03-31 09:00", None, 250_000, 250_000),  # 0
]


@pytest.fixture
def invoices() -> pd.DataFrame:
    return make_frame(ROWS)


@pytest.fixture
def panel(invoices) -> FilterPanel:
    return FilterPanel(invoices, as_of=AS_OF, dpi=40)  # a low resolution draws the charts faster


def ids(frame: pd.DataFrame) -> list[str]:
    return sorted(frame["invoice_id"].tolist())


def png_of(shown) -> bytes:
    """The PNG a chart tab shows: its Image widget, or the tab's box around it."""
    image = shown.children[0] if isinstance(shown, W.Box) else shown
    assert isinstance(image, W.Image) and image.layout.display != "none" and image.value, "no chart shown"
    return bytes(image.value)


def shown_count(image) -> int:
    """1 when the chart ``image`` shows a drawing, else 0."""
    return int(image.layout.display != "none" and len(image.value) > 0)


def html_of(output) -> str:
    (item,) = output.outputs
    return item["data"]["text/html"]


# --------------------------------------------------------------------------- plain functions


def test_filter_invoices_each_filter(invoices):
    assert ids(filter_invoices(invoices)) == ids(invoices)
    assert ids(filter_invoices(invoices, providers=["mayar"])) == ["M1", "M2", "M3", "M4"]
    assert ids(filter_invoices(invoices, providers=[])) == []
    assert ids(filter_invoices(invoices, statuses=["overdue"])) == ["F2", "F3"]
    assert ids(filter_invoices(invoices, statuses=[MISSING_LABEL])) == ["F7"]
    assert ids(filter_invoices(invoices, statuses=["paid", None])) == ["F4", "F7", "M2"]
    # Case-insensitive substring of the name or the id.
    assert ids(filter_invoices(invoices, customer="  ANI ")) == ["F1", "F2", "M1", "M3"]
    assert ids(filter_invoices(invoices, customer="m-3")) == ["M4"]
    assert ids(filter_invoices(invoices, customer="<gamma>")) == ["F7"]
    # Inclusive Jakarta calendar dates.
    assert ids(filter_invoices(invoices, issued_from="2024-03-20", issued_to=dt.date(2024, 3, 31))) == [
        "F7", "M1", "M4"]
    assert ids(filter_invoices(invoices, issued_to="2023-12-31")) == ["F3"]


def test_filter_invoices_combined_keeps_columns_and_index(invoices):
    extra = invoices.assign(note=[f"n{i}" for i in range(len(invoices))]).set_axis(
        range(100, 100 + len(invoices)))
    out = filter_invoices(extra, providers=("faspay",), statuses=["overdue", "unpaid"], customer="ani")
    assert ids(out) == ["F1", "F2"]
    assert out.index.tolist() == [100, 101]
    assert list(out.columns) == list(extra.columns)
    assert out.dtypes.equals(extra.dtypes)


def test_filter_invoices_issued_filter_drops_undated(invoices):
    frame = invoices.copy()
    frame.loc[0, "issued_at"] = pd.NaT
    assert "F1" in ids(filter_invoices(frame, customer="ani"))
    assert "F1" not in ids(filter_invoices(frame, issued_to="2030-01-01"))


def test_panel_kpis(invoices):
    k = panel_kpis(invoices, AS_OF)
    assert k == {
        "invoices": 11,
        "open_count": 7, "open_amount": 8_650_000,
        "overdue_count": 4, "overdue_amount": 7_300_000,
        "oldest_label": ">90", "oldest_amount": 4_000_000,
        "credit_count": 1, "credit_amount": -150_000,
        "net_balance": 8_500_000,
        "counted_count": 9, "paid_count": 2, "paid_ratio": pytest.approx(2 / 9),
    }
    assert all(type(v) is int for key, v in k.items() if key.endswith(("_count", "_amount")))
    k = panel_kpis(invoices, "2024-04-30", edges=(15, 30, 45, 60))
    assert (k["overdue_count"], k["overdue_amount"]) == (6, 8_550_000)
    assert (k["oldest_label"], k["oldest_amount"]) == (">60", 6_500_000)


def test_panel_kpis_empty():
    k = panel_kpis(empty_frame(), AS_OF)
    assert k["open_amount"] == k["credit_count"] == k["counted_count"] == 0
    assert k["paid_ratio"] is None
    assert "–" in format_kpis_html(k)


def test_format_report_table(invoices):
    report = aging_report(invoices, AS_OF, totals=True)
    table = format_report_table(report)
    for text in ("PT Ani Jaya", "CV Budi Makmur", "Rp 3,850,000", "Rp 2,500,000", "-Rp 150,000",
                 "Rp 8,500,000", "&gt;90", "Credit"):
        assert text in table
    assert "Toko &lt;Gamma&gt;" in table and "<Gamma>" not in table
    assert table.count("<tr") == 1 + len(report)
    short = format_report_table(report, max_rows=2)
    assert "… 4 more" in short
    assert short.count("<tr") == 1 + 2 + 1 + 1  # header, 2 rows, "more", Total
    assert short.rindex("Rp 8,500,000") > short.index("… 4 more")  # Total stays last
    assert "No open invoices" in format_report_table(aging_report(empty_frame(), AS_OF, totals=True))


def test_report_table_fit_for_a_narrow_window(invoices):
    report = aging_report(invoices, AS_OF, totals=True)
    table = format_report_table(report, fit=True)
    assert "Rp " not in table.replace("Amounts in rupiah (Rp)", "") and "3,850,000" in table  # full figures
    assert "-150,000" in table and table.index("Amounts in rupiah (Rp)") < table.index("<table")
    assert "font-size:12px" in table and "max-width:10em" in table
    # the customer id and provider on a line under the name, all three whole in the tooltip
    assert 'title="CV Budi Makmur · C2 · faspay"' in table and "Customer<br>" in table
    assert '<span class="ia-key">C2</span> · <span class="ia-key">faspay</span>' in table
    assert table.count("<tr") == format_report_table(report).count("<tr")  # the same rows
    assert table.count("<th ") == len(report) + 1 + len(report.columns)  # a name cell per row, one per column
    assert "Rp 8,500,000" in format_report_table(report)  # the default keeps Rp in each cell


def test_format_report_text(invoices):
    text = format_report_text(aging_report(invoices, AS_OF, totals=True), max_rows=2)
    assert "CV Budi Makmur" in text and "Rp 8,500,000" in text and "… 4 more rows" in text


@pytest.mark.parametrize("title", list(CHARTS))
def test_render_chart(invoices, title):
    png = render_chart(invoices, title, as_of=AS_OF, edges=(15, 30, 45, 60), dpi=50)
    assert png.startswith(b"\x89PNG")
    assert render_chart(empty_frame(), title, as_of=AS_OF).startswith(b"\x89PNG")


def _pixels(png: bytes) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)))


@pytest.mark.parametrize("dpi", [50, 96])
@pytest.mark.parametrize("edges", [(30, 60, 90), (15, 30, 45, 60)])
def test_aging_png_keeps_its_fitted_layout(invoices, dpi, edges):
    """render_chart draws the Aging chart at the PNG's dpi and keeps the layout its labels were fitted with
    (LAID_OUT_ONCE): the texts savefig's own layout shows, in the same places within a pixel."""
    from invoice_analytics.display._chart_parts import FITTED

    def texts(figure):
        return [(t.get_text(), t.get_visible()) for t in figure.findobj(matplotlib.text.Text) if t.get_text()]

    for df in (invoices, invoices[invoices["outstanding"].fillna(0) >= 0], invoices.head(1), empty_frame()):
        slow = draw_chart(df, "Aging", as_of=AS_OF, edges=edges)
        buf = io.BytesIO()
        slow.savefig(buf, format="png", dpi=dpi)  # laid out again, at savefig's dpi
        with matplotlib.rc_context({"figure.dpi": dpi}):
            fast = draw_chart(df, "Aging", as_of=AS_OF, edges=edges)
        assert (fast in FITTED) == (len(df) > 0) and texts(fast) == texts(slow)
        a, b = _pixels(render_chart(df, "Aging", as_of=AS_OF, edges=edges, dpi=dpi)), _pixels(buf.getvalue())
        assert a.shape == b.shape
        assert (a != b).any(axis=-1).mean() < 0.005  # a pixel's shift here and there, at most


#: Tab title -> the chart it must draw, written out here (not read from CHARTS): how to draw it
#: directly with :mod:`charts`, and the start of its axes title.
TAB_CHARTS = {
    "Aging": (lambda df, as_of, edges: charts.plot_aging(df, as_of, edges=edges), "Outstanding by age ("),
    "Top past due": (lambda df, as_of, edges: charts.plot_top_overdue(df, as_of, edges=edges),
                    "Top 10 overdue customers ("),
    "Open by month": (lambda df, as_of, edges: charts.plot_outstanding_by_month(df, as_of),
                      "Open outstanding by issue month ("),
    "Paid ratio": (lambda df, as_of, edges: charts.plot_paid_ratio_by_month(df),
                   "Paid share of invoices by issue month"),
}


def direct_png(title: str, df: pd.DataFrame, as_of, edges, dpi: int) -> bytes:
    """The PNG of the chart tab ``title`` must show, drawn straight from :mod:`charts`."""
    buf = io.BytesIO()
    TAB_CHARTS[title][0](df, as_of, edges).figure.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


@pytest.mark.parametrize("title", TAB_CHARTS)
def test_each_tab_draws_its_own_chart(invoices, title):
    assert set(CHARTS) == set(TAB_CHARTS)  # every tab is checked here
    ax = draw_chart(invoices, title, as_of=AS_OF).axes[0]
    assert ax.get_title().startswith(TAB_CHARTS[title][1])


def test_panel_tabs_show_the_chart_their_title_names(invoices):
    # not the default edges, so that the edges reach the charts that use them; a low dpi draws fast
    panel = FilterPanel(invoices, as_of=AS_OF, scheme="15/30/45/60", dpi=30)
    titles = panel.chart_tabs.titles
    assert titles[-2:] == ("Statement", "Changes")  # after the charts
    assert set(titles[:-2]) == set(TAB_CHARTS)
    for index, title in enumerate(titles[:-2]):
        panel.chart_tabs.selected_index = index
        shown = png_of(panel.chart_tabs.children[index])
        direct = direct_png(title, invoices, dt.date(2024, 3, 31), (15, 30, 45, 60), dpi=30)
        if title in LAID_OUT_ONCE:  # its fitted layout kept: within a pixel of savefig's own
            a, b = _pixels(shown), _pixels(direct)
            assert a.shape == b.shape and (a != b).any(axis=-1).mean() < 0.005, title
        else:
            assert shown == direct, title


def test_excel_ready(invoices):
    frame = invoices.assign(period=pd.Series(pd.period_range("2024-01", periods=11, freq="M")))
    ready = excel_ready(frame, index=False)
    assert ready["issued_at"].dt.tz is None
    assert ready.loc[7, "issued_at"] == pd.Timestamp("2024-03-20 14:00")
    assert ready.loc[0, "period"] == "2024-01"
    assert invoices["issued_at"].dt.tz is not None  # input untouched


def test_write_excel_requires_openpyxl(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    with pytest.raises(ImportError, match=r"pip install 'invoice-analytics\[excel\]'"):
        write_excel({"a": pd.DataFrame({"x": [1]})}, tmp_path / "x.xlsx")


# --------------------------------------------------------------------------- the panel


def test_panel_initial_state(panel, invoices):
    assert panel.provider.options == ("faspay", "mayar")
    assert panel.status.options[-1] == MISSING_LABEL  # F7 has no status
    assert panel.scheme.options == tuple(BUCKET_SCHEMES)
    assert panel.as_of.value == dt.date(2024, 3, 31)
    assert panel.filtered is invoices
    assert panel.kpis == panel_kpis(invoices, AS_OF)
    pd.testing.assert_frame_equal(panel.report, aging_report(invoices, AS_OF, totals=True))
    assert "Rp 8,650,000" in panel.kpi_html.value and "22.2%" in panel.kpi_html.value
    assert "8,500,000" in html_of(panel.table_output)
    assert png_of(panel.chart_outputs["Aging"]).startswith(b"\x89PNG")
    assert "Showing <b>11</b> of 11 invoices" in panel.summary.value


def test_provider_filter_updates_everything(panel, invoices):
    table_before = html_of(panel.table_output)
    chart_before = png_of(panel.chart_outputs["Aging"])
    panel.provider.value = ("mayar",)
    assert ids(panel.filtered) == ["M1", "M2", "M3", "M4"]
    assert list(panel.filtered.columns) == list(invoices.columns)
    assert panel.kpis["open_amount"] == 750_000 and panel.kpis["overdue_amount"] == 500_000
    assert panel.kpis["paid_ratio"] == pytest.approx(1 / 3)
    assert "Rp 750,000" in panel.kpi_html.value and "33.3%" in panel.kpi_html.value
    table = html_of(panel.table_output)
    assert table != table_before
    assert "Ani Wijaya" in table and "PT Ani Jaya" not in table
    assert list(panel.report.index) == [("Ani Wijaya", "m-1", "mayar"), ("Eka", "m-3", "mayar"), TOTAL_ROW]
    assert panel.report.loc[TOTAL_ROW, "Total"] == 750_000
    assert png_of(panel.chart_outputs["Aging"]) != chart_before
    assert shown_count(panel.chart_outputs["Aging"]) == 1
    assert "Showing <b>4</b> of 11" in panel.summary.value


def test_status_search_and_dates(panel):
    panel.status.value = ("overdue", "unpaid", MISSING_LABEL)
    assert ids(panel.filtered) == ["F1", "F2", "F3", "F7", "M1", "M4"]
    panel.customer.value = "ANI"
    assert ids(panel.filtered) == ["F1", "F2", "M1"]
    assert panel.kpis["open_amount"] == 4_000_000
    panel.customer.value = ""
    panel.issued_from.value = dt.date(2024, 3, 1)
    assert ids(panel.filtered) == ["F1", "F7", "M1", "M4"]
    panel.issued_to.value = dt.date(2024, 3, 20)
    assert ids(panel.filtered) == ["F1", "M1"]
    assert "1,500,000" in html_of(panel.table_output)
    panel.issued_from.value = panel.issued_to.value = None
    panel.status.value = panel.status.options
    assert len(panel.filtered) == 11


def test_nothing_selected_shows_nothing(panel):
    panel.provider.value = ()
    assert len(panel.filtered) == 0
    assert panel.kpis["open_amount"] == 0 and panel.kpis["paid_ratio"] is None
    assert "No open invoices" in html_of(panel.table_output)
    assert png_of(panel.chart_outputs["Aging"]).startswith(b"\x89PNG")


def test_as_of_and_scheme(panel):
    chart_before = png_of(panel.chart_outputs["Aging"])
    panel.as_of.value = dt.date(2024, 4, 30)
    assert panel.kpis["overdue_amount"] == 8_550_000
    assert png_of(panel.chart_outputs["Aging"]) != chart_before
    panel.scheme.value = "30/60/90/120"
    assert panel.edges == (30, 60, 90, 120)
    assert list(panel.report.columns) == ["Current", "1-30", "31-60", "61-90", "91-120", ">120", "Credit", "Total"]
    assert panel.report.loc[("CV Budi Makmur", "C2", "faspay"), ">120"] == 4_000_000  # 151 days
    assert "&gt;120" in html_of(panel.table_output)
    panel.scheme.value = "15/30/45/60"
    assert panel.kpis["oldest_label"] == ">60"
    assert "&gt;60 days" in panel.kpi_html.value
    panel.as_of.value = None  # cleared: today
    assert panel.as_of_date == widgets_module.jakarta_today()


def test_other_charts_drawn_when_their_tab_opens(panel):
    assert panel.chart_tabs.titles == (*CHARTS, "Statement", "Changes")
    assert [shown_count(o) for o in panel.chart_outputs.values()] == [1, 0, 0, 0]
    panel.chart_tabs.selected_index = 3
    first = png_of(panel.chart_outputs["Paid ratio"])
    panel.scheme.value = "15/30/45/60"  # the paid ratio does not depend on buckets: cached
    assert panel.chart_png("Paid ratio") == first
    panel.provider.value = ("faspay",)
    assert png_of(panel.chart_outputs["Paid ratio"]) != first
    pngs = panel.draw_all_charts()
    assert set(pngs) == set(CHARTS) and all(p.startswith(b"\x89PNG") for p in pngs.values())
    assert all(shown_count(o) == 1 for o in panel.chart_outputs.values())


def test_charts_are_cached_by_settings(panel, monkeypatch):
    drawn = []
    real = panel_views.render_chart
    monkeypatch.setattr(panel_views, "render_chart", lambda df, t, **k: drawn.append(t) or real(df, t, **k))
    first = png_of(panel.chart_outputs["Aging"])
    panel.provider.value = ("mayar",)
    assert drawn == ["Aging"]
    panel.provider.value = ("faspay", "mayar")  # back to the first settings: from the cache
    assert drawn == ["Aging"] and png_of(panel.chart_outputs["Aging"]) == first
    panel.clear_cache()
    panel.provider.value = ("mayar",)
    assert drawn == ["Aging", "Aging"]


def test_prerender_draws_the_tabs_not_open_into_the_cache(invoices, monkeypatch):
    drawn = []
    real = panel_views.render_chart
    monkeypatch.setattr(panel_views, "render_chart", lambda df, t, **k: drawn.append(t) or real(df, t, **k))
    panel = FilterPanel(invoices, as_of=AS_OF, dpi=40, prerender=True)
    assert drawn == list(CHARTS)  # the open tab's chart, then the others
    assert [shown_count(o) for o in panel.chart_outputs.values()] == [1, 0, 0, 0]  # only the open one is shown
    panel.chart_tabs.selected_index = 2
    assert drawn == list(CHARTS)  # opening a tab shows its kept chart: nothing is drawn
    assert png_of(panel.chart_outputs["Open by month"]) == panel.draw_all_charts()["Open by month"]
    panel.provider.value = ("faspay",)
    assert drawn[4:] == ["Open by month", "Aging", "Top past due", "Paid ratio"]  # the open tab first
    assert not FilterPanel(invoices, as_of=AS_OF, dpi=40)._prerender  # outside a kernel: off by default


def test_hold_batches_changes(panel, monkeypatch):
    calls = []
    real = widgets_module.aging_report
    monkeypatch.setattr(widgets_module, "aging_report", lambda *a, **k: calls.append(1) or real(*a, **k))
    with panel.hold():
        panel.provider.value = ("faspay",)
        panel.status.value = ("overdue",)
        panel.scheme.value = "30/60/90/120"
        assert calls == []
    assert calls == [1]
    assert ids(panel.filtered) == ["F2", "F3"]
    assert list(panel.report.columns)[-3] == ">120"


def test_exports_read_back(panel, tmp_path):
    panel.provider.value = ("faspay",)
    panel.scheme.value = "15/30/45/60"
    csv_path = panel.export_csv(tmp_path / "out" / "report.csv")
    back = pd.read_csv(csv_path, index_col=[0, 1, 2], keep_default_na=False)  # the Total row's id is blank
    assert back.index.names == ["customer_name", "customer_id", "provider"]
    assert back.index.tolist() == panel.report.index.tolist()
    assert (back.to_numpy() == panel.report.to_numpy()).all()
    assert back.dtypes.map(lambda d: d.kind).eq("i").all()  # integers, not formatted text
    inv_path = panel.export_csv(tmp_path / "invoices.csv", what="invoices")
    assert pd.read_csv(inv_path)["invoice_id"].tolist() == panel.filtered["invoice_id"].tolist()
    with pytest.raises(ValueError):
        panel.export_csv(tmp_path / "x.csv", what="charts")

    xlsx = panel.export_excel(tmp_path / "panel.xlsx")
    import openpyxl

    from invoice_analytics.analytics.aging import overdue_invoices

    book = openpyxl.load_workbook(xlsx)
    assert book.sheetnames == ["Aging report", "Overdue invoices", "KPIs", "Filters"]
    tops = {}
    for sheet in book.worksheets:  # the finance-ready workbook: title block, human headers, header row repeated
        assert sheet["A1"].value == sheet.title and sheet["A2"].value == f"As of: {panel.as_of_date} (Asia/Jakarta)"
        top = int(sheet.print_title_rows.split(":")[0].strip("$"))
        assert sheet.print_title_rows == f"${top}:${top}" and sheet.page_setup.orientation == "landscape"
        tops[sheet.title] = top
    sheets = {name: pd.read_excel(xlsx, sheet_name=name, header=tops[name] - 1) for name in book.sheetnames}
    key = ["Customer", "Customer ID", "Provider"]
    report = sheets["Aging report"].fillna(dict.fromkeys(key, "")).set_index(key)
    assert report.index.tolist() == panel.report.index.tolist()
    assert report.dtypes.map(lambda d: d.kind).eq("i").all()
    assert (report.to_numpy() == panel.report.to_numpy()).all()
    overdue = sheets["Overdue invoices"]
    expected = overdue_invoices(panel.filtered, panel.as_of_date, edges=panel.edges, terms_days=panel.terms_days)
    assert overdue["Invoice"].tolist() == expected["invoice_id"].tolist()
    assert overdue["Outstanding"].tolist() == expected["outstanding"].tolist()
    assert overdue["Issue date"].tolist() == expected["issued_at"].dt.tz_localize(None).dt.normalize().tolist()
    kpis = sheets["KPIs"].set_index("KPI")
    assert kpis.loc["Open", "Amount"] == panel.kpis["open_amount"]
    assert kpis.loc["Credit", "Amount"] == -150_000
    filters = dict(sheets["Filters"].to_numpy())
    assert filters["providers"] == "faspay" and filters["buckets"] == "15/30/45/60"

    sheet = book["Aging report"]
    top = tops["Aging report"]
    assert [c.value for c in sheet[top + 1]][:3] == ["CV Budi Makmur", "C2", "faspay"]
    assert sheet.cell(top + 1, 4).number_format == RUPIAH_FORMAT and isinstance(sheet.cell(top + 1, 4).value, int)
    header = [c.value for c in book["Overdue invoices"][tops["Overdue invoices"]]]
    out_cell = book["Overdue invoices"].cell(row=tops["Overdue invoices"] + 1, column=header.index("Outstanding") + 1)
    assert out_cell.number_format == RUPIAH_FORMAT and isinstance(out_cell.value, int)
    issued = book["Overdue invoices"].cell(row=tops["Overdue invoices"] + 1, column=header.index("Issue date") + 1)
    assert isinstance(issued.value, dt.datetime) and issued.value.tzinfo is None and issued.value.hour == 0
    assert issued.number_format == "yyyy-mm-dd"


def test_export_excel_needs_xlsxwriter(panel, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "xlsxwriter", None)
    with pytest.raises(ImportError, match=r"invoice-analytics\[excel\]"):
        panel.export_excel(tmp_path / "x.xlsx")


def test_display_outside_and_inside_a_notebook(panel):
    text = repr(panel)
    assert text.startswith("FilterPanel: 11 of 11 invoices, as of 2024-03-31, buckets 30/60/90")
    assert "Open Rp 8,650,000 (7)" in text and "CV Budi Makmur" in text
    bundle = panel._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == panel.widget.model_id
    assert bundle["text/plain"] == text
    assert "Rp 8,650,000" in bundle["text/html"] and "<table" in bundle["text/html"]


def test_panel_works_on_a_frame_with_extra_columns_and_no_index(invoices):
    frame = invoices.assign(customer_email="x@example.com").set_axis(list("abcdefghijk"))
    panel = FilterPanel(frame, as_of=AS_OF, scheme="15/30/45/60", max_rows=1)
    panel.customer.value = "budi"
    assert panel.filtered.index.tolist() == ["c", "d"]
    assert "customer_email" in panel.filtered.columns
    assert "… " not in html_of(panel.table_output)  # one customer: nothing hidden
    panel.customer.value = ""
    assert "more (export for the full table)" in html_of(panel.table_output)


def test_panel_rejects_bad_input(invoices):
    with pytest.raises(ValueError, match="scheme"):
        FilterPanel(invoices, scheme="7/14")
    with pytest.raises(KeyError, match="outstanding"):
        FilterPanel(invoices.drop(columns="outstanding"))


def test_panel_on_a_large_frame_is_consistent():
    rng = np.random.default_rng(1)
    n = 5_000
    rows = [
        inv("faspay" if i % 3 else "mayar", f"I{i}", f"C{i % 97}", f"Customer {i % 97}",
            ["unpaid", "paid", "overdue", "cancelled"][i % 4],
            f"2024-0{1 + i % 3}-1{i % 9}", None if i % 3 == 0 else f"2024-0{2 + i % 3}-01",
            None, int(rng.integers(-1_000, 5_000_000)))
        for i in range(n)
    ]
    frame = make_frame(rows)
    panel = FilterPanel(frame, as_of=AS_OF)
    panel.customer.value = "customer 1"
    expected = filter_invoices(frame, customer="customer 1")
    pd.testing.assert_frame_equal(panel.filtered, expected)
    pd.testing.assert_frame_equal(panel.report, aging_report(expected, AS_OF, totals=True))
    assert panel.kpis == panel_kpis(expected, AS_OF, edges=(30, 60, 90))


def test_filter_errors_name_the_parameter_and_the_columns(invoices):
    with pytest.raises(ValueError, match="issued_to must be a date"):
        filter_invoices(invoices, issued_to="soon")
    with pytest.raises(KeyError, match=r"\['status'\]"):
        filter_invoices(invoices.drop(columns="status"))


class DatedFrames:
    """A minimal history store: the frame known from each date on (what ``InvoiceStore`` answers)."""

    def __init__(self, frames: dict[dt.date, pd.DataFrame]) -> None:
        self.frames = dict(sorted(frames.items()))

    def as_of(self, when: object) -> pd.DataFrame:
        day = pd.Timestamp(when).date()
        known = [d for d in self.frames if d <= day]
        frame = self.frames[known[-1]].copy()
        frame.attrs["as_of"] = day  # balances as known on that day: no PastAsOfWarning
        return frame

    def history(self) -> pd.DataFrame:
        return pd.concat(list(self.frames.values()))

    def refreshes(self) -> pd.DataFrame:
        days = list(self.frames)
        return pd.DataFrame({"observed_at": [pd.Timestamp(d).tz_localize("Asia/Jakarta") for d in days],
                             "provider": ["faspay"] * len(days)})


def test_panel_over_a_store_shows_the_figures_known_at_each_date():
    import warnings

    first = frame({"customer_name": "Ani", "due_at": "2024-01-31", "outstanding": 100},
                  {"customer_name": "Budi", "due_at": "2024-02-10", "outstanding": 300})
    later = frame({"customer_name": "Ani", "due_at": "2024-01-31", "outstanding": 0, "status": "paid"},
                  {"customer_name": "Budi", "due_at": "2024-02-10", "outstanding": 300},
                  {"customer_name": "Citra", "issued_at": "2024-03-02", "due_at": "2024-04-01", "outstanding": 50})
    store = DatedFrames({dt.date(2024, 2, 15): first, dt.date(2024, 3, 15): later})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a store's frames never warn that balances are today's
        panel = FilterPanel(store, dpi=30)
        assert panel.as_of.value == dt.date(2024, 3, 15)  # the store's last date
        assert (panel.as_of.min, panel.as_of.max) == (dt.date(2024, 2, 15), dt.date(2024, 3, 15))
        assert panel.kpis["open_amount"] == 350 and panel.kpis["invoices"] == 3
        panel.as_of.value = dt.date(2024, 2, 20)  # back in time: Ani still owed, Citra not issued yet
        assert panel.kpis["open_amount"] == 400 and panel.kpis["invoices"] == 2
        assert panel.report.loc[TOTAL_ROW, "Total"] == 400
        panel.customer.value = "budi"
        panel.as_of.value = dt.date(2024, 3, 20)
        assert panel.kpis["open_amount"] == 300 and len(panel.filtered) == 1  # the filter holds across dates


# --------------------------------------------------------------------------- header, terms, buttons, statement


def widget_texts(widget) -> str:
    """The descriptions, placeholders and HTML of a widget tree, as one text."""
    parts = [str(getattr(widget, name, "") or "") for name in ("description", "placeholder", "value")
             if isinstance(getattr(widget, name, None), str)]
    for child in getattr(widget, "children", ()):
        parts.append(widget_texts(child))
    return "\n".join(parts)


def data_of(link_html: str) -> tuple[str, bytes]:
    """The file name and the bytes of the download link the panel offers."""
    name = link_html.split('download="', 1)[1].split('"', 1)[0]
    href = link_html.split('href="', 1)[1].split('"', 1)[0]
    return name, base64.b64decode(href.split(";base64,", 1)[1])


def test_demo_data_is_named_in_the_header_the_summary_and_the_file_names(invoices):
    plain = FilterPanel(invoices, as_of=AS_OF, dpi=30)
    assert "DEMO DATA" not in plain.header.value and not plain.is_demo
    assert plain.download_name("excel") == "aging_2024-03-31.xlsx"
    demo = invoices.copy()
    demo.attrs["source"] = "demo"
    panel = FilterPanel(demo, as_of=AS_OF, dpi=30)
    assert panel.is_demo and "DEMO DATA" in panel.header.value and "ia-demo-badge" in panel.header.value
    assert repr(panel).startswith("DEMO DATA")
    assert panel.download_name("csv") == "DEMO_aging_report_2024-03-31.csv"
    assert "DEMO DATA" in panel._repr_html_()
    live = invoices.copy()
    live.attrs["source"] = "faspay, mayar"
    assert "source: faspay, mayar" in FilterPanel(live, as_of=AS_OF, dpi=30).header.value


def test_status_is_the_providers_and_past_due_is_computed(panel):
    texts = widget_texts(panel.widget)
    assert "Provider status" in texts
    assert "overdue" in panel.status.options  # the provider's own flag, one of its values
    assert "Past due" in panel.kpi_html.value and "Overdue" not in panel.kpi_html.value
    assert "Top past due" in panel.chart_tabs.titles
    assert "Past due Rp 7,300,000 (4)" in repr(panel)
    assert panel.kpi_frame()["kpi"].str.startswith("Past due").sum() == 2


def test_terms_control_ages_invoices_without_a_due_date(panel, invoices):
    assert set(panel.terms) == {"faspay", "mayar"} and panel.terms_days == 0
    chart = png_of(panel.chart_outputs["Aging"])
    panel.terms["mayar"].value = 14  # M1, issued 03-20, is due 04-03: no longer past due
    terms = {"faspay": 0, "mayar": 14}
    assert panel.terms_days == terms
    assert panel.kpis == panel_kpis(invoices, AS_OF, terms_days=terms)
    assert panel.kpis["overdue_amount"] == 7_300_000 - 500_000
    pd.testing.assert_frame_equal(panel.report, aging_report(invoices, AS_OF, terms_days=terms, totals=True))
    assert png_of(panel.chart_outputs["Aging"]) != chart
    assert "terms faspay 0, mayar 14 days" in panel.summary.value
    settings = dict(panel._settings_frame().to_numpy())
    assert settings["terms where no due date"] == "faspay 0, mayar 14 days"
    panel.terms["faspay"].value = 14  # the same for all: one number
    assert panel.terms_days == 14
    same = FilterPanel(invoices, as_of=AS_OF, terms_days={"mayar": 14}, dpi=30)
    assert same.terms_days == terms and same.kpis == panel_kpis(invoices, AS_OF, terms_days=terms)
    assert FilterPanel(invoices, as_of=AS_OF, terms_days=7, dpi=30).terms["faspay"].value == 7


@pytest.mark.parametrize("terms", [-1, 1.5, "terms", {"mayar": -2}, 40_000])
def test_terms_rejected(invoices, terms):
    with pytest.raises(ValueError, match="terms"):
        FilterPanel(invoices, as_of=AS_OF, terms_days=terms)


def test_all_providers_button(panel, invoices):
    panel.provider.value = ("mayar",)
    assert len(panel.filtered) == 4
    panel.all_providers_button.click()
    assert panel.provider.value == panel.provider.options
    assert panel.filtered is invoices


def test_reset_button_restores_every_control_in_one_update(panel, invoices, monkeypatch):
    first = {"kpis": panel.kpis, "report": panel.report, "table": html_of(panel.table_output)}
    defaults = {name: getattr(panel, name).value
                for name in ("provider", "status", "customer", "issued_from", "issued_to", "as_of", "scheme")}
    with panel.hold():
        panel.provider.value = ("faspay",)
        panel.status.value = ("overdue",)
        panel.customer.value = "budi"
        panel.issued_from.value = dt.date(2023, 1, 1)
        panel.issued_to.value = dt.date(2024, 2, 1)
        panel.as_of.value = dt.date(2024, 4, 30)
        panel.scheme.value = "15/30/45/60"
        panel.terms["mayar"].value = 30
    panel.statement_customer.value = ("faspay", "C2")
    panel.csv_button.click()
    assert len(panel.filtered) == 1 and panel.statement is not None and panel.download.value
    calls = []
    real = widgets_module.aging_report
    monkeypatch.setattr(widgets_module, "aging_report", lambda *a, **k: calls.append(1) or real(*a, **k))
    panel.clear_cache()  # the figures of settings seen lately are kept: count one computation
    panel.reset_button.click()
    assert calls == [1]  # one update
    assert {name: getattr(panel, name).value for name in defaults} == defaults
    assert panel.terms_days == 0 and panel.statement_customer.value == () and panel.statement is None
    assert panel.chart_tabs.selected_index == 0 and panel.download.value == ""
    assert panel.filtered is invoices and panel.kpis == first["kpis"]
    pd.testing.assert_frame_equal(panel.report, first["report"])
    assert html_of(panel.table_output) == first["table"]


def test_export_buttons_offer_the_files_as_downloads(panel, tmp_path):
    import openpyxl

    panel.provider.value = ("faspay",)
    panel.excel_button.click()
    assert 'class="ia-download-link"' in panel.download.value
    xlsx_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert f'href="data:{xlsx_type};base64,' in panel.download.value
    name, data = data_of(panel.download.value)
    assert name == "aging_2024-03-31.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Aging report", "Overdue invoices", "KPIs", "Filters"]
    top = int(book["Aging report"].print_title_rows.split(":")[0].strip("$"))
    assert [c.value for c in book["Aging report"]["A"]][top:] == [k[0] for k in panel.report.index]
    written = openpyxl.load_workbook(panel.export_excel(tmp_path / "same.xlsx"))
    for sheet in book.sheetnames:  # the same workbook as export_excel writes
        assert [[c.value for c in r] for r in book[sheet].iter_rows()] == \
               [[c.value for c in r] for r in written[sheet].iter_rows()]

    panel.csv_button.click()
    name, data = data_of(panel.download.value)
    assert name == "aging_report_2024-03-31.csv" and 'href="data:text/csv;charset=utf-8;base64,' in panel.download.value
    assert data == panel.export_csv(tmp_path / "same.csv").read_bytes()
    assert data.decode().splitlines()[-1].startswith("Total,")

    panel.scheme.value = "15/30/45/60"  # any change: the offered file no longer matches, so it goes
    assert panel.download.value == ""
    with pytest.raises(ValueError, match="kind"):
        panel.offer_download("pdf")


def test_export_button_says_why_a_file_is_not_offered(panel, monkeypatch):
    monkeypatch.setattr(panel_exports, "DOWNLOAD_LIMIT", 10)
    assert panel.offer_download("csv") is None
    assert "too large" in panel.download.value and 'panel.export_csv(&quot;out/' in panel.download.value
    monkeypatch.setitem(sys.modules, "xlsxwriter", None)
    panel.excel_button.click()
    assert "ia-download-error" in panel.download.value and "invoice-analytics[excel]" in panel.download.value
    assert "<a " not in panel.download.value


def test_choosing_a_customer_opens_their_statement(panel, invoices):
    from invoice_analytics.analytics.collections import customer_statement

    options = dict((value, label) for label, value in panel.statement_customer.options)
    assert options[()] == "(choose a customer)" and panel.statement_customer.value == ()
    assert options[("faspay", "C1")] == "PT Ani Jaya · faspay C1"
    assert options[("mayar", "m-1")] == "Ani Wijaya · mayar m-1"
    assert panel.statement is None and "Choose a customer" in html_of(panel.statement_output)

    panel.provider.value = ("mayar",)  # the statement is the customer's whole account, whatever the filters
    panel.statement_customer.value = ("faspay", "C1")
    assert panel.chart_tabs.selected_index == len(CHARTS)  # the Statement tab opens
    pd.testing.assert_frame_equal(panel.statement, customer_statement(invoices, ("faspay", "C1"), AS_OF))
    assert panel.statement["invoice_id"].tolist() == ["F2", "F1", "Total"]
    shown = html_of(panel.statement_output)
    assert "Statement of <b>PT Ani Jaya</b> (faspay C1) as of 2024-03-31" in shown
    assert "Rp 3,500,000" in shown and "2024-01-31" in shown and "Provider status" in shown

    panel.as_of.value = dt.date(2024, 4, 30)  # the statement follows the date, the buckets and the terms
    panel.scheme.value = "15/30/45/60"
    assert panel.statement["bucket"].tolist()[:2] == [">60", "16-30"]
    panel.statement_customer.value = ("mayar", "m-1")
    panel.terms["mayar"].value = 30
    expected = customer_statement(invoices, ("mayar", "m-1"), "2024-04-30", terms_days={"faspay": 0, "mayar": 30},
                                  edges=(15, 30, 45, 60))
    pd.testing.assert_frame_equal(panel.statement, expected)

    book = panel.export_bytes("excel")  # the workbook holds the statement shown
    import openpyxl

    sheets = openpyxl.load_workbook(io.BytesIO(book))
    assert sheets.sheetnames[-1] == "Statement"
    assert dict((r[0].value, r[1].value) for r in sheets["Filters"].iter_rows(min_row=2))["statement of"] == \
        "Ani Wijaya (mayar m-1)"

    assert panel.show_statement("faspay", "C2") is panel.statement
    assert panel.statement_customer.value == ("faspay", "C2")
    with pytest.raises(KeyError, match="no customer"):
        panel.show_statement("faspay", "nobody")
    panel.statement_customer.value = ()
    assert panel.statement is None and "Choose a customer" in html_of(panel.statement_output)


def test_report_table_top_past_due_chart_and_statement_list_share_the_customer_key():
    # "Ani" is two faspay customers (C1, C2) and one Mayar customer; C2 was renamed from "Ani Lama"
    shared = make_frame([
        inv("faspay", "F1", "C1", "Ani", "overdue", "2024-01-01", "2024-01-31", None, 300_000),  # 60 days
        inv("faspay", "F2", "C2", "Ani Lama", "overdue", "2024-01-15", "2024-02-14", None, 200_000),  # 46
        inv("faspay", "F3", "C2", "Ani", "unpaid", "2024-02-20", "2024-03-01", None, 50_000),  # 30
        inv("mayar", "M1", "m-9", "Ani", "unpaid", "2024-03-01", None, 120_000, 120_000),  # 30
        inv("faspay", "F4", "C3", "Budi", "overdue", "2024-02-01", "2024-03-02", None, 400_000),  # 29
    ])
    panel = FilterPanel(shared, as_of=AS_OF, dpi=30)
    customers = [("Budi", "C3", "faspay"), ("Ani", "C1", "faspay"), ("Ani", "C2", "faspay"), ("Ani", "m-9", "mayar")]
    amounts = [400_000, 300_000, 250_000, 120_000]

    # the report table (and its exports): one row per customer, the name shown with the id and provider
    assert panel.report.index.names == ["customer_name", "customer_id", "provider"]
    assert panel.report.index[:-1].tolist() == customers and panel.report.index[-1] == TOTAL_ROW
    assert panel.report["Total"].iloc[:-1].tolist() == amounts
    assert format_report_text(panel.report).splitlines()[1].split()[:3] == ["Budi", "C3", "faspay"]
    table = html_of(panel.table_output)
    assert table.count('<th class="ia-name"') == len(customers) + 2  # heading, customers, Total
    assert ">Customer id · Provider</span></th>" in table  # under the name: its id and provider
    assert panel.export_bytes("csv").decode().splitlines()[3] == "Ani,C2,faspay,0,50000,200000,0,0,0,250000"
    by_name = aging_report(shared, AS_OF, by="customer_name", totals=True)  # the name alone merges and splits customers
    assert by_name["Total"].to_dict() == {"Ani": 470_000, "Budi": 400_000, "Ani Lama": 200_000, "Total": 1_070_000}

    # the "Top past due" tab: the same customers, amounts and order (every invoice here is past due)
    ax = draw_chart(panel.filtered, "Top past due", as_of=panel.as_of_date, edges=panel.edges,
                    terms_days=panel.terms_days).axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["Budi", "Ani (faspay) C1", "Ani (faspay) C2", "Ani (mayar)"]
    assert [int(bar.get_width()) for bar in ax.patches[:len(labels)]] == amounts

    # the Statement list: the same customers, keyed by (provider, customer id), named as in the table
    options = {value: label for label, value in panel.statement_customer.options if value}
    assert sorted(options) == sorted((p, c) for _, c, p in customers)
    assert {value: label.split(" · ")[0] for value, label in options.items()} == {
        (p, c): name for name, c, p in customers}  # C2 is "Ani" (its latest name) everywhere
    for name, customer_id, provider in customers:
        statement = panel.show_statement(provider, customer_id)
        assert statement is not None
        row = panel.report.loc[(name, customer_id, provider)]
        assert int(statement["outstanding"].iloc[-1]) == row["Total"]


def test_report_by_customer_shows_customers_without_an_id_or_a_name():
    from invoice_analytics.display.tables import style_report

    df = make_frame([
        inv("faspay", "F1", None, "Ani", "overdue", "2024-01-01", "2024-01-31", None, 300_000),
        inv("mayar", "M1", None, None, "unpaid", "2024-03-01", None, 120_000, 120_000),
        inv("mayar", "M2", "m-1", "Budi", "unpaid", "2024-03-01", None, 50_000, 50_000),
    ])
    panel = FilterPanel(df, as_of=AS_OF, dpi=30)
    assert panel.report["Total"].tolist() == [300_000, 120_000, 50_000, 470_000]
    keys = [" ".join(line.split("Rp")[0].split()) for line in format_report_text(panel.report).splitlines()]
    assert keys == ["customer_name customer_id provider Current 1-30 31-60 61-90 >90 Credit Total",
                    "Ani – faspay", "(no name) – mayar", "Budi m-1 mayar", "Total"]
    table = html_of(panel.table_output)
    assert 'title="(no name) · – · mayar"' in table and '<span class="ia-key">–</span>' in table
    assert "Rp 470,000" in style_report(panel.report).to_html()  # a missing key part renders
    assert [label for label, _ in panel.statement_customer.options] == ["(choose a customer)", "Budi · mayar m-1"]


def test_search_applies_on_enter_and_says_so(panel):
    assert panel.customer.continuous_update is False  # typing alone changes nothing: Enter (or leaving) applies
    assert "Enter" in panel.customer.placeholder and "Enter" in panel.customer.tooltip


def test_format_statement_table_marks_what_does_not_apply():
    from invoice_analytics.display.tables import format_statement_table

    statement = pd.DataFrame({
        "invoice_id": ["<I1>", "C9", "Total"], "provider": ["mayar", "mayar", None],
        "customer_id": ["m-1"] * 2 + [None], "customer_name": ["Ani"] * 2 + [None],
        "status": ["unpaid", "paid", None],
        "issued_at": pd.to_datetime(["2024-01-05", "2024-01-06", None]),
        "due_date": pd.to_datetime(["2024-01-05", None, None]),
        "days_past_due": pd.array([86, None, None], dtype="Int64"),
        "bucket": pd.Categorical([">60", "Credit", None]), "outstanding": [500_000, -20_000, 480_000],
    })
    table = format_statement_table(statement)
    assert "&lt;I1&gt;" in table and "<I1>" not in table
    # the credit's due date and days; the Total row's provider, status, dates, days and bucket
    assert table.count("–") == 2 + 6
    assert "-Rp 20,000" in table and "Rp 480,000" in table
    with pytest.raises(KeyError, match="bucket"):
        format_statement_table(statement.drop(columns="bucket"))


def test_statement_over_a_store_follows_the_date():
    first = frame({"customer_id": "A", "customer_name": "Ani", "due_at": "2024-01-31", "outstanding": 100})
    later = frame({"customer_id": "A", "customer_name": "Ani", "due_at": "2024-01-31", "outstanding": 100},
                  {"customer_id": "C", "customer_name": "Citra", "issued_at": "2024-03-02", "due_at": "2024-04-01",
                   "outstanding": 50})
    store = DatedFrames({dt.date(2024, 2, 15): first, dt.date(2024, 3, 15): later})
    panel = FilterPanel(store, dpi=30)
    panel.statement_customer.value = ("faspay", "C")
    assert panel.statement is not None and panel.statement["outstanding"].tolist() == [50, 50]
    panel.as_of.value = dt.date(2024, 2, 20)  # Citra was not a customer yet: no longer offered
    assert ("faspay", "C") not in [v for _, v in panel.statement_customer.options]
    assert panel.statement_customer.value == () and panel.statement is None


def test_panel_csv_export_keeps_a_cr_name_on_one_row_and_neutralised(tmp_path):
    import csv

    names = ["Ani\r=cmd|' /C calc'!A0", "\u200b@SUM(1+1)", "\uff1d1+1"]
    df = frame(*({"customer_name": n, "customer_id": f"C{i}", "invoice_id": f"I{i}", "outstanding": 1_000,
                  "status": "unpaid", "issued_at": "2024-01-01", "due_at": "2024-01-31"}
                 for i, n in enumerate(names)))
    panel = FilterPanel(df, as_of="2024-02-15", dpi=40)
    for what in ("report", "invoices"):
        with panel.export_csv(tmp_path / f"{what}.csv", what=what).open(newline="") as handle:
            rows = list(csv.reader(handle))
        shown = sorted(row[rows[0].index("customer_name")] for row in rows[1:] if row[0] != "Total")
        assert shown == sorted([names[0], "'" + names[1], "'" + names[2]])
    assert panel.export_bytes("csv").count(b"\r\n") == len(names) + 2  # header, three rows, Total


@pytest.mark.parametrize(("search", "name"), [
    ("istanbul", "PT İSTANBUL Jaya"), ("İstanbul", "istanbul makmur"), ("οδος", "ΟΔΟΣ 5"), ("ΟΔΟΣ", "οδος"),
    ("STRASSE", "Straße Tiga"), ("straße", "STRASSE"), ("cafe", "Café Ani"), ("CAFÉ", "cafe ani"),
    ("\uff4daju", "PT MAJU"),
])
def test_customer_search_folds_case_and_accents_on_both_sides(search, name):
    df = frame({"customer_name": name, "customer_id": "C1"}, {"customer_name": "Budi", "customer_id": "C2"})
    assert filter_invoices(df, customer=search)["customer_name"].tolist() == [name]


def test_a_note_says_when_mayar_is_aged_with_terms_0(invoices):
    panel = FilterPanel(invoices, as_of="2024-03-31")
    assert "Mayar invoices carry no due date" in panel.kpi_html.value
    panel.terms["mayar"].value = 14  # Mayar's terms box: the note goes
    assert "ia-terms-note" not in panel.kpi_html.value
    panel.terms["mayar"].value = 0
    panel.provider.value = ("faspay",)  # no Mayar invoice shown: no note
    assert "ia-terms-note" not in panel.kpi_html.value


def test_changes_tab_over_a_store(small_demo_store, invoices):
    import invoice_analytics as ia
    from invoice_analytics.display._tabs import CHARTS
    from invoice_analytics.display.panel import CHANGES_TAB

    panel = FilterPanel(small_demo_store, as_of="2026-10-31", dpi=40)
    assert panel.chart_tabs.titles[len(CHARTS) + 1] == CHANGES_TAB  # after the Statement; the Forecast last
    panel.chart_tabs.selected_index = len(CHARTS) + 1
    summary, detail = panel.changes_frames()
    expected = ia.changes(small_demo_store, "2026-09-30", "2026-10-31")
    pd.testing.assert_frame_equal(detail, expected)
    pd.testing.assert_frame_equal(summary, ia.changes_summary(expected))
    shown = panel.changes_output.outputs[-1]["data"]["text/html"]
    assert "from the end of 2026-09-30 to the end of 2026-10-31" in shown
    panel.provider.value = ("mayar",)  # the providers shown
    assert set(panel.changes_frames()[1]["provider"].astype(str)) == {"mayar"}
    over_a_frame = FilterPanel(invoices, as_of=AS_OF, dpi=40)
    assert over_a_frame.changes_frames() is None
    over_a_frame.chart_tabs.selected_index = len(CHARTS) + 1
    assert "needs a history store" in over_a_frame.changes_output.outputs[-1]["data"]["text/plain"]


def test_changes_tab_lists_the_first_invoices_and_says_how_many_more(small_demo_store):
    import datetime as dt

    import invoice_analytics as ia
    from invoice_analytics.display import _changes_tab as changes_tab

    detail = ia.changes(small_demo_store, "2026-09-30", "2026-10-31")
    assert len(detail) > 1
    detail = pd.concat([detail] * (changes_tab.SHOWN // len(detail) + 2), ignore_index=True)  # more than shown
    detail.attrs = {"since": dt.date(2026, 9, 30), "until": dt.date(2026, 10, 31)}
    body, _ = changes_tab.changes_html(ia.changes_summary(detail), detail)
    summary_rows = len(ia.changes_summary(detail)) + 1  # and its header row
    assert body.count("<tr") - summary_rows - 1 == changes_tab.SHOWN
    more = len(detail) - changes_tab.SHOWN
    assert f"{format_count(more)} more: <code>panel.changes_frames()[1]</code>" in body
    # human headers, full rupiah in the number locale, times to the minute
    assert "<th>Outstanding before</th>" in body and "<th>First seen changed</th>" in body
    assert "outstanding_before" not in body and "+07:00" not in body
    total = int(ia.changes_summary(detail).loc["Total", "outstanding_after"])
    assert f"<td>{format_rupiah(total, compact=False)}</td>" in body
    assert "ia.changes(store, &quot;2026-09-30&quot;, &quot;2026-10-31&quot;)" in body
    few = detail.head(3)
    few.attrs = detail.attrs
    assert "more:" not in changes_tab.changes_html(ia.changes_summary(few), few)[0]


def test_the_panel_starts_with_the_settings_terms(invoices, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert FilterPanel(invoices, as_of=AS_OF, dpi=30).terms_days == 0  # no settings: 0, as before
    (tmp_path / "invoice-analytics.toml").write_text("[terms]\nmayar = 14\n")
    panel = FilterPanel(invoices, as_of=AS_OF, dpi=30)
    assert panel.terms_days == {"faspay": 0, "mayar": 14} and panel.terms["mayar"].value == 14
    assert FilterPanel(invoices, as_of=AS_OF, terms_days=3, dpi=30).terms_days == 3  # an argument wins
