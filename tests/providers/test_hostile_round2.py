"""Hostile input, second round (issue 17): absurd amounts, trickled headers, endless rate limits and cursors.

Every loader runs over real HTTP against the emulator or the small stdlib
server of :mod:`tests.support.hostile`; nothing patches ``requests``.
"""

from __future__ import annotations

import pytest

from invoice_analytics import load_faspay, load_mayar
from invoice_analytics.emulator import Emulator
from invoice_analytics.errors import ResponseError
from tests.support.raw import faspay_row, mayar_row

T0 = 1_768_375_011_056


# --- money at load: beyond ±2**62 is a ResponseError -----------------------------------------------------


@pytest.mark.parametrize("outstanding", [-(2**63), 2**63 - 1, 2**62 + 1, -(2**62) - 1, str(2**63 - 1)])
def test_faspay_outstanding_beyond_two_to_the_62_is_a_response_error(outstanding):
    with Emulator([faspay_row(1), faspay_row(2, outstanding=outstanding)], []) as emu, \
            pytest.raises(ResponseError, match=r"outstanding_amount.*rupiah within ±2\*\*62"):
        load_faspay(**emu.faspay_kwargs, statuses=[1], progress=False, max_retries=0)


def test_mayar_amounts_of_int64_max_are_a_response_error():
    rows = [mayar_row(1, T0, amount=2**63 - 1), mayar_row(2, T0 - 1, amount=2**63 - 1)]
    with Emulator([], rows, mayar_rate_limit_per_minute=None) as emu, \
            pytest.raises(ResponseError, match=r"amount.*rupiah within ±2\*\*62"):
        load_mayar(**emu.mayar_kwargs, rate_limit_per_minute=None, progress=False, max_retries=0)


def test_amounts_at_the_bound_still_load():
    with Emulator([faspay_row(1, outstanding=2**62), faspay_row(2, outstanding=-(2**62))], []) as emu:
        df = load_faspay(**emu.faspay_kwargs, statuses=[1], progress=False, max_retries=0)
    assert sorted(df["outstanding"].tolist()) == [-(2**62), 2**62]
