"""One column of a data sheet, from its cells to typed values, a distinct value at a time.

A column repeats its values (IDs, dates, list values), so every step that
looks at a value looks at each distinct value once: pandas factorizes the
column (hashing in C) into codes and distinct values, the distinct values are
classified (blank, an Excel error as text) and parsed in Python, and numpy
spreads the results back over the rows by their codes. A 400,000-row column
costs milliseconds this way instead of a Python step per cell. Columns this
cannot handle exactly (unhashable cells, values equal to 0 or 1, which Python
takes for True and False, unusual missing-value objects) go the way of one
cell at a time, with the same results.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable

import numpy as np
import pandas as pd

from dj_addin import normalize as nz
from dj_addin.schema import ColType, Column, synonyms_for

__all__ = ["Cells", "by_value", "columns_of", "found_cells", "parse_cells", "parse_column", "parse_distinct", "parser_for"]


_PARSERS: dict[ColType, Callable[[Any], Any]] = {
    ColType.DATE: nz.parse_date, ColType.ID: nz.parse_id, ColType.IDS: nz.parse_ids, ColType.INT: nz.parse_int,
    ColType.NUMBER: nz.parse_number, ColType.BOOL: nz.parse_bool,
}


def parser_for(col: Column) -> Callable[[Any], Any]:
    """The cell parser of a column's type (a list column knows its choices and synonyms)."""
    if col.type is ColType.ENUM:
        syn = synonyms_for(col)
        choices = col.choices
        return lambda v: nz.parse_enum(v, choices, syn)
    return _PARSERS.get(col.type, nz.parse_text)


def objects(values: Iterable[Any], n: int) -> np.ndarray:
    """An object array holding exactly these values (a tuple stays one cell)."""
    return np.fromiter(values, dtype=object, count=n)


def columns_of(rows: list[list[Any]], wanted: list[int]) -> dict[int, np.ndarray]:
    """Column index → the column's cells as an object array (one transposition
    in C, not a Python loop per column); short rows are padded with None."""
    if not wanted:
        return {}
    n = len(rows)
    if not rows:
        return {ci: objects((), 0) for ci in wanted}
    width = max(wanted) + 1
    if min(map(len, rows)) < width:
        rows = [r if len(r) >= width else [*r, *([None] * (width - len(r)))] for r in rows]
    cols = list(zip(*rows))
    return {ci: objects(cols[ci], n) for ci in wanted}


@dataclass
class Cells:
    """A column's cells as found: blank cells are None, Excel error cells hold
    their text and are flagged. ``codes`` number the distinct values for parsing
    (-1: nothing to parse, a blank or an error), ``distinct`` holds them; both
    are None when the column goes cell by cell."""

    values: np.ndarray  # object
    errors: np.ndarray  # bool
    codes: np.ndarray | None = None
    distinct: np.ndarray | None = None

    def filled(self) -> np.ndarray:
        """Where a cell holds something (a value or an error)."""
        if self.codes is None:
            return pd.notna(self.values)
        return (self.codes >= 0) | self.errors

    def take(self, rows: np.ndarray) -> Cells:
        return Cells(self.values[rows], self.errors[rows],
                     None if self.codes is None else self.codes[rows], self.distinct)


def _blank(v: Any) -> bool:
    return (v.__class__ is str and not v.strip()) or (v.__class__ is float and v != v)


def _error_text(v: Any) -> bool:
    return v.__class__ is str and v[:1] == "#" and nz.is_excel_error(v)


def found_cells(cells: np.ndarray, errors_at: Iterable[tuple[int, str]] = ()) -> Cells:
    """The cells with every blank one (None, '', white space, NaN) as None and the
    Excel errors flagged: those given by position (``errors_at``: row in the
    column, text; readers that blank them report them so) and those kept as
    text (#N/A…)."""
    errors_at = list(errors_at)
    if not np.not_equal(cells, None).any():  # an empty column (a third of a branch book's): nothing to look at
        values, errors, codes = cells.copy(), np.zeros(len(cells), dtype=bool), np.full(len(cells), -1, dtype=np.intp)
        for i, text in errors_at:
            errors[i] = True
            values[i] = text
            codes[i] = -1
        return Cells(values, errors, codes, np.empty(0, dtype=object))
    try:
        # The None appended keeps pandas on its hash table for Python objects: for a column of
        # text only it would pick its string table, which leaves a UTF-8 copy attached to every
        # non-ASCII text cell (57 MB more at the peak of a 400,000-row read) and is slower too.
        codes, distinct = pd.factorize(np.append(cells, None))
    except TypeError:  # unhashable cells (no engine makes them)
        return _found_one_by_one(cells, errors_at)
    codes = codes[:-1]
    missing = np.flatnonzero(codes < 0)  # None and NaN
    others = missing[np.not_equal(cells[missing], None)]
    if any(cells[i].__class__ is not float for i in others.tolist()):  # NaT, pd.NA, numpy's NaN: kept as found
        return _found_one_by_one(cells, errors_at)
    values = cells.copy()
    values[others] = None
    blank = np.fromiter(map(_blank, distinct), dtype=bool, count=len(distinct))
    if blank.any():
        at = np.append(blank, False)[codes]  # code -1 picks the last slot
        values[at] = None
        codes[at] = -1
    wrong = np.fromiter(map(_error_text, distinct), dtype=bool, count=len(distinct))
    errors = np.append(wrong, False)[codes]
    codes[errors] = -1
    for i, text in errors_at:
        errors[i] = True
        values[i] = text
        codes[i] = -1
    return Cells(values, errors, codes, distinct)


def _found_one_by_one(cells: np.ndarray, errors_at: list[tuple[int, str]]) -> Cells:
    values = objects((None if v is None or _blank(v) else v for v in cells), len(cells))
    errors = np.fromiter((_error_text(v) for v in values), dtype=bool, count=len(values))
    for i, text in errors_at:
        errors[i] = True
        values[i] = text
    return Cells(values, errors)


def parse_cells(col: Column, cells: Cells) -> tuple[np.ndarray, np.ndarray]:
    """Typed values (object array: blank → the column's default; unreadable →
    None) and the bad flags; error cells parse as blank."""
    coded = parse_distinct(col, cells)
    if coded is not None:
        typed, bad, codes = coded
        return typed[codes], bad[codes]
    cleaned = [None if e else v for v, e in zip(cells.values.tolist(), cells.errors.tolist())]
    values, flags = parse_column(col, cleaned)
    return objects(values, len(values)), np.array(flags, dtype=bool)


def parse_distinct(col: Column, cells: Cells) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """``parse_cells`` a distinct value at a time: (typed value of every distinct
    value, then of a blank; their bad flags; each cell's code into them, -1 for
    the blank), so that ``typed[codes]`` are the typed cells and whatever is done
    to a typed value (dates to numpy's) can be done once per distinct value.
    None when the column must go cell by cell."""
    codes, distinct = cells.codes, cells.distinct
    if codes is None or distinct is None:
        return None
    used = np.zeros(len(distinct) + 1, dtype=bool)
    used[codes] = True  # -1 marks the last slot: blank
    wanted = np.flatnonzero(used[:-1])
    seen = set(distinct[wanted].tolist())
    if 0 in seen or 1 in seen:  # 1.0, 1 and True are one key: they need the cell-by-cell way
        return None
    parse, default = parser_for(col), col.default
    typed = np.empty(len(distinct) + 1, dtype=object)
    bad = np.zeros(len(distinct) + 1, dtype=bool)
    for i, v in zip(wanted.tolist(), distinct[wanted].tolist()):
        p = parse(v)
        typed[i] = None if p is nz.INVALID else (default if p is None else p)
        bad[i] = p is nz.INVALID
    p = parse(None)
    typed[-1] = None if p is nz.INVALID else (default if p is None else p)
    bad[-1] = p is nz.INVALID
    return typed, bad, codes


def by_value(parse: Callable[[Any], Any], values: Iterable[Any]) -> list[Any]:
    """``parse`` of every value, called once per distinct value (by class too, so
    1, 1.0 and True are parsed apart): 来源单位编码 repeats one code for thousands of rows."""
    memo: dict[tuple[type, Any], Any] = {}
    out: list[Any] = []
    for v in values:
        key = (v.__class__, v)
        try:
            p = memo[key]
        except KeyError:
            p = memo[key] = parse(v)
        except TypeError:  # unhashable: parse directly
            p = parse(v)
        out.append(p)
    return out


def parse_column(col: Column, raw: list[Any]) -> tuple[list[Any], list[bool]]:
    """Typed values (blank → column default; unreadable → None) and the bad flags,
    one cell at a time (each distinct value parsed once)."""
    parse = parser_for(col)
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
    values: list[Any] = []
    bad: list[bool] = []
    for p in by_value(parse, raw):
        if p is nz.INVALID:
            values.append(None)
            bad.append(True)
        else:
            values.append(default if p is None else p)
            bad.append(False)
    return values, bad
