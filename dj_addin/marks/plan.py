"""Which cells get which mark, and the record of a mark about to be applied (pure).

``plan_marks`` turns findings into one ``Mark`` per cell (the most severe
level, every finding's line in the note). A finding whose cell Excel cannot
hold (beyond row 1,048,576 or column XFD, or a malformed column) is not
marked: it comes back as a 警告 finding saying so, which ``with_unplaceable``
adds to the report that 问题清单 shows (``plans.build_plans``), instead of a
file that no longer opens. Findings without a single cell (file-level, a
sheet that is not there) are not marked, as before.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field

from dj_addin.model import Finding
from dj_addin.results import ValidationReport
from dj_addin.schema import LEVELS, MARK_NOTE_PREFIX
from dj_addin.marks.matching import NOTE_SEPARATOR, note_key
from dj_addin.cellref import MAX_COLUMN, cell_ref, column_letter
from dj_addin.marks.records import MARK_RGB, MAX_ROW, FillValue, Mark, MarkRecord, parse_ref

UNPLACED_LEVEL = LEVELS[1]  # 警告: the problem stands, only its mark is missing


@dataclass
class MarkPlan:
    marks: list[Mark] = field(default_factory=list)
    unplaced: list[Finding] = field(default_factory=list)  # extra findings for 问题清单


def note_line(f: Finding) -> str:
    line = f"{f.level} {f.rule}：{f.message}"
    return f"{line}\n建议：{f.suggestion}" if f.suggestion else line


def finding_ref(f: Finding) -> str | None:
    """The finding's cell ('B12'), None when Excel cannot hold it."""
    try:
        row = int(f.row)
    except (TypeError, ValueError, OverflowError):
        return None
    column = str(f.column).strip().upper()
    if not column.isascii() or not column.isalpha() or row < 1:
        return None
    where = parse_ref(f"{column}{row}")
    return cell_ref(*where) if where else None


def unplaced(f: Finding) -> Finding:
    where = f"「{f.sheet}」第{f.row}行「{f.column}」列"
    return Finding(
        f.rule, UNPLACED_LEVEL, f.sheet, None, "", f.field, f.value,
        f"{where}超出 Excel 工作表的范围（最多 {MAX_ROW:,} 行、{column_letter(MAX_COLUMN)} 列），"
        f"无法在单元格上标记；原问题：{f.message}",
        "请按本清单处理这条问题；该工作表可能由其他程序生成，请在 Excel 中另存后再校验")


def plan_marks(findings: Iterable[Finding], sheet_names: Iterable[str]) -> MarkPlan:
    """One mark per cell that has findings (sheets of ``sheet_names`` only)."""
    existing = set(sheet_names)
    by_cell: dict[tuple[str, str], list[Finding]] = {}
    plan = MarkPlan()
    for f in findings:
        if not f.sheet or f.sheet not in existing or f.row is None or f.row == "" or not f.column:
            continue
        ref = finding_ref(f)
        if ref is None:
            plan.unplaced.append(unplaced(f))
            continue
        by_cell.setdefault((f.sheet, ref), []).append(f)
    for (sheet, cell), fs in by_cell.items():
        level = min((f.level for f in fs), key=lambda lv: LEVELS.index(lv) if lv in LEVELS else 99)
        plan.marks.append(Mark(sheet, cell, level, MARK_NOTE_PREFIX + "\n".join(note_line(f) for f in fs)))
    return plan


def with_unplaceable(report: ValidationReport, sheet_names: Iterable[str]) -> ValidationReport:
    """``report`` plus a 警告 for each finding whose cell Excel cannot hold (for 问题清单)."""
    extra = plan_marks(report.findings, sheet_names).unplaced
    return dataclasses.replace(report, findings=[*report.findings, *extra]) if extra else report


def marked_note(note: str, prev_note: str | None) -> str:
    """Our note, with the user's own note kept visible underneath."""
    return f"{note}{NOTE_SEPARATOR}{prev_note}" if prev_note else note


def new_record(mark: Mark, prev_fill: FillValue, prev_note: str | None, prev_author: str | None,
               value: str) -> MarkRecord:
    """The record of ``mark`` on a cell that shows ``prev_fill`` and ``prev_note`` now.

    A cell whose fill is not representable gets the note only: never painted, its fill is never lost.
    """
    rgb = MARK_RGB.get(mark.level, "") if prev_fill.representable else ""
    note = marked_note(mark.note, prev_note)
    return MarkRecord(mark.sheet, mark.cell, rgb, prev_fill, prev_note, prev_author, value, note_key(note),
                      mark.level, note)
