"""The parts every chart is drawn with (colours, axes and titles, ticks, labels, bars); public names re-exported
by :mod:`invoice_analytics.display.charts`. A helper draws on the axes it is given and keeps no state."""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from itertools import pairwise
from typing import Literal

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import to_hex, to_rgb
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, MaxNLocator

from invoice_analytics._dates import jakarta_date
from invoice_analytics._text import drawable
from invoice_analytics._types import AsOf
from invoice_analytics.analytics._rules import DEFAULT_EDGES
from invoice_analytics.formatting import (
    format_rupiah,
    rupiah_formatter,
)
from invoice_analytics.schema import PROVIDER_DTYPE

__all__ = [
    "BUCKET_COLORS",
    "CREDIT_COLOR",
    "DEMO_LINE",
    "FOLD_GAP_MONTHS",
    "FOLD_SHARE",
    "NAME_WIDTH",
    "OTHER_COLOR",
    "PROVIDER_COLORS",
    "TOTAL_COLOR",
    "bucket_colors",
    "is_demo",
    "literal",
    "provider_color",
]

#: One fixed colour per provider, used by every chart.
PROVIDER_COLORS: dict[str, str] = {"faspay": "#1f5fa8", "mayar": "#8e44ad"}

#: Colour for a provider outside :data:`PROVIDER_COLORS` (should not happen).
OTHER_COLOR = "#7f7f7f"

#: Bucket label -> colour for the default edges (30, 60, 90), green to red.
BUCKET_COLORS: dict[str, str] = {
    "Current": "#2e7d32",
    "1-30": "#9ccc65",
    "31-60": "#fbc02d",
    "61-90": "#f57c00",
    ">90": "#c62828",
}

#: Colour of the overall line of :func:`plot_paid_ratio_by_month`.
TOTAL_COLOR = "#333333"

#: The aging chart's "Credit" bar (negative outstanding, below zero), apart from every bucket colour.
CREDIT_COLOR = "#2a9d8f"

_PROVIDERS: tuple[str, ...] = tuple(PROVIDER_DTYPE.categories)
_NO_DATA_COLOR = "#808080"


def _palette(n: int) -> list[str]:
    """``n`` colours from green (position 0) to red (position ``n - 1``)."""
    anchors = list(BUCKET_COLORS.values())
    if n == len(anchors):
        return anchors
    if n <= 1:
        return anchors[:n]
    rgb = np.array([to_rgb(c) for c in anchors])
    stops = np.linspace(0.0, 1.0, len(anchors))
    points = np.linspace(0.0, 1.0, n)
    channels = [np.interp(points, stops, rgb[:, i]) for i in range(3)]
    return [to_hex((float(r), float(g), float(b))) for r, g, b in zip(*channels, strict=True)]


def bucket_colors(edges: Sequence[int] = DEFAULT_EDGES) -> list[str]:
    """The colours of the ``len(edges) + 2`` aging buckets ("Current", the intervals, the last), green to red."""
    return _palette(len(edges) + 2)


def literal(text: str) -> str:
    """Text from data as matplotlib should draw it (:func:`~invoice_analytics._text.drawable`: no math, no controls)."""
    return drawable(text)


def provider_color(provider: object) -> str:
    """The fixed colour of ``provider`` (grey for an unknown one)."""
    return PROVIDER_COLORS.get(str(provider), OTHER_COLOR)


# ---------------------------------------------------------------------------
# notebooks: a chart at the end of a cell shows as a picture


def _png_of(obj: Axes | Figure) -> bytes:
    """The PNG of an Axes' figure (or of a Figure), tight around what is drawn."""
    from io import BytesIO

    figure = obj.get_figure(root=True) if isinstance(obj, Axes) else obj
    assert isinstance(figure, Figure)
    buffer = BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return buffer.getvalue()


def _register_png_formatter() -> bool:
    """Show ``Axes`` and ``Figure`` results as PNG in a running IPython; False elsewhere."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None or not hasattr(shell, "display_formatter"):
        return False
    formatter = shell.display_formatter.formatters.get("image/png")
    if formatter is None:
        return False
    formatter.for_type(Axes, _png_of)
    formatter.for_type(Figure, _png_of)
    return True


#: In IPython a chart at the end of a cell shows as a picture, whichever chart module drew it
#: (charts.py or _trend_chart.py: both import this module).
_register_png_formatter()




# ---------------------------------------------------------------------------
# helpers


def _new_axes(ax: Axes | None, figsize: tuple[float, float]) -> Axes:
    if ax is not None:
        return ax
    fig = Figure(figsize=figsize, layout="constrained")
    return fig.add_subplot()


#: The line a chart of the sample data adds under its title (``df.attrs["source"] == "demo"``).
DEMO_LINE = "DEMO DATA (embedded sample invoices)"


def is_demo(df: pd.DataFrame) -> bool:
    """Whether ``df`` holds the embedded sample data (``attrs["source"] == "demo"``)."""
    from invoice_analytics.schema import DEMO_SOURCE

    return bool(df.attrs.get("source") == DEMO_SOURCE)


def _set_title(ax: Axes, df: pd.DataFrame, text: str) -> None:
    r"""The title, with :data:`DEMO_LINE` under it when ``df`` is the sample data."""
    ax.set_title(f"{text}\n{DEMO_LINE}" if is_demo(df) else text)


def _no_data(ax: Axes, text: str = "No invoices") -> Axes:
    ax.text(
        0.5,
        0.5,
        text,
        transform=ax.transAxes,
        ha="center",
        va="center",
        fontsize="x-large",
        color=_NO_DATA_COLOR,
    )
    ax.set_xticks([])
    ax.set_yticks([])
    return ax


def _ints(values: pd.Series) -> np.ndarray:
    """Rupiah sums as a plain int64 array (missing -> 0)."""
    ints: np.ndarray = pd.Series(values).astype("Int64").to_numpy(dtype="int64", na_value=0)
    return ints


def _providers_in(frame: pd.DataFrame) -> list[str]:
    """Providers present in ``frame``, in the fixed provider order."""
    present = {str(p) for p in frame["provider"].dropna().unique()}
    known = [p for p in _PROVIDERS if p in present]
    return known + sorted(present - set(known))


def _as_of_text(as_of: AsOf) -> str:
    """The Jakarta date ``as_of`` stands for (None = today), as the analytics read it."""
    return jakarta_date(as_of).isoformat()


def _month_range(months: pd.Index) -> pd.PeriodIndex:
    months = months.dropna()
    return pd.period_range(months.min(), months.max(), freq="M")


_STEPS = (1, 2, 3, 4, 6, 12, 24, 36, 60, 120)
#: Longest customer name drawn on an axis; longer ones end with "…".
NAME_WIDTH = 32


def _short(name: str, width: int = NAME_WIDTH) -> str:
    """``name`` cut to ``width`` characters, the last one an ellipsis."""
    return name if len(name) <= width else name[: width - 1].rstrip() + "\u2026"


def _set_month_ticks(ax: Axes, months: pd.Index, step: int = 1,
                     labels: Sequence[str] | None = None) -> None:
    """A label every ``step`` months (:func:`_fit_labels` widens it until none overlap)."""
    names = list(labels) if labels is not None else [str(m) for m in months]
    x = np.arange(len(months))
    ax.set_xticks(x[::step], names[::step])
    ax.set_xticks(x if step > 1 else [], minor=True)
    if len(months) > 6:
        ax.tick_params(axis="x", labelrotation=45)
        for label in ax.get_xticklabels():
            label.set_horizontalalignment("right")
            label.set_rotation_mode("anchor")


#: Months before a run of at least this many empty months are folded when they are few ...
FOLD_GAP_MONTHS = 6
#: ... holding at most this share of the weight (amount or invoices) drawn.
FOLD_SHARE = 0.10


def _main_start(weights: pd.Series) -> pd.Period | None:
    """The first month of the main period, or None: months before the latest gap of :data:`FOLD_GAP_MONTHS` empty
    months are folded when they hold at most :data:`FOLD_SHARE` of ``weights`` (stray months stretch the axis)."""
    w = weights[weights > 0].sort_index()
    if len(w) < 2:
        return None
    total = float(w.sum())
    months = w.index
    start = None
    before = 0.0
    for i in range(1, len(months)):
        before += float(w.iloc[i - 1])
        if before > FOLD_SHARE * total:
            break
        if (months[i] - months[i - 1]).n > FOLD_GAP_MONTHS:
            start = months[i]
    return start


def _overlap(a: object, b: object, pad: float = 1.0) -> bool:
    from matplotlib.transforms import Bbox

    assert isinstance(a, Bbox) and isinstance(b, Bbox)
    return bool(a.x0 < b.x1 + pad and b.x0 < a.x1 + pad and a.y0 < b.y1 + pad and b.y0 < a.y1 + pad)


#: Figures laid out by :func:`_fit_labels` after their last change (a PNG of one may keep that layout).
FITTED: weakref.WeakSet[Figure] = weakref.WeakSet()
#: Figures whose Agg canvas holds the pixels of their last fitting draw (:func:`rendered_fit`): their PNG is
#: that buffer, encoded, without drawing again.
RENDERED: weakref.WeakSet[Figure] = weakref.WeakSet()
_RENDER_FIT: ContextVar[bool] = ContextVar("render_fit", default=False)


@contextmanager
def rendered_fit(on: bool = True) -> Iterator[None]:
    """Within it, :func:`_fit_labels` lays a figure out with Agg drawing its pixels (one draw serves both the
    label boxes and the PNG) and adds it to :data:`RENDERED`."""
    token = _RENDER_FIT.set(on)
    try:
        yield
    finally:
        _RENDER_FIT.reset(token)


def _layout_draw(figure: Figure) -> None:
    """Lay ``figure`` out and place its texts: with its pixels on an Agg canvas inside :func:`rendered_fit`."""
    if not _RENDER_FIT.get():
        figure.draw_without_rendering()
        return
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = figure.canvas if isinstance(figure.canvas, FigureCanvasAgg) else FigureCanvasAgg(figure)
    canvas.draw()  # type: ignore[no-untyped-call]


def _fit_labels(ax: Axes, months: pd.Index | None = None,
                month_labels: Sequence[str] | None = None) -> None:
    """Lay the figure out, then thin what would overlap: month ticks to the smallest step of 1, 2, 3, 4, 6, 12...
    months, an x value axis to the most of 7, 5, 4, 3 or 2 intervals, value labels overlapping a kept one dropped."""
    figure = ax.get_figure(root=True)
    assert isinstance(figure, Figure)
    drawn = False  # laid out since the last change: the boxes are current, no need to draw again
    if months is not None and len(months):
        # No axis fits more than 24 month labels: start there, widen until none overlap.
        for step in [k for k in _STEPS if len(months) / k <= 24]:
            _set_month_ticks(ax, months, step, month_labels)
            _layout_draw(figure)
            drawn = True
            boxes = [t.get_window_extent() for t in ax.get_xticklabels() if t.get_text()]
            if not any(_overlap(a, b, pad=4.0) for a, b in pairwise(boxes)):
                break
    if months is None and not isinstance(ax.xaxis.get_major_locator(), FixedLocator):
        # A value axis along x (rupiah labels are wide): fewer ticks until their labels do not overlap.
        for nbins in (7, 5, 4, 3, 2):
            _layout_draw(figure)
            drawn = True
            boxes = [t.get_window_extent() for t in ax.get_xticklabels() if t.get_visible() and t.get_text()]
            if not any(_overlap(a, b, pad=4.0) for a, b in pairwise(boxes)):
                break
            ax.xaxis.set_major_locator(MaxNLocator(nbins=nbins))
            drawn = False
    for _ in range(3):  # hiding labels may move the layout a little: check again
        if not drawn:
            _layout_draw(figure)
        drawn = False
        ticks = [*ax.get_xticklabels(), *ax.get_yticklabels()]
        kept: list[object] = [t.get_window_extent() for t in ticks if t.get_visible() and t.get_text()]
        hidden = False
        for text in ax.texts:
            if not text.get_visible() or not text.get_text():
                continue
            box = text.get_window_extent()
            if any(_overlap(box, other, pad=4.0) for other in kept):
                text.set_visible(False)
                hidden = True
            else:
                kept.append(box)
        if not hidden:
            break
    else:  # labels hidden in the last pass: lay out what is drawn
        _layout_draw(figure)
    FITTED.add(figure)
    if _RENDER_FIT.get():
        RENDERED.add(figure)


def _stacked_bars(
    ax: Axes,
    table: pd.DataFrame,
    colors: Sequence[str],
    *,
    labels: bool,
    width: float = 0.7,
) -> np.ndarray:
    """Stacked bars of ``table``: a container per column (zero heights too), ``labels`` the totals; return them."""
    x = np.arange(len(table))
    bottom = np.zeros(len(table), dtype="int64")
    container = None
    for column, color in zip(table.columns, colors, strict=True):
        heights = _ints(table[column])
        container = ax.bar(
            x,
            heights,
            width,
            bottom=bottom,
            color=color,
            label=literal(str(column)),
            edgecolor="white",
            linewidth=0.5,
        )
        bottom = bottom + heights
    if labels and container is not None:
        _label_bars(ax, container, bottom)
    return bottom


def _label_bars(ax: Axes, container: BarContainer, amounts: Iterable[int]) -> None:
    """Compact rupiah ``amounts`` at the end of each bar of ``container``."""
    ax.bar_label(container, labels=[format_rupiah(a) for a in amounts], padding=3, fontsize="small")


def _sum_table(
    frame: pd.DataFrame, row: str, rows: Sequence[object], providers: list[str]
) -> pd.DataFrame:
    """Exact int64 sums of ``outstanding`` per ``row`` value (``rows`` order) and provider (``providers``)."""
    sums = frame.groupby([row, "provider"], sort=False)["outstanding"].sum()
    table = sums.unstack("provider", fill_value=0)
    return table.reindex(index=rows, columns=providers, fill_value=0)


def _money_axis(ax: Axes, largest: float, axis: Literal["x", "y"] = "y") -> None:
    """Rupiah ticks from 0, with room past ``largest`` for the value labels."""
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(rupiah_formatter())
    top = float(largest) * (1.12 if axis == "y" else 1.2) if largest > 0 else 1.0
    if axis == "y":
        ax.set_ylim(0, top)
    else:
        ax.set_xlim(0, top)
    ax.grid(axis=axis, alpha=0.3)
    ax.set_axisbelow(True)


def _legend_outside(ax: Axes, **kwargs: object) -> None:
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, **kwargs)
