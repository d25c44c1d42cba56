"""Every notebook in notebooks/ runs top to bottom, headless, against the emulator."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="the notebook tests need nbformat (pip install -e '.[test]')")
nbclient = pytest.importorskip("nbclient", reason="the notebook tests need nbclient (pip install -e '.[test]')")
pytest.importorskip("ipykernel", reason="the notebook tests need ipykernel (pip install -e '.[test]')")

from invoice_analytics.emulator import (  # noqa: E402
    DEMO_FASPAY_PASSWORD,
    DEMO_FASPAY_USERNAME,
    DEMO_MAYAR_API_KEY,
)
from invoice_analytics.providers.faspay import faspay_signature  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SECRET_PREFIXES = ("FASPAY_", "MAYAR_")


def test_there_are_notebooks():
    assert [p.name for p in NOTEBOOKS] == [
        "01_quickstart.ipynb", "02_aging_report.ipynb", "03_dashboard.ipynb", "04_history.ipynb", "05_month_end.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_saved_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name}: cell {cell.id} has outputs"
    assert nb.metadata.get("widgets") is None  # no saved widget state


def test_notebooks_match_the_generator(tmp_path):
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_notebooks.py"), "--out", str(tmp_path)],
                   check=True, capture_output=True)
    for path in NOTEBOOKS:
        assert (tmp_path / path.name).read_text() == path.read_text(), (
            f"{path.name} differs from scripts/make_notebooks.py: run it and commit the result")


@pytest.fixture
def no_credentials(monkeypatch):
    """The kernel inherits this environment: make sure it sees no real credentials."""
    for name in list(os.environ):
        if name.startswith(SECRET_PREFIXES):
            monkeypatch.delenv(name)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path, tmp_path, no_credentials, monkeypatch):
    kernel_tmp = tmp_path / "kernel-tmp"  # the kernel's temporary files, to see that it leaves none behind
    kernel_tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(kernel_tmp))
    work = tmp_path / path.name
    shutil.copy(path, work)
    nb = nbformat.read(work, as_version=4)
    client = nbclient.NotebookClient(
        nb,
        timeout=180,
        startup_timeout=60,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},  # the kernel's cwd: exports go to tmp_path/out
    )
    client.execute()  # raises CellExecutionError on any error; the kernel is shut down at the end
    left = sorted(p.name for p in kernel_tmp.iterdir() if p.name.startswith(("ia-", "invoice-analytics-")))
    assert not left, f"{path.name} leaves {left} behind"  # demo stores live in directories removed with the kernel

    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = json.dumps(outputs)
    assert "embedded emulator" in text
    for secret in (DEMO_FASPAY_PASSWORD, DEMO_MAYAR_API_KEY,
                   faspay_signature(DEMO_FASPAY_USERNAME, DEMO_FASPAY_PASSWORD)):
        assert secret not in text, f"{path.name} shows a secret in its outputs"
    assert "Traceback" not in text
    if not path.stem.startswith("01"):
        assert any("image/png" in o.get("data", {}) for o in outputs), "charts are shown as images"
    if path.stem.startswith("02"):
        assert (tmp_path / "out" / "aging_report.csv").exists()
        assert (tmp_path / "out" / "aging_report.xlsx").exists()
        assert (tmp_path / "out" / "aging_report.pdf").read_bytes().startswith(b"%PDF-")
    if path.stem.startswith("05"):
        assert (tmp_path / "out" / "month-end-pack.xlsx").stat().st_size > 0
        assert (tmp_path / "out" / "month-end-pack.pdf").read_bytes().startswith(b"%PDF-")
        assert "Comparative aging" in text and "All providers" in text
    if path.stem.startswith("04"):
        assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs)
    if path.stem.startswith("03"):
        assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs)
        assert (tmp_path / "out" / "dashboard.xlsx").exists()
