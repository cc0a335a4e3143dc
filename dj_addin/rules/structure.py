"""File and structure rules S001–S008 (validation.md, 'File and structure')."""

from __future__ import annotations

import re
from typing import Iterable

from dj_addin import normalize as nz
from dj_addin import schema
from dj_addin.cellref import column_letter, column_number
from dj_addin.errors import UnreadableFile
from dj_addin.model import Finding
from dj_addin.rules.context import Context, at, header
from dj_addin.rules.registry import ERROR, INFO, WARNING, Hit, rule
from dj_addin.rules.scoring_rules import settings_hits

# Sheets whose absence means defaults are used (警告 rather than 提示).
DEFAULTED_SHEETS = (schema.QUOTAS.key, schema.SCORING_RULES.key)


@rule("S001", ERROR, (), "文件无法读取",
      note="Raised by the reader as errors.UnreadableFile before any rule runs; "
           "unreadable_finding() turns it into a Finding for callers that collect many files.")
def file_unreadable(ctx: Context) -> Iterable[Hit]:
    return ()  # a Book exists only when the file could be read


def unreadable_finding(exc: UnreadableFile, file: str = "") -> Finding:
    """An S001 Finding for a file that could not be read (aggregation lists them)."""
    return Finding(rule="S001", level=ERROR, sheet="", row=None, column="", field="", value=file,
                   message=exc.message, suggestion="请按提示处理后重新提交该文件。")


@rule("S002", ERROR, "*", "缺少工作表",
      note="Required sheets → 错误 (the message lists the sheets found); 指标设置/评分规则 → 警告 "
           "(defaults used); other optional data sheets → 提示 (read as empty).")
def missing_sheet(ctx: Context) -> Iterable[Hit]:
    found = "、".join(f"「{n}」" for n in ctx.book.sheet_names) or "（无）"
    for spec in schema.SHEETS:
        if spec not in schema.READ_SHEETS:
            continue
        table = ctx.book.tables.get(spec.key)
        if table is None:
            table = ctx.book.kv.get(spec.key)
        if table is not None and table.found:
            continue
        if spec.required:
            yield Hit(spec.key, None, "", f"缺少必需的工作表「{spec.name}」；本文件中的工作表有：{found}。",
                      f"请使用党建助手模板，或把相应的工作表改名为「{spec.name}」。")
        elif spec.key in DEFAULTED_SHEETS:
            yield Hit(spec.key, None, "", f"没有工作表「{spec.name}」，将按模板默认设置计算。",
                      f"如需自定义，请从模板复制「{spec.name}」工作表。", level=WARNING)
        else:
            yield Hit(spec.key, None, "", f"没有工作表「{spec.name}」，按空表处理。",
                      "如本单位有相关工作记录，请从模板复制该工作表后填写。", level=INFO)


@rule("S003", ERROR, "*", "缺少必填列",
      note="An optional sheet left completely empty (no header, no rows) gets one 提示 instead: read as empty. "
           "An item missing from 评分规则 is 警告 (its default is used).")
def missing_column(ctx: Context) -> Iterable[Hit]:
    yield from settings_hits(ctx, "S003")
    for t in ctx.tables():
        if not t.spec.required and not t.columns and not len(t):
            yield Hit(t.key, None, "", f"工作表「{t.name}」是空的（没有表头），按空表处理。",
                      f"如需填写，请从模板复制「{t.spec.name}」的表头行。", level=INFO)
            continue
        for key in t.missing_columns:
            col = t.spec.column(key)
            if not col.required:
                continue
            yield Hit(t.key, t.header_row, key,
                      f"工作表「{t.name}」第{t.header_row}行的表头中没有必填列「{col.header}」；",
                      f"请在表头行加上「{col.header}」列并填写（列名须与模板一致）。", column="", value="")


@rule("S004", INFO, "*", "未知列（保留）")
def unknown_column(ctx: Context) -> Iterable[Hit]:
    for t in ctx.tables():
        for name, letter in t.extra_columns.items():
            note = t.header_notes.get(name)
            if note:  # an alias column the reader decided not to use, and why
                yield Hit(t.key, t.header_row, "", note, "如这一列应参与统计，请把列名改为模板中的列名并核对其中的值。",
                          column=letter, field=name, value=name)
                continue
            yield Hit(t.key, t.header_row, "", f"「{name}」不是模板中的列，已保留但不参与统计。",
                      "如是模板列写错了名字，请改为模板中的列名。", column=letter, field=name, value=name)
    for kv in ctx.book.kv.values():
        if not kv.found:
            continue
        for name, item in kv.unknown_items.items():
            item_header = kv.spec.kv_headers[0]
            yield Hit(kv.key, item.row, "", f"第{item.row}行的{item_header}「{name}」不是模板中的{item_header}，已忽略。",
                      f"如是写错了名字，请改为模板中的{item_header}名称。", column=_left_of(item.column), field=name,
                      value=nz.text_of(item.raw))


@rule("S005", WARNING, "*", "同一列出现两次",
      note="The first column is used; each later one is reported. In 基本信息 and 评分规则 an item "
           "listed twice is the same fault: the first row counts, each later row is reported.")
def duplicate_column(ctx: Context) -> Iterable[Hit]:
    for kv in ctx.book.kv.values():
        for key, items in kv.duplicate_items.items():
            first, name = kv.items[key], kv.spec.column(key).header
            for item in items:
                yield Hit(kv.key, item.row, "", f"第{item.row}行「{name}」与第{first.row}行重复，只使用第{first.row}行的值；",
                          f"请删除第{item.row}行，或把要用的值填在第{first.row}行。", column=item.column,
                          field=name, value=nz.text_of(item.raw))
    for t in ctx.tables():
        for key, letters in t.duplicate_columns.items():
            head = t.spec.column(key).header
            for letter in letters[1:]:
                yield Hit(t.key, t.header_row, key,
                          f"「{head}」列出现了不止一次（{letters[0]} 列和 {letter} 列），只使用 {letters[0]} 列；",
                          f"请删除或改名 {letter} 列。", column=letter, value="")


def _left_of(letter: str) -> str:
    """The column letter left of ``letter`` (the item name beside its value)."""
    return column_letter(max(column_number(letter) - 1, 1))


_VERSION = re.compile(r"^\s*[vV]?(\d+)(?:\.(\d+))?")


def _version(text: str) -> tuple[int, int] | None:
    m = _VERSION.match(text)
    return (int(m.group(1)), int(m.group(2) or 0)) if m else None


@rule("S006", WARNING, schema.META.key, "模板版本不一致",
      note="Blank, missing, unreadable or older 模板版本 → 警告; a newer major version → 错误; "
           "a newer minor version of the same major → 提示.")
def template_version(ctx: Context) -> Iterable[Hit]:
    meta = ctx.book.meta
    if not meta.found:
        return
    current = _version(schema.TEMPLATE_VERSION)
    item = meta.items.get("template_version")
    text = nz.text_of(item.raw).strip() if item is not None and item.raw is not None else ""
    field = header(schema.META.key, "template_version")
    row, column = (item.row, item.column) if item is not None else (None, "")
    hint = f"当前工具的模板版本是 {schema.TEMPLATE_VERSION}。"
    if not text:
        yield Hit(schema.META.key, row, "template_version", f"「{field}」未填写，按当前版本 {schema.TEMPLATE_VERSION} 读取；",
                  f"建议用「{schema.META.name}」中的模板版本核对表格是否来自最新模板。{hint}", column=column)
        return
    found = _version(text)
    if found is None:
        yield Hit(schema.META.key, row, "template_version", f"{at(row, field, text)}，无法识别；",
                  f"请填写如 {schema.TEMPLATE_VERSION} 的版本号。{hint}", column=column)
    elif found[0] > current[0]:
        yield Hit(schema.META.key, row, "template_version",
                  f"{at(row, field, text)}，比本工具支持的版本新，无法可靠读取；",
                  f"请升级党建助手后再处理此文件。{hint}", level=ERROR, column=column)
    elif found < current:
        yield Hit(schema.META.key, row, "template_version",
                  f"{at(row, field, text)}，是旧版模板，已按列名别名读取；",
                  f"建议把数据复制到最新模板中。{hint}", column=column)
    elif found > current:
        yield Hit(schema.META.key, row, "template_version",
                  f"{at(row, field, text)}，比本工具的版本稍新；", f"建议升级党建助手。{hint}",
                  level=INFO, column=column)


@rule("S007", WARNING, "*", "数据区有合并单元格", note="One hit per merged range (the top-left value is used).")
def merged_cells(ctx: Context) -> Iterable[Hit]:
    by_letter = {}
    for t in ctx.tables():
        by_letter = {letter: key for key, letter in t.columns.items()}
        for ref in t.merged_ranges:
            m = re.match(r"([A-Z]+)(\d+)", ref)
            letter, row = m.group(1), int(m.group(2))
            key = by_letter.get(letter, "")
            yield Hit(t.key, row, key, f"第{row}行起的单元格 {ref} 是合并单元格，只使用左上角的值；",
                      "请取消合并，并在每个单元格中分别填写。", column=letter, value=ref,
                      field=header(t.key, key) if key else "")


@rule("S008", ERROR, "*", "单元格是 Excel 错误值",
      note="Cells with an error value get S008 only (never C001/C002/… as well).")
def excel_error(ctx: Context) -> Iterable[Hit]:
    for t in ctx.tables():
        for key in sorted(ctx.error_columns(t) & set(t.columns)):
            for row, value in ctx.flagged(t, key, t.errors[key]):
                yield Hit(t.key, row, key, f"{at(row, header(t.key, key), value)}，是 Excel 错误值；",
                          "请检查该单元格的公式或引用，改为正确的值（可复制后「选择性粘贴→数值」）。")
    for kv in ctx.book.kv.values():
        if not kv.found:
            continue
        for key, item in kv.items.items():
            if nz.is_excel_error(item.raw):
                field = header(kv.key, key)
                yield Hit(kv.key, item.row, key, f"{at(item.row, field, nz.text_of(item.raw))}，是 Excel 错误值；",
                          "请改为正确的值。", column=item.column)
