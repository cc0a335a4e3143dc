"""The openpyxl renderer: a ``SheetPlan`` → a worksheet of an openpyxl workbook.

It only renders: what the sheet says, how it is sorted, which colours and
links it carries all come from the plan (``dj_addin.plans``). The reference
writer renders into the loaded workbook; the package splicer renders into a
small separate workbook and moves the sheets in. Sheets are recreated on
every run, where the old one was, else before the hidden marks sheet.
"""

from __future__ import annotations

from collections import defaultdict
from copy import copy
from collections.abc import Sequence
from functools import lru_cache

from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.chart.text import RichText
from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties, RichTextProperties
from openpyxl.drawing.line import LineProperties
from openpyxl.worksheet.pagebreak import Break
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.workbook import Workbook
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from dj_addin.plans.types import (PAPER_CODES, Block, Cell, ChartSpec, Formula, PageText, SheetPlan, Style, Validation,
                                  Value, col_letter, range_ref, split_cell)
from dj_addin.xlsx.marks import find_marks_sheet

__all__ = ["render_plans", "render_sheet", "render_into", "replace_output_sheet", "put", "page_codes",
           "data_validation"]


# ---------------------------------------------------------------- styles


@lru_cache(maxsize=None)
def font(style: Style) -> Font:
    return Font(name=style.font_name, size=style.size, bold=style.bold or None, italic=style.italic or None,
                color=style.color, underline="single" if style.underline else None, charset=style.charset)


@lru_cache(maxsize=None)
def fill(rgb: str) -> PatternFill:
    return PatternFill("solid", fgColor=rgb)


@lru_cache(maxsize=None)
def alignment(style: Style) -> Alignment:
    return Alignment(horizontal=style.horizontal, vertical=style.vertical, wrap_text=style.wrap or None)


@lru_cache(maxsize=None)
def border(style: Style) -> Border:
    side = Side(style=style.border.style, color=style.border.color)
    return Border(left=side, right=side, top=side, bottom=side)


def put(ws: Worksheet, row: int, col: int, value: Value, style: Style | None = None, number_format: str | None = None):
    """Write a value; text is always text (a value starting with '=' never becomes a formula):
    only a ``Formula`` is a formula."""
    if isinstance(value, Formula):
        cell = ws.cell(row=row, column=col, value="=" + value.text)
    else:
        cell = ws.cell(row=row, column=col, value=value)
        if isinstance(value, str):
            cell.data_type = "s"
    if style is None and not number_format:
        return cell
    # openpyxl hashes every style object it is given against the workbook's lists
    # (about 0.5 ms a cell): style each combination once, then copy its indices.
    cache = _style_cache(ws.parent)
    key = (style, number_format)
    known = cache.get(key)
    if known is not None:
        cell._style = copy(known)
        return cell
    apply_style(cell, style, number_format)
    cache[key] = copy(cell._style)
    return cell


def apply_style(cell, style: Style | None, number_format: str | None) -> None:
    """Give one openpyxl cell (an ordinary or a write-only one) a plan's style and number format."""
    if style is not None:
        if style.has_font:
            cell.font = font(style)
        if style.fill:
            cell.fill = fill(style.fill)
        if style.has_alignment:
            cell.alignment = alignment(style)
        if style.border is not None:
            cell.border = border(style)
    if number_format:
        cell.number_format = number_format


def _style_cache(wb: Workbook) -> dict:
    """(Style, number format) → the style indices they got in ``wb`` (indices are per workbook)."""
    cache = getattr(wb, "_dj_style_cache", None)
    if cache is None:
        cache = {}
        wb._dj_style_cache = cache
    return cache


# ---------------------------------------------------------------- the sheet


def replace_output_sheet(wb: Workbook, name: str, tab_color: str | None = None) -> Worksheet:
    """A fresh empty sheet ``name`` where the old one was, else before the marks sheet (or last)."""
    if name in wb.sheetnames:
        index = wb.sheetnames.index(name)
        wb.remove(wb[name])
    else:
        ours = find_marks_sheet(wb)  # by header and state: a user's sheet of that name is data
        index = wb.index(ours) if ours is not None else len(wb.sheetnames)
    ws = wb.create_sheet(name, index)
    if tab_color:
        ws.sheet_properties.tabColor = tab_color
    return ws


def render_block(ws: Worksheet, block: Block) -> None:
    for i, line in enumerate(block.titles):
        row = block.top + i
        if not line.text:  # an empty line only keeps room (for a chart)
            continue
        put(ws, row, block.left, line.text, line.style)
        if line.span > 1:
            ws.merge_cells(start_row=row, start_column=block.left, end_row=row, end_column=block.left + line.span - 1)
        if line.height:
            ws.row_dimensions[row].height = line.height
    for i, col in enumerate(block.columns):
        put(ws, block.header_row, block.left + i, col.header, col.header_style or block.header_style)
        if col.width is not None:
            ws.column_dimensions[col_letter(block.left + i)].width = col.width
        if col.column_format:
            ws.column_dimensions[col_letter(block.left + i)].number_format = col.column_format
    if block.header_height:
        ws.row_dimensions[block.header_row].height = block.header_height
    links = defaultdict(list)
    for link in block.links:
        links[link.row].append(link)
    link_cols = {key: block.col(key) for key in {link.column for link in block.links}}
    columns = [(block.left + i, c.style if c.style != Style() else None, c) for i, c in enumerate(block.columns)]
    for r, values in enumerate(block.rows):
        row = block.first_row + r
        for (col, style, c), value in zip(columns, values):
            put(ws, row, col, value, style, block.number_format(r, c) or c.column_format)  # as Excel would
        for link in links.get(r, ()):
            cell = ws.cell(row=row, column=link_cols[link.column])
            cell.hyperlink = Hyperlink(ref=cell.coordinate, location=link.location, tooltip=link.tooltip or None)
            cell.font = font(block.link_style.over(block.columns[link_cols[link.column] - block.left].style))
        if block.row_height:
            ws.row_dimensions[row].height = block.row_height
    for i, line in enumerate(block.footer):
        row = block.footer_row + i
        put(ws, row, block.left, line.text, line.style)
        if line.span > 1:
            ws.merge_cells(start_row=row, start_column=block.left, end_row=row, end_column=block.left + line.span - 1)
        if line.height:
            ws.row_dimensions[row].height = line.height


def render_cell(ws: Worksheet, cell: Cell) -> None:
    row, col = split_cell(cell.ref)
    put(ws, row, col, cell.value, cell.style if cell.style != Style() else None, cell.number_format)
    if cell.span > 1:
        ws.merge_cells(start_row=row, start_column=col, end_row=row, end_column=col + cell.span - 1)


def data_validation(v: Validation) -> DataValidation:
    """A plan's validation as openpyxl's (only the attributes it sets, as the template always had them)."""
    kw: dict = {"allow_blank": True}
    if v.kind != "any":
        kw["type"] = v.kind
        kw["formula1"] = v.formula1
    if v.kind == "whole":
        kw["operator"] = "between"
        kw["formula2"] = v.formula2
    if v.kind == "list":
        kw["showDropDown"] = False  # (the attribute's meaning is inverted: False shows the arrow)
    if v.error:
        kw.update(showErrorMessage=True, errorTitle=v.error_title or None, error=v.error)
        if v.error_style != "stop":
            kw["errorStyle"] = v.error_style
    dv = DataValidation(**kw)
    if v.prompt:
        dv.showInputMessage = True
        dv.promptTitle = v.prompt_title or None
        dv.prompt = v.prompt
    dv.add(v.cells)
    return dv


def colour_rows(ws: Worksheet, block: Block) -> None:
    """Conditional fills of whole rows by the text of a column (live: edits recolour)."""
    if not block.rows:
        return
    area = range_ref(block.first_row, block.left, block.last_row, block.right)
    for rule in block.row_colours:
        letter = col_letter(block.col(rule.column))
        for text, rgb in rule.colours.items():
            formula = f'${letter}{block.first_row}="{text.replace(chr(34), chr(34) * 2)}"'
            ws.conditional_formatting.add(area, FormulaRule(formula=[formula],
                                                            fill=PatternFill("solid", start_color=rgb, end_color=rgb)))


def page_codes(text: str) -> str:
    """``{page}``/``{pages}``/``{sheet}`` → Excel's header codes (&P, &N, &A); '&' itself doubled."""
    return text.replace("&", "&&").replace("{page}", "&P").replace("{pages}", "&N").replace("{sheet}", "&A")


def page_text(target, text: PageText) -> None:
    for part, value in (("left", text.left), ("center", text.center), ("right", text.right)):
        if value:
            side = getattr(target, part)
            side.text = page_codes(value)
            if text.font_name:
                side.font = f"{text.font_name},Regular"
            if text.size:
                side.size = text.size


def finish(ws: Worksheet, plan: SheetPlan) -> None:
    """Frozen panes, autofilter, print setup."""
    if plan.freeze:
        ws.freeze_panes = ws[plan.freeze]
    if plan.autofilter:
        ws.auto_filter.ref = plan.autofilter
    p = plan.print_setup
    ws.page_setup.orientation = p.orientation
    if p.paper in PAPER_CODES:
        ws.page_setup.paperSize = str(PAPER_CODES[p.paper])
    if p.fit_width is not None or p.fit_height is not None:
        ws.page_setup.fitToWidth = p.fit_width
        ws.page_setup.fitToHeight = p.fit_height
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    if p.scale is not None:
        ws.page_setup.scale = p.scale
    if p.repeat_rows:
        ws.print_title_rows = f"{p.repeat_rows[0]}:{p.repeat_rows[1]}"
    if p.header:
        page_text(ws.oddHeader, p.header)
    if p.footer:
        page_text(ws.oddFooter, p.footer)
    if p.margins is not None:
        m = p.margins
        ws.page_margins.left, ws.page_margins.right, ws.page_margins.top = m.left, m.right, m.top
        ws.page_margins.bottom, ws.page_margins.header, ws.page_margins.footer = m.bottom, m.header, m.footer
    if p.center_horizontally:
        ws.print_options.horizontalCentered = True
    for row, height in plan.row_heights.items():
        ws.row_dimensions[row].height = height
    for row in plan.row_breaks:
        ws.row_breaks.append(Break(id=row))
    if not plan.show_grid:
        ws.sheet_view.showGridLines = False
    if p.area:
        ws.print_area = p.area


def add_chart(ws: Worksheet, plan: SheetPlan, spec: ChartSpec) -> None:
    block = plan.block_for(spec)
    if not block.rows:
        return
    chart = BarChart()
    chart.type = "col" if spec.kind == "column" else "bar"
    chart.title = spec.title
    if spec.y_title:
        chart.y_axis.title = spec.y_title
    if spec.y_format:
        chart.y_axis.numFmt = spec.y_format
    if spec.y_min is not None:
        chart.y_axis.scaling.min = spec.y_min
    if spec.y_max is not None:
        chart.y_axis.scaling.max = spec.y_max
    if not spec.legend:
        chart.legend = None
    data = Reference(ws, min_col=block.col(spec.values), min_row=block.header_row, max_row=block.last_row)
    cats = Reference(ws, min_col=block.col(spec.categories), min_row=block.first_row, max_row=block.last_row)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(cats)
    if spec.color:
        chart.series[0].graphicalProperties.solidFill = spec.color[-6:]
        chart.series[0].graphicalProperties.line.solidFill = spec.color[-6:]
    if spec.data_labels:
        chart.dataLabels = DataLabelList(showVal=True, showCatName=False, showSerName=False, showLegendKey=False,
                                         showPercent=False)
        chart.dataLabels.numFmt = spec.y_format or "General"
        chart.dataLabels.position = "outEnd"
    if spec.target:
        line = LineChart()
        line.add_data(Reference(ws, min_col=block.col(spec.target), min_row=block.header_row, max_row=block.last_row),
                      titles_from_data=True)
        line.set_categories(cats)
        series = line.series[0]
        series.graphicalProperties = GraphicalProperties(ln=LineProperties(solidFill=spec.target_color[-6:],
                                                                            w=28575, prstDash="dash"))
        series.marker.symbol = "none"
        series.smooth = False
        chart += line
    chart.x_axis.txPr = horizontal_labels()
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.width, chart.height = spec.width, spec.height
    ws.add_chart(chart, spec.anchor)


def horizontal_labels() -> RichText:
    """Category labels written level (LibreOffice and Excel wrap them instead of turning them)."""
    return RichText(bodyPr=RichTextProperties(rot=0, vert="horz"),
                    p=[Paragraph(pPr=ParagraphProperties(defRPr=CharacterProperties(sz=900)), endParaRPr=None)])


def render_into(ws: Worksheet, plan: SheetPlan) -> Worksheet:
    """Render the plan into the (empty) sheet ``ws``."""
    if plan.tab_color:
        ws.sheet_properties.tabColor = plan.tab_color
    for col, width in plan.widths.items():
        ws.column_dimensions[col_letter(col)].width = width
    for block in plan.blocks:
        render_block(ws, block)
    for cell in plan.cells:
        render_cell(ws, cell)
    for block in plan.blocks:
        colour_rows(ws, block)
    for v in plan.validations:
        ws.add_data_validation(data_validation(v))
    if not plan.hidden:  # a hidden sheet is never printed
        finish(ws, plan)
    for spec in plan.charts:
        add_chart(ws, plan, spec)
    if plan.protected:
        ws.protection.sheet = True  # no password: it only guards against typing over a formula
    if plan.hidden:
        ws.sheet_state = "hidden"
    return ws


def render_sheet(wb: Workbook, plan: SheetPlan) -> Worksheet:
    """Recreate the sheet ``plan.name`` in ``wb`` from the plan."""
    return render_into(replace_output_sheet(wb, plan.name, plan.tab_color), plan)


def render_plans(wb: Workbook, plans: Sequence[SheetPlan]) -> list[str]:
    """Render every plan into ``wb``; return the names of the sheets written."""
    return [render_sheet(wb, plan).title for plan in plans]
