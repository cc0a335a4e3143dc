"""Plans of the merged workbook's input sheets, in the template's shape.

基本信息 and 评分规则 as 项目/内容 pairs; every data sheet with the template's
headers in template order, the extra columns the inputs had, then
来源单位编码 and 来源行 at the right; values as found where a cell could not
be interpreted (``SheetTable.for_writing``), 是/否 as text, lists joined
with '、'. Rows are turned into plain values column by column (vectorised):
a university merge writes millions of cells.

What the template has for the one who fills or merges the workbook again
comes from the template's own plans: the drop-downs, number ranges and input
hints on the same columns with the same lists (``plans.inputs``, with the
hidden list sheet), the column formats (IDs as text), the tab colours, and
概览 with its native formulas (``template.pages.overview_plan``), which count
the merged rows because the data sheets keep the template's columns.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from dj_addin import schema
from dj_addin.model import Book, KVTable, SheetTable
from dj_addin.plans import look
from dj_addin.plans.inputs import (DATA_ROWS, ListSources, column_format, kv_format, kv_hint, kv_validations,
                                   sheet_validations)
from dj_addin.plans.printing import SheetPrinting
from dj_addin.plans.types import Block, Cell, ColumnPlan, SheetPlan, Style, TitleLine, Value, col_letter
from dj_addin.plans.values import plain
from dj_addin.schema import ColType
from dj_addin.template.layout import (HEADER_HEIGHT, HEADER_OPTIONAL, HEADER_REQUIRED, NOTE_STYLE, PLAIN_FONT,
                                      PLAIN_GRID, TAB_DATA, TAB_INFO, TAB_KV)
from dj_addin.template.overview import merged_fixed_figures
from dj_addin.template.pages import overview_plan
from dj_addin.template.text import SCORING_NOTES
from dj_addin.xlsx.xmltext import NOT_XML, xml_text

PROVENANCE_WIDTH = 14
_TEXT_TYPES = frozenset({str, type(None)})
FONT = {"font_name": PLAIN_FONT.font_name, "charset": PLAIN_FONT.charset}
ROOM_ROWS = 1000  # drop-downs reach this many rows below the last merged row (at least to DATA_ROWS)


def plain_column(values: pd.Series, col_type: ColType | None) -> list[Value]:
    """One column as plain values, fast for the common dtypes."""
    if isinstance(values.dtype, np.dtype) and values.dtype.kind == "M":
        fast = _plain_dates(values.to_numpy(), col_type)
        if fast is not None:
            return fast
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return _pydatetimes(values, col_type)
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


def _pydatetimes(values: pd.Series, col_type: ColType | None) -> list[Value]:
    """A date column cell by cell through pandas (any date dtype, time zones included)."""
    arr = values.dt.to_pydatetime() if hasattr(values, "dt") else values
    out = [None if v is None or v is pd.NaT or (isinstance(v, float) and math.isnan(v)) else v for v in arr]
    if col_type is ColType.DATE:
        return [v.date() if v is not None and v.hour == v.minute == v.second == 0 else v for v in out]
    return out


def _plain_dates(arr: np.ndarray, col_type: ColType | None) -> list[Value] | None:
    """A numpy date column as ``plain_column`` gives it (None for NaT; ``datetime``, or ``date``
    at midnight in a DATE column), converted by numpy; None when a value has a part below a
    microsecond (Python's datetime cannot hold it: the slow path decides)."""
    micro = arr.astype("datetime64[us]")
    blank = np.isnat(arr)
    if not (blank | (micro == arr)).all():
        return None
    out = micro.astype(object)  # datetime.datetime; NaT → None
    if col_type is ColType.DATE:
        days = arr.astype("datetime64[D]")
        midnight = ~blank & (arr - days < np.timedelta64(1, "s"))  # as the slow path: below a second is midnight
        out[midnight] = days[midnight].astype(object)  # datetime.date
    return out.tolist()


def data_plan(t: SheetTable, *, keep_rows: bool = True, note: str = "", letterhead=None,
              lists: ListSources | None = None) -> SheetPlan:
    """One data sheet: header row 1 (or a note above it when its rows stayed below), provenance at the right;
    the template's drop-downs and hints on its columns (long lists in ``lists``)."""
    frame = t.for_writing(provenance=True)
    specs = {c.key: c for c in t.spec.columns}
    cols: list[ColumnPlan] = []
    values: list[list[Value]] = []
    for key in frame.columns:
        c = specs.get(key)
        if c is not None:
            fmt = look.DATE if c.type is ColType.DATE else (look.INTEGER if c.type is ColType.INT else None)
            cols.append(ColumnPlan(key, c.header, c.width, fmt, column_format=column_format(c),
                                   header_style=HEADER_REQUIRED if c.required else HEADER_OPTIONAL))
        else:
            width = PROVENANCE_WIDTH if key in (schema.SOURCE_UNIT_HEADER, schema.SOURCE_ROW_HEADER) else None
            cols.append(ColumnPlan(str(key), str(key), width))
        if keep_rows:
            values.append(plain_column(frame[key], c.type if c is not None else None))
    rows = list(zip(*values)) if keep_rows and len(frame) else []  # tuples: written as they are, never edited
    titles = (TitleLine(note, look.TITLE, span=len(cols)),) if note else ()
    block = Block(tuple(cols), rows, top=1, left=1, titles=titles, header_style=look.HEADER,  # added columns purple
                  header_height=HEADER_HEIGHT)
    header = block.header_row
    letters = {c.key: col_letter(i) for i, c in enumerate(cols, start=1) if c.key in specs}
    bottom = max(DATA_ROWS, block.last_row + ROOM_ROWS)
    validations = sheet_validations(t.spec, letters, block.first_row, bottom, lists or ListSources())
    # no rows, no note: not printed with the book (plans.printing)
    area = SheetPrinting(t.spec.name, True, header, len(cols)).blank_cell if not rows and not note else None
    return SheetPlan(name=t.spec.name, blocks=[block], freeze=f"A{header + 1}",
                     autofilter=f"A{header}:{col_letter(len(cols))}{max(block.last_row, header + 1)}",
                     print_setup=look.table_print(area, letterhead=letterhead, sheet=t.spec.name,
                                                  repeat=(header, header)),
                     tab_color=TAB_KV if t.spec is schema.QUOTAS else TAB_DATA, validations=validations)


def kv_plan(kv: KVTable, letterhead=None, lists: ListSources | None = None) -> SheetPlan:
    """A 项目/内容 sheet as the template has it: the items, their values (shares as percentages), the
    note beside each (评分规则: 含义, what each item means), the drop-downs and ranges of the values."""
    spec = kv.spec
    key_head, value_head = spec.kv_headers
    cols = (ColumnPlan("item", key_head, 22, style=Style(bold=True, border=PLAIN_GRID, **FONT),
                       header_style=HEADER_REQUIRED),
            ColumnPlan("value", value_head, 30, style=Style(horizontal="left", border=PLAIN_GRID),
                       header_style=HEADER_REQUIRED))
    rows: list[list[Value]] = []
    formats: dict[tuple[int, str], str] = {}
    cells: list[Cell] = []
    scoring = spec is schema.SCORING_RULES
    if scoring:
        cells.append(Cell("C1", "含义", HEADER_OPTIONAL))
    for i, c in enumerate(spec.columns):
        item = kv.items.get(c.key)
        value = None if item is None else item.value
        rows.append([c.header, _kv_value(value, c.type)])
        fmt = kv_format(c)
        if fmt:
            formats[(i, "value")] = fmt
        note = SCORING_NOTES.get(c.key, "") if scoring else kv_hint(c)
        if note:
            cells.append(Cell(f"C{i + 2}", note, Style(border=PLAIN_GRID, **FONT) if scoring else NOTE_STYLE))
    validations = kv_validations(spec, {c.key: r for r, c in enumerate(spec.columns, start=2)}, lists or ListSources())
    block = Block(cols, rows, header_style=look.HEADER, cell_formats=formats)
    return SheetPlan(name=spec.name, blocks=[block], freeze="A2", widths={3: 50}, cells=cells,
                     print_setup=look.table_print(letterhead=letterhead, sheet=spec.name, repeat=(1, 1),
                                                  orientation="portrait"), tab_color=TAB_KV, validations=validations)


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
    return SheetPlan(name=schema.README.name, blocks=[block], tab_color=TAB_INFO,
                     print_setup=look.table_print(letterhead=letterhead, sheet=schema.README.name, repeat=None))


def input_plans(merged: Book, limited: dict[str, str], unit: str, files: int, letterhead=None,
                lists: ListSources | None = None, today: dt.date | None = None) -> list[SheetPlan]:
    """Every sheet of the template in order: 说明, 概览 (the template's formulas), then the data and
    项目/内容 sheets. 概览's member-by-member figure is a value counted on ``today`` (see
    ``overview.merged_fixed_figures``). The long drop-down lists go to ``lists``, whose hidden
    sheet (``lists.plan()``) the caller writes last, as the template has it."""
    lists = lists if lists is not None else ListSources()
    out = []
    for spec in schema.SHEETS:
        if spec.kind is schema.SheetKind.INFO:
            out.append(readme_plan(unit, files, letterhead))
        elif spec.kind is schema.SheetKind.FORMULA:
            out.append(overview_plan(merged_fixed_figures(merged, today or dt.date.today())))
        elif spec.kind is schema.SheetKind.KV:
            out.append(kv_plan(merged.kv[spec.key], letterhead, lists))
        elif spec.kind is schema.SheetKind.DATA:
            t = merged.tables[spec.key]
            note = limited.get(spec.name, "")
            out.append(data_plan(t, keep_rows=not note, note=note, letterhead=letterhead, lists=lists))
    return out


__all__ = ["input_plans", "data_plan", "kv_plan", "plain_column"]
