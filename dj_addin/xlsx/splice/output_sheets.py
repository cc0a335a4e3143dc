"""Output sheets made in a small workbook, spliced into the big package.

The small workbook holds only the output sheets and is written by the
streaming renderer (``xlsx.stream``, xlsxwriter in constant_memory mode: text
inline, no shared-strings part), so its cost is the size of the results at
xlsxwriter's speed, about three times openpyxl's. Its sheets, styles, defined
names and charts are then copied into the original package, which is
otherwise left as it was. What xlsxwriter says about the small workbook's own
window (the first sheet selected) is not copied: the user's tabs stay as they were.

An output sheet that is replaced gives up its relationships only: the parts
they pointed to are left out when the package is saved if, and only if,
nothing else still points to them (a damaged or hostile old 问题清单 may
point at data sheets).
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Sequence
from pathlib import Path

from dj_addin.plans.types import SheetPlan
from dj_addin.xlsx.stream import render_file
from dj_addin.xlsx.splice.book_xml import WorkbookXml
from dj_addin.xlsx.splice.package import CT_WORKSHEET, Package, Rel, attr, resolve, unused_name
from dj_addin.xlsx.splice.styles_xml import StyleSheet, merge_styles

STYLE_ATTRS = (
    (re.compile(r'(<c\b[^>]*?\ss=")(\d+)(")'), "xf"),
    (re.compile(r'(<row\b[^>]*?\ss=")(\d+)(")'), "xf"),
    (re.compile(r'(<col\b[^>]*?\sstyle=")(\d+)(")'), "xf"),
    (re.compile(r'(<cfRule\b[^>]*?\sdxfId=")(\d+)(")'), "dxf"),
)


def copy_rels(small: Package, part: str, big: Package) -> list[Rel]:
    """The relationships of ``part``, with every internal target copied into ``big`` under a new name."""
    rels = []
    for rel in small.rels(part):
        target = resolve(part, rel.target)
        if rel.mode == "External" or not small.exists(target):
            rels.append(rel)
            continue
        folder, name = target.rsplit("/", 1)
        pattern = f"{folder}/" + re.sub(r"\d*\.(\w+)$", r"{n}.\1", name)  # chart1.xml → chart{n}.xml
        rels.append(Rel(rel.id, rel.type, "/" + copy_tree(small, target, big, pattern), rel.mode))
    return rels


def copy_tree(small: Package, part: str, big: Package, pattern: str) -> str:
    """Copy ``part`` and what it points to (drawing → chart) under new names; return the new name."""
    new = unused_name(big.all_names(), pattern)
    big.write(new, small.read(part))
    ct = small.content_type(part)
    if ct:
        big.set_override(new, ct)
    big.set_rels(new, copy_rels(small, part, big))
    return new


def remap(xml: str, xf_map: dict[int, int], dxf_map: dict[int, int]) -> str:
    for pattern, kind in STYLE_ATTRS:
        table = xf_map if kind == "xf" else dxf_map
        xml = pattern.sub(lambda m, t=table: f"{m.group(1)}{t.get(int(m.group(2)), 0)}{m.group(3)}", xml)
    return xml


def reusable(pkg: Package, book: WorkbookXml, index: int) -> bool:
    """Whether an old output sheet's part may take the new sheet: a worksheet part no other sheet shares."""
    part = book.sheets[index].part
    shared = any(i != index and s.part == part for i, s in enumerate(book.sheets))
    return not shared and pkg.content_type(part) == CT_WORKSHEET


SELECTED = re.compile(r'(<sheetView\b[^>]*?)\s+tabSelected="(?:1|true)"')


def unselected(xml: str) -> str:
    """A sheet part that does not claim to be the selected tab (two selected tabs group them in Excel)."""
    head = xml[:4096]  # sheetViews come before sheetData
    m = SELECTED.search(head)
    return xml if m is None else xml[:m.start()] + m.group(1) + xml[m.end():]


def splice_sheets(pkg: Package, book: WorkbookXml, styles: StyleSheet, small: Package, before: str | None) -> list[str]:
    """Copy every sheet of the small package into ``pkg``: replacing a sheet of that name in
    place, else inserting before the sheet ``before`` (or at the end)."""
    small_book = WorkbookXml(small)
    xf_map, dxf_map = merge_styles(styles, StyleSheet(small.read("xl/styles.xml")))
    written = []
    for small_index, entry in enumerate(small_book.sheets):
        xml = unselected(remap(small.read(entry.part).decode("utf-8"), xf_map, dxf_map))
        local = [dn for dn in small_book.names if attr(dn, "localSheetId") == str(small_index)]
        index = book.index(entry.name)
        if index is not None and not reusable(pkg, book, index):
            book.remove(entry.name)  # a new part at the same place; the old one goes if unreferenced
            at, index = index, None
        else:
            at = book.index(before) if before and book.index(before) is not None else len(book.sheets)
        if index is not None:
            # The old sheet's relationships are replaced below; what they pointed to is
            # left out on save only when nothing else in the package points to it.
            part = book.sheets[index].part
            book.drop_local_names(index)
        else:
            index = at
            part = unused_name(pkg.all_names(), "xl/worksheets/sheet{n}.xml")
            book.insert(index, entry.name, part)
            pkg.set_override(part, CT_WORKSHEET)
        book.add_local_names(index, local)
        pkg.write(part, xml.encode("utf-8"))
        rels = copy_rels(small, entry.part, pkg)
        pkg.set_rels(part, rels)
        written.append(entry.name)
    return written


def splice_plans(pkg: Package, book: WorkbookXml, styles: StyleSheet, plans: Sequence[SheetPlan],
                 before: str | None) -> list[str]:
    """Render ``plans`` with the streaming renderer into a small workbook and splice its sheets in."""
    small = render_small(plans)
    try:
        return splice_sheets(pkg, book, styles, small, before)
    finally:
        small.close()


def render_small(plans: Sequence[SheetPlan]) -> Package:
    """The plans as a small package in memory (xlsxwriter's row files go to a private temporary folder)."""
    with tempfile.TemporaryDirectory(prefix="dj-") as folder:
        path = Path(folder) / "small.xlsx"
        render_file(path, plans, tmpdir=folder)
        return Package.from_bytes(path.read_bytes())
