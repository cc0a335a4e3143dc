"""Validation per branch book, as ``dj aggregate``'s workers run it: milliseconds per book.

Prints figures (not a test). Usage:
    python bench/bench_validate_books.py [FOLDER ...] [--books 30] [--repeat 3]

Reads up to ``--books`` workbooks of each FOLDER (default: a ``dj demo``
university written to a temporary folder) once, then times
``pipeline.compute(book, as_of, (VALIDATE,))`` over them, the call each
aggregate worker makes after ``read_book``: the median over ``--repeat``
passes of wall and CPU time per book, the findings per book and the load
average (on a shared machine compare two versions in the same run).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from dj_addin.pipeline import VALIDATE, compute
from dj_addin.xlsx.reader import read_book

AS_OF = dt.date(2026, 12, 31)


def measure(paths: list[Path], repeat: int) -> str:
    books = [read_book(p) for p in paths]
    compute(books[0], AS_OF, (VALIDATE,), file=paths[0].name)  # warm caches and imports
    walls, cpus, findings = [], [], 0
    for _ in range(repeat):
        wall, cpu, findings = time.perf_counter(), time.process_time(), 0
        for path, book in zip(paths, books):
            findings += len(compute(book, AS_OF, (VALIDATE,), file=path.name).report.findings)
        walls.append((time.perf_counter() - wall) / len(books) * 1000)
        cpus.append((time.process_time() - cpu) / len(books) * 1000)
    return (f"{len(books)} books: wall {statistics.median(walls):.1f} ms, CPU {statistics.median(cpus):.1f} ms "
            f"per book; {findings / len(books):.0f} findings per book; load {os.getloadavg()[0]:.2f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("folders", nargs="*", type=Path)
    ap.add_argument("--books", type=int, default=30)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folders = args.folders
        if not folders:
            subprocess.run([sys.executable, "-m", "dj_addin.cli", "demo", "--out", tmp, "--year", "2026",
                            "--as-of", "2026-12-31"], check=True, capture_output=True)
            folders = [Path(tmp)]
        for folder in folders:
            # branch books only (D…), not the inboxes' copies or the colleges' merged books
            paths = sorted(p for p in folder.rglob("*.xlsx") if p.name.startswith("D") and "收件箱" not in p.parts
                           and not p.stem.endswith(("_报送", "_汇总")))
            paths = (paths or sorted(folder.rglob("*.xlsx")))[:args.books]
            print(f"{folder}: {measure(paths, args.repeat)}")


if __name__ == "__main__":
    main()
