"""The one writer of workbooks and CSV files (panel, report, analysts): rupiah stay numbers, datetimes Jakarta wall
time, no cell runs as a formula, files renamed into place. Threats: :doc:`/guide/real-apis-hostile`."""

from __future__ import annotations

import csv
import os
import re
import tempfile
import unicodedata
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from invoice_analytics.errors import ExportWarning
from invoice_analytics.schema import JAKARTA

__all__ = [
    "EXCEL_CELL_LIMIT",
    "FORMULA_STARTS",
    "PERCENT_FORMAT",
    "RUPIAH_FORMAT",
    "atomic_path",
    "excel_ready",
    "neutralize_formula",
    "write_csv",
    "write_excel",
]

#: Excel number formats: rupiah stay numbers, shown as "Rp 1,234,567"; ratios as percents.
RUPIAH_FORMAT = '"Rp" #,##0;-"Rp" #,##0'
PERCENT_FORMAT = "0.0%"

#: The most characters an Excel cell holds.
EXCEL_CELL_LIMIT = 32_767
#: Characters XML 1.0 (so a workbook) cannot hold: controls other than tab, newline, carriage return.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
#: Starts of a CSV value that spreadsheets read as a formula (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: First characters (after any ignorable ones) that make a spreadsheet read a formula, full-width forms too.
_FORMULA_CHARACTERS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")
#: Unicode categories a spreadsheet may skip before a formula: controls, format (zero-width, BOM, bidi), spaces.
_IGNORABLE_CATEGORIES = frozenset(("Cc", "Cf", "Zs", "Zl", "Zp"))

_EXCEL_HINT = (
    "Excel export needs openpyxl, an optional dependency: "
    "pip install 'invoice-analytics[excel]'"
)


def excel_ready(df: pd.DataFrame, *, index: bool = True) -> pd.DataFrame:
    """A copy Excel writers accept: aware datetimes as naive Asia/Jakarta wall time, periods as text, the index
    as columns (``index``)."""
    out = df.reset_index() if index else df.copy()
    for name in out.columns:
        dtype = out[name].dtype
        if isinstance(dtype, pd.DatetimeTZDtype):
            out[name] = out[name].dt.tz_convert(JAKARTA).dt.tz_localize(None)
        elif isinstance(dtype, pd.PeriodDtype):
            out[name] = out[name].astype(str).where(out[name].notna(), None)
        elif dtype == object:  # noqa: E721 - a dtype compared with object, not a type check
            out[name] = out[name].map(lambda v: str(v) if isinstance(v, (pd.Period, tuple)) else v)
    return out


def _excel_text(frame: pd.DataFrame, sheet: str) -> pd.DataFrame:
    """``frame`` with text a workbook can hold: illegal characters removed, long text cut (warned)."""
    out = frame.copy()
    removed = cut = 0
    for name in out.columns:
        column = out[name]
        if not _is_text(column):
            continue
        text = column.astype(object)
        has = text.map(lambda v: isinstance(v, str) and bool(_ILLEGAL_XML.search(v)))
        if has.any():
            removed += int(has.sum())
            text = text.map(lambda v: _ILLEGAL_XML.sub("", v) if isinstance(v, str) else v)
        long = text.map(lambda v: isinstance(v, str) and len(v) > EXCEL_CELL_LIMIT)
        if long.any():
            cut += int(long.sum())
            text = text.map(lambda v: v[:EXCEL_CELL_LIMIT] if isinstance(v, str) else v)
        if has.any() or long.any():
            out[name] = text
    if removed:
        warnings.warn(f"sheet {sheet!r}: removed characters a workbook cannot hold (control characters) "
                      f"from {removed} value(s)", ExportWarning, stacklevel=3)
    if cut:
        warnings.warn(f"sheet {sheet!r}: cut {cut} value(s) longer than an Excel cell "
                      f"({EXCEL_CELL_LIMIT:,} characters)", ExportWarning, stacklevel=3)
    return out


def _is_text(column: pd.Series) -> bool:
    dtype = column.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return dtype.categories.dtype == object or isinstance(dtype.categories.dtype, pd.StringDtype)
    return dtype == object or isinstance(dtype, pd.StringDtype)  # noqa: E721 - a pandas dtype, not a type


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path``, renamed onto it (with the umask's mode) on success, removed on failure."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes 0600: give the mode open() would
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _umask() -> int:
    """The umask: from ``/proc/self/status`` on Linux, else by setting it and setting it back."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


def _money_columns(df: pd.DataFrame) -> list[str]:
    """Integer columns that hold rupiah: not counts, not days."""
    return [
        str(c) for c in df.columns
        if pd.api.types.is_integer_dtype(df[c].dtype)
        and not any(word in str(c).lower() for word in ("count", "days", "index"))
    ]


def write_excel(
    sheets: Mapping[str, pd.DataFrame],
    path: str | Path,
    *,
    money: Mapping[str, Iterable[str]] | None = None,
    title: Sequence[str] | None = None,
    headers: Mapping[str, str] | None = None,
    formats: Mapping[str, str] | None = None,
    print_setup: bool = False,
) -> Path:
    """Write ``sheets`` (name -> frame; a named index becomes columns) to one workbook.

    Rupiah stay numbers, shown as ``"Rp" #,##0``: by default the integer columns whose name does not say
    count, days or index (or ``money``'s); float columns named ``*ratio*`` or ``*share*`` show as percents.
    Datetimes are naive Asia/Jakarta wall time, periods and tuple labels text. Each sheet has a bold, frozen
    header row with an autofilter, a bold last "Total" row and columns sized to their contents. No cell is a
    formula (text starting with ``=`` stays text); control characters are removed and text longer than a cell
    is cut, each with an :class:`~invoice_analytics.errors.ExportWarning`. Written to a temporary file and
    renamed into place (a failed export leaves no partial file; the parent directory is created, an existing
    file replaced). Needs openpyxl (``pip install 'invoice-analytics[excel]'``).

    Parameters
    ----------
    sheets : Mapping[str, pandas.DataFrame]
        Sheet name -> frame, in sheet order. A frame's index is written as its first columns when any of its
        levels is named, else left out.
    path : str or pathlib.Path
        The ``.xlsx`` file to write.
    money : Mapping[str, Iterable[str]] or None, default None
        Sheet name -> the columns to show as rupiah, in place of the default guess (an empty list: none).
    title : Sequence[str] or None, default None
        A title block on top of every sheet: the sheet name (bold), these lines, a blank row, then the table.
        None: the table starts on row 1.
    headers : Mapping[str, str] or None, default None
        Column name -> the header shown (e.g. ``"days_past_due"`` -> ``"Days past due"``); the formats are
        chosen from the column names.
    formats : Mapping[str, str] or None, default None
        Column name -> an Excel number format (e.g. ``"yyyy-mm-dd"``), over the default rupiah/percent choice.
    print_setup : bool, default False
        Landscape A4, one page wide, the header row repeated on each page (the title block prints once),
        "Page n of N" in the footer.

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
    >>> report = pd.DataFrame({"open_count": [2], "Total": [350_000], "paid_ratio": pd.array([0.5], dtype="Float64")},
    ...                       index=pd.Index(["Ani"], name="customer_name"))
    >>> path = write_excel({"Aging": report}, Path(tempfile.mkdtemp()) / "out" / "aging.xlsx")
    >>> sheet = openpyxl.load_workbook(path)["Aging"]
    >>> [cell.number_format for cell in sheet[2]]
    ['General', 'General', '"Rp" #,##0;-"Rp" #,##0', '0.0%']
    """
    try:
        import openpyxl  # noqa: F401
    except ImportError as exc:
        raise ImportError(_EXCEL_HINT) from exc
    from openpyxl.utils import get_column_letter

    path = Path(path)
    lines = [_ILLEGAL_XML.sub("", str(line)) for line in title] if title is not None else []
    top = len(lines) + 3 if title is not None else 1  # the header row: sheet name, lines, a blank row
    with atomic_path(path) as temporary, pd.ExcelWriter(temporary, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            index = any(n is not None for n in frame.index.names)  # a named index is data
            table = _excel_text(excel_ready(frame, index=index), name)
            table.columns = [_ILLEGAL_XML.sub("", str(c)) for c in table.columns]
            table.to_excel(writer, sheet_name=name, index=False, startrow=top - 1)
            sheet = writer.sheets[name]
            _no_formulas(sheet)
            cols = list(table.columns)
            wanted = list(money[name]) if money and name in money else _money_columns(table)
            for col_name in cols:
                letter = get_column_letter(cols.index(col_name) + 1)
                shown = headers.get(col_name, col_name) if headers else col_name
                width = max([len(shown)] + [len(str(v)) for v in table[col_name].head(200).tolist()])
                sheet.column_dimensions[letter].width = min(max(width + 2, 10), 48)
                is_ratio = pd.api.types.is_float_dtype(table[col_name].dtype) and any(
                    word in col_name.lower() for word in ("ratio", "share"))
                column_cells = [c for (c,) in sheet.iter_rows(min_row=top + 1, min_col=cols.index(col_name) + 1,
                                                              max_col=cols.index(col_name) + 1)]
                if formats and col_name in formats:
                    for cell in column_cells:
                        cell.number_format = formats[col_name]
                    sheet.column_dimensions[letter].width = max(sheet.column_dimensions[letter].width, 12)
                elif col_name in wanted or is_ratio:
                    if col_name in wanted:
                        sheet.column_dimensions[letter].width = max(sheet.column_dimensions[letter].width, 16)
                    for cell in column_cells:
                        cell.number_format = RUPIAH_FORMAT if col_name in wanted else PERCENT_FORMAT
                elif isinstance(table[col_name].dtype, np.dtype) and table[col_name].dtype.kind == "M":
                    sheet.column_dimensions[letter].width = 20
                if headers and col_name in headers:
                    sheet.cell(top, cols.index(col_name) + 1).value = headers[col_name]
            _finish_sheet(sheet, name, lines if title is not None else None, top, len(cols), print_setup)
    return path


def _finish_sheet(sheet: Any, name: str, lines: list[str] | None, top: int, width: int, print_setup: bool) -> None:
    """Title block, bold header and Total rows, autofilter, frozen panes, and ``print_setup`` (see write_excel)."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    if lines is not None:
        sheet.cell(1, 1).value = name
        sheet.cell(1, 1).font = Font(bold=True, size=14)
        for i, line in enumerate(lines, start=2):
            sheet.cell(i, 1).value = line
            sheet.cell(i, 1).data_type = "s"  # text, even when it starts with "="
    bold = Font(bold=True)
    for cell in sheet[top]:
        cell.font = bold
    last = sheet.max_row
    for row in sheet.iter_rows(min_row=max(top + 1, last), max_row=last):  # the totals row is the last one
        if row and row[0].value == "Total":
            for cell in row:
                cell.font = bold
    if width:
        sheet.auto_filter.ref = f"A{top}:{get_column_letter(width)}{max(last, top)}"
    sheet.freeze_panes = f"A{top + 1}"
    if print_setup:
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.print_title_rows = f"{top}:{top}"  # only the header row: the title block prints once
        sheet.oddFooter.center.text = "Page &P of &N"
        sheet.oddFooter.right.text = name


def _no_formulas(sheet: object) -> None:
    """Every formula cell of ``sheet`` made text: any came from data (openpyxl reads ``=...`` as one)."""
    for row in sheet.iter_rows():  # type: ignore[attr-defined]
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"


def neutralize_formula(value: object) -> object:
    """A text that a spreadsheet would run as a formula, prefixed with ``'``; anything else as is.

    A formula starts with one of :data:`FORMULA_STARTS` (OWASP's list), or its first character after leading
    whitespace, control, zero-width, BOM or bidi characters is ``= + - @`` or their full-width forms (U+FF1D,
    U+FF0B, U+FF0D, U+FF20).

    >>> neutralize_formula("-5"), neutralize_formula(-5), neutralize_formula("PT Maju")
    ("'-5", -5, 'PT Maju')
    """
    if isinstance(value, str) and (value.startswith(FORMULA_STARTS) or _starts_formula(value)):
        return "'" + value
    return value


def _starts_formula(text: str) -> bool:
    """Whether the first character of ``text`` that is not ignorable (see above) starts a formula."""
    for char in text:
        if char.isspace() or unicodedata.category(char) in _IGNORABLE_CATEGORIES:
            continue
        return char in _FORMULA_CHARACTERS
    return False


def write_csv(frame: pd.DataFrame, path: str | Path, *, neutralize_formulas: bool = True) -> Path:
    """Write ``frame`` to CSV (a named index becomes columns).

    Rupiah as integers, datetimes as Asia/Jakarta wall time with their offset (a loader's ``+07:00``), a
    missing value as an empty field. Text a spreadsheet would read as a formula gets a leading ``'``
    (:func:`neutralize_formula`): starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return, or with
    one of ``= + - @`` or their full-width forms after leading whitespace, control, zero-width, BOM or bidi
    characters. Every field holding a CR, an LF, a comma or a quote is quoted and rows end with CRLF (RFC 4180),
    so no value starts a new row. Written atomically (the parent directory created, an existing file
    replaced), with the mode a new file gets under the umask.

    Parameters
    ----------
    frame : pandas.DataFrame
        The rows to write. Its index is written as the first columns when any of its levels is named.
    path : str or pathlib.Path
        The ``.csv`` file to write.
    neutralize_formulas : bool, default True
        Prefix text a spreadsheet would read as a formula with ``'``; False writes every value as it is (still
        quoted), for programs that read the file.

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
    >>> out = write_csv(pd.DataFrame({"x": [1], "name": ["=1+1"]}), Path(tempfile.mkdtemp()) / "a.csv")
    >>> out.read_text().splitlines()
    ['x,name', "1,'=1+1"]
    """
    path = Path(path)
    index = any(n is not None for n in frame.index.names)
    table = frame.reset_index() if index else frame
    if neutralize_formulas:
        table = _map_text(table, neutralize_formula)
    with atomic_path(path) as temporary:
        # CRLF rows: the csv module then quotes any field holding a bare CR as well as LF
        table.to_csv(temporary, index=False, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    return path


def _map_text(frame: pd.DataFrame, func: Callable[[object], object]) -> pd.DataFrame:
    """``func`` applied to every text value (and column name) of ``frame``; other values untouched."""
    out = frame.copy()
    for name in out.columns:
        if _is_text(out[name]):
            out[name] = out[name].astype(object).map(func)
    out.columns = [func(c) if isinstance(c, str) else c for c in out.columns]
    return out
