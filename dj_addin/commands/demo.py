"""``dj demo [--out DIR] [--seed N] [--year YYYY] [--as-of DATE] [--json]``:
write a sample university (``dj_addin.demo.generate``) and say what was written.

The run is a pipeline: generate, write, then the steps in ``BOOK_STEPS``
(run once per written workbook, each adding one column to the summary
table) and ``RUN_STEPS`` (run once for the whole demo, each printing a few
lines). Today: 一键处理 (validate, roll up, score, write the output sheets
back) on every branch workbook, then a per-branch summary of scores and a
check that validation found every planted mistake. A later step (汇总 up two
levels) is added by appending to the lists.
"""

from __future__ import annotations

import datetime as dt
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from dj_addin.demo import generate as demo
from dj_addin.context import clamp_as_of
from dj_addin.errors import UsageError
from dj_addin.commands._common import as_of_option, json_option, parse_as_of, print_json

DEFAULT_OUT = Path("dj_demo")


@dataclass
class DemoRun:
    """Everything a post-processing step may need, and what the steps add."""

    university: demo.University
    out_dir: Path
    written: list[demo.WrittenBook]
    seconds: dict[str, float] = field(default_factory=dict)  # phase → seconds
    notes: dict[Path, dict[str, str]] = field(default_factory=dict)  # workbook → step title → cell text
    lines: list[str] = field(default_factory=list)  # printed after the table by run steps
    results: dict[Path, Any] = field(default_factory=dict)  # workbook → pipeline.RunResult
    exports: dict[str, Any] = field(default_factory=dict)  # branch code → export.ExportResult
    merges: dict[str, Any] = field(default_factory=dict)  # unit code → aggregate.AggregateResult
    extra_files: list[Path] = field(default_factory=list)  # exports, inboxes, merged workbooks


# A step for one written workbook: returns a short text for its column of the table.
BookStep = Callable[[demo.WrittenBook, DemoRun], str]
# A step for the whole demo: returns lines to print.
RunStep = Callable[[DemoRun], list[str]]

BOOK_STEPS: list[tuple[str, BookStep]] = []  # (column title, step)
RUN_STEPS: list[tuple[str, RunStep]] = []  # (title, step)

PROCESS_TITLE = "校验/考评"


def process_branch(wb: demo.WrittenBook, run: "DemoRun") -> str:
    """一键处理 on a branch workbook: validate, roll up, score, and write
    问题清单, marks, 指标汇总 and 考评结果 back into the demo file."""
    from dj_addin.pipeline import run_book

    if wb.book.level != "党支部":
        return ""
    as_of = run.university.as_of
    checked_at = dt.datetime.combine(as_of, dt.time(18, 0))  # fixed: same seed, same files
    result = run_book(wb.path, as_of, dest=wb.path, checked_at=checked_at)
    run.results[wb.path] = result
    counts = result.report.counts
    return "，".join(f"{lv}{counts.get(lv, 0)}" for lv in ("错误", "警告"))


def branch_scores(run: "DemoRun") -> list[str]:
    """Per branch: members, average 综合得分 and the count of each 最终等次."""
    from dj_addin.pipeline import GRADE_COLUMNS

    lines = ["考评结果（每个党支部）："]
    for path, result in run.results.items():
        if result.scores is None:
            continue
        for b in result.branch_summary().itertuples(index=False):
            avg = "无" if b.average is None or b.average != b.average else f"{b.average:.1f}"
            grades = "，".join(f"{g} {getattr(b, g)}" for g in GRADE_COLUMNS)
            flag = "（暂定）" if result.has_errors else ""
            lines.append(f"  {b.branch_code}：党员 {b.members} 名，平均综合得分 {avg}{flag}；{grades}")
    return lines


def planted_found(run: "DemoRun") -> list[str]:
    """Did validation report every planted mistake (same unit, sheet, row and rule)?"""
    found = {(wb.book.code, f.sheet, f.row, f.rule)
             for wb in run.written if wb.path in run.results
             for f in run.results[wb.path].report.findings}
    planted = [p for p in run.university.planted if p.is_error]
    missed = [p for p in planted if (p.unit_code, p.sheet_name, p.row, p.rule) not in found]
    if not missed:
        return [f"校验发现了全部 {len(planted)} 处故意留下的错误（见各支部工作簿的「问题清单」）。"]
    return [f"校验漏掉了 {len(missed)} 处故意留下的错误："] + [
        f"  {p.unit_code} {p.sheet_name} 第{p.row}行「{p.header}」：{p.what}" for p in missed]


def export_branch(wb: demo.WrittenBook, run: "DemoRun") -> str:
    """导出上报 of every branch (by force where 错误 remain: 报送说明 says so)."""
    from dj_addin.demo.cycle import export_branch as export

    if wb.book.level != "党支部":
        return ""
    result = export(wb.book, wb.path, run.university)
    run.exports[wb.book.code] = result
    run.extra_files.append(result.out)
    return f"强制导出（错误{result.error_count}）" if result.forced else "已导出"


_HOW = {"xlsx": "工作簿", "eml": "电子邮件附件（.eml）", "zip": "压缩包（.zip）", "none": "未报送"}


def report_upward(run: "DemoRun") -> list[str]:
    """Deliver the exports to the colleges' inboxes, merge each college, then the university."""
    from dj_addin.demo import cycle

    uni = run.university
    exports = {code: r.out for code, r in run.exports.items() if r.out is not None}
    deliveries = cycle.deliver(uni, run.out_dir, exports)
    run.extra_files += sorted({d.container for d in deliveries if d.container is not None})
    lines = ["上报：各党支部导出上报副本（联系电话已打码、校验标记已清除），送到学院的「收件箱」："]
    lines += [f"  {d.branch.code} {d.branch.name}：{_HOW[d.how]}"
              + (f"「{d.container.name}」" if d.container is not None and d.how != "xlsx" else "")
              for d in deliveries]
    try:
        import dj_addin.aggregate  # noqa: F401 - the merge lands with 汇总下级
    except ImportError:
        return lines + ["汇总：本版本尚未提供「汇总下级」，未合并。"]
    written = {wb.book.code: wb.path for wb in run.written}
    run.merges, files = cycle.merge_up(uni, run.out_dir, written)
    run.extra_files += list(files.values())
    for code, result in run.merges.items():
        doc = result.as_json()
        lines.append(f"汇总 {code}：收到 {len(doc['included']) + len(doc['returned']) + len(doc['duplicates'])} 份，"
                     f"已汇总 {len(doc['included'])} 份，退回 {len(doc['returned'])} 份 → {files[code].relative_to(run.out_dir)}")
        returned = [Path(str(item.get("file", ""))).name for item in doc["returned"]]
        for name, item in zip(returned, doc["returned"]):
            reasons = "；".join(str(r) for r in item.get("reasons", []))
            lines.append(f"  退回「{name}」：{reasons}")
        for unit in doc["missing_units"]:
            code = unit if isinstance(unit, str) else str(unit.get("unit_code", ""))
            why = "已退回，待改正后重新报送" if any(n.startswith(f"{code}_") for n in returned) else "没有收到工作簿"
            lines.append(f"  未报送：{code}（{why}）")
    lines += top_figures(files[uni.book.code], uni.as_of)
    return lines


def top_figures(path: Path, as_of: dt.date) -> list[str]:
    """The university's figures, read back from its merged workbook."""
    from dj_addin.pipeline import GRADE_COLUMNS, compute
    from dj_addin.xlsx.reader import read_book

    book = read_book(path)
    result = compute(book, as_of)
    members = result.scores.members if result.scores is not None else None
    n = {k: len(book.frame(k)) for k in ("roster", "targets", "contact_log")}
    line = (f"全校（{path.name}）：党员 {n['roster']} 名，联系对象 {n['targets']} 名，联系记载 {n['contact_log']} 条")
    if members is not None and len(members):
        avg = members["total"].mean()
        grades = members["final_grade"].value_counts()
        line += (f"；平均综合得分 {avg:.1f}；"
                 + "，".join(f"{g} {int(grades.get(g, 0))}" for g in GRADE_COLUMNS))
    return [line + "。"]


BOOK_STEPS.append((PROCESS_TITLE, process_branch))
BOOK_STEPS.append(("导出上报", export_branch))
RUN_STEPS.append(("考评结果", branch_scores))
RUN_STEPS.append(("校验核对", planted_found))
RUN_STEPS.append(("上报汇总", report_upward))


def resolve_period(year: int | None, as_of: dt.date | None, today: dt.date | None = None) -> tuple[int, dt.date]:
    """考核年度 and as-of date: the current year and today by default; the
    as-of date is capped at the year's last day and may not precede it."""
    today = today or dt.date.today()
    if year is None:
        year = as_of.year if as_of is not None else today.year
    if not 2000 <= year <= 2100:
        raise UsageError(f"--year 的值 {year} 不是有效的考核年度；请写四位年份，如 {today.year}。")
    default = today if today >= dt.date(year, 1, 1) else dt.date(year, 12, 31)  # a future year: all of it
    as_of = clamp_as_of(as_of if as_of is not None else default, today, year)
    return year, as_of


def run_demo(out_dir: Path, seed: int = demo.DEFAULT_SEED, year: int | None = None,
             as_of: dt.date | None = None,
             progress: Callable[[demo.UnitBook], None] | None = None) -> DemoRun:
    """Generate, write and post-process the sample university under ``out_dir``."""
    year, as_of = resolve_period(year, as_of)
    started = time.perf_counter()
    uni = demo.generate_university(seed, year, as_of)
    generated = time.perf_counter()
    out_dir.mkdir(parents=True, exist_ok=True)
    written = demo.write_university(uni, out_dir, progress=progress)
    run = DemoRun(uni, out_dir, written,
                  seconds={"generate": generated - started, "write": time.perf_counter() - generated})
    for title, step in BOOK_STEPS:
        t0 = time.perf_counter()
        for wb in written:
            run.notes.setdefault(wb.path, {})[title] = step(wb, run)
        run.seconds[title] = time.perf_counter() - t0
    for title, run_step in RUN_STEPS:
        t0 = time.perf_counter()
        run.lines += run_step(run)
        run.seconds[title] = time.perf_counter() - t0
    return run


def stray_workbooks(run: DemoRun) -> list[Path]:
    """Workbooks in the output folder that this run did not write (an older demo
    with another seed, or the user's own files): left alone, but worth a word."""
    ours = {wb.path.resolve() for wb in run.written} | {p.resolve() for p in run.extra_files}
    return sorted(p for p in run.out_dir.rglob("*.xlsx") if p.resolve() not in ours and not p.name.startswith("~$"))


def run_as_json(run: DemoRun) -> dict:
    uni = run.university
    return {
        "out": str(run.out_dir), "seed": uni.seed, "year": uni.year, "as_of": uni.as_of.isoformat(),
        "university": uni.name,
        "units": [{"unit_code": wb.book.code, "unit_name": wb.book.name, "unit_level": wb.book.level,
                   "file": str(wb.path), "members": wb.book.count("roster"), "targets": wb.book.count("targets"),
                   "log_rows": wb.book.count("contact_log"), **run.notes.get(wb.path, {})}
                  for wb in run.written],
        "planted": [p.as_json() for p in uni.planted],
        "exports": [{"unit_code": code, "file": str(r.out), "forced": r.forced, "errors": r.error_count}
                    for code, r in run.exports.items()],
        "merges": {code: r.as_json() for code, r in run.merges.items()},
        "seconds": {k: round(v, 2) for k, v in run.seconds.items()},
    }


def _console() -> Console:
    return Console(width=max(120, shutil.get_terminal_size((140, 24)).columns), highlight=False)


def print_summary(run: DemoRun, console: Console) -> None:
    uni = run.university
    console.print(f"示例学校：{uni.name}（随机种子 {uni.seed}，考核年度 {uni.year}，"
                  f"活动记录截至 {uni.as_of.isoformat()}）")
    table = Table(show_lines=False)
    for title in ("单位", "层级", "党员", "联系对象", "联系记载", *(t for t, _ in BOOK_STEPS), "文件"):
        table.add_column(title, justify="right" if title in ("党员", "联系对象", "联系记载") else "left",
                         no_wrap=title in ("单位", "文件"))
    for wb in run.written:
        b = wb.book
        counts = [str(b.count(k)) if k in b.rows else "—" for k in ("roster", "targets", "contact_log")]
        notes = run.notes.get(wb.path, {})
        table.add_row(b.code, b.level, *counts, *(notes.get(t, "") for t, _ in BOOK_STEPS),
                      str(wb.path.relative_to(run.out_dir)))
    console.print(table)
    branches = uni.branches()
    console.print(f"共 {len(uni.colleges)} 个学院、{len(branches)} 个党支部、"
                  f"{sum(b.count('roster') for b in branches)} 名党员、"
                  f"{sum(b.count('contact_log') for b in branches)} 条联系记载；"
                  f"已写入「{run.out_dir}」（生成 {run.seconds['generate']:.1f} 秒，写入 {run.seconds['write']:.1f} 秒）。")
    for line in run.lines:
        console.print(line)
    print_planted(uni, console)


def print_planted(uni: demo.University, console: Console) -> None:
    """The planted mistakes first (validation should report each), then the unusual valid inputs."""
    for title, items in (("故意留下的错误（校验应当发现）", [p for p in uni.planted if p.is_error]),
                         ("特殊但有效的写法（应当被正确读取，不算错误）", [p for p in uni.planted if not p.is_error])):
        if not items:
            continue
        table = Table(title=title, title_justify="left")
        for col in ("单位", "工作表", "行", "字段", "单元格内容", "说明"):
            table.add_column(col, justify="right" if col == "行" else "left")
        for p in items:
            table.add_row(p.unit_code, p.sheet_name, str(p.row), p.header, demo.cell_text(p.value) or "（空）", p.what)
        console.print(table)


@click.command("demo")
@click.option("--out", "out", default=str(DEFAULT_OUT), show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="输出文件夹")
@click.option("--seed", default=demo.DEFAULT_SEED, show_default=True, type=int,
              help="随机种子（同一种子、同一考核年度和统计截止日期，生成完全相同的文件）")
@click.option("--year", type=int, default=None, help="考核年度（默认今年）")
@as_of_option
@json_option
def demo_command(out: Path, seed: int, year: int | None, as_of: str | None, as_json: bool) -> None:
    """生成一所示例学校（多个学院和党支部、一年的联系服务记录，含少量故意留下的错误）。"""
    if out.exists() and not out.is_dir():
        raise UsageError(f"「{out}」是一个文件，不是文件夹；请用 --out 指定一个文件夹。")
    console = _console()
    if not as_json:
        console.print(f"正在生成示例学校，写入「{out}」……")
    run = run_demo(out, seed=seed, year=year, as_of=parse_as_of(as_of))
    if as_json:
        print_json(run_as_json(run))
        return
    print_summary(run, console)
    uni = run.university
    if (uni.as_of - dt.date(uni.year, 1, 1)).days < 31:
        console.print(f"提示：{uni.year} 年刚开始，记录还很少；可加 --year {uni.year - 1} 生成上一年全年的示例。")
    stray = stray_workbooks(run)
    if stray:
        console.print(f"注意：文件夹中还有 {len(stray)} 个不是本次生成的工作簿（如「{stray[0].relative_to(out)}」），"
                      "已原样保留；汇总时请只选本次生成的文件。")


def register(group: click.Group) -> None:
    group.add_command(demo_command)
