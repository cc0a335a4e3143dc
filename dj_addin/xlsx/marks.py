"""Reversible validation marks with openpyxl: the renderer of ``dj_addin.marks`` records.

A marked cell gets a fill (red for 错误, yellow for 警告; 提示 no fill) and a
note that starts with ``schema.MARK_NOTE_PREFIX``. The records (``marks.records``:
the previous fill as a value, the previous note and author, the value) are
kept in the very hidden marks sheet (``marks.storage``), so that 清除标记 and
every new validation run put back exactly what was there; what the user
changed after marking wins (``records.restore_fill`` / ``restore_note``).
Marks follow their cells when rows moved (``marks.matching``); a cell that
still carries our note but has no record left is cleaned.

This module only translates: openpyxl fills ↔ ``FillValue``, comments ↔
note text. The splicer (``xlsx.splice``) does the same on the package XML.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from openpyxl.comments import Comment
from openpyxl.styles.colors import Color
from openpyxl.styles.fills import PatternFill
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from dj_addin.cellref import cell_position
from dj_addin.model import Finding
from dj_addin.marks.matching import FORMULA, CellState, is_our_note, plan_restore, user_note, value_text
from dj_addin.marks.plan import plan_marks, new_record
from dj_addin.marks.records import (MARK_AUTHOR, UNKNOWN_FILL, Colour, FillValue, MarkRecord, RecordError, clean_fill,
                                    make_colour, mark_fill, mark_rgb_of, pattern_fill, restore_fill, restore_note,
                                    xml_text)
from dj_addin.marks.storage import (MARKS_COLUMNS, MARKS_SHEET, is_marks_header, may_be_marks_sheet,
                                    new_marks_sheet_name, record_row, records_from_rows)

__all__ = ["MARKS_SHEET", "MARKS_COLUMNS", "find_marks_sheet", "restore_marks", "apply_marks", "fill_value",
           "openpyxl_fill"]


# ---------------------------------------------------------------- fills and notes ↔ values


def colour_value(color) -> Colour | None:
    if color is None:
        return None
    kind = getattr(color, "type", None)
    value = {"rgb": color.rgb, "theme": color.theme, "indexed": color.indexed, "auto": 1}.get(kind)
    if not isinstance(value, (str, int)):  # openpyxl keeps a bad rgb as an error text object
        raise RecordError(f"colour {color!r}")
    return make_colour(kind, value, color.tint or 0.0)


def fill_value(fill) -> FillValue:
    """An openpyxl fill (or a cell's StyleProxy of one) as a value."""
    if getattr(fill, "tagname", None) != "patternFill":  # gradients
        return UNKNOWN_FILL
    try:
        return pattern_fill(fill.patternType, colour_value(fill.fgColor), colour_value(fill.bgColor))
    except RecordError:
        return UNKNOWN_FILL


def openpyxl_colour(colour: Colour | None) -> Color:
    if colour is None:
        return Color()
    kind = "auto" if colour.kind == "auto" else colour.kind
    return Color(**{kind: True if kind == "auto" else colour.value}, tint=colour.tint)


def openpyxl_fill(value: FillValue) -> PatternFill:
    return PatternFill(value.pattern, fgColor=openpyxl_colour(value.fg), bgColor=openpyxl_colour(value.bg))


def set_note(cell, text: str | None, author: str) -> None:
    if text is None:
        cell.comment = None
        return
    comment = Comment(xml_text(text), xml_text(author))
    if author == MARK_AUTHOR:
        comment.width, comment.height = 320, 160
    cell.comment = comment


def cell_value_text(cell) -> str:
    """``matching.value_text`` of an openpyxl cell (any formula is just ``FORMULA``)."""
    return FORMULA if cell.data_type == "f" else value_text(cell.value)


# ---------------------------------------------------------------- storage


def find_marks_sheet(wb: Workbook) -> Worksheet | None:
    """Our marks sheet: hidden, named ``_dj_marks…``, with our header (a user's sheet never is)."""
    for ws in wb.worksheets:
        if may_be_marks_sheet(ws.title, ws.sheet_state):
            header = next(ws.iter_rows(max_row=1, max_col=len(MARKS_COLUMNS), values_only=True), ())
            if is_marks_header(list(header)):
                return ws
    return None


def read_records(wb: Workbook) -> list:
    ws = find_marks_sheet(wb)
    if ws is None:
        return []
    return records_from_rows(ws.iter_rows(max_col=len(MARKS_COLUMNS), values_only=True))


def write_records(wb: Workbook, records: list[MarkRecord]) -> None:
    """Replace our marks sheet (removed entirely when nothing is marked); a user's sheet is never touched."""
    old = find_marks_sheet(wb)
    if old is not None:
        wb.remove(old)
    if not records:
        return
    ws = wb.create_sheet(new_marks_sheet_name(wb.sheetnames))
    ws.sheet_state = "veryHidden"
    for r, values in enumerate([list(MARKS_COLUMNS)] + [record_row(rec) for rec in records], start=1):
        for c, value in enumerate(values, start=1):
            if value is not None:
                ws.cell(r, c, value).data_type = "s"  # text stays text (a note may start with '=')


# ---------------------------------------------------------------- restore / apply


def existing_cell(ws: Worksheet, ref: str):
    """The cell at ``ref`` if the sheet has it, without creating it (openpyxl creates on access)."""
    return ws._cells.get(cell_position(ref))


def cell_state(ws: Worksheet, ref: str) -> CellState:
    cell = existing_cell(ws, ref)
    if cell is None:
        return CellState("", "", None)
    return CellState(cell_value_text(cell), mark_rgb_of(fill_value(cell.fill)),
                     cell.comment.text if cell.comment is not None else None)


def restore_cell(ws: Worksheet, rec: MarkRecord, ref: str) -> None:
    """Put back what ``rec`` remembers onto the cell at ``ref`` (where the marked cell is now)."""
    cell = ws[ref]
    fill = restore_fill(rec, fill_value(cell.fill))
    if fill is not None:
        cell.fill = openpyxl_fill(fill)
    note = restore_note(rec, cell.comment.text if cell.comment is not None else None)
    if note is not None:
        set_note(cell, *note)


def clean_cell(ws: Worksheet, ref: str) -> None:
    """A cell with our note and no record: drop our note (keeping the user's beneath it) and our fill."""
    cell = ws[ref]
    fill = clean_fill(fill_value(cell.fill))
    if fill is not None:
        cell.fill = openpyxl_fill(fill)
    set_note(cell, user_note(cell.comment.text), "")


def restore_marks(wb: Workbook) -> int:
    """Undo every stored mark, wherever its cell went; return the number of cells restored."""
    by_sheet: dict[str, list[MarkRecord]] = defaultdict(list)
    for rec in read_records(wb):
        by_sheet[rec.sheet].append(rec)
    ours = find_marks_sheet(wb)
    restored = 0
    for ws in wb.worksheets:
        if ws is ours:
            continue
        records = by_sheet.get(ws.title, [])
        states = {rec.cell: cell_state(ws, rec.cell) for rec in records}
        for cell in list(ws._cells.values()):  # openpyxl keeps no index of notes
            if cell.comment is not None and is_our_note(cell.comment.text):
                states[cell.coordinate] = cell_state(ws, cell.coordinate)
        if not states:
            continue
        plan = plan_restore(records, states)
        for i, ref in plan.moves:
            restore_cell(ws, records[i], ref)
        for ref in plan.orphans:
            clean_cell(ws, ref)
        restored += len(plan.moves) + len(plan.orphans)
    write_records(wb, [])
    return restored


def apply_marks(wb: Workbook, findings: Iterable[Finding]) -> int:
    """Mark the cells of ``findings`` (after ``restore_marks``); return the number of cells marked.

    Cells Excel cannot hold are skipped (``plans.build_plans`` lists them in 问题清单).
    """
    ours = find_marks_sheet(wb)
    plan = plan_marks(findings, [ws.title for ws in wb.worksheets if ws is not ours])
    records = []
    for mark in plan.marks:
        cell = wb[mark.sheet][mark.cell]
        comment = cell.comment
        rec = new_record(mark, fill_value(cell.fill), comment.text if comment is not None else None,
                         comment.author if comment is not None else None, cell_value_text(cell))
        records.append(rec)
        if rec.mark_rgb:
            cell.fill = openpyxl_fill(mark_fill(rec.mark_rgb))
        set_note(cell, rec.note, MARK_AUTHOR)
    write_records(wb, records)
    return len(records)
