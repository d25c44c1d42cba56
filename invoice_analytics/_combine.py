"""Stack provider frames into one, keeping every dtype."""

from __future__ import annotations

import pandas as pd

from invoice_analytics.schema import union_categories

__all__ = ["combine"]


def combine(*frames: pd.DataFrame) -> pd.DataFrame:
    """Stack loader frames (core columns first, then every extra column).

    Every dtype is kept: categoricals get the union of their categories (``pd.concat`` would make them text).

    Parameters
    ----------
    *frames : pandas.DataFrame
        One or more frames, typically from :func:`~invoice_analytics.load_faspay` and
        :func:`~invoice_analytics.load_mayar`; each column's dtype is taken from the first frame that has it.

    Returns
    -------
    pandas.DataFrame
        The rows in frame order on a fresh RangeIndex; every column in the order it first appears, missing
        where a frame lacks it.

    Raises
    ------
    TypeError
        When no frame is given.

    See Also
    --------
    load_invoices : Load the configured providers and combine them.

    Examples
    --------
    >>> a = pd.DataFrame({"provider": pd.Categorical(["faspay"]), "period": pd.PeriodIndex(["2024-01"], freq="M")})
    >>> b = pd.DataFrame({"provider": pd.Categorical(["mayar"]), "amount": pd.array([5], dtype="Int64")})
    >>> combine(a, b)
      provider   period  amount
    0   faspay  2024-01    <NA>
    1    mayar      NaT       5
    """
    if not frames:
        raise TypeError("combine() needs at least one frame")
    columns: list[str] = []
    dtypes: dict[str, object] = {}
    for frame in frames:
        for name in frame.columns:
            if name not in dtypes:
                columns.append(name)
                dtypes[name] = frame[name].dtype
    lengths = [len(frame) for frame in frames]
    data: dict[str, pd.Series] = {}
    for name in columns:
        pieces = [
            frame[name] if name in frame.columns else pd.Series(index=range(n), dtype=dtypes[name])
            for frame, n in zip(frames, lengths, strict=True)
        ]
        if isinstance(dtypes[name], pd.CategoricalDtype):
            cats = [p if isinstance(p.dtype, pd.CategoricalDtype) else p.astype("category") for p in pieces]
            data[name] = pd.Series(union_categories([p.array for p in cats]), name=name)
        else:
            data[name] = pd.concat([p.reset_index(drop=True) for p in pieces], ignore_index=True).rename(name)
    return pd.DataFrame(data, copy=False)
