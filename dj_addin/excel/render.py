"""The live renderer: a ``SheetPlan`` → a sheet of the open workbook, in few xlwings calls.

It only renders what the plan says, like the openpyxl renderer
(``xlsx.sheets``): every block's values go in with one ``range.value = 2-D
list`` call (header row and data rows), number formats, widths, fonts and
fills one call per column, merges and row heights per title line, links one
call each. Every string is written with a leading apostrophe, which Excel
keeps as the cell's prefix and never shows: text that looks like a formula
(``=…``), a number (``001``) or a date stays the text it is. What only COM
offers (alignment, borders, frozen panes, autofilter, print setup, tab
colour, row colours and charts) is applied on Windows by ``excel.com``;
on macOS the sheet has everything else (README says so).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from dj_addin.plans.types import Block, Formula, SheetPlan, Style, TitleLine, Value

TEXT_PREFIX = "'"


def cell_value(value: Value) -> Value:
    """What to hand Excel for one plan value (only a ``Formula`` becomes a formula)."""
    if isinstance(value, Formula):
        return "=" + value.text
    if isinstance(value, str):
        return TEXT_PREFIX + value if value else None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    return value


def argb_rgb(argb: str) -> tuple[int, int, int]:
    text = argb[-6:]
    return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)


def style_range(rng, style: Style | None) -> None:
    """Font, fill and wrapping of ``style`` on a whole range (fields left at default are not written)."""
    if style is None:
        return
    if style.has_font:
        font = rng.font
        if style.bold:
            font.bold = True
        if style.italic:
            font.italic = True
        if style.size:
            font.size = style.size
        if style.font_name:
            font.name = style.font_name
        if style.color:
            font.color = argb_rgb(style.color)
    if style.fill:
        rng.color = argb_rgb(style.fill)
    if style.wrap:
        rng.wrap_text = True


def render_line(sheet, row: int, left: int, line: TitleLine) -> None:
    """A title or footer line: its text, merged over ``span`` columns, styled, its height."""
    cell = sheet.range((row, left))
    cell.value = cell_value(line.text)
    if line.span > 1:
        sheet.range((row, left), (row, left + line.span - 1)).merge()
    style_range(cell, line.style if line.style != Style() else None)
    if line.height:
        cell.row_height = line.height


def render_block(sheet, block: Block) -> None:
    for i, line in enumerate(block.titles):
        if line.text:  # an empty line only keeps room (for a chart)
            render_line(sheet, block.top + i, block.left, line)
    header = sheet.range((block.header_row, block.left), (block.header_row, block.right))
    header.value = [[cell_value(c.header) for c in block.columns]]
    style_range(header, block.header_style if block.header_style != Style() else None)
    if block.header_height:
        header.row_height = block.header_height
    if block.rows:
        data = sheet.range((block.first_row, block.left), (block.last_row, block.right))
        data.value = [[cell_value(v) for v in row] for row in block.rows]
        if block.row_height:
            data.row_height = block.row_height
    for i, col in enumerate(block.columns):
        column = block.left + i
        if col.width is not None:
            sheet.range((block.header_row, column)).column_width = col.width
        if not block.rows:
            continue
        cells = sheet.range((block.first_row, column), (block.last_row, column))
        if col.number_format:
            cells.number_format = col.number_format
        style_range(cells, col.style if col.style != Style() else None)
    for (r, key), fmt in block.cell_formats.items():  # a cell's own format over its column's
        sheet.range((block.first_row + r, block.col(key))).number_format = fmt
    for link in block.links:
        column = block.col(link.column)
        value = block.rows[link.row][column - block.left]
        cell = sheet.range((block.first_row + link.row, column))
        cell.add_hyperlink("#" + link.location, "" if value is None else str(value), link.tooltip or None)
    for i, line in enumerate(block.footer):
        render_line(sheet, block.footer_row + i, block.left, line)


def render_sheet(sheet, plan: SheetPlan) -> None:
    """Fill an empty sheet from ``plan``."""
    for block in plan.blocks:
        render_block(sheet, block)
    for row, height in plan.row_heights.items():
        sheet.range((row, 1)).row_height = height
    from dj_addin.excel import com

    if com.available():
        com.finish_sheet(sheet, plan)


def render_plans(sheets_by_plan: Sequence[tuple[object, SheetPlan]]) -> None:
    for sheet, plan in sheets_by_plan:
        render_sheet(sheet, plan)
