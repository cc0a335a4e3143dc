"""One job, three front doors: validate, roll up and score a workbook.

``run_book`` is what ``dj rollup`` / ``dj score`` / ``dj run``, the ribbon's
指标汇总 / 考评计分 / 一键处理 and ``dj demo`` call. It reads the book once,
always validates (the exit code and the 暂定 flag depend on 错误 findings),
computes what was asked, builds the plans of the output sheets and hands
them to a destination (a ``Sink``: a file today, the open workbook from the
ribbon later); without one nothing is written. The CLI's own advice (which
options write) stays in the commands.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import pandas as pd

from dj_addin import schema
from dj_addin.context import RunContext
from dj_addin.model import Book, Finding
from dj_addin.plans import build_plans, letterhead_of
from dj_addin.plans.printing import printing_of
from dj_addin.plans.types import SheetPlan
from dj_addin.results import ValidationReport
from dj_addin.sink import Sink
from dj_addin.xlsx.reader import read_book
from dj_addin.rollup.table import Rollup, rollup
from dj_addin.scoring.rounding import round_half_away
from dj_addin.scoring.score import Scores, score

VALIDATE, ROLLUP, SCORE = "validate", "rollup", "score"
ALL_STEPS = (VALIDATE, ROLLUP, SCORE)
_ERROR = schema.LEVELS[0]
GRADE_COLUMNS = schema.GRADES + (schema.NOT_GRADED,)


@dataclass
class RunResult:
    """What one run computed and wrote."""

    file: str
    as_of: dt.date
    steps: tuple[str, ...]
    book: Book
    report: ValidationReport  # validation findings (plus 评分规则 findings when scoring)
    rollup: Rollup | None = None
    scores: Scores | None = None
    dest: Path | str | None = None  # the file (or live workbook) written
    backup: Path | None = None
    written_sheets: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)  # from the writer: macros kept or left out, stray entries
    year_assumed: bool = False  # 考核年度 was missing: the as-of date's year was used
    run: RunContext | None = None  # what the run worked with (as-of date, settings, quotas …)

    @property
    def error_count(self) -> int:
        return self.report.counts.get(_ERROR, 0)

    @property
    def has_errors(self) -> bool:
        return self.error_count > 0

    @property
    def exit_code(self) -> int:
        """interfaces.md: 0 done and no 错误, 1 done but the data has 错误."""
        return 1 if self.has_errors else 0

    def branch_summary(self) -> pd.DataFrame:
        """Per 所在支部编码: members, average 综合得分 (one decimal), and counts of 最终等次."""
        return branch_summary(self.scores) if self.scores is not None else pd.DataFrame()

    def summary_lines(self) -> list[str]:
        return summary_lines(self)


def branch_summary(scores: Scores) -> pd.DataFrame:
    m = scores.members
    g = m.groupby("branch_code", sort=True)
    out = pd.DataFrame({"members": g.size(), "average": g["total"].mean()})
    out["average"] = out["average"].map(round_half_away)
    counts = pd.crosstab(m["branch_code"], m["final_grade"]).reindex(columns=list(GRADE_COLUMNS), fill_value=0)
    out = out.join(counts).fillna({c: 0 for c in GRADE_COLUMNS})
    for c in GRADE_COLUMNS:
        out[c] = out[c].astype(int)
    out.index.name = "branch_code"
    return out.reset_index()


def compute(book: Book | RunContext, as_of: dt.date | None = None, steps: Iterable[str] = ALL_STEPS, *,
            file: str = "", checked_at: dt.datetime | None = None, today: dt.date | None = None) -> RunResult:
    """Validate, roll up and/or score a book already read (no writing).

    The run context is built here, once, from ``as_of`` (None: today),
    ``today`` and ``checked_at`` (a fixed time makes files reproducible:
    dj demo); or it is given ready-made instead of the book. Validation,
    the roll-up and scoring all work from it."""
    from dj_addin.validate import validate_run

    run = book if isinstance(book, RunContext) else RunContext.build(book, as_of, today=today,
                                                                      checked_at=checked_at)
    steps = tuple(s for s in ALL_STEPS if s in set(steps))
    file = file or (Path(run.book.path).name if run.book.path else "")
    report = validate_run(run, file=file)  # includes the 评分规则 findings, reported once
    result = RunResult(file=file, as_of=run.as_of, steps=steps, book=run.book, report=report,
                       year_assumed=run.year_assumed, run=run)
    if ROLLUP in steps or SCORE in steps:
        result.rollup = rollup(run, file=file)
    if SCORE in steps:
        result.scores = score(run, result.rollup)
    return result


def plans_for(result: RunResult) -> list[SheetPlan]:
    """The plans of the output sheets of the steps run (问题清单 only when validating)."""
    return build_plans(
        report=result.report if VALIDATE in result.steps else None,
        rollup=result.rollup.to_table() if ROLLUP in result.steps and result.rollup is not None else None,
        results=result.scores.to_table(result.has_errors, result.error_count) if result.scores is not None else None,
        sheet_names=result.book.sheet_names, letterhead=letterhead_of(result.run) if result.run else None)


def marks_for(result: RunResult) -> list[Finding] | None:
    """Validating marks the findings' cells (restoring earlier marks); other steps leave marks alone."""
    return list(result.report.findings) if VALIDATE in result.steps else None


def write_result(result: RunResult, sink: Sink) -> RunResult:
    """Hand the run's plans and marks to ``sink``; note where they went."""
    stats = sink.write(plans_for(result), marks_for(result), printing=printing_of(result.book))
    result.dest, result.written_sheets, result.backup = stats.dest, list(stats.sheets), stats.backup
    result.notices = list(getattr(stats, "notices", []))  # macros kept or left out, stray entries
    return result


def run_book(path: str | Path, as_of: dt.date | None = None, dest: str | Path | None = None, *,
             steps: Iterable[str] = ALL_STEPS, in_place: bool = False,
             checked_at: dt.datetime | None = None, sink: Sink | None = None) -> RunResult:
    """Read ``path``, compute ``steps``, and write the output sheets to ``sink``;
    ``dest`` / ``in_place`` are shorthand for a file sink (a copy at ``dest``, or
    ``path`` itself keeping ``BOOK.bak.xlsx``). Without any, nothing is written."""
    path = Path(path)
    result = compute(read_book(path), as_of, steps, file=path.name, checked_at=checked_at)
    if sink is None and (in_place or dest is not None):
        from dj_addin.xlsx.sink import FileSink

        sink = FileSink(path, None if in_place else Path(dest), in_place=in_place)
    return write_result(result, sink) if sink is not None else result


def summary_lines(result: RunResult) -> list[str]:
    """The human summary in Chinese (the CLI prints it; the ribbon shows it)."""
    counts = result.report.counts
    lines = [f"文件：{result.file}　统计截止：{result.as_of.isoformat()}"]
    if result.year_assumed:
        lines.append(f"注意：「{schema.META.name}」没有有效的「{schema.META.column('year').header}」，"
                     f"暂按 {result.as_of.year} 年统计。")
    lines.append("校验：" + "，".join(f"{lv} {counts.get(lv, 0)} 个" for lv in schema.LEVELS))
    r = result.rollup
    if r is not None:
        rows = r.rows
        unmet = int((rows["state"] == "未达标").sum())
        lines.append(f"指标汇总：党员 {len(r.members)} 名，指标 {len(r.quotas)} 项，"
                     f"共 {len(rows)} 行，其中未达标 {unmet} 行。")
    s = result.scores
    if s is not None:
        if result.has_errors:
            lines.append(f"考评结果为【暂定】：数据中还有 {result.error_count} 个错误，改正后请重新计分。")
        else:
            lines.append("考评结果：")
        for b in branch_summary(s).itertuples(index=False):
            avg = "无" if b.average is None or pd.isna(b.average) else f"{b.average:.1f}"
            grades = "，".join(f"{g} {getattr(b, g)}" for g in GRADE_COLUMNS if getattr(b, g) or g in schema.GRADES)
            lines.append(f"  支部 {b.branch_code or '（未填）'}：党员 {b.members} 名，平均综合得分 {avg}；{grades}")
    if result.dest is not None:
        lines.append(f"已写入：{result.dest}（{'、'.join(result.written_sheets)}）")
        lines.extend(result.notices)
        if result.backup is not None:
            lines.append(f"原文件备份：{result.backup}")
    return lines
