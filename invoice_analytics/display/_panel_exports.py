"""The panel's exports as files or downloads (private): :class:`~invoice_analytics.FilterPanel`'s methods."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from invoice_analytics._docs import doc
from invoice_analytics.display import _downloads as downloads
from invoice_analytics.export import write_csv

if TYPE_CHECKING:
    from invoice_analytics.display.panel import FilterPanel

__all__ = ["DOWNLOAD_LIMIT", "download_name", "export_bytes", "export_csv", "export_excel", "kpi_frame",
           "offer_download", "settings_frame", "statement_label"]

#: The largest file the export buttons offer as a browser download (bytes); a larger one is written with
#: :meth:`FilterPanel.export_excel` / :meth:`FilterPanel.export_csv` to a path instead.
DOWNLOAD_LIMIT = 25_000_000
#: The columns of the exported "Overdue invoices" sheet (the report's).
_OVERDUE_COLUMNS = ["provider", "invoice_id", "customer_name", "customer_id", "status", "issued_at", "due_at",
                    "outstanding", "days_past_due", "bucket"]
_KIND = """\
Parameters
----------
kind : {"excel", "csv"}
    The export."""
_KIND_RAISES = """\
Raises
------
ValueError
    When ``kind`` is neither "excel" nor "csv"."""


@doc(kind=_KIND, raises=_KIND_RAISES)
def download_name(self: FilterPanel, kind: str) -> str:
    """The file name of a download: ``aging_<as_of>.xlsx`` or ``aging_report_<as_of>.csv`` (``DEMO_...`` for
    sample data, never taken for real figures).

    {kind}

    Returns
    -------
    str
        The file name.

    {raises}
    """
    return downloads.download_name(kind, self.as_of_date, demo=self.is_demo)


@doc(kind=_KIND, raises=_KIND_RAISES)
def export_bytes(self: FilterPanel, kind: str) -> bytes:
    """The workbook (:meth:`export_excel`) or the report's CSV (:meth:`export_csv`) as bytes, written to a
    temporary directory (removed afterwards) and read back.

    {kind}

    Returns
    -------
    bytes
        The file's content.

    {raises}
    ImportError
        For "excel", when XlsxWriter is not installed.

    Examples
    --------
    >>> from invoice_analytics import FilterPanel
    >>> from invoice_analytics.schema import empty_frame
    >>> FilterPanel(empty_frame(), as_of="2024-02-15").export_bytes("csv")
    b'customer_name,customer_id,provider,Current,1-30,31-60,61-90,>90,Credit,Total\\r\\n'
    """
    name = self.download_name(kind)
    write: Callable[[Path], Path] = self.export_excel if kind == "excel" else self.export_csv
    return downloads.export_to_bytes(name, write)


@doc(kind=_KIND, raises=_KIND_RAISES)
def offer_download(self: FilterPanel, kind: str) -> bytes | None:
    """Make an export and offer it as a link the browser saves (the Export Excel / Export CSV buttons).

    The link (``<a download=... href="data:...">`` in :attr:`download`) goes when any control changes, so a
    saved file always matches the figures shown. A file over :data:`DOWNLOAD_LIMIT` bytes, or a workbook
    without XlsxWriter, is not offered: the message says what to do instead.

    {kind}

    Returns
    -------
    bytes or None
        The file offered, or None when it was not.

    {raises}

    Examples
    --------
    >>> from invoice_analytics import FilterPanel
    >>> from invoice_analytics.schema import empty_frame
    >>> panel = FilterPanel(empty_frame(), as_of="2024-02-15")
    >>> data = panel.offer_download("csv"); 'download="aging_report_2024-02-15.csv"' in panel.download.value
    True
    """
    name = self.download_name(kind)
    self.download.value = downloads.pending_html(name)
    try:
        data = self.export_bytes(kind)
    except (ImportError, OSError) as exc:
        self.download.value = downloads.error_html(str(exc))
        return None
    if len(data) > DOWNLOAD_LIMIT:
        self.download.value = downloads.too_large_html(name, len(data), kind)
        return None
    self.download.value = downloads.link_html(name, kind, data)
    return data


def settings_frame(self: FilterPanel) -> pd.DataFrame:
    """The workbook's "Filters" sheet: ``setting``, ``value``."""
    f = self.filters()
    rows = [
        ("providers", ", ".join(map(str, f["providers"])) if f["providers"] is not None else "all"),
        ("statuses", ", ".join(map(str, f["statuses"])) if f["statuses"] is not None else "all"),
        ("customer contains", f["customer"] or ""),
        ("issued from", str(f["issued_from"] or "")),
        ("issued to", str(f["issued_to"] or "")),
        ("as of", str(self.as_of_date)),
        ("buckets", self.scheme.value),
        ("invoices shown", f"{len(self._rows)} of {len(self._work)}"),
        ("terms where no due date", self._terms_text()),
        ("statement of", statement_label(self)),
        ("source", "DEMO DATA (made-up sample invoices)" if self.is_demo
         else str(self._work.attrs.get("source") or "not recorded")),
    ]
    return pd.DataFrame(rows, columns=["setting", "value"])


def statement_label(self: FilterPanel) -> str:
    """The chosen customer as "name (provider id)", "" when none is."""
    chosen = self.statement_customer.value
    if not chosen:
        return ""
    return f"{self._customer_list().name(chosen)} ({chosen[0]} {chosen[1]})"


def kpi_frame(self: FilterPanel) -> pd.DataFrame:
    """The KPIs as a table.

    Returns
    -------
    pandas.DataFrame
        ``kpi`` (text), ``invoice_count`` and ``amount`` (rupiah, ``Int64``), ``ratio`` (``Float64``), missing
        where a figure does not apply; rows Open, Past due, Past due in the last bucket, Credit, Net
        balance, Paid ratio, Counted invoices, Invoices shown.
    """
    k = self.kpis
    rows = [
        ("Open", k["open_count"], k["open_amount"], None),
        ("Past due (open, >= 1 day after due)", k["overdue_count"], k["overdue_amount"], None),
        (f"Past due {k['oldest_label']} days", None, k["oldest_amount"], None),
        ("Credit", k["credit_count"], k["credit_amount"], None),
        ("Net balance", None, k["net_balance"], None),
        ("Paid ratio (paid of counted)", k["paid_count"], None, k["paid_ratio"]),
        ("Counted invoices", k["counted_count"], None, None),
        ("Invoices shown", k["invoices"], None, None),
    ]
    kpi, count, amount, ratio = zip(*rows, strict=True)
    return pd.DataFrame({
        "kpi": list(kpi),
        "invoice_count": pd.array(list(count), dtype="Int64"),
        "amount": pd.array(list(amount), dtype="Int64"),
        "ratio": pd.array(list(ratio), dtype="Float64"),
    })


def export_csv(self: FilterPanel, path: str | Path, *, what: str = "report") -> Path:
    """Write the aging report shown (every row, rupiah as integers) or the filtered invoices to CSV, with
    :func:`~invoice_analytics.write_csv`.

    Parameters
    ----------
    path : str or pathlib.Path
        The file to write (its directory is created when missing).
    what : {"report", "invoices"}, default "report"
        Which table to write.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ValueError
        When ``what`` is neither "report" nor "invoices".

    Examples
    --------
    >>> import tempfile
    >>> from invoice_analytics import FilterPanel
    >>> df = pd.DataFrame({"provider": ["mayar"], "customer_id": ["C1"], "customer_name": ["Ani"],
    ...                    "status": ["unpaid"], "issued_at": pd.to_datetime(["2024-01-01"]),
    ...                    "due_at": pd.to_datetime(["2024-01-31"]), "outstanding": [100_000]})
    >>> print(FilterPanel(df, as_of="2024-02-15").export_csv(Path(tempfile.mkdtemp()) / "r.csv").read_text(), end="")
    customer_name,customer_id,provider,Current,1-30,31-60,61-90,>90,Credit,Total
    Ani,C1,mayar,0,100000,0,0,0,0,100000
    Total,,,0,100000,0,0,0,0,100000
    """
    if what not in ("report", "invoices"):
        raise ValueError(f"what must be 'report' or 'invoices', not {what!r}")
    if what == "report":
        return write_csv(frame=self.report, path=path)
    return write_csv(frame=self.filtered, path=path)


def export_excel(self: FilterPanel, path: str | Path) -> Path:
    """Write what is shown as the finance-ready workbook (the report's and the pack's writer).

    Sheets "Aging report", "Overdue invoices" (filtered, a day or more past due, oldest first), "KPIs",
    "Filters" and the chosen customer's "Statement", each with its title block (as-of date, source, terms,
    buckets, notes), set up to print; written by :func:`~invoice_analytics.workbook.write_sheets` (XlsxWriter:
    ``pip install 'invoice-analytics[excel]'``). Every filtered invoice: :meth:`export_csv` (``what="invoices"``).

    Parameters
    ----------
    path : str or pathlib.Path
        The ``.xlsx`` file to write (its directory is created when missing).

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ImportError
        When XlsxWriter is not installed.

    Examples
    --------
    >>> import tempfile, openpyxl
    >>> from invoice_analytics import FilterPanel
    >>> from invoice_analytics.schema import empty_frame
    >>> path = FilterPanel(empty_frame(), as_of="2024-02-15").export_excel(Path(tempfile.mkdtemp()) / "a.xlsx")
    >>> book = openpyxl.load_workbook(path)
    >>> book.sheetnames, book["Filters"]["A2"].value
    (['Aging report', 'Overdue invoices', 'KPIs', 'Filters'], 'As of: 2024-02-15 (Asia/Jakarta)')
    """
    from invoice_analytics.analytics.aging import overdue_invoices
    from invoice_analytics.schema import JAKARTA
    from invoice_analytics.settings import terms_notes
    from invoice_analytics.workbook import write_sheets

    as_of, edges, terms = self.as_of_date, self.edges, self.terms_days
    overdue = overdue_invoices(self.filtered, as_of, edges=edges, terms_days=terms)
    overdue = overdue[[c for c in _OVERDUE_COLUMNS if c in overdue.columns]].copy()
    for name in ("issued_at", "due_at"):
        if name in overdue and isinstance(overdue[name].dtype, pd.DatetimeTZDtype):
            overdue[name] = overdue[name].dt.tz_convert(JAKARTA).dt.tz_localize(None).dt.normalize()
    sheets = {
        "Aging report": self.report,
        "Overdue invoices": overdue,
        "KPIs": self.kpi_frame(),
        "Filters": settings_frame(self),
    }
    if self.statement is not None:
        sheets["Statement"] = self.statement
    source = ("DEMO DATA (made-up sample invoices)" if self.is_demo
              else str(self._df.attrs.get("source") or "not recorded"))
    present = [str(p) for p in self.filtered["provider"].dropna().unique()] if "provider" in self.filtered else []
    lines = [f"As of: {as_of.isoformat()} (Asia/Jakarta)", f"Source: {source}",
             f"Terms where no due date: {self._terms_text()}; buckets {self.scheme.value} days",
             *(f"Note: {n}" for n in terms_notes(terms, sorted(present)))]
    return write_sheets(path, sheets, titles={name: [name, *lines] for name in sheets})

