"""Reversible validation marks on data cells (validation.md, "Writing results back").

A marked cell gets a fill (red for 错误, yellow for 警告; 提示 no fill) and a
note that starts with ``schema.MARK_NOTE_PREFIX``. Before a cell is marked,
its previous fill (as the exact ``<fill>`` XML of styles.xml) and its
previous note (text and author) are stored in the very hidden sheet
``_dj_marks``, so that 清除标记 and every new validation run put back exactly
what was there.

What the user changed after marking wins:
- if the cell's fill is no longer our mark colour, the user recoloured it on
  purpose and the new fill is kept;
- if the cell's note no longer starts with 【校验】, the user wrote a new
  note and it is kept; if our note is still there (or was deleted), the
  previous note is put back.

Each record also keeps the marked cell's value and a digest of the note we
wrote, so that a mark is found again after the user deleted, inserted or
sorted rows (``relocate``); a cell that still carries our note but has no
record left is cleaned.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from openpyxl.comments import Comment
from openpyxl.styles.fills import Fill, PatternFill
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.xml.functions import fromstring, tostring

from dj_addin.cellref import cell_position
from dj_addin.model import Finding
from dj_addin.schema import LEVELS, MARK_NOTE_PREFIX
from dj_addin.marks.matching import (FORMULA, NOTE_SEPARATOR, CellState, is_our_note, note_key, plan_restore, user_note,
                       value_text)
from dj_addin.xlsx.styles import MARK_AUTHOR, MARK_RGB

MARKS_SHEET = "_dj_marks"  # internal, very hidden; not a user-facing name
# "value" and "note_key" came later: a marks sheet without them still clears (records keep to their address).
MARKS_COLUMNS = ("sheet", "cell", "mark_rgb", "prev_fill", "prev_note", "prev_author", "value", "note_key")
VALUE_COLUMN = MARKS_COLUMNS.index("value")
NO_FILL_XML = "<fill><patternFill/></fill>"  # what a cleaned orphan mark gets back


@dataclass(frozen=True)
class MarkRecord:
    """What one marked cell looked like before it was marked."""

    sheet: str
    cell: str
    mark_rgb: str  # our fill colour ('' when only a note was added)
    prev_fill: str  # <fill> XML
    prev_note: str | None
    prev_author: str | None
    value: str | None = None  # the cell's value text when marked (None: older marks sheet)
    note_key: str | None = None  # ``relocate.note_key`` of the note we wrote

    def row(self) -> list[str | None]:
        return [self.sheet, self.cell, self.mark_rgb, self.prev_fill, self.prev_note, self.prev_author,
                self.value or None, self.note_key]  # '' is stored as an empty cell


def record_from_row(values: list, has_value: bool) -> MarkRecord | None:
    """A record from one row of the marks sheet (``has_value``: the sheet has the value column)."""
    values = (list(values) + [None] * len(MARKS_COLUMNS))[: len(MARKS_COLUMNS)]
    sheet, cell, rgb, fill, note, author, value, key = (None if v in (None, "") else str(v) for v in values)
    if not sheet or not cell:
        return None
    return MarkRecord(sheet, cell.upper(), rgb or "", fill or "", note, author,
                      (value or "") if has_value else None, key)


def has_value_column(header: list) -> bool:
    return len(header) > VALUE_COLUMN and header[VALUE_COLUMN] == "value"


@dataclass(frozen=True)
class CellMark:
    """The mark one cell gets: the most severe level and all its notes."""

    sheet: str
    cell: str
    level: str
    note: str


def fill_xml(fill: Fill) -> str:
    return tostring(fill.to_tree()).decode("utf-8")


def fill_from_xml(xml: str) -> Fill:
    return Fill.from_tree(fromstring(xml))


def note_line(f: Finding) -> str:
    line = f"{f.level} {f.rule}：{f.message}"
    return f"{line}\n建议：{f.suggestion}" if f.suggestion else line


def plan_marks(findings: Iterable[Finding], sheet_names: Iterable[str]) -> list[CellMark]:
    """One mark per cell that has findings; findings without a single cell are not marked."""
    existing = set(sheet_names)
    by_cell: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for f in findings:
        if not f.sheet or f.sheet not in existing or not f.row or not f.column:
            continue
        by_cell[(f.sheet, f"{f.column.upper()}{int(f.row)}")].append(f)
    marks = []
    for (sheet, cell), fs in by_cell.items():
        level = min((f.level for f in fs), key=lambda lv: LEVELS.index(lv) if lv in LEVELS else 99)
        note = MARK_NOTE_PREFIX + "\n".join(note_line(f) for f in fs)
        marks.append(CellMark(sheet, cell, level, note))
    return marks


def is_our_fill(fill: Fill, mark_rgb: str) -> bool:
    if not mark_rgb:
        return False
    color = getattr(fill, "fgColor", None)  # cell.fill is a StyleProxy: no isinstance
    return (getattr(fill, "patternType", None) == "solid" and color is not None
            and color.type == "rgb" and color.rgb == mark_rgb)


def mark_rgb_of(fill: Fill) -> str:
    """Which of our mark colours ``fill`` is ('' when none)."""
    return next((rgb for rgb in MARK_RGB.values() if is_our_fill(fill, rgb)), "")


def marked_note(mark: CellMark, prev_note: str | None) -> str:
    """Our note, with the user's own note kept visible underneath."""
    if prev_note:
        return f"{mark.note}{NOTE_SEPARATOR}{prev_note}"
    return mark.note


def cell_value_text(cell) -> str:
    """``relocate.value_text`` of an openpyxl cell (any formula is just ``FORMULA``)."""
    return FORMULA if cell.data_type == "f" else value_text(cell.value)


# ---------------------------------------------------------------- storage


def read_records(wb: Workbook) -> list[MarkRecord]:
    if MARKS_SHEET not in wb.sheetnames:
        return []
    rows = wb[MARKS_SHEET].iter_rows(max_col=len(MARKS_COLUMNS), values_only=True)
    has_value = has_value_column(list(next(rows, ())))
    return [rec for rec in (record_from_row(list(values), has_value) for values in rows) if rec is not None]


def write_records(wb: Workbook, records: list[MarkRecord]) -> None:
    """Replace the marks sheet (removed entirely when nothing is marked)."""
    if MARKS_SHEET in wb.sheetnames:
        wb.remove(wb[MARKS_SHEET])
    if not records:
        return
    ws = wb.create_sheet(MARKS_SHEET)
    ws.sheet_state = "veryHidden"
    for r, values in enumerate([list(MARKS_COLUMNS)] + [rec.row() for rec in records], start=1):
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
    return CellState(cell_value_text(cell), mark_rgb_of(cell.fill),
                     cell.comment.text if cell.comment is not None else None)


def restore_cell(ws: Worksheet, rec: MarkRecord, ref: str) -> None:
    """Put back what ``rec`` remembers onto the cell at ``ref`` (where the marked cell is now)."""
    cell = ws[ref]
    if is_our_fill(cell.fill, rec.mark_rgb) and rec.prev_fill:
        cell.fill = fill_from_xml(rec.prev_fill)
    current = cell.comment.text if cell.comment is not None else None
    if current is None or is_our_note(current):
        cell.comment = Comment(rec.prev_note, rec.prev_author or "") if rec.prev_note else None


def clean_cell(ws: Worksheet, ref: str) -> None:
    """A cell with our note and no record: drop our note (keeping the user's beneath it) and our fill."""
    cell = ws[ref]
    if mark_rgb_of(cell.fill):
        cell.fill = fill_from_xml(NO_FILL_XML)
    kept = user_note(cell.comment.text)
    cell.comment = Comment(kept, "") if kept else None


def restore_marks(wb: Workbook) -> int:
    """Undo every stored mark, wherever its cell went; return the number of cells restored."""
    by_sheet: dict[str, list[MarkRecord]] = defaultdict(list)
    for rec in read_records(wb):
        by_sheet[rec.sheet].append(rec)
    restored = 0
    for ws in wb.worksheets:
        if ws.title == MARKS_SHEET:
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
    """Mark the cells of ``findings`` (after ``restore_marks``); return the number of cells marked."""
    records = []
    for mark in plan_marks(findings, [n for n in wb.sheetnames if n != MARKS_SHEET]):
        cell = wb[mark.sheet][mark.cell]
        prev_note = cell.comment.text if cell.comment is not None else None
        prev_author = cell.comment.author if cell.comment is not None else None
        rgb = MARK_RGB.get(mark.level, "")
        note = marked_note(mark, prev_note)
        records.append(MarkRecord(mark.sheet, mark.cell, rgb, fill_xml(cell.fill), prev_note, prev_author,
                                  cell_value_text(cell), note_key(note)))
        if rgb:
            cell.fill = PatternFill("solid", fgColor=rgb)
        comment = Comment(note, MARK_AUTHOR)
        comment.width, comment.height = 320, 160
        cell.comment = comment
    write_records(wb, records)
    return len(records)
