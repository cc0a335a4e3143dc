"""Validation marks in the open workbook: the renderer of ``dj_addin.marks`` records with xlwings.

The same records as the file writers (``marks.records``), the same plan of
which record belongs to which cell (``marks.matching``), the same marks
sheet rows (``marks.storage``): a workbook marked from the ribbon can be
cleared with ``dj clear-marks`` and the other way round. Cells carrying our
note are found through ``sheet.notes`` (one call per sheet), so marks follow
rows the user moved, as in the file writers. Every cell is changed through
the ``Journal``, which remembers what it looked like first, so a failure
half-way puts every touched cell back. Differences from the file writers:
Excel writes its user's name as a note's author (xlwings reads it but cannot set it), and
the marks sheet is very hidden only on Windows (hidden elsewhere).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from dj_addin.excel import com
from dj_addin.excel.live import cell_value_text, read_fill, read_note, read_note_author, write_fill, write_note
from dj_addin.excel.render import TEXT_PREFIX
from dj_addin.marks.matching import CellState, is_our_note, plan_restore, user_note
from dj_addin.marks.plan import new_record, plan_marks
from dj_addin.marks.records import FillValue, MarkRecord, clean_fill, mark_fill, mark_rgb_of, restore_fill, restore_note
from dj_addin.marks.storage import (MARKS_COLUMNS, is_marks_header, may_be_marks_sheet, new_marks_sheet_name,
                                    record_row, records_from_rows)


@dataclass
class Journal:
    """What a write changed, so that it can be undone: new sheets, and every cell's first look."""

    added: list = field(default_factory=list)  # sheets created (deleted again on failure)
    cells: dict[tuple[str, str], tuple[FillValue, str | None]] = field(default_factory=dict)

    def touch(self, sheet, ref: str) -> None:
        key = (sheet.name, ref)
        if key not in self.cells:
            rng = sheet.range(ref)
            self.cells[key] = (read_fill(rng), read_note(rng))

    def undo(self, book) -> None:
        """Best effort, everything tried: delete what was added, put every cell back."""
        for sheet in reversed(self.added):
            try:
                sheet.delete()
            except Exception:
                pass
        for (name, ref), (fill, note) in self.cells.items():
            try:
                rng = book.sheets[name].range(ref)
                if fill.representable:
                    write_fill(rng, fill)
                write_note(rng, note)
            except Exception:
                pass


def sheet_state(sheet) -> str:
    if com.available() and com.is_very_hidden(sheet):
        return "veryHidden"
    return "visible" if sheet.visible else "hidden"


def find_marks_sheet(book):
    """Our marks sheet: hidden, named ``_dj_marks…``, with our header (a user's sheet never is)."""
    for sheet in book.sheets:
        if may_be_marks_sheet(sheet.name, sheet_state(sheet)):
            header = sheet.range((1, 1), (1, len(MARKS_COLUMNS))).options(ndim=2).value
            if header and is_marks_header(list(header[0])):
                return sheet
    return None


def read_records(sheet) -> list[MarkRecord]:
    if sheet is None:
        return []
    rows = sheet.used_range.options(ndim=2).value or []
    return records_from_rows([row[: len(MARKS_COLUMNS)] for row in rows])


def cell_state(sheet, ref: str) -> CellState:
    rng = sheet.range(ref)
    return CellState(cell_value_text(rng), mark_rgb_of(read_fill(rng)), read_note(rng))


def our_note_cells(sheet) -> list[str]:
    return [note.location.address.replace("$", "") for note in sheet.notes if is_our_note(note.text)]


def restore_marks(book, journal: Journal, marks_sheet) -> int:
    """Undo every stored mark, wherever its cell went; return the number of cells restored."""
    by_sheet: dict[str, list[MarkRecord]] = defaultdict(list)
    for rec in read_records(marks_sheet):
        by_sheet[rec.sheet].append(rec)
    restored = 0
    added = {s.name for s in journal.added}
    for sheet in book.sheets:
        if (marks_sheet is not None and sheet.name == marks_sheet.name) or sheet.name in added:
            continue
        records = by_sheet.get(sheet.name, [])
        states = {rec.cell: cell_state(sheet, rec.cell) for rec in records}
        for ref in our_note_cells(sheet):
            states.setdefault(ref, cell_state(sheet, ref))
        if not states:
            continue
        plan = plan_restore(records, states)
        for i, ref in plan.moves:
            rec, rng = records[i], sheet.range(ref)
            fill = restore_fill(rec, read_fill(rng))
            note = restore_note(rec, read_note(rng))
            if fill is None and note is None:
                continue
            journal.touch(sheet, ref)
            if fill is not None and fill.representable:
                write_fill(rng, fill)
            if note is not None:
                write_note(rng, note[0])
        for ref in plan.orphans:
            rng = sheet.range(ref)
            journal.touch(sheet, ref)
            fill = clean_fill(read_fill(rng))
            if fill is not None:
                write_fill(rng, fill)
            write_note(rng, user_note(read_note(rng) or ""))
        restored += len(plan.moves) + len(plan.orphans)
    return restored


def apply_marks(book, journal: Journal, findings: Iterable, skip: set[str]) -> list[MarkRecord]:
    """Mark the cells of ``findings`` (after ``restore_marks``); return the records to store."""
    names = [s.name for s in book.sheets if s.name not in skip]
    plan = plan_marks(findings, names)
    records = []
    for mark in plan.marks:
        sheet = book.sheets[mark.sheet]
        journal.touch(sheet, mark.cell)
        rng = sheet.range(mark.cell)
        rec = new_record(mark, read_fill(rng), read_note(rng), read_note_author(rng), cell_value_text(rng))
        records.append(rec)
        if rec.mark_rgb:
            write_fill(rng, mark_fill(rec.mark_rgb))
        write_note(rng, rec.note)
    return records


def write_records(book, journal: Journal, records: list[MarkRecord], before=None):
    """A new marks sheet holding ``records`` (one call), or None when nothing is marked."""
    if not records:
        return None
    names = [s.name for s in book.sheets]
    sheet = book.sheets.add(name=temp_name(names), after=book.sheets[len(names) - 1])
    journal.added.append(sheet)
    rows = [list(MARKS_COLUMNS)] + [record_row(rec) for rec in records]
    sheet.range((1, 1)).value = [[None if v is None else TEXT_PREFIX + str(v) for v in row] for row in rows]
    return sheet


def temp_name(names: Iterable[str]) -> str:
    taken = {n.casefold() for n in names}
    n = 1
    while f"_dj_tmp{n}".casefold() in taken:
        n += 1
    return f"_dj_tmp{n}"


def final_marks_name(book, temp) -> str:
    return new_marks_sheet_name([s.name for s in book.sheets if s.name != temp.name])


def hide(sheet) -> None:
    sheet.visible = False
    if com.available():
        com.very_hide(sheet)
