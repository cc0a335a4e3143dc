"""Rendering a big output sheet: the streaming xlsxwriter renderer against openpyxl.

Prints figures (not a test). One plan of 指标汇总 with ``--rows`` member rows
(12 columns: IDs, names, numbers, two percentages, a 状态 colour rule) plus
its summary blocks and chart is built from a synthetic RollupTable, then
written into a new workbook by:

- ``stream``: ``dj_addin.xlsx.stream.write_workbook`` (xlsxwriter, constant_memory; the data
  rows written as xlsxwriter's own row XML by ``xlsx.stream_rows``)
- ``stream_cells``: the same with ``stream.DIRECT_ROWS`` off (xlsxwriter writes every cell: the
  same bytes, the way it was before ``stream_rows``)
- ``write_only``: openpyxl's write-only mode, rendering the same plan (written
  here for comparison: values, number formats, header style, widths, freeze,
  autofilter, colour rules; no merged title, no chart)
- ``openpyxl``: ``dj_addin.xlsx.sheets.render_plans`` into a normal workbook
  (what the file writers use today)

Each engine runs in its own process so peak memory (ru_maxrss) is its own.
Usage: python bench/bench_render.py [--rows 100000] [--repeat 3] [--engines stream,write_only,openpyxl]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from dj_addin import schema
from dj_addin.plans import rollup_plan
from dj_addin.plans.types import SheetPlan, col_letter, range_ref
from dj_addin.results import RollupTable

ENGINES = ("stream", "stream_cells", "write_only", "openpyxl")


def rollup_table(rows: int, seed: int = 1) -> RollupTable:
    rnd = random.Random(seed)
    quotas = [(code, name) for code, name, *_ in schema.DEFAULT_QUOTAS]
    recs, summary = [], []
    for i in range(rows):
        code, name = quotas[i % len(quotas)]
        target = float(rnd.choice((1, 2, 3, 5, 20)))
        actual = float(rnd.randint(0, 25))
        rate = actual / target
        recs.append({"member_id": f"2026{i // 14:06d}", "name": f"党员{i // 14}", "branch_code": f"D{i % 200:04d}",
                     "quota_code": code, "quota_name": name, "period_kind": "年度", "period": "2026",
                     "target": target, "actual": actual, "rate": rate, "rate_capped": min(rate, 1.0),
                     "state": "达标" if rate >= 1 else rnd.choice(("未达标", "进行中"))})
    for b in range(200):
        for code, name in quotas:
            members = rnd.randint(5, 40)
            met = rnd.randint(0, members)
            summary.append({"branch_code": f"D{b:04d}", "unit_members": members, "quota_code": code,
                            "quota_name": name, "period": "2026", "members": members, "met": met,
                            "rate": met / members})
    return RollupTable(dt.date(2026, 12, 31), pd.DataFrame(recs), pd.DataFrame(summary))


def write_only(path: Path, plans: list[SheetPlan]) -> None:
    """The same plan through openpyxl's write-only workbook (rows appended in order)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import PatternFill

    from dj_addin.xlsx.sheets import apply_style

    wb = Workbook(write_only=True)
    for plan in plans:
        ws = wb.create_sheet(plan.name)
        for b in plan.blocks:
            for i, c in enumerate(b.columns):
                if c.width is not None:
                    ws.column_dimensions[col_letter(b.left + i)].width = c.width
        ws.freeze_panes = plan.freeze
        ws.auto_filter.ref = plan.autofilter
        for b in plan.blocks:
            area = range_ref(b.first_row, b.left, b.last_row, b.right)
            for rule in b.row_colours:
                letter = col_letter(b.col(rule.column))
                for text, rgb in rule.colours.items():
                    ws.conditional_formatting.add(area, FormulaRule(
                        formula=[f'${letter}{b.first_row}="{text}"'], fill=PatternFill("solid", start_color=rgb,
                                                                                        end_color=rgb)))
        width = max(b.right for b in plan.blocks)

        def styled(value, style, fmt):
            cell = WriteOnlyCell(ws, value=value)
            apply_style(cell, style, fmt)
            return cell

        for row in range(1, plan.max_row + 1):
            out = [None] * width
            for b in plan.blocks:
                if row < b.top or row > b.last_row:
                    continue
                if row < b.header_row:
                    line = b.titles[row - b.top]
                    out[b.left - 1] = styled(line.text, line.style, None)
                elif row == b.header_row:
                    for i, c in enumerate(b.columns):
                        out[b.left - 1 + i] = styled(c.header, b.header_style, None)
                else:
                    for i, (c, v) in enumerate(zip(b.columns, b.rows[row - b.first_row])):
                        out[b.left - 1 + i] = styled(v, None, c.number_format) if c.number_format else v
            ws.append(out)
    wb.save(path)


def child(engine: str, rows: int, folder: Path) -> dict:
    start = time.perf_counter()
    plans = [rollup_plan(rollup_table(rows))]
    built = time.perf_counter() - start
    rss_plan = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out = folder / f"{engine}.xlsx"
    start = time.perf_counter()
    if engine in ("stream", "stream_cells"):
        import dj_addin.xlsx.stream as stream
        stream.DIRECT_ROWS = engine == "stream"
        stream.write_workbook(out, plans)
    elif engine == "write_only":
        write_only(out, plans)
    else:
        from openpyxl import Workbook

        from dj_addin.xlsx.sheets import render_plans
        wb = Workbook()
        wb.remove(wb.active)
        render_plans(wb, plans)
        wb.save(out)
    seconds = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"plan_s": built, "write_s": seconds, "rss_plan_mb": rss_plan / 1024, "rss_mb": rss / 1024,
            "file_mb": out.stat().st_size / 1024 / 1024}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--engines", default=",".join(ENGINES))
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--folder", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.rows, Path(args.folder))))
        return
    print(f"指标汇总 plan: {args.rows:,} member rows × 12 columns + 2,800-row unit summary + chart; "
          f"median of {args.repeat}")
    print(f"{'engine':<12} {'build plan':>10} {'write':>8} {'peak RSS':>9} {'(plan only)':>11} {'file':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        for engine in args.engines.split(","):
            runs = []
            for _ in range(args.repeat):
                done = subprocess.run([sys.executable, __file__, "--child", engine, "--rows", str(args.rows),
                                       "--folder", tmp], capture_output=True, text=True, check=True)
                runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
            med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
            print(f"{engine:<12} {med['plan_s']:>9.2f}s {med['write_s']:>7.2f}s {med['rss_mb']:>7.0f}MB "
                  f"{med['rss_plan_mb']:>9.0f}MB {med['file_mb']:>6.1f}MB")


if __name__ == "__main__":
    main()
