"""Charts that fit: what is drawn (tick and value labels) never overlaps, stray months do not stretch the axis."""

from __future__ import annotations

import itertools

import matplotlib

matplotlib.use("Agg")

import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from invoice_analytics.display.charts import (
    plot_aging,
    plot_outstanding_by_month,
    plot_paid_ratio_by_month,
    plot_top_overdue,
)
from tests.support.frames import frame

AS_OF = "2030-12-31"


def invoices(months: int, *, start: str = "2024-01", per_month: int = 3) -> pd.DataFrame:
    rows = []
    for i, month in enumerate(pd.period_range(start, periods=months, freq="M")):
        for j in range(per_month):
            day = month.to_timestamp() + pd.Timedelta(days=3 + j)
            paid = (i + j) % 3 == 0
            amount = 575_400_000 + 1_234_567 * (i * 7 + j)
            rows.append({
                "provider": "mayar" if j % 2 else "faspay", "invoice_id": f"I{i}-{j}",
                "customer_id": f"C{j}", "customer_name": f"Customer {j}",
                "status": "paid" if paid else "unpaid", "issued_at": day.strftime("%Y-%m-%d"),
                "due_at": (day + pd.Timedelta(days=30)).strftime("%Y-%m-%d"),
                "amount": amount, "outstanding": 0 if paid else amount,
            })
    return frame(*rows)


def drawn_labels(ax):
    """Every visible, non-empty tick and value label of ``ax`` with its bounding box, after a real draw."""
    fig = ax.get_figure(root=True)
    FigureCanvasAgg(fig)
    fig.canvas.draw()
    texts = [*ax.get_xticklabels(), *ax.get_yticklabels(), *ax.texts]
    return [(t.get_text(), t.get_window_extent()) for t in texts if t.get_visible() and t.get_text()]


def assert_no_overlap(ax):
    labels = drawn_labels(ax)
    assert labels
    for (a, box_a), (b, box_b) in itertools.combinations(labels, 2):
        overlap = box_a.x0 < box_b.x1 and box_b.x0 < box_a.x1 and box_a.y0 < box_b.y1 and box_b.y0 < box_a.y1
        assert not overlap, f"{a!r} overlaps {b!r}"


@pytest.mark.parametrize(
    ("months", "locale"),
    # every length in the default locale; English (shorter labels, other separators) at two lengths
    [(m, "id") for m in (1, 2, 6, 12, 24, 36, 60)] + [(2, "en"), (36, "en")],
)
def test_monthly_charts_labels_do_not_overlap(months, locale):
    from invoice_analytics.formatting import set_locale

    set_locale(locale)
    df = invoices(months)
    assert_no_overlap(plot_outstanding_by_month(df, AS_OF))
    assert_no_overlap(plot_outstanding_by_month(df, AS_OF, labels=True))
    assert_no_overlap(plot_paid_ratio_by_month(df))
    assert_no_overlap(plot_paid_ratio_by_month(df, weight="amount", by_provider=True))


def test_monthly_ticks_still_name_months():
    ax = plot_outstanding_by_month(invoices(60), AS_OF)
    shown = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert shown[0] == "2024-01" and 4 <= len(shown) <= 30


def test_long_customer_names_fit():
    long_names = [
        "PT Sumber Rejeki Abadi Sentosa Makmur Jaya Sejahtera Bersama Tbk",
        "CV Karya Mandiri Teknik Elektrikal dan Mekanikal Nusantara Raya",
        "Koperasi Simpan Pinjam Karyawan Perkebunan Sawit Kalimantan Timur",
    ] + [f"Toko {i} Serba Ada Dengan Nama Yang Sangat Panjang Sekali" for i in range(9)]
    rows = [
        {"provider": "faspay", "invoice_id": f"F{i}", "customer_id": f"C{i}", "customer_name": name,
         "status": "overdue", "issued_at": "2024-01-01", "due_at": "2024-02-01",
         "amount": 1_000_000 * (i + 1), "outstanding": 1_000_000 * (i + 1)}
        for i, name in enumerate(long_names)
    ]
    ax = plot_top_overdue(frame(*rows), "2024-06-30")
    assert_no_overlap(ax)
    names = [t.get_text() for t in ax.get_yticklabels()]
    assert all(len(n) <= 32 for n in names) and any(n.endswith("\u2026") for n in names)
    # the names fit in the figure (enough left margin)
    fig = ax.get_figure(root=True)
    assert all(box.x0 >= 0 for _, box in drawn_labels(ax))
    assert fig.bbox.x0 == 0


@pytest.mark.parametrize("locale", ["id", "en"])
@pytest.mark.parametrize("largest", [149_911_700, 2_019_213_000, 87_000])
def test_top_overdue_rupiah_axis_does_not_overlap(locale, largest):
    """The rupiah ticks along x are wide ("Rp 120 jt"): fewer of them, never overlapping."""
    from invoice_analytics.formatting import set_locale

    set_locale(locale)
    rows = [
        {"provider": "faspay", "invoice_id": f"F{i}", "customer_id": f"C{i}",
         "customer_name": f"PT. Mulia Logistik Tbk {i}", "status": "overdue", "issued_at": "2024-01-01",
         "due_at": "2024-02-01" if i % 2 else "2024-05-01", "outstanding": largest // (i + 1)}
        for i in range(10)
    ]
    ax = plot_top_overdue(frame(*rows), "2024-06-30")
    assert_no_overlap(ax)
    assert len([t for t in ax.get_xticklabels() if t.get_text()]) >= 3


def test_a_small_credit_keeps_its_label():
    """A credit bar tiny beside the buckets still shows its amount, clear of the "Credit" tick."""
    rows = [
        {"invoice_id": "F1", "status": "overdue", "due_at": "2024-01-01", "outstanding": 861_100_000},
        {"invoice_id": "F2", "status": "paid", "due_at": "2024-01-01", "outstanding": -35_300_000},
    ]
    ax = plot_aging(frame(*rows), "2024-06-30")
    assert_no_overlap(ax)
    shown = [text for text, _ in drawn_labels(ax)]
    assert "-Rp 35,3 jt" in shown and "Credit" in shown


def test_aging_labels_do_not_overlap():
    assert_no_overlap(plot_aging(invoices(12), AS_OF))


def test_stray_early_months_do_not_stretch_the_axis():
    main = invoices(12, start="2024-01", per_month=10)
    stray = invoices(2, start="2022-01", per_month=3).iloc[:5]
    stray = stray.assign(invoice_id="S" + stray["invoice_id"], status="unpaid", outstanding=stray["amount"])
    df = pd.concat([stray, main], ignore_index=True)

    ax = plot_outstanding_by_month(df, AS_OF)
    assert len(ax.containers[0]) == 13  # one "earlier" bar and the twelve main months
    shown = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert shown[0] == "< 2024-01" and "2024-12" in shown
    assert "5 invoices issued before 2024-01" in ax.get_xlabel()
    folded = sum(round(c.patches[0].get_height()) for c in ax.containers)
    assert folded == int(stray["outstanding"].sum())
    assert_no_overlap(ax)

    ax = plot_paid_ratio_by_month(df)
    assert ax.get_xlim() == (-0.5, 11.5)
    assert "from 2024-01; 5 earlier invoices not shown" in ax.get_xlabel()
    assert_no_overlap(ax)

    # A real earlier period (not a handful) is kept on the axis.
    ax = plot_outstanding_by_month(pd.concat([invoices(12, start="2022-01", per_month=10), main]), AS_OF)
    assert len(ax.containers[0]) == 36
