"""The file sink: output sheets and marks into a workbook file, atomically.

``FileSink(src, dest)`` writes a copy of ``src`` at ``dest``;
``FileSink(src, in_place=True)`` writes ``src`` itself after keeping
``BOOK.bak.xlsx``. Either way the result appears whole or not at all
(``save_plans``: a temporary file, then a rename).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from dj_addin.model import Finding
from dj_addin.plans.printing import SheetPrinting
from dj_addin.plans.types import SheetPlan
from dj_addin.sink import WriteStats
from dj_addin.xlsx.save import keep_backup, save_plans


@dataclass
class FileSink:
    src: Path
    dest: Path | None = None
    in_place: bool = False
    engine: str | None = None  # None: the default ("auto": the fast writer, openpyxl as fallback)

    def __post_init__(self) -> None:
        self.src = Path(self.src)
        if self.in_place:
            self.dest = self.src
        elif self.dest is None:
            raise ValueError("FileSink needs dest or in_place")
        self.dest = Path(self.dest)

    def write(self, plans: Sequence[SheetPlan], marks_for: Sequence[Finding] | None,
              printing: Sequence[SheetPrinting] = ()) -> WriteStats:
        backup = keep_backup(self.src) if self.in_place else None
        stats = save_plans(self.src, self.dest, plans, marks_for, engine=self.engine, printing=printing)
        stats.backup = backup
        return stats
