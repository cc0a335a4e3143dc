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

from ..model import Finding
from ..schema import LEVELS, MARK_NOTE_PREFIX
from .styles import MARK_AUTHOR, MARK_RGB

MARKS_SHEET = "_dj_marks"  # internal, very hidden; not a user-facing name
MARKS_COLUMNS = ("sheet", "cell", "mark_rgb", "prev_fill", "prev_note", "prev_author")


@dataclass(frozen=True)
class MarkRecord:
    """What one marked cell looked like before it was marked."""

    sheet: str
    cell: str
    mark_rgb: str  # our fill colour ('' when only a note was added)
    prev_fill: str  # <fill> XML
    prev_note: str | None
    prev_author: str | None

    def row(self) -> list[str | None]:
        return [self.sheet, self.cell, self.mark_rgb, self.prev_fill, self.prev_note, self.prev_author]


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


def is_our_note(text: str | None) -> bool:
    return bool(text) and text.startswith(MARK_NOTE_PREFIX)


def marked_note(mark: CellMark, prev_note: str | None) -> str:
    """Our note, with the user's own note kept visible underneath."""
    if prev_note:
        return f"{mark.note}\n——原批注——\n{prev_note}"
    return mark.note


# ---------------------------------------------------------------- storage


def read_records(wb: Workbook) -> list[MarkRecord]:
    if MARKS_SHEET not in wb.sheetnames:
        return []
    ws = wb[MARKS_SHEET]
    out = []
    for values in ws.iter_rows(min_row=2, max_col=len(MARKS_COLUMNS), values_only=True):
        if not values or not values[0]:
            continue
        sheet, cell, rgb, fill, note, author = values
        out.append(MarkRecord(str(sheet), str(cell), str(rgb or ""), str(fill or ""), note, author))
    return out


def write_records(wb: Workbook, records: list[MarkRecord]) -> None:
    """Replace the marks sheet (removed entirely when nothing is marked)."""
    if MARKS_SHEET in wb.sheetnames:
        wb.remove(wb[MARKS_SHEET])
    if not records:
        return
    ws = wb.create_sheet(MARKS_SHEET)
    ws.sheet_state = "veryHidden"
    ws.append(list(MARKS_COLUMNS))
    for rec in records:
        ws.append(rec.row())


# ---------------------------------------------------------------- restore / apply


def restore_cell(ws: Worksheet, rec: MarkRecord) -> None:
    cell = ws[rec.cell]
    if is_our_fill(cell.fill, rec.mark_rgb) and rec.prev_fill:
        cell.fill = fill_from_xml(rec.prev_fill)
    current = cell.comment.text if cell.comment is not None else None
    if current is None or is_our_note(current):
        cell.comment = Comment(rec.prev_note, rec.prev_author or "") if rec.prev_note else None


def restore_marks(wb: Workbook) -> int:
    """Undo every stored mark; return the number of cells restored."""
    records = read_records(wb)
    restored = 0
    for rec in records:
        if rec.sheet in wb.sheetnames:
            restore_cell(wb[rec.sheet], rec)
            restored += 1
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
        records.append(MarkRecord(mark.sheet, mark.cell, rgb, fill_xml(cell.fill), prev_note, prev_author))
        if rgb:
            cell.fill = PatternFill("solid", fgColor=rgb)
        comment = Comment(marked_note(mark, prev_note), MARK_AUTHOR)
        comment.width, comment.height = 320, 160
        cell.comment = comment
    write_records(wb, records)
    return len(records)
