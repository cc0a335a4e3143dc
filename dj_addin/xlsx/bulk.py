"""Big tables written fast: the streaming renderer for the sheet's shape,
then most data rows spliced straight into its sheet XML.

A merged workbook holds hundreds of thousands of rows (联系记载 of a whole
university; 指标汇总 with a row per member, quota and period). xlsxwriter
costs about 8 µs a cell; a data row needs no more than its values and the
style index of each of its cells. So every tall block is rendered by
``xlsx.stream`` with only a few of its data rows: the first row of every
*kind* of row (a kind is what decides the cells' styles: the block's
per-cell number formats, and whether a column without a number format holds
a date or a date and time) and any row holding something only the renderer
writes (a formula). Everything else of the sheet (titles, headers, footers,
widths, freeze, autofilter, row colours, print setup, charts) is rendered
whole, because the block keeps its length. Each remaining row is then
written as sheet XML with the style indexes read back from the row of its
kind, and merged into the sheet's rows in order, streamed (memory stays
flat). Text is written as inline text, never as a formula, escaped the way
xlsxwriter escapes it (``_xHHHH_``); characters no XML part can hold become
U+FFFD.

Cell XML is built per column and per distinct value (a column repeats its
values: dates, codes, names), so the cost is a few string joins a cell.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import shutil
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from xml.sax.saxutils import escape

from dj_addin.plans.types import Block, SheetPlan, Style, col_letter, split_cell
from dj_addin.xlsx.atomic import atomic_write

__all__ = ["write_workbook_bulk"]

EPOCH = dt.datetime(1899, 12, 30)
_ESCAPE_ESCAPE = re.compile(r"(_x[0-9a-fA-F]{4}_)")  # literal _xHHHH_ text survives (as xlsxwriter writes it)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")
_NEVER = re.compile("[\ud800-\udfff\ufffe\uffff]")  # no XML part can hold them: U+FFFD (as xmltext does)
BULK_MIN_ROWS = 2  # blocks with more rows than this are spliced
CHUNK_ROWS = 2000  # rows built and written at a time
MAX_TEXT = 32767  # Excel's limit in UTF-16 units; xlsxwriter cuts longer text there
_PLAIN = frozenset({type(None), str, int, float, bool, dt.date, dt.datetime})


# zlib level of the spliced package: the tall sheets are hundreds of MB of XML at a university's
# size, and level 1 deflates them about three times as fast as the default 6 for a file about a
# third larger (measured on 300 branches: see README, 汇总下级 → Speed).
BULK_LEVEL = 1

def _text(value: str) -> str:
    if len(value) > MAX_TEXT // 2 and len(value.encode("utf-16-le")) // 2 > MAX_TEXT:
        value = value.encode("utf-16-le")[:MAX_TEXT * 2].decode("utf-16-le", "ignore")
    if _NEVER.search(value):
        value = _NEVER.sub("\ufffd", value)
    if "_x" in value:
        value = _ESCAPE_ESCAPE.sub(r"_x005F\1", value)
    text = _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", value)
    text = escape(text)
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    return f"<is><t{space}>{text}</t></is>"


def _serial(value: dt.date | dt.datetime) -> float:
    if isinstance(value, dt.datetime):
        delta = value.replace(tzinfo=None) - EPOCH
        return delta.days + delta.seconds / 86400 + delta.microseconds / 86_400_000_000
    return float((value - EPOCH.date()).days)


def _number(x: float) -> str:
    return repr(int(x)) if isinstance(x, int) or (isinstance(x, float) and x.is_integer() and abs(x) < 1e15) else repr(x)


def _cell_tail(v, style: str) -> str | None:
    """Everything of a cell after its reference: ``' s="3" t="inlineStr">…</c>'``; None: no cell."""
    if v is None or v == "":
        return f"{style}/>" if style else None
    if isinstance(v, str):
        return f'{style} t="inlineStr">{_text(v)}</c>'
    if isinstance(v, bool):
        return f'{style} t="b"><v>{int(v)}</v></c>'
    if isinstance(v, (int, float)):
        if isinstance(v, float) and not math.isfinite(v):
            return f'{style} t="e"><v>#NUM!</v></c>'
        return f"{style}><v>{_number(v)}</v></c>"
    if isinstance(v, (dt.date, dt.datetime)):
        return f"{style}><v>{_number(_serial(v))}</v></c>"
    return f'{style} t="inlineStr">{_text(str(v))}</c>'


CACHE_LIMIT = 50_000  # distinct values remembered per column (names, dates, codes repeat; free text does not)


def _tails(values: Sequence, style: str, known: dict | None = None) -> list[str | None]:
    """``_cell_tail`` of every value, computed once per distinct value (``known``: the
    column's tails so far, kept from chunk to chunk)."""
    try:
        types = set(map(type, values))
        if not (bool in types and (int in types or float in types)):  # True == 1: only then key by type too
            cache = {} if known is None else known
            if len(cache) > CACHE_LIMIT:
                cache.clear()
            for v in set(values).difference(cache):
                cache[v] = _cell_tail(v, style)
            return list(map(cache.__getitem__, values))
    except TypeError:  # unhashable values: one by one below
        pass
    cache: dict = {}
    out = []
    for v in values:
        key = (v.__class__, v)
        try:
            t = cache[key]
        except KeyError:
            t = cache[key] = _cell_tail(v, style)
        except TypeError:  # unhashable: not a plain value, but write it as text all the same
            t = _cell_tail(v, style)
        out.append(t)
    return out


def _rows_xml(rows: Sequence[Sequence], first: int, letters: list[str], styles: list[str], attrs: str = "",
              known: list[dict] | None = None) -> str:
    """Sheet XML of ``rows`` (sheet rows ``first``…), every cell of a column with its style;
    ``attrs``: the rows' attributes after their number (a height); ``known``: per column, the
    tails of the values seen in earlier chunks (same styles)."""
    numbers = [str(r) for r in range(first, first + len(rows))]
    parts = [[f'<row r="{n}"{attrs}>' for n in numbers]]
    known = known or [None] * len(letters)
    for letter, style, values, seen in zip(letters, styles, zip(*rows), known):
        ref = f'<c r="{letter}'
        parts.append([f'{ref}{n}"{t}' if t is not None else "" for n, t in zip(numbers, _tails(values, style, seen))])
    parts.append(["</row>"] * len(rows))
    return "".join(map("".join, zip(*parts)))


@dataclass
class _Tail:
    """One spliced block: which of its rows the renderer writes, and the kind of every row."""

    block: Block
    written: set[int]  # row indexes the renderer writes (the first of each kind, formulas)
    kind_of: list[int]  # row index → the written row index of its kind


def _kinds(block: Block, heights: dict[int, float]) -> _Tail:
    rows = block.rows
    n = len(rows)
    keys = block.keys
    signature: list[tuple] = [()] * n
    if block.row_height or any(block.first_row <= r <= block.last_row for r in heights):
        signature = [(heights.get(block.first_row + i) or block.row_height,) for i in range(n)]
    for (i, key), fmt in block.cell_formats.items():
        if 0 <= i < n:
            signature[i] = (*signature[i], (key, fmt))
    special: set[int] = set()
    for j, (c, column) in enumerate(zip(block.columns, zip(*rows))):
        types = set(map(type, column))
        if not types <= _PLAIN:  # formulas and anything unusual: the renderer writes the row
            special.update(i for i, v in enumerate(column) if type(v) not in _PLAIN)
        if c.number_format is None and types & {dt.date, dt.datetime}:  # the renderer picks a date format
            for i, v in enumerate(column):
                if type(v) in (dt.date, dt.datetime):
                    signature[i] = (*signature[i], (keys[j], type(v).__name__))
    first: dict[tuple, int] = {}
    kind_of = [first.setdefault(sig, i) for i, sig in enumerate(signature)]
    return _Tail(block, set(first.values()) | special, kind_of)


def _spliced(plan: SheetPlan) -> dict[int, _Tail]:
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
        tail = _kinds(b, plan.row_heights)
        if len(tail.written) < len(b.rows):
            out[bi] = tail
    return out


_ROW = re.compile(rb'<row r="(\d+)"')
_ROW_ATTRS = re.compile(rb'<row r="\d+"([^>]*?)/?>')
_CELL = re.compile(rb'<c r="([A-Z]+)\d+"(?: s="(\d+)")?')
_DIMENSION = re.compile(rb'<dimension ref="(?:[A-Z]+\d+:)?([A-Z]+)(\d+)"/>')


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _splice_sheet(xml: bytes, plan: SheetPlan, tails: dict[int, _Tail], fout) -> None:
    """Write the rendered sheet ``xml`` to ``fout`` with the spliced rows of ``tails`` in place."""
    start = xml.index(b"<sheetData>") + len(b"<sheetData>")
    end = xml.index(b"</sheetData>")
    head, body, rest = xml[:start], xml[start:end], xml[end:]
    marks = [(int(m.group(1)), m.start()) for m in _ROW.finditer(body)]
    chunks = {row: body[pos:(marks[k + 1][1] if k + 1 < len(marks) else len(body))]
              for k, (row, pos) in enumerate(marks)}
    runs: list[tuple[int, object]] = []
    taken: set[int] = set()  # sheet rows the spliced runs write
    right = 0
    for tail in tails.values():
        b = tail.block
        letters = [col_letter(b.left + i) for i in range(len(b.columns))]
        right = max(right, b.right)
        styles: dict[int, tuple[list[str], str]] = {}
        for i in tail.written:
            chunk = chunks.get(b.first_row + i, b"")
            found = {m.group(1).decode(): m.group(2) for m in _CELL.finditer(chunk)}
            attrs = _ROW_ATTRS.match(chunk)
            styles[i] = ([f' s="{found[x].decode()}"' if found.get(x) else "" for x in letters],
                         attrs.group(1).decode() if attrs else "")
        i = 0
        while i < len(b.rows):  # runs of spliced rows of one kind
            if i in tail.written:
                i += 1
                continue
            j = i
            while j + 1 < len(b.rows) and j + 1 not in tail.written and tail.kind_of[j + 1] == tail.kind_of[i]:
                j += 1
            runs.append((b.first_row + i, (b, i, j + 1, letters, *styles[tail.kind_of[i]])))
            taken.update(range(b.first_row + i, b.first_row + j + 1))
            i = j + 1
    runs += [(row, chunk) for row, chunk in chunks.items() if row not in taken]
    m = _DIMENSION.search(head)
    if m:
        bottom = max(int(m.group(2)), max(t.block.last_row for t in tails.values()))
        last = col_letter(max(_column_number(m.group(1).decode()), right))
        head = head[:m.start(1)] + f"{last}{bottom}".encode() + head[m.end(2):]
    fout.write(head)
    caches: dict[tuple, list[dict]] = {}  # per block and styles: each column's tails so far
    for _, run in sorted(runs, key=lambda x: x[0]):
        if isinstance(run, bytes):
            fout.write(run)
            continue
        b, i, j, letters, styles, attrs = run
        known = caches.setdefault((id(b), tuple(styles)), [{} for _ in letters])
        for a in range(i, j, CHUNK_ROWS):
            z = min(a + CHUNK_ROWS, j)
            fout.write(_rows_xml(b.rows[a:z], b.first_row + a, letters, styles, attrs, known).encode("utf-8"))
    fout.write(rest)


def _splice(inner: Path, dest: Path, plans: dict[str, tuple[SheetPlan, dict[int, _Tail]]]) -> None:
    with zipfile.ZipFile(inner) as src, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            found = plans.get(info.filename)
            if found is None:
                with src.open(info) as fin, out.open(info, "w") as fout:
                    shutil.copyfileobj(fin, fout, 1 << 20)
                continue
            part = zipfile.ZipInfo(info.filename, info.date_time)
            part.compress_type = zipfile.ZIP_DEFLATED
            part._compresslevel = BULK_LEVEL  # ZipFile.open takes the level from the ZipInfo it is given
            with out.open(part, "w") as fout:
                _splice_sheet(src.read(info), found[0], found[1], fout)


def write_workbook_bulk(path: str | Path, plans: Sequence[SheetPlan], default_font: Style | None = None) -> list[str]:
    """``xlsx.stream.write_workbook`` for plans whose tall blocks are spliced in (see the module)."""
    from dj_addin.xlsx.stream import write_workbook

    trimmed, spliced = [], {}
    for i, plan in enumerate(plans):
        tails = _spliced(plan)
        if tails:
            blocks = list(plan.blocks)
            for bi, tail in tails.items():  # the renderer skips the rows left None (xlsx.stream)
                rows = [r if k in tail.written else None for k, r in enumerate(blocks[bi].rows)]
                blocks[bi] = replace(blocks[bi], rows=rows)
            trimmed.append(replace(plan, blocks=blocks))
            spliced[f"xl/worksheets/sheet{i + 1}.xml"] = (plan, tails)
        else:
            trimmed.append(plan)

    def produce(tmp: Path) -> None:
        inner = tmp.with_name(tmp.name + ".inner.xlsx")
        try:
            write_workbook(inner, trimmed, default_font=default_font)
            _splice(inner, tmp, spliced)
        finally:
            inner.unlink(missing_ok=True)

    atomic_write(Path(path), produce)
    return [p.name for p in plans]
