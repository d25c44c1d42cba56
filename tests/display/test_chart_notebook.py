"""A chart at the end of a notebook cell shows as a picture in a fresh kernel (no magic, no display)."""

from __future__ import annotations

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")


TREND = """import pandas as pd
trend = pd.DataFrame({"Current": [5, 7], "1-30": [1, 2], "31-60": [0, 1], "61-90": [0, 0], ">90": [3, 3],
                      "Credit": [0, 0], "Total": [9, 13]},
                     index=pd.DatetimeIndex(["2026-11-01", "2026-12-01"], tz="Asia/Jakarta", name="date"))
ia.plot_aging_trend(trend)"""


@pytest.mark.parametrize("call", ["ia.plot_aging(ia.empty_frame())", TREND], ids=["charts", "trend_chart"])
def test_notebook_chart_shows_as_png(call):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import invoice_analytics as ia\n" + call)]
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    outputs = nb.cells[0].outputs
    assert [o["output_type"] for o in outputs] == ["execute_result"]
    assert "image/png" in outputs[0]["data"]

