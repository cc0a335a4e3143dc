"""The streaming renderer: plans → a NEW workbook with xlsxwriter in constant_memory mode.

Memory stays flat whatever the number of rows: xlsxwriter writes each row
to a temporary file as soon as the next row starts, so cells are emitted
strictly row by row across all blocks of a sheet (side-by-side blocks
share sheet rows). This is the writer for big merged workbooks; it cannot
edit an existing file (the file writer ``save_plans`` does that).

Text is always written as text (``write_string``): xlsxwriter's ``write``
would turn '=…' into a formula and 'http…' into a link. The file is written
to a temporary name beside ``path`` and renamed when complete.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from dj_addin.plans.types import (PAPER_CODES, Block, Cell, Formula, PageText, SheetPlan, Style, Validation, Value,
                                  col_letter, split_cell)
from dj_addin.xlsx.atomic import atomic_write
from dj_addin.xlsx.sheets import page_codes
from dj_addin.xlsx.stream_rows import RowWriter, takes

__all__ = ["write_workbook", "render_file"]

CM_TO_PX = 96 / 2.54  # openpyxl and Excel size charts in cm at 96 dpi
PADDING = 5 / 7  # xlsxwriter's cell padding (5 px) in widths of a 7-px digit
DEFAULT_DATE = "yyyy-mm-dd"
DEFAULT_DATETIME = "yyyy-mm-dd hh:mm:ss"
DIRECT_ROWS = True  # big blocks' data rows written as XML by stream_rows (the same bytes; a test turns it off)


class Formats:
    """One xlsxwriter format per distinct (style, number format): created once, reused."""

    def __init__(self, wb: Workbook) -> None:
        self.wb = wb
        self.cache: dict[tuple[Style | None, str | None], Any] = {}

    def blank(self):
        """A format that changes nothing (a cell that only carries its row's height)."""
        if "blank" not in self.cache:
            self.cache["blank"] = self.wb.add_format({})
        return self.cache["blank"]

    def get(self, style: Style | None, number_format: str | None = None):
        key = (style if style != Style() else None, number_format)
        if key == (None, None):
            return None
        if key not in self.cache:
            self.cache[key] = self.wb.add_format(properties(key[0], number_format))
        return self.cache[key]


def properties(style: Style | None, number_format: str | None) -> dict[str, Any]:
    p: dict[str, Any] = {}
    if number_format:
        p["num_format"] = number_format
    if style is None:
        return p
    if style.font_name:
        p["font_name"] = style.font_name
    if style.charset:
        p["font_charset"] = style.charset
    if style.size:
        p["font_size"] = style.size
    if style.bold:
        p["bold"] = True
    if style.italic:
        p["italic"] = True
    if style.color:
        p["font_color"] = "#" + style.color[-6:]
    if style.underline:
        p["underline"] = 1
    if style.fill:
        p["pattern"], p["bg_color"] = 1, "#" + style.fill[-6:]
    if style.horizontal:
        p["align"] = style.horizontal
    if style.vertical:
        p["valign"] = {"center": "vcenter"}.get(style.vertical, style.vertical)
    if style.wrap:
        p["text_wrap"] = True
    if style.border is not None:
        p["border"] = {"thin": 1, "medium": 2, "dashed": 3, "dotted": 4, "double": 6, "hair": 7}.get(
            style.border.style, 1)
        p["border_color"] = "#" + style.border.color[-6:]
    return p


def put(ws: Worksheet, row: int, col: int, value: Value, fmt, formats: Formats, style: Style | None,
        number_format: str | None) -> None:
    """One cell at 1-based (row, col); text stays text, dates get a date format."""
    r, c = row - 1, col - 1
    if value is None or value == "":  # an empty text is an empty cell (as openpyxl writes it)
        if fmt is not None:
            ws.write_blank(r, c, None, fmt)
    elif isinstance(value, Formula):
        ws.write_formula(r, c, "=" + value.text, fmt)
    elif isinstance(value, str):
        ws.write_string(r, c, value, fmt)
    elif isinstance(value, bool):
        ws.write_boolean(r, c, value, fmt)
    elif isinstance(value, (int, float)):
        ws.write_number(r, c, value, fmt)
    elif isinstance(value, (dt.date, dt.datetime)):
        default = DEFAULT_DATETIME if isinstance(value, dt.datetime) else DEFAULT_DATE
        ws.write_datetime(r, c, value, fmt if number_format else formats.get(style, default))
    else:
        ws.write_string(r, c, str(value), fmt)


class BlockWriter:
    """Writes one block's sheet rows on request (so blocks side by side interleave row by row)."""

    def __init__(self, ws: Worksheet, block: Block, formats: Formats, direct: bool = False) -> None:
        self.ws, self.block, self.formats = ws, block, formats
        self.direct = RowWriter(ws, block, formats) if direct else None  # data rows as XML (stream_rows)
        self.title_fmts = [formats.get(line.style) for line in block.titles]
        self.header_fmt = formats.get(block.header_style)
        self.cols = [(block.left + i, c.style if c.style != Style() else None, c.number_format,
                      formats.get(c.style, c.number_format)) for i, c in enumerate(block.columns)]
        self.footer_fmts = [formats.get(line.style) for line in block.footer]
        self.links: dict[int, list] = defaultdict(list)
        for link in block.links:
            self.links[link.row].append(link)

    def heights(self) -> dict[int, float]:
        b = self.block
        out = {b.top + i: line.height for i, line in enumerate(b.titles) if line.height}
        if b.header_height:
            out[b.header_row] = b.header_height
        out.update({b.footer_row + i: line.height for i, line in enumerate(b.footer) if line.height})
        return out

    def has_cells(self, row: int) -> bool:
        b = self.block
        if b.top <= row < b.header_row:
            return bool(b.titles[row - b.top].text)
        return b.header_row <= row <= b.last_row or (bool(b.footer) and b.footer_row <= row < b.footer_row + len(b.footer))

    def line(self, row: int, line, fmt) -> None:
        b = self.block
        if not line.text:  # an empty line only keeps room (for a chart)
            return
        if line.span > 1:
            self.ws.merge_range(row - 1, b.left - 1, row - 1, b.left + line.span - 2, line.text, fmt)
        else:
            self.ws.write_string(row - 1, b.left - 1, line.text, fmt)

    def row(self, row: int) -> None:
        b, ws = self.block, self.ws
        if b.footer and b.footer_row <= row < b.footer_row + len(b.footer):
            i = row - b.footer_row
            self.line(row, b.footer[i], self.footer_fmts[i])
            return
        if row < b.top or row > b.last_row:
            return
        if row < b.header_row:
            i = row - b.top
            self.line(row, b.titles[i], self.title_fmts[i])
            return
        if row == b.header_row:
            for col, c in zip(range(b.left, b.right + 1), b.columns):
                fmt = self.header_fmt if c.header_style is None else self.formats.get(c.header_style)
                ws.write_string(row - 1, col - 1, c.header, fmt)
            return
        if self.direct is not None:
            self.direct.write(row)
            return
        index = row - b.first_row
        values = b.rows[index]
        if values is None:  # a row another writer puts in the sheet XML (xlsx.bulk)
            return
        linked = {link.column: link for link in self.links.get(index, ())}
        for (col, style, number_format, fmt), c, value in zip(self.cols, b.columns, values):
            if b.cell_formats and (index, c.key) in b.cell_formats:
                number_format = b.cell_formats[(index, c.key)]
                fmt = self.formats.get(style, number_format)
            link = linked.get(c.key)
            if link is not None:
                link_fmt = self.formats.get(b.link_style.over(c.style), number_format)
                done = ws.write_url(row - 1, col - 1, f"internal:{link.location}", link_fmt,
                                    string=None if value is None else str(value), tip=link.tooltip or None)
                if done == -4:  # beyond Excel's 65,530 links per sheet: the value without its link
                    put(ws, row, col, value, fmt, self.formats, style, number_format)
            else:
                put(ws, row, col, value, fmt, self.formats, style, number_format)


def colour_rows(ws: Worksheet, block: Block, formats: Formats) -> None:
    if not block.rows:
        return
    for rule in block.row_colours:
        letter = col_letter(block.col(rule.column))
        for text, rgb in rule.colours.items():
            fmt = formats.wb.add_format({"bg_color": "#" + rgb[-6:], "pattern": 1})
            ws.conditional_format(block.first_row - 1, block.left - 1, block.last_row - 1, block.right - 1, {
                "type": "formula", "criteria": f'=${letter}{block.first_row}="{text.replace(chr(34), chr(34) * 2)}"',
                "format": fmt})


def page_text(text: PageText) -> str:
    font = ""
    if text.font_name or text.size:
        font = (f'&"{text.font_name},Regular"' if text.font_name else "") + (f"&{int(text.size)}" if text.size else "")
    return "".join(f"&{code}{font}{page_codes(part)}" for code, part in
                   (("L", text.left), ("C", text.center), ("R", text.right)) if part)


def finish(ws: Worksheet, plan: SheetPlan) -> None:
    if plan.freeze:
        row, col = split_cell(plan.freeze)
        ws.freeze_panes(row - 1, col - 1)
    if plan.autofilter:
        ws.autofilter(plan.autofilter)
    p = plan.print_setup
    if p.orientation == "landscape":
        ws.set_landscape()
    else:
        ws.set_portrait()
    if p.paper in PAPER_CODES:
        ws.set_paper(PAPER_CODES[p.paper])
    if p.fit_width is not None or p.fit_height is not None:
        ws.fit_to_pages(p.fit_width or 0, p.fit_height or 0)
    if p.scale is not None:
        ws.set_print_scale(p.scale)
    if p.repeat_rows:
        ws.repeat_rows(p.repeat_rows[0] - 1, p.repeat_rows[1] - 1)
    if p.area:
        ws.print_area(p.area)
    if p.header:
        ws.set_header(page_text(p.header))
    if p.footer:
        ws.set_footer(page_text(p.footer))
    if p.margins is not None:
        m = p.margins
        ws.set_margins(m.left, m.right, m.top, m.bottom)
    if p.center_horizontally:
        ws.center_horizontally()
    if plan.row_breaks:
        ws.set_h_pagebreaks(list(plan.row_breaks))
    if not plan.show_grid:
        ws.hide_gridlines(2)  # 2: the screen's grid lines (1 hides only the printed ones)


def add_charts(wb: Workbook, ws: Worksheet, plan: SheetPlan) -> None:
    for spec in plan.charts:
        block = plan.block_for(spec)
        if not block.rows:
            continue
        chart = wb.add_chart({"type": spec.kind})
        vcol, ccol = block.col(spec.values) - 1, block.col(spec.categories) - 1
        series: dict[str, Any] = {"name": [plan.name, block.header_row - 1, vcol],
                                  "categories": [plan.name, block.first_row - 1, ccol, block.last_row - 1, ccol],
                                  "values": [plan.name, block.first_row - 1, vcol, block.last_row - 1, vcol]}
        if spec.color:
            series["fill"] = {"color": "#" + spec.color[-6:]}
            series["border"] = {"color": "#" + spec.color[-6:]}
        if spec.data_labels:
            series["data_labels"] = {"value": True, "position": "outside_end", "num_format": spec.y_format or "General"}
        chart.add_series(series)
        if spec.target:
            tcol = block.col(spec.target) - 1
            line = wb.add_chart({"type": "line"})
            line.add_series({"name": [plan.name, block.header_row - 1, tcol],
                             "categories": [plan.name, block.first_row - 1, ccol, block.last_row - 1, ccol],
                             "values": [plan.name, block.first_row - 1, tcol, block.last_row - 1, tcol],
                             "line": {"color": "#" + spec.target_color[-6:], "width": 2.25, "dash_type": "dash"},
                             "marker": {"type": "none"}})
            chart.combine(line)
        chart.set_title({"name": spec.title})
        axis: dict[str, Any] = {}
        if spec.y_title:
            axis["name"] = spec.y_title
        if spec.y_format:
            axis["num_format"] = spec.y_format
        if spec.y_min is not None:
            axis["min"] = spec.y_min
        if spec.y_max is not None:
            axis["max"] = spec.y_max
        (chart.set_x_axis if spec.kind == "bar" else chart.set_y_axis)(axis)
        (chart.set_y_axis if spec.kind == "bar" else chart.set_x_axis)({"num_font": {"rotation": 0, "size": 9}})
        if not spec.legend:
            chart.set_legend({"none": True})
        chart.set_size({"width": round(spec.width * CM_TO_PX), "height": round(spec.height * CM_TO_PX)})
        ws.insert_chart(spec.anchor, chart)


def set_columns(ws: Worksheet, plan: SheetPlan, formats: Formats) -> None:
    """Widths and whole-column number formats (before any cell: constant_memory writes rows once)."""
    widths: dict[int, float] = dict(plan.widths)
    column_formats: dict[int, str] = {}
    for block in plan.blocks:
        for i, c in enumerate(block.columns):
            if c.width is not None:
                widths[block.left + i] = c.width
            if c.column_format:
                column_formats[block.left + i] = c.column_format
    for col in sorted(set(widths) | set(column_formats)):
        width = widths.get(col)  # xlsxwriter adds Excel's 5-pixel padding; the plan's width includes it
        fmt = formats.get(None, column_formats[col]) if col in column_formats else None
        ws.set_column(col - 1, col - 1, None if width is None else max(width - PADDING, 0), fmt)


def write_cell(ws: Worksheet, cell: Cell, formats: Formats) -> None:
    row, col = split_cell(cell.ref)
    style = cell.style if cell.style != Style() else None
    fmt = formats.get(style, cell.number_format)
    if cell.span > 1:  # the merge first, then the value (a Formula too) into its first cell
        ws.merge_range(row - 1, col - 1, row - 1, col + cell.span - 2, "", fmt)
    put(ws, row, col, cell.value, fmt, formats, style, cell.number_format)


def add_validation(ws: Worksheet, v: Validation) -> None:
    """A plan's validation (xlsxwriter refuses titles over 32 and texts over 255 characters; the plans keep to it)."""
    first, _, last = v.cells.partition(":")
    (top, left), (bottom, right) = split_cell(first), split_cell(last or first)
    options: dict[str, Any] = {"validate": v.kind, "ignore_blank": True}
    if v.kind == "list":
        options["source"] = "=" + v.source if v.source else list(v.choices)
    elif v.kind == "whole":
        options.update(criteria="between", minimum=v.minimum, maximum=v.maximum)
    if v.error:
        options.update(error_type=v.error_style, error_message=v.error)
        if v.error_title:
            options["error_title"] = v.error_title
    else:
        options["show_error"] = False
    if v.prompt:
        options["input_message"] = v.prompt
        if v.prompt_title:
            options["input_title"] = v.prompt_title
    else:
        options["show_input"] = False
    ws.data_validation(top - 1, left - 1, bottom - 1, right - 1, options)


def write_sheet(wb: Workbook, plan: SheetPlan, formats: Formats) -> None:
    ws = wb.add_worksheet(plan.name)
    if plan.tab_color:
        ws.set_tab_color("#" + plan.tab_color[-6:])
    set_columns(ws, plan, formats)
    direct = takes(ws, plan) if DIRECT_ROWS else set()
    writers = [BlockWriter(ws, b, formats, i in direct) for i, b in enumerate(plan.blocks)]
    heights: dict[int, float] = {}
    for w in writers:
        heights.update(w.heights())
    cells: dict[int, list[Cell]] = defaultdict(list)
    for cell in plan.cells:
        cells[split_cell(cell.ref)[0]].append(cell)
    sized = [b for b in plan.blocks if b.row_height]
    plain = formats.blank()
    # rows xlsx.bulk puts in the sheet XML itself (a block's rows left None; no other block or cell
    # shares them): only their heights are set here, as for every row
    elsewhere = {b.first_row + i for b in plan.blocks if None in b.rows for i, r in enumerate(b.rows) if r is None}
    for row in range(1, plan.max_row + 1):
        height = plan.row_heights.get(row) or heights.get(row) or (sized and next(
            (b.row_height for b in sized if b.first_row <= row <= b.last_row), None))
        if height:
            ws.set_row(row - 1, height)  # before the row's cells: constant_memory writes rows once
            if row not in cells and not any(w.has_cells(row) for w in writers):  # constant_memory drops a
                ws.write_blank(row - 1, 0, None, plain)                           # row without cells
        if row in elsewhere:
            continue
        for w in writers:
            w.row(row)
        for cell in cells.get(row, ()):
            write_cell(ws, cell, formats)
    for block in plan.blocks:
        colour_rows(ws, block, formats)
    for v in plan.validations:
        add_validation(ws, v)
    if not plan.hidden:  # a hidden sheet is never printed
        finish(ws, plan)
    add_charts(wb, ws, plan)
    if plan.protected:
        ws.protect()  # no password: it only guards against typing over a formula
    if plan.hidden:
        ws.hide()


def render_file(path: str | Path, plans: Sequence[SheetPlan], *, constant_memory: bool = True,
                default_font: Style | None = None, tmpdir: str | Path | None = None) -> None:
    """Write ``plans`` into a new workbook file at ``path`` (not atomic: see ``write_workbook``).
    In constant_memory mode text is written inline (no shared-strings part), which is
    what the package splicer copies into a user's workbook as it is."""
    options: dict[str, Any] = {"constant_memory": constant_memory, "nan_inf_to_errors": True,
                               "strings_to_formulas": False, "strings_to_urls": False}
    if default_font is not None:
        options["default_format_properties"] = {"font_name": default_font.font_name or "Calibri",
                                                "font_size": default_font.size or 11,
                                                **({"font_charset": default_font.charset} if default_font.charset
                                                   else {})}
    if tmpdir is not None:
        options["tmpdir"] = str(tmpdir)
    wb = xlsxwriter.Workbook(str(path), options)
    formats = Formats(wb)
    try:
        for plan in plans:
            write_sheet(wb, plan, formats)
    finally:
        wb.close()


def write_workbook(path: str | Path, plans: Sequence[SheetPlan], *, constant_memory: bool = True,
                   default_font: Style | None = None) -> list[str]:
    """Write ``plans`` as the sheets of a new workbook at ``path``; return the sheet names.
    ``default_font``: the font of every cell without its own (what a user types later), as the
    template's (else the engine's Calibri 11). Atomic: the workbook appears whole at ``path`` or not at all."""
    atomic_write(Path(path), lambda tmp: render_file(tmp, plans, constant_memory=constant_memory,
                                                     default_font=default_font))
    return [plan.name for plan in plans]
