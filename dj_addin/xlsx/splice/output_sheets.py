"""Output sheets made in a small openpyxl workbook, spliced into the big package.

The small workbook holds only the output sheets, so openpyxl's cost is the
size of the results; its sheets, styles, defined names and charts are then
copied into the original package, which is otherwise left as it was.

An output sheet that is replaced gives up its relationships only: the parts
they pointed to are left out when the package is saved if, and only if,
nothing else still points to them (a damaged or hostile old 问题清单 may
point at data sheets).
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

from openpyxl import Workbook

from dj_addin.plans.types import SheetPlan
from dj_addin.xlsx.sheets import render_plans
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


def splice_sheets(pkg: Package, book: WorkbookXml, styles: StyleSheet, wb: Workbook, before: str | None) -> list[str]:
    """Copy every sheet of ``wb`` into the package: replacing a sheet of that name in
    place, else inserting before the sheet ``before`` (or at the end)."""
    buffer = io.BytesIO()
    wb.save(buffer)
    small = Package.from_bytes(buffer.getvalue())
    small_book = WorkbookXml(small)
    xf_map, dxf_map = merge_styles(styles, StyleSheet(small.read("xl/styles.xml")))
    written = []
    for small_index, entry in enumerate(small_book.sheets):
        xml = remap(small.read(entry.part).decode("utf-8"), xf_map, dxf_map)
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
    small.close()
    return written


def splice_plans(pkg: Package, book: WorkbookXml, styles: StyleSheet, plans: Sequence[SheetPlan],
                 before: str | None) -> list[str]:
    """Render ``plans`` with the openpyxl renderer into a small workbook and splice its sheets in."""
    wb = Workbook()
    wb.remove(wb.active)
    render_plans(wb, plans)
    return splice_sheets(pkg, book, styles, wb, before)
