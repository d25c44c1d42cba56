"""The dashboard notebook in a real browser: JupyterLab on loopback, headless Chromium.

Runs ``notebooks/03_dashboard.ipynb`` with "Run All Cells", waits for the
FilterPanel to render, changes the provider filter in the page and checks
that the KPIs, the report table and the chart change. Skipped when Chromium
(``/usr/bin/chromium``, Debian's ``chromium`` package), Playwright or
JupyterLab is missing; select it with ``-m browser``. A screenshot of the
rendered panel is saved to ``/tmp/panel.png``.

Voilà is not tested: on this stack it stalled on 30-50 % of page loads of
notebooks with widgets, which would make the test flaky.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("INVOICE_ANALYTICS_CHROMIUM", "/usr/bin/chromium"))
ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "03_dashboard.ipynb"
SCREENSHOT = Path("/tmp/panel.png")
FAILURE_SCREENSHOT = Path("/tmp/panel-failure.png")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.browser

if not CHROMIUM.exists():
    pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")
pytest.importorskip("jupyterlab", reason="jupyterlab is not installed (pip install jupyterlab)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, timeout: float = 2.0) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read()


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory) -> Iterator[str]:
    """A JupyterLab server on 127.0.0.1 (empty token) serving a copy of the notebook."""
    base = tmp_path_factory.mktemp("jupyterlab")
    root = base / "root"
    root.mkdir()
    shutil.copy(NOTEBOOK, root / NOTEBOOK.name)
    (root / LATENCY_NOTEBOOK).write_text(json.dumps(_latency_notebook()))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FASPAY_", "MAYAR_"))}
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_RUNTIME_DIR", "JUPYTERLAB_SETTINGS_DIR",
                 "JUPYTERLAB_WORKSPACES_DIR", "IPYTHONDIR"):
        env[name] = str(base / name.lower())
    news = base / "jupyterlab_settings_dir" / "@jupyterlab" / "apputils-extension"
    news.mkdir(parents=True)  # no "official Jupyter news?" toast over the page
    (news / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false"}))
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = open(base / "server.log", "wb")  # noqa: SIM115 - closed in the finalizer
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
         "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
         "--IdentityProvider.token=", "--ServerApp.password=", f"--ServerApp.root_dir={root}",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
         "--ServerApp.shutdown_no_activity_timeout=600", "--MappingKernelManager.cull_idle_timeout=600"],
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited: {(base / 'server.log').read_text()[-2000:]}")
            try:
                json.loads(_get(f"{url}/api/status"))
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("JupyterLab did not start within 60 s") from None
                time.sleep(0.25)
        yield url
    finally:
        # SIGTERM: the server shuts its kernels down and exits (about 3 s).
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # kernels exit when their parent is gone
            proc.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as p:
        # scroll bars drawn as a reader sees them (Playwright hides them by default): the test measures them
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS,
                                    ignore_default_args=["--hide-scrollbars"])
        try:
            yield browser
        finally:
            browser.close()


def _text(page, selector: str) -> str:
    return page.locator(selector).first.inner_text()


def _wait_for_change(page, selector: str, before: str, timeout_ms: int = 60_000) -> str:
    page.wait_for_function(
        "([sel, before]) => { const e = document.querySelector(sel); return e && e.innerText !== before; }",
        arg=[selector, before], timeout=timeout_ms,
    )
    return _text(page, selector)


def _wait_for_text(page, selector: str, wanted: str, timeout_ms: int = 60_000) -> str:
    page.wait_for_function(
        "([sel, wanted]) => { const e = document.querySelector(sel); return e && e.innerText.includes(wanted); }",
        arg=[selector, wanted], timeout=timeout_ms,
    )
    return _text(page, selector)


def _download(page, button: str, tmp_path: Path) -> Path:
    """Click an export button, then the link it offers; the file the browser saved."""
    page.locator(".ia-filter-panel .ia-download").first.scroll_into_view_if_needed()
    page.locator(f".ia-filter-panel button.{button}").first.click()
    link = page.locator(".ia-filter-panel .ia-download a.ia-download-link").first
    link.wait_for(state="visible", timeout=90_000)
    with page.expect_download(timeout=60_000) as info:
        link.click()
    download = info.value
    assert download.failure() is None
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    return path


#: Measures the report table in the page: where its Total column is, and whether it scrolls sideways.
MEASURE_TABLE = """() => {
    const box = document.querySelector('.ia-filter-panel .ia-table .ia-report');
    const heads = box.querySelectorAll('thead th');
    const total = heads[heads.length - 1];
    const name = box.querySelector('tbody th.ia-name');
    const view = box.closest('.jp-WindowedPanel-outer') || document.documentElement;
    const r = (e) => { const b = e.getBoundingClientRect();
                       return {left: b.left, right: b.right, top: b.top, bottom: b.bottom}; };
    return {
        total_text: total.innerText, box: r(box), total: r(total), name: r(name), view: r(view),
        viewport: window.innerWidth, viewport_height: window.innerHeight,
        scroll_width: box.scrollWidth, client_width: box.clientWidth,
        scrollbar_height: box.offsetHeight - box.clientHeight,
        columns: Array.from(heads, (h) => [h.innerText, Math.round(h.getBoundingClientRect().width)]),
        font_size: getComputedStyle(box.querySelector('td')).fontSize,
        overflow_x: getComputedStyle(box).overflowX, name_position: getComputedStyle(name).position,
    };
}"""


def test_dashboard_in_jupyterlab(jupyterlab, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    page.set_default_timeout(60_000)
    try:
        page.goto(f"{jupyterlab}/lab/tree/{NOTEBOOK.name}", wait_until="domcontentloaded")
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
        page.wait_for_selector("text=| Idle", timeout=90_000)  # the kernel is up

        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-item:not(.lm-mod-disabled) .lm-Menu-itemLabel", has_text="Run All Cells").first.click()

        # The panel renders: its dropdowns, its outputs, a chart image, the KPIs and the table.
        panel = page.locator(".ia-filter-panel").first
        for selector in (".widget-dropdown select", ".widget-output", ".ia-chart img[src^='blob:']",
                         ".ia-kpis .ia-kpi-value", ".ia-table table", ".ia-header .ia-demo-badge"):
            page.wait_for_selector(f".ia-filter-panel {selector}", state="attached", timeout=120_000)
        panel.scroll_into_view_if_needed()
        page.wait_for_selector(".ia-filter-panel .ia-provider select", state="visible", timeout=30_000)

        header = _text(page, ".ia-filter-panel .ia-header")
        kpis = _text(page, ".ia-filter-panel .ia-kpis")
        table = _text(page, ".ia-filter-panel .ia-table")
        summary = _text(page, ".ia-filter-panel .ia-summary")
        chart = page.locator(".ia-filter-panel .ia-chart img").first.get_attribute("src")
        assert "DEMO DATA" in header
        assert "Open" in kpis and "Past due" in kpis and "Paid ratio" in kpis and "Rp " in kpis
        assert "Total" in table and "Amounts in rupiah (Rp)" in table
        assert "Showing 8.500 of 8.500 invoices" in summary
        assert "Provider status" in _text(page, ".ia-filter-panel")

        # At 1280x800 (JupyterLab's file browser open) every bucket, Credit and Total are in view: the
        # table does not scroll sideways.
        page.locator(".ia-filter-panel .ia-table").first.scroll_into_view_if_needed()
        m = page.evaluate(MEASURE_TABLE)
        print("report table at 1280x800:", m)
        assert m["total_text"] == "Total"
        assert m["columns"][0][0].split("\n") == ["Customer", "Customer id · Provider"]  # human headers
        assert [c[0] for c in m["columns"]][1:] == ["Current", "1-30", "31-60", "61-90", ">90", "Credit", "Total"]
        assert m["scroll_width"] <= m["client_width"], m  # no sideways scrolling
        right_edge = min(m["box"]["right"], m["view"]["right"], m["viewport"])
        assert m["total"]["right"] <= right_edge + 1

        # Change a filter in the page: only Mayar invoices.
        page.locator(".ia-filter-panel .ia-provider select").first.select_option(["mayar"])
        new_kpis = _wait_for_change(page, ".ia-filter-panel .ia-kpis", kpis)
        new_table = _wait_for_change(page, ".ia-filter-panel .ia-table", table)
        page.wait_for_function(
            "([sel, before]) => { const e = document.querySelector(sel); return e && e.src !== before; }",
            arg=[".ia-filter-panel .ia-chart img", chart], timeout=60_000,
        )
        new_summary = _wait_for_change(page, ".ia-filter-panel .ia-summary", summary)
        assert new_kpis != kpis and new_table != table
        assert "Showing 2.500 of 8.500 invoices" in new_summary  # Indonesian numbers, the default
        assert "Rp 220.467.600" in new_kpis  # the demo data's open Mayar balance

        # "All providers" selects them all again.
        page.locator(".ia-filter-panel button.ia-all-providers").first.click()
        _wait_for_text(page, ".ia-filter-panel .ia-summary", "Showing 8.500 of 8.500 invoices")
        assert _text(page, ".ia-filter-panel .ia-kpis") == kpis

        # And the bucket scheme (the dropdown): the table gets the new columns.
        before_chart = page.locator(".ia-filter-panel .ia-chart img").first.get_attribute("src")
        page.locator(".ia-filter-panel .ia-scheme select").first.select_option("30/60/90/120")
        _wait_for_text(page, ".ia-filter-panel .ia-table", ">120")
        # a bucket more (eight money columns, about 860 px of full rupiah at 12px): the text is made smaller
        # to fit, so every bucket, Credit and Total are still in view
        wide = page.evaluate(MEASURE_TABLE)
        print("report table at 1280x800, buckets 30/60/90/120:", wide)
        assert [c[0] for c in wide["columns"]][-3:] == [">120", "Credit", "Total"]
        assert wide["scroll_width"] <= wide["client_width"], wide  # no sideways scrolling
        assert wide["total"]["right"] <= min(wide["box"]["right"], wide["view"]["right"], wide["viewport"]) + 1
        # the whole update lands: the summary names the scheme and the chart is redrawn with its buckets
        _wait_for_text(page, ".ia-filter-panel .ia-summary", "30/60/90/120")
        page.wait_for_function(
            "([sel, before]) => { const e = document.querySelector(sel); return e && e.src !== before; }",
            arg=[".ia-filter-panel .ia-chart img", before_chart], timeout=60_000,
        )

        # Terms: Mayar invoices (no due date) due 14 days after issue; less is past due.
        past_due = _text(page, ".ia-filter-panel .ia-kpi-overdue .ia-kpi-value")
        terms = page.locator(".ia-filter-panel .ia-terms-mayar input").first
        terms.fill("14")
        terms.press("Enter")
        _wait_for_text(page, ".ia-filter-panel .ia-summary", "mayar 14 days")
        assert _text(page, ".ia-filter-panel .ia-kpi-overdue .ia-kpi-value") != past_due

        # The README's picture: the panel at 1280x800, top of the panel in view.
        page.locator(".ia-filter-panel .ia-header").first.scroll_into_view_if_needed()
        page.evaluate("() => document.querySelector('.ia-filter-panel').scrollIntoView({block: 'start'})")
        page.screenshot(path=str(SCREENSHOT))

        # Export Excel and Export CSV arrive as downloads in the browser.
        xlsx = _download(page, "ia-export-excel", tmp_path)
        assert xlsx.name == "DEMO_aging_2026-11-21.xlsx"
        import openpyxl

        book = openpyxl.load_workbook(xlsx)
        assert book.sheetnames == ["Aging report", "Overdue invoices", "KPIs", "Filters"]
        tops = {s.title: int(s.print_title_rows.split(":")[0].strip("$")) for s in book.worksheets}
        settings = {row[0].value: row[1].value for row in book["Filters"].iter_rows(min_row=tops["Filters"] + 1)}
        assert settings["buckets"] == "30/60/90/120"
        assert settings["terms where no due date"] == "faspay 0, mayar 14 days"
        assert settings["source"].startswith("DEMO DATA")
        assert book["Overdue invoices"].max_row > tops["Overdue invoices"] + 100
        report = book["Aging report"]
        assert report["A2"].value == "As of: 2026-11-21 (Asia/Jakarta)"
        heading = [c.value for c in report[tops["Aging report"]]]
        assert heading[:3] == ["Customer", "Customer ID", "Provider"]  # one row per customer
        assert heading[-2:] == ["Credit", "Total"]
        assert report.cell(report.max_row, 1).value == "Total"

        csv = _download(page, "ia-export-csv", tmp_path)
        assert csv.name == "DEMO_aging_report_2026-11-21.csv"
        lines = csv.read_text(encoding="utf-8").splitlines()
        assert lines[0].startswith("customer_name,customer_id,provider,Current,1-30")
        assert lines[0].endswith(">120,Credit,Total")
        assert lines[-1].split(",")[:3] == ["Total", "", ""] and len(lines) == report.max_row - tops["Aging report"] + 1
        total_cells = [c.value for c in report[report.max_row]][3:]
        assert lines[-1].split(",")[3:] == [str(v) for v in total_cells]  # the same figures

        # Choose the table's first customer (name, customer id, provider): the Statement list holds
        # the same customer, and their statement opens in the Statement tab.
        first_row = page.locator(".ia-filter-panel .ia-table tbody tr").first
        first_name = first_row.locator("th.ia-name > span").first.inner_text()
        customer_id, provider = (t.strip() for t in first_row.locator("th.ia-name .ia-key").all_inner_texts())
        chooser = page.locator(".ia-filter-panel .ia-statement-customer select").first
        wanted = f"{first_name} · {provider} {customer_id}"
        page.locator(".ia-filter-panel .ia-statement-search input").first.fill(customer_id)  # search by id
        page.wait_for_function(
            "([sel, wanted]) => Array.from(document.querySelector(sel).options, o => o.label.replace(/\\u00a0/g, ' '))"
            ".includes(wanted)", arg=[".ia-filter-panel .ia-statement-customer select", wanted], timeout=60_000)
        labels = [t.replace("\xa0", " ") for t in chooser.evaluate("s => Array.from(s.options, o => o.label)")]
        index = next((i for i, t in enumerate(labels) if t == wanted), None)
        assert index is not None, (wanted, labels[:5])
        chooser.select_option(index=index)
        title = _wait_for_text(page, ".ia-filter-panel .ia-statement .ia-statement-title", first_name)
        assert "Statement of" in title and "as of 2026-11-21" in title
        statement = _text(page, ".ia-filter-panel .ia-statement .ia-statement-table")
        assert "Total" in statement and "Rp " in statement and "Days past due" in statement
        page.wait_for_function(  # the Statement tab is the open one
            "() => { const t = document.querySelector('.ia-filter-panel .ia-charts .lm-TabBar-tab.lm-mod-current');"
            " return t && t.innerText.trim() === 'Statement'; }", timeout=30_000)
        assert page.locator(".ia-filter-panel .ia-statement .ia-statement-table").first.is_visible()

        # The search box applies on Enter.
        search = page.locator(".ia-filter-panel .ia-customer input").first
        before = _text(page, ".ia-filter-panel .ia-summary")
        search.fill(first_name.lower())
        search.press("Enter")
        searched = _wait_for_change(page, ".ia-filter-panel .ia-summary", before)
        assert "of 8.500 invoices" in searched and "Showing 8.500" not in searched

        # Reset: every control back to its first value, in one update.
        page.locator(".ia-filter-panel button.ia-reset").first.click()
        reset = _wait_for_text(page, ".ia-filter-panel .ia-summary", "buckets 30/60/90 ·")
        assert "Showing 8.500 of 8.500 invoices" in reset and "terms 0 days" in reset
        assert page.locator(".ia-filter-panel .ia-scheme select").first.input_value() == "30/60/90"
        assert search.input_value() == "" and terms.input_value() == "0"
        assert page.locator(".ia-filter-panel .ia-download a").count() == 0
        assert _text(page, ".ia-filter-panel .ia-kpis") == kpis
    except Exception:
        page.screenshot(path=str(FAILURE_SCREENSHOT), full_page=True)
        raise
    finally:
        page.close()


# ----------------------------------------------------------------------------- latency at 100,000 invoices

#: Records, in the page, when the panel's DOM last changed (and how often), to tell when a change has settled.
WATCH_PANEL = """() => {
    const root = document.querySelector('.ia-filter-panel');
    window.__iaLast = performance.now(); window.__iaCount = 0;
    new MutationObserver(() => { window.__iaLast = performance.now(); window.__iaCount += 1; })
        .observe(root, {subtree: true, childList: true, attributes: true, characterData: true});
}"""
#: The kernel is idle (the status bar says so) and the panel has not changed for 600 ms since it last did.
SETTLED = """([count, start]) => {
    const idle = Array.from(document.querySelectorAll('.jp-StatusBar-TextItem'))
        .some(e => e.textContent.includes('| Idle'));
    const now = performance.now();
    return idle && now - window.__iaLast > 600 && (count >= 0 ? window.__iaCount > count : now - start > 1500);
}"""
LATENCY_NOTEBOOK_CODE = """import os, sys
sys.path.insert(0, {bench!r})
if os.environ.get("INVOICE_ANALYTICS_PANEL_CODE"):  # measure another checkout (e.g. main's, for the baseline)
    sys.meta_path[:] = [f for f in sys.meta_path if "__editable__" not in str(getattr(f, "__module__", ""))]
    sys.path.insert(0, os.environ["INVOICE_ANALYTICS_PANEL_CODE"])
import invoice_analytics as ia
store = ia.InvoiceStore({store!r})
panel = ia.FilterPanel(store)
panel"""


def _settle(page, action, *, changes: bool = True) -> float:
    """Run ``action`` (in the page) and return the ms from just before it to the panel's last change
    (``changes=False``: the action may change nothing, then wait 1.5 s)."""
    count, start = page.evaluate("() => [window.__iaCount, performance.now()]")
    action()
    try:
        page.wait_for_function(SETTLED, arg=[count if changes else -1, start], timeout=120_000, polling=50)
    except sync_api.TimeoutError:  # say why: no change seen, changes that never stop, or a busy kernel
        state = page.evaluate("() => [window.__iaCount, performance.now() - window.__iaLast,"
                              " Array.from(document.querySelectorAll('.jp-StatusBar-TextItem'), e => e.textContent)]")
        raise AssertionError(f"the panel did not settle: changes {count} -> {state[0]}, last change "
                             f"{state[1]:.0f} ms ago, status bar {state[2]}") from None
    return float(page.evaluate("() => window.__iaLast")) - start


#: The benchmark's 100,000-invoice store (built by the test when missing; kept for the next run).
LATENCY_STORE = Path(os.environ.get("INVOICE_ANALYTICS_LATENCY_STORE", "/tmp/ia-panel-latency-store"))
LATENCY_NOTEBOOK = "latency.ipynb"


def _latency_notebook() -> dict[str, object]:
    """A notebook opening a FilterPanel over :data:`LATENCY_STORE`."""
    source = LATENCY_NOTEBOOK_CODE.format(bench=str(ROOT / "benchmarks"), store=str(LATENCY_STORE))
    return {"cells": [{"cell_type": "code", "execution_count": None, "id": "latency", "metadata": {},
                       "outputs": [], "source": source}],
            "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
            "nbformat": 4, "nbformat_minor": 5}


def _latency_store() -> Path:
    """:data:`LATENCY_STORE`, built when missing."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_panel_latency import ensure_store

    return ensure_store(LATENCY_STORE)


def test_panel_latency_at_100k_invoices(jupyterlab, browser):
    """Every control and the first opening of every tab over a 100,000-invoice store, in the page; prints
    median / max ms from the change to the panel settling (no timed assertion: the figures are printed)."""
    _latency_store()
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.set_default_timeout(120_000)
    figures: dict[str, list[float]] = {}
    try:
        # a workspace of its own: the dashboard notebook of the other test is not open (and matched) here
        page.goto(f"{jupyterlab}/lab/workspaces/latency/tree/{LATENCY_NOTEBOOK}?reset", wait_until="domcontentloaded")
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
        page.wait_for_selector("text=| Idle", timeout=90_000)
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-item:not(.lm-mod-disabled) .lm-Menu-itemLabel", has_text="Run All Cells").first.click()
        page.wait_for_selector(".ia-filter-panel .ia-chart img[src^='blob:']", state="attached",
                               timeout=300_000)
        page.wait_for_selector(".ia-filter-panel .ia-table table", state="attached", timeout=60_000)
        page.evaluate(WATCH_PANEL)
        p = ".ia-filter-panel"

        def run(label: str, action) -> None:
            figures.setdefault(label, []).append(_settle(page, action))

        def reset() -> None:  # every control back to its first value (not timed)
            _settle(page, lambda: page.locator(f"{p} button.ia-reset").first.click(), changes=False)

        def fill(selector: str, text: str):
            def action() -> None:
                box = page.locator(f"{p} {selector} input").first
                box.fill(text)
                box.press("Enter")
            return action

        as_of_box = page.locator(f"{p} .ia-as-of input").first
        last = dt.date.fromisoformat(as_of_box.input_value())
        summary = _text(page, f"{p} .ia-summary")
        repeat = 5
        for i in range(repeat):
            run("provider", lambda i=i: page.locator(f"{p} .ia-provider select").first.select_option(
                ["faspay"] if i % 2 == 0 else ["faspay", "mayar"]))
        reset()
        for i in range(repeat):
            status = page.locator(f"{p} .ia-status select").first
            every = status.evaluate("s => Array.from(s.options, o => o.value)")
            run("provider status", lambda i=i, every=every, status=status: status.select_option(
                every[:1] if i % 2 == 0 else every))
        reset()
        for i in range(repeat):
            run("customer search", fill(".ia-customer", "pelanggan 12" if i % 2 == 0 else ""))
        reset()
        for i in range(repeat):
            run("issued from", fill(".ia-issued-from", str(last - dt.timedelta(days=60)) if i % 2 == 0 else ""))
        reset()
        for i in range(repeat):
            run("issued to", fill(".ia-issued-to", str(last - dt.timedelta(days=30)) if i % 2 == 0 else ""))
        reset()
        for i in range(repeat):
            run("as of", fill(".ia-as-of", str(last - dt.timedelta(days=3 + i))))
        reset()
        for i in range(repeat):
            run("buckets", lambda i=i: page.locator(f"{p} .ia-scheme select").first.select_option(
                "30/60/90/120" if i % 2 == 0 else "30/60/90"))
        reset()
        for i in range(repeat):
            run("terms", fill(".ia-terms-mayar", "14" if i % 2 == 0 else "0"))
        search = page.locator(f"{p} .ia-statement-search input")
        reset()
        for i in range(repeat):
            wanted = f"C{1000 + i}"
            if search.count():  # a search box over a short list
                run("statement search", fill(".ia-statement-search", wanted))
                run("statement customer", lambda: page.locator(f"{p} .ia-statement-customer select").first
                    .select_option(index=1))
            else:  # one long dropdown
                run("statement customer", lambda i=i: page.locator(f"{p} .ia-statement-customer select").first
                    .select_option(index=1 + i))
            assert "Statement of" in _text(page, f"{p} .ia-statement")
        reset()
        assert "Showing 0 " not in _text(page, f"{p} .ia-summary")
        tabs = page.locator(f"{p} .ia-charts .lm-TabBar-tab")
        titles = [t.strip() for t in tabs.all_inner_texts()]
        for i in range(repeat):
            _settle(page, lambda: tabs.nth(0).click(), changes=False)  # the first tab, a new date: nothing drawn
            _settle(page, fill(".ia-as-of", str(last - dt.timedelta(days=20 + i))))
            for index, title in enumerate(titles[1:], start=1):
                run(f"first opening of {title}", lambda index=index: tabs.nth(index).click())
        assert _text(page, f"{p} .ia-summary") != summary
        page.screenshot(path="/tmp/panel-latency.png")
    except Exception:
        page.screenshot(path=str(FAILURE_SCREENSHOT), full_page=True)
        raise
    finally:
        page.close()
    import statistics

    print(f"\npanel latency in the browser over a 100,000-invoice store ({os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.2f}): median / max ms from the change to the page settling, {repeat} each")
    for label, values in figures.items():
        print(f"  {label:32s} {statistics.median(values):7,.0f} / {max(values):7,.0f}")
    assert all(len(v) == repeat for v in figures.values())
