"""The blank workbook (``workbook_template.xlsx``), generated from the schema.

Everything a secretary sees comes from :mod:`dj_addin.schema`: sheet names,
headers, widths, drop-down lists, input hints (the schema's, or derived from
a column's reference and type: :func:`hint_of`), the 说明 text and the
defaults of 指标设置/评分规则; the 概览 formulas come from
:mod:`dj_addin.template.overview`. Every sheet prints A4 landscape, one page wide.
Generation is deterministic (fixed document properties and zip timestamps),
so the committed template can be compared with a fresh one byte for byte.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from dj_addin.template import overview
from dj_addin import schema
from dj_addin.cellref import column_letter
from dj_addin.schema import ColType, Column, Sheet, SheetKind
from dj_addin.template.text import SCORING_NOTES, readme_lines

# Data validations and column formats cover rows 2..DATA_ROWS.
DATA_ROWS = 5000
# Lookup formulas (评议.姓名) fill this many rows below the header: a branch's
# members with room to spare, while the file stays small (a formula per cell).
LOOKUP_ROWS = 500
# Hidden sheet holding long drop-down lists (not a schema name; the reader ignores it).
LISTS_SHEET = "_lists"
# Lists longer than this (items) go to LISTS_SHEET instead of being inlined.
INLINE_LIST_MAX_ITEMS = 8
FIXED_TIME = dt.datetime(2026, 1, 1, 0, 0, 0)
ZIP_TIME = (2026, 1, 1, 0, 0, 0)
README_WIDTHS = (20, 100)  # 说明: item names, explanations
AUTHOR = "党建助手"
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")

DATE_FORMAT = "yyyy-mm-dd"
TEXT_FORMAT = "@"
INT_FORMAT = "0"

_RED = "FFC00000"
_THIN = Side(style="thin", color="FFBFBFBF")
GRID = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
REQUIRED_FILL = PatternFill("solid", fgColor=_RED)
REQUIRED_FONT = Font(bold=True, color="FFFFFFFF")
OPTIONAL_FILL = PatternFill("solid", fgColor="FFFCE4D6")
OPTIONAL_FONT = Font(bold=True, color="FF000000")
HEADER_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
TITLE_FONT = Font(bold=True, size=16, color=_RED)
SECTION_FONT = Font(bold=True, size=12, color=_RED)
NOTE_FONT = Font(italic=True, color="FF7F7F7F")
WRAP_TOP = Alignment(vertical="top", wrap_text=True)
FORMULA_FILL = PatternFill("solid", fgColor="FFFFF2CC")
TAB_INFO = "FF2F5597"
TAB_KV = "FF7F7F7F"
TAB_DATA = _RED


# ---------------------------------------------------------------------------
# Shared helpers
# ---------------------------------------------------------------------------

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


def _column_format(col: Column) -> str | None:
    if col.type is ColType.DATE:
        return DATE_FORMAT
    if col.type in (ColType.ID, ColType.IDS) or col.sensitive:
        return TEXT_FORMAT  # keeps leading zeros and long numbers as typed
    if col.type is ColType.INT:
        return INT_FORMAT
    return None


def _style_header(cell, required: bool) -> None:
    cell.font = REQUIRED_FONT if required else OPTIONAL_FONT
    cell.fill = REQUIRED_FILL if required else OPTIONAL_FILL
    cell.alignment = HEADER_ALIGN
    cell.border = GRID


def _print_setup(ws: Worksheet, title_rows: str | None = "1:1") -> None:
    """A4 landscape, fitted to one page wide, on every sheet."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    if title_rows:
        ws.print_title_rows = title_rows
    ws.oddFooter.center.text = "&A 第 &P 页，共 &N 页"


class _Lists:
    """Drop-down sources: short lists inline, long ones on the hidden sheet."""

    def __init__(self, wb: Workbook) -> None:
        self.wb = wb
        self.ws: Worksheet | None = None
        self.columns: dict[tuple[str, ...], str] = {}

    def source(self, choices: tuple[str, ...]) -> str:
        if len(choices) <= INLINE_LIST_MAX_ITEMS and not any("," in c for c in choices):
            return '"' + ",".join(choices) + '"'
        if choices not in self.columns:
            if self.ws is None:
                self.ws = self.wb.create_sheet(LISTS_SHEET)
                self.ws.sheet_state = "hidden"
            c = column_letter(len(self.columns) + 1)
            for i, value in enumerate(choices, start=1):
                self.ws[f"{c}{i}"] = value
            self.columns[choices] = f"'{LISTS_SHEET}'!${c}$1:${c}${len(choices)}"
        return self.columns[choices]


def _list_validation(source: str, col: Column, sqref: str) -> DataValidation:
    dv = DataValidation(type="list", formula1=source, allow_blank=True, showDropDown=False,
                        showErrorMessage=True, errorStyle="warning",
                        errorTitle="不在下拉列表中",
                        error=f"「{col.header}」请从下拉列表中选择：{'、'.join(col.choices or schema.BOOL_VALUES)}。"
                              "点“是”可保留所填内容（校验时会提示）。")
    _add_prompt(dv, col)
    dv.add(sqref)
    return dv


# Input hints derived from a column's reference or type when the schema gives none.
REF_HINTS = {
    "roster": "填写党员名册中的党员编号",
    "targets": "填写联系对象表中的对象编号",
}
DATE_HINT = f"日期，可写作 {schema.DATE_FORMS_TEXT}"
_EXAMPLE_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")


def hint_of(col: Column) -> str:
    """The input hint of a column: the schema's, else derived from ``ref``/type.

    An ID column pointing at 党员名册 says so; a date column lists the
    accepted forms (appended to the schema's hint unless it already shows an
    example date).
    """
    text = col.hint
    if not text and col.ref in REF_HINTS and col.type is ColType.ID:
        text = REF_HINTS[col.ref] + ("，不能重复" if col.unique else "")
    if col.type is ColType.DATE and not _EXAMPLE_DATE.search(text):
        text = f"{text}；{DATE_HINT}" if text else DATE_HINT
    return text


def _add_prompt(dv: DataValidation, col: Column) -> None:
    text = hint_of(col) or ("请从下拉列表中选择" if col.type in (ColType.ENUM, ColType.BOOL) else "")
    if col.required:
        text = f"必填。{text}" if text else "必填"
    if text:
        dv.showInputMessage = True
        dv.promptTitle = col.header[:32]
        dv.prompt = text[:255]


def _validation_for(col: Column, sqref: str, lists: _Lists) -> DataValidation | None:
    """The data validation of one column: a drop-down, a number range, or just a hint."""
    if col.type is ColType.ENUM:
        return _list_validation(lists.source(col.choices), col, sqref)
    if col.type is ColType.BOOL:
        return _list_validation('"' + ",".join(schema.BOOL_VALUES) + '"', col, sqref)
    if hint_of(col):
        dv = DataValidation(allow_blank=True)
        _add_prompt(dv, col)
        dv.add(sqref)
        return dv
    return None


# ---------------------------------------------------------------------------
# Sheets
# ---------------------------------------------------------------------------

def _data_sheet(ws: Worksheet, sheet: Sheet, lists: _Lists) -> None:
    for i, col in enumerate(sheet.columns, start=1):
        letter = column_letter(i)
        cell = ws.cell(row=1, column=i, value=col.header)
        _style_header(cell, col.required)
        dim = ws.column_dimensions[letter]
        dim.width = col.width
        fmt = _column_format(col)
        if fmt:
            dim.number_format = fmt
        dv = _validation_for(col, f"{letter}2:{letter}{DATA_ROWS}", lists)
        if dv is not None:
            ws.add_data_validation(dv)
        if col.lookup:
            for r in range(2, LOOKUP_ROWS + 2):
                ws.cell(row=r, column=i, value="=" + lookup_formula(sheet, col, r))
    ws.row_dimensions[1].height = 30
    ws.freeze_panes = "A2"
    ws.sheet_properties.tabColor = TAB_DATA
    _print_setup(ws)


def _kv_sheet(ws: Worksheet, sheet: Sheet, values: dict[str, object], lists: _Lists) -> None:
    for c, text in enumerate(sheet.kv_headers, start=1):
        _style_header(ws.cell(row=1, column=c, value=text), True)
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 30
    ws.column_dimensions["C"].width = 50
    for r, col in enumerate(sheet.columns, start=2):
        name = ws.cell(row=r, column=1, value=col.header)
        name.font = Font(bold=True, color=_RED if col.required else "FF000000")
        name.border = GRID
        value = ws.cell(row=r, column=2, value=values.get(col.key))
        value.border = GRID
        value.alignment = Alignment(horizontal="left")
        fmt = _column_format(col)
        if fmt:
            value.number_format = fmt
        hint = SCORING_NOTES.get(col.key, "") if sheet is schema.SCORING_RULES else _kv_hint(col)
        if hint:
            ws.cell(row=r, column=3, value=hint).font = NOTE_FONT
        sqref = f"B{r}"
        if col.type is ColType.INT and col.minimum is not None and col.maximum is not None:
            dv = DataValidation(type="whole", operator="between", formula1=str(int(col.minimum)),
                                formula2=str(int(col.maximum)), allow_blank=True, showErrorMessage=True,
                                errorTitle="数值超出范围",
                                error=f"「{col.header}」应为 {int(col.minimum)}–{int(col.maximum)} 之间的整数。")
            _add_prompt(dv, col)
            dv.add(sqref)
            ws.add_data_validation(dv)
        else:
            dv = _validation_for(col, sqref, lists)
            if dv is not None:
                ws.add_data_validation(dv)
    ws.freeze_panes = "A2"
    ws.sheet_properties.tabColor = TAB_KV
    _print_setup(ws)


def _kv_hint(col: Column) -> str:
    parts = []
    if col.required:
        parts.append("必填")
    if col.type is ColType.ENUM:
        parts.append("从下拉列表选择：" + "、".join(col.choices))
    hint = hint_of(col)
    if hint:
        parts.append(hint)
    if col.key == "template_version":
        parts.append("由模板自动填写，请勿修改")
    return "；".join(parts)


def _quota_rows(ws: Worksheet) -> None:
    for r, values in enumerate(schema.DEFAULT_QUOTAS, start=2):
        for c, value in enumerate(values, start=1):
            ws.cell(row=r, column=c, value=value)


def _readme(ws: Worksheet) -> None:
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
            ws.row_dimensions[row].height = _height(first, README_WIDTHS[0] + README_WIDTHS[1])
        else:  # "item": a name and its explanation
            a = ws.cell(row=row, column=1, value=first)
            a.font = Font(bold=True)
            a.alignment = WRAP_TOP
            b = ws.cell(row=row, column=2, value=second)
            b.alignment = WRAP_TOP
            ws.row_dimensions[row].height = _height(second or "", README_WIDTHS[1])
        row += 1
    ws.sheet_view.showGridLines = False
    ws.sheet_properties.tabColor = TAB_INFO
    _print_setup(ws, title_rows=None)


def _height(text: str, width: float) -> float:
    """A row height that shows all of a wrapped text in a column ``width`` wide.

    Excel neither auto-fits merged cells nor rows of a generated file, so the
    height is estimated: a CJK character takes two width units, others one.
    """
    usable = max(width - 2, 10)
    lines = 0
    for part in text.split("\n"):
        units = sum(2 if ord(ch) > 0x2E80 else 1 for ch in part)
        lines += max(1, -(-units // int(usable)))
    return lines * 16.5


OVERVIEW_WIDTHS = (30, 16, 84)  # 概览: label, number, note


def _overview(ws: Worksheet) -> None:
    ov = overview
    _overview_heading(ws)
    for c, text in enumerate(("项目", "数值", "说明"), start=1):
        _style_header(ws.cell(row=ov.HEADER_ROW, column=c, value=text), True)
    for i, fig in enumerate(ov.FIGURES):
        r = ov.FIRST_ROW + i
        ws.row_dimensions[r].height = max(21, _height(fig.note, OVERVIEW_WIDTHS[2]))
        label = ws.cell(row=r, column=1, value=fig.label)
        label.font = Font(bold=True)
        label.border = GRID
        value = ws.cell(row=r, column=2, value="=" + fig.formula())
        value.font = Font(bold=True, size=12)
        value.fill = FORMULA_FILL
        value.border = GRID
        value.number_format = INT_FORMAT
        value.alignment = Alignment(horizontal="center")
        note = ws.cell(row=r, column=3, value=fig.note)
        note.border = GRID
        note.alignment = Alignment(wrap_text=True, vertical="center")
    r = ov.COUNTING_NOTE_ROW  # what the formulas cannot see, visible under the figures
    note = ws.cell(row=r, column=1, value=ov.COUNTING_NOTE)
    note.font = Font(color=_RED)
    note.alignment = WRAP_TOP
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=3)
    ws.row_dimensions[r].height = _height(ov.COUNTING_NOTE, sum(OVERVIEW_WIDTHS))
    ws.protection.sheet = True  # no password: it only guards against typing over a formula
    ws.sheet_view.showGridLines = False
    ws.sheet_properties.tabColor = TAB_INFO
    _print_setup(ws, title_rows=None)


def _overview_heading(ws: Worksheet) -> None:
    """Title, 考核年度, 统计日期 and 统计季度 above the figures."""
    ov = overview
    for letter, width in zip((ov.LABEL_COL, ov.VALUE_COL, ov.NOTE_COL), OVERVIEW_WIDTHS):
        ws.column_dimensions[letter].width = width
    title = ws.cell(row=ov.TITLE_ROW, column=1, value="党员联系服务群众工作概览")
    title.font = TITLE_FONT
    ws.merge_cells(start_row=ov.TITLE_ROW, start_column=1, end_row=ov.TITLE_ROW, end_column=3)
    ws.row_dimensions[ov.TITLE_ROW].height = 28
    ws.cell(row=ov.YEAR_ROW, column=1, value="考核年度").font = Font(bold=True)
    ws.cell(row=ov.YEAR_ROW, column=2,
            value=f'=IF({ov.year_cell()}="","未填写",{ov.year_cell()})').alignment = Alignment(horizontal="left")
    ws.cell(row=ov.YEAR_ROW, column=3, value=f"取自「{schema.META.name}」").font = NOTE_FONT
    ws.cell(row=ov.TODAY_ROW, column=1, value="统计日期").font = Font(bold=True)
    today = ws.cell(row=ov.TODAY_ROW, column=2, value="=TODAY()")
    today.number_format = DATE_FORMAT
    today.alignment = Alignment(horizontal="left")
    ws.cell(row=ov.TODAY_ROW, column=3, value="本表数字由公式自动计算，打开即更新，请勿在本表填写").font = NOTE_FONT
    label = ws.cell(row=ov.QUARTER_ROW, column=1, value="统计季度")
    label.font = Font(bold=True)
    label.alignment = Alignment(vertical="center")
    ws.cell(row=ov.QUARTER_ROW, column=2, value="=" + ov.quarter_label_formula()).alignment = \
        Alignment(horizontal="left", vertical="center")
    quarter_note = ws.cell(row=ov.QUARTER_ROW, column=3, value=ov.QUARTER_NOTE)
    quarter_note.font = NOTE_FONT
    quarter_note.alignment = Alignment(wrap_text=True, vertical="center")
    ws.row_dimensions[ov.QUARTER_ROW].height = _height(ov.QUARTER_NOTE, OVERVIEW_WIDTHS[2])


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------

def build_template() -> Workbook:
    """The blank workbook, every sheet of ``schema.SHEETS`` in template order."""
    wb = Workbook()
    wb.remove(wb.active)
    lists = _Lists(wb)
    for sheet in schema.SHEETS:
        ws = wb.create_sheet(sheet.name)
        if sheet.kind is SheetKind.INFO:
            _readme(ws)
        elif sheet.kind is SheetKind.FORMULA:
            _overview(ws)
        elif sheet.kind is SheetKind.KV:
            values: dict[str, object] = {c.key: c.default for c in sheet.columns}
            if sheet is schema.META:
                values = {"template_version": schema.TEMPLATE_VERSION}
            _kv_sheet(ws, sheet, values, lists)
        else:
            _data_sheet(ws, sheet, lists)
            if sheet is schema.QUOTAS:
                _quota_rows(ws)
    if lists.ws is not None:  # keep the hidden list sheet last
        wb.move_sheet(lists.ws, offset=len(wb.sheetnames) - 1 - wb.sheetnames.index(LISTS_SHEET))
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
