"""Time marking many cells: the cost of notes must grow linearly with the marked cells.

    python3 bench/bench_marks.py [--marks 500 1000 20000] [--engines fast openpyxl]

Builds a contact log (xlsxwriter, shared strings) with one row per mark,
then times, for each engine: validate (mark every row's 党员编号 cell, a
note each, half of them with a fill), validate again in place (every mark
restored and applied again) and clear marks. Prints one line per measurement.

Measured 2026-12-01 on the 2-core dev machine, load average 6–8 (before = the
splicer adding each note to the VML drawing by copying the whole drawing):

  marks  engine    validate before → after   again            clear
    500  fast        0.71 →  0.56 s          0.50 → 0.47 s   0.15 → 0.17 s
   1000  fast        0.92 →  0.67 s          1.09 → 1.16 s   0.41 → 0.36 s
  20000  fast      211.5  → 20.8 s          75.9  → 24.8 s   7.4  → 8.9 s
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

import xlsxwriter

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dj_addin import schema  # noqa: E402
from dj_addin.model import Finding  # noqa: E402
from dj_addin.results import ValidationReport  # noqa: E402
from dj_addin.xlsx.save import clear_marks, save_outputs  # noqa: E402

AS_OF = dt.date(2026, 12, 31)


def build(path: Path, rows: int) -> None:
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet(schema.ROSTER.name)
    ws.write_row(0, 0, schema.ROSTER.headers)
    ws.write_row(1, 0, ["P00001", "党员1", "男", "教职工党员", "正式党员"])
    ws = wb.add_worksheet(schema.CONTACT_LOG.name)
    ws.write_row(0, 0, schema.CONTACT_LOG.headers)
    for r in range(rows):
        ws.write_row(r + 1, 0, ["2026-03-05", f"X{r:05d}", "某某", "T00001", "", "谈心谈话", "了解情况"])
    wb.close()


def report(rows: int) -> ValidationReport:
    log = schema.CONTACT_LOG.name
    findings = [Finding("R002", "错误" if r % 2 else "提示", log, r + 2, "B", "党员编号", f"X{r:05d}",
                        f"第{r + 2}行「党员编号」X{r:05d}不在党员名册中", "请核对编号") for r in range(rows)]
    return ValidationReport("bench.xlsx", AS_OF, findings)


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--marks", type=int, nargs="+", default=[500, 1000, 20000])
    ap.add_argument("--engines", nargs="+", default=["fast", "openpyxl"])
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.marks:
            src = Path(tmp) / f"book{n}.xlsx"
            build(src, n)
            rep = report(n)
            for engine in args.engines:
                out = Path(tmp) / f"out{n}-{engine}.xlsx"
                t_mark = timed(lambda: save_outputs(src, out, report=rep, engine=engine))
                t_again = timed(lambda: save_outputs(out, out, report=rep, engine=engine))
                t_clear = timed(lambda: clear_marks(out, out, engine=engine))
                print(f"{n:>6} marked cells | {engine:<8} | validate {t_mark:7.2f} s | "
                      f"validate again in place {t_again:7.2f} s | clear marks {t_clear:7.2f} s", flush=True)


if __name__ == "__main__":
    main()
