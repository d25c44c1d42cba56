"""Shared pytest configuration: markers, and the default number locale for every test."""

from __future__ import annotations

import pytest


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "browser: drives JupyterLab in headless Chromium (select with -m browser, skip with -m 'not browser')",
    )


@pytest.fixture(autouse=True)
def _default_locale():
    """Every test starts in the default number locale (Indonesian) and leaves it so."""
    from invoice_analytics import formatting

    formatting.set_locale("id")
    yield
    formatting.set_locale("id")
