"""Sheet XML of the rows ``xlsx.bulk`` splices, and the shared-strings table their text goes to.

A university's 联系记载 is millions of cells, so the cost per cell is what
counts. Text goes to one shared-strings table (``xl/sharedStrings.xml``, as
Excel itself saves): a cell then holds only its string's number, so the
sheet XML is plain ASCII, a third shorter than inline text, and Python joins
and encodes ASCII strings several times faster than mixed Chinese ones. The
escaping (xlsxwriter's ``_xHHHH_`` for control characters, U+FFFD for what
no XML part can hold, Excel's 32,767-character cut) is that of the inline
text it replaces, and is done once per distinct text.

A cell's XML after its reference (its "tail") is computed once per distinct
value of a column and style; a chunk of rows is then one ``str.join`` over
the columns' tails and row numbers zipped together (no Python step per cell
unless a column has cells that write nothing).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import chain, repeat
from operator import itemgetter
from xml.sax.saxutils import escape

__all__ = ["SharedStrings", "Splice", "text_element", "cell_tail", "chunk_xml"]

EPOCH = dt.datetime(1899, 12, 30)
MAX_TEXT = 32767  # Excel's limit in UTF-16 units; xlsxwriter cuts longer text there
_ESCAPE_ESCAPE = re.compile(r"(_x[0-9a-fA-F]{4}_)")  # literal _xHHHH_ text survives (as xlsxwriter writes it)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")
_NEVER = re.compile("[\ud800-\udfff\ufffe\uffff]")  # no XML part can hold them: U+FFFD (as xmltext does)
_SPECIAL = re.compile("[\x00-\x08\x0b-\x1f&<>\ud800-\udfff\ufffe\uffff]|_x")  # anything the slow path handles
CACHE_LIMIT = 50_000  # distinct values remembered per column and style (names, dates, codes repeat; free text not)
SST_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def text_element(value: str) -> str:
    """``<t>…</t>`` of a text, as xlsxwriter would write it inline (``<is><t>…</t></is>``)."""
    if not _SPECIAL.search(value) and len(value) <= MAX_TEXT // 2 and \
            not (value[:1].isspace() or value[-1:].isspace()):
        return f"<t>{value}</t>"  # most text: nothing to escape (a test keeps this equal to the slow path)
    return _slow_text_element(value)


def _slow_text_element(value: str) -> str:
    if len(value) > MAX_TEXT // 2 and len(value.encode("utf-16-le")) // 2 > MAX_TEXT:
        value = value.encode("utf-16-le")[:MAX_TEXT * 2].decode("utf-16-le", "ignore")
    if _NEVER.search(value):
        value = _NEVER.sub("\ufffd", value)
    if "_x" in value:
        value = _ESCAPE_ESCAPE.sub(r"_x005F\1", value)
    text = escape(_CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", value))
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    return f"<t{space}>{text}</t>"


class SharedStrings:
    """The workbook's shared-strings table: every text of the spliced rows once, numbered in
    the order the columns are added (so the same plans give the same file). Text holding a
    literal ``_xHHHH_`` stays inline: Excel and calamine read ``_x005F_`` escapes alike in
    both places, openpyxl only in shared strings, so inline keeps every reader as before."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.texts: list[str] = []

    def add(self, values: Sequence) -> None:
        index, texts = self.index, self.texts
        for v in dict.fromkeys(values):  # distinct values in order of appearance, deduplicated in C
            if v.__class__ is str and v and v not in index and not ("_x" in v and _ESCAPE_ESCAPE.search(v)):
                index[v] = len(texts)
                texts.append(v)

    def __len__(self) -> int:
        return len(self.texts)

    def head(self) -> bytes:
        # no count attribute (it is optional; openpyxl omits it too): the table is written
        # while other processes are still writing the cells that use it
        return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                f'<sst xmlns="{SST_NS}" uniqueCount="{len(self.texts)}">').encode()

    def items_xml(self, a: int, z: int) -> bytes:
        return "".join([f"<si>{text_element(t)}</si>" for t in self.texts[a:z]]).encode("utf-8")

    @staticmethod
    def tail() -> bytes:
        return b"</sst>"


def _serial(value: dt.date | dt.datetime) -> float:
    if isinstance(value, dt.datetime):
        delta = value.replace(tzinfo=None) - EPOCH
        return delta.days + delta.seconds / 86400 + delta.microseconds / 86_400_000_000
    return float((value - EPOCH.date()).days)


def _number(x: float) -> str:
    return repr(int(x)) if isinstance(x, int) or (isinstance(x, float) and x.is_integer() and abs(x) < 1e15) else repr(x)


def cell_tail(v, style: str, sst: SharedStrings) -> str | None:
    """Everything of a cell after its reference: ``' s="3" t="s"><v>17</v></c>'``; None: no cell."""
    if v is None or v == "":
        return f"{style}/>" if style else None
    if v.__class__ is str:
        i = sst.index.get(v)
        if i is None:  # text holding a literal _xHHHH_: inline, as openpyxl reads it alike only there
            return f'{style} t="inlineStr"><is>{text_element(v)}</is></c>'
        return f'{style} t="s"><v>{i}</v></c>'
    if isinstance(v, bool):
        return f'{style} t="b"><v>{int(v)}</v></c>'
    if isinstance(v, (int, float)):
        if isinstance(v, float) and not math.isfinite(v):
            return f'{style} t="e"><v>#NUM!</v></c>'
        return f"{style}><v>{_number(v)}</v></c>"
    if isinstance(v, (dt.date, dt.datetime)):
        return f"{style}><v>{_number(_serial(v))}</v></c>"
    raise TypeError(f"not a plain value: {type(v).__name__}")  # such rows are the renderer's (xlsx.bulk._kinds)


@dataclass
class Splice:
    """One block whose rows are spliced: its values column by column, which rows the renderer
    writes (the first of each kind, formulas), the kind of every row, and, once rendered, each
    kind's cell styles and row attributes read back from the renderer's row."""

    block: object  # plans.types.Block
    columns: list[list]  # the block's values, column by column
    written: set[int]  # row indexes the renderer writes
    kind_of: list[int]  # row index → the written row index of its kind
    keyed: list[bool]  # per column: True and 1 both present, so values are told apart by type too
    texts: list[list[str]]  # the distinct texts of each column holding text, for the shared strings
    letters: list[str] = field(default_factory=list)
    styles: dict[int, list[str]] = field(default_factory=dict)  # kind → per column ' s="…"' or ""
    attrs: dict[int, str] = field(default_factory=dict)  # kind → the row tag's attributes after r="…"


def _tails(values: Sequence, style: str, suffix: bytes, cache: dict, keyed: bool, sst: SharedStrings) -> Sequence:
    """``cell_tail`` of every value followed by ``suffix`` (the next cell's reference), each distinct
    value computed once (``cache``: kept from chunk to chunk); None: no cell."""
    keys = list(zip(map(type, values), values)) if keyed else values  # True == 1: only then key by type too
    if len(keys) == 1:
        keys = [keys[0], keys[0]]  # itemgetter of one key gives the value, not a tuple
    lookup = itemgetter(*keys)  # C-level lookups, faster than map(cache.__getitem__, …)
    try:
        tails = lookup(cache)
    except KeyError:
        if len(cache) > CACHE_LIMIT:
            cache.clear()
        for k in dict.fromkeys(keys):
            if k not in cache:
                t = cell_tail(k[1] if keyed else k, style, sst)
                cache[k] = None if t is None else t.encode("utf-8") + suffix
        tails = lookup(cache)
    return tails[:1] if len(values) == 1 else tails


ROW_START = b'<row r="'


def chunk_xml(s: Splice, a: int, z: int, caches: dict, sst: SharedStrings) -> bytes:
    """Sheet XML of the block's rows ``a``…``z - 1`` (none of them written by the renderer), each
    cell with its kind's style; ``caches``: this process's tails per (block, column, style, suffix).

    Each cell is two pieces of one ``bytes.join``: its row number with the closing quote, then its
    tail with the next cell's ``<c r="X`` (or the row's end) already appended. Columns are done
    right to left, so that a column knows whether the next one writes every cell."""
    b = s.block
    kinds = s.kind_of[a:z]
    present = set(kinds)
    quoted = [b'%d"' % r for r in range(b.first_row + a, b.first_row + z)]
    refs = [b'<c r="' + x.encode() for x in s.letters]
    per_column: list = [None] * len(refs)
    complete = [False] * len(refs)  # the column writes a cell on every row of the chunk
    for j in reversed(range(len(refs))):
        suffix = b"</row>" + ROW_START if j == len(refs) - 1 else refs[j + 1] if complete[j + 1] else b""
        values = s.columns[j][a:z]
        styles = {s.styles[k][j] for k in present}
        if len(styles) == 1:
            style = styles.pop()
            tails = _tails(values, style, suffix, caches.setdefault((id(b), j, style, suffix), {}), s.keyed[j], sst)
        else:  # rows of several kinds styled differently in this column: each row's own
            per_kind = {}
            for k in present:
                style = s.styles[k][j]
                per_kind[k] = _tails(values, style, suffix, caches.setdefault((id(b), j, style, suffix), {}),
                                     s.keyed[j], sst)
            tails = [per_kind[k][i] for i, k in enumerate(kinds)]
        if None in tails:  # cells that write nothing: each row's piece is its whole cell, or nothing
            ref = refs[j]
            per_column[j] = [ref + q + t if t is not None else suffix for q, t in zip(quoted, tails)]
        else:
            complete[j] = True
            per_column[j] = tails
    first = refs[0] if complete[0] else b""
    numbers = [q[:-1] for q in quoted]
    if len(present) == 1:
        ends = repeat(b'"' + s.attrs[kinds[0]].encode() + b">" + first)
    else:
        ends = [b'"' + s.attrs[k].encode() + b">" + first for k in kinds]
    seqs: list = [numbers, ends]
    for j, column in enumerate(per_column):
        if complete[j]:
            seqs += [quoted, column]
        else:
            seqs.append(column)
    xml = ROW_START + b"".join(chain.from_iterable(zip(*seqs)))
    return xml[:-len(ROW_START)]
