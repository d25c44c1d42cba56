"""The panel's downloads: file names, the export as bytes, and the ``data:`` link the browser saves.

:mod:`invoice_analytics.export` writes the files (the panel's ``export_excel`` / ``export_csv``); this module
names them, reads them back and wraps them in a link.
"""

from __future__ import annotations

import base64
import datetime
import html
import tempfile
from collections.abc import Callable
from pathlib import Path

__all__ = ["CSV_TYPE", "XLSX_TYPE", "check_kind", "download_name", "error_html", "export_to_bytes", "link_html",
           "pending_html", "too_large_html"]

#: Media types of the downloads.
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv"


def check_kind(kind: str) -> None:
    """Raise ValueError unless ``kind`` is "excel" or "csv"."""
    if kind not in ("excel", "csv"):
        raise ValueError(f"kind must be 'excel' or 'csv', not {kind!r}")


def download_name(kind: str, as_of: datetime.date, *, demo: bool) -> str:
    """``aging_<as_of>.xlsx`` or ``aging_report_<as_of>.csv``, ``DEMO_``-prefixed for sample data."""
    check_kind(kind)
    prefix = "DEMO_" if demo else ""
    if kind == "excel":
        return f"{prefix}aging_{as_of:%Y-%m-%d}.xlsx"
    return f"{prefix}aging_report_{as_of:%Y-%m-%d}.csv"


def export_to_bytes(name: str, write: Callable[[Path], Path]) -> bytes:
    """Call ``write`` on ``name`` in a temporary directory (removed afterwards) and read the file back."""
    with tempfile.TemporaryDirectory(prefix="ia-panel-") as folder:
        return write(Path(folder) / name).read_bytes()


def error_html(text: str) -> str:
    """Why a file is not offered, in red."""
    return f'<span class="ia-download-error" style="color:#c62828">{html.escape(text)}</span>'


def too_large_html(name: str, size: int, kind: str) -> str:
    """The message for a file too large to hand to the browser: write it to a path instead."""
    method = "export_excel" if kind == "excel" else "export_csv"
    return error_html(
        f"{name} is {size / 1e6:,.0f} MB, too large to hand to the browser: write it with "
        f'panel.{method}("out/{name}")'
    )


def pending_html(name: str) -> str:
    """Shown while a file is made."""
    return f'<span class="ia-download-pending">Preparing {html.escape(name)}…</span>'


def link_html(name: str, kind: str, data: bytes) -> str:
    """A ``<a download=... href="data:...">`` link saving ``data`` as ``name``, with its size."""
    media = XLSX_TYPE if kind == "excel" else f"{CSV_TYPE};charset=utf-8"
    encoded = base64.b64encode(data).decode("ascii")
    size = f"{len(data) / 1024:,.0f} KB" if len(data) >= 1024 else f"{len(data)} bytes"
    return (
        f'<a class="ia-download-link" download="{html.escape(name)}" href="data:{media};base64,{encoded}" '
        'style="display:inline-block;padding:2px 10px;border:1px solid var(--jp-brand-color1,#1976d2);'
        'border-radius:3px;color:var(--jp-brand-color1,#1976d2);text-decoration:none;margin-left:.4em">'
        f"⤓ Save {html.escape(name)}</a>"
        f'<span style="margin-left:.5em;opacity:.7">{size}</span>'
    )
