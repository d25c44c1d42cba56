"""The core schema of every invoice frame (:data:`CORE_SCHEMA`): every loader returns these columns first, in this
order, with these dtypes, then its own (the table and conventions: :doc:`/guide/typed-frame`)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from pandas.api.types import union_categoricals

__all__ = [
    "CORE_COLUMNS",
    "CORE_SCHEMA",
    "CURRENCY_DTYPE",
    "DATETIME_DTYPE",
    "DEMO_SOURCE",
    "JAKARTA",
    "MONEY_DTYPE",
    "PROVIDERS",
    "PROVIDER_DTYPE",
    "STATUSES",
    "STATUS_DTYPE",
    "STRING_DTYPE",
    "empty_frame",
    "union_categories",
]

JAKARTA = "Asia/Jakarta"

#: The normalised invoice statuses, shared by both providers.
STATUSES: tuple[str, ...] = (
    "draft",
    "unpaid",
    "partially_paid",
    "overdue",
    "paid",
    "cancelled",
    "proforma",
)

STRING_DTYPE = pd.StringDtype("pyarrow")
MONEY_DTYPE = pd.Int64Dtype()
DATETIME_DTYPE = pd.DatetimeTZDtype(unit="us", tz=JAKARTA)
#: The providers, in the order every report lists them.
PROVIDERS: tuple[str, ...] = ("faspay", "mayar")
#: ``attrs["source"]`` of a frame of sample data.
DEMO_SOURCE = "demo"
PROVIDER_DTYPE = pd.CategoricalDtype(list(PROVIDERS))
STATUS_DTYPE = pd.CategoricalDtype(list(STATUSES))
CURRENCY_DTYPE = pd.CategoricalDtype(["IDR"])

#: Core column name -> dtype, in the order every loader returns them.
CORE_SCHEMA: dict[str, object] = {
    "provider": PROVIDER_DTYPE,
    "invoice_id": STRING_DTYPE,
    "customer_id": STRING_DTYPE,
    "customer_name": STRING_DTYPE,
    "status": STATUS_DTYPE,
    "provider_status": STRING_DTYPE,
    "issued_at": DATETIME_DTYPE,
    "due_at": DATETIME_DTYPE,
    "amount": MONEY_DTYPE,
    "outstanding": MONEY_DTYPE,
    "currency": CURRENCY_DTYPE,
}

#: The core column names, in the order every loader returns them.
CORE_COLUMNS: tuple[str, ...] = tuple(CORE_SCHEMA)


def empty_frame(extra: Mapping[str, object] | None = None) -> pd.DataFrame:
    """An empty frame with the core columns (then ``extra``) and their dtypes.

    What a loader returns for an account without invoices; a zero-row input for the analytics, charts and panel.

    Parameters
    ----------
    extra : Mapping[str, object] or None, default None
        Further columns, name -> dtype (anything pandas accepts as a dtype), added after the core columns in
        their order. A name that is also a core column gives that column this dtype, in its core position.

    Returns
    -------
    pandas.DataFrame
        Zero rows; the columns of :data:`CORE_SCHEMA` in order (``provider``, ``invoice_id``, ... ``currency``)
        with its dtypes, then ``extra``.

    Raises
    ------
    TypeError
        When a dtype of ``extra`` is not understood by pandas.

    See Also
    --------
    CORE_SCHEMA : The core column names and dtypes.

    Examples
    --------
    >>> empty_frame({"period": pd.PeriodDtype("M")}).dtypes["period"]
    period[M]
    """
    schema = {**CORE_SCHEMA, **(extra or {})}
    return pd.DataFrame({name: pd.Series([], dtype=dtype) for name, dtype in schema.items()})


def union_categories(pieces: list[pd.Categorical]) -> pd.Categorical:
    """Stack categoricals (``pd.concat`` would make text of different categories): the union of the
    categories, in their order when every piece has the same."""
    values = union_categoricals(pieces, ignore_order=True)
    return values.astype(pieces[0].dtype) if all(p.dtype == pieces[0].dtype for p in pieces) else values
