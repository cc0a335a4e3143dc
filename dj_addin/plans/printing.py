"""Which data sheets print with the book (workbook.md: empty data sheets are not printed).

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

Every writer decides from the data it writes: an empty sheet gets the blank
area, a sheet with rows loses it again (prints whole, as before). A print
area the user set is never touched: ours is the only one that is a single
cell, which no one sets to print something.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dj_addin.cellref import column_number
from dj_addin.plans.types import cell_ref

if TYPE_CHECKING:  # the Book is only read here
    from dj_addin.model import Book

_ONE_CELL = re.compile(r"^(?:.*!)?\$?([A-Z]{1,3})\$?(\d+)(?::\$?\1\$?\2)?$")


@dataclass(frozen=True)
class SheetPrinting:
    """Whether one data sheet prints, and where its header is (to find the blank cell)."""

    sheet: str  # the sheet's name in the workbook
    empty: bool  # no data row: left out of printing
    header_row: int = 1
    width: int = 1  # columns the header spans (template columns and extra ones)

    @property
    def blank_cell(self) -> str:
        """The print area of an empty sheet: the cell right of the header, below it ("M2")."""
        return cell_ref(self.header_row + 1, self.width + 1)


def is_blank_area(area: str | None) -> bool:
    """A print area of one cell: the one this module sets (``'党员名册'!$M$2``, ``M2:M2``)."""
    return bool(area) and _ONE_CELL.match(area.strip()) is not None


def new_area(current: str | None, choice: SheetPrinting) -> str | None:
    """The print area the sheet should have, given the one it has (None: none).

    An empty sheet gets the blank cell unless the user set an area of their own;
    a sheet with rows loses ours and keeps anyone else's."""
    current = current or None
    if current is not None and not is_blank_area(current):
        return current
    return choice.blank_cell if choice.empty else None


def printing_of(book: "Book") -> list[SheetPrinting]:
    """One entry per data sheet the book has (sheets it lacks are not written to)."""
    out = []
    for table in book.tables.values():
        if not table.found or not table.name:
            continue
        letters = [*table.columns.values(), *table.extra_columns.values(), *table.provenance_columns.values(),
                   *(x for dup in table.duplicate_columns.values() for x in dup)]
        width = max((column_number(x) for x in letters if x), default=len(table.spec.columns))
        out.append(SheetPrinting(table.name, len(table) == 0, table.header_row, width))
    return out


__all__ = ["SheetPrinting", "is_blank_area", "new_area", "printing_of"]
