"""Plain data that flows between the adapters and the core.

A ``Book`` is one workbook read into typed tables: no Excel objects, no
openpyxl, only pandas and the standard library. Every row has a row id (the
tables' index), and beside it the Excel row the user sees and where the row
came from (``origin``: source unit, source row), so that tables of several
units can be concatenated and filtered and every finding still reaches the
user's cell. Every cell that could not be interpreted is kept as found
(``raw``) and flagged (``bad``), so that validation can report it and a writer
can put back what the user typed instead of the reader dropping it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from dj_addin import schema
from dj_addin.frames import frame_of
from dj_addin.schema import Sheet


ROW_ID = "rid"  # name of every table's index: the row id
ORIGIN_COLUMNS = ("row", "source_unit", "source_row")


def origin_frame(rows: Any, units: Any = None, source_rows: Any = None, index: Any = None) -> pd.DataFrame:
    """The ``origin`` frame of a table: Excel row, source unit, source row by row id
    (source rows default to the Excel rows, the index to the Excel rows too)."""
    rows = np.asarray(rows, dtype="int64")
    index = pd.Index(rows if index is None else np.asarray(index, dtype="int64"), dtype="int64", name=ROW_ID)
    unit_cells = np.empty(len(rows), dtype=object)
    if units is None or isinstance(units, str):
        unit_cells.fill(units)
    else:
        unit_cells[:] = list(units)
    columns = {"row": rows, "source_unit": unit_cells,
               "source_row": rows if source_rows is None else np.asarray(source_rows, dtype="int64")}
    if any(u is not None for u in unit_cells.tolist()):
        # units given: pandas infers their type (text: its str type), as these frames always had
        return pd.DataFrame(columns, index=index)
    return frame_of(columns, index)  # no unit yet (a book's own rows): objects, built cheaply


@dataclass
class SheetTable:
    """One data sheet as typed columns.

    Every frame is indexed by the row id (``ROW_ID``): unique in the table,
    kept by filtering, sorting and compacting, renumbered only by
    ``rows.concat_tables``. In a book read from one file it happens to equal
    the Excel row; rules and writers must not rely on that (they use
    ``origin``).

    ``data``: one column per schema key (always all of them, blank when the
    sheet lacks the column) with typed values (``datetime64`` for dates,
    ``float`` for numbers, ``object`` for text, IDs, lists and 是/否), followed
    by the extra columns under their own headers.
    ``origin``: ``row`` (the Excel row in this workbook), ``source_unit`` (the
    unit whose workbook first held the row: 来源单位编码 when the sheet has that
    column, else the book's own 单位编码) and ``source_row`` (来源行, else the
    Excel row).
    ``raw``: the schema columns as found in the cells (``None`` when empty).
    ``bad``: ``True`` where a cell is not empty but could not be interpreted.
    ``errors``: ``True`` where a cell holds an Excel error value (#REF!, #N/A…).
    ``raw``, ``bad`` and ``errors`` serve validation; ``compact()`` drops them
    and keeps only ``as_found``: the value as found of every cell that could
    not be interpreted (bad or an Excel error), which is all a writer needs
    beside ``data`` (``for_writing()`` puts those values back).
    """

    spec: Sheet
    found: bool = False  # the sheet exists in the workbook
    name: str = ""  # the sheet name as found
    header_row: int = 1  # Excel row number of the header row
    columns: dict[str, str] = field(default_factory=dict)  # key → column letter
    headers_found: dict[str, str] = field(default_factory=dict)  # key → header text as found
    extra_columns: dict[str, str] = field(default_factory=dict)  # header → column letter
    duplicate_columns: dict[str, list[str]] = field(default_factory=dict)  # key → letters
    header_notes: dict[str, str] = field(default_factory=dict)  # extra header → why it was not read (S004)
    merged_ranges: list[str] = field(default_factory=list)  # merged ranges inside the data area
    last_row: int = 1  # last Excel row read (≥ header_row)
    data: pd.DataFrame = field(default_factory=pd.DataFrame)
    raw: pd.DataFrame = field(default_factory=pd.DataFrame)
    bad: pd.DataFrame = field(default_factory=pd.DataFrame)
    errors: pd.DataFrame = field(default_factory=pd.DataFrame)
    origin: pd.DataFrame = field(default_factory=lambda: origin_frame([]))
    # key ("source_unit"/"source_row") → column letter, when the sheet carries 来源单位编码/来源行
    provenance_columns: dict[str, str] = field(default_factory=dict)
    compacted: bool = False  # raw/bad/errors dropped, as_found kept (see compact())
    _as_found: dict[str, pd.Series] | None = field(default=None, repr=False)

    @property
    def key(self) -> str:
        return self.spec.key

    @property
    def rows(self) -> pd.Series:
        """Excel row by row id."""
        return self.origin["row"]

    def as_found(self) -> dict[str, pd.Series]:
        """Schema key → the value as found (by row id) of every cell of that
        column that could not be interpreted (not readable, or an Excel error);
        columns without such cells are left out. Works on full and compact tables."""
        if self._as_found is not None:
            return self._as_found
        out: dict[str, pd.Series] = {}
        if len(self.data) and len(self.raw.columns):
            flags = self.bad.to_numpy(dtype=bool) | self.errors.to_numpy(dtype=bool)
            for i in np.flatnonzero(flags.any(axis=0)):
                key = self.bad.columns[i]
                out[key] = self.raw[key][flags[:, i]]
        return out

    def for_writing(self, provenance: bool = False) -> pd.DataFrame:
        """What a writer puts back into the sheet: ``data`` with the value as
        found in every cell that could not be interpreted (so nothing the user
        typed is lost), columns under their schema keys and extra headers; with
        ``provenance``, ``来源单位编码`` and ``来源行`` at the right."""
        out = self.data.copy()
        for key, values in self.as_found().items():
            col = out[key].astype(object)
            col.loc[values.index] = values.to_numpy(dtype=object)
            out[key] = col
        if provenance:
            out[schema.SOURCE_UNIT_HEADER] = self.origin["source_unit"].to_numpy(dtype=object)
            out[schema.SOURCE_ROW_HEADER] = self.origin["source_row"].to_numpy()
        return out

    def compact(self) -> "SheetTable":
        """The table without what only validation needed (``raw``, ``bad``,
        ``errors``): typed data, origin and the values as found of the cells
        that could not be interpreted. Cheap to pickle (worker processes hand
        these back); enough to write, merge, roll up and score; not to validate."""
        if self.compacted:
            return self
        empty = self.data.iloc[:0, :0]
        return replace(self, raw=empty, bad=empty, errors=empty, compacted=True,
                       _as_found=dict(self.as_found()))

    @property
    def missing_columns(self) -> list[str]:
        """Schema keys that no header of the sheet matched."""
        return [k for k in self.spec.keys if k not in self.columns] if self.found else []

    def letter(self, key: str) -> str:
        """Column letter of a schema column ('' when the sheet lacks it)."""
        return self.columns.get(key, "")

    def __len__(self) -> int:
        return len(self.data)


@dataclass
class KVItem:
    value: Any  # typed value (None when blank, normalize.INVALID when unreadable)
    raw: Any  # the cell as found
    row: int  # Excel row number
    column: str = "B"  # column letter of the value


@dataclass
class KVTable:
    """A key–value sheet (基本信息, 评分规则): item key → value."""

    spec: Sheet
    found: bool = False
    name: str = ""
    items: dict[str, KVItem] = field(default_factory=dict)  # schema key → item
    unknown_items: dict[str, KVItem] = field(default_factory=dict)  # item name as found → item
    duplicate_items: dict[str, list[KVItem]] = field(default_factory=dict)  # key → later rows of the same item

    @property
    def key(self) -> str:
        return self.spec.key

    def get(self, key: str, default: Any = None) -> Any:
        """The typed value, or ``default`` when blank, missing or unreadable."""
        from dj_addin.normalize import INVALID

        item = self.items.get(key)
        if item is None or item.value is None or item.value is INVALID:
            return default
        return item.value


@dataclass
class Book:
    """One workbook read into plain tables."""

    path: Path | None = None
    sheet_names: list[str] = field(default_factory=list)  # all sheets as found, in order
    tables: dict[str, SheetTable] = field(default_factory=dict)  # data sheets by key
    kv: dict[str, KVTable] = field(default_factory=dict)  # key–value sheets by key
    # The tables hold rows of other workbooks (read from a merged workbook that
    # carries 来源单位编码/来源行, or built by rows.concat_books): findings then
    # name 来源单位编码 and 来源行 beside the row (Finding.source_unit/source_row).
    merged: bool = False

    def table(self, key: str) -> SheetTable:
        return self.tables[key]

    @property
    def meta(self) -> KVTable:
        return self.kv[schema.META.key]

    @property
    def scoring_rules(self) -> KVTable:
        return self.kv[schema.SCORING_RULES.key]

    @property
    def unit_code(self) -> str | None:
        return self.meta.get("unit_code")

    @property
    def year(self) -> int | None:
        y = self.meta.get("year")
        return int(y) if y is not None else None

    def frame(self, key: str) -> pd.DataFrame:
        """The typed data of a data sheet (empty with all columns when missing)."""
        return self.tables[key].data


@dataclass(frozen=True)
class Finding:
    """One validation finding (validation.md): data, not text."""

    rule: str  # S001 … K001
    level: str  # 错误 / 警告 / 提示
    sheet: str  # sheet name as the user sees it ('' for file-level findings)
    row: int | None  # Excel row number
    column: str  # column letter ('' when not a single cell)
    field: str  # header
    value: str  # the value as found, as text
    message: str
    suggestion: str = ""
    # Provenance of the row (来源单位编码, 来源行): set only for merged books
    # (Book.merged), where the Excel row alone does not reach the user's cell.
    source_unit: str | None = None
    source_row: int | None = None

    def as_json(self) -> dict[str, Any]:
        """interfaces.md's keys; ``source_unit``/``source_row`` follow only when set (merged books)."""
        out = {"rule": self.rule, "level": self.level, "sheet": self.sheet, "row": self.row,
               "column": self.column, "field": self.field, "value": self.value,
               "message": self.message, "suggestion": self.suggestion}
        if self.source_unit is not None or self.source_row is not None:
            out["source_unit"], out["source_row"] = self.source_unit, self.source_row
        return out

