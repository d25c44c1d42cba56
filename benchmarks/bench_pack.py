"""The month-end pack, timed: building the sections, the workbook, the PDF; and a PDF page with each engine.

    python benchmarks/bench_pack.py [--month 2026-10] [--pages 20]

Uses the cached demo store (``open_demo_store``; built first when missing,
timed separately). The PDF engines are compared on the same page: a
statement-like table of 20 rows and 8 columns of rupiah, drawn with
matplotlib's PdfPages (text artists) and with fpdf2 (the pack's engine).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import matplotlib
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from invoice_analytics.history._demo import open_demo_store
from invoice_analytics.pack import month_end_pack


def matplotlib_pages(path: Path, pages: int) -> None:
    with matplotlib.rc_context({"pdf.fonttype": 42}), PdfPages(path) as pdf:
        for _ in range(pages):
            figure = Figure(figsize=(11.69, 8.27))
            for r in range(20):
                for c in range(8):
                    figure.text(0.05 + c * 0.11, 0.9 - r * 0.03, f"Rp {r * 123_456_789:,}", fontsize=8)
            pdf.savefig(figure)


def fpdf_pages(path: Path, pages: int) -> None:
    from fpdf import FPDF

    fonts = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    pdf = FPDF(orientation="L", format="A4")
    pdf.add_font("DejaVu", "", str(fonts / "DejaVuSans.ttf"))
    pdf.set_font("DejaVu", size=8)
    for _ in range(pages):
        pdf.add_page()
        for r in range(20):
            for c in range(8):
                pdf.text(10 + c * 32, 20 + r * 7, f"Rp {r * 123_456_789:,}")
    pdf.output(str(path))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--month", default="2026-10")
    parser.add_argument("--pages", type=int, default=20)
    args = parser.parse_args()
    start = time.perf_counter()
    store = open_demo_store()
    opened = time.perf_counter() - start
    timings = [("open the demo store (cached, or built)", opened)]
    start = time.perf_counter()
    pack = month_end_pack(store, args.month, terms_days={"mayar": 14})
    timings.append(("month_end_pack: every section", time.perf_counter() - start))
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        pack.to_excel(Path(folder) / "pack.xlsx")
        timings.append(("to_excel (XlsxWriter)", time.perf_counter() - start))
        start = time.perf_counter()
        pdf = pack.to_pdf(Path(folder) / "pack.pdf")
        timings.append(("to_pdf (fpdf2)", time.perf_counter() - start))
        from invoice_analytics.pdf import page_count

        pages = page_count(pdf.read_bytes())
        for name, write in (("matplotlib PdfPages", matplotlib_pages), ("fpdf2", fpdf_pages)):
            start = time.perf_counter()
            write(Path(folder) / f"{name}.pdf", args.pages)
            timings.append((f"{args.pages} table pages, {name}", time.perf_counter() - start))
    print(f"Month-end pack of {args.month} from the demo store: {len(pack.sections['Collections'])} statements, "
          f"{pages} PDF pages")
    for name, seconds in timings:
        print(f"  {name:<42} {seconds:6.2f} s")


if __name__ == "__main__":
    main()
