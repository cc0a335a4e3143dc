"""Output sheets made in a small openpyxl workbook, spliced into the big package.

The small workbook holds only the output sheets, so openpyxl's cost is the
size of the results; its sheets, styles, defined names and charts are then
copied into the original package, which is otherwise left as it was.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

from openpyxl import Workbook

from dj_addin.plans.types import SheetPlan
from dj_addin.xlsx.sheets import render_plans
from dj_addin.xlsx.splice.book_xml import WorkbookXml
from dj_addin.xlsx.splice.package import CT_WORKSHEET, Package, Rel, attr, resolve, rels_path, unused_name
from dj_addin.xlsx.splice.styles_xml import StyleSheet, merge_styles

STYLE_ATTRS = (
    (re.compile(r'(<c\b[^>]*?\ss=")(\d+)(")'), "xf"),
    (re.compile(r'(<row\b[^>]*?\ss=")(\d+)(")'), "xf"),
    (re.compile(r'(<col\b[^>]*?\sstyle=")(\d+)(")'), "xf"),
    (re.compile(r'(<cfRule\b[^>]*?\sdxfId=")(\d+)(")'), "dxf"),
)


def content_type(pkg: Package, part: str) -> str | None:
    ct = pkg.read("[Content_Types].xml").decode("utf-8")
    m = re.search(r'<Override\b[^>]*PartName="/' + re.escape(part) + r'"[^>]*>', ct)
    return attr(m.group(0), "ContentType") if m else None


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
    ct = content_type(small, part)
    if ct:
        big.set_override(new, ct)
    big.set_rels(new, copy_rels(small, part, big))
    return new


def remap(xml: str, xf_map: dict[int, int], dxf_map: dict[int, int]) -> str:
    for pattern, kind in STYLE_ATTRS:
        table = xf_map if kind == "xf" else dxf_map
        xml = pattern.sub(lambda m, t=table: f"{m.group(1)}{t.get(int(m.group(2)), 0)}{m.group(3)}", xml)
    return xml


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
        if index is not None:
            part = book.sheets[index].part
            for rel in pkg.rels(part):
                target = resolve(part, rel.target)
                if rel.mode != "External" and pkg.exists(target):
                    pkg.remove_tree(target)
            if pkg.exists(rels_path(part)):
                pkg.remove(rels_path(part))
            book.drop_local_names(index)
        else:
            index = book.index(before) if before and book.index(before) is not None else len(book.sheets)
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
