"""Which data sheets print with the book, and how much of them (workbook.md:
empty data sheets are not printed).

A data sheet without a row would print a page holding only its header. Hiding
it is not an option (the secretary must still see and fill it), and no
spreadsheet program has a "do not print this sheet" switch that Excel, WPS and
LibreOffice all read. What they all honour is the print area
(``_xlnm.Print_Area``): an empty sheet gets one whose only cell is blank, the
cell right of the header and below it. Excel and WPS skip a page with nothing
on it (a blank cell without border or fill is nothing), and so does
LibreOffice (its "suppress empty pages"), measured through its PDF export;
the repeated header rows print only the print area's columns, which are
blank there too.

A sheet whose rows the template pre-fills with formulas (the lookup columns
of the schema: 评议.姓名 from 党员名册, 200 rows) would print every such row:
Excel counts a formula cell as content even when it shows nothing, and
LibreOffice prints it too. Such a sheet with rows gets the table as its print
area: from A1 over the header's columns down to the last row holding data
(``'评议'!$A$1:$M$47``); the other sheets with rows print whole, as before.

Every writer decides from the data it writes: an empty sheet gets the blank
cell, a pre-filled sheet with rows gets its table, another sheet with rows
loses our area again. A print area the user set is never touched. Ours is
recognised by its shape: a single cell (on any sheet; no one sets that to
print something), or, on a pre-filled sheet only, one rectangle from A1 that
ends in the header's last column (or the template's, for an area set before
the user added a column) and below the header, whatever its last row (it was
the last data row when it was set). An area of that shape set by hand on 评议
is taken for ours and follows the data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dj_addin.cellref import column_number
from dj_addin.plans.types import cell_ref

if TYPE_CHECKING:  # the Book and the schema's Sheet are only read here
    from dj_addin.model import Book
    from dj_addin.schema import Sheet

_ONE_CELL = re.compile(r"^(?:.*!)?\$?([A-Z]{1,3})\$?(\d+)(?::\$?\1\$?\2)?$")
_TABLE = re.compile(r"^(?:.*!)?\$?A\$?1:\$?([A-Z]{1,3})\$?(\d+)$")


def prefilled(spec: "Sheet") -> bool:
    """Whether the template fills the sheet's rows with formulas (a lookup column): 评议."""
    return any(c.lookup for c in spec.columns)


@dataclass(frozen=True)
class SheetPrinting:
    """Whether one data sheet prints, and where its header and data are."""

    sheet: str  # the sheet's name in the workbook
    empty: bool  # no data row: left out of printing
    header_row: int = 1
    width: int = 1  # columns the header spans (template columns and extra ones)
    prefilled: bool = False  # rows pre-filled with formulas: print only up to last_row
    last_row: int = 0  # the last row holding data (prefilled sheets)
    template_width: int = 0  # the template's columns (an area of ours may end there); 0: width

    @property
    def blank_cell(self) -> str:
        """The print area of an empty sheet: the cell right of the header, below it ("M2")."""
        return cell_ref(self.header_row + 1, self.width + 1)

    @property
    def table_area(self) -> str:
        """The print area of a pre-filled sheet with rows: A1 to the last data row ("A1:M47")."""
        return f"A1:{cell_ref(max(self.last_row, self.header_row), self.width)}"


def is_blank_area(area: str | None) -> bool:
    """A print area of one cell: the one this module sets (``'党员名册'!$M$2``, ``M2:M2``)."""
    return bool(area) and _ONE_CELL.match(area.strip()) is not None


def is_table_area(area: str | None, choice: SheetPrinting) -> bool:
    """A print area of the shape this module gives a pre-filled sheet: from A1 over the
    header's (or the template's) columns, ending below the header, any last row."""
    m = _TABLE.match(area.strip()) if area else None
    if m is None or not choice.prefilled:
        return False
    return (column_number(m.group(1)) in (choice.width, choice.template_width or choice.width)
            and int(m.group(2)) > choice.header_row)


def new_area(current: str | None, choice: SheetPrinting) -> str | None:
    """The print area the sheet should have, given the one it has (None: none).

    An empty sheet gets the blank cell, a pre-filled one with rows its table,
    another one with rows none; an area the user set is kept."""
    current = current or None
    if current is not None and not is_blank_area(current) and not is_table_area(current, choice):
        return current
    if choice.empty:
        return choice.blank_cell
    return choice.table_area if choice.prefilled else None


def printing_of(book: "Book") -> list[SheetPrinting]:
    """One entry per data sheet the book has (sheets it lacks are not written to)."""
    out = []
    for table in book.tables.values():
        if not table.found or not table.name:
            continue
        letters = [*table.columns.values(), *table.extra_columns.values(), *table.provenance_columns.values(),
                   *(x for dup in table.duplicate_columns.values() for x in dup)]
        width = max((column_number(x) for x in letters if x), default=len(table.spec.columns))
        last = int(table.rows.max()) if len(table) else table.header_row
        out.append(SheetPrinting(table.name, len(table) == 0, table.header_row, width, prefilled(table.spec), last,
                                 len(table.spec.columns)))
    return out


__all__ = ["SheetPrinting", "is_blank_area", "is_table_area", "new_area", "prefilled", "printing_of"]
