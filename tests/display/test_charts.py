"""Charts: check what is drawn (bars, heights, labels, colours), not only that it draws."""

from __future__ import annotations

from io import BytesIO

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from matplotlib import _pylab_helpers
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from invoice_analytics.analytics.ratios import paid_ratio
from invoice_analytics.display import charts
from invoice_analytics.display.charts import (
    BUCKET_COLORS,
    PROVIDER_COLORS,
    bucket_colors,
    plot_aging,
    plot_outstanding_by_month,
    plot_paid_ratio_by_month,
    plot_top_overdue,
)
from invoice_analytics.formatting import format_rupiah, rupiah_formatter, set_locale
from invoice_analytics.schema import empty_frame
from tests.support.frames import frame

AS_OF = pd.Timestamp("2024-06-30", tz="Asia/Jakarta")
BUCKETS = ["Current", "1-30", "31-60", "61-90", ">90"]
MONTHS = ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06"]


@pytest.fixture(autouse=True)
def _english_numbers():
    """These tests were written for English number formats; tests/test_locale.py covers Indonesian."""
    set_locale("en")


def make_frame(rows: list[dict]) -> pd.DataFrame:
    """A core-schema frame from dicts (naive datetimes are Jakarta wall time)."""
    return frame(*rows)


def inv(provider, invoice_id, customer_id, name, status, issued, due, amount, outstanding):
    return {
        "provider": provider,
        "invoice_id": invoice_id,
        "customer_id": customer_id,
        "customer_name": name,
        "status": status,
        "provider_status": status,
        "issued_at": issued,
        "due_at": due,
        "amount": amount,
        "outstanding": outstanding,
        "currency": "IDR",
    }


# As of 2024-06-30 (days past due in the comments; no day on a bucket edge).
ROWS = [
    inv("faspay", "F1", "fa-a", "PT Alpha", "unpaid", "2024-06-10", "2024-07-10", None, 1_000_000),  # -10 Current
    inv("faspay", "F2", "fa-a", "PT Alpha", "overdue", "2024-05-21", "2024-06-20", None, 2_500_000),  # 10  1-30
    inv("faspay", "F3", "fa-b", "CV Beta", "partially_paid", "2024-04-01", "2024-05-16", None, 3_000_000),  # 45
    inv("faspay", "F4", "fa-c", "Toko Gamma", "overdue", "2024-01-02", "2024-02-01", None, 7_000_000),  # 150 >90
    inv("faspay", "F5", "fa-b", "CV Beta", "paid", "2024-01-15", "2024-02-15", None, 0),
    inv("faspay", "F6", "fa-c", "Toko Gamma", "cancelled", "2024-01-20", "2024-02-20", None, 9_999_000),
    inv("faspay", "F7", "fa-c", "Toko Gamma", "draft", "2024-06-15", "2024-06-16", None, 500_000),
    inv("mayar", "M1", "my-d", "Delta Studio", "unpaid", "2024-05-26", "2024-06-25", 400_000, 400_000),  # 5
    inv("mayar", "M2", "my-d", "Delta Studio", "unpaid", "2024-02-19", "2024-03-20", 1_200_000, 1_200_000),  # 102
    inv("mayar", "M3", "my-e", "Eko", "unpaid", "2024-04-03", "2024-04-10", 800_000, 800_000),  # 81 61-90
    inv("mayar", "M4", "my-e", "Eko", "paid", "2024-05-05", "2024-05-20", 300_000, 0),
    inv("mayar", "M5", "my-9", "PT Alpha", "unpaid", "2024-05-02", "2024-06-01", 600_000, 600_000),  # 29 1-30
]

#: Expected open outstanding per bucket and provider.
EXPECTED_AGING = {
    "faspay": [1_000_000, 2_500_000, 3_000_000, 0, 7_000_000],
    "mayar": [0, 1_000_000, 0, 800_000, 1_200_000],
}
EXPECTED_TOTALS = [1_000_000, 3_500_000, 3_000_000, 800_000, 8_200_000]


@pytest.fixture
def invoices() -> pd.DataFrame:
    return make_frame(ROWS)


@pytest.fixture(autouse=True)
def _no_pyplot_figures():
    """Charts must never go through pyplot's global figure manager."""
    before = _pylab_helpers.Gcf.get_num_fig_managers()
    yield
    assert _pylab_helpers.Gcf.get_num_fig_managers() == before


def render(ax) -> bytes:
    buffer = BytesIO()
    ax.figure.savefig(buffer, format="png")
    data = buffer.getvalue()
    assert data.startswith(b"\x89PNG")
    return data


def heights(container) -> list[int]:
    return [round(p.get_height()) for p in container.patches]


def widths(container) -> list[int]:
    return [round(p.get_width()) for p in container.patches]


def colors(container) -> set[str]:
    return {to_hex(p.get_facecolor()) for p in container.patches}


def texts(ax) -> list[str]:
    return [t.get_text() for t in ax.texts]


def tick_texts(labels) -> list[str]:
    return [label.get_text() for label in labels]


# ---------------------------------------------------------------------------
# formatting


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "Rp 0"),
        (950, "Rp 950"),
        (350_000, "Rp 350K"),
        (1_234_567, "Rp 1.2M"),
        (1_250_000, "Rp 1.3M"),  # half up, not banker's rounding
        (999_999, "Rp 1.0M"),  # promoted, never "1000K"
        (4_500_000_000, "Rp 4.5B"),
        (-1_234_567, "-Rp 1.2M"),
        (np.int64(8_200_000), "Rp 8.2M"),
        (pd.NA, "\u2013"),
        (None, "\u2013"),
    ],
)
def test_format_rupiah_compact(value, expected):
    assert format_rupiah(value) == expected


def test_format_rupiah_full_and_invalid():
    assert format_rupiah(1_234_567, compact=False) == "Rp 1,234,567"
    assert format_rupiah(-1_000, compact=False) == "-Rp 1,000"
    assert format_rupiah(pd.array([5, None], dtype="Int64")[1], compact=False) == "\u2013"
    with pytest.raises(ValueError):
        format_rupiah(10.5)
    with pytest.raises(TypeError):
        format_rupiah("1000")
    with pytest.raises(TypeError):
        format_rupiah(True)


def test_rupiah_formatter_ticks():
    fmt = rupiah_formatter()
    assert [fmt(x, i) for i, x in enumerate([0.0, 500_000.0, 1_250_000.0, 2e6, 2.5e9])] == [
        "Rp 0",
        "Rp 500K",
        "Rp 1.25M",
        "Rp 2M",
        "Rp 2.5B",
    ]
    assert fmt(np.nan) == "\u2013"
    assert rupiah_formatter(compact=False)(1_234_567.0) == "Rp 1,234,567"


# ---------------------------------------------------------------------------
# palettes


def test_palettes():
    assert list(BUCKET_COLORS) == BUCKETS
    assert bucket_colors() == list(BUCKET_COLORS.values())
    assert set(PROVIDER_COLORS) == {"faspay", "mayar"}
    assert PROVIDER_COLORS["faspay"] != PROVIDER_COLORS["mayar"]
    seven = bucket_colors((7, 14, 30, 60, 90))
    assert len(seven) == 7 and len(set(seven)) == 7
    assert seven[0] == BUCKET_COLORS["Current"] and seven[-1] == BUCKET_COLORS[">90"]
    assert bucket_colors((30,)) == bucket_colors([30])  # any sequence of edges
    # Provider colours stay clear of the bucket palette.
    assert not set(PROVIDER_COLORS.values()) & set(BUCKET_COLORS.values())


# ---------------------------------------------------------------------------
# aging


def test_plot_aging_stacked_by_provider(invoices):
    ax = plot_aging(invoices, AS_OF)
    render(ax)
    faspay, mayar = ax.containers
    assert faspay.get_label() == "faspay" and mayar.get_label() == "mayar"
    assert len(ax.patches) == 2 * len(BUCKETS)
    assert heights(faspay) == EXPECTED_AGING["faspay"]
    assert heights(mayar) == EXPECTED_AGING["mayar"]
    # mayar is stacked on top of faspay
    assert [round(p.get_y()) for p in mayar.patches] == EXPECTED_AGING["faspay"]
    assert colors(faspay) == {PROVIDER_COLORS["faspay"]}
    assert colors(mayar) == {PROVIDER_COLORS["mayar"]}
    assert tick_texts(ax.get_xticklabels()) == BUCKETS
    assert texts(ax) == ["Rp 1M", "Rp 3.5M", "Rp 3M", "Rp 800K", "Rp 8.2M"]
    # every total label sits on top of its stack
    assert [round(t.xy[1]) for t in ax.texts] == EXPECTED_TOTALS
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["faspay", "mayar"]
    assert "2024-06-30" in ax.get_title()
    assert ax.get_xlabel() and ax.get_ylabel()
    # the y axis is in rupiah and leaves room above the tallest bar
    assert all(t.startswith("Rp ") for t in tick_texts(ax.get_yticklabels()) if t)
    assert ax.get_ylim()[0] == 0 and ax.get_ylim()[1] > max(EXPECTED_TOTALS)


def test_plot_aging_unstacked_uses_bucket_colours(invoices):
    ax = plot_aging(invoices, AS_OF, stack=None)
    render(ax)
    (bars,) = ax.containers
    assert heights(bars) == EXPECTED_TOTALS
    assert [to_hex(p.get_facecolor()) for p in bars.patches] == list(BUCKET_COLORS.values())
    assert texts(ax) == ["Rp 1M", "Rp 3.5M", "Rp 3M", "Rp 800K", "Rp 8.2M"]
    assert ax.get_legend() is None


def test_plot_aging_custom_edges(invoices):
    ax = plot_aging(invoices, AS_OF, edges=(60,), stack=None)
    (bars,) = ax.containers
    assert tick_texts(ax.get_xticklabels()) == ["Current", "1-60", ">60"]
    assert heights(bars) == [1_000_000, 6_500_000, 9_000_000]
    assert [to_hex(p.get_facecolor()) for p in bars.patches] == bucket_colors((60,))


def test_plot_aging_one_provider_and_colours_stable(invoices):
    mayar_only = invoices[invoices["provider"] == "mayar"]
    first = plot_aging(mayar_only, AS_OF)
    second = plot_aging(invoices, AS_OF)
    (mayar,) = first.containers
    assert mayar.get_label() == "mayar"
    assert heights(mayar) == EXPECTED_AGING["mayar"]
    assert colors(mayar) == colors(second.containers[1]) == {PROVIDER_COLORS["mayar"]}
    assert texts(first) == ["Rp 0", "Rp 1M", "Rp 0", "Rp 800K", "Rp 1.2M"]


def test_plot_aging_default_as_of_is_today_in_jakarta(invoices):
    today = pd.Timestamp.now(tz="Asia/Jakarta").strftime("%Y-%m-%d")
    ax = plot_aging(invoices)
    assert ax.get_title() == f"Outstanding by age (as of {today})"
    assert sum(heights(ax.containers[0])) + sum(heights(ax.containers[1])) == sum(EXPECTED_TOTALS)


def test_plot_aging_draws_on_given_axes(invoices):
    fig = Figure()
    left, right = fig.subplots(1, 2)
    assert plot_aging(invoices, AS_OF, ax=right) is right
    assert not left.patches and len(right.patches) == 10
    render(right)


def test_plot_aging_nothing_open(invoices):
    closed = invoices[invoices["status"].isin(["paid", "cancelled", "draft"])]
    ax = plot_aging(closed, AS_OF)
    render(ax)
    assert texts(ax) == ["No open invoices"]
    assert not ax.patches


def test_plot_aging_passes_terms_days():
    """Mayar has no due date: aging counts from issued_at + terms_days."""
    frame = make_frame(
        [
            inv("mayar", "M1", "c1", "A", "unpaid", "2024-06-20", None, 100_000, 100_000),  # 10 days
            inv("mayar", "M2", "c2", "B", "unpaid", "2024-04-01", None, 200_000, 200_000),  # 90 days
        ]
    )
    (bars,) = plot_aging(frame, AS_OF).containers
    assert heights(bars) == [0, 100_000, 0, 200_000, 0]
    (bars,) = plot_aging(frame, AS_OF, terms_days=14).containers
    assert heights(bars) == [100_000, 0, 0, 200_000, 0]
    (bars,) = plot_aging(frame, "2024-07-01").containers  # as_of as a string
    assert heights(bars) == [0, 100_000, 0, 0, 200_000]


# ---------------------------------------------------------------------------
# top overdue


def test_plot_top_overdue(invoices):
    ax = plot_top_overdue(invoices, AS_OF)
    render(ax)
    (bars,) = ax.containers
    assert widths(bars) == [7_000_000, 3_000_000, 2_500_000, 1_600_000, 800_000, 600_000]
    # largest at the top: the first bar is drawn highest
    ys = [p.get_y() + p.get_height() / 2 for p in bars.patches]
    top_to_bottom = sorted(ys, key=lambda y: ax.transData.transform((0, y))[1], reverse=True)
    assert ys == top_to_bottom
    assert tick_texts(ax.get_yticklabels()) == [
        "Toko Gamma",
        "CV Beta",
        "PT Alpha (faspay)",  # two customers named PT Alpha: the provider tells them apart
        "Delta Studio",
        "Eko",
        "PT Alpha (mayar)",
    ]
    assert texts(ax) == ["Rp 7M", "Rp 3M", "Rp 2.5M", "Rp 1.6M", "Rp 800K", "Rp 600K"]
    # coloured by the bucket of the customer's oldest overdue invoice
    assert [to_hex(p.get_facecolor()) for p in bars.patches] == [
        BUCKET_COLORS[">90"],
        BUCKET_COLORS["31-60"],
        BUCKET_COLORS["1-30"],
        BUCKET_COLORS[">90"],
        BUCKET_COLORS["61-90"],
        BUCKET_COLORS["1-30"],
    ]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["1-30", "31-60", "61-90", ">90"]
    assert all(t.startswith("Rp ") for t in tick_texts(ax.get_xticklabels()) if t)


def test_plot_top_overdue_n(invoices):
    ax = plot_top_overdue(invoices, AS_OF, n=3)
    (bars,) = ax.containers
    assert widths(bars) == [7_000_000, 3_000_000, 2_500_000]
    assert tick_texts(ax.get_yticklabels()) == ["Toko Gamma", "CV Beta", "PT Alpha"]
    with pytest.raises(ValueError):
        plot_top_overdue(invoices, AS_OF, n=0)


def test_plot_top_overdue_nothing_overdue(invoices):
    ax = plot_top_overdue(invoices[invoices["invoice_id"] == "F1"], AS_OF)  # current only
    assert texts(ax) == ["No overdue invoices"]
    render(ax)


# ---------------------------------------------------------------------------
# paid ratio


def ratio_rows() -> list[dict]:
    """Jan: 2 of 4 paid (Rp 300K of Rp 1M), Feb: none, Mar: 1 of 1 paid."""
    return [
        inv("mayar", "R1", "c1", "A", "paid", "2024-01-05", None, 100_000, 0),
        inv("mayar", "R2", "c1", "A", "paid", "2024-01-06", None, 200_000, 0),
        inv("faspay", "R3", "c2", "B", "unpaid", "2024-01-07", "2024-02-07", 300_000, 300_000),
        inv("faspay", "R4", "c2", "B", "unpaid", "2024-01-31", "2024-02-28", 400_000, 400_000),
        inv("mayar", "R5", "c1", "A", "paid", "2024-03-09", None, 500_000, 0),
    ]


def line_y(line) -> list[float]:
    return [float(y) for y in line.get_ydata()]


def test_plot_paid_ratio_by_month_count():
    frame = make_frame(ratio_rows())
    ax = plot_paid_ratio_by_month(frame)
    render(ax)
    (line,) = ax.lines
    np.testing.assert_allclose(line_y(line), [50.0, np.nan, 100.0])
    assert tick_texts(ax.get_xticklabels()) == ["2024-01", "2024-02", "2024-03"]
    assert texts(ax) == ["50%", "100%"]
    assert ax.get_ylim()[0] <= 0 and ax.get_ylim()[1] >= 100
    assert tick_texts(ax.get_yticklabels()) == ["0%", "20%", "40%", "60%", "80%", "100%"]
    assert "invoices" in ax.get_ylabel()


def test_plot_paid_ratio_by_month_amount():
    frame = make_frame(ratio_rows())
    ax = plot_paid_ratio_by_month(frame, weight="amount")
    (line,) = ax.lines
    np.testing.assert_allclose(line_y(line), [30.0, np.nan, 100.0])
    assert texts(ax) == ["30%", "100%"]
    with pytest.raises(ValueError):
        plot_paid_ratio_by_month(frame, weight="euros")


def test_plot_paid_ratio_amount_without_amounts(invoices):
    """Faspay lists carry no amount: nothing to weigh, the axes say so."""
    faspay = invoices[invoices["provider"] == "faspay"]
    ax = plot_paid_ratio_by_month(faspay, weight="amount")
    render(ax)
    assert texts(ax) == ["No billed amounts"]
    assert not ax.lines
    # the months of the combined frame come from the Mayar amounts only
    (line,) = plot_paid_ratio_by_month(invoices, weight="amount").lines
    expected = paid_ratio(invoices, by="issue_month", weight="amount", totals=False)["paid_ratio"].dropna()
    assert [str(m) for m in expected.index] == ["2024-02", "2024-04", "2024-05"]
    # Feb 0 of 1.2M, Mar nothing, Apr 0 of 800K, May 300K of 1.3M
    np.testing.assert_allclose(line_y(line), [0.0, np.nan, 0.0, 100 * 300_000 / 1_300_000])
    ax = plot_paid_ratio_by_month(invoices, weight="amount")
    assert tick_texts(ax.get_xticklabels()) == ["2024-02", "2024-03", "2024-04", "2024-05"]


def test_plot_paid_ratio_matches_paid_ratio(invoices):
    ax = plot_paid_ratio_by_month(invoices, by_provider=True)
    render(ax)
    overall, faspay, mayar = ax.lines
    expected = paid_ratio(invoices, by="issue_month", totals=False)["paid_ratio"]
    drawn = [y for y in line_y(overall) if not np.isnan(y)]
    np.testing.assert_allclose(drawn, expected.astype("float64").to_numpy() * 100)
    assert to_hex(faspay.get_color()) == PROVIDER_COLORS["faspay"]
    assert to_hex(mayar.get_color()) == PROVIDER_COLORS["mayar"]
    assert tick_texts(ax.get_xticklabels()) == MONTHS
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["All providers", "faspay", "mayar"]


# ---------------------------------------------------------------------------
# outstanding by month


def test_plot_outstanding_by_month(invoices):
    ax = plot_outstanding_by_month(invoices, AS_OF)
    render(ax)
    faspay, mayar = ax.containers
    assert tick_texts(ax.get_xticklabels()) == MONTHS
    assert heights(faspay) == [7_000_000, 0, 0, 3_000_000, 2_500_000, 1_000_000]
    assert heights(mayar) == [0, 1_200_000, 0, 800_000, 1_000_000, 0]
    assert colors(faspay) == {PROVIDER_COLORS["faspay"]}
    assert colors(mayar) == {PROVIDER_COLORS["mayar"]}
    assert texts(ax) == ["Rp 7M", "Rp 1.2M", "Rp 0", "Rp 3.8M", "Rp 3.5M", "Rp 1M"]
    # same open invoices as the aging chart
    assert sum(heights(faspay)) + sum(heights(mayar)) == sum(EXPECTED_TOTALS)
    assert all(t.startswith("Rp ") for t in tick_texts(ax.get_yticklabels()) if t)


def test_plot_outstanding_by_month_as_of_leaves_out_later_invoices(invoices):
    early = plot_outstanding_by_month(invoices, "2023-12-31")  # before every issue date
    late = plot_outstanding_by_month(invoices, AS_OF)
    assert texts(early) == ["No open invoices"] and late.containers
    assert "2023-12-31" in early.get_title() and "2024-06-30" in late.get_title()


def test_plot_outstanding_by_month_labels_off(invoices):
    ax = plot_outstanding_by_month(invoices, AS_OF, labels=False)
    assert texts(ax) == []
    assert len(ax.patches) == 12


# ---------------------------------------------------------------------------
# empty input


@pytest.mark.parametrize(
    "plot",
    [
        plot_aging,
        plot_top_overdue,
        plot_paid_ratio_by_month,
        plot_outstanding_by_month,
    ],
)
def test_empty_frame(plot):
    ax = plot(empty_frame())
    render(ax)
    assert texts(ax) == ["No invoices"]
    (message,) = ax.texts
    assert message.get_position() == (0.5, 0.5)
    assert message.get_ha() == "center" and message.get_va() == "center"
    assert not ax.patches and not ax.lines
    assert ax.get_title()


def test_module_has_no_pyplot():
    assert "pyplot" not in charts.__dict__


def test_text_from_data_is_drawn_literally():
    """A ``$`` in a customer name is text, not math: it renders, and reads back as written."""
    from tests.support.frames import frame as make

    df = make(
        {"customer_name": "Untung$^$Jaya", "customer_id": "C1", "due_at": "2024-01-01", "outstanding": 500},
        {"customer_name": "Rp$100 $x_1$", "customer_id": "C2", "due_at": "2024-01-01", "outstanding": 400},
    )
    ax = plot_top_overdue(df, "2024-03-01")
    ax.figure.canvas.draw()  # raises on bad mathtext
    labels = [t.get_text().replace("\\$", "$") for t in ax.get_yticklabels()]
    assert labels == ["Untung$^$Jaya", "Rp$100 $x_1$"]
    assert all("$" not in t.get_text().replace("\\$", "") for t in ax.get_yticklabels())  # no math left


def test_png_formatter_outside_ipython_registers_nothing():
    assert charts._register_png_formatter() is False
    assert charts._png_of(plot_aging(empty_frame())).startswith(b"\x89PNG")


def test_plot_aging_shows_credits_below_zero():
    rows = [*ROWS, inv("mayar", "M9", "my-d", "Delta Studio", "paid", "2024-05-01", "2024-05-31", 100_000, -150_000)]
    ax = plot_aging(make_frame(rows), AS_OF)
    assert tick_texts(ax.get_xticklabels()) == [*BUCKETS, "Credit"]
    credit = [p for p in ax.patches if to_hex(p.get_facecolor()) == charts.CREDIT_COLOR]
    assert [round(p.get_height()) for p in credit] == [-150_000]
    assert "-Rp 150K" in texts(ax)
    assert ax.get_ylim()[0] < -150_000
    assert charts.CREDIT_COLOR not in [to_hex(c) for c in [*BUCKET_COLORS.values(), *PROVIDER_COLORS.values()]]


def test_top_overdue_chart_matches_top_debtors_table():
    """One customer key: the bars drawn are top_debtors' rows (default key), amounts, order and names."""
    from invoice_analytics.analytics.aging import top_debtors

    rows = [
        *ROWS,
        # the same name as fa-a's customer, another id of the same provider: another customer
        inv("faspay", "F8", "fa-z", "PT Alpha", "overdue", "2024-03-01", "2024-04-01", None, 900_000),  # 90
        # no customer id: the faspay customer of that name, apart from the one with an id
        inv("faspay", "F9", None, "Toko Gamma", "overdue", "2024-05-01", "2024-06-05", None, 250_000),  # 25
        inv("faspay", "F10", None, "Toko Gamma", "unpaid", "2024-05-02", "2024-06-10", None, 50_000),  # 20
        # neither id nor name
        inv("mayar", "M10", None, None, "unpaid", "2024-05-01", "2024-05-31", 70_000, 70_000),  # 30
    ]
    df = make_frame(rows)
    ax = plot_top_overdue(df, AS_OF, n=20)
    render(ax)
    (bars,) = ax.containers
    drawn = [round(p.get_width()) for p in bars.patches]
    table = top_debtors(df, AS_OF, n=20, sort_by="overdue_amount")
    assert table.index.names == ["customer_name", "customer_id", "provider"]
    overdue = table[table["overdue_amount"] > 0]
    assert drawn == overdue["overdue_amount"].tolist()
    assert drawn == [7_000_000, 3_000_000, 2_500_000, 1_600_000, 900_000, 800_000, 600_000, 300_000, 70_000]
    # the largest bar is drawn at the top, as the table's first row
    ys = [ax.transData.transform((0, p.get_y() + p.get_height() / 2))[1] for p in bars.patches]
    assert ys == sorted(ys, reverse=True)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == [
        "Toko Gamma (faspay) fa-c", "CV Beta", "PT Alpha (faspay) fa-a", "Delta Studio", "PT Alpha (faspay) fa-z",
        "Eko", "PT Alpha (mayar)", "Toko Gamma (faspay)", "(unknown customer)",
    ]
    names = overdue.index.get_level_values("customer_name")[:-1].tolist()
    assert [label.split(" (")[0] for label in labels[:-1]] == names
    without_id = overdue.index[-2]
    assert without_id[0] == "Toko Gamma" and pd.isna(without_id[1]) and without_id[2] == "faspay"
    assert overdue.loc[[without_id], "overdue_count"].tolist() == [2]  # F9 and F10, apart from fa-c's F4
    assert texts(ax) == [format_rupiah(a) for a in drawn]


def test_charts_of_demo_data_say_so():
    """Every chart of the sample data says DEMO DATA under its title (read back from the drawn text)."""
    from invoice_analytics.display._trend_chart import plot_aging_trend

    df = make_frame(ROWS)
    demo = df.copy()
    demo.attrs["source"] = "demo"
    idx = pd.DatetimeIndex(["2024-06-01", "2024-06-30"], name="date").tz_localize("Asia/Jakarta")
    trend = pd.DataFrame({"Current": [5, 3], "1-30": [2, 4], "31-60": [0, 0], "61-90": [0, 0], ">90": [0, 1],
                          "Credit": [0, 0], "Total": [7, 8]}, index=idx)
    demo_trend = trend.copy()
    demo_trend.attrs["source"] = "demo"
    draws = [
        lambda f: plot_aging(f, AS_OF),
        lambda f: plot_aging(f, AS_OF, title="Mine"),
        lambda f: plot_top_overdue(f, AS_OF),
        lambda f: plot_paid_ratio_by_month(f),
        lambda f: plot_outstanding_by_month(f, AS_OF),
        lambda f: plot_aging(f.iloc[:0], AS_OF),  # no invoices: still named
    ]
    for draw in draws:
        shown = draw(demo)
        render(shown)
        assert shown.get_title().splitlines()[-1] == "DEMO DATA (embedded sample invoices)"
        assert "DEMO DATA" not in draw(df).get_title()
    for shown in (plot_aging_trend(demo_trend), plot_aging_trend(demo_trend.iloc[:0])):
        render(shown)
        assert shown.get_title().endswith("\nDEMO DATA (embedded sample invoices)")
    assert "DEMO DATA" not in plot_aging_trend(trend).get_title()


def test_trend_ticks_fall_on_the_month_ends_with_month_names():
    from invoice_analytics import formatting
    from invoice_analytics.display._trend_chart import plot_aging_trend

    ends = pd.DatetimeIndex(["2026-10-31", "2026-11-30", "2026-12-31"], name="date").tz_localize("Asia/Jakarta")
    trend = pd.DataFrame({"Current": [5, 3, 4], "1-30": [1, 2, 3], ">30": [0, 0, 0], "Credit": [0, 0, 0],
                          "Total": [6, 5, 7]},
                         index=ends)
    formatting.set_locale("id")
    ax = plot_aging_trend(trend)
    ax.figure.canvas.draw()
    days = [(d.date() - d.date().replace(year=1970, month=1, day=1)).days for d in ends]
    assert list(ax.get_xticks()) == days
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Okt 2026", "Nov 2026", "Des 2026"]
    formatting.set_locale("en")
    ax = plot_aging_trend(trend)
    ax.figure.canvas.draw()
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Oct 2026", "Nov 2026", "Dec 2026"]


# docsc (issue 18): the cases the docstring examples showed beside their one example.

DOC_DF = pd.DataFrame({"provider": ["faspay", "mayar", "mayar"], "status": ["unpaid"] * 3,
                       "customer_id": ["C1", "C2", "C3"], "customer_name": ["Ani", "Budi", "Ani"],
                       "issued_at": pd.to_datetime(["2024-01-01", "2023-12-05", "2023-09-20"]),
                       "due_at": pd.to_datetime(["2024-02-15", "2024-01-10", "2023-10-01"]),
                       "outstanding": [100_000, 250_000, 40_000]})


def test_docstring_cases_totals_names_and_empty() -> None:
    from invoice_analytics.formatting import number_locale

    with number_locale("id"):
        totals = [t.get_text() for t in plot_aging(DOC_DF, "2024-02-15").texts]
    assert totals == [
        "Rp 100 rb", "Rp 0", "Rp 250 rb", "Rp 0", "Rp 40 rb"]  # the total above each bar
    both = plot_top_overdue(DOC_DF, "2024-03-01")  # both Ani overdue
    assert [t.get_text() for t in both.get_yticklabels()] == ["Budi", "Ani (faspay)", "Ani (mayar)"]
    assert [t.get_text() for t in plot_aging(empty_frame()).texts] == ["No invoices"]
    names = charts._bar_names(pd.MultiIndex.from_tuples([("Ani", "C1", "faspay"), ("Ani", "m-1", "mayar"),
                                                          ("Ani", "C2", "faspay"), (None, None, "faspay")]))
    assert names == ["Ani (faspay) C1", "Ani (mayar)", "Ani (faspay) C2", "(unknown customer)"]


def test_docstring_cases_by_issue_month() -> None:
    from invoice_analytics.formatting import number_locale

    df = pd.DataFrame({"provider": ["mayar"] * 4, "status": ["paid", "unpaid", "paid", "paid"],
                       "issued_at": pd.to_datetime(["2024-01-05", "2024-01-20", "2024-03-01", "2024-03-02"]),
                       "amount": [100_000, 200_000, 100_000, 50_000], "outstanding": [0, 200_000, 0, 0]})
    with number_locale("id"):
        ax = plot_paid_ratio_by_month(df, weight="amount", by_provider=True)
        assert [t.get_text() for t in ax.texts] == ["33 %", "100 %"]
        assert [line.get_label() for line in ax.lines] == ["All providers", "mayar"]
        ax = plot_outstanding_by_month(DOC_DF, "2024-02-15")
        assert ax.get_title() == "Open outstanding by issue month (as of 2024-02-15)"
        assert [t.get_text() for t in ax.texts] == ["Rp 40 rb", "Rp 0", "Rp 0", "Rp 250 rb", "Rp 100 rb"]
