"""Pages each sheet of a workbook prints on, through LibreOffice (prints figures).

    python bench/print_pages.py BOOK.xlsx [BOOK2.xlsx ...]

For every visible sheet, a copy of the book with every other sheet removed
is converted to PDF in one soffice run (LibreOffice prints hidden sheets
too), so each PDF's page count is that sheet's; the whole book is
converted as well.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import openpyxl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.libreoffice import convert_all  # noqa: E402


def pdf_pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def sheet_pages(book: Path) -> dict[str, int]:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        names = openpyxl.load_workbook(book, read_only=True).sheetnames
        sources = []
        for i, name in enumerate(names):
            wb = openpyxl.load_workbook(book)
            if wb[name].sheet_state != "visible":
                continue
            for ws in list(wb.worksheets):
                if ws.title != name:
                    wb.remove(ws)
            wb.active = 0
            src = tmp / "in" / f"s{i:02d}.xlsx"
            src.parent.mkdir(exist_ok=True)
            wb.save(src)
            sources.append((name, src))
        whole = convert_all([book], "pdf", tmp / "whole")[0]
        pdfs = convert_all([s for _, s in sources], "pdf", tmp / "out")
        counts = {name: pdf_pages(pdf) for (name, _), pdf in zip(sources, pdfs)}
        counts["(whole book)"] = pdf_pages(whole)
        return counts


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        print(arg)
        for name, n in sheet_pages(Path(arg)).items():
            print(f"  {name}\t{n}")
