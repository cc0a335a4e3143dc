"""Roll-up and scoring speed: 2,000 members, 50,000 contact-log rows.

Prints figures (not a test). Compute (roll-up, scoring) is timed apart from
reading the workbook and writing the output sheets. Usage:
    python bench/bench_scoring.py [--members 2000] [--log 50000] [--repeat 3] [--no-write]

The workbook is made with xlsxwriter in a temporary folder, with headers
from the schema, every member in one of 20 branches, three assigned
contacts each, research trips, activities and an 评议 row per member.
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
from dj_addin.xlsx.reader import read_book
from dj_addin.rollup.table import rollup
from dj_addin.scoring.score import score
from dj_addin.context import RunContext
from dj_addin.xlsx.save import save_outputs

AS_OF = dt.date(2026, 12, 31)


def _sheet(wb: xlsxwriter.Workbook, spec: schema.Sheet, keys: list[str]):
    ws = wb.add_worksheet(spec.name)
    ws.write_row(0, 0, [spec.column(k).header for k in keys])
    return ws


def make_book(path: Path, members: int, log_rows: int, seed: int = 1) -> None:
    rnd = random.Random(seed)
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    datefmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws = wb.add_worksheet(schema.META.name)
    ws.write_row(0, 0, schema.META.kv_headers)
    for r, (k, v) in enumerate((("unit_code", "D01"), ("unit_name", "测试学院党委"), ("unit_level", "学院党委"),
                                ("year", 2026)), start=1):
        ws.write_row(r, 0, [schema.META.column(k).header, v])
    ids = [f"{2020000 + i}" for i in range(members)]
    ws = _sheet(wb, schema.ROSTER, ["member_id", "name", "category", "status", "cadre_level", "branch_post",
                                    "branch_code"])
    for i, mid in enumerate(ids, start=1):
        cadre = "处级干部" if i % 50 == 0 else ("校级干部" if i % 400 == 0 else "无")
        post = "书记" if i % 100 == 1 else ("支委" if i % 25 == 0 else "无")
        ws.write_row(i, 0, [mid, f"党员{i}", rnd.choice(("教职工党员", "学生党员", "学生党员")),
                            "预备党员" if i % 9 == 0 else "正式党员", cadre, post, f"D01{i % 20:02d}"])
    ws = _sheet(wb, schema.TARGETS, ["target_id", "name", "target_type", "member_id"])
    targets = [f"T{i:06d}" for i in range(members * 3)]
    for i, tid in enumerate(targets, start=1):
        ws.write_row(i, 0, [tid, f"群众{i}", "普通教职工", ids[(i - 1) // 3]])
    ws = _sheet(wb, schema.CONTACT_LOG, ["date", "member_id", "target_id", "method", "content", "request",
                                         "handling"])
    start = dt.datetime(2026, 1, 1)
    for i in range(1, log_rows + 1):
        m = rnd.randrange(members)
        ws.write_datetime(i, 0, start + dt.timedelta(days=rnd.randrange(360)), datefmt)
        ws.write_row(i, 1, [ids[m], targets[m * 3 + rnd.randrange(3)], rnd.choice(schema.CONTACT_METHODS),
                            "了解思想工作生活情况，听取意见建议", "希望改善实验室条件" if i % 7 == 0 else None,
                            rnd.choice(("已办结", "办理中")) if i % 7 == 0 else "无需办理"])
    ws = _sheet(wb, schema.RESEARCH, ["member_id", "start_date", "end_date", "days", "topic", "has_report"])
    for i in range(1, members // 5 + 1):
        s = start + dt.timedelta(days=rnd.randrange(350))
        ws.write(i, 0, ids[rnd.randrange(members)])
        ws.write_datetime(i, 1, s, datefmt)
        ws.write_datetime(i, 2, s + dt.timedelta(days=rnd.randrange(5)), datefmt)
        if i % 3:
            ws.write(i, 3, rnd.randrange(1, 6))
        ws.write_row(i, 4, ["调研", rnd.choice(("是", "否"))])
    ws = _sheet(wb, schema.ACTIVITIES, ["date", "name", "brand", "member_ids"])
    for i in range(1, members + 1):
        ws.write_datetime(i, 0, start + dt.timedelta(days=rnd.randrange(360)), datefmt)
        ws.write_row(i, 1, ["志愿服务", "党员责任区", "、".join(rnd.sample(ids, 3))])
    ws = _sheet(wb, schema.EVALUATION, ["member_id", "peer_excellent", "peer_pass", "peer_basic", "peer_fail",
                                        "mass_satisfied", "mass_basic", "mass_unsatisfied", "org_score",
                                        "violation"])
    for i, mid in enumerate(ids, start=1):
        ws.write_row(i, 0, [mid, rnd.randrange(10), rnd.randrange(10), rnd.randrange(3), rnd.randrange(2),
                            rnd.randrange(10), rnd.randrange(5), rnd.randrange(3), rnd.randrange(60, 101),
                            "是" if i % 97 == 0 else "否"])
    wb.close()


def timed(fn, repeat: int):
    times, value = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), value


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--members", type=int, default=2000)
    ap.add_argument("--log", type=int, default=50000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-write", action="store_true", help="skip timing the output write")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.xlsx"
        t_make, _ = timed(lambda: make_book(path, args.members, args.log), 1)
        print(f"members {args.members}, log rows {args.log}, file {path.stat().st_size / 1e6:.1f} MB "
              f"(made in {t_make:.1f} s); medians of {args.repeat}")
        t_read, book = timed(lambda: read_book(path), args.repeat)
        t_context, run = timed(lambda: RunContext.build(book, AS_OF), args.repeat)
        t_rollup, r = timed(lambda: rollup(run), args.repeat)
        t_score, s = timed(lambda: score(run, r), args.repeat)
        t_tables, tables = timed(lambda: (r.to_table(), s.to_table()), args.repeat)
        print(f"read_book           {t_read:7.2f} s")
        print(f"run context         {t_context:7.3f} s   (settings, quotas, as-of date)")
        print(f"rollup (compute)    {t_rollup:7.3f} s   {len(r.rows):,} rows in 指标汇总")
        print(f"score (compute)     {t_score:7.3f} s   {len(s.members):,} members")
        print(f"display tables      {t_tables:7.3f} s   (rounding for 指标汇总 and 考评结果)")
        print(f"compute total       {t_context + t_rollup + t_score + t_tables:7.3f} s")
        if not args.no_write:
            out = Path(tmp) / "out.xlsx"
            t_write, _ = timed(lambda: save_outputs(path, out, rollup=tables[0], results=tables[1]), 1)
            print(f"save_outputs        {t_write:7.2f} s   (writes 指标汇总 and 考评结果 into a copy, once)")


if __name__ == "__main__":
    main()
