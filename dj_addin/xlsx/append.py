"""File adapter for 导入: append rows to one data sheet of a workbook.

The workbook is loaded and saved with openpyxl (the reference writer), the
rows go below the last filled row under the sheet's own headers (found by
name, so reordered columns are filled correctly), dates get the template's
date format. The caller wraps this in ``atomic_write``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from dj_addin.template.fill import append_rows
from dj_addin.xlsx.reference import _save, load


def append_to_sheet(src: Path, tmp: Path, sheet_key: str, rows: Iterable[Mapping[str, Any]],
                    *, keep_macros: bool = False) -> int:
    """Write ``src`` with ``rows`` appended to the sheet ``sheet_key`` into ``tmp``; return the row count.
    Macros are kept only when asked (writing in place), as every other writer does."""
    wb = load(src, keep_macros)
    n = append_rows(wb, sheet_key, rows)
    _save(wb, tmp, keep_macros)
    return n
