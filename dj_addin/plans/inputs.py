"""What helps a secretary type the right thing, as plain data: drop-down lists (short
ones inline, long ones on a hidden sheet), number ranges and the hint shown when a
cell is selected, all derived from the schema's columns.

One plan for every workbook that is filled in: the template (rendered with
openpyxl) and the merged workbook (rendered with xlsxwriter) get the same
validations on the same columns, with the same lists, from here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from dj_addin import schema
from dj_addin.plans.types import Cell, SheetPlan, Validation, col_letter
from dj_addin.schema import ColType, Column, Sheet

__all__ = ["DATA_ROWS", "LISTS_SHEET", "INLINE_LIST_MAX_ITEMS", "ListSources", "column_format", "kv_format",
           "hint_of", "kv_hint",
           "column_validation", "kv_validation", "sheet_validations", "kv_validations"]

# Hidden sheet holding long drop-down lists (not a schema name; the reader ignores it).
LISTS_SHEET = "_lists"
# Lists longer than this (items) go to LISTS_SHEET instead of being inlined.
INLINE_LIST_MAX_ITEMS = 8
# Data validations and column formats of a data sheet cover rows 2..DATA_ROWS (a sheet with
# more rows gets them over all of its rows).
DATA_ROWS = 5000


class ListSources:
    """Drop-down sources: short lists inline, long ones in a column of the hidden sheet each
    (columns in the order first asked for, so the same schema gives the same references)."""

    def __init__(self) -> None:
        self.columns: dict[tuple[str, ...], str] = {}

    def source(self, choices: tuple[str, ...]) -> str | None:
        """None for a list written inline, else the range of the hidden sheet that holds it."""
        if len(choices) <= INLINE_LIST_MAX_ITEMS and not any("," in c for c in choices):
            return None
        if choices not in self.columns:
            c = col_letter(len(self.columns) + 1)
            self.columns[choices] = f"'{LISTS_SHEET}'!${c}$1:${c}${len(choices)}"
        return self.columns[choices]

    def plan(self) -> SheetPlan | None:
        """The hidden sheet of the long lists (None when every list is inline)."""
        if not self.columns:
            return None
        cells = [Cell(f"{col_letter(c)}{r}", value) for c, choices in enumerate(self.columns, start=1)
                 for r, value in enumerate(choices, start=1)]
        return SheetPlan(LISTS_SHEET, [], cells=cells, hidden=True)


DATE_FORMAT = "yyyy-mm-dd"
TEXT_FORMAT = "@"
INT_FORMAT = "0"


def column_format(col: Column) -> str | None:
    """The number format of a whole data column, so that what a user types is kept as the reader
    wants it: dates as dates, IDs and phones as text (leading zeros, long numbers), counts whole."""
    if col.type is ColType.DATE:
        return DATE_FORMAT
    if col.type in (ColType.ID, ColType.IDS) or col.sensitive:
        return TEXT_FORMAT  # keeps leading zeros and long numbers as typed
    if col.type is ColType.INT:
        return INT_FORMAT
    return None


# 评分规则 items that are shares: 0.3333 shows as 33.3%.
PERCENT_ITEMS = ("excellent_cap", "mass_unsatisfied_cap")
PERCENT_FORMAT = "0.0%"


def kv_format(col: Column) -> str | None:
    """The number format of an item's value cell on a 项目/内容 sheet."""
    return PERCENT_FORMAT if col.key in PERCENT_ITEMS else column_format(col)


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


def kv_hint(col: Column) -> str:
    """The note beside an item of 基本信息: required, the list, the hint."""
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


def _prompt(col: Column) -> tuple[str, str]:
    """(title, text) of the hint shown when a cell of the column is selected; ("", "") for none."""
    text = hint_of(col) or ("请从下拉列表中选择" if col.type in (ColType.ENUM, ColType.BOOL) else "")
    if col.required:
        text = f"必填。{text}" if text else "必填"
    return (col.header[:32], text[:255]) if text else ("", "")


def _list(col: Column, cells: str, choices: tuple[str, ...], source: str | None) -> Validation:
    title, prompt = _prompt(col)
    return Validation(cells, "list", choices=choices, source=source, error_style="warning",
                      error_title="不在下拉列表中",
                      error=f"「{col.header}」请从下拉列表中选择：{'、'.join(choices)}。"
                            "点“是”可保留所填内容（校验时会提示）。",
                      prompt_title=title, prompt=prompt)


def column_validation(col: Column, cells: str, lists: ListSources) -> Validation | None:
    """The data validation of one column: a drop-down, or just a hint (None: nothing to say)."""
    if col.type is ColType.ENUM:
        return _list(col, cells, col.choices, lists.source(col.choices))
    if col.type is ColType.BOOL:
        return _list(col, cells, schema.BOOL_VALUES, None)
    title, prompt = _prompt(col)
    if hint_of(col):
        return Validation(cells, "any", prompt_title=title, prompt=prompt)
    return None


def kv_validation(col: Column, cells: str, lists: ListSources) -> Validation | None:
    """The validation of an item's value cell: a whole-number range where the schema bounds it."""
    if col.type is ColType.INT and col.minimum is not None and col.maximum is not None:
        title, prompt = _prompt(col)
        low, high = int(col.minimum), int(col.maximum)
        return Validation(cells, "whole", minimum=low, maximum=high, error_title="数值超出范围",
                          error=f"「{col.header}」应为 {low}–{high} 之间的整数。",
                          prompt_title=title, prompt=prompt)
    return column_validation(col, cells, lists)


def sheet_validations(sheet: Sheet, letters: Mapping[str, str], first_row: int, last_row: int,
                      lists: ListSources) -> list[Validation]:
    """The validations of a data sheet whose schema column ``key`` is in column ``letters[key]``,
    over rows ``first_row``..``last_row`` (columns the sheet lacks get none)."""
    out = []
    for col in sheet.columns:
        letter = letters.get(col.key)
        if letter:
            v = column_validation(col, f"{letter}{first_row}:{letter}{last_row}", lists)
            if v is not None:
                out.append(v)
    return out


def kv_validations(sheet: Sheet, rows: Mapping[str, int], lists: ListSources, column: str = "B") -> list[Validation]:
    """The validations of a 项目/内容 sheet whose item ``key`` has its value in ``column`` of row ``rows[key]``."""
    out = []
    for col in sheet.columns:
        if col.key in rows:
            v = kv_validation(col, f"{column}{rows[col.key]}", lists)
            if v is not None:
                out.append(v)
    return out
