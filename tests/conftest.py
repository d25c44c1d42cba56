"""Shared pytest configuration: markers."""

from __future__ import annotations


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "browser: drives JupyterLab in headless Chromium (select with -m browser, skip with -m 'not browser')",
    )
