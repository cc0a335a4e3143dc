"""The reference writer: load the workbook with openpyxl, change it, save it.

Simple and obviously correct, but its cost is the whole workbook (NOTES.md:
about 18 s with a 50k-row log), whatever changed.

Macros are kept only when asked (an .xlsm written back into itself). openpyxl
then copies every zip entry it does not know, so the result is passed once
more through the package copier, which keeps only what the workbook
references.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path

import openpyxl
from openpyxl.workbook import Workbook

from dj_addin.errors import UnreadableFile
from dj_addin.model import Finding
from dj_addin.plans.printing import SheetPrinting
from dj_addin.plans.types import SheetPlan
from dj_addin.xlsx import marks, sheets
from dj_addin.xlsx.printing import settle_printing


def load(src: Path, keep_macros: bool = False) -> Workbook:
    try:
        return openpyxl.load_workbook(src, keep_vba=keep_macros, rich_text=True)
    except Exception as exc:
        raise UnreadableFile(f"无法打开「{src.name}」写入结果；请用 Excel 打开它另存为 .xlsx 后再试。") from exc


def apply_outputs(wb: Workbook, plans: Sequence[SheetPlan], marks_for: Sequence[Finding] | None,
                  printing: Sequence[SheetPrinting] = ()) -> tuple[int, int, list[str]]:
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
    settle_printing(wb, printing)
    if wb.active is not None and wb.active.sheet_state != "visible":
        wb.active = 0
    return restored, marked, written


def _save(wb: Workbook, tmp: Path, keep_macros: bool) -> None:
    if not keep_macros:
        wb.save(tmp)
        return
    from dj_addin.xlsx.splice.package import clean_copy

    raw = tmp.with_name(tmp.name + ".raw")
    try:
        with warnings.catch_warnings():  # openpyxl may write a note drawing twice; the copy keeps its first
            warnings.filterwarnings("ignore", "Duplicate name", UserWarning)
            wb.save(raw)
        clean_copy(raw, tmp, keep_macros=True)
    finally:
        raw.unlink(missing_ok=True)


def save_with_openpyxl(src: Path, tmp: Path, plans: Sequence[SheetPlan], marks_for: Sequence[Finding] | None,
                       *, keep_macros: bool = False, printing: Sequence[SheetPrinting] = ()
                       ) -> tuple[int, int, list[str]]:
    wb = load(src, keep_macros)
    counts = apply_outputs(wb, plans, marks_for, printing)
    _save(wb, tmp, keep_macros)
    return counts


def clear_with_openpyxl(src: Path, tmp: Path, *, keep_macros: bool = False) -> int:
    wb = load(src, keep_macros)
    restored = marks.restore_marks(wb)
    _save(wb, tmp, keep_macros)
    return restored
