"""Empty data sheets left out of printing, in an openpyxl workbook (``plans.printing`` says why).

Used by every writer that holds the workbook in openpyxl: the template
filler (split, demo, import), the reference writer and the export.
"""

from __future__ import annotations

from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from dj_addin.plans.printing import SheetPrinting, new_area


def settle_sheet(ws: Worksheet, choice: SheetPrinting) -> None:
    """Give ``ws`` the print area ``choice`` asks for (the user's own is kept)."""
    current = ws.print_area or None
    if current is not None:
        current = current.split("!", 1)[-1]
    area = new_area(current, choice)
    if area != current:
        ws.print_area = area


def settle_printing(wb: Workbook, choices: Iterable[SheetPrinting]) -> None:
    """``settle_sheet`` for every choice whose sheet the workbook has."""
    for choice in choices:
        if choice.sheet in wb.sheetnames:
            settle_sheet(wb[choice.sheet], choice)


__all__ = ["settle_sheet", "settle_printing"]
