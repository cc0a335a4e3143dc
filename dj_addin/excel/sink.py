"""``LiveSink``: the pipeline's plans and marks written into the open workbook, all or nothing.

The same ``Sink.write(plans, marks_for)`` as the file sink. The write goes
in two steps: first everything new is built beside what is there (each
output sheet and the marks sheet under a temporary name; every cell the
marks change goes through the ``Journal``), then, only when all of that
worked, the old output and marks sheets are deleted and the new ones take
their names. A failure in the first step deletes the new sheets and puts
every touched cell back, so the workbook is as it was. Screen updating is
off while writing and back on in every case. Nothing is saved: the user
sees the results and saves (the closing message says so).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from dj_addin.excel import com
from dj_addin.excel import marks as live_marks
from dj_addin.excel.render import render_sheet
from dj_addin.model import Finding
from dj_addin.plans.printing import SheetPrinting
from dj_addin.plans.types import SheetPlan
from dj_addin.sink import WriteStats
from dj_addin.xlsx.xmltext import clean_findings, clean_plans

Progress = Callable[[int, int, str], None]


@dataclass
class LiveSink:
    book: object  # xlwings Book
    progress: Progress | None = None
    journal: live_marks.Journal = field(default_factory=live_marks.Journal)

    def write(self, plans: Sequence[SheetPlan], marks_for: Sequence[Finding] | None,
              printing: Sequence[SheetPrinting] = ()) -> WriteStats:
        start = time.perf_counter()
        app = self.book.app
        updating = app.screen_updating
        app.screen_updating = False
        self.journal = live_marks.Journal()
        try:
            try:
                built, marks_sheet, temp_marks, counts = self._build(clean_plans(plans), clean_findings(marks_for))
            except BaseException:
                self.journal.undo(self.book)
                raise
            self._commit(built, marks_sheet, temp_marks, marks_for is not None)
            if com.available():  # print areas are page setup, which only COM offers
                com.settle_printing(self.book, printing)
        finally:
            app.screen_updating = updating
        restored, marked = counts
        return WriteStats(self.book.name, restored, marked, [plan.name for plan, _ in built], "xlwings",
                          time.perf_counter() - start)

    # -------------------------------------------------------------- step 1: build beside

    def _build(self, plans, findings):
        book, journal = self.book, self.journal
        marks_sheet = live_marks.find_marks_sheet(book)
        built = []
        total = len(plans) + (1 if findings is not None else 0)
        for i, plan in enumerate(plans):
            self._step(i, total, plan.name)
            sheet = self._add(live_marks.temp_name(s.name for s in book.sheets), self._place(plan.name, marks_sheet))
            journal.added.append(sheet)
            render_sheet(sheet, plan)
            built.append((plan, sheet))
        restored = marked = 0
        temp_marks = None
        if findings is not None:
            self._step(len(plans), total, "标记")
            restored = live_marks.restore_marks(book, journal, marks_sheet)
            skip = {s.name for s in journal.added} | ({marks_sheet.name} if marks_sheet is not None else set())
            records = live_marks.apply_marks(book, journal, findings, skip)
            temp_marks = live_marks.write_records(book, journal, records)
            marked = len(records)
        self._step(total, total, "")
        return built, marks_sheet, temp_marks, (restored, marked)

    def _place(self, name: str, marks_sheet):
        """The sheet a new output sheet goes before: the old one of that name, else our marks sheet."""
        if name in [s.name for s in self.book.sheets]:
            return self.book.sheets[name]
        return marks_sheet

    def _add(self, name: str, before):
        sheets = self.book.sheets
        if before is not None:
            return sheets.add(name=name, before=before)
        return sheets.add(name=name, after=sheets[len(sheets) - 1])

    def _step(self, done: int, total: int, item: str) -> None:
        if self.progress is not None:
            self.progress(done, total, item)

    # -------------------------------------------------------------- step 2: swap in

    def _commit(self, built, marks_sheet, temp_marks, marking: bool) -> None:
        book = self.book
        for plan, sheet in built:
            names = [s.name for s in book.sheets]
            if plan.name in names:
                book.sheets[plan.name].delete()
            sheet.name = plan.name
        if marking and marks_sheet is not None:
            marks_sheet.delete()
        if temp_marks is not None:
            temp_marks.name = live_marks.final_marks_name(book, temp_marks)
            live_marks.hide(temp_marks)
