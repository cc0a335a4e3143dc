"""Validation speed: read, check and write back a big workbook.

Prints figures (not a test). Usage:
    python bench/bench_validate.py [--members 2000] [--log 20000] [--repeat 3] [--errors 0.01]

Generates its own workbook with xlsxwriter in a temporary folder (headers from
the schema), then times ``read_book`` and ``validate_book`` separately, with a
clean log and with a share of rows spoiled (bad dates, unknown IDs, values
outside the lists), and writing 问题清单 + cell marks to a copy with each
writer engine (the fast package splice, and openpyxl as the reference).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

from dj_addin.xlsx.reader import read_book
from dj_addin.validate import validate_book

from bigbook import make_book

AS_OF = dt.date(2026, 12, 31)


def write_back(path: Path, report, engine: str) -> float:
    """Seconds to write 问题清单 and the marks into a copy of ``path``."""
    from dj_addin.xlsx.save import save_outputs

    dest = path.with_name(f"{path.stem}_{engine}.xlsx")
    t0 = time.perf_counter()
    save_outputs(path, dest, report=report, engine=engine)
    return time.perf_counter() - t0


def timed(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--members", type=int, default=2000)
    ap.add_argument("--log", type=int, nargs="+", default=[20000])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--errors", type=float, default=0.01, help="share of spoiled log rows in the second run")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.log:
            for spoil in (0.0, args.errors):
                path = Path(tmp) / f"bench_{n}_{spoil}.xlsx"
                make_book(path, args.members, n, spoil)
                t_read, book = timed(lambda: read_book(path), args.repeat)
                t_check, report = timed(lambda: validate_book(book, AS_OF), args.repeat)
                counts = "/".join(str(v) for v in report.counts.values())
                write_text = ", ".join(f"{e} {write_back(path, report, e):.2f} s" for e in ("fast", "openpyxl"))
                print(f"log={n:>6} members={args.members} spoiled={spoil:.0%}: read {t_read:.2f} s, "
                      f"check {t_check:.3f} s ({t_check / t_read:.0%} of read), findings 错误/警告/提示 {counts}, "
                      f"write: {write_text}")


if __name__ == "__main__":
    main()
