"""Fill a workbook (usually the template) with values: 基本信息 items and
data rows, addressed by schema keys.

Used by the demo generator and by tests to make workbooks the way a user
would type them: booleans become 是/否, ID lists are joined with 、, dates get
the ``yyyy-mm-dd`` format. Columns are found by their header in the sheet, so
a workbook whose columns were reordered is filled correctly too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from dj_addin import normalize as nz
from dj_addin import schema
from dj_addin.plans.printing import SheetPrinting, prefilled
from dj_addin.schema import ColType, Column, Sheet
from dj_addin.xlsx.printing import settle_sheet

DATE_FORMAT = "yyyy-mm-dd"
_HEADER_SEARCH_ROWS = 10

__all__ = ["fill_workbook", "replace_rows", "append_rows", "set_meta", "set_items", "cell_value"]


def cell_value(col: Column | None, value: Any) -> Any:
    """The value to put in a cell for a Python value of a schema column."""
    if value is None or col is None:
        return value
    if col.type is ColType.BOOL and isinstance(value, bool):
        return schema.BOOL_VALUES[0] if value else schema.BOOL_VALUES[1]
    if col.type is ColType.IDS and isinstance(value, (list, tuple, set, frozenset)):
        return "、".join(str(v) for v in value)
    return value


def _is_date(value: Any) -> bool:
    return isinstance(value, (dt.date, dt.datetime))


def _sheet(wb: Workbook, spec: Sheet) -> Worksheet:
    names = {nz.fold_header(n): n for n in wb.sheetnames}
    name = names.get(nz.fold_header(spec.name))
    if name is None:
        raise KeyError(f"workbook has no sheet {spec.name!r} ({spec.key})")
    return wb[name]


def _header_map(ws: Worksheet, spec: Sheet) -> tuple[int, dict[str, int]]:
    """(header row, folded header → column index), the row matching most schema headers."""
    index = schema.header_index(spec)
    best_row, best_hits, best_map = 1, -1, {}
    for r in range(1, min(ws.max_row, _HEADER_SEARCH_ROWS) + 1):
        found = {nz.fold_header(c.value): c.column for c in ws[r] if c.value not in (None, "")}
        hits = sum(1 for h in found if h in index)
        if hits > best_hits:
            best_row, best_hits, best_map = r, hits, found
    return best_row, best_map


def _typed(value: Any) -> bool:
    """A value someone typed: not blank, not a formula (the template's
    lookup formulas fill rows that are still empty)."""
    return value not in (None, "") and not (isinstance(value, str) and value.startswith("="))


def _last_row(ws: Worksheet, header_row: int) -> int:
    """The last row holding a typed value (styled cells and formulas do not count).

    The sheet's width is taken once: ``ws[r]`` recounts it over every cell for
    each row, which made this scan a quarter of ``dj demo``'s writing. The same
    cells are visited as with ``ws[r]``, so the written files do not change."""
    width = ws.max_column
    for r in range(ws.max_row, header_row, -1):
        if any(_typed(c.value) for c in next(ws.iter_rows(min_row=r, max_row=r, max_col=width))):
            return r
    return header_row


def append_rows(wb: Workbook, sheet_key: str, rows: Iterable[Mapping[str, Any]], *, as_text: bool = False) -> int:
    """Append rows (dicts keyed by schema column key) below the last filled row.

    A key that is not a schema column is written under a header of that
    exact text (added at the end of the header row when missing): that is
    how tests make sheets with extra columns. With ``as_text``, text that
    starts with ``=`` stays text (values taken from another workbook must
    never become formulas); otherwise it is a formula, as if typed.
    Returns the number of rows.
    """
    spec = schema.sheet(sheet_key)
    ws = _sheet(wb, spec)
    header_row, found = _header_map(ws, spec)
    by_key = {c.key: c for c in spec.columns}
    where: dict[str, tuple[int, Column | None]] = {}
    next_col = max(found.values(), default=0) + 1

    def locate(key: str) -> tuple[int, Column | None]:
        nonlocal next_col
        if key not in where:
            col = by_key.get(key)
            header = col.header if col else key
            folded = nz.fold_header(header)
            if folded not in found:
                ws.cell(row=header_row, column=next_col, value=header)
                found[folded] = next_col
                next_col += 1
            where[key] = (found[folded], col)
        return where[key]

    r = _last_row(ws, header_row)
    n = 0
    for row in rows:
        r += 1
        n += 1
        for key, value in row.items():
            if value is None:
                continue
            c, col = locate(key)
            cell = ws.cell(row=r, column=c, value=cell_value(col, value))
            if as_text and cell.data_type == "f":
                cell.data_type = "s"
            if _is_date(value):
                cell.number_format = DATE_FORMAT
    # An empty sheet stays out of printing, one that holds rows prints (up to its last row when the
    # template pre-fills its rows with formulas: plans.printing).
    settle_sheet(ws, SheetPrinting(ws.title, r == header_row, header_row, max(found.values(), default=1),
                                   prefilled(spec), r, len(spec.columns)))
    return n


def replace_rows(wb: Workbook, sheet_key: str, rows: Iterable[Mapping[str, Any]], *, as_text: bool = False) -> int:
    """Remove every data row of a sheet, then write ``rows`` (e.g. to overwrite 指标设置)."""
    spec = schema.sheet(sheet_key)
    ws = _sheet(wb, spec)
    header_row, _ = _header_map(ws, spec)
    if ws.max_row > header_row:
        ws.delete_rows(header_row + 1, ws.max_row - header_row)
    return append_rows(wb, sheet_key, rows, as_text=as_text)


def set_meta(wb: Workbook, meta: Mapping[str, Any]) -> None:
    """Write 基本信息 values by item key (``{"unit_code": "D0101", "year": 2026}``)."""
    set_items(wb, schema.META, meta)


def set_items(wb: Workbook, spec: Sheet, meta: Mapping[str, Any]) -> None:
    """Write the values of a key–value sheet (基本信息, 评分规则) by item key."""
    ws = _sheet(wb, spec)
    rows: dict[str, int] = {}
    key_col, value_col = 1, 2
    for r in range(1, ws.max_row + 1):
        name = nz.fold_header(ws.cell(row=r, column=key_col).value)
        if name:
            rows.setdefault(name, r)
    header = rows.get(nz.fold_header(spec.kv_headers[0]), 0)
    for key, value in meta.items():
        col = spec.column(key)
        r = rows.get(nz.fold_header(col.header))
        if r is None:  # an item the sheet lacks: add it below the others
            r = max(max(rows.values(), default=header), header) + 1
            ws.cell(row=r, column=key_col, value=col.header)
            rows[nz.fold_header(col.header)] = r
        cell = ws.cell(row=r, column=value_col, value=cell_value(col, value))
        if _is_date(value):
            cell.number_format = DATE_FORMAT


def fill_workbook(wb: Workbook, meta: Mapping[str, Any],
                  rows: Mapping[str, Iterable[Mapping[str, Any]]]) -> None:
    """Write 基本信息 values and append rows to data sheets (keys are schema keys)."""
    set_meta(wb, meta)
    for sheet_key, sheet_rows in rows.items():
        append_rows(wb, sheet_key, sheet_rows)
