"""Big tables written fast: the streaming renderer for the sheet's shape,
then most data rows spliced straight into its sheet XML.

A merged workbook holds hundreds of thousands of rows (联系记载 of a whole
university; 指标汇总 with a row per member, quota and period). xlsxwriter
costs about 8 µs a cell; a data row needs no more than its values and the
style index of each of its cells. So every tall block is rendered by
``xlsx.stream`` with only a few of its data rows: the first row of every
*kind* of row (a kind is what decides the cells' styles: the block's
per-cell number formats, the row's height, and whether a column without a
number format holds a date or a date and time) and any row holding something
only the renderer writes (a formula). Everything else of the sheet (titles,
headers, footers, widths, freeze, autofilter, row colours, print setup,
charts) is rendered whole, because the block keeps its length. Each
remaining row is then written as sheet XML (``xlsx.bulk_xml``) with the
style indexes read back from the row of its kind, merged into the sheet's
rows in order; text goes to a shared-strings table. The big parts are built
and deflated by two processes (``xlsx.bulk_zip``).
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Sequence
from dataclasses import replace
from operator import itemgetter
from pathlib import Path

from dj_addin.cellref import column_number
from dj_addin.collector import paused
from dj_addin.plans.types import Block, SheetPlan, Style, col_letter, split_cell
from dj_addin.xlsx.atomic import atomic_write
from dj_addin.xlsx.bulk_xml import SharedStrings, Splice, chunk_xml
from dj_addin.xlsx.bulk_zip import Part, deflate_parts, write_deflated
from dj_addin.xlsx.splice.zipparts import copy_entry

__all__ = ["write_workbook_bulk"]

BULK_MIN_ROWS = 2  # blocks with more rows than this are spliced
CHUNK_ROWS = 2000  # rows built and deflated at a time
_PLAIN = frozenset({type(None), str, int, float, bool, dt.date, dt.datetime})
_DATE_KIND = {dt.date: "date", dt.datetime: "datetime"}
_TEXT_TYPES = frozenset({str, type(None)})
SST_PART = "xl/sharedStrings.xml"
SST_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
SST_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"

# zlib level of the spliced parts: the tall sheets are hundreds of MB of XML at a university's
# size, and level 1 deflates them about three times as fast as the default 6 for a file about a
# third larger (measured on 300 branches: see README, 汇总下级 → Speed).
BULK_LEVEL = 1


def _kinds(block: Block, heights: dict[int, float]) -> Splice:
    rows = block.rows
    n = len(rows)
    columns = [list(map(itemgetter(j), rows)) for j in range(len(block.columns))]
    parts: list[list] = []  # per row, what decides its kind
    if block.row_height or any(block.first_row <= r <= block.last_row for r in heights):
        parts.append([heights.get(block.first_row + i) or block.row_height for i in range(n)])
    if block.cell_formats:
        own: list[tuple] = [()] * n
        for (i, key), fmt in block.cell_formats.items():
            if 0 <= i < n:
                own[i] = (*own[i], (key, fmt))
        parts.append(own)
    special: set[int] = set()
    keyed, texts = [], []
    for c, column in zip(block.columns, columns):
        types = _types(column, texts)
        keyed.append(bool in types and (int in types or float in types))
        if not types <= _PLAIN:  # formulas and anything unusual: the renderer writes the row
            special.update(i for i, v in enumerate(column) if type(v) not in _PLAIN)
        if c.number_format is None and types & {dt.date, dt.datetime}:  # the renderer picks a date format
            parts.append(list(map(_DATE_KIND.get, map(type, column))))
    if parts:
        first: dict[tuple, int] = {}
        kind_of = [first.setdefault(sig, i) for i, sig in enumerate(zip(*parts))]
        written = set(first.values())
    else:
        kind_of, written = [0] * n, {0} if n else set()
    return Splice(block, columns, written | special, kind_of, keyed, texts)


def _types(column: list, texts: list) -> set[type]:
    """The types of a column's values; its distinct texts appended to ``texts`` (for the
    shared strings). A text column's types are read off its distinct values (one pass, which
    the shared strings need anyway): a str subclass equal to a text hides behind it, and is
    written as that text, which it is. Numbers are scanned whole (True == 1)."""
    try:
        distinct = dict.fromkeys(column)
    except TypeError:  # unhashable values: not plain, rows the renderer writes
        return set(map(type, column))
    types = set(map(type, distinct))
    if str in types:
        texts.append([v for v in distinct if v.__class__ is str])
    if not types <= _TEXT_TYPES:
        types = set(map(type, column))
    return types


def _spliced(plan: SheetPlan) -> dict[int, Splice]:
    """The blocks of ``plan`` whose rows are spliced: tall, no links, sharing no sheet row with
    another block."""
    out = {}
    for bi, b in enumerate(plan.blocks):
        if len(b.rows) <= BULK_MIN_ROWS or b.links:
            continue
        if any(o is not b and o.top <= b.last_row and b.first_row <= o.bottom for o in plan.blocks):
            continue
        if any(b.first_row <= split_cell(c.ref)[0] <= b.last_row for c in plan.cells):  # single cells beside
            continue
        splice = _kinds(b, plan.row_heights)
        if len(splice.written) < len(b.rows):
            out[bi] = splice
    return out


_ROW = re.compile(rb'<row r="(\d+)"')
_ROW_ATTRS = re.compile(rb'<row r="\d+"([^>]*?)/?>')
_CELL = re.compile(rb'<c r="([A-Z]+)\d+"(?: s="(\d+)")?')
_DIMENSION = re.compile(rb'<dimension ref="(?:[A-Z]+\d+:)?([A-Z]+)(\d+)"/>')


def _runs(s: Splice) -> list[tuple[int, int]]:
    """Row index ranges [a, z) of the spliced rows, cut where the renderer writes a row."""
    cuts = sorted(s.written | {0, len(s.kind_of)})
    return [(a + (a in s.written), z) for a, z in zip(cuts, cuts[1:]) if a + (a in s.written) < z]


def _sheet_part(name: str, xml: bytes, splices: dict[int, Splice]) -> Part:
    """The items of a spliced sheet's XML: the rendered sheet's bytes with chunks of spliced rows
    in place; each splice learns its kinds' styles from the rows the renderer wrote."""
    start = xml.index(b"<sheetData>") + len(b"<sheetData>")
    end = xml.index(b"</sheetData>")
    head, body, rest = xml[:start], xml[start:end], xml[end:]
    marks = [(int(m.group(1)), m.start()) for m in _ROW.finditer(body)]
    chunks = {row: body[pos:(marks[k + 1][1] if k + 1 < len(marks) else len(body))]
              for k, (row, pos) in enumerate(marks)}
    pieces: list[tuple[int, object, int]] = []  # (sheet row, item, cost)
    right = 0
    for s in splices.values():
        b = s.block
        s.letters = [col_letter(b.left + i) for i in range(len(b.columns))]
        right = max(right, b.right)
        for i in s.written:
            chunk = chunks.get(b.first_row + i, b"")
            found = {m.group(1).decode(): m.group(2) for m in _CELL.finditer(chunk)}
            attrs = _ROW_ATTRS.match(chunk)
            s.styles[i] = [f' s="{found[x].decode()}"' if found.get(x) else "" for x in s.letters]
            s.attrs[i] = attrs.group(1).decode() if attrs else ""
        for a, z in _runs(s):
            for c in range(a, z, CHUNK_ROWS):
                e = min(c + CHUNK_ROWS, z)
                pieces.append((b.first_row + c, ("rows", s, c, e), (e - c) * len(b.columns)))

    def spliced_row(row: int) -> bool:
        return any(s.block.first_row <= row <= s.block.last_row and row - s.block.first_row not in s.written
                   for s in splices.values())

    pieces += [(row, chunk, len(chunk) // 100) for row, chunk in chunks.items() if not spliced_row(row)]
    pieces.sort(key=lambda x: x[0])
    m = _DIMENSION.search(head)
    if m:
        bottom = max(int(m.group(2)), max(s.block.last_row for s in splices.values()))
        last = col_letter(max(column_number(m.group(1).decode()), right))
        head = head[:m.start(1)] + f"{last}{bottom}".encode() + head[m.end(2):]
    return Part(name, [head, *(p[1] for p in pieces), rest], [0, *(p[2] for p in pieces), 0])


def _sst_part(sst: SharedStrings) -> Part:
    ranges = [(a, min(a + CHUNK_ROWS * 4, len(sst))) for a in range(0, len(sst), CHUNK_ROWS * 4)]
    return Part(SST_PART, [sst.head(), *(("sst", a, z) for a, z in ranges), sst.tail()],
                [0, *((z - a) * 3 for a, z in ranges), 0])


def _with_sst(name: str, xml: bytes) -> bytes:
    """[Content_Types].xml and the workbook's relationships with the shared-strings part."""
    text = xml.decode("utf-8")
    if name == "[Content_Types].xml":
        return text.replace("</Types>", f'<Override PartName="/{SST_PART}" ContentType="{SST_TYPE}"/></Types>'
                            ).encode("utf-8")
    ids = [int(x) for x in re.findall(r'Id="rId(\d+)"', text)]
    rel = f'<Relationship Id="rId{max(ids, default=0) + 1}" Type="{SST_REL}" Target="sharedStrings.xml"/>'
    return text.replace("</Relationships>", rel + "</Relationships>").encode("utf-8")


def _splice(inner: Path, dest: Path, spliced: dict[str, dict[int, Splice]]) -> None:
    sst = SharedStrings()
    for splices in spliced.values():
        for s in splices.values():
            for texts in s.texts:
                sst.add(texts)
    caches: dict = {}  # each process's cell tails per (block, column, style)

    def produce(item) -> bytes:
        if isinstance(item, bytes):
            return item
        if item[0] == "rows":
            return chunk_xml(item[1], item[2], item[3], caches, sst)
        return sst.items_xml(item[1], item[2])

    with zipfile.ZipFile(inner) as src:
        if SST_PART in src.NameToInfo:
            raise ValueError("the streaming renderer wrote a shared-strings part")  # constant_memory never does
        parts = [_sheet_part(name, src.read(name), splices) for name, splices in spliced.items()]
        if len(sst):
            parts.append(_sst_part(sst))
        scratch = dest.with_name(dest.name + ".half")
        try:
            shares = deflate_parts(parts, produce, BULK_LEVEL, scratch)
            index = {p.name: i for i, p in enumerate(parts)}
            with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as out:
                for info in src.infolist():
                    if info.filename in index:
                        write_deflated(out, info.filename, info.date_time, shares[index[info.filename]])
                    elif len(sst) and info.filename in ("[Content_Types].xml", "xl/_rels/workbook.xml.rels"):
                        part = zipfile.ZipInfo(info.filename, info.date_time)
                        part.compress_type = zipfile.ZIP_DEFLATED
                        out.writestr(part, _with_sst(info.filename, src.read(info)))
                    else:
                        copy_entry(src, info, out)
                if len(sst):
                    write_deflated(out, SST_PART, src.infolist()[0].date_time, shares[index[SST_PART]])
        finally:
            scratch.unlink(missing_ok=True)


def write_workbook_bulk(path: str | Path, plans: Sequence[SheetPlan], default_font: Style | None = None) -> list[str]:
    """``xlsx.stream.write_workbook`` for plans whose tall blocks are spliced in (see the module)."""
    # No garbage collection while writing: the writer makes no reference cycles, a collection of a
    # merge's heap costs tenths of a second, and in the forked child it would touch (and so copy)
    # every page the parent holds.
    with paused():
        _write(Path(path), plans, default_font)
    return [p.name for p in plans]


def _write(path: Path, plans: Sequence[SheetPlan], default_font: Style | None) -> None:
    from dj_addin.xlsx.stream import write_workbook

    trimmed, spliced = [], {}
    for i, plan in enumerate(plans):
        splices = _spliced(plan)
        if splices:
            blocks = list(plan.blocks)
            for bi, s in splices.items():  # the renderer skips the rows left None (xlsx.stream)
                rows = [None] * len(blocks[bi].rows)
                for k in s.written:
                    rows[k] = blocks[bi].rows[k]
                blocks[bi] = replace(blocks[bi], rows=rows)
            trimmed.append(replace(plan, blocks=blocks))
            spliced[f"xl/worksheets/sheet{i + 1}.xml"] = splices
        else:
            trimmed.append(plan)

    def produce(tmp: Path) -> None:
        inner = tmp.with_name(tmp.name + ".inner.xlsx")
        try:
            write_workbook(inner, trimmed, default_font=default_font)
            _splice(inner, tmp, spliced)
        finally:
            inner.unlink(missing_ok=True)

    atomic_write(path, produce)
