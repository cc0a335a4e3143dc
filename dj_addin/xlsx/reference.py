"""The reference writer: load the workbook with openpyxl, change it, save it.

Simple and obviously correct, but its cost is the whole workbook (NOTES.md:
about 18 s with a 50k-row log), whatever changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import openpyxl
from openpyxl.workbook import Workbook

from dj_addin.errors import UnreadableFile
from dj_addin.model import Finding
from dj_addin.plans.types import SheetPlan
from dj_addin.xlsx import marks, sheets


def load(src: Path) -> Workbook:
    try:
        return openpyxl.load_workbook(src, keep_vba=src.suffix.lower() == ".xlsm", rich_text=True)
    except Exception as exc:
        raise UnreadableFile(f"无法打开「{src.name}」写入结果（{type(exc).__name__}）；请确认它是正常的 .xlsx 文件。") from exc


def apply_outputs(wb: Workbook, plans: Sequence[SheetPlan], marks_for: Sequence[Finding] | None
                  ) -> tuple[int, int, list[str]]:
    """Change ``wb`` in memory; return (cells restored, cells marked, output sheets written).

    ``marks_for``: None leaves the marks alone; otherwise earlier marks are
    restored and the cells of these findings marked (an empty list only restores).
    """
    restored = marked = 0
    if marks_for is not None:
        restored = marks.restore_marks(wb)
        if marks_for:
            marked = marks.apply_marks(wb, marks_for)
    written = sheets.render_plans(wb, plans)
    if wb.active is not None and wb.active.sheet_state != "visible":
        wb.active = 0
    return restored, marked, written


def save_with_openpyxl(src: Path, tmp: Path, plans: Sequence[SheetPlan], marks_for: Sequence[Finding] | None
                       ) -> tuple[int, int, list[str]]:
    wb = load(src)
    counts = apply_outputs(wb, plans, marks_for)
    wb.save(tmp)
    return counts


def clear_with_openpyxl(src: Path, tmp: Path) -> int:
    wb = load(src)
    restored = marks.restore_marks(wb)
    wb.save(tmp)
    return restored
