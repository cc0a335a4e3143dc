"""The fast writer: change only the parts of the .xlsx package that change.

Output sheets are made in a small separate openpyxl workbook and spliced in
(``splice``); marked cells are changed in their sheet's XML as text
(``cells_xml``, ``notes_xml``); styles get the few formats they need
(``styles_xml``). Every other part is copied unchanged. Its cost follows
the results and the marked sheets, not the whole workbook: to find marks
whose rows moved (``relocate``) it reads only the recorded cells and the
cells whose note is ours (``values_xml``), never the whole sheet.

Anything it cannot handle safely raises ``Unsupported`` before a byte is
written, and the caller falls back to the openpyxl reference writer: parts
not in UTF-8, namespace-prefixed SpreadsheetML, rows or cells without their
reference, Excel 365 threaded comments, a marks sheet that is not the last.

One deliberate difference: a mark on a cell that does not exist yet starts
from the style the cell shows (its row's or column's format), where
openpyxl starts from the default style; restoring gives back what was shown.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from python_calamine import CalamineWorkbook

from dj_addin.cellref import column_letter
from dj_addin.model import Finding
from dj_addin.plans.types import SheetPlan
from dj_addin.schema import MARK_NOTE_PREFIX
from dj_addin.xlsx.marks import (MARKS_COLUMNS, MARKS_SHEET, NO_FILL_XML, CellMark, MarkRecord, has_value_column, marked_note,
                     plan_marks, record_from_row)
from dj_addin.marks.matching import CellState, is_our_note, note_key, plan_restore, user_note
from dj_addin.xlsx.styles import MARK_AUTHOR, MARK_RGB
from dj_addin.xlsx.splice.book_xml import WorkbookXml
from dj_addin.xlsx.splice.cells_xml import SheetCells, split_ref
from dj_addin.xlsx.splice.notes_xml import SheetNotes
from dj_addin.xlsx.splice.package import CT_WORKSHEET, RT, Package, Unsupported, attr, resolve, text_xml, unused_name
from dj_addin.xlsx.splice.output_sheets import splice_plans
from dj_addin.xlsx.splice.styles_xml import StyleSheet
from dj_addin.xlsx.splice.values_xml import CellValues

__all__ = ["Unsupported", "save_fast", "clear_fast"]


def mark_fill_xml(rgb: str) -> str:
    return f'<fill><patternFill patternType="solid"><fgColor rgb="{rgb}"/><bgColor indexed="64"/></patternFill></fill>'


def is_our_fill_xml(fill: str, mark_rgb: str) -> bool:
    if not mark_rgb or not re.search(r'patternType="solid"', fill):
        return False
    color = re.search(r"<fgColor\b([^>]*)>", fill)
    rgb = re.search(r'\brgb="([0-9A-Fa-f]{8})"', color.group(1)) if color else None
    return rgb is not None and rgb.group(1).upper() == mark_rgb.upper()


def read_records(src: Path, book: WorkbookXml) -> list[MarkRecord]:
    index = book.index(MARKS_SHEET)
    if index is None:
        return []
    if index != len(book.sheets) - 1:
        raise Unsupported("the marks sheet is not the last sheet")
    reader = CalamineWorkbook.from_path(str(src))
    try:
        rows = reader.get_sheet_by_name(MARKS_SHEET).to_python()
    finally:
        reader.close()  # the file is replaced next (in place): no handle may stay open (Windows)
    if not rows:
        return []
    has_value = has_value_column(list(rows[0]))
    return [rec for rec in (record_from_row(list(values), has_value) for values in rows[1:]) if rec is not None]


def marks_sheet_xml(records: list[MarkRecord]) -> bytes:
    """The hidden marks sheet, written directly (inline strings: no shared-strings edit)."""

    rows = [list(MARKS_COLUMNS)] + [rec.row() for rec in records]
    body = []
    for r, values in enumerate(rows, start=1):
        cells = "".join(
            f'<c r="{column_letter(c)}{r}" t="inlineStr"><is><t xml:space="preserve">{text_xml(str(v))}</t></is></c>'
            for c, v in enumerate(values, start=1) if v not in (None, ""))
        body.append(f'<row r="{r}">{cells}</row>')
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f'<sheetData>{"".join(body)}</sheetData></worksheet>').encode("utf-8")


class Marker:
    """Restores and applies marks sheet by sheet, then writes the changed sheets."""

    def __init__(self, pkg: Package, book: WorkbookXml, styles: StyleSheet) -> None:
        self.pkg, self.book, self.styles = pkg, book, styles
        self.values = CellValues(pkg, book, styles)
        self.open: dict[str, tuple[SheetCells, SheetNotes]] = {}

    def sheet(self, name: str) -> tuple[SheetCells, SheetNotes]:
        if name not in self.open:
            part = self.book.part(name)
            self.open[name] = (SheetCells(self.pkg.read(part)), SheetNotes.load(self.pkg, part))
        return self.open[name]

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
        fill = self.styles.fill_of(cells.style(ref))
        note = notes.get(ref)
        return CellState(self.values.text(cells.cells_of(row).get(col)),
                         next((rgb for rgb in MARK_RGB.values() if is_our_fill_xml(fill, rgb)), ""),
                         note.text if note else None)

    def restore_all(self, records: list[MarkRecord]) -> int:
        """Undo every stored mark, wherever its cell went (``relocate``); clean orphan marks."""
        by_sheet: dict[str, list[MarkRecord]] = {}
        for rec in records:
            by_sheet.setdefault(rec.sheet, []).append(rec)
        restored = 0
        for entry in self.book.sheets:
            name = entry.name
            if name == MARKS_SHEET or (name not in by_sheet and not self.may_hold_our_notes(name)):
                continue
            recs = by_sheet.get(name, [])
            _, notes = self.sheet(name)
            refs = dict.fromkeys([rec.cell for rec in recs]
                                 + [ref for ref, n in notes.notes.items() if is_our_note(n.text)])
            plan = plan_restore(recs, {ref: self.state(name, ref) for ref in refs})
            for i, ref in plan.moves:
                self.restore(name, recs[i], ref)
            for ref in plan.orphans:
                self.clean(name, ref)
            restored += len(plan.moves) + len(plan.orphans)
        return restored

    def restore(self, name: str, rec: MarkRecord, ref: str) -> None:
        """Put back what ``rec`` remembers onto the cell at ``ref`` (where the marked cell is now)."""
        cells, notes = self.sheet(name)
        s = cells.style(ref)
        if rec.prev_fill and is_our_fill_xml(self.styles.fill_of(s), rec.mark_rgb):
            cells.set_style(ref, self.styles.with_fill(s, rec.prev_fill))
        note = notes.get(ref)
        if note is None or is_our_note(note.text):
            if rec.prev_note:
                notes.set(ref, rec.prev_note, rec.prev_author)
            else:
                notes.set(ref, None, None)

    def clean(self, name: str, ref: str) -> None:
        """A cell with our note and no record: drop our note (keeping the user's beneath it) and our fill."""
        cells, notes = self.sheet(name)
        s = cells.style(ref)
        fill = self.styles.fill_of(s)
        if any(is_our_fill_xml(fill, rgb) for rgb in MARK_RGB.values()):
            cells.set_style(ref, self.styles.with_fill(s, NO_FILL_XML))
        kept = user_note(notes.get(ref).text)
        notes.set(ref, kept, "" if kept else None)

    def apply(self, mark: CellMark) -> MarkRecord:
        cells, notes = self.sheet(mark.sheet)
        s = cells.style(mark.cell)
        note = notes.get(mark.cell)
        rgb = MARK_RGB.get(mark.level, "")
        row, col = split_ref(mark.cell)
        text = marked_note(mark, note.text if note else None)
        rec = MarkRecord(mark.sheet, mark.cell, rgb, self.styles.fill_of(s),
                         note.text if note else None, note.author if note else None,
                         self.values.text(cells.cells_of(row).get(col)), note_key(text))
        if rgb:
            cells.set_style(mark.cell, self.styles.with_fill(s, mark_fill_xml(rgb)))
        notes.set(mark.cell, text, MARK_AUTHOR)
        return rec

    def write(self) -> None:
        for name, (cells, notes) in self.open.items():
            part = self.book.part(name)
            xml = notes.save(cells.xml().decode("utf-8"), self.book.index(name))
            if cells.new_styles or notes.changed:
                self.pkg.write(part, xml.encode("utf-8"))


def set_marks_sheet(pkg: Package, book: WorkbookXml, records: list[MarkRecord]) -> None:
    part = book.part(MARKS_SHEET)
    if not records:
        if part is not None:
            book.remove(MARKS_SHEET)
        return
    if part is None:
        part = unused_name(pkg.all_names(), "xl/worksheets/sheet{n}.xml")
        book.insert(len(book.sheets), MARKS_SHEET, part, state="veryHidden")
        pkg.set_override(part, CT_WORKSHEET)
    pkg.write(part, marks_sheet_xml(records))


def drop_stale_calc_chain(pkg: Package, book: WorkbookXml, before_ids: dict[str, str]) -> None:
    """calcChain lists formula cells by sheet id: drop it (Excel rebuilds it) when a sheet it may name went."""
    now = {s.name for s in book.sheets}
    gone = [sid for name, sid in before_ids.items() if name not in now]
    chain = next((r for r in book.rels if r.type == RT + "calcChain"), None)
    if chain is None or not gone:
        return
    target = resolve("xl/workbook.xml", chain.target)
    text = (pkg.read(target) or b"").decode("utf-8")
    if any(f'i="{sid}"' in text for sid in gone):
        book.rels = [r for r in book.rels if r is not chain]
        pkg.remove(target)
        pkg.set_override(target, None)


def open_package(src: Path) -> tuple[Package, WorkbookXml, StyleSheet, str]:
    pkg = Package.open(src)
    try:
        book = WorkbookXml(pkg)
        styles_rel = next((r for r in book.rels if r.type == RT + "styles"), None)
        if styles_rel is None:
            raise Unsupported("no styles part")
        styles_part = resolve("xl/workbook.xml", styles_rel.target)
        return pkg, book, StyleSheet(pkg.read(styles_part)), styles_part
    except BaseException:
        pkg.close()
        raise


def run(src: Path, tmp: Path, plans: Sequence[SheetPlan], marks_for: Sequence[Finding] | None,
        clear_only: bool = False) -> tuple[int, int, list[str]]:
    """``marks_for``: None leaves the marks alone; otherwise earlier marks are restored
    and the cells of these findings marked (an empty list only restores)."""
    pkg, book, styles, styles_part = open_package(src)
    try:
        before_ids = {s.name: attr(s.tag, "sheetId") or "" for s in book.sheets}
        restored = marked = 0
        written: list[str] = []
        new_records: list[MarkRecord] | None = None
        if marks_for is not None or clear_only:
            marker = Marker(pkg, book, styles)
            restored = marker.restore_all(read_records(src, book))
            new_records = []
            if marks_for:
                data_sheets = [s.name for s in book.sheets if s.name != MARKS_SHEET]
                new_records = [marker.apply(m) for m in plan_marks(marks_for, data_sheets)]
                marked = len(new_records)
            marker.write()
        if not clear_only and plans:
            written = splice_plans(pkg, book, styles, plans, before=MARKS_SHEET)
        if new_records is not None:
            set_marks_sheet(pkg, book, new_records)
        fix_active_tab(book)
        drop_stale_calc_chain(pkg, book, before_ids)
        pkg.write(styles_part, styles.xml())
        book.save()
        pkg.save(tmp)
        return restored, marked, written
    except UnicodeDecodeError as exc:
        raise Unsupported(f"part not in UTF-8: {exc}") from exc
    finally:
        pkg.close()


def fix_active_tab(book: WorkbookXml) -> None:
    """The active tab must be a visible sheet (the reference writer does the same)."""
    m = re.search(r'\bactiveTab="(\d+)"', book.text)
    index = int(m.group(1)) if m else 0
    if index >= len(book.sheets) or re.search(r'state="(hidden|veryHidden)"', book.sheets[index].tag):
        if m:
            book.text = book.text[:m.start()] + 'activeTab="0"' + book.text[m.end():]


def save_fast(src: Path, tmp: Path, plans: Sequence[SheetPlan], marks_for: Sequence[Finding] | None
              ) -> tuple[int, int, list[str]]:
    return run(src, tmp, plans, marks_for)


def clear_fast(src: Path, tmp: Path) -> int:
    return run(src, tmp, [], None, clear_only=True)[0]
