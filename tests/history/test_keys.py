"""Small rules checked once (moved from docstrings): request keys, manifest field errors, error classes."""

from __future__ import annotations

import pytest

from invoice_analytics.history import NotAStoreError, StoreAccountError, StoreCorruptError, StoreError
from invoice_analytics.history._manifest import parse_manifest
from invoice_analytics.history._transport import request_key


def test_a_request_key_ignores_how_a_query_value_is_typed():
    url = "https://api.mayar.id/hl/v2/invoices"
    assert request_key("GET", url, {"limit": 50}, None) == request_key("GET", url, {"limit": "50"}, None)
    assert request_key("GET", url, {"limit": 50}, None) != request_key("GET", url, {"limit": 49}, None)


def test_a_manifest_field_of_the_wrong_type_is_named():
    with pytest.raises(StoreCorruptError, match=r"m\.json: .*format_version: expected an integer, got True"):
        parse_manifest(b'{"format": "invoice-analytics-history", "format_version": true}', "m.json")


def test_the_store_errors_are_value_errors_under_one_base():
    assert issubclass(StoreAccountError, StoreError) and issubclass(NotAStoreError, ValueError)
