"""The one writer of workbooks and CSV files, used by the panel, the report and analysts.

Rupiah stay numbers (shown with a rupiah number format), ratios show as
percents, timezone-aware datetimes are written as Asia/Jakarta wall time
(Excel has no time zones), and a named index becomes columns. Excel needs
openpyxl, an optional dependency (``pip install 'invoice-analytics[excel]'``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from invoice_analytics.schema import JAKARTA

__all__ = ["PERCENT_FORMAT", "RUPIAH_FORMAT", "excel_ready", "write_csv", "write_excel"]

#: Excel number formats: rupiah stay numbers, shown as "Rp 1,234,567"; ratios as percents.
RUPIAH_FORMAT = '"Rp" #,##0;-"Rp" #,##0'
PERCENT_FORMAT = "0.0%"

_EXCEL_HINT = (
    "Excel export needs openpyxl, an optional dependency: "
    "pip install 'invoice-analytics[excel]'"
)


def excel_ready(df: pd.DataFrame, *, index: bool = True) -> pd.DataFrame:
    """A copy Excel writers accept: timezone-aware datetimes as naive
    Asia/Jakarta wall time, periods as text, the index as columns (``index``).

    >>> df = pd.DataFrame({"issued_at": pd.to_datetime(["2024-01-01 01:00"], utc=True)})
    >>> excel_ready(df, index=False)["issued_at"].tolist()
    [Timestamp('2024-01-01 08:00:00')]
    """
    out = df.reset_index() if index else df.copy()
    for name in out.columns:
        dtype = out[name].dtype
        if isinstance(dtype, pd.DatetimeTZDtype):
            out[name] = out[name].dt.tz_convert(JAKARTA).dt.tz_localize(None)
        elif isinstance(dtype, pd.PeriodDtype):
            out[name] = out[name].astype(str).where(out[name].notna(), None)
        elif dtype == object:
            out[name] = out[name].map(lambda v: str(v) if isinstance(v, (pd.Period, tuple)) else v)
    return out


def _money_columns(df: pd.DataFrame) -> list[str]:
    """Integer columns that hold rupiah: not counts, not days."""
    return [
        str(c) for c in df.columns
        if pd.api.types.is_integer_dtype(df[c].dtype)
        and not any(word in str(c).lower() for word in ("count", "days", "index"))
    ]


def write_excel(
    path: str | Path,
    sheets: Mapping[str, pd.DataFrame],
    *,
    money: Mapping[str, Iterable[str]] | None = None,
) -> Path:
    """Write ``sheets`` (name -> frame; a named index becomes columns) to one workbook.

    Rupiah stay numbers, shown with a ``"Rp" #,##0`` number format; by
    default the money columns are the integer columns whose name does not
    say count, days or index (``money`` maps a sheet to its money columns
    instead). Float columns named ``*ratio*`` or ``*share*`` are shown as
    percents. Datetimes are written as naive Asia/Jakarta wall time. Needs
    openpyxl (``pip install 'invoice-analytics[excel]'``).

    Each sheet has a header row (frozen) and columns sized to their
    contents; periods and tuple labels are written as text. The parent
    directory is created when missing; an existing file is overwritten.

    Parameters
    ----------
    path : str or pathlib.Path
        The ``.xlsx`` file to write.
    sheets : Mapping[str, pandas.DataFrame]
        Sheet name -> frame, in sheet order. A frame's index is written as
        its first columns when any of its levels is named, else left out.
    money : Mapping[str, Iterable[str]] or None, default None
        Sheet name -> the columns to show as rupiah, in place of the
        default guess for that sheet (an empty list: none).

    Returns
    -------
    pathlib.Path
        ``path``, as a :class:`~pathlib.Path`.

    Raises
    ------
    ImportError
        When openpyxl is not installed (the message says how to install it).

    See Also
    --------
    write_csv : The same for one frame, as CSV.
    FilterPanel.export_excel : The panel's workbook, written with this.

    Examples
    --------
    >>> import tempfile
    >>> import openpyxl
    >>> report = pd.DataFrame({"open_count": [2], "Total": [350_000],
    ...                        "paid_ratio": pd.array([0.5], dtype="Float64")},
    ...                       index=pd.Index(["Ani"], name="customer_name"))
    >>> path = write_excel(Path(tempfile.mkdtemp()) / "out" / "aging.xlsx", {"Aging": report})
    >>> sheet = openpyxl.load_workbook(path)["Aging"]
    >>> [cell.value for cell in sheet[1]]
    ['customer_name', 'open_count', 'Total', 'paid_ratio']
    >>> [cell.value for cell in sheet[2]]
    ['Ani', 2, 350000, 0.5]
    >>> [cell.number_format for cell in sheet[2]]
    ['General', 'General', '"Rp" #,##0;-"Rp" #,##0', '0.0%']
    """
    try:
        import openpyxl  # noqa: F401
    except ImportError as exc:
        raise ImportError(_EXCEL_HINT) from exc
    from openpyxl.utils import get_column_letter

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            index = any(n is not None for n in frame.index.names)  # a named index is data
            table = excel_ready(frame, index=index)
            table.columns = [str(c) for c in table.columns]
            table.to_excel(writer, sheet_name=name, index=False)
            sheet = writer.sheets[name]
            cols = list(table.columns)
            wanted = list(money[name]) if money and name in money else _money_columns(table)
            for col_name in cols:
                letter = get_column_letter(cols.index(col_name) + 1)
                width = max([len(col_name)] + [len(str(v)) for v in table[col_name].head(200).tolist()])
                sheet.column_dimensions[letter].width = min(max(width + 2, 10), 48)
                is_ratio = pd.api.types.is_float_dtype(table[col_name].dtype) and any(
                    word in col_name.lower() for word in ("ratio", "share"))
                if col_name in wanted or is_ratio:
                    if col_name in wanted:
                        sheet.column_dimensions[letter].width = max(sheet.column_dimensions[letter].width, 16)
                    for (cell,) in sheet.iter_rows(min_row=2, min_col=cols.index(col_name) + 1,
                                                   max_col=cols.index(col_name) + 1):
                        cell.number_format = RUPIAH_FORMAT if col_name in wanted else PERCENT_FORMAT
                elif isinstance(table[col_name].dtype, np.dtype) and table[col_name].dtype.kind == "M":
                    sheet.column_dimensions[letter].width = 20
            sheet.freeze_panes = "A2"
    return path


def write_csv(path: str | Path, frame: pd.DataFrame) -> Path:
    """Write ``frame`` to CSV (a named index becomes columns).

    Rupiah as integers, datetimes as Asia/Jakarta wall time with their
    offset. More exactly, values are
    written as pandas writes them: an aware datetime in its own time zone
    with its offset (a loader's ``+07:00``), a missing value as an empty
    field. The parent directory is created when missing; an existing file
    is overwritten.

    Parameters
    ----------
    path : str or pathlib.Path
        The ``.csv`` file to write.
    frame : pandas.DataFrame
        The rows to write. Its index is written as the first columns when any
        of its levels is named, else left out.

    Returns
    -------
    pathlib.Path
        ``path``, as a :class:`~pathlib.Path`.

    See Also
    --------
    write_excel : Several frames to one workbook.
    FilterPanel.export_csv : The panel's report or invoices, written with this.

    Examples
    --------
    >>> import tempfile
    >>> out = write_csv(Path(tempfile.mkdtemp()) / "a.csv", pd.DataFrame({"x": [1]}))
    >>> out.read_text().splitlines()
    ['x', '1']
    >>> df = pd.DataFrame({"invoice_id": ["A1", "A2"],
    ...                    "issued_at": pd.to_datetime(["2024-01-31 23:30", None]).tz_localize("Asia/Jakarta"),
    ...                    "outstanding": pd.array([5_000, None], dtype="Int64")})
    >>> print(write_csv(Path(tempfile.mkdtemp()) / "invoices.csv", df).read_text(), end="")
    invoice_id,issued_at,outstanding
    A1,2024-01-31 23:30:00+07:00,5000
    A2,,
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    index = any(n is not None for n in frame.index.names)
    frame.to_csv(path, index=index)
    return path
