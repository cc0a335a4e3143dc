"""A sheet as a plain grid of cell values, whatever read it.

Engines (python-calamine for files, openpyxl for comparison, xlwings for a
live workbook) only have to produce a ``Grid``; turning a grid into typed
tables is the same code for all of them (``tables.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from dj_addin.cellref import column_letter, column_number


@dataclass
class Grid:
    """Cell values of one sheet starting at A1 (rows[0] is Excel row 1).

    Empty cells are ``None``; merged ranges are 0-based inclusive
    ``(row0, col0, row1, col1)``; ``errors`` holds Excel error values by
    position (readers that blank them out still report them here).
    """

    name: str
    rows: list[list[Any]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    errors: dict[tuple[int, int], str] = field(default_factory=dict)

    def cell(self, r: int, c: int) -> Any:
        if r < len(self.rows) and c < len(self.rows[r]):
            return self.rows[r][c]
        return None


def range_ref(r0: int, c0: int, r1: int, c1: int) -> str:
    return f"{column_letter(c0 + 1)}{r0 + 1}:{column_letter(c1 + 1)}{r1 + 1}"


# Sheet name → the last row worth reading (the scan's last row holding something).
GridReader = Callable[[Path, list[str], "dict[str, int] | None"], dict[str, Grid]]


def read_grids_calamine(path: Path, names: list[str], nrows: dict[str, int] | None = None) -> dict[str, Grid]:
    """python-calamine: the fastest correct reader measured here (README).
    ``nrows`` stops each sheet at its last row holding something, so a formula
    filled down to row 1,048,576 costs its parsing, not a million Python rows."""
    import python_calamine as pc

    out: dict[str, Grid] = {}
    with open(path, "rb") as fh:
        wb = pc.CalamineWorkbook.from_filelike(fh)
        for name in names:
            sh = wb.get_sheet_by_name(name)
            limit = (nrows or {}).get(name)
            merged = [(a[0], a[1], b[0], b[1]) for a, b in (sh.merged_cell_ranges or [])]
            rows = sh.to_python(skip_empty_area=False, nrows=limit) if limit else sh.to_python(skip_empty_area=False)
            del sh  # calamine's own copy of the sheet goes before the grid is made
            out[name] = Grid(name=name, rows=_empty_as_none(rows), merged=merged)
    return out


def _empty_as_none(rows: list[list[Any]]) -> list[list[Any]]:
    """calamine's '' for an empty cell → None, as every grid holds it.

    calamine's rows are all as wide as the sheet, so they are compared as one
    array (numpy loops in C: 4.8 million cells in a fraction of a second,
    against seconds cell by cell in Python). ``rows`` is emptied once the array
    holds its values, so that two copies of a big sheet's rows never live at once."""
    if not rows:
        return rows
    cells = np.array(rows, dtype=object)
    if cells.ndim != 2:  # rows of unequal width: cell by cell
        return [[None if v == "" else v for v in row] for row in rows]
    rows.clear()
    cells[cells == ""] = None
    return cells.tolist()


def read_grids_openpyxl(path: Path, names: list[str], nrows: dict[str, int] | None = None) -> dict[str, Grid]:
    """openpyxl read-only mode; kept for comparison and as a fallback."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        out: dict[str, Grid] = {}
        for name in names:
            ws = wb[name]
            limit = (nrows or {}).get(name)
            rows = [list(r) for r in ws.iter_rows(values_only=True, max_row=limit or None)]
            out[name] = Grid(name=name, rows=rows, merged=_merged_from_xml(path, name))
        return out
    finally:
        wb.close()


def read_grid_sparse(path: Path, name: str, max_row: int | None = None) -> Grid:
    """One sheet whose cells reach far beyond its data (a stray value at
    XFD1048576): openpyxl streams the rows that exist instead of allocating the
    whole rectangle, so the cost follows the cells, not the extent."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        ws = wb[name]
        ws.reset_dimensions()  # ignore <dimension>: read what is there
        rows = [list(r) for r in ws.iter_rows(values_only=True, max_row=max_row or None)]
        return Grid(name=name, rows=rows, merged=_merged_from_xml(path, name))
    finally:
        wb.close()


def _merged_from_xml(path: Path, name: str) -> list[tuple[int, int, int, int]]:
    import re
    import zipfile

    from dj_addin.xlsx.parts import sheet_parts

    parts = sheet_parts(path, [name])  # the part the workbook references, nothing else
    with zipfile.ZipFile(path) as zf:
        data = zf.read(parts[name])
    out = []
    for m in re.finditer(rb'<mergeCell ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"', data):
        out.append((int(m.group(2)) - 1, column_number(m.group(1).decode()) - 1,
                    int(m.group(4)) - 1, column_number(m.group(3).decode()) - 1))
    return out


ENGINES: dict[str, GridReader] = {
    "calamine": read_grids_calamine,
    "openpyxl": read_grids_openpyxl,
}
