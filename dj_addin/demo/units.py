"""What the demo generator returns: one ``UnitBook`` per workbook (基本信息
items and rows per sheet, keyed by the schema's English keys), grouped into
colleges and a university, with the planted mistakes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dj_addin import schema

# The template puts headers in row 1, so list index i is Excel row i + 2.
FIRST_DATA_ROW = 2


@dataclass
class UnitBook:
    """One unit's workbook content: 基本信息 items and rows per data sheet."""

    code: str
    name: str
    level: str
    year: int
    folder: str  # folder under the output directory ('' = the top)
    meta: dict[str, Any]  # 基本信息: item key → value
    rows: dict[str, list[dict[str, Any]]]  # sheet key → rows (column key → value)

    @property
    def file_name(self) -> str:
        return f"{self.code}_{self.name}_{self.year}.xlsx"

    @property
    def relpath(self) -> Path:
        return Path(self.folder) / self.file_name if self.folder else Path(self.file_name)

    def count(self, sheet_key: str) -> int:
        return len(self.rows.get(sheet_key, ()))


@dataclass(frozen=True)
class PlantedMistake:
    """A deliberate slip (``rule`` = the finding validation should give) or a
    valid-but-unusual input (``rule`` None; ``expected`` = what a good reader
    makes of it), at an Excel row of one unit's sheet."""

    unit_code: str
    sheet: str  # sheet key
    row: int  # Excel row number
    column: str  # column key
    value: Any  # as written into the cell
    what: str  # one Chinese line for people
    rule: str | None = None
    expected: Any = None

    @property
    def sheet_name(self) -> str:
        return schema.sheet(self.sheet).name

    @property
    def header(self) -> str:
        return schema.sheet(self.sheet).column(self.column).header

    @property
    def is_error(self) -> bool:
        return self.rule is not None

    def as_json(self) -> dict[str, Any]:
        return {"unit_code": self.unit_code, "sheet": self.sheet_name, "row": self.row, "field": self.header,
                "value": cell_text(self.value), "what": self.what, "rule": self.rule}


@dataclass
class College:
    book: UnitBook
    short_name: str
    branches: list[UnitBook]


@dataclass
class University:
    seed: int
    year: int
    as_of: dt.date
    name: str
    book: UnitBook
    colleges: list[College]
    planted: list[PlantedMistake] = field(default_factory=list)

    def branches(self) -> list[UnitBook]:
        return [b for c in self.colleges for b in c.branches]

    def books(self) -> list[UnitBook]:
        """Every workbook, bottom up: each college's branches, then the college; the university last."""
        out: list[UnitBook] = []
        for college in self.colleges:
            out.extend(college.branches)
            out.append(college.book)
        out.append(self.book)
        return out

    def planted_in(self, unit_code: str) -> list[PlantedMistake]:
        return [p for p in self.planted if p.unit_code == unit_code]


def cell_text(value: Any) -> str:
    """A value as it reads in its cell (for messages and JSON)."""
    if isinstance(value, tuple):
        return "、".join(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)
