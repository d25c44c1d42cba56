"""The one reader of dates, in Asia/Jakarta (these were the doctests of ``invoice_analytics/_dates.py``)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from invoice_analytics._dates import (
    as_of_day,
    day_numbers,
    days_to_timestamps,
    jakarta_date,
    jakarta_today,
    month_ordinals,
)
from invoice_analytics.schema import JAKARTA


def test_a_date_is_its_jakarta_calendar_day():
    assert jakarta_date("2024-01-31 23:59") == dt.date(2024, 1, 31)
    assert jakarta_date(pd.Timestamp("2024-01-31 17:30", tz="UTC")) == dt.date(2024, 2, 1)
    assert jakarta_date(None) == jakarta_today()
    with pytest.raises(ValueError, match=r"^start must be a date like '2024-01-31', got 'soon'$"):
        jakarta_date("soon", name="start")


def test_day_numbers_count_jakarta_days_since_1970():
    assert as_of_day("2024-01-31 23:59") == as_of_day(pd.Timestamp("2024-01-31 16:59", tz="UTC"))
    assert as_of_day("1970-01-11") == 10
    days, known = day_numbers(pd.Series(pd.to_datetime(["1970-01-02 23:59", None]).tz_localize(JAKARTA)))
    assert (days.tolist(), known.tolist()) == ([1, 0], [True, False])
    back = days_to_timestamps(np.array([1, 0]), np.array([True, False])).tolist()
    assert back[0] == pd.Timestamp("1970-01-02", tz=JAKARTA) and back[1] is pd.NaT
    assert month_ordinals(pd.Series(pd.to_datetime(["1970-02-28 23:00"]).tz_localize(JAKARTA))).tolist() == [1]
