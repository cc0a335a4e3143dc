"""Reading an open workbook: each sheet's used range in one call → the file adapter's Book.

The grids are the same ``Grid`` the file reader builds (values from A1, Excel
errors by position), and ``xlsx.reader.book_from_grids`` turns them into the
same typed tables, so validation, roll-up and scoring cannot tell which
adapter read the book. Also here: the few per-cell reads the marks need
(value, fill, note), each one xlwings call.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

from dj_addin import normalize as nz
from dj_addin.marks.matching import FORMULA, value_text
from dj_addin.marks.records import NO_FILL, UNKNOWN_FILL, FillValue, make_colour, pattern_fill
from dj_addin.model import Book
from dj_addin.xlsx.grid import Grid
from dj_addin.xlsx.reader import book_from_grids, match_sheet_names

WINDOWS = sys.platform == "win32"
XL_SOLID, XL_NONE = 1, -4142  # Interior.Pattern


def sheet_names(book) -> list[str]:
    return [sheet.name for sheet in book.sheets]


def sheet_grid(sheet) -> Grid:
    """The sheet's used range in one call, padded so that rows[0] is row 1 and column A comes first."""
    used = sheet.used_range
    values = used.options(ndim=2, err_to_str=True).value or []
    top, left = used.row - 1, used.column - 1
    rows: list[list[Any]] = [[] for _ in range(top)]
    errors: dict[tuple[int, int], str] = {}
    for r, row in enumerate(values):
        cells = [None] * left + [as_found(v) for v in row]
        for c in range(left, len(cells)):
            if nz.is_excel_error(cells[c]):
                errors[(top + r, c)] = cells[c].strip()
        rows.append(cells)
    return Grid(name=sheet.name, rows=rows, errors=errors)


def as_found(value: Any) -> Any:
    """A value as the file reader finds it: Excel hands every date over as a datetime; one at
    midnight is the date a date-formatted cell holds (python-calamine gives a date for those)."""
    if isinstance(value, dt.datetime) and value.time() == dt.time(0) and value.tzinfo is None:
        return value.date()
    return value


def book_path(book) -> Path | None:
    """The workbook's file, or None when it was never saved (its fullname is just a name)."""
    full = str(book.fullname or "")
    path = Path(full)
    return path if path.is_absolute() else None


def read_live_book(book) -> Book:
    """The Book the file adapter would read from this workbook as it is now (saved or not)."""
    names = sheet_names(book)
    wanted = match_sheet_names(names)
    grids = {name: sheet_grid(book.sheets[name]) for name in wanted.values()}
    path = book_path(book) or Path(book.name)
    return book_from_grids(names, grids, path=path)


# ---------------------------------------------------------------- one cell


def plain(value: Any) -> Any:
    """Excel hands every number over as a float; whole ones are ints, as the file reader gives them."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def cell_value_text(rng) -> str:
    """``matching.value_text`` of a live cell (any formula is just ``FORMULA``)."""
    value, formula = plain(rng.value), rng.formula
    if isinstance(formula, str) and formula.startswith("=") and formula != value:  # text "=…" is no formula
        return FORMULA
    return value_text(value)


def rgb_hex(rgb: tuple[int, int, int]) -> str:
    return "FF" + "".join(f"{int(v):02X}" for v in rgb)


def hex_rgb(argb: str) -> tuple[int, int, int]:
    text = argb[-6:]
    return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)


def read_fill(rng) -> FillValue:
    """The cell's fill as a value: none, or solid in the colour Excel shows.

    xlwings gives the colour Excel resolves (a theme colour arrives as its
    rgb), so a restored theme fill looks the same but is no longer tied to the
    theme. On Windows a patterned fill is not representable (the cell then gets
    our note only and its fill is never touched); elsewhere xlwings cannot tell
    a pattern from a solid fill.
    """
    if WINDOWS:
        from dj_addin.excel.com import interior_pattern

        pattern = interior_pattern(rng)
        if pattern == XL_NONE:
            return NO_FILL
        if pattern not in (XL_SOLID, None):
            return UNKNOWN_FILL
    rgb = rng.color
    if rgb is None:
        return NO_FILL
    return pattern_fill("solid", make_colour("rgb", rgb_hex(rgb)))


def write_fill(rng, fill: FillValue) -> None:
    """Put a fill read by ``read_fill`` (or one of our mark fills) back on the cell."""
    if fill.pattern is None:
        rng.color = None
    elif fill.fg is not None and fill.fg.kind == "rgb":
        rng.color = hex_rgb(str(fill.fg.value))
    else:
        raise ValueError(f"fill {fill!r} cannot be written through xlwings")


def read_note(rng) -> str | None:
    note = rng.note
    return None if note is None else note.text


def read_note_author(rng) -> str | None:
    note = rng.note
    return None if note is None else (note.author or None)


def write_note(rng, text: str | None) -> None:
    """Replace the cell's note (None: remove it). Excel names the note's author itself."""
    note = rng.note
    if note is not None:
        note.delete()
    if text is not None:
        rng.add_note(text)
