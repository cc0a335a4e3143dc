"""Render the first printed page of 考评结果 and 指标汇总 of a demo branch as PNG files.

    python docs/make_pictures.py [--out docs]

Writes the demo university into a temporary folder (seed 1, 考核年度 2026,
统计截止 2026-12-31), keeps one sheet of one branch workbook per picture,
prints it to PDF with LibreOffice and turns page 1 into a PNG with
pdftoppm (poppler-utils). The README shows the two pictures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import openpyxl  # noqa: E402

from dj_addin import schema  # noqa: E402
from dj_addin.commands.demo import run_demo  # noqa: E402
from tests.libreoffice import convert_all  # noqa: E402

BRANCH = "D0101"  # a branch workbook of the demo
PICTURES = {schema.RESULTS.name: "results_page", schema.ROLLUP.name: "rollup_page"}
DPI = 70


def single_sheet(book: Path, sheet: str, out: Path) -> Path:
    """A copy of ``book`` with only ``sheet`` left (what printing that sheet alone gives)."""
    wb = openpyxl.load_workbook(book)
    for ws in list(wb.worksheets):
        if ws.title != sheet:
            wb.remove(ws)
    wb.save(out)
    return out


def make_pictures(out_dir: Path, demo_dir: Path | None = None) -> list[Path]:
    """The PNG files in ``out_dir``; ``demo_dir``: a demo already written there (else one is made)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if demo_dir is None:
            demo_dir = tmp / "demo"
            run_demo(demo_dir, seed=1, year=2026, as_of=dt.date(2026, 12, 31))
        book = next(demo_dir.rglob(f"{BRANCH}_*.xlsx"))
        (tmp / "in").mkdir()
        sources = [single_sheet(book, sheet, tmp / "in" / f"{stem}.xlsx") for sheet, stem in PICTURES.items()]
        pictures = []
        for pdf in convert_all(sources, "pdf", tmp / "pdf"):
            target = out_dir / f"{pdf.stem}.png"
            subprocess.run(["pdftoppm", "-png", "-r", str(DPI), "-f", "1", "-l", "1", "-singlefile", str(pdf),
                            str(tmp / pdf.stem)], check=True, timeout=120)
            shutil.move(tmp / f"{pdf.stem}.png", target)
            pictures.append(target)
        return pictures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    for path in make_pictures(parser.parse_args().out):
        print(path)
