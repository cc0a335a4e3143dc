"""导出上报 and 下发 on demo-sized units: prints seconds per branch export (the
user's workbook rewritten), the alternative of refilling a fresh template with
the same rows, and the split of a college into its branches.

    python bench/bench_export_split.py [--seed 31]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

from dj_addin.demo import generate as demo
from dj_addin.export import export_book
from dj_addin.split import split_book
from dj_addin.template.build import build_template
from dj_addin.template.fill import append_rows, fill_workbook


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=31)
    args = ap.parse_args()
    as_of = dt.date(2026, 11, 24)
    uni = demo.generate_university(args.seed, 2026, as_of)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        written = demo.write_university(uni, out)
        branches = [w for w in written if w.book.level == "党支部"]
        export_s, refill_s = [], []
        for w in branches:
            t0 = time.perf_counter()
            export_book(w.path, out / f"{w.book.code}_x.xlsx", force=True, as_of=as_of, today=as_of)
            export_s.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            wb = build_template()
            fill_workbook(wb, w.book.meta, w.book.rows)
            wb.save(out / f"{w.book.code}_fresh.xlsx")
            refill_s.append(time.perf_counter() - t0)
        sizes = [(w.book.count("roster"), w.book.count("contact_log")) for w in branches]
        print(f"branches: {len(branches)}, members {min(s[0] for s in sizes)}–{max(s[0] for s in sizes)}, "
              f"log rows {min(s[1] for s in sizes)}–{max(s[1] for s in sizes)}")
        print(f"export (validate, roll up, score, rewrite the user's workbook): median {statistics.median(export_s):.2f} s, "
              f"max {max(export_s):.2f} s")
        print(f"refill a fresh template with the same rows (write only, no compute): "
              f"median {statistics.median(refill_s):.2f} s")
        college = uni.colleges[0]
        wb = build_template()
        fill_workbook(wb, college.book.meta, college.book.rows)
        for b in college.branches:
            append_rows(wb, "roster", b.rows["roster"])
            append_rows(wb, "targets", b.rows["targets"])
        src = out / "college.xlsx"
        wb.save(src)
        t0 = time.perf_counter()
        result = split_book(src, out / "split", force=True)
        print(f"split {college.book.code} into {len(result.units)} branches "
              f"({sum(len(u.roster) for u in result.units)} members, "
              f"{sum(len(u.targets) for u in result.units)} contacts): {time.perf_counter() - t0:.2f} s")


if __name__ == "__main__":
    main()
