"""The two sheets that are not tables: 说明 (the instructions, words from
``template.text``) and 概览 (native formulas from ``template.overview``)."""

from __future__ import annotations

from collections.abc import Mapping

from openpyxl.worksheet.worksheet import Worksheet

from dj_addin import schema
from dj_addin.plans.types import Cell, Formula, Margins, PageText, PrintSetup, SheetPlan, Style
from dj_addin.template import overview
from dj_addin.template.layout import (CHARSET, DATE_FORMAT, FONT_NAME, FORMULA_GOLD, HEADER_REQUIRED, INT_FORMAT,
                                      NOTE_GREY, NOTE_STYLE, PLAIN_GRID, RED, SECTION_FONT, TAB_INFO, TITLE_FONT,
                                      WRAP_TOP, cjk_font, print_setup, row_height)
from dj_addin.xlsx.sheets import render_into
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


# 概览's look as plain styles (the same as layout's openpyxl objects), so that every renderer draws it.
_FONT = dict(font_name=FONT_NAME, charset=CHARSET)
_GRID = PLAIN_GRID
_BOLD = Style(bold=True, **_FONT)
_NOTE = NOTE_STYLE
_HEADER = HEADER_REQUIRED


def overview_plan(fixed: Mapping[str, tuple[int | str | None, str]] | None = None) -> SheetPlan:
    """The 概览 sheet as a plan: the template's, and the merged workbook's (where the same formulas
    count the merged rows, since the data sheets keep the template's columns).

    ``fixed``: figure key → (the number, the note that replaces the formula's) for a figure that is
    written as a value instead of its formula: a merged workbook's 「本季度尚无联系记录的党员人数」
    compares every member with every log row, minutes of recalculation at a university's size."""
    fixed = fixed or {}
    ov = overview
    cells: list[Cell] = []
    heights: dict[int, float] = {ov.TITLE_ROW: 28}

    def row(r: int, *values: tuple) -> None:
        for c, (value, style, *fmt) in enumerate(values):
            cells.append(Cell(f"{'ABC'[c]}{r}", value, style, fmt[0] if fmt else None))

    cells.append(Cell(f"A{ov.TITLE_ROW}", "党员联系服务群众工作概览",
                      Style(bold=True, size=16, color=RED, **_FONT), span=3))
    year = ov.year_cell()
    row(ov.YEAR_ROW, ("考核年度", _BOLD),
        (Formula(f'IF(ISNUMBER({year}),{year},"{ov.NO_YEAR_LINE}")'), Style(bold=True, color=RED, horizontal="left",
                                                                            **_FONT)),
        (f"取自「{schema.META.name}」", _NOTE))
    row(ov.TODAY_ROW, ("统计日期", _BOLD), (Formula("TODAY()"), Style(horizontal="left"), DATE_FORMAT),
        ("本表数字由公式自动计算，打开即更新，请勿在本表填写", _NOTE))
    row(ov.QUARTER_ROW, ("统计季度", Style(bold=True, vertical="center", **_FONT)),
        (Formula(ov.quarter_label_formula()), Style(horizontal="left", vertical="center")),
        (ov.QUARTER_NOTE, Style(italic=True, color=NOTE_GREY, vertical="center", wrap=True, **_FONT)))
    heights[ov.QUARTER_ROW] = row_height(ov.QUARTER_NOTE, OVERVIEW_WIDTHS[2])
    row(ov.HEADER_ROW, *(((text, _HEADER)) for text in ("项目", "数值", "说明")))
    for i, fig in enumerate(ov.FIGURES):
        r = ov.FIRST_ROW + i
        value, note = fixed.get(fig.key, (Formula(fig.formula()), fig.note))
        heights[r] = max(21, row_height(note, OVERVIEW_WIDTHS[2]))
        row(r, (fig.label, Style(bold=True, border=_GRID, **_FONT)),
            (value, Style(bold=True, size=12, fill=FORMULA_GOLD, horizontal="center", border=_GRID,
                          **_FONT), INT_FORMAT),
            (note, Style(vertical="center", wrap=True, border=_GRID)))
    r = ov.COUNTING_NOTE_ROW  # what the formulas cannot see, visible under the figures
    cells.append(Cell(f"A{r}", ov.COUNTING_NOTE, Style(italic=True, color=NOTE_GREY, vertical="top", wrap=True,
                                                       **_FONT), span=3))
    heights[r] = row_height(ov.COUNTING_NOTE, sum(OVERVIEW_WIDTHS))
    setup = PrintSetup(header=PageText(center="{sheet}", font_name=FONT_NAME),
                       footer=PageText(center="第 {page} 页 共 {pages} 页", font_name=FONT_NAME),
                       margins=Margins(0.5, 0.5, 0.75, 0.7, 0.5, 0.5), center_horizontally=True)
    return SheetPlan(schema.OVERVIEW.name, [], print_setup=setup, tab_color=TAB_INFO, row_heights=heights,
                     show_grid=False, cells=cells, protected=True,
                     widths=dict(enumerate(OVERVIEW_WIDTHS, start=1)))


def overview_sheet(ws: Worksheet) -> None:
    """Render :func:`overview_plan` into the template's empty 概览 sheet."""
    render_into(ws, overview_plan())
