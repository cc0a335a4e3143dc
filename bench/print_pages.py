"""Pages each sheet of a workbook prints on, through LibreOffice (prints figures).

    python bench/print_pages.py BOOK.xlsx [BOOK2.xlsx ...]

Every book is printed whole to PDF (one soffice run for all of them), as a
secretary prints it, and each page is given to the sheet its page header
names (the sheet's name, or 「单位 年度 · 表名」). A sheet left out of
printing counts 0 pages. (Printing a sheet alone cannot show that: a PDF has
at least one page, so LibreOffice makes a blank one.)
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import openpyxl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.libreoffice import convert_all, pdf_page_texts, pages_per_sheet  # noqa: E402


def sheet_pages(books: list[Path]) -> list[dict[str, int]]:
    """For every book: visible sheet → pages, and "(whole book)" → all pages."""
    with tempfile.TemporaryDirectory() as tmp:
        sources = []
        for i, book in enumerate(books):  # soffice needs different names in one run
            src = Path(tmp) / "in" / f"b{i:02d}.xlsx"
            src.parent.mkdir(exist_ok=True)
            src.write_bytes(Path(book).read_bytes())
            sources.append(src)
        pdfs = convert_all(sources, "pdf", Path(tmp) / "out")
        out = []
        for book, pdf in zip(books, pdfs):
            wb = openpyxl.load_workbook(book, read_only=True)
            names = [ws.title for ws in wb.worksheets if ws.sheet_state == "visible"]
            counts = pages_per_sheet(pdf, names)
            counts["(whole book)"] = len(pdf_page_texts(pdf))
            out.append(counts)
        return out


if __name__ == "__main__":
    books = [Path(a) for a in sys.argv[1:]]
    for book, counts in zip(books, sheet_pages(books)):
        print(book)
        for name, n in counts.items():
            print(f"  {name}\t{n}")
