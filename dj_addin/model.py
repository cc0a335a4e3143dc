"""Plain data that flows between the adapters and the core.

A ``Book`` is one workbook read into typed tables: no Excel objects, no
openpyxl, only pandas and the standard library. Every row keeps the Excel row
number the user sees (the table's index), and every cell that could not be
interpreted is kept as found (``raw``) and flagged (``bad``), so that
validation can report it later instead of the reader dropping it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from dj_addin import schema
from dj_addin.schema import Sheet


@dataclass
class SheetTable:
    """One data sheet as typed columns.

    ``data``: index = Excel row number; one column per schema key (always all
    of them, blank when the sheet lacks the column) with typed values
    (``datetime64`` for dates, ``float`` for numbers, ``object`` for text, IDs,
    lists and 是/否), followed by the extra columns under their own headers.
    ``raw``: the schema columns as found in the cells (``None`` when empty).
    ``bad``: ``True`` where a cell is not empty but could not be interpreted.
    ``errors``: ``True`` where a cell holds an Excel error value (#REF!, #N/A…).
    """

    spec: Sheet
    found: bool = False  # the sheet exists in the workbook
    name: str = ""  # the sheet name as found
    header_row: int = 1  # Excel row number of the header row
    columns: dict[str, str] = field(default_factory=dict)  # key → column letter
    headers_found: dict[str, str] = field(default_factory=dict)  # key → header text as found
    extra_columns: dict[str, str] = field(default_factory=dict)  # header → column letter
    duplicate_columns: dict[str, list[str]] = field(default_factory=dict)  # key → letters
    merged_ranges: list[str] = field(default_factory=list)  # merged ranges inside the data area
    last_row: int = 1  # last Excel row read (≥ header_row)
    data: pd.DataFrame = field(default_factory=pd.DataFrame)
    raw: pd.DataFrame = field(default_factory=pd.DataFrame)
    bad: pd.DataFrame = field(default_factory=pd.DataFrame)
    errors: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def key(self) -> str:
        return self.spec.key

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

    def as_json(self) -> dict[str, Any]:
        return {"rule": self.rule, "level": self.level, "sheet": self.sheet, "row": self.row,
                "column": self.column, "field": self.field, "value": self.value,
                "message": self.message, "suggestion": self.suggestion}

