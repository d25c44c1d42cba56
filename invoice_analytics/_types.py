"""Type aliases shared by the public signatures (private).

>>> from typing import get_args
>>> get_args(Basis)
('due', 'issued')
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Mapping, Sequence
from typing import Literal, TypeAlias

import numpy as np
import pandas as pd

#: A date to age at: None (today in Asia/Jakarta), a str, date, datetime or
#: Timestamp (naive = Jakarta wall time).
AsOf: TypeAlias = "str | dt.date | dt.datetime | pd.Timestamp | np.datetime64 | None"
#: A grouping key: a column, a list of columns, the virtual "issue_month", or None.
By: TypeAlias = "Hashable | Sequence[Hashable] | None"
#: What days past due are counted from.
Basis: TypeAlias = Literal["due", "issued"]
#: What a paid ratio weighs: invoices or rupiah.
Weight: TypeAlias = Literal["count", "amount"]
#: Payment terms of an invoice without ``due_at``: days after issue for all, days by provider
#: (``{"mayar": 14}``, the others 0), or the name of an Int64 column holding each invoice's days.
Terms: TypeAlias = "int | Mapping[str, int] | str"
#: How top debtors are ranked.
SortBy: TypeAlias = Literal["open_amount", "overdue_amount"]

__all__ = ["AsOf", "Basis", "By", "SortBy", "Terms", "Weight"]
