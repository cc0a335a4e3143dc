"""The fast writer: change only the parts of the .xlsx package that change.

Output sheets are made in a small separate openpyxl workbook and spliced in
(``splice``); marked cells are changed in their sheet's XML as text
(``marker``: the same mark records as the openpyxl writer, through
``cells_xml``, ``notes_xml``); styles get the few formats they need
(``styles_xml``). Every other part is copied unchanged. Its cost follows
the results and the marked sheets, not the whole workbook: to find marks
whose rows moved (``marks.matching``) it reads only the recorded cells and the
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

from dj_addin.marks.records import MarkRecord
from dj_addin.model import Finding
from dj_addin.plans.printing import SheetPrinting
from dj_addin.plans.types import SheetPlan
from dj_addin.xlsx.splice.book_xml import WorkbookXml
from dj_addin.xlsx.splice.marker import Marker, find_marks_sheet, read_records, set_marks_sheet
from dj_addin.xlsx.splice.package import RT, Package, Unsupported, attr, resolve
from dj_addin.xlsx.splice.output_sheets import splice_plans
from dj_addin.xlsx.splice.print_areas import settle_print_areas
from dj_addin.xlsx.splice.styles_xml import StyleSheet

__all__ = ["Unsupported", "save_fast", "clear_fast"]


def drop_stale_calc_chain(pkg: Package, book: WorkbookXml, before_ids: dict[str, str]) -> None:
    """calcChain lists formula cells by sheet id: drop it (Excel rebuilds it) when a sheet it may name went."""
    now = {attr(s.tag, "sheetId") or "" for s in book.sheets}
    gone = [sid for sid in before_ids.values() if sid not in now]
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
        clear_only: bool = False, *, keep_macros: bool = False,
        printing: Sequence[SheetPrinting] = ()) -> tuple[int, int, list[str]]:
    """``marks_for``: None leaves the marks alone; otherwise earlier marks are restored
    and the cells of these findings marked (an empty list only restores). Macros are
    written only with ``keep_macros``. ``printing``: which data sheets print (print areas)."""
    pkg, book, styles, styles_part = open_package(src)
    try:
        before_ids = {s.name: attr(s.tag, "sheetId") or "" for s in book.sheets}
        restored = marked = 0
        written: list[str] = []
        new_records: list[MarkRecord] | None = None
        ours = find_marks_sheet(src, book)  # by header and state: a user's sheet of that name is data
        if marks_for is not None or clear_only:
            marker = Marker(pkg, book, styles, ours)
            restored = marker.restore_all(read_records(src, book, ours))
            new_records = []
            if marks_for:
                new_records = marker.apply_all(marks_for)
                marked = len(new_records)
            marker.write()
        if not clear_only and plans:
            written = splice_plans(pkg, book, styles, plans, before=ours)
        if new_records is not None:
            set_marks_sheet(pkg, book, ours, new_records)
        settle_print_areas(book, printing)
        fix_active_tab(book)
        drop_stale_calc_chain(pkg, book, before_ids)
        pkg.write(styles_part, styles.xml())
        book.save()
        pkg.save(tmp, keep_macros=keep_macros)
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


def save_fast(src: Path, tmp: Path, plans: Sequence[SheetPlan], marks_for: Sequence[Finding] | None,
              *, keep_macros: bool = False, printing: Sequence[SheetPrinting] = ()) -> tuple[int, int, list[str]]:
    return run(src, tmp, plans, marks_for, keep_macros=keep_macros, printing=printing)


def clear_fast(src: Path, tmp: Path, *, keep_macros: bool = False) -> int:
    return run(src, tmp, [], None, clear_only=True, keep_macros=keep_macros)[0]
