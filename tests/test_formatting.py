"""Numbers as Indonesians (default) and English readers read them: one switch for everything drawn."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pandas as pd
import pytest

import invoice_analytics as ia
from invoice_analytics.display.tables import format_kpis_html, format_report_table, style_report
from invoice_analytics.formatting import (
    format_count,
    format_number,
    format_percent,
    format_rupiah,
    percent_formatter,
    rupiah_formatter,
)
from invoice_analytics.report import summary_table
from tests.support.frames import frame


@pytest.mark.parametrize(
    ("value", "indonesian", "english"),
    [
        (0, "Rp 0", "Rp 0"),
        (950, "Rp 950", "Rp 950"),
        (250_000, "Rp 250 rb", "Rp 250K"),
        (575_400_000, "Rp 575,4 jt", "Rp 575.4M"),
        (2_010_000_000, "Rp 2,01 M", "Rp 2.0B"),
        (1_200_000_000_000, "Rp 1,2 T", "Rp 1.2T"),
        (999_999, "Rp 1 jt", "Rp 1.0M"),  # promoted, never "1000 rb" / "1000K"
        (999_999_999, "Rp 1 M", "Rp 1.0B"),
        (999_950, "Rp 1 jt", "Rp 1.0M"),
        (999_949, "Rp 999,9 rb", "Rp 999.9K"),
        (12_345_678, "Rp 12,3 jt", "Rp 12.3M"),
        (1_000_000, "Rp 1 jt", "Rp 1M"),
        (-1_234_567, "-Rp 1,23 jt", "-Rp 1.2M"),
        (5_000_000_000_000_000, "Rp 5.000 T", "Rp 5,000T"),
    ],
)
def test_compact_rupiah_per_locale(value, indonesian, english):
    assert format_rupiah(value) == indonesian
    assert format_rupiah(value, locale="id_ID") == indonesian
    assert format_rupiah(value, locale="en") == english


def test_full_rupiah_percent_and_count_per_locale():
    assert format_rupiah(1_234_567, compact=False) == "Rp 1.234.567"
    assert format_rupiah(1_234_567, compact=False, locale="en") == "Rp 1,234,567"
    assert format_percent(0.651) == "65,1 %" and format_percent(0.651, locale="en") == "65.1%"
    assert format_count(1_234_567) == "1.234.567" and format_count(1_234_567, locale="en") == "1,234,567"
    with pytest.raises(ValueError, match="unknown locale"):
        format_rupiah(1, locale="xx")


def test_one_switch():
    assert ia.get_locale() == "id"
    ia.set_locale("en")
    assert ia.get_locale() == "en" and ia.format_rupiah(575_400_000) == "Rp 575.4M"
    assert ia.format_percent(0.5) == "50.0%"
    ia.set_locale("id")
    assert ia.format_rupiah(575_400_000) == "Rp 575,4 jt"


def _frame():
    return frame(
        {"provider": "mayar", "invoice_id": "A", "customer_id": "C1", "customer_name": "PT Ani",
         "status": "overdue", "issued_at": "2024-01-01", "due_at": "2024-01-31",
         "amount": 1_500_000, "outstanding": 1_500_000},
        {"provider": "faspay", "invoice_id": "B", "customer_id": "C2", "customer_name": "CV Budi",
         "status": "paid", "issued_at": "2024-01-05", "due_at": "2024-02-05",
         "amount": 2_000_000, "outstanding": 0},
    )


@pytest.mark.parametrize("locale", ["id", "en"])
def test_everything_drawn_follows_the_switch(locale):
    ia.set_locale(locale)
    df = _frame()
    money = "Rp 1.500.000" if locale == "id" else "Rp 1,500,000"
    compact = "Rp 1,5 jt" if locale == "id" else "Rp 1.5M"
    ratio = "50,0 %" if locale == "id" else "50.0%"
    kpis = format_kpis_html(ia.panel_kpis(df, "2024-03-31"))
    assert money in kpis and ratio in kpis
    assert money in format_report_table(ia.aging_report(df, "2024-03-31", totals=True))
    assert compact in summary_table(df, "2024-03-31") and ratio in summary_table(df, "2024-03-31")
    ax = ia.plot_aging(df, "2024-03-31")
    assert compact in [t.get_text() for t in ax.texts]
    ax.figure.canvas.draw()
    ticks = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert any(("jt" in t) == (locale == "id") for t in ticks if t != "Rp 0")
    ax = ia.plot_paid_ratio_by_month(df)
    assert [t.get_text() for t in ax.texts] == (["50 %"] if locale == "id" else ["50%"])
    panel = ia.FilterPanel(df, as_of="2024-03-31")
    assert money in repr(panel) and ratio in repr(panel)


def test_style_report_html():
    df = _frame()
    report = ia.aging_report(df, "2024-03-31", totals=True)
    report["paid_ratio"] = [0.651] * len(report)
    html = style_report(report).to_html()
    assert "Rp 1.500.000" in html and "65,1 %" in html
    assert "591680500" not in html and "0.651" not in html
    assert "position: sticky" in html  # the name column stays while scrolling sideways
    assert "overflow-x: scroll" in html
    # The Total row (and its label) is bold, the others are not.
    styler = style_report(report)
    styler._compute()
    total = len(report) - 1
    assert any("font-weight" in p for p, _ in styler.ctx[(total, 0)])
    assert not any("font-weight" in p for p, _ in styler.ctx.get((0, 0), []))
    assert style_report(report).data is report
    english = style_report(report, locale="en").to_html()
    assert "Rp 1,500,000" in english and "65.1%" in english


def test_style_report_other_reports():
    df = _frame()
    ratios = ia.paid_ratio(df, by="provider", totals=True)
    html = style_report(ratios).to_html()
    assert "50,0 %" in html or "100,0 %" in html
    assert isinstance(style_report(pd.DataFrame({"x": [1]})).to_html(), str)


def test_style_report_bolds_only_the_totals_row_not_a_customer_named_total() -> None:
    index = pd.MultiIndex.from_tuples([("Total", "C9", "faspay"), ("Ani", "C1", "faspay")],
                                      names=["customer_name", "customer_id", "provider"])
    report = pd.DataFrame({"Total": [100, 50]}, index=index)
    assert "font-weight: bold; border-top" not in style_report(report).to_html()
    assert "position:sticky;bottom:0" not in format_report_table(report)
    with_totals = pd.concat([report, pd.DataFrame({"Total": [150]}, index=pd.MultiIndex.from_tuples(
        [("Total", "", "")], names=index.names))])
    html_text = style_report(with_totals).to_html()
    assert html_text.count("border-top: 1px solid") == 1


def test_number_locale_is_a_context_manager_that_restores_the_locale() -> None:
    ia.set_locale("id")
    with ia.number_locale("en_US") as chosen:
        assert chosen == "en" and ia.get_locale() == "en"
        assert format_rupiah(1_234_567, compact=False) == "Rp 1,234,567"
        with ia.number_locale("id"):  # blocks nest
            assert format_percent(0.651) == "65,1 %"
        assert ia.get_locale() == "en"
    assert ia.get_locale() == "id"
    with pytest.raises(RuntimeError, match="boom"), ia.number_locale("en"):
        raise RuntimeError("boom")
    assert ia.get_locale() == "id"  # restored on error too
    with pytest.raises(ValueError, match="unknown locale 'fr'"), ia.number_locale("fr"):
        pass
    assert ia.get_locale() == "id"


def test_number_locale_belongs_to_its_thread() -> None:
    import threading

    seen: dict[str, str] = {}
    inside, done = threading.Event(), threading.Event()

    def other() -> None:
        inside.wait()
        seen["other"] = format_rupiah(1_234_567, compact=False)
        done.set()

    thread = threading.Thread(target=other)
    thread.start()
    with ia.number_locale("en"):
        inside.set()
        done.wait()
        seen["this"] = format_rupiah(1_234_567, compact=False)
    thread.join()
    assert seen == {"other": "Rp 1.234.567", "this": "Rp 1,234,567"}


def test_plain_numbers_counts_and_tick_formatters_follow_the_locale():
    assert (format_number(1234.5), format_number(1234.5, locale="en")) == ("1.234,5", "1,234.5")
    assert format_number(None) == "–"
    assert (format_count(1234), format_count(1234, locale="en")) == ("1.234", "1,234")
    fmt = rupiah_formatter()  # two decimals by default: ticks 2.5 apart stay distinct
    assert [fmt(x) for x in (0.0, 250_000.0, 1_250_000.0, 1_500_000.0, -2e9)] == [
        "Rp 0", "Rp 250 rb", "Rp 1,25 jt", "Rp 1,5 jt", "-Rp 2 M"]
    assert rupiah_formatter(compact=False, locale="en")(1234567.4) == "Rp 1,234,567"
    assert (percent_formatter(locale="en")(40.0), percent_formatter(locale="id")(40.0)) == ("40%", "40 %")


# docsc (issue 18): the cases the docstring examples showed beside their one example.


def test_format_rupiah_docstring_cases() -> None:
    from invoice_analytics.formatting import format_rupiah

    assert format_rupiah(1_250_000, decimals=1, locale="en") == "Rp 1.3M"  # half up
    assert format_rupiah(-50_000, compact=False, locale="en") == "-Rp 50,000"
    assert (format_rupiah(pd.NA), format_rupiah(2.5e6)) == ("–", "Rp 2,5 jt")  # an integral float is fine


def test_locale_is_back_after_the_block_and_an_unknown_one_is_refused() -> None:
    from invoice_analytics.formatting import format_rupiah, get_locale, number_locale, set_locale

    with number_locale("en"):
        pass
    assert (format_rupiah(575_400_000), get_locale()) == ("Rp 575,4 jt", "id")
    with pytest.raises(ValueError, match=r"^unknown locale 'fr'; choose one of id, en$"):
        set_locale("fr")
    assert get_locale() == "id"


def test_an_empty_report_table_says_so() -> None:
    from invoice_analytics import aging_report

    assert format_report_table(aging_report(ia.empty_frame())) == (
        '<div class="ia-report ia-empty"><em>No open invoices or credits.</em></div>')
