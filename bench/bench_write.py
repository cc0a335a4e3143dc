"""Time writing results back into a big workbook: reference (openpyxl) vs fast path.

    python3 bench/bench_write.py [--rows 20000 50000] [--members 2000] [--findings 200]

Builds a workbook (roster + contact log, with xlsxwriter so it looks like a
file saved by Excel: shared strings), then times save_outputs with a report
of ~200 findings (marks + 问题清单) plus 指标汇总 and 考评结果, and
clear_marks, for each engine. Prints one line per measurement.

Measured 2026-11-24 on the 2-core dev machine (shared, so trust ratios):

  rows   engine    save all   re-validate in place   clear marks
  20000  fast        1.9 s          0.5 s               0.4 s
  20000  openpyxl    9.9 s         12.6 s              11.5 s
  50000  fast        2.3 s          0.9 s               0.8 s
  50000  openpyxl   19.3 s         20.9 s              21.5 s

Every save includes the check before its rename (verify.verify_written:
the parts it touched parse, the zip's CRCs, relationships, content types,
openpyxl opens it read-only); "verify" is that check timed alone.

"save all" includes 2,000 rows each of 指标汇总 and 考评结果, which the fast
path still builds with openpyxl (about 1.2 s of its time): its cost follows
the results, not the workbook.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import xlsxwriter

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dj_addin import schema  # noqa: E402
from dj_addin.model import Finding  # noqa: E402
from dj_addin.results import ResultsTable, RollupTable, ValidationReport  # noqa: E402
from dj_addin.xlsx.save import ENGINES, clear_marks, save_outputs  # noqa: E402
from dj_addin.xlsx.verify import verify_written  # noqa: E402

AS_OF = dt.date(2026, 12, 31)


def build(path: Path, rows: int, members: int) -> None:
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws = wb.add_worksheet(schema.ROSTER.name)
    ws.write_row(0, 0, schema.ROSTER.headers)
    for i in range(members):
        ws.write_row(i + 1, 0, [f"P{i:05d}", f"党员{i}", "男", "教职工党员", "正式党员"])
    ws = wb.add_worksheet(schema.CONTACT_LOG.name)
    ws.write_row(0, 0, schema.CONTACT_LOG.headers)
    rnd = random.Random(1)
    for r in range(rows):
        m = rnd.randrange(members)
        ws.write_datetime(r + 1, 0, dt.datetime(2026, 1, 1) + dt.timedelta(days=rnd.randrange(360)), date_fmt)
        ws.write_row(r + 1, 1, [f"P{m:05d}", f"党员{m}", f"T{rnd.randrange(5000):05d}", "", "谈心谈话",
                                "了解思想动态和学习生活情况", "希望增加自习室开放时间", "已办结"])
    wb.close()


def report(rows: int, n: int) -> ValidationReport:
    rnd = random.Random(2)
    log = schema.CONTACT_LOG.name
    findings = [Finding("R002", rnd.choice(["错误", "警告", "提示"]), log, rnd.randrange(2, rows + 2),
                        rnd.choice("ABDFG"), "党员编号", "x", "编号不在名册中", "请核对") for _ in range(n)]
    return ValidationReport("bench.xlsx", AS_OF, findings)


def rollup(members: int) -> RollupTable:
    rows = pd.DataFrame({"member_id": [f"P{i:05d}" for i in range(members)], "quota_code": "Q02",
                         "quota_name": "年度联系群众人数", "period": "2026", "target": 3.0, "actual": 2.0,
                         "rate": 2 / 3, "rate_capped": 2 / 3, "state": "未达标"})
    summary = pd.DataFrame([{"branch_code": "B01", "quota_code": "Q02", "quota_name": "年度联系群众人数",
                             "period": "2026", "members": members, "met": members // 2, "rate": 0.5}])
    return RollupTable(AS_OF, rows, summary)


def results(members: int) -> ResultsTable:
    df = pd.DataFrame({"member_id": [f"P{i:05d}" for i in range(members)], "total": 85.0, "final_grade": "合格"})
    return ResultsTable(AS_OF, df)


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, nargs="+", default=[20000, 50000])
    ap.add_argument("--members", type=int, default=2000)
    ap.add_argument("--findings", type=int, default=200)
    ap.add_argument("--engines", nargs="+", default=list(ENGINES))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for rows in args.rows:
            src = Path(tmp) / f"book{rows}.xlsx"
            build(src, rows, args.members)
            size = src.stat().st_size / 1e6
            rep, ru, rs = report(rows, args.findings), rollup(args.members), results(args.members)
            for engine in args.engines:
                out = Path(tmp) / f"out{rows}-{engine}.xlsx"
                t_save = timed(lambda: save_outputs(src, out, report=rep, rollup=ru, results=rs, engine=engine))
                # the check every save runs before its rename, timed alone on the result it just checked
                t_verify = timed(lambda: verify_written(out, src, keep_macros=False))
                before = out.with_name(out.stem + "-before.xlsx")
                before.write_bytes(out.read_bytes())
                t_again = timed(lambda: save_outputs(out, out, report=rep, engine=engine))
                t_verify_again = timed(lambda: verify_written(out, before, keep_macros=False))
                t_clear = timed(lambda: clear_marks(out, out, engine=engine))
                print(f"{rows:>6} log rows, {args.members} members, {args.findings} findings, {size:.1f} MB | "
                      f"{engine:<8} | save all {t_save:6.2f} s (verify {t_verify:4.2f} s) | "
                      f"re-validate in place {t_again:6.2f} s (verify {t_verify_again:4.2f} s) | "
                      f"clear marks {t_clear:6.2f} s", flush=True)


if __name__ == "__main__":
    main()
