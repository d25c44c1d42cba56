"""Stack provider frames into one, keeping every dtype."""

from __future__ import annotations

import pandas as pd

from invoice_analytics.schema import union_categories

__all__ = ["combine"]


def combine(*frames: pd.DataFrame) -> pd.DataFrame:
    """Stack loader frames (core columns first, then every extra column).

    Categorical columns keep a category dtype whose categories are the union
    (``pd.concat`` alone would silently turn them into text); a column that
    one frame lacks is filled with missing values of the other's dtype. The
    result has a fresh RangeIndex.

    >>> from invoice_analytics.schema import empty_frame
    >>> a = empty_frame({"period": pd.PeriodDtype("M")})
    >>> b = empty_frame({"name": pd.StringDtype("pyarrow")})
    >>> combined = combine(a, b)
    >>> combined.columns[-2:].tolist(), str(combined["status"].dtype)
    (['period', 'name'], 'category')
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
