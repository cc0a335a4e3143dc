"""Reader speed: python-calamine against openpyxl on the same workbook.

Prints figures (not a test). Usage:
    python bench/bench_read.py [--members 2000] [--log 20000 50000] [--repeat 3]

The workbook comes from bigbook.py (xlsxwriter, shared strings as Excel
writes them) in a temporary folder.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from dj_addin.xlsx.reader import read_book
from dj_addin.xlsx.grid import ENGINES
from dj_addin.xlsx.safety import check_package

from bigbook import make_book
from timing import median_seconds


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--members", type=int, default=2000)
    ap.add_argument("--log", type=int, nargs="+", default=[20000, 50000])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print(f"{'log rows':>9} {'MB':>5} {'engine':>9} {'grids s':>8} {'read_book s':>12}")
        for n in args.log:
            path = Path(tmp) / f"book_{n}.xlsx"
            t0 = time.perf_counter()
            make_book(path, args.members, n)
            made = time.perf_counter() - t0
            size = path.stat().st_size / 1e6
            names = check_package(path).sheet_names
            for engine in ("calamine", "openpyxl"):
                grids = median_seconds(lambda: ENGINES[engine](path, names), args.repeat)
                full = median_seconds(lambda: read_book(path, engine=engine), args.repeat)
                print(f"{n:>9} {size:>5.1f} {engine:>9} {grids:>8.2f} {full:>12.2f}")
            print(f"          (made in {made:.1f} s; {args.members} members, {args.members * 3} targets)")


if __name__ == "__main__":
    main()
