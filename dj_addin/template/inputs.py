"""The template's drop-downs, number ranges and input hints, rendered with openpyxl
from the engine-neutral plan of :mod:`dj_addin.plans.inputs` (the merged workbook
gets the same validations from the same plan)."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.worksheet.datavalidation import DataValidation

from dj_addin.plans.inputs import LISTS_SHEET, ListSources, column_validation, hint_of, kv_validation
from dj_addin.schema import Column
from dj_addin.xlsx.sheets import data_validation

__all__ = ["LISTS_SHEET", "Lists", "hint_of", "validation_for", "kv_validation_for"]


class Lists(ListSources):
    """The plan's list sources, and the hidden sheet that holds the long lists, written last."""

    def __init__(self, wb: Workbook) -> None:
        super().__init__()
        self.wb = wb

    def write_sheet(self) -> None:
        """Write the hidden sheet of the long lists (when there are any) at the end of the workbook."""
        plan = self.plan()
        if plan is None:
            return
        ws = self.wb.create_sheet(LISTS_SHEET)
        ws.sheet_state = "hidden"
        for cell in plan.cells:
            ws[cell.ref] = cell.value


def validation_for(col: Column, sqref: str, lists: Lists) -> DataValidation | None:
    """The data validation of one column: a drop-down, or just a hint."""
    v = column_validation(col, sqref, lists)
    return None if v is None else data_validation(v)


def kv_validation_for(col: Column, sqref: str, lists: Lists) -> DataValidation | None:
    """The validation of a 项目/内容 value cell: a number range, a drop-down, or just a hint."""
    v = kv_validation(col, sqref, lists)
    return None if v is None else data_validation(v)
