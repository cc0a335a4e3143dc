"""Plans of the merged workbook's input sheets, in the template's shape.

基本信息 and 评分规则 as 项目/内容 pairs; every data sheet with the template's
headers in template order, the extra columns the inputs had, then
来源单位编码 and 来源行 at the right; values as found where a cell could not
be interpreted (``SheetTable.for_writing``), 是/否 as text, lists joined
with '、'. Rows are turned into plain values column by column (vectorised):
a university merge writes millions of cells.
"""

from __future__ import annotations

import math

import pandas as pd

from dj_addin import schema
from dj_addin.model import Book, KVTable, SheetTable
from dj_addin.plans import look
from dj_addin.plans.printing import SheetPrinting
from dj_addin.plans.types import Block, ColumnPlan, SheetPlan, Style, TitleLine, Value, col_letter
from dj_addin.plans.values import plain
from dj_addin.schema import ColType
from dj_addin.xlsx.xmltext import NOT_XML, xml_text

PROVENANCE_WIDTH = 14
_TEXT_TYPES = frozenset({str, type(None)})


def plain_column(values: pd.Series, col_type: ColType | None) -> list[Value]:
    """One column as plain values, fast for the common dtypes."""
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        arr = values.dt.to_pydatetime() if hasattr(values, "dt") else values
        out = [None if v is None or v is pd.NaT or (isinstance(v, float) and math.isnan(v)) else v for v in arr]
        if col_type is ColType.DATE:
            return [v.date() if v is not None and v.hour == v.minute == v.second == 0 else v for v in out]
        return out
    if pd.api.types.is_float_dtype(values.dtype):
        arr = values.to_numpy(dtype=float)
        ints = col_type is ColType.INT
        return [None if math.isnan(v) else (int(v) if ints and v.is_integer() else v) for v in arr.tolist()]
    if pd.api.types.is_integer_dtype(values.dtype):
        return values.astype(object).tolist()
    arr = values.to_numpy(dtype=object)
    if set(map(type, arr)) <= _TEXT_TYPES:  # the common case: text and blanks as they are
        out = arr.tolist()
        texts = [v for v in out if v is not None]
        if texts and NOT_XML.search("".join(texts)):
            out = [xml_text(v) if isinstance(v, str) else v for v in out]
        return out
    out = []
    for v in arr:
        if v is None or isinstance(v, str):
            out.append(v)
        elif v is True:
            out.append(schema.BOOL_VALUES[0])
        elif v is False:
            out.append(schema.BOOL_VALUES[1])
        else:
            out.append(plain(v))
    texts = [v for v in out if isinstance(v, str)]
    if texts and NOT_XML.search("".join(texts)):  # rare: one pass over the column finds out
        out = [xml_text(v) if isinstance(v, str) else v for v in out]
    return out


def data_plan(t: SheetTable, *, keep_rows: bool = True, note: str = "", letterhead=None) -> SheetPlan:
    """One data sheet: header row 1 (or a note above it when its rows stayed below), provenance at the right."""
    frame = t.for_writing(provenance=True)
    specs = {c.key: c for c in t.spec.columns}
    cols: list[ColumnPlan] = []
    values: list[list[Value]] = []
    for key in frame.columns:
        c = specs.get(key)
        if c is not None:
            fmt = look.DATE if c.type is ColType.DATE else (look.INTEGER if c.type is ColType.INT else None)
            cols.append(ColumnPlan(key, c.header, c.width, fmt))
        else:
            width = PROVENANCE_WIDTH if key in (schema.SOURCE_UNIT_HEADER, schema.SOURCE_ROW_HEADER) else None
            cols.append(ColumnPlan(str(key), str(key), width))
        if keep_rows:
            values.append(plain_column(frame[key], c.type if c is not None else None))
    rows = list(zip(*values)) if keep_rows and len(frame) else []  # tuples: written as they are, never edited
    titles = (TitleLine(note, look.TITLE, span=len(cols)),) if note else ()
    block = Block(tuple(cols), rows, top=1, left=1, titles=titles, header_style=look.HEADER)
    header = block.header_row
    # no rows, no note: not printed with the book (plans.printing)
    area = SheetPrinting(t.spec.name, True, header, len(cols)).blank_cell if not rows and not note else None
    return SheetPlan(name=t.spec.name, blocks=[block], freeze=f"A{header + 1}",
                     autofilter=f"A{header}:{col_letter(len(cols))}{max(block.last_row, header + 1)}",
                     print_setup=look.table_print(area, letterhead=letterhead, sheet=t.spec.name,
                                                  repeat=(header, header)))


def kv_plan(kv: KVTable, letterhead=None) -> SheetPlan:
    spec = kv.spec
    key_head, value_head = spec.kv_headers
    cols = (ColumnPlan("item", key_head, 16, style=Style(bold=True)), ColumnPlan("value", value_head, 30))
    rows: list[list[Value]] = []
    for c in spec.columns:
        item = kv.items.get(c.key)
        value = None if item is None else item.value
        rows.append([c.header, _kv_value(value, c.type)])
    return SheetPlan(name=spec.name, blocks=[Block(cols, rows, header_style=look.HEADER)],
                     print_setup=look.table_print(letterhead=letterhead, sheet=spec.name, repeat=(1, 1),
                                                  orientation="portrait"))


def _kv_value(value, col_type) -> Value:
    v = plain(value)
    if isinstance(v, float) and col_type is ColType.INT and v.is_integer():
        return int(v)
    if hasattr(v, "hour") and v.hour == v.minute == v.second == 0:
        return v.date()
    return v


def readme_plan(unit: str, files: int, letterhead=None) -> SheetPlan:
    lines = [f"本工作簿由「汇总下级」生成：{unit}，汇总 {files} 个下级工作簿。",
             "各数据表与下级工作簿格式相同，右侧的「来源单位编码」「来源行」指明每一行来自哪个单位工作簿的第几行；"
             "再向上级汇总时保持不变。",
             f"「{schema.SOURCES.name}」列出每个来源文件的处理结果、未报送单位和冲突；"
             f"「{schema.COMPARISON.name}」对比各下级单位。",
             "指标设置和评分规则来自本级，指标汇总和考评结果按汇总后的数据重新计算。"]
    block = Block((ColumnPlan("text", "说明", 100, style=look.WRAP),), [[t] for t in lines],
                  header_style=look.HEADER)
    return SheetPlan(name=schema.README.name, blocks=[block],
                     print_setup=look.table_print(letterhead=letterhead, sheet=schema.README.name, repeat=None))


def input_plans(merged: Book, limited: dict[str, str], unit: str, files: int, letterhead=None) -> list[SheetPlan]:
    """Every sheet of the template in order (说明 first; 概览's formulas are not written)."""
    out = [readme_plan(unit, files, letterhead)]
    for spec in schema.SHEETS:
        if spec.kind is schema.SheetKind.KV:
            out.append(kv_plan(merged.kv[spec.key], letterhead))
        elif spec.kind is schema.SheetKind.DATA:
            t = merged.tables[spec.key]
            note = limited.get(spec.name, "")
            out.append(data_plan(t, keep_rows=not note, note=note, letterhead=letterhead))
    return out


__all__ = ["input_plans", "data_plan", "kv_plan", "plain_column"]
