"""Marks in the package XML: the splicer's renderer of ``dj_addin.marks`` records.

The same records as the openpyxl writer (``xlsx.marks``): fills are read
from styles.xml into ``FillValue`` and written back as ``<fill>`` items built
with ElementTree (an existing equal fill is reused), notes go through
``SheetNotes``, the marks sheet's text is escaped and the part parsed before
it is written. Nothing read from a file (a stored record, a note, a sheet
name) goes into XML unescaped; a stored fill is never XML at all.
"""

from __future__ import annotations

from pathlib import Path

from python_calamine import CalamineWorkbook

from dj_addin.marks.matching import CellState, is_our_note, plan_restore, user_note
from dj_addin.marks.plan import new_record, plan_marks
from dj_addin.marks.records import (MARK_AUTHOR, Mark, MarkRecord, clean_fill, mark_fill, mark_rgb_of, parse_ref,
                                    restore_fill, restore_note)
from dj_addin.marks.storage import (MARKS_COLUMNS, is_marks_header, may_be_marks_sheet, new_marks_sheet_name,
                                    record_row, records_from_rows)
from dj_addin.schema import MARK_NOTE_PREFIX
from dj_addin.xlsx.splice.book_xml import WorkbookXml
from dj_addin.xlsx.splice.cells_xml import SheetCells, letter, split_ref
from dj_addin.xlsx.splice.notes_xml import SheetNotes
from dj_addin.xlsx.splice.package import (CT_WORKSHEET, RT, Package, Unsupported, attr, bind_prefixes, resolve, text_xml,
                                          unused_name)
from dj_addin.xlsx.splice.styles_xml import StyleSheet
from dj_addin.xlsx.splice.values_xml import CellValues
from dj_addin.xlsx.splice.wellformed import check_xml

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def read_rows(src: Path, name: str, header_only: bool = False) -> list[list]:
    reader = CalamineWorkbook.from_path(str(src))
    try:
        sheet = reader.get_sheet_by_name(name)
        return sheet.to_python(skip_empty_area=False, nrows=1 if header_only else None)
    finally:
        reader.close()  # the file is replaced next (in place): no handle may stay open (Windows)


def find_marks_sheet(src: Path, book: WorkbookXml) -> str | None:
    """Our marks sheet's name: hidden, named ``_dj_marks…``, with our header (a user's sheet never is)."""
    for entry in book.sheets:
        if may_be_marks_sheet(entry.name, attr(entry.tag, "state")):
            rows = read_rows(src, entry.name, header_only=True)
            if rows and is_marks_header([v if v != "" else None for v in rows[0]]):
                return entry.name
    return None


def read_records(src: Path, book: WorkbookXml, name: str | None) -> list[MarkRecord]:
    if name is None:
        return []
    if book.index(name) != len(book.sheets) - 1:
        raise Unsupported("the marks sheet is not the last sheet")
    return records_from_rows([[v if v != "" else None for v in row] for row in read_rows(src, name)])


def marks_sheet_xml(records: list[MarkRecord]) -> bytes:
    """The hidden marks sheet (inline strings: no shared-strings edit), escaped and parsed before use."""
    body = []
    letters = [letter(c) for c in range(1, len(MARKS_COLUMNS) + 1)]
    for r, values in enumerate([list(MARKS_COLUMNS)] + [record_row(rec) for rec in records], start=1):
        cells = "".join(f'<c r="{x}{r}" t="inlineStr"><is><t xml:space="preserve">{text_xml(v)}</t></is></c>'
                        for x, v in zip(letters, values) if v)  # record_row: characters XML holds only
        body.append(f'<row r="{r}">{cells}</row>')
    # the dimension lets a reader size the sheet without reading it (openpyxl's check of every write does)
    dimension = f'<dimension ref="A1:{letters[-1]}{len(records) + 1}"/>'
    xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           f'<worksheet xmlns="{MAIN_NS}">{dimension}<sheetData>{"".join(body)}</sheetData></worksheet>')
    check_xml(xml, "marks sheet")  # escaped text always parses; never write a part that does not
    return xml.encode("utf-8")


def set_marks_sheet(pkg: Package, book: WorkbookXml, ours: str | None, records: list[MarkRecord]) -> None:
    """Replace our marks sheet (removed when nothing is marked); a user's sheet of that name stays."""
    if not records:
        if ours is not None:
            book.remove(ours)
        return
    part = book.part(ours) if ours is not None else None
    if part is None:
        part = unused_name(pkg.all_names(), "xl/worksheets/sheet{n}.xml")
        book.insert(len(book.sheets), new_marks_sheet_name(s.name for s in book.sheets), part, state="veryHidden")
        pkg.set_override(part, CT_WORKSHEET)
    pkg.write(part, marks_sheet_xml(records))


class Marker:
    """Restores and applies marks sheet by sheet, then writes the changed sheets."""

    def __init__(self, pkg: Package, book: WorkbookXml, styles: StyleSheet, marks_sheet: str | None) -> None:
        self.pkg, self.book, self.styles = pkg, book, styles
        self.marks_sheet = marks_sheet  # our marks sheet's name (None: none yet)
        self.values = CellValues(pkg, book, styles)
        self.open: dict[str, tuple[SheetCells, SheetNotes]] = {}

    def sheet(self, name: str) -> tuple[SheetCells, SheetNotes]:
        if name not in self.open:
            part = self.book.part(name)
            self.open[name] = (SheetCells(self.pkg.read(part)), SheetNotes.load(self.pkg, part))
        return self.open[name]

    def data_sheets(self) -> list[str]:
        return [s.name for s in self.book.sheets if s.name != self.marks_sheet]

    def may_hold_our_notes(self, name: str) -> bool:
        """Whether the sheet's notes mention our prefix at all (a byte search: no parsing)."""
        part = self.book.part(name)
        for rel in self.pkg.rels(part):
            if rel.type == RT + "comments":
                return MARK_NOTE_PREFIX.encode("utf-8") in (self.pkg.read(resolve(part, rel.target)) or b"")
        return False

    def state(self, name: str, ref: str) -> CellState:
        cells, notes = self.sheet(name)
        row, col = split_ref(ref)
        note = notes.get(ref)
        return CellState(self.values.text(cells.cells_of(row).get(col)),
                         mark_rgb_of(self.styles.fill_value(cells.style(ref))), note.text if note else None)

    def restore_all(self, records: list[MarkRecord]) -> int:
        """Undo every stored mark, wherever its cell went (``matching``); clean orphan marks."""
        by_sheet: dict[str, list[MarkRecord]] = {}
        for rec in records:
            by_sheet.setdefault(rec.sheet, []).append(rec)
        restored = 0
        for name in self.data_sheets():
            if name not in by_sheet and not self.may_hold_our_notes(name):
                continue
            recs = by_sheet.get(name, [])
            _, notes = self.sheet(name)
            refs = dict.fromkeys([rec.cell for rec in recs]
                                 + [ref for ref, n in notes.notes.items() if is_our_note(n.text) and parse_ref(ref)])
            plan = plan_restore(recs, {ref: self.state(name, ref) for ref in refs})
            for i, ref in plan.moves:
                self.restore(name, recs[i], ref)
            for ref in plan.orphans:
                self.clean(name, ref)
            restored += len(plan.moves) + len(plan.orphans)
        return restored

    def set_fill(self, name: str, ref: str, fill) -> None:
        if fill is not None:
            cells, _ = self.sheet(name)
            cells.set_style(ref, self.styles.with_fill_value(cells.style(ref), fill))

    def restore(self, name: str, rec: MarkRecord, ref: str) -> None:
        """Put back what ``rec`` remembers onto the cell at ``ref`` (where the marked cell is now)."""
        cells, notes = self.sheet(name)
        self.set_fill(name, ref, restore_fill(rec, self.styles.fill_value(cells.style(ref))))
        note = notes.get(ref)
        put = restore_note(rec, note.text if note else None)
        if put is not None:
            notes.set(ref, *put)

    def clean(self, name: str, ref: str) -> None:
        """A cell with our note and no record: drop our note (keeping the user's beneath it) and our fill."""
        cells, notes = self.sheet(name)
        self.set_fill(name, ref, clean_fill(self.styles.fill_value(cells.style(ref))))
        kept = user_note(notes.get(ref).text)
        notes.set(ref, kept, "")

    def apply(self, mark: Mark) -> MarkRecord:
        cells, notes = self.sheet(mark.sheet)
        note = notes.get(mark.cell)
        row, col = split_ref(mark.cell)
        xf = cells.style(mark.cell)  # looked up once: 20,000 marks make this the inner loop
        rec = new_record(mark, self.styles.fill_value(xf), note.text if note else None,
                         note.author if note else None, self.values.text(cells.cells_of(row).get(col)))
        if rec.mark_rgb:
            cells.set_style(mark.cell, self.styles.with_fill_value(xf, mark_fill(rec.mark_rgb)))
        notes.set(mark.cell, rec.note, MARK_AUTHOR)
        return rec

    def apply_all(self, findings) -> list[MarkRecord]:
        """Mark the cells of ``findings``; cells Excel cannot hold are skipped (listed by ``build_plans``)."""
        return [self.apply(m) for m in plan_marks(findings, self.data_sheets()).marks]

    def write(self) -> None:
        for name, (cells, notes) in self.open.items():
            part = self.book.part(name)
            xml = bind_prefixes(notes.save(cells.xml().decode("utf-8"), self.book.index(name)))
            if cells.new_styles or notes.changed:
                self.pkg.write(part, xml.encode("utf-8"))
