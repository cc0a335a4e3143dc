"""What helps a secretary type the right thing: drop-down lists (short ones
inline, long ones on a hidden sheet), number ranges and the input hint shown
when a cell is selected, all derived from the schema's columns."""

from __future__ import annotations

import re

from openpyxl import Workbook
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from dj_addin import schema
from dj_addin.cellref import column_letter
from dj_addin.schema import ColType, Column

# Hidden sheet holding long drop-down lists (not a schema name; the reader ignores it).
LISTS_SHEET = "_lists"
# Lists longer than this (items) go to LISTS_SHEET instead of being inlined.
INLINE_LIST_MAX_ITEMS = 8


class Lists:
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


def list_validation(source: str, col: Column, sqref: str) -> DataValidation:
    dv = DataValidation(type="list", formula1=source, allow_blank=True, showDropDown=False,
                        showErrorMessage=True, errorStyle="warning",
                        errorTitle="不在下拉列表中",
                        error=f"「{col.header}」请从下拉列表中选择：{'、'.join(col.choices or schema.BOOL_VALUES)}。"
                              "点“是”可保留所填内容（校验时会提示）。")
    add_prompt(dv, col)
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


def add_prompt(dv: DataValidation, col: Column) -> None:
    text = hint_of(col) or ("请从下拉列表中选择" if col.type in (ColType.ENUM, ColType.BOOL) else "")
    if col.required:
        text = f"必填。{text}" if text else "必填"
    if text:
        dv.showInputMessage = True
        dv.promptTitle = col.header[:32]
        dv.prompt = text[:255]


def validation_for(col: Column, sqref: str, lists: Lists) -> DataValidation | None:
    """The data validation of one column: a drop-down, a number range, or just a hint."""
    if col.type is ColType.ENUM:
        return list_validation(lists.source(col.choices), col, sqref)
    if col.type is ColType.BOOL:
        return list_validation('"' + ",".join(schema.BOOL_VALUES) + '"', col, sqref)
    if hint_of(col):
        dv = DataValidation(allow_blank=True)
        add_prompt(dv, col)
        dv.add(sqref)
        return dv
    return None
