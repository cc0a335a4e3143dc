"""The two sheets that are not tables: 说明 (the instructions, words from
``template.text``) and 概览 (native formulas from ``template.overview``)."""

from __future__ import annotations

from openpyxl.styles import Alignment
from openpyxl.worksheet.worksheet import Worksheet

from dj_addin import schema
from dj_addin.template import overview
from dj_addin.template.layout import (DATE_FORMAT, FORMULA_FILL, GRID, INT_FORMAT, NOTE_FONT, RED, SECTION_FONT,
                                      TAB_INFO, TITLE_FONT, WRAP_TOP, cjk_font, print_setup, row_height,
                                      style_header)
from dj_addin.template.text import readme_lines

README_WIDTHS = (20, 100)  # 说明: item names, explanations
OVERVIEW_WIDTHS = (30, 20, 80)  # 概览: label, number, note


def readme_sheet(ws: Worksheet) -> None:
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = README_WIDTHS
    row = 1
    for kind, first, second in readme_lines():
        if kind == "title":
            ws.cell(row=row, column=1, value=first).font = TITLE_FONT
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
            ws.row_dimensions[row].height = 28
        elif kind == "section":
            row += 1  # a blank line before each section
            ws.cell(row=row, column=1, value=first).font = SECTION_FONT
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
        elif kind == "text":
            cell = ws.cell(row=row, column=1, value=first)
            cell.alignment = WRAP_TOP
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
            ws.row_dimensions[row].height = row_height(first, README_WIDTHS[0] + README_WIDTHS[1])
        else:  # "item": a name and its explanation
            a = ws.cell(row=row, column=1, value=first)
            a.font = cjk_font(bold=True)
            a.alignment = WRAP_TOP
            b = ws.cell(row=row, column=2, value=second)
            b.alignment = WRAP_TOP
            ws.row_dimensions[row].height = row_height(second or "", README_WIDTHS[1])
        row += 1
    ws.sheet_view.showGridLines = False
    ws.sheet_properties.tabColor = TAB_INFO
    print_setup(ws, title_rows=None)


def overview_sheet(ws: Worksheet) -> None:
    ov = overview
    _overview_heading(ws)
    for c, text in enumerate(("项目", "数值", "说明"), start=1):
        style_header(ws.cell(row=ov.HEADER_ROW, column=c, value=text), True)
    for i, fig in enumerate(ov.FIGURES):
        r = ov.FIRST_ROW + i
        ws.row_dimensions[r].height = max(21, row_height(fig.note, OVERVIEW_WIDTHS[2]))
        label = ws.cell(row=r, column=1, value=fig.label)
        label.font = cjk_font(bold=True)
        label.border = GRID
        value = ws.cell(row=r, column=2, value="=" + fig.formula())
        value.font = cjk_font(bold=True, size=12)
        value.fill = FORMULA_FILL
        value.border = GRID
        value.number_format = INT_FORMAT
        value.alignment = Alignment(horizontal="center")
        note = ws.cell(row=r, column=3, value=fig.note)
        note.border = GRID
        note.alignment = Alignment(wrap_text=True, vertical="center")
    r = ov.COUNTING_NOTE_ROW  # what the formulas cannot see, visible under the figures
    note = ws.cell(row=r, column=1, value=ov.COUNTING_NOTE)
    note.font = NOTE_FONT
    note.alignment = WRAP_TOP
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=3)
    ws.row_dimensions[r].height = row_height(ov.COUNTING_NOTE, sum(OVERVIEW_WIDTHS))
    ws.protection.sheet = True  # no password: it only guards against typing over a formula
    ws.sheet_view.showGridLines = False
    ws.sheet_properties.tabColor = TAB_INFO
    print_setup(ws, title_rows=None)


def _overview_heading(ws: Worksheet) -> None:
    """Title, 考核年度, 统计日期 and 统计季度 above the figures."""
    ov = overview
    for letter, width in zip((ov.LABEL_COL, ov.VALUE_COL, ov.NOTE_COL), OVERVIEW_WIDTHS):
        ws.column_dimensions[letter].width = width
    title = ws.cell(row=ov.TITLE_ROW, column=1, value="党员联系服务群众工作概览")
    title.font = TITLE_FONT
    ws.merge_cells(start_row=ov.TITLE_ROW, start_column=1, end_row=ov.TITLE_ROW, end_column=3)
    ws.row_dimensions[ov.TITLE_ROW].height = 28
    ws.cell(row=ov.YEAR_ROW, column=1, value="考核年度").font = cjk_font(bold=True)
    year = ws.cell(row=ov.YEAR_ROW, column=2,
                   value=f'=IF(ISNUMBER({ov.year_cell()}),{ov.year_cell()},"{ov.NO_YEAR_LINE}")')
    year.alignment = Alignment(horizontal="left")
    year.font = cjk_font(bold=True, color=RED)
    ws.cell(row=ov.YEAR_ROW, column=3, value=f"取自「{schema.META.name}」").font = NOTE_FONT
    ws.cell(row=ov.TODAY_ROW, column=1, value="统计日期").font = cjk_font(bold=True)
    today = ws.cell(row=ov.TODAY_ROW, column=2, value="=TODAY()")
    today.number_format = DATE_FORMAT
    today.alignment = Alignment(horizontal="left")
    ws.cell(row=ov.TODAY_ROW, column=3, value="本表数字由公式自动计算，打开即更新，请勿在本表填写").font = NOTE_FONT
    label = ws.cell(row=ov.QUARTER_ROW, column=1, value="统计季度")
    label.font = cjk_font(bold=True)
    label.alignment = Alignment(vertical="center")
    ws.cell(row=ov.QUARTER_ROW, column=2, value="=" + ov.quarter_label_formula()).alignment = \
        Alignment(horizontal="left", vertical="center")
    quarter_note = ws.cell(row=ov.QUARTER_ROW, column=3, value=ov.QUARTER_NOTE)
    quarter_note.font = NOTE_FONT
    quarter_note.alignment = Alignment(wrap_text=True, vertical="center")
    ws.row_dimensions[ov.QUARTER_ROW].height = row_height(ov.QUARTER_NOTE, OVERVIEW_WIDTHS[2])
