"""The reference writer: load the workbook with openpyxl, change it, save it.

Simple and obviously correct, but its cost is the whole workbook (NOTES.md:
about 18 s with a 50k-row log), whatever changed.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import openpyxl
from openpyxl.workbook import Workbook

from dj_addin.errors import UnreadableFile
from dj_addin.results import ResultsTable, RollupTable, ValidationReport
from dj_addin.xlsx import marks, sheets


def load(src: Path) -> Workbook:
    try:
        return openpyxl.load_workbook(src, keep_vba=src.suffix.lower() == ".xlsm", rich_text=True)
    except Exception as exc:
        raise UnreadableFile(f"无法打开「{src.name}」写入结果（{type(exc).__name__}）；请确认它是正常的 .xlsx 文件。") from exc


def apply_outputs(wb: Workbook, *, report: ValidationReport | None, rollup: RollupTable | None,
                  results: ResultsTable | None, mark: bool) -> tuple[int, int, list[str]]:
    """Change ``wb`` in memory; return (cells restored, cells marked, output sheets written)."""
    restored = marked = 0
    written: list[str] = []
    if report is not None:
        restored = marks.restore_marks(wb)
        if mark:
            marked, unplaced = marks.apply_marks(wb, report.findings)
            report = with_findings(report, unplaced)
        written.append(sheets.write_findings(wb, report).title)
    if rollup is not None:
        written.append(sheets.write_rollup(wb, rollup).title)
    if results is not None:
        written.append(sheets.write_results(wb, results).title)
    if wb.active is not None and wb.active.sheet_state != "visible":
        wb.active = 0
    return restored, marked, written


def with_findings(report: ValidationReport, extra: list) -> ValidationReport:
    """``report`` with the writer's own findings (marks that could not be placed) for 问题清单."""
    return dataclasses.replace(report, findings=[*report.findings, *extra]) if extra else report


def save_with_openpyxl(src: Path, tmp: Path, **outputs) -> tuple[int, int, list[str]]:
    wb = load(src)
    counts = apply_outputs(wb, **outputs)
    wb.save(tmp)
    return counts


def clear_with_openpyxl(src: Path, tmp: Path) -> int:
    wb = load(src)
    restored = marks.restore_marks(wb)
    wb.save(tmp)
    return restored
