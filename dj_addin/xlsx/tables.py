"""Grid → typed tables, following the general rules of workbook.md.

The header row is found among the first rows, headers are matched by name
(folded, aliases accepted), columns may come in any order, extra columns are
kept, blank rows are skipped, and every value is parsed by its column type.
A cell that cannot be interpreted keeps its value as found and is flagged.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable

import numpy as np
import pandas as pd

from dj_addin import normalize as nz
from dj_addin.cellref import column_letter
from dj_addin.model import ROW_ID, KVItem, KVTable, SheetTable, origin_frame
from dj_addin.schema import SOURCE_ROW_HEADER, SOURCE_UNIT_HEADER, ColType, Column, Sheet, synonyms_for
from dj_addin.xlsx.grid import Grid, range_ref
from dj_addin.xlsx.headers import HEADER_SEARCH_ROWS, find_header_row, match_columns

__all__ = ["empty_table", "find_header_row", "match_columns", "grid_to_table", "grid_to_kv", "parse_column"]


def empty_table(spec: Sheet) -> SheetTable:
    """A sheet that is not in the workbook: no rows, every column present."""
    t = SheetTable(spec=spec, found=False)
    t.data = _typed_frame(spec, {}, pd.Index([], dtype="int64", name=ROW_ID))
    t.raw = pd.DataFrame({k: pd.Series([], dtype=object) for k in spec.keys}, index=t.data.index)
    t.bad = pd.DataFrame({k: pd.Series([], dtype=bool) for k in spec.keys}, index=t.data.index)
    t.errors = t.bad.copy()
    return t


def _fill_merged(grid: Grid, first_data_row: int) -> list[str]:
    """Give every cell of a merged range inside the data area the range's
    top-left value (S007 says the top-left value is used); return the ranges."""
    found = []
    for r0, c0, r1, c1 in sorted(grid.merged):
        if r1 < first_data_row:
            continue
        found.append(range_ref(r0, c0, r1, c1))
        value = grid.cell(r0, c0)
        for r in range(max(r0, first_data_row), min(r1, len(grid.rows) - 1) + 1):
            row = grid.rows[r]
            if len(row) <= c1:
                row.extend([None] * (c1 + 1 - len(row)))
            for c in range(c0, c1 + 1):
                row[c] = value
    return found


def _parser(col: Column) -> Callable[[Any], Any]:
    t = col.type
    if t is ColType.DATE:
        return nz.parse_date
    if t is ColType.ID:
        return nz.parse_id
    if t is ColType.IDS:
        return nz.parse_ids
    if t is ColType.INT:
        return nz.parse_int
    if t is ColType.NUMBER:
        return nz.parse_number
    if t is ColType.BOOL:
        return nz.parse_bool
    if t is ColType.ENUM:
        syn = synonyms_for(col)
        choices = col.choices
        return lambda v: nz.parse_enum(v, choices, syn)
    return nz.parse_text


def _transpose(rows: list[list[Any]], wanted: list[int]) -> dict[int, tuple[Any, ...]]:
    """Column index → the column's cells (one transposition in C, not a Python
    loop per column); short rows are padded with None."""
    if not wanted:
        return {}
    if not rows:
        return {ci: () for ci in wanted}
    width = max(wanted) + 1
    if min(map(len, rows)) < width:
        rows = [r if len(r) >= width else [*r, *([None] * (width - len(r)))] for r in rows]
    cols = list(zip(*rows))
    return {ci: cols[ci] for ci in wanted}


def _blanked(cells: tuple[Any, ...]) -> tuple[list[Any], np.ndarray]:
    """The cells with every blank one (None, '', white space, NaN) as None, and
    where they hold an Excel error value as text (#N/A…). Both are rare, so
    they are looked for among the distinct values (hashing runs in C)."""
    values = list(cells)
    try:
        distinct = set(values)
    except TypeError:  # unhashable cells (no engine makes them): look at each
        distinct = None
    pool = values if distinct is None else distinct
    blanks = [v for v in pool if (v.__class__ is str and not v.strip()) or (v.__class__ is float and v != v)]
    errors = [v for v in pool if v.__class__ is str and v[:1] == "#" and nz.is_excel_error(v)]
    if blanks:
        if distinct is None:
            values = [None if nz.is_blank(v) else v for v in values]
        else:
            blank = set(blanks)
            values = [None if v in blank else v for v in values]
    flags = np.zeros(len(values), dtype=bool)
    if errors:
        wrong = set(errors)
        flags[[i for i, v in enumerate(values) if v.__class__ is str and v in wrong]] = True
    return values, flags


def _objects(values: list[Any]) -> np.ndarray:
    arr = np.empty(len(values), dtype=object)
    arr[:] = values
    return arr


def parse_column(col: Column, raw: list[Any]) -> tuple[list[Any], list[bool]]:
    """Typed values (blank → column default; unreadable → None) and the bad flags.

    Columns repeat their values (list values, IDs, dates), so each distinct
    value is parsed once.
    """
    parse = _parser(col)
    default = col.default
    try:
        distinct = set(raw)
    except TypeError:  # unhashable values: parse one by one
        distinct = None
    # 1.0, 1 and True are one key in a set; when they may meet, key by class too.
    if distinct is not None and not (0 in distinct or 1 in distinct):
        typed: dict[Any, Any] = {}
        flags: dict[Any, bool] = {}
        for v in distinct:
            p = parse(v)
            typed[v] = None if p is nz.INVALID else (default if p is None else p)
            flags[v] = p is nz.INVALID
        return [typed[v] for v in raw], [flags[v] for v in raw]
    cache: dict[Any, Any] = {}
    values: list[Any] = []
    bad: list[bool] = []
    for v in raw:
        key = (v.__class__, v)
        try:
            p = cache[key]
        except KeyError:
            p = cache[key] = parse(v)
        except TypeError:  # unhashable: parse directly
            p = parse(v)
        if p is nz.INVALID:
            values.append(None)
            bad.append(True)
        else:
            values.append(default if p is None else p)
            bad.append(False)
    return values, bad


def _as_array(col: Column, values: list[Any]) -> np.ndarray:
    if col.type is ColType.DATE:
        return pd.to_datetime(pd.Series(values, dtype=object), errors="coerce").to_numpy(dtype="datetime64[ns]")
    if col.is_numeric:
        return np.array([np.nan if v is None else v for v in values], dtype="float64")
    return _objects(values)


def _typed_frame(spec: Sheet, cols: dict[str, list[Any]], index: pd.Index) -> pd.DataFrame:
    data = {}
    for col in spec.columns:
        values = cols.get(col.key)
        if values is None:
            values = [col.default] * len(index)
        data[col.key] = _as_array(col, values)
    return _frame_of_arrays(data, index)


def _frame_of_arrays(data: dict[str, np.ndarray], index: pd.Index) -> pd.DataFrame:
    """A frame whose columns keep the arrays' dtypes: text stays ``object`` (a plain dict of arrays
    would have pandas infer its string dtype). A Series per column costs more than parsing a small
    sheet, and a book has a dozen sheets of four frames each, so the arrays go in as they are."""
    try:
        return pd.DataFrame._from_arrays(list(data.values()), columns=list(data), index=index,
                                         verify_integrity=False)
    except (AttributeError, TypeError):  # a pandas without it: the public way
        return pd.DataFrame({k: pd.Series(a, index=index, dtype=a.dtype) for k, a in data.items()}, index=index)


def _cell_frame(cols: dict[str, Any], keys: list[str], index: pd.Index, dtype: Any, blank: Any) -> pd.DataFrame:
    """One frame of the schema columns (``raw``, ``bad``, ``errors``) built as one 2-D block:
    a frame of per-column Series costs more than the whole sheet's parse for small sheets."""
    arr = np.full((len(index), len(keys)), blank, dtype=dtype)
    for j, k in enumerate(keys):
        values = cols.get(k)
        if values is not None:
            arr[:, j] = _objects(values) if dtype is object else values
    return pd.DataFrame(arr, index=index, columns=list(keys), dtype=dtype, copy=False)


def grid_to_table(spec: Sheet, grid: Grid) -> SheetTable:
    """Read one data sheet's grid into a ``SheetTable``."""
    hr, _ = find_header_row(grid, spec)
    header = grid.rows[hr] if hr < len(grid.rows) else []
    mapping = match_columns(spec, header, grid.rows[hr + 1:])
    matched, extras, dupes = mapping.matched, mapping.extras, mapping.dupes
    provenance = _provenance_columns(extras)
    merged = _fill_merged(grid, hr + 1)

    body = grid.rows[hr + 1:]
    first = hr + 1  # 0-based grid row of body[0]
    n = len(body)
    columns = _transpose(body, [*matched.values(), *extras.values(), *provenance.values()])
    # Blank cells (None, '', white space) become None; the values as found are kept otherwise.
    # Excel error values: reported by the engine (blanked cells) or kept as text.
    raw_cols: dict[str, list[Any]] = {}
    err_cols: dict[str, np.ndarray] = {}
    for k, ci in matched.items():
        raw_cols[k], flags = _blanked(columns[ci])
        values = raw_cols[k]
        for (r, c), text in grid.errors.items():
            if c == ci and r >= first:
                flags[r - first] = True
                values[r - first] = text
        err_cols[k] = flags

    # A row is blank when every schema column is empty (extra columns do not count).
    keep = np.zeros(n, dtype=bool)
    for values in raw_cols.values():
        keep |= ~pd.isna(_objects(values))
    rows = np.flatnonzero(keep)
    excel_rows = (rows + first + 1).tolist()
    idx = pd.Index(excel_rows, dtype="int64", name=ROW_ID)  # the row id: the Excel row, as read

    everything = len(rows) == n

    def pick(values: list[Any]) -> list[Any]:
        return values if everything else _objects(values)[rows].tolist()

    raw_cols = {k: pick(vs) for k, vs in raw_cols.items()}
    err_cols = {k: vs if everything else vs[rows] for k, vs in err_cols.items()}
    extra_cols = {h: pick(list(columns[ci])) for h, ci in extras.items()}
    source_cols = {k: pick(list(columns[ci])) for k, ci in provenance.items()}
    typed: dict[str, list[Any]] = {}
    bad: dict[str, list[bool]] = {}
    for k, values in raw_cols.items():
        errs = err_cols[k]
        cleaned = [None if e else v for v, e in zip(values, errs.tolist())] if errs.any() else values
        typed[k], bad[k] = parse_column(spec.column(k), cleaned)

    t = SheetTable(spec=spec, found=True, name=grid.name, header_row=hr + 1)
    t.columns = {k: column_letter(ci + 1) for k, ci in matched.items()}
    t.headers_found = {k: str(header[ci]).strip() for k, ci in matched.items()}
    t.extra_columns = {h: column_letter(ci + 1) for h, ci in extras.items()}
    t.provenance_columns = {k: column_letter(ci + 1) for k, ci in provenance.items()}
    t.duplicate_columns = {k: [column_letter(c + 1) for c in cs] for k, cs in dupes.items()}
    t.header_notes = dict(mapping.notes)
    t.merged_ranges = merged
    t.last_row = max(len(grid.rows), hr + 1)
    data = _typed_frame(spec, typed, idx)
    if extra_cols:  # one concat: thousands of extra columns added one by one fragment the frame
        extra = {(h if h not in data.columns else f"{h}（原表）"): pd.Series(values, index=idx, dtype=object)
                 for h, values in extra_cols.items()}
        data = pd.concat([data, pd.DataFrame(extra, index=idx)], axis=1)
    t.data = data
    t.origin = _origin(excel_rows, {k: pick(vs) for k, vs in source_cols.items()})
    t.raw = _cell_frame(raw_cols, spec.keys, idx, object, None)
    t.bad = _cell_frame(bad, spec.keys, idx, bool, False)
    t.errors = _cell_frame(err_cols, spec.keys, idx, bool, False)
    return t


_PROVENANCE_HEADERS = {nz.fold_header(SOURCE_UNIT_HEADER): "source_unit", nz.fold_header(SOURCE_ROW_HEADER): "source_row"}


def _provenance_columns(extras: dict[str, int]) -> dict[str, int]:
    """Take 来源单位编码 and 来源行 (the columns a merge adds) out of the extra
    columns: they are the rows' provenance, not unknown columns (S004)."""
    found: dict[str, int] = {}
    for h in list(extras):
        key = _PROVENANCE_HEADERS.get(nz.fold_header(h))
        if key is not None and key not in found:
            found[key] = extras.pop(h)
    return found


def _origin(excel_rows: list[int], source: dict[str, list[Any]]) -> pd.DataFrame:
    """Excel rows and, when the sheet carries them, 来源单位编码/来源行 as found;
    a blank or unreadable source keeps ``None`` for the unit (the reader fills
    in the book's own 单位编码) and the Excel row for the row."""
    units = [None] * len(excel_rows)
    if "source_unit" in source:
        units = [u if u is not None and u is not nz.INVALID else None for u in map(nz.parse_id, source["source_unit"])]
    src_rows = excel_rows
    if "source_row" in source:
        src_rows = [int(r) if r.__class__ is float and 0 < r < 2**31 else own
                    for r, own in zip(map(nz.parse_int, source["source_row"]), excel_rows)]
    return origin_frame(excel_rows, units, src_rows)


def grid_to_kv(spec: Sheet, grid: Grid) -> KVTable:
    """Read a key–value sheet (项目 | 内容): items are found by name in any row."""
    items_by_name = {nz.fold_header(c.header): c for c in spec.columns}
    kv = KVTable(spec=spec, found=True, name=grid.name)
    key_col, value_col, start = 0, 1, 0
    for r in range(min(HEADER_SEARCH_ROWS, len(grid.rows))):
        row = grid.rows[r]
        folded = [nz.fold_header(v) for v in row]
        if nz.fold_header(spec.kv_headers[0]) in folded:
            key_col = folded.index(nz.fold_header(spec.kv_headers[0]))
            value_col = key_col + 1
            for name in (spec.kv_headers[1], "内容", "值"):
                if nz.fold_header(name) in folded:
                    value_col = folded.index(nz.fold_header(name))
                    break
            start = r + 1
            break
    for r in range(start, len(grid.rows)):
        name = nz.fold_header(grid.cell(r, key_col))
        if not name:
            continue
        raw = grid.cell(r, value_col)
        if (r, value_col) in grid.errors:
            raw = grid.errors[(r, value_col)]
        col = items_by_name.get(name)
        if col is None:
            kv.unknown_items[str(grid.cell(r, key_col)).strip()] = KVItem(
                value=nz.parse_text(raw), raw=raw, row=r + 1, column=column_letter(value_col + 1))
            continue
        value = nz.INVALID if nz.is_excel_error(raw) else _parser(col)(raw)
        item = KVItem(value=value, raw=None if nz.is_blank(raw) else raw, row=r + 1, column=column_letter(value_col + 1))
        if col.key in kv.items:  # the first occurrence counts; later ones are reported (S005)
            kv.duplicate_items.setdefault(col.key, []).append(item)
            continue
        kv.items[col.key] = item
    return kv
