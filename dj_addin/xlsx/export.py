"""File side of 导出上报: the user's workbook rewritten as the copy sent upward.

One openpyxl load and save (macros not loaded, so the copy is a plain .xlsx
even from an .xlsm): validation marks restored to the cells' own look and
their store removed, 问题清单 (which listed those marks) removed, sensitive
cells masked in place, 基本信息 items written, output sheets rendered from
their plans. Everything else (formats, widths, extra columns, drop-downs,
formulas, print setup) stays as the user left it, except that empty data
sheets are left out of printing (``plans.printing``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import openpyxl

from dj_addin import schema
from dj_addin.errors import UnreadableFile
from dj_addin.model import Book
from dj_addin.plans.printing import printing_of
from dj_addin.plans.types import SheetPlan
from dj_addin.xlsx import marks, sheets
from dj_addin.xlsx.marks import MARKS_SHEET
from dj_addin.xlsx.printing import settle_printing


def write_export(src: Path, tmp: Path, book: Book, plans: Sequence[SheetPlan], meta: Mapping[str, Any],
                 note: str | None, *, mask: bool) -> tuple[int, list[str]]:
    """Write the export of ``src`` (read as ``book``) to ``tmp``; return (cells masked, sheets written).
    ``meta``: 基本信息 item key → value; ``note``: the 报送说明 row (None: no such row)."""
    from dj_addin.export import REPORT_NOTE_ITEM, mask_value, sensitive_cells
    from dj_addin.template.fill import set_meta

    try:
        wb = openpyxl.load_workbook(src, keep_vba=False, rich_text=True)
    except Exception as exc:
        raise UnreadableFile(f"无法打开「{src.name}」制作上报副本（{type(exc).__name__}）；"
                             "请确认它是正常的 .xlsx 文件。") from exc
    marks.restore_marks(wb)
    for name in (MARKS_SHEET, schema.FINDINGS.name):
        if name in wb.sheetnames:
            wb.remove(wb[name])
    masked = 0
    if mask:
        for sheet, letter, row in sensitive_cells(book):
            cell = wb[sheet][f"{letter}{row}"]
            value = mask_value(cell.value)
            if value != cell.value:
                cell.value, cell.data_type = value, "s"
                masked += 1
    set_meta(wb, meta)
    _set_note(wb, REPORT_NOTE_ITEM, note)
    written = sheets.render_plans(wb, plans)
    settle_printing(wb, printing_of(book))  # empty data sheets are not printed
    if wb.active is None or wb.active.sheet_state != "visible":
        wb.active = 0
    wb.save(tmp)
    return masked, written


def _set_note(wb: openpyxl.Workbook, item: str, note: str | None) -> None:
    """Write (or, with None, empty) the 基本信息 row ``item`` below the template's items."""
    if schema.META.name not in wb.sheetnames:
        return
    ws = wb[schema.META.name]
    rows = [c.row for c in ws["A"] if isinstance(c.value, str) and c.value.strip() == item]
    if not rows and note is None:
        return
    row = rows[0] if rows else max((c.row for c in ws["A"] if c.value not in (None, "")), default=0) + 1
    ws.cell(row=row, column=1, value=item)
    cell = ws.cell(row=row, column=2, value=note)
    cell.data_type = "s" if note is not None else cell.data_type
