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


@pytest.fixture(autouse=True)
def _no_settings_files(monkeypatch, tmp_path_factory):
    """No test reads the developer's settings (an empty user config directory, no INVOICE_ANALYTICS_* variables)
    or writes to the developer's cache (the cached demo store goes to the session's temporary directory)."""
    import os

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.getbasetemp() / "no-user-config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "cache"))  # the demo store's cache
    for name in list(os.environ):
        if name.startswith("INVOICE_ANALYTICS_"):
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def small_demo_store(tmp_path_factory):
    """A demo store of weekly refreshes from 2026-09-10 to the sample date, 2026-11-21 (72 days), built once."""
    from invoice_analytics.history._demo import demo_store

    return demo_store(tmp_path_factory.mktemp("small-demo") / "store", days=72)
