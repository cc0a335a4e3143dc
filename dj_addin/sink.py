"""Where a run's output goes: a destination that takes plans and findings to mark.

The pipeline computes results, builds the output sheets' plans
(``dj_addin.plans``) and hands them to a ``Sink``; it never sees a path or a
spreadsheet library. The file adapter's ``FileSink`` (``xlsx.sink``) writes a
copy or, in place, the workbook itself (atomically, keeping a backup); the
ribbon will pass a sink that writes into the open workbook.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

from dj_addin.model import Finding
from dj_addin.plans.printing import SheetPrinting
from dj_addin.plans.types import SheetPlan


@dataclass
class WriteStats:
    """What one write did (for the CLI's and the ribbon's closing message)."""

    dest: Path | str | None  # the file written, or the name of the live workbook
    restored: int = 0  # cells whose previous marks were undone first
    marked: int = 0  # cells marked now
    sheets: list[str] = field(default_factory=list)  # output sheets written
    engine: str = "openpyxl"
    seconds: float = 0.0
    backup: Path | None = None  # the copy kept before an in-place write
    notices: list[str] = field(default_factory=list)  # Chinese lines: macros kept or left out, entries left out


@runtime_checkable
class Sink(Protocol):
    """A destination for output sheets and cell marks."""

    def write(self, plans: Sequence[SheetPlan], marks_for: Sequence[Finding] | None,
              printing: Sequence[SheetPrinting] = ()) -> WriteStats:
        """Write every plan as a sheet (recreating a sheet of that name) and, unless
        ``marks_for`` is None, restore earlier marks and mark the cells of these findings
        (an empty list only restores); leave the empty data sheets of ``printing`` out of
        printing and put the others back. All or nothing: a failure leaves the destination as it was."""
        ...
