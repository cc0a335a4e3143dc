"""The data rows of a big block written as sheet XML straight into xlsxwriter's row file.

xlsxwriter costs about 8 µs a cell (its cell objects, attribute lists and
escaping run per cell); 问题清单 with a finding on every row of a 20,000-row
log is 170,000 cells, 指标汇总 of 2,000 members 180,000. In constant_memory
mode xlsxwriter writes each finished row to a temporary file and keeps
nothing else of it, so a block's data rows can be written into that file
directly, cell by cell as xlsxwriter itself would write them (the same
``<row>`` tag from its own method, the same style indices from its formats,
the same number text and string escaping from its own functions), while
xlsxwriter still writes everything around them: titles, headers, footers,
widths, heights, merges, links (kept by xlsxwriter without its cell),
conditional formats, print setup, charts. The XML is the same byte for byte
(a test renders every kind of plan both ways and compares the packages).

Only blocks this can write exactly are taken (``takes``): no formulas in the
data, no other block with cells on the same sheet rows, no single cells on the
sheet (they could fall on a block's rows).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from xlsxwriter.utility import _preserve_whitespace, _utf16_len, _utf16_truncate, xl_col_to_name
from xlsxwriter.worksheet import Worksheet
from xlsxwriter.xmlwriter import XMLwriter

from dj_addin.plans.types import Block, Formula, SheetPlan, Style

__all__ = ["takes", "RowWriter"]

_control = XMLwriter._escape_control_characters
NAN_INF = {"nan": ("#NUM!", "#NUM!"), "inf": ("1/0", "#DIV/0!"), "-inf": ("-1/0", "#DIV/0!")}
MIN_ROWS = 1  # every block: user text then never meets xlsxwriter's rich-string shortcut (see RowWriter._inline)
TEXT_CACHE = 100_000  # distinct texts remembered per block


def takes(ws: Worksheet, plan: SheetPlan) -> set[int]:
    """The indices of the blocks of ``plan`` whose data rows ``RowWriter`` writes."""
    if not ws.constant_memory or ws.excel_version != 2007:
        return set()
    if getattr(plan, "cells", None):  # single cells placed anywhere may share a block's rows: xlsxwriter writes all
        return set()
    out = set()
    for i, block in enumerate(plan.blocks):
        if len(block.rows) < MIN_ROWS or any(row is None for row in block.rows):  # None: rows xlsx.bulk splices
            continue
        if any(isinstance(v, Formula) for row in block.rows for v in row):
            continue
        shared = any(j != i and other.top <= block.last_row and block.first_row <= other.bottom
                     for j, other in enumerate(plan.blocks))
        if not shared:
            out.add(i)
    return out


class RowWriter:
    """Writes one block's data rows, each as the ``<row>`` xlsxwriter would have written."""

    def __init__(self, ws: Worksheet, block: Block, formats: Any) -> None:
        self.ws, self.block, self.formats = ws, block, formats
        # per column: 0-based column, its letters, style (None = default), number format, format
        self.cols = [(block.left + i - 1, xl_col_to_name(block.left + i - 1), c.style if c.style != Style() else None,
                      c.number_format, formats.get(c.style, c.number_format)) for i, c in enumerate(block.columns)]
        self.links: dict[int, dict[str, Any]] = {}
        for link in block.links:
            self.links.setdefault(link.row, {})[link.column] = link
        self._link_fmts: dict[tuple[str, str | None], Any] = {}
        self._attrs: dict[tuple[int, int], str] = {}  # (id of format, column) → ' s="…"'
        self._texts: dict[str, str] = {}  # text → its <is> element (names and messages repeat)

    def _link_fmt(self, column, number_format: str | None):
        key = (column.key, number_format)
        fmt = self._link_fmts.get(key)
        if fmt is None:
            fmt = self.formats.get(self.block.link_style.over(column.style), number_format) \
                or self.ws.default_url_format
            self._link_fmts[key] = fmt
        return fmt

    def _s(self, fmt, col: int) -> str:
        """The ``s`` attribute xlsxwriter gives a cell: its format, else its column's."""
        key = (id(fmt), col)
        known = self._attrs.get(key)
        if known is not None:
            return known
        out = ""
        if fmt is not None:
            out = f' s="{fmt._get_xf_index()}"'
        else:
            info = self.ws.col_info.get(col)
            if info is not None and info.column_format is not None:
                out = f' s="{info.column_format._get_xf_index()}"'
        self._attrs[key] = out  # formats live as long as the workbook: their ids stay theirs
        return out

    def write(self, row: int) -> None:
        """Sheet row ``row`` (1-based), one of the block's data rows, in ascending order."""
        ws, b = self.ws, self.block
        r = row - 1
        if r > ws.previous_row:
            ws._write_single_row(r)  # what xlsxwriter does before a cell of a new row: flush the last one
        index = row - b.first_row
        values = b.rows[index]
        linked = self.links.get(index, {})
        cells: list[str] = []
        first = last = None
        for (col, letters, style, number_format, fmt), c, value in zip(self.cols, b.columns, values):
            if b.cell_formats and (index, c.key) in b.cell_formats:
                number_format = b.cell_formats[(index, c.key)]
                fmt = self.formats.get(style, number_format)
            link = linked.get(c.key)
            if link is not None:
                link_fmt = self._link_fmt(c, number_format)
                ws.ignore_write_string = True  # xlsxwriter keeps the link; its cell is written here
                try:
                    done = ws.write_url(r, col, f"internal:{link.location}", link_fmt,
                                        string=None if value is None else str(value), tip=link.tooltip or None)
                finally:
                    ws.ignore_write_string = False
                if done == 0:  # the link's text, as a string cell (even when empty)
                    xml = self._string(f"{letters}{row}", col, ws.hyperlinks[r][col].text, link_fmt)
                elif done == -4:  # beyond Excel's 65,530 links per sheet: the value without its link
                    xml = self._cell(f"{letters}{row}", col, value, fmt, style, number_format)
                else:  # what xlsxwriter's write_url leaves then: no cell at all
                    continue
            elif value.__class__ is str and value:  # most cells: a shortcut past _cell's type tests
                xml = self._string(f"{letters}{row}", col, value, fmt)
            else:
                xml = self._cell(f"{letters}{row}", col, value, fmt, style, number_format)
            if xml:
                cells.append(xml)
                first = col if first is None else first
                last = col
        if cells:
            ws._check_dimensions(r, first)
            ws._check_dimensions(r, last)
            ws._write_row(r, None, ws.row_info.get(r))
            ws.fh.write("".join(cells))
            ws._xml_end_tag("row")
        elif r in ws.row_info:
            ws._write_empty_row(r, None, ws.row_info[r])
        ws.previous_row = r + 1  # this row is written: nothing of it is left for xlsxwriter to flush

    def _cell(self, ref: str, col: int, value, fmt, style, number_format) -> str:
        """One ``<c>`` as xlsxwriter's ``_write_cell`` writes it in constant_memory mode."""
        ws = self.ws
        if value is None or value == "":  # an empty text is an empty cell (as the stream renderer writes it)
            return f'<c r="{ref}"{self._s(fmt, col)}/>' if fmt is not None else ""
        if isinstance(value, bool):
            return f'<c r="{ref}"{self._s(fmt, col)} t="b"><v>{int(value)}</v></c>'
        if isinstance(value, (int, float)):
            if isinstance(value, float) and not math.isfinite(value):
                formula, result = NAN_INF[repr(value)]
                return f'<c r="{ref}"{self._s(fmt, col)} t="e"><f>{formula}</f><v>{result}</v></c>'
            return f'<c r="{ref}"{self._s(fmt, col)}><v>{value:.16G}</v></c>'
        if isinstance(value, (dt.date, dt.datetime)):
            if not number_format:
                fmt = self.formats.get(style, "yyyy-mm-dd hh:mm:ss" if isinstance(value, dt.datetime) else "yyyy-mm-dd")
            return f'<c r="{ref}"{self._s(fmt, col)}><v>{ws._convert_date_time(value):.16G}</v></c>'
        return self._string(ref, col, value if isinstance(value, str) else str(value), fmt)

    def _string(self, ref: str, col: int, text: str, fmt) -> str:
        inline = self._texts.get(text)
        if inline is None:
            if len(self._texts) >= TEXT_CACHE:
                self._texts.clear()
            inline = self._texts[text] = self._inline(text)
        return f'<c r="{ref}"{self._s(fmt, col)} t="inlineStr">{inline}</c>'

    def _inline(self, text: str) -> str:
        ws = self.ws
        if len(text) > ws.xls_strmax // 2 and _utf16_len(text) > ws.xls_strmax:
            text = _utf16_truncate(text, ws.xls_strmax)
        text = _control(text)
        space = ' xml:space="preserve"' if _preserve_whitespace(text) else ""
        return f"<is><t{space}>{ws._escape_data(text)}</t></is>"
