"""Empty data sheets left out of printing, in workbook.xml (``plans.printing`` says why).

Only the sheet-local ``_xlnm.Print_Area`` names change; the sheets' parts are
not touched, so the cost is nothing beside the write.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from dj_addin.plans.printing import SheetPrinting, new_area
from dj_addin.plans.types import quote_sheet
from dj_addin.xlsx.splice.book_xml import WorkbookXml

PRINT_AREA = "_xlnm.Print_Area"


def settle_print_areas(book: WorkbookXml, choices: Iterable[SheetPrinting]) -> None:
    """Set or clear the print area of every data sheet in ``choices`` that the workbook has."""
    for choice in choices:
        index = book.index(choice.sheet)
        if index is None:
            continue
        current = book.local_value(index, PRINT_AREA)
        area = new_area(current.split("!", 1)[-1] if current else None, choice)
        if area is None:
            if current is not None:
                book.set_local_value(index, PRINT_AREA, None)
        elif current is None or absolute(area) != absolute(current.split("!", 1)[-1]):
            book.set_local_value(index, PRINT_AREA, f"{quote_sheet(choice.sheet)}!{absolute(area)}")


def absolute(ref: str) -> str:
    """``M2`` → ``$M$2`` (how Excel writes a print area)."""
    return re.sub(r"\$?([A-Z]{1,3})\$?(\d+)", r"$\1$\2", ref)


__all__ = ["settle_print_areas", "PRINT_AREA"]
