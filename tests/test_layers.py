"""The package's layers: every import points down (core, then providers and analytics, the store, display, the CLI)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "invoice_analytics"

#: Each part of the package (a sub-package, or a top-level module) and its layer, lowest first.
#: A part may import its own modules and those of any lower layer, never a higher or an equal one
#: (but the core's modules, layer 0, use one another).
LAYERS: dict[str, int] = {
    # the core: the schema, dates, errors, number formats, combining frames
    "_types": 0, "_text": 0, "_warn": 0, "errors": 0, "schema": 0, "_dates": 0, "_combine": 0, "formatting": 0,
    "_docs": 0, "settings": 0,
    "providers": 1,
    "analytics": 2,
    "emulator": 2,  # the embedded default: serves the providers' documented paths
    "export": 2,  # files from frames: CSV and Excel
    "workbook": 3,  # the finance-ready workbook writer (XlsxWriter), over export's text cleaning
    "history": 3,  # the store: refreshes through the providers, the demo store through the emulator
    "display": 4,
    "sources": 5, "report": 5, "_typeset": 5, "_history_summary": 5, "_forecast_summary": 5, "pdf": 6, "pack": 6,
    "_cli_types": 6,  # the command line's option types
    "cli": 7,
}


def _part(module: str) -> str:
    return module.split(".")[1]


def _imports() -> list[tuple[str, str, str]]:
    """(importing file, importing part, imported part) for every import of the package by itself."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE.parent).with_suffix("")
        if relative.parts == ("invoice_analytics", "__init__"):
            continue  # the public surface imports everything, lazily
        part = relative.parts[1]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            found += [(str(relative), part, _part(n)) for n in names
                      if n.startswith("invoice_analytics.") and _part(n) != part]
    return found


def test_every_part_has_a_layer():
    parts = {p.stem if p.is_file() else p.name for p in PACKAGE.iterdir()
             if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").exists()}
    assert parts <= set(LAYERS), f"give these a layer: {sorted(parts - set(LAYERS))}"


@pytest.mark.parametrize(("path", "part", "imported"), _imports())
def test_imports_point_down(path, part, imported):
    assert imported in LAYERS, f"{path} imports an unknown part {imported}"
    within_core = LAYERS[imported] == LAYERS[part] == 0  # the core's modules are one layer
    assert within_core or LAYERS[imported] < LAYERS[part], (
        f"{path} ({part}, layer {LAYERS[part]}) imports {imported} (layer {LAYERS[imported]}): an arrow up or sideways")


def test_the_checker_sees_an_upward_import(tmp_path):
    """The check cannot pass vacuously: the store's own imports are found, and a display import would fail."""
    seen = {(part, imported) for _, part, imported in _imports()}
    assert ("history", "providers") in seen and ("display", "analytics") in seen
    assert LAYERS["display"] > LAYERS["history"] > LAYERS["analytics"] > LAYERS["formatting"]


def _private_provider_imports(source: str) -> list[str]:
    """The private provider modules (``invoice_analytics.providers._x``) that ``source`` imports, anywhere in it."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules = [node.module]
            if node.module == "invoice_analytics.providers":  # from invoice_analytics.providers import _http
                modules += [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        else:
            continue
        found += [m for m in modules if m.startswith("invoice_analytics.providers.")
                  and any(part.startswith("_") for part in m.split(".")[2:])]
    return found


@pytest.mark.parametrize("path", sorted((PACKAGE / "history").rglob("*.py")), ids=lambda p: p.name)
def test_the_store_imports_no_private_provider_module(path):
    """The store drives the providers through their public clients (``invoice_analytics.providers.clients``)."""
    assert _private_provider_imports(path.read_text(encoding="utf-8")) == []


def test_the_private_import_checker_sees_each_spelling():
    """The check cannot pass vacuously: every way of importing a private provider module is caught."""
    source = ("from invoice_analytics.providers._paging import MAX_PASSES\n"
              "import invoice_analytics.providers._http\n"
              "from invoice_analytics.providers import _progress, clients\n"
              "def f():\n    from invoice_analytics.providers._pacing import MinuteRateLimiter\n"
              "from invoice_analytics.providers.clients import FaspayClient\n"
              "from invoice_analytics.providers.faspay import faspay_frame\n")
    assert _private_provider_imports(source) == [
        "invoice_analytics.providers._paging", "invoice_analytics.providers._http",
        "invoice_analytics.providers._progress", "invoice_analytics.providers._pacing"]
