"""The blank workbook (``workbook_template.xlsx``), generated from the schema.

Everything a secretary sees comes from :mod:`dj_addin.schema`: sheet names,
headers, widths, drop-down lists and input hints (:mod:`.inputs`), the 说明
and 概览 sheets (:mod:`.pages`, with the words of :mod:`.text` and the
formulas of :mod:`.overview`), the defaults of 指标设置/评分规则, and the
lookup formula of 评议.姓名. Colours, formats and print setup (A4 landscape,
one page wide) live in :mod:`.layout`; data sheets without rows are left out
of printing (:mod:`dj_addin.plans.printing`). This module assembles the sheets.
Generation is deterministic (fixed document properties and zip timestamps),
so the committed template can be compared with a fresh one byte for byte.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.worksheet.worksheet import Worksheet

from dj_addin import schema
from dj_addin.cellref import column_letter
from dj_addin.plans.printing import SheetPrinting
from dj_addin.schema import ColType, Column, Sheet, SheetKind
from dj_addin.plans.inputs import DATA_ROWS, kv_format, kv_hint
from dj_addin.template.inputs import LISTS_SHEET, Lists, kv_validation_for, validation_for
from dj_addin.template.layout import (GRID, NOTE_FONT, RED, TAB_DATA, TAB_KV, cjk_font, column_format,
                                      default_font, print_setup, style_header)
from dj_addin.template.pages import overview_sheet, readme_sheet
from dj_addin.template.text import SCORING_NOTES
from dj_addin.xlsx.printing import settle_sheet

__all__ = ["DATA_ROWS", "LISTS_SHEET", "LOOKUP_ROWS", "build_template", "lookup_formula", "save_deterministic",
           "write_template"]

# Data validations and column formats cover rows 2..DATA_ROWS (plans.inputs).
# Lookup formulas (评议.姓名) fill this many rows below the header: a branch's
# members (about 100) with room to spare. Excel and LibreOffice print every row
# holding a formula, even one that shows nothing (40 rows a page), so the writers
# limit the print area to the rows with data (plans.printing).
LOOKUP_ROWS = 200
FIXED_TIME = dt.datetime(2026, 1, 1, 0, 0, 0)
ZIP_TIME = (2026, 1, 1, 0, 0, 0)
AUTHOR = "党建助手"
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def lookup_formula(sheet: Sheet, col: Column, row: int) -> str:
    """The template formula of a ``lookup`` column in ``row`` (without '=').

    INDEX/MATCH on whole columns of the referenced sheet, which Excel, WPS
    and LibreOffice all calculate: blank while the row's ID is blank or not
    found, and ``&""`` so a blank source cell shows blank rather than 0.
    """
    id_key, source_key = col.lookup
    id_col = sheet.column(id_key)
    source = schema.sheet(id_col.ref)
    own = column_letter(sheet.keys.index(id_key) + 1)
    key = column_letter(source.keys.index(source.column(source.key_column).key) + 1)
    value = column_letter(source.keys.index(source_key) + 1)
    ref = f"'{source.name}'!"
    return (f'IF(${own}{row}="","",IFERROR(INDEX({ref}${value}:${value},'
            f'MATCH(${own}{row},{ref}${key}:${key},0))&"",""))')


def _data_sheet(ws: Worksheet, sheet: Sheet, lists: Lists) -> None:
    for i, col in enumerate(sheet.columns, start=1):
        letter = column_letter(i)
        cell = ws.cell(row=1, column=i, value=col.header)
        style_header(cell, col.required)
        dim = ws.column_dimensions[letter]
        dim.width = col.width
        fmt = column_format(col)
        if fmt:
            dim.number_format = fmt
        dv = validation_for(col, f"{letter}2:{letter}{DATA_ROWS}", lists)
        if dv is not None:
            ws.add_data_validation(dv)
        if col.lookup:
            for r in range(2, LOOKUP_ROWS + 2):
                ws.cell(row=r, column=i, value="=" + lookup_formula(sheet, col, r))
    ws.row_dimensions[1].height = 30
    ws.freeze_panes = "A2"
    ws.sheet_properties.tabColor = TAB_KV if sheet is schema.QUOTAS else TAB_DATA  # 指标设置 is a setting
    print_setup(ws)


def _kv_sheet(ws: Worksheet, sheet: Sheet, values: dict[str, object], lists: Lists) -> None:
    for c, text in enumerate(sheet.kv_headers, start=1):
        style_header(ws.cell(row=1, column=c, value=text), True)
    if sheet is schema.SCORING_RULES:
        style_header(ws.cell(row=1, column=3, value="含义"), False)
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 30
    ws.column_dimensions["C"].width = 50
    for r, col in enumerate(sheet.columns, start=2):
        name = ws.cell(row=r, column=1, value=col.header)
        name.font = cjk_font(bold=True, color=RED if col.required else "FF000000")
        name.border = GRID
        value = ws.cell(row=r, column=2, value=values.get(col.key))
        value.border = GRID
        value.alignment = Alignment(horizontal="left")
        fmt = kv_format(col)
        if fmt:
            value.number_format = fmt
        hint = SCORING_NOTES.get(col.key, "") if sheet is schema.SCORING_RULES else kv_hint(col)
        if hint:  # 评分规则: the readable meaning of each key, in plain type
            note = ws.cell(row=r, column=3, value=hint)
            note.font = cjk_font() if sheet is schema.SCORING_RULES else NOTE_FONT
            if sheet is schema.SCORING_RULES:
                note.border = GRID
        dv = kv_validation_for(col, f"B{r}", lists)
        if dv is not None:
            ws.add_data_validation(dv)
    ws.freeze_panes = "A2"
    ws.sheet_properties.tabColor = TAB_KV
    print_setup(ws)


def _quota_rows(ws: Worksheet) -> None:
    for r, values in enumerate(schema.DEFAULT_QUOTAS, start=2):
        for c, value in enumerate(values, start=1):
            ws.cell(row=r, column=c, value=value)


def build_template() -> Workbook:
    """The blank workbook, every sheet of ``schema.SHEETS`` in template order."""
    wb = Workbook()
    wb.remove(wb.active)
    default_font(wb)
    lists = Lists(wb)
    for sheet in schema.SHEETS:
        ws = wb.create_sheet(sheet.name)
        if sheet.kind is SheetKind.INFO:
            readme_sheet(ws)
        elif sheet.kind is SheetKind.FORMULA:
            overview_sheet(ws)
        elif sheet.kind is SheetKind.KV:
            values: dict[str, object] = {c.key: c.default for c in sheet.columns}
            if sheet is schema.META:
                values = {"template_version": schema.TEMPLATE_VERSION}
            _kv_sheet(ws, sheet, values, lists)
        else:
            _data_sheet(ws, sheet, lists)
            if sheet is schema.QUOTAS:
                _quota_rows(ws)
            # a sheet without rows is left out of printing until it has some (plans.printing)
            settle_sheet(ws, SheetPrinting(sheet.name, sheet is not schema.QUOTAS, 1, len(sheet.columns)))
    lists.write_sheet()  # the hidden list sheet last
    wb.active = 0
    _fix_properties(wb)
    return wb


def _fix_properties(wb: Workbook) -> None:
    props = wb.properties
    props.creator = AUTHOR
    props.lastModifiedBy = AUTHOR
    props.title = "党员联系服务群众工作簿"
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    props.lastPrinted = None


def save_deterministic(wb: Workbook, path: Path) -> None:
    """Save ``wb`` so that the same content always gives the same bytes.

    openpyxl stamps the zip entries and docProps' modified date with the
    current time on save; rewrite both with a fixed time.
    """
    path = Path(path)
    _fix_properties(wb)
    wb.save(path)
    with zipfile.ZipFile(path) as src:
        entries = [(info, src.read(info.filename)) for info in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info, data in entries:
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            if info.filename == "docProps/core.xml":
                data = _MODIFIED.sub(rb"\g<1>" + FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode() + rb"\g<2>",
                                     data)
            dst.writestr(fixed, data)


def write_template(path: str | Path) -> Path:
    """Write the blank template to ``path`` (not atomic; the command wraps it)."""
    path = Path(path)
    save_deterministic(build_template(), path)
    return path
