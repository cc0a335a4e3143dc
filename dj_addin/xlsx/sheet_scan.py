"""One pass over a sheet's XML before any reader builds a grid.

The facts a dense reader cannot be trusted to find, or would need gigabytes
to find: the Excel error cells (calamine blanks them), how far the cells
reach, and how many rows and columns hold something (the limits of
README's 'Reading workbooks' are checked on these counts).
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from dj_addin.cellref import column_number
from dj_addin.errors import UnreadableFile

__all__ = ["SheetScan", "scan_sheet"]

_ERROR_CELL = re.compile(
    rb'<(?:\w+:)?c r="([A-Z]+)(\d+)"[^>]*?t="e"[^>]*>(?:<(?:\w+:)?f[^>]*?(?:/>|>.*?</(?:\w+:)?f>))?'
    rb'<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>')
# Literal-led patterns: a 50,000-row sheet scans in tens of milliseconds.
_ROW_FAST = re.compile(rb'row r="(\d+)"')  # <row r=…> and <x:row r=…>, as Excel and others write it
_ROW_TAG = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="(\d+)"')  # any attribute order (slower)
_CELL_REF = re.compile(rb' r="([A-Z]{1,3})(\d+)"')
_CELL_LETTERS = re.compile(rb' r="([A-Z]{1,3})\d')  # the column of every cell, in one pass
# A cell that holds something: a value that is not empty, or an inline string.
# Two literal-led patterns (fast) for the last such row; the full cell pattern
# (slow, only for sheets reaching past the column limit) for the columns too.
_CONTENT_STARTS = tuple(re.compile(p) for p in (rb'<v>[^<]', rb':v>[^<]', rb'<is>', rb':is>'))
_VALUED_CELL = re.compile(
    rb'<(?:\w+:)?c r="([A-Z]{1,3})(\d+)"[^>]*>(?:<(?:\w+:)?f\b[^>]*?(?:/>|>[^<]*</(?:\w+:)?f>))?'
    rb'<(?:\w+:)?(?:v>[^<]|is>)')
_LAST_REF = re.compile(rb' r="[A-Z]{0,3}(\d+)"')
_LETTER_SLICE = 16 * 1024 * 1024  # bytes of sheet XML per pass of the column-letter pattern


@dataclass(frozen=True)
class SheetScan:
    """What one pass over a sheet's XML tells before a reader builds a grid:
    the Excel error cells (readers such as calamine blank them), how far the
    cells reach (a dense reader allocates rows × columns, so one stray cell at
    XFD1048576 would need gigabytes), and how many rows and columns hold
    something (upper bounds; exact when they exceed the limits asked about)."""

    errors: dict[tuple[int, int], str]
    max_row: int  # 1-based; 0 for an empty sheet
    max_col: int  # 1-based
    filled_rows: int = 0
    filled_cols: int = 0

    @property
    def extent(self) -> int:
        return self.max_row * self.max_col


def scan_sheet(path: Path, part: str, *, rows_above: int | None = None, cells_above: int | None = None,
               cols_above: int | None = None, zf: zipfile.ZipFile | None = None,
               data: bytes | None = None) -> SheetScan:
    """One unzip and a few regular-expression passes over one sheet part.

    The row and cell tags are read first (fast). Only when they pass a limit
    the caller names are the cells that hold something looked at: a formula
    filled down to row 1,048,576 whose results are empty touches every row
    but fills three thousand. ``rows_above``: rows (tags) beyond which the
    filled rows are counted; ``cells_above``: an extent beyond which the last
    filled row is found; ``cols_above``: columns (tags) beyond which the filled
    columns are counted (slower passes, for rare sheets only). ``zf``: the
    package already open (the reader scans all its sheets); ``data``: the part's
    bytes, already inflated and checked (``check_package(keep_sheets=True)``)."""

    try:
        if data is None and zf is not None:
            data = zf.read(part)
        elif data is None:
            with zipfile.ZipFile(path) as z:
                data = z.read(part)
    except KeyError:
        return SheetScan({}, 0, 0)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise UnreadableFile(
            f"文件「{path.name}」中的工作表数据已损坏；请用 Excel 打开修复后另存，"
            "或请对方重新发送。") from exc
    rows = _ROW_FAST.findall(data) or _ROW_TAG.findall(data)
    if not rows:  # rows without numbers: fall back to the cells' own references
        rows = list(dict.fromkeys(m.group(2) for m in _CELL_REF.finditer(data)))
    letters = _column_letters(data)
    max_col = max((column_number(w.decode()) for w in letters), default=0) or (1 if data else 0)
    # row tags are unique in a sound sheet; a repeat only overstates the count; a column
    # with a cell may still hold nothing, so the columns are an upper bound too
    max_row, filled_rows, filled_cols = max(map(int, rows), default=0), len(rows), len(letters)
    counted: tuple[int, set[bytes]] | None = None
    if (rows_above is not None and filled_rows > rows_above) or \
            (cells_above is not None and max_row * max_col > cells_above):
        last = _last_content_row(data)
        max_row = min(max_row, last)
        filled_rows = min(filled_rows, last)
        if rows_above is not None and filled_rows > rows_above:
            counted = _filled(data)
            filled_rows = counted[0]
    if cols_above is not None and filled_cols > cols_above:
        counted = counted or _filled(data)
        filled_cols = len(counted[1])
    errors: dict[tuple[int, int], str] = {}
    if b't="e"' in data:
        for m in _ERROR_CELL.finditer(data):
            errors[(int(m.group(2)) - 1, column_number(m.group(1).decode()) - 1)] = m.group(3).decode("utf-8", "replace")
    return SheetScan(errors, max_row, max_col, filled_rows, filled_cols)


def _column_letters(data: bytes) -> set[bytes]:
    """The column letters that cells use, from one pass over the cell references.

    One pass, not one per letter: the width decides between the dense and the
    sparse reader, and 26 substring searches of a 230 MB sheet took seconds.
    The references are collected a slice at a time, so the list of matches
    stays small whatever the sheet holds."""
    letters: set[bytes] = set()
    step = _LETTER_SLICE
    for start in range(0, len(data), step):
        # a reference cut at the slice's end is found whole by the next slice's lead-in
        letters.update(_CELL_LETTERS.findall(data, max(0, start - 8), start + step))
    return letters


def _last_content_row(data: bytes) -> int:
    """The row of the last cell that holds something (0 when none does)."""
    last = max(_last_match(p, data) for p in _CONTENT_STARTS)
    if last < 0:
        return 0
    head = data[max(0, last - 4096):last]  # the cell's (or its row's) reference stands just before
    refs = _LAST_REF.findall(head)
    return int(refs[-1]) if refs else max((int(r) for r in _filled_rows(data)), default=0)


def _last_match(pattern: re.Pattern[bytes], data: bytes) -> int:
    last = -1
    for m in pattern.finditer(data):
        last = m.start()
    return last


def _filled(data: bytes) -> tuple[int, set[bytes]]:
    """(number of rows, column letters) of the cells that hold something."""
    rows: set[bytes] = set()
    letters: set[bytes] = set()
    for m in _VALUED_CELL.finditer(data):
        letters.add(m.group(1))
        rows.add(m.group(2))
    return len(rows), letters


def _filled_rows(data: bytes) -> set[bytes]:
    return {m.group(2) for m in _VALUED_CELL.finditer(data)}

