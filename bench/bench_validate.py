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
import random
import statistics
import tempfile
import time
from pathlib import Path

import xlsxwriter

from dj_addin import schema
from dj_addin.read import read_book
from dj_addin.validate import validate_book

AS_OF = dt.date(2026, 12, 31)


def make_book(path: Path, members: int, log_rows: int, spoil: float = 0.0, seed: int = 1) -> None:
    """A branch-like workbook: members with assigned contacts, a contact log
    spread over the year; ``spoil`` = share of log rows with one mistake."""
    rnd = random.Random(seed)
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    datefmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws = wb.add_worksheet(schema.META.name)
    ws.write_row(0, 0, schema.META.kv_headers)
    for r, (key, value) in enumerate((("unit_code", "D0101"), ("unit_name", "测试党委"), ("unit_level", "党支部"),
                                      ("year", 2026), ("template_version", schema.TEMPLATE_VERSION)), start=1):
        ws.write_row(r, 0, [schema.META.column(key).header, value])
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
        date: object = start + dt.timedelta(days=rnd.randrange(360))
        member, method = ids[m], rnd.choice(schema.CONTACT_METHODS)
        if spoil and rnd.random() < spoil:
            kind = rnd.randrange(3)
            date = "2026-13-05" if kind == 0 else date
            member = "X999" if kind == 1 else member
            method = "飞鸽传书" if kind == 2 else method
        if isinstance(date, dt.datetime):
            ws.write_datetime(i, 0, date, datefmt)
        else:
            ws.write(i, 0, date)
        ws.write_row(i, 1, [member, f"党员{m + 1}", targets[m * 3], f"群众{m * 3 + 1}", method,
                            "了解思想工作生活情况，听取意见建议",
                            "希望改善实验室条件" if i % 7 == 0 else None,
                            "已办结" if i % 7 == 0 else "无需办理"])
        if i % 7 == 0:
            ws.write_datetime(i, 9, dt.datetime(2026, 12, 28), datefmt)
        ws.write(i, 10, "是")
    wb.close()


def write_back(path: Path, report, engine: str) -> float:
    """Seconds to write 问题清单 and the marks into a copy of ``path``."""
    from dj_addin.write import save_outputs

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
