"""The panel's chart tabs: which chart each tab draws and with which controls (private)."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from matplotlib import image, rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from invoice_analytics._types import AsOf, Terms
from invoice_analytics.analytics._rules import DEFAULT_EDGES
from invoice_analytics.display import charts
from invoice_analytics.display._chart_parts import RENDERED, rendered_fit

__all__ = ["CHARTS", "LAID_OUT_ONCE", "ChartSpec", "draw_chart", "render_chart"]


@dataclass(frozen=True)
class ChartSpec:
    """A chart of :mod:`invoice_analytics.display.charts` and the controls it depends on."""

    name: str
    uses_as_of: bool
    uses_edges: bool
    uses_terms: bool = False


#: Tab title -> chart: every chart of the panel, first one drawn by default.
CHARTS: dict[str, ChartSpec] = {
    "Aging": ChartSpec("plot_aging", True, True, True),
    "Top past due": ChartSpec("plot_top_overdue", True, True, True),
    "Open by month": ChartSpec("plot_outstanding_by_month", True, False),
    "Paid ratio": ChartSpec("plot_paid_ratio_by_month", False, False),
}
#: Charts drawn at the PNG's dpi whose PNG is the Agg draw that fitted their labels (:func:`rendered_fit`), not
#: ``savefig`` laying the figure out and drawing it again: the same texts shown, the same places within a pixel
#: (``tests/display/test_panel.py``). The Aging chart: every new as-of date draws it.
LAID_OUT_ONCE = frozenset({"Aging"})


def draw_chart(
    df: pd.DataFrame,
    title: str,
    *,
    as_of: AsOf = None,
    edges: Iterable[int] = DEFAULT_EDGES,
    terms_days: Terms = 0,
) -> Figure:
    """Draw the chart of tab ``title`` (a key of :data:`CHARTS`) on a new figure.

    ``terms_days`` (days, or a mapping by provider) goes to the charts that age invoices, not the others.
    """
    spec = CHARTS[title]
    plot: Callable[..., Any] = getattr(charts, spec.name)
    kwargs: dict[str, Any] = {}
    if spec.uses_edges:
        kwargs["edges"] = tuple(edges)
    if spec.uses_terms and terms_days != 0:  # the aging charts take a mapping too (aging_buckets does)
        kwargs["terms_days"] = terms_days
    ax = plot(df, as_of, **kwargs) if spec.uses_as_of else plot(df, **kwargs)
    figure: Figure = ax.figure
    return figure


def render_chart(
    df: pd.DataFrame,
    title: str,
    *,
    as_of: AsOf = None,
    edges: Iterable[int] = DEFAULT_EDGES,
    terms_days: Terms = 0,
    dpi: int = 96,
) -> bytes:
    """:func:`draw_chart` as PNG bytes (matplotlib's Agg; no pyplot state is touched; :data:`LAID_OUT_ONCE`)."""
    once = title in LAID_OUT_ONCE
    with rc_context({"figure.dpi": dpi}) if once else nullcontext(), rendered_fit(once):
        figure = draw_chart(df, title, as_of=as_of, edges=edges, terms_days=terms_days)
    buf = io.BytesIO()
    if once and figure in RENDERED:  # drawn at this dpi when its labels were fitted, unchanged since: encoded
        canvas = figure.canvas
        assert isinstance(canvas, FigureCanvasAgg)
        pixels = np.asarray(canvas.buffer_rgba())  # type: ignore[no-untyped-call]
        image.imsave(buf, pixels, format="png", origin="upper", dpi=dpi)
    else:  # not fitted (no data) or not laid out once: savefig lays it out and draws it
        figure.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()
