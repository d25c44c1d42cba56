"""The wait budget and the retry that takes its pauses from it (these were the doctests of ``_retry.py``).

Retrying over real HTTP (Retry-After, back-off, max_wait, deadlines) is tested in test_http.py and the hostile tests.
"""

from __future__ import annotations

from invoice_analytics.providers._retry import LoaderRetry, WaitBudget, retry_after_seconds


def test_the_wait_budget_refuses_a_pause_that_would_pass_its_total():
    budget = WaitBudget(60)
    assert (budget.take(45), budget.take(20), budget.take(15), budget.waited) == (True, False, True, 60.0)


def test_every_retry_of_a_session_shares_one_budget():
    retry = LoaderRetry(total=3, max_wait=60)
    assert retry.new(total=2).max_wait == 60 and retry.new(total=2).budget is retry.budget


def test_retry_after_in_seconds_or_none():
    assert (retry_after_seconds("3600"), retry_after_seconds("soon"), retry_after_seconds(None)) == (3600.0, None, None)
