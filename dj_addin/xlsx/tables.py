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
from dj_addin.frames import block_frame, frame_of
from dj_addin.model import ROW_ID, KVItem, KVTable, SheetTable, origin_frame
from dj_addin.schema import SOURCE_ROW_HEADER, SOURCE_UNIT_HEADER, ColType, Column, Sheet
from dj_addin.xlsx.columns import by_value, columns_of, found_cells, parse_cells, parse_column, parse_distinct, parser_for
from dj_addin.xlsx.grid import Grid, range_ref
from dj_addin.xlsx.headers import HEADER_SEARCH_ROWS, find_header_row, match_columns

__all__ = ["empty_table", "find_header_row", "match_columns", "grid_to_table", "grid_to_kv", "parse_column"]


def empty_table(spec: Sheet) -> SheetTable:
    """A sheet that is not in the workbook: no rows, every column present."""
    index = pd.Index([], dtype="int64", name=ROW_ID)
    raw, bad, errors = _as_found_frames(spec, {}, {}, {}, index)
    return SheetTable(spec=spec, found=False, data=_typed_frame(spec, {}, index), raw=raw, bad=bad, errors=errors,
                      origin=origin_frame([]))


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


def _typed_array(col: Column, values: np.ndarray | None, n: int) -> np.ndarray:
    """A column's typed values as the frame holds them: ``datetime64[ns]`` for
    dates, ``float64`` for numbers, objects otherwise (``None`` for a blank)."""
    if values is None:
        values = np.empty(n, dtype=object)
        values.fill(col.default)  # one object in every cell, as [default] * n
    elif values.dtype != object:  # typed already
        return values
    if col.type is ColType.DATE:
        return _dates(values)
    if col.is_numeric:
        numbers = np.array(values, dtype=object)  # a copy: None → NaN in place
        numbers[pd.isna(numbers)] = np.nan
        return numbers.astype("float64")
    return values


_EPOCH = dt.date(1970, 1, 1).toordinal()
_DAY_NS = 86_400 * 10**9
_NAT = np.datetime64("NaT", "ns").view("int64")
_NS_DAYS = (dt.date(1678, 1, 1).toordinal() - _EPOCH, dt.date(2261, 12, 31).toordinal() - _EPOCH)  # within datetime64[ns]
_DATE_KINDS = frozenset({dt.date, type(None)})


def _dates(values: np.ndarray) -> np.ndarray:
    """Typed dates (``datetime.date`` or None) as ``datetime64[ns]``, blank as NaT.

    pandas' ``to_datetime`` costs a quarter of a millisecond even for a few
    dates, so plain dates in numpy's range are counted in days here; anything
    else goes to pandas (``errors='coerce'``), which gives the same for these."""
    cells = values.tolist()
    if not set(map(type, cells)) <= _DATE_KINDS:
        return pd.to_datetime(values, errors="coerce").as_unit("ns").to_numpy()
    days = np.fromiter((_NAT if v is None else v.toordinal() - _EPOCH for v in cells), dtype="int64", count=len(cells))
    known = days != _NAT
    if known.any() and not (_NS_DAYS[0] <= days[known].min() and days[known].max() <= _NS_DAYS[1]):
        return pd.to_datetime(values, errors="coerce").as_unit("ns").to_numpy()
    days[known] *= _DAY_NS
    return days.view("datetime64[ns]")


def _typed_frame(spec: Sheet, cols: dict[str, np.ndarray], index: pd.Index,
                 extra: dict[str, np.ndarray] | None = None) -> pd.DataFrame:
    """Every schema column typed (``_typed_array``), then the extra columns as found."""
    n = len(index)
    data = {col.key: _typed_array(col, cols.get(col.key), n) for col in spec.columns}
    own = set(data)
    for h, values in (extra or {}).items():  # a header that is also a schema key is marked as the sheet's own
        data[h if h not in own else f"{h}（原表）"] = values
    return frame_of(data, index)


def _as_found_frames(spec: Sheet, raw: dict[str, np.ndarray], bad: dict[str, np.ndarray],
                     errors: dict[str, np.ndarray], index: pd.Index) -> tuple[pd.DataFrame, ...]:
    """``raw`` (objects, ``None`` where a column is missing), ``bad`` and
    ``errors`` (``False`` where it is missing): one block each."""
    keys = spec.keys
    n = len(index)
    out = []
    for cols, block in ((raw, np.empty((len(keys), n), dtype=object)), (bad, np.zeros((len(keys), n), dtype=bool)),
                        (errors, np.zeros((len(keys), n), dtype=bool))):
        for i, k in enumerate(keys):
            if k in cols:
                block[i] = cols[k]
        out.append(block_frame(block, keys, index))
    return tuple(out)


def grid_to_table(spec: Sheet, grid: Grid, unit: str | None = None) -> SheetTable:
    """Read one data sheet's grid into a ``SheetTable``; ``unit`` (the book's
    单位编码) is the source unit of the rows when the sheet has no 来源单位编码."""
    hr, _ = find_header_row(grid, spec)
    header = grid.rows[hr] if hr < len(grid.rows) else []
    mapping = match_columns(spec, header, grid.rows[hr + 1:])
    matched, extras, dupes = mapping.matched, mapping.extras, mapping.dupes
    provenance = _provenance_columns(extras)
    merged = _fill_merged(grid, hr + 1)

    body = grid.rows[hr + 1:]
    first = hr + 1  # 0-based grid row of body[0]
    n = len(body)
    columns = columns_of(body, [*matched.values(), *extras.values(), *provenance.values()])
    # Blank cells (None, '', white space) become None; the values as found are kept otherwise.
    # Excel error values: reported by the engine (blanked cells) or kept as text.
    errors_by_column: dict[int, list[tuple[int, str]]] = {}
    for (r, c), text in grid.errors.items():
        if first <= r < first + n:
            errors_by_column.setdefault(c, []).append((r - first, text))
    found = {k: found_cells(columns[ci], errors_by_column.get(ci, ())) for k, ci in matched.items()}

    # A row is blank when every schema column is empty (extra columns do not count).
    keep = np.zeros(n, dtype=bool)
    for cells in found.values():
        keep |= cells.filled()
    rows = np.flatnonzero(keep)
    excel_rows = (rows + first + 1).astype("int64")
    idx = pd.Index(excel_rows, dtype="int64", name=ROW_ID)  # the row id: the Excel row, as read

    everything = len(rows) == n

    def pick(values: np.ndarray) -> np.ndarray:
        return values if everything else values[rows]

    if not everything:
        found = {k: cells.take(rows) for k, cells in found.items()}
    raw_cols = {k: cells.values for k, cells in found.items()}
    err_cols = {k: cells.errors for k, cells in found.items()}
    extra_cols = {h: pick(columns[ci]) for h, ci in extras.items()}
    source_cols = {k: pick(columns[ci]) for k, ci in provenance.items()}
    typed: dict[str, np.ndarray] = {}
    bad: dict[str, np.ndarray] = {}
    for k, cells in found.items():
        col = spec.column(k)
        coded = parse_distinct(col, cells)
        if coded is None:
            typed[k], bad[k] = parse_cells(col, cells)
        else:  # dates and numbers made numpy's once per distinct value
            values, flags, codes = coded
            typed[k], bad[k] = _typed_array(col, values, len(values))[codes], flags[codes]

    raw, bad_frame, errors = _as_found_frames(spec, raw_cols, bad, err_cols, idx)
    return SheetTable(
        spec=spec, found=True, name=grid.name, header_row=hr + 1,
        columns={k: column_letter(ci + 1) for k, ci in matched.items()},
        headers_found={k: str(header[ci]).strip() for k, ci in matched.items()},
        extra_columns={h: column_letter(ci + 1) for h, ci in extras.items()},
        provenance_columns={k: column_letter(ci + 1) for k, ci in provenance.items()},
        duplicate_columns={k: [column_letter(c + 1) for c in cs] for k, cs in dupes.items()},
        header_notes=dict(mapping.notes), merged_ranges=merged, last_row=max(len(grid.rows), hr + 1),
        data=_typed_frame(spec, typed, idx, extra_cols),
        origin=_origin(excel_rows, {k: pick(vs) for k, vs in source_cols.items()}, unit, idx),
        raw=raw, bad=bad_frame, errors=errors)


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


def _origin(excel_rows: np.ndarray, source: dict[str, np.ndarray], unit: str | None, index: pd.Index) -> pd.DataFrame:
    """Excel rows and, when the sheet carries them, 来源单位编码/来源行 as found;
    a blank or unreadable source keeps ``None`` for the unit (the reader fills
    in the book's own 单位编码) and the Excel row for the row. Without
    来源单位编码 every row is the book's own: its unit is ``unit``."""
    src_rows = excel_rows
    if "source_row" in source:
        src_rows = [int(r) if r.__class__ is float and 0 < r < 2**31 else own
                    for r, own in zip(by_value(nz.parse_int, source["source_row"]), excel_rows.tolist())]
    if "source_unit" not in source:
        units = np.empty(len(excel_rows), dtype=object)
        units.fill(unit)
        return frame_of({"row": excel_rows, "source_unit": units,
                         "source_row": np.asarray(src_rows, dtype="int64")}, index)
    units = [u if u is not None and u is not nz.INVALID else None for u in by_value(nz.parse_id, source["source_unit"])]
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
        value = nz.INVALID if nz.is_excel_error(raw) else parser_for(col)(raw)
        item = KVItem(value=value, raw=None if nz.is_blank(raw) else raw, row=r + 1, column=column_letter(value_col + 1))
        if col.key in kv.items:  # the first occurrence counts; later ones are reported (S005)
            kv.duplicate_items.setdefault(col.key, []).append(item)
            continue
        kv.items[col.key] = item
    return kv
