"""Reader speed: python-calamine against openpyxl on the same workbook.

Prints figures (not a test). Usage:
    python bench/bench_read.py [--members 2000] [--log 20000 50000] [--repeat 3]

The workbook is made with xlsxwriter (shared strings, as Excel writes them)
in a temporary folder, with the template's headers from the schema.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import tempfile
import time
from pathlib import Path

import xlsxwriter

from dj_addin import schema
from dj_addin.read import read_book
from dj_addin.read.grid import ENGINES
from dj_addin.read.package import check_package


def make_book(path: Path, members: int, log_rows: int, seed: int = 1) -> None:
    rnd = random.Random(seed)
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    datefmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws = wb.add_worksheet(schema.META.name)
    ws.write_row(0, 0, schema.META.kv_headers)
    ws.write_row(1, 0, [schema.META.column("unit_code").header, "D0101"])
    ws.write_row(2, 0, [schema.META.column("year").header, 2026])
    ws = wb.add_worksheet(schema.ROSTER.name)
    ws.write_row(0, 0, schema.ROSTER.headers)
    ids = [f"{2020000 + i}" for i in range(members)]
    for i, mid in enumerate(ids, start=1):
        ws.write_row(i, 0, [mid, f"党员{i}", "男", "教职工党员", "正式党员", "无", "无", "D0101", "文学院"])
        ws.write_datetime(i, 9, dt.datetime(2010, 7, 1), datefmt)
    ws = wb.add_worksheet(schema.TARGETS.name)
    ws.write_row(0, 0, schema.TARGETS.headers)
    targets = [f"T{i:06d}" for i in range(members * 3)]
    for i, tid in enumerate(targets, start=1):
        ws.write_row(i, 0, [tid, f"群众{i}", "普通教职工", "群众", "文学院", ids[(i - 1) // 3]])
    ws = wb.add_worksheet(schema.CONTACT_LOG.name)
    ws.write_row(0, 0, schema.CONTACT_LOG.headers)
    start = dt.datetime(2026, 1, 1)
    for i in range(1, log_rows + 1):
        m = rnd.randrange(members)
        ws.write_datetime(i, 0, start + dt.timedelta(days=rnd.randrange(300)), datefmt)
        ws.write_row(i, 1, [ids[m], f"党员{m + 1}", targets[m * 3], f"群众{m * 3 + 1}",
                            rnd.choice(schema.CONTACT_METHODS), "了解思想工作生活情况，听取意见建议",
                            "希望改善实验室条件" if i % 7 == 0 else None,
                            "已办结" if i % 7 == 0 else "无需办理"])
        if i % 7 == 0:
            ws.write_datetime(i, 9, start + dt.timedelta(days=300), datefmt)
        ws.write(i, 10, "是")
    wb.close()


def timed(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


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
                grids = timed(lambda: ENGINES[engine](path, names), args.repeat)
                full = timed(lambda: read_book(path, engine=engine), args.repeat)
                print(f"{n:>9} {size:>5.1f} {engine:>9} {grids:>8.2f} {full:>12.2f}")
            print(f"          (made in {made:.1f} s; {args.members} members, {args.members * 3} targets)")


if __name__ == "__main__":
    main()
