"""Big plain tables written fast: the streaming renderer for the sheet's shape,
then the rows spliced straight into its sheet XML.

A merged workbook holds hundreds of thousands of plain rows (联系记载 of a
whole university). xlsxwriter costs about 8 µs a cell; the cells of such a
table need no more than a value and the style of their column. So each big
table is rendered by ``xlsx.stream`` with its header and FIRST data row only
(the sheet's columns, widths, freeze, autofilter, print setup, and the style
index of every column's cells, read back from that row), and the remaining
rows are written as sheet XML directly into the package, streamed (memory
stays flat). Text is written as inline text, never as a formula; characters
XML cannot hold are escaped the way xlsxwriter does (``_xHHHH_``).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import shutil
import zipfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from xml.sax.saxutils import escape

from dj_addin.plans.types import SheetPlan, Style, col_letter
from dj_addin.xlsx.atomic import atomic_write

__all__ = ["write_workbook_bulk"]

EPOCH = dt.datetime(1899, 12, 30)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_NEVER = re.compile("[\ud800-\udfff\ufffe\uffff]")  # no XML part can hold them: U+FFFD (as xmltext does)
BULK_MIN_ROWS = 2  # tables with more rows than this are spliced


def _text(value: str) -> str:
    text = _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", value)
    if _NEVER.search(text):
        text = _NEVER.sub("\ufffd", text)
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


def _row_xml(r: int, values: list, letters: list[str], styles: list[str]) -> str:
    parts = [f'<row r="{r}">']
    for letter, style, v in zip(letters, styles, values):
        ref = f"{letter}{r}"
        if v is None or v == "":
            if style:
                parts.append(f'<c r="{ref}"{style}/>')
        elif isinstance(v, str):
            parts.append(f'<c r="{ref}"{style} t="inlineStr">{_text(v)}</c>')
        elif isinstance(v, bool):
            parts.append(f'<c r="{ref}"{style} t="b"><v>{int(v)}</v></c>')
        elif isinstance(v, (int, float)):
            if isinstance(v, float) and not math.isfinite(v):
                parts.append(f'<c r="{ref}"{style} t="e"><v>#NUM!</v></c>')
            else:
                parts.append(f'<c r="{ref}"{style}><v>{_number(v)}</v></c>')
        elif isinstance(v, (dt.date, dt.datetime)):
            parts.append(f'<c r="{ref}"{style}><v>{_number(_serial(v))}</v></c>')
        else:
            parts.append(f'<c r="{ref}"{style} t="inlineStr">{_text(str(v))}</c>')
    parts.append("</row>")
    return "".join(parts)


def _bulk(plan: SheetPlan) -> bool:
    """One block at the top-left with a single header row and many rows: a table this module can splice."""
    return (len(plan.blocks) == 1 and not plan.charts and not plan.cells and not plan.blocks[0].links
            and not plan.blocks[0].row_colours and not plan.blocks[0].row_height
            and len(plan.blocks[0].rows) > BULK_MIN_ROWS and plan.blocks[0].left == 1)


def _splice(inner: Path, dest: Path, tails: dict[str, SheetPlan]) -> None:
    with zipfile.ZipFile(inner) as src, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            plan = tails.get(info.filename)
            if plan is None:
                with src.open(info) as fin, out.open(info, "w") as fout:
                    shutil.copyfileobj(fin, fout, 1 << 20)
                continue
            xml = src.read(info)
            block = plan.blocks[0]
            second = block.first_row  # the first data row, written by xlsxwriter
            head, rest = xml.split(b"</sheetData>", 1)
            letters = [col_letter(block.left + i) for i in range(len(block.columns))]
            pattern = re.compile(rb'<c r="([A-Z]+)' + str(second).encode() + rb'"(?: s="(\d+)")?')
            found = {m.group(1).decode(): m.group(2) for m in pattern.finditer(head)}
            styles = [f' s="{found[x].decode()}"' if found.get(x) else "" for x in letters]
            last = block.last_row
            head = re.sub(rb'<dimension ref="[^"]*"/>',
                          f'<dimension ref="A1:{letters[-1]}{last}"/>'.encode(), head, count=1)
            part = zipfile.ZipInfo(info.filename, info.date_time)
            part.compress_type = zipfile.ZIP_DEFLATED
            with out.open(part, "w") as fout:
                fout.write(head)
                chunk: list[str] = []
                for i, values in enumerate(block.rows[1:], start=second + 1):
                    chunk.append(_row_xml(i, values, letters, styles))
                    if len(chunk) >= 2000:
                        fout.write("".join(chunk).encode("utf-8"))
                        chunk.clear()
                fout.write("".join(chunk).encode("utf-8"))
                fout.write(b"</sheetData>" + rest)


def write_workbook_bulk(path: str | Path, plans: Sequence[SheetPlan], default_font: Style | None = None) -> list[str]:
    """``xlsx.stream.write_workbook`` for plans whose big plain tables are spliced in (see the module)."""
    from dj_addin.xlsx.stream import write_workbook

    trimmed, tails = [], {}
    for i, plan in enumerate(plans):
        if _bulk(plan):
            block = plan.blocks[0]
            trimmed.append(replace(plan, blocks=[replace(block, rows=block.rows[:1])]))
            tails[f"xl/worksheets/sheet{i + 1}.xml"] = plan
        else:
            trimmed.append(plan)

    def produce(tmp: Path) -> None:
        inner = tmp.with_name(tmp.name + ".inner.xlsx")
        try:
            write_workbook(inner, trimmed, default_font=default_font)
            _splice(inner, tmp, tails)
        finally:
            inner.unlink(missing_ok=True)

    atomic_write(Path(path), produce)
    return [p.name for p in plans]
