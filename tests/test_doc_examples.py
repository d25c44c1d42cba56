"""The docstring examples that need a server (marked ``# doctest: +SKIP``) run here, against the emulator.

A docstring example shows use and stays fast: ``--doctest-modules`` skips the examples that start an
HTTP server (an emulator, a loader, a store's refresh, the demo data); this test runs each such
docstring whole, as written, so that every example is still checked. Sphinx hides the flags.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import invoice_analytics


def _server_examples() -> dict[str, doctest.DocTest]:
    found: dict[str, doctest.DocTest] = {}
    finder = doctest.DocTestFinder()
    modules = ["invoice_analytics"] + [
        m.name for m in pkgutil.walk_packages(invoice_analytics.__path__, "invoice_analytics.")
    ]
    for name in modules:
        module = importlib.import_module(name)
        for test in finder.find(module, name):
            if any(example.options.get(doctest.SKIP) for example in test.examples):
                found[test.name] = test
    return found


SERVER_EXAMPLES = _server_examples()


def test_the_examples_that_start_a_server_are_marked() -> None:
    names = set(SERVER_EXAMPLES)
    assert {"invoice_analytics.providers.faspay.load_faspay", "invoice_analytics.providers.mayar.load_mayar",
            "invoice_analytics.sources.load_invoices"} <= names, sorted(names)
    # report.py's server example: test_report.py::test_the_demo_workbook
    for test in SERVER_EXAMPLES.values():  # whole docstrings: no example left to run without its setup
        assert all(example.options.get(doctest.SKIP) for example in test.examples), test.name


@pytest.mark.parametrize("name", sorted(SERVER_EXAMPLES))
def test_server_example_runs(name: str) -> None:
    test = SERVER_EXAMPLES[name]
    for example in test.examples:
        example.options.pop(doctest.SKIP, None)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    result = runner.run(test, clear_globs=False)
    assert result.attempted > 0
    assert result.failed == 0, f"{name}: {result.failed} of {result.attempted} examples failed (see the output above)"
